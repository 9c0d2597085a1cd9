"""The 2013 starting state: households, persons with ages, migrant workers and their families, land and capital
calibrated onto a world (`build_state`).

Which parameter sets which starting outcome (`sim.inputs.registry.PARAMETERS`, role "start"):
- population, its ages: the world's totals; the 2013 age distribution (`sim/data/population/age_2013.csv`);
- hukou urbanization: `urban_hukou_share` (urban-hukou natives of towns and cities);
- urbanization: `target_urbanization` (rural-hukou households in villages already classified as urban make up
  what natives, migrant workers living in towns and cities and their families leave);
- migrant workers, their local share and ages: `migrant_share_of_population`, `local_migrant_share`, the 2013
  monitoring-survey age brackets (`sim/data/observed/china_patterns_2010_2018.csv`), `local_age_slope`;
- families: `children_with_migrants_2013`, `elderly_with_migrants_2013`;
- wages and incomes: `city_wage_2013`, `county_wage_discount`, `village_wage_discount`, the NBS 2013 income
  components (`urban_property_2013`, `urban_pension_2013`, `rural_pension_2013`, ...);
- land: `rent_2013`, `land_insurance_share`, `operator_land_share_2013`.

Draws come from the "population" stream in a fixed order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .ages import age_distribution_2013
from .markets import (count_members, count_residents, labour_supply, living_cost, sample_destinations,
                      town_city, update_destination_distribution)
from .people import (ADULT_AGE, AWAY, CITY_JOB, ELDERLY_AGE, HOME, TOWN_JOB, VILLAGE_JOB, Households, Persons,
                     draw_skills)
from .places import Cities, Counties
from .state import State
from .world import _absolute_sizes as absolute_sizes, build_world, county_household_counts, tier_of

PERSON_CAPACITY_FACTOR = 1.3  # person rows allocated at the start per person (they grow as needed)
INFRA_RANGE = (0.05, 0.9)  # the 2013 draws of county infrastructure are kept inside this range (a guard)
VILLAGE_SERVICE_RANGE = (0.05, 0.6)  # the same for village services
MAX_HOUSEHOLD_SIZE = 10
OBSERVED = Path(__file__).resolve().parent.parent / "data" / "observed" / "china_patterns_2010_2018.csv"


def build_state(model) -> State:
    """The model's state at the start year, attached to `model.state` as it is built (the per-place helpers in
    `markets` read it through the model)."""
    p, rng = model.params, model.streams["population"]
    world, total_pop = build_world(model.config["world"], model.streams["world"], model.params)
    n_households = int(model.config["world"]["households"])
    if n_households < world.n_counties:
        raise ValueError(f"world.households ({n_households}) must be at least the number of counties "
                         f"({world.n_counties})")
    rural_by_county, town_by_county = absolute_sizes(world, total_pop)
    h = Households(n_households)
    h.county[:] = np.repeat(np.arange(world.n_counties), county_household_counts(world, n_households))
    sizes = draw_household_sizes(p, rng, n_households)
    persons_per_county = np.bincount(h.county, sizes, minlength=world.n_counties)
    h.weight[:] = (rural_by_county / np.maximum(persons_per_county, 1))[h.county]
    h.skill[:] = rng.lognormal(np.log(p["rural_skill_median"]), p["household_skill_sd"], n_households)
    h.reservation[:] = rng.lognormal(0.0, p["land_insurance_sd"], n_households)
    farmland = draw_farmland(p, rng, world, rural_by_county, h)

    persons = Persons(int(sizes.sum() * PERSON_CAPACITY_FACTOR) + 1024, h)
    rows = persons.allocate(np.repeat(np.arange(n_households), sizes))
    persons.age[rows] = draw_ages(rng, sizes, int(p["farm_age_max"]))
    counties, cities = Counties(world.n_counties), Cities(world.n_cities, world.city_inside)
    counties.multiplier[:] = world.county_multiplier
    counties.farmland[:] = farmland
    cities.population[:] = world.city_pop
    cities.tier[:] = tier_of(world.city_pop)
    model.state = state = State(world, h, persons, counties, cities, np.zeros(len(age_distribution_2013())),
                                total_pop)
    update_destination_distribution(model)

    targets = start_targets(p, world, total_pop, float(rural_by_county.sum()))
    choose_migrants(model, rng, targets["migrants"])
    draw_skills(model, np.flatnonzero(persons.alive & (persons.age >= ADULT_AGE) & (persons.skill <= 0)), rng)
    count_members(model)
    place_dependants(model, rng)
    count_members(model)
    place_in_situ(model, rng, targets, town_by_county)
    count_natives(model, town_by_county)
    count_residents(model)
    set_up_places(model, rng)
    h.savings[:] = p["initial_savings_years"] * p["ag_output_per_mu"] * h.land * rng.lognormal(
        0, p["household_savings_sd"], n_households)
    workers = persons.workers()
    persons.savings[workers] = p["migrant_savings_years"] * p["city_wage_2013"] * persons.skill[workers]
    return state


def start_targets(p, world, total_pop: float, rural_hukou: float) -> dict[str, float]:
    """The region's 2013 urban residents, urban-hukou natives and migrant workers (persons). The nation: the
    statistics (`target_urbanization`, `urban_hukou_share`, `migrant_share_of_population`). A province: its urban
    residents from the census world; natives at the national hukou share scaled by its urbanization relative to
    the nation's (the census has no hukou by province; migrants from other provinces living in its cities count
    with the natives); migrant workers at the national rate per rural-hukou person."""
    national_rural_hukou = p["total_population"] * (1 - p["urban_hukou_share"])
    urban = world.totals.get("urban_residents", p["target_urbanization"] * total_pop)
    natives = world.totals.get("urban_hukou", p["urban_hukou_share"] * total_pop * (urban / total_pop)
                               / p["target_urbanization"])
    migrants = p["migrant_share_of_population"] * p["total_population"] * rural_hukou / national_rural_hukou
    return {"urban": float(urban), "natives": float(natives), "migrants": float(migrants)}


# ---------------------------------------------------------------------------------------------- households
def draw_household_sizes(p, rng, n: int) -> np.ndarray:
    """Rural-hukou persons per household: 1 + Poisson(size - 1), at most MAX_HOUSEHOLD_SIZE."""
    return np.minimum(1 + rng.poisson(p["household_size"] - 1, n), MAX_HOUSEHOLD_SIZE)


def draw_ages(rng, sizes: np.ndarray, farm_age_max: int) -> np.ndarray:
    """Ages of every person, household by household, from the 2013 age distribution; a household without a
    member aged 16-74 has its first member's age drawn again among those ages (someone keeps the home)."""
    share = age_distribution_2013()
    cdf = np.cumsum(share)
    ages = np.searchsorted(cdf, rng.random(int(sizes.sum())) * cdf[-1], side="right").astype(np.int16)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    able = ((ages >= ADULT_AGE) & (ages < farm_age_max)).astype(np.int64)
    has_adult = np.add.reduceat(able, first) > 0
    redo = first[~has_adult]
    adult = np.arange(len(share))
    adult_share = np.where((adult >= ADULT_AGE) & (adult < farm_age_max), share, 0.0)
    adult_cdf = np.cumsum(adult_share)
    ages[redo] = np.searchsorted(adult_cdf, rng.random(len(redo)) * adult_cdf[-1], side="right")
    return ages


def draw_farmland(p, rng, world, rural_by_county, h: Households) -> np.ndarray:
    """Contracted farmland of each county (the world's, or in proportion to rural-hukou people with some
    dispersion) shared among its households; returns farmland per county (real mu)."""
    C = world.n_counties
    national_rural_hukou = p["total_population"] * (1 - p["urban_hukou_share"])
    farmland = (world.county_farmland_mu if world.county_farmland_mu is not None
                else p["contracted_farmland_mu"] * rural_by_county / national_rural_hukou
                * rng.lognormal(0, p["county_farmland_sd"], C))
    raw = rng.lognormal(0, p["household_farmland_sd"], h.n)
    per_county_raw = np.bincount(h.county, raw * h.weight, minlength=C)
    h.land[:] = raw * farmland[h.county] / np.maximum(per_county_raw[h.county], 1e-300)
    return farmland


# ---------------------------------------------------------------------------------------------- migrants
def migrant_age_target() -> np.ndarray:
    """The 2013 age distribution of migrant workers over single years 0..100: the monitoring survey's brackets
    (16-20, 21-30, 31-40, 41-50, 50+) spread evenly within each, 50+ falling linearly to 0 at 65."""
    table = pd.read_csv(OBSERVED)
    brackets = table[table["year"].astype(str) == "2013"].set_index("series")["value"].astype(float)
    target = np.zeros(101)
    for series, lo, hi in (("mw_age_16_20", 16, 20), ("mw_age_21_30", 21, 30), ("mw_age_31_40", 31, 40),
                           ("mw_age_41_50", 41, 50)):
        target[lo:hi + 1] = brackets[series] / (hi - lo + 1)
    tail = np.arange(65 - 51, 0, -1, dtype=float)  # ages 51..64
    target[51:65] = brackets["mw_age_50plus"] * tail / tail.sum()
    return target / target.sum()


def choose_migrants(model, rng, migrants_target: float) -> None:
    """Migrant workers among the persons aged 16-64: age by age so that their ages follow the 2013 brackets and
    their number the 2013 count; local (older more often) or outbound; village firm or county town; where
    they live; years there; skills."""
    p, h, ps = model.params, model.households, model.persons
    rows = ps.live()
    age = ps.age[rows]
    w = h.weight[ps.household[rows]]
    pop_by_age = np.bincount(age, w, minlength=101)
    target = migrants_target * migrant_age_target()
    chance = np.minimum(target / np.maximum(pop_by_age, 1.0), 0.95)  # a guard: someone of each age stays home
    chance = p["migrant_age_pattern_weight"] * chance + (1 - p["migrant_age_pattern_weight"]) * (
        target.sum() / pop_by_age[ADULT_AGE:65].sum()) * ((np.arange(101) >= ADULT_AGE) & (np.arange(101) < 65))
    migrant = rows[rng.random(len(rows)) < chance[age]]
    # local (older) or outbound: logit in age, its constant solved for the 2013 local share
    a = ps.age[migrant].astype(float) - 37.0  # centred near the mean age (the constant solved below absorbs it)
    wm = h.weight[ps.household[migrant]]
    lo, hi = -10.0, 10.0
    for _ in range(60):
        const = 0.5 * (lo + hi)
        share = (wm / (1 + np.exp(-(const + p["local_age_slope"] * a)))).sum() / wm.sum()
        lo, hi = (const, hi) if share < p["local_migrant_share"] else (lo, const)
    local = rng.random(len(migrant)) < 1 / (1 + np.exp(-(const + p["local_age_slope"] * a)))
    village = local & (rng.random(len(migrant)) < p["local_village_job_share_2013"])
    town = local & ~village
    lives_away = town & (rng.random(len(migrant)) < p["local_migrant_lives_in_town"])
    ps.job[migrant[village]] = VILLAGE_JOB
    ps.job[migrant[town]] = TOWN_JOB
    outbound = migrant[~local]
    ps.job[outbound] = CITY_JOB
    ps.city[outbound] = sample_destinations(model, ps.county[outbound], 1, rng)[:, 0]
    ps.in_city_proper[outbound] = rng.random(len(outbound)) < p["city_worker_in_city_proper"]
    heads = np.concatenate([outbound, migrant[lives_away]])
    ps.place[heads] = AWAY
    ps.unit[heads] = heads
    ps.years[migrant] = rng.integers(0, int(p["migrant_years_max_2013"]), len(migrant))
    ps.skill[migrant] = h.skill[ps.household[migrant]] * rng.lognormal(p["migrant_skill_log_premium"],
                                                                       p["migrant_skill_sd"], len(migrant))
    ps.employed[migrant] = True


def place_dependants(model, rng) -> None:
    """Children and elderly of households with a migrant unit live with it in the 2013 shares."""
    p, h, ps = model.params, model.households, model.persons
    rows = ps.live()
    at_home = rows[(ps.place[rows] == HOME) & (ps.job[rows] == 0)]
    lead = h.lead_unit[ps.household[at_home]]
    age = ps.age[at_home]
    share = np.where(age < ADULT_AGE, p["children_with_migrants_2013"],
                     np.where(age >= ELDERLY_AGE, p["elderly_with_migrants_2013"], 0.0))
    join = (lead >= 0) & (rng.random(len(at_home)) < share)
    ps.place[at_home[join]] = AWAY
    ps.unit[at_home[join]] = lead[join]


def place_in_situ(model, rng, targets: dict[str, float], town_by_county: np.ndarray) -> None:
    """Rural-hukou households in villages already classified as urban: as many (at random within each county) as
    the region's 2013 urban residents need beyond natives and the migrant units living in towns and cities, shared
    among counties in proportion to the room their urban population leaves after natives' floor and the units
    living in their towns."""
    p, h, ps, c = model.params, model.households, model.persons, model.counties
    rows = ps.live()
    w = h.weight[ps.household[rows]]
    away = ps.place[rows] == AWAY
    head = np.maximum(ps.unit[rows], 0)
    in_fringe = away & (ps.job[head] == CITY_JOB) & ~ps.in_city_proper[head]
    in_town = away & (ps.job[head] == TOWN_JOB)
    urban_away = float(w[away & ~in_fringe].sum())
    needed = max(targets["urban"] - targets["natives"] - urban_away, 0.0)
    town_away = np.bincount(ps.county[rows[in_town]], w[in_town], minlength=c.n)
    room = np.maximum(town_by_county * (1 - p["native_floor_share"]) - town_away, 0.0)
    home_persons = np.bincount(ps.county[rows[~away]], w[~away], minlength=c.n)
    share = np.zeros(c.n)
    if room.sum() > 0:
        share = np.minimum(needed * room / room.sum() / np.maximum(home_persons, 1.0), p["urban_family_share_max"])
    h.in_situ_urban[:] = rng.random(h.n) < share[h.county]
    c.in_situ_share[:] = share


def count_natives(model, town_by_county: np.ndarray) -> None:
    """Urban-hukou natives: each place's 2013 urban residents minus the rural-hukou people living there (units
    in the city proper or county town, households in reclassified villages of the county), at least a floor."""
    p, h, ps, world = model.params, model.households, model.persons, model.world
    c, j = model.counties, model.cities
    rows = ps.live()
    w = h.weight[ps.household[rows]]
    away = ps.place[rows] == AWAY
    head = np.maximum(ps.unit[rows], 0)
    in_city = away & (ps.job[head] == CITY_JOB) & ps.in_city_proper[head]
    in_town = away & (ps.job[head] == TOWN_JOB)
    in_situ = ~away & h.in_situ_urban[ps.household[rows]]
    city_nonnative = np.bincount(ps.city[head[in_city]], w[in_city], minlength=j.n)
    town_nonnative = (np.bincount(ps.county[rows[in_town]], w[in_town], minlength=c.n)
                      + np.bincount(ps.county[rows[in_situ]], w[in_situ], minlength=c.n))
    j.native[:] = np.maximum(world.city_pop - city_nonnative, p["native_floor_share"] * world.city_pop)
    c.native[:] = np.maximum(town_by_county - town_nonnative, p["native_floor_share"] * town_by_county)
    # the nation's natives by age: the towns' and cities' total, shaped like the 2013 population
    model.state.natives_by_age[:] = (c.native.sum() + j.native[j.inside].sum()) * age_distribution_2013()


def set_up_places(model, rng) -> None:
    """Productivity, capital, costs and services of cities, county towns and village firms: wages at their 2013
    level with capital a set number of years of output; farm value and capital per mu; services and
    infrastructure; what non-hukou residents get of local services."""
    p, world, c, j, now = model.params, model.world, model.counties, model.cities, model.in_force
    a = p["capital_share_urban"]
    j.shock[:] = 0.0
    j.unemployment[:] = p["urban_unemployment_base"]
    c.unemployment[:] = p["urban_unemployment_base"]
    city_l, town_l, village_l = labour_supply(model)

    def calibrate(wage, labour, ratio):
        output = wage * labour / (1 - a)
        K = ratio * output
        return K, output / (K**a * labour ** (1 - a))

    target_wage = p["city_wage_2013"] * (world.city_pop / 1e6) ** p["agglomeration_elasticity"]
    j.K[:], j.A[:] = calibrate(target_wage, city_l, p["capital_output_ratio"])
    town_wage = p["city_wage_2013"] * p["county_wage_discount"]
    c.K_town[:], c.A_town[:] = calibrate(town_wage, town_l, p["capital_output_ratio"])
    c.K_village[:], c.A_village[:] = calibrate(town_wage * p["village_wage_discount"], village_l,
                                               p["village_capital_output_ratio"])
    model.state.capital_per_unit_2013.update(town=float(c.K_town.sum() / town_l.sum()),
                                             village=float(c.K_village.sum() / village_l.sum()))
    j.living_cost[:] = living_cost(p, 1.0, world.city_pop)
    c.living_cost[:] = living_cost(p, 1.0, c.population / c.multiplier)
    districts = town_city(model)  # counties of urban districts: their town is their city
    use_city = districts >= 0
    c.living_cost[use_city] = j.living_cost[districts[use_city]]
    j.service[:] = np.clip(p["city_service_base"] + p["city_service_tier_step"] * (5 - j.tier), 0, 1)
    c.infra[:] = np.clip(rng.normal(p["infrastructure_2013"], p["infrastructure_2013_sd"], c.n), *INFRA_RANGE)
    c.town_service[:] = p["town_service_2013"]
    c.village_service[:] = np.clip(rng.normal(p["village_service_2013"], p["village_service_2013_sd"], c.n),
                                   *VILLAGE_SERVICE_RANGE)
    j.support_rate[:] = 1.0  # settling families expect support to be paid in full until a budget runs short
    c.support_rate[:] = 1.0
    j.migrant_access[:] = now["services_by_residence"]
    c.migrant_access[:] = now["services_by_residence"]
    c.A_ag[:] = 1.0
    c.K_ag[:] = p["ag_capital_per_mu"] * c.farmland
    c.K_ag_start[:] = c.K_ag
