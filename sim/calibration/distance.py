"""The distance between simulated and observed points: the weighted root mean square of errors measured in
tolerances.

    d = sqrt( sum_i w_i ((sim_i - obs_i) / tol_i)^2 / sum_i w_i )

`tol_i` is the point's tolerance (the error the issues accept for that series: +-1 pp of urbanization, +-3 % of
migrant workers, ...), so series in yuan, millions and percent count alike, and d = 1 means "on average at the
edge of the tolerances". `w_i` is the series weight of the target spec times 0.5 (`--unverified-weight`) for an
unverified point. A missing or non-finite simulated value gives an infinite distance (the particle is rejected).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd


class StandardizedDistance:
    """d(simulated, observed) over the fitted points (a table from `targets.fit_points`)."""

    def __init__(self, points: pd.DataFrame):
        self.ids = list(points["id"])
        self.tolerance = points["tolerance"].to_numpy(float)
        self.weight = points["weight"].to_numpy(float)
        self.total = float(self.weight.sum())

    def observed(self, points: pd.DataFrame) -> dict[str, float]:
        return dict(zip(points["id"], points["value"].astype(float)))

    def errors(self, simulated: Mapping[str, float], observed: Mapping[str, float]) -> np.ndarray:
        """(sim - obs) / tolerance of each point, in the order of the points."""
        sim = np.array([simulated.get(k, math.nan) for k in self.ids], float)
        obs = np.array([observed[k] for k in self.ids], float)
        return (sim - obs) / self.tolerance

    def __call__(self, simulated: Mapping[str, float], observed: Mapping[str, float]) -> float:
        z = self.errors(simulated, observed)
        if not np.all(np.isfinite(z)):
            return math.inf
        return float(math.sqrt(np.dot(self.weight, z * z) / self.total))
