"""Lever and uncertainty values in force in a given year, read through one interface keyed by name and year.

A value is a constant or a dated schedule ``{"values": {year: value}, "interpolation": "step" | "linear"}``.
Step holds each value from its year until the next date; linear interpolates between dates and holds the last
value. Before the first date a schedule holds the model default (the situation the schedule departs from).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .parameters import LEVERS, UNCERTAINTIES, Param


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


class PolicyTable:
    """All levers and uncertainties of a run: ``table.value("services_by_residence", 2020)``."""

    def __init__(self, levers: Mapping[str, Any] | None = None, uncertainties: Mapping[str, Any] | None = None):
        self._schedules: dict[str, Schedule] = {}
        for registry, given in ((LEVERS, levers or {}), (UNCERTAINTIES, uncertainties or {})):
            unknown = set(given) - set(registry)
            if unknown:
                raise KeyError(f"unknown names: {sorted(unknown)}")
            for name, param in registry.items():
                spec = given.get(name)
                self._schedules[name] = Schedule(param.default if spec is None else spec, param.default, param.reference)

    def value(self, name: str, year: int) -> float:
        return self._schedules[name].at(year)

    def values(self, year: int) -> dict[str, float]:
        """Every lever and uncertainty in force in `year`."""
        return {name: s.at(year) for name, s in self._schedules.items()}

    def schedule(self, name: str) -> Schedule:
        return self._schedules[name]

    def set_constant(self, name: str, value: float) -> None:
        """Replace a value from now on (used by the dashboard's sliders)."""
        param: Param = LEVERS.get(name) or UNCERTAINTIES[name]
        self._schedules[name] = Schedule(float(value), param.default, param.reference)

    def reform_years(self) -> dict[str, int]:
        """Lever name -> first year its value departs from the model default."""
        out = {}
        for name in LEVERS:
            y = self._schedules[name].first_change_year()
            if y is not None:
                out[name] = y
        return out
