"""Per-county, per-city-tier and per-city outcomes of the current year, as columns (arrays); the model keeps one
record per year and builds DataFrames only when asked (`county_timeseries`, `tier_timeseries`, `city_timeseries`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import kernels
from ..engine.people import DEST_CITY, DEST_TOWN, HOMESTEAD_EXITED, HOMESTEAD_IDLE, LAND_ABANDONED, LAND_RENTED_OUT, VILLAGE
from ..inputs.registry import CITY_TIERS
from ..engine.markets import settlement_openness_of_tier


def county_table(model) -> pd.DataFrame:
    """One row per county for the current year: who lives where, migration, land and incomes."""
    return pd.DataFrame(county_columns(model))


def county_columns(model) -> dict:
    """The columns of `county_table` (arrays; the DataFrame is built only when asked for)."""
    h, mg, c = model.households, model.migrants, model.counties
    land_w, rented, abandoned, homesteads, idle, village_persons, village_income = kernels.county_household_totals(
        h.county, h.weight, h.land, h.land_state, h.homestead, h.residence, h.members_home(), h.income(), c.n,
        LAND_RENTED_OUT, LAND_ABANDONED, HOMESTEAD_IDLE, HOMESTEAD_EXITED, VILLAGE)
    outbound, local = kernels.county_migrant_totals(mg.alive, mg.origin, mg.county, mg.dest_kind, h.weight, c.n,
                                                    DEST_TOWN, DEST_CITY)
    land = land_w + c.collective_land
    rented = rented + c.collective_land
    return {
        "year": model.year,
        "county": np.arange(c.n),
        "name": model.world.county_names,
        "rural_residents": c.rural_residents.copy(),  # snapshots: the arrays change in place
        "town_population": c.population.copy(),
        "migrants_outbound": outbound,
        "migrants_local": local,
        "land_transfer_share": 100 * rented / np.maximum(land, 1.0),
        "abandoned_land_share": 100 * abandoned / np.maximum(land, 1.0),
        "idle_homestead_share": 100 * idle / np.maximum(homesteads, 1.0),
        "rural_income_per_capita": village_income / np.maximum(village_persons, 1.0),
        "town_wage": c.wage.copy(),
        "farm_capital": c.K_ag.copy(),
        "village_services": c.village_service.copy(),
        "infrastructure": c.infra.copy(),
    }


def tier_table(model) -> pd.DataFrame:
    """One row per city tier for the current year."""
    return pd.DataFrame(tier_columns(model))


def tier_columns(model) -> dict:
    """The columns of `tier_table`."""
    j, mg, h = model.cities, model.migrants, model.households
    migrants = kernels.outbound_by_tier(mg.alive, mg.origin, mg.dest_kind, mg.dest_city, j.tier, h.weight,
                                        len(CITY_TIERS), DEST_CITY)
    inside = j.inside
    tiers = np.arange(len(CITY_TIERS))
    return {
        "year": model.year,
        "tier": list(CITY_TIERS),
        "cities": np.bincount(j.tier[inside], minlength=len(tiers)),
        "urban_population": np.bincount(j.tier, j.population * inside, minlength=len(tiers)),
        "outbound_migrants": migrants,
        "settlement_openness": settlement_openness_of_tier(model.in_force),
        "mean_wage": np.bincount(j.tier, j.wage, minlength=len(tiers)) / np.maximum(np.bincount(j.tier, minlength=len(tiers)), 1),
    }


def city_columns(model) -> dict:
    """One row per city for the current year: its size tier, urban residents and wage."""
    j = model.cities
    return {
        "year": model.year,
        "city": np.arange(j.n),
        "name": model.world.city_names,
        "tier": np.asarray(CITY_TIERS)[j.tier],
        "inside": j.inside.astype(bool),
        "population": j.population.copy(),
        "wage": j.wage.copy(),
    }
