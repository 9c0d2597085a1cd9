"""`--resume`: the scenarios of an earlier command, reloaded from its results folder."""

from __future__ import annotations

from pathlib import Path

from ..scenario import ScenarioError, load_scenario
from .engines import one_line
from .errors import EnsembleError
from .folder import ResultsFolder
from .plan import Prepared, prepare_scenario


def prepared_from_folder(path: Path | str) -> list[Prepared]:
    """The scenarios of an earlier command, reloaded from its `scenarios/*.yaml`.

    Raises EnsembleError if the folder has no manifest, a file is missing, or a reloaded scenario's config hash
    differs from the one recorded (the code or the file changed: resuming would mix two models).
    """
    folder = ResultsFolder(path)
    if not folder.path.is_dir():
        raise EnsembleError(f"--resume: no such folder: {folder.path}")
    if not folder.manifest_path.exists():
        raise EnsembleError(f"--resume: {folder.path} is not a results folder (no {folder.manifest_path.name})")
    try:
        manifest = folder.read_manifest()
        entries = manifest["scenarios"]
    except (ValueError, KeyError) as exc:
        raise EnsembleError(f"--resume: unreadable manifest in {folder.path}: {one_line(exc)}") from None
    out = []
    for entry in entries:
        yaml_path = folder.path / entry["file"]
        try:
            scn = load_scenario(yaml_path)
        except (ScenarioError, OSError) as exc:
            raise EnsembleError(f"--resume: cannot reload {yaml_path}: {one_line(exc)}") from None
        p = prepare_scenario(scn, source=entry.get("source"))
        if p.config_hash != entry["config_hash"] or p.seeds != entry["seeds"]["run_seeds"]:
            raise EnsembleError(
                f"--resume: scenario {entry['name']} no longer resolves to the config it was run with "
                f"(hash {p.config_hash} != {entry['config_hash']}); start a new results folder")
        out.append(p)
    return out
