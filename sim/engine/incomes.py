"""Incomes: what migrants earn, remit and save; what households earn by source; what they save.

Money is in current yuan per real household or migrant per year.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .markets import commute_cost, employment_chance
from .people import CITY, DEST_CITY, DEST_TOWN, RURAL, TOWN, VILLAGE


def transfer_per_capita(model) -> float:
    """Yuan per rural resident per year from pensions and subsidies, rising with wages."""
    p = model.params
    return p["rural_transfer_per_capita"] * model.state.wage_index ** p["transfer_wage_elasticity"]


def business_income(model, savings: np.ndarray) -> np.ndarray:
    """Income of a non-farm business run from the village: returns on the savings a household can put to work,
    which rural finance (credit, guarantees) and urban talent (know-how, markets) make possible."""
    p, now = model.params, model.in_force
    reach = np.clip(now["rural_finance_access"] + p["talent_business_weight"] * now["urban_talent_incentive"], 0,
                    p["business_reach_max"])
    stake = np.clip(savings, 0, p["business_stake_cap"] * model.state.wage_index)
    return p["business_return"] * reach * stake


def pay_migrants(model) -> None:
    """Employment draws, wages, living costs, remittances and saving of every live migrant this year.

    Per migrant (a compiled loop, `kernels.pay_migrants`): employed with the employment chance where it works;
    wage = employed x wage rate x skill; living cost of the city, of the county town, or of commuting; a share
    of the wage net of living costs is remitted and a share of the rest saved."""
    p, mg, h, c, j = model.params, model.migrants, model.households, model.counties, model.cities
    rng = model.streams["employment"]
    live = mg.live()
    draw = rng.random(len(live))
    saved_w = kernels.pay_migrants(
        live, draw, mg.dest_kind, mg.dest_city, mg.county, mg.skill, mg.lives_in_town, mg.origin, h.weight,
        employment_chance(model, j.unemployment), employment_chance(model, c.unemployment), j.wage, c.wage,
        j.living_cost, c.living_cost, commute_cost(model), p["remittance_share"], p["household_saving_rate"],
        DEST_CITY, mg.employed, mg.wage, mg.remit, mg.savings)
    model.state.ledger.saving += float(saved_w.sum())


def household_incomes(model) -> None:
    """Wages of family members working where the family lives, commuters' wages, remittances, transfers and
    village business income (one compiled pass: `kernels.household_incomes`)."""
    h, mg, c, j = model.households, model.migrants, model.counties, model.cities
    kernels.household_incomes(
        mg.alive, mg.origin, mg.dest_kind, mg.lives_in_town, mg.wage, mg.remit, h.county, h.residence,
        h.residence_city, h.hukou, h.adults, h.members_home(), h.skill, business_income(model, h.savings), j.wage,
        j.unemployment, c.wage, c.unemployment, transfer_per_capita(model), DEST_TOWN, VILLAGE, TOWN, CITY, RURAL,
        h.inc_wage, h.inc_remit, h.inc_transfer, h.inc_business)


def save(model) -> None:
    """Households save a share of this year's income."""
    h = model.households
    saving = model.params["household_saving_rate"] * np.maximum(h.income(), 0)
    h.savings += saving
    model.state.ledger.saving += float((saving * h.weight).sum())
