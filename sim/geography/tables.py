"""Readers of the geography tables shipped in the package (`sim/data/geography/`).

The tables are derived from the 2020 and 2010 censuses by `tools/build_geography.py` (sources, licences and every
column in `sim/data/geography/README.md`). Each reader returns a fresh copy of a cached DataFrame; codes are
strings (GB/T 2260, 6 digits), populations integers (persons), coordinates degrees (GCJ-02).

- `load_units()`     every county-level unit (counties, districts, development zones, whole-city units): 2,948 rows
- `load_cities()`    the cities of the model (prefecture-level cities, municipalities, prefecture seats): 329 rows
- `load_groups()`    the places of the 2010-2020 prefecture table (basis of the 2013 start): 367 rows
- `load_provinces()` the 31 provinces
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "geography"
"""Folder of the shipped tables (inside the installed package)."""

_STRING_COLUMNS = {
    "units": ["code", "kind", "name_zh", "name_pinyin", "province_code", "province_zh", "prefecture_code",
              "prefecture_zh", "group_code", "city_code", "prefecture_city_code", "coord_note"],
    "cities": ["code", "kind", "name_zh", "name_pinyin", "province_code", "tier_2020", "seat_unit"],
    "groups": ["code", "name_zh", "province_code"],
    "provinces": ["code", "name_zh", "name_pinyin"],
}


@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    path = DATA_DIR / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: geography table missing from the package (rebuild it with "
                                "tools/build_geography.py, and check the package data of the install)")
    dtypes = {c: str for c in _STRING_COLUMNS[name]}
    table = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values={
        c: [""] for c in ("pop_urban_2010", "pop_rural_2010", "pop_urban_2020", "pop_rural_2020")})
    return table


def load_units() -> pd.DataFrame:
    """Every county-level unit, one row each (see the module docstring and the data README)."""
    return _read("units").copy()


def load_cities() -> pd.DataFrame:
    """The cities of the model with their 2020 city-proper population and 2020 size tier."""
    return _read("cities").copy()


def load_groups() -> pd.DataFrame:
    """Urban and rural population in 2010 and 2020 of each place of the 2010-2020 prefecture table."""
    return _read("groups").copy()


def load_provinces() -> pd.DataFrame:
    """The 31 provinces: names, capital coordinates, 2020 population, residents registered in another province."""
    return _read("provinces").copy()
