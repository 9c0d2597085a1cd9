"""Phase 8, demography: births, deaths and ageing. Counts per household by binomial draws; migrants age one by
one in the array; urban natives change at the crude rates. Every birth and death is booked in the ledger."""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..people import LAND_EXITED
from ..rights import return_land_to_collective


def draw_binomial(rng: np.random.Generator, n: np.ndarray, p: float) -> np.ndarray:
    """`rng.binomial(n, p)` for small counts and one probability: the same counts and the same generator state
    after (kernels.binomial_inversion is NumPy's algorithm); NumPy itself checks bad input and draws the rare
    large counts (its BTPE regime)."""
    n = np.asarray(n, dtype=np.int64)
    n_max = int(n.max(initial=0))
    if n.size == 0 or not 0.0 <= p <= 1.0 or n.min() < 0 or min(p, 1.0 - p) * n_max > 30.0:
        return rng.binomial(n, p)
    out = np.empty(n.shape, np.int64)
    kernels.binomial_inversion(rng, n.ravel(), n_max, float(p), out.ravel())
    return out


def age_and_renew(model) -> None:
    """Births, deaths and ageing of household members; migrants age, retire home or die; urban natives change
    at the crude rates; households with nobody left return their land to the collective."""
    p, now, h, mg, c, j = model.params, model.in_force, model.households, model.migrants, model.counties, model.cities
    rng = model.streams["demography"]
    ledger = model.state.ledger
    w = h.weight
    live = mg.live()
    fertile = h.adults.astype(np.int64) + h.migrants
    persons = float((h.members_home() * w).sum() + w[mg.origin[live]].sum())
    elderly_total = float((h.elderly * w).sum())
    adults_total = float((fertile * w).sum())
    b, d = now["birth_rate"], now["death_rate"]
    # Rates per person at risk that reproduce the crude rates over the rural-hukou population.
    p_birth = min(b * persons / max(adults_total, 1.0), 1.0)
    p_old = min(p["elderly_mortality_share"] * d * persons / max(elderly_total, 1.0), 1.0)
    p_young = min((1 - p["elderly_mortality_share"]) * d * persons / max(adults_total, 1.0), 1.0)

    births = draw_binomial(rng, fertile, p_birth)
    old_deaths = draw_binomial(rng, h.elderly, p_old)
    adult_deaths = draw_binomial(rng, h.adults, p_young)
    grown = draw_binomial(rng, h.children, p["child_to_adult_rate"])
    retiring = draw_binomial(rng, h.adults - adult_deaths, p["adult_to_elderly_rate"])
    h.children += (births - grown).astype(np.int16)
    h.adults += (grown - adult_deaths - retiring).astype(np.int16)
    h.elderly += (retiring - old_deaths).astype(np.int16)

    # Migrants age; at the retirement age they go home as elderly; a few die away from home.
    mg.age[live] += 1
    u = rng.random(len(live))
    died = live[u < p_young]
    retired = live[(mg.age[live] >= p["migrant_retirement_age"]) & (u >= p_young)]
    died_weight = w[mg.origin[died]].sum()
    mg.rejoin(retired, "elderly")
    mg.rejoin(died, None)

    ledger.births += float((births * w).sum())
    ledger.deaths += float(((old_deaths + adult_deaths) * w).sum() + died_weight)

    # Urban natives: crude rates applied to the stocks (inside the region only for cities).
    for stock in (c.native, j.native):
        born, dead = b * stock, d * stock
        if stock is j.native:
            born, dead = born * j.inside, dead * j.inside
        stock += born - dead
        ledger.births += float(born.sum())
        ledger.deaths += float(dead.sum())

    # Households with nobody left: their contracted land returns to the collective.
    empty = np.flatnonzero((h.members_home() == 0) & (h.migrants == 0) & (h.land_state != LAND_EXITED))
    return_land_to_collective(model, empty)
