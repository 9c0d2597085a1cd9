"""`--resume`: check that a results folder can be finished by this code, and which of its runs are done.

A folder records what determines its results: every scenario's fully resolved config (each default written out),
the package version and a fingerprint of the model's code (`manifest.code_entry`). Resuming refuses, in one line,
a folder whose record differs from what this code would run: finishing it would mix two models in one table.
Each per-run file is checked (a readable record of the planned run; a readable table with the expected columns,
years, scenario and seed); a damaged run is run again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Optional

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..outcomes.metrics import METRICS
from ..scenario import ScenarioError, load_scenario
from .engines import one_line
from .errors import EnsembleError
from .folder import ResultsFolder
from .manifest import code_entry
from .plan import Prepared, Run, check_name, prepare_scenario
from .tables import ID_COLUMNS

RUN_COLUMNS = [*ID_COLUMNS, *METRICS]


# ----------------------------------------------------------------------------------------------- the manifest
class _Seeds(BaseModel):
    root: int
    replicates: int
    run_seeds: list[int]


class _ScenarioEntry(BaseModel):
    name: str
    source: Optional[str] = None
    parent: Optional[str] = None
    config_hash: str
    seeds: _Seeds
    config: dict[str, Any]

    @field_validator("name")
    @classmethod
    def _plain(cls, name: str) -> str:
        try:
            return check_name(name)
        except EnsembleError as exc:
            raise ValueError(str(exc)) from None


class _Code(BaseModel):
    version: Optional[str]
    fingerprint: str


class Manifest(BaseModel):
    """The keys of manifest.json that resuming and plotting rely on (others are kept as they are)."""

    model_config = ConfigDict(extra="allow")

    format: int
    code: _Code
    scenario_names: list[str]
    scenarios: list[_ScenarioEntry]
    status: str
    history: list[dict[str, Any]] = []


class _PlottedScenario(BaseModel):
    name: str
    config: dict[str, Any] = {}
    parent: Optional[str] = None


class PlotManifest(BaseModel):
    """The keys of manifest.json that the plots use: the scenario order, configs and parents."""

    model_config = ConfigDict(extra="allow")

    scenario_names: list[str] = []
    scenarios: list[_PlottedScenario] = []


def read_manifest(folder: ResultsFolder, action: str = "--resume", model: type[BaseModel] = Manifest
                  ) -> tuple[dict[str, Any], Any]:
    """The folder's manifest as written and validated by `model`; EnsembleError (one line) if it is missing or
    damaged."""
    if not folder.path.is_dir():
        raise EnsembleError(f"{action}: no such folder: {folder.path}")
    if not folder.manifest_path.is_file():
        raise EnsembleError(f"{action}: {folder.path} is not a results folder (no {folder.manifest_path.name})")
    try:
        raw = folder.read_manifest()
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EnsembleError(f"{action}: unreadable {folder.manifest_path}: {one_line(exc)}") from None
    if model is Manifest and isinstance(raw, dict) and isinstance(raw.get("format"), int) and raw["format"] != 2:
        raise EnsembleError(f"{action}: {folder.path} was written by an older version (results format "
                            f"{raw['format']}; this is 2); start a new results folder")
    try:
        return raw, model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "top level"
        raise EnsembleError(f"{action}: damaged {folder.manifest_path}: {where}: {err['msg']}") from None


# ----------------------------------------------------------------------------------------------- scenarios
def _first_difference(recorded: Any, current: Any, path: str = "") -> str:
    if isinstance(recorded, dict) and isinstance(current, dict):
        for key in sorted(set(recorded) | set(current), key=str):
            if recorded.get(key, "(missing)") != current.get(key, "(missing)"):
                return _first_difference(recorded.get(key, "(missing)"), current.get(key, "(missing)"),
                                         f"{path}.{key}" if path else str(key))
    return f"{path}: recorded {recorded!r}, now {current!r}"


def prepared_from_folder(path: Path | str) -> list[Prepared]:
    """The scenarios of an earlier command, reloaded from its `scenarios/<name>.yaml`.

    Raises EnsembleError if the folder's manifest is missing or damaged, a scenario file is missing, or what the
    folder recorded differs from what this code would run: the package version, the code's fingerprint, or a
    scenario's fully resolved config (a changed default included).
    """
    folder = ResultsFolder(path)
    _, manifest = read_manifest(folder)
    now = code_entry()
    if manifest.code.version != now["version"]:
        raise EnsembleError(f"--resume: {folder.path} was written by chengxiang {manifest.code.version}, this is "
                            f"{now['version']}; start a new results folder (resuming would mix two models)")
    if manifest.code.fingerprint != now["fingerprint"]:
        raise EnsembleError(f"--resume: the model's code changed since {folder.path} was written (code "
                            f"fingerprint {manifest.code.fingerprint}, now {now['fingerprint']}); start a new "
                            "results folder (resuming would mix two models)")
    out = []
    for entry in manifest.scenarios:
        yaml_path = folder.scenario_path(entry.name)
        try:
            scenario = load_scenario(yaml_path)
        except ScenarioError as exc:
            raise EnsembleError(f"--resume: cannot reload {yaml_path}: {exc.messages[0]}") from None
        p = prepare_scenario(scenario, source=entry.source)
        p.parent = entry.parent
        complete = json.loads(json.dumps(p.complete_config, default=str))
        if complete != entry.config:
            raise EnsembleError(
                f"--resume: scenario {entry.name} no longer resolves to the config it was run with "
                f"({_first_difference(entry.config, complete)}); start a new results folder")
        if p.config_hash != entry.config_hash or p.seeds != entry.seeds.run_seeds:
            raise EnsembleError(f"--resume: scenario {entry.name} no longer resolves to the config it was run with "
                                f"(hash {p.config_hash} != {entry.config_hash}); start a new results folder")
        out.append(p)
    return out


# ----------------------------------------------------------------------------------------------- per-run files
class RunRecord(BaseModel):
    """A runs/<name>-<r>.json record."""

    scenario: str
    replicate: int
    seed: int
    status: Literal["ok", "failed"]
    config_hash: str
    seconds: Optional[float]
    error: Optional[str]
    table_sha256: Optional[str] = None


def _record_problem(folder: ResultsFolder, run: Run) -> tuple[str | None, dict[str, Any] | None]:
    """(problem, record) of a run's record file; (None, record) when it is a valid record of this run."""
    path = folder.run_record_path(run.scenario, run.replicate)
    try:
        record = RunRecord.model_validate(json.loads(path.read_text(encoding="utf-8"))).model_dump()
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValidationError is a ValueError
        return f"unreadable record ({one_line(exc)[:80]})", None
    planned = (run.scenario, run.replicate, run.seed, run.config_hash)
    if (record["scenario"], record["replicate"], record["seed"], record["config_hash"]) != planned:
        return "record of another run", None
    return None, record


def _table_problem(folder: ResultsFolder, run: Run, years: range, sha256: str | None) -> str | None:
    """What is wrong with a run's table, or None: the file its record names (by sha256), else a readable table
    of this run (columns, years, scenario, seed)."""
    path = folder.run_table_path(run.scenario, run.replicate)
    if sha256 is not None:
        try:
            same = hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        except OSError as exc:
            return f"unreadable table ({exc.strerror or exc})"
        return None if same else "table damaged or replaced (not the file its record names)"
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError and others for damaged files
        return f"unreadable table ({one_line(exc)[:80]})"
    if list(table.columns) != RUN_COLUMNS:
        return "table without the expected columns"
    if table["year"].tolist() != list(years):
        return f"table without the years {years.start}-{years.stop - 1}"
    if set(table["scenario"]) != {run.scenario} or set(table["seed"]) != {run.seed}:
        return "table of another run"
    return None


def check_runs(folder: ResultsFolder, runs: Sequence[Run]) -> tuple[dict[tuple[str, int], dict[str, Any]],
                                                                      list[str]]:
    """(records of the runs that are done, one line per damaged run file). A run is done when its record says ok
    and its table is sound; a run whose files exist but are damaged is listed (and will be run again)."""
    done: dict[tuple[str, int], dict[str, Any]] = {}
    damaged: list[str] = []
    for run in runs:
        record_path = folder.run_record_path(run.scenario, run.replicate)
        table_path = folder.run_table_path(run.scenario, run.replicate)
        if not record_path.exists():
            if table_path.exists():
                damaged.append(f"{table_path.name}: no record")
            continue
        problem, record = _record_problem(folder, run)
        if problem is None and record["status"] != "ok":
            continue  # a failed run: run again, nothing is damaged
        if problem is None:
            if not table_path.exists():
                problem = "no table"
            else:
                time = run.config["time"]
                problem = _table_problem(folder, run, range(time["start_year"], time["end_year"] + 1),
                                         record.get("table_sha256"))
        if problem is None:
            done[run.key] = record
        else:
            damaged.append(f"{record_path.stem}: {problem}")
    return done, damaged
