"""What the calibration fits: which observed series stand for which model metric, in which unit, with which
tolerance and weight (`sim/data/calibration/targets.csv`), and the fitted points that result.

Each row of the target spec maps one observed series (in one file of `sim/data/observed/`) to a metric of
`sim.outcomes.metrics.METRICS`: model value = observed value x `factor`. `tolerance` is the error the issues accept
(`tolerance_kind` "abs": in the metric's unit; "rel": a fraction of the observed value); the distance measures
errors in tolerances. `weight` 0 draws a series on plots without fitting it. `last_year` may not be after
`LAST_FIT_YEAR`: later years are kept for out-of-sample checks and are never fitted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .csv_rows import number, read_rows, shown
from .errors import InputFileError
from .observed import OBSERVED_DIR, read_observed

CALIBRATION_DIR = Path(__file__).resolve().parents[1] / "data" / "calibration"
TARGETS_FILE = CALIBRATION_DIR / "targets.csv"
LAST_FIT_YEAR = 2018
"""Project rule: calibrate on years up to 2018 only."""
UNVERIFIED_WEIGHT = 0.5
"""Default weight of an unverified point relative to a verified one (`--unverified-weight`)."""

COLUMNS = ("series", "file", "metric", "factor", "tolerance", "tolerance_kind", "weight", "last_year")
OPTIONAL = ("note",)


@dataclass(frozen=True)
class Target:
    """One row of the target spec."""

    series: str
    file: str
    metric: str
    factor: float
    tolerance: float
    tolerance_kind: str  # "abs" or "rel"
    weight: float
    last_year: int
    line: int = 0

    def tolerance_for(self, model_value: float) -> float:
        """The tolerance of a point, in the metric's unit."""
        return self.tolerance if self.tolerance_kind == "abs" else self.tolerance * abs(model_value)


@dataclass(frozen=True)
class TargetSpec:
    """The target spec of a file: its rows and the observed data they name (read once, checked)."""

    path: Path
    targets: tuple[Target, ...]
    observed: dict[str, pd.DataFrame]  # file name -> `read_observed` table

    def data_files(self) -> list[Path]:
        return [self.observed_path(name) for name in self.observed]

    def observed_path(self, name: str) -> Path:
        local = self.path.parent / name
        return local if local.is_file() else OBSERVED_DIR / name


def read_targets(path: Path | str = TARGETS_FILE) -> TargetSpec:
    """The target spec at `path`, checked: every series exists in its file, every metric in METRICS, no year after
    `LAST_FIT_YEAR`; InputFileError (``file:LINE: message``) otherwise. Data files are looked up next to the spec,
    then in `sim/data/observed/`."""
    from ..outcomes.metrics import METRICS

    path = Path(path)
    where = shown(path)
    targets, observed, seen = [], {}, {}
    spec = TargetSpec(path, (), observed)
    for line, row in read_rows(path, COLUMNS, OPTIONAL):
        at = f"{where}:{line}"
        name = row["file"]
        if name not in observed:
            data_path = spec.observed_path(name)
            if not data_path.is_file():
                raise InputFileError([f"{at}: file: no observed-data file {name!r} (next to the spec or in "
                                      f"{shown(OBSERVED_DIR)})"])
            observed[name] = read_observed(data_path)
        if row["series"] not in set(observed[name]["series"]):
            raise InputFileError([f"{at}: unknown series {row['series']!r}: not in {name}"])
        if row["metric"] not in METRICS:
            raise InputFileError([f"{at}: unknown metric {row['metric']!r} (see sim.outcomes.metrics.METRICS)"])
        last = number(row["last_year"], "last_year", at)
        if not last.is_integer():
            raise InputFileError([f"{at}: last_year: expected a year, got {row['last_year']!r}"])
        if last > LAST_FIT_YEAR:
            raise InputFileError([f"{at}: last_year {int(last)} is after {LAST_FIT_YEAR}: the calibration never "
                                  f"fits later years (they are kept for out-of-sample checks)"])
        factor = number(row["factor"], "factor", at)
        tolerance = number(row["tolerance"], "tolerance", at)
        weight = number(row["weight"], "weight", at)
        if factor == 0:
            raise InputFileError([f"{at}: factor: must not be 0"])
        if tolerance <= 0:
            raise InputFileError([f"{at}: tolerance: must be positive, got {row['tolerance']}"])
        if weight < 0:
            raise InputFileError([f"{at}: weight: must be 0 or more, got {row['weight']}"])
        if row["tolerance_kind"] not in ("abs", "rel"):
            raise InputFileError([f"{at}: tolerance_kind: expected abs or rel, got {row['tolerance_kind']!r}"])
        key = (name, row["series"])
        if key in seen:
            raise InputFileError([f"{at}: series {row['series']} of {name} is already mapped on line {seen[key]}"])
        seen[key] = line
        targets.append(Target(row["series"], name, row["metric"], factor, tolerance, row["tolerance_kind"], weight,
                              int(last), line))
    if not targets:
        raise InputFileError([f"{where}:2: no targets"])
    return TargetSpec(path, tuple(targets), observed)


def observed_points(spec: TargetSpec, first_year: int, unverified_weight: float = UNVERIFIED_WEIGHT
                    ) -> pd.DataFrame:
    """Every observed point the spec maps to a metric, in the metric's unit, with `fitted` saying whether the
    calibration uses it: weight above 0, a year-end value, `first_year` (the model's start) <= year <= the row's
    `last_year` (never after `LAST_FIT_YEAR`).

    Columns: id (``series@year``), series, metric, year, mid_year, x, value, tolerance, weight (series weight x
    `unverified_weight` for unverified points; 0 when not fitted), verified, fitted, file, line, source.
    """
    frames = []
    for t in spec.targets:
        data = spec.observed[t.file]
        rows = data[data["series"] == t.series]
        value = rows["value"] * t.factor
        fitted = ((t.weight > 0) & ~rows["mid_year"] & (rows["year"] >= first_year) & (rows["year"] <= t.last_year)
                  & (rows["year"] <= LAST_FIT_YEAR))
        weight = t.weight * rows["verified"].map({True: 1.0, False: unverified_weight}).astype(float)
        frames.append(pd.DataFrame({
            "id": rows["series"] + "@" + rows["year"].astype(str) + rows["mid_year"].map({True: "H1", False: ""}),
            "series": rows["series"], "metric": t.metric, "year": rows["year"], "mid_year": rows["mid_year"],
            "x": rows["x"], "value": value,
            "tolerance": [t.tolerance_for(v) for v in value], "weight": weight.where(fitted, 0.0),
            "verified": rows["verified"], "fitted": fitted, "file": rows["file"], "line": rows["line"],
            "source": rows["source"]}))
    out = pd.concat(frames, ignore_index=True)
    return out


def fit_points(spec: TargetSpec, first_year: int, unverified_weight: float = UNVERIFIED_WEIGHT) -> pd.DataFrame:
    """The points the calibration fits (see `observed_points`), ordered by metric, series and year."""
    points = observed_points(spec, first_year, unverified_weight)
    points = points[points["fitted"] & (points["weight"] > 0)].sort_values(["metric", "series", "year"])
    if (points["year"] > LAST_FIT_YEAR).any():  # the rule holds whatever the spec says
        raise AssertionError(f"a fitted point after {LAST_FIT_YEAR}")
    if not len(points):
        raise InputFileError([f"{shown(spec.path)}:1: no observed point between {first_year} and "
                              f"{LAST_FIT_YEAR} has a weight above 0"])
    if not all(math.isfinite(v) for v in points["tolerance"]) or (points["tolerance"] <= 0).any():
        bad = points[~(points["tolerance"] > 0)].iloc[0]
        raise InputFileError([f"{shown(spec.path)}: series {bad['series']} {bad['year']}: the tolerance is 0 "
                              "(a relative tolerance of a zero value)"])
    return points.reset_index(drop=True)


def user_points(path: Path | str, spec: TargetSpec) -> pd.DataFrame:
    """A user's observed CSV (`--observed`) as points to draw (never fitted): a series of the target spec takes
    that row's metric and unit factor; a series named like a metric is taken in the metric's unit. InputFileError
    (``file:LINE: message``) for a malformed file or a series that is neither."""
    from ..outcomes.metrics import METRICS

    data = read_observed(path)
    by_series = {t.series: t for t in spec.targets}
    where = shown(path)
    metric, factor = [], []
    for _, row in data.iterrows():
        t = by_series.get(row["series"])
        if t is None and row["series"] not in METRICS:
            raise InputFileError([f"{where}:{row['line']}: unknown series {row['series']!r}: neither a series of "
                                  f"{shown(spec.path)} nor a metric"])
        metric.append(t.metric if t else row["series"])
        factor.append(t.factor if t else 1.0)
    return pd.DataFrame({
        "id": data["series"] + "@" + data["year"].astype(str), "series": data["series"], "metric": metric,
        "year": data["year"], "mid_year": data["mid_year"], "x": data["x"], "value": data["value"] * factor,
        "tolerance": float("nan"), "weight": 0.0, "verified": data["verified"], "fitted": False,
        "file": data["file"], "line": data["line"], "source": data["source"]})
