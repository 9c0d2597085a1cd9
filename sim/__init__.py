"""Chengxiang: a county-level agent-based model of urban-rural integration in China, on Mesa."""

from __future__ import annotations

import gc
from collections.abc import Callable

import mesa
import pandas as pd

from .engine import City, ChengxiangModel, CountyTown, MigrantWorker, RuralHousehold, no_gc_pauses
from .inputs.config import DEFAULT_CONFIG, normalize_config
from .outcomes.metrics import KEY_METRICS, METRICS
from .inputs.registry import LEVERS, PARAMETERS, UNCERTAINTIES
from .scenario import ScenarioError, load_scenario

__all__ = [
    "ChengxiangModel", "RuralHousehold", "MigrantWorker", "CountyTown", "City", "build_model", "run",
    "load_scenario", "METRICS", "KEY_METRICS", "LEVERS", "UNCERTAINTIES", "PARAMETERS", "DEFAULT_CONFIG",
    "normalize_config", "ScenarioError",
]


def build_model(config=None, seed: int = 0) -> ChengxiangModel:
    """A model at its start year (outcomes already collected once).

    `config`: None (the defaults), a `Scenario` (`load_scenario`) or a mapping, validated like a scenario file;
    a bad one raises `ScenarioError` (``<config>: time.end_year: ...``)."""
    return ChengxiangModel(config, seed=seed)


def run(config=None, seed: int = 0, on_year: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Run to the end year: one row per year (column `year`), one column per metric.

    `on_year(year)` is called after each simulated year (progress reports; it does not change the run)."""
    share_cores_in_workers()
    # The model's agents live as long as the run: move them out of the cyclic GC's generations once built
    # (gc.freeze), so its young- and old-generation passes do not traverse them again and again (7-12 % of a
    # 100 k run). This function owns the model's lifetime: at the end it takes the model apart, so reference
    # counting frees all of it at once (no cycle is left for a GC pass to find), and then unfreezes.
    with no_gc_pauses():
        model = build_model(config, seed)
        gc.freeze()
    try:
        if on_year is None:
            model.run_to_end()
        else:  # the same steps as run_to_end, reporting each year
            while model.running and model.year < model.end_year:
                model.step()
                on_year(model.year)
        return model.results()
    finally:
        release(model)
        model.__dict__.clear()  # Mesa keeps bound methods of the model on it: a cycle holding every array
        gc.unfreeze()


def release(model: ChengxiangModel) -> None:
    """Drop the model's agents so an ensemble in one process does not keep every finished model alive.

    Mesa 3.3 keeps a class-level `Agent._ids` entry per model (fixed in 3.5), which holds the model and all its
    agents; popping it is harmless where it does not exist.
    """
    model.remove_all_agents()
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict) or hasattr(ids, "pop"):
        ids.pop(model, None)


def share_cores_in_workers() -> None:
    """In a Dask worker (one of several processes sharing the cores) the parallel kernels use one thread; in a
    plain process they use every core. Results are the same either way."""
    import sys

    if "distributed" in sys.modules:
        from distributed import get_worker

        try:
            get_worker()
        except ValueError:
            return
        from .engine import kernels

        kernels.use_threads(1)
