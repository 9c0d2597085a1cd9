"""A value over calendar years: a constant or a dated schedule.

A schedule is ``{"values": {year: value}, "interpolation": "step" | "linear"}``. Step holds each value from its
year until the next date; linear interpolates between dates and holds the last value. Before the first date a
schedule holds the model default (the situation the schedule departs from).

`Schedule` is the one type for every operation on such values: evaluation (`at`, what the engine reads each
year), splicing a child scenario's schedule over its parent's (`over`, for `extends`) and cutting a schedule at
an earlier end year (`truncated`, for `--end-year`).
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

    @classmethod
    def dated(cls, points: Mapping[int, float], interpolation: str = "step", before: float = float("nan"),
              reference: str = "") -> "Schedule":
        """A dated schedule from its points."""
        return cls({"values": points, "interpolation": interpolation}, before, reference)

    # ------------------------------------------------------------------ reading
    @property
    def points(self) -> dict[int, float]:
        """The dated values, {year: value} in year order (empty for a constant)."""
        return {int(y): float(v) for y, v in zip(self.years, self.values)}

    def at(self, year: int) -> float:
        if self.years.size == 0 or year < self.years[0]:
            return self.before
        if self.interpolation == "linear":
            return float(np.interp(year, self.years, self.values))
        return float(self.values[np.searchsorted(self.years, year, side="right") - 1])

    def to_spec(self) -> float | dict[str, Any]:
        """The scenario-file form: a number for a constant, else ``{values, interpolation[, reference]}``."""
        if self.years.size == 0:
            return self.before
        spec: dict[str, Any] = {"values": self.points, "interpolation": self.interpolation}
        if self.reference:
            spec["reference"] = self.reference
        return spec

    # ------------------------------------------------------------------ operations
    def truncated(self, end_year: int) -> "Schedule | None":
        """The same values up to `end_year`, without dates after it; None if every date is later.

        Step schedules lose their later dates; a linear one gets its interpolated value at `end_year` as its last
        point; a schedule whose every date is later never takes effect up to `end_year` (the value before it
        holds), so there is nothing to keep.
        """
        points = self.points
        keep = {y: v for y, v in points.items() if y <= end_year}
        if len(keep) == len(points):
            return self
        if not keep:
            return None
        if self.interpolation == "linear" and end_year not in keep:
            keep[end_year] = self.at(end_year)
        return Schedule.dated(keep, self.interpolation, self.before, self.reference)

    def over(self, parent: "Schedule") -> "Schedule | None":
        """This dated schedule taking over from `parent` at its first date; the parent's values hold before it.

        Exact on whole years: when either schedule is linear, the result is linear, with a step of the parent
        written as a jump between adjacent years and the parent's value held up to the year before this
        schedule's first date. None when the parent has no date before that (this schedule simply replaces it).
        A constant parent is given as a one-point step schedule at the run's start year.
        """
        first = int(self.years[0])
        kept = {y: v for y, v in parent.points.items() if y < first}
        if not kept:
            return None
        if parent.interpolation == "step" and self.interpolation == "step":
            points, interpolation = {**kept, **self.points}, "step"
        else:
            points = _linear_points(kept, parent.interpolation)
            hold = first - 1
            if hold > max(points):
                points[hold] = parent.at(hold)
            points.update(_linear_points(self.points, self.interpolation))
            interpolation = "linear"
        if parent.reference and self.reference and parent.reference != self.reference:
            reference = f"until {first - 1}: {parent.reference} | from {first}: {self.reference}"
        elif parent.reference or self.reference:
            reference = self.reference or f"until {first - 1}: {parent.reference}"
        else:
            reference = ""
        return Schedule.dated(points, interpolation, parent.before, reference)


def _linear_points(points: dict[int, float], interpolation: str) -> dict[int, float]:
    """The same values on whole years, as a linear schedule (a step becomes a jump between adjacent years)."""
    if interpolation == "linear":
        return dict(points)
    out: dict[int, float] = {}
    years = sorted(points)
    for i, y in enumerate(years):
        out[y] = points[y]
        if i + 1 < len(years) and years[i + 1] - 1 > y and points[years[i + 1]] != points[y]:
            out[years[i + 1] - 1] = points[y]
    return out
