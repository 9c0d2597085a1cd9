"""What "doing well" means in a robustness analysis: satisficing thresholds and the direction of each outcome.

A threshold is ``METRIC OP VALUE@YEAR`` with OP one of ``< <= > >=`` (``urban_rural_income_ratio<2.0@2035``):
a state of the world satisfies it when the strategy's outcome (mean over replicates) meets it there.

Regret needs to know which way is better. The headline outcomes have a default direction (`GOALS`), taken from
the aims of the integration policies the model compares (narrow the income and hukou gaps, raise rural incomes and
service equalization); `--goal METRIC=max|min` sets or overrides one, and a threshold's operator gives its
metric's direction (``<`` means lower is better). Outcomes without a direction get no regret.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

from ..outcomes.metrics import METRICS
from .errors import AnalysisError, did_you_mean
from .outcomes import column

GOALS: dict[str, str] = {
    "urbanization_rate": "max",
    "hukou_urbanization_rate": "max",
    "urbanization_gap": "min",
    "children_with_migrants_share": "max",
    "citizenized": "max",
    "urban_rural_income_ratio": "min",
    "rural_disposable_income": "max",
    "ag_productivity_ratio": "max",
    "idle_homestead_share": "min",
    "urban_to_rural_capital": "max",
    "public_service_equalization": "max",
    "income_gini": "min",
}
"""Default direction of outcomes (the rest - migrant counts, ages, the county-town share, land transfer - have no
agreed better way)."""

OPERATORS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
_PATTERN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([^@\s]+)\s*@\s*(\d{4})\s*$")


@dataclass(frozen=True)
class Threshold:
    metric: str
    op: str
    value: float
    year: int

    @property
    def column(self) -> str:
        return column(self.metric, self.year)

    @property
    def goal(self) -> str:
        return "min" if self.op.startswith("<") else "max"

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}@{self.year}"

    def met(self, values):
        """Element-wise: does each value meet the threshold (NaN never does)."""
        return OPERATORS[self.op](values, self.value)


def parse_threshold(text: str) -> Threshold:
    """``METRIC OP VALUE@YEAR``; anything else raises AnalysisError saying what is expected."""
    m = _PATTERN.match(text)
    if not m:
        raise AnalysisError(f"--satisfice: cannot read {text!r}: expected METRIC<VALUE@YEAR (operators < <= > >=), "
                            "e.g. 'urban_rural_income_ratio<2.0@2035'")
    metric, op, raw, year = m.groups()
    if metric not in METRICS:
        raise AnalysisError(f"--satisfice: unknown metric '{metric}'{did_you_mean(metric, METRICS)} in {text!r}")
    try:
        value = float(raw)
    except ValueError:
        raise AnalysisError(f"--satisfice: threshold {raw!r} is not a number in {text!r}") from None
    if not math.isfinite(value):
        raise AnalysisError(f"--satisfice: threshold {raw!r} is not a finite number in {text!r}")
    return Threshold(metric, op, value, int(year))


def parse_goal(text: str) -> tuple[str, str]:
    """``METRIC=max`` or ``METRIC=min``."""
    metric, sep, goal = text.partition("=")
    metric, goal = metric.strip(), goal.strip()
    if not sep or goal not in ("max", "min"):
        raise AnalysisError(f"--goal: expected METRIC=max or METRIC=min, got {text!r}")
    if metric not in METRICS:
        raise AnalysisError(f"--goal: unknown metric '{metric}'{did_you_mean(metric, METRICS)}")
    return metric, goal


def goals(metrics, thresholds=(), given=()) -> dict[str, str]:
    """The direction of each metric that has one: `--goal` over thresholds' operators over `GOALS`."""
    out = {m: GOALS[m] for m in metrics if m in GOALS}
    for t in thresholds:
        out[t.metric] = t.goal
    out.update(dict(given))
    return out
