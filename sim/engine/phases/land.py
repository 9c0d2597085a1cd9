"""Phase 6, land: paid exits and homestead quotas, the county rental market, farm output, rents and collective
dividends. Vectorized over households; county totals by `np.bincount` and compiled passes."""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..people import (HOMESTEAD_EXITED, HOMESTEAD_IDLE, HOMESTEAD_USED, LAND_ABANDONED, LAND_EXITED, LAND_FARMED,
                      LAND_RENTED_OUT, URBAN, VILLAGE)
from ..rights import surrender_rights


def manage_land(model, initial: bool = False) -> None:
    """The land phase; `initial`: at the start, rental contracts are laid down by running the yearly market a
    few times (burn-in) and nobody exits."""
    rng = model.streams["land"]
    if not initial:
        exit_rights(model, rng)
    mark_homesteads(model)
    for _ in range(int(model.params["land_burn_in_years"]) if initial else 1):
        rent_out(model, rng)
    farm(model)


def exit_rights(model, rng) -> None:
    """Voluntary paid exit of settled households' rights, and idle homesteads sold as construction-land quotas."""
    p, now, h, c = model.params, model.in_force, model.households, model.counties
    ledger = model.state.ledger
    u = rng.random(h.n)
    # Paid exit of the three rights by households settled with urban hukou.
    settled = (h.hukou == URBAN) & (h.residence != VILLAGE) & (h.land_state != LAND_EXITED)
    years = now["land_exit_compensation"]
    appeal = 1 / (1 + np.exp(-(years - p["exit_reservation_years"]) / p["exit_appeal_scale"]))
    exiting = np.flatnonzero(settled & (u < now["land_paid_exit"] * p["exit_rate"] * appeal))
    homestead_value = p["homestead_rent_per_year"] * model.state.wage_index
    annual = h.land[exiting] * c.rent_per_mu[h.county[exiting]] + homestead_value
    pay = years * annual
    w = h.weight[exiting]
    h.savings[exiting] += pay
    np.subtract.at(c.fiscal, h.county[exiting], pay * w)
    # The county sells the homestead as a quota where a unified construction-land market exists.
    quota = now["unified_construction_land_market"] * p["quota_price_yuan_per_mu"] * p["homestead_mu_per_household"]
    revenue = quota * w
    np.add.at(c.fiscal, h.county[exiting], revenue)
    ledger.land_revenue += float(revenue.sum())
    surrender_rights(model, exiting)
    ledger.land_rights_exits += float(w.sum())

    # Idle homesteads of households living elsewhere, turned into quotas through the unified market.
    idle = np.flatnonzero((h.homestead == HOMESTEAD_IDLE) & (h.residence != VILLAGE)
                          & (u >= 1 - now["unified_construction_land_market"] * p["quota_exit_rate"]))
    w = h.weight[idle]
    value = p["quota_price_yuan_per_mu"] * p["homestead_mu_per_household"]
    to_household = p["quota_household_share"] * value
    h.savings[idle] += to_household
    np.add.at(c.fiscal, h.county[idle], (value - to_household) * w)
    ledger.land_revenue += float((value * w).sum())
    h.homestead[idle] = HOMESTEAD_EXITED
    ledger.land_rights_exits += float(w.sum())


def mark_homesteads(model) -> None:
    """A homestead is used while anyone of the household lives in the village, idle otherwise."""
    h = model.households
    kept = h.homestead != HOMESTEAD_EXITED
    someone_home = (h.residence == VILLAGE) & (h.members_home() > 0)
    h.homestead[kept] = np.where(someone_home[kept], HOMESTEAD_USED, HOMESTEAD_IDLE)


def farm_labour(model) -> np.ndarray:
    """Farm workers of each household: adults at home in the village, elderly at part time."""
    h = model.households
    return np.where(h.residence == VILLAGE, h.adults + model.params["elderly_farm_effort"] * h.elderly, 0.0)


def rent_out(model, rng) -> None:
    """Households without farm labour put land on the county market; market friction leaves some idle."""
    p, now, h = model.params, model.in_force, model.households
    labour = farm_labour(model)
    held = h.land_state != LAND_EXITED
    u_match, u_keep = rng.random(h.n), rng.random(h.n)
    match = u_match >= now["land_rental_friction"]
    migrant_share = h.migrants / np.maximum(h.migrants + h.adults, 1)
    wants_out = (labour == 0) | (u_keep < p["rent_out_propensity"] * migrant_share + p["rent_out_base"])
    # Rental contracts persist: land already rented out stays out unless labour came back.
    stays_out = (h.land_state == LAND_RENTED_OUT) & ((labour == 0) | (u_keep < p["contract_persistence"]))
    new_state = np.where(stays_out | (wants_out & match), LAND_RENTED_OUT,
                         np.where(labour > 0, LAND_FARMED, LAND_ABANDONED))
    h.land_state[:] = np.where(held, new_state, LAND_EXITED)


def farm(model) -> None:
    """Rental market clearing per county, farm output with scale effects, rents and collective dividends.

    Per household (compiled passes around NumPy's power and log, `kernels.farm_*`):
    labour = adults + effort x elderly in villages; operators (farming, with labour) rent in the county's land on
    the market in proportion to labour x skill^power; output = price x operated x min((labour / operated /
    labour_per_mu)^power, max) x clip(1 + e log(operated / median), min, max) x sqrt(skill / median)."""
    p, h, c = model.params, model.households, model.counties
    w, county = h.weight, h.county
    labour = farm_labour(model)
    score, rented_supply, total_score = kernels.farm_operators(
        county, labour, h.land, h.land_state, w, h.skill ** p["operator_skill_power"], c.n, LAND_RENTED_OUT,
        LAND_FARMED)
    supply = rented_supply + c.collective_land
    rented_in, operated, intensity, size = kernels.farm_operated(
        county, h.land, h.land_state, labour, score, supply, total_score, p["labour_per_mu_2013"],
        p["median_farm_mu"], LAND_FARMED)
    h.rented_in[:] = rented_in
    np.power(intensity, p["labour_intensity_power"], out=intensity)
    np.log(size, out=size)
    c.farm_output[:], c.farm_labour[:] = kernels.farm_output(
        county, w, h.land, h.land_state, h.skill, p["rural_skill_median"], labour, rented_in, operated, intensity,
        size, p["farm_scale_elasticity"], p["farm_intensity_max"], p["farm_scale_min"], p["farm_scale_max"],
        c.ag_price, c.rent_per_mu, c.n, LAND_RENTED_OUT, h.inc_farm, h.inc_rent)
    c.farm_income_per_worker[:] = c.farm_output / np.maximum(c.farm_labour, 1.0)
    pay_collective_dividends(model)


def pay_collective_dividends(model) -> None:
    """Collective land is rented out too; its rent and a base collective income go to members as dividends."""
    p, h, c = model.params, model.households, model.counties
    members = h.members_home() + h.migrants
    share = members * h.collective_member
    shares = np.bincount(h.county, share * h.weight, minlength=c.n)
    base = p["collective_income_per_member"] * shares * model.state.wage_index ** p["collective_income_wage_elasticity"]
    pool = c.collective_land * c.rent_per_mu + base
    per_member = pool / np.maximum(shares, 1.0)
    h.inc_collective[:] = share * per_member[h.county]
