"""Observed data on the ensemble plots: the shipped national series (up to 2018, mapped to metrics by the
calibration's target spec) and a user's own CSV files (`--observed`, same format, e.g. later years), drawn as
points beside the model's bands. Filled points are the ones the calibration fits; open points are shown only
(duplicates, end-of-June values, a user's files).

A user's files given to ``run.py --observed`` are recorded, with their points, in the results folder's manifest
(``overrides.observed``), so ``run.py plot DIR`` draws them again without the original files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

COLOR = "#111111"
POINT_COLUMNS = ["id", "series", "metric", "year", "mid_year", "x", "value", "verified", "fitted", "file"]


def _fitted_ids() -> set[str] | None:
    """Ids of the points the shipped posterior was fitted to (None without a shipped posterior)."""
    from ..calibration.posterior import shipped

    post = shipped()
    ids = post.provenance.get("fitted_points") if post is not None else None
    return set(ids) if ids else None


def shipped_points() -> pd.DataFrame:
    """Every shipped observed point the target spec maps to a metric, in the metric's unit, with `fitted`."""
    from ..calibration.targets import observed_points, read_targets
    from ..scenario import Scenario

    points = observed_points(read_targets(), int(Scenario().time.start_year))
    ids = _fitted_ids()
    if ids is not None:
        points["fitted"] = points["id"].isin(ids)
    return points[POINT_COLUMNS]


def read_user_files(paths: Sequence[Path | str]) -> list[dict[str, Any]]:
    """A user's observed CSVs, checked (InputFileError ``file:LINE: message``), as manifest records: file, sha256
    and the points in metric units."""
    from ..calibration.provenance import sha256_file
    from ..calibration.targets import read_targets, user_points

    spec = read_targets() if paths else None
    out = []
    for p in paths:
        pts = user_points(p, spec)[POINT_COLUMNS]
        out.append({"file": str(p), "sha256": sha256_file(p), "points": json.loads(pts.to_json(orient="records"))})
    return out


def recorded_points(folder: Path | str | None) -> pd.DataFrame:
    """The user points recorded in a results folder's manifest (``overrides.observed``)."""
    if folder is None:
        return pd.DataFrame(columns=POINT_COLUMNS)
    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
        records = (manifest.get("overrides") or {}).get("observed") or []
        return points_of(records)
    except (OSError, ValueError, AttributeError, TypeError):
        return pd.DataFrame(columns=POINT_COLUMNS)


def points_of(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    frames = [pd.DataFrame(r["points"], columns=POINT_COLUMNS) for r in records if r.get("points")]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=POINT_COLUMNS)


def points_for_plots(folder: Path | str | None = None, extra: Sequence[dict[str, Any]] = ()) -> pd.DataFrame:
    """What the plots of a folder draw: shipped points, the folder's recorded user points, and `extra` records
    (``run.py plot DIR --observed FILE``)."""
    frames = [shipped_points(), recorded_points(folder), points_of(extra)]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=POINT_COLUMNS)


def draw_observed(ax, points: pd.DataFrame | None, metric: str, years: tuple[float, float] | None = None) -> None:
    """Observed points of `metric` within `years` (the simulated span): filled if fitted, open otherwise."""
    if points is None or not len(points):
        return
    sub = points[points["metric"] == metric]
    if years is not None:
        sub = sub[(sub["x"] >= years[0] - 0.6) & (sub["x"] <= years[1] + 0.6)]
    for fitted, part in sub.groupby(sub["fitted"].astype(bool)):
        ax.plot(part["x"], part["value"], linestyle="none", marker="o", markersize=4.5, color=COLOR,
                markerfacecolor=COLOR if fitted else "white", markeredgewidth=1.0, zorder=6, clip_on=False)


def observed_handles(points: pd.DataFrame | None, metrics: Sequence[str] | None = None) -> tuple[list, list]:
    """Legend entries for the observed points the figure can show."""
    from matplotlib.lines import Line2D

    if points is None or not len(points):
        return [], []
    if metrics is not None:
        points = points[points["metric"].isin(list(metrics))]
    handles, labels = [], []
    if points["fitted"].astype(bool).any():
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=5, color=COLOR))
        labels.append("Observed, used for calibration (to 2018)")
    if (~points["fitted"].astype(bool)).any():
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=5, color=COLOR,
                              markerfacecolor="white"))
        labels.append("Observed, not used for calibration")
    return handles, labels


def parameters_mode(folder: Path | str | None) -> str | None:
    """The ``--parameters`` mode a results folder ran with (None if not recorded)."""
    from ..calibration.draws import recorded_entry

    entry = recorded_entry(folder) if folder is not None else None
    return entry.get("mode") if entry else None


BAND_NOTES = {
    "posterior": "Each replicate runs its own parameter draw from the calibration posterior: bands include parameter "
                 "uncertainty.",
    "point": "Every run uses the posterior-median parameters: bands show seed noise only.",
}


class ObservedLayer:
    """What the calibration adds to the ensemble figures: observed points (filled: used for calibration; open:
    shown only) and a note on what the bands include."""

    def __init__(self, points: pd.DataFrame | None = None, note: str = ""):
        self.points = points if points is not None else pd.DataFrame(columns=POINT_COLUMNS)
        self.note = note

    @classmethod
    def for_folder(cls, folder: Path | str | None, extra: Sequence[dict[str, Any]] = ()) -> "ObservedLayer":
        return cls(points_for_plots(folder, extra), BAND_NOTES.get(parameters_mode(folder) or "", ""))

    def draw(self, ax, metric: str, ts: pd.DataFrame) -> None:
        years = (float(ts["year"].min()), float(ts["year"].max())) if len(ts) else None
        draw_observed(ax, self.points, metric, years)

    def legend(self, handles: list, labels: list, metrics: Sequence[str]) -> tuple[list, list]:
        """A figure's legend entries with those of the observed points of `metrics` appended."""
        more_handles, more_labels = observed_handles(self.points, metrics)
        return [*handles, *more_handles], [*labels, *more_labels]
