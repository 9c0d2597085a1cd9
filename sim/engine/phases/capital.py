"""Phase 3, capital: households and migrant workers place part of their savings; depreciation; household
savings, workers' deposits and retained earnings are invested where returns net of frictions are highest (a
logit over farms, village firms, county towns and cities); levers lower the frictions on capital going to
counties and villages."""

from __future__ import annotations

import numpy as np

MAX_FRICTION = 0.95  # a friction never takes away more than this share of a return (a guard)
MIN_RETURN = 1e-4  # net returns are at least this (a guard: the logit takes powers of them)


def allocate_capital(model) -> None:
    """Households place part of their savings locally; migrant workers deposit part of theirs in urban banks."""
    p, h, ps, c = model.params, model.households, model.persons, model.counties
    invest_h = p["household_investment_rate"] * np.maximum(h.savings, 0)
    h.savings -= invest_h
    rural_pool = np.bincount(h.county, invest_h * h.weight, minlength=c.n)
    deposit = p["household_investment_rate"] * np.maximum(ps.savings, 0) * ps.alive
    ps.savings -= deposit
    allocate_pools(model, rural_pool, float((deposit * h.weight[ps.household]).sum()))


def _net(r: np.ndarray, friction) -> np.ndarray:
    return np.maximum(r * (1 - np.clip(friction, 0, MAX_FRICTION)), MIN_RETURN)


def depreciate(model) -> None:
    """Every capital stock loses `depreciation` of itself (booked in the ledger)."""
    c, j = model.counties, model.cities
    keep = 1 - model.params["depreciation"]
    stocks = (j.K, c.K_town, c.K_village, c.K_ag, c.K_operator)
    model.state.ledger.depreciation += (1 - keep) * sum(float(s.sum()) for s in stocks)
    for stock in stocks:
        stock *= keep


def allocate_pools(model, rural_pool: np.ndarray, deposits: float) -> None:
    """Depreciate stocks; invest each county's household pool, migrant deposits and retained earnings where
    returns net of frictions are highest."""
    p, now, ledger = model.params, model.in_force, model.state.ledger
    c, j = model.counties, model.cities
    sigma, a = p["capital_return_sensitivity"], p["capital_share_urban"]
    depreciate(model)

    # Retained earnings of firms are new saving: village firms and town firms reinvest locally, city firms
    # join the pool of urban capital.
    retained_city = p["urban_saving_rate"] * a * j.output
    retained_town = p["urban_saving_rate"] * a * c.output_town
    retained_village = p["village_reinvested_share"] * p["urban_saving_rate"] * a * c.output_village
    ledger.urban_saving += retained_city.sum() + retained_town.sum() + retained_village.sum()
    urban_pool = retained_city.sum() + deposits
    c.K_town += retained_town
    c.K_village += retained_village

    # A county's household pool: its farms, its village firms, its county town, or (through banks) the cities.
    r_city = float((j.return_capital * j.K).sum() / j.K.sum())
    finance, autonomy = now["rural_finance_access"], now["county_fiscal_autonomy"]
    rural_friction = p["rural_finance_friction"] * (1 - finance)
    net_ag = _net(c.return_ag, rural_friction)
    net_village = _net(c.return_village, rural_friction)
    net_town = _net(c.return_town, p["county_capital_friction"] * (1 - p["autonomy_friction_cut"] * autonomy))
    net_city = _net(np.full(c.n, r_city), p["city_capital_friction"])
    score = np.column_stack([net_ag**sigma, net_village**sigma, net_town**sigma,
                             p["city_deposit_weight"] * net_city**sigma])
    share = score / score.sum(axis=1, keepdims=True)
    c.K_ag += rural_pool * share[:, 0]
    c.K_village += rural_pool * share[:, 1]
    c.K_town += rural_pool * share[:, 2]
    urban_pool += (rural_pool * share[:, 3]).sum()

    # Urban capital goes where net returns are highest; incentives and reforms lower its frictions to go to
    # county towns (fiscal autonomy, industry promotion) and villages (capital incentives, a construction-land
    # market for village firms, rural finance). In villages it builds village firms and the farms of
    # cooperatives and agribusiness.
    f_rural = (p["urban_to_rural_friction"] * (1 - now["urban_capital_incentive"])
               - p["land_market_rural_friction_cut"] * now["unified_construction_land_market"]
               - p["finance_rural_friction_cut"] * finance)
    f_town = p["urban_to_town_friction"] * (1 - p["autonomy_town_friction_cut"] * autonomy
                                            - p["industry_town_friction_cut"] * now["county_industry_promotion"])
    weights = np.concatenate([j.K * _net(j.return_capital, 0.0) ** sigma,
                              c.K_town * _net(c.return_town, f_town) ** sigma,
                              c.K_village * _net(c.return_village, f_rural) ** sigma,
                              (c.K_operator + 1.0) * _net(c.return_ag, f_rural) ** sigma])
    alloc = urban_pool * weights / weights.sum()
    n_j, n_c = j.n, c.n
    j.K += alloc[:n_j]
    c.K_town += alloc[n_j:n_j + n_c]
    c.K_village += alloc[n_j + n_c:n_j + 2 * n_c]
    c.K_operator += alloc[n_j + 2 * n_c:]
    ledger.urban_capital_to_towns += float(alloc[n_j:n_j + n_c].sum())
    ledger.urban_capital_to_villages += float(alloc[n_j + n_c:].sum())
