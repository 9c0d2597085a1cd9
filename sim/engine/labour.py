"""Phases 4 and 5: where rural workers work (random utility over farm, county town and sampled cities) and who
settles with urban hukou. Vectorized over the deciders; agents are created and removed as migrants come and go.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .economy import business_income, migrant_employment_chance
from .start import sample_destinations
from .people import (CITY, DEST_CITY, DEST_TOWN, HOMESTEAD_EXITED, HOMESTEAD_IDLE, LAND_EXITED, RURAL, TOWN,
                         URBAN, VILLAGE)


def settle_incomes(model) -> None:
    """Employment draws, wages, living costs, remittances and saving of every live migrant.

    Per migrant (a compiled loop, `kernels.settle_migrant_incomes`): employed with the employment chance where
    it works; wage = employed x wage rate x skill; living cost of the city, of the county town, or of
    commuting; a share of the wage net of living costs is remitted and a share of the rest saved."""
    p, mg, h, c, j = model.params, model.migrants, model.households, model.counties, model.cities
    rng = model.streams["employment"]
    live = mg.live()
    draw = rng.random(len(live))
    saved_w = kernels.settle_migrant_incomes(
        live, draw, mg.dest_kind, mg.dest_city, mg.county, mg.skill, mg.lives_in_town, mg.origin, h.weight,
        migrant_employment_chance(model, j.unemployment), migrant_employment_chance(model, c.unemployment), j.wage,
        c.wage, j.living_cost, c.living_cost, commute_cost(model, np.arange(c.n)), p["remittance_share"],
        p["household_saving_rate"], DEST_CITY, mg.employed, mg.wage, mg.remit, mg.savings)
    model.ledger.saving += float(saved_w.sum())


def commute_cost(model, county: np.ndarray) -> np.ndarray:
    """Yearly cost of commuting from a village to the county town, falling as infrastructure reaches villages."""
    infra = model.counties.infra[county]
    return model.params["commute_cost_2013"] * model.wage_index * (1.35 - infra)


# ---------------------------------------------------------------------------------------------- utilities
def _county_city_table(model, name: str, source: np.ndarray, fn) -> np.ndarray:
    """`fn(source)` over all county x city pairs, flattened, cached while `source` is the same array object."""
    cached = model.__dict__.get(name)
    if cached is None or cached[0] is not source:
        cached = (source, fn(source).ravel())
        setattr(model, name, cached)
    return cached[1]


def city_utility(model, county: np.ndarray, city: np.ndarray, skill: np.ndarray,
                 correction: np.ndarray | None = None) -> np.ndarray:
    """Systematic utility of working in `city` (n x k) for workers from `county` with `skill` (n each), plus
    the choice-set `correction` per county x city pair when given.

    Terms that depend only on the city are computed once per city and those that depend on the county and city
    once per pair, then gathered by compiled loops (`kernels.city_income`, `kernels.add_city_terms`): the same
    numbers, in the same order of operations, as computing them per worker and candidate with NumPy:
    p_inc * log(max(500, pay * skill - living)) + services - distance + network (+ correction)."""
    p, lv, j = model.params, model.lever, model.cities
    pay = migrant_employment_chance(model, j.unemployment) * j.wage  # expected wage per efficiency unit, by city
    openness = model.settlement_openness_of_tier()[j.tier]
    access = lv["services_by_residence"] + (1 - lv["services_by_residence"]) * openness * 0.3
    services = p["utility_services"] * access * j.service
    distance = _county_city_table(model, "_distance_utility", model.world.distance,
                                  lambda d: p["utility_distance"] * np.log1p(d))
    network = _county_city_table(model, "_network_utility", model.network_share,
                                 lambda n: p["utility_network"] * np.log(n + 0.002))
    u = kernels.city_income(pay, j.living_cost, city, skill)
    np.log(u, out=u)  # NumPy's log, as everywhere else in the model
    kernels.add_city_terms(u, p["utility_income"], services, distance, network,
                           distance if correction is None else correction, county, city, j.n, correction is not None)
    return u


def town_utility(model, county: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """Working in the home county town (commuting or living there):
    p_inc * log(max(500, employment chance * wage * skill - min(commute cost, living cost))) + services
    - distance village-town + part of the home attachment (compiled loops around NumPy's log)."""
    p, lv, c = model.params, model.lever, model.counties
    u = kernels.town_income(county, skill, migrant_employment_chance(model, c.unemployment), c.wage,
                            commute_cost(model, np.arange(c.n)), c.living_cost)
    np.log(u, out=u)
    access = lv["services_by_residence"] + (1 - lv["services_by_residence"]) * lv["settlement_openness_county_town"] * 0.3
    kernels.finish_town_utility(u, county, p["utility_income"], p["utility_services"] * access, c.town_service,
                                p["utility_distance"] * np.log1p(p["village_town_km"]),
                                p["utility_home_attachment"] * 0.6)
    return u


def home_utility(model, county: np.ndarray, skill: np.ndarray, savings: np.ndarray) -> np.ndarray:
    """Farming and living in the village; rural finance and talent incentives add business income:
    p_inc * log(max(500, farm income * sqrt(skill / median) + business income + transfers)) + amenity + attachment
    (compiled loops around NumPy's log)."""
    p, c = model.params, model.counties
    u = kernels.home_income(county, skill, business_income(model, savings), c.farm_income_per_worker,
                            p["rural_skill_median"], model.transfer_per_capita())
    np.log(u, out=u)
    kernels.finish_home_utility(u, county, p["utility_income"], p["utility_services"], c.village_service, c.infra,
                                p["utility_home_attachment"])
    return u


# ---------------------------------------------------------------------------------------------- choices
def _city_options(model, county, skill, rng):
    k = int(model.params["choice_set_size"])
    candidates = sample_destinations(model, county, k, rng)
    q_correction = _county_city_table(model, "_sampling_correction", model.destination_q, lambda q: -np.log(q * k))
    return city_utility(model, county, candidates, skill, correction=q_correction), candidates


def home_worker_utilities(model, rows: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Utilities of [farm at home, county town, k sampled cities] for one adult of each household in `rows`."""
    p, h, asc = model.params, model.households, model.choice_constants
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
    p, mg, asc = model.params, model.migrants, model.choice_constants
    county, skill = mg.county[rows], mg.skill[rows]
    u_cities, candidates = _city_options(model, county, skill, rng)
    u_town = town_utility(model, county, skill)
    u_home = home_utility(model, county, skill, mg.savings[rows]) + p["return_age_pull"] * np.maximum(
        mg.age[rows] - p["return_age"], 0)
    out = mg.dest_kind[rows] == DEST_CITY
    here = np.where(out, city_utility(model, county, np.maximum(mg.dest_city[rows], 0)[:, None], skill)[:, 0], u_town)
    here = here + p["tenure_bonus"] * np.minimum(mg.years[rows], 10) - np.where(mg.employed[rows], 0, 1.0)
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


def _logit_shares(u: np.ndarray, groups: list[slice]) -> np.ndarray:
    e = np.exp(u - u.max(axis=1, keepdims=True))
    prob = e / e.sum(axis=1, keepdims=True)
    return np.array([prob[:, g].sum(axis=1).mean() for g in groups])


def calibrate_choice_constants(model, iterations: int = 12) -> None:
    """Alternative-specific constants that reproduce the 2013 yearly choice shares (`target_*` calibration).

    Without them the sampled logit would send most reconsidering workers to some city, since many cities
    compete with one farm; the constants stand for everything the utilities leave out (attachment, information,
    job search), fixed at the start so levers move behaviour from there.
    """
    p, h, mg = model.params, model.households, model.migrants
    rng = model.streams["calibration"]
    update_network(model)
    model.choice_constants = asc = dict(home_to_town=0.0, home_to_city=0.0, migrant_return=0.0, migrant_to_town=0.0,
                                        migrant_to_city=0.0)
    homes = np.flatnonzero((h.residence == VILLAGE) & (h.adults > 0))
    homes = homes[rng.random(len(homes)) < min(1.0, 20000 / max(len(homes), 1))]
    live = mg.live()
    live = live[rng.random(len(live)) < min(1.0, 20000 / max(len(live), 1))]
    targets_home = np.array([p["target_home_to_town"], p["target_home_to_city"]])
    targets_mig = np.array([p["target_migrant_return"], p["target_migrant_to_town"], p["target_migrant_to_city"]])
    for _ in range(iterations):
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


# ---------------------------------------------------------------------------------------------- phase 4
def choose_work(model) -> None:
    p, lv, mg, h = model.params, model.lever, model.migrants, model.households
    rng = model.streams["labour"]
    update_network(model)
    train(model)
    settle_incomes(model)

    # --- migrants reconsider: stay, move to another sampled city or the county town, or return home
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
    model.ledger.talent_to_rural += float(h.weight[mg.origin[skilled]].sum())
    c_talent = np.bincount(mg.county[skilled], h.weight[mg.origin[skilled]], minlength=model.counties.n)
    return_home(model, returners)

    # --- workers at home in the village: farm, or leave for the county town or a city
    at_home = np.flatnonzero((h.residence == VILLAGE) & (h.adults > 0))
    u_reconsider = rng.random(len(at_home))
    decide = at_home[u_reconsider < p["reconsider_rate_home"]]
    u, candidates = home_worker_utilities(model, decide, rng)
    add_gumbel_noise(u, rng)
    choice = u.argmax(axis=1)
    leave = choice >= 1
    leavers = decide[leave]
    rows = model.migrants.allocate(len(leavers))
    mg = model.migrants  # arrays may have grown
    mg.origin[rows] = leavers
    mg.county[rows] = h.county[leavers]
    local = choice[leave] == 1
    mg.dest_kind[rows] = np.where(local, DEST_TOWN, DEST_CITY)
    mg.dest_city[rows] = np.where(local, -1, candidates[leave, np.maximum(choice[leave] - 2, 0)])
    mg.age[rows] = np.clip(rng.normal(p["new_migrant_age"], 6.0, len(rows)), 16, 55).astype(np.int16)
    mg.skill[rows] = h.skill[leavers] * rng.lognormal(0.05, 0.15, len(rows))
    mg.lives_in_town[rows] = local & (rng.random(len(rows)) < p["local_migrant_lives_in_town"])
    mg.employed[rows] = True
    h.adults[leavers] -= 1
    model.spawn_migrant_agents(rows)

    # --- urban talent drawn to villages by incentives (seconded, not resident: raises farm productivity)
    talent = p["talent_per_incentive"] * lv["urban_talent_incentive"] * model.counties.rural_residents
    model.counties.talent[:] = c_talent + talent
    model.ledger.talent_to_rural += float(talent.sum())
    model.count_household_migrants()


def return_home(model, rows: np.ndarray) -> None:
    """Migrants come back to their household as working adults, bringing their savings and skills."""
    mg, h = model.migrants, model.households
    origin = mg.origin[rows]
    np.add.at(h.adults, origin, 1)
    np.add.at(h.savings, origin, mg.savings[rows])
    # Returnees lift the household's skill toward their own (skills learned in town and city jobs).
    np.maximum.at(h.skill, origin, 0.5 * (h.skill[origin] + mg.skill[rows]))
    model.remove_migrants(rows)


def update_network(model) -> None:
    """Share of each county's outbound migrants in each city (the pull of earlier migrants)."""
    mg, c, j = model.migrants, model.counties, model.cities
    model.network_share = kernels.network_shares(mg.alive, mg.dest_kind, mg.county, mg.dest_city, c.n, j.n, DEST_CITY)


def train(model) -> None:
    """Skills training reaches a share of migrants and of rural households each year."""
    p, lv, mg, h = model.params, model.lever, model.migrants, model.households
    rng = model.streams["training"]
    gain = np.exp(p["training_skill_gain"])
    cover = lv["skills_training_coverage"]
    live = mg.live()
    trained = live[rng.random(len(live)) < cover]
    mg.skill[trained] = np.minimum(mg.skill[trained] * gain, p["skill_cap"])
    hh = rng.random(h.n) < cover * 0.5
    h.skill[hh] = np.minimum(h.skill[hh] * gain, p["skill_cap"])


# ---------------------------------------------------------------------------------------------- phase 5
def citizenize(model) -> None:
    """Eligible migrants (and rural-hukou families living in towns) decide whether to take urban hukou."""
    p, lv, mg, h, c, j = model.params, model.lever, model.migrants, model.households, model.counties, model.cities
    rng = model.streams["citizenization"]
    openness_tier = model.settlement_openness_of_tier()

    live = mg.live()
    out = mg.dest_kind[live] == DEST_CITY
    city = np.maximum(mg.dest_city[live], 0)
    openness = np.where(out, openness_tier[j.tier[city]], lv["settlement_openness_county_town"])
    points = np.clip(mg.skill[live] / p["rural_skill_median"], 0.3, 3.0) ** (1 - openness)
    eligible = (mg.employed[live] & (mg.years[live] >= lv["residence_years_required"])
                & (rng.random(len(live)) < np.clip(openness * points, 0, 1)))
    draw = rng.random(len(live))  # one per live migrant; only the eligible ones' are used
    cand = np.flatnonzero(eligible)  # the gain is computed for them only (same values, fewer of them)
    rows, out, city = live[cand], out[cand], city[cand]
    service = np.where(out, j.service[city], c.town_service[mg.county[rows]])
    living = np.where(out, j.living_cost[city], c.living_cost[mg.county[rows]])
    origin = mg.origin[rows]
    burden = living / np.maximum(mg.wage[rows], 1000.0)
    land_income = h.land[origin] * c.rent_per_mu[h.county[origin]] / np.maximum(mg.wage[rows], 1000.0)
    gain = (p["hukou_value"] * (1 - lv["services_by_residence"]) * service + p["citizenization_support_value"] * lv["citizenization_support"]
            - p["settling_cost"] * burden - p["land_value_weight"] * (1 - lv["land_rights_kept_on_settling"]) * land_income * 10)
    settlers = rows[draw[cand] < 1 / (1 + np.exp(-(p["settle_constant"] + gain)))]
    # One decision per household this year: the first settling member takes the family along.
    settlers = settlers[np.unique(mg.origin[settlers], return_index=True)[1]]
    dest_res = np.where(mg.dest_kind[settlers] == DEST_CITY, CITY, TOWN)
    dest_city = np.where(mg.dest_kind[settlers] == DEST_CITY, mg.dest_city[settlers], -1)
    households = mg.origin[settlers]

    # Rural-hukou families already living in a town or city may also settle there.
    resident = np.flatnonzero((h.hukou == RURAL) & (h.residence != VILLAGE))
    r_open = np.where(h.residence[resident] == CITY, openness_tier[j.tier[np.maximum(h.residence_city[resident], 0)]],
                      lv["settlement_openness_county_town"])
    take = resident[rng.random(len(resident)) < p["resident_settle_rate"] * r_open]
    take = np.setdiff1d(take, households)
    households = np.concatenate([households, take])
    dest_res = np.concatenate([dest_res, h.residence[take]])
    dest_city = np.concatenate([dest_city, h.residence_city[take]])
    settle(model, households, dest_res, dest_city)


def settle(model, households: np.ndarray, residence: np.ndarray, city: np.ndarray) -> None:
    """Households take urban hukou where they settle; their migrants join them; land rights per policy."""
    p, lv, mg, h = model.params, model.lever, model.migrants, model.households
    if not len(households):
        return
    rng = model.streams["citizenization"]
    live = mg.live()
    settling = np.zeros(h.n, dtype=bool)
    settling[households] = True
    joining = live[settling[mg.origin[live]]]  # = live[np.isin(mg.origin[live], households)], in O(n)
    persons = (h.adults[households].astype(np.int64) + h.children[households] + h.elderly[households]
               + h.migrants[households])  # = h.members_home()[households] + h.migrants[households]
    model.ledger.citizenized += float((persons * h.weight[households]).sum())
    np.add.at(h.adults, mg.origin[joining], 1)
    np.add.at(h.savings, mg.origin[joining], mg.savings[joining])
    model.remove_migrants(joining)
    h.hukou[households] = URBAN
    h.residence[households] = residence
    h.residence_city[households] = city
    h.homestead[households] = np.where(h.homestead[households] == HOMESTEAD_EXITED, HOMESTEAD_EXITED, HOMESTEAD_IDLE)
    # Settling costs (housing, moving) are spent out of savings.
    cost = np.minimum(np.maximum(h.savings[households], 0), p["settling_cash_cost"] * model.wage_index)
    h.savings[households] -= cost
    model.ledger.settling_costs += float((cost * h.weight[households]).sum())
    # Counterfactual forced exit: rights surrendered without payment when they are not kept by law.
    forced = households[rng.random(len(households)) >= lv["land_rights_kept_on_settling"]]
    forced = forced[h.land_state[forced] != LAND_EXITED]
    surrender_land(model, forced)
    model.ledger.land_rights_exits += float(h.weight[forced].sum())
    model.count_household_migrants()


def surrender_land(model, households: np.ndarray) -> None:
    """Contracted land goes back to the collective (and on to operators); homesteads become quotas."""
    h, c = model.households, model.counties
    np.add.at(c.collective_land, h.county[households], h.land[households] * h.weight[households])
    h.land[households] = 0.0
    h.land_state[households] = LAND_EXITED
    h.homestead[households] = HOMESTEAD_EXITED
    h.collective_member[households] = False
