"""Per-place quantities every phase shares: residents, labour supply, production, wages, employment chances,
living and commuting costs, access to public services, and where migrants look for work.

Each is one formula over counties or cities (arrays), used by the start state and by the phases alike; nothing
here loops over people except through the compiled kernels.
"""

from __future__ import annotations

import numpy as np

from ..inputs.registry import CITY_TIERS
from . import kernels
from .people import ADULT_AGE, ELDERLY_AGE
from .world import tier_of

GUIDE_BUCKETS = 1024  # per county: lookup buckets of the inverse-CDF search (speed only; a power of two)
MIN_PLACE_SIZE = 1e4  # persons: living costs of smaller places are those of this size (a guard)


# ---------------------------------------------------------------------------------------------- who is where
def count_members(model) -> None:
    """Refresh each household's counts of members by age and place, its first migrant unit, and each unit's
    dependants (`kernels.count_members`). Called whenever people move, are born, die or settle."""
    h, ps = model.households, model.persons
    counts, h.lead_unit[:], model.state.dependants = kernels.count_members(ps.arrays(), ADULT_AGE, ELDERLY_AGE,
                                                                           int(model.params["farm_age_max"]), h.n)
    (h.home_children[:], h.home_adults[:], h.home_elderly[:], h.home_65_plus[:], h.home_farm_elderly[:],
     h.home_farmers[:], h.home_workers[:], h.away[:], h.workers_local[:], h.workers_outbound[:]) = counts


def town_city(model) -> np.ndarray:
    """Per county: the city that is its county town (counties made of a city's urban districts: their local
    jobs and town residents are that city's), or -1."""
    world = model.world
    return model.state.tables.derived("town_city", world,
                                      lambda w: np.where(w.is_urban_district, w.prefecture_city, -1).astype(np.int32))


def count_residents(model) -> None:
    """Residents of every city, county town and village from the arrays; re-tier cities by their new size.

    City and town populations are natives plus rural-hukou people living there; a county's rural residents are
    its village residents (not in reclassified villages) and the city fringes count as rural where they are."""
    h, ps, c, j = model.households, model.persons, model.counties, model.cities
    city_res, fringe, town, village, in_situ = kernels.residents(ps.arrays(), h.weight, h.in_situ_urban,
                                                                 town_city(model), c.n, j.n)
    j.population[:] = j.native + city_res
    j.fringe_residents[:] = fringe
    c.population[:] = c.native + town
    c.rural_residents[:] = village
    c.in_situ_residents[:] = in_situ
    j.tier[:] = tier_of(j.population)


def labour_supply(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Efficiency units of labour in each city, county town and county's village firms: working natives and
    employed migrant workers (+1, a guard against empty places)."""
    h, ps, c, j = model.households, model.persons, model.counties, model.cities
    city_l, town_l, village_l = kernels.labour_supply(ps.arrays(), h.weight, town_city(model), c.n, j.n)
    native = model.params["native_participation"] * model.params["native_efficiency"]
    return native * j.native + city_l + 1.0, native * c.native + town_l + 1.0, village_l + 1.0


# ---------------------------------------------------------------------------------------------- production
def produce(A: np.ndarray, K: np.ndarray, L: np.ndarray, alpha: float,
            max_capital_per_unit: float | np.ndarray = np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cobb-Douglas output Y = A K_used^alpha L^(1-alpha), the wage per efficiency unit (1-alpha) Y / L and the
    return to (all) capital alpha Y / K. Capital beyond `max_capital_per_unit` x L stands idle (a firm cannot
    run its machines without people: where workers leave, wages do not soar and the return on capital falls)."""
    used = np.minimum(K, max_capital_per_unit * L)
    output = A * used**alpha * L ** (1 - alpha)
    return output, (1 - alpha) * output / L, alpha * output / K


def living_cost(params, housing_index: float, residents: np.ndarray) -> np.ndarray:
    """Yearly living cost of a migrant worker (yuan) in a place of `residents` persons: a city of 1 M costs
    `housing_cost_per_m_pop` in 2013, scaling with size by `housing_cost_size_elasticity` and over time with the
    housing-cost index."""
    size = np.maximum(residents, MIN_PLACE_SIZE) / 1e6
    return params["housing_cost_per_m_pop"] * housing_index * size ** params["housing_cost_size_elasticity"]


def employment_chance(model, unemployment: np.ndarray) -> np.ndarray:
    """Employment probability of a migrant where urban unemployment is `unemployment`; employment services
    narrow the migrants' disadvantage."""
    p = model.params
    premium = p["migrant_unemployment_premium"] - model.in_force["employment_services"]
    return np.clip(1 - unemployment * premium, p["employment_chance_min"], 1.0)


def commute_cost(model) -> np.ndarray:
    """Yearly cost of commuting from a village to the county town (per county), falling as infrastructure
    reaches villages: the 2013 cost at the 2013 mean infrastructure, rising with wages."""
    p = model.params
    return p["commute_cost_2013"] * model.state.wage_index * (1.0 + p["infrastructure_2013"] - model.counties.infra)


# ---------------------------------------------------------------------------------------------- services
def settlement_openness_of_tier(in_force) -> np.ndarray:
    """Settlement openness (lever) of each city size tier, in `CITY_TIERS` order."""
    return np.array([in_force[f"settlement_openness_{t}"] for t in CITY_TIERS])


def service_access(model, openness, delivered):
    """Share of a place's public services a migrant without local hukou can use: what is delivered to non-hukou
    residents there (`migrant_access`, which follows `services_by_residence` as schools and clinics are built),
    plus part of the rest where settlement is open."""
    return delivered + (1 - delivered) * openness * model.params["service_access_openness_weight"]


def city_access(model) -> np.ndarray:
    """Service access of a migrant in each city (`service_access`)."""
    j = model.cities
    return service_access(model, settlement_openness_of_tier(model.in_force)[j.tier], j.migrant_access)


def town_access(model) -> np.ndarray:
    """Service access of a migrant in each county town."""
    c = model.counties
    return service_access(model, model.in_force["settlement_openness_county_town"], c.migrant_access)


# ---------------------------------------------------------------------------------------------- destinations
def update_destination_distribution(model) -> None:
    """Per-county sampling distribution of candidate cities, proportional to size and falling with distance
    (`tables.destination_q` and its cumulative `destination_cdf`)."""
    tables = model.state.tables
    pop = np.maximum(model.cities.population, 1.0)
    q = pop[None, :] / model.world.distance ** model.params["sampling_distance_decay"]
    q /= q.sum(axis=1, keepdims=True)
    tables.destination_q = q
    cdf = np.cumsum(q, axis=1)
    cdf[:, -1] = 1.0
    tables.destination_cdf = cdf


def destination_search(model) -> tuple[np.ndarray, np.ndarray]:
    """The counties' CDFs laid end to end (county c's row shifted by +c) and the guide table of
    `kernels.guided_search`, cached for the current CDF."""
    cdf = model.state.tables.destination_cdf
    return model.state.tables.derived("destination_guide", cdf, lambda c: kernels.destination_guide(c, GUIDE_BUCKETS))


def sample_destinations(model, county: np.ndarray, k: int, rng) -> np.ndarray:
    """k sampled candidate cities for each decider (rows), by inverse CDF on the county's distribution."""
    flat, guide = destination_search(model)
    x = rng.random((len(county), k)) * 0.999999  # x + county stays below the row's end after rounding
    return kernels.guided_search(x, county, flat, guide, GUIDE_BUCKETS, model.cities.n)


def update_network(model) -> None:
    """Share of each county's city workers in each city (the pull of earlier migrants)."""
    ps, c, j = model.persons, model.counties, model.cities
    model.state.tables.network_share = kernels.network_shares(ps.arrays(), c.n, j.n)
