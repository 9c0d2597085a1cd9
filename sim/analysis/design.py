"""The sampled input values (SALib's samplers): Morris trajectories, Sobol' (Saltelli) samples and Latin hypercubes.

Every design is a pure function of (inputs, settings, seed): resuming regenerates it and checks it against the
rows already run.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np

from .errors import AnalysisError

MORRIS_MIN_TRAJECTORIES = 2
SOBOL_MIN_SAMPLES = 16


@dataclass(frozen=True)
class Method:
    """A sensitivity method and its settings, as recorded in the manifest."""

    name: str  # "morris" | "sobol"
    trajectories: int | None = None  # Morris: r trajectories of (inputs + 1) points
    levels: int | None = None  # Morris: grid levels p
    samples: int | None = None  # Sobol: base sample N (a power of two); N * (inputs + 2) points
    conf_level: float = 0.95
    resamples: int = 1000  # bootstrap resamples of the confidence intervals

    def points(self, ninputs: int) -> int:
        if self.name == "morris":
            return self.trajectories * (ninputs + 1)
        return self.samples * (ninputs + 2)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def morris(trajectories: int, levels: int = 4) -> Method:
    if trajectories < MORRIS_MIN_TRAJECTORIES:
        raise AnalysisError(f"--trajectories: Morris needs at least {MORRIS_MIN_TRAJECTORIES} trajectories "
                            f"(elementary effects need a spread to estimate sigma), got {trajectories}")
    if levels < 2 or levels % 2:
        raise AnalysisError(f"--levels: Morris needs an even number of grid levels >= 2, got {levels}")
    return Method("morris", trajectories=trajectories, levels=levels)


def sobol(samples: int) -> Method:
    if samples < SOBOL_MIN_SAMPLES or samples & (samples - 1):
        raise AnalysisError(f"--samples: Sobol' needs a power of two >= {SOBOL_MIN_SAMPLES} (the Sobol' sequence "
                            f"is balanced only at powers of two), got {samples}")
    return Method("sobol", samples=samples)


def sample(method: Method, problem: dict, seed: int) -> np.ndarray:
    """The design matrix: one row per point, one column per input (SALib's order)."""
    if method.name == "morris":
        from SALib.sample import morris as morris_sampler

        return morris_sampler.sample(problem, method.trajectories, num_levels=method.levels, seed=seed)
    from SALib.sample import sobol as sobol_sampler

    return sobol_sampler.sample(problem, method.samples, calc_second_order=False, scramble=True, seed=seed)


def latin_hypercube(problem: dict, n: int, seed: int) -> np.ndarray:
    """`n` states of the world, a Latin hypercube over the problem's bounds (SALib's latin sampler)."""
    from SALib.sample import latin

    return latin.sample(problem, int(n), seed=seed)


def design_hash(x: np.ndarray) -> str:
    """Fingerprint of a design matrix (recorded in the manifest, checked on resume)."""
    return hashlib.sha256(np.ascontiguousarray(x, dtype=np.float64).tobytes()).hexdigest()[:16]
