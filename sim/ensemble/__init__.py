"""Ensembles: scenarios x seeds, run serially in process or as one Dask task per run, written as they arrive.

    from sim.ensemble import prepare, run_ensemble, EnsembleOptions
    result = run_ensemble(prepare(["scenarios/baseline.yaml"], seeds=3, households=2000), out=None)
    result.timeseries        # tidy: scenario, seed, year, one column per metric

Modules: `plan` (scenarios with overrides, seeds, runs), `execute` (one run), `engines` (serial, Dask),
`driver` (`run_ensemble`), `resume`, `manifest`, `folder` (the results folder), `files` (atomic writes),
`tables` (tidy tables and summaries), `progress`, `plots` (comparison figures).
"""

from .driver import EnsembleOptions, EnsembleResult, run_ensemble
from .engines import ENGINES, default_workers
from .errors import EnsembleError
from .execute import RunFn, execute_run
from .folder import ResultsFolder
from .plan import Prepared, Run, derive_seeds, parents_missing, plan_runs, prepare, prepare_scenario
from .resume import prepared_from_folder
from .tables import summarize, tidy_run_table

__all__ = [
    "EnsembleOptions", "EnsembleResult", "run_ensemble", "ENGINES", "default_workers", "EnsembleError", "RunFn",
    "execute_run", "ResultsFolder", "Prepared", "Run", "derive_seeds", "plan_runs", "prepare", "prepare_scenario",
    "prepared_from_folder", "summarize", "tidy_run_table", "parents_missing",
]
