"""How a sampled value enters a run: the base scenario's engine-form config with the sampled inputs applied.

- A **lever** takes its sampled value from the policy year (`from_year`, default 2025) on: the base scenario's
  schedule (its policy history) holds before that year and a constant takes over from it (`Schedule.over`, the
  splice `extends` uses). The history is data; what a strategy could change is the future.
- An **uncertainty** or a **parameter** takes its sampled value as a constant over the whole run (a dated
  uncertainty schedule of the base scenario, such as the birth-rate history, is replaced).
- Values are clipped to the registry range (samplers' scaling can overshoot a bound by a rounding error) and
  integer inputs (`Param.integer`) are rounded to the nearest whole number when applied.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..inputs.registry import LEVERS, PARAMETERS, UNCERTAINTIES
from ..inputs.schedule import Schedule

DEFAULT_FROM_YEAR = 2025


def applied_value(name: str, value: float) -> float:
    """The value a run gets: within the registry range (a sampler's scaling can overshoot a bound by a rounding
    error, which the scenario schema would reject), rounded for integer inputs."""
    param = LEVERS.get(name) or UNCERTAINTIES.get(name) or PARAMETERS[name]
    value = min(max(float(value), param.low), param.high)
    return float(round(value)) if param.integer else value


def lever_from(spec: Any, default: float, value: float, from_year: int) -> dict[str, Any]:
    """A lever's engine-form schedule: `spec` (the base's, engine form: a constant is a one-point schedule at the
    start year; None: the default throughout) before `from_year`, `value` from it on."""
    new = Schedule.dated({from_year: value})
    spliced = new.over(Schedule(spec, default)) if spec is not None else None
    out = (spliced or new).to_spec()
    out.pop("reference", None)  # the base's source no longer describes the sampled future
    return out


def apply_inputs(base: Mapping[str, Any], values: Mapping[str, float], from_year: int) -> dict[str, Any]:
    """A copy of the engine-form config `base` with every input of `values` applied (see the module doc)."""
    config = copy.deepcopy(dict(base))
    for name, raw in values.items():
        value = applied_value(name, raw)
        if name in LEVERS:
            levers = config.setdefault("levers", {})
            levers[name] = lever_from(levers.get(name), LEVERS[name].default, value, from_year)
        elif name in UNCERTAINTIES:
            config.setdefault("uncertainties", {})[name] = value
        elif name in PARAMETERS:
            config.setdefault("parameters", {})[name] = value
        else:
            raise KeyError(f"unknown input {name!r}")
    return config
