"""Per-county, per-city-tier and per-city outcomes of the current year, as columns (arrays); the model keeps one
record per year and builds DataFrames only when asked (`county_timeseries`, `tier_timeseries`, `city_timeseries`).
Every table names its places by code and name (Chinese and pinyin where the world has them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.markets import settlement_openness_of_tier
from ..engine.people import CITY_JOB, HOMESTEAD_EXITED, HOMESTEAD_IDLE
from ..inputs.registry import CITY_TIERS


def county_table(model) -> pd.DataFrame:
    """One row per county for the current year: who lives where, migration, land and incomes."""
    return pd.DataFrame(county_columns(model))


def county_columns(model) -> dict:
    """The columns of `county_table` (arrays; the DataFrame is built only when asked for)."""
    h, ps, c, world = model.households, model.persons, model.counties, model.world
    w = h.weight
    n = c.n
    outbound = np.bincount(h.county, w * h.workers_outbound, minlength=n)
    local = np.bincount(h.county, w * h.workers_local, minlength=n)
    land = np.bincount(h.county, h.land * w, minlength=n)
    home = h.members_home()
    rural_hh = (home > 0) & ~h.in_situ_urban
    village_persons = np.bincount(h.county, home * w * rural_hh, minlength=n)
    village_income = np.bincount(h.county, h.income() * w * rural_hh, minlength=n)
    homesteads = np.bincount(h.county, w * (h.homestead != HOMESTEAD_EXITED), minlength=n)
    idle = np.bincount(h.county, w * (h.homestead == HOMESTEAD_IDLE), minlength=n)
    price = model.state.price_index
    return {
        "year": model.year,
        "county": np.arange(n),
        "code": world.county_codes,
        "name": world.county_names,
        "name_pinyin": world.county_names_pinyin,
        "province": world.county_province,
        "rural_residents": c.rural_residents.copy(),  # snapshots: the arrays change in place
        "town_population": c.population.copy(),
        "in_situ_urban_residents": c.in_situ_residents.copy(),
        "migrants_outbound": outbound,
        "migrants_local": local,
        "land_transfer_share": 100 * c.land_transferred / np.maximum(land, 1.0),
        "abandoned_land_share": 100 * c.land_idle / np.maximum(land + c.collective_land, 1.0),
        "idle_homestead_share": 100 * idle / np.maximum(homesteads, 1.0),
        "rural_income_per_capita": price * village_income / np.maximum(village_persons, 1.0),
        "farmland_rent": price * c.rent,
        "town_wage": price * c.wage,
        "village_firm_wage": price * c.village_wage,
        "farm_capital": price * c.K_ag,
        "village_firm_capital": price * c.K_village,
        "village_services": c.village_service.copy(),
        "infrastructure": c.infra.copy(),
    }


def tier_table(model) -> pd.DataFrame:
    """One row per city tier for the current year."""
    return pd.DataFrame(tier_columns(model))


def tier_columns(model) -> dict:
    """The columns of `tier_table` (money in current yuan)."""
    j, ps, h = model.cities, model.persons, model.households
    outbound = ps.alive & (ps.job == CITY_JOB) & ~ps.urban_hukou
    migrants = np.bincount(j.tier[ps.city[outbound]], h.weight[ps.household[outbound]], minlength=len(CITY_TIERS))
    inside = j.inside
    tiers = np.arange(len(CITY_TIERS))
    count = np.bincount(j.tier, minlength=len(tiers))
    return {
        "year": model.year,
        "tier": list(CITY_TIERS),
        "cities": np.bincount(j.tier[inside], minlength=len(tiers)),
        "urban_population": np.bincount(j.tier, j.population * inside, minlength=len(tiers)),
        "outbound_migrants": migrants,
        "settlement_openness": settlement_openness_of_tier(model.in_force),
        "mean_wage": model.state.price_index * np.bincount(j.tier, j.wage, minlength=len(tiers)) / np.maximum(count, 1),
    }


def city_columns(model) -> dict:
    """One row per city for the current year: its size tier, urban residents and wage (current yuan)."""
    j, world = model.cities, model.world
    return {
        "year": model.year,
        "city": np.arange(j.n),
        "code": world.city_codes,
        "name": world.city_names,
        "name_pinyin": world.city_names_pinyin,
        "province": world.city_province,
        "tier": np.asarray(CITY_TIERS)[j.tier],
        "inside": j.inside.astype(bool),
        "population": j.population.copy(),
        "wage": model.state.price_index * j.wage,
    }
