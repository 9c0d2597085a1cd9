"""A results folder on disk: paths, per-run files as they arrive, and the assembled tables.

Layout (see docs/running.md)::

    DIR/
      manifest.json           command, versions, git commit, seeds, resolved scenarios, run plan
      scenarios/<name>.yaml   each scenario as it was run (resolved, overrides applied)
      runs/<name>-<r>.parquet one file per finished run (r = replicate index), written as it arrives
      runs/<name>-<r>.json    the run's record (status, seed, config hash, seconds, error)
      runs.jsonl              one line per run, rewritten (atomically) as runs arrive
      timeseries.parquet      tidy table: scenario, seed, year, one column per metric
      timeseries.csv          the same, with --csv
      summary.csv             per scenario and metric: median, 10th and 90th percentile in the final year and 2035
      plots/                  figures (sim.ensemble.plots)
      .lock                   held by the command writing the folder (sim.ensemble.lock)

Every file is written atomically (`files`), so an interrupted command never leaves a half-written file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import EnsembleError
from .files import atomic_write_bytes, atomic_write_json, atomic_write_text, json_default, parquet_bytes
from .lock import LOCK_NAME
from .plan import check_name
from .tables import empty_timeseries

MANIFEST = "manifest.json"
TIMESERIES = "timeseries.parquet"
TIMESERIES_CSV = "timeseries.csv"
RUNS_JSONL = "runs.jsonl"
SUMMARY = "summary.csv"


def run_key(scenario: str, replicate: int) -> str:
    """File stem of one run: ``baseline-003`` (the name is checked: it cannot lead out of the folder)."""
    return f"{check_name(scenario)}-{int(replicate):03d}"


class Folder:
    """What every results folder has: a manifest, the scenario files it ran, plots (ensembles, analyses)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def scenarios_dir(self) -> Path:
        return self.path / "scenarios"

    @property
    def plots_dir(self) -> Path:
        return self.path / "plots"

    def scenario_path(self, name: str) -> Path:
        return self.scenarios_dir / f"{check_name(name)}.yaml"

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        atomic_write_json(self.manifest_path, manifest)

    def write_scenario_yaml(self, name: str, text: str) -> None:
        atomic_write_text(self.scenario_path(name), text)


class ResultsFolder(Folder):
    """Paths and readers/writers of one ensemble results folder."""

    # paths
    @property
    def runs_dir(self) -> Path:
        return self.path / "runs"

    @property
    def timeseries_path(self) -> Path:
        return self.path / TIMESERIES

    @property
    def timeseries_csv_path(self) -> Path:
        return self.path / TIMESERIES_CSV

    @property
    def summary_path(self) -> Path:
        return self.path / SUMMARY

    @property
    def runs_jsonl_path(self) -> Path:
        return self.path / RUNS_JSONL

    def create(self) -> None:
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.scenarios_dir.mkdir(parents=True, exist_ok=True)

    def make_dir(self) -> None:
        """The folder itself (and its parents); EnsembleError (one line) if it cannot be created."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EnsembleError(f"cannot create the results folder {self.path}: {exc.strerror or exc}") from None

    def is_empty(self) -> bool:
        """Nothing in the folder but (perhaps) its lock file."""
        return all(p.name == LOCK_NAME for p in self.path.iterdir())

    def check_writable(self) -> None:
        """EnsembleError (one line) unless a file can be written in the folder and its existing subfolders."""
        for where in (self.path, self.runs_dir, self.scenarios_dir, self.plots_dir):
            if not where.is_dir():
                continue
            try:
                fd, tmp = tempfile.mkstemp(prefix=".write-check.", dir=where)
                os.close(fd)
                os.unlink(tmp)
            except OSError as exc:
                raise EnsembleError(f"cannot write to the results folder {where}: {exc.strerror or exc}") from None

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    # manifest and scenarios
    def read_manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    # per-run files
    def run_table_path(self, scenario: str, replicate: int) -> Path:
        return self.runs_dir / f"{run_key(scenario, replicate)}.parquet"

    def run_record_path(self, scenario: str, replicate: int) -> Path:
        return self.runs_dir / f"{run_key(scenario, replicate)}.json"

    def write_run(self, record: dict[str, Any], table: pd.DataFrame | None) -> None:
        """Persist one finished run: its table first (if it succeeded), then its record, which gets the table's
        sha256 (`table_sha256`), so that resuming can tell a damaged or replaced table."""
        scenario, replicate = record["scenario"], int(record["replicate"])
        if table is not None:
            data = parquet_bytes(table, {"chengxiang.seed": record["seed"],
                                         "chengxiang.config_hash": record.get("config_hash", "")})
            atomic_write_bytes(self.run_table_path(scenario, replicate), data)
            record["table_sha256"] = hashlib.sha256(data).hexdigest()
        else:  # a failed rerun must not leave an older success behind
            self.run_table_path(scenario, replicate).unlink(missing_ok=True)
        atomic_write_json(self.run_record_path(scenario, replicate), dict(record))

    def write_runs_jsonl(self, records: Sequence[Mapping[str, Any]]) -> None:
        lines = [json.dumps(dict(r), sort_keys=False, default=json_default) for r in records]
        atomic_write_text(self.runs_jsonl_path, "".join(line + "\n" for line in lines))

    def read_runs(self) -> list[dict[str, Any]]:
        if not self.runs_jsonl_path.exists():
            return []
        return [json.loads(line) for line in self.runs_jsonl_path.read_text(encoding="utf-8").splitlines() if line]

    # assembled tables
    def assemble(self, plan: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
        """The tidy table of every successful planned run, in plan order (scenario order, replicate), by year."""
        frames = []
        for run in plan:
            p = self.run_table_path(run["scenario"], run["replicate"])
            if p.exists():
                try:
                    frames.append(pd.read_parquet(p))
                except Exception as exc:  # damaged since it was written: pyarrow raises several types
                    raise EnsembleError(f"cannot read {p}: {type(exc).__name__}; run again with --resume "
                                        f"{self.path} to rerun damaged runs") from None
        if not frames:
            return empty_timeseries()
        return pd.concat(frames, ignore_index=True)

    def read_timeseries(self) -> pd.DataFrame:
        return pd.read_parquet(self.timeseries_path)
