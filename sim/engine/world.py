"""The places of a run: counties (a county town plus its villages) and cities, with their positions and sizes.

Two presets are built synthetically from a seed (`china`, `province`); a real place can be read from two CSV
tables (`read_world_csv`). The world fixes geography and the 2013 sizes; the model then calibrates people and
capital onto it (`population.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

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
    """Geography and 2013 sizes. Arrays are indexed by county or city number."""

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
    county_city: np.ndarray = field(init=False)  # (C,) prefecture city (nearest inside city)
    distance: np.ndarray = field(init=False)  # (C, J) km county -> city

    def __post_init__(self):
        d = np.sqrt(((self.county_xy[:, None, :] - self.city_xy[None, :, :]) ** 2).sum(-1))
        self.distance = np.maximum(d, 15.0)
        inside = np.where(self.city_inside)[0]
        self.county_city = inside[np.argmin(self.distance[:, inside], axis=1)]

    @property
    def n_counties(self) -> int:
        return len(self.county_names)

    @property
    def n_cities(self) -> int:
        return len(self.city_names)


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
"""Model counties of each preset unless `world.counties` says otherwise."""

PRESET_POPULATION = {"china": 1.361e9, "province": 5.0e7}
"""Total population of each preset in 2013 (the CSV world sums its tables)."""


COUNTY_COLUMNS = ["name", "x_km", "y_km", "rural_hukou_population", "town_population"]
CITY_COLUMNS = ["name", "x_km", "y_km", "urban_population"]


def read_world_csv(counties_csv: str | Path, cities_csv: str | Path) -> World:
    """A real place from two tables.

    counties: name, x_km, y_km, rural_hukou_population, town_population[, farmland_mu][, real_counties]
    cities:   name, x_km, y_km, urban_population[, inside (1/0: its natives belong to the modelled region)]
    Populations are in persons; they are the place's own numbers (not shares).
    """
    counties = pd.read_csv(counties_csv)
    cities = pd.read_csv(cities_csv)
    for table, cols, path in ((counties, COUNTY_COLUMNS, counties_csv), (cities, CITY_COLUMNS, cities_csv)):
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise ValueError(f"{path}: missing columns {missing} (needs {cols})")
        if len(table) == 0:
            raise ValueError(f"{path}: no rows")
    inside = cities["inside"].to_numpy(bool) if "inside" in cities else np.ones(len(cities), bool)
    if not inside.any():
        raise ValueError(f"{cities_csv}: at least one city must be inside the region")
    return World(
        name=Path(counties_csv).stem,
        county_names=counties["name"].astype(str).tolist(),
        county_xy=counties[["x_km", "y_km"]].to_numpy(float),
        county_rural_pop=counties["rural_hukou_population"].to_numpy(float),
        county_town_pop=counties["town_population"].to_numpy(float),
        county_multiplier=(counties["real_counties"].to_numpy(float) if "real_counties" in counties
                           else np.ones(len(counties))),
        city_names=cities["name"].astype(str).tolist(),
        city_xy=cities[["x_km", "y_km"]].to_numpy(float),
        city_pop=cities["urban_population"].to_numpy(float),
        city_inside=inside,
        county_farmland_mu=counties["farmland_mu"].to_numpy(float) if "farmland_mu" in counties else None,
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
    paths = folder / "counties.csv", folder / "cities.csv"
    counties.to_csv(paths[0], index=False)
    cities.to_csv(paths[1], index=False)
    return paths


def _absolute_sizes(world: World, total_population: float) -> tuple[np.ndarray, np.ndarray]:
    """Rural-hukou and county-town populations in persons (presets store shares; CSV worlds store persons)."""
    from ..inputs.registry import parameter_values

    cal = parameter_values()

    if world.county_rural_pop.sum() <= 1.0 + 1e-9:
        rural_hukou = total_population * (1 - cal["urban_hukou_share"])
        urban = total_population * cal["target_urbanization"]
        city_urban = world.city_pop[world.city_inside].sum()
        return world.county_rural_pop * rural_hukou, world.county_town_pop * max(urban - city_urban, 0.0)
    return world.county_rural_pop, world.county_town_pop


def build_world(world_config: dict, rng: np.random.Generator) -> tuple[World, float]:
    """The world named in a config's `world` section and its total 2013 population."""
    if world_config.get("counties_csv") or world_config.get("cities_csv"):
        if not (world_config.get("counties_csv") and world_config.get("cities_csv")):
            raise ValueError("world: counties_csv and cities_csv go together")
        world = read_world_csv(world_config["counties_csv"], world_config["cities_csv"])
        rural = world.county_rural_pop.sum()
        total = (rural + world.county_town_pop.sum() + world.city_pop[world.city_inside].sum())
        return world, float(total)
    preset = world_config.get("preset", "china")
    n = world_config.get("counties")
    if preset == "china":
        return build_china(rng, n or PRESET_COUNTIES["china"]), PRESET_POPULATION["china"]
    if preset == "province":
        return build_province(rng, n or PRESET_COUNTIES["province"]), PRESET_POPULATION["province"]
    raise ValueError(f"world.preset: unknown preset {preset!r} (choose 'china' or 'province')")
