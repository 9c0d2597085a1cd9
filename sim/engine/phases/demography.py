"""Phase 8, demography: people age a year; deaths by age (the schedule's shape scaled to the year's crude death
rate); births to people of child-bearing age (scaled to the crude birth rate); migrant workers retire home;
children living with a migrant unit who reach working age take a job where they live. Urban-hukou natives change
at the crude rates, by age. Every birth and death is booked in the ledger."""

from __future__ import annotations

import numpy as np

from ..ages import mortality_shape
from ..markets import count_members
from ..people import ADULT_AGE, AWAY, CITY_JOB, HOME, NO_JOB, draw_skills
from ..rights import return_land_to_collective
from .labour import send_dependants_home


def age_and_renew(model) -> None:
    """Deaths, births and ageing of rural-hukou people; retirement; children of migrant units entering work;
    urban natives; households with nobody left return their land to the collective."""
    p, now, h, ps = model.params, model.in_force, model.households, model.persons
    rng = model.streams["demography"]
    ledger = model.state.ledger
    max_age = int(p["max_age"])
    shape = mortality_shape(p, np.arange(max_age + 1))
    rows = ps.live()
    age = np.minimum(ps.age[rows], max_age)
    w = h.weight[ps.household[rows]]
    persons = float(w.sum())
    # deaths: the schedule's shape at the level that gives the crude death rate over these people
    level = now["death_rate"] * persons / max(float((shape[age] * w).sum()), 1e-12)
    q = np.minimum(level * shape[age], 1.0)
    q[age >= max_age] = 1.0
    died = rows[rng.random(len(rows)) < q]
    # births: to people of child-bearing age, at the rate that gives the crude birth rate
    fertile = (age >= p["fertile_age_min"]) & (age <= p["fertile_age_max"])
    chance = min(now["birth_rate"] * persons / max(float(w[fertile].sum()), 1.0), 1.0)
    parents = rows[fertile][rng.random(int(fertile.sum())) < chance]
    ps.age[rows] += 1

    ledger.deaths += float(h.weight[ps.household[died]].sum())
    np.add.at(h.savings, ps.household[died], ps.savings[died])  # what the dead leave goes to their household
    ps.release(died)
    parents = parents[ps.alive[parents]]
    babies = ps.allocate(ps.household[parents])
    ps.place[babies] = ps.place[parents]
    ps.unit[babies] = np.where(ps.place[parents] == AWAY, ps.unit[parents], -1)
    ps.urban_hukou[babies] = ps.urban_hukou[parents]
    ledger.births += float(h.weight[ps.household[babies]].sum())

    retire(model)
    draw_skills(model, np.flatnonzero(ps.alive & (ps.age == ADULT_AGE) & (ps.skill <= 0)), rng)
    start_work_away(model)
    send_dependants_home(model)
    count_members(model)
    age_natives(model)
    empty = np.flatnonzero((h.members() == 0) & ~h.settled & (h.land > 0))
    return_land_to_collective(model, empty)


def retire(model) -> None:
    """Migrant workers reaching `migrant_retirement_age` stop working and come home with their savings."""
    h, ps = model.households, model.persons
    old = np.flatnonzero(ps.alive & (ps.job != NO_JOB) & (ps.age >= model.params["migrant_retirement_age"]))
    np.add.at(h.savings, ps.household[old], ps.savings[old])
    ps.savings[old] = 0.0
    ps.job[old] = NO_JOB
    ps.city[old] = -1
    ps.wage[old] = 0.0
    ps.place[old] = HOME
    ps.unit[old] = -1


def start_work_away(model) -> None:
    """Children living with a migrant unit who reach working age take a job of the same kind where they live
    and head their own unit (the new generation of migrant workers)."""
    ps = model.persons
    rows = np.flatnonzero(ps.alive & (ps.place == AWAY) & (ps.job == NO_JOB) & (ps.age == ADULT_AGE))
    head = ps.unit[rows]
    working = ps.alive[head] & (ps.unit[head] == head) & (ps.job[head] != NO_JOB)  # (a dead head's row may be reused)
    rows, head = rows[working], head[working]
    ps.job[rows] = ps.job[head]
    ps.city[rows] = ps.city[head]
    ps.in_city_proper[rows] = ps.in_city_proper[head]
    ps.unit[rows] = rows
    ps.years[rows] = 0
    ps.employed[rows] = True


def age_natives(model) -> None:
    """Urban-hukou natives: crude birth and death rates applied to each town's and (inside) city's stock; the
    nation's natives by age lose deaths by the mortality schedule's shape, gain births at age 0, and age."""
    p, now, c, j, state = model.params, model.in_force, model.counties, model.cities, model.state
    ledger = state.ledger
    b, d = now["birth_rate"], now["death_rate"]
    for stock, inside in ((c.native, None), (j.native, j.inside)):
        born, dead = b * stock, d * stock
        if inside is not None:
            born, dead = born * inside, dead * inside
        stock += born - dead
        ledger.births += float(born.sum())
        ledger.deaths += float(dead.sum())
    by_age = state.natives_by_age
    total = by_age.sum()
    shape = mortality_shape(p, np.arange(len(by_age)))
    deaths = by_age * np.minimum(shape * d * total / max(float((shape * by_age).sum()), 1e-12), 1.0)
    alive = by_age - deaths
    by_age[1:] = alive[:-1]
    by_age[-1] += alive[-1]
    by_age[0] = b * total
