"""Which inputs an analysis varies, and over what range: the registry's declared inputs and ranges.

Default: every lever, every uncertainty and every parameter with role "behaviour" (the 2013 anchors, role
"start", can be named explicitly; implementation settings, role "numerical", are never varied). Each input is
varied over its registry range ``[low, high]``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..inputs.registry import LEVERS, PARAMETERS, UNCERTAINTIES, Param
from .errors import AnalysisError, did_you_mean

KINDS = {"levers": LEVERS, "uncertainties": UNCERTAINTIES, "parameters": PARAMETERS}
"""`--group` also accepts these: every default input of one kind."""


def default_inputs() -> list[Param]:
    """Levers, uncertainties and behavioural parameters, in registry order."""
    behaviour = [p for p in PARAMETERS.values() if p.role == "behaviour"]
    return [*LEVERS.values(), *UNCERTAINTIES.values(), *behaviour]


def groups() -> list[str]:
    """The registry groups of the default inputs, then the kind names."""
    return [*dict.fromkeys(p.group for p in default_inputs()), *KINDS]


def by_group(names: Sequence[str]) -> list[Param]:
    """The default inputs in any of the groups `names` (registry groups, or 'levers', 'uncertainties',
    'parameters')."""
    known = groups()
    for name in names:
        if name not in known:
            raise AnalysisError(f"--group: unknown group '{name}'{did_you_mean(name, known)}; "
                                f"groups: {', '.join(known)}")
    wanted = set(names)
    return [p for p in default_inputs() if p.group in wanted or _kind_name(p) in wanted]


def by_name(names: Sequence[str], option: str = "--inputs") -> list[Param]:
    """The named inputs (levers, uncertainties or parameters of role start or behaviour), in the order given."""
    everything = {**LEVERS, **UNCERTAINTIES, **PARAMETERS}
    out = []
    for name in names:
        param = everything.get(name)
        if param is None:
            raise AnalysisError(f"{option}: unknown input '{name}'{did_you_mean(name, everything)}")
        if param.role == "numerical":
            raise AnalysisError(f"{option}: '{name}' is an implementation setting (role numerical), never varied")
        if param.low == param.high:
            raise AnalysisError(f"{option}: '{name}' has an empty range [{param.low}, {param.high}]")
        out.append(param)
    return out


def select(names: Sequence[str] | None = None, group: Sequence[str] | None = None) -> list[Param]:
    """`--inputs` or `--group` (not both), else the default inputs."""
    if names and group:
        raise AnalysisError("give --inputs or --group, not both")
    params = by_name(names) if names else by_group(group) if group else default_inputs()
    if not params:
        raise AnalysisError("no inputs selected")
    return params


def kind_of(param: Param) -> str:
    """'lever', 'uncertainty' or 'parameter'."""
    return param.kind


def _kind_name(param: Param) -> str:
    return {"lever": "levers", "uncertainty": "uncertainties", "parameter": "parameters"}[kind_of(param)]


def problem(params: Sequence[Param]) -> dict:
    """The SALib problem of these inputs: names and registry bounds."""
    return {"num_vars": len(params), "names": [p.name for p in params],
            "bounds": [[p.low, p.high] for p in params]}


def describe(params: Sequence[Param], from_year: int) -> list[dict]:
    """Each input as the manifest records it: what it is, its range and how a sampled value is applied."""
    return [{"name": p.name, "kind": kind_of(p), "group": p.group, "role": p.role or None, "low": p.low,
             "high": p.high, "default": p.default, "unit": p.unit, "integer": p.integer,
             "applied": f"from {from_year}" if kind_of(p) == "lever" else "whole run"} for p in params]
