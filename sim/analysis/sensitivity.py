"""Global sensitivity analysis: which inputs drive each outcome.

`SensitivitySpec` says what to vary (inputs and their registry ranges), the method (Morris elementary effects or
Sobol' indices, SALib), the outcomes and years, and the run settings. `points` turns its design into model
configs (the base scenario with the sampled inputs applied, `configs`), and `morris_table` / `sobol_table` compute
the indices from the runs' outcomes with SALib's analyzers, bootstrap intervals seeded from the analysis' seed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..inputs.registry import Param
from . import inputs as inputs_
from .configs import apply_inputs
from .design import Method, sample
from .outcomes import column
from .runner import Point
from .seeds import BOOTSTRAP, DESIGN, child_seed, model_seeds

MORRIS_COLUMNS = ["input", "kind", "group", "outcome", "year", "mu", "mu_star", "sigma", "mu_star_conf",
                  "mu_star_rank"]
SOBOL_COLUMNS = ["input", "kind", "group", "outcome", "year", "S1", "S1_conf", "ST", "ST_conf", "ST_rank"]


@dataclass(frozen=True)
class SensitivitySpec:
    inputs: tuple[Param, ...]
    method: Method
    metrics: tuple[str, ...]
    years: tuple[int, ...]
    base: dict[str, Any]  # engine-form config of the base scenario (households and end year applied)
    from_year: int
    seed: int
    replicates: int = 1

    @property
    def problem(self) -> dict:
        return inputs_.problem(self.inputs)

    @property
    def outcomes(self) -> list[tuple[str, int]]:
        return [(m, y) for y in self.years for m in self.metrics]

    @property
    def outcome_columns(self) -> list[str]:
        return [column(m, y) for m, y in self.outcomes]

    @property
    def model_seeds(self) -> list[int]:
        return model_seeds(self.seed, self.replicates)

    def design(self) -> np.ndarray:
        return sample(self.method, self.problem, child_seed(self.seed, DESIGN))

    def settings(self) -> dict[str, Any]:
        """What the manifest records (and --resume rebuilds the spec from)."""
        return {"method": self.method.as_dict(), "inputs": inputs_.describe(self.inputs, self.from_year),
                "outcomes": list(self.metrics), "years": list(self.years), "from_year": self.from_year,
                "households": self.base["world"]["households"], "start_year": self.base["time"]["start_year"],
                "end_year": self.base["time"]["end_year"],
                "seeds": {"root": self.seed, "replicates": self.replicates, "model_seeds": self.model_seeds,
                          "design": child_seed(self.seed, DESIGN), "bootstrap": child_seed(self.seed, BOOTSTRAP)},
                "points": self.method.points(len(self.inputs)),
                "runs": {"planned": self.method.points(len(self.inputs)) * self.replicates}}


def points(spec: SensitivitySpec, x: np.ndarray) -> list[Point]:
    names = [p.name for p in spec.inputs]
    width = max(5, len(str(len(x) - 1)))
    out = []
    for i, row in enumerate(x):
        values = {n: float(v) for n, v in zip(names, row)}
        out.append(Point(f"s{i:0{width}d}", {"sample": i}, values, apply_inputs(spec.base, values, spec.from_year)))
    return out


def _ranked(df: pd.DataFrame, by: str, rank: str) -> pd.DataFrame:
    df[rank] = df.groupby(["outcome", "year"])[by].rank(ascending=False, method="min").astype("Int64")
    return df


def morris_table(spec: SensitivitySpec, x: np.ndarray, y: pd.DataFrame) -> pd.DataFrame:
    """mu, mu*, sigma and the bootstrap interval of mu* per input x outcome x year (SALib `morris.analyze`).

    `y`: one row per design point (plan order), one column per `metric@year`, replicate means."""
    from SALib.analyze import morris

    rows = []
    for metric, year in spec.outcomes:
        values = y[column(metric, year)].to_numpy(dtype=float)
        if not np.isfinite(values).all():
            res = {k: [math.nan] * len(spec.inputs) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # sigma of a constant outcome
                res = morris.analyze(spec.problem, x, values, num_resamples=spec.method.resamples,
                                     conf_level=spec.method.conf_level, num_levels=spec.method.levels,
                                     seed=child_seed(spec.seed, BOOTSTRAP))
        for i, p in enumerate(spec.inputs):
            rows.append({"input": p.name, "kind": inputs_.kind_of(p), "group": p.group, "outcome": metric,
                         "year": year, "mu": float(res["mu"][i]), "mu_star": float(res["mu_star"][i]),
                         "sigma": float(res["sigma"][i]), "mu_star_conf": float(res["mu_star_conf"][i])})
    return _ranked(pd.DataFrame(rows, columns=MORRIS_COLUMNS[:-1]), "mu_star", "mu_star_rank")


def sobol_table(spec: SensitivitySpec, y: pd.DataFrame) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol' indices with bootstrap intervals (SALib `sobol.analyze`)."""
    from SALib.analyze import sobol

    rows = []
    for metric, year in spec.outcomes:
        values = y[column(metric, year)].to_numpy(dtype=float)
        if not np.isfinite(values).all() or np.ptp(values) == 0:
            res = {k: [math.nan] * len(spec.inputs) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = sobol.analyze(spec.problem, values, calc_second_order=False,
                                    num_resamples=spec.method.resamples, conf_level=spec.method.conf_level,
                                    seed=child_seed(spec.seed, BOOTSTRAP))
        for i, p in enumerate(spec.inputs):
            rows.append({"input": p.name, "kind": inputs_.kind_of(p), "group": p.group, "outcome": metric,
                         "year": year, "S1": float(res["S1"][i]), "S1_conf": float(res["S1_conf"][i]),
                         "ST": float(res["ST"][i]), "ST_conf": float(res["ST_conf"][i])})
    return _ranked(pd.DataFrame(rows, columns=SOBOL_COLUMNS[:-1]), "ST", "ST_rank")


def strongest(table: pd.DataFrame, metrics: Sequence[str], k: int, year: int | None = None) -> list[str]:
    """The `k` inputs with the largest mu* relative to the strongest input of the same outcome and year, taking
    each input's best over `metrics` (and years, unless `year` is given): the screening's shortlist."""
    sub = table[table["outcome"].isin(list(metrics))]
    if year is not None:
        sub = sub[sub["year"] == year]
    top = sub.groupby(["outcome", "year"])["mu_star"].transform("max")
    score = (sub["mu_star"] / top.where(top > 0)).groupby(sub["input"]).max()
    return list(score.sort_values(ascending=False, kind="stable").index[:k])
