"""Phase 4, labour: migrants earn, remit and reconsider (stay, another city, the county town, home); workers at
home choose between farming, the county town and k sampled cities by random utility; skills training; urban
talent drawn to villages. Vectorized over the deciders (compiled loops around NumPy's log)."""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..incomes import business_income, pay_migrants, transfer_per_capita
from ..markets import (commute_cost, employment_chance, network_shares, sample_destinations, service_access,
                       settlement_openness_of_tier)
from ..people import DEST_CITY, DEST_TOWN, VILLAGE

NETWORK_FLOOR = 0.002  # share added before the log of the network share (a county with no migrants in a city)


# ---------------------------------------------------------------------------------------------- utilities
def city_utility(model, county: np.ndarray, city: np.ndarray, skill: np.ndarray,
                 correction: np.ndarray | None = None) -> np.ndarray:
    """Systematic utility of working in `city` (n x k) for workers from `county` with `skill` (n each), plus
    the choice-set `correction` per county x city pair when given.

    Terms that depend only on the city are computed once per city and those that depend on the county and city
    once per pair, then gathered by compiled loops (`kernels.city_income`, `kernels.add_city_terms`): the same
    numbers, in the same order of operations, as computing them per worker and candidate with NumPy:
    p_inc * log(max(floor, pay * skill - living)) + services - distance + network (+ correction)."""
    p, j, tables = model.params, model.cities, model.state.tables
    pay = employment_chance(model, j.unemployment) * j.wage  # expected wage per efficiency unit, by city
    openness = settlement_openness_of_tier(model.in_force)[j.tier]
    services = p["utility_services"] * service_access(model, openness) * j.service
    distance = tables.derived("distance_utility", model.world.distance,
                              lambda d: (p["utility_distance"] * np.log1p(d)).ravel())
    network = tables.derived("network_utility", tables.network_share,
                             lambda n: (p["utility_network"] * np.log(n + NETWORK_FLOOR)).ravel())
    u = kernels.city_income(pay, j.living_cost, city, skill, p["income_floor"])
    np.log(u, out=u)  # NumPy's log, as everywhere else in the model
    kernels.add_city_terms(u, p["utility_income"], services, distance, network,
                           distance if correction is None else correction, county, city, j.n, correction is not None)
    return u


def town_utility(model, county: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """Working in the home county town (commuting or living there):
    p_inc * log(max(floor, employment chance * wage * skill - min(commute cost, living cost))) + services
    - distance village-town + part of the home attachment (compiled loops around NumPy's log)."""
    p, c = model.params, model.counties
    u = kernels.town_income(county, skill, employment_chance(model, c.unemployment), c.wage, commute_cost(model),
                            c.living_cost, p["income_floor"])
    np.log(u, out=u)
    access = service_access(model, model.in_force["settlement_openness_county_town"])
    kernels.finish_town_utility(u, county, p["utility_income"], p["utility_services"] * access, c.town_service,
                                p["utility_distance"] * np.log1p(p["village_town_km"]),
                                p["utility_home_attachment"] * p["town_attachment_share"])
    return u


def home_utility(model, county: np.ndarray, skill: np.ndarray, savings: np.ndarray) -> np.ndarray:
    """Farming and living in the village; rural finance and talent incentives add business income:
    p_inc * log(max(floor, farm income * sqrt(skill / median) + business income + transfers)) + amenity +
    attachment (compiled loops around NumPy's log)."""
    p, c = model.params, model.counties
    u = kernels.home_income(county, skill, business_income(model, savings), c.farm_income_per_worker,
                            p["rural_skill_median"], transfer_per_capita(model), p["income_floor"])
    np.log(u, out=u)
    kernels.finish_home_utility(u, county, p["utility_income"], p["utility_services"], c.village_service, c.infra,
                                p["amenity_service_weight"], p["amenity_infrastructure_weight"],
                                p["utility_home_attachment"])
    return u


# ---------------------------------------------------------------------------------------------- choice sets
def _city_options(model, county, skill, rng):
    k = int(model.params["choice_set_size"])
    candidates = sample_destinations(model, county, k, rng)
    q_correction = model.state.tables.derived("sampling_correction", model.state.tables.destination_q,
                                              lambda q: (-np.log(q * k)).ravel())
    return city_utility(model, county, candidates, skill, correction=q_correction), candidates


def home_worker_utilities(model, rows: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Utilities of [farm at home, county town, k sampled cities] for one adult of each household in `rows`."""
    p, h, asc = model.params, model.households, model.state.tables.choice_constants
    county, skill = h.county[rows], h.skill[rows]
    u_cities, candidates = _city_options(model, county, skill, rng)
    u_town = town_utility(model, county, skill) + asc["home_to_town"]
    u_home = home_utility(model, county, skill, h.savings[rows]) + p["family_tie"] * (h.children[rows] > 0)
    u = np.empty((len(rows), 2 + u_cities.shape[1]))  # = column_stack([u_home, u_town, u_cities + asc])
    u[:, 0], u[:, 1] = u_home, u_town
    np.add(u_cities, asc["home_to_city"], out=u[:, 2:])
    return u, candidates


def migrant_utilities(model, rows: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Utilities of [stay, return home, county town, k sampled cities] for the migrants in `rows`."""
    p, mg, asc = model.params, model.migrants, model.state.tables.choice_constants
    county, skill = mg.county[rows], mg.skill[rows]
    u_cities, candidates = _city_options(model, county, skill, rng)
    u_town = town_utility(model, county, skill)
    u_home = home_utility(model, county, skill, mg.savings[rows]) + p["return_age_pull"] * np.maximum(
        mg.age[rows] - p["return_age"], 0)
    out = mg.dest_kind[rows] == DEST_CITY
    here = np.where(out, city_utility(model, county, np.maximum(mg.dest_city[rows], 0)[:, None], skill)[:, 0], u_town)
    here = (here + p["tenure_bonus"] * np.minimum(mg.years[rows], p["tenure_cap_years"])
            - np.where(mg.employed[rows], 0, p["unemployed_stay_penalty"]))
    u_town = u_town + np.where(out, asc["migrant_to_town"], 0.0)
    u = np.empty((len(rows), 3 + u_cities.shape[1]))  # = column_stack([here, u_home + asc, u_town, u_cities + asc])
    u[:, 0] = here
    np.add(u_home, asc["migrant_return"], out=u[:, 1])
    u[:, 2] = u_town
    np.add(u_cities, asc["migrant_to_city"], out=u[:, 3:])
    return u, candidates


def add_gumbel_noise(u: np.ndarray, rng) -> None:
    """`u += rng.gumbel(size=u.shape)`, from the same uniforms and so the same stream position, but with the
    vectorized log (NumPy's Gumbel is U = 1 - next_double, then -log(-log U) with a scalar log per draw):
    2.9x faster. The noise may differ from NumPy's in the last bits (1 value in 250, by < 5e-13 relative); a
    choice could change only if two alternatives tied to that precision, and the regression test shows none
    does."""
    state = rng.bit_generator.state
    noise = rng.random(u.shape)
    np.subtract(1.0, noise, out=noise)
    if (noise == 1.0).any():  # NumPy rejects U == 1 and draws again (p = 2^-53 per draw): take its exact path
        rng.bit_generator.state = state
        u += rng.gumbel(size=u.shape)
        return
    np.log(noise, out=noise)
    np.negative(noise, out=noise)
    np.log(noise, out=noise)
    u -= noise


# ---------------------------------------------------------------------------------------------- choice constants
def _logit_shares(u: np.ndarray, groups: list[slice]) -> np.ndarray:
    e = np.exp(u - u.max(axis=1, keepdims=True))
    prob = e / e.sum(axis=1, keepdims=True)
    return np.array([prob[:, g].sum(axis=1).mean() for g in groups])


def calibrate_choice_constants(model) -> None:
    """Alternative-specific constants that reproduce the 2013 yearly choice shares (`target_*` parameters).

    Without them the sampled logit would send most reconsidering workers to some city, since many cities
    compete with one farm; the constants stand for everything the utilities leave out (attachment, information,
    job search), fixed at the start so levers move behaviour from there.
    """
    p, h, mg, tables = model.params, model.households, model.migrants, model.state.tables
    rng = model.streams["calibration"]
    tables.network_share = network_shares(model)
    tables.choice_constants = asc = dict(home_to_town=0.0, home_to_city=0.0, migrant_return=0.0,
                                         migrant_to_town=0.0, migrant_to_city=0.0)
    sample = p["choice_calibration_sample"]
    homes = np.flatnonzero((h.residence == VILLAGE) & (h.adults > 0))
    homes = homes[rng.random(len(homes)) < min(1.0, sample / max(len(homes), 1))]
    live = mg.live()
    live = live[rng.random(len(live)) < min(1.0, sample / max(len(live), 1))]
    targets_home = np.array([p["target_home_to_town"], p["target_home_to_city"]])
    targets_mig = np.array([p["target_migrant_return"], p["target_migrant_to_town"], p["target_migrant_to_city"]])
    for _ in range(int(p["choice_calibration_rounds"])):
        u, _c = home_worker_utilities(model, homes, np.random.default_rng(1))
        shares = _logit_shares(u, [slice(1, 2), slice(2, None)])
        asc["home_to_town"] += np.log(targets_home[0] / shares[0])
        asc["home_to_city"] += np.log(targets_home[1] / shares[1])
        u, _c = migrant_utilities(model, live, np.random.default_rng(2))
        out = mg.dest_kind[live] == DEST_CITY
        u_out = u[out]
        shares = _logit_shares(u_out, [slice(1, 2), slice(2, 3), slice(3, None)])
        asc["migrant_return"] += np.log(targets_mig[0] / shares[0])
        asc["migrant_to_town"] += np.log(targets_mig[1] / shares[1])
        asc["migrant_to_city"] += np.log(targets_mig[2] / shares[2])


# ---------------------------------------------------------------------------------------------- the phase
def choose_work(model) -> None:
    """The labour phase: networks, training, this year's pay, then migrants' and home workers' choices."""
    model.state.tables.network_share = network_shares(model)
    train(model)
    pay_migrants(model)
    returned_talent = reconsider_migrants(model)
    leave_home(model)
    draw_urban_talent(model, returned_talent)


def reconsider_migrants(model) -> np.ndarray:
    """A share of migrants (and all unemployed or old ones) reconsider: stay, another sampled city, the county
    town, or home. Returns the skilled returnees per county (talent going back to villages)."""
    p, mg, h = model.params, model.migrants, model.households
    rng = model.streams["labour"]
    live = mg.live()
    u_reconsider = rng.random(len(live))
    unemployed = ~mg.employed[live]
    old = mg.age[live] >= p["return_age"]
    decide = live[(u_reconsider < p["reconsider_rate_migrant"]) | unemployed | old]
    u, candidates = migrant_utilities(model, decide, rng)
    add_gumbel_noise(u, rng)
    choice = u.argmax(axis=1)
    out = mg.dest_kind[decide] == DEST_CITY
    stay = (choice == 0) | ((choice == 2) & ~out)
    go_home = choice == 1
    to_town = (choice == 2) & out
    to_city = choice >= 3
    movers = decide[to_city]
    mg.dest_kind[movers] = DEST_CITY
    mg.dest_city[movers] = candidates[to_city, choice[to_city] - 3]
    mg.years[movers] = 0
    towners = decide[to_town]
    mg.dest_kind[towners] = DEST_TOWN
    mg.dest_city[towners] = -1
    mg.years[towners] = 0
    mg.lives_in_town[towners] = rng.random(len(towners)) < p["local_migrant_lives_in_town"]
    mg.years[decide[stay]] += 1
    returners = decide[go_home]
    skilled = returners[mg.skill[returners] > p["talent_skill_threshold"]]
    model.state.ledger.talent_to_rural += float(h.weight[mg.origin[skilled]].sum())
    returned_talent = np.bincount(mg.county[skilled], h.weight[mg.origin[skilled]], minlength=model.counties.n)
    return_home(model, returners)
    return returned_talent


def return_home(model, rows: np.ndarray) -> None:
    """Migrants come back to their household as working adults, bringing their savings and skills: a returnee
    lifts the household's skill toward their own (skills learned in town and city jobs)."""
    mg, h = model.migrants, model.households
    origin = mg.origin[rows]
    mix = model.params["returnee_skill_mix"]
    np.maximum.at(h.skill, origin, mix * (h.skill[origin] + mg.skill[rows]))
    mg.rejoin(rows, "adults")


def leave_home(model) -> None:
    """A share of households with adults at home in the village reconsider: one adult farms on, or leaves for
    the county town or a sampled city (a new migrant row)."""
    p, h = model.params, model.households
    rng = model.streams["labour"]
    at_home = np.flatnonzero((h.residence == VILLAGE) & (h.adults > 0))
    u_reconsider = rng.random(len(at_home))
    decide = at_home[u_reconsider < p["reconsider_rate_home"]]
    u, candidates = home_worker_utilities(model, decide, rng)
    add_gumbel_noise(u, rng)
    choice = u.argmax(axis=1)
    leave = choice >= 1
    leavers = decide[leave]
    mg = model.migrants
    rows = mg.allocate(leavers)
    local = choice[leave] == 1
    mg.dest_kind[rows] = np.where(local, DEST_TOWN, DEST_CITY)
    mg.dest_city[rows] = np.where(local, -1, candidates[leave, np.maximum(choice[leave] - 2, 0)])
    age = rng.normal(p["new_migrant_age"], p["new_migrant_age_sd"], len(rows))
    mg.age[rows] = np.clip(age, p["worker_age_min"], p["new_migrant_age_max"]).astype(np.int16)
    mg.skill[rows] = h.skill[leavers] * rng.lognormal(p["new_migrant_skill_log_premium"], p["new_migrant_skill_sd"],
                                                      len(rows))
    mg.lives_in_town[rows] = local & (rng.random(len(rows)) < p["local_migrant_lives_in_town"])
    mg.employed[rows] = True
    h.adults[leavers] -= 1


def draw_urban_talent(model, returned_talent: np.ndarray) -> None:
    """Urban talent drawn to villages by incentives (seconded, not resident: it raises farm productivity),
    besides the skilled migrants who returned this year."""
    p, c = model.params, model.counties
    talent = p["talent_per_incentive"] * model.in_force["urban_talent_incentive"] * c.rural_residents
    c.talent[:] = returned_talent + talent
    model.state.ledger.talent_to_rural += float(talent.sum())


def train(model) -> None:
    """Skills training reaches a share of migrants and of rural households each year."""
    p, mg, h = model.params, model.migrants, model.households
    rng = model.streams["training"]
    gain = np.exp(p["training_skill_gain"])
    cover = model.in_force["skills_training_coverage"]
    live = mg.live()
    trained = live[rng.random(len(live)) < cover]
    mg.skill[trained] = np.minimum(mg.skill[trained] * gain, p["skill_cap"])
    hh = rng.random(h.n) < cover * p["household_training_share"]
    h.skill[hh] = np.minimum(h.skill[hh] * gain, p["skill_cap"])
