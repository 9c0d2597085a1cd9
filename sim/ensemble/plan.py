"""What an ensemble runs: scenarios with their overrides applied (`Prepared`), and one `Run` per replicate.

Seeds: run r of a scenario gets ``SeedSequence(root).spawn(replicates)[r].generate_state(1)[0]`` (an int), so its
output does not depend on the engine, the worker count or the order runs finish in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..scenario import NAME_PATTERN, Overrides, Scenario, extended_file, load_scenario, validate_config
from .errors import EnsembleError


def derive_seeds(root: int, replicates: int) -> list[int]:
    """Integer seed of each replicate, from ``numpy.random.SeedSequence(root).spawn(replicates)``."""
    children = np.random.SeedSequence(int(root)).spawn(int(replicates))
    return [int(c.generate_state(1)[0]) for c in children]


def check_name(name: Any) -> str:
    """A scenario name names files in the results folder: it must be one plain path component (the schema's
    pattern), whatever the entry point, so no file can land outside the folder."""
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        raise EnsembleError(f"{name!r} is not a valid scenario name: use 1-64 letters, digits, '_', '-' or '.', "
                            "starting with a letter or digit (it names result files)")
    return name


@dataclass
class Prepared:
    """One scenario ready to run: its resolved config in engine form (overrides applied), the same with every
    default written out, hash, seeds, YAML text, and the scenario of the ensemble it extends (if any)."""

    name: str
    config: dict[str, Any]
    config_hash: str
    root: int
    replicates: int
    yaml_text: str
    source: str | None = None
    seeds: list[int] = field(default_factory=list)
    complete_config: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None

    def __post_init__(self) -> None:
        check_name(self.name)
        if not self.seeds:
            self.seeds = derive_seeds(self.root, self.replicates)
        if not self.complete_config:
            self.complete_config = validate_config(self.config).complete_config()

    @property
    def start_year(self) -> int:
        return int(self.config["time"]["start_year"])

    @property
    def end_year(self) -> int:
        return int(self.config["time"]["end_year"])


@dataclass(frozen=True)
class Run:
    """One task: a scenario's config and one replicate's seed."""

    scenario: str
    replicate: int
    seed: int
    config_hash: str
    config: dict[str, Any] = field(compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int]:
        return self.scenario, self.replicate

    def plan_entry(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "replicate": self.replicate, "seed": self.seed,
                "config_hash": self.config_hash}


def plan_runs(prepared: Sequence[Prepared]) -> list[Run]:
    """Every run in plan order: scenarios in the order given, replicates in order (names checked again: a
    `Prepared` is a plain dataclass that may have been changed since it was made)."""
    return [Run(check_name(p.name), r, seed, p.config_hash, p.config) for p in prepared
            for r, seed in enumerate(p.seeds)]


def prepare_scenario(scenario: Scenario | Mapping[str, Any], *, seeds: int | None = None,
                     households: int | None = None, end_year: int | None = None,
                     source: str | None = None) -> Prepared:
    """A scenario (a `Scenario` or a mapping, validated like a file) with overrides applied.

    Raises ScenarioError for an invalid mapping or an override out of range.
    """
    scenario = Overrides(seeds, households, end_year).apply(validate_config(scenario))
    return Prepared(name=scenario.name, config=scenario.model_dump(mode="python"),
                    config_hash=scenario.config_hash(), root=scenario.seeds.root,
                    replicates=scenario.seeds.replicates, yaml_text=scenario.to_yaml(), source=source,
                    complete_config=scenario.complete_config())


def prepare(paths: Sequence[str | Path], *, seeds: int | None = None, households: int | None = None,
            end_year: int | None = None) -> list[Prepared]:
    """Load and validate scenario files with overrides; raises ScenarioError or EnsembleError (repeated names).

    A scenario that `extends` another file of the list records that scenario's name as its `parent` (the plots
    compare it with its parent).
    """
    out = [prepare_scenario(load_scenario(p), seeds=seeds, households=households, end_year=end_year, source=str(p))
           for p in paths]
    check_unique_names(out)
    by_file = {_real(p): prep.name for p, prep in zip(paths, out)}
    for path, prep in zip(paths, out):
        parent = extended_file(path)
        prep.parent = by_file.get(_real(parent)) if parent is not None else None
    return out


def parents_missing(paths: Sequence[str | Path]) -> list[Path]:
    """The files the given scenario files extend that are not among them (each once, in order)."""
    given = {_real(p) for p in paths}
    out: list[Path] = []
    for path in paths:
        parent = extended_file(path)
        if parent is not None and _real(parent) not in given and _real(parent) not in {_real(p) for p in out}:
            out.append(parent)
    return out


def _real(path: str | Path) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(path)


def check_unique_names(prepared: Sequence[Prepared]) -> None:
    names = [p.name for p in prepared]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise EnsembleError(f"scenario names must be unique in one ensemble; repeated: {', '.join(repeated)}")
