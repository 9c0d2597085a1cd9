"""Robustness: every strategy evaluated over the same sampled states of the world, and how well each holds up.

A state is a Latin hypercube row over the uncertainties (each a constant over the whole run, `configs`), plus, with
``parameters="posterior"``, one draw of the calibration's posterior of the model parameters. Every strategy runs in
every state with the same model seeds (common random numbers). From the outcomes (replicate means):

- regret of a strategy in a state: how far its outcome falls short of the best strategy's in that state, for
  outcomes with a direction (`thresholds.goals`); summarized over states;
- satisficing: the share of states where a strategy meets each threshold (and all of them);
- scenario discovery (`prim`): the states where a strategy fails a threshold.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..inputs.registry import PARAMETERS, Param
from . import inputs as inputs_
from .configs import apply_inputs
from .design import latin_hypercube
from .errors import AnalysisError
from .outcomes import column
from .runner import Point
from .seeds import POSTERIOR, STATES, child_seed, model_seeds
from .thresholds import Threshold

POSTERIOR_MODULE = "sim.calibration.posterior"
MIN_STATES = 10
OUTCOME_COLUMNS = ["strategy", "outcome", "year", "mean", "p10", "median", "p90"]
REGRET_COLUMNS = ["strategy", "outcome", "year", "goal", "mean", "median", "p90", "max", "best_share"]
SATISFICING_COLUMNS = ["strategy", "criterion", "met_share", "met", "states"]


@dataclass(frozen=True)
class RobustnessSpec:
    strategies: Mapping[str, dict[str, Any]]  # name -> engine-form config (households and end year applied)
    uncertainties: tuple[Param, ...]
    states: int
    parameters: str  # "default" (each strategy's own) or "posterior" (a calibration draw per state)
    metrics: tuple[str, ...]
    years: tuple[int, ...]
    thresholds: tuple[Threshold, ...]
    goals: Mapping[str, str]
    seed: int
    replicates: int = 1
    prim_density: float = 0.8

    @property
    def outcomes(self) -> list[tuple[str, int]]:
        out = [(m, y) for y in self.years for m in self.metrics]
        return out + [(t.metric, t.year) for t in self.thresholds if (t.metric, t.year) not in out]

    @property
    def outcome_columns(self) -> list[str]:
        return [column(m, y) for m, y in self.outcomes]

    @property
    def model_seeds(self) -> list[int]:
        return model_seeds(self.seed, self.replicates)

    def settings(self) -> dict[str, Any]:
        return {"states": self.states, "parameters": self.parameters,
                "uncertainties": inputs_.describe(self.uncertainties, 0),
                "outcomes": list(self.metrics), "years": list(self.years),
                "satisfice": [str(t) for t in self.thresholds], "goals": dict(self.goals),
                "prim_density": self.prim_density, "strategy_names": list(self.strategies),
                "seeds": {"root": self.seed, "replicates": self.replicates, "model_seeds": self.model_seeds,
                          "states": child_seed(self.seed, STATES), "posterior": child_seed(self.seed, POSTERIOR)},
                "runs": {"planned": len(self.strategies) * self.states * self.replicates}}


def check_states(n: int) -> int:
    if n < MIN_STATES:
        raise AnalysisError(f"--states: at least {MIN_STATES} states of the world are needed (scenario discovery "
                            f"peels boxes of 5 % of them), got {n}")
    return n


def posterior_draw():
    """`sim.calibration.posterior.draw(n, seed) -> DataFrame`, or AnalysisError when it is not in this checkout."""
    try:
        module = importlib.import_module(POSTERIOR_MODULE)
    except ModuleNotFoundError:
        raise AnalysisError(f"--parameters posterior needs {POSTERIOR_MODULE} (the calibration's shipped posterior), "
                            "which is not in this checkout; use --parameters default") from None
    draw = getattr(module, "draw", None)
    if not callable(draw):
        raise AnalysisError(f"--parameters posterior: {POSTERIOR_MODULE} has no function draw(n, seed)")

    def checked(n: int, seed: int) -> pd.DataFrame:
        try:
            return draw(n, seed)
        except LookupError as exc:
            raise AnalysisError(f"--parameters posterior: {exc}; use --parameters default") from None

    return checked


def states_table(spec: RobustnessSpec) -> pd.DataFrame:
    """The states of the world: one row per state, a column per uncertainty (and per drawn parameter)."""
    problem = inputs_.problem(spec.uncertainties)
    lhs = latin_hypercube(problem, spec.states, child_seed(spec.seed, STATES))
    states = pd.DataFrame(lhs, columns=problem["names"])
    if spec.parameters == "posterior":
        draws = pd.DataFrame(posterior_draw()(spec.states, child_seed(spec.seed, POSTERIOR))).reset_index(drop=True)
        unknown = [c for c in draws.columns if c not in PARAMETERS or PARAMETERS[c].role == "numerical"]
        if unknown or len(draws) != spec.states:
            raise AnalysisError(f"--parameters posterior: draw({spec.states}, seed) returned {len(draws)} rows "
                                f"and columns that are not model parameters: {unknown}")
        states = pd.concat([states, draws.astype(float)], axis=1)
    states.index.name = "state"
    return states


def points(spec: RobustnessSpec, states: pd.DataFrame) -> list[Point]:
    width = max(5, len(str(len(states) - 1)))
    out = []
    for name, config in spec.strategies.items():
        for i, row in enumerate(states.to_dict("records")):
            values = {k: float(v) for k, v in row.items()}
            out.append(Point(f"{name}.{i:0{width}d}", {"strategy": name, "state": i}, values,
                             apply_inputs(config, values, int(config["time"]["start_year"]))))
    return out


def by_state(samples: pd.DataFrame, col: str) -> pd.DataFrame:
    """Replicate means of one outcome column: index state, one column per strategy (in plan order)."""
    order = list(dict.fromkeys(samples["strategy"]))
    return samples.groupby(["state", "strategy"], sort=True)[col].mean().unstack("strategy")[order]


def outcome_table(spec: RobustnessSpec, samples: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for metric, year in spec.outcomes:
        wide = by_state(samples, column(metric, year))
        for strategy in wide.columns:
            v = wide[strategy]
            rows.append({"strategy": strategy, "outcome": metric, "year": year, "mean": v.mean(),
                         "p10": v.quantile(0.1), "median": v.median(), "p90": v.quantile(0.9)})
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def regret(wide: pd.DataFrame, goal: str) -> pd.DataFrame:
    """Per state and strategy: distance to the best strategy in that state (0 for the best)."""
    if goal == "max":
        return wide.rsub(wide.max(axis=1), axis=0)
    return wide.sub(wide.min(axis=1), axis=0)


def regret_table(spec: RobustnessSpec, samples: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for metric, year in spec.outcomes:
        goal = spec.goals.get(metric)
        if goal is None:
            continue
        r = regret(by_state(samples, column(metric, year)), goal)
        for strategy in r.columns:
            v = r[strategy]
            rows.append({"strategy": strategy, "outcome": metric, "year": year, "goal": goal, "mean": v.mean(),
                         "median": v.median(), "p90": v.quantile(0.9), "max": v.max(),
                         "best_share": float((v == 0).mean())})
    return pd.DataFrame(rows, columns=REGRET_COLUMNS)


def met(spec: RobustnessSpec, samples: pd.DataFrame, threshold: Threshold) -> pd.DataFrame:
    """Per state and strategy: does the strategy meet the threshold (booleans)."""
    wide = by_state(samples, threshold.column)
    return pd.DataFrame(threshold.met(wide.to_numpy()), index=wide.index, columns=wide.columns)


def satisficing_table(spec: RobustnessSpec, samples: pd.DataFrame) -> pd.DataFrame:
    rows = []
    every = None
    for t in spec.thresholds:
        ok = met(spec, samples, t)
        every = ok if every is None else every & ok
        rows += _shares(ok, str(t))
    if len(spec.thresholds) > 1:
        rows += _shares(every, "all")
    return pd.DataFrame(rows, columns=SATISFICING_COLUMNS)


def _shares(ok: pd.DataFrame, criterion: str) -> list[dict[str, Any]]:
    return [{"strategy": s, "criterion": criterion, "met_share": float(ok[s].mean()), "met": int(ok[s].sum()),
             "states": int(len(ok))} for s in ok.columns]


def failures(spec: RobustnessSpec, samples: pd.DataFrame, states: pd.DataFrame
             ) -> list[tuple[str, str, pd.DataFrame, np.ndarray]]:
    """(strategy, criterion, the states, failed?) for each strategy and threshold: what PRIM explains."""
    out = []
    for t in spec.thresholds:
        ok = met(spec, samples, t)
        for strategy in ok.columns:
            out.append((strategy, str(t), states.loc[ok.index], ~ok[strategy].to_numpy()))
    return out
