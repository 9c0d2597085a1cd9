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
                f"How open {tier.replace('_', '-')} cities are to settlement (0 closed, 1 open). Megacities and "
                "super-large cities admit willing applicants by points up to a quota of openness x "
                "`quota_per_resident` x residents; other cities admit an eligible applicant with chance "
                "openness x points^(1 - openness).",
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
            "How open county towns and designated towns are to settlement: an eligible applicant is admitted with "
            "chance openness x points^(1 - openness), as in cities outside the quota tiers.",
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
            "Fiscal support that follows settled migrants ('money and land follow people'): share of the public "
            "cost of settling a person (housing, schooling, insurance) paid from the destination's budget, which "
            "cuts what settling costs the family; a destination pays at most `support_capacity_share` of its "
            "output a year (families expect last year's rate of payment).",
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
            "Friction of the county land rental market: search and contracting costs as a share of their maximum "
            "(`rental_transaction_cost` of the rent), which drive a wedge between the rent operators pay and the "
            "rent households receive.",
            "Separation of ownership, contracting and management rights (General Office 2016)",
            label="Land rental friction",
        ),
        _p(
            "land_tenure_security",
            0.1,
            0,
            1,
            "share",
            "land",
            "Confirmation, registration and certification of contracting rights (the three-rights separation): "
            "share of the insurance value of keeping land that secure, certified rights make unnecessary when "
            "renting it out.",
            "Opinions on separating ownership, contracting and management rights (General Office 2016); "
            "nationwide rights confirmation 2014-2018",
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
            "Share of the migrant workers not yet trained who receive a course of vocational training each year "
            "(a one-time skill gain that depreciates, at a public cost per trainee).",
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
        _p("urban_productivity_growth", 0.0492, 0.0, 0.08, "per year", "economy",
           "Growth of total factor productivity in cities and county towns (real).",
           "Calibrated on 2013-2018 incomes (docs/calibration.md); range: modelling judgement around the "
           "2-6 % TFP growth of growth-accounting studies of China"),
        _p("agricultural_productivity_growth", 0.02, -0.02, 0.08, "per year", "economy",
           "Growth of total factor productivity in farming (before technology transfer and infrastructure).",
           "Modelling judgement (farm TFP growth of 1-3 % a year in agricultural-economics studies of China)"),
        _p("birth_rate", 0.01208, 0, 0.05, "per person-year", "population",
           "Crude birth rate (NBS 2013: 12.08 per mille).", "NBS Statistical Communique 2013"),
        _p("death_rate", 0.00716, 0, 0.05, "per person-year", "population",
           "Crude death rate (NBS 2013: 7.16 per mille).", "NBS Statistical Communique 2013"),
        _p("consumer_price_inflation", 0.02, -0.02, 0.08, "per year", "economy",
           "Consumer price inflation: money reported in current yuan is the model's 2013 yuan times the price "
           "index it builds.", "NBS Statistical Communiques (CPI)"),
        _p("housing_cost_growth", 0.0795, -0.02, 0.12, "per year", "economy",
           "Real growth of urban housing and living costs.",
           "Calibrated on 2013-2018 (property income and migration, docs/calibration.md); range: modelling "
           "judgement"),
        _p("demand_shock_sd", 0.05, 0, 0.3, "share", "economy",
           "Standard deviation of yearly demand shocks to urban unemployment (relative to its base).",
           "Modelling judgement (urban registered unemployment moved within about +-0.3 points a year, 2013-2018)"),
    ]
}



from .parameters import PARAMETERS, parameter_values  # noqa: E402  (parameters.py builds on Param above)

ALL_INPUTS: dict[str, Param] = {**LEVERS, **UNCERTAINTIES, **PARAMETERS}
"""Every declared input by name (names are unique across the three kinds)."""
assert len(ALL_INPUTS) == len(LEVERS) + len(UNCERTAINTIES) + len(PARAMETERS), "input names must be unique"

__all__ = ["CITY_TIERS", "TIER_LOWER_BOUND", "JUDGEMENT", "Param", "LEVERS", "UNCERTAINTIES", "PARAMETERS",
           "ALL_INPUTS", "parameter_values"]
