"""Phase 4, labour: training, a year of pay, then who works where. Migrant workers reconsider (stay, return to
farming, a village or county-town job, another city); people of working age at home without a non-farm job
choose between farming, a village non-farm job, a county-town job and k sampled cities, by random utility with
age-specific terms (a multinomial logit: `kernels.work_utilities`, `kernels.choose_logit`). Urban talent is drawn
to villages."""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..incomes import pay_workers, rural_transfer_per_capita
from ..markets import (GUIDE_BUCKETS, city_access, commute_cost, count_members, destination_search,
                       employment_chance, town_access, update_network)
from ..people import ADULT_AGE, AWAY, CITY_JOB, HOME, NO_JOB, TOWN_JOB, VILLAGE_JOB

NETWORK_FLOOR = 0.002  # share added before the log of the network share (a county with no migrants in a city)
ASC_NAMES = ("home_to_village", "home_to_town", "home_to_city", "return", "outbound_to_local", "to_city")
STAY, FARM, VILLAGE, TOWN, FIRST_CITY = 0, 1, 2, 3, 4  # columns of the utilities


# ---------------------------------------------------------------------------------------------- utilities
def _place_terms(model) -> dict:
    """The per-place and per-pair terms of the work utilities this year."""
    p, c, j, tables = model.params, model.counties, model.cities, model.state.tables
    k = int(p["choice_set_size"])
    flat, guide = destination_search(model)
    distance = tables.derived("distance_utility", model.world.distance,
                              lambda d: (p["utility_distance"] * np.log1p(d)).ravel())
    network = tables.derived("network_utility", tables.network_share,
                             lambda n: (p["utility_network"] * np.log(n + NETWORK_FLOOR)).ravel())
    correction = tables.derived("sampling_correction", tables.destination_q, lambda q: (-np.log(q * k)).ravel())
    # one table lookup per candidate (the pair tables are too big for the cache): the pair terms summed once
    current = network - distance
    return dict(
        flat=flat, guide=guide, n_j=j.n,
        city_pay=employment_chance(model, j.unemployment) * j.wage,
        city_living=j.living_cost,
        city_services=p["utility_services"] * city_access(model) * j.service,
        town_pay=employment_chance(model, c.unemployment) * c.wage,
        town_cost=np.minimum(commute_cost(model), c.living_cost),
        town_services=(p["utility_services"] * town_access(model) * c.town_service
                       - p["utility_distance"] * np.log1p(p["village_town_km"])),
        village_pay=employment_chance(model, c.unemployment) * c.village_wage,
        farm_income=c.farm_income_per_worker,
        amenity=p["utility_services"] * (p["amenity_service_weight"] * c.village_service
                                         + p["amenity_infrastructure_weight"] * c.infra),
        transfer=rural_transfer_per_capita(model),
        distance_term=distance, network_term=network, correction=correction,
        pair_current=current, pair_sampled=current + correction,
    )


def work_utilities(model, rows: np.ndarray, x: np.ndarray, terms: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Utilities (rows x (4 + k)) of the work options of the persons in `rows`, and their sampled cities, from
    candidate uniforms `x` (rows x k); see `kernels.work_utilities` for the terms."""
    p, ps, h = model.params, model.persons, model.households
    t = terms if terms is not None else _place_terms(model)
    asc = np.array([model.state.tables.choice_constants[name] for name in ASC_NAMES])
    hh = ps.household[rows]
    deciders = kernels.Deciders(ps.county[rows], ps.skill[rows], ps.age[rows].astype(np.float64), ps.job[rows],
                                ps.city[rows], ps.years[rows].astype(np.float64), ps.employed[rows],
                                model.state.dependants[rows].astype(np.float64), h.home_children[hh],
                                h.in_situ_urban[hh] & (ps.place[rows] == HOME))
    search = kernels.Search(x, t["flat"], t["guide"], GUIDE_BUCKETS, t["n_j"])
    cities = kernels.CityTerms(t["city_pay"], t["city_living"], t["city_services"])
    counties = kernels.CountyTerms(t["town_pay"], t["town_cost"], t["town_services"], t["village_pay"],
                                   t["farm_income"], t["amenity"])
    pairs = kernels.PairTerms(t["pair_current"], t["pair_sampled"])
    weights = kernels.UtilityWeights(
        p["utility_income"], p["income_floor"], p["rural_skill_median"], p["utility_home_attachment"],
        p["utility_home_attachment"] * p["town_attachment_share"],
        1.0 - p["local_migrant_lives_in_town"],  # town workers who commute from home enjoy the village amenity
        p["family_tie"], p["city_age_penalty"],
        p["city_age_reference"], p["tenure_bonus"], p["tenure_cap_years"], p["unemployed_stay_penalty"],
        p["return_age"], p["return_age_pull"], p["dependant_cost_share"], t["transfer"])
    return kernels.work_utilities(deciders, search, cities, counties, pairs, weights, asc)


def candidate_uniforms(model, n: int, rng) -> np.ndarray:
    """Uniforms for the sampled cities (n x k); x + county stays below the county's row end after rounding."""
    return rng.random((n, int(model.params["choice_set_size"]))) * 0.999999


# ---------------------------------------------------------------------------------------------- choice constants
def _logit_shares(u: np.ndarray, groups: list[slice]) -> np.ndarray:
    e = np.exp(u - u.max(axis=1, keepdims=True))
    prob = e / e.sum(axis=1, keepdims=True)
    return np.array([prob[:, g].sum(axis=1).mean() for g in groups])


def calibrate_choice_constants(model) -> None:
    """Alternative-specific constants that reproduce the 2013 yearly choice shares (`target_*` parameters).

    Without them the sampled logit would send most deciders to some city, since many cities compete with one
    farm; the constants stand for everything the utilities leave out (attachment, information, job search),
    fixed at the start so levers move behaviour from there. Fitted on a sample of deciders with the same
    candidate cities in every round (drawn from the "calibration" stream)."""
    p, ps, tables = model.params, model.persons, model.state.tables
    rng = model.streams["calibration"]
    update_network(model)
    tables.choice_constants = asc = {name: 0.0 for name in ASC_NAMES}
    sample = p["choice_calibration_sample"]
    homes = home_deciders(model, np.ones(ps.capacity, bool))
    homes = homes[rng.random(len(homes)) < min(1.0, sample / max(len(homes), 1))]
    outbound = np.flatnonzero(ps.alive & (ps.job == CITY_JOB))
    outbound = outbound[rng.random(len(outbound)) < min(1.0, sample / max(len(outbound), 1))]
    x_home, x_out = candidate_uniforms(model, len(homes), rng), candidate_uniforms(model, len(outbound), rng)
    terms = _place_terms(model)
    targets_home = [p["target_home_to_village"], p["target_home_to_town"], p["target_home_to_city"]]
    targets_out = [p["target_migrant_return"], p["target_migrant_to_local"], p["target_migrant_to_city"]]
    for _ in range(int(p["choice_calibration_rounds"])):
        u, _c = work_utilities(model, homes, x_home, terms)
        shares = _logit_shares(u, [slice(VILLAGE, VILLAGE + 1), slice(TOWN, TOWN + 1), slice(FIRST_CITY, None)])
        for name, target, share in zip(ASC_NAMES[:3], targets_home, shares):
            asc[name] += np.log(target / share)
        u, _c = work_utilities(model, outbound, x_out, terms)
        shares = _logit_shares(u, [slice(FARM, FARM + 1), slice(VILLAGE, TOWN + 1), slice(FIRST_CITY, None)])
        for name, target, share in zip(ASC_NAMES[3:], targets_out, shares):
            asc[name] += np.log(target / share)


# ---------------------------------------------------------------------------------------------- the phase
def choose_work(model) -> None:
    """The labour phase: networks, training, migrants' and home workers' choices, then this year's pay (the
    year is worked where one chose to be: a worker who came home earns nothing in the city this year)."""
    update_network(model)
    train(model)
    terms = _place_terms(model)
    returned_talent = reconsider_workers(model, terms)
    leave_home(model, terms)
    send_dependants_home(model)
    count_members(model)  # remittances depend on who is at home now
    pay_workers(model)
    draw_urban_talent(model, returned_talent)


def home_deciders(model, draw_ok: np.ndarray) -> np.ndarray:
    """Rows of people at home of working age (16 to `leave_age_max`) without a non-farm job, where `draw_ok`."""
    ps = model.persons
    return np.flatnonzero(ps.alive & (ps.place == HOME) & (ps.job == NO_JOB) & (ps.age >= ADULT_AGE)
                          & (ps.age <= model.params["leave_age_max"]) & draw_ok[: ps.capacity])


def reconsider_workers(model, terms: dict) -> np.ndarray:
    """A share of migrant workers (and all unemployed or old ones) reconsider. Returns the skilled returnees per
    county (talent going back to villages)."""
    p, ps, h = model.params, model.persons, model.households
    rng = model.streams["labour"]
    workers = ps.workers()
    ps.years[workers] += 1  # another year at the job place (reset to 0 by a move, in take_jobs)
    draw = rng.random(len(workers))
    decide = workers[(draw < p["reconsider_rate_migrant"]) | ~ps.employed[workers]
                     | (ps.age[workers] >= p["return_age"])]
    u, cand = work_utilities(model, decide, candidate_uniforms(model, len(decide), rng), terms)
    choice = kernels.choose_logit(u, rng.random(len(decide)))
    returners = decide[choice == FARM]
    skilled = returners[ps.skill[returners] > p["talent_skill_threshold"]]
    ledger = model.state.ledger
    ledger.talent_to_rural += float(h.weight[ps.household[skilled]].sum())
    returned_talent = np.bincount(ps.county[skilled], h.weight[ps.household[skilled]], minlength=model.counties.n)
    origin = ps.household[returners]
    mix = p["returnee_skill_mix"]
    np.maximum.at(h.skill, origin, (1 - mix) * h.skill[origin] + mix * ps.skill[returners])
    take_jobs(model, decide, choice, cand, rng)
    return returned_talent


def leave_home(model, terms: dict) -> None:
    """A share of the people of working age at home without a non-farm job reconsider: farm on, or take a
    village, county-town or city job. Each knows its skill (`people.draw_skills`): what it could earn elsewhere
    drives the choice; skills and training stay with the person."""
    p, ps, h = model.params, model.persons, model.households
    rng = model.streams["labour"]
    draw = np.zeros(ps.capacity, bool)
    draw[:] = rng.random(ps.capacity) < p["reconsider_rate_home"]
    decide = home_deciders(model, draw)
    u, cand = work_utilities(model, decide, candidate_uniforms(model, len(decide), rng), terms)
    choice = kernels.choose_logit(u, rng.random(len(decide)))
    movers = choice != STAY
    rows = decide[movers]
    ps.employed[rows] = True
    take_jobs(model, rows, choice[movers], cand[movers], rng)


def take_jobs(model, rows: np.ndarray, choice: np.ndarray, cand: np.ndarray, rng) -> None:
    """Apply work choices: farming at home (no job), a village job (living at home), a county-town job (living
    there or commuting), a city job (living in the city proper or its fringe). A worker living away heads a
    unit; one who comes home leaves its dependants to come home too (`send_dependants_home`)."""
    p, ps, h = model.params, model.persons, model.households
    changing = choice != STAY
    rows, choice, cand = rows[changing], choice[changing], cand[changing]
    ps.years[rows] = 0
    # a worker coming to live at home brings its savings into the household's
    home = rows[choice <= TOWN]
    np.add.at(h.savings, ps.household[home], ps.savings[home])
    ps.savings[home] = 0.0
    to_farm, to_village, to_town = rows[choice == FARM], rows[choice == VILLAGE], rows[choice == TOWN]
    to_city = choice >= FIRST_CITY
    for group, job in ((to_farm, NO_JOB), (to_village, VILLAGE_JOB), (to_town, TOWN_JOB)):
        ps.job[group] = job
        ps.city[group] = -1
        ps.place[group] = HOME
        ps.unit[group] = -1
    ps.wage[to_farm] = 0.0
    lives_in_town = to_town[rng.random(len(to_town)) < p["local_migrant_lives_in_town"]]
    ps.place[lives_in_town] = AWAY
    ps.unit[lives_in_town] = lives_in_town
    city_rows = rows[to_city]
    ps.job[city_rows] = CITY_JOB
    ps.city[city_rows] = cand[to_city, choice[to_city] - FIRST_CITY]
    ps.in_city_proper[city_rows] = rng.random(len(city_rows)) < p["city_worker_in_city_proper"]
    ps.place[city_rows] = AWAY
    ps.unit[city_rows] = city_rows


def send_dependants_home(model) -> None:
    """Dependants whose unit head no longer lives away (came home, died, settled) go home."""
    ps = model.persons
    away = np.flatnonzero(ps.alive & (ps.place == AWAY))
    head = ps.unit[away]
    orphaned = away[(~ps.alive[head]) | (ps.place[head] != AWAY) | (ps.unit[head] != head)]
    ps.place[orphaned] = HOME
    ps.unit[orphaned] = -1


def draw_urban_talent(model, returned_talent: np.ndarray) -> None:
    """Urban talent drawn to villages by incentives (seconded, not resident: it raises farm and village-firm
    productivity), besides the skilled migrants who returned this year."""
    p, c = model.params, model.counties
    talent = p["talent_per_incentive"] * model.in_force["urban_talent_incentive"] * c.rural_residents
    c.talent[:] = returned_talent + talent
    model.state.ledger.talent_to_rural += float(talent.sum())


def train(model) -> None:
    """Skills training: a share of the workers never trained get one course (a one-time log-skill gain, paid by
    their home county); every training gain depreciates each year (skills become outdated)."""
    p, ps, h, c = model.params, model.persons, model.households, model.counties
    rng = model.streams["training"]
    workers = ps.workers()
    trained = workers[ps.training[workers] > 0]
    loss = p["training_depreciation"] * ps.training[trained]
    ps.training[trained] -= loss
    ps.skill[trained] *= np.exp(-loss)
    fresh = workers[ps.training[workers] <= 0]
    new = fresh[rng.random(len(fresh)) < model.in_force["skills_training_coverage"]]
    gain = p["training_skill_gain"]
    ps.training[new] = gain
    ps.skill[new] = np.minimum(ps.skill[new] * np.exp(gain), p["skill_cap"])
    w = h.weight[ps.household[new]]
    cost = p["training_cost"] * model.state.wage_index * w
    np.subtract.at(c.fiscal, ps.county[new], cost)
    ledger = model.state.ledger
    ledger.public_spending += float(cost.sum())
    ledger.training_spending += float(cost.sum())
    ledger.trained += float(w.sum())
