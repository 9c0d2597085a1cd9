"""Scenario files: shipped scenarios, schedule semantics, every bad-input class, CLI behaviour, fuzzing."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import yaml_reader
from sim.inputs.config import normalize_config
from sim.inputs.registry import LEVERS, UNCERTAINTIES
from sim.inputs.policy import PolicyTable
from sim.inputs.schedule import Schedule
from sim.scenario import Scenario, ScenarioError, json_schema, load_scenario, validate_files
from sim.scenario.docs import DOC_BEGIN, DOC_END, parameter_tables_markdown

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BAD = ROOT / "tests" / "fixtures" / "bad_scenarios"
SHIPPED = sorted(SCENARIOS.rglob("*.yaml"))
BASELINE = SCENARIOS / "baseline.yaml"
REFORMS = [p for p in SHIPPED if p.parent == SCENARIOS and p.name != "baseline.yaml"]
RUN_PY = ROOT / "run.py"
ALL_NAMES = {**LEVERS, **UNCERTAINTIES}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path | str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.messages, "a ScenarioError must carry messages"
    return info.value.messages


def own_data(path: Path) -> dict:
    """The file's own content (no extends), as the strict reader sees it."""
    return yaml_reader.read(path).data


def table(scenario: Scenario) -> PolicyTable:
    cfg = normalize_config(scenario)
    return PolicyTable(cfg["levers"], cfg["uncertainties"])


# ================================================================================ shipped scenarios
def test_expected_scenarios_ship():
    names = {p.relative_to(SCENARIOS).as_posix() for p in SHIPPED}
    for required in ["baseline.yaml", "new_urbanization.yaml", "rural_revitalization.yaml", "integrated.yaml",
                     "hukou_relaxation.yaml", "land_rights_exit.yaml", "county_services.yaml",
                     "province/baseline.yaml", "province/integrated.yaml"]:
        assert required in names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_shipped_round_trip_and_engine_format(path, tmp_path):
    scenario = load_scenario(path)
    text = scenario.to_yaml()
    again = load_scenario(write(tmp_path, "resolved.yaml", text))
    assert again == scenario
    assert again.config_hash() == scenario.config_hash()
    assert again.to_yaml() == text
    assert "extends" not in yaml_reader.parse(text).data

    dump = scenario.model_dump(mode="python")
    assert set(dump) == {"name", "description", "world", "time", "seeds", "uncertainties", "levers", "parameters"}
    assert set(dump["world"]) == {"preset", "province", "places", "households", "counties", "counties_csv",
                                  "cities_csv"}
    for section, registry in (("levers", LEVERS), ("uncertainties", UNCERTAINTIES)):
        for key, spec in dump[section].items():
            assert key in registry
            if isinstance(spec, dict):
                assert set(spec) <= {"values", "interpolation", "reference"}
                assert spec["interpolation"] in ("step", "linear")
                assert all(type(y) is int for y in spec["values"])
                assert all(type(v) is float for v in spec["values"].values())
            else:
                assert type(spec) is float
    cfg = normalize_config(scenario)
    assert cfg["levers"] == dump["levers"] and cfg["time"] == dump["time"] and cfg["parameters"] == {}
    policy = PolicyTable(cfg["levers"], cfg["uncertainties"])
    for year in range(cfg["time"]["start_year"], cfg["time"]["end_year"] + 1):
        for name, value in policy.values(year).items():
            assert ALL_NAMES[name].low <= value <= ALL_NAMES[name].high, (name, year, value)
    # what the runner does with --seeds/--households/--end-year overrides: the engine dump re-validates
    revalidated = Scenario.model_validate(dump)
    assert revalidated.config_hash() == scenario.config_hash()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_shipped_have_description_and_reference_on_every_value(path):
    data = own_data(path)
    assert len(data.get("description", "")) > 80
    values = {**(data.get("levers") or {}), **(data.get("uncertainties") or {})}
    for name, spec in values.items():
        assert isinstance(spec, dict) and isinstance(spec.get("reference"), str), name
        assert len(spec["reference"]) > 20, name


def test_baseline_encodes_the_policy_history():
    scenario = load_scenario(BASELINE)
    assert (scenario.world.preset, scenario.time.start_year, scenario.time.end_year) == ("china", 2013, 2050)
    assert scenario.world.households == 100_000 and scenario.seeds.replicates == 10
    t = table(scenario)
    v = t.value
    for name in ALL_NAMES:  # 2013: before any reform, every value is the registry default
        assert v(name, 2013) == ALL_NAMES[name].default, name
    # 2014 hukou reform: towns and small cities open, medium relaxed, large conditional, megacities controlled
    assert v("settlement_openness_small", 2014) >= 0.9 and v("settlement_openness_county_town", 2014) >= 0.9
    assert v("settlement_openness_medium", 2013) < v("settlement_openness_medium", 2014)
    assert v("settlement_openness_large_ii", 2013) < v("settlement_openness_large_ii", 2014) < 0.5
    assert v("settlement_openness_megacity", 2014) == v("settlement_openness_megacity", 2013)
    # 2016 residence permits; 2019 opening of 1-3 M cities and relaxing of 3-5 M; 2024 step below 3 M
    assert v("services_by_residence", 2015) < v("services_by_residence", 2016)
    assert v("settlement_openness_large_ii", 2018) < v("settlement_openness_large_ii", 2019) >= 0.8
    assert v("settlement_openness_large_i", 2018) < v("settlement_openness_large_i", 2019)
    assert v("settlement_openness_large_ii", 2023) < v("settlement_openness_large_ii", 2024) >= 0.95
    assert max(v("settlement_openness_megacity", y) for y in range(2013, 2051)) < 0.1
    # land pilots: 33 counties from 2015, new homestead round 2020; land revenue ramp to the 2025 target
    assert v("land_paid_exit", 2014) == 0 < v("land_paid_exit", 2015) < v("land_paid_exit", 2020) < 0.05
    assert v("land_revenue_to_agriculture", 2020) == 0.06 < v("land_revenue_to_agriculture", 2021)
    assert v("land_revenue_to_agriculture", 2025) == 0.08
    assert v("skills_training_coverage", 2019) > v("skills_training_coverage", 2018)
    assert v("county_industry_promotion", 2022) > v("county_industry_promotion", 2021)
    # no new action after 2024: the only later date is the 2025 target the 2020 decision set
    later = {(n, y) for n, s in scenario.model_dump()["levers"].items() if isinstance(s, dict)
             for y in s["values"] if y > 2024}
    assert later == {("land_revenue_to_agriculture", 2025)}
    levers_2025, levers_2050 = t.values(2025), t.values(2050)
    assert {n: levers_2025[n] for n in LEVERS} == {n: levers_2050[n] for n in LEVERS}
    # exogenous population change keeps its dated path (NBS to 2024, then a projection)
    assert t.values(2024)["birth_rate"] == 0.00677 and t.values(2050)["death_rate"] == 0.0115


@pytest.mark.parametrize("path", REFORMS, ids=lambda p: p.name)
def test_reforms_extend_baseline_and_change_nothing_before_2025(path):
    data = own_data(path)
    assert data["extends"] == "baseline"
    assert set(data) <= {"name", "description", "extends", "levers", "uncertainties"}
    for spec in data["levers"].values():
        assert min(spec["values"]) >= 2025
    base, reform = table(load_scenario(BASELINE)), table(load_scenario(path))
    for year in range(2013, 2025):
        assert reform.values(year) == base.values(year), year
    changed = {n for n in LEVERS for y in range(2025, 2051) if reform.value(n, y) != base.value(n, y)}
    assert changed == set(data["levers"])


def test_integrated_combines_both_strategies_and_the_county():
    def own_levers(name):
        return own_data(SCENARIOS / f"{name}.yaml")["levers"]

    integrated = own_levers("integrated")
    urban, rural = own_levers("new_urbanization"), own_levers("rural_revitalization")
    for name in [*urban, *rural]:
        assert integrated[name]["values"] == (urban.get(name) or rural[name])["values"], name
    extra = set(integrated) - set(urban) - set(rural)
    assert {"county_fiscal_autonomy", "land_paid_exit", "unified_construction_land_market"} <= extra


def test_province_examples_use_the_province_preset_with_national_policies():
    for name in ("baseline", "integrated"):
        national, province = load_scenario(SCENARIOS / f"{name}.yaml"), load_scenario(SCENARIOS / "province" /
                                                                                       f"{name}.yaml")
        assert province.world.preset == "synthetic_province" and national.world.preset == "china"
        assert province.name == f"province_{name}"
        assert province.levers == national.levers and province.time == national.time


def test_shipped_scenarios_run_in_the_engine():
    import sim

    for path in SHIPPED:
        scenario = load_scenario(path)
        data = scenario.model_dump()
        data["world"]["households"], data["time"]["end_year"] = 2000, 2015
        small = Scenario.model_validate(data)
        model = sim.build_model(small, seed=1)
        assert model.policy.values(2014) == table(scenario).values(2014)
        frame = sim.run(small, seed=1)
        assert list(frame["year"]) == [2013, 2014, 2015]


# ================================================================================ schedules
def test_step_and_linear_interpolation(tmp_path):
    path = write(tmp_path, "s.yaml", """
levers:
  services_by_residence: {values: {2020: 0.4, 2030: 0.8}, interpolation: linear, reference: test}
  county_infrastructure: {values: {2020: 0.4, 2030: 0.8}}
  county_fiscal_autonomy: 0.5
  citizenization_support: {value: 0.25, reference: a constant with its source}
  employment_services: null
""")
    scenario = load_scenario(path)
    t = table(scenario)
    default = LEVERS["services_by_residence"].default
    assert [t.value("services_by_residence", y) for y in (2019, 2020, 2025, 2030, 2035)] == \
        [default, 0.4, pytest.approx(0.6), 0.8, 0.8]
    assert [t.value("county_infrastructure", y) for y in (2019, 2020, 2029, 2030)] == [0.3, 0.4, 0.4, 0.8]
    assert t.value("county_fiscal_autonomy", 2013) == 0.5 == t.value("county_fiscal_autonomy", 2035)
    assert t.value("citizenization_support", 2013) == 0.25
    assert t.schedule("citizenization_support").reference == "a constant with its source"
    assert t.schedule("services_by_residence").reference == "test"
    assert t.value("employment_services", 2020) == LEVERS["employment_services"].default
    dump = scenario.model_dump()["levers"]
    assert dump["county_infrastructure"]["interpolation"] == "step"
    assert dump["citizenization_support"] == {"values": {2013: 0.25}, "interpolation": "step",
                                              "reference": "a constant with its source"}
    assert "employment_services" not in dump
    assert scenario.levers.citizenization_support.schedule().at(2020) == 0.25


def test_a_reform_from_2025_keeps_the_history_and_follows_its_schedule(tmp_path):
    write(tmp_path, "parent.yaml", """
time: {start_year: 2013, end_year: 2040}
levers:
  services_by_residence: {values: {2016: 0.45, 2024: 0.55}, reference: history}
  county_infrastructure: {values: {2018: 0.35, 2030: 0.5}, interpolation: linear}
  county_fiscal_autonomy: 0.4
  land_paid_exit: {value: 0.1, reference: pilots}
""")
    child = write(tmp_path, "child.yaml", """
extends: parent
levers:
  services_by_residence: {values: {2025: 0.7, 2030: 1.0}, interpolation: linear, reference: reform}
  county_infrastructure: {values: {2025: 0.8}}
  county_fiscal_autonomy: {values: {2026: 0.9}}
  land_paid_exit: 0.5
""")
    parent, reform = table(load_scenario(tmp_path / "parent.yaml")), table(load_scenario(child))
    for name in ("services_by_residence", "county_infrastructure"):
        for year in range(2013, 2025):
            assert reform.value(name, year) == pytest.approx(parent.value(name, year), abs=1e-12), (name, year)
    assert [reform.value("services_by_residence", y) for y in (2025, 2026, 2030, 2040)] == \
        [0.7, pytest.approx(0.76), 1.0, 1.0]
    assert reform.value("county_infrastructure", 2025) == 0.8 == reform.value("county_infrastructure", 2040)
    assert [reform.value("county_fiscal_autonomy", y) for y in (2013, 2025, 2026)] == [0.4, 0.4, 0.9]
    assert reform.value("land_paid_exit", 2013) == 0.5  # a plain number replaces the whole history
    assert reform.schedule("services_by_residence").reference == "until 2024: history | from 2025: reform"


years = st.integers(2013, 2040)
shares = st.floats(0, 1, allow_nan=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parent=st.dictionaries(years, shares, min_size=1, max_size=5),
       child=st.dictionaries(years, shares, min_size=1, max_size=5),
       interps=st.tuples(st.sampled_from(["step", "linear"]), st.sampled_from(["step", "linear"])),
       constant=st.booleans())
def test_splice_is_exact_for_any_pair_of_schedules(parent, child, interps, constant, tmp_path_factory):
    folder = tmp_path_factory.mktemp("splice")
    p_spec = {"value": 0.3} if constant else {"values": parent, "interpolation": interps[0]}
    write(folder, "p.yaml", yaml.safe_dump({"time": {"start_year": 2013, "end_year": 2040},
                                            "levers": {"services_by_residence": p_spec}}))
    write(folder, "c.yaml", yaml.safe_dump({"extends": "p", "levers": {"services_by_residence": {
        "values": child, "interpolation": interps[1]}}}))
    p_table, c_table = table(load_scenario(folder / "p.yaml")), table(load_scenario(folder / "c.yaml"))
    own = Schedule({"values": child, "interpolation": interps[1]}, before=math.nan)
    first = min(child)
    for year in range(2013, 2041):
        got = c_table.value("services_by_residence", year)
        want = p_table.value("services_by_residence", year) if year < first else own.at(year)
        assert got == pytest.approx(want, abs=1e-9), (year, got, want)


# ================================================================================ bad input
def expect(path: Path, line: int | None, key: str, fragment: str, messages: list[str]) -> None:
    prefix = f"{path}:{line}:" if line else f"{path}:"
    prefix += f" {key}:" if key else ""
    hits = [m for m in messages if m.startswith(prefix + " ") and fragment in m]
    assert hits, f"no message starting {prefix!r} containing {fragment!r} in:\n" + "\n".join(messages)


BAD_CASES = {
    "unknown_keys.yaml": [
        (2, "descripton", "unknown key 'descripton' (did you mean 'description'?)"),
        (5, "world.countys", "did you mean 'counties'?"),
        (6, "time.end_yaer", "did you mean 'end_year'?"),
        (8, "levers.settlement_openness_smal", "did you mean 'settlement_openness_small'?"),
        (9, "levers.birth_rate", "is an uncertainty: put it under `uncertainties:`"),
        (12, "levers.services_by_residence.interpolaton", "did you mean 'interpolation'?"),
    ],
    "wrong_types.yaml": [
        (2, "description", "expected text, got a number (12)"),
        (4, "world.households", "expected a whole number, got the text 'many'"),
        (5, "world.preset", "must be one of 'china', 'province', 'synthetic_china', 'synthetic_province', got a list"),
        (7, "seeds.replicates", "expected a whole number, got a number (2.5)"),
        (9, "levers.services_by_residence", "got the text '0.5' (remove the quotes"),
        (10, "levers.county_infrastructure", "expected a number, got a list"),
        (12, "levers.land_paid_exit.values", "expected a mapping"),
    ],
    "out_of_range.yaml": [
        (3, "world.households", "0 is out of range"),
        (5, "seeds.root", "-1 is out of range"),
        (7, "levers.services_by_residence", "1.5 is out of range: services_by_residence takes 0 to 1 (share)"),
        (8, "levers.land_exit_compensation", "takes 0 to 50 (years of land income)"),
        (10, "levers.county_infrastructure.values.2030", "-0.1 is out of range"),
        (12, "uncertainties.birth_rate", "0.5 is out of range: birth_rate takes 0 to 0.05"),
    ],
    "non_finite.yaml": [
        (3, "levers.services_by_residence", "expected a finite number, got nan"),
        (4, "levers.county_infrastructure", "expected a finite number, got inf"),
        (6, "levers.land_paid_exit.values.2020", "expected a finite number, got -inf"),
    ],
    "end_before_start.yaml": [(4, "time.end_year", "end_year (2010) must be after start_year (2013)")],
    "schedule_outside_run.yaml": [
        (9, "levers.services_by_residence.values.2060", "year 2060 is outside the run (2013-2035)"),
        (11, "levers.county_infrastructure.values.2005", "year 2005 is outside the run"),
    ],
    "yaml11_booleans.yaml": [
        (3, "levers.services_by_residence", "got the text 'no' (YAML 1.1 would read it as a boolean"),
        (4, "levers.county_infrastructure", "got the text 'on'"),
        (5, "levers.land_paid_exit", "expected a number, got a boolean (true)"),
    ],
    "dates_and_strings.yaml": [
        (3, "time.start_year", "got the text '2013-01-01'"),
        (5, "levers.services_by_residence", "got the text '1,5'"),
    ],
    "repeated_keys.yaml": [
        (5, "levers.services_by_residence", "repeated key 'services_by_residence' (first at line 3)"),
        (8, "time", "repeated key 'time' (first at line 6)"),
    ],
    "alias_bomb.yaml": [
        (2, "a", "anchors (&a) are not allowed"),
        (3, "b.0", "aliases (*a) are not allowed"),
    ],
    "tabs.yaml": [(3, "", "tab character in indentation (line 3)")],
    "syntax_error.yaml": [(4, "", "YAML syntax error: did not find expected ',' or ']'")],
    "empty.yaml": [(None, "", "file is empty")],
    "only_comments.yaml": [(None, "", "file is empty")],
    "not_a_mapping.yaml": [(1, "", "top level must be a mapping of keys (name, description, world, ...), "
                                   "found a list")],
    "scalar_top.yaml": [(1, "", "top level must be a mapping")],
    "missing_extends.yaml": [(2, "extends", "no scenario 'baselin' next to this file or in "), (
        2, "extends", "(did you mean 'baseline'?)")],
    "bad_values.yaml": [
        (1, "name", "'bad values!' is not a valid name"),
        (3, "levers.services_by_residence", "give either `value` (a constant) or `values`"),
        (6, "levers.county_infrastructure", "`interpolation` applies to dated `values` only"),
        (9, "levers.land_paid_exit", "`values` needs at least one dated value"),
        (12, "levers.agri_tech_transfer.values.twenty", "a year must be a whole number from 1990 to 2200"),
        (13, "levers.agri_tech_transfer.interpolation", "(did you mean 'linear'?)"),
    ],
    "tables.yaml": [(3, "world.counties_csv", "no such file")],
    "multi_document.yaml": [(2, "", "more than one YAML document")],
    "tags.yaml": [
        (3, "levers.services_by_residence", "YAML tags"),
        (4, "levers.county_infrastructure", "YAML tags"),
    ],
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_fixture_reports_every_problem_with_file_line_key(name):
    path = BAD / name
    messages = errors_of(str(path))
    for line, key, fragment in BAD_CASES[name]:
        expect(path, line, key, fragment, messages)
    assert all(m.startswith(f"{path}:") for m in messages)
    if name not in ("alias_bomb.yaml",):  # nothing else than what is listed
        assert len(messages) == len(BAD_CASES[name]) - (name == "missing_extends.yaml"), messages


def test_every_fixture_is_covered():
    fixtures = {p.name for p in BAD.glob("*.yaml")}
    assert fixtures - {"cycle_a.yaml", "cycle_b.yaml"} == set(BAD_CASES)


def test_cycle_in_extends(tmp_path):
    messages = errors_of(str(BAD / "cycle_a.yaml"))
    assert len(messages) == 2, messages
    expect(BAD / "cycle_a.yaml", 2, "extends", "the extended scenario 'cycle_b' has errors", messages)
    cycle = [m for m in messages if ":2: extends: cycle: " in m]
    assert len(cycle) == 1 and cycle[0].startswith(str(BAD / "cycle_b.yaml")), messages
    chain = cycle[0].split("cycle: ")[1].split(" -> ")
    assert [Path(p).name for p in chain] == ["cycle_a.yaml", "cycle_b.yaml", "cycle_a.yaml"]
    write(tmp_path, "self.yaml", "extends: self\n")
    assert "extends: cycle:" in errors_of(tmp_path / "self.yaml")[0]


def test_errors_in_an_extended_file_point_at_that_file(tmp_path):
    write(tmp_path, "parent.yaml", "levers:\n  services_by_residence: 2.0\n")
    child = write(tmp_path, "child.yaml", "extends: parent\nlevers:\n  county_infrastructure: 7\n")
    messages = errors_of(child)
    expect(tmp_path / "parent.yaml", 2, "levers.services_by_residence", "2.0 is out of range", messages)
    expect(child, 3, "levers.county_infrastructure", "7 is out of range", messages)
    write(tmp_path, "broken.yaml", "levers: [\n")
    messages = errors_of(write(tmp_path, "c2.yaml", "extends: broken.yaml\n"))
    assert any("broken.yaml:" in m and "YAML syntax error" in m for m in messages)
    expect(tmp_path / "c2.yaml", 1, "extends", "has errors", messages)


def test_file_level_problems(tmp_path):
    assert errors_of(tmp_path / "missing.yaml") == [f"{tmp_path / 'missing.yaml'}: no such file"]
    assert errors_of(tmp_path) == [f"{tmp_path}: is a folder, not a scenario file"]
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "not a text file" in errors_of(binary)[0]
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("name: x\ndescription: caf\xe9\n".encode("latin-1"))
    assert errors_of(latin) == [f"{latin}:2: not UTF-8 text (byte 0xe9 at line 2); save the file as UTF-8"]
    control = write(tmp_path, "control.yaml", "name: a\x07b\n")
    assert "not a valid YAML text file" in errors_of(control)[0]
    bom = tmp_path / "bom.yaml"
    bom.write_bytes("\ufeffname: bom\n".encode("utf-8"))
    assert load_scenario(bom).name == "bom"


def test_yaml_12_numbers_and_text(tmp_path):
    path = write(tmp_path, "numbers.yaml", """
name: numbers
description: "1e3"
world: {households: 1e4}
seeds: {root: 0x10, replicates: 1_0}
levers:
  land_exit_compensation: 1e1
  services_by_residence: {values: {2020: .5}, reference: no}
""")
    s = load_scenario(path)
    assert s.description == "1e3" and s.world.households == 10000 and s.seeds.root == 16
    assert s.seeds.replicates == 10 and s.levers.land_exit_compensation.value == 10.0
    assert s.levers.services_by_residence.values == {2020: 0.5}
    assert s.levers.services_by_residence.reference == "no"
    assert load_scenario(write(tmp_path, "again.yaml", s.to_yaml())) == s


def test_hostile_files_stay_fast_and_small(tmp_path):
    cases = {
        "deep.yaml": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "deep_map.yaml": "a: " + "{b: " * 50_000 + "1" + "}" * 50_000 + "\n",
        "many_nodes.yaml": "levers:\n" + "".join(f"  k{i}: {i}\n" for i in range(30_000)),
        "huge.yaml": "description: '" + "x" * 2_000_000 + "'\n",
        "bomb.yaml": (BAD / "alias_bomb.yaml").read_text(),
    }
    # PyYAML >= 6.0.4 stops deep flow nesting itself ("maximum nesting depth"); older ones reach our own cap.
    nesting = ("nesting deeper than", "maximum nesting depth")
    expected = {"deep.yaml": nesting, "deep_map.yaml": nesting, "many_nodes.yaml": ("YAML nodes",),
                "huge.yaml": ("larger than",), "bomb.yaml": ("aliases",)}
    for name, text in cases.items():
        path = write(tmp_path, name, text)
        started = time.perf_counter()
        messages = errors_of(path)
        assert time.perf_counter() - started < 2.0, name
        assert any(e in m for e in expected[name] for m in messages), (name, messages[:3])
        assert len(messages) < 20


# ================================================================================ validate_files, schema, docs
def test_validate_files_reports_all_files(tmp_path, capsys):
    bad = write(tmp_path, "bad.yaml", "levers:\n  no_such_lever: 1\n")
    missing = tmp_path / "missing.yaml"
    status = validate_files([BASELINE, bad, missing], out=sys.stderr)
    out, err = capsys.readouterr()
    assert status == 2
    assert f"OK {BASELINE}" in out and "bad.yaml" not in out
    assert f"{bad}:2: levers.no_such_lever: unknown key" in err and f"{missing}: no such file" in err
    assert validate_files([BASELINE, SCENARIOS / "integrated.yaml"]) == 0


def test_json_schema_describes_the_format():
    schema = json_schema()
    text = json.dumps(schema)
    assert set(schema["properties"]) == {"name", "description", "extends", "world", "time", "seeds",
                                         "uncertainties", "levers", "parameters"}
    defs = schema["$defs"]
    assert set(defs["Levers"]["properties"]) == set(LEVERS)
    assert set(defs["Uncertainties"]["properties"]) == set(UNCERTAINTIES)
    birth = defs["Value_birth_rate"]["anyOf"][0]
    assert birth == {"type": "number", "minimum": 0.0, "maximum": 0.05}
    assert '"additionalProperties": false' in text
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(json.dumps(own_data(SCENARIOS / "integrated.yaml")))  # year keys as JSON strings
    jsonschema.validate(data, schema)
    data["levers"]["services_by_residence"] = 3.0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_docs_list_every_key_and_are_up_to_date():
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    block = doc.split(DOC_BEGIN, 1)[1].split(DOC_END, 1)[0]
    assert block.strip() == parameter_tables_markdown().strip(), "run: python -m sim.scenario.docs"
    for name in ALL_NAMES:
        assert f"| `{name}` |" in block
    for key in ("world.preset", "world.households", "world.counties", "world.counties_csv", "world.cities_csv",
                "time.start_year", "time.end_year", "seeds.root", "seeds.replicates", "`extends`", "`name`",
                "`description`"):
        assert key in doc
    for path in SHIPPED:
        assert path.relative_to(SCENARIOS).as_posix() in doc


# ================================================================================ CLI (run.py)
needs_run_py = pytest.mark.skipif(not RUN_PY.exists(), reason="run.py not written yet")


def run_cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    return subprocess.run([sys.executable, str(RUN_PY), *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@needs_run_py
def test_cli_validate_bad_file_exits_2_without_traceback(tmp_path):
    bad = BAD / "unknown_keys.yaml"
    r = run_cli("validate", BASELINE, bad, cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr + r.stdout
    assert f"{bad}:8: levers.settlement_openness_smal: unknown key" in r.stdout + r.stderr
    assert f"OK {BASELINE}" in r.stdout
    r = run_cli("validate", *SHIPPED, cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.count("OK ") == len(SHIPPED)


@needs_run_py
@pytest.mark.parametrize("fixture", ["out_of_range.yaml", "syntax_error.yaml", "cycle_a.yaml", "empty.yaml"])
def test_cli_run_with_bad_scenario_exits_2_and_writes_nothing(fixture, tmp_path):
    out = tmp_path / "x"
    r = run_cli(BAD / fixture, "--out", out, cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert f"{BAD / fixture}:" in r.stderr
    assert not out.exists() and not (tmp_path / "results").exists()


@needs_run_py
def test_cli_schema_is_the_json_schema(tmp_path):
    r = run_cli("schema", cwd=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout) == json.loads(json.dumps(json_schema()))


# ================================================================================ fuzzing
KEYS = ["name", "description", "extends", "world", "time", "seeds", "levers", "uncertainties", "preset",
        "households", "counties", "start_year", "end_year", "root", "replicates", "values", "value",
        "interpolation", "reference", "counties_csv", *list(LEVERS)[:6], *list(UNCERTAINTIES)[:2]]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["step", "linear", "china", "province", "no", "yes", "1e3", "2014-01-01", "", "baseline",
                     "~", "*a", "&a", "!!python/name:os.system"]),
    st.integers(1985, 2205), st.text(max_size=12),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.integers(1985, 2205), st.text(max_size=8)), inner,
                        max_size=6),
    ),
    max_leaves=30,
)
top_level = st.fixed_dictionaries({}, optional={k: trees for k in ["name", "world", "time", "seeds", "levers",
                                                                   "uncertainties", "description", "extends"]})


def load_or_error(path: Path) -> Scenario | None:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        assert exc.messages and all(m.startswith(f"{path}:") or "baseline" in m or ".yaml" in m
                                    for m in exc.messages)
        assert not any("internal error" in m for m in exc.messages), exc.messages
        return None


fuzz = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


@fuzz
@given(data=st.one_of(top_level, trees))
def test_fuzz_structures_only_raise_scenario_error(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "f.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    scenario = load_or_error(path)
    if scenario is not None:  # whatever loads also round-trips
        assert load_scenario(write(folder, "again.yaml", scenario.to_yaml())) == scenario


@fuzz
@given(text=st.text(max_size=300))
def test_fuzz_text_only_raises_scenario_error(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "t.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_or_error(path)  # an error is checked inside: our own ScenarioError, file:line messages
    if scenario is not None:  # whatever loads also round-trips
        assert load_scenario(write(path.parent, "again.yaml", scenario.to_yaml())) == scenario


@fuzz
@given(raw=st.binary(max_size=300))
def test_fuzz_bytes_only_raise_scenario_error(raw, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "b.yaml"
    path.write_bytes(raw)
    scenario = load_or_error(path)  # an error is checked inside: our own ScenarioError, file:line messages
    if scenario is not None:  # whatever loads also round-trips
        assert load_scenario(write(path.parent, "again.yaml", scenario.to_yaml())) == scenario


BASELINE_LINES = BASELINE.read_text(encoding="utf-8").splitlines()


@fuzz
@given(index=st.integers(0, len(BASELINE_LINES) - 1), replacement=st.text(max_size=40),
       keep_indent=st.booleans())
def test_fuzz_edited_baseline_only_raises_scenario_error(index, replacement, keep_indent, tmp_path_factory):
    lines = list(BASELINE_LINES)
    old = lines[index]
    indent = old[: len(old) - len(old.lstrip())] if keep_indent else ""
    lines[index] = indent + replacement
    path = tmp_path_factory.mktemp("fuzz") / "edited.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scenario = load_or_error(path)
    if scenario is not None:
        assert scenario.time.end_year > scenario.time.start_year


def _value_strategy(param):
    number = st.floats(param.low, param.high, allow_nan=False, allow_infinity=False)
    reference = st.none() | st.text(max_size=40)
    schedule = st.fixed_dictionaries(
        {"values": st.dictionaries(st.integers(2013, 2040), number, min_size=1, max_size=4)},
        optional={"interpolation": st.sampled_from(["step", "linear"]), "reference": st.text(max_size=40)})
    constant = st.builds(lambda v, r: {"value": v} if r is None else {"value": v, "reference": r}, number,
                         reference)
    return st.one_of(st.none(), number, constant, schedule)


valid_scenarios = st.fixed_dictionaries(
    {"time": st.just({"start_year": 2013, "end_year": 2040})},
    optional={
        "name": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,20}", fullmatch=True),
        "description": st.text(max_size=200),
        "world": st.fixed_dictionaries({}, optional={"preset": st.sampled_from(["china", "province"]),
                                                     "households": st.integers(5000, 10**6),
                                                     "counties": st.none() | st.integers(1, 5000)}),
        "seeds": st.fixed_dictionaries({}, optional={"root": st.integers(0, 2**63 - 1),
                                                     "replicates": st.integers(1, 1000)}),
        "levers": st.fixed_dictionaries({}, optional={n: _value_strategy(p) for n, p in LEVERS.items()}),
        "uncertainties": st.fixed_dictionaries({}, optional={n: _value_strategy(p)
                                                             for n, p in UNCERTAINTIES.items()}),
    },
)


@fuzz
@given(data=valid_scenarios)
def test_any_valid_scenario_round_trips_through_yaml(data, tmp_path_factory):
    scenario = Scenario.model_validate(data)
    folder = tmp_path_factory.mktemp("roundtrip")
    text = scenario.to_yaml()
    again = load_scenario(write(folder, "r.yaml", text))
    assert again == scenario and again.config_hash() == scenario.config_hash()
    assert table(again).values(2030) == table(scenario).values(2030)


@pytest.mark.parametrize("text", ["1e3", "0o17", "1_000", ".5", "-.inf", ".nan", "no", "2014-01-01", "~", "",
                                  "null", "True", "0x1F", "line one\nline two", "  padded  ", "tab\there",
                                  "bell\x07", "caf\u00e9 \u4e2d\u6587", "# not a comment", "key: value"])
def test_text_that_looks_like_something_else_round_trips(text, tmp_path):
    scenario = Scenario.model_validate({"description": text, "levers": {
        "services_by_residence": {"value": 0.5, "reference": text}}})
    again = load_scenario(write(tmp_path, "t.yaml", scenario.to_yaml()))
    assert again.description == text and again.levers.services_by_residence.reference == text


def test_programmatic_scenarios_cannot_carry_unresolved_extends():
    with pytest.raises(Exception, match="resolved by load_scenario"):
        Scenario.model_validate({"extends": "baseline"})
    assert Scenario().model_dump()["levers"] == {}


# ================================================================================ parameters section
def test_parameters_section_sets_model_parameters(tmp_path):
    import sim
    from sim.inputs.registry import PARAMETERS

    path = write(tmp_path, "p.yaml", """
world: {households: 1000}
time: {end_year: 2015}
parameters:
  household_saving_rate: 0.4
  choice_set_size: 12
""")
    scenario = load_scenario(path)
    assert scenario.model_dump()["parameters"] == {"household_saving_rate": 0.4, "choice_set_size": 12.0}
    assert load_scenario(write(tmp_path, "again.yaml", scenario.to_yaml())) == scenario
    model = sim.build_model(scenario, seed=1)
    assert model.params["household_saving_rate"] == 0.4 and model.params["choice_set_size"] == 12
    assert model.params["depreciation"] == PARAMETERS["depreciation"].default
    child = write(tmp_path, "child.yaml", "extends: p.yaml\nparameters:\n  depreciation: 0.05\n")
    assert load_scenario(child).model_dump()["parameters"] == {
        "household_saving_rate": 0.4, "choice_set_size": 12.0, "depreciation": 0.05}  # merged key by key


def test_parameters_are_range_checked_whole_where_counted_and_constant(tmp_path):
    path = write(tmp_path, "bad.yaml", """
parameters:
  depreciation: 0.5
  choice_set_size: 8.5
  depreciaton: 0.05
  household_saving_rate: {values: {2020: 0.3}}
levers:
  utility_income: 2.0
""")
    messages = errors_of(path)
    expect(path, 3, "parameters.depreciation", "0.5 is out of range: depreciation takes 0.04 to 0.1 (per year)",
           messages)
    expect(path, 4, "parameters.choice_set_size", "choice_set_size takes whole numbers (cities), got 8.5", messages)
    expect(path, 5, "parameters.depreciaton", "did you mean 'depreciation'?", messages)
    expect(path, 6, "parameters.household_saving_rate", "expected a number, got a mapping", messages)
    expect(path, 8, "levers.utility_income", "is a model parameter: put it under `parameters:`", messages)
    assert len(messages) == 5, messages


def test_json_schema_has_the_parameters():
    from sim.inputs.registry import PARAMETERS

    props = json_schema()["$defs"]["Parameters"]["properties"]
    assert set(props) == set(PARAMETERS)
    size = json.dumps(props["choice_set_size"])
    assert '"minimum": 4.0' in size and '"maximum": 16.0' in size and '"multipleOf": 1' in size


# ================================================================================ Python dicts
@pytest.mark.parametrize("config, message", [
    ({"time": {"start_year": 2013, "end_year": 2010}},
     "<config>: time.end_year: end_year (2010) must be after start_year (2013)"),
    ({"levers": {"services_by_residence": float("nan")}},
     "<config>: levers.services_by_residence: expected a finite number, got nan"),
    ({"levers": {"services_by_residence": 50}},
     "<config>: levers.services_by_residence: 50 is out of range: services_by_residence takes 0 to 1 (share)"),
    ({"levers": {"county_infrastructur": 0.5}},
     "<config>: levers.county_infrastructur: unknown key 'county_infrastructur' (did you mean "
     "'county_infrastructure'?)"),
    ({"wrld": {"households": 10}}, "<config>: wrld: unknown key 'wrld' (did you mean 'world'?)"),
    ({"parameters": {"no_such_parameter": 1.0}}, "<config>: parameters.no_such_parameter: unknown key"),
    ({"name": "../../X"}, "<config>: name: '../../X' is not a valid name"),
    ([1, 2], "<config>: a scenario is a mapping of keys"),
])
def test_python_dicts_are_validated_by_the_schema(config, message):
    import sim
    from sim.inputs.config import normalize_config

    for entry in (sim.run, sim.build_model, normalize_config):
        with pytest.raises(ScenarioError) as info:
            entry(config)
        assert any(m.startswith(message) for m in info.value.messages), info.value.messages


def test_python_dicts_take_numpy_numbers_and_the_schema_defaults():
    import numpy as np

    from sim.inputs.config import DEFAULT_CONFIG, normalize_config

    cfg = normalize_config({"world": {"households": np.int64(2000)}, "levers": {"county_infrastructure":
                                                                                  np.float32(0.5)}})
    assert cfg["world"]["households"] == 2000 and type(cfg["world"]["households"]) is int
    assert cfg["levers"]["county_infrastructure"] == 0.5
    assert normalize_config(None) == DEFAULT_CONFIG == Scenario().model_dump()
    assert normalize_config({}) == DEFAULT_CONFIG


def test_extends_never_reads_or_echoes_a_file_that_is_not_a_scenario(tmp_path):
    secret = write(tmp_path, "secrets.txt", "hunter2-password\n")
    write(tmp_path, "notes.yaml", "just one line of private text\n")
    child = write(tmp_path, "child.yaml", f"extends: {secret.name}\n")
    messages = errors_of(child)
    assert messages == [f"{child}:1: extends: 'secrets.txt' is not a scenario file (scenario files end in .yaml or "
                        f".yml)"]
    messages = errors_of(write(tmp_path, "child2.yaml", "extends: notes\n"))
    assert any("found text" in m for m in messages), messages
    assert not any("private" in m or "hunter2" in m for m in messages), messages
