"""Scenario discovery: PRIM (the EMA Workbench's `ema_workbench.analysis.prim`) finds a box of the states of the
world - ranges of a few uncertainties - where a strategy fails a threshold.

PRIM peels the space of states towards the failures, giving a trajectory of boxes that trade coverage (the
share of all failures inside the box) against density (the share of the box's states that fail). The box
reported is the one with the highest coverage (then density) among those with density at least `density`
(default 0.8); if
no box is that dense, the densest, marked so. Each restricted dimension comes with its quasi-p value (Bryant and
Lempert 2010): a high one means the restriction is not significant.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BOX_COLUMNS = ["strategy", "criterion", "failures", "states", "box", "coverage", "density", "mass", "dense_enough",
               "input", "low", "high", "range_low", "range_high", "qp"]
TRAJECTORY_COLUMNS = ["strategy", "criterion", "box", "coverage", "density", "mass", "res_dim", "chosen"]


@dataclass
class Discovery:
    """One strategy x threshold: the chosen box (restricted inputs with their limits) and the trajectory."""

    failures: int
    states: int
    box: int | None = None
    coverage: float = float("nan")
    density: float = float("nan")
    mass: float = float("nan")
    dense_enough: bool = False
    limits: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["input", "low", "high", "qp"]))
    trajectory: pd.DataFrame = field(default_factory=pd.DataFrame)


def _prim_module():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ipyparallel not installed" on import
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


def discover(x: pd.DataFrame, failed: np.ndarray, density: float = 0.8, mass_min: float = 0.05) -> Discovery:
    """The PRIM box of the failing states `failed` (booleans) among the states `x` (one column per input)."""
    failed = np.asarray(failed, dtype=bool)
    result = Discovery(failures=int(failed.sum()), states=len(failed))
    if result.failures in (0, len(failed)):  # nothing to tell apart
        return result
    prim = _prim_module()
    x = x.reset_index(drop=True).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # for 0/1 outcomes the threshold both defines the cases of interest (y >= threshold) and is the density
        # the final box must reach or PRIM returns the whole space instead: a tiny one keeps the peeled
        # trajectory whatever its density, and the choice along it is ours
        finder = prim.Prim(x, failed, threshold=1e-9, peel_alpha=0.05, mass_min=mass_min)
        box = finder.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    dense = traj[traj["density"] >= density]
    if len(dense):  # the widest dense box; among equally wide ones, the densest
        chosen = int(dense.sort_values(["coverage", "density"], ascending=False, kind="stable").index[0])
    else:
        chosen = int(traj["density"].idxmax())
    stats, limits = box.inspect(chosen, style="data")[0]
    limits.columns = ["low", "high", "qp_low", "qp_high"]
    limits = limits.reset_index(names="input")
    limits["qp"] = limits[["qp_low", "qp_high"]].max(axis=1, skipna=True)
    result.box = chosen
    result.coverage, result.density, result.mass = (float(stats[k]) for k in ("coverage", "density", "mass"))
    result.dense_enough = bool(len(dense))
    result.limits = limits[["input", "low", "high", "qp"]].astype({"low": float, "high": float})
    result.trajectory = traj[["coverage", "density", "mass", "res_dim"]].assign(
        box=range(len(traj)), chosen=lambda t: t["box"] == chosen)
    return result


def box_rows(strategy: str, criterion: str, d: Discovery, ranges: dict[str, tuple[float, float]]) -> list[dict]:
    head = {"strategy": strategy, "criterion": criterion, "failures": d.failures, "states": d.states, "box": d.box,
            "coverage": d.coverage, "density": d.density, "mass": d.mass, "dense_enough": d.dense_enough}
    if d.box is None or d.limits.empty:
        return [{**head, "input": None, "low": np.nan, "high": np.nan, "range_low": np.nan, "range_high": np.nan,
                 "qp": np.nan}]
    return [{**head, "input": r.input, "low": r.low, "high": r.high, "range_low": ranges[r.input][0],
             "range_high": ranges[r.input][1], "qp": r.qp} for r in d.limits.itertuples()]


def trajectory_rows(strategy: str, criterion: str, d: Discovery) -> list[dict]:
    if d.trajectory.empty:
        return []
    return [{"strategy": strategy, "criterion": criterion, **row} for row in
            d.trajectory[["box", "coverage", "density", "mass", "res_dim", "chosen"]].to_dict("records")]
