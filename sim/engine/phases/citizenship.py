"""Phase 5, citizenization: migrant units take urban hukou where they live; villages around growing county towns
are reclassified as urban. A unit that settles - the worker and the children and elderly living with it - joins
the urban-hukou population of its city or county town; the rest of the household stays, keeps the land rights
and may keep farming. The largest cities admit by quota (applicants ranked by points), the others by openness;
citizenization support is paid by the destination within what it can afford (`support_capacity_share` of its
output)."""

from __future__ import annotations

import numpy as np

from ..markets import (city_access, count_members, count_residents, settlement_openness_of_tier, town_access,
                       town_city)
from ..people import AWAY, CITY_JOB, HOME, TOWN_JOB
from ..rights import surrender_rights, surrender_share_of_land
from .families import logistic

QUOTA_TIERS = 2  # megacities and super-large cities admit by quota and points (tiers 0 and 1)


def citizenize(model) -> None:
    """This year's settling units, then reclassified villages; households left with nobody are settled."""
    heads, places = settling_units(model)
    households = settle_units(model, heads, places)
    reclassify_villages(model)
    count_members(model)
    h = model.households
    mark_settled(model, households[h.members()[households] == 0], model.streams["citizenization"])


def unit_heads(model) -> np.ndarray:
    """Rows of unit heads who may apply to settle: workers living in a city proper or their county town."""
    ps = model.persons
    return np.flatnonzero(ps.alive & (ps.place == AWAY) & (ps.unit == np.arange(ps.capacity)) & ~ps.urban_hukou
                          & ((ps.job == TOWN_JOB) | ((ps.job == CITY_JOB) & ps.in_city_proper)))


def settling_units(model) -> tuple[np.ndarray, np.ndarray]:
    """Unit heads whose units settle this year, and where (city index, or -1 - county - for a county town).

    Eligible: employed, enough years there. Willing: a logit in the value of hukou (services not open to
    non-hukou residents, worth more in bigger places; schooling and exams for the children there), the support
    the destination pays, against the unit's living
    cost and settling cash over the wage, the land income at stake (when rights are not kept) and what paid exit
    would bring. Admitted: in megacities and super-large cities, willing applicants ranked by points (skill) up
    to the city's quota (openness x `quota_per_resident` x residents); elsewhere with chance openness x points.
    One unit per household a year."""
    p, now, ps, h, c, j = model.params, model.in_force, model.persons, model.households, model.counties, model.cities
    rng = model.streams["citizenization"]
    heads = unit_heads(model)
    heads = heads[ps.employed[heads] & (ps.years[heads] >= now["residence_years_required"])]
    in_city = ps.job[heads] == CITY_JOB
    city = np.maximum(ps.city[heads], 0)
    county = ps.county[heads]
    tier = j.tier[city]
    openness = np.where(in_city, settlement_openness_of_tier(now)[tier], now["settlement_openness_county_town"])
    points = np.clip(ps.skill[heads] / p["rural_skill_median"], p["points_min"], p["points_max"])
    # the value of settling for the unit
    deps = model.state.dependants[heads]
    kids = kids_with(model, heads)
    size = 1 + deps
    wage = np.maximum(ps.wage[heads], p["settle_wage_floor"])
    access = np.where(in_city, city_access(model)[city], town_access(model)[county])
    service = np.where(in_city, j.service[city], c.town_service[county])
    living = np.where(in_city, j.living_cost[city], c.living_cost[county]) * (1 + p["dependant_cost_share"] * deps)
    support_rate = np.where(in_city, j.support_rate[city], c.support_rate[county])
    support = now["citizenization_support"] * support_rate * support_per_person(model)
    cash = np.maximum(p["settling_cash_cost"] * model.state.wage_index - support, 0.0) * size
    hh = ps.household[heads]
    land_income = h.land[hh] * c.rent_received[h.county[hh]]
    exit_value = now["land_paid_exit"] * now["land_exit_compensation"] * land_income
    residents = np.where(in_city, j.population[city], c.population[county] / c.multiplier[county])
    bigness = (np.maximum(residents, 1e4) / 1e6) ** p["hukou_value_size_elasticity"]
    gain = (p["hukou_value"] * (1 - access) * service * bigness + p["hukou_child_value"] * kids
            - p["settling_cost"] * living / wage - p["settling_cash_weight"] * cash / wage
            - p["land_value_weight"] * (1 - now["land_rights_kept_on_settling"]) * land_income * p["land_income_horizon"]
            / wage + p["exit_value_weight"] * exit_value / wage)
    willing = rng.random(len(heads)) < logistic(p["settle_constant"] + gain)
    admitted = rng.random(len(heads)) < np.clip(openness * points ** (1 - openness), 0, 1)
    quota = in_city & (tier < QUOTA_TIERS)
    admitted[quota] = within_quotas(model, heads[quota], city[quota], points[quota], willing[quota], size[quota])
    settlers = np.flatnonzero(willing & admitted)
    settlers = settlers[rng.permutation(len(settlers))]  # one unit per household a year, a random one
    settlers = np.sort(settlers[np.unique(hh[settlers], return_index=True)[1]])
    return heads[settlers], np.where(in_city[settlers], city[settlers], -1)


def within_quotas(model, heads, city, points, willing, size) -> np.ndarray:
    """Admission by quota in the largest cities: each city admits its willing applicants in order of points
    (skill; ties in random order) until the first whose unit no longer fits in its quota (openness x
    `quota_per_resident` x residents, persons)."""
    p, h, ps, j = model.params, model.households, model.persons, model.cities
    openness = settlement_openness_of_tier(model.in_force)[j.tier]
    quota = openness * p["quota_per_resident"] * j.population  # persons, per city
    order = np.lexsort((model.streams["citizenization"].random(len(heads)), -points, city))
    persons = np.where(willing, size * h.weight[ps.household[heads]], 0.0)[order]
    cities = city[order]
    running = np.cumsum(persons)
    start = np.searchsorted(cities, cities, side="left")  # first applicant of each one's city
    before = np.where(start > 0, running[start - 1], 0.0)
    admitted = np.zeros(len(heads), bool)
    admitted[order] = willing[order] & (running - before <= quota[cities])
    return admitted


def support_per_person(model) -> float:
    """Public cost of settling a person (yuan) that full citizenization support pays."""
    return model.params["citizenization_support_cost"] * model.state.wage_index


def kids_with(model, heads: np.ndarray) -> np.ndarray:
    ps = model.persons
    kids = np.flatnonzero(ps.alive & (ps.place == AWAY) & (ps.age < 16))
    return np.bincount(ps.unit[kids], minlength=ps.capacity)[heads]


def settle_units(model, heads: np.ndarray, places: np.ndarray) -> np.ndarray:
    """The units of `heads` take urban hukou where they live (`places`: city, or -1 for the county town): their
    members join the natives there; support is paid within the destination's budget; the unit's savings pay
    the settling cash, the rest joins the city's or town's capital. A household left with nobody is settled and
    keeps its land rights - unless they are not kept by law (forced surrender, a counterfactual). Returns the
    households that lost members (`citizenize` settles those left with nobody)."""
    p, now, ps, h, c, j = model.params, model.in_force, model.persons, model.households, model.counties, model.cities
    state, ledger = model.state, model.state.ledger
    unit_of = np.full(ps.capacity, -1, np.int64)
    unit_of[heads] = np.arange(len(heads))
    members = np.flatnonzero(ps.alive & (ps.place == AWAY))
    members = members[unit_of[ps.unit[members]] >= 0]
    which = unit_of[ps.unit[members]]
    w = h.weight[ps.household[members]]
    county = ps.county[members]
    # settlers of a county town that is a city's urban districts become that city's natives
    dest_city = np.where(places[which] >= 0, places[which], town_city(model)[county])
    in_city = dest_city >= 0
    np.add.at(j.native, dest_city[in_city], w[in_city])
    np.add.at(c.native, county[~in_city], w[~in_city])
    inside = ~in_city | j.inside[np.maximum(dest_city, 0)]
    np.add.at(state.natives_by_age, np.minimum(ps.age[members[inside]], len(state.natives_by_age) - 1), w[inside])
    ledger.citizenized += float(w.sum())
    ledger.departures += float(w[~inside].sum())  # settled in a city outside the region (province worlds)

    # support, within each destination's budget for it
    persons_per_unit = np.bincount(which, w, minlength=len(heads))
    promised = now["citizenization_support"] * support_per_person(model) * persons_per_unit
    head_city = places
    demand_city = np.bincount(np.maximum(head_city, 0), promised * (head_city >= 0), minlength=j.n)
    demand_town = np.bincount(ps.county[heads], promised * (head_city < 0), minlength=c.n)
    capacity = p["support_capacity_share"]
    j.support_rate[:] = np.where(demand_city > 0, np.minimum(1.0, capacity * j.output / np.maximum(demand_city, 1e-9)),
                                 1.0)
    c.support_rate[:] = np.where(demand_town > 0, np.minimum(1.0, capacity * c.output_town
                                                             / np.maximum(demand_town, 1e-9)), 1.0)
    paid = promised * np.where(head_city >= 0, j.support_rate[np.maximum(head_city, 0)],
                               c.support_rate[ps.county[heads]])
    ledger.support_spending += float(paid.sum())

    # savings: the settling cash (net of support) is spent, the rest becomes urban capital where they settle
    unit_savings = ps.savings[heads] * h.weight[ps.household[heads]]
    cash = np.maximum(p["settling_cash_cost"] * state.wage_index * persons_per_unit - paid, 0.0)
    spent = np.minimum(np.maximum(unit_savings, 0.0), cash)
    ledger.settling_costs += float(spent.sum())
    rest = unit_savings - spent
    np.add.at(j.K, np.maximum(head_city, 0), rest * (head_city >= 0))
    np.add.at(c.K_town, ps.county[heads], rest * (head_city < 0))
    households = np.unique(ps.household[members])
    forced_surrender(model, members, households)
    ps.release(members)
    return households


def forced_surrender(model, members: np.ndarray, households: np.ndarray) -> None:
    """The forced-exit counterfactual (`land_rights_kept_on_settling` < 1): a household whose members settle
    surrenders, without payment, the settlers' share of its contracted land (their share of its members)."""
    now, ps, h, ledger = model.in_force, model.persons, model.households, model.state.ledger
    rng = model.streams["citizenization"]
    forced = households[rng.random(len(households)) >= now["land_rights_kept_on_settling"]]
    forced = forced[h.land[forced] > 0]
    if not len(forced):
        return
    leaving = np.bincount(ps.household[members], minlength=h.n)[forced]
    share = leaving / np.maximum(h.members()[forced], 1)
    ledger.land_rights_exits += float(h.weight[forced].sum())
    ledger.land_exited_mu += float((h.land[forced] * share * h.weight[forced]).sum())
    surrender_share_of_land(model, forced, np.minimum(share, 1.0))


def mark_settled(model, households: np.ndarray, rng) -> None:
    """Households with nobody left of rural hukou are settled (they keep their rights until they exit them; in
    the forced-exit counterfactual their homestead and membership go too)."""
    h, now = model.households, model.in_force
    h.settled[households] = True
    forced = households[rng.random(len(households)) >= now["land_rights_kept_on_settling"]]
    surrender_rights(model, forced)


def reclassify_villages(model) -> None:
    """Villages around growing towns become urban: in each county, a share of the remaining rural villages
    (`in_situ_base_rate` + `in_situ_rate` x the relative growth of its county town - its city for a county of
    urban districts - this year) is reclassified; their residents count as urban residents without moving.
    Households in reclassified villages register urban (resident) hukou where they live at a yearly rate that
    rises with the county town's settlement openness."""
    p, now, ps, h, c, j = model.params, model.in_force, model.persons, model.households, model.counties, model.cities
    rng = model.streams["citizenization"]
    before_c, before_j = c.population.copy(), j.population.copy()
    count_residents(model)
    town_growth = np.maximum(c.population - before_c, 0) / np.maximum(before_c, 1.0)
    city_growth = np.maximum(j.population - before_j, 0) / np.maximum(before_j, 1.0)
    districts = town_city(model)
    growth = np.where(districts >= 0, city_growth[np.maximum(districts, 0)], town_growth)
    chance = np.clip(p["in_situ_base_rate"] + p["in_situ_rate"] * growth, 0, 1)
    candidates = np.flatnonzero(~h.in_situ_urban & ~h.settled)
    new = candidates[rng.random(len(candidates)) < chance[h.county[candidates]]]
    h.in_situ_urban[new] = True
    c.in_situ_share[:] = np.bincount(h.county, h.in_situ_urban * h.weight, minlength=c.n) / np.maximum(
        np.bincount(h.county, h.weight, minlength=c.n), 1e-12)
    rate = p["in_situ_hukou_rate"] * now["settlement_openness_county_town"]
    rural_hukou = np.zeros(h.n, bool)
    rural_hukou[ps.household[ps.alive & ~ps.urban_hukou & (ps.place == HOME)]] = True
    candidates = np.flatnonzero(h.in_situ_urban & rural_hukou)
    converts = candidates[rng.random(len(candidates)) < rate]
    is_convert = np.zeros(h.n, bool)
    is_convert[converts] = True
    members = np.flatnonzero(ps.alive & (ps.place == HOME) & ~ps.urban_hukou & is_convert[ps.household])
    ps.urban_hukou[members] = True  # they keep living (and farming) where they are
    model.state.ledger.citizenized_in_situ += float(h.weight[ps.household[members]].sum())
