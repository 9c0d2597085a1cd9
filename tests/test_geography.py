"""Real places: the shipped census tables, the 2013 start, aggregation of small counties, census worlds, names."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine.world import (PLACES_DEFAULT, apportion, build_china_census, build_province_census,
                              build_world, county_household_counts, household_weights)
from sim.geography import great_circle_km, load_cities, load_groups, load_provinces, load_units, places_2013
from sim.geography.aggregate import aggregate_units
from sim.geography.names import PlaceLookupError, find_province
from sim.geography.start import interpolate, tier_index
from sim.inputs.registry import PARAMETERS, parameter_values

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "sim" / "data" / "geography"
# the original census tables (tools/build_geography.py --source): only where a developer has them
SOURCE = Path(os.environ.get("CHENGXIANG_GEOGRAPHY_SOURCE") or "/nonexistent-geography-originals")
CENSUS_TOTAL_2020 = 1_409_778_724  # the 31 provinces (the official 1,411,778,724 adds 2 M military personnel)


# ------------------------------------------------------------------------------------------ shipped tables
@pytest.mark.skipif(not (SOURCE / "cn_units_2020.csv").is_file(), reason="set CHENGXIANG_GEOGRAPHY_SOURCE to the folder of the original census tables")
def test_shipped_tables_equal_what_the_build_script_makes(tmp_path):
    out = tmp_path / "geo"
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_geography.py"), "--source", str(SOURCE),
                        "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    made = sorted(p.name for p in out.iterdir())
    assert made == ["LICENSE-census-MIT.txt", "cities.csv", "groups.csv", "provinces.csv", "units.csv"]
    for name in made:
        assert (out / name).read_bytes() == (DATA / name).read_bytes(), f"{name} differs: rerun the script"


def test_build_script_refuses_a_folder_without_the_originals(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_geography.py"), "--source", str(tmp_path),
                        "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "cn_units_2020.csv" in r.stderr and not (tmp_path / "out").exists()


def test_licence_and_attribution_ship_with_the_data():
    assert "MIT" in (DATA / "LICENSE-census-MIT.txt").read_text() and "Lei Dong" in (
        DATA / "LICENSE-census-MIT.txt").read_text()
    readme = (DATA / "README.md").read_text()
    for needed in ("Vonng/adcode", "CC BY 4.0", "Apache-2.0", "LICENSE-census-MIT.txt", "SSRN 4049338"):
        assert needed in readme


def test_units_cover_every_resident_once_with_codes_names_and_coordinates():
    u = load_units()
    assert len(u) == 2948 and u.code.is_unique
    assert u.kind.value_counts().to_dict() == {"county": 1875, "district": 973, "zone": 95, "city": 5}
    assert u.pop_total_2020.sum() == CENSUS_TOTAL_2020
    assert (u.pop_total_2020 == u.pop_urban_2020 + u.pop_rural_2020).all()
    prov = load_provinces().set_index("code")
    by_prov = u.groupby("province_code").pop_total_2020.sum()
    assert (by_prov.reindex(prov.index) == prov.pop_total_2020).all()
    assert (u.name_zh != "").all() and (u.name_pinyin != "").all()
    assert u.lon.between(73, 135.5).all() and u.lat.between(16, 53.6).all()  # Sansha sits at 16.8 N
    assert (u.coord_note.str.startswith("approx:")).sum() == 7
    assert (u.urban_in_city_2020 <= u.pop_urban_2020).all()
    # urban districts belong to their own prefecture's city
    d = u[u.is_urban_district == 1]
    assert (d.city_code == d.prefecture_city_code).all() and (d.city_code != "").all()
    assert set(u.prefecture_city_code) <= set(load_cities().code)


def test_cities_have_their_census_city_proper_population_and_2014_tier():
    c = load_cities()
    assert len(c) == 329 and c.code.is_unique
    assert c.kind.value_counts().to_dict() == {"prefecture_city": 292, "prefecture_seat": 33, "municipality": 4}
    assert c.tier_2020.str.split("_").str[0].value_counts().to_dict() == {
        "medium": 116, "small": 112, "large": 80, "super": 14, "megacity": 7}
    # the city-proper population is the sum of its units' shares of it
    u = load_units()
    assert (c.set_index("code").pop_city_2020 == u.groupby("city_code").urban_in_city_2020.sum().drop("")).all()
    bj = c.set_index("name_pinyin").loc["Beijing"]
    assert bj.pop_city_2020 == 17_751_681 and bj.tier_2020.startswith("megacity")
    # the source's 2014 tiers follow the same bounds as the model's
    tiers = tier_index(c.pop_city_2020.to_numpy())
    names = {"megacity": 0, "super_large": 1, "large_I": 2, "large_II": 3, "medium": 4, "small_I": 5, "small_II": 5}
    assert [names[t.rsplit("_", 1)[0]] for t in c.tier_2020] == tiers.tolist()


def test_groups_carry_2010_and_2020_figures():
    g = load_groups()
    assert len(g) == 367 and set(load_units().group_code) == set(g.code)
    known = g.pop_urban_2010.notna() & g.pop_rural_2010.notna()
    assert known.sum() == 355  # Danzhou's 2010 split, Sansha and the 10 XPCC cities are missing
    assert g.loc[known, "pop_urban_2010"].sum() + g.loc[known, "pop_rural_2010"].sum() == pytest.approx(1.328e9,
                                                                                                       rel=0.01)


# ------------------------------------------------------------------------------------------ 2013 start
def test_interpolation_is_log_linear_at_2013():
    assert interpolate(100.0, 200.0, 0.3) == pytest.approx(100 * 2**0.3)
    assert interpolate(0.0, 10.0, 0.3) == pytest.approx(3.0)  # linear when one end is zero
    assert interpolate(10.0, 0.0, 0.3) == pytest.approx(7.0)


def test_2013_start_matches_national_totals_and_moves_each_prefecture():
    p = parameter_values()
    s = places_2013(p)
    u = s.units
    assert u.residents_2013.sum() == pytest.approx(p["total_population"], rel=1e-12)
    assert (u.town_2013.sum() + u.city_2013.sum()) / u.residents_2013.sum() == pytest.approx(
        p["target_urbanization"], rel=1e-12)
    assert u.rural_hukou_2013.sum() == pytest.approx(p["total_population"] * (1 - p["urban_hukou_share"]))
    assert (u.rural_hukou_2013 >= u.rural_2013).all() and (u.rural_hukou_away_2013 >= 0).all()
    assert s.cities.pop_2013.sum() == pytest.approx(u.city_2013.sum())
    # a prefecture's urban population in 2013 is its interpolated one times the national urban scale
    g = load_groups().set_index("code")
    urban13 = u.groupby("group_code")[["town_2013", "city_2013"]].sum().sum(axis=1)
    moved = pd.Series(interpolate(g.pop_urban_2010, g.pop_urban_2020, 0.3), index=g.index)
    ratio = urban13 / moved.reindex(urban13.index)
    ratio = ratio.dropna()
    scale = ratio.median()  # one national factor ...
    assert 1.0 < scale < 1.03
    # ... exact wherever the units' 2020 urban sum equals the 2010-2020 table's (14 of 333 prefectures differ,
    # e.g. Baoding and Xianyang, whose new areas are counted differently in the two tables)
    assert (np.abs(ratio / scale - 1) < 1e-9).mean() > 0.95 and (np.abs(ratio / scale - 1) < 0.35).all()


def test_rural_hukou_estimate_puts_more_people_away_in_sending_provinces():
    u = places_2013().units
    by = u.groupby("province_zh")[["rural_2013", "rural_hukou_away_2013"]].sum()
    away = by.rural_hukou_away_2013 / by.rural_2013
    for sender in ("河南省", "安徽省", "江西省", "贵州省"):
        for receiver in ("上海市", "北京市", "广东省", "浙江省", "江苏省"):
            assert away[sender] > away[receiver], (sender, receiver)


def test_flows_split_each_citys_inter_province_residents_over_other_provinces():
    s = places_2013()
    c, prov = s.cities, list(s.provinces.code)
    shanghai = list(c.code).index("310000")
    # every registered-elsewhere resident of Shanghai comes from some other province, none from Shanghai itself
    assert s.flows[prov.index("310000"), shanghai] == 0
    assert s.flows[:, shanghai].sum() == pytest.approx(
        load_groups().set_index("code").loc["310100", "hukou_elsewhere_other_province_2020"])
    henan = s.flows[prov.index("410000")]
    top = c.name_pinyin.to_numpy()[np.argsort(-henan)[:6]]
    assert {"Shanghai", "Beijing", "Shenzhen"} <= set(top)


def test_2013_tiers_of_real_cities():
    s = places_2013()
    counts = np.bincount(s.cities.tier_2013, minlength=6)
    assert counts.sum() == 329 and counts[0] == 6 and counts[1] == 9
    assert s.cities.set_index("name_pinyin").loc["Shanghai", "pop_2013"] == pytest.approx(19.0e6, rel=0.03)


# ------------------------------------------------------------------------------------------ aggregation
def _aggregate(n, minimum=20, cap=None):
    u = places_2013().units
    return u, aggregate_units(u.rural_hukou_2013.to_numpy(), u.lon.to_numpy(), u.lat.to_numpy(),
                              u.prefecture_code.to_numpy(), u.province_code.to_numpy(),
                              u.is_urban_district.to_numpy() == 1, u.code.to_numpy(), n, minimum, cap)


@pytest.mark.parametrize("n", [3000, 10_000, 100_000, 1_000_000])
def test_aggregation_gives_every_model_county_the_minimum(n):
    u, groups = _aggregate(n)
    members = np.concatenate(groups)
    assert len(members) == len(u) and len(np.unique(members)) == len(u)
    w = u.rural_hukou_2013.to_numpy()
    expected = np.array([w[g].sum() for g in groups]) * n / w.sum()
    assert expected.min() >= 20 - 1e-9
    assert len(groups) < len(u)
    if n == 10_000:
        assert 250 < len(groups) < 350


def test_aggregation_is_deterministic_and_stays_within_prefectures_when_it_can():
    u, a = _aggregate(1_000_000)
    _, b = _aggregate(1_000_000)
    assert all(np.array_equal(x, y) for x, y in zip(a, b)) and len(a) == len(b)
    prov = u.province_code.to_numpy()
    assert all(len(set(prov[g])) == 1 for g in a)  # at 1 M households no merge crosses a province
    pref = u.prefecture_code.to_numpy()
    assert np.mean([len(set(pref[g])) == 1 for g in a]) > 0.99


def test_aggregation_respects_a_cap_and_refuses_too_few_households():
    _, groups = _aggregate(100_000, cap=300)
    assert len(groups) == 300
    with pytest.raises(ValueError, match="below min_households_per_county"):
        _aggregate(10, minimum=20)


def test_min_households_is_a_declared_numerical_parameter():
    p = PARAMETERS["min_households_per_county"]
    assert p.role == "numerical" and p.integer and p.default == 20
    for name in ("origin_distance_decay", "origin_push_elasticity", "province_outside_cities"):
        assert name in PARAMETERS and PARAMETERS[name].reference


# ------------------------------------------------------------------------------------------ census worlds
def test_china_census_world_interface():
    w = build_china_census(100_000)
    C, J = w.n_counties, w.n_cities
    assert w.source == "census" and J == 329 and 1500 < C < 2500
    assert len(w.county_codes) == len(w.county_members) == len(w.county_names_pinyin) == C
    assert sum(len(m) for m in w.county_members) == 2948
    assert w.county_multiplier.tolist() == [len(m) for m in w.county_members]
    assert w.county_lonlat.shape == (C, 2) and w.distance.shape == (C, J)
    assert w.prefecture_city.dtype.kind == "i" and w.is_urban_district.dtype == bool
    assert w.county_households.sum() == 100_000 and w.county_households.min() >= 20
    expected = 100_000 * w.county_rural_pop / w.county_rural_pop.sum()
    assert np.abs(w.county_households - expected).max() < 1.0  # proportional: one weight would nearly do
    p = parameter_values()
    assert w.county_rural_pop.sum() == pytest.approx(1.361e9 * (1 - p["urban_hukou_share"]))
    assert w.county_town_pop.sum() + w.city_pop.sum() == pytest.approx(1.361e9 * p["target_urbanization"])
    assert w.totals["population"] == pytest.approx(1.361e9)


def test_distances_are_great_circle_kilometres():
    assert great_circle_km(116.4074, 39.9042, 121.4737, 31.2304) == pytest.approx(1068, abs=5)  # Beijing-Shanghai
    w = build_china_census(100_000)
    i, j = w.find_county("房山区"), w.find_city("上海")
    d = great_circle_km(*w.county_lonlat[i], *w.city_lonlat[j])
    assert w.distance[i, j] == pytest.approx(d) and 1000 < d < 1150


def test_urban_districts_point_at_their_own_city():
    w = build_china_census(1_000_000)
    i = w.find_county("北京市房山区")
    assert w.is_urban_district[i] and w.city_names[w.prefecture_city[i]] == "北京市"
    k = w.find_county("中牟县")  # a county of Zhengzhou, not one of its districts
    assert not w.is_urban_district[k] and w.city_names[w.prefecture_city[k]] == "郑州市"
    assert w.is_urban_district.sum() > 300
    # a county's prefecture city is in its own province
    prov = np.array(w.county_province)
    assert (np.array(w.city_province)[w.prefecture_city] == prov).all()


def test_fewer_households_mean_fewer_bigger_model_counties():
    small, big = build_china_census(10_000), build_china_census(1_000_000)
    assert small.n_counties < 400 < 2000 < big.n_counties
    assert small.county_multiplier.mean() > 5
    assert small.county_rural_pop.sum() == pytest.approx(big.county_rural_pop.sum())


def test_province_worlds_contrast_a_sender_and_a_receiver():
    henan = build_province_census("河南", 50_000)
    guangdong = build_province_census("guangdong", 50_000)
    for w, n_inside in ((henan, 17), (guangdong, 21)):
        assert w.city_inside.sum() == n_inside and (~w.city_inside).sum() == 12
        assert (w.city_migrant_draw[~w.city_inside] > 0).all() and (w.city_migrant_draw[w.city_inside] == 0).all()
        assert w.prefecture_city.max() < n_inside  # every county's city is inside
        assert w.county_households.sum() == 50_000 and w.county_households.min() >= 20
    assert henan.totals["population"] == pytest.approx(95.7e6, rel=0.02)
    assert "上海市" in [henan.city_names[j] for j in np.flatnonzero(~henan.city_inside)]
    per_head = {w.name: w.totals["migrants_to_other_provinces"] / w.totals["population"] for w in (henan, guangdong)}
    assert per_head["province Henan"] > 3 * per_head["province Guangdong"]


def test_province_is_found_by_code_or_name_with_did_you_mean():
    for q in ("410000", 410000, "41", "河南省", "河南", "Henan", "HENAN", " henan "):
        assert find_province(q) == "410000"
    assert find_province("Shanxi") == "140000" and find_province("Shaanxi") == "610000"
    assert find_province("内蒙古") == "150000" and find_province("Inner Mongolia") == "150000"
    with pytest.raises(PlaceLookupError, match="did you mean.*Henan"):
        find_province("Hennan")


def test_county_lookup_by_chinese_pinyin_code_and_parent():
    w = build_china_census(1_000_000)
    i = w.find_county("房山区")
    assert w.find_county("fangshanqu") == w.find_county("FangShan Qu") == w.find_county("110111") == i
    with pytest.raises(PlaceLookupError, match="ambiguous"):
        w.find_county("Fangshan")  # 房山区 (Beijing) and 方山县 (Shanxi) share the pinyin stem
    assert w.find_county("北京房山") == i and w.find_county("Beijing Fangshanqu") == i
    with pytest.raises(PlaceLookupError, match="ambiguous") as info:
        w.find_county("朝阳区")
    assert len(info.value.candidates) >= 2
    assert w.find_county("长春市朝阳区") != w.find_county("北京市朝阳区")
    with pytest.raises(PlaceLookupError, match="did you mean"):
        w.find_county("Fangshanq")
    assert w.county_names[w.find_county("Guoyang")].startswith("涡阳县")  # polyphone corrected (not "Woyang")
    # a merged model county is found by any of its members
    merged = next(k for k, m in enumerate(w.county_members) if len(m) > 2)
    for code in w.county_members[merged]:
        assert w.find_county(code) == merged


def test_build_world_keys_keep_old_callers_working():
    rng = np.random.default_rng(0)
    old, total = build_world({"households": 3000, "places": "synthetic"}, rng)
    assert PLACES_DEFAULT == "census" and old.source == "synthetic" and old.n_counties == 300
    assert total == 1.361e9
    syn, _ = build_world({"preset": "synthetic_china", "counties": 50}, rng)
    assert syn.n_counties == 50 and not syn.is_urban_district.any()
    census, total = build_world({"preset": "china", "places": "census", "households": 30_000}, rng)
    assert census.source == "census" and total == pytest.approx(1.361e9)
    capped, _ = build_world({"preset": "china", "places": "census", "households": 30_000, "counties": 200}, rng)
    assert capped.n_counties == 200
    prov, total = build_world({"preset": "province", "province": "Sichuan", "households": 20_000}, rng)
    assert prov.name == "province Sichuan" and total == pytest.approx(prov.totals["population"])
    with pytest.raises(ValueError, match="unknown preset"):
        build_world({"preset": "mars"}, rng)
    with pytest.raises(ValueError, match="province"):
        build_world({"preset": "china", "province": "Henan"}, rng)


def test_census_world_parameters_reach_the_world():
    w = build_china_census(30_000, params={"urban_hukou_share": 0.38, "total_population": 1.35e9})
    assert w.county_rural_pop.sum() == pytest.approx(1.35e9 * 0.62)
    with pytest.raises(ValueError, match="min_households_per_county"):
        build_china_census(30_000, params={"min_households_per_county": 50_000})


def test_china_census_world_runs_in_the_engine_with_the_synthetic_national_totals():
    """Before the engine uses the per-county plan: the start state's national totals stay within 0.5 %."""
    synthetic = sim.build_model({"world": {"households": 30_000}}, seed=2).outcomes
    census = sim.build_model({"world": {"households": 30_000, "places": "census"}}, seed=2).outcomes
    for key in ("population", "urbanization_rate", "hukou_urbanization_rate", "migrant_workers"):
        assert census[key] == pytest.approx(synthetic[key], rel=0.005), key


def test_world_part_of_the_build_is_fast():
    build_china_census(1_000_000)  # warm: tables read and the 2013 start cached
    for n, limit in ((100_000, 1.0), (1_000_000, 1.5)):
        t = time.perf_counter()
        build_world({"preset": "china", "places": "census", "households": n}, np.random.default_rng(0))
        assert time.perf_counter() - t < limit, n


# ------------------------------------------------------------------------------------------ households
def test_apportion_is_proportional_with_a_floor():
    assert apportion([1, 1, 2], 8).tolist() == [2, 2, 4]
    counts = apportion([1, 100, 100], 30, minimum=5)
    assert counts.tolist() == [5, 13, 12] and counts.sum() == 30
    with pytest.raises(ValueError):
        apportion([1, 1], 3, minimum=2)


def test_household_weights_make_each_county_real_size():
    county = np.array([0, 0, 1, 1, 1])
    persons = np.array([2, 3, 1, 1, 2])
    w = household_weights([100.0, 40.0], county, persons)
    assert np.bincount(county, w * persons).tolist() == pytest.approx([100.0, 40.0])
    with pytest.raises(ValueError, match="no agent persons"):
        household_weights([1.0, 1.0, 5.0], county, persons)


def test_household_counts_use_the_worlds_plan():
    w = build_china_census(20_000)
    assert county_household_counts(w, 20_000).tolist() == w.county_households.tolist()
    with pytest.raises(ValueError, match="built for 20000"):
        county_household_counts(w, 30_000)
    syn, _ = build_world({"counties": 10, "places": "synthetic"}, np.random.default_rng(0))
    counts = county_household_counts(syn, 1000)
    assert counts.sum() == 1000 and counts.min() >= 1


# ------------------------------------------------------------------------------------------ packaging, scenarios
@pytest.mark.slow
def test_wheel_contains_the_geography_data(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0 and ("Could not find a version" in r.stderr or "No matching distribution" in r.stderr):
        pytest.skip("no build backend reachable: " + r.stderr[-300:])
    assert r.returncode == 0, r.stderr[-2000:]
    wheel = next(tmp_path.glob("chengxiang-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("units.csv", "cities.csv", "groups.csv", "provinces.csv", "README.md", "LICENSE-census-MIT.txt"):
        assert f"sim/data/geography/{f}" in names
    assert "sim/geography/start.py" in names


PROVINCES = [ROOT / "scenarios" / "province" / f"{name}.yaml" for name in ("guangdong", "henan")]


@pytest.mark.parametrize("path", PROVINCES, ids=lambda p: p.name)
def test_province_scenarios_load_and_build_their_province(path):
    from sim.scenario import load_scenario

    scenario = load_scenario(path)
    world, _ = build_world(scenario.model_dump()["world"], np.random.default_rng(0))
    assert world.source == "census" and scenario.world.preset == "province"
    assert world.name.lower().endswith(str(scenario.world.province).lower())
