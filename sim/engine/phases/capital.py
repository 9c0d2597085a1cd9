"""Phase 3, capital: households and migrants place part of their savings; depreciation; household savings,
migrant deposits and urban retained earnings are invested where returns net of frictions are highest (a logit
over villages, county towns and cities); levers lower the frictions on capital going to counties and villages."""

from __future__ import annotations

import numpy as np

MAX_FRICTION = 0.95  # a friction never takes away more than this share of a return (a guard)
MIN_RETURN = 1e-4  # net returns are at least this (a guard: the logit takes powers of them)


def allocate_capital(model) -> None:
    """Households place part of their savings locally; migrants deposit part of theirs in urban banks."""
    p, h, mg, c = model.params, model.households, model.migrants, model.counties
    invest_h = p["household_investment_rate"] * np.maximum(h.savings, 0)
    h.savings -= invest_h
    rural_pool = np.bincount(h.county, invest_h * h.weight, minlength=c.n)
    deposit = p["household_investment_rate"] * np.maximum(mg.savings, 0) * mg.alive
    mg.savings -= deposit
    allocate_pools(model, rural_pool, float((deposit * h.weight[mg.origin]).sum()))


def _net(r: np.ndarray, friction) -> np.ndarray:
    return np.maximum(r * (1 - np.clip(friction, 0, MAX_FRICTION)), MIN_RETURN)


def allocate_pools(model, rural_pool: np.ndarray, deposits: float) -> None:
    """Depreciate stocks; invest each county's household pool, migrant deposits and urban retained earnings
    where returns net of frictions are highest."""
    p, now, led = model.params, model.in_force, model.state.ledger
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

    # A county's household pool: farms, its county town, or (through banks) the cities.
    r_city = float((j.return_capital * j.K).sum() / j.K.sum())
    finance, autonomy = now["rural_finance_access"], now["county_fiscal_autonomy"]
    net_ag = _net(c.return_ag, p["rural_finance_friction"] * (1 - finance))
    net_town = _net(c.return_town, p["county_capital_friction"] * (1 - p["autonomy_friction_cut"] * autonomy))
    net_city = _net(np.full(c.n, r_city), p["city_capital_friction"])
    score = np.column_stack([net_ag**sigma, net_town**sigma, p["city_deposit_weight"] * net_city**sigma])
    share = score / score.sum(axis=1, keepdims=True)
    c.K_ag += rural_pool * share[:, 0]
    c.K_town += rural_pool * share[:, 1]
    urban_pool += (rural_pool * share[:, 2]).sum()

    # Urban capital goes where net returns are highest; incentives and reforms lower its frictions to go rural.
    f_u_ag = (p["urban_to_ag_friction"] * (1 - now["urban_capital_incentive"])
              - p["land_market_ag_friction_cut"] * now["unified_construction_land_market"]
              - p["finance_ag_friction_cut"] * finance)
    f_u_town = p["urban_to_town_friction"] * (1 - p["autonomy_town_friction_cut"] * autonomy
                                              - p["industry_town_friction_cut"] * now["county_industry_promotion"])
    weights = np.concatenate([j.K * _net(j.return_capital, 0.0) ** sigma,
                              c.K_town * _net(c.return_town, f_u_town) ** sigma,
                              c.K_ag * _net(c.return_ag, f_u_ag) ** sigma])
    alloc = urban_pool * weights / weights.sum()
    j.K += alloc[: j.n]
    c.K_town += alloc[j.n: j.n + c.n]
    c.K_ag += alloc[j.n + c.n:]
    led.urban_to_rural_capital += alloc[j.n:].sum()
