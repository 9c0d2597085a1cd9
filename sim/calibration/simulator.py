"""The model as the calibration sees it: parameter values in, the fitted points' simulated values out.

Common random numbers: every evaluation runs the same fixed model seeds (`Simulator.seeds`, two by default) and
averages them, so two parameter sets are compared on the same random draws and the distance varies smoothly with
the parameters instead of jumping with seed noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .priors import Prior, to_model

RunFn = Callable[[dict[str, Any], int], pd.DataFrame]


def run_model(config: dict[str, Any], seed: int) -> pd.DataFrame:
    """The default run function: the model itself (`sim.run`)."""
    from .. import run

    return run(config, seed)


def model_seeds(root: int, n: int) -> tuple[int, ...]:
    """The common model seeds of every evaluation: `n` seeds derived from the calibration's root seed."""
    children = np.random.SeedSequence([int(root), 1]).spawn(int(n))
    return tuple(int(c.generate_state(1)[0]) for c in children)


def calibration_config(scenario: Path | str, households: int, last_year: int,
                       priors: Sequence[Prior] = ()) -> dict[str, Any]:
    """The engine-form config the calibration runs: the scenario (the policy history) from its start year to
    `last_year`, with `households` household agents. A scenario that fixes a calibrated parameter in its own
    `parameters:` is refused: ensembles let a scenario's values override posterior draws, so the estimate would
    never be used."""
    from ..scenario import Overrides, ScenarioError, load_scenario

    scn = Overrides(None, households, last_year).apply(load_scenario(scenario))
    config = scn.model_dump(mode="python")
    fixed = sorted(set(config["parameters"]) & {p.name for p in priors})
    if fixed:
        raise ScenarioError([f"{scenario}: parameters: {', '.join(fixed)} {'is' if len(fixed) == 1 else 'are'} "
                             "calibrated: remove from the scenario or from the calibrated list"])
    return config


@dataclass(frozen=True)
class Simulator:
    """Callable for pyabc: sampling-space parameters -> {point id: simulated value, averaged over `seeds`}.

    `points`: (id, metric, year) of each fitted point. `run_fn` replaces the model (the twin-experiment tests
    use a cheap toy through the same machinery)."""

    config: dict[str, Any]
    seeds: tuple[int, ...]
    points: tuple[tuple[str, str, int], ...]
    priors: tuple[Prior, ...]
    run_fn: RunFn = field(default=run_model, compare=False)

    def __call__(self, theta: Mapping[str, float]) -> dict[str, float]:
        return self.simulate(to_model(self.priors, theta))

    def simulate(self, values: Mapping[str, float], seeds: Sequence[int] | None = None) -> dict[str, float]:
        """Simulated value of each point under model parameter `values`, the mean over `seeds` (default: the
        common seeds). A run that fails gives NaN (rejected by the distance)."""
        tables = [self.run(values, s) for s in (self.seeds if seeds is None else seeds)]
        out = {}
        for pid, metric, year in self.points:
            vals = [t.get((metric, year), math.nan) for t in tables]
            out[pid] = float(np.mean(vals))
        return out

    def run(self, values: Mapping[str, float], seed: int) -> dict[tuple[str, int], float]:
        """One run: {(metric, year): value} of the metrics the points need; empty if the run failed."""
        config = dict(self.config, parameters={**self.config["parameters"], **values})
        try:
            df = self.run_fn(config, int(seed))
        except Exception:  # a parameter set the model cannot run is a rejected one, not a failed calibration
            return {}
        metrics = sorted({m for _, m, _ in self.points})
        rows = df.set_index("year")[metrics]
        return {(m, int(y)): float(v) for m in metrics for y, v in rows[m].items()}
