"""Phase 7, public finance and services: land revenue from urban growth and its share to agriculture, local
investment, public-service quality, county services reaching villages, infrastructure."""

from __future__ import annotations

import numpy as np

from ..markets import count_residents


def public_finance(model) -> None:
    """Land revenue from this year's urban growth, its share to agriculture and local investment; services and
    infrastructure."""
    p, now, ledger = model.params, model.in_force, model.state.ledger
    c, j = model.counties, model.cities
    prev_c, prev_j = c.population_counted, j.population_counted  # as counted in phase 2 of this year
    count_residents(model)
    price = p["land_price_yuan_per_m2"] * model.state.wage_index * p["urban_land_m2_per_person"]
    rev_c = np.maximum(c.population - prev_c, 0) * price
    rev_j = np.maximum(j.population - prev_j, 0) * price
    c.fiscal += rev_c
    j.fiscal += rev_j
    ledger.land_revenue += rev_c.sum() + rev_j.sum()

    # Governments spend their positive balance each year; a deficit (exit compensation) is carried as debt.
    share_ag = now["land_revenue_to_agriculture"]
    spend_c = np.maximum(c.fiscal, 0)
    spend_j = np.maximum(j.fiscal, 0)
    c.fiscal -= spend_c
    j.fiscal -= spend_j
    to_ag = share_ag * spend_c + share_ag * spend_j.sum() * c.rural_residents / max(c.rural_residents.sum(), 1.0)
    c.K_ag += to_ag
    local_invest = (1 - share_ag) * spend_c * p["county_invest_share"] * now["county_fiscal_autonomy"]
    c.K_town += local_invest
    ledger.land_revenue_to_agriculture += to_ag.sum()
    ledger.public_spending += spend_c.sum() + spend_j.sum() - to_ag.sum() - local_invest.sum()
    improve_services(model)


def improve_services(model) -> None:
    """Public services grow toward full quality; county services reach villages; infrastructure is built."""
    p, now, c, j = model.params, model.in_force, model.counties, model.cities
    j.service += p["urban_service_growth"] * (1 - j.service)
    town_growth = p["urban_service_growth"] + p["autonomy_service_growth"] * now["county_fiscal_autonomy"]
    c.town_service += town_growth * (1 - c.town_service)
    c.village_service += (p["service_catch_up_rate"] * now["county_services_to_villages"] * (c.town_service - c.village_service)
                          + p["village_service_drift"] * (1 - c.village_service))
    c.infra += p["infrastructure_build_rate"] * now["county_infrastructure"] * (1 - c.infra)
    # services for non-hukou residents are delivered toward what `services_by_residence` promises
    rate = p["access_delivery_rate"]
    for place in (c, j):
        place.migrant_access += rate * (now["services_by_residence"] - place.migrant_access)
