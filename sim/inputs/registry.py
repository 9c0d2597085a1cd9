"""Every input of the model, declared once: policy levers, exogenous uncertainties and model parameters.

Vocabulary follows EMA Workbench: *levers* are policies a scenario switches and schedules, *uncertainties* are
exogenous assumptions, *parameters* are the model's own numbers: the 2013 anchors taken from statistics
(`role="start"`), the behavioural responses (`role="behaviour"`, what sensitivity analysis varies and calibration
estimates) and implementation settings (`role="numerical"`, e.g. burn-in rounds, never varied). Every number a
phase uses is one of these; each has a unit, a range and a source or "modelling judgement".

Lever defaults describe the situation at the start of 2013 (before the 2014 household-registration reform), so a
scenario that sets nothing runs "no reform at all"; `scenarios/baseline.yaml` encodes the policy history.
"""

from __future__ import annotations

from dataclasses import replace, dataclass

CITY_TIERS = ("megacity", "super_large", "large_i", "large_ii", "medium", "small")
"""State Council 2014 size classes by urban resident population (Guofa 2014 No. 51), largest first."""

TIER_LOWER_BOUND = (10e6, 5e6, 3e6, 1e6, 0.5e6, 0.0)
"""Lower bound of urban resident population of each tier in `CITY_TIERS`, persons."""


JUDGEMENT = "modelling judgement"
ARTICLE = 'Article "Coordinate new urbanization and overall rural revitalization"'
"""The policy article the levers' content comes from (its opening line quotes the Central Economic Work
Conference's call, which serves as its title)."""


@dataclass(frozen=True)
class Param:
    """One named input: default value, allowed range, unit, meaning and source.

    `kind` is "lever", "uncertainty" or "parameter"; `role` (parameters only) is "start", "behaviour" or
    "numerical"; `integer` marks counts (the value is used as a whole number); `label` is a short name for
    sliders and legends (empty: `short_label` derives one from the name)."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    group: str
    meaning: str
    reference: str = ""
    kind: str = "lever"
    role: str = ""
    integer: bool = False
    label: str = ""

    @property
    def short_label(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


def _p(name, default, low, high, unit, group, meaning, reference="", label=""):
    return Param(name, float(default), float(low), float(high), unit, group, meaning, reference, label=label)


_TIER_LABELS = {
    "megacity": "Megacities (>10 M)",
    "super_large": "Super-large cities (5-10 M)",
    "large_i": "Large cities I (3-5 M)",
    "large_ii": "Large cities II (1-3 M)",
    "medium": "Medium cities (0.5-1 M)",
    "small": "Small cities (<0.5 M)",
}

_SETTLEMENT_2013 = {  # share of eligible applicants admitted, by destination tier (2013 practice)
    "megacity": 0.02,
    "super_large": 0.05,
    "large_i": 0.12,
    "large_ii": 0.25,
    "medium": 0.45,
    "small": 0.7,
}

LEVERS: dict[str, Param] = {
    p.name: p
    for p in [
        *[
            _p(
                f"settlement_openness_{tier}",
                share,
                0,
                1,
                "share",
                "hukou",
                f"How open {tier.replace('_', '-')} cities are to settlement: probability that a migrant meeting the "
                "residence requirement is admitted (0 strict quota, ~0.3 points system, 1 open).",
                "Opinions on Further Promoting the Reform of the Household Registration System (Guofa 2014 No. 25)",
                label=_TIER_LABELS[tier],
            )
            for tier, share in _SETTLEMENT_2013.items()
        ],
        _p(
            "settlement_openness_county_town",
            0.85,
            0,
            1,
            "share",
            "hukou",
            "How open county towns and designated towns are to settlement (same meaning as the city tiers).",
            "Guofa 2014 No. 25: fully open settlement in county-level cities and towns",
            label="County towns",
        ),
        _p(
            "residence_years_required",
            3,
            0,
            10,
            "years",
            "hukou",
            "Years of residence (and social-insurance contributions) a migrant needs before applying to settle.",
            "Guofa 2014 No. 25; NDRC 2019 key tasks for new urbanization",
            label="Residence years to settle",
        ),
        _p(
            "services_by_residence",
            0.35,
            0,
            1,
            "share",
            "hukou",
            "Share of basic public services (schooling, health, social insurance, housing aid) that non-hukou "
            "permanent residents receive relative to hukou residents.",
            "Interim Regulations on Residence Permits (State Council Order 663, 2015)",
            label="Services by residence (share)",
        ),
        _p(
            "citizenization_support",
            0.0,
            0,
            1,
            "index",
            "hukou",
            "Fiscal support that follows settled migrants ('money and land follow people'): cuts the cost of "
            "settling and the host city's reluctance to admit.",
            "State Council 2016 No. 44 on fiscal incentives for citizenization",
            label="Fiscal support follows people",
        ),
        _p(
            "land_rights_kept_on_settling",
            1.0,
            0,
            1,
            "share",
            "land",
            "Whether settled households keep their contracting, homestead and collective-income rights (1, by law) "
            "or must surrender them without payment (0, a counterfactual).",
            "Rural Land Contract Law (2018 amendment) art. 27",
            label="Land rights kept on settling",
        ),
        _p(
            "land_paid_exit",
            0.0,
            0,
            1,
            "share",
            "land",
            "Reach of voluntary paid market exit of the 'three rights': share of counties where settled households "
            "may sell their contracting and homestead rights back for compensation.",
            f"{ARTICLE}: 'improve farmers' three rights market-oriented exit mechanism'",
            label="Paid exit of land rights (reach)",
        ),
        _p(
            "land_exit_compensation",
            12,
            0,
            50,
            "years of land income",
            "land",
            "Compensation paid on voluntary exit, in years of the household's annual land and homestead income.",
            "Homestead reform pilots (2015-2019) paid roughly 10-20 years of rent equivalents",
            label="Exit compensation (years of income)",
        ),
        _p(
            "land_rental_friction",
            0.55,
            0,
            1,
            "share",
            "land",
            "Friction of the county land rental market: probability that a household with nobody farming fails to "
            "rent its contracted land out in a year (the land is then left idle or farmed by elderly kin).",
            "Separation of ownership, contracting and management rights (General Office 2016)",
            label="Land rental friction",
        ),
        _p(
            "unified_construction_land_market",
            0.0,
            0,
            1,
            "share",
            "land",
            "Reach of a unified urban-rural construction-land market: idle homesteads and collective construction "
            "land can be turned into quotas sold to urban users.",
            f"Land Administration Law (2019 amendment); {ARTICLE}",
            label="Unified construction-land market",
        ),
        _p(
            "land_revenue_to_agriculture",
            0.06,
            0,
            1,
            "share",
            "land",
            "Share of land-transfer revenue spent on agriculture and rural areas.",
            "Opinions on adjusting the use of land-transfer revenue (General Office 2020): >50% of net income by 2025",
            label="Land revenue to agriculture (share)",
        ),
        _p(
            "skills_training_coverage",
            0.08,
            0,
            1,
            "share per year",
            "labour",
            "Share of migrant workers and rural job seekers who receive vocational skills training each year.",
            "Vocational Skills Upgrading Action Plan 2019-2021",
            label="Skills training (share per year)",
        ),
        _p(
            "employment_services",
            0.2,
            0,
            1,
            "index",
            "labour",
            "Public employment services for migrants: raises the chance of being employed at the destination and "
            "cuts the cost of searching for work.",
            f"{ARTICLE}: 'strengthen employment services and skills training for migrant workers'",
            label="Employment services",
        ),
        _p(
            "county_infrastructure",
            0.3,
            0,
            1,
            "index",
            "county",
            "Investment in extending county infrastructure (roads, water, power, logistics, broadband) to villages: "
            "cuts commuting cost to the county town, raises farm productivity and rural amenity.",
            f"{ARTICLE}: 'promote the extension of county infrastructure to the countryside'",
            label="County infrastructure to villages",
        ),
        _p(
            "county_services_to_villages",
            0.2,
            0,
            1,
            "index",
            "county",
            "Coverage of county public services (schools, clinics, elderly care) reaching villages: pulls village "
            "service quality toward the county town's.",
            f"{ARTICLE}: 'promote the coverage of public services in the county to the countryside'",
            label="County services to villages",
        ),
        _p(
            "county_fiscal_autonomy",
            0.3,
            0,
            1,
            "index",
            "county",
            "Rights of the county to integrate resources: share of county fiscal balance it may invest locally, and "
            "lower friction for capital invested in the county.",
            f"{ARTICLE}: 'give more rights to the integrated use of resources at the county level'",
            label="County resource-integration rights",
        ),
        _p(
            "county_industry_promotion",
            0.0,
            0,
            1,
            "index",
            "county",
            "County industry promotion (industrial parks, county economy): raises county-town productivity.",
            "Opinions on promoting urbanization with county towns as important carriers (General Office 2022)",
            label="County industry promotion",
        ),
        _p(
            "rural_finance_access",
            0.3,
            0,
            1,
            "index",
            "capital",
            "Reach of rural finance (credit, insurance, guarantee): lowers the friction on capital invested in "
            "villages and lets households invest their savings in farming and rural business.",
            f"{ARTICLE}: 'multi-level, wide coverage and sustainable modern rural financial service system'",
            label="Rural finance",
        ),
        _p(
            "urban_capital_incentive",
            0.05,
            0,
            1,
            "index",
            "capital",
            "Incentives for urban industrial and commercial capital to invest in agriculture and villages.",
            f"{ARTICLE}: 'promotion mechanism for industrial and commercial capital to enter the countryside'",
            label="Urban capital to villages",
        ),
        _p(
            "urban_talent_incentive",
            0.0,
            0,
            1,
            "index",
            "capital",
            "Incentives for urban talent (graduates, technicians, returning entrepreneurs) to work in villages.",
            f"{ARTICLE}: 'improve the incentive mechanism for urban talents to enter the countryside'",
            label="Urban talent to villages",
        ),
        _p(
            "agri_tech_transfer",
            0.2,
            0,
            1,
            "index",
            "capital",
            "Transfer of science and technology to farming: adds to agricultural productivity growth.",
            f"{ARTICLE}: 'promote the transformation of urban scientific and technological achievements'",
            label="Technology transfer to farming",
        ),
    ]
}

UNCERTAINTIES: dict[str, Param] = {
    p.name: replace(p, kind="uncertainty")
    for p in [
        _p("urban_productivity_growth", 0.04, -0.05, 0.15, "per year", "economy",
           "Growth of total factor productivity in cities and county towns."),
        _p("agricultural_productivity_growth", 0.02, -0.05, 0.15, "per year", "economy",
           "Growth of total factor productivity in farming (before technology transfer and infrastructure)."),
        _p("birth_rate", 0.01208, 0, 0.05, "per person-year", "population",
           "Crude birth rate (NBS 2013: 12.08 per mille).", "NBS Statistical Communique 2013"),
        _p("death_rate", 0.00716, 0, 0.05, "per person-year", "population",
           "Crude death rate (NBS 2013: 7.16 per mille).", "NBS Statistical Communique 2013"),
        _p("housing_cost_growth", 0.04, -0.1, 0.3, "per year", "economy",
           "Growth of urban housing and living costs beyond wage growth effects."),
        _p("demand_shock_sd", 0.05, 0, 0.5, "share", "economy",
           "Standard deviation of yearly demand shocks to urban unemployment (relative to its base)."),
    ]
}



def _q(name, default, low, high, unit, group, role, meaning, reference=JUDGEMENT, integer=False):
    return Param(name, float(default), float(low), float(high), unit, group, meaning, reference, "parameter", role,
                 integer)


_S, _B, _N = "start", "behaviour", "numerical"
_NBS_MIGRANTS_2013 = "NBS 2013 migrant worker monitoring survey report"

PARAMETERS: dict[str, Param] = {
    p.name: p
    for p in [
        # ------------------------------------------------------------------ the 2013 start (statistics)
        _q("total_population", 1.361e9, 1.3e9, 1.42e9, "persons", "start", _S,
           "Population of China at the end of 2013.", "NBS Statistical Communique 2013"),
        _q("urban_hukou_share", 0.36, 0.33, 0.39, "share", "start", _S,
           "Hukou urbanization in 2013: share of the population with urban household registration.",
           "Ministry of Public Security: 35.93 % in 2013; CASS Urban Blue Book 2013: 35.29 % in 2012"),
        _q("migrant_share_of_population", 0.198, 0.18, 0.21, "share", "start", _S,
           "Migrant workers (269 M) over the population in 2013.", _NBS_MIGRANTS_2013),
        _q("local_migrant_share", 0.382, 0.35, 0.42, "share", "start", _S,
           "Local migrant workers (103 M, working in their home county) over all migrant workers in 2013.",
           _NBS_MIGRANTS_2013),
        _q("target_urbanization", 0.545, 0.53, 0.56, "share", "start", _S,
           "Permanent-resident urbanization in 2013.", "China Statistical Yearbook (revised series): 54.49 %"),
        _q("household_size_at_home", 2.6, 2.0, 3.5, "persons", "start", _N,
           "Persons per rural household staying at home (declared for reference; the start draws members below)."),
        _q("local_migrant_lives_in_town", 0.35, 0.1, 0.7, "share", "labour", _B,
           "Share of local migrants living in the county town rather than commuting from the village."),
        _q("outbound_family_followers", 0.25, 0.0, 1.0, "persons per migrant", "labour", _B,
           "Dependants living with an outbound migrant (declared; not yet used by a mechanism)."),
        _q("contracted_farmland_mu", 1.33e9, 1.2e9, 1.45e9, "mu", "start", _S,
           "Contracted farmland of rural households in 2013.", "Ministry of Agriculture 2013"),
        _q("initial_transfer_share", 0.26, 0.2, 0.32, "share", "start", _S,
           "Share of contracted farmland transferred in 2013 (declared target of the rental burn-in).",
           "Ministry of Agriculture: 22.67 M ha transferred in 2013"),
        _q("county_count_real", 2850, 2800, 2900, "counties", "start", _S,
           "County-level units a national run stands for.", "China Statistical Yearbook 2014"),
        _q("adults_at_home_max", 3, 1, 5, "persons", "start", _S,
           "Most working-age adults at home in a household at the start (binomial draw).", JUDGEMENT, True),
        _q("adult_at_home_chance", 0.48, 0.3, 0.7, "probability", "start", _S,
           "Chance of each of the `adults_at_home_max` places holding an adult at home at the start."),
        _q("children_mean", 0.62, 0.3, 1.0, "persons", "start", _S,
           "Mean children per household at the start (Poisson draw)."),
        _q("children_max", 4, 2, 6, "persons", "start", _S, "Most children per household at the start.",
           JUDGEMENT, True),
        _q("elderly_max", 2, 1, 4, "persons", "start", _S, "Most elderly members per household at the start.",
           JUDGEMENT, True),
        _q("elderly_chance", 0.275, 0.15, 0.4, "probability", "start", _S,
           "Chance of each of the `elderly_max` places holding an elderly member at the start."),
        _q("migrants_per_household_max", 4, 2, 6, "persons", "start", _S,
           "Most migrant workers per household at the start.", JUDGEMENT, True),
        _q("household_skill_sd", 0.3, 0.1, 0.6, "log units", "start", _S,
           "Dispersion of the skill of members at home (lognormal sigma around `rural_skill_median`)."),
        _q("county_farmland_sd", 0.3, 0.0, 0.6, "log units", "start", _S,
           "Dispersion of farmland per rural person between counties (synthetic worlds)."),
        _q("household_farmland_sd", 0.35, 0.0, 0.7, "log units", "start", _S,
           "Dispersion of contracted farmland between households of a county."),
        _q("migrant_age_mean_2013", 35.5, 33, 40, "years", "start", _S,
           "Mean age of migrant workers drawn at the start.", "NBS 2013 monitoring report: mean age 37.6"),
        _q("migrant_age_sd_2013", 10.5, 7, 14, "years", "start", _S, "Dispersion of migrant ages at the start."),
        _q("worker_age_min", 16, 15, 18, "years", "start", _S, "Youngest age of a migrant worker.",
           "NBS monitoring survey: workers aged 16 and over", True),
        _q("migrant_age_max_2013", 59, 55, 65, "years", "start", _S, "Oldest migrant drawn at the start.",
           JUDGEMENT, True),
        _q("migrant_skill_log_premium", 0.1, 0.0, 0.3, "log units", "start", _S,
           "Skill of migrants at the start over that of their household (mean log ratio)."),
        _q("migrant_skill_sd", 0.2, 0.05, 0.4, "log units", "start", _S,
           "Dispersion of migrants' skill around their household's at the start."),
        _q("migrant_years_max_2013", 9, 3, 15, "years", "start", _S,
           "Years at the destination are drawn uniformly below this at the start.", JUDGEMENT, True),
        _q("urban_family_share_max", 0.9, 0.5, 1.0, "share", "start", _N,
           "Cap on the share of households placed in towns and cities at the start (a guard)."),
        _q("urban_family_in_city_share", 0.4, 0.1, 0.8, "share", "start", _S,
           "Share of rural-hukou families living in urban areas at the start who live in a city (the rest in "
           "their county town)."),
        _q("native_floor_share", 0.1, 0.0, 0.5, "share", "start", _N,
           "Urban-hukou natives are at least this share of a place's urban residents at the start (a guard)."),
        _q("city_service_base", 0.6, 0.3, 0.9, "index 0-1", "start", _S,
           "Public-service quality of a small city at the start."),
        _q("city_service_tier_step", 0.05, 0.0, 0.1, "index 0-1 per tier", "start", _S,
           "Extra public-service quality per size tier above small at the start."),
        _q("infrastructure_2013", 0.35, 0.2, 0.5, "index 0-1", "start", _S,
           "Mean county infrastructure reaching villages in 2013: farm productivity and commuting costs are "
           "stated relative to it."),
        _q("infrastructure_2013_sd", 0.08, 0.0, 0.2, "index 0-1", "start", _S,
           "Dispersion of county infrastructure between counties in 2013."),
        _q("town_service_2013", 0.5, 0.3, 0.7, "index 0-1", "start", _S, "County-town public services in 2013."),
        _q("village_service_2013", 0.3, 0.1, 0.5, "index 0-1", "start", _S, "Mean village public services in 2013."),
        _q("village_service_2013_sd", 0.05, 0.0, 0.15, "index 0-1", "start", _S,
           "Dispersion of village public services between counties in 2013."),
        _q("initial_savings_years", 1.5, 0.5, 3.0, "years of farm output", "start", _S,
           "Household savings at the start, in years of the output of its contracted land."),
        _q("household_savings_sd", 0.5, 0.1, 1.0, "log units", "start", _S,
           "Dispersion of household savings at the start."),
        _q("migrant_savings_years", 0.5, 0.1, 1.5, "years of wage", "start", _S,
           "Savings of a migrant at the start, in years of a skill-adjusted city wage."),
        # ------------------------------------------------------------------ production and prices
        _q("capital_share_urban", 0.4, 0.3, 0.5, "share", "production", _B,
           "Capital share alpha in urban output Y = A K^alpha L^(1-alpha).", "Chinese growth accounting ~0.4-0.5"),
        _q("capital_share_ag", 0.25, 0.15, 0.4, "share", "production", _B, "Capital share of farm output."),
        _q("land_share_ag", 0.3, 0.2, 0.4, "share", "production", _B,
           "Land share of farm output (declared; farm output is per mu)."),
        _q("farm_scale_elasticity", 0.08, 0.0, 0.2, "per log mu", "production", _B,
           "Extra yield per log-unit of farm size above the median (scale effects)."),
        _q("depreciation", 0.07, 0.04, 0.1, "per year", "capital", _B, "Depreciation of every capital stock.",
           "Perpetual-inventory studies of China use 5-10 %"),
        _q("urban_saving_rate", 0.8, 0.5, 0.95, "share", "capital", _B,
           "Share of urban returns to capital reinvested (China invests ~43 % of GDP)."),
        _q("household_saving_rate", 0.3, 0.15, 0.45, "share", "incomes", _B,
           "Share of household disposable income saved.", "NBS household survey: rural saving rate ~30 %"),
        _q("household_investment_rate", 0.25, 0.1, 0.5, "share per year", "capital", _B,
           "Share of household savings placed in production each year."),
        _q("capital_return_sensitivity", 6.0, 2.0, 12.0, "elasticity", "capital", _B,
           "Logit sensitivity of capital allocation to net returns."),
        _q("county_wage_discount", 0.62, 0.5, 0.8, "ratio", "start", _S,
           "County-town wage per efficiency unit over a city of 1 M at the start.",
           "NBS 2017: local migrants earn 3173 vs outbound 3805 yuan a month (0.83) at lower skill"),
        _q("urban_unemployment_base", 0.05, 0.03, 0.08, "share", "production", _B,
           "Urban unemployment without demand shocks.", "NBS urban surveyed unemployment ~5 %"),
        _q("city_wage_2013", 56000.0, 45000, 65000, "yuan per efficiency unit per year", "start", _S,
           "Wage per efficiency unit of labour in a city of 1 M in 2013 (current yuan).",
           "NBS 2013: average wage of urban non-private units 51 483 yuan"),
        _q("agglomeration_elasticity", 0.06, 0.02, 0.1, "elasticity", "production", _B,
           "Wage premium of larger cities (elasticity of the wage to city size).",
           "Agglomeration literature for China: 0.04-0.1"),
        _q("capital_output_ratio", 3.0, 2.0, 4.0, "years of output", "start", _S,
           "Capital over output in towns and cities at the start."),
        _q("native_participation", 0.5, 0.4, 0.6, "workers per person", "production", _B,
           "Workers per urban-hukou resident."),
        _q("native_income_share", 0.46, 0.35, 0.6, "ratio", "incomes", _B,
           "Per-capita disposable income of urban natives over the wage per efficiency unit."),
        _q("rural_skill_median", 0.55, 0.4, 0.8, "ratio", "start", _S,
           "Efficiency of a median rural worker relative to an urban native."),
        _q("sampling_distance_decay", 1.0, 0.5, 2.0, "elasticity", "labour", _N,
           "Candidate cities are sampled in proportion to size / distance^decay (importance sampling; the "
           "choice-set correction undoes it in the utilities)."),
        _q("ag_capital_per_mu", 1500.0, 800, 2500, "yuan per mu", "start", _S, "Farm capital per mu in 2013."),
        _q("ag_output_per_mu", 1100.0, 800, 1500, "yuan per mu per year", "start", _S,
           "Value of farm output per mu at median scale in 2013 (current yuan)."),
        _q("shock_persistence", 0.6, 0.0, 0.9, "per year", "production", _B,
           "Persistence of city demand shocks (AR(1) coefficient)."),
        _q("town_shock_scale", 0.5, 0.0, 1.0, "ratio", "production", _B,
           "Demand shocks in county towns relative to cities (standard deviation)."),
        _q("employment_chance_min", 0.3, 0.1, 0.6, "probability", "labour", _B,
           "Lowest employment chance of a migrant, however high unemployment is."),
        _q("migrant_unemployment_premium", 1.6, 1.0, 2.5, "ratio", "labour", _B,
           "Migrants' unemployment relative to the urban rate, before employment services."),
        _q("housing_cost_per_m_pop", 5500.0, 3000, 9000, "yuan per year", "production", _S,
           "Yearly living cost of a migrant in a city of 1 M in 2013, scaling with size."),
        _q("housing_cost_size_elasticity", 0.35, 0.15, 0.5, "elasticity", "production", _B,
           "Elasticity of living costs to city size."),
        _q("talent_productivity", 1.0, 0.0, 3.0, "TFP per talent per rural resident", "production", _B,
           "Farm TFP gain per talent per rural resident."),
        _q("talent_effect_max", 0.05, 0.0, 0.1, "per year", "production", _B,
           "Cap on the yearly farm TFP gain from talent."),
        _q("county_industry_boost", 0.01, 0.0, 0.03, "per year", "production", _B,
           "Extra county-town TFP growth per year at full industry promotion."),
        _q("tech_transfer_boost", 0.01, 0.0, 0.03, "per year", "production", _B,
           "Extra farm TFP growth per year at full technology transfer."),
        _q("infrastructure_farm_effect", 0.4, 0.0, 1.0, "per index unit", "production", _B,
           "Farm productivity gain per unit of infrastructure index above its 2013 mean."),
        # ------------------------------------------------------------------ capital allocation
        _q("rural_finance_friction", 0.5, 0.2, 0.8, "share", "capital", _B,
           "Share of village returns lost to missing finance at zero finance access."),
        _q("county_capital_friction", 0.3, 0.1, 0.6, "share", "capital", _B,
           "Share of county-town returns lost to frictions for rural savers without fiscal autonomy."),
        _q("autonomy_friction_cut", 0.7, 0.0, 1.0, "share", "capital", _B,
           "Share of the county capital friction removed at full county fiscal autonomy."),
        _q("city_capital_friction", 0.05, 0.0, 0.2, "share", "capital", _B,
           "Friction on rural savings invested in cities (banks)."),
        _q("city_deposit_weight", 2.0, 1.0, 4.0, "ratio", "capital", _B,
           "Weight of the city option in the allocation of a county's household pool (deposits reach cities "
           "through the banking system)."),
        _q("urban_to_ag_friction", 0.75, 0.5, 0.95, "share", "capital", _B,
           "Friction on urban capital entering farming, without incentives."),
        _q("land_market_ag_friction_cut", 0.1, 0.0, 0.3, "share", "capital", _B,
           "Friction on urban capital entering farming removed by a unified construction-land market."),
        _q("finance_ag_friction_cut", 0.1, 0.0, 0.3, "share", "capital", _B,
           "Friction on urban capital entering farming removed at full rural finance access."),
        _q("urban_to_town_friction", 0.35, 0.1, 0.6, "share", "capital", _B,
           "Friction on urban capital entering county towns."),
        _q("autonomy_town_friction_cut", 0.5, 0.0, 1.0, "share", "capital", _B,
           "Share of the urban-to-town friction removed at full county fiscal autonomy."),
        _q("industry_town_friction_cut", 0.5, 0.0, 1.0, "share", "capital", _B,
           "Share of the urban-to-town friction removed at full county industry promotion."),
        _q("county_invest_share", 0.5, 0.2, 0.8, "share", "finance", _B,
           "Share of county spending invested in the town at full fiscal autonomy."),
        # ------------------------------------------------------------------ incomes
        _q("rural_transfer_per_capita", 850.0, 500, 1200, "yuan per person per year", "incomes", _S,
           "Transfers (pensions, subsidies) per rural resident in 2013 (current yuan)."),
        _q("transfer_wage_elasticity", 0.6, 0.0, 1.0, "elasticity", "incomes", _B,
           "Growth of rural transfers with the urban wage level."),
        _q("remittance_share", 0.3, 0.15, 0.5, "share", "incomes", _B,
           "Share of a migrant's wage net of living costs sent home."),
        _q("collective_income_per_member", 150.0, 50, 300, "yuan per member per year", "land", _S,
           "Base collective income per member in 2013."),
        _q("collective_income_wage_elasticity", 0.5, 0.0, 1.0, "elasticity", "land", _B,
           "Growth of base collective income with the urban wage level."),
        _q("business_return", 0.25, 0.05, 0.4, "per year", "incomes", _B,
           "Yearly income per yuan of savings put into a village business at full finance reach."),
        _q("business_stake_cap", 60000.0, 20000, 150000, "yuan (2013)", "incomes", _B,
           "Most savings a household business uses."),
        _q("talent_business_weight", 0.5, 0.0, 1.0, "ratio", "incomes", _B,
           "Reach of village business added by urban talent incentives, relative to rural finance."),
        _q("business_reach_max", 1.5, 1.0, 2.0, "index", "incomes", _B, "Cap on the reach of village business."),
        # ------------------------------------------------------------------ labour choices
        _q("reconsider_rate_home", 0.35, 0.15, 0.6, "share per year", "labour", _B,
           "Share of households with adults at home who reconsider work each year."),
        _q("reconsider_rate_migrant", 0.35, 0.15, 0.6, "share per year", "labour", _B,
           "Share of migrants who reconsider where they work each year."),
        _q("utility_income", 2.4, 1.0, 4.0, "utility per log yuan", "labour", _B, "Weight on log expected income."),
        _q("utility_services", 1.2, 0.3, 2.5, "utility per index unit", "labour", _B,
           "Weight on accessible public-service value."),
        _q("utility_distance", 0.35, 0.1, 0.7, "utility per log km", "labour", _B, "Weight on log(1 + km)."),
        _q("utility_network", 0.6, 0.2, 1.0, "utility per log share", "labour", _B,
           "Weight on the log share of earlier migrants from the same county in a city."),
        _q("utility_home_attachment", 0.55, 0.2, 1.0, "utility", "labour", _B,
           "Value of living with family in the village."),
        _q("utility_living_cost", 1.0, 0.5, 1.5, "utility per log", "labour", _B,
           "Weight on the log living-cost share (declared; living costs enter net income)."),
        _q("town_attachment_share", 0.6, 0.0, 1.0, "share", "labour", _B,
           "Share of the home attachment kept by working in the home county town."),
        _q("service_access_openness_weight", 0.3, 0.0, 1.0, "share", "labour", _B,
           "Share of hukou-only services open to migrants in proportion to the destination's settlement "
           "openness."),
        _q("income_floor", 500.0, 100, 2000, "yuan per year", "labour", _N,
           "Floor of net income inside the log of the utility."),
        _q("tenure_bonus", 0.08, 0.0, 0.2, "utility per year", "labour", _B,
           "Value of a year at the destination (job-specific capital)."),
        _q("tenure_cap_years", 10, 5, 20, "years", "labour", _B, "Years of tenure that count for the bonus.",
           JUDGEMENT, True),
        _q("unemployed_stay_penalty", 1.0, 0.0, 2.0, "utility", "labour", _B,
           "Utility lost by staying where one is unemployed."),
        _q("choice_set_size", 8, 4, 16, "cities", "labour", _N, "Sampled candidate cities per decision.",
           JUDGEMENT, True),
        _q("return_age", 57, 50, 62, "years", "labour", _B,
           "Migrants older than this reconsider every year and return home with rising probability.", JUDGEMENT,
           True),
        _q("return_age_pull", 0.25, 0.0, 0.6, "utility per year", "labour", _B,
           "Utility of returning per year of age above `return_age`."),
        _q("migrant_retirement_age", 65, 60, 70, "years", "demography", _B, "Migrants still away at this age retire "
           "home.", JUDGEMENT, True),
        _q("family_tie", 0.3, 0.0, 0.8, "utility", "labour", _B,
           "Extra utility of staying home when there are children."),
        _q("new_migrant_age", 24.0, 20, 30, "years", "labour", _B, "Mean age of a worker leaving home."),
        _q("new_migrant_age_sd", 6.0, 2, 10, "years", "labour", _B, "Dispersion of the age of workers leaving home."),
        _q("new_migrant_age_max", 55, 45, 60, "years", "labour", _B, "Oldest age of a worker leaving home.",
           JUDGEMENT, True),
        _q("new_migrant_skill_log_premium", 0.05, 0.0, 0.2, "log units", "labour", _B,
           "Skill of a worker leaving home over the household's (mean log ratio)."),
        _q("new_migrant_skill_sd", 0.15, 0.05, 0.3, "log units", "labour", _B,
           "Dispersion of the skill of workers leaving home around the household's."),
        _q("returnee_skill_mix", 0.5, 0.0, 1.0, "share", "labour", _B,
           "A returnee lifts the household's skill to this mix of the household's and their own."),
        _q("talent_skill_threshold", 1.2, 0.8, 2.0, "skill", "labour", _B, "Returnees above this skill count as "
           "talent."),
        _q("talent_per_incentive", 0.004, 0.0, 0.01, "persons per rural resident per year", "capital", _B,
           "Urban talent moving to villages per rural resident per year at full incentive."),
        _q("training_skill_gain", 0.12, 0.0, 0.3, "log units", "labour", _B, "Log-skill gain from one course of "
           "training."),
        _q("household_training_share", 0.5, 0.0, 1.0, "ratio", "labour", _B,
           "Training coverage of workers at home relative to migrants."),
        _q("skill_cap", 3.0, 2.0, 5.0, "skill", "labour", _B, "Highest skill a worker can reach."),
        _q("target_home_to_town", 0.10, 0.05, 0.2, "share per year", "labour", _S,
           "2013 yearly share of reconsidering home workers taking a county-town job (sets a choice constant)."),
        _q("target_home_to_city", 0.16, 0.08, 0.3, "share per year", "labour", _S,
           "2013 yearly share of reconsidering home workers taking a city job (sets a choice constant)."),
        _q("target_migrant_return", 0.04, 0.01, 0.1, "share per year", "labour", _S,
           "2013 yearly share of reconsidering outbound migrants returning home (sets a choice constant)."),
        _q("target_migrant_to_town", 0.04, 0.01, 0.1, "share per year", "labour", _S,
           "2013 yearly share of reconsidering outbound migrants moving to their county town."),
        _q("target_migrant_to_city", 0.10, 0.03, 0.2, "share per year", "labour", _S,
           "2013 yearly share of reconsidering outbound migrants moving to another city."),
        _q("choice_calibration_sample", 20000, 5000, 100000, "deciders", "labour", _N,
           "Deciders sampled to fit the choice constants at the start.", JUDGEMENT, True),
        _q("choice_calibration_rounds", 12, 6, 30, "iterations", "labour", _N,
           "Fixed-point iterations fitting the choice constants at the start.", JUDGEMENT, True),
        # ------------------------------------------------------------------ citizenization
        _q("hukou_value", 1.1, 0.5, 2.0, "utility per index unit", "citizenship", _B,
           "Utility of the services and security that come with urban hukou."),
        _q("settling_cost", 1.3, 0.5, 2.5, "utility per cost ratio", "citizenship", _B,
           "Utility cost of settling per unit of living cost over wage."),
        _q("land_value_weight", 0.8, 0.0, 2.0, "utility", "citizenship", _B,
           "Weight of land rights lost in the settling decision."),
        _q("land_income_horizon", 10, 5, 30, "years", "citizenship", _B,
           "Years of land income at stake when rights are lost on settling.", JUDGEMENT, True),
        _q("citizenization_support_value", 1.0, 0.0, 2.0, "utility", "citizenship", _B,
           "Utility of full citizenization support (`citizenization_support` = 1)."),
        _q("settle_constant", -4.0, -6.0, -2.0, "utility", "citizenship", _B,
           "Logit constant of the settling decision (sets 2013 citizenization flows)."),
        _q("points_min", 0.3, 0.1, 1.0, "ratio", "citizenship", _B,
           "Lowest points-system weight of a migrant's skill in the admission chance."),
        _q("points_max", 3.0, 1.0, 5.0, "ratio", "citizenship", _B,
           "Highest points-system weight of a migrant's skill in the admission chance."),
        _q("settle_wage_floor", 1000.0, 500, 5000, "yuan per year", "citizenship", _N,
           "Floor of the wage in the living-cost burden and land-income ratios."),
        _q("resident_settle_rate", 0.03, 0.0, 0.1, "share per year", "citizenship", _B,
           "Yearly chance a rural-hukou family living in an open town or city settles."),
        _q("settling_cash_cost", 40000.0, 10000, 100000, "yuan (2013)", "citizenship", _B,
           "Savings spent on settling (housing, moving)."),
        # ------------------------------------------------------------------ land
        _q("rent_out_propensity", 0.15, 0.05, 0.4, "probability", "land", _B,
           "Chance a farming household with migrants rents its land out, per migrant share."),
        _q("rent_out_base", 0.015, 0.0, 0.05, "probability", "land", _B,
           "Chance a farming household without migrants wants to rent its land out."),
        _q("land_rent_share", 0.35, 0.2, 0.5, "share", "land", _B, "Rent as a share of farm output per mu."),
        _q("exit_reservation_years", 15.0, 5, 30, "years of land income", "land", _B,
           "Compensation at which half of the willing settled households exit."),
        _q("exit_appeal_scale", 4.0, 1.0, 10.0, "years of land income", "land", _B,
           "Spread of the appeal of paid exit around the reservation compensation (logistic scale)."),
        _q("exit_rate", 0.15, 0.05, 0.4, "share per year", "land", _B,
           "Yearly chance of exit where the option exists and is attractive."),
        _q("homestead_rent_per_year", 1500.0, 500, 4000, "yuan (2013) per year", "land", _B,
           "Value of a homestead per year."),
        _q("quota_exit_rate", 0.08, 0.0, 0.2, "share per year", "land", _B,
           "Yearly chance an idle homestead becomes a quota at full market reach."),
        _q("quota_household_share", 0.5, 0.2, 0.8, "share", "land", _B, "Share of a quota's value paid to the "
           "household."),
        _q("elderly_farm_effort", 0.4, 0.1, 0.8, "workers per elderly member", "land", _B,
           "Farm labour of an elderly member relative to an adult."),
        _q("land_burn_in_years", 8, 2, 20, "rounds", "land", _N,
           "Rounds of the rental market run at the start to lay down 2013 contracts.", JUDGEMENT, True),
        _q("contract_persistence", 0.8, 0.5, 0.95, "probability", "land", _B,
           "Chance a rental contract continues when the household has labour again."),
        _q("operator_skill_power", 2.0, 0.0, 4.0, "elasticity", "land", _B,
           "Rented land goes to operators in proportion to labour x skill^power."),
        _q("labour_per_mu_2013", 0.25, 0.1, 0.5, "workers per mu", "land", _B, "Farm workers per mu on a typical "
           "2013 farm."),
        _q("labour_intensity_power", 0.3, 0.1, 0.6, "elasticity", "land", _B, "Elasticity of yield to labour per mu."),
        _q("median_farm_mu", 6.0, 3, 10, "mu", "land", _S, "Median farm size (scale effects are relative to it)."),
        _q("ag_value_added_per_net_income", 3.8, 2.5, 5.0, "ratio", "land", _S,
           "Farm value added (all farming) per yuan of household net farm income."),
        _q("urban_land_m2_per_person", 100.0, 60, 150, "m2 per person", "finance", _S,
           "Urban construction land per new urban resident."),
        _q("land_price_yuan_per_m2", 900.0, 500, 2000, "yuan (2013) per m2", "finance", _S,
           "Land-transfer price of urban construction land in 2013."),
        _q("quota_price_yuan_per_mu", 200000.0, 100000, 400000, "yuan (2013) per mu", "finance", _S,
           "Price of a construction-land quota."),
        _q("homestead_mu_per_household", 0.4, 0.2, 0.6, "mu", "land", _S, "Homestead land per household."),
        # ------------------------------------------------------------------ public finance and services
        _q("infrastructure_build_rate", 0.06, 0.02, 0.12, "per year", "finance", _B,
           "Infrastructure index gain per year (of the gap to 1) at full `county_infrastructure`."),
        _q("service_catch_up_rate", 0.08, 0.02, 0.15, "per year", "finance", _B,
           "Village service convergence to the town's per year at full `county_services_to_villages`."),
        _q("urban_service_growth", 0.01, 0.0, 0.03, "per year", "finance", _B,
           "Yearly growth of city and town public services (of the gap to 1)."),
        _q("autonomy_service_growth", 0.03, 0.0, 0.06, "per year", "finance", _B,
           "Extra yearly growth of county-town services at full county fiscal autonomy."),
        _q("village_service_drift", 0.002, 0.0, 0.01, "per year", "finance", _B,
           "Yearly growth of village services without county services reaching villages."),
        _q("commute_cost_2013", 6000.0, 3000, 10000, "yuan per year", "labour", _B,
           "Cost of commuting daily from a village to the county town at 2013 infrastructure (current yuan)."),
        _q("village_town_km", 25.0, 10, 50, "km", "labour", _S, "Distance from a village to its county town."),
        # ------------------------------------------------------------------ demography
        _q("child_to_adult_rate", 1 / 16, 1 / 18, 1 / 14, "per year", "demography", _B,
           "Yearly chance a child becomes a working-age adult."),
        _q("adult_to_elderly_rate", 1 / 42, 1 / 48, 1 / 36, "per year", "demography", _B,
           "Yearly chance a working-age adult becomes elderly."),
        _q("elderly_mortality_share", 0.85, 0.7, 0.95, "share", "demography", _B, "Share of deaths among the elderly."),
    ]
}
"""The model's own numbers; `parameter_values()` gives name -> default."""


def parameter_values() -> dict[str, float]:
    """Every parameter at its default (what the engine reads as `model.params`)."""
    return {name: p.default for name, p in PARAMETERS.items()}


ALL_INPUTS: dict[str, Param] = {**LEVERS, **UNCERTAINTIES, **PARAMETERS}
"""Every declared input by name (names are unique across the three kinds)."""
assert len(ALL_INPUTS) == len(LEVERS) + len(UNCERTAINTIES) + len(PARAMETERS), "input names must be unique"
