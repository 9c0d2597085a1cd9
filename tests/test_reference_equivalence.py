"""The engine and the idiomatic-Mesa reference (sim/reference.py) agree within sampling noise.

Both start from the same initial state (the reference copies a freshly built engine model into one Mesa agent per
household and migrant) and face the same place-level demand shocks; their per-agent random draws differ. For
each seed the engine is also rerun from the identical initial state with R other dynamic seeds, which measures
the run-to-run noise of every metric. Per metric, over S seeds:

    Z = mean_s(reference_s - mean_r engine_s,r) / (sigma_pooled * sqrt((1 + 1/R) / S))

where sigma_pooled is the engine's pooled within-seed standard deviation. Under equivalence Z is roughly
t-distributed with S(R-1) degrees of freedom; the test fails if |Z| > Z_MAX for any metric (a Bonferroni-style
bound over the metrics compared). Two worlds: the china preset with default levers, and the province preset with
the land, hukou and finance levers switched on (paid exits, forced surrender, quotas, talent).

Power (checked by hand with a mutated reference): shifting one choice constant of the reference
(`home_to_town`) by +0.5 gives |Z| = 15 on local migrant workers and fails the test; a +0.15 shift (about
+16 % in the odds of that choice) gives |Z| < 2.4 and passes. Rules that differ by less than that are not
detected at this size; it runs in about 25 CPU seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import mesa
import numpy as np
import pytest


from sim.reference import ReferenceModel  # noqa: E402

from sim import ChengxiangModel  # noqa: E402
from sim.engine.streams import RandomStreams  # noqa: E402

SEEDS = (11, 12, 13, 14)
ENGINE_REPEATS = 4  # R: engine reruns per seed from the same initial state
Z_MAX = 4.5
METRICS = ["urbanization_rate", "hukou_urbanization_rate", "migrant_workers", "migrant_workers_local",
           "urban_rural_income_ratio", "land_transfer_share", "abandoned_land_share", "idle_homestead_share",
           "rural_elderly_share", "income_gini", "county_town_share", "rural_residents"]
WORLDS = {
    "china": {"world": {"preset": "china", "households": 4000, "counties": 40},
              "time": {"start_year": 2013, "end_year": 2022}},
    "province_levers": {
        "world": {"preset": "province", "households": 4000, "counties": 30},
        "time": {"start_year": 2013, "end_year": 2022},
        "levers": {"land_paid_exit": 1.0, "land_exit_compensation": 25.0, "land_rights_kept_on_settling": 0.5,
                   "unified_construction_land_market": 1.0, "urban_talent_incentive": 0.5,
                   "rural_finance_access": 0.7, "settlement_openness_large_ii": 0.8,
                   "residence_years_required": 1.0},
    },
}


def engine_with_dynamic_seed(config, seed: int, dynamic_seed: int | None) -> ChengxiangModel:
    """An engine model in its initial state for `seed`; from then on its draws come from `dynamic_seed` (the
    place-level shocks stay those of `seed`)."""
    model = ChengxiangModel(config, seed=seed)
    if dynamic_seed is not None:
        shocks = model.streams["shocks"]
        model.streams = RandomStreams(dynamic_seed)
        model.streams._streams["shocks"] = shocks
    return model


def final(model) -> np.ndarray:
    model.run_to_end()
    out = model.results().iloc[-1][METRICS].to_numpy(float)
    release(model)
    return out


def release(model) -> None:
    """Mesa 3.3 keeps every model alive through `Agent._ids` (mesa issue #3179): let it go."""
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def z_scores(config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    refs, engine_means, engine_vars = [], [], []
    for seed in SEEDS:
        start = ChengxiangModel(config, seed=seed)
        reference = ReferenceModel.from_engine(start, seed=seed)
        runs = [final(start)] + [final(engine_with_dynamic_seed(config, seed, 1000 * seed + r))
                                 for r in range(1, ENGINE_REPEATS)]
        refs.append(final(reference))
        engine_means.append(np.mean(runs, axis=0))
        engine_vars.append(np.var(runs, axis=0, ddof=1))
    refs, means = np.array(refs), np.array(engine_means)
    sigma = np.sqrt(np.mean(engine_vars, axis=0))
    sigma = np.maximum(sigma, 1e-6 * np.abs(means).mean(axis=0) + 1e-12)
    z = (refs - means).mean(axis=0) / (sigma * np.sqrt((1 + 1 / ENGINE_REPEATS) / len(SEEDS)))
    return z, refs.mean(axis=0), means.mean(axis=0)


@pytest.mark.slow
@pytest.mark.parametrize("world", sorted(WORLDS))
def test_engine_and_reference_agree_within_noise(world):
    z, ref, eng = z_scores(WORLDS[world])
    report = "\n".join(f"{m:28s} engine {e:12.5g} reference {r:12.5g} z {zz:+6.2f}"
                       for m, e, r, zz in zip(METRICS, eng, ref, z))
    print(report)
    assert np.all(np.abs(z) < Z_MAX), f"engine and reference differ beyond noise:\n{report}"
