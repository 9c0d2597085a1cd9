"""Phase 2, production and prices: productivity growth, output, wages, unemployment, returns to capital and
living costs in every city and county town; the value of farm output per mu in every county."""

from __future__ import annotations

import numpy as np

from ..markets import (city_labour, count_residents, living_cost, produce, town_labour,
                       update_destination_distribution)


def grow_productivity(model) -> None:
    """A year of TFP growth in cities, county towns and farms; the wage and housing-cost indices follow."""
    p, now, c, j, state = model.params, model.in_force, model.counties, model.cities, model.state
    g_u = now["urban_productivity_growth"]
    j.A *= 1 + g_u
    c.A_town *= 1 + g_u + p["county_industry_boost"] * now["county_industry_promotion"]
    # Talent per rural resident (not per farm worker: a county with almost no farmers must not explode).
    talent_effect = np.minimum(p["talent_productivity"] * c.talent / np.maximum(c.rural_residents, 1.0),
                               p["talent_effect_max"])
    c.A_ag *= 1 + now["agricultural_productivity_growth"] + p["tech_transfer_boost"] * now["agri_tech_transfer"] + talent_effect
    state.housing_index *= 1 + now["housing_cost_growth"]
    state.wage_index *= 1 + g_u / (1 - p["capital_share_urban"])


def produce_and_price(model, first: bool = False) -> None:
    """Output, wages, unemployment, returns to capital and living costs in every city, town and county
    (`first`: the start year, before any growth)."""
    p, now, c, j, state = model.params, model.in_force, model.counties, model.cities, model.state
    if not first:
        grow_productivity(model)
    count_residents(model)
    update_destination_distribution(model)

    a = p["capital_share_urban"]
    shocks = model.streams["shocks"]
    j.shock[:] = p["shock_persistence"] * j.shock + shocks.normal(0.0, now["demand_shock_sd"], j.n)
    j.labour[:] = city_labour(model)
    j.output[:], j.wage[:], j.return_capital[:] = produce(j.A, j.K, j.labour, a)
    j.unemployment[:] = np.clip(p["urban_unemployment_base"] * np.exp(j.shock), 0.005, 0.5)
    j.living_cost[:] = living_cost(p, state.housing_index, j.population)

    c.labour_town[:] = town_labour(model)
    c.output_town[:], c.wage[:], c.return_town[:] = produce(c.A_town, c.K_town, c.labour_town, a)
    town_shock = p["town_shock_scale"] * shocks.normal(0, now["demand_shock_sd"], c.n)
    c.unemployment[:] = np.clip(p["urban_unemployment_base"] * np.exp(town_shock), 0.005, 0.5)
    c.living_cost[:] = living_cost(p, state.housing_index, c.population / c.multiplier)

    beta = p["capital_share_ag"]
    infra_effect = 1 + p["infrastructure_farm_effect"] * (c.infra - p["infrastructure_2013"])
    c.ag_price[:] = p["ag_output_per_mu"] * c.A_ag * (c.K_ag / c.K_ag_start) ** beta * infra_effect
    c.rent_per_mu[:] = p["land_rent_share"] * c.ag_price
    if first:
        c.return_ag[:] = beta * c.ag_price / p["ag_capital_per_mu"]
    else:
        c.return_ag[:] = beta * np.maximum(c.farm_output, 1.0) / c.K_ag
