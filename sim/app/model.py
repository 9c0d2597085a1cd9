"""The model the dashboard steps: a scenario with live lever overrides, and the baseline run stepped alongside."""

from __future__ import annotations

import copy
import functools
import html
from pathlib import Path

import pandas as pd

from ..engine.model import ChengxiangModel
from ..inputs.policy import PolicyTable
from ..inputs.registry import LEVERS
from ..scenario import SCENARIO_DIR, Overrides, load_scenario

BASELINE = "baseline"
STRATEGY_ORDER = ("baseline", "new_urbanization", "rural_revitalization", "integrated")

DEFAULTS = {"start_from": BASELINE, "households": 5000, "seed": 0, "end_year": 2035, "show_baseline": True}


def scenario_names(folder: Path | str = SCENARIO_DIR) -> list[str]:
    """Scenario files the dashboard can start from, as paths relative to `scenarios/` without `.yaml`."""
    folder = Path(folder)
    names = sorted(p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*.yaml"))
    first = [n for n in STRATEGY_ORDER if n in names]
    return first + [n for n in names if n not in first]


def reference_of(start_from: str) -> str:
    """The baseline drawn beside a scenario: `baseline` in the same folder (province/x -> province/baseline)."""
    folder = start_from.rpartition("/")[0]
    return f"{folder}/{BASELINE}" if folder else BASELINE


@functools.lru_cache(maxsize=64)
def _scenario_config(name: str, households: int, end_year: int) -> dict:
    scenario = Overrides(households=households, end_year=end_year).apply(load_scenario(SCENARIO_DIR / f"{name}.yaml"))
    return scenario.model_dump(mode="python")


def scenario_config(name: str, households: int, end_year: int) -> dict:
    """The resolved config of `scenarios/<name>.yaml` with the household count and last year overridden (the same
    overrides as `run.py --households --end-year`)."""
    return copy.deepcopy(_scenario_config(str(name), int(households), int(end_year)))


class DashboardModel(ChengxiangModel):
    """The model the dashboard steps: a scenario, live lever overrides, and the baseline run stepped alongside.

    `set_lever(name, value)` holds a lever at a constant from the next simulated year on (the value in force this
    year, `self.in_force`, shows it at once); `clear_overrides()` returns every lever to the scenario's schedule.
    `self.baseline` is the reference scenario (`reference_of(start_from)`) with the same seed, households and
    years, or None when `show_baseline` is False.
    """

    def __init__(self, start_from: str = DEFAULTS["start_from"], households: int = DEFAULTS["households"],
                 seed: int = DEFAULTS["seed"], end_year: int = DEFAULTS["end_year"],
                 show_baseline: bool = DEFAULTS["show_baseline"]):
        households, end_year, seed = int(households), int(end_year), int(seed)
        super().__init__(scenario_config(start_from, households, end_year), seed=seed)
        self.start_from = str(start_from)
        self.households_requested = households
        self.overrides: dict[str, float] = {}
        self.lever_log: list[tuple[int, str, float]] = []  # (year moved, lever, value)
        self.baseline: ChengxiangModel | None = None
        if show_baseline:
            self.baseline = ChengxiangModel(scenario_config(reference_of(start_from), households, end_year), seed=seed)

    def step(self) -> None:
        if not self.running:
            return
        super().step()
        base = self.baseline
        while base is not None and base.running and base.year < self.year:
            base.step()

    def set_lever(self, name: str, value: float) -> float:
        """Hold `name` at `value` (clipped to its range) from the next simulated year on; returns the value."""
        param = LEVERS[name]
        value = min(max(float(value), param.low), param.high)
        self.policy.set_constant(name, value)
        self.overrides[name] = value
        self.lever_log.append((self.year, name, value))
        self.read_policy()
        return value

    def clear_overrides(self) -> None:
        """Every lever follows the scenario's schedule again (from the next simulated year on)."""
        if not self.overrides:
            return
        self.policy = PolicyTable(self.config["levers"], self.config["uncertainties"])
        self.overrides = {}
        self.lever_log.append((self.year, "(all levers back to the scenario)", float("nan")))
        self.read_policy()

    def baseline_results(self) -> pd.DataFrame | None:
        return None if self.baseline is None else self.baseline.results()

    def describe(self) -> str:
        moved = len(self.overrides)
        base = (f"beside it: {html.escape(reference_of(self.start_from))}" if self.baseline is not None
                else "no baseline run")
        return (f"<b>Year {self.year}</b> · start: {html.escape(self.start_from)} · {moved} lever"
                f"{'s' if moved != 1 else ''} moved · {self.households.n:,} households · seed {self.seed} · {base}")


