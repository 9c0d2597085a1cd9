"""Phases 2, 3 and 7: production and prices, capital allocation, public finance and services.

All per-place quantities are arrays over counties or cities; nothing loops over households or migrants.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .start import city_labour, destination_sampler, town_labour
from .people import CITY, DEST_CITY, DEST_TOWN, RURAL, TOWN, VILLAGE
from .world import tier_of


# ---------------------------------------------------------------------------------------------- census
def count_residents(model) -> None:
    """Residents of every town, city and village from the arrays; re-tier cities by their new size."""
    h, mg, c, j = model.households, model.migrants, model.counties, model.cities
    hh_city, hh_town, hh_village = kernels.residents_of_households(
        h.county, h.residence, h.residence_city, h.members_home(), h.weight, c.n, j.n, VILLAGE, TOWN, CITY)
    mig_city, mig_town, commuting = kernels.residents_of_migrants(
        mg.alive, mg.origin, mg.county, mg.dest_kind, mg.dest_city, mg.lives_in_town, h.weight, c.n, j.n,
        DEST_TOWN, DEST_CITY)
    j.population[:] = j.native + mig_city + hh_city
    c.population[:] = c.native + mig_town + hh_town
    c.rural_residents[:] = hh_village + commuting
    j.tier[:] = tier_of(j.population)


# ---------------------------------------------------------------------------------------------- phase 2
def produce_and_price(model) -> None:
    """Output, wages, unemployment, returns to capital and living costs in every city, town and county."""
    p, lv, c, j = model.params, model.lever, model.counties, model.cities
    first = model.year == model.start_year
    if not first:
        g_u = lv["urban_productivity_growth"]
        j.A *= 1 + g_u
        c.A_town *= 1 + g_u + p["county_industry_boost"] * lv["county_industry_promotion"]
        # Talent per rural resident (not per farm worker: a county with almost no farmers must not explode).
        talent_effect = np.minimum(p["talent_productivity"] * c.talent / np.maximum(c.rural_residents, 1.0), 0.05)
        c.A_ag *= 1 + lv["agricultural_productivity_growth"] + p["tech_transfer_boost"] * lv["agri_tech_transfer"] + talent_effect
        model.housing_index *= 1 + lv["housing_cost_growth"]
        model.wage_index *= 1 + g_u / (1 - p["capital_share_urban"])
    count_residents(model)
    model.destination_cdf = destination_sampler(model)

    a = p["capital_share_urban"]
    shocks = model.streams["shocks"]
    j.shock[:] = 0.6 * j.shock + shocks.normal(0.0, lv["demand_shock_sd"], j.n)
    j.labour[:] = city_labour(model)
    j.output[:] = j.A * j.K**a * j.labour ** (1 - a)
    j.wage[:] = (1 - a) * j.output / j.labour
    j.return_capital[:] = a * j.output / j.K
    j.unemployment[:] = np.clip(p["urban_unemployment_base"] * np.exp(j.shock), 0.005, 0.5)
    size = np.maximum(j.population, 1e4) / 1e6
    j.living_cost[:] = p["housing_cost_per_m_pop"] * model.housing_index * size ** p["housing_cost_size_elasticity"]

    c.labour_town[:] = town_labour(model)
    c.output_town[:] = c.A_town * c.K_town**a * c.labour_town ** (1 - a)
    c.wage[:] = (1 - a) * c.output_town / c.labour_town
    c.return_town[:] = a * c.output_town / c.K_town
    c.unemployment[:] = np.clip(p["urban_unemployment_base"] * np.exp(0.5 * shocks.normal(0, lv["demand_shock_sd"], c.n)),
                                0.005, 0.5)
    per_town = np.maximum(c.population / c.multiplier, 1e4) / 1e6
    c.living_cost[:] = p["housing_cost_per_m_pop"] * model.housing_index * per_town ** p["housing_cost_size_elasticity"]

    beta = p["capital_share_ag"]
    infra_effect = 1 + p["infrastructure_farm_effect"] * (c.infra - 0.35)
    c.ag_price[:] = p["ag_output_per_mu"] * c.A_ag * (c.K_ag / c.K_ag_start) ** beta * infra_effect
    c.rent_per_mu[:] = p["land_rent_share"] * c.ag_price
    c.return_ag[:] = beta * np.maximum(c.farm_output, 1.0) / c.K_ag if not first else beta * c.ag_price / p["ag_capital_per_mu"]


def migrant_employment_chance(model, unemployment: np.ndarray) -> np.ndarray:
    """Employment probability of a migrant where urban unemployment is `unemployment`."""
    services = model.lever["employment_services"]
    return np.clip(1 - unemployment * (model.params["migrant_unemployment_premium"] - services), 0.3, 1.0)


# ---------------------------------------------------------------------------------------------- phase 3
def _net(r: np.ndarray, friction) -> np.ndarray:
    return np.maximum(r * (1 - np.clip(friction, 0, 0.95)), 1e-4)


def allocate_capital(model) -> None:
    """Households place part of their savings locally; migrants deposit part of theirs in urban banks."""
    p, h, mg, c = model.params, model.households, model.migrants, model.counties
    invest_h = p["household_investment_rate"] * np.maximum(h.savings, 0)
    h.savings -= invest_h
    rural_pool = np.bincount(h.county, invest_h * h.weight, minlength=c.n)
    deposit = p["household_investment_rate"] * np.maximum(mg.savings, 0) * mg.alive
    mg.savings -= deposit
    allocate_pools(model, rural_pool, float((deposit * h.weight[mg.origin]).sum()))


def allocate_pools(model, rural_pool: np.ndarray, deposits: float) -> None:
    """Depreciate stocks; invest each county's household pool, migrant deposits and urban retained earnings
    where returns net of frictions are highest."""
    p, lv, led = model.params, model.lever, model.ledger
    c, j = model.counties, model.cities
    delta, sigma, a = p["depreciation"], p["capital_return_sensitivity"], p["capital_share_urban"]
    dep = delta * (j.K.sum() + c.K_town.sum() + c.K_ag.sum())
    j.K *= 1 - delta
    c.K_town *= 1 - delta
    c.K_ag *= 1 - delta
    led.depreciation += dep

    # Retained earnings of urban firms are new saving that joins the pool of urban capital.
    retained_city = p["urban_saving_rate"] * a * j.output
    retained_town = p["urban_saving_rate"] * a * c.output_town
    led.urban_saving += retained_city.sum() + retained_town.sum()
    urban_pool = retained_city.sum() + deposits
    c.K_town += retained_town

    r_city = float((j.return_capital * j.K).sum() / j.K.sum())
    fin, autonomy = lv["rural_finance_access"], lv["county_fiscal_autonomy"]
    net_ag = _net(c.return_ag, p["rural_finance_friction"] * (1 - fin))
    net_town = _net(c.return_town, p["county_capital_friction"] * (1 - 0.7 * autonomy))
    net_city = _net(np.full(c.n, r_city), 0.05)
    score = np.column_stack([net_ag**sigma, net_town**sigma, 2.0 * net_city**sigma])
    share = score / score.sum(axis=1, keepdims=True)
    c.K_ag += rural_pool * share[:, 0]
    c.K_town += rural_pool * share[:, 1]
    urban_pool += (rural_pool * share[:, 2]).sum()

    # Urban capital goes where net returns are highest; incentives and reforms lower its frictions to go rural.
    f_u_ag = (p["urban_to_ag_friction"] * (1 - lv["urban_capital_incentive"])
              - 0.1 * lv["unified_construction_land_market"] - 0.1 * fin)
    f_u_town = p["urban_to_town_friction"] * (1 - 0.5 * autonomy - 0.5 * lv["county_industry_promotion"])
    weights = np.concatenate([j.K * _net(j.return_capital, 0.0) ** sigma,
                              c.K_town * _net(c.return_town, f_u_town) ** sigma,
                              c.K_ag * _net(c.return_ag, f_u_ag) ** sigma])
    alloc = urban_pool * weights / weights.sum()
    j.K += alloc[: j.n]
    c.K_town += alloc[j.n: j.n + c.n]
    c.K_ag += alloc[j.n + c.n:]
    led.urban_to_rural_capital += alloc[j.n:].sum()


# ---------------------------------------------------------------------------------------------- phase 7
def run_public_finance(model) -> None:
    """Land revenue and its use, public services and infrastructure, transfers, household saving."""
    finance_places(model)
    household_incomes(model)
    save_household_income(model)


def finance_places(model) -> None:
    """Land revenue from urban growth, its share to agriculture and local investment; services, infrastructure."""
    p, lv, led = model.params, model.lever, model.ledger
    c, j = model.counties, model.cities
    prev_c, prev_j = c.population.copy(), j.population.copy()  # as counted in phase 2 of this year
    count_residents(model)
    price = p["land_price_yuan_per_m2"] * model.wage_index * p["urban_land_m2_per_person"]
    rev_c = np.maximum(c.population - prev_c, 0) * price
    rev_j = np.maximum(j.population - prev_j, 0) * price
    c.fiscal += rev_c
    j.fiscal += rev_j
    led.land_revenue += rev_c.sum() + rev_j.sum()

    # Governments spend their positive balance each year; a deficit (exit compensation) is carried as debt.
    share_ag = lv["land_revenue_to_agriculture"]
    spend_c = np.maximum(c.fiscal, 0)
    spend_j = np.maximum(j.fiscal, 0)
    c.fiscal -= spend_c
    j.fiscal -= spend_j
    to_ag = share_ag * spend_c + share_ag * spend_j.sum() * c.rural_residents / max(c.rural_residents.sum(), 1.0)
    c.K_ag += to_ag
    local_invest = (1 - share_ag) * spend_c * p["county_invest_share"] * lv["county_fiscal_autonomy"]
    c.K_town += local_invest
    led.land_revenue_to_agriculture += to_ag.sum()
    led.public_spending += spend_c.sum() + spend_j.sum() - to_ag.sum() - local_invest.sum()

    # Services and infrastructure.
    j.service += p["urban_service_growth"] * (1 - j.service)
    c.town_service += (p["urban_service_growth"] + 0.03 * lv["county_fiscal_autonomy"]) * (1 - c.town_service)
    c.village_service += (p["service_catch_up_rate"] * lv["county_services_to_villages"] * (c.town_service - c.village_service)
                          + 0.002 * (1 - c.village_service))
    c.infra += p["infrastructure_build_rate"] * lv["county_infrastructure"] * (1 - c.infra)


def household_incomes(model) -> None:
    """Wages of family members working where the family lives, commuters' wages, remittances, transfers and
    village business income (one compiled pass: `kernels.household_incomes`)."""
    h, mg, c, j = model.households, model.migrants, model.counties, model.cities
    kernels.household_incomes(
        mg.alive, mg.origin, mg.dest_kind, mg.lives_in_town, mg.wage, mg.remit, h.county, h.residence,
        h.residence_city, h.hukou, h.adults, h.members_home(), h.skill, business_income(model, h.savings), j.wage,
        j.unemployment, c.wage, c.unemployment, model.transfer_per_capita(), DEST_TOWN, VILLAGE, TOWN, CITY, RURAL,
        h.inc_wage, h.inc_remit, h.inc_transfer, h.inc_business)


def business_income(model, savings: np.ndarray) -> np.ndarray:
    """Income of a non-farm business run from the village: returns on the savings a household can put to work,
    which rural finance (credit, guarantees) and urban talent (know-how, markets) make possible."""
    p, lv = model.params, model.lever
    reach = np.clip(lv["rural_finance_access"] + 0.5 * lv["urban_talent_incentive"], 0, 1.5)
    stake = np.clip(savings, 0, p["business_stake_cap"] * model.wage_index)
    return p["business_return"] * reach * stake


def save_household_income(model) -> None:
    h = model.households
    saving = model.params["household_saving_rate"] * np.maximum(h.income(), 0)
    h.savings += saving
    model.ledger.saving += float((saving * h.weight).sum())
