"""Engine tests: agents and arrays, the 2013 start, ages and families, determinism, accounting, and the direction
and size of every policy lever over the whole horizon."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim import City, CountyTown, MigrantWorker, RuralHousehold
from sim.engine.people import ADULT_AGE, AWAY, NO_JOB
from sim.engine.world import CHINA_TIER_COUNTS, build_world, write_world_csv
from sim.inputs.registry import CITY_TIERS, LEVERS, PARAMETERS, UNCERTAINTIES
from sim.outcomes.metrics import FLOW_METRICS, METRICS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (1, 2, 3, 4)


def small(households=3000, end_year=2020, **extra):
    """A small synthetic world (40 counties) for fast tests."""
    cfg = {"world": {"preset": "synthetic_china", "households": households, "counties": 40},
           "time": {"start_year": 2013, "end_year": end_year}}
    cfg.update(extra)
    return cfg


def baseline(households=5000, end_year=2050, **levers):
    """The baseline scenario (policy history) with some levers replaced from 2025, on a small synthetic world."""
    cfg = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml").model_dump()
    cfg["world"] = small(households)["world"]
    cfg["time"]["end_year"] = end_year
    for name, value in levers.items():  # the history up to 2024 stays; the lever takes `value` from 2025
        spec = cfg["levers"].get(name)
        history = dict(spec["values"]) if isinstance(spec, dict) and "values" in spec else (
            {2013: spec} if spec is not None else {})
        history = {y: v for y, v in history.items() if y < 2025}
        cfg["levers"][name] = {"values": {**history, 2025: value}, "interpolation": "step"}
    return cfg


def years(cfg, which=(2035, 2050), seeds=SEEDS) -> pd.DataFrame:
    """Mean of each metric in the given years over seeds (the same seeds for every scenario: paired)."""
    frames = [sim.run(cfg, seed=s).set_index("year").loc[list(which)] for s in seeds]
    return sum(frames) / len(frames)


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
        ps = model.persons
        workers = np.flatnonzero(ps.alive & (ps.job != NO_JOB) & ~ps.urban_hukou)
        agents = sorted(by_type[MigrantWorker], key=lambda a: a.row)
        assert [a.row for a in agents] == workers.tolist()  # one agent per migrant worker, no more
        for a in agents[::37]:  # each reads its own row
            r = a.row
            assert (a.age, a.skill, a.wage, a.employed) == (ps.age[r], ps.skill[r], ps.wage[r], ps.employed[r])
            assert a.household.row == ps.household[r] and a in a.household.migrant_workers
        assert len(model.agents) == model.households.n + len(workers) + model.counties.n + model.cities.n
        h = model.households
        assert (h.members() == np.bincount(ps.household[ps.alive], minlength=h.n)).all()


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
    assert set(after) - set(before), "no new migrant took a job"
    assert all(after[p] is before[p] for p in set(before) & set(after))  # stayers keep their agent
    left = before[next(iter(gone))]
    assert not left.present and left not in model.agents
    with pytest.raises(LookupError):
        left.age
    assert "no longer" in repr(left)


def test_agents_expose_readable_state():
    model = sim.build_model(small(2000, 2016), seed=5)
    household = next(h for h in model.agents_by_type[RuralHousehold] if h.members["migrant_workers"] > 0)
    assert set(household.income) == {"wage", "business", "property", "transfer", "of which remittances"}
    assert household.land["contracted_mu"] > 0 and len(household.ages) == sum(
        v for k, v in household.members.items() if k != "migrant_workers")
    migrant = household.migrant_workers[0]
    assert migrant.household is household and migrant.county == household.county
    assert ADULT_AGE <= migrant.age < 70
    assert isinstance(migrant.destination, (City, CountyTown))
    assert set(migrant.family_with) == {"children", "elderly"}
    city = list(model.agents_by_type[City])[0]
    assert city.tier in CITY_TIERS and city.population > 0 and city.code
    assert household.county_town.index == household.county


# ---------------------------------------------------------------------------------------------- the start
def test_china_starts_at_the_2013_statistics():
    """The census world of China at the start against the 2013 figures (sim/data/observed)."""
    o = sim.build_model({"world": {"households": 20000}}, seed=0).outcomes
    assert o["population"] == pytest.approx(1361, rel=0.005)
    assert o["urbanization_rate"] == pytest.approx(54.49, abs=0.5)
    assert o["hukou_urbanization_rate"] == pytest.approx(35.93, abs=0.5)
    assert o["migrant_workers"] == pytest.approx(268.94, rel=0.02)
    assert o["migrant_workers_local"] / o["migrant_workers"] == pytest.approx(0.3824, abs=0.015)
    assert o["migrant_mean_age"] == pytest.approx(37.6, abs=1.0)
    assert o["migrant_share_50_plus"] == pytest.approx(15.2, abs=2.0)
    assert o["children_with_migrants_share"] == pytest.approx(37, abs=3)
    assert o["urban_rural_income_ratio"] == pytest.approx(2.81, abs=0.15)
    assert o["rural_disposable_income"] == pytest.approx(9430, rel=0.05)
    assert o["urban_disposable_income"] == pytest.approx(26467, rel=0.05)
    assert o["land_transfer_share"] == pytest.approx(26, abs=3)
    assert all(np.isnan(o[name]) for name in FLOW_METRICS)  # flows are not defined in the start year


def test_census_and_synthetic_worlds_keep_the_national_totals_within_half_a_percent():
    statistics = {"population": 1361.0, "urbanization_rate": 54.49, "hukou_urbanization_rate": 35.93,
                  "migrant_workers": 268.94}
    for places in ("census", "synthetic"):
        start = sim.build_model({"world": {"households": 40000, "places": places}}, seed=1).outcomes
        for name, value in statistics.items():
            assert start[name] == pytest.approx(value, rel=0.005), (places, name)


def test_household_weights_keep_real_units_whatever_the_agent_count():
    a = sim.build_model({"world": {"households": 5000}}, seed=0).outcomes
    b = sim.build_model({"world": {"households": 20000}}, seed=0).outcomes
    for name in ("population", "migrant_workers", "urbanization_rate"):
        assert a[name] == pytest.approx(b[name], rel=0.03)


def test_the_start_draws_ages_from_the_2013_distribution():
    from sim.engine.ages import age_distribution_2013

    model = sim.build_model(small(20000, 2014), seed=2)
    ps, h = model.persons, model.households
    w = h.weight[ps.household[ps.alive]]
    ages = ps.age[ps.alive]
    share = age_distribution_2013()
    for lo, hi in ((0, 15), (16, 59), (60, 100)):
        got = w[(ages >= lo) & (ages <= hi)].sum() / w.sum()
        assert got == pytest.approx(share[lo:hi + 1].sum(), abs=0.02)


def test_province_worlds_are_built_from_their_own_places():
    henan = sim.build_model({"world": {"preset": "province", "province": "Henan", "households": 4000}}, 1)
    assert henan.world.source == "census" and (~henan.cities.inside).sum() > 0
    assert henan.outcomes["urbanization_rate"] < 50  # an interior sending province
    guangdong = sim.build_model({"world": {"preset": "province", "province": "广东", "households": 4000}}, 1)
    assert guangdong.outcomes["urbanization_rate"] > 65


def test_world_from_csv_round_trip(tmp_path):
    world, total = build_world({"preset": "synthetic_province", "counties": 30}, np.random.default_rng(0))
    counties, cities = write_world_csv(world, tmp_path, total)
    model = sim.build_model({"world": {"counties_csv": str(counties), "cities_csv": str(cities),
                                       "households": 2000}, "time": {"end_year": 2015}}, seed=1)
    assert model.counties.n == 30 and model.cities.n == world.n_cities
    assert model.outcomes["population"] == pytest.approx(50, rel=0.15)
    model.run_to_end()
    assert model.year == 2015


def test_synthetic_preset_has_china_like_tiers():
    from sim.engine.world import tier_of

    model = sim.build_model({"world": {"preset": "synthetic_china", "households": 3000}}, seed=0)
    assert dict(zip(CITY_TIERS, np.bincount(tier_of(model.world.city_pop), minlength=6))) == CHINA_TIER_COUNTS


# ---------------------------------------------------------------------------------------------- API
def test_too_few_households_for_the_counties_is_a_clear_error():
    with pytest.raises(sim.ScenarioError, match="at least"):
        sim.build_model({"world": {"preset": "synthetic_china", "households": 100}})


def test_run_returns_one_row_per_year_and_every_metric():
    df = sim.run(small(1500, 2017), seed=0)
    assert list(df["year"]) == list(range(2013, 2018))
    assert set(METRICS) <= set(df.columns)
    later = df[df["year"] > 2013]
    assert later[list(METRICS)].notna().all().all()


def test_run_leaves_the_garbage_collector_as_it_found_it_and_equals_stepping_by_hand(monkeypatch):
    import gc
    import weakref

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


def test_breakdowns_per_county_tier_and_city_carry_codes_and_names():
    model = sim.build_model({"world": {"households": 5000}, "time": {"end_year": 2016}}, seed=0)
    model.run_to_end()
    counties = model.county_timeseries()
    assert len(counties) == model.counties.n * 4 and counties["year"].nunique() == 4
    assert counties["code"].str.match(r"^\d{6}$").all() and (counties["name"] != "").all()
    tiers = model.tier_timeseries()
    last = tiers[tiers["year"] == 2016]
    assert last["outbound_migrants"].sum() / 1e6 == pytest.approx(model.outcomes["migrant_workers_outbound"],
                                                                   rel=1e-6)
    cities = model.city_timeseries()
    final = cities[cities["year"] == 2016].set_index("city")
    for agent in model.city_agents[:25]:
        row = final.loc[agent.index]
        assert (row["name"], row["code"], row["tier"], row["population"]) == (
            agent.name, agent.code, agent.tier, agent.population)


# ---------------------------------------------------------------------------------------------- determinism
def test_same_seed_same_frames_different_seed_different():
    a = sim.run(small(1500, 2018), seed=11)
    b = sim.run(small(1500, 2018), seed=11)
    c = sim.run(small(1500, 2018), seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_a_lever_changes_no_outcome_before_it_takes_effect(name):
    """Outcomes read the state, never a lever: a lever moved in 2016 leaves 2013-2015 identical."""
    param = LEVERS[name]
    value = param.high if param.default < (param.low + param.high) / 2 else param.low
    base = small(800, 2016)
    moved = small(800, 2016, levers={name: {"values": {2016: value}}})
    a, b = sim.run(base, seed=5), sim.run(moved, seed=5)
    before = a["year"] < 2016
    pd.testing.assert_frame_equal(a[before], b[before])


# ---------------------------------------------------------------------------------------------- ages and families
def test_people_age_die_by_age_and_are_born():
    # settling leaves the rural-hukou table too: held at its lowest rate, leaving the table is dying
    model = sim.build_model(small(4000, 2016, parameters={"settle_constant": PARAMETERS["settle_constant"].low}),
                            seed=6)
    ps = model.persons
    ids, ages = ps.id[ps.alive].copy(), ps.age[ps.alive].copy()
    model.step()
    alive_now = dict(zip(ps.id[ps.alive].tolist(), ps.age[ps.alive].tolist()))
    survived = np.array([i in alive_now for i in ids.tolist()])
    assert all(alive_now[i] == a + 1 for i, a in zip(ids[survived].tolist(), ages[survived].tolist()))
    died_old = (~survived & (ages >= 70)).mean() / max((ages >= 70).mean(), 1e-9)
    died_young = (~survived & (ages < 40)).mean() / max((ages < 40).mean(), 1e-9)
    assert died_old > 10 * died_young  # deaths follow age
    assert (ps.age[ps.alive] == 0).sum() > 0  # newborns
    assert model.ledger.births > 0 and model.ledger.deaths > 0


def test_migrant_ages_follow_the_monitoring_survey_pattern_of_ageing():
    df = sim.run(small(6000, 2018), seed=2)
    assert df["migrant_mean_age"].diff().iloc[1:].gt(0).all()  # the migrant workforce ages year after year
    assert df["migrant_share_50_plus"].iloc[-1] > df["migrant_share_50_plus"].iloc[0] + 2


def test_dependants_live_with_their_unit_and_go_home_when_it_ends():
    model = sim.build_model(small(3000, 2018), seed=4)
    for _ in range(3):
        model.step()
        ps = model.persons
        away = np.flatnonzero(ps.alive & (ps.place == AWAY))
        head = ps.unit[away]
        assert (ps.alive[head] & (ps.place[head] == AWAY) & (ps.unit[head] == head)).all()
        assert (ps.job[head] != NO_JOB).all()  # a unit is headed by a worker living where they work


def test_training_is_a_one_time_gain_that_depreciates_at_a_cost():
    def mean_skill(levers):
        model = sim.build_model(small(3000, 2025, levers=levers), seed=2)
        model.run_to_end()
        ps = model.persons
        workers = ps.alive & (ps.job != NO_JOB)
        return ps.skill[workers].mean(), model.results()["training_spending"].iloc[1:].sum()

    none, _ = mean_skill({"skills_training_coverage": 0.0})
    full, spent = mean_skill({"skills_training_coverage": 1.0})
    gain = sim.inputs.registry.PARAMETERS["training_skill_gain"].default
    assert none < full < none * np.exp(gain)  # never more than one course's gain: no compounding
    assert spent > 0


# ---------------------------------------------------------------------------------------------- accounting
def _stocks(model):
    return model.total_people(), model.total_capital(), model.total_farmland()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
        assert people2 - people == pytest.approx(led.births - led.deaths - led.departures, abs=1e-6 * people)
        assert capital2 - capital == pytest.approx(led.capital_net(), rel=1e-8, abs=1e-9 * capital)
        assert land2 == pytest.approx(land, rel=1e-12)
        ps, h = model.persons, model.households
        assert (ps.age[ps.alive] >= 0).all() and (h.members() >= 0).all()
        people, capital, land = people2, capital2, land2


def test_ledger_catches_an_unbooked_flow():
    model = sim.build_model(small(800, 2016), seed=1)
    capital = model.total_capital()
    model.step()
    model.households.savings[0] += 1e6
    assert model.total_capital() - capital != pytest.approx(model.ledger.capital_net(), rel=1e-8)


# ---------------------------------------------------------------------------------------------- levers (2035 and 2050)
OPEN_HUKOU = {**{f"settlement_openness_{t}": 1.0 for t in CITY_TIERS}, "settlement_openness_county_town": 1.0,
              "residence_years_required": 0.0}
RURAL_REVITALIZATION = {"county_infrastructure": 0.8, "county_services_to_villages": 0.8, "rural_finance_access": 0.8,
                        "urban_capital_incentive": 0.6, "urban_talent_incentive": 0.6, "agri_tech_transfer": 0.8,
                        "land_revenue_to_agriculture": 0.4, "county_industry_promotion": 0.6}


@pytest.fixture(scope="module")
def base_paths():
    return years(baseline())


def test_services_by_residence_raise_urbanization_in_2035_and_2050(base_paths):
    # by 2050 the effect is of the order of the seed noise of 5 000 households (2050, paired: seeds 1-4 +0.06 pp,
    # seeds 5-8 +0.64 pp): 8 seeds, the baseline's four more added to the shared four
    more = (5, 6, 7, 8)
    base = (base_paths * len(SEEDS) + years(baseline(), seeds=more) * len(more)) / (len(SEEDS) + len(more))
    reform = years(baseline(services_by_residence=1.0), seeds=SEEDS + more)
    assert (reform["urbanization_rate"] > base["urbanization_rate"] + 0.1).all()
    assert (reform["children_with_migrants_share"] > base["children_with_migrants_share"] + 5).all()


def test_open_settlement_raises_hukou_urbanization_in_2035_and_2050(base_paths):
    reform = years(baseline(**OPEN_HUKOU))
    assert (reform["hukou_urbanization_rate"] > base_paths["hukou_urbanization_rate"] + 0.2).all()


def test_citizenization_support_raises_hukou_urbanization_at_a_cost(base_paths):
    reform = years(baseline(citizenization_support=1.0))
    assert (reform["hukou_urbanization_rate"] > base_paths["hukou_urbanization_rate"] + 0.15).all()
    # it costs the destinations more, within what their budgets allow
    assert (reform["citizenization_support_spending"] > base_paths["citizenization_support_spending"] * 1.05).all()


def test_rural_revitalization_lowers_the_income_ratio_through_rural_incomes(base_paths):
    reform = years(baseline(**RURAL_REVITALIZATION))
    assert (reform["urban_rural_income_ratio"] < base_paths["urban_rural_income_ratio"] - 0.05).all()
    assert (reform["rural_disposable_income"] > base_paths["rural_disposable_income"] * 1.02).all()
    assert (reform["urban_to_rural_capital"] > base_paths["urban_to_rural_capital"] * 1.2).all()


def test_paid_land_exit_raises_exits_and_exited_land(base_paths):
    reform = years(baseline(land_paid_exit=1.0, land_exit_compensation=25))
    assert (reform["land_exited_share"] > base_paths["land_exited_share"] + 0.2).all()
    assert reform.loc[2035, "land_rights_exits"] > base_paths.loc[2035, "land_rights_exits"]
    # the option feeds back into settling: rights worth money make settling more attractive
    assert (reform["hukou_urbanization_rate"] > base_paths["hukou_urbanization_rate"]).all()


def test_unified_construction_land_market_cuts_idle_homesteads(base_paths):
    reform = years(baseline(unified_construction_land_market=1.0))
    assert (reform["idle_homestead_share"] < base_paths["idle_homestead_share"] - 1).all()


def test_land_revenue_share_to_agriculture_raises_spending_on_agriculture(base_paths):
    reform = years(baseline(land_revenue_to_agriculture=0.6))
    assert (reform["land_revenue_to_agriculture"] > 3 * base_paths["land_revenue_to_agriculture"]).all()


def test_forced_exit_counterfactual_takes_land_from_settled_households(base_paths):
    reform = years(baseline(land_rights_kept_on_settling=0.0))
    assert (reform["land_exited_share"] > base_paths["land_exited_share"] + 0.5).all()


@pytest.mark.parametrize("name", sorted(LEVERS) + sorted(UNCERTAINTIES))
def test_every_lever_and_uncertainty_acts_on_the_model(name):
    param = LEVERS.get(name) or UNCERTAINTIES[name]
    low, high = small(1200, 2018), small(1200, 2018)
    section = "levers" if name in LEVERS else "uncertainties"
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
    cfg = sim.load_scenario(ROOT / "scenarios" / f"{scenario}.yaml").model_dump()
    cfg["world"] = {"preset": "synthetic_china", "households": households}
    df = sim.run(cfg, seed=3)
    values = df[df["year"] > 2013][list(METRICS)]
    assert np.isfinite(values.to_numpy(float)).all()
    assert ((df[PERCENT].fillna(0) >= 0) & (df[PERCENT].fillna(0) <= 100)).all().all()
    assert df["urban_rural_income_ratio"].between(0.8, 6).all()
    assert df["ag_productivity_ratio"].between(0.01, 3).all()


def test_census_world_with_few_households_merges_counties_and_runs():
    df = sim.run({"world": {"households": 400}, "time": {"end_year": 2020}}, seed=1)
    assert np.isfinite(df[df["year"] > 2013][list(METRICS)].to_numpy(float)).all()


def test_run_does_not_keep_finished_models_alive():
    import gc
    import weakref

    refs = []
    original = sim.build_model

    def spy(config=None, seed=0):
        model = original(config, seed)
        refs.append(weakref.ref(model))
        return model

    sim.build_model, saved = spy, sim.build_model
    try:
        for s in range(3):
            sim.run(small(800, 2015), seed=s)
    finally:
        sim.build_model = saved
    gc.collect()
    assert all(r() is None for r in refs)
