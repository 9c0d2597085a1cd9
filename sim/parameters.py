"""Every input of the model, declared once: policy levers, exogenous uncertainties and calibration constants.

Vocabulary follows EMA Workbench: *levers* are policies a scenario switches and schedules, *uncertainties* are
exogenous assumptions, *calibration* constants are documented defaults that set the 2013 starting point and the
behavioural responses (changeable from Python, not from scenario files).

Lever defaults describe the situation at the start of 2013 (before the 2014 household-registration reform), so a
scenario that sets nothing runs "no reform at all"; `scenarios/baseline.yaml` encodes the policy history.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_TIERS = ("megacity", "super_large", "large_i", "large_ii", "medium", "small")
"""State Council 2014 size classes by urban resident population (Guofa 2014 No. 51), largest first."""

TIER_LOWER_BOUND = (10e6, 5e6, 3e6, 1e6, 0.5e6, 0.0)
"""Lower bound of urban resident population of each tier in `CITY_TIERS`, persons."""


@dataclass(frozen=True)
class Param:
    """One named input: default value, allowed range, unit and meaning."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    group: str
    meaning: str
    reference: str = ""


def _p(name, default, low, high, unit, group, meaning, reference=""):
    return Param(name, float(default), float(low), float(high), unit, group, meaning, reference)


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
            "Article (reference/): 'improve farmers' three rights market-oriented exit mechanism'",
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
            "Land Administration Law (2019 amendment); Article (reference/)",
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
            "Article (reference/): 'strengthen employment services and skills training for migrant workers'",
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
            "Article (reference/): 'promote the extension of county infrastructure to the countryside'",
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
            "Article (reference/): 'promote the coverage of public services in the county to the countryside'",
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
            "Article (reference/): 'give more rights to the integrated use of resources at the county level'",
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
            "Article (reference/): 'multi-level, wide coverage and sustainable modern rural financial service system'",
        ),
        _p(
            "urban_capital_incentive",
            0.05,
            0,
            1,
            "index",
            "capital",
            "Incentives for urban industrial and commercial capital to invest in agriculture and villages.",
            "Article (reference/): 'promotion mechanism for industrial and commercial capital to enter the countryside'",
        ),
        _p(
            "urban_talent_incentive",
            0.0,
            0,
            1,
            "index",
            "capital",
            "Incentives for urban talent (graduates, technicians, returning entrepreneurs) to work in villages.",
            "Article (reference/): 'improve the incentive mechanism for urban talents to enter the countryside'",
        ),
        _p(
            "agri_tech_transfer",
            0.2,
            0,
            1,
            "index",
            "capital",
            "Transfer of science and technology to farming: adds to agricultural productivity growth.",
            "Article (reference/): 'promote the transformation of urban scientific and technological achievements'",
        ),
    ]
}

UNCERTAINTIES: dict[str, Param] = {
    p.name: p
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


CALIBRATION: dict[str, float] = {
    # --- population at the start (China 2013, NBS) ---
    "total_population": 1.361e9,  # persons
    "urban_hukou_share": 0.36,  # hukou urbanization ~35.9% (CASS 2013; plan 35.3% for 2012)
    "migrant_share_of_population": 0.198,  # 269 M migrant workers / 1.361 bn
    "local_migrant_share": 0.382,  # 103 M local of 269 M (NBS monitoring report 2013)
    "target_urbanization": 0.545,  # 54.5% permanent-resident urbanization (CSY, revised)
    "household_size_at_home": 2.6,  # persons per rural household staying home (children, elderly, adults)
    "local_migrant_lives_in_town": 0.35,  # share of local migrants living (not commuting) in the county town
    "outbound_family_followers": 0.25,  # dependants living with an outbound migrant, per migrant
    "contracted_farmland_mu": 1.33e9,  # contracted farmland, mu (MoA 2013)
    "initial_transfer_share": 0.26,  # share of contracted farmland transferred in 2013
    "county_count_real": 2850,  # county-level units a national run stands for
    # --- production ---
    "capital_share_urban": 0.4,  # alpha in Y = A K^a L^(1-a)
    "capital_share_ag": 0.25,
    "land_share_ag": 0.3,
    "farm_scale_elasticity": 0.08,  # extra yield per log-unit of farm size above the median (scale effects)
    "depreciation": 0.07,
    "urban_saving_rate": 0.8,  # share of urban returns to capital reinvested (China invests ~43% of GDP)
    "household_saving_rate": 0.3,
    "household_investment_rate": 0.25,  # share of household savings placed in production each year
    "capital_return_sensitivity": 6.0,  # logit sensitivity of capital allocation to net returns
    "county_wage_discount": 0.62,  # county-town productivity relative to the average city at start
    "urban_unemployment_base": 0.05,
    "city_wage_2013": 56000.0,  # yuan per efficiency unit of labour in a city of 1 M (urban unit wage 2013)
    "agglomeration_elasticity": 0.06,  # wage premium of larger cities
    "capital_output_ratio": 3.0,
    "native_participation": 0.5,  # workers per urban-hukou resident
    "native_income_share": 0.46,  # per-capita disposable income of urban natives / wage per efficiency unit
    "rural_skill_median": 0.55,  # efficiency of a rural worker relative to an urban native
    "sampling_distance_decay": 1.0,  # candidate cities sampled in proportion to size / distance^decay
    "ag_capital_per_mu": 1500.0,  # yuan of farm capital per mu in 2013
    "initial_savings_years": 1.5,  # household savings in years of farm output at the start
    "rent_out_propensity": 0.15,  # chance a farming household with migrants rents its land out, per migrant share
    "rent_out_base": 0.015,  # chance a farming household without migrants wants to rent its land out
    "ag_output_per_mu": 1100.0,  # yuan value added per mu at median scale (2013)
    "land_rent_share": 0.35,  # rent as share of output per mu
    "collective_income_per_member": 150.0,  # yuan per member per year
    "rural_transfer_per_capita": 850.0,  # yuan per rural resident per year (pensions, subsidies)
    "remittance_share": 0.3,  # share of a migrant's net wage sent home
    "housing_cost_per_m_pop": 5500.0,  # yuan per year for a migrant in a city of 1 M, scales with size
    "housing_cost_size_elasticity": 0.35,
    # --- behaviour ---
    "reconsider_rate_home": 0.35,  # share of households with adults at home who reconsider work each year
    "reconsider_rate_migrant": 0.35,
    "utility_income": 2.4,  # weight on log expected income
    "utility_services": 1.2,  # weight on accessible public-service value
    "utility_distance": 0.35,  # weight on log(1 + km)
    "utility_network": 0.6,  # weight on log network share of earlier migrants from the same county
    "utility_home_attachment": 0.55,  # value of living with family in the village
    "utility_living_cost": 1.0,  # weight on log living cost share
    "tenure_bonus": 0.08,  # per year at destination (job-specific capital), capped at 10 years
    "choice_set_size": 8,  # sampled candidate cities per decision
    "return_age": 57,  # migrants older than this return home with rising probability
    "migrant_retirement_age": 65,  # migrants still away at this age retire home
    "hukou_value": 1.1,  # utility of the services and security that come with urban hukou
    "settling_cost": 1.3,  # utility cost of settling (housing purchase, leaving home)
    "land_value_weight": 0.8,  # weight of land rights lost in the settling decision
    "training_skill_gain": 0.12,  # log-skill gain from one course of training
    "infrastructure_build_rate": 0.06,  # infra index gain per year at lever 1
    "service_catch_up_rate": 0.08,  # village service convergence per year at lever 1
    "talent_per_incentive": 0.004,  # urban talent moving to villages per rural resident per year at lever 1
    "urban_land_m2_per_person": 100.0,
    "land_price_yuan_per_m2": 900.0,
    "quota_price_yuan_per_mu": 200000.0,
    "homestead_mu_per_household": 0.4,
    "county_industry_boost": 0.01,  # extra county-town TFP growth per year at full industry promotion
    "tech_transfer_boost": 0.01,  # extra farm TFP growth per year at full technology transfer
    "talent_productivity": 1.0,  # farm TFP gain per talent per rural resident (capped at 5% a year)
    "infrastructure_farm_effect": 0.4,  # farm productivity gain per unit of infrastructure index
    "migrant_unemployment_premium": 1.6,  # migrants' unemployment relative to the urban rate, before services
    "rural_finance_friction": 0.5,  # share of village returns lost to missing finance at zero access
    "county_capital_friction": 0.3,
    "urban_to_ag_friction": 0.75,  # friction on urban capital entering farming, without incentives
    "urban_to_town_friction": 0.35,
    "county_invest_share": 0.5,  # share of county spending invested in the town at full fiscal autonomy
    "urban_service_growth": 0.01,
    "commute_cost_2013": 6000.0,  # yuan per year of daily commuting village-town at infrastructure 0.35
    "village_town_km": 25.0,
    "business_return": 0.25,  # yearly income per yuan of savings put into a village business at full finance reach
    "business_stake_cap": 60000.0,  # most savings (2013 yuan) a household business uses
    "return_age_pull": 0.25,  # utility of returning per year of age above `return_age`
    "family_tie": 0.3,  # extra utility of staying home when there are children
    "talent_skill_threshold": 1.2,  # returnees above this skill count as talent
    "new_migrant_age": 24.0,
    "skill_cap": 3.0,
    "citizenization_support_value": 1.0,
    "settle_constant": -4.0,  # logit constant of the settling decision (sets 2013 citizenization flows)
    "resident_settle_rate": 0.03,  # yearly chance a rural-hukou family living in an open town or city settles
    "settling_cash_cost": 40000.0,  # yuan spent from savings on settling (2013 prices)
    "exit_reservation_years": 15.0,  # compensation (years of land income) at which half of willing exit
    "exit_rate": 0.15,  # yearly chance of exit where the option exists and is attractive
    "homestead_rent_per_year": 1500.0,  # yuan value of a homestead per year
    "quota_exit_rate": 0.08,  # yearly chance an idle homestead is turned into a quota at full market reach
    "quota_household_share": 0.5,  # share of the quota value paid to the household
    "elderly_farm_effort": 0.4,
    "land_burn_in_years": 8,  # yearly rounds of the rental market run at the start to lay down 2013 contracts
    "contract_persistence": 0.8,  # chance a rental contract continues when the household has labour again
    "operator_skill_power": 2.0,
    "labour_per_mu_2013": 0.25,  # farm workers per mu on a typical 2013 farm
    "labour_intensity_power": 0.3,
    "median_farm_mu": 6.0,
    "ag_value_added_per_net_income": 3.8,  # farm value added (all farming) per yuan of household net farm income
    "target_home_to_town": 0.10,  # 2013 yearly shares of reconsidering home workers taking town / city jobs
    "target_home_to_city": 0.16,
    "target_migrant_return": 0.04,  # 2013 yearly shares of reconsidering outbound migrants returning home,
    "target_migrant_to_town": 0.04,  # moving to their county town, or moving to another city
    "target_migrant_to_city": 0.10,
    "child_to_adult_rate": 1 / 16,
    "adult_to_elderly_rate": 1 / 42,
    "elderly_mortality_share": 0.85,  # share of deaths among the elderly
}
"""Calibration constants with their 2013 anchors; see docs/architecture.md for which sets which outcome."""


def lever_names() -> list[str]:
    return list(LEVERS)


def uncertainty_names() -> list[str]:
    return list(UNCERTAINTIES)
