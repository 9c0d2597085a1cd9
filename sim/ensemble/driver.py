"""`run_ensemble`: every scenario x seed on an engine, each run persisted as it arrives, then the folder's tables
and plots.

    from sim.ensemble import prepare, run_ensemble
    result = run_ensemble(prepare(["scenarios/baseline.yaml"], seeds=3, households=2000))
    result.timeseries        # tidy: scenario, seed, year, one column per metric

With a results folder, every finished run is persisted at once and ``resume=True`` runs only what is missing.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .engines import ENGINES, open_engine
from .errors import EnsembleError
from .execute import RunFn
from .files import atomic_write_csv, atomic_write_parquet
from .folder import ResultsFolder
from .manifest import build_manifest, command_line, engine_entry, now
from .plan import Prepared, Run, plan_runs
from .progress import Progress
from .tables import empty_timeseries, summarize


@dataclass(frozen=True)
class EnsembleOptions:
    """How to run an ensemble (everything but what to run and where to write)."""

    engine: str = "serial"  # "serial" or "dask"
    workers: int | None = None  # worker processes of an embedded Dask cluster
    scheduler: str | None = None  # address of a running Dask scheduler
    resume: bool = False  # the folder holds an earlier command over the same scenarios: run what is missing
    csv: bool = False  # also write timeseries.csv
    plots: bool = True
    progress: bool = False  # a progress bar on stderr
    command: Sequence[str] | None = None  # recorded in the manifest
    overrides: Mapping[str, Any] = field(default_factory=dict)  # recorded in the manifest

    def engine_entry(self) -> dict[str, Any]:
        return engine_entry(self.engine, self.workers, self.scheduler)


@dataclass
class EnsembleResult:
    timeseries: pd.DataFrame
    records: list[dict[str, Any]]
    folder: Path | None = None
    plots: list[Path] = field(default_factory=list)
    plot_error: str | None = None

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["status"] != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failed and self.plot_error is None


class _Records:
    """Records (and, without a folder, tables) of finished runs, kept in plan order."""

    def __init__(self, runs: Sequence[Run]):
        self.order = {r.key: i for i, r in enumerate(runs)}
        self.records: dict[tuple[str, int], dict[str, Any]] = {}
        self.tables: dict[tuple[str, int], pd.DataFrame] = {}

    def add(self, record: dict[str, Any], table: pd.DataFrame | None = None) -> None:
        key = (record["scenario"], int(record["replicate"]))
        self.records[key] = record
        if table is not None:
            self.tables[key] = table

    def sorted(self) -> list[dict[str, Any]]:
        return [self.records[k] for k in sorted(self.records, key=self.order.__getitem__)]

    def timeseries(self) -> pd.DataFrame:
        frames = [self.tables[k] for k in sorted(self.tables, key=self.order.__getitem__)]
        return pd.concat(frames, ignore_index=True) if frames else empty_timeseries()


def run_ensemble(prepared: Sequence[Prepared], out: Path | str | None = None,
                 options: EnsembleOptions | None = None, *, run_fn: RunFn | None = None) -> EnsembleResult:
    """Run every scenario x seed; with `out`, persist each run as it arrives and write the folder's tables.

    `options.resume` expects `out` to hold the manifest of an earlier command over the same `prepared` scenarios
    and runs only the runs without a successful per-run file. `run_fn` replaces the model (tests).
    """
    options = options or EnsembleOptions()
    if options.engine not in ENGINES:
        raise EnsembleError(f"unknown engine {options.engine!r} (choose from {', '.join(ENGINES)})")
    runs = plan_runs(prepared)
    plan = [r.plan_entry() for r in runs]
    folder = ResultsFolder(out) if out is not None else None
    book = _Records(runs)
    todo = runs
    if folder is not None and options.resume:
        for key in folder.completed(plan):
            book.add(folder.read_run_record(*key))
        todo = [r for r in runs if r.key not in book.records]

    # start the cluster (or connect) before writing anything: an unreachable scheduler leaves no folder
    with open_engine(options.engine if todo else "serial", workers=options.workers, scheduler=options.scheduler,
                     nruns=len(todo)) as engine:
        manifest = _open_folder(folder, prepared, options, len(runs), len(todo)) if folder is not None else {}
        _collect(engine.results(todo, run_fn), book, folder, manifest, Progress(len(runs), len(runs) - len(todo),
                                                                              options.progress))
    if folder is None:
        return EnsembleResult(timeseries=book.timeseries(), records=book.sorted())
    return _finish_folder(folder, plan, book.sorted(), manifest, options)


def _open_folder(folder: ResultsFolder, prepared: Sequence[Prepared], options: EnsembleOptions, planned: int,
                 to_run: int) -> dict[str, Any]:
    """A new folder with its manifest and scenario files, or a resumed one with its history extended."""
    if options.resume:
        manifest = folder.read_manifest()
        manifest.setdefault("history", []).append(
            {"resumed": now(), "command": command_line(options.command), "engine": options.engine_entry(),
             "already_done": planned - to_run, "to_run": to_run})
        manifest["status"] = "running"
    else:
        folder.create()
        manifest = build_manifest(prepared, command=options.command, engine=options.engine_entry(),
                                  overrides=options.overrides)
        for p in prepared:
            folder.write_scenario_yaml(p.name, p.yaml_text)
    folder.write_manifest(manifest)
    return manifest


def _collect(finished: Iterable[tuple[dict[str, Any], pd.DataFrame | None]], book: _Records,
             folder: ResultsFolder | None, manifest: dict[str, Any], progress: Progress) -> None:
    """Keep (or persist) every run as it finishes; an interruption is recorded in the manifest."""
    status = "interrupted"
    try:
        for record, table in finished:
            if folder is not None:
                book.add(record)
                folder.write_run(record, table)
                folder.write_runs_jsonl(book.sorted())
            else:
                book.add(record, table)
            progress.finished(record)
        status = "complete"
    finally:
        progress.close()
        if folder is not None and status != "complete":
            manifest["status"] = status
            manifest["finished"] = now()
            folder.write_manifest(manifest)


def _finish_folder(folder: ResultsFolder, plan: list[dict[str, Any]], records: list[dict[str, Any]],
                   manifest: dict[str, Any], options: EnsembleOptions) -> EnsembleResult:
    """The folder's tables, its final manifest and plots, from the per-run files."""
    ts = folder.assemble(plan)
    result = EnsembleResult(timeseries=ts, records=records, folder=folder.path)
    folder.write_runs_jsonl(records)
    atomic_write_parquet(folder.timeseries_path, ts)
    if options.csv:
        atomic_write_csv(folder.timeseries_csv_path, ts)
    if len(ts):
        atomic_write_csv(folder.summary_path, summarize(ts))
    nfail = len(result.failed)
    manifest["runs"] = {"planned": len(plan), "ok": len(records) - nfail, "failed": nfail}
    manifest["status"] = "complete" if nfail == 0 else "complete_with_failures"
    manifest["finished"] = now()
    folder.write_manifest(manifest)
    if options.plots and len(ts):
        try:
            from .plots import plot_results

            result.plots = plot_results(folder.path)
        except Exception:
            result.plot_error = traceback.format_exc()
    return result
