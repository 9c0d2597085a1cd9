"""A value over calendar years: a constant or a dated schedule.

A schedule is ``{"values": {year: value}, "interpolation": "step" | "linear"}``. Step holds each value from its
year until the next date; linear interpolates between dates and holds the last value. Before the first date a
schedule holds the model default (the situation the schedule departs from).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


class Schedule:
    """A value over calendar years."""

    __slots__ = ("years", "values", "interpolation", "before", "reference")

    def __init__(self, spec: Any, before: float, reference: str = ""):
        self.before = float(before)
        self.reference = reference
        if isinstance(spec, Mapping):
            points = {int(y): float(v) for y, v in dict(spec["values"]).items()}
            self.interpolation = spec.get("interpolation", "step") or "step"
            self.reference = spec.get("reference", reference) or reference
        else:
            points = {}
            self.interpolation = "step"
            self.before = float(spec)
        self.years = np.array(sorted(points), dtype=np.int64)
        self.values = np.array([points[y] for y in self.years], dtype=float)
        if self.interpolation not in ("step", "linear"):
            raise ValueError(f"interpolation must be 'step' or 'linear', not {self.interpolation!r}")

    def at(self, year: int) -> float:
        if self.years.size == 0 or year < self.years[0]:
            return self.before
        if self.interpolation == "linear":
            return float(np.interp(year, self.years, self.values))
        return float(self.values[np.searchsorted(self.years, year, side="right") - 1])

    def first_change_year(self) -> int | None:
        """First year whose value differs from the value before the schedule starts (None if never)."""
        for y, v in zip(self.years, self.values):
            if v != self.before:
                return int(y)
        return None
