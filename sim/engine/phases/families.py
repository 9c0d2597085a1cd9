"""Phase 4b, families: children and elderly members decide where they live - at home, or with the household's
migrant unit (the first member living where they work). Children join a migrant parent more when they can go to
school and use services there (`services_by_residence`, settlement openness) and less when the unit's living
cost is high against the wage; elderly members join where grandchildren live."""

from __future__ import annotations

import numpy as np

from ..markets import city_access, count_members, town_access
from ..people import ADULT_AGE, AWAY, CITY_JOB, ELDERLY_AGE, HOME, NO_JOB


def logistic(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), without overflow at extreme odds."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _log_odds(model, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds (before the constants) of a child and of an elderly member living with unit head `heads`:
    schooling and services there, against the unit's living cost over the worker's wage; grandchildren there."""
    p, ps, c, j = model.params, model.persons, model.counties, model.cities
    in_city = ps.job[heads] == CITY_JOB
    city = np.maximum(ps.city[heads], 0)
    county = ps.county[heads]
    access = np.where(in_city, city_access(model)[city], town_access(model)[county])
    service = np.where(in_city, j.service[city], c.town_service[county])
    wage = np.maximum(ps.wage[heads], model.params["settle_wage_floor"])
    living = np.where(in_city, j.living_cost[city], c.living_cost[county])
    cost = living * (1 + p["dependant_cost_share"] * (model.state.dependants[heads] + 1)) / wage
    child = p["follow_schooling_weight"] * access * service - p["follow_cost_weight"] * cost
    return child, -p["follow_cost_weight"] * cost


def family_constants(model) -> None:
    """Constants of the two decisions such that the 2013 shares of children and elderly living with migrants
    (`children_with_migrants_2013`, `elderly_with_migrants_2013`) are where their yearly moves balance."""
    p, ps, h, tables = model.params, model.persons, model.households, model.state.tables
    rows = np.flatnonzero(ps.alive & (ps.job == NO_JOB))
    lead = np.where(ps.place[rows] == AWAY, ps.unit[rows], h.lead_unit[ps.household[rows]])
    rows, lead = rows[lead >= 0], lead[lead >= 0]
    child_odds, elder_odds = _log_odds(model, lead)
    elder_odds = elder_odds + p["elderly_care_weight"] * (grandchildren_with(model, lead) > 0)  # as in the moves
    age = ps.age[rows]
    for name, mask, odds, target in (("child", age < ADULT_AGE, child_odds, p["children_with_migrants_2013"]),
                                     ("elderly", age >= ELDERLY_AGE, elder_odds, p["elderly_with_migrants_2013"])):
        lo, hi = -30.0, 30.0
        x = odds[mask]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            share = logistic(mid + x).mean() if len(x) else target
            lo, hi = (mid, hi) if share < target else (lo, mid)
        tables.family_constants[name] = 0.5 * (lo + hi)


def move_dependants(model) -> None:
    """Each year a share of children and elderly reconsider: at home they join the household's lead unit with
    the chance of wanting to live there; with a unit they go home with the chance of not wanting to. (The
    household counts are those the labour phase left.)"""
    p, ps, h, tables = model.params, model.persons, model.households, model.state.tables
    rng = model.streams["families"]
    rows = np.flatnonzero(ps.alive & (ps.job == NO_JOB) & ((ps.age < ADULT_AGE) | (ps.age >= ELDERLY_AGE)))
    rows = rows[rng.random(len(rows)) < p["family_reconsider_rate"]]
    away = ps.place[rows] == AWAY
    lead = np.where(away, ps.unit[rows], h.lead_unit[ps.household[rows]])
    rows, away, lead = rows[lead >= 0], away[lead >= 0], lead[lead >= 0]
    child_odds, elder_odds = _log_odds(model, lead)
    child = ps.age[rows] < ADULT_AGE
    # elderly follow where grandchildren live with the unit (counted before this year's moves)
    kids_there = grandchildren_with(model, lead)
    odds = np.where(child, tables.family_constants["child"] + child_odds,
                    tables.family_constants["elderly"] + elder_odds + p["elderly_care_weight"] * (kids_there > 0))
    want = rng.random(len(rows)) < logistic(odds)
    join = rows[~away & want]
    leave = rows[away & ~want]
    ps.place[join] = AWAY
    ps.unit[join] = lead[~away & want]
    ps.place[leave] = HOME
    ps.unit[leave] = -1
    count_members(model)


def grandchildren_with(model, heads: np.ndarray) -> np.ndarray:
    """Children living with each unit head in `heads`."""
    ps = model.persons
    kids = np.flatnonzero(ps.alive & (ps.place == AWAY) & (ps.age < ADULT_AGE))
    per_head = np.bincount(ps.unit[kids], minlength=ps.capacity)
    return per_head[heads]
