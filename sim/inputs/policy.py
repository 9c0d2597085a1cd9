"""Lever and uncertainty values in force in a given year, read through one interface keyed by name and year."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .registry import LEVERS, UNCERTAINTIES, Param
from .schedule import Schedule


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
