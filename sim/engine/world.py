"""The places of a run: counties (a county town plus its villages) and cities, with their positions and sizes.

Three kinds of world (`World.source`):
- census: China's real places (`build_china_census`) or one province with the outside cities that draw its
  migrants (`build_province_census`), from the 2020/2010 censuses moved to 2013 (`sim.geography`,
  docs/places.md);
- synthetic: drawn from a seed (`build_china`: 300 counties standing for 2,850 and 326 cities in the 2014 tiers;
  `build_province`);
- csv: a user's two tables (`read_world_csv`, every row validated).
`build_world(world_config, rng)` picks one. The world fixes geography and the 2013 sizes; the model then
calibrates people and capital onto it (`start.populate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..geography.start import EARTH_RADIUS_KM, MIN_DISTANCE_KM, great_circle_km
from ..inputs.registry import CITY_TIERS, TIER_LOWER_BOUND

# Urban resident population of each tier at the start (persons): lower and upper end of the draw.
_TIER_RANGE = {
    "megacity": (10e6, 24e6),
    "super_large": (5e6, 10e6),
    "large_i": (3e6, 5e6),
    "large_ii": (1e6, 3e6),
    "medium": (0.5e6, 1e6),
    "small": (0.15e6, 0.5e6),
}

# Cities per tier for the national preset, close to China's prefecture-level cities around 2013-2015
# (State Council 2014 classes applied to urban-district resident population; 326 cities in all).
CHINA_TIER_COUNTS = {"megacity": 4, "super_large": 10, "large_i": 12, "large_ii": 60, "medium": 130, "small": 110}


@dataclass
class World:
    """Geography and 2013 sizes. Arrays are indexed by model county (C) or city (J).

    Core fields (every world):
      name                  str
      county_names          list[str] (C)    display name; census worlds: Chinese name of the largest member,
                                             "+k" when the model county also stands for k other real units
      county_xy             (C, 2) float km  plane position (census worlds: a projection of lon/lat, for plots)
      county_rural_pop      (C,) float       rural-hukou persons each model county stands for, wherever they live
                                             (incl. its migrants away); synthetic presets store shares summing to 1
      county_town_pop       (C,) float       urban residents of the county town(s) (shares in synthetic presets)
      county_multiplier     (C,) float       real county-level units each model county stands for
      city_names            list[str] (J)
      city_xy               (J, 2) float km
      city_pop              (J,) float       urban residents of the city (census worlds: city proper), persons
      city_inside           (J,) bool        inside the modelled region (its natives count in outcomes)
      county_farmland_mu    (C,) float | None contracted farmland (None: the engine shares out the national total)

    Real-place fields (census worlds fill them; other worlds get the neutral values in brackets):
      source                str              "census", "synthetic" or "csv"
      county_codes          list[str] (C)    GB/T 2260 code of the model county's largest member [county_names]
      county_names_pinyin   list[str] (C)    pinyin display name ["" each]
      county_members        list[tuple[str]] codes of the real units a model county stands for [None]
      county_province       list[str] (C)    province code [""]
      county_prefecture     list[str] (C)    prefecture code (province-administered units: their pseudo-prefecture
                                             419000/429000/469000/659000) [""]
      county_lonlat         (C, 2) float deg seat (centroid of the members' seats, rural-hukou weighted) [None]
      prefecture_city       (C,) int         index of the city the county belongs to: its prefecture's city, else
                                             the nearest city of its province [county_city]
      is_urban_district     (C,) bool        the county is (mostly) urban districts of `prefecture_city`: its
                                             villages are a model county, its urban residents live in that city
                                             (county_town_pop holds only urban residents outside the city
                                             proper); local migrants may work in that city [all False]
      county_households     (C,) int | None  household agents planned per county, summing to world.households,
                                             proportional to county_rural_pop, each >= min_households_per_county
                                             [None: the engine apportions]; `county_household_counts(world, n)`
                                             returns it; `household_weights(county_rural_pop, county of each
                                             household, agent persons of each household)` gives per-household
                                             weights so each county's agents stand for its rural-hukou persons
      county_rural_residents (C,) float|None rural residents (villages) in 2013, persons [None]
      city_codes            list[str] (J)    [city_names]
      city_names_pinyin     list[str] (J)    [""]
      city_province         list[str] (J)    [""]
      city_lonlat           (J, 2) float deg [None]
      city_migrant_draw     (J,) float|None  province worlds: migrants estimated to come from the province to each
                                             city (2020 census residents registered in another province, split
                                             over origins by gravity); 0 for inside cities [None]
      totals                dict             2013 totals of the region: population, urban_residents,
                                             rural_residents, rural_hukou, ... (persons) [{}]

    Derived (not passed):
      county_city           (C,) int         nearest inside city
      distance              (C, J) float km  county -> city: great-circle from lon/lat when both are known, else
                                             from xy; at least 15 km
    """

    name: str
    county_names: list[str]
    county_xy: np.ndarray  # (C, 2) km
    county_rural_pop: np.ndarray  # (C,) rural-hukou persons each model county stands for
    county_town_pop: np.ndarray  # (C,) urban residents of the county town(s)
    county_multiplier: np.ndarray  # (C,) real counties each model county stands for
    city_names: list[str]
    city_xy: np.ndarray  # (J, 2) km
    city_pop: np.ndarray  # (J,) urban resident population
    city_inside: np.ndarray  # (J,) bool: inside the modelled region (its natives count in outcomes)
    county_farmland_mu: np.ndarray | None = None  # optional (C,) contracted farmland
    source: str = "synthetic"
    county_codes: list[str] | None = None
    county_names_pinyin: list[str] | None = None
    county_members: list[tuple[str, ...]] | None = None
    county_province: list[str] | None = None
    county_prefecture: list[str] | None = None
    county_lonlat: np.ndarray | None = None
    prefecture_city: np.ndarray | None = None
    is_urban_district: np.ndarray | None = None
    county_households: np.ndarray | None = None
    county_rural_residents: np.ndarray | None = None
    city_codes: list[str] | None = None
    city_names_pinyin: list[str] | None = None
    city_province: list[str] | None = None
    city_lonlat: np.ndarray | None = None
    city_migrant_draw: np.ndarray | None = None
    totals: dict = field(default_factory=dict)
    county_city: np.ndarray = field(init=False)  # (C,) nearest inside city
    distance: np.ndarray = field(init=False)  # (C, J) km county -> city

    def __post_init__(self):
        C, J = len(self.county_names), len(self.city_names)
        if self.county_lonlat is not None and self.city_lonlat is not None:
            d = great_circle_km(self.county_lonlat[:, None, 0], self.county_lonlat[:, None, 1],
                                self.city_lonlat[None, :, 0], self.city_lonlat[None, :, 1])
        else:
            d = np.sqrt(((self.county_xy[:, None, :] - self.city_xy[None, :, :]) ** 2).sum(-1))
        self.distance = np.maximum(d, MIN_DISTANCE_KM)
        inside = np.where(self.city_inside)[0]
        self.county_city = inside[np.argmin(self.distance[:, inside], axis=1)]
        if self.county_codes is None:
            self.county_codes = list(self.county_names)
        if self.county_names_pinyin is None:
            self.county_names_pinyin = [""] * C
        if self.county_province is None:
            self.county_province = [""] * C
        if self.county_prefecture is None:
            self.county_prefecture = [""] * C
        if self.prefecture_city is None:
            self.prefecture_city = self.county_city.copy()
        if self.is_urban_district is None:
            self.is_urban_district = np.zeros(C, bool)
        if self.city_codes is None:
            self.city_codes = list(self.city_names)
        if self.city_names_pinyin is None:
            self.city_names_pinyin = [""] * J
        if self.city_province is None:
            self.city_province = [""] * J
        for label, arr, n in (("county_xy", self.county_xy, C), ("county_rural_pop", self.county_rural_pop, C),
                              ("county_town_pop", self.county_town_pop, C), ("county_multiplier",
                              self.county_multiplier, C), ("prefecture_city", self.prefecture_city, C),
                              ("is_urban_district", self.is_urban_district, C), ("city_xy", self.city_xy, J),
                              ("city_pop", self.city_pop, J), ("city_inside", self.city_inside, J)):
            if len(arr) != n:
                raise ValueError(f"World.{label}: {len(arr)} entries for {n} {'counties' if n == C else 'cities'}")

    @property
    def n_counties(self) -> int:
        return len(self.county_names)

    @property
    def n_cities(self) -> int:
        return len(self.city_names)

    def find_county(self, query) -> int:
        """Model county index of a county named in Chinese or pinyin (or its code); see `sim.geography.names`."""
        from ..geography.names import find_county

        return find_county(self, query)

    def find_city(self, query) -> int:
        """City index of a city named in Chinese or pinyin (or its code)."""
        from ..geography.names import find_city

        return find_city(self, query)


def tier_of(population: np.ndarray) -> np.ndarray:
    """Tier index (0 = megacity ... 5 = small) of each urban resident population."""
    bounds = np.array(TIER_LOWER_BOUND)
    return (population[:, None] < bounds[None, :]).sum(axis=1)


def _draw_cities(rng, tier_counts, x_span, y_span, east_bias):
    names, pops, xs, ys = [], [], [], []
    for tier in CITY_TIERS:
        n = tier_counts.get(tier, 0)
        lo, hi = _TIER_RANGE[tier]
        pops.append(np.exp(rng.uniform(np.log(lo), np.log(hi), n)))
        # Large cities sit toward the coast (east = large x), as in China.
        big = CITY_TIERS.index(tier) <= 2
        xs.append(x_span * (rng.beta(2.5, 1.2, n) if big and east_bias else rng.beta(1.6, 1.4, n)))
        ys.append(y_span * rng.uniform(0.05, 0.95, n))
        names += [f"{tier}-{i + 1}" for i in range(n)]
    return names, np.concatenate(pops), np.column_stack([np.concatenate(xs), np.concatenate(ys)])


def build_china(rng: np.random.Generator, n_counties: int = 300) -> World:
    """National structure: 326 cities in the six tiers, `n_counties` model counties standing for ~2,850."""
    names, pops, xy = _draw_cities(rng, CHINA_TIER_COUNTS, 3000.0, 2200.0, True)
    inside_cities = np.ones(len(names), bool)
    # Counties spread around prefecture cities, denser inland (rural China is west and centre of the coast).
    anchor = rng.integers(0, len(names), n_counties)
    cxy = xy[anchor] * np.array([0.8, 1.0]) + rng.normal(0, 120, (n_counties, 2))
    cxy = np.clip(cxy, 0, [3000, 2200])
    rural = rng.lognormal(0.0, 0.45, n_counties)
    town = rural**0.8 * rng.lognormal(0.0, 0.35, n_counties)
    return World(
        name="china",
        county_names=[f"county-{i + 1}" for i in range(n_counties)],
        county_xy=cxy,
        county_rural_pop=rural / rural.sum(),  # shares; scaled to national totals by the population builder
        county_town_pop=town / town.sum(),
        county_multiplier=np.full(n_counties, 2850.0 / n_counties),
        city_names=names,
        city_xy=xy,
        city_pop=pops,
        city_inside=inside_cities,
    )


def build_province(rng: np.random.Generator, n_counties: int = 90) -> World:
    """One province (~50 M people): its capital, 11 prefecture cities and `n_counties` counties at full
    resolution, with four national megacities and two super-large cities outside as destinations."""
    inside_counts = {"large_i": 1, "large_ii": 3, "medium": 5, "small": 3}
    names, pops, xy = _draw_cities(rng, inside_counts, 500.0, 400.0, False)
    names[0] = "capital"
    outside_counts = {"megacity": 4, "super_large": 2}
    onames, opops, _ = _draw_cities(rng, outside_counts, 1.0, 1.0, False)
    angle = rng.uniform(0, 2 * np.pi, len(onames))
    radius = rng.uniform(800, 1500, len(onames))
    oxy = np.column_stack([250 + radius * np.cos(angle), 200 + radius * np.sin(angle)])
    anchor = rng.integers(0, len(names), n_counties)
    cxy = np.clip(xy[anchor] + rng.normal(0, 60, (n_counties, 2)), 0, [500, 400])
    rural = rng.lognormal(0.0, 0.4, n_counties)
    town = rural**0.8 * rng.lognormal(0.0, 0.3, n_counties)
    return World(
        name="province",
        county_names=[f"county-{i + 1}" for i in range(n_counties)],
        county_xy=cxy,
        county_rural_pop=rural / rural.sum(),
        county_town_pop=town / town.sum(),
        county_multiplier=np.ones(n_counties),
        city_names=names + [f"outside-{n}" for n in onames],
        city_xy=np.vstack([xy, oxy]),
        city_pop=np.concatenate([pops, opops]),
        city_inside=np.concatenate([np.ones(len(names), bool), np.zeros(len(onames), bool)]),
    )


PRESET_COUNTIES = {"china": 300, "province": 90}
"""Model counties of each synthetic preset unless `world.counties` says otherwise."""

PRESET_POPULATION = {"china": 1.361e9, "province": 5.0e7}
"""Total population of each synthetic preset in 2013 (census worlds and CSV worlds sum their own tables)."""

PRESETS = ("china", "province", "synthetic_china", "synthetic_province")
"""`world.preset` values `build_world` accepts (the scenario schema lists the ones a scenario file may use)."""

PLACES_DEFAULT = "census"
"""What `preset: china` builds when the config has no `places` key: "census" (real places, `build_china_census`)
or "synthetic" (the random 300 counties and 326 cities; `preset: synthetic_china` builds it too)."""


# ------------------------------------------------------------------------------------------ census worlds
def _projection_km(lonlat: np.ndarray) -> np.ndarray:
    """Equirectangular plane (km east of 73 E, north of 18 N, scaled at 35 N): positions for plots only; distances
    are great-circle."""
    x = EARTH_RADIUS_KM * np.radians(lonlat[:, 0] - 73.0) * np.cos(np.radians(35.0))
    y = EARTH_RADIUS_KM * np.radians(lonlat[:, 1] - 18.0)
    return np.column_stack([x, y])


def apportion(weights, total: int, minimum: int = 1) -> np.ndarray:
    """Integer counts summing to `total`, each >= `minimum`, the rest in proportion to `weights` (largest
    remainder, ties to the lower index). When every ideal share total x w / sum(w) is at least `minimum` the
    counts are exactly the largest-remainder rounding of those shares."""
    w = np.asarray(weights, float)
    n = len(w)
    if total < minimum * n:
        raise ValueError(f"{total} households cannot give {n} counties {minimum} each")
    fixed = np.zeros(n, bool)
    while True:
        rest = total - minimum * fixed.sum()
        free_w = np.where(fixed, 0.0, w)
        ideal = np.where(fixed, minimum, rest * free_w / free_w.sum() if free_w.sum() > 0 else rest / (~fixed).sum())
        low = ~fixed & (ideal < minimum)
        if not low.any():
            break
        fixed |= low
    base = np.where(fixed, minimum, np.floor(ideal)).astype(np.int64)
    remainder = np.where(fixed, -1.0, ideal - base)
    order = np.lexsort((np.arange(n), -remainder))
    base[order[: total - int(base.sum())]] += 1
    return base


def county_household_counts(world: World, n_households: int) -> np.ndarray:
    """Household agents per model county (C,), summing to n_households: the world's own plan when it has one
    (census worlds: `county_households`), else one each and the rest in proportion to rural-hukou persons (what
    `start._apportion` does today)."""
    if world.county_households is not None:
        if int(world.county_households.sum()) != n_households:
            raise ValueError(f"the world was built for {int(world.county_households.sum())} households, not "
                             f"{n_households}")
        return world.county_households.copy()
    return apportion(world.county_rural_pop, n_households, 1)


def household_weights(rural_by_county, county, persons) -> np.ndarray:
    """Per-household weight (real persons per agent person) so that each county's agents stand for exactly its
    rural-hukou persons: weight[h] = rural_by_county[c] / sum of persons over the households of county c = county[h].

    rural_by_county (C,) persons; county (H,) int; persons (H,) agent persons of each household (members at home
    plus migrants away). Raises ValueError if a county with rural-hukou persons has no agent persons."""
    rural = np.asarray(rural_by_county, float)
    county = np.asarray(county)
    per_county = np.bincount(county, np.asarray(persons, float), minlength=len(rural))
    empty = (per_county <= 0) & (rural > 0)
    if empty.any():
        raise ValueError(f"counties {np.flatnonzero(empty)[:10].tolist()} have rural-hukou people but no agent persons")
    return (rural / np.where(per_county > 0, per_county, 1.0))[county]


def _census_params(params: dict | None) -> dict:
    from ..inputs.registry import parameter_values

    return {**parameter_values(), **(params or {})}


def _model_counties(units, n_households: int, p: dict, max_counties: int | None, city_index: dict) -> dict:
    """Aggregate the units (a slice of `places_2013().units`) into model counties; arrays for `World`."""
    from ..geography.aggregate import aggregate_units, representative

    w = units.rural_hukou_2013.to_numpy()
    lon, lat = units.lon.to_numpy(), units.lat.to_numpy()
    codes = units.code.to_numpy()
    district = units.is_urban_district.to_numpy() == 1
    groups = aggregate_units(w, lon, lat, units.prefecture_code.to_numpy(), units.province_code.to_numpy(),
                             district, codes, n_households, int(p["min_households_per_county"]), max_counties)
    C = len(groups)
    rep = np.array([representative(g, w, codes) for g in groups])
    member_of = np.empty(len(units), np.int64)
    for i, g in enumerate(groups):
        member_of[g] = i
    rural_hukou = np.bincount(member_of, w, minlength=C)
    town = np.bincount(member_of, units.town_2013.to_numpy(), minlength=C)
    rural_res = np.bincount(member_of, units.rural_2013.to_numpy(), minlength=C)
    size = np.bincount(member_of, minlength=C)
    wsum = np.bincount(member_of, np.where(w > 0, w, 0.0), minlength=C)
    lonlat = np.column_stack([np.bincount(member_of, w * lon, minlength=C), np.bincount(member_of, w * lat, minlength=C)])
    plain = np.column_stack([np.bincount(member_of, lon, minlength=C), np.bincount(member_of, lat, minlength=C)])
    lonlat = np.where(wsum[:, None] > 0, lonlat / np.maximum(wsum, 1e-300)[:, None], plain / size[:, None])
    dist_w = np.bincount(member_of, np.where(district, w, 0.0), minlength=C)
    dist_n = np.bincount(member_of, district.astype(float), minlength=C)
    is_district = np.where(wsum > 0, dist_w * 2 > wsum, dist_n * 2 > size) | ((dist_w * 2 == wsum) & district[rep])
    name_zh, name_py = units.name_zh.to_numpy(), units.name_pinyin.to_numpy()
    suffix = [f" +{k - 1}" if k > 1 else "" for k in size]
    return dict(
        county_names=[f"{name_zh[r]}{s}" for r, s in zip(rep, suffix)],
        county_names_pinyin=[f"{name_py[r]}{s}" for r, s in zip(rep, suffix)],
        county_codes=[str(codes[r]) for r in rep],
        county_members=[tuple(str(c) for c in codes[g]) for g in groups],
        county_province=[str(x) for x in units.province_code.to_numpy()[rep]],
        county_prefecture=[str(x) for x in units.prefecture_code.to_numpy()[rep]],
        county_lonlat=lonlat,
        county_xy=_projection_km(lonlat),
        county_rural_pop=rural_hukou,
        county_town_pop=town,
        county_rural_residents=rural_res,
        county_multiplier=size.astype(float),
        is_urban_district=is_district,
        prefecture_city=np.array([city_index[c] for c in units.prefecture_city_code.to_numpy()[rep]], np.int64),
        county_households=apportion(rural_hukou, n_households, int(p["min_households_per_county"])),
    )


def _city_fields(cities) -> dict:
    lonlat = cities[["lon", "lat"]].to_numpy(float)
    return dict(city_names=cities.name_zh.tolist(), city_names_pinyin=cities.name_pinyin.tolist(),
                city_codes=cities.code.tolist(), city_province=cities.province_code.tolist(), city_lonlat=lonlat,
                city_xy=_projection_km(lonlat), city_pop=cities.pop_2013.to_numpy(float))


def build_china_census(n_households: int, params: dict | None = None, max_counties: int | None = None) -> World:
    """China from its real places (2,948 county-level units, 329 cities) at the 2013 start, aggregated so that
    each model county gets at least `min_households_per_county` of the `n_households` agents (and, if given, at
    most `max_counties` model counties). Sizes in persons; see `sim.geography.start` and docs/places.md."""
    from ..geography.start import places_2013

    p = _census_params(params)
    places = places_2013(p)
    cities = places.cities
    city_index = {c: j for j, c in enumerate(cities.code)}
    fields = _model_counties(places.units, n_households, p, max_counties, city_index)
    totals = dict(places.totals)
    totals["urban_hukou"] = totals["population"] - totals["rural_hukou"]
    return World(name="china", **fields, **_city_fields(cities), city_inside=np.ones(len(cities), bool),
                 source="census", totals=totals)


def build_province_census(province, n_households: int, params: dict | None = None,
                          max_counties: int | None = None) -> World:
    """One province from its real counties and cities (inside), with the `province_outside_cities` cities of
    other provinces estimated to draw the most of its migrants (outside, `city_migrant_draw`). `province` is a
    code or a name in Chinese or pinyin (`sim.geography.find_province`). Sizes in persons (2013, the national
    start restricted to the province)."""
    from ..geography.names import find_province
    from ..geography.start import places_2013

    p = _census_params(params)
    code = find_province(province)
    places = places_2013(p)
    units = places.units[places.units.province_code == code].reset_index(drop=True)
    cities = places.cities
    inside = (cities.province_code == code).to_numpy()
    row = list(places.provinces.code).index(code)
    draw = places.flows[row]
    k = int(p["province_outside_cities"])
    outside = np.flatnonzero(~inside)
    outside = outside[np.lexsort((outside, -draw[outside]))][:k]
    keep = np.concatenate([np.flatnonzero(inside), np.sort(outside)])
    chosen = cities.iloc[keep].reset_index(drop=True)
    city_index = {c: j for j, c in enumerate(chosen.code)}
    fields = _model_counties(units, n_households, p, max_counties, city_index)
    prov = places.provinces.iloc[row]
    rural_hukou = float(units.rural_hukou_2013.sum())
    totals = {
        "population": float(units.residents_2013.sum()),
        "urban_residents": float((units.town_2013 + units.city_2013).sum()),
        "city_residents": float(units.city_2013.sum()),
        "town_residents": float(units.town_2013.sum()),
        "rural_residents": float(units.rural_2013.sum()),
        "rural_hukou": rural_hukou,
        "migrants_to_outside_cities": float(draw[outside].sum()),
        "migrants_to_other_provinces": float(draw.sum()),
    }
    return World(name=f"province {prov.name_pinyin}", **fields, **_city_fields(chosen),
                 city_inside=np.concatenate([np.ones(inside.sum(), bool), np.zeros(len(outside), bool)]),
                 city_migrant_draw=np.concatenate([np.zeros(inside.sum()), draw[np.sort(outside)]]),
                 source="census", totals=totals)


# ------------------------------------------------------------------------------------------ CSV worlds
COUNTY_COLUMNS = ["name", "x_km", "y_km", "rural_hukou_population", "town_population"]
CITY_COLUMNS = ["name", "x_km", "y_km", "urban_population"]
COUNTY_OPTIONAL = ["code", "lon", "lat", "farmland_mu", "real_counties"]
CITY_OPTIONAL = ["code", "lon", "lat", "inside"]
XY_LIMIT_KM = 20_000.0
"""|x_km|, |y_km| above this (half the Earth's circumference) are errors."""

# column -> (lowest allowed, strictly above it?)
_NUMERIC = {
    "x_km": (-XY_LIMIT_KM, False), "y_km": (-XY_LIMIT_KM, False), "lon": (-180.0, False), "lat": (-90.0, False),
    "rural_hukou_population": (0.0, True), "town_population": (0.0, False), "urban_population": (0.0, True),
    "farmland_mu": (0.0, False), "real_counties": (0.0, True),
}
_UPPER = {"x_km": XY_LIMIT_KM, "y_km": XY_LIMIT_KM, "lon": 180.0, "lat": 90.0}
_BOOL = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False}


class WorldDataError(ValueError):
    """Bad data in a user's world tables. `problems` lists every one as 'file:LINE: column: message' (LINE is
    the CSV line, the header being line 1); the message is those lines joined by newlines."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _read_table(path, required: list[str], optional: list[str], problems: list[str]):
    """Columns (name -> list of raw strings) and the CSV line of each row; problems appended."""
    import csv

    where = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                problems.append(f"{where}:1: (header): empty file (needs columns {', '.join(required)})")
                return None, []
            header = [h.strip() for h in header]
            rows, lines = [], []
            line_start = reader.line_num + 1
            for record in reader:
                if record and any(cell.strip() for cell in record):
                    rows.append(record)
                    lines.append(line_start)
                line_start = reader.line_num + 1
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(f"{where}:1: (file): cannot read: {exc}")
        return None, []
    missing = [c for c in required if c not in header]
    for c in missing:
        problems.append(f"{where}:1: {c}: missing column (needs {', '.join(required)})")
    seen = {}
    for c in header:
        if c in seen:
            problems.append(f"{where}:1: {c}: column appears twice")
        seen[c] = True
    if ("lon" in header) != ("lat" in header):
        problems.append(f"{where}:1: {'lat' if 'lon' in header else 'lon'}: lon and lat go together")
    if missing:
        return None, lines
    if not rows:
        problems.append(f"{where}:1: (table): no rows")
        return None, lines
    cols = {c: [] for c in header}
    for record, line in zip(rows, lines):
        if len(record) != len(header):
            problems.append(f"{where}:{line}: (row): {len(record)} fields, the header has {len(header)}")
        for k, c in enumerate(header):
            cols[c].append(record[k].strip() if k < len(record) else "")
    return {c: v for c, v in cols.items() if c in required or c in optional}, lines


def _numbers(where: str, col: str, raw: list[str], lines: list[int], problems: list[str]) -> np.ndarray:
    out = np.full(len(raw), np.nan)
    low, strict = _NUMERIC.get(col, (-np.inf, False))
    high = _UPPER.get(col, np.inf)
    for i, (text, line) in enumerate(zip(raw, lines)):
        if text == "":
            problems.append(f"{where}:{line}: {col}: missing value")
            continue
        try:
            v = float(text)
        except ValueError:
            problems.append(f"{where}:{line}: {col}: {text!r} is not a number")
            continue
        if not np.isfinite(v):
            problems.append(f"{where}:{line}: {col}: {text!r} is not a finite number")
            continue
        if v > high or v < low or (strict and v <= low):
            if col in _UPPER:
                problems.append(f"{where}:{line}: {col}: {v:g} out of range [{low:g}, {high:g}]")
            elif strict:
                problems.append(f"{where}:{line}: {col}: {v:g} must be positive")
            else:
                problems.append(f"{where}:{line}: {col}: {v:g} must not be negative")
            continue
        out[i] = v
    return out


def _unique(where: str, col: str, raw: list[str], lines: list[int], problems: list[str]) -> None:
    first: dict[str, int] = {}
    for text, line in zip(raw, lines):
        if text == "":
            problems.append(f"{where}:{line}: {col}: empty")
        elif text in first:
            problems.append(f"{where}:{line}: {col}: duplicate {text!r} (first on line {first[text]})")
        else:
            first[text] = line


def _parse_world_csv(counties_csv, cities_csv):
    problems: list[str] = []
    tables = []
    for path, required, optional in ((counties_csv, COUNTY_COLUMNS, COUNTY_OPTIONAL),
                                     (cities_csv, CITY_COLUMNS, CITY_OPTIONAL)):
        cols, lines = _read_table(path, required, optional, problems)
        parsed = None
        if cols is not None:
            where = str(path)
            parsed = {"lines": lines}
            for c, raw in cols.items():
                if c in ("name", "code"):
                    _unique(where, c, raw, lines, problems)
                    parsed[c] = raw
                elif c == "inside":
                    vals = []
                    for text, line in zip(raw, lines):
                        if text.lower() not in _BOOL:
                            problems.append(f"{where}:{line}: inside: {text!r} is not 1 or 0")
                        vals.append(_BOOL.get(text.lower(), False))
                    parsed[c] = np.array(vals, bool)
                else:
                    parsed[c] = _numbers(where, c, raw, lines, problems)
            if "inside" in parsed and not parsed["inside"].any() and not any(
                    p.startswith(f"{where}:") and ": inside:" in p for p in problems):
                problems.append(f"{where}:1: inside: no city is inside the region (at least one needs inside=1)")
        tables.append(parsed)
    return tables, problems


def validate_world_csv(counties_csv, cities_csv) -> list[str]:
    """Every problem of a pair of world tables as 'file:LINE: column: message' lines ([] if they are fine): for
    the scenario validator, so that a bad table stops a run before anything is written."""
    return _parse_world_csv(counties_csv, cities_csv)[1]


def read_world_csv(counties_csv: str | Path, cities_csv: str | Path) -> World:
    """A real place from two tables.

    counties: name, x_km, y_km, rural_hukou_population, town_population
              [, code][, lon, lat][, farmland_mu][, real_counties]
    cities:   name, x_km, y_km, urban_population[, code][, lon, lat][, inside (1/0: its natives belong to the
              modelled region; default 1)]
    Populations are in persons (the place's own numbers, not shares); rural_hukou_population and
    urban_population must be positive, town_population, farmland_mu >= 0, real_counties > 0; |x_km|, |y_km| <=
    20,000; lon in [-180, 180], lat in [-90, 90]; names (and codes) unique. When both tables have lon and lat,
    county-city distances are great-circle, else straight lines in the x/y plane.
    Every problem is reported at once: WorldDataError, one line 'file:LINE: column: message' each.
    """
    (counties, cities), problems = _parse_world_csv(counties_csv, cities_csv)
    if problems:
        raise WorldDataError(problems)
    has_lonlat = "lon" in counties and "lon" in cities
    inside = cities["inside"] if "inside" in cities else np.ones(len(cities["name"]), bool)
    C = len(counties["name"])
    return World(
        name=Path(counties_csv).stem,
        county_names=list(counties["name"]),
        county_xy=np.column_stack([counties["x_km"], counties["y_km"]]),
        county_rural_pop=counties["rural_hukou_population"],
        county_town_pop=counties["town_population"],
        county_multiplier=counties.get("real_counties", np.ones(C)),
        city_names=list(cities["name"]),
        city_xy=np.column_stack([cities["x_km"], cities["y_km"]]),
        city_pop=cities["urban_population"],
        city_inside=inside,
        county_farmland_mu=counties.get("farmland_mu"),
        source="csv",
        county_codes=list(counties["code"]) if "code" in counties else None,
        city_codes=list(cities["code"]) if "code" in cities else None,
        county_lonlat=np.column_stack([counties["lon"], counties["lat"]]) if has_lonlat else None,
        city_lonlat=np.column_stack([cities["lon"], cities["lat"]]) if has_lonlat else None,
    )


def write_world_csv(world: World, folder: str | Path, total_population: float) -> tuple[Path, Path]:
    """Write a world as the two CSV tables `read_world_csv` reads (shares scaled to persons), as a template."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rural_total, town_total = _absolute_sizes(world, total_population)
    counties = pd.DataFrame({
        "name": world.county_names, "x_km": world.county_xy[:, 0], "y_km": world.county_xy[:, 1],
        "rural_hukou_population": rural_total, "town_population": town_total,
        "real_counties": world.county_multiplier,
    })
    cities = pd.DataFrame({
        "name": world.city_names, "x_km": world.city_xy[:, 0], "y_km": world.city_xy[:, 1],
        "urban_population": world.city_pop, "inside": world.city_inside.astype(int),
    })
    if world.source == "census":
        counties.insert(1, "code", world.county_codes)
        cities.insert(1, "code", world.city_codes)
    if world.county_lonlat is not None and world.city_lonlat is not None:
        counties["lon"], counties["lat"] = world.county_lonlat[:, 0], world.county_lonlat[:, 1]
        cities["lon"], cities["lat"] = world.city_lonlat[:, 0], world.city_lonlat[:, 1]
    if world.county_farmland_mu is not None:
        counties["farmland_mu"] = world.county_farmland_mu
    paths = folder / "counties.csv", folder / "cities.csv"
    counties.to_csv(paths[0], index=False)
    cities.to_csv(paths[1], index=False)
    return paths


def _absolute_sizes(world: World, total_population: float) -> tuple[np.ndarray, np.ndarray]:
    """Rural-hukou and county-town populations in persons (synthetic presets store shares; census and CSV worlds
    store persons)."""
    from ..inputs.registry import parameter_values

    cal = parameter_values()

    if world.source == "synthetic" and world.county_rural_pop.sum() <= 1.0 + 1e-9:
        rural_hukou = total_population * (1 - cal["urban_hukou_share"])
        urban = total_population * cal["target_urbanization"]
        city_urban = world.city_pop[world.city_inside].sum()
        return world.county_rural_pop * rural_hukou, world.county_town_pop * max(urban - city_urban, 0.0)
    return world.county_rural_pop, world.county_town_pop


def build_world(world_config: dict, rng: np.random.Generator, params: dict | None = None) -> tuple[World, float]:
    """The world named in a config's `world` section and its total 2013 population (persons).

    Keys (all optional): preset ("china" | "province" | "synthetic_china" | "synthetic_province"), households,
    counties, counties_csv + cities_csv, province (code or name: a census province world), places ("census" |
    "synthetic": what `preset: china` builds; default `PLACES_DEFAULT`).
    - counties_csv/cities_csv: `read_world_csv`; the total is rural-hukou + town + inside-city populations.
    - census worlds (`china` with places=census; `province` with a province): `build_china_census`,
      `build_province_census`; `counties` is then an upper bound on model counties (small ones are merged
      first); the total is the region's 2013 residents.
    - synthetic worlds (`synthetic_china`, `china` with places=synthetic, `synthetic_province`, `province`
      without a province): `build_china`, `build_province` drawn from `rng`; `counties` is their count.
    `params` are model parameters (registry defaults if None; pass the model's own so that a scenario's
    parameters reach the census world)."""
    if world_config.get("counties_csv") or world_config.get("cities_csv"):
        if not (world_config.get("counties_csv") and world_config.get("cities_csv")):
            raise ValueError("world: counties_csv and cities_csv go together")
        world = read_world_csv(world_config["counties_csv"], world_config["cities_csv"])
        rural = world.county_rural_pop.sum()
        total = (rural + world.county_town_pop.sum() + world.city_pop[world.city_inside].sum())
        return world, float(total)
    preset = world_config.get("preset") or "china"
    n = world_config.get("counties")
    province = world_config.get("province")
    places = world_config.get("places") or PLACES_DEFAULT
    households = int(world_config.get("households") or 100_000)
    if places not in ("census", "synthetic"):
        raise ValueError(f"world.places: {places!r} is not 'census' or 'synthetic'")
    if province is not None and preset != "province":
        raise ValueError(f"world.province is for preset 'province', not {preset!r}")
    if preset == "province" and province is not None:
        world = build_province_census(province, households, params, n)
        return world, world.totals["population"]
    if preset == "china" and places == "census":
        world = build_china_census(households, params, n)
        return world, world.totals["population"]
    if preset in ("china", "synthetic_china"):
        return build_china(rng, n or PRESET_COUNTIES["china"]), PRESET_POPULATION["china"]
    if preset in ("province", "synthetic_province"):
        return build_province(rng, n or PRESET_COUNTIES["province"]), PRESET_POPULATION["province"]
    raise ValueError(f"world.preset: unknown preset {preset!r} (choose {', '.join(repr(p) for p in PRESETS)})")
