"""Command-line style overrides of a scenario (replicates, households, last year), applied in one place for the
runner, `run.py` and the dashboard: the result is validated like a file, so an override out of range is a
`ScenarioError`, and a shorter run drops the dated values after its end (`Schedule.truncated`), so the
resolved scenario stays a valid scenario file with the same values in every simulated year."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..inputs.schedule import Schedule
from .load import validate_config
from .schema import VALUE_SECTIONS, Scenario


@dataclass(frozen=True)
class Overrides:
    """`None` keeps the scenario's own value."""

    seeds: int | None = None  # replicates
    households: int | None = None
    end_year: int | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in asdict(self).values())

    def describe(self) -> str:
        """As the command-line options: ``--households 2000 --end-year 2018``."""
        return " ".join(f"--{k.replace('_', '-')} {v}" for k, v in asdict(self).items() if v is not None)

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with these overrides; raises ScenarioError if one is out of range."""
        if not self:
            return scenario
        data = scenario.file_form()
        if self.seeds is not None:
            data["seeds"]["replicates"] = self.seeds
        if self.households is not None:
            data["world"]["households"] = self.households
        if self.end_year is not None:
            data["time"]["end_year"] = self.end_year
            _truncate_schedules(data, self.end_year)
        return validate_config(data, source=f"{scenario.name} with {self.describe()}")


def _truncate_schedules(data: dict[str, Any], end_year: int) -> None:
    """Drop dated values after `end_year` from file-form data, in place, without changing any value up to it."""
    for section in VALUE_SECTIONS:
        specs = data[section]
        for name, spec in list(specs.items()):
            if not (isinstance(spec, dict) and "values" in spec):
                continue
            cut = Schedule(spec, float("nan")).truncated(end_year)
            if cut is None:
                del specs[name]
            else:
                specs[name] = cut.to_spec()
