"""Which parameters each run of an ensemble uses (``run.py --parameters``):

- ``posterior`` (the default when a posterior is shipped): each replicate draws its own parameter set from the
  posterior, deterministically from its seed (`Posterior.draw_for_seed`). Scenarios of one command share replicate
  seeds, so replicate r of every scenario has the same draw: differences between scenarios are paired.
- ``point``: every run uses the posterior medians.
- ``defaults``: every run uses the registry defaults (the model before calibration).

A scenario's own ``parameters:`` entries override any of these. Without a shipped posterior there is nothing to
draw: the only mode is ``defaults``, which then changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..ensemble.errors import EnsembleError
from .posterior import Posterior, shipped

MODES = ("posterior", "point", "defaults")
RunFn = Callable[[dict[str, Any], int], pd.DataFrame]


def default_mode() -> str:
    return "posterior" if shipped() is not None else "defaults"


@dataclass(frozen=True, eq=False)
class ParameterDraws:
    """A `RunFn` wrapper: sets the calibrated parameters of each run by `mode` before running `base`.

    Picklable (the posterior sample travels with it to Dask workers, which need no shipped file)."""

    mode: str
    posterior: Posterior | None
    base: RunFn | None = None

    def values_for(self, seed: int) -> dict[str, float]:
        """The calibrated parameters of the run with model seed `seed`."""
        if self.posterior is None:
            return {}
        if self.mode == "posterior":
            return self.posterior.draw_for_seed(seed)
        if self.mode == "point":
            return self.posterior.median()
        from ..inputs.parameters import PARAMETERS

        return {name: PARAMETERS[name].default for name in self.posterior.names}

    def __call__(self, config: dict[str, Any], seed: int) -> pd.DataFrame:
        from ..ensemble.execute import run_model

        params = {**self.values_for(seed), **(config.get("parameters") or {})}  # the scenario's own win
        return (self.base or run_model)({**config, "parameters": params}, seed)

    def manifest_entry(self, seeds: Iterable[int]) -> dict[str, Any]:
        """What the manifest records: the mode, the posterior used (file, sha256) and each seed's parameters."""
        entry: dict[str, Any] = {"mode": self.mode}
        if self.posterior is not None:
            entry["posterior"] = {"file": self.posterior.source, "sha256": self.posterior.sha256,
                                  "particles": len(self.posterior.sample), "calibrated": self.posterior.names}
            entry["values_by_seed"] = {str(s): self.values_for(s) for s in dict.fromkeys(int(s) for s in seeds)}
        return entry


class ModeError(EnsembleError):
    """A mode that cannot be used: one line on the command line, exit 2."""


def recorded_entry(folder: Path | str) -> dict[str, Any] | None:
    """The parameters entry a results folder's manifest recorded (``overrides.parameters``), if any."""
    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
        entry = (manifest.get("overrides") or {}).get("parameters")
    except (OSError, ValueError, AttributeError):
        return None
    return entry if isinstance(entry, dict) else None


def for_command(mode: str | None, resume: Path | str | None = None, base: RunFn | None = None) -> ParameterDraws:
    """The draws of a command: `mode` as given (None: the mode recorded in the folder being resumed, else the
    default).

    ModeError if a posterior mode is asked for without a shipped posterior, or a resumed folder's posterior is
    not the one shipped now."""
    post = shipped()
    recorded = recorded_entry(resume) if resume is not None else None
    if recorded:
        if mode is not None and mode != recorded.get("mode"):
            raise ModeError(f"--resume: the folder ran with --parameters {recorded.get('mode')}; drop --parameters")
        mode = recorded.get("mode", "defaults")
        sha = (recorded.get("posterior") or {}).get("sha256")
        if sha and (post is None or post.sha256 != sha):
            raise ModeError("--resume: the shipped posterior changed since the folder was started; start a new "
                            "results folder")
    mode = mode or default_mode()
    if mode not in MODES:
        raise ModeError(f"--parameters: expected one of {', '.join(MODES)}, got {mode!r}")
    if mode != "defaults" and post is None:
        raise ModeError(f"--parameters {mode}: no posterior is shipped (sim/data/calibration/posterior.parquet); "
                        "run 'python run.py calibrate' and '--ship' it, or use --parameters defaults")
    return ParameterDraws(mode, post, base)
