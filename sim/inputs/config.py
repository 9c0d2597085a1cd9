"""The run configuration the engine accepts: `normalize_config` turns any accepted input into it.

A config is a plain mapping in engine form (what a validated `sim.scenario.Scenario` dumps)::

    {"name": str, "description": str,
     "world": {"preset": "china" | "province", "households": int, "counties": int | None,
               "counties_csv": path | None, "cities_csv": path | None},
     "time": {"start_year": int, "end_year": int},
     "seeds": {"root": int, "replicates": int},
     "uncertainties": {name: value | schedule}, "levers": {name: value | schedule},
     "parameters": {name: value}}           # model parameters (sim.inputs.registry.PARAMETERS)

The scenario schema (`sim.scenario.schema`) is the single home of the defaults and the checks: a hand-written
dict goes through the same validation as a scenario file, missing keys take the schema's defaults, and a bad
value raises `sim.scenario.ScenarioError` (``<config>: time.end_year: ...``).
"""

from __future__ import annotations

import copy
from typing import Any

from ..scenario import Scenario, validate_config

DEFAULT_CONFIG: dict[str, Any] = Scenario().model_dump(mode="python")
"""Every default, in engine form (a copy of the schema's; changing it changes nothing)."""


def normalize_config(config: Any = None) -> dict[str, Any]:
    """The engine-form config of `config`: None (all defaults), a mapping (validated) or a `Scenario`."""
    if config is None:
        return copy.deepcopy(DEFAULT_CONFIG)
    return validate_config(config).model_dump(mode="python")
