"""Which model parameters the calibration estimates, and their priors: a list kept as data
(`sim/data/calibration/parameters.csv`: name, low, high, transform[, note]).

Each prior is uniform on [low, high] in its sampling space: the parameter itself (`linear`) or its base-10
logarithm (`log`, for a positive parameter whose plausible values span orders of magnitude). Bounds must lie in the
parameter's registry range (`sim.inputs.parameters.PARAMETERS`), so every draw is a valid scenario value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from .csv_rows import number, read_rows, shown
from .errors import InputFileError
from .targets import CALIBRATION_DIR

PARAMETERS_FILE = CALIBRATION_DIR / "parameters.csv"
TRANSFORMS = ("linear", "log")


@dataclass(frozen=True)
class Prior:
    """A uniform prior of one model parameter, in its sampling space."""

    name: str
    low: float  # model units
    high: float
    transform: str = "linear"

    @property
    def bounds(self) -> tuple[float, float]:
        """The interval of the sampling space."""
        return (self.to_space(self.low), self.to_space(self.high))

    def to_space(self, value: float) -> float:
        return math.log10(value) if self.transform == "log" else float(value)

    def to_model(self, x: float) -> float:
        """A sampling-space value as the model's value, clipped into [low, high] (rounding at the bounds)."""
        value = 10.0 ** x if self.transform == "log" else float(x)
        return min(max(value, self.low), self.high)


def read_priors(path: Path | str = PARAMETERS_FILE) -> tuple[Prior, ...]:
    """The calibrated parameters of the list at `path`, checked against the registry; InputFileError
    (``file:LINE: message``) for an unknown, duplicated, integer or numerical parameter, or bounds outside its
    range."""
    from ..inputs.parameters import PARAMETERS

    where = shown(path)
    out: dict[str, Prior] = {}
    for line, row in read_rows(path, ("name", "low", "high", "transform"), ("note",)):
        at = f"{where}:{line}"
        name = row["name"]
        param = PARAMETERS.get(name)
        if param is None:
            raise InputFileError([f"{at}: unknown parameter {name!r} (not in sim/inputs/parameters.py)"])
        if param.integer or param.role == "numerical":
            raise InputFileError([f"{at}: {name} is {'a count' if param.integer else 'a numerical setting'}: "
                                  "not estimable"])
        if name in out:
            raise InputFileError([f"{at}: {name} is listed twice"])
        low, high = number(row["low"], "low", at), number(row["high"], "high", at)
        if not low < high:
            raise InputFileError([f"{at}: low {low:g} must be below high {high:g}"])
        if low < param.low or high > param.high:
            raise InputFileError([f"{at}: prior [{low:g}, {high:g}] leaves the range of {name}, "
                                  f"[{param.low:g}, {param.high:g}] {param.unit}"])
        if row["transform"] not in TRANSFORMS:
            raise InputFileError([f"{at}: transform: expected linear or log, got {row['transform']!r}"])
        if row["transform"] == "log" and low <= 0:
            raise InputFileError([f"{at}: transform log needs low above 0, got {low:g}"])
        out[name] = Prior(name, low, high, row["transform"])
    if not out:
        raise InputFileError([f"{where}:2: no parameters"])
    return tuple(out.values())


def pyabc_prior(priors: tuple[Prior, ...]):
    """The joint prior as a `pyabc.Distribution` over the sampling space."""
    import pyabc

    return pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.bounds[0], p.bounds[1] - p.bounds[0])
                                 for p in priors})


def to_model(priors: tuple[Prior, ...], theta) -> dict[str, float]:
    """Sampling-space values (a mapping by name) as model parameter values."""
    return {p.name: p.to_model(float(theta[p.name])) for p in priors}
