"""Run the points of an analysis (one model config each) x replicates on the ensemble engines, persisting every
run's row to samples.parquet as it arrives, and resuming an interrupted folder.

A point's replicates run with the same model seeds as every other point's (common random numbers): the
differences between points come from their inputs, not from the draws of the simulation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..ensemble.engines import open_engine
from ..ensemble.execute import RunFn
from ..ensemble.manifest import now
from ..ensemble.plan import Run
from ..ensemble.progress import Progress
from .folder import RUN_COLUMNS, AnalysisFolder, SamplesFile
from .outcomes import column


@dataclass(frozen=True)
class Point:
    """One model configuration to run: its id, the labels that identify it in tables, the sampled input values
    (as designed, before rounding) and the engine-form config with them applied."""

    id: str
    labels: Mapping[str, Any]
    values: Mapping[str, float]
    config: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Engine:
    """Where runs execute (`sim.ensemble.engines`)."""

    name: str = "serial"
    workers: int | None = None
    scheduler: str | None = None


def config_hash(config: Mapping[str, Any]) -> str:
    text = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_runs(points: Sequence[Point], seeds: Sequence[int]) -> list[Run]:
    """Every point x replicate, points in order, replicates in order."""
    return [Run(p.id, r, int(seed), config_hash(p.config), p.config) for p in points for r, seed in enumerate(seeds)]


def outcome_values(table: pd.DataFrame | None, outcomes: Sequence[tuple[str, int]]) -> dict[str, float]:
    """`metric@year` -> value of one run's tidy table (NaN when the run failed or lacks the year)."""
    if table is None:
        return {column(m, y): float("nan") for m, y in outcomes}
    by_year = table.set_index("year")
    return {column(m, y): float(by_year.at[y, m]) if y in by_year.index else float("nan") for m, y in outcomes}


def columns(points: Sequence[Point], outcomes: Sequence[tuple[str, int]]) -> list[str]:
    first = points[0]
    return ["point", *first.labels, *RUN_COLUMNS, *first.values, *(column(m, y) for m, y in outcomes)]


def _reusable(previous: pd.DataFrame | None, runs: Sequence[Run], points: Mapping[str, Point]) -> dict:
    """Rows of an earlier command that ran a planned run successfully with the same seed and input values."""
    if previous is None or previous.empty:
        return {}
    planned = {(r.scenario, r.replicate): r for r in runs}
    out = {}
    for row in previous.to_dict("records"):
        key = (row["point"], int(row["replicate"]))
        run = planned.get(key)
        if run is None or row["status"] != "ok" or int(row["seed"]) != run.seed:
            continue
        values = points[run.scenario].values
        if all(name in row and np.float64(row[name]) == np.float64(v) for name, v in values.items()):
            out[key] = row
    return out


def run_points(points: Sequence[Point], seeds: Sequence[int], outcomes: Sequence[tuple[str, int]],
               folder: AnalysisFolder, open_folder: Callable[[int, int], dict[str, Any]], engine: Engine, *,
               resume: bool = False, run_fn: RunFn | None = None, progress: str = "off"
               ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Run what is missing, keep every row in samples.parquet; returns (samples in plan order, manifest).

    `open_folder(already_done, to_run)` creates the folder (or extends a resumed one's history) and returns its
    manifest; it is called once the engine is up, so an unreachable scheduler leaves nothing behind. An
    interruption is recorded in the manifest (status "interrupted") and re-raised.
    """
    runs = plan_runs(points, seeds)
    by_id = {p.id: p for p in points}
    book = SamplesFile(folder.samples_path, [(r.scenario, r.replicate) for r in runs], columns(points, outcomes))
    if resume:
        book.rows.update(_reusable(folder.read_samples(), runs, by_id))
    todo = [r for r in runs if (r.scenario, r.replicate) not in book.rows]
    with open_engine(engine.name if todo else "serial", workers=engine.workers, scheduler=engine.scheduler,
                     nruns=len(todo)) as eng:
        manifest = open_folder(len(runs) - len(todo), len(todo))
        bar = Progress(len(runs), len(runs) - len(todo), progress)
        finished = False
        try:
            for record, table in eng.results(todo, run_fn):
                point = by_id[record["scenario"]]
                book.add((point.id, int(record["replicate"])), {
                    "point": point.id, **point.labels, "replicate": int(record["replicate"]),
                    "seed": int(record["seed"]), "status": record["status"], "seconds": record.get("seconds"),
                    "error": record.get("error"), **point.values, **outcome_values(table, outcomes)})
                bar.finished(record)
            finished = True
        finally:
            bar.close()
            book.flush(force=True)
            if not finished:
                manifest["status"] = "interrupted"
                manifest["finished"] = now()
                folder.write_manifest(manifest)
    return book.frame(), manifest


def point_means(samples: pd.DataFrame, points: Sequence[Point], outcome_columns: Sequence[str]) -> pd.DataFrame:
    """Each point's outcomes averaged over its replicates, one row per point in plan order (index: point id)."""
    means = samples.groupby("point", sort=False)[list(outcome_columns)].mean()
    return means.reindex([p.id for p in points])
