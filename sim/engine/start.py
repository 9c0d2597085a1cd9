"""The 2013 starting state: people, land and capital calibrated onto a world (`build_state`).

Which parameter sets which starting outcome (all in `sim.inputs.registry.PARAMETERS`, role "start"):
- urbanization rate: `target_urbanization` (sizes of county towns; the share of rural-hukou families already
  living in towns and cities is solved so that residents of towns and cities match it);
- hukou urbanization: `urban_hukou_share` (natives of towns and cities);
- migrant workers and their local share: `migrant_share_of_population`, `local_migrant_share`;
- urban/rural income ratio: `city_wage_2013`, `county_wage_discount`, `native_income_share`, `ag_output_per_mu`,
  `remittance_share`, `rural_transfer_per_capita`;
- farmland transferred: `land_rental_friction` (lever default) and `rent_out_propensity`.

The draws below come from the "population" stream in a fixed order; changing the order changes every run.
"""

from __future__ import annotations

import numpy as np

from .markets import (city_labour, living_cost, sample_destinations, town_labour,
                      update_destination_distribution)
from .people import CITY, DEST_CITY, DEST_TOWN, TOWN, Households, Migrants
from .places import Cities, Counties
from .state import State
from .world import _absolute_sizes as absolute_sizes, build_world, tier_of  # (public name after the geography merge)

MIGRANT_CAPACITY_FACTOR = 1.5  # migrant rows allocated at the start per migrant (they grow as needed)
INFRA_RANGE = (0.05, 0.9)  # the 2013 draws of county infrastructure are kept inside this range (a guard)
VILLAGE_SERVICE_RANGE = (0.05, 0.6)  # the same for village services


def apportion(shares: np.ndarray, total: int) -> np.ndarray:
    """Integer counts summing to `total`, one each and the rest proportional to `shares` (largest remainder)."""
    shares = np.asarray(shares, float) / np.sum(shares)
    rest = total - len(shares)
    ideal = shares * rest
    base = np.floor(ideal).astype(np.int64)
    order = np.argsort(-(ideal - base), kind="stable")
    base[order[: rest - base.sum()]] += 1
    return base + 1


def build_state(model) -> State:
    """The model's state at the start year, attached to `model.state` as it is built (the per-place helpers in
    `markets` read it through the model)."""
    p, rng = model.params, model.streams["population"]
    world, total_pop = build_world(model.config["world"], model.streams["world"])
    n_households = int(model.config["world"]["households"])
    if n_households < world.n_counties:
        raise ValueError(f"world.households ({n_households}) must be at least the number of counties "
                         f"({world.n_counties})")
    rural_by_county, town_by_county = absolute_sizes(world, total_pop)
    h, n_mig = draw_households(p, rng, world, rural_by_county, total_pop, n_households)
    farmland = draw_farmland(p, rng, world, rural_by_county, h)
    counties, cities = Counties(world.n_counties), Cities(world.n_cities, world.city_inside)
    counties.multiplier[:] = world.county_multiplier
    counties.farmland[:] = farmland
    cities.population[:] = world.city_pop
    cities.tier[:] = tier_of(world.city_pop)
    migrants = Migrants(max(int(n_mig.sum() * MIGRANT_CAPACITY_FACTOR), 1024), h)
    model.state = state = State(world, h, migrants, counties, cities, total_pop)
    update_destination_distribution(model)
    place_migrants(model, rng, n_mig)
    to_city, in_town = place_urban_families(model, rng)
    town_nonnative = count_natives(model, to_city, in_town, town_by_county)
    set_up_places(model, rng, town_nonnative)
    h.savings[:] = p["initial_savings_years"] * p["ag_output_per_mu"] * h.land * rng.lognormal(
        0, p["household_savings_sd"], n_households)
    live = migrants.live()
    migrants.savings[live] = p["migrant_savings_years"] * p["city_wage_2013"] * migrants.skill[live]
    return state


def draw_households(p, rng, world, rural_by_county, total_pop, n_households) -> tuple[Households, np.ndarray]:
    """Households apportioned to counties by rural-hukou population; members at home; migrant workers per
    household (returned) so that migrants over rural-hukou persons match the 2013 share; one weight each."""
    h = Households(n_households)
    h.county[:] = np.repeat(np.arange(world.n_counties), apportion(rural_by_county, n_households))
    mig_rate = p["migrant_share_of_population"] * total_pop / rural_by_county.sum()  # migrants per rural-hukou person
    h.adults[:] = rng.binomial(int(p["adults_at_home_max"]), p["adult_at_home_chance"], n_households)
    h.children[:] = np.minimum(rng.poisson(p["children_mean"], n_households), int(p["children_max"]))
    h.elderly[:] = rng.binomial(int(p["elderly_max"]), p["elderly_chance"], n_households)
    home = h.members_home().astype(float)
    mean_migrants = mig_rate * home.mean() / (1 - mig_rate)
    n_mig = np.minimum(rng.poisson(mean_migrants, n_households), int(p["migrants_per_household_max"]))
    empty = (home == 0) & (n_mig == 0)
    h.adults[empty] = 1
    persons = h.members_home().sum() + n_mig.sum()
    h.weight[:] = rural_by_county.sum() / persons
    h.skill[:] = rng.lognormal(np.log(p["rural_skill_median"]), p["household_skill_sd"], n_households)
    return h, n_mig


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
    h.land[:] = raw * farmland[h.county] / per_county_raw[h.county]
    return farmland


def place_migrants(model, rng, n_mig: np.ndarray) -> None:
    """Migrant rows: local (home county town) or outbound to a sampled city; ages, skills, years there."""
    p, h, mg = model.params, model.households, model.migrants
    rows = mg.allocate(np.repeat(np.arange(h.n), n_mig))
    local = rng.random(len(rows)) < p["local_migrant_share"]
    mg.dest_kind[rows] = np.where(local, DEST_TOWN, DEST_CITY)
    dest = sample_destinations(model, mg.county[rows], 1, rng)[:, 0]
    mg.dest_city[rows] = np.where(local, -1, dest)
    age = rng.normal(p["migrant_age_mean_2013"], p["migrant_age_sd_2013"], len(rows))
    mg.age[rows] = np.clip(age, p["worker_age_min"], p["migrant_age_max_2013"]).astype(np.int16)
    mg.skill[rows] = h.skill[mg.origin[rows]] * rng.lognormal(p["migrant_skill_log_premium"], p["migrant_skill_sd"],
                                                              len(rows))
    mg.years[rows] = rng.integers(0, int(p["migrant_years_max_2013"]), len(rows))
    mg.lives_in_town[rows] = local & (rng.random(len(rows)) < p["local_migrant_lives_in_town"])
    mg.employed[rows] = True


def place_urban_families(model, rng) -> tuple[np.ndarray, np.ndarray]:
    """Rural-hukou families already living in towns and cities, solved so that urban residents match the
    2013 urbanization rate (natives + migrants living there + these families). Returns the masks of households
    moved to a city (that of their first outbound migrant) and to their county town."""
    p, h, mg, world = model.params, model.households, model.migrants, model.world
    total_pop = model.state.total_population_start
    rows = mg.live()
    # Every household carries the same weight at the start (draw_households): weight x count of urban migrants.
    urban_migrants = h.weight[0] * ((mg.dest_kind[rows] == DEST_CITY)
                                    & world.city_inside[np.maximum(mg.dest_city[rows], 0)]
                                    | mg.lives_in_town[rows]).sum()
    natives_target = p["urban_hukou_share"] * total_pop
    urban_target = p["target_urbanization"] * total_pop
    needed = max(urban_target - natives_target - urban_migrants, 0.0)
    home_persons = (h.members_home() * h.weight).sum()
    p_urban = min(needed / home_persons, p["urban_family_share_max"])
    moves = rng.random(h.n) < p_urban
    first_city = np.full(h.n, -1)
    outbound = rows[mg.dest_kind[rows] == DEST_CITY]
    first_city[mg.origin[outbound][::-1]] = mg.dest_city[outbound][::-1]
    to_city = moves & (first_city >= 0) & (rng.random(h.n) < p["urban_family_in_city_share"])
    h.residence[moves] = TOWN
    h.residence[to_city] = CITY
    h.residence_city[to_city] = first_city[to_city]
    return to_city, moves & ~to_city


def count_natives(model, to_city: np.ndarray, in_town: np.ndarray, town_by_county: np.ndarray) -> np.ndarray:
    """Urban-hukou natives: each place's urban residents minus the rural-hukou people living there. Returns the
    rural-hukou residents of each county town."""
    p, h, mg, world = model.params, model.households, model.migrants, model.world
    c, j = model.counties, model.cities
    rows = mg.live()
    w_m = h.weight[0]
    outbound = rows[mg.dest_kind[rows] == DEST_CITY]
    members = h.members_home() * h.weight
    city_nonnative = (np.bincount(mg.dest_city[outbound], minlength=j.n) * w_m
                      + np.bincount(h.residence_city[to_city], members[to_city], minlength=j.n))
    j.native[:] = np.maximum(world.city_pop - city_nonnative, p["native_floor_share"] * world.city_pop)
    town_live = rows[mg.lives_in_town[rows]]
    town_nonnative = (np.bincount(mg.county[town_live], minlength=c.n) * w_m
                      + np.bincount(h.county[in_town], members[in_town], minlength=c.n))
    c.native[:] = np.maximum(town_by_county - town_nonnative, p["native_floor_share"] * town_by_county)
    return town_nonnative


def set_up_places(model, rng, town_nonnative: np.ndarray) -> None:
    """Productivity, capital, costs and services of cities and county towns: wages at their 2013 level with
    capital `capital_output_ratio` years of output; farm capital per mu; services and infrastructure."""
    p, world, c, j = model.params, model.world, model.counties, model.cities
    a = p["capital_share_urban"]
    j.shock[:] = 0.0
    j.unemployment[:] = p["urban_unemployment_base"]
    target_wage = p["city_wage_2013"] * (world.city_pop / 1e6) ** p["agglomeration_elasticity"]
    labour = city_labour(model)
    output = target_wage * labour / (1 - a)
    j.K[:] = p["capital_output_ratio"] * output
    j.A[:] = output / (j.K**a * labour ** (1 - a))
    j.living_cost[:] = living_cost(p, 1.0, world.city_pop)
    j.service[:] = np.clip(p["city_service_base"] + p["city_service_tier_step"] * (5 - j.tier), 0, 1)

    c.infra[:] = np.clip(rng.normal(p["infrastructure_2013"], p["infrastructure_2013_sd"], c.n), *INFRA_RANGE)
    c.town_service[:] = p["town_service_2013"]
    c.village_service[:] = np.clip(rng.normal(p["village_service_2013"], p["village_service_2013_sd"], c.n),
                                   *VILLAGE_SERVICE_RANGE)
    labour_t = town_labour(model)
    town_wage = p["city_wage_2013"] * p["county_wage_discount"]
    town_output = town_wage * labour_t / (1 - a)
    c.K_town[:] = p["capital_output_ratio"] * town_output
    c.A_town[:] = town_output / (c.K_town**a * labour_t ** (1 - a))
    town_residents = c.native + town_nonnative
    c.living_cost[:] = living_cost(p, 1.0, town_residents / c.multiplier)
    c.A_ag[:] = 1.0
    c.K_ag[:] = p["ag_capital_per_mu"] * c.farmland
    c.K_ag_start[:] = c.K_ag
    c.unemployment[:] = p["urban_unemployment_base"]
