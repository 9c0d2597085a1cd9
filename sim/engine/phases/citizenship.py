"""Phase 5, citizenization: eligible migrants (and rural-hukou families already living in towns and cities)
decide whether to take urban hukou where they live; the family follows; land rights follow the land policy."""

from __future__ import annotations

import numpy as np

from ..markets import settlement_openness_of_tier
from ..people import CITY, DEST_CITY, HOMESTEAD_EXITED, HOMESTEAD_IDLE, LAND_EXITED, RURAL, TOWN, URBAN, VILLAGE
from ..rights import surrender_rights


def citizenize(model) -> None:
    """This year's settlers: migrants' households and resident families; they take urban hukou."""
    households, residence, city = migrant_settlers(model)
    resident = resident_settlers(model, exclude=households)
    h = model.households
    take_urban_hukou(model, np.concatenate([households, resident]),
                     np.concatenate([residence, h.residence[resident]]),
                     np.concatenate([city, h.residence_city[resident]]))


def migrant_settlers(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Households of migrants who settle where they work this year, with the residence (TOWN / CITY) and city.

    Eligibility: employed, enough years there, and admitted (openness of the destination's tier, more easily
    with skill under a points system). Decision: a logit in the value of hukou services and support against
    the living-cost burden and the land income at stake. One decision per household a year."""
    p, now, mg, h, c, j = model.params, model.in_force, model.migrants, model.households, model.counties, model.cities
    rng = model.streams["citizenization"]
    openness_tier = settlement_openness_of_tier(now)
    live = mg.live()
    out = mg.dest_kind[live] == DEST_CITY
    city = np.maximum(mg.dest_city[live], 0)
    openness = np.where(out, openness_tier[j.tier[city]], now["settlement_openness_county_town"])
    points = np.clip(mg.skill[live] / p["rural_skill_median"], p["points_min"], p["points_max"]) ** (1 - openness)
    eligible = (mg.employed[live] & (mg.years[live] >= now["residence_years_required"])
                & (rng.random(len(live)) < np.clip(openness * points, 0, 1)))
    draw = rng.random(len(live))  # one per live migrant; only the eligible ones' are used
    cand = np.flatnonzero(eligible)  # the gain is computed for them only (same values, fewer of them)
    rows, out, city = live[cand], out[cand], city[cand]
    service = np.where(out, j.service[city], c.town_service[mg.county[rows]])
    living = np.where(out, j.living_cost[city], c.living_cost[mg.county[rows]])
    origin = mg.origin[rows]
    wage = np.maximum(mg.wage[rows], p["settle_wage_floor"])
    burden = living / wage
    land_income = h.land[origin] * c.rent_per_mu[h.county[origin]] / wage
    gain = (p["hukou_value"] * (1 - now["services_by_residence"]) * service
            + p["citizenization_support_value"] * now["citizenization_support"]
            - p["settling_cost"] * burden
            - p["land_value_weight"] * (1 - now["land_rights_kept_on_settling"]) * land_income * p["land_income_horizon"])
    settlers = rows[draw[cand] < 1 / (1 + np.exp(-(p["settle_constant"] + gain)))]
    # One decision per household this year: the first settling member takes the family along.
    settlers = settlers[np.unique(mg.origin[settlers], return_index=True)[1]]
    outbound = mg.dest_kind[settlers] == DEST_CITY
    return (mg.origin[settlers], np.where(outbound, CITY, TOWN),
            np.where(outbound, mg.dest_city[settlers], -1))


def resident_settlers(model, exclude: np.ndarray) -> np.ndarray:
    """Rural-hukou families already living in a town or city who settle there this year (not in `exclude`)."""
    p, now, h, j = model.params, model.in_force, model.households, model.cities
    rng = model.streams["citizenization"]
    resident = np.flatnonzero((h.hukou == RURAL) & (h.residence != VILLAGE))
    openness_tier = settlement_openness_of_tier(now)
    r_open = np.where(h.residence[resident] == CITY, openness_tier[j.tier[np.maximum(h.residence_city[resident], 0)]],
                      now["settlement_openness_county_town"])
    take = resident[rng.random(len(resident)) < p["resident_settle_rate"] * r_open]
    return np.setdiff1d(take, exclude)


def take_urban_hukou(model, households: np.ndarray, residence: np.ndarray, city: np.ndarray) -> None:
    """Households take urban hukou where they settle; their migrants join them; settling costs come out of
    savings; land rights are kept, or surrendered in the forced-exit counterfactual."""
    p, now, mg, h = model.params, model.in_force, model.migrants, model.households
    if not len(households):
        return
    ledger = model.state.ledger
    rng = model.streams["citizenization"]
    live = mg.live()
    settling = np.zeros(h.n, dtype=bool)
    settling[households] = True
    joining = live[settling[mg.origin[live]]]  # = live[np.isin(mg.origin[live], households)], in O(n)
    persons = (h.adults[households].astype(np.int64) + h.children[households] + h.elderly[households]
               + h.migrants[households])  # = h.members_home()[households] + h.migrants[households]
    ledger.citizenized += float((persons * h.weight[households]).sum())
    mg.rejoin(joining, "adults")
    h.hukou[households] = URBAN
    h.residence[households] = residence
    h.residence_city[households] = city
    h.homestead[households] = np.where(h.homestead[households] == HOMESTEAD_EXITED, HOMESTEAD_EXITED, HOMESTEAD_IDLE)
    # Settling costs (housing, moving) are spent out of savings.
    cost = np.minimum(np.maximum(h.savings[households], 0), p["settling_cash_cost"] * model.state.wage_index)
    h.savings[households] -= cost
    ledger.settling_costs += float((cost * h.weight[households]).sum())
    # Counterfactual forced exit: rights surrendered without payment when they are not kept by law.
    forced = households[rng.random(len(households)) >= now["land_rights_kept_on_settling"]]
    forced = forced[h.land_state[forced] != LAND_EXITED]
    surrender_rights(model, forced)
    ledger.land_rights_exits += float(h.weight[forced].sum())
