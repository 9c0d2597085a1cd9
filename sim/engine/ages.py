"""Ages: the 2013 age distribution the start draws from, and the shape of the mortality schedule."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent.parent / "data" / "population"


@lru_cache(maxsize=1)
def age_distribution_2013() -> np.ndarray:
    """Share of China's population at each single year of age 0..100 at the end of 2013 (built from the 2020
    census by `tools/build_ages.py`)."""
    table = pd.read_csv(DATA / "age_2013.csv")
    share = table["share"].to_numpy(float)
    return share / share.sum()


def mortality_shape(params, ages: np.ndarray) -> np.ndarray:
    """Death chance by age before scaling to the year's death rate: infant mortality at age 0, then
    Gompertz-Makeham c + a exp(b age)."""
    ages = np.asarray(ages)
    q = params["mortality_makeham"] + params["mortality_gompertz_level"] * np.exp(
        params["mortality_gompertz_slope"] * ages)
    return np.where(ages == 0, params["mortality_infant"], np.minimum(q, 1.0))
