"""The outcome registry: every metric the model reports, with its label, unit and one-line meaning.

The model's `DataCollector` has one model reporter per entry; runners, plots and the dashboard read labels and
units from here. Percentages are on a 0-100 scale. Money says whether it is in current yuan or 2013 yuan.
`flow`: the value counts what happened during the year (missing in the start year, which has no year before it).
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
    flow: bool = False  # a flow during the year (not defined in the start year)
    group: str = ""


_M = Metric
_CUR = "yuan per person per year, current prices"
_PEOPLE, _INCOME, _LAND, _CAPITAL, _SERVICES = "people", "incomes", "land", "capital", "services"

METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        # ------------------------------------------------------------------ people
        _M("urbanization_rate", "Urbanization rate (permanent residents)", "%",
           "Share of the population living in cities, county towns and villages classified as urban.", True,
           group=_PEOPLE),
        _M("hukou_urbanization_rate", "Hukou urbanization rate", "%",
           "Share of the population holding urban household registration.", True, group=_PEOPLE),
        _M("urbanization_gap", "Resident minus hukou urbanization", "percentage points",
           "Urban residents without urban hukou, as a share of the population.", True, group=_PEOPLE),
        _M("migrant_workers", "Migrant workers", "million persons",
           "Rural-hukou workers in non-farm jobs: local (village firms, home county town) plus outbound (cities), "
           "as the migrant worker monitoring survey counts them.", True, group=_PEOPLE),
        _M("migrant_workers_local", "Local migrant workers", "million persons",
           "Migrant workers with non-farm jobs in their home county (village firms or the county town).",
           group=_PEOPLE),
        _M("migrant_workers_outbound", "Outbound migrant workers", "million persons",
           "Migrant workers employed in a city outside the home county.", group=_PEOPLE),
        _M("migrant_mean_age", "Mean age of migrant workers", "years", "Mean age of migrant workers.", True,
           group=_PEOPLE),
        _M("migrant_share_50_plus", "Migrant workers aged 50+", "%", "Share of migrant workers aged over 50.",
           group=_PEOPLE),
        _M("whole_family_migrants", "Whole-family outbound migrants", "million persons",
           "Outbound migrant workers whose family lives away with them or elsewhere: no child and no adult of working "
           "age left at home (elderly parents may stay).", group=_PEOPLE),
        _M("migrants_living_in_cities", "Migrant workers living in cities and towns", "million persons",
           "Migrant workers living in a city proper or a county town (not in villages or city fringes).",
           group=_PEOPLE),
        _M("children_with_migrants_share", "Children living with their migrant parents", "%",
           "Share of the children (0-15) of households with a migrant living away who live with that migrant "
           "(the rest are left behind).", True, group=_PEOPLE),
        _M("citizenized", "Citizenizations this year", "million persons",
           "Persons who obtained urban hukou in the year: settled migrant units, and residents of villages "
           "reclassified as urban who got urban hukou.", True, flow=True, group=_PEOPLE),
        _M("county_town_share", "County-town share of urban population", "%",
           "Share of urban residents living in county towns and reclassified villages rather than cities.", True,
           group=_PEOPLE),
        _M("rural_elderly_share", "Elderly share of rural residents", "%",
           "Share of rural residents aged 60 and over.", group=_PEOPLE),
        _M("rural_share_65_plus", "Rural residents aged 65+", "%", "Share of rural residents aged 65 and over.",
           group=_PEOPLE),
        _M("urban_share_65_plus", "Urban residents aged 65+", "%", "Share of urban residents aged 65 and over.",
           group=_PEOPLE),
        _M("population", "Population", "million persons", "Total population.", group=_PEOPLE),
        _M("rural_residents", "Rural residents", "million persons",
           "Persons living in rural villages and city fringes (place of usual residence).", group=_PEOPLE),
        # ------------------------------------------------------------------ incomes
        _M("urban_rural_income_ratio", "Urban/rural income ratio", "ratio",
           "Per-capita disposable income of urban residents over that of rural residents (NBS definition, by "
           "place of usual residence).", True, group=_INCOME),
        _M("urban_disposable_income", "Urban per-capita disposable income", _CUR,
           "Wage + net business + net property + net transfer income of urban residents, per resident.",
           group=_INCOME),
        _M("urban_disposable_income_wage", "Urban income: wages", _CUR, "Wage income per urban resident.",
           group=_INCOME),
        _M("urban_disposable_income_business", "Urban income: net business", _CUR,
           "Net business income per urban resident.", group=_INCOME),
        _M("urban_disposable_income_property", "Urban income: net property", _CUR,
           "Net property income (incl. imputed rent of owner-occupied housing) per urban resident.", group=_INCOME),
        _M("urban_disposable_income_transfer", "Urban income: net transfers", _CUR,
           "Pensions and other transfers, net of taxes, contributions and remittances sent, per urban resident.",
           group=_INCOME),
        _M("rural_disposable_income", "Rural per-capita disposable income", _CUR,
           "Wage + net business + net property + net transfer income of rural residents, per resident.", True,
           group=_INCOME),
        _M("rural_disposable_income_wage", "Rural income: wages", _CUR,
           "Wages of rural residents (village firms, commuting to the county town) per rural resident.",
           group=_INCOME),
        _M("rural_disposable_income_business", "Rural income: net business", _CUR,
           "Net farm income and village self-employment per rural resident.", group=_INCOME),
        _M("rural_disposable_income_property", "Rural income: net property", _CUR,
           "Land rent received, collective dividends and interest per rural resident.", group=_INCOME),
        _M("rural_disposable_income_transfer", "Rural income: net transfers", _CUR,
           "Pensions, subsidies and remittances from members living away, per rural resident.", group=_INCOME),
        _M("urban_disposable_income_2013_yuan", "Urban per-capita disposable income (2013 prices)",
           "yuan per person per year, 2013 prices", "Urban per-capita disposable income deflated by the CPI.",
           group=_INCOME),
        _M("rural_disposable_income_2013_yuan", "Rural per-capita disposable income (2013 prices)",
           "yuan per person per year, 2013 prices", "Rural per-capita disposable income deflated by the CPI.",
           group=_INCOME),
        _M("consumer_price_index", "Consumer price index", "2013 = 1", "Consumer prices relative to 2013.",
           group=_INCOME),
        _M("income_gini", "Income Gini (rural-hukou population)", "index 0-1",
           "Gini coefficient of per-capita disposable income over rural-hukou persons (households at home and "
           "migrant units away).", group=_INCOME),
        _M("ag_productivity_ratio", "Agricultural / non-agricultural labour productivity", "ratio",
           "Value added per farm worker over value added per non-farm worker.", True, group=_INCOME),
        _M("village_nonfarm_workers", "Village non-farm workers", "million persons",
           "Rural-hukou workers in village firms (processing, services, e-commerce, township enterprises).",
           group=_INCOME),
        # ------------------------------------------------------------------ land
        _M("land_transfer_share", "Contracted farmland transferred", "%",
           "Share of households' contracted farmland whose management rights went to others (the agriculture "
           "ministry's definition; exited and collective land are not included).", True, group=_LAND),
        _M("land_exited_share", "Contracted farmland exited", "%",
           "Contracted farmland whose rights ended (paid exit, forced surrender, households that died out), as a "
           "share of the 2013 contracted farmland; it is collective land now.", group=_LAND),
        _M("land_operated_by_enterprises_share", "Farmland operated by cooperatives and enterprises", "%",
           "Share of farmland (contracted and collective) operated by cooperatives, family-farm companies and "
           "agribusiness.", group=_LAND),
        _M("farmland_rent", "Farmland rent", "yuan per mu per year, current prices",
           "Mean rent operators pay per mu, weighted by land rented.", group=_LAND),
        _M("land_rights_exits", "Land-rights exits this year", "thousand households",
           "Households that gave up contracting or homestead rights in the year (paid or forced).", flow=True,
           group=_LAND),
        _M("idle_homestead_share", "Idle homesteads", "%",
           "Share of rural homesteads standing idle (nobody of the household living at home).", True,
           group=_LAND),
        _M("abandoned_land_share", "Idle farmland", "%",
           "Share of farmland left idle (households without farm labour who keep their land off the market).",
           group=_LAND),
        # ------------------------------------------------------------------ capital and talent
        _M("urban_to_rural_capital", "Urban capital to villages", "billion yuan, current prices",
           "Urban capital invested in village firms, cooperatives and agribusiness in the year (county towns "
           "are not villages: see the next metric).", True, flow=True, group=_CAPITAL),
        _M("urban_capital_to_county_towns", "Urban capital to county towns", "billion yuan, current prices",
           "Urban capital invested in county towns in the year.", flow=True, group=_CAPITAL),
        _M("talent_to_rural", "Talent moving to villages", "thousand persons",
           "Skilled returning migrants and urban talent starting work in villages in the year.", flow=True,
           group=_CAPITAL),
        _M("land_revenue_to_agriculture", "Land revenue spent on agriculture", "billion yuan, current prices",
           "Land-transfer and quota revenue spent on agriculture and rural areas in the year.", flow=True,
           group=_CAPITAL),
        _M("urban_rural_capital_stock_ratio", "Rural capital per rural resident / urban per urban", "ratio",
           "Capital per resident in villages and county towns over capital per resident in cities.",
           group=_CAPITAL),
        # ------------------------------------------------------------------ services and public spending
        _M("public_service_equalization", "Public-service equalization", "index 0-100",
           "Mean of rural/urban service quality and the share of local services delivered to non-hukou urban "
           "residents (100 = equal).", True, group=_SERVICES),
        _M("citizenization_support_spending", "Citizenization support paid", "billion yuan, current prices",
           "Public cost of settling migrants paid by destinations in the year.", flow=True, group=_SERVICES),
        _M("training_spending", "Skills training spending", "billion yuan, current prices",
           "Public cost of training courses in the year.", flow=True, group=_SERVICES),
    ]
}

KEY_METRICS = [name for name, m in METRICS.items() if m.key]
FLOW_METRICS = [name for name, m in METRICS.items() if m.flow]
