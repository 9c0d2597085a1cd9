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

from .engines import ENGINES, default_workers, open_engine
from .errors import EnsembleError
from .execute import RunFn
from .files import atomic_write_csv, atomic_write_parquet
from .folder import ResultsFolder
from .lock import FolderLock
from .manifest import build_manifest, command_line, engine_entry, now
from .memory import check_memory
from .plan import Prepared, Run, plan_runs
from .progress import Progress
from .resume import check_runs
from .tables import empty_timeseries, summarize


@dataclass(frozen=True)
class EnsembleOptions:
    """How to run an ensemble (everything but what to run and where to write)."""

    engine: str = "serial"  # "serial" or "dask"
    workers: int | None = None  # worker processes of an embedded Dask cluster
    scheduler: str | None = None  # address of a running Dask scheduler
    resume: bool = False  # the folder holds an earlier command over the same scenarios: run what is missing
    csv: bool = False  # also write timeseries.csv (without it, a timeseries.csv of an earlier command is removed)
    plots: bool = True
    progress: str = "off"  # "off", "bar" (a terminal) or "lines" (one line per finished run)
    force: bool = False  # start even when the runs at once would not fit in the available memory
    command: Sequence[str] | None = None  # recorded in the manifest
    overrides: Mapping[str, Any] = field(default_factory=dict)  # recorded in the manifest

    def engine_entry(self) -> dict[str, Any]:
        return engine_entry(self.engine, self.workers, self.scheduler)

    def runs_at_once(self, nruns: int) -> int:
        """Runs in memory at once on this machine (0: they run elsewhere, on an external cluster's workers)."""
        if self.engine == "serial":
            return min(1, nruns)
        if self.scheduler:
            return 0
        return min(self.workers or default_workers(), nruns)


@dataclass
class EnsembleResult:
    timeseries: pd.DataFrame
    records: list[dict[str, Any]]
    folder: Path | None = None
    plots: list[Path] = field(default_factory=list)
    plot_error: str | None = None
    damaged: list[str] = field(default_factory=list)  # per-run files found damaged on resume (and run again)

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
    and runs only the runs without a sound per-run file. `run_fn` replaces the model (tests). The folder is
    locked for the whole command: a second command on it gets EnsembleError.
    """
    options = options or EnsembleOptions()
    if options.engine not in ENGINES:
        raise EnsembleError(f"unknown engine {options.engine!r} (choose from {', '.join(ENGINES)})")
    runs = plan_runs(prepared)
    if out is None:
        return _run_in_memory(runs, prepared, options, run_fn)
    folder = ResultsFolder(out)
    with contextlib.ExitStack() as stack:
        book, damaged = _Records(runs), []
        if options.resume:  # the folder exists: lock it before reading what is done
            stack.enter_context(FolderLock(folder.path))
            folder.check_writable()
            done, damaged = check_runs(folder, runs)
            for record in done.values():
                book.add(record)
        todo = [r for r in runs if r.key not in book.records]
        _check_memory(prepared, todo, options)
        # start the cluster (or connect) before writing anything: an unreachable scheduler leaves no folder
        engine = stack.enter_context(open_engine(options.engine if todo else "serial", workers=options.workers,
                                                 scheduler=options.scheduler, nruns=len(todo)))
        if not options.resume:
            _claim_new_folder(folder, stack)
        manifest = _open_folder(folder, prepared, options, len(runs), len(todo), damaged)
        progress = Progress(len(runs), len(runs) - len(todo), options.progress)
        _collect(engine.results(todo, run_fn, progress), book, folder, manifest, progress)
        result = _finish_folder(folder, [r.plan_entry() for r in runs], book.sorted(), manifest, options)
    result.damaged = damaged
    return result


def _run_in_memory(runs: list[Run], prepared: Sequence[Prepared], options: EnsembleOptions,
                   run_fn: RunFn | None) -> EnsembleResult:
    book = _Records(runs)
    _check_memory(prepared, runs, options)
    with open_engine(options.engine, workers=options.workers, scheduler=options.scheduler,
                     nruns=len(runs)) as engine:
        progress = Progress(len(runs), 0, options.progress)
        _collect(engine.results(runs, run_fn, progress), book, None, {}, progress)
    return EnsembleResult(timeseries=book.timeseries(), records=book.sorted())


def _check_memory(prepared: Sequence[Prepared], todo: Sequence[Run], options: EnsembleOptions) -> None:
    if not options.force and todo:
        names = {r.scenario for r in todo}
        check_memory([p for p in prepared if p.name in names], options.runs_at_once(len(todo)))


def _claim_new_folder(folder: ResultsFolder, stack: contextlib.ExitStack) -> None:
    """Create and lock a new results folder; it must be empty (a concurrent command may have claimed it)."""
    folder.make_dir()
    stack.enter_context(FolderLock(folder.path))
    if not folder.is_empty():
        raise EnsembleError(f"--out {folder.path} exists and is not empty (use a new folder, or --resume "
                            f"{folder.path})")
    folder.check_writable()


def _open_folder(folder: ResultsFolder, prepared: Sequence[Prepared], options: EnsembleOptions, planned: int,
                 to_run: int, damaged: list[str]) -> dict[str, Any]:
    """A new folder with its manifest and scenario files, or a resumed one with its history extended."""
    with _writing(folder):
        if options.resume:
            manifest = folder.read_manifest()
            manifest.setdefault("history", []).append(
                {"resumed": now(), "command": command_line(options.command), "engine": options.engine_entry(),
                 "already_done": planned - to_run, "to_run": to_run, "damaged": damaged})
            manifest["status"] = "running"
        else:
            folder.create()
            manifest = build_manifest(prepared, command=options.command, engine=options.engine_entry(),
                                      overrides=options.overrides)
            for p in prepared:
                folder.write_scenario_yaml(p.name, p.yaml_text)
        folder.write_manifest(manifest)
    return manifest


@contextlib.contextmanager
def _writing(folder: ResultsFolder, manifest: dict[str, Any] | None = None):
    """A file of the folder that cannot be written (a full disk, permissions changed mid-run) stops the command
    with one line; the failure is recorded in the manifest if that can still be written, and `--resume` finishes
    the folder once the cause is fixed."""
    try:
        yield
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        message = f"cannot write to the results folder{where}: {exc.strerror or exc}"
        if manifest is not None:
            manifest.update(status="failed", error=message, finished=now())
            with contextlib.suppress(OSError):
                folder.write_manifest(manifest)
        raise EnsembleError(f"{message}; the runs finished so far are saved: after fixing it, finish with "
                            f"--resume {folder.path}") from None


def _collect(finished: Iterable[tuple[dict[str, Any], pd.DataFrame | None]], book: _Records,
             folder: ResultsFolder | None, manifest: dict[str, Any], progress: Progress) -> None:
    """Keep (or persist) every run as it finishes; an interruption is recorded in the manifest."""
    status = "interrupted"
    try:
        for record, table in finished:
            if folder is not None:
                book.add(record)
                with _writing(folder, manifest):
                    folder.write_run(record, table)
                    folder.write_runs_jsonl(book.sorted())
            else:
                book.add(record, table)
            progress.finished(record)
        status = "complete"
    finally:
        progress.close()
        if folder is not None and status != "complete" and manifest.get("status") == "running":
            manifest["status"] = status
            manifest["finished"] = now()
            with contextlib.suppress(OSError):
                folder.write_manifest(manifest)


def _finish_folder(folder: ResultsFolder, plan: list[dict[str, Any]], records: list[dict[str, Any]],
                   manifest: dict[str, Any], options: EnsembleOptions) -> EnsembleResult:
    """The folder's tables, its final manifest and plots, from the per-run files."""
    ts = folder.assemble(plan)
    result = EnsembleResult(timeseries=ts, records=records, folder=folder.path)
    with _writing(folder, manifest):
        folder.write_runs_jsonl(records)
        atomic_write_parquet(folder.timeseries_path, ts)
        if options.csv:
            atomic_write_csv(folder.timeseries_csv_path, ts)
        else:  # a timeseries.csv of an earlier --csv command would no longer match the table
            folder.remove(folder.timeseries_csv_path)
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
