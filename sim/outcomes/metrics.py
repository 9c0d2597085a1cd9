"""The outcome registry: every metric the model reports, with its label, unit and one-line meaning.

The model's `DataCollector` has one model reporter per entry (see `Model._build_datacollector`); runners, plots
and the dashboard read labels and units from here. Percentages are on a 0-100 scale.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    meaning: str
    key: bool = False  # a headline outcome: gets its own comparison figure
    flow: bool = False  # an amount per year (not a stock or share): it has no value in the start year


_M = Metric
METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        _M("urbanization_rate", "Urbanization rate (permanent residents)", "%",
           "Share of the population living in cities and county towns.", True),
        _M("hukou_urbanization_rate", "Hukou urbanization rate", "%",
           "Share of the population holding urban household registration.", True),
        _M("urbanization_gap", "Resident minus hukou urbanization", "percentage points",
           "Urban residents without urban hukou, as a share of the population.", True),
        _M("migrant_workers", "Migrant workers", "million persons",
           "Rural-hukou workers in non-farm jobs: local (home county town) plus outbound (cities).", True),
        _M("migrant_workers_local", "Local migrant workers", "million persons",
           "Migrant workers employed in their home county's town."),
        _M("migrant_workers_outbound", "Outbound migrant workers", "million persons",
           "Migrant workers employed in a city outside the home county."),
        _M("citizenized", "Citizenizations this year", "million persons",
           "Persons who obtained urban hukou in the year (settled migrants and the family moving with them).", True,
           flow=True),
        _M("urban_rural_income_ratio", "Urban/rural income ratio", "ratio",
           "Per-capita disposable income of urban residents over that of rural residents.", True),
        _M("ag_productivity_ratio", "Agricultural / non-agricultural labour productivity", "ratio",
           "Value added per farm worker over value added per non-farm worker.", True),
        _M("land_transfer_share", "Contracted farmland transferred", "%",
           "Share of contracted farmland rented out or exited to other operators.", True),
        _M("land_rights_exits", "Land-rights exits this year", "thousand households",
           "Households that gave up contracting or homestead rights in the year (paid or forced).", flow=True),
        _M("idle_homestead_share", "Idle homesteads", "%",
           "Share of rural homesteads standing idle (nobody of the household living in the village).", True),
        _M("urban_to_rural_capital", "Urban-to-rural capital flow", "billion yuan at 2013 prices",
           "Capital from cities invested in county towns and villages in the year (the model has no inflation: "
           "amounts are at 2013 prices).", True, flow=True),
        _M("talent_to_rural", "Talent moving to villages", "thousand persons",
           "Skilled returning migrants and urban talent starting work in villages in the year.", flow=True),
        _M("county_town_share", "County-town share of urban population", "%",
           "Share of urban residents living in county towns rather than cities.", True),
        _M("public_service_equalization", "Public-service equalization", "index 0-100",
           "Mean of rural/urban service quality and non-hukou/hukou access (100 = equal).", True),
        _M("rural_elderly_share", "Elderly share of rural residents", "%",
           "Share of village residents aged 60 and over."),
        _M("income_gini", "Income Gini (rural-hukou population)", "index 0-1",
           "Gini coefficient of per-capita income over rural-hukou households and migrants."),
        _M("land_revenue_to_agriculture", "Land revenue spent on agriculture", "billion yuan at 2013 prices",
           "Land-transfer and quota revenue spent on agriculture and rural areas in the year (at 2013 prices).",
           flow=True),
        _M("population", "Population", "million persons", "Total population."),
        _M("rural_residents", "Rural residents", "million persons", "Persons living in villages."),
        _M("urban_rural_capital_stock_ratio", "Rural capital per rural resident / urban per urban", "ratio",
           "Capital per resident in villages and county towns over capital per resident in cities."),
        _M("abandoned_land_share", "Abandoned farmland", "%", "Share of contracted farmland left idle."),
    ]
}

KEY_METRICS = [name for name, m in METRICS.items() if m.key]
FLOW_METRICS = [name for name, m in METRICS.items() if m.flow]
"""Amounts per year: the start year has none (the model reports 0 there; tables and plots show it as missing)."""
