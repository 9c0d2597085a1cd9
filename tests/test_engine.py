"""Engine tests: agents and arrays, determinism, calibration, accounting, and the direction of every lever."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim import City, CountyTown, MigrantWorker, RuralHousehold
from sim.outcomes.metrics import METRICS
from sim.inputs.registry import CITY_TIERS, LEVERS, UNCERTAINTIES
from sim.engine.world import CHINA_TIER_COUNTS, build_world, write_world_csv

ROOT = Path(__file__).resolve().parent.parent


def small(households=3000, end_year=2020, **extra):
    cfg = {"world": {"households": households, "counties": 40}, "time": {"start_year": 2013, "end_year": end_year}}
    cfg.update(extra)
    return cfg


def final(cfg, seeds=(1, 2, 3)):
    """Mean of each metric in the last year over seeds."""
    return pd.concat([sim.run(cfg, seed=s).iloc[[-1]] for s in seeds]).mean()


# ---------------------------------------------------------------------------------------------- agents
def test_four_agent_types_and_arrays_agree_whenever_observed():
    model = sim.build_model(small(2000, 2018), seed=3)
    for steps in (1, 3, 1):
        for _ in range(steps):
            model.step()
        by_type = model.agents_by_type
        assert len(by_type[RuralHousehold]) == model.households.n
        assert sorted(a.row for a in by_type[RuralHousehold]) == list(range(model.households.n))
        assert len(by_type[CountyTown]) == model.counties.n
        assert len(by_type[City]) == model.cities.n
        mg = model.migrants
        live = mg.live()
        agents = sorted(by_type[MigrantWorker], key=lambda a: a.row)
        assert [a.row for a in agents] == live.tolist()  # one agent per live migrant row, no more
        for a in agents[::37]:  # each reads its own row
            r = a.row
            assert (a.age, a.skill, a.wage, a.employed) == (mg.age[r], mg.skill[r], mg.wage[r], mg.employed[r])
            assert a.household.row == mg.origin[r] and a in a.household.migrant_workers
        assert len(model.agents) == model.households.n + len(live) + model.counties.n + model.cities.n
        assert (model.households.migrants == np.bincount(mg.origin[mg.alive], minlength=model.households.n)).all()
        assert (model.households.adults >= 0).all() and (model.households.children >= 0).all()


def test_the_yearly_step_makes_no_agents_and_an_agent_is_the_same_object_while_observed():
    model = sim.build_model(small(2000, 2018), seed=3)
    places = model.counties.n + model.cities.n
    assert len(model._agents) == places  # nothing observed yet: only the place agents exist
    model.step()
    model.step()
    assert len(model._agents) == places  # stepping created no household or migrant agents
    first = {a.row: a for a in model.agents_by_type[MigrantWorker]}
    again = {a.row: a for a in model.agents_by_type[MigrantWorker]}
    assert all(again[r] is a for r, a in first.items())  # looked at twice in one year: the same objects
    households = model.household_agents
    assert all(x is y for x, y in zip(households, model.household_agents))


def test_migrant_agents_come_and_go_with_the_people():
    model = sim.build_model(small(2000, 2016), seed=8)
    before = {a.person: a for a in model.agents_by_type[MigrantWorker]}
    model.step()
    after = {a.person: a for a in model.agents_by_type[MigrantWorker]}
    gone = set(before) - set(after)
    assert gone, "no migrant returned, settled or retired"
    assert set(after) - set(before), "no new migrant left home"
    assert all(after[p] is before[p] for p in set(before) & set(after))  # stayers keep their agent
    left = before[next(iter(gone))]
    assert not left.present and left not in model.agents
    with pytest.raises(LookupError):
        left.age
    assert "no longer" in repr(left)


def test_agents_expose_readable_state():
    model = sim.build_model(small(2000, 2016), seed=5)
    household = next(h for h in model.agents_by_type[RuralHousehold] if h.members["migrant_workers"] > 0)
    assert household.hukou in ("rural", "urban")
    assert set(household.income) == {"farming", "wages", "remittances", "land_rent", "collective_dividends",
                                      "transfers", "rural_business"}
    assert household.land["contracted_mu"] > 0
    migrant = household.migrant_workers[0]
    assert migrant.household is household
    assert migrant.county == household.county
    assert 16 <= migrant.age < 60
    assert isinstance(migrant.destination, (City, CountyTown))
    city = list(model.agents_by_type[City])[0]
    assert city.tier in CITY_TIERS and city.population > 0
    town = household.county_town
    assert town.index == household.county and town.population > 0


def test_migrant_agents_are_created_and_removed_as_people_move():
    model = sim.build_model(small(2000, 2016), seed=8)
    before = {id(a) for a in model.agents_by_type[MigrantWorker]}
    model.step()
    after = {id(a) for a in model.agents_by_type[MigrantWorker]}
    assert before - after, "no migrant returned, settled or retired"
    assert after - before, "no new migrant left home"


# ---------------------------------------------------------------------------------------------- world
def test_china_preset_has_china_like_tiers_and_starts_near_2013():
    model = sim.build_model({"world": {"households": 20000}}, seed=0)
    counts = np.bincount(model.cities.tier, minlength=6)
    assert dict(zip(CITY_TIERS, counts)) == CHINA_TIER_COUNTS
    o = model.outcomes
    assert o["urbanization_rate"] == pytest.approx(54.5, abs=1.5)
    assert o["hukou_urbanization_rate"] == pytest.approx(36, abs=1.5)
    assert o["urban_rural_income_ratio"] == pytest.approx(2.8, abs=0.25)
    assert o["migrant_workers"] / o["population"] == pytest.approx(0.198, abs=0.015)
    assert o["migrant_workers_local"] / o["migrant_workers"] == pytest.approx(0.38, abs=0.03)
    assert o["land_transfer_share"] == pytest.approx(26, abs=4)
    assert o["population"] == pytest.approx(1361, rel=0.01)


def test_household_weights_keep_real_units_whatever_the_agent_count():
    a = sim.build_model({"world": {"households": 3000}}, seed=0).outcomes
    b = sim.build_model({"world": {"households": 12000}}, seed=0).outcomes
    for name in ("population", "migrant_workers", "urbanization_rate"):
        assert a[name] == pytest.approx(b[name], rel=0.03)


def test_province_preset_has_outside_megacities():
    model = sim.build_model({"world": {"preset": "province", "households": 3000}}, seed=0)
    outside = ~model.cities.inside
    assert outside.sum() == 6 and (model.cities.tier[outside] <= 1).all()
    assert model.outcomes["population"] == pytest.approx(50, rel=0.02)
    assert model.counties.n == 90


def test_world_from_csv_round_trip(tmp_path):
    world, total = build_world({"preset": "province", "counties": 30}, np.random.default_rng(0))
    counties, cities = write_world_csv(world, tmp_path, total)
    model = sim.build_model({"world": {"counties_csv": str(counties), "cities_csv": str(cities),
                                       "households": 2000}, "time": {"end_year": 2015}}, seed=1)
    assert model.counties.n == 30 and model.cities.n == world.n_cities
    assert model.world.county_names[0] == "county-1"
    assert model.outcomes["population"] == pytest.approx(50, rel=0.1)
    model.run_to_end()
    assert model.year == 2015


# ---------------------------------------------------------------------------------------------- API
def test_too_few_households_for_the_counties_is_a_clear_error():
    with pytest.raises(ValueError, match="at least the number of counties"):
        sim.build_model({"world": {"households": 100}})


def test_run_returns_one_row_per_year_and_every_metric():
    df = sim.run(small(1500, 2017), seed=0)
    assert list(df["year"]) == list(range(2013, 2018))
    assert set(METRICS) <= set(df.columns)
    assert df[list(METRICS)].notna().all().all()


def test_run_leaves_the_garbage_collector_as_it_found_it_and_equals_stepping_by_hand(monkeypatch):
    import gc
    import weakref

    # sim.run freezes the built model out of the cyclic GC's generations for the run (a speed-up only)
    assert gc.get_freeze_count() == 0
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            df = sim.run(small(1500, 2016), seed=4)
            assert gc.isenabled() is enabled and gc.get_freeze_count() == 0
        finally:
            gc.enable()
    model = sim.build_model(small(1500, 2016), seed=4)
    model.run_to_end()
    pd.testing.assert_frame_equal(model.results(), df)
    sim.release(model)

    # sim.run takes the model apart at the end: reference counting frees it and its agents at once, with the
    # cyclic GC off (so an ensemble in one process does not grow until a full GC pass happens to run).
    built = []

    def build_and_watch(config, seed):
        model = real_build(config, seed)
        built.extend([weakref.ref(model), weakref.ref(model.household_agents[0]),
                      weakref.ref(next(iter(model.agents_by_type[MigrantWorker])))])
        return model

    real_build = sim.build_model
    monkeypatch.setattr(sim, "build_model", build_and_watch)
    gc.disable()
    try:
        sim.run(small(1500, 2016), seed=4)
        assert len(built) == 3 and all(ref() is None for ref in built)
    finally:
        gc.enable()
    monkeypatch.undo()

    with pytest.raises(sim.ScenarioError):  # an error while building (the config is validated)
        sim.run({**small(1500, 2016), "levers": {"no_such_lever": 1.0}}, seed=4)
    assert gc.isenabled() and gc.get_freeze_count() == 0

    def fails(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(sim.ChengxiangModel, "run_to_end", fails)
    with pytest.raises(RuntimeError):  # an error while running
        sim.run(small(1500, 2016), seed=4)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_breakdowns_per_county_and_tier():
    model = sim.build_model(small(2000, 2016), seed=0)
    model.run_to_end()
    counties = model.county_timeseries()
    assert len(counties) == 40 * 4 and counties["year"].nunique() == 4
    tiers = model.tier_timeseries()
    assert set(tiers["tier"]) == set(CITY_TIERS)
    last = tiers[tiers["year"] == 2016]
    assert last["outbound_migrants"].sum() / 1e6 == pytest.approx(model.outcomes["migrant_workers_outbound"], rel=1e-6)
    # Per city: one row per city and year, the City agents' values in the last year, snapshots of earlier years.
    cities = model.city_timeseries()
    assert len(cities) == model.cities.n * 4
    final = cities[cities["year"] == 2016].set_index("city")
    for agent in model.city_agents[:25]:
        row = final.loc[agent.index]
        assert (row["name"], row["tier"], row["population"], row["wage"]) == (agent.name, agent.tier, agent.population, agent.wage)
    first = cities[cities["year"] == 2013].set_index("city")
    assert (first["population"] != final["population"]).mean() > 0.9
    first_counties = counties[counties["year"] == 2013]["town_population"].to_numpy()
    assert (first_counties != counties[counties["year"] == 2016]["town_population"].to_numpy()).mean() > 0.9


# ---------------------------------------------------------------------------------------------- determinism
def test_same_seed_same_frames_different_seed_different():
    a = sim.run(small(1500, 2018), seed=11)
    b = sim.run(small(1500, 2018), seed=11)
    c = sim.run(small(1500, 2018), seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_lever_from_2025_leaves_earlier_years_identical():
    base = small(1500, 2028)
    reform = small(1500, 2028, levers={"settlement_openness_megacity": {"values": {2025: 1.0}},
                                       "land_paid_exit": {"values": {2025: 1.0}},
                                       "county_infrastructure": {"values": {2025: 1.0}}})
    a, b = sim.run(base, seed=4), sim.run(reform, seed=4)
    before = a["year"] < 2025
    pd.testing.assert_frame_equal(a[before], b[before])
    assert not a[~before].equals(b[~before])


def test_named_streams_keep_demography_draws_when_land_policy_changes():
    """Births depend only on the demography stream and people counts, so the first reform year's births agree."""
    base = sim.build_model(small(1500, 2016), seed=9)
    reform = sim.build_model(small(1500, 2016, levers={"unified_construction_land_market": 1.0}), seed=9)
    for m in (base, reform):
        m.step()
    assert (base.households.children == reform.households.children).all()


# ---------------------------------------------------------------------------------------------- accounting
def _stocks(model):
    return model.total_people(), model.total_capital(), model.total_farmland()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1),
       levers=st.dictionaries(st.sampled_from(sorted(LEVERS)), st.floats(0, 1), max_size=6),
       birth=st.floats(0.0, 0.03), death=st.floats(0.0, 0.03))
def test_people_capital_and_land_are_conserved_except_through_explicit_flows(seed, levers, birth, death):
    levers = {k: (v * LEVERS[k].high) for k, v in levers.items()}
    cfg = small(800, 2019, levers=levers, uncertainties={"birth_rate": birth, "death_rate": death})
    model = sim.build_model(cfg, seed=seed)
    people, capital, land = _stocks(model)
    for _ in range(4):
        model.step()
        led = model.ledger
        people2, capital2, land2 = _stocks(model)
        assert people2 - people == pytest.approx(led.births - led.deaths, rel=1e-9, abs=1e-3 * people * 1e-6)
        assert capital2 - capital == pytest.approx(led.capital_net(), rel=1e-8, abs=1e-9 * capital)
        assert land2 == pytest.approx(land, rel=1e-12)
        people, capital, land = people2, capital2, land2


def test_ledger_catches_an_unbooked_flow():
    """The accounting check is not vacuous: money created outside the ledger breaks it."""
    model = sim.build_model(small(800, 2016), seed=1)
    capital = model.total_capital()
    model.step()
    model.households.savings[0] += 1e6
    assert model.total_capital() - capital != pytest.approx(model.ledger.capital_net(), rel=1e-8)


# ---------------------------------------------------------------------------------------------- levers
OPEN_HUKOU = {**{f"settlement_openness_{t}": 1.0 for t in CITY_TIERS}, "settlement_openness_county_town": 1.0,
              "residence_years_required": 0.0, "citizenization_support": 1.0}
RURAL_REVITALIZATION = {"county_infrastructure": 1.0, "county_services_to_villages": 1.0, "rural_finance_access": 1.0,
                        "urban_capital_incentive": 1.0, "urban_talent_incentive": 1.0, "agri_tech_transfer": 1.0,
                        "land_revenue_to_agriculture": 0.5, "county_industry_promotion": 1.0}


def test_more_open_hukou_raises_hukou_urbanization_and_narrows_the_gap():
    base, reform = final(small(end_year=2022)), final(small(end_year=2022, levers=OPEN_HUKOU))
    assert reform["hukou_urbanization_rate"] > base["hukou_urbanization_rate"] + 2
    assert reform["urbanization_gap"] < base["urbanization_gap"] - 2


def test_paid_land_exit_raises_transfers_and_exits():
    levers = {**OPEN_HUKOU, "land_paid_exit": 1.0, "land_exit_compensation": 25}
    base, reform = final(small(end_year=2022, levers=OPEN_HUKOU)), final(small(end_year=2022, levers=levers))
    assert reform["land_rights_exits"] > base["land_rights_exits"] + 10
    assert reform["land_transfer_share"] > base["land_transfer_share"] + 0.5
    assert reform["abandoned_land_share"] < base["abandoned_land_share"]


def test_rural_revitalization_levers_lower_the_income_ratio():
    base, reform = final(small(end_year=2025)), final(small(end_year=2025, levers=RURAL_REVITALIZATION))
    assert reform["urban_rural_income_ratio"] < base["urban_rural_income_ratio"] - 0.05
    assert reform["urban_to_rural_capital"] > base["urban_to_rural_capital"] * 1.2
    assert reform["talent_to_rural"] > base["talent_to_rural"]
    assert reform["public_service_equalization"] > base["public_service_equalization"] + 2


def test_services_by_residence_raise_equalization():
    base, reform = final(small(end_year=2018)), final(small(end_year=2018, levers={"services_by_residence": 1.0}))
    assert reform["public_service_equalization"] > base["public_service_equalization"] + 20


def test_unified_construction_land_market_cuts_idle_homesteads():
    levers = {"unified_construction_land_market": 1.0}
    base, reform = final(small(end_year=2022)), final(small(end_year=2022, levers=levers))
    assert reform["idle_homestead_share"] < base["idle_homestead_share"] - 1
    assert reform["land_rights_exits"] > base["land_rights_exits"]


def test_land_revenue_share_to_agriculture_raises_spending_on_agriculture():
    base = final(small(end_year=2018))
    reform = final(small(end_year=2018, levers={"land_revenue_to_agriculture": 0.6}))
    assert reform["land_revenue_to_agriculture"] > 5 * base["land_revenue_to_agriculture"]


def test_forced_exit_counterfactual_causes_exits_and_deters_settling():
    kept = final(small(end_year=2020, levers=OPEN_HUKOU))
    forced = final(small(end_year=2020, levers={**OPEN_HUKOU, "land_rights_kept_on_settling": 0.0}))
    assert forced["land_rights_exits"] > kept["land_rights_exits"] + 10
    assert forced["hukou_urbanization_rate"] < kept["hukou_urbanization_rate"]


def test_skills_training_raises_migrant_skill():
    def mean_skill(levers):
        model = sim.build_model(small(2000, 2018, levers=levers), seed=2)
        model.run_to_end()
        return model.migrants.skill[model.migrants.alive].mean()

    assert mean_skill({"skills_training_coverage": 0.8}) > 1.1 * mean_skill({"skills_training_coverage": 0.0})


@pytest.mark.parametrize("name", sorted(LEVERS) + sorted(UNCERTAINTIES))
def test_every_lever_and_uncertainty_acts_on_the_model(name):
    param = LEVERS.get(name) or UNCERTAINTIES[name]
    low, high = small(1200, 2018), small(1200, 2018)
    section = "levers" if name in LEVERS else "uncertainties"
    # a mid-range pair keeps the comparison inside the plausible span
    lo, hi = param.low + 0.1 * (param.high - param.low), param.low + 0.9 * (param.high - param.low)
    if name in ("land_exit_compensation", "land_rights_kept_on_settling"):
        low["levers"], high["levers"] = dict(OPEN_HUKOU, land_paid_exit=1.0), dict(OPEN_HUKOU, land_paid_exit=1.0)
    low.setdefault(section, {})[name] = lo
    high.setdefault(section, {})[name] = hi
    a, b = sim.run(low, seed=1), sim.run(high, seed=1)
    assert not a[list(METRICS)].equals(b[list(METRICS)]), f"{name} changed nothing"


# ---------------------------------------------------------------------------------------------- robustness
PERCENT = [name for name, m in METRICS.items() if m.unit == "%"]


@pytest.mark.parametrize("scenario", ["baseline", "integrated", "rural_revitalization", "new_urbanization"])
@pytest.mark.parametrize("households", [320, 1500])
def test_few_agents_per_county_stay_finite_and_plausible_to_2050(scenario, households):
    """Counties with one or two household agents must not blow up (a per-farm-worker division once did)."""
    cfg = sim.load_scenario(ROOT / "scenarios" / f"{scenario}.yaml").model_dump()
    cfg["world"]["households"] = households
    df = sim.run(cfg, seed=3)
    values = df[list(METRICS)]
    assert np.isfinite(values.to_numpy(float)).all()
    assert ((df[PERCENT] >= 0) & (df[PERCENT] <= 100)).all().all()
    assert df["urban_rural_income_ratio"].between(0.8, 5).all()
    assert df["ag_productivity_ratio"].between(0.02, 3).all()
    assert (df["urban_to_rural_capital"] < 50_000).all()  # billion yuan a year: China's GDP is ~130 000


@settings(max_examples=200, deadline=None)
@given(shares=st.lists(st.floats(1e-6, 1e6), min_size=1, max_size=400), extra=st.integers(0, 100_000))
def test_household_agents_are_apportioned_to_counties_exactly(shares, extra):
    from sim.engine.start import apportion as _apportion

    counts = _apportion(np.array(shares), len(shares) + extra)
    assert counts.sum() == len(shares) + extra and counts.min() >= 1
    ideal = np.array(shares) / sum(shares) * extra
    assert np.abs(counts - 1 - ideal).max() < 1 + 1e-6


def test_run_does_not_keep_finished_models_alive():
    import gc
    import weakref

    seen = []
    original = sim.build_model

    def spy(config=None, seed=0):
        model = original(config, seed)
        seen.append(weakref.ref(model))
        return model

    sim.build_model = spy
    try:
        sim.run(small(400, 2015), seed=1)
    finally:
        sim.build_model = original
    gc.collect()
    assert seen and seen[0]() is None, "the finished model is still referenced"
