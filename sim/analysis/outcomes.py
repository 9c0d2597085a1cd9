"""Which outcomes an analysis reads: metrics of `sim.outcomes.metrics.METRICS` in chosen years, one column each
(``urbanization_rate@2035``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..outcomes.metrics import KEY_METRICS, METRICS
from ..scenario import YEAR_MAX
from .errors import AnalysisError, did_you_mean, split_list

DEFAULT_YEARS = (2035, 2050)


def column(metric: str, year: int) -> str:
    return f"{metric}@{int(year)}"


def select_metrics(text: str | None) -> list[str]:
    """`--outcomes a,b` (metric names), default the headline metrics."""
    if text is None:
        return list(KEY_METRICS)
    names = split_list(text, "--outcomes")
    for name in names:
        if name not in METRICS:
            raise AnalysisError(f"--outcomes: unknown metric '{name}'{did_you_mean(name, METRICS)}")
    return names


def parse_years(text: str | None) -> list[int]:
    """`--years 2035,2050` in increasing order, default 2035 and 2050."""
    if text is None:
        return list(DEFAULT_YEARS)
    years = []
    for item in split_list(text, "--years"):
        try:
            years.append(int(item))
        except ValueError:
            raise AnalysisError(f"--years: expected years like 2035,2050, got {item!r}") from None
    return sorted(set(years))


def check_years(years: Sequence[int], start_year: int, option: str = "--years") -> None:
    """Outcome years must lie after the start year (the first year's values are the start, not an outcome, and
    flows are undefined there) and within the years a scenario can run to."""
    for year in years:
        if not start_year < year <= YEAR_MAX:
            raise AnalysisError(f"{option}: {year} is outside the run: outcome years must be after the start year "
                                f"{start_year} and at most {YEAR_MAX}")
