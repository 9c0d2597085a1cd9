"""The 2013 start of the real places: census structure moved to 2013 and scaled to the national totals.

`places_2013(params)` returns every county-level unit and city with its 2013 population (persons):

1. **Move to 2013.** For each place of the 2010-2020 prefecture table (a prefecture, or a county-level unit
   administered by its province) urban and rural population are interpolated log-linearly between the 2010 and
   2020 censuses at 2013 (X13 = X10^0.7 X20^0.3; linearly if one of them is zero). The place's units keep their
   2020 shares: each unit's villages (rural residents), county town (urban residents outside the city proper) and
   part of the city proper are multiplied by their place's 2013/2020 ratio. Places without 2010 figures (Danzhou's
   urban/rural split, Sansha, the XPCC cities) take their province's ratio.
2. **National totals.** Urban residents are scaled so that the nation has `target_urbanization` x
   `total_population` urban residents, rural residents so that it has the rest (defaults: 1.361 bn, 54.5 %).
   A city's 2013 population is the sum of its units' city-proper parts, so cities move with their prefecture.
3. **Rural-hukou persons (an estimate).** The census counts residents, not people by hukou: a county's
   rural-hukou population includes its people living in towns and cities (here or elsewhere), whom the census
   counts where they live. The nation has (1 - `urban_hukou_share`) x population rural-hukou people (64 % in
   2013), so A = rural-hukou people living in towns and cities = that minus all rural residents (252 M at the
   defaults). A is given to origin counties in proportion to three parts, sized by the census counts of
   residents registered elsewhere (2020; only their national sums and the first one's places are used):
   - registered elsewhere in the same county, in counties that are not urban districts (107.6 M): from that
     county itself (villagers living in their county town; in urban districts such residents are mostly
     townsfolk who moved house, so they are left out);
   - registered in another county of the same province (179.4 M; the count mixes rural migrants with townsfolk
     moving between the districts of a city, so it gives only the size of this part): from every county in
     proportion to its *sending weight*;
   - registered in another province (124.8 M): the residents of each receiving prefecture are split over the
     counties of all other provinces in proportion to sending weight / distance^`origin_distance_decay`
     (gravity).
   The sending weight of a county is its rural residents x (rural share of its prefecture's residents) ^
   `origin_push_elasticity`: less urbanized places send more people per villager, so the interior provinces
   (Jiangxi, Anhui, Henan, Guizhou, Hunan) get the most rural-hukou people away per villager and the
   municipalities the fewest. A county's rural-hukou population = its rural residents + its share of A. The
   same gravity split gives the migrants each province sends to each city (`flows`), used to choose a
   province world's outside destinations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..inputs.registry import TIER_LOWER_BOUND
from .tables import load_cities, load_groups, load_provinces, load_units

START_YEAR = 2013
CENSUS_YEARS = (2010, 2020)
EARTH_RADIUS_KM = 6371.0
MIN_DISTANCE_KM = 15.0
"""Distances below this are raised to it (the same floor as the engine's county-city distances)."""

MUNICIPALITY_GROUPS = {"110100": "110000", "120100": "120000", "310100": "310000", "500100": "500000"}
"""Group code of each municipality in the 2010-2020 table -> its city code."""


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km (haversine, sphere of radius 6,371 km); broadcasts like numpy."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def tier_index(population) -> np.ndarray:
    """Size tier index (0 = megacity ... 5 = small, `CITY_TIERS`) of urban resident populations."""
    bounds = np.array(TIER_LOWER_BOUND)
    return (np.asarray(population, float)[:, None] < bounds[None, :]).sum(axis=1)


def interpolate(x_start, x_end, share: float) -> np.ndarray:
    """Value at `share` of the way from x_start to x_end: log-linear where both are positive, else linear."""
    x0, x1 = np.asarray(x_start, float), np.asarray(x_end, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        loglin = np.exp((1 - share) * np.log(x0) + share * np.log(x1))
    return np.where((x0 > 0) & (x1 > 0), loglin, x0 + share * (x1 - x0))


@dataclass(frozen=True)
class Places2013:
    """Every unit and city at the 2013 start (persons). Columns added to the shipped tables:

    units: `rural_2013` rural residents (villages), `town_2013` urban residents outside the city proper (county
    town), `city_2013` urban residents inside a city proper (counted in `cities.pop_2013`), `residents_2013`,
    `rural_hukou_2013` rural-hukou persons of the unit wherever they live (estimate), `rural_hukou_away_2013`
    the part of them living in towns and cities. cities: `pop_2013` city-proper population, `tier_2013` size
    tier index (0 megacity ... 5 small, `sim.inputs.registry.CITY_TIERS`).
    `flows` (provinces x cities, persons): residents of each city registered in another province (2020 census)
    split over origin provinces by the gravity rule; `provinces` is its row order."""

    units: pd.DataFrame
    cities: pd.DataFrame
    provinces: pd.DataFrame
    flows: np.ndarray
    totals: dict


def _targets(params: dict) -> tuple[float, ...]:
    return tuple(float(params[name]) for name in ("total_population", "target_urbanization", "urban_hukou_share",
                                                  "origin_distance_decay", "origin_push_elasticity"))


def places_2013(params: dict | None = None) -> Places2013:
    """The real places at the 2013 start under `params` (model parameters; registry defaults if None).
    Cached: the result depends on `total_population`, `target_urbanization`, `urban_hukou_share` and
    `origin_distance_decay` and `origin_push_elasticity` only. Treat the returned tables as read-only."""
    if params is None:
        from ..inputs.registry import parameter_values

        params = parameter_values()
    return _places_2013(*_targets(params))


@lru_cache(maxsize=8)
def _places_2013(population: float, urban_share: float, hukou_share: float, decay: float,
                 push: float) -> Places2013:
    units, cities, groups, provinces = load_units(), load_cities(), load_groups(), load_provinces()
    share = (START_YEAR - CENSUS_YEARS[0]) / (CENSUS_YEARS[1] - CENSUS_YEARS[0])

    # 1. 2013/2020 ratios of each group's urban and rural population; province ratio where 2010 is missing
    ratio = {}
    for kind in ("urban", "rural"):
        x10, x20 = groups[f"pop_{kind}_2010"].to_numpy(float), groups[f"pop_{kind}_2020"].to_numpy(float)
        x13 = interpolate(x10, x20, share)
        known = np.isfinite(x13) & np.isfinite(x20)
        by_prov = pd.DataFrame({"p": groups.province_code, "x13": np.where(known, x13, 0),
                                "x20": np.where(known, x20, 0)}).groupby("p").sum()
        prov_ratio = (by_prov.x13 / by_prov.x20).reindex(groups.province_code).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(known & (x20 > 0), x13 / x20, prov_ratio)
        ratio[kind] = pd.Series(np.where(np.isfinite(r), r, 1.0), index=groups.code)
    f_urban = units.group_code.map(ratio["urban"]).to_numpy()
    f_rural = units.group_code.map(ratio["rural"]).to_numpy()
    urban20 = units.pop_urban_2020.to_numpy(float)
    city20 = units.urban_in_city_2020.to_numpy(float)
    town13 = (urban20 - city20) * f_urban
    city13 = city20 * f_urban
    rural13 = units.pop_rural_2020.to_numpy(float) * f_rural

    # 2. national totals
    urban_target = urban_share * population
    a = urban_target / (town13.sum() + city13.sum())
    b = (population - urban_target) / rural13.sum()
    town13, city13, rural13 = town13 * a, city13 * a, rural13 * b
    units["rural_2013"], units["town_2013"], units["city_2013"] = rural13, town13, city13
    units["residents_2013"] = rural13 + town13 + city13
    cities["pop_2013"] = cities.code.map(units.groupby("city_code")["city_2013"].sum()).to_numpy(float)
    cities["tier_2013"] = tier_index(cities.pop_2013.to_numpy())

    # 3. rural-hukou persons: rural residents + their share of the rural-hukou people in towns and cities
    away_total = population * (1 - hukou_share) - rural13.sum()
    if away_total < 0:
        raise ValueError(f"urban_hukou_share {hukou_share} and target_urbanization {urban_share} leave fewer "
                         "rural-hukou people than rural residents")
    district = units.is_urban_district.to_numpy() == 1
    local = np.where(district, 0.0, units.hukou_elsewhere_same_county.to_numpy(float))
    residents_by_group = units.groupby("group_code")["residents_2013"].transform("sum").to_numpy()
    rural_by_group = units.groupby("group_code")["rural_2013"].transform("sum").to_numpy()
    sending = rural13 * (rural_by_group / np.maximum(residents_by_group, 1.0)) ** push
    intra = units.hukou_elsewhere_other_county_same_province.sum() * sending / sending.sum()

    prov_codes = provinces.code.to_numpy()
    prov_index = pd.Index(prov_codes)
    unit_prov = prov_index.get_indexer(units.province_code)
    inflow = groups.hukou_elsewhere_other_province_2020.to_numpy(float)
    group_prov = prov_index.get_indexer(groups.province_code)
    d = great_circle_km(units.lon.to_numpy()[:, None], units.lat.to_numpy()[:, None],
                        groups.lon.to_numpy()[None, :], groups.lat.to_numpy()[None, :])
    pull = sending[:, None] * np.maximum(d, MIN_DISTANCE_KM) ** -decay
    pull[unit_prov[:, None] == group_prov[None, :]] = 0.0
    origin_share = pull / pull.sum(axis=0, keepdims=True)  # (units, groups): where each group's inflow is from
    inter = origin_share @ inflow

    raw = local + intra + inter
    away = away_total * raw / raw.sum()
    units["rural_hukou_away_2013"] = away
    units["rural_hukou_2013"] = rural13 + away

    # flows (provinces x cities): each city's inter-province residents by origin province
    member = np.zeros((len(prov_codes), len(units)))
    member[unit_prov, np.arange(len(units))] = 1.0
    by_prov_group = member @ (origin_share * inflow[None, :])
    group_city = groups.code.map(lambda g: MUNICIPALITY_GROUPS.get(g, g))
    city_index = pd.Index(cities.code).get_indexer(group_city)
    to_city = np.zeros((len(groups), len(cities)))
    to_city[np.flatnonzero(city_index >= 0), city_index[city_index >= 0]] = 1.0
    flows = by_prov_group @ to_city

    totals = {
        "population": float(units.residents_2013.sum()),
        "urban_residents": float((town13 + city13).sum()),
        "city_residents": float(city13.sum()),
        "town_residents": float(town13.sum()),
        "rural_residents": float(rural13.sum()),
        "rural_hukou": float(units.rural_hukou_2013.sum()),
        "urban_scale": float(a),  # national factors applied after the interpolation
        "rural_scale": float(b),
    }
    return Places2013(units=units, cities=cities, provinces=provinces, flows=flows, totals=totals)
