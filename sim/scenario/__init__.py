"""Scenarios: validated YAML files with dated policy schedules, and Python mappings checked by the same schema
(format: docs/scenarios.md).

    from sim.scenario import load_scenario, ScenarioError
    scenario = load_scenario("scenarios/integrated.yaml")   # resolved (`extends` applied) and validated
    sim.run(scenario, seed=1)                               # the engine takes it as is
    scenario.to_yaml()                                      # the resolved scenario, to save with results
    scenario.config_hash()                                  # sha256 of the resolved content

Every problem is reported at once by `ScenarioError.messages`, one line each: ``path/file.yaml:LINE: dotted.key:
message`` (``<config>: dotted.key: message`` for a mapping). Nothing here raises anything else for bad input.

Modules: `yaml_reader` (strict YAML with line numbers) and `yaml_writer`, `fields` and `schema` (the pydantic
models, the one home of every default), `resolve` (`extends`), `messages` (errors as lines), `load` (entry
points), `overrides` (`--seeds`, `--households`, `--end-year`), `docs` (the generated tables of the docs).
"""

from .fields import NAME_PATTERN, YEAR_MAX, YEAR_MIN
from .load import CONFIG_SOURCE, load_scenario, validate_config, validate_files
from .messages import ScenarioError
from .overrides import Overrides
from .resolve import PROJECT_DIR, SCENARIO_DIR, extended_file
from .schema import Scenario, Seeds, Time, ValueSpec, World, json_schema

__all__ = [
    "Scenario", "ScenarioError", "load_scenario", "validate_config", "validate_files", "json_schema", "Overrides",
    "World", "Time", "Seeds", "ValueSpec", "SCENARIO_DIR", "PROJECT_DIR", "YEAR_MIN", "YEAR_MAX", "NAME_PATTERN",
    "CONFIG_SOURCE", "extended_file",
]
