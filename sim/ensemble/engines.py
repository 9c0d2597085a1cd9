"""Where runs execute: in this process (`SerialEngine`) or as one Dask task per run (`DaskEngine`, on an embedded
LocalCluster or a running scheduler). Both yield (record, table) per run as runs finish."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pandas as pd

from .errors import EnsembleError
from .execute import RunFn, execute_run, run_record
from .plan import Run

ENGINES = ("serial", "dask")
Finished = Iterator[tuple[dict[str, Any], pd.DataFrame | None]]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return " ".join(line.strip() for line in text[:3]) if text else type(exc).__name__


@contextlib.contextmanager
def noticing_interrupts() -> Iterator[Callable[[], bool]]:
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


class SerialEngine:
    """Runs in this process, in plan order."""

    name = "serial"

    def __enter__(self) -> "SerialEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def results(self, runs: Sequence[Run], run_fn: RunFn | None = None, watch: Any = None) -> Finished:
        """(record, table) per run; `watch` (a `Progress`) hears when each run starts and each year it finishes."""
        with noticing_interrupts() as interrupted:
            for run in runs:
                on_year = None
                if watch is not None:
                    watch.started(run)
                    on_year = functools.partial(watch.year, run)
                yield execute_run(run, run_fn, on_year)
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
        try:
            if self.scheduler:
                self._connect()
            else:
                self._start_cluster()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _connect(self) -> None:
        from distributed import Client

        try:
            self.client = Client(self.scheduler, timeout="5s")
        except (OSError, ValueError, TypeError) as exc:  # unreachable; not an address ("missing port number")
            raise EnsembleError(f"cannot connect to Dask scheduler {self.scheduler}: {one_line(exc)}") from None

    def _start_cluster(self) -> None:
        import dask
        from distributed import Client, LocalCluster

        n = int(self.workers or default_workers())
        if self.nruns:
            n = min(n, self.nruns)
        # a crashed worker (segfault, OOM kill, os._exit) fails its task at once instead of it being retried 3
        # times; worker-saturation 1.0 keeps at most one task per thread on a worker. These are read when the
        # scheduler starts: an external scheduler needs them in its own config (docs/running.md).
        # The nanny's default MALLOC_TRIM_THRESHOLD_=65536 for worker processes turns off glibc's dynamic mmap
        # threshold: every large numpy temporary is then mmap'ed and unmapped, and a 100 000-household run took
        # 11.6 s instead of 5.8 s. Workers get the same allocator as a serial run.
        with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                              "distributed.scheduler.worker-saturation": 1.0,
                              "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
            self.cluster = LocalCluster(n_workers=max(1, n), threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.CRITICAL)
        self.client = Client(self.cluster)

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
                raise EnsembleError(f"no Dask workers joined scheduler {self.scheduler} within 120 s") from None
            threads = sum(self.client.nthreads().values())
        return max(1, threads)

    def results(self, runs: Sequence[Run], run_fn: RunFn | None = None, watch: Any = None) -> Finished:
        """(record, table) per run as runs finish; `watch` (a `Progress`) hears when each task is submitted (at
        most one per worker thread, so submitted is running). Tasks do not report their years."""
        from distributed import as_completed

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
                fut = self.client.submit(execute_run, run, run_fn, pure=False, retries=0,
                                         key=f"chengxiang-run-{token}-{run.scenario}-{run.replicate:03d}")
                futures[fut] = run
                stream.add(fut)
                if watch is not None:
                    watch.started(run)

        top_up()
        for fut in stream:
            run = futures.pop(fut)
            record, table = _outcome(fut, run)
            fut.release()
            top_up()
            yield record, table


def _outcome(fut: Any, run: Run) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """A finished future's (record, table); a task the cluster lost is a failed run."""
    from distributed.scheduler import KilledWorker

    if fut.status == "finished":
        try:
            return fut.result()
        except Exception:  # lost between finishing and fetching
            return run_record(run, traceback.format_exc(), None), None
    exc = fut.exception()
    tb = fut.traceback()
    if isinstance(exc, KilledWorker):
        text = ("the worker process died while running this task (a crash, out of memory, or os._exit); not "
                f"retried: {exc!r}")
    else:
        text = "task failed on the cluster: " + (
            "".join(traceback.format_exception(type(exc), exc, tb)) if tb is not None else repr(exc))
    return run_record(run, text, None), None


def open_engine(engine: str = "serial", *, workers: int | None = None, scheduler: str | None = None,
                nruns: int | None = None) -> SerialEngine | DaskEngine:
    """The engine as a context manager: ``with open_engine("dask", workers=2) as e: e.results(runs)``."""
    if engine == "serial":
        return SerialEngine()
    if engine == "dask":
        return DaskEngine(workers=workers, scheduler=scheduler, nruns=nruns)
    raise EnsembleError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
