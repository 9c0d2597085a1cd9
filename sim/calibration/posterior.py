"""The posterior sample: a weighted sample of the calibrated parameters (`posterior.parquet`: one column per
parameter in model units, `weight`) with its provenance (`posterior.json`).

The shipped one lives in `sim/data/calibration/` (copied there by ``run.py calibrate --ship DIR``). When it exists,
the model's defaults of the calibrated parameters are its medians (`shipped_median`, read by
`sim.inputs.parameters.parameter_values`), and ensembles draw each replicate's parameters from it
(`sim.calibration.draws`). Without one, the registry defaults hold.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "data" / "calibration"
SAMPLE_FILE = "posterior.parquet"
PROVENANCE_FILE = "posterior.json"
_DRAW_STREAM = 0x5E5D  # separates posterior draws from every other use of a run's seed
_NON_PARAMETER = ("weight", "distance", "generation")


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative weight reaches q (the weighted median for q = 0.5)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    k = int(np.searchsorted(cum, q * cum[-1] - 1e-12 * cum[-1]))
    return float(values[order][min(k, len(values) - 1)])


@dataclass(frozen=True)
class Posterior:
    """A weighted posterior sample and its provenance."""

    sample: pd.DataFrame
    provenance: dict[str, Any]
    source: str = ""
    sha256: str = ""

    @property
    def names(self) -> list[str]:
        return [c for c in self.sample.columns if c not in _NON_PARAMETER]

    @property
    def weights(self) -> np.ndarray:
        w = self.sample["weight"].to_numpy(float) if "weight" in self.sample else np.ones(len(self.sample))
        return w / w.sum()

    @property
    def effective_size(self) -> float:
        """Kish's effective sample size of the weights (the particles' worth of independent draws)."""
        return float(1.0 / np.sum(self.weights ** 2))

    def quantile(self, q: float) -> dict[str, float]:
        return {n: weighted_quantile(self.sample[n].to_numpy(float), self.weights, q) for n in self.names}

    def median(self) -> dict[str, float]:
        """Marginal weighted median of each calibrated parameter (the point estimate)."""
        return self.quantile(0.5)

    def draw(self, n: int, seed: int) -> pd.DataFrame:
        """`n` parameter sets drawn with replacement by weight, the same for the same seed."""
        rng = np.random.default_rng([int(seed), _DRAW_STREAM])
        idx = rng.choice(len(self.sample), size=int(n), p=self.weights)
        return self.sample.iloc[idx][self.names].reset_index(drop=True)

    def draw_for_seed(self, seed: int) -> dict[str, float]:
        """The parameter set of the replicate run with model seed `seed`."""
        return {k: float(v) for k, v in self.draw(1, seed).iloc[0].items()}


def load(folder: Path | str) -> Posterior:
    """The posterior of a folder (a calibration output folder or `sim/data/calibration`), checked against the
    parameter registry; ValueError (``file: message``) if it is malformed."""
    from ..inputs.parameters import PARAMETERS
    from .provenance import sha256_file

    folder = Path(folder)
    path = folder / SAMPLE_FILE
    sample = pd.read_parquet(path)
    prov_path = folder / PROVENANCE_FILE
    if not prov_path.is_file():
        prov_path = folder / "provenance.json"
    provenance = json.loads(prov_path.read_text(encoding="utf-8")) if prov_path.is_file() else {}
    post = Posterior(sample, provenance, str(path), sha256_file(path))
    if not len(sample) or not post.names:
        raise ValueError(f"{path}: empty posterior sample")
    if "weight" in sample and (not np.all(np.isfinite(sample["weight"])) or (sample["weight"] < 0).any()
                               or sample["weight"].sum() <= 0):
        raise ValueError(f"{path}: weights must be finite, non-negative and not all 0")
    for name in post.names:
        param = PARAMETERS.get(name)
        if param is None:
            raise ValueError(f"{path}: {name!r} is not a model parameter (renamed? calibrate again and ship)")
        values = sample[name].to_numpy(float)
        if not np.all(np.isfinite(values)) or values.min() < param.low or values.max() > param.high:
            raise ValueError(f"{path}: {name} has values outside its range [{param.low:g}, {param.high:g}]")
    return post


_cache: dict[str, Any] = {"key": None, "posterior": None}


def shipped() -> Posterior | None:
    """The shipped posterior (None if none is shipped); re-read only when the file changes."""
    path = SHIPPED_DIR / SAMPLE_FILE
    try:
        st = os.stat(path)
    except FileNotFoundError:
        _cache.update(key=None, posterior=None)
        return None
    key = (str(path), st.st_mtime_ns, st.st_size)
    if _cache["key"] != key:
        _cache.update(key=key, posterior=load(SHIPPED_DIR))
    return _cache["posterior"]


def shipped_median() -> dict[str, float]:
    """Posterior medians of the calibrated parameters of the shipped posterior ({} if none is shipped)."""
    post = shipped()
    return post.median() if post is not None else {}


def draw(n: int, seed: int) -> pd.DataFrame:
    """`n` parameter sets from the shipped posterior (the states of `run.py robustness --parameters posterior`);
    LookupError when no posterior is shipped."""
    posterior = shipped()
    if posterior is None:
        raise LookupError(f"no posterior is shipped ({SHIPPED_DIR / SAMPLE_FILE}; docs/calibration.md)")
    return posterior.draw(n, seed)
