"""The 2013 starting state: people, land and capital calibrated onto a world.

Which calibration constant sets which starting outcome (all in `sim.inputs.registry.PARAMETERS`):
- urbanization rate: `target_urbanization` (sizes of county towns; share of rural-hukou families already living
  in towns and cities is solved so that residents in towns and cities match it);
- hukou urbanization: `urban_hukou_share` (natives of towns and cities);
- migrant workers and their local share: `migrant_share_of_population`, `local_migrant_share`;
- urban/rural income ratio: `city_wage_2013`, `county_wage_discount`, `native_income_share`, `ag_output_per_mu`,
  `remittance_share`, `rural_transfer_per_capita`;
- farmland transferred: `land_rental_friction` (lever default) and `rent_out_propensity`.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .places import Cities, Counties
from .people import CITY, DEST_CITY, DEST_TOWN, TOWN, Households, Migrants
from .world import _absolute_sizes, tier_of


def _apportion(shares: np.ndarray, total: int) -> np.ndarray:
    """Integer counts summing to `total`, one each and the rest proportional to `shares` (largest remainder)."""
    shares = np.asarray(shares, float) / np.sum(shares)
    rest = total - len(shares)
    ideal = shares * rest
    base = np.floor(ideal).astype(np.int64)
    order = np.argsort(-(ideal - base), kind="stable")
    base[order[: rest - base.sum()]] += 1
    return base + 1


def destination_sampler(model) -> np.ndarray:
    """Per-county cumulative probabilities over cities, proportional to size and falling with distance."""
    pop = np.maximum(model.cities.population, 1.0)
    q = pop[None, :] / model.world.distance ** model.params["sampling_distance_decay"]
    q /= q.sum(axis=1, keepdims=True)
    model.destination_q = q
    cdf = np.cumsum(q, axis=1)
    cdf[:, -1] = 1.0
    return cdf


GUIDE_BUCKETS = 1024  # per county: lookup buckets of the inverse-CDF search (speed only; a power of two)


def _destination_guide(model) -> tuple[np.ndarray, np.ndarray]:
    """The counties' CDFs laid end to end (`flat`, county c's row shifted by +c) and a guide table: for bucket b
    of county c, a position in `flat` before which every entry is <= c + (b - 1)/B (it counts the entries of
    row c below (b - 1)/B: a lower bound one bucket below the draw's own, a margin far above rounding). Cached for
    the current `destination_cdf` object."""
    cdf = model.destination_cdf
    cached = getattr(model, "_destination_guide", None)
    if cached is not None and cached[0] is cdf:
        return cached[1], cached[2]
    flat, guide = kernels.destination_guide(cdf, GUIDE_BUCKETS)
    model._destination_guide = (cdf, flat, guide)
    return flat, guide


def sample_destinations(model, county: np.ndarray, k: int, rng) -> np.ndarray:
    """k sampled candidate cities for each decider (rows), by inverse CDF on the county's distribution.

    The result is exactly `searchsorted(flat, u, side="right")` over all counties' CDFs laid end to end, with
    u = x + county for uniform draws x; the guide table only finds it faster (`kernels.guided_search`)."""
    flat, guide = _destination_guide(model)
    x = rng.random((len(county), k)) * 0.999999
    return kernels.guided_search(x, county, flat, guide, GUIDE_BUCKETS, model.destination_cdf.shape[1])


def populate(model, n_households: int) -> None:
    p, world, rng = model.params, model.world, model.streams["population"]
    C, J = world.n_counties, world.n_cities
    total_pop = model.total_population_start
    if n_households < C:
        raise ValueError(f"world.households ({n_households}) must be at least the number of counties ({C})")
    rural_by_county, town_by_county = _absolute_sizes(world, total_pop)

    # --- households: composition at home and migrant workers per household
    h = Households(n_households)
    h.county[:] = np.repeat(np.arange(C), _apportion(rural_by_county, n_households))
    mig_rate = p["migrant_share_of_population"] * total_pop / rural_by_county.sum()  # migrants per rural-hukou person
    h.adults[:] = rng.binomial(3, 0.48, n_households)
    h.children[:] = np.minimum(rng.poisson(0.62, n_households), 4)
    h.elderly[:] = rng.binomial(2, 0.275, n_households)
    home = h.members_home().astype(float)
    # Migrants per household so that migrants / rural-hukou persons = mig_rate overall.
    mean_migrants = mig_rate * home.mean() / (1 - mig_rate)
    n_mig = np.minimum(rng.poisson(mean_migrants, n_households), 4)
    empty = (home == 0) & (n_mig == 0)
    h.adults[empty] = 1
    persons = h.members_home().sum() + n_mig.sum()
    weight = rural_by_county.sum() / persons
    h.weight[:] = weight
    h.skill[:] = rng.lognormal(np.log(p["rural_skill_median"]), 0.3, n_households)

    # --- land: contracted farmland per real household, varying within and between counties
    national_rural_hukou = p["total_population"] * (1 - p["urban_hukou_share"])
    farmland = (world.county_farmland_mu if world.county_farmland_mu is not None
                else p["contracted_farmland_mu"] * rural_by_county / national_rural_hukou * rng.lognormal(0, 0.3, C))
    raw = rng.lognormal(0, 0.35, n_households)
    per_county_raw = np.bincount(h.county, raw * weight, minlength=C)
    h.land[:] = raw * farmland[h.county] / per_county_raw[h.county]

    # --- cities and counties
    cities = Cities(J, world.city_inside)
    counties = Counties(C)
    counties.multiplier[:] = world.county_multiplier
    counties.farmland[:] = farmland
    model.cities, model.counties, model.households = cities, counties, h
    cities.population[:] = world.city_pop
    cities.tier[:] = tier_of(world.city_pop)
    model.destination_cdf = destination_sampler(model)

    # --- migrant workers
    mg = Migrants(max(int(n_mig.sum() * 1.5), 1024))
    rows = mg.allocate(int(n_mig.sum()))
    origin = np.repeat(np.arange(n_households), n_mig)
    mg.origin[rows] = origin
    mg.county[rows] = h.county[origin]
    local = rng.random(len(rows)) < p["local_migrant_share"]
    mg.dest_kind[rows] = np.where(local, DEST_TOWN, DEST_CITY)
    dest = sample_destinations(model, mg.county[rows], 1, rng)[:, 0]
    mg.dest_city[rows] = np.where(local, -1, dest)
    mg.age[rows] = np.clip(rng.normal(35.5, 10.5, len(rows)), 16, 59).astype(np.int16)
    mg.skill[rows] = h.skill[origin] * rng.lognormal(0.1, 0.2, len(rows))
    mg.years[rows] = rng.integers(0, 9, len(rows))
    mg.lives_in_town[rows] = local & (rng.random(len(rows)) < p["local_migrant_lives_in_town"])
    mg.employed[rows] = True
    model.migrants = mg

    # --- rural-hukou families already living in towns and cities, solved to match the urbanization rate
    w_m = weight
    urban_migrants = w_m * ((mg.dest_kind[rows] == DEST_CITY) & world.city_inside[np.maximum(mg.dest_city[rows], 0)]
                            | mg.lives_in_town[rows]).sum()
    natives_target = p["urban_hukou_share"] * total_pop
    urban_target = p["target_urbanization"] * total_pop
    needed = max(urban_target - natives_target - urban_migrants, 0.0)
    home_persons = (h.members_home() * weight).sum()
    p_urban = min(needed / home_persons, 0.9)
    moves = rng.random(n_households) < p_urban
    first_city = np.full(n_households, -1)
    outbound = rows[mg.dest_kind[rows] == DEST_CITY]
    first_city[mg.origin[outbound][::-1]] = mg.dest_city[outbound][::-1]
    to_city = moves & (first_city >= 0) & (rng.random(n_households) < 0.4)
    h.residence[moves] = TOWN
    h.residence[to_city] = CITY
    h.residence_city[to_city] = first_city[to_city]

    # --- natives: urban residents minus the rural-hukou people living there
    members = h.members_home() * weight
    city_nonnative = (np.bincount(mg.dest_city[outbound], minlength=J) * w_m
                      + np.bincount(h.residence_city[to_city], members[to_city], minlength=J))
    cities.native[:] = np.maximum(world.city_pop - city_nonnative, 0.1 * world.city_pop)
    town_live = rows[mg.lives_in_town[rows]]
    town_nonnative = (np.bincount(mg.county[town_live], minlength=C) * w_m
                      + np.bincount(h.county[moves & ~to_city], members[moves & ~to_city], minlength=C))
    counties.native[:] = np.maximum(town_by_county - town_nonnative, 0.1 * town_by_county)

    # --- productivity, capital and services: wages at their 2013 level with K/Y = 3 in towns and cities
    cities.shock[:] = 0.0
    cities.unemployment[:] = p["urban_unemployment_base"]
    target_wage = p["city_wage_2013"] * (world.city_pop / 1e6) ** p["agglomeration_elasticity"]
    a = p["capital_share_urban"]
    labour = city_labour(model)
    output = target_wage * labour / (1 - a)
    cities.K[:] = p["capital_output_ratio"] * output
    cities.A[:] = output / (cities.K**a * labour ** (1 - a))
    cities.living_cost[:] = p["housing_cost_per_m_pop"] * (world.city_pop / 1e6) ** p["housing_cost_size_elasticity"]
    cities.service[:] = np.clip(0.6 + 0.05 * (5 - cities.tier), 0, 1)

    counties.infra[:] = np.clip(rng.normal(0.35, 0.08, C), 0.05, 0.9)
    counties.town_service[:] = 0.5
    counties.village_service[:] = np.clip(rng.normal(0.3, 0.05, C), 0.05, 0.6)
    labour_t = town_labour(model)
    town_wage = p["city_wage_2013"] * p["county_wage_discount"]
    town_output = town_wage * labour_t / (1 - a)
    counties.K_town[:] = p["capital_output_ratio"] * town_output
    counties.A_town[:] = town_output / (counties.K_town**a * labour_t ** (1 - a))
    per_town = (counties.native + town_nonnative) / counties.multiplier
    counties.living_cost[:] = p["housing_cost_per_m_pop"] * (np.maximum(per_town, 1e4) / 1e6) ** p[
        "housing_cost_size_elasticity"]
    counties.A_ag[:] = 1.0
    counties.K_ag[:] = p["ag_capital_per_mu"] * farmland
    counties.K_ag_start[:] = counties.K_ag
    counties.unemployment[:] = p["urban_unemployment_base"]

    h.savings[:] = p["initial_savings_years"] * p["ag_output_per_mu"] * h.land * rng.lognormal(0, 0.5, n_households)
    mg.savings[rows] = 0.5 * p["city_wage_2013"] * mg.skill[rows]
    model.count_household_migrants()


def _place_labour(model, dest_kind, migrant_place, residence, household_place, natives) -> np.ndarray:
    """Efficiency units of labour in each place: working natives, employed migrants, adults of resident families."""
    h, mg = model.households, model.migrants
    n = len(natives)
    # = bincounts of skill x weight over the employed live migrants there, and of adults x skill x weight over
    # the households living there, in one compiled pass each
    mig, fam = kernels.labour_by_place(mg.alive, mg.employed, mg.dest_kind, migrant_place, mg.skill, mg.origin,
                                       dest_kind, household_place, h.residence, residence, h.adults, h.skill,
                                       h.weight, n)
    return model.params["native_participation"] * natives + mig + fam + 1.0


def city_labour(model) -> np.ndarray:
    return _place_labour(model, DEST_CITY, model.migrants.dest_city, CITY, model.households.residence_city,
                         model.cities.native)


def town_labour(model) -> np.ndarray:
    return _place_labour(model, DEST_TOWN, model.migrants.county, TOWN, model.households.county,
                         model.counties.native)


