"""One run of the model, wherever it executes (this process or a Dask worker).

A run catches its own exceptions and comes back as a failure record with the traceback (a deterministic error is
recorded, not retried); only an interruption (Ctrl-C) escapes. `run_fn` replaces the model in tests: a function
that raises, kills its process or hangs exercises failure handling and interruption.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

import pandas as pd

from .plan import Run
from .tables import tidy_run_table

RunFn = Callable[[dict[str, Any], int], pd.DataFrame]
"""(engine-form config, seed) -> one row per year, one column per metric (what `sim.run` returns)."""


def run_model(config: dict[str, Any], seed: int, on_year: Callable[[int], None] | None = None) -> pd.DataFrame:
    """The default `RunFn`: the model itself (imported where the run executes); `on_year(year)` after each year."""
    from .. import run

    return run(config, seed, on_year=on_year)


def execute_run(run: Run, run_fn: RunFn | None = None, on_year: Callable[[int], None] | None = None
                ) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one simulation; never raises for model errors: returns (record, tidy table or None).

    `on_year` hears each simulated year of the model (a `run_fn` given instead of the model does not report)."""
    started = time.perf_counter()
    table = None
    error = None
    try:
        df = run_fn(run.config, run.seed) if run_fn is not None else run_model(run.config, run.seed, on_year)
        table = tidy_run_table(df, run.scenario, run.seed)
    except Exception as exc:
        if caused_by_interrupt(exc):
            raise KeyboardInterrupt from exc
        error = traceback.format_exc()
        table = None
    return run_record(run, error, round(time.perf_counter() - started, 3)), table


def run_record(run: Run, error: str | None, seconds: float | None) -> dict[str, Any]:
    """The record of one run: what ran (scenario, replicate, seed, config hash), its status and its error."""
    return {
        "scenario": run.scenario,
        "replicate": run.replicate,
        "seed": run.seed,
        "status": "ok" if error is None else "failed",
        "config_hash": run.config_hash,
        "seconds": seconds,
        "error": error,
    }


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
