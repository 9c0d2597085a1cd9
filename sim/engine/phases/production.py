"""Phase 2, production and prices: productivity growth, output, wages, unemployment, returns to capital and
living costs in every city, county town and county's village firms; the value of farm output per mu; consumer
prices."""

from __future__ import annotations

import numpy as np

from ..markets import (count_residents, labour_supply, living_cost, produce, town_city,
                       update_destination_distribution)

UNEMPLOYMENT_RANGE = (0.005, 0.5)  # unemployment stays inside this range whatever the shocks (a guard)


def grow_productivity(model) -> None:
    """A year of TFP growth in cities, county towns, village firms and farms; the wage, housing-cost and price
    indices follow."""
    p, now, c, j, state = model.params, model.in_force, model.counties, model.cities, model.state
    g_u = now["urban_productivity_growth"]
    industry = p["county_industry_boost"] * now["county_industry_promotion"]
    # Talent per rural resident (not per farm worker: a county with almost no farmers must not explode).
    talent_effect = np.minimum(p["talent_productivity"] * c.talent / np.maximum(c.rural_residents, 1.0),
                               p["talent_effect_max"])
    j.A *= 1 + g_u
    c.A_town *= 1 + p["town_productivity_growth_share"] * g_u + industry
    c.A_village *= 1 + p["village_productivity_growth_share"] * g_u + industry + talent_effect
    c.A_ag *= (1 + now["agricultural_productivity_growth"] + p["tech_transfer_boost"] * now["agri_tech_transfer"]
               + talent_effect)
    state.housing_index *= 1 + now["housing_cost_growth"]
    state.wage_index *= 1 + g_u / (1 - p["capital_share_urban"])
    state.price_index *= 1 + now["consumer_price_inflation"]


def produce_and_price(model, first: bool = False) -> None:
    """Output, wages, unemployment, returns to capital and living costs in every city, town and village sector;
    farm value per mu (`first`: the start year, before any growth)."""
    p, now, c, j, state = model.params, model.in_force, model.counties, model.cities, model.state
    if not first:
        grow_productivity(model)
    count_residents(model)
    c.population_counted[:] = c.population  # this year's residents before anyone moves (land revenue grows
    j.population_counted[:] = j.population  # with what towns and cities gain by the end of the year)
    update_destination_distribution(model)

    a = p["capital_share_urban"]
    shocks = model.streams["shocks"]
    j.shock[:] = p["shock_persistence"] * j.shock + shocks.normal(0.0, now["demand_shock_sd"], j.n)
    town_shock = p["town_shock_scale"] * shocks.normal(0, now["demand_shock_sd"], c.n)
    j.labour[:], c.labour_town[:], c.labour_village[:] = labour_supply(model)
    j.output[:], j.wage[:], j.return_capital[:] = produce(j.A, j.K, j.labour, a)
    j.unemployment[:] = np.clip(p["urban_unemployment_base"] * np.exp(j.shock), *UNEMPLOYMENT_RANGE)
    j.living_cost[:] = living_cost(p, state.housing_index, j.population)

    deepening = p["max_capital_deepening"] * state.wage_index
    per_unit = state.capital_per_unit_2013
    c.output_town[:], c.wage[:], c.return_town[:] = produce(c.A_town, c.K_town, c.labour_town, a,
                                                            deepening * per_unit["town"])
    c.unemployment[:] = np.clip(p["urban_unemployment_base"] * np.exp(town_shock), *UNEMPLOYMENT_RANGE)
    c.living_cost[:] = living_cost(p, state.housing_index, c.population / c.multiplier)
    districts = town_city(model)  # counties of urban districts: their town is their city
    use_city = districts >= 0
    for town_field, city_field in ((c.wage, j.wage), (c.unemployment, j.unemployment),
                                   (c.living_cost, j.living_cost)):
        town_field[use_city] = city_field[districts[use_city]]

    village_infra = 1 + p["infrastructure_village_firm_effect"] * (c.infra - p["infrastructure_2013"])
    c.output_village[:], c.village_wage[:], c.return_village[:] = produce(c.A_village * village_infra, c.K_village,
                                                                          c.labour_village, a,
                                                                          deepening * per_unit["village"])

    beta = p["capital_share_ag"]
    infra_effect = 1 + p["infrastructure_farm_effect"] * (c.infra - p["infrastructure_2013"])
    c.farm_value_per_mu[:] = p["ag_output_per_mu"] * c.A_ag * (c.K_ag / c.K_ag_start) ** beta * infra_effect
    if first:
        c.return_ag[:] = beta * p["ag_output_per_mu"] / p["ag_capital_per_mu"]
    else:
        c.return_ag[:] = beta * (np.maximum(c.farm_output, 1.0) + c.operator_output) / (c.K_ag + c.K_operator)
