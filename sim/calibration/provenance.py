"""Where a posterior comes from: sha256 of every data file it was fitted to, the code version (git commit and a
hash of the `sim/` Python sources), the method settings, the software versions and the runtime."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..ensemble.manifest import git_state, software_versions

SIM_DIR = Path(__file__).resolve().parents[1]


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sources_sha256(root: Path = SIM_DIR) -> str:
    """sha256 over the paths and contents of every .py file of the `sim` package (the model's code)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest() + b"\0")
    return digest.hexdigest()


def code_version() -> dict[str, Any]:
    return {"git": git_state(SIM_DIR), "sim_sources_sha256": sources_sha256()}


def data_files(paths: Iterable[Path | str]) -> dict[str, str]:
    """File name (relative to the project folder when inside it: sim/data/..., scenarios/...) -> sha256."""
    out = {}
    for p in paths:
        p = Path(p).resolve()
        try:
            name = p.relative_to(SIM_DIR.parent).as_posix()
        except ValueError:
            name = str(p)
        out[name] = sha256_file(p)
    return out


def build(*, data: Iterable[Path | str], settings: Mapping[str, Any], runtime: Mapping[str, Any],
          calibrated: Iterable[str], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "method": "ABC-SMC (pyabc), deterministic seeded sampler (sim.calibration.sampler)",
        "data_sha256": data_files(data),
        "code": code_version(),
        "software": software_versions(extra=("pyabc", "numba")),
        "settings": dict(settings),
        "calibrated_parameters": list(calibrated),
        "runtime": dict(runtime),
        **(dict(extra) if extra else {}),
    }
