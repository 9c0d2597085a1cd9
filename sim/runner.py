"""Ensembles: scenarios x seeds, run serially in process or as one Dask task per run, written as they arrive.

    from sim.runner import prepare, run_ensemble
    result = run_ensemble(prepare(["scenarios/baseline.yaml"], seeds=3, households=2000), out=None)
    result.timeseries        # tidy: scenario, seed, year, one column per metric

Seeds: run r of a scenario gets ``SeedSequence(root).spawn(replicates)[r].generate_state(1)[0]`` (an int), so its
output does not depend on the engine, the worker count or the order runs finish in. A run catches its own
exceptions and comes back as a failure record with the traceback (a deterministic error is recorded, not retried);
the other runs go on. With ``out`` set, every finished run is persisted at once (sim.results) and ``resume=True``
runs only what is missing.

Test-only fault hook: ``CHENGXIANG_FAULT="baseline:1,integrated:*:exit"`` makes replicate 1 of baseline raise and
every run of integrated kill its process (``os._exit``), to exercise failure handling and interruption; ``:hang``
makes a run sleep for an hour, so a test can interrupt it mid-run.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import hashlib
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .results import (
    ResultsFolder,
    atomic_write_csv,
    atomic_write_parquet,
    empty_timeseries,
    summarize,
    tidy_run_table,
)

RunFn = Callable[[Any, int], pd.DataFrame]
FAULT_ENV = "CHENGXIANG_FAULT"
ENGINES = ("serial", "dask")
FORMAT_VERSION = 1


class RunnerError(Exception):
    """A problem with the request (bad path, folder, option): the CLI reports it in one line and exits 2."""


# --------------------------------------------------------------------------------------------- seeds and plan
def derive_seeds(root: int, replicates: int) -> list[int]:
    """Integer seed of each replicate, from ``numpy.random.SeedSequence(root).spawn(replicates)``."""
    children = np.random.SeedSequence(int(root)).spawn(int(replicates))
    return [int(c.generate_state(1)[0]) for c in children]


def config_hash(config: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a config (used when a plain mapping has no `config_hash()` of its own)."""
    text = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Prepared:
    """One scenario ready to run: its resolved config (overrides applied), hash, seeds and YAML text."""

    name: str
    config: dict[str, Any]
    config_hash: str
    root: int
    replicates: int
    yaml_text: str
    source: str | None = None
    seeds: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.seeds:
            self.seeds = derive_seeds(self.root, self.replicates)

    @property
    def start_year(self) -> int:
        return int(self.config["time"]["start_year"])

    @property
    def end_year(self) -> int:
        return int(self.config["time"]["end_year"])


@dataclass(frozen=True)
class Run:
    """One task: a scenario's config and one replicate's seed."""

    scenario: str
    replicate: int
    seed: int
    config_hash: str
    config: dict[str, Any] = field(compare=False, repr=False)

    def plan_entry(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "replicate": self.replicate, "seed": self.seed,
                "config_hash": self.config_hash}


def plan_runs(prepared: Sequence[Prepared]) -> list[Run]:
    """Every run in plan order: scenarios in the order given, replicates in order."""
    return [
        Run(p.name, r, seed, p.config_hash, p.config)
        for p in prepared
        for r, seed in enumerate(p.seeds)
    ]


def _with_overrides(data: dict[str, Any], seeds: int | None, households: int | None,
                    end_year: int | None) -> dict[str, Any]:
    data = copy.deepcopy(dict(data))
    if seeds is not None:
        data.setdefault("seeds", {})["replicates"] = int(seeds)
    if households is not None:
        data.setdefault("world", {})["households"] = int(households)
    if end_year is not None:
        data.setdefault("time", {})["end_year"] = int(end_year)
    return data


def _truncate_schedules(data: dict[str, Any], end_year: int) -> None:
    """Drop dated values after `end_year` (file form, in place) without changing any value up to it.

    A scenario file may only date values inside its run, so a shortened run's resolved file must not keep later
    dates: step schedules lose them; a linear one gets its interpolated value at `end_year` as the last point; a
    schedule whose every date is later never takes effect within the run and is removed (the default holds).
    """
    for section in ("levers", "uncertainties"):
        specs = data.get(section) or {}
        for name in list(specs):
            spec = specs[name]
            if not (isinstance(spec, Mapping) and isinstance(spec.get("values"), Mapping)):
                continue
            points = {int(y): v for y, v in spec["values"].items()}
            keep = {y: v for y, v in points.items() if y <= end_year}
            if len(keep) == len(points):
                continue
            if not keep:
                del specs[name]
                continue
            if spec.get("interpolation") == "linear" and end_year not in keep:
                years = sorted(points)
                keep[end_year] = float(np.interp(end_year, years, [float(points[y]) for y in years]))
            specs[name] = {**spec, "values": dict(sorted(keep.items()))}


def prepare_scenario(scenario: Any, *, seeds: int | None = None, households: int | None = None,
                     end_year: int | None = None, source: str | None = None) -> Prepared:
    """A validated scenario object (sim.scenario.Scenario) or a plain config mapping, with overrides applied."""
    if hasattr(scenario, "model_dump"):
        if seeds is not None or households is not None or end_year is not None:
            data = _with_overrides(scenario.model_dump(mode="python", context={"format": "file"}), seeds,
                                   households, end_year)
            if end_year is not None:
                _truncate_schedules(data, int(end_year))
            try:
                scenario = type(scenario).model_validate(data)
            except Exception as exc:  # pydantic ValidationError: an override out of range
                raise RunnerError(f"{scenario.name}: override rejected: {_one_line(exc)}") from None
        config = scenario.model_dump(mode="python")
        chash = scenario.config_hash() if hasattr(scenario, "config_hash") else config_hash(config)
        yaml_text = scenario.to_yaml() if hasattr(scenario, "to_yaml") else _yaml(config)
        name = scenario.name
    else:
        from .inputs.config import normalize_config

        config = normalize_config(_with_overrides(dict(scenario), seeds, households, end_year))
        chash = config_hash(config)
        yaml_text = _yaml(config)
        name = config["name"]
    return Prepared(
        name=name, config=config, config_hash=chash, root=int(config["seeds"]["root"]),
        replicates=int(config["seeds"]["replicates"]), yaml_text=yaml_text, source=source,
    )


def prepare(paths: Sequence[str | Path], *, seeds: int | None = None, households: int | None = None,
            end_year: int | None = None) -> list[Prepared]:
    """Load and validate scenario files (sim.scenario.load_scenario); raises ScenarioError or RunnerError."""
    from .scenario import load_scenario

    out = []
    for p in paths:
        scn = load_scenario(p)
        out.append(prepare_scenario(scn, seeds=seeds, households=households, end_year=end_year, source=str(p)))
    names = [p.name for p in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RunnerError(f"scenario names must be unique in one ensemble; repeated: {', '.join(dupes)}")
    return out


def _yaml(config: Mapping[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(json.loads(json.dumps(config, default=str)), sort_keys=False, allow_unicode=True)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return " ".join(line.strip() for line in text[:3]) if text else type(exc).__name__


# --------------------------------------------------------------------------------------------- one run
def faults_from_env(environ: Mapping[str, str] | None = None) -> dict[tuple[str, str], str]:
    """Parse CHENGXIANG_FAULT: comma-separated ``scenario:replicate[:raise|exit|hang]`` (replicate may be ``*``)."""
    spec = (environ if environ is not None else os.environ).get(FAULT_ENV, "").strip()
    faults: dict[tuple[str, str], str] = {}
    for item in filter(None, (s.strip() for s in spec.split(","))):
        parts = item.split(":")
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("raise", "exit", "hang")):
            raise RunnerError(f"{FAULT_ENV}: expected 'scenario:replicate[:raise|exit|hang]', got {item!r}")
        faults[(parts[0], parts[1])] = parts[2] if len(parts) == 3 else "raise"
    return faults


def fault_for(run: Run, faults: Mapping[tuple[str, str], str]) -> str | None:
    return faults.get((run.scenario, str(run.replicate))) or faults.get((run.scenario, "*"))


def _default_run_fn(config: Any, seed: int) -> pd.DataFrame:
    from . import run as sim_run  # the engine; imported in the worker

    return sim_run(config, seed)


def execute_run(run: Run, run_fn: RunFn | None = None, fault: str | None = None
                ) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one simulation; never raises for model errors: returns (record, tidy table or None)."""
    started = time.perf_counter()
    table = None
    error = None
    try:
        if fault == "exit":
            os._exit(70)  # test hook: a hard crash of the process running this task
        if fault == "hang":
            time.sleep(3600)  # test hook: a run still in progress when Ctrl-C arrives, whatever the machine's speed
        if fault == "raise":
            raise RuntimeError(f"fault injected by {FAULT_ENV} for {run.scenario}:{run.replicate}")
        df = (run_fn or _default_run_fn)(run.config, run.seed)
        table = tidy_run_table(df, run.scenario, run.seed)
    except Exception as exc:
        if caused_by_interrupt(exc):
            raise KeyboardInterrupt from exc
        error = traceback.format_exc()
        table = None
    record = {
        "scenario": run.scenario,
        "replicate": run.replicate,
        "seed": run.seed,
        "status": "ok" if error is None else "failed",
        "config_hash": run.config_hash,
        "seconds": round(time.perf_counter() - started, 3),
        "error": error,
    }
    return record, table


def caused_by_interrupt(exc: BaseException | None) -> bool:
    """True if a KeyboardInterrupt is in the exception's chain.

    A Ctrl-C that lands inside a C-level callback (numba unpickling a cached kernel, for one) comes back as a
    SystemError caused by the KeyboardInterrupt: that is an interruption, not a failed run.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


@contextlib.contextmanager
def _noticing_interrupts() -> Iterator[Callable[[], bool]]:
    """Remember every SIGINT, so one that a callback swallowed ("Exception ignored in ...") still stops the ensemble
    after the current run."""
    seen = [False]
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if not callable(previous):  # not the main thread, or SIGINT ignored / left to the OS
        yield lambda: False
        return

    def handler(signum: int, frame: Any) -> None:
        seen[0] = True
        previous(signum, frame)

    signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: seen[0]
    finally:
        signal.signal(signal.SIGINT, previous)


def _lost_record(run: Run, error: str) -> dict[str, Any]:
    return {
        "scenario": run.scenario, "replicate": run.replicate, "seed": run.seed, "status": "failed",
        "config_hash": run.config_hash, "seconds": None, "error": error,
    }


# --------------------------------------------------------------------------------------------- engines
def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class SerialEngine:
    """Runs in this process, in plan order."""

    name = "serial"

    def __enter__(self) -> "SerialEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def results(self, runs: Sequence[Run], run_fn: RunFn | None = None,
                faults: Mapping[tuple[str, str], str] | None = None
                ) -> Iterator[tuple[dict[str, Any], pd.DataFrame | None]]:
        with _noticing_interrupts() as interrupted:
            for run in runs:
                yield execute_run(run, run_fn, fault_for(run, faults or {}))
                if interrupted():  # the finished run above is kept; the next one is not started
                    raise KeyboardInterrupt


class DaskEngine:
    """One task per run on an embedded LocalCluster or a running scheduler; results stream back as they finish.

    Connecting happens on ``__enter__``, so an unreachable scheduler is reported before anything is written.
    """

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None, nruns: int | None = None):
        self.workers = workers
        self.scheduler = scheduler
        self.nruns = nruns
        self.client = None
        self.cluster = None

    def __enter__(self) -> "DaskEngine":
        import logging

        import dask
        from distributed import Client, LocalCluster

        try:
            if self.scheduler:
                try:
                    self.client = Client(self.scheduler, timeout="5s")
                except OSError as exc:
                    raise RunnerError(
                        f"cannot connect to Dask scheduler {self.scheduler}: {_one_line(exc)}") from None
            else:
                n = int(self.workers or default_workers())
                if self.nruns:
                    n = min(n, self.nruns)
                # a crashed worker (segfault, OOM kill, os._exit) fails its task at once instead of it being
                # retried 3 times; worker-saturation 1.0 keeps at most one task per thread on a worker. These are
                # read when the scheduler starts: an external scheduler needs them in its own config (docs).
                # The nanny's default MALLOC_TRIM_THRESHOLD_=65536 for worker processes turns off glibc's dynamic
                # mmap threshold: every large numpy temporary is then mmap'ed and unmapped, and a 100 000-household
                # run took 11.6 s instead of 5.8 s. Workers get the same allocator as a serial run.
                with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                                      "distributed.scheduler.worker-saturation": 1.0,
                                      "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                    self.cluster = LocalCluster(n_workers=max(1, n), threads_per_worker=1, processes=True,
                                                dashboard_address=None, silence_logs=logging.CRITICAL)
                self.client = Client(self.cluster)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def _capacity(self) -> int:
        threads = sum(self.client.nthreads().values())
        if threads == 0:
            try:
                self.client.wait_for_workers(1, timeout=120)
            except (TimeoutError, OSError):
                raise RunnerError(f"no Dask workers joined scheduler {self.scheduler} within 120 s") from None
            threads = sum(self.client.nthreads().values())
        return max(1, threads)

    def results(self, runs: Sequence[Run], run_fn: RunFn | None = None,
                faults: Mapping[tuple[str, str], str] | None = None
                ) -> Iterator[tuple[dict[str, Any], pd.DataFrame | None]]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        faults = faults or {}
        client = self.client
        token = uuid.uuid4().hex[:8]
        pending = iter(runs)
        futures: dict[Any, Run] = {}
        stream = as_completed()

        def top_up() -> None:
            # at most one task per worker thread in flight: a worker that dies takes only the run it was running
            # with it (tasks queued on it would be failed too); the rest wait on the client
            while len(futures) < self._capacity():
                run = next(pending, None)
                if run is None:
                    return
                fut = client.submit(execute_run, run, run_fn, fault_for(run, faults), pure=False, retries=0,
                                    key=f"chengxiang-run-{token}-{run.scenario}-{run.replicate:03d}")
                futures[fut] = run
                stream.add(fut)

        top_up()
        for fut in stream:
            run = futures.pop(fut)
            if fut.status == "finished":
                try:
                    record, table = fut.result()
                except Exception:  # lost between finishing and fetching
                    record, table = _lost_record(run, traceback.format_exc()), None
            else:
                exc = fut.exception()
                tb = fut.traceback()
                if isinstance(exc, KilledWorker):
                    text = ("the worker process died while running this task (a crash, out of memory, or "
                            f"os._exit); not retried: {exc!r}")
                else:
                    text = "task failed on the cluster: " + (
                        "".join(traceback.format_exception(type(exc), exc, tb)) if tb is not None else repr(exc))
                record, table = _lost_record(run, text), None
            fut.release()
            top_up()
            yield record, table


def open_engine(engine: str = "serial", *, workers: int | None = None, scheduler: str | None = None,
                nruns: int | None = None) -> SerialEngine | DaskEngine:
    """The engine as a context manager: ``with open_engine("dask", workers=2) as e: e.results(runs)``."""
    if engine == "serial":
        return SerialEngine()
    if engine == "dask":
        return DaskEngine(workers=workers, scheduler=scheduler, nruns=nruns)
    raise RunnerError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")


def iter_results(runs: Sequence[Run], *, engine: str = "serial", workers: int | None = None,
                 scheduler: str | None = None, run_fn: RunFn | None = None,
                 faults: Mapping[tuple[str, str], str] | None = None
                 ) -> Iterator[tuple[dict[str, Any], pd.DataFrame | None]]:
    """Yield (record, table) for each run as it finishes (opens and closes the engine)."""
    if not runs:
        return
    with open_engine(engine, workers=workers, scheduler=scheduler, nruns=len(runs)) as eng:
        yield from eng.results(runs, run_fn, faults)


# --------------------------------------------------------------------------------------------- ensembles
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


def software_versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("chengxiang", "mesa", "numpy", "pandas", "pyarrow", "dask", "distributed", "matplotlib"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def git_state(where: Path | None = None) -> dict[str, Any] | None:
    where = where or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True,
                                timeout=10)
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                               capture_output=True, text=True, timeout=10)
        return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return None


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def build_manifest(prepared: Sequence[Prepared], *, command: Sequence[str] | None, engine: str,
                   workers: int | None, scheduler: str | None, overrides: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "command": shlex.join(command) if command is not None else None,
        "cwd": os.getcwd(),
        "created": _now(),
        "versions": software_versions(),
        "git": git_state(),
        "engine": {"name": engine, "workers": workers, "scheduler": scheduler},
        "overrides": dict(overrides),
        "scenario_names": [p.name for p in prepared],
        "scenarios": [
            {
                "name": p.name,
                "source": p.source,
                "file": f"scenarios/{p.name}.yaml",
                "config_hash": p.config_hash,
                "seeds": {"root": p.root, "replicates": p.replicates, "run_seeds": p.seeds},
                "config": json.loads(json.dumps(p.config, default=str)),
            }
            for p in prepared
        ],
        "runs": {"planned": sum(p.replicates for p in prepared)},
        "status": "running",
        "history": [],
    }


def run_ensemble(prepared: Sequence[Prepared], out: Path | str | None = None, *, engine: str = "serial",
                 workers: int | None = None, scheduler: str | None = None, run_fn: RunFn | None = None,
                 resume: bool = False, csv: bool = False, plots: bool = True, progress: bool = False,
                 command: Sequence[str] | None = None, faults: Mapping[tuple[str, str], str] | None = None,
                 overrides: Mapping[str, Any] | None = None) -> EnsembleResult:
    """Run every scenario x seed; with `out`, persist each run as it arrives and write the folder's tables.

    `resume=True` expects `out` to hold the manifest of an earlier command over the same `prepared` scenarios and
    runs only the runs without a successful per-run file.
    """
    if engine not in ENGINES:
        raise RunnerError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    faults = dict(faults_from_env()) if faults is None else dict(faults)
    runs = plan_runs(prepared)
    plan = [r.plan_entry() for r in runs]
    folder = ResultsFolder(out) if out is not None else None

    records: dict[tuple[str, int], dict[str, Any]] = {}
    tables: dict[tuple[str, int], pd.DataFrame] = {}
    todo = runs
    manifest: dict[str, Any] = {}
    if folder is not None and resume:
        manifest = folder.read_manifest()
        done = folder.completed(plan)
        for key in done:
            records[key] = folder.read_run_record(*key)
        todo = [r for r in runs if (r.scenario, r.replicate) not in done]

    order = {(r.scenario, r.replicate): i for i, r in enumerate(runs)}

    def sorted_records() -> list[dict[str, Any]]:
        return [records[k] for k in sorted(records, key=order.__getitem__)]

    with contextlib.ExitStack() as stack:
        # start the cluster (or connect) before writing anything: an unreachable scheduler leaves no folder
        eng = stack.enter_context(
            open_engine(engine if todo else "serial", workers=workers, scheduler=scheduler, nruns=len(todo)))
        if folder is not None:
            if resume:
                manifest.setdefault("history", []).append(
                    {"resumed": _now(), "command": shlex.join(command) if command is not None else None,
                     "engine": {"name": engine, "workers": workers, "scheduler": scheduler},
                     "already_done": len(runs) - len(todo), "to_run": len(todo)})
                manifest["status"] = "running"
            else:
                folder.create()
                manifest = build_manifest(prepared, command=command, engine=engine, workers=workers,
                                          scheduler=scheduler, overrides=overrides or {})
                for p in prepared:
                    folder.write_scenario_yaml(p.name, p.yaml_text)
            folder.write_manifest(manifest)

        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(runs), initial=len(runs) - len(todo), unit="run", desc="runs", file=sys.stderr,
                       dynamic_ncols=True)
        status = "interrupted"
        try:
            for record, table in eng.results(todo, run_fn, faults):
                key = (record["scenario"], int(record["replicate"]))
                records[key] = record
                if folder is not None:
                    folder.write_run(record, table)
                    folder.write_runs_jsonl(sorted_records())
                elif table is not None:
                    tables[key] = table
                if bar is not None:
                    bar.update(1)
                    nfail = sum(r["status"] != "ok" for r in records.values())
                    if nfail:
                        bar.set_postfix(failed=nfail)
            status = "complete"
        finally:
            if bar is not None:
                bar.close()
            if folder is not None and status != "complete":
                manifest["status"] = status
                manifest["finished"] = _now()
                folder.write_manifest(manifest)

    all_records = sorted_records()
    if folder is not None:
        ts = folder.assemble(plan)
    else:
        frames = [tables[k] for k in sorted(tables, key=order.__getitem__)]
        ts = pd.concat(frames, ignore_index=True) if frames else empty_timeseries()
    result = EnsembleResult(timeseries=ts, records=all_records,
                            folder=folder.path if folder is not None else None)

    if folder is not None:
        folder.write_runs_jsonl(all_records)
        atomic_write_parquet(folder.timeseries_path, ts)
        if csv:
            atomic_write_csv(folder.path / "timeseries.csv", ts)
        if len(ts):
            atomic_write_csv(folder.summary_path, summarize(ts))
        nfail = len(result.failed)
        manifest["runs"] = {"planned": len(runs), "ok": len(all_records) - nfail, "failed": nfail}
        manifest["status"] = "complete" if nfail == 0 else "complete_with_failures"
        manifest["finished"] = _now()
        folder.write_manifest(manifest)
        if plots and len(ts):
            try:
                from .plots import plot_results

                result.plots = plot_results(folder.path)
            except Exception:
                result.plot_error = traceback.format_exc()
    return result


def prepared_from_folder(path: Path | str) -> list[Prepared]:
    """The scenarios of an earlier command, reloaded from its `scenarios/*.yaml`, for `--resume`.

    Raises RunnerError if the folder has no manifest, a file is missing, or a reloaded scenario's config hash
    differs from the one recorded (the code or the file changed: resuming would mix two models).
    """
    folder = ResultsFolder(path)
    if not folder.path.is_dir():
        raise RunnerError(f"--resume: no such folder: {folder.path}")
    if not folder.manifest_path.exists():
        raise RunnerError(f"--resume: {folder.path} is not a results folder (no {folder.manifest_path.name})")
    try:
        manifest = folder.read_manifest()
        entries = manifest["scenarios"]
    except (ValueError, KeyError) as exc:
        raise RunnerError(f"--resume: unreadable manifest in {folder.path}: {_one_line(exc)}") from None
    from .scenario import ScenarioError, load_scenario

    out = []
    for entry in entries:
        yaml_path = folder.path / entry["file"]
        try:
            scn = load_scenario(yaml_path)
        except (ScenarioError, OSError) as exc:
            raise RunnerError(f"--resume: cannot reload {yaml_path}: {_one_line(exc)}") from None
        p = prepare_scenario(scn, source=entry.get("source"))
        if p.config_hash != entry["config_hash"] or p.seeds != entry["seeds"]["run_seeds"]:
            raise RunnerError(
                f"--resume: scenario {entry['name']} no longer resolves to the config it was run with "
                f"(hash {p.config_hash} != {entry['config_hash']}); start a new results folder")
        out.append(p)
    return out


def iter_plan(prepared: Iterable[Prepared]) -> Iterator[dict[str, Any]]:
    for run in plan_runs(list(prepared)):
        yield run.plan_entry()
