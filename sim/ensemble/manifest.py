"""The manifest of a results folder: the command, software versions, git state, engine, overrides, every
scenario's resolved config and seeds, the run counts and the resume history."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .plan import Prepared

FORMAT_VERSION = 2
SIM_DIR = Path(__file__).resolve().parents[1]


def now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def software_versions(extra: Sequence[str] = ()) -> dict[str, str | None]:
    """Python and the versions of the packages a result depends on (and of `extra` ones; None if not installed)."""
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("chengxiang", "mesa", "numpy", "pandas", "pyarrow", "dask", "distributed", "matplotlib", *extra):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def package_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("chengxiang")
    except metadata.PackageNotFoundError:
        return None


def code_fingerprint(root: Path = SIM_DIR) -> str:
    """sha256 of every file of the `sim` package (paths and contents; not caches): the model's code and data."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and p.suffix not in (".pyc", ".pyo")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def code_entry() -> dict[str, Any]:
    """What, besides the configs, determines a folder's results: the package version and the code."""
    return {"version": package_version(), "fingerprint": code_fingerprint()}


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
        "code": code_entry(),
        "git": git_state(),
        "engine": engine,
        "overrides": dict(overrides),
        "scenario_names": [p.name for p in prepared],
        "scenarios": [
            {
                "name": p.name,
                "source": p.source,
                "parent": p.parent,
                "file": f"scenarios/{p.name}.yaml",
                "config_hash": p.config_hash,
                "seeds": {"root": p.root, "replicates": p.replicates, "run_seeds": p.seeds},
                # the fully resolved config: every lever, uncertainty and parameter written out
                "config": json.loads(json.dumps(p.complete_config, default=str)),
            }
            for p in prepared
        ],
        "runs": {"planned": sum(p.replicates for p in prepared)},
        "status": "running",
        "history": [],
    }
