"""An analysis results folder on disk, in the ensemble format (docs/analysis.md)::

    DIR/
      manifest.json          command, versions, git commit, engine, inputs with ranges, method, seeds, status,
                             history
      scenarios/<name>.yaml  the base scenario (sensitivity) or each strategy (robustness) as run
      samples.parquet        one row per run: point labels, replicate, seed, status, sampled inputs, outcomes;
                             rewritten atomically as runs arrive
      morris.csv | sobol.csv                                     (sensitivity)
      outcomes.csv, regret.csv, satisficing.csv, prim.csv         (robustness)
      plots/

Every file is written atomically (`sim.ensemble.files`), so an interrupted command leaves complete files only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..ensemble.files import atomic_write_csv, atomic_write_parquet
from ..ensemble.folder import MANIFEST, Folder
from ..ensemble.manifest import command_line, engine_entry, git_state, now, software_versions
from .errors import AnalysisError

FORMAT_VERSION = 1
SAMPLES = "samples.parquet"
RUN_COLUMNS = ["replicate", "seed", "status", "seconds", "error"]


class AnalysisFolder(Folder):
    """Paths, manifest and tables of one analysis results folder."""

    @property
    def samples_path(self) -> Path:
        return self.path / SAMPLES

    def create(self) -> None:
        self.scenarios_dir.mkdir(parents=True, exist_ok=True)

    def read_manifest(self, kind: str) -> dict[str, Any]:
        """The manifest of an earlier `kind` command, for --resume; AnalysisError if there is none."""
        if not self.path.is_dir():
            raise AnalysisError(f"--resume: no such folder: {self.path}")
        if not self.manifest_path.is_file():
            raise AnalysisError(f"--resume: {self.path} is not a results folder (no {MANIFEST})")
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise AnalysisError(f"--resume: unreadable {self.manifest_path}: {exc}") from None
        if manifest.get("kind") != kind:
            raise AnalysisError(f"--resume: {self.path} holds a {manifest.get('kind') or 'scenario ensemble'} "
                                f"folder, not a {kind} one")
        return manifest

    def write_table(self, name: str, df: pd.DataFrame) -> Path:
        return atomic_write_csv(self.path / name, df)

    def read_samples(self) -> pd.DataFrame | None:
        return pd.read_parquet(self.samples_path) if self.samples_path.is_file() else None


def new_manifest(kind: str, *, command: Sequence[str] | None, engine: str, workers: int | None,
                 scheduler: str | None, settings: Mapping[str, Any]) -> dict[str, Any]:
    """A manifest with the common head (command, versions, git, engine) and the analysis' own settings."""
    versions = software_versions(extra=("SALib", "ema_workbench"))
    return {"format": FORMAT_VERSION, "kind": kind, "command": command_line(command), "cwd": str(Path.cwd()),
            "created": now(), "versions": versions, "git": git_state(),
            "engine": engine_entry(engine, workers, scheduler), **settings, "status": "running", "history": []}


def resumed(manifest: dict[str, Any], *, command: Sequence[str] | None, engine: str, workers: int | None,
            scheduler: str | None, done: int, to_run: int) -> dict[str, Any]:
    manifest.setdefault("history", []).append(
        {"resumed": now(), "command": command_line(command), "engine": engine_entry(engine, workers, scheduler),
         "already_done": done, "to_run": to_run})
    manifest["status"] = "running"
    return manifest


class SamplesFile:
    """Every run's row, kept in plan order and rewritten to samples.parquet as runs arrive.

    The file is rewritten at most once every `interval` seconds (and always by `flush(force=True)`, which the
    runner calls when the command ends or is interrupted): a rewrite costs time proportional to the rows, so
    thousands of runs would otherwise spend minutes rewriting. A killed process loses at most the last
    `interval` seconds of runs, which --resume runs again.
    """

    def __init__(self, path: Path, order: Sequence[tuple[str, int]], columns: Sequence[str],
                 interval: float = 2.0):
        self.path = path
        self.rank = {key: i for i, key in enumerate(order)}
        self.columns = list(columns)
        self.rows: dict[tuple[str, int], dict[str, Any]] = {}
        self.interval = interval
        self.written = time.monotonic()
        self.dirty = False

    def add(self, key: tuple[str, int], row: Mapping[str, Any]) -> None:
        self.rows[key] = dict(row)
        self.dirty = True
        if time.monotonic() - self.written >= self.interval:
            self.flush(force=True)

    def frame(self) -> pd.DataFrame:
        keys = sorted(self.rows, key=self.rank.__getitem__)
        df = pd.DataFrame([self.rows[k] for k in keys], columns=self.columns)
        for col in ("replicate", "seed"):
            df[col] = df[col].astype("int64")
        df["status"] = df["status"].astype(str)
        df["error"] = df["error"].astype(object).where(df["error"].notna(), None)
        return df

    def flush(self, force: bool = False) -> None:
        if self.dirty and (force or time.monotonic() - self.written >= self.interval):
            atomic_write_parquet(self.path, self.frame())
            self.written = time.monotonic()
            self.dirty = False
