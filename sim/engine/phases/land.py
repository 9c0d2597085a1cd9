"""Phase 6, land: paid exits and homestead quotas, a county rental market that clears, farm output, rents and
collective dividends.

The rental market of each county clears at the rent where what operators want equals what is offered:
- a household farming (with labour at home) wants the farm size where land's marginal product equals the rent,
  rents in beyond its own land, or offers the land beyond what it wants at the rent it would receive;
- a household without farm labour (everyone away, elderly, settled) offers all its land when the rent it would
  receive beats the insurance value it puts on keeping the land under its own control (lower with certified
  rights), else leaves it idle;
- cooperatives and agribusiness rent land in with their capital (built by urban capital going to villages);
- collective land (rights surrendered or exited) is offered too;
- search and contracting costs (`land_rental_friction`) drive a wedge between the rent paid and received;
  certified rights (`land_tenure_security`) make that wedge smaller.
"Transferred" is what the agriculture ministry counts: contracted land of households operated by others.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..people import HOMESTEAD_EXITED, HOMESTEAD_IDLE, HOMESTEAD_USED
from ..rights import surrender_rights

MIN_RENT = 1.0  # yuan per mu: the lowest rent the market searches
MAX_RENT_PER_VALUE = 2.0  # no rent exceeds twice a mu's yearly net output (tiny markets would otherwise explode)


def manage_land(model, initial: bool = False) -> None:
    """The land phase; `initial`: at the start, nobody exits and the cooperatives' capital is set so that they
    operate their 2013 share of the land transferred at the 2013 rent."""
    rng = model.streams["land"]
    if initial:
        set_up_operators(model)
    else:
        exit_rights(model, rng)
    mark_homesteads(model)
    rent_and_farm(model)
    pay_collective_dividends(model)


def exit_rights(model, rng) -> None:
    """Voluntary paid exit of settled households' rights, and idle homesteads sold as construction-land quotas."""
    p, now, h, c = model.params, model.in_force, model.households, model.counties
    ledger = model.state.ledger
    u = rng.random(h.n)
    # Paid exit of the three rights by settled households (nobody left of rural hukou).
    eligible = h.settled & (h.land > 0)
    years = now["land_exit_compensation"]
    appeal = 1 / (1 + np.exp(-(years - p["exit_reservation_years"]) / p["exit_appeal_scale"]))
    exiting = np.flatnonzero(eligible & (u < now["land_paid_exit"] * p["exit_rate"] * appeal))
    homestead_value = p["homestead_rent_per_year"] * model.state.wage_index
    annual = h.land[exiting] * c.rent_received[h.county[exiting]] + homestead_value
    pay = years * annual
    w = h.weight[exiting]
    h.savings[exiting] += pay
    np.subtract.at(c.fiscal, h.county[exiting], pay * w)
    # The county sells the homestead as a quota where a unified construction-land market exists.
    quota = now["unified_construction_land_market"] * p["quota_price_yuan_per_mu"] * p["homestead_mu_per_household"]
    revenue = quota * w
    np.add.at(c.fiscal, h.county[exiting], revenue)
    ledger.land_revenue += float(revenue.sum())
    ledger.land_exited_mu += float((h.land[exiting] * w).sum())
    surrender_rights(model, exiting)
    ledger.land_rights_exits += float(w.sum())

    # Idle homesteads of households nobody lives at home in, turned into quotas through the unified market.
    idle = np.flatnonzero((h.homestead == HOMESTEAD_IDLE)
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
    """A homestead is used while anyone of the household lives at home, idle otherwise."""
    h = model.households
    kept = h.homestead != HOMESTEAD_EXITED
    h.homestead[kept] = np.where(h.members_home()[kept] > 0, HOMESTEAD_USED, HOMESTEAD_IDLE)


def farm_labour(model) -> np.ndarray:
    """Farm workers of each household: members of working age at home without a non-farm job, and members aged
    60-74 at home at part time."""
    h = model.households
    return h.home_farmers + model.params["elderly_farm_effort"] * h.home_farm_elderly


def _market_inputs(model) -> kernels.Market:
    """Per-household and per-county inputs of the rental market this year."""
    p, now, h, c = model.params, model.in_force, model.households, model.counties
    gamma = p["land_elasticity"] + p["farm_scale_elasticity"]  # land's exponent in a household farm
    eta = 1.0 / (1.0 - gamma)
    labour = farm_labour(model)
    median, ref_labour = p["median_farm_mu"], p["labour_per_mu_2013"] * p["median_farm_mu"]
    q = np.sqrt(h.skill / p["rural_skill_median"])
    # best farm size at rent r: kappa r^-eta, from gamma x output(A) / A = r
    base = gamma * c.farm_value_per_mu[h.county] * q * median ** (1 - gamma) * (
        np.maximum(labour, 0) / ref_labour) ** p["farm_labour_elasticity"]
    kappa = np.where(labour > 0, base ** eta, 0.0)
    insurance = (p["land_insurance_share"] * p["rent_2013"] * model.state.wage_index * h.reservation
                 * (1 - p["tenure_security_insurance_cut"] * now["land_tenure_security"]))
    g_op = p["operator_land_elasticity"]
    eta_op = 1.0 / (1.0 - g_op)
    operator_coef = (c.K_operator / p["ag_capital_per_mu"]) * (
        g_op * p["operator_productivity"] * c.farm_value_per_mu) ** eta_op
    # certified rights (clear boundaries, registered contracts) cut the cost of renting land out as well as the
    # insurance value of keeping it
    keep_share = 1.0 - p["rental_transaction_cost"] * now["land_rental_friction"] * (
        1.0 - p["tenure_security_cost_cut"] * now["land_tenure_security"])
    starts = np.concatenate([[0], np.cumsum(np.bincount(h.county, minlength=c.n))]).astype(np.int64)
    return kernels.Market(starts, h.land, labour, kappa, insurance, h.weight, c.collective_land, operator_coef, eta,
                          eta_op, keep_share)


def set_up_operators(model) -> None:
    """Capital of cooperatives and agribusiness at the start: what makes them rent `operator_land_share_2013` of
    the land households would offer at the 2013 rent."""
    p, h, c = model.params, model.households, model.counties
    m = _market_inputs(model)._replace(operator_coef=np.zeros(c.n))  # what households alone would offer
    offered = np.zeros(h.n)
    _in, farmed = np.zeros(h.n), np.zeros(h.n)
    kernels.allocate_land(m, np.full(c.n, p["rent_2013"]), _in, offered, farmed)
    supply = np.bincount(h.county, offered * h.weight, minlength=c.n)
    g_op = p["operator_land_elasticity"]
    want = p["operator_land_share_2013"] * supply
    per_capital = (g_op * p["operator_productivity"] * c.farm_value_per_mu / p["rent_2013"]) ** m.eta_op
    c.K_operator[:] = p["ag_capital_per_mu"] * want / np.maximum(per_capital, 1e-12)


def rent_and_farm(model) -> None:
    """Clear each county's rental market; farm; pay rents (`kernels.clear_land_market`, `allocate_land`,
    `farm_output`)."""
    p, h, c = model.params, model.households, model.counties
    m = _market_inputs(model)
    c.rent[:] = kernels.clear_land_market(m, int(p["rent_search_rounds"]), MIN_RENT,
                                          MAX_RENT_PER_VALUE * c.farm_value_per_mu)
    paid_share = 1 - p["informal_rental_share"]  # land lent rent-free among kin: no money changes hands
    c.rent_paid[:] = paid_share * c.rent
    c.rent_received[:] = paid_share * m.keep_share * c.rent
    farmed = np.zeros(h.n)
    c.operator_land[:], c.land_transferred[:], idle = kernels.allocate_land(m, c.rent, h.rented_in, h.rented_out,
                                                                            farmed)
    h.farm_output[:], output_c, labour_c = kernels.farm_output(
        h.county, farmed, h.rented_in, m.labour, h.skill, h.weight, c.farm_value_per_mu, p["rural_skill_median"],
        p["median_farm_mu"], p["labour_per_mu_2013"], p["land_elasticity"], p["farm_scale_elasticity"],
        p["farm_labour_elasticity"], c.n)
    g_op = p["operator_land_elasticity"]
    c.operator_output[:] = (p["operator_productivity"] * c.farm_value_per_mu
                            * (c.K_operator / p["ag_capital_per_mu"]) ** (1 - g_op) * c.operator_land ** g_op)
    c.farm_output[:] = output_c
    c.farm_labour[:] = labour_c
    c.land_idle[:] = idle
    c.farm_income_per_worker[:] = c.farm_output / np.maximum(c.farm_labour, 1.0)


def pay_collective_dividends(model) -> None:
    """Collective land is rented out too; its rent and a base collective income go to members as dividends."""
    p, h, c = model.params, model.households, model.counties
    share = h.members() * h.collective_member
    shares = np.bincount(h.county, share * h.weight, minlength=c.n)
    base = p["collective_income_per_member"] * shares * model.state.wage_index ** p["collective_income_wage_elasticity"]
    pool = c.collective_land * c.rent_received + base
    per_member = pool / np.maximum(shares, 1.0)
    h.inc_collective[:] = share * per_member[h.county]
