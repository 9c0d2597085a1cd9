"""Per-place quantities every phase shares: residents, labour supply, production, wages, employment chances,
living and commuting costs, access to public services, and where migrants look for work.

Each is one formula over counties or cities (arrays), used by the start state and by the phases alike; nothing
here loops over households or migrants except through the compiled kernels.
"""

from __future__ import annotations

import numpy as np

from ..inputs.registry import CITY_TIERS
from . import kernels
from .people import CITY, DEST_CITY, DEST_TOWN, TOWN, VILLAGE
from .world import tier_of

GUIDE_BUCKETS = 1024  # per county: lookup buckets of the inverse-CDF search (speed only; a power of two)
MIN_PLACE_SIZE = 1e4  # persons: living costs of smaller places are those of this size (a guard)


# ---------------------------------------------------------------------------------------------- who is where
def count_residents(model) -> None:
    """Residents of every town, city and village from the arrays; re-tier cities by their new size."""
    h, mg, c, j = model.households, model.migrants, model.counties, model.cities
    hh_city, hh_town, hh_village = kernels.residents_of_households(
        h.county, h.residence, h.residence_city, h.members_home(), h.weight, c.n, j.n, VILLAGE, TOWN, CITY)
    mig_city, mig_town, commuting = kernels.residents_of_migrants(
        mg.alive, mg.origin, mg.county, mg.dest_kind, mg.dest_city, mg.lives_in_town, h.weight, c.n, j.n,
        DEST_TOWN, DEST_CITY)
    j.population[:] = j.native + mig_city + hh_city
    c.population[:] = c.native + mig_town + hh_town
    c.rural_residents[:] = hh_village + commuting
    j.tier[:] = tier_of(j.population)


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


# ---------------------------------------------------------------------------------------------- production
def produce(A: np.ndarray, K: np.ndarray, L: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cobb-Douglas output Y = A K^alpha L^(1-alpha), the wage per efficiency unit (1-alpha) Y / L and the
    return to capital alpha Y / K."""
    output = A * K**alpha * L ** (1 - alpha)
    return output, (1 - alpha) * output / L, alpha * output / K


def living_cost(params, housing_index: float, residents: np.ndarray) -> np.ndarray:
    """Yearly living cost of a migrant (yuan) in a place of `residents` persons: a city of 1 M costs
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


def service_access(model, openness):
    """Share of a place's public services a migrant without local hukou can use: services by place of residence,
    plus part of the rest where settlement is open."""
    by_residence = model.in_force["services_by_residence"]
    return by_residence + (1 - by_residence) * openness * model.params["service_access_openness_weight"]


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


def sample_destinations(model, county: np.ndarray, k: int, rng) -> np.ndarray:
    """k sampled candidate cities for each decider (rows), by inverse CDF on the county's distribution.

    The result is exactly `searchsorted(flat, u, side="right")` over all counties' CDFs laid end to end (county
    c's row shifted by +c), with u = x + county for uniform draws x; a guide table (for bucket b of county c, a
    position in `flat` before which every entry is <= c + (b - 1)/B) only finds it faster
    (`kernels.guided_search`)."""
    cdf = model.state.tables.destination_cdf
    flat, guide = model.state.tables.derived("destination_guide", cdf,
                                             lambda c: kernels.destination_guide(c, GUIDE_BUCKETS))
    x = rng.random((len(county), k)) * 0.999999
    return kernels.guided_search(x, county, flat, guide, GUIDE_BUCKETS, cdf.shape[1])


def network_shares(model) -> np.ndarray:
    """Share of each county's outbound migrants in each city (the pull of earlier migrants)."""
    mg, c, j = model.migrants, model.counties, model.cities
    return kernels.network_shares(mg.alive, mg.dest_kind, mg.county, mg.dest_city, c.n, j.n, DEST_CITY)
