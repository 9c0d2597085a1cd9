"""Field types shared by the scenario schema: years, counts, bounded numbers, names and text.

Numbers arrive from YAML files (Python ints and floats) and from Python code (also NumPy scalars): a NumPy scalar
is taken as the Python number it holds, a whole-valued float is accepted where a count or year is wanted (YAML
`1e5` is a float), and booleans are never numbers.
"""

from __future__ import annotations

import math
import numbers
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

YEAR_MIN, YEAR_MAX = 1990, 2200
"""Calendar years a scenario (and `run.py --end-year`) may name."""

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
"""A scenario name: it names result files, so it is one path component that cannot climb out of a folder."""


def plain_number(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds (other values unchanged)."""
    if isinstance(value, bool) or type(value) in (int, float):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def integral(value: Any) -> Any:
    """A whole-valued finite number as an int (other values unchanged, for the validator to report)."""
    value = plain_number(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


# The before-validators come last: they then wrap the whole constrained type (pydantic checks the constraints in
# one number schema, non-finite values first, so .nan is "not finite" rather than "out of range").
Year = Annotated[int, Strict(), Field(ge=YEAR_MIN, le=YEAR_MAX), BeforeValidator(integral)]
YearKey = Annotated[int, Strict(), Field(ge=YEAR_MIN, le=YEAR_MAX), BeforeValidator(plain_number)]
Text = Annotated[str, Strict()]
Name = Annotated[str, Strict(), Field(pattern=NAME_PATTERN)]


def count(low: int, high: int):
    """A whole number in [low, high]."""
    return Annotated[int, Strict(), Field(ge=low, le=high), BeforeValidator(integral)]


def number(low: float, high: float):
    """A finite number in [low, high]."""
    return Annotated[float, Strict(), Field(ge=low, le=high, allow_inf_nan=False), BeforeValidator(plain_number)]


class StrictModel(BaseModel):
    """Unknown keys are errors (reported with a did-you-mean)."""

    model_config = ConfigDict(extra="forbid")
