"""The generated sections of docs/model.md (the ODD+D model description): state variables, observed patterns,
random streams, code constants, outcomes and every input.

    python -m sim.inputs.docs        # rewrite them (tests fail when they are out of date)

Each section sits between the markers of `markers(name)`, the mechanism of `sim.scenario.docs`. What the code
declares is read from the code: the fields of the state arrays (`Households.FIELDS`, `Persons.FIELDS`,
`Counties.FIELDS`, `Cities.FIELDS`, `State`), the metrics (`METRICS`), the inputs (`LEVERS`, `UNCERTAINTIES`,
`PARAMETERS`), the observed series (`sim/data/observed/*.csv`), the named random streams and the modules that
read each input (found in the engine's and outcomes' source). What a field means and its unit is written here,
once per field; a field without a description (or a description without a field) is an error, so the tables
cannot silently fall behind the state.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..scenario.docs import number, read_block, rewrite_block, table_row, value_range
from ..scenario.resolve import PROJECT_DIR
from .registry import CITY_TIERS, LEVERS, PARAMETERS, TIER_LOWER_BOUND, UNCERTAINTIES, Param

MODEL_DOC = PROJECT_DIR / "docs" / "model.md"
SIM = Path(__file__).resolve().parents[1]
OBSERVED = SIM / "data" / "observed"
SECTIONS = ("state", "patterns", "streams", "constants", "metrics", "inputs")
"""The generated sections of docs/model.md, in document order."""


def markers(name: str) -> tuple[str, str]:
    """The BEGIN and END marker comments of generated section `name`."""
    return (f"<!-- BEGIN GENERATED {name.upper()} (python -m sim.inputs.docs) -->",
            f"<!-- END GENERATED {name.upper()} -->")


def _code(name: str) -> str:
    return f"`{name}`"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [table_row(header), "|" + "---|" * len(header), *(table_row(r) for r in rows)]


# ================================================================================================ state
HOUSEHOLD_FIELDS: dict[str, tuple[str, str]] = {
    "county": ("index", "Home county (model county number)."),
    "weight": ("real households", "Real households this row stands for; each of its person rows stands for as "
               "many real persons. The same for every household of a county, so that its agents stand for exactly "
               "the county's rural-hukou persons."),
    "in_situ_urban": ("flag", "Its village has been reclassified as urban: its members at home count as urban "
                      "residents without moving."),
    "settled": ("flag", "Nobody of rural hukou is left (every member took urban hukou); it keeps its land rights "
                "until it exits them."),
    "land": ("mu", "Contracted farmland (0 after exit, surrender or return to the collective)."),
    "rented_out": ("mu", "Own contracted land operated by others this year (transferred, MoA definition)."),
    "rented_in": ("mu", "Land rented in from the county market this year."),
    "homestead": ("code", "Homestead used (someone lives at home), idle (nobody does) or exited (sold as a "
                  "construction-land quota or surrendered)."),
    "collective_member": ("flag", "Member of the village collective (its members share the dividends)."),
    "savings": ("2013 yuan", "Savings of the household (members at home; workers keep their own)."),
    "skill": ("efficiency units", "Skill of the household's farm operator relative to an urban native (1); new "
              "workers' skill is drawn around it."),
    "reservation": ("ratio", "Idiosyncratic factor (log-normal, median 1) of the insurance value the household "
                    "puts on keeping its land under its own control."),
    "inc_wage": ("2013 yuan per year", "Wage income (NBS component) per real household."),
    "inc_business": ("2013 yuan per year", "Net business income: net farm income and village self-employment."),
    "inc_property": ("2013 yuan per year", "Net property income: rent received, collective dividends, interest."),
    "inc_transfer": ("2013 yuan per year", "Net transfer income: pensions, subsidies, remittances received."),
    "inc_remit": ("2013 yuan per year", "Remittances received (part of `inc_transfer`)."),
    "inc_collective": ("2013 yuan per year", "Collective dividends (part of `inc_property`)."),
    "farm_output": ("2013 yuan per year", "Net output of the household's own farm (land farmed and rented in)."),
    "home_children": ("persons", "Members at home aged 0-15."),
    "home_adults": ("persons", "Members at home of working age (16-59)."),
    "home_elderly": ("persons", "Members at home aged 60 and over."),
    "home_65_plus": ("persons", "Members at home aged 65 and over."),
    "home_farm_elderly": ("persons", "Members at home aged 60 to below `farm_age_max` (they farm part time)."),
    "home_farmers": ("persons", "Members at home of working age without a non-farm job (the farm's labour)."),
    "home_workers": ("persons", "Members at home with a non-farm job (village firms, commuting to the town)."),
    "away": ("persons", "Members living away with migrant units (workers and their dependants)."),
    "workers_local": ("persons", "Migrant workers of rural hukou with a village or county-town job."),
    "workers_outbound": ("persons", "Migrant workers of rural hukou with a city job."),
    "lead_unit": ("person row", "Row of the household's first migrant unit head living away (the unit its "
                  "dependants join), or -1."),
}

PERSON_FIELDS: dict[str, tuple[str, str]] = {
    "alive": ("flag", "The row holds a person (rows are reused)."),
    "id": ("id", "Unique over the run; a reused row gets a new id."),
    "household": ("row", "The person's household."),
    "county": ("index", "Home county (the household's)."),
    "age": ("years", "Age in completed years (one more each year)."),
    "urban_hukou": ("flag", "Registered urban (resident) hukou where it lives: its village was reclassified as "
                    "urban. Persons who settle in a town or city leave this table instead."),
    "place": ("code", "At home (with the household) or away (with a migrant unit)."),
    "unit": ("person row", "Row of the unit head when away (its own row for a head), else -1."),
    "job": ("code", "Non-farm job: none, village non-farm, county town, city."),
    "city": ("city index", "City of a city job, else -1."),
    "in_city_proper": ("flag", "A city worker living in the city proper (else in its rural fringe)."),
    "skill": ("efficiency units", "Efficiency units per worker (urban native = 1); drawn when a job is taken, "
              "kept afterwards, 0 for a person who never held one."),
    "training": ("log units", "Log-skill gain from training still held (it depreciates)."),
    "years": ("years", "Years at the current job place (see the labour submodel for when it grows)."),
    "employed": ("flag", "Employed this year (the employment draw)."),
    "wage": ("2013 yuan per year", "Earned this year."),
    "remit": ("2013 yuan per year", "Sent home this year."),
    "living": ("2013 yuan per year", "Living cost of the unit (or cost of commuting) paid this year."),
    "savings": ("2013 yuan", "The worker's own savings."),
}

COUNTY_FIELDS: dict[str, tuple[str, str]] = {
    "multiplier": ("counties", "Real county-level units this model county stands for."),
    "native": ("persons", "Urban-hukou natives of the county town(s)."),
    "population": ("persons", "County-town residents: natives and rural-hukou people living there."),
    "population_counted": ("persons", "County-town residents as counted in phase 2 (land revenue is paid on "
                           "what the town gains by phase 7)."),
    "rural_residents": ("persons", "Residents of the county's rural villages (not reclassified)."),
    "wage": ("2013 yuan per efficiency unit per year", "County-town wage."),
    "unemployment": ("share", "County-town unemployment rate."),
    "living_cost": ("2013 yuan per year", "Living cost of a migrant worker in the county town."),
    "A_town": ("index", "County-town total factor productivity."),
    "K_town": ("2013 yuan", "County-town capital."),
    "labour_town": ("efficiency units", "County-town labour: working natives and employed town workers."),
    "output_town": ("2013 yuan per year", "County-town output."),
    "return_town": ("per year", "Return to county-town capital (alpha Y / K)."),
    "town_service": ("index 0-1", "Public-service quality of the county town."),
    "migrant_access": ("share", "Share of the town's services delivered to non-hukou residents."),
    "fiscal": ("2013 yuan", "County fiscal balance (negative: debt, e.g. exit compensation)."),
    "support_rate": ("share", "Share of promised citizenization support the town's budget paid its settlers in "
                     "the latest citizenization phase (1 where nobody settled): what next year's settlers expect."),
    "A_village": ("index", "Total factor productivity of the village non-farm sector (village firms)."),
    "K_village": ("2013 yuan", "Capital of village firms."),
    "labour_village": ("efficiency units", "Labour of village firms (employed village-job workers)."),
    "output_village": ("2013 yuan per year", "Output of village firms."),
    "village_wage": ("2013 yuan per efficiency unit per year", "Village non-farm wage."),
    "return_village": ("per year", "Return to village-firm capital."),
    "village_service": ("index 0-1", "Public-service quality in the villages."),
    "infra": ("index 0-1", "County infrastructure reaching the villages."),
    "in_situ_share": ("share", "Share of the county's households whose village has been reclassified as urban."),
    "in_situ_residents": ("persons", "Residents at home in reclassified villages (urban residents)."),
    "talent": ("persons", "Skilled returnees and urban talent working in the villages this year."),
    "A_ag": ("index (2013 = 1)", "Farm total factor productivity."),
    "K_ag": ("2013 yuan", "Farm capital of household farms."),
    "K_ag_start": ("2013 yuan", "Farm capital in 2013 (farm capital deepening is relative to it)."),
    "farm_value_per_mu": ("2013 yuan per mu per year", "Net output per mu of a median farm with the 2013 labour "
                          "per mu."),
    "rent": ("2013 yuan per mu per year", "Rent that clears the county's rental market."),
    "rent_paid": ("2013 yuan per mu per year", "Rent operators pay on average (rent-free transfers included)."),
    "rent_received": ("2013 yuan per mu per year", "Rent households receive on average (after search and "
                      "contracting costs, rent-free transfers included)."),
    "farmland": ("mu", "Contracted farmland of the county in 2013."),
    "collective_land": ("mu", "Land back with the village collectives (rights ended); rented out."),
    "farm_output": ("2013 yuan per year", "Net output of household farms."),
    "farm_labour": ("workers", "Farm labour of household farms (working-age farmers and part-time elderly)."),
    "farm_income_per_worker": ("2013 yuan per year", "Household farm output per farm worker."),
    "return_ag": ("per year", "Return to farm capital."),
    "K_operator": ("2013 yuan", "Capital of cooperatives and agribusiness (non-household operators)."),
    "operator_land": ("mu", "Land operated by cooperatives and agribusiness."),
    "operator_output": ("2013 yuan per year", "Net output of cooperatives and agribusiness."),
    "land_transferred": ("mu", "Households' contracted land operated by others (MoA definition)."),
    "land_idle": ("mu", "Idle farmland (households' and collective)."),
}

CITY_FIELDS: dict[str, tuple[str, str]] = {
    "native": ("persons", "Urban-hukou natives."),
    "population": ("persons", "Urban residents (city proper): natives and rural-hukou people living there."),
    "population_counted": ("persons", "Residents as counted in phase 2 (land revenue base)."),
    "fringe_residents": ("persons", "Rural-hukou people living in the city's rural fringe (rural residents)."),
    "wage": ("2013 yuan per efficiency unit per year", "City wage."),
    "unemployment": ("share", "Urban unemployment rate."),
    "living_cost": ("2013 yuan per year", "Living cost of a migrant worker."),
    "A": ("index", "Total factor productivity."),
    "K": ("2013 yuan", "Capital."),
    "service": ("index 0-1", "Public-service quality."),
    "migrant_access": ("share", "Share of local services delivered to non-hukou residents."),
    "shock": ("log units", "Demand shock to unemployment (AR(1))."),
    "return_capital": ("per year", "Return to capital (alpha Y / K)."),
    "labour": ("efficiency units", "Labour: working natives and employed migrant workers."),
    "output": ("2013 yuan per year", "Output."),
    "fiscal": ("2013 yuan", "Fiscal balance."),
    "support_rate": ("share", "Share of promised citizenization support the city's budget paid its settlers in "
                     "the latest citizenization phase (1 where nobody settled)."),
}
CITY_ATTRIBUTES = {  # arrays of `Cities` outside FIELDS
    "inside": ("bool", "flag", "Inside the modelled region (its natives count in the outcomes)."),
    "tier": ("int8", "tier index", "Size tier (0 megacity ... 5 small), from urban residents each year."),
}

STATE_FIELDS: dict[str, tuple[str, str]] = {
    "world": ("", "Geography and 2013 sizes of the run (`sim.engine.world.World`)."),
    "households": ("", "The household arrays (table above)."),
    "persons": ("", "The person arrays (table above)."),
    "counties": ("", "The county arrays (table above)."),
    "cities": ("", "The city arrays (table above)."),
    "natives_by_age": ("persons", "Urban-hukou natives of the region by single year of age 0-100 (their ages "
                       "for pensions and the 65+ share)."),
    "total_population_start": ("persons", "Population of the region at the start."),
    "wage_index": ("index (2013 = 1)", "Real urban wage level: land prices, costs and transfers follow it."),
    "housing_index": ("index (2013 = 1)", "Real urban housing-cost level."),
    "price_index": ("index (2013 = 1)", "Consumer prices: current yuan = 2013 yuan x price_index."),
    "tables": ("", "County x city tables kept between phases: the destination sampling distribution, network "
               "shares, the choice constants and family constants fitted at the start."),
    "ledger": ("", "This year's flows of people and capital (births, deaths, saving, land revenue, spending, "
               "citizenizations, exits, ...)."),
    "dependants": ("persons", "Per person row: the children and elderly living with that unit head."),
    "capital_per_unit_2013": ("2013 yuan per efficiency unit", "National capital per unit of labour of county "
                              "towns and of village firms in 2013 (the base of the capital-deepening cap)."),
}


def _check_described(kind: str, declared: list[str], described: dict) -> None:
    missing = [f for f in declared if f not in described]
    extra = [f for f in described if f not in declared]
    if missing or extra:
        raise ValueError(f"{kind}: fields without a description {missing}, descriptions without a field {extra} "
                         "(edit sim/inputs/docs.py)")


def state_markdown() -> str:
    """Tables of the state arrays: name, type, unit, meaning."""
    from ..engine.people import Households, Persons
    from ..engine.places import Cities, Counties
    from ..engine.state import State

    _check_described("Households", list(Households.FIELDS), HOUSEHOLD_FIELDS)
    _check_described("Persons", list(Persons.FIELDS), PERSON_FIELDS)
    _check_described("Counties", list(Counties.FIELDS), COUNTY_FIELDS)
    _check_described("Cities", list(Cities.FIELDS), CITY_FIELDS)
    state_fields = [f.name for f in dataclasses.fields(State)]
    _check_described("State", state_fields, STATE_FIELDS)
    header = ["Field", "Type", "Unit", "Meaning"]
    lines = []
    for title, dtypes, described in (
            ("Households (`state.households`, one row per household agent)", Households.FIELDS, HOUSEHOLD_FIELDS),
            ("Persons (`state.persons`, one row per rural-hukou person)", Persons.FIELDS, PERSON_FIELDS)):
        rows = [[_code(f), np.dtype(dt).name, *described[f]] for f, dt in dtypes.items()]
        lines += [f"#### {title}", "", *_table(header, rows), ""]
    rows = [[_code(f), "float64", *COUNTY_FIELDS[f]] for f in Counties.FIELDS]
    lines += ["#### Counties (`state.counties`, one row per model county)", "", *_table(header, rows), ""]
    rows = [[_code(f), "float64", *CITY_FIELDS[f]] for f in Cities.FIELDS]
    rows += [[_code(f), dt, unit, meaning] for f, (dt, unit, meaning) in CITY_ATTRIBUTES.items()]
    lines += ["#### Cities (`state.cities`, one row per city)", "", *_table(header, rows), ""]
    rows = [[_code(f), *STATE_FIELDS[f]] for f in state_fields]
    lines += ["#### The rest of the state (`sim.engine.state.State`)", "",
              *_table(["Field", "Unit", "Meaning"], rows), ""]
    rows = [[_code(t), f"{lo / 1e6:g} M"] for t, lo in zip(CITY_TIERS, TIER_LOWER_BOUND)]
    lines += ["#### City size tiers (`CITY_TIERS`, State Council 2014 classes)", "",
              *_table(["Tier", "Urban residents from"], rows)]
    return "\n".join(lines).rstrip() + "\n"


# ================================================================================================ patterns
PATTERNS: list[tuple[str, str, str, str]] = [
    # (file, series, what it is, the metric it is compared with)
    ("china_calibration.csv", "urbanization_rate", "Urbanization rate (permanent residents)", "urbanization_rate"),
    ("china_calibration.csv", "hukou_urbanization_rate", "Hukou urbanization rate", "hukou_urbanization_rate"),
    ("china_patterns_2010_2018.csv", "urbanization_hukou", "Hukou urbanization rate (MPS)",
     "hukou_urbanization_rate"),
    ("china_calibration.csv", "migrant_workers_total", "Migrant workers", "migrant_workers"),
    ("china_calibration.csv", "migrant_workers_local", "Local migrant workers", "migrant_workers_local"),
    ("china_calibration.csv", "migrant_workers_outbound", "Outbound migrant workers", "migrant_workers_outbound"),
    ("china_patterns_2010_2018.csv", "mw_avg_age_all", "Mean age of migrant workers", "migrant_mean_age"),
    ("china_patterns_2010_2018.csv", "mw_age_50plus", "Migrant workers aged over 50", "migrant_share_50_plus"),
    ("china_patterns_2010_2018.csv", "mw_family_outbound", "Whole-family outbound migrants",
     "whole_family_migrants"),
    ("china_patterns_2010_2018.csv", "mw_in_cities", "Migrant workers living in towns and cities",
     "migrants_living_in_cities"),
    ("china_patterns_2010_2018.csv", "mw_monthly_income", "Migrant workers' monthly income", ""),
    ("china_calibration.csv", "urban_rural_income_ratio", "Urban/rural income ratio", "urban_rural_income_ratio"),
    ("china_patterns_2010_2018.csv", "urban_rural_ratio", "Urban/rural income ratio", "urban_rural_income_ratio"),
    ("china_patterns_2010_2018.csv", "urban_dpi", "Urban per-capita disposable income", "urban_disposable_income"),
    ("china_patterns_2010_2018.csv", "urban_wage", "- wages", "urban_disposable_income_wage"),
    ("china_patterns_2010_2018.csv", "urban_business", "- net business", "urban_disposable_income_business"),
    ("china_patterns_2010_2018.csv", "urban_property", "- net property", "urban_disposable_income_property"),
    ("china_patterns_2010_2018.csv", "urban_transfer", "- net transfers", "urban_disposable_income_transfer"),
    ("china_patterns_2010_2018.csv", "rural_dpi", "Rural per-capita disposable income", "rural_disposable_income"),
    ("china_patterns_2010_2018.csv", "rural_wage", "- wages", "rural_disposable_income_wage"),
    ("china_patterns_2010_2018.csv", "rural_business", "- net business", "rural_disposable_income_business"),
    ("china_patterns_2010_2018.csv", "rural_property", "- net property", "rural_disposable_income_property"),
    ("china_patterns_2010_2018.csv", "rural_transfer", "- net transfers", "rural_disposable_income_transfer"),
    ("china_calibration.csv", "contracted_farmland_transfer_share", "Contracted farmland transferred",
     "land_transfer_share"),
    ("china_patterns_2010_2018.csv", "land_transfer_share", "Contracted farmland transferred",
     "land_transfer_share"),
    ("china_patterns_2010_2018.csv", "land_transfer_area", "Contracted farmland transferred (area)", ""),
    ("china_patterns_2010_2018.csv", "rural_age60plus_share", "Rural residents aged 60+", "rural_elderly_share"),
    ("china_patterns_2010_2018.csv", "rural_age65plus_share", "Rural residents aged 65+", "rural_share_65_plus"),
]
PATTERN_YEARS = tuple(range(2013, 2019))
_UNITS = {"percent": ("%", 1.0), "10k persons": ("million persons", 0.01), "yuan": ("yuan per person per year, "
          "current prices", 1.0), "yuan/month": ("yuan per month, current prices", 1.0), "ratio": ("ratio", 1.0),
          "years": ("years", 1.0), "100 million mu": ("100 million mu", 1.0)}


@lru_cache(maxsize=None)
def _observed(file: str) -> tuple[dict, ...]:
    with open(OBSERVED / file, encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def _mark(verified: str) -> str:
    v = verified.strip().lower()
    if v.startswith("derived"):
        return " ‡"
    return "" if v in ("yes", "verified") or v.startswith("verified") else " †"


def patterns_markdown() -> str:
    """The observed 2013-2018 series the model is meant to reproduce, with the metric each is compared with."""
    from ..outcomes.metrics import METRICS

    rows = []
    for file, series, label, metric in PATTERNS:
        if metric and metric not in METRICS:
            raise ValueError(f"pattern {series}: unknown metric {metric}")
        found = [r for r in _observed(file) if r["series"] == series and r["year"].isdigit()]
        if not found:
            raise ValueError(f"pattern {series}: no rows in {file}")
        unit, scale = _UNITS[found[0]["unit"]]
        by_year = {int(r["year"]): f"{float(r['value']) * scale:g}{_mark(r['verified'])}" for r in found}
        earlier = [y for y in by_year if y < PATTERN_YEARS[0]]
        before = f"{by_year[max(earlier)]} ({max(earlier)})" if earlier else ""
        rows.append([label, _code(series), _code(metric) if metric else "-", unit, before,
                     *(by_year.get(y, "") for y in PATTERN_YEARS)])
    header = ["Pattern", "Series", "Metric", "Unit", "Earlier", *map(str, PATTERN_YEARS)]
    note = ("Values from `sim/data/observed/china_calibration.csv` and `china_patterns_2010_2018.csv` (each row "
            "with its source there). † recorded from memory of the official figure, not checked against a stored "
            "source; ‡ derived from a neighbouring year and a stated change. Persons in millions; money in current "
            "yuan.")
    return "\n".join([*_table(header, rows), "", note]) + "\n"


# ================================================================================================ source scans
ENGINE_SOURCES = ("engine", "outcomes", "geography")
"""Folders of `sim/` whose modules are the model (the reference implementation, the app and the scenario
machinery are not)."""


@lru_cache(maxsize=1)
def _sources() -> dict[str, str]:
    """Source text of the model's modules, by display name (`labour`, `start`, `outcomes/compute`, ...)."""
    out = {}
    for folder in ENGINE_SOURCES:
        for path in sorted((SIM / folder).rglob("*.py")):
            rel = path.relative_to(SIM).with_suffix("").as_posix()
            name = re.sub(r"^engine/(phases/)?", "", rel)
            out[name] = path.read_text(encoding="utf-8")
    return out


def readers() -> dict[str, list[str]]:
    """Per input name: the model's modules that read it. A read is a subscript with the quoted name
    (`p["depreciation"]`), with an f-string prefix of it (`in_force[f"settlement_openness_{t}"]`), or a loop over
    quoted names subscripting with the loop variable (`params[name] for name in ("total_population", ...)`);
    names used as labels (metric names, ledger entries, dict keys) are not reads."""
    found: dict[str, list[str]] = {}
    names = [*LEVERS, *UNCERTAINTIES, *PARAMETERS]
    for module, text in _sources().items():
        prefixes = re.findall(r"""\[\s*f["']([a-z_]+)\{""", text)
        looped = set()
        for listed in re.findall(r"""\[(\w+)\]\)*\s+for\s+\1\s+in\s+\(([^)]*)\)""", text, flags=re.S):
            looped.update(re.findall(r"""["']([a-z_0-9]+)["']""", listed[1]))
        for name in names:
            if (re.search(rf"""\[\s*["']{name}["']\s*\]""", text) or name in looped
                    or any(name.startswith(p) for p in prefixes)):
                found.setdefault(name, []).append(module)
    return found


def streams_markdown() -> str:
    """The named random streams and the modules that draw from them."""
    uses: dict[str, set[str]] = {}
    for module, text in _sources().items():
        for stream in re.findall(r"""streams\[["']([a-z_]+)["']\]""", text):
            uses.setdefault(stream, set()).add(module)
    rows = [[_code(s), ", ".join(_code(m) for m in sorted(uses[s]))] for s in sorted(uses)]
    return "\n".join(_table(["Stream", "Drawn from in"], rows)) + "\n"


# ================================================================================================ constants
CONSTANTS: list[tuple[str, str, str]] = [
    # (module, name, what it does)
    ("sim.engine.people", "ADULT_AGE", "Working age starts (the monitoring survey's lower bound); children are "
     "younger."),
    ("sim.engine.people", "ELDERLY_AGE", "Elderly from this age (pensions, the rural elderly share, part-time "
     "farming)."),
    ("sim.engine.phases.labour", "NETWORK_FLOOR", "Added to a network share before its log (a county with no "
     "migrants in a city)."),
    ("sim.engine.phases.capital", "MAX_FRICTION", "A friction never takes more than this share of a return."),
    ("sim.engine.phases.capital", "MIN_RETURN", "Net returns are at least this (the allocation takes powers of "
     "them)."),
    ("sim.engine.phases.production", "UNEMPLOYMENT_RANGE", "Unemployment stays inside this range whatever the "
     "shocks."),
    ("sim.engine.phases.land", "MIN_RENT", "Lowest rent the market search tries (yuan per mu)."),
    ("sim.engine.phases.land", "MAX_RENT_PER_VALUE", "Highest rent the search tries, in years of a mu's net "
     "output."),
    ("sim.engine.phases.citizenship", "QUOTA_TIERS", "Tiers admitting by quota and points (megacities and "
     "super-large cities)."),
    ("sim.engine.markets", "MIN_PLACE_SIZE", "Living costs of smaller places are those of this size (persons)."),
    ("sim.engine.markets", "GUIDE_BUCKETS", "Buckets of the inverse-CDF search of candidate cities (speed only)."),
    ("sim.engine.start", "MAX_HOUSEHOLD_SIZE", "Largest household drawn at the start (persons)."),
    ("sim.engine.start", "INFRA_RANGE", "The 2013 draws of county infrastructure are kept inside this range."),
    ("sim.engine.start", "VILLAGE_SERVICE_RANGE", "The 2013 draws of village services are kept inside this range."),
    ("sim.engine.start", "PERSON_CAPACITY_FACTOR", "Person rows allocated at the start per person (they grow as "
     "needed; memory only)."),
    ("sim.geography.start", "MIN_DISTANCE_KM", "County-city distances below this are raised to it (km)."),
]


def _value(v) -> str:
    if isinstance(v, tuple):
        return " to ".join(_value(x) for x in v)
    return number(v) if isinstance(v, float) else str(v)


def constants_markdown() -> str:
    """Numbers fixed in the code (not scenario inputs): guards, definitions and implementation settings."""
    import importlib

    rows = []
    for module, name, meaning in CONSTANTS:
        value = getattr(importlib.import_module(module), name)
        rows.append([_code(name), _value(value), _code(module.removeprefix("sim.")), meaning])
    return "\n".join(_table(["Constant", "Value", "Module", "What it does"], rows)) + "\n"


# ================================================================================================ outcomes
def metrics_markdown() -> str:
    """Every metric of `METRICS`: name, label, unit, definition, group, headline, flow."""
    from ..outcomes.metrics import METRICS

    rows = [[_code(m.name), m.label, m.unit, m.meaning, m.group, "yes" if m.key else "", "yes" if m.flow else ""]
            for m in METRICS.values()]
    return "\n".join(_table(["Metric", "Label", "Unit", "Definition", "Group", "Headline", "Flow"], rows)) + "\n"


# ================================================================================================ inputs
PARAMETER_GROUPS = {
    "start": "The 2013 start",
    "families": "Families",
    "places": "Real places",
    "demography": "Demography",
    "production": "Production and prices",
    "capital": "Capital",
    "incomes": "Incomes",
    "labour": "Labour",
    "citizenship": "Citizenship",
    "land": "Land",
    "finance": "Public finance and services",
}


def _read_in(name: str, found: dict[str, list[str]]) -> str:
    return ", ".join(_code(m) for m in found.get(name, [])) or "not read by the model"


def inputs_markdown() -> str:
    """Levers, uncertainties and parameters (by group) with default, range, unit, the modules reading them,
    meaning and source."""
    found = readers()
    unknown = sorted({p.group for p in PARAMETERS.values()} - set(PARAMETER_GROUPS))
    if unknown:
        raise ValueError(f"parameter groups without a title: {unknown} (edit PARAMETER_GROUPS)")
    lines = []

    def table(params: list[Param], with_role: bool) -> list[str]:
        header = ["Name", *(["Role"] if with_role else ["Group"]), "Default", "Range", "Unit", "Read in", "Meaning",
                  "Source"]
        rows = [[_code(p.name), p.role if with_role else p.group, number(p.default), value_range(p), p.unit,
                 _read_in(p.name, found), p.meaning, p.reference or "-"] for p in params]
        return [*_table(header, rows), ""]

    lines += ["### 5.1 Levers (`levers:`)", "", "Policies a scenario switches and schedules; the default is the "
              "situation at the start of 2013.", "", *table(list(LEVERS.values()), False)]
    lines += ["### 5.2 Uncertainties (`uncertainties:`)", "", "Exogenous assumptions, scheduled like levers.", "",
              *table(list(UNCERTAINTIES.values()), False)]
    lines += ["### 5.3 Model parameters (`parameters:`)", "", "Constants for the whole run. Role: `start` anchors "
              "the 2013 state, `behaviour` sets a response (what sensitivity analysis varies and calibration "
              "estimates), `numerical` is an implementation setting.", ""]
    groups = [(g, t, [p for p in PARAMETERS.values() if p.group == g]) for g, t in PARAMETER_GROUPS.items()]
    for k, (group, title, params) in enumerate([g for g in groups if g[2]], start=1):
        lines += [f"#### 5.3.{k} {title} (group `{group}`)", "", *table(params, True)]
    return "\n".join(lines).rstrip() + "\n"


# ================================================================================================ the document
def sections() -> dict[str, str]:
    """Every generated section of docs/model.md, by name."""
    return {"state": state_markdown(), "patterns": patterns_markdown(), "streams": streams_markdown(),
            "constants": constants_markdown(), "metrics": metrics_markdown(), "inputs": inputs_markdown()}


def generated(text: str) -> dict[str, str]:
    """The generated sections of a docs/model.md text, as written there."""
    return {name: read_block(text, *markers(name)) for name in SECTIONS}


def update_model_doc(doc: Path = MODEL_DOC) -> bool:
    """Rewrite the generated sections of docs/model.md; True if anything changed."""
    text = doc.read_text(encoding="utf-8")
    new = text
    for name, content in sections().items():
        new = rewrite_block(new, *markers(name), content)
    if new != text:
        doc.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    print(f"{MODEL_DOC.relative_to(PROJECT_DIR)} " + ("updated" if update_model_doc() else "up to date"))
    sys.exit(0)
