"""The engine and the idiomatic-Mesa reference (sim/reference.py) agree within sampling noise.

Both start from the same initial state (the reference copies a freshly built engine model into one Mesa agent per
person and per household) and face the same place-level demand shocks; their per-agent random draws differ. For
each seed the engine is also rerun from the identical initial state with R other dynamic seeds, which measures
the run-to-run noise of every metric. Per metric, over S seeds:

    Z = mean_s(reference_s - mean_r engine_s,r) / (sigma_pooled * sqrt((1 + 1/R) / S))

where sigma_pooled is the engine's pooled within-seed standard deviation. Under equivalence Z is roughly
t-distributed with S(R-1) degrees of freedom; the test fails if |Z| > Z_MAX for any metric (a Bonferroni-style
bound over the metrics and worlds compared). Two worlds: the synthetic china world with default levers, and the
synthetic province world with the land, hukou and finance levers switched on (paid exit, a unified
construction-land market, forced surrender of half of the settled households' rights, tenure security, talent,
rural finance, open large cities with quotas in the largest, a one-year residence requirement, citizenization
support, services by residence).

Power (checked by hand with mutated references, same seeds; the largest |Z|, china / province world):
- unmutated: 2.0 (rural residents) / 2.8 (migrants aged 50+);
- choice constant `home_to_town` + 0.5 in the reference (+65 % in the odds of that choice): 11.7 / 11.3 on the
  farmland rent, 9.6 / 11.9 on local migrant workers (fails); + 0.25: 5.1 / 8.2 (fails); + 0.1: 2.4 / 3.4 (not
  detected);
- the three remittance shares (`remittance_share_base`, `_children`, `_elderly`) doubled: 24.7 / 14.2 on rural
  disposable income, 18.8 / 14.3 on the urban/rural income ratio (fails);
- the children's family constant + 0.3 (+35 % in the odds of a child living with a migrant parent): 8.1 / 5.6 on
  children living with migrants (fails).
A rule is detected when it moves some outcome by more than about 2.5 run-to-run standard deviations (Z_MAX x
sqrt((1 + 1/R) / S)); smaller differences are not detected at this size. The test takes about 34 CPU seconds
(both worlds).
"""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from sim import ChengxiangModel
from sim.engine.streams import RandomStreams
from sim.reference import ReferenceModel

SEEDS = (11, 12, 13, 14)
ENGINE_REPEATS = 4  # R: engine reruns per seed from the same initial state
Z_MAX = 4.5
METRICS = ["urbanization_rate", "hukou_urbanization_rate", "migrant_workers", "migrant_workers_local",
           "migrant_mean_age", "migrant_share_50_plus", "children_with_migrants_share", "urban_rural_income_ratio",
           "rural_disposable_income", "land_transfer_share", "farmland_rent", "idle_homestead_share",
           "rural_elderly_share", "county_town_share", "rural_residents"]
TIME = {"start_year": 2013, "end_year": 2022}
WORLDS = {
    "synthetic_china": {"world": {"preset": "synthetic_china", "households": 4000, "counties": 40}, "time": TIME},
    "synthetic_province_levers": {
        "world": {"preset": "synthetic_province", "households": 4000, "counties": 30},
        "time": TIME,
        "levers": {"land_paid_exit": 1.0, "land_exit_compensation": 25.0, "unified_construction_land_market": 1.0,
                   "land_rights_kept_on_settling": 0.5, "land_tenure_security": 0.8, "urban_talent_incentive": 0.5,
                   "rural_finance_access": 0.7, "settlement_openness_megacity": 0.2,
                   "settlement_openness_super_large": 0.3, "settlement_openness_large_i": 0.6,
                   "settlement_openness_large_ii": 0.8, "residence_years_required": 1.0,
                   "citizenization_support": 1.0, "services_by_residence": 0.8},
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


def final(model, metrics=METRICS) -> np.ndarray:
    model.run_to_end()
    out = model.results().iloc[-1][metrics].to_numpy(float)
    release(model)
    return out


def release(model) -> None:
    """Mesa 3.3 keeps every model alive through `Agent._ids` (mesa issue #3179): let it go."""
    model.remove_all_agents()
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def z_scores(config, metrics=METRICS, reference=ReferenceModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z per metric, the reference's and the engine's means over the seeds (`reference`: the class to test,
    e.g. a mutated subclass for a power check)."""
    refs, engine_means, engine_vars = [], [], []
    for seed in SEEDS:
        start = ChengxiangModel(config, seed=seed)
        ref = reference.from_engine(start, seed=seed)
        runs = [final(start, metrics)] + [final(engine_with_dynamic_seed(config, seed, 1000 * seed + r), metrics)
                                          for r in range(1, ENGINE_REPEATS)]
        refs.append(final(ref, metrics))
        engine_means.append(np.mean(runs, axis=0))
        engine_vars.append(np.var(runs, axis=0, ddof=1))
    refs, means = np.array(refs), np.array(engine_means)
    sigma = np.sqrt(np.mean(engine_vars, axis=0))
    sigma = np.maximum(sigma, 1e-6 * np.abs(means).mean(axis=0) + 1e-12)
    z = (refs - means).mean(axis=0) / (sigma * np.sqrt((1 + 1 / ENGINE_REPEATS) / len(SEEDS)))
    return z, refs.mean(axis=0), means.mean(axis=0)


def report(metrics, z, ref, eng) -> str:
    return "\n".join(f"{m:30s} engine {e:12.5g} reference {r:12.5g} z {zz:+6.2f}"
                     for m, e, r, zz in zip(metrics, eng, ref, z))


def test_reference_starts_where_the_engine_starts():
    """The copy into agents loses nothing: the reference's start-year outcomes are the engine's."""
    config = {"world": {"preset": "synthetic_province", "households": 500, "counties": 10}, "time": TIME}
    engine = ChengxiangModel(config, seed=3)
    ref = ReferenceModel.from_engine(engine, seed=3)
    a, b = engine.results().iloc[0], ref.results().iloc[0]
    np.testing.assert_allclose(b.to_numpy(float), a[b.index].to_numpy(float), rtol=1e-9, equal_nan=True)
    release(engine)
    release(ref)


@pytest.mark.slow
@pytest.mark.parametrize("world", sorted(WORLDS))
def test_engine_and_reference_agree_within_noise(world):
    z, ref, eng = z_scores(WORLDS[world])
    text = report(METRICS, z, ref, eng)
    print(text)
    assert np.all(np.abs(z) < Z_MAX), f"engine and reference differ beyond noise:\n{text}"
