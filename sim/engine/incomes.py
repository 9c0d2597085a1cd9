"""Incomes as the statistics bureau measures them: what migrant workers earn, spend, send home and save; each
rural household's disposable income in the four NBS components; transfers and pensions; saving.

Money is in 2013 yuan per real household or person per year (current yuan = 2013 yuan x `state.price_index`).
The national per-capita accounts by place of usual residence are assembled in `sim.outcomes.compute`.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .markets import commute_cost, employment_chance


# ---------------------------------------------------------------------------------------------- transfer levels
def rural_pension(model) -> float:
    """Pensions and old-age support per rural resident aged 60+: the 2013 level growing with the build-up of rural
    social protection."""
    p = model.params
    return p["rural_pension_2013"] * (1 + p["rural_transfer_growth"]) ** (model.year - model.start_year)


def rural_subsidy(model) -> float:
    """Farm subsidies, social assistance and other public transfers per rural resident."""
    p = model.params
    return p["rural_subsidy_2013"] * (1 + p["rural_transfer_growth"]) ** (model.year - model.start_year)


def urban_pension(model) -> float:
    """Pension per urban-hukou person aged 60+, growing with wages."""
    p = model.params
    return p["urban_pension_2013"] * model.state.wage_index ** p["pension_wage_elasticity"]


def rural_transfer_per_capita(model) -> float:
    """Public transfers a rural resident of working age can count on (what farming at home adds to farm income
    in the work choice)."""
    return rural_subsidy(model)


# ---------------------------------------------------------------------------------------------- workers
def pay_workers(model) -> None:
    """Employment draws, wages, living costs, remittances and saving of every migrant worker this year
    (`kernels.pay_workers`): employed with the employment chance where it works; wage = employed x wage rate x
    skill; a worker living away pays its unit's living cost (its dependants too), sends home a share of what is
    left - more when children or elderly are left behind - and saves a share of the rest."""
    p, ps, h, c, j = model.params, model.persons, model.households, model.counties, model.cities
    rng = model.streams["employment"]
    rows = ps.workers()
    draw = rng.random(len(rows))
    home = kernels.HomeCounts(h.in_situ_urban, h.home_children, h.home_adults, h.home_elderly)
    places = kernels.PayPlaces(employment_chance(model, j.unemployment), employment_chance(model, c.unemployment),
                               j.wage, c.wage, c.village_wage, j.living_cost, c.living_cost, commute_cost(model))
    shares = kernels.PayShares(p["dependant_cost_share"], p["remittance_share_base"], p["remittance_share_children"],
                               p["remittance_share_elderly"], p["household_saving_rate"])
    saved = kernels.pay_workers(rows, draw, ps.arrays(), model.state.dependants, home, places, shares)
    model.state.ledger.saving += float((saved * h.weight[ps.household[rows]]).sum())


# ---------------------------------------------------------------------------------------------- households
def household_accounts(model) -> None:
    """Each rural household's disposable income this year, by NBS component (per real household):
    wage - wages of members at home with village non-farm or commuting county-town jobs (the village
           self-employed share of village earnings excluded);
    business - net farm income (output less rent paid) and the village self-employed earnings;
    property - rent received for land operated by others, collective dividends, interest on savings;
    transfer - pensions of members aged 60+ at home, subsidies per member at home, remittances received."""
    p, h, ps, c = model.params, model.households, model.persons, model.counties
    village, commuting, received = kernels.household_earnings(ps.arrays(), h.n)
    self_employed = p["village_self_employed_share"]
    h.inc_wage[:] = (1 - self_employed) * village + commuting
    h.inc_business[:] = h.farm_output - h.rented_in * c.rent_paid[h.county] + self_employed * village
    h.inc_property[:] = (h.rented_out * c.rent_received[h.county] + h.inc_collective
                         + p["deposit_interest_rate"] * np.maximum(h.savings, 0))
    h.inc_remit[:] = received
    h.inc_transfer[:] = rural_pension(model) * h.home_elderly + rural_subsidy(model) * h.members_home() + received


def save(model) -> None:
    """Households save a share of this year's income."""
    h = model.households
    saving = model.params["household_saving_rate"] * np.maximum(h.income(), 0)
    h.savings += saving
    model.state.ledger.saving += float((saving * h.weight).sum())
