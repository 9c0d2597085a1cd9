"""Sensitivity and robustness analysis (sim.analysis, `run.py sensitivity`, `run.py robustness`).

Where the engine is not the point, a toy run function stands in for the model (an outcome = 3 a + b^2 of the
normalized inputs, a third input inert), so the known answer can be checked; the determinism and engine tests use
the real model, tiny (500 households, a few years).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("SALib")

from sim.analysis import design, inputs
from sim.analysis.cli import cmd_robustness, cmd_sensitivity
from sim.analysis.configs import apply_inputs
from sim.analysis.errors import AnalysisError
from sim.analysis.robustness import regret
from sim.analysis.sensitivity import SensitivitySpec, morris_table, sobol_table, strongest
from sim.analysis.thresholds import goals, parse_goal, parse_threshold
from sim.inputs.registry import LEVERS, PARAMETERS, UNCERTAINTIES, Param
from sim.inputs.schedule import Schedule
from sim.outcomes.metrics import METRICS
from sim.scenario import load_scenario, validate_config

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
# a lever, an uncertainty and a parameter: the toy's a, b and the inert c
A, B, C = "services_by_residence", "urban_productivity_growth", "utility_distance"
TINY = ["--households", "500", "--engine", "serial", "-q"]


# ----------------------------------------------------------------------------------------------- toy model
def value(config, name, year):
    """What the engine would read for `name` in `year` (a schedule for levers and uncertainties)."""
    for section, registry in (("levers", LEVERS), ("uncertainties", UNCERTAINTIES)):
        if name in registry:
            spec = (config.get(section) or {}).get(name)
            return Schedule(registry[name].default if spec is None else spec, registry[name].default).at(year)
    return float((config.get("parameters") or {}).get(name, PARAMETERS[name].default))


def unit(config, name, year):
    p = {**LEVERS, **UNCERTAINTIES, **PARAMETERS}[name]
    return (value(config, name, year) - p.low) / (p.high - p.low)


def toy_run(config, seed):
    """`sim.run`'s contract; income ratio = 3 a + b^2 (a lever read after the policy year, b an uncertainty),
    hukou urbanization = 10 b + a noise term of the seed; every other metric 0."""
    rows = []
    for y in range(config["time"]["start_year"], config["time"]["end_year"] + 1):
        row = dict.fromkeys(METRICS, 0.0)
        a, b = unit(config, A, y), unit(config, B, y)
        row.update(year=y, urban_rural_income_ratio=3 * a + b ** 2,
                   hukou_urbanization_rate=10 * b + (seed % 1000) / 1000)
        rows.append(row)
    return pd.DataFrame(rows)


class Interrupting:
    """The toy, but Ctrl-C arrives during the run after `after` runs."""

    def __init__(self, after):
        self.left = after

    def __call__(self, config, seed):
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        return toy_run(config, seed)


def failing_in_upper_half_of_c(config, seed):
    """The toy, except that points with the inert input in the upper half of its range fail."""
    if unit(config, C, 2013) > 0.5:
        raise RuntimeError("fault injected")
    return toy_run(config, seed)


TOY_ARGS = ["--inputs", f"{A},{B},{C}", "--outcomes", "urban_rural_income_ratio,hukou_urbanization_rate",
            "--years", "2030", *TINY]


def table(folder, name):
    return pd.read_csv(Path(folder) / name)


def error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


# ----------------------------------------------------------------------------------------------- inputs
def test_default_inputs_are_levers_uncertainties_and_behaviour():
    chosen = inputs.default_inputs()
    behaviour = [p for p in PARAMETERS.values() if p.role == "behaviour"]
    assert len(chosen) == len(LEVERS) + len(UNCERTAINTIES) + len(behaviour)
    assert {p.role for p in chosen if p.kind == "parameter"} == {"behaviour"}
    assert [p.name for p in inputs.by_group(["uncertainties"])] == list(UNCERTAINTIES)
    assert all(p.group == "hukou" for p in inputs.by_group(["hukou"]))


HOUSING_HIGH = UNCERTAINTIES["housing_cost_growth"].high


def test_levers_keep_their_history_and_take_the_sample_from_the_policy_year():
    base = load_scenario(BASELINE).model_dump(mode="python")
    config = apply_inputs(base, {"services_by_residence": 0.9, "birth_rate": 0.02, "leave_age_max": 52.6,
                                 "county_fiscal_autonomy": 0.8, "housing_cost_growth": HOUSING_HIGH + 4e-17}, 2025)
    table_ = validate_config(config).policy_table()  # a valid scenario
    history = load_scenario(BASELINE).policy_table()
    assert [table_.value("services_by_residence", y) for y in range(2013, 2025)] == \
        [history.value("services_by_residence", y) for y in range(2013, 2025)]
    assert table_.value("services_by_residence", 2025) == table_.value("services_by_residence", 2040) == 0.9
    assert table_.value("county_fiscal_autonomy", 2024) == LEVERS["county_fiscal_autonomy"].default
    assert table_.value("county_fiscal_autonomy", 2025) == 0.8
    assert table_.value("birth_rate", 2013) == table_.value("birth_rate", 2050) == 0.02  # the whole run
    assert config["parameters"]["leave_age_max"] == 53.0  # an integer input is rounded
    assert config["uncertainties"]["housing_cost_growth"] == HOUSING_HIGH  # a sampler's overshoot is clipped


# ----------------------------------------------------------------------------------------------- indices
def toy_spec(method):
    params = tuple(Param(n, 0.5, 0.0, 1.0, "", "toy", "", kind="parameter") for n in ("x1", "x2", "x3"))
    return SensitivitySpec(params, method, ("y",), (2030,), {}, 2025, seed=3)


def test_morris_recovers_the_known_ranking():
    spec = toy_spec(design.morris(20))
    x = spec.design()
    y = pd.DataFrame({"y@2030": 3 * x[:, 0] + x[:, 1] ** 2})
    t = morris_table(spec, x, y).set_index("input")
    assert t.loc["x1", "mu_star"] == pytest.approx(3.0)  # linear: every elementary effect is 3
    assert t.loc["x1", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert 0.3 < t.loc["x2", "mu_star"] < 1.7 and t.loc["x2", "sigma"] > 0  # non-linear
    assert t.loc["x3", "mu_star"] == 0.0
    assert list(t["mu_star_rank"]) == [1, 2, 3]
    assert strongest(t.reset_index(), ["y"], 2) == ["x1", "x2"]


def test_sobol_recovers_the_known_indices():
    spec = toy_spec(design.sobol(1024))
    x = spec.design()
    y = pd.DataFrame({"y@2030": 3 * x[:, 0] + x[:, 1] ** 2})
    t = sobol_table(spec, y).set_index("input")
    # var(3 x1) = 0.75, var(x2^2) = 4/45: ST_x1 = 0.894, ST_x2 = 0.106; additive, so S1 = ST
    assert t.loc["x1", "ST"] == pytest.approx(0.894, abs=0.03)
    assert t.loc["x2", "ST"] == pytest.approx(0.106, abs=0.03)
    assert abs(t.loc["x3", "ST"]) < 0.01 and abs(t.loc["x3", "S1"]) < 0.02
    assert t.loc["x1", "S1"] == pytest.approx(t.loc["x1", "ST"], abs=0.05)
    assert (t.loc[["x1", "x2"], ["S1_conf", "ST_conf"]] > 0).all().all()


def test_sample_sizes_are_checked():
    for bad in (lambda: design.morris(1), lambda: design.sobol(100), lambda: design.sobol(8),
                lambda: design.morris(4, levels=3)):
        with pytest.raises(AnalysisError):
            bad()


# ----------------------------------------------------------------------------------------------- thresholds
def test_thresholds_parse_strictly():
    t = parse_threshold(" urban_rural_income_ratio <= 2.0 @ 2035 ")
    assert (t.metric, t.op, t.value, t.year, t.goal) == ("urban_rural_income_ratio", "<=", 2.0, 2035, "min")
    assert parse_threshold("hukou_urbanization_rate>60@2050").goal == "max"
    assert list(parse_threshold("urban_rural_income_ratio<2@2035").met(np.array([1.9, 2.0, np.nan]))) == \
        [True, False, False]
    for bad in ("urban_rural_income_ratio<2.0", "urban_rural_income_ratio<<2@2035", "urban_rural_income_ratio=2@2035",
                "urban_rural_income_ratio<two@2035", "urban_rural_income_ratio<nan@2035", "<2@2035",
                "urban_rural_income_ratio<2@35", "urban_rural_income_ratio<2@2035 and more"):
        with pytest.raises(AnalysisError, match="--satisfice"):
            parse_threshold(bad)
    with pytest.raises(AnalysisError, match="did you mean 'urban_rural_income_ratio'"):
        parse_threshold("urban_rural_incom_ratio<2@2035")


def test_goals_come_from_defaults_thresholds_and_options():
    assert parse_goal("migrant_workers=max") == ("migrant_workers", "max")
    for bad in ("migrant_workers", "migrant_workers=up", "migrant_worker=max"):
        with pytest.raises(AnalysisError):
            parse_goal(bad)
    g = goals(["urbanization_rate", "migrant_workers", "urban_rural_income_ratio"],
              [parse_threshold("urbanization_rate<70@2035")], [("migrant_workers", "max")])
    assert g == {"urbanization_rate": "min", "migrant_workers": "max", "urban_rural_income_ratio": "min"}


def test_regret_is_the_distance_to_the_best_strategy_in_each_state():
    wide = pd.DataFrame({"a": [1.0, 5.0], "b": [3.0, 2.0]})
    assert regret(wide, "max").to_dict("list") == {"a": [2.0, 0.0], "b": [0.0, 3.0]}
    assert regret(wide, "min").to_dict("list") == {"a": [0.0, 3.0], "b": [2.0, 0.0]}


# ----------------------------------------------------------------------------------------------- PRIM
def test_prim_finds_a_planted_box():
    from sim.analysis.prim import discover

    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.uniform(size=(500, 4)), columns=["a", "b", "c", "d"])
    failed = ((x["a"] > 0.7) & (x["b"] < 0.3)).to_numpy()
    found = discover(x, failed)
    limits = found.limits.set_index("input")
    assert set(limits.index) == {"a", "b"}
    assert limits.loc["a", "low"] == pytest.approx(0.7, abs=0.05) and limits.loc["b", "high"] == pytest.approx(
        0.3, abs=0.05)
    assert found.coverage >= 0.9 and found.density >= 0.8 and found.dense_enough
    assert discover(x, np.zeros(500, bool)).box is None  # nothing fails: nothing to describe


# ----------------------------------------------------------------------------------------------- bad input
BAD = [
    (["--inputs", "birth_rat"], "--inputs: unknown input 'birth_rat' (did you mean 'birth_rate'?)"),
    (["--inputs", "rent_search_rounds"], "'rent_search_rounds' is an implementation setting (role numerical)"),
    (["--group", "hukuo"], "--group: unknown group 'hukuo' (did you mean 'hukou'?)"),
    (["--inputs", "birth_rate", "--group", "hukou"], "give --inputs or --group, not both"),
    (["--outcomes", "urbanisation_rate"], "did you mean 'urbanization_rate'?"),
    (["--trajectories", "1"], "Morris needs at least 2 trajectories"),
    (["--method", "sobol", "--samples", "100"], "power of two"),
    (["--method", "sobol", "--samples", "8"], "power of two >= 16"),
    (["--method", "sobol", "--trajectories", "4"], "--trajectories and --levels are for --method morris"),
    (["--years", "2010"], "--years: 2010 is outside the run"),
    (["--years", "2035,21000"], "--years: 21000 is outside the run"),
    (["--years", "2035,soon"], "--years: expected years"),
    (["--years", "2020", "--from-year", "2030"], "--from-year: 2030 is outside the run"),
    (["--scenario", "no/such.yaml"], "no such file: no/such.yaml"),
    (["--resume", "x", "--seed", "3"], "--resume takes the settings of the folder; drop --seed"),
    (["--households", "0"], "--households: expected a positive integer, got '0'"),
    (["--method", "fast"], "argument --method: invalid choice: 'fast'"),
    (["--engine", "serial", "--scheduler", "tcp://x:1"], "--scheduler needs --engine dask"),
]


def exit_status(command, argv, **kw):
    """A command's exit status, whether it returns it or argparse exits."""
    try:
        return command(argv, **kw)
    except SystemExit as exc:
        return exc.code


@pytest.mark.parametrize("argv, message", BAD)
def test_bad_sensitivity_input_is_one_line_and_writes_nothing(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert exit_status(cmd_sensitivity, [*argv, "--out", "out"]) == 2
    line = error_line(capsys)
    assert line.startswith("run.py sensitivity: error: ") and message in line
    assert list(tmp_path.iterdir()) == []  # no folder, no results/


BAD_ROBUSTNESS = [
    (["--satisfice", "urban_rural_income_ratio<2.0"], "expected METRIC<VALUE@YEAR"),
    (["--satisfice", "urban_rural_incom_ratio<2@2035"], "did you mean 'urban_rural_income_ratio'"),
    (["--satisfice", "urban_rural_income_ratio<2@2012"], "--satisfice: 2012 is outside the run"),
    (["--states", "5"], "at least 10 states"),
    (["--uncertainties", "birth_rat"], "did you mean 'birth_rate'"),
    (["--uncertainties", "services_by_residence"], "is not an uncertainty"),
    (["--goal", "urbanization_rate=up"], "--goal: expected METRIC=max or METRIC=min"),
    (["--prim-density", "1.5"], "--prim-density"),
    ([str(BASELINE), str(BASELINE)], "scenario names must be unique"),
    (["no/such.yaml"], "no such file: no/such.yaml"),
    (["--parameters", "posterior"], "needs sim.calibration.posterior"),
]


@pytest.mark.parametrize("argv, message", BAD_ROBUSTNESS)
def test_bad_robustness_input_is_one_line_and_writes_nothing(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if "posterior" in argv:
        monkeypatch.setitem(sys.modules, "sim.calibration.posterior", None)  # absent even once merged
    assert cmd_robustness([*argv, "--out", "out", *TINY]) == 2
    line = error_line(capsys)
    assert line.startswith("run.py robustness: error: ") and message in line
    assert list(tmp_path.iterdir()) == []


def test_a_bad_scenario_file_is_reported_as_file_line_key(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nextends: baseline\nlevers:\n  services_by_residense: 0.5\n")
    assert cmd_sensitivity(["--scenario", str(bad), "--out", str(tmp_path / "out"), *TINY]) == 2
    line = error_line(capsys)
    assert line.startswith(f"{bad}:4: levers.services_by_residense") and "did you mean" in line
    assert not (tmp_path / "out").exists()


def test_run_py_dispatches_the_analysis_commands(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), "sensitivity", "--outcomes", "urbanisation_rate"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip() == ("run.py sensitivity: error: --outcomes: unknown metric 'urbanisation_rate' "
                                "(did you mean 'urbanization_rate'?)")
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), "robustness", "--help"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "--satisfice" in r.stdout
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------------------------- toy end to end
def test_sensitivity_command_with_a_toy_model_finds_the_drivers(tmp_path):
    out = tmp_path / "morris"
    assert cmd_sensitivity([*TOY_ARGS, "--trajectories", "10", "--out", str(out)], run_fn=toy_run) == 0
    t = table(out, "morris.csv")
    ratio = t[t["outcome"] == "urban_rural_income_ratio"].set_index("input")
    assert ratio.loc[A, "mu_star"] == pytest.approx(3.0)  # the lever acts from the policy year on
    assert ratio.loc[B, "mu_star"] > 0.3 and ratio.loc[C, "mu_star"] == 0.0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["kind"] == "sensitivity"
    assert manifest["runs"] == {"planned": 40, "ok": 40, "failed": 0}
    assert [e["applied"] for e in manifest["inputs"]] == ["from 2025", "whole run", "whole run"]
    assert manifest["inputs"][1]["low"] == UNCERTAINTIES[B].low and manifest["method"]["trajectories"] == 10
    samples = pd.read_parquet(out / "samples.parquet")
    assert len(samples) == 40 and set(samples["seed"]) == set(manifest["seeds"]["model_seeds"])  # CRN
    assert {A, B, C, "urban_rural_income_ratio@2030"} <= set(samples.columns)
    assert sorted(p.name for p in (out / "plots").iterdir()) == [
        "morris-hukou_urbanization_rate-2030.png", "morris-urban_rural_income_ratio-2030.png"]
    assert not list(out.rglob("*.tmp"))


def test_sobol_command_with_replicates_averages_them(tmp_path):
    out = tmp_path / "sobol"
    assert cmd_sensitivity([*TOY_ARGS, "--method", "sobol", "--samples", "64", "--replicates", "2", "--no-plots",
                            "--out", str(out)], run_fn=toy_run) == 0
    t = table(out, "sobol.csv")
    hukou = t[t["outcome"] == "hukou_urbanization_rate"].set_index("input")
    assert hukou.loc[B, "ST"] == pytest.approx(1.0, abs=0.1) and abs(hukou.loc[C, "ST"]) < 0.02
    assert len(pd.read_parquet(out / "samples.parquet")) == 64 * 5 * 2


def test_interrupted_then_resumed_gives_the_same_tables(tmp_path, capsys):
    clean, broken = tmp_path / "clean", tmp_path / "broken"
    argv = [*TOY_ARGS, "--trajectories", "4", "--replicates", "2", "--no-plots"]
    assert cmd_sensitivity([*argv, "--out", str(clean)], run_fn=toy_run) == 0
    assert cmd_sensitivity([*argv, "--out", str(broken)], run_fn=Interrupting(after=11)) == 130
    assert "--resume" in capsys.readouterr().err
    assert json.loads((broken / "manifest.json").read_text())["status"] == "interrupted"
    assert len(pd.read_parquet(broken / "samples.parquet")) == 11 and not (broken / "morris.csv").exists()
    resumed = []

    def counting(config, seed):
        resumed.append(seed)
        return toy_run(config, seed)

    assert cmd_sensitivity(["--resume", str(broken), "--engine", "serial", "-q"], run_fn=counting) == 0
    assert len(resumed) == 32 - 11  # only what was missing
    assert (broken / "morris.csv").read_bytes() == (clean / "morris.csv").read_bytes()
    columns = [c for c in pd.read_parquet(clean / "samples.parquet").columns if c != "seconds"]
    pd.testing.assert_frame_equal(pd.read_parquet(broken / "samples.parquet")[columns],
                                  pd.read_parquet(clean / "samples.parquet")[columns])
    manifest = json.loads((broken / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["history"][0]["already_done"] == 11


def test_failed_runs_leave_no_tables_and_resume_reruns_them(tmp_path, capsys):
    out = tmp_path / "out"
    argv = [*TOY_ARGS, "--trajectories", "2", "--no-plots", "--out", str(out)]
    assert cmd_sensitivity(argv, run_fn=failing_in_upper_half_of_c) == 1
    err = capsys.readouterr().err
    assert "runs failed" in err and "--resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete_with_failures" and not (out / "morris.csv").exists()
    failed = manifest["runs"]["failed"]
    assert failed > 0
    again = []
    assert cmd_sensitivity(["--resume", str(out), "--engine", "serial", "-q"], run_fn=lambda c, s: again.append(s) or toy_run(c, s)) == 0
    assert len(again) == failed and (out / "morris.csv").exists()


def test_robustness_command_with_a_toy_model(tmp_path):
    out = tmp_path / "rb"
    integrated = ROOT / "scenarios" / "integrated.yaml"
    argv = [str(BASELINE), str(integrated), "--states", "40", "--years", "2030",
            "--outcomes", "urban_rural_income_ratio,hukou_urbanization_rate",
            "--satisfice", "urban_rural_income_ratio<2.2@2030", "--satisfice", "hukou_urbanization_rate>5@2030",
            "--uncertainties", f"{B},birth_rate", "--out", str(out), *TINY]
    assert cmd_robustness(argv, run_fn=toy_run) == 0
    samples = pd.read_parquet(out / "samples.parquet")
    assert len(samples) == 80
    by = samples.groupby("strategy")[B].apply(list)
    assert by["baseline"] == by["integrated"]  # the same states for every strategy
    # integrated raises services_by_residence to 1.0 by 2030 (baseline: 0.55): ratio 3 a + b^2 is higher
    r = table(out, "regret.csv").set_index(["strategy", "outcome"])
    assert r.loc[("baseline", "urban_rural_income_ratio"), "best_share"] == 1.0
    assert r.loc[("integrated", "urban_rural_income_ratio"), "mean"] == pytest.approx(3 * 0.45)
    s = table(out, "satisficing.csv").set_index(["strategy", "criterion"])
    b = samples[samples["strategy"] == "baseline"][B]
    share = ((3 * 0.55 + ((b - UNCERTAINTIES[B].low) / (UNCERTAINTIES[B].high - UNCERTAINTIES[B].low)) ** 2)
             < 2.2).mean()
    assert s.loc[("baseline", "urban_rural_income_ratio<2.2@2030"), "met_share"] == pytest.approx(share)
    assert s.loc[("integrated", "urban_rural_income_ratio<2.2@2030"), "met_share"] == 0.0
    assert ("baseline", "all") in s.index
    # baseline fails where growth is high: PRIM restricts urban productivity growth from below, not birth rate
    p = table(out, "prim.csv")
    box = p[(p["strategy"] == "baseline") & (p["criterion"] == "urban_rural_income_ratio<2.2@2030")]
    assert list(box["input"]) == [B] and box["low"].iloc[0] > UNCERTAINTIES[B].low and box["dense_enough"].all()
    always = p[(p["strategy"] == "integrated") & (p["criterion"] == "urban_rural_income_ratio<2.2@2030")]
    assert always["box"].isna().all() and always["failures"].iloc[0] == 40  # always fails: no box to find
    plots = sorted(f.name for f in (out / "plots").iterdir())
    assert "regret.png" in plots and "satisficing.png" in plots and any(f.startswith("prim-baseline") for f in plots)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "robustness" and manifest["satisfice"][0] == "urban_rural_income_ratio<2.2@2030"


def test_posterior_draws_are_used_when_the_calibration_provides_them(tmp_path, monkeypatch):
    module = types.ModuleType("sim.calibration.posterior")
    module.draw = lambda n, seed: pd.DataFrame({C: np.random.default_rng(seed).uniform(0.2, 0.4, n)})
    monkeypatch.setitem(sys.modules, "sim.calibration.posterior", module)
    out = tmp_path / "rb"
    assert cmd_robustness([str(BASELINE), "--states", "10", "--years", "2020", "--outcomes", "urbanization_rate",
                           "--parameters", "posterior", "--no-plots", "--out", str(out), *TINY], run_fn=toy_run) == 0
    samples = pd.read_parquet(out / "samples.parquet")
    assert samples[C].between(0.2, 0.4).all() and samples[C].nunique() == 10


# ----------------------------------------------------------------------------------------------- real model
REAL = ["--inputs", "birth_rate,services_by_residence,utility_income", "--trajectories", "2", "--years", "2017",
        "--from-year", "2015", "--outcomes", "urbanization_rate,urban_rural_income_ratio,hukou_urbanization_rate",
        "--households", "500", "--no-plots", "-q"]


@pytest.fixture(scope="module")
def serial_screening(tmp_path_factory):
    out = tmp_path_factory.mktemp("analysis") / "serial"
    assert cmd_sensitivity([*REAL, "--engine", "serial", "--out", str(out)]) == 0
    return out


def test_same_seed_gives_identical_tables(serial_screening, tmp_path):
    again = tmp_path / "again"
    assert cmd_sensitivity([*REAL, "--engine", "serial", "--out", str(again)]) == 0
    assert (again / "morris.csv").read_bytes() == (serial_screening / "morris.csv").read_bytes()
    other = tmp_path / "other"
    assert cmd_sensitivity([*REAL, "--engine", "serial", "--seed", "1", "--out", str(other)]) == 0
    assert (other / "morris.csv").read_bytes() != (serial_screening / "morris.csv").read_bytes()


def test_serial_and_dask_give_identical_tables(serial_screening, tmp_path):
    out = tmp_path / "dask"
    assert cmd_sensitivity([*REAL, "--engine", "dask", "--workers", "2", "--out", str(out)]) == 0
    assert (out / "morris.csv").read_bytes() == (serial_screening / "morris.csv").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["engine"] == {"name": "dask", "workers": 2, "scheduler": None}
    outcomes = [c for c in pd.read_parquet(out / "samples.parquet").columns if "@" in c]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "samples.parquet")[outcomes],
                                  pd.read_parquet(serial_screening / "samples.parquet")[outcomes])


def test_robustness_resumes_to_the_same_tables(tmp_path):
    argv = [str(BASELINE), str(ROOT / "scenarios" / "integrated.yaml"), "--states", "12", "--years", "2030",
            "--outcomes", "urban_rural_income_ratio,hukou_urbanization_rate", "--uncertainties", f"{B},birth_rate",
            "--satisfice", "urban_rural_income_ratio<2.2@2030", "--no-plots", *TINY]
    clean, broken = tmp_path / "clean", tmp_path / "broken"
    assert cmd_robustness([*argv, "--out", str(clean)], run_fn=toy_run) == 0
    assert cmd_robustness([*argv, "--out", str(broken)], run_fn=Interrupting(after=7)) == 130
    assert cmd_robustness(["--resume", str(broken), "--engine", "serial", "-q"], run_fn=toy_run) == 0
    for name in ("outcomes.csv", "regret.csv", "satisficing.csv", "prim.csv"):
        assert (broken / name).read_bytes() == (clean / name).read_bytes(), name
    assert json.loads((broken / "manifest.json").read_text())["history"][0]["already_done"] == 7


def test_robustness_on_the_real_model(tmp_path):
    out = tmp_path / "rb"
    assert cmd_robustness([str(BASELINE), str(ROOT / "scenarios" / "integrated.yaml"), "--states", "10",
                           "--years", "2016", "--outcomes", "urbanization_rate,urban_rural_income_ratio",
                           "--satisfice", "urban_rural_income_ratio<2.6@2016", "--households", "500", "--engine",
                           "serial", "--no-plots", "-q", "--out", str(out)]) == 0
    samples = pd.read_parquet(out / "samples.parquet")
    assert (samples["status"] == "ok").all() and len(samples) == 20
    baseline = samples[samples["strategy"] == "baseline"]
    assert baseline["urban_rural_income_ratio@2016"].nunique() == 10  # the states change the outcome
    assert samples["urban_productivity_growth"].nunique() == 10  # a Latin hypercube: every state differs
    assert set(table(out, "satisficing.csv")["strategy"]) == {"baseline", "integrated"}
