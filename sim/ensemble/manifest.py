"""The manifest of a results folder: the command, software versions, git state, engine, overrides, every
scenario's resolved config and seeds, the run counts and the resume history."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .plan import Prepared

FORMAT_VERSION = 1


def now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def software_versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("chengxiang", "mesa", "numpy", "pandas", "pyarrow", "dask", "distributed", "matplotlib"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def git_state(where: Path | None = None) -> dict[str, Any] | None:
    where = where or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True,
                                timeout=10)
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                               capture_output=True, text=True, timeout=10)
        return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return None


def command_line(command: Sequence[str] | None) -> str | None:
    return shlex.join(command) if command is not None else None


def engine_entry(engine: str, workers: int | None, scheduler: str | None) -> dict[str, Any]:
    return {"name": engine, "workers": workers, "scheduler": scheduler}


def build_manifest(prepared: Sequence[Prepared], *, command: Sequence[str] | None, engine: dict[str, Any],
                   overrides: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "command": command_line(command),
        "cwd": os.getcwd(),
        "created": now(),
        "versions": software_versions(),
        "git": git_state(),
        "engine": engine,
        "overrides": dict(overrides),
        "scenario_names": [p.name for p in prepared],
        "scenarios": [
            {
                "name": p.name,
                "source": p.source,
                "file": f"scenarios/{p.name}.yaml",
                "config_hash": p.config_hash,
                "seeds": {"root": p.root, "replicates": p.replicates, "run_seeds": p.seeds},
                "config": json.loads(json.dumps(p.config, default=str)),
            }
            for p in prepared
        ],
        "runs": {"planned": sum(p.replicates for p in prepared)},
        "status": "running",
        "history": [],
    }
