"""Entry points that turn user input into a validated `Scenario`: files (`load_scenario`, `validate_files`) and
Python mappings (`validate_config`). Bad input of any kind raises `ScenarioError`, never anything else."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from .messages import Problems, ScenarioError, validation_problems
from .resolve import resolve
from .schema import Scenario
from .yaml_reader import kind

CONFIG_SOURCE = "<config>"
"""How a Python mapping is named in messages (in place of a file name)."""


def load_scenario(path: str | os.PathLike) -> Scenario:
    """The resolved, validated scenario in `path`; raises ScenarioError listing every problem."""
    display = os.fspath(path) if not isinstance(path, bytes) else path.decode(errors="replace")
    try:
        return _load(Path(display), display)
    except ScenarioError:
        raise
    except Exception as exc:  # a bug, not bad input: still one clear line, never a traceback for the user
        raise ScenarioError([f"{display}: internal error while reading the scenario "
                             f"({type(exc).__name__}: {exc}); please report it"]) from exc


def _load(path: Path, display: str) -> Scenario:
    problems = Problems()
    problems.absolute = os.path.isabs(display)
    files: list[str] = []
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        real = path
    resolved = resolve(path, display, [real], problems, files)
    scenario = None
    if resolved is not None:
        try:
            scenario = Scenario.model_validate(resolved.data)
        except ValidationError as exc:
            validation_problems(exc, resolved.data, resolved.lines, resolved.root, problems)
    if problems.items or scenario is None:
        raise ScenarioError(problems.messages(files) or [f"{display}: not a valid scenario"])
    return scenario


def validate_config(config: Any, source: str = CONFIG_SOURCE) -> Scenario:
    """A Python mapping (or a `Scenario`) validated through the same schema as files.

    Raises ScenarioError with one ``<config>: dotted.key: message`` per problem (`source` replaces
    ``<config>``). Missing keys take the schema's defaults.
    """
    if isinstance(config, Scenario):
        return config
    if not isinstance(config, Mapping):
        raise ScenarioError([f"{source}: a scenario is a mapping of keys (name, world, time, seeds, "
                             f"uncertainties, levers, parameters), got {kind(config)}"])
    try:
        return Scenario.model_validate(dict(config))
    except ValidationError as exc:
        problems = Problems()
        validation_problems(exc, config, {}, (source, None), problems)
        raise ScenarioError(problems.messages([source])) from None


def validate_files(paths: Iterable[str | os.PathLike], out: TextIO | None = None) -> int:
    """Check scenario files: every error of every file on `out` (stderr), "OK path" on stdout; 0 or 2."""
    out = out if out is not None else sys.stderr
    status = 0
    for path in paths:
        try:
            load_scenario(path)
        except ScenarioError as exc:
            status = 2
            for line in exc.messages:
                print(line, file=out)
        else:
            print(f"OK {os.fspath(path)}", file=sys.stdout)
    return status
