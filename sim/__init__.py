"""Chengxiang: a county-level agent-based model of urban-rural integration in China, on Mesa."""

from __future__ import annotations

import mesa
import pandas as pd

from .agents import City, CountyTown, MigrantWorker, RuralHousehold
from .config import DEFAULT_CONFIG, normalize_config
from .metrics import KEY_METRICS, METRICS
from .model import ChengxiangModel
from .parameters import CALIBRATION, LEVERS, UNCERTAINTIES

__all__ = [
    "ChengxiangModel", "RuralHousehold", "MigrantWorker", "CountyTown", "City", "build_model", "run",
    "load_scenario", "METRICS", "KEY_METRICS", "LEVERS", "UNCERTAINTIES", "CALIBRATION", "DEFAULT_CONFIG",
    "normalize_config",
]


def build_model(config=None, seed: int = 0) -> ChengxiangModel:
    """A model at its start year (outcomes already collected once). `config=None` means the defaults."""
    return ChengxiangModel(config, seed=seed)


def run(config=None, seed: int = 0) -> pd.DataFrame:
    """Run to the end year: one row per year (column `year`), one column per metric."""
    model = build_model(config, seed)
    model.run_to_end()
    results = model.results()
    release(model)
    return results


def release(model: ChengxiangModel) -> None:
    """Drop the model's agents so an ensemble in one process does not keep every finished model alive.

    Mesa 3.3 keeps a class-level `Agent._ids` entry per model (fixed in 3.5), which holds the model and all its
    agents; popping it is harmless where it does not exist.
    """
    model.remove_all_agents()
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict) or hasattr(ids, "pop"):
        ids.pop(model, None)


def load_scenario(path):
    """The resolved, validated scenario in a YAML file (see docs/scenarios.md)."""
    from .scenario import load_scenario as _load

    return _load(path)
