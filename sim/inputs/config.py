"""The run configuration the engine accepts, and its defaults.

A config is a plain mapping (what `sim.load_scenario` returns after validation, or a dict written by hand):

    {"name": str, "description": str,
     "world": {"preset": "china" | "province", "households": int, "counties": int | None,
               "counties_csv": path | None, "cities_csv": path | None},
     "time": {"start_year": int, "end_year": int},
     "seeds": {"root": int, "replicates": int},
     "uncertainties": {name: value | schedule}, "levers": {name: value | schedule},
     "parameters": {name: value}}           # model parameters (sim.inputs.registry.PARAMETERS)

Missing keys take the defaults below; `None` means all defaults.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .registry import PARAMETERS

DEFAULT_CONFIG: dict[str, Any] = {
    "name": "default",
    "description": "Defaults: china preset, no policy change from 2013.",
    "world": {"preset": "china", "households": 100_000, "counties": None, "counties_csv": None, "cities_csv": None},
    "time": {"start_year": 2013, "end_year": 2035},
    "seeds": {"root": 0, "replicates": 10},
    "uncertainties": {},
    "levers": {},
    "parameters": {},
}


def _merge(base: dict, override: Mapping) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict) and key not in ("levers", "uncertainties"):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def normalize_config(config: Any = None) -> dict[str, Any]:
    """Defaults filled in; accepts None, a mapping, or a validated scenario object (anything with `model_dump`)."""
    if config is None:
        return copy.deepcopy(DEFAULT_CONFIG)
    if hasattr(config, "model_dump"):
        config = config.model_dump(mode="python", exclude_none=False)
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a mapping or a scenario object, not {type(config).__name__}")
    merged = _merge(copy.deepcopy(DEFAULT_CONFIG), config)
    unknown = set(merged["parameters"]) - set(PARAMETERS)
    if unknown:
        raise KeyError(f"unknown parameters: {sorted(unknown)}")
    return merged
