"""User CSV worlds: every row is validated; each problem is one 'file:LINE: column: message' line."""

from __future__ import annotations

import re

import numpy as np
import pytest

import sim
from sim.engine.world import (CITY_COLUMNS, COUNTY_COLUMNS, World, WorldDataError, build_china_census, build_world,
                              read_world_csv, validate_world_csv, write_world_csv)

COUNTIES = """name,x_km,y_km,rural_hukou_population,town_population
alpha,10,20,500000,100000
beta,30,40,400000,80000
gamma,50,60,300000,60000
"""
CITIES = """name,x_km,y_km,urban_population,inside
capital,20,30,2000000,1
port,800,900,9000000,0
"""
LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<column>[^:]+): (?P<message>.+)$")


def tables(tmp_path, counties=COUNTIES, cities=CITIES):
    c, j = tmp_path / "counties.csv", tmp_path / "cities.csv"
    c.write_text(counties, encoding="utf-8")
    j.write_text(cities, encoding="utf-8")
    return c, j


def problems(tmp_path, counties=COUNTIES, cities=CITIES) -> list[str]:
    c, j = tables(tmp_path, counties, cities)
    with pytest.raises(WorldDataError) as info:
        read_world_csv(c, j)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == "\n".join(info.value.problems)
    assert validate_world_csv(c, j) == info.value.problems
    for p in info.value.problems:
        assert LINE.match(p), p
    return info.value.problems


def test_good_tables_read(tmp_path):
    world = read_world_csv(*tables(tmp_path))
    assert world.source == "csv" and world.n_counties == 3 and world.n_cities == 2
    assert world.county_rural_pop.tolist() == [500000, 400000, 300000]
    assert world.city_inside.tolist() == [True, False]
    assert validate_world_csv(*tables(tmp_path)) == []


def test_negative_and_nan_populations(tmp_path):
    bad = COUNTIES.replace("beta,30,40,400000,80000", "beta,30,40,-5,80000").replace(
        "gamma,50,60,300000,60000", "gamma,50,60,nan,-1")
    ps = problems(tmp_path, counties=bad)
    c = str(tmp_path / "counties.csv")
    assert ps == [f"{c}:3: rural_hukou_population: -5 must be positive",
                  f"{c}:4: rural_hukou_population: 'nan' is not a finite number",
                  f"{c}:4: town_population: -1 must not be negative"]


def test_zero_and_empty_city_population(tmp_path):
    ps = problems(tmp_path, cities=CITIES.replace("2000000", "0").replace("9000000", ""))
    j = str(tmp_path / "cities.csv")
    assert ps == [f"{j}:2: urban_population: 0 must be positive", f"{j}:3: urban_population: missing value"]


def test_duplicate_names_and_codes(tmp_path):
    counties = ("name,code,x_km,y_km,rural_hukou_population,town_population\n"
                "alpha,1,10,20,5,1\nbeta,2,10,20,5,1\nalpha,2,10,20,5,1\n,3,1,1,1,1\n")
    c = str(tmp_path / "counties.csv")
    assert problems(tmp_path, counties=counties) == [
        f"{c}:4: name: duplicate 'alpha' (first on line 2)", f"{c}:5: name: empty",
        f"{c}:4: code: duplicate '2' (first on line 3)"]


def test_coordinates_out_of_range(tmp_path):
    counties = COUNTIES.replace("alpha,10,20", "alpha,25000,20")
    cities = ("name,x_km,y_km,urban_population,lon,lat\n"
              "capital,20,30,2000000,116.4,39.9\nport,800,900,9000000,181,-91\n")
    counties = counties.replace("town_population\n", "town_population,lon,lat\n").replace(
        "100000\n", "100000,116,40\n").replace("80000\n", "80000,117,41\n").replace("60000\n", "60000,118,42\n")
    c, j = str(tmp_path / "counties.csv"), str(tmp_path / "cities.csv")
    assert problems(tmp_path, counties=counties, cities=cities) == [
        f"{c}:2: x_km: 25000 out of range [-20000, 20000]",
        f"{j}:3: lon: 181 out of range [-180, 180]", f"{j}:3: lat: -91 out of range [-90, 90]"]


def test_missing_columns_and_non_numeric_cells_all_reported_at_once(tmp_path):
    counties = COUNTIES.replace("town_population", "towns").replace("beta,30,", "beta,thirty,")
    cities = CITIES.replace("20,30,2000000", "20,30,2 million").replace("inside\n", "inside\n", 1).replace(
        ",1\n", ",maybe\n", 1)
    c, j = str(tmp_path / "counties.csv"), str(tmp_path / "cities.csv")
    ps = problems(tmp_path, counties=counties, cities=cities)
    assert ps == [f"{c}:1: town_population: missing column (needs {', '.join(COUNTY_COLUMNS)})",
                  f"{j}:2: urban_population: '2 million' is not a number",
                  f"{j}:2: inside: 'maybe' is not 1 or 0"]


def test_row_shape_blank_lines_and_quoted_fields_keep_line_numbers(tmp_path):
    counties = ('name,x_km,y_km,rural_hukou_population,town_population\n'
                '"alpha, north",10,20,500000,100000\n\nbeta,30,40\n')
    c = str(tmp_path / "counties.csv")
    assert problems(tmp_path, counties=counties) == [
        f"{c}:4: (row): 3 fields, the header has 5", f"{c}:4: rural_hukou_population: missing value",
        f"{c}:4: town_population: missing value"]


def test_empty_tables_and_no_inside_city(tmp_path):
    c, j = str(tmp_path / "counties.csv"), str(tmp_path / "cities.csv")
    assert problems(tmp_path, counties="", cities=CITIES.replace(",1\n", ",0\n")) == [
        f"{c}:1: (header): empty file (needs columns {', '.join(COUNTY_COLUMNS)})",
        f"{j}:1: inside: no city is inside the region (at least one needs inside=1)"]
    assert problems(tmp_path, counties=COUNTIES.split("\n")[0] + "\n") == [f"{c}:1: (table): no rows"]
    assert CITY_COLUMNS == ["name", "x_km", "y_km", "urban_population"]  # what the scenario schema checks


def test_lonlat_tables_use_great_circle_distances(tmp_path):
    counties = ("name,x_km,y_km,rural_hukou_population,town_population,lon,lat\n"
                "here,0,0,100,10,116.4074,39.9042\n")
    cities = "name,x_km,y_km,urban_population,lon,lat\nthere,0,0,1000,121.4737,31.2304\n"
    world = read_world_csv(*tables(tmp_path, counties, cities))
    assert world.distance[0, 0] == pytest.approx(1068, abs=5)


def test_census_world_round_trips_through_csv(tmp_path):
    world = build_china_census(10_000)
    c, j = write_world_csv(world, tmp_path, world.totals["population"])
    again = read_world_csv(c, j)
    assert again.county_codes == world.county_codes and again.city_codes == world.city_codes
    assert np.allclose(again.distance, world.distance)
    assert np.allclose(again.county_rural_pop, world.county_rural_pop)


def test_engine_refuses_a_nan_world(tmp_path):
    c, j = tables(tmp_path, counties=COUNTIES.replace("300000", "NaN"))
    with pytest.raises(sim.ScenarioError, match=r"counties.csv:4: rural_hukou_population"):
        sim.build_model({"world": {"counties_csv": str(c), "cities_csv": str(j), "households": 300}})
    with pytest.raises(ValueError):
        build_world({"counties_csv": str(c), "cities_csv": str(j)}, np.random.default_rng(0))


def test_world_checks_array_lengths():
    with pytest.raises(ValueError, match="county_rural_pop: 2 entries for 3 counties"):
        World("w", ["a", "b", "c"], np.zeros((3, 2)), np.ones(2), np.ones(3), np.ones(3), ["x"], np.zeros((1, 2)),
              np.ones(1), np.ones(1, bool))
