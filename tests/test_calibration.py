"""Calibration (issue 15): target spec and observed data (never a year after 2018; bad files -> file:LINE, exit 2,
nothing written), the distance, the deterministic sampler (serial = Dask, batch sizes and resuming change nothing),
a twin experiment on a toy simulator through the same machinery, the --quick command end to end, the shipped
posterior as the model's default and in ensembles, and paired effects."""

from __future__ import annotations

import importlib.util
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc  # noqa: F401  (the 'calibration' extra: the test command installs it)
import pytest

import calibration_toy as toy
from sim.calibration import posterior as posterior_module
from sim.calibration.abcsmc import Problem, Settings, posterior_sample, run_abc
from sim.calibration.distance import StandardizedDistance
from sim.calibration.errors import InputFileError
from sim.calibration.observed import read_observed
from sim.calibration.posterior import Posterior
from sim.calibration.priors import read_priors
from sim.calibration.report import posterior_summary
from sim.inputs.parameters import PARAMETERS
from sim.calibration.targets import LAST_FIT_YEAR, fit_points, observed_points, read_targets

ROOT = Path(__file__).resolve().parents[1]


def _load_run_py():
    spec = importlib.util.spec_from_file_location("chengxiang_run_calibration", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RUN = _load_run_py()


def main(argv, capsys, run_fn=None):
    try:
        code = RUN.main([str(a) for a in argv], run_fn=run_fn) if run_fn else RUN.main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------------------------- targets and data
def test_shipped_targets_fit_only_years_up_to_2018_in_the_models_span():
    spec = read_targets()
    points = fit_points(spec, 2013)
    assert len(points) > 50
    assert points["year"].max() <= LAST_FIT_YEAR == 2018 and points["year"].min() >= 2013
    assert not points["mid_year"].any() and (points["weight"] > 0).all()
    everything = observed_points(spec, 2013)
    assert set(points["id"]) < set(everything["id"])  # duplicates, end-of-June and pre-2013 points are not fitted
    # unverified points weigh half a verified one of the same series
    urb = points[points["series"] == "urbanization_rate"].set_index("year")
    assert urb.loc[2013, "weight"] == 0.5 and urb.loc[2018, "weight"] == 1.0


def test_a_target_spec_asking_for_2019_is_rejected(tmp_path):
    bad = tmp_path / "targets.csv"
    bad.write_text("series,file,metric,factor,tolerance,tolerance_kind,weight,last_year\n"
                   "urbanization_rate,china_calibration.csv,urbanization_rate,1,1,abs,1,2018\n"
                   "hukou_urbanization_rate,china_calibration.csv,hukou_urbanization_rate,1,1,abs,1,2019\n")
    with pytest.raises(InputFileError) as err:
        read_targets(bad)
    assert err.value.messages == [f"{bad}:3: last_year 2019 is after 2018: the calibration never fits later years "
                                  "(they are kept for out-of-sample checks)"]


def test_fit_points_never_include_later_years_even_from_data_with_later_years(tmp_path):
    data = tmp_path / "obs.csv"
    data.write_text("series,year,value,unit,verified,source\n" +
                    "".join(f"u,{y},{50 + y - 2013},percent,yes,x\n" for y in range(2013, 2024)))
    spec = tmp_path / "targets.csv"
    spec.write_text("series,file,metric,factor,tolerance,tolerance_kind,weight,last_year\n"
                    "u,obs.csv,urbanization_rate,1,1,abs,1,2018\n")
    points = fit_points(read_targets(spec), 2013)
    assert sorted(points["year"]) == list(range(2013, 2019))
    shown = observed_points(read_targets(spec), 2013)
    assert set(shown.loc[~shown["fitted"], "year"]) == set(range(2019, 2024))  # drawn, not fitted


@pytest.mark.parametrize("row, message", [
    ("nosuch_series,china_calibration.csv,urbanization_rate,1,1,abs,1,2018",
     "unknown series 'nosuch_series': not in china_calibration.csv"),
    ("urbanization_rate,china_calibration.csv,nosuch_metric,1,1,abs,1,2018", "unknown metric 'nosuch_metric'"),
    ("urbanization_rate,nosuch.csv,urbanization_rate,1,1,abs,1,2018", "no observed-data file 'nosuch.csv'"),
    ("urbanization_rate,china_calibration.csv,urbanization_rate,1,-1,abs,1,2018", "tolerance: must be positive"),
    ("urbanization_rate,china_calibration.csv,urbanization_rate,1,1,pct,1,2018", "expected abs or rel"),
    ("urbanization_rate,china_calibration.csv,urbanization_rate,one,1,abs,1,2018", "factor: expected a number"),
])
def test_bad_target_spec_exits_2_with_the_line_and_writes_nothing(row, message, tmp_path, capsys):
    spec = tmp_path / "targets.csv"
    spec.write_text("series,file,metric,factor,tolerance,tolerance_kind,weight,last_year\n" + row + "\n")
    out = tmp_path / "out"
    code, stdout, err = main(["calibrate", "--quick", "--targets", spec, "--out", out, "--engine", "serial"], capsys)
    assert code == 2 and not out.exists() and "Traceback" not in err
    assert err.strip().splitlines() == [err.strip()] and err.startswith(f"{spec}:2: ") and message in err


@pytest.mark.parametrize("text, line, message", [
    ("series,year,value,unit,verified\nx,2013,1,%,yes\n", 1, "missing column source"),
    ("series,year,value,unit,verified,source\nurbanization_rate,2013,1,%,yes,a\nurbanization_rate,20x9,1,%,yes,a\n",
     3, "year: expected a year"),
    ("series,year,value,unit,verified,source\nurbanization_rate,2020,high,%,yes,a\n", 2, "value: expected a number"),
    ("series,year,value,unit,verified,source\nurbanization_rate,2020,60,%,maybe,a\n", 2, "verified: expected"),
    ("series,year,value,unit,verified,source\nurbanization_rate,2020,60,%,yes\n", 2, "5 fields, the header has 6"),
    ("series,year,value,unit,verified,source\nurbanization_rate,2020,60,%,yes,a\nurbanization_rate,2020,61,%,yes,a\n",
     3, "already given on line 2"),
    ("series,year,value,unit,verified,source\nnot_a_series,2020,60,%,yes,a\n", 2, "unknown series 'not_a_series'"),
])
def test_malformed_observed_csv_exits_2_with_the_line_and_writes_nothing(text, line, message, tmp_path, capsys):
    bad = tmp_path / "mine.csv"
    bad.write_text(text)
    out = tmp_path / "results"
    code, _, err = main([ROOT / "scenarios" / "baseline.yaml", "--seeds", "1", "--households", "500", "--end-year",
                         "2014", "--engine", "serial", "--observed", bad, "--out", out], capsys)
    assert code == 2 and not out.exists() and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"{bad}:{line}: ") and message in err
    # the same for redrawing the plots of a folder
    folder = tmp_path / "folder"
    folder.mkdir()
    pd.DataFrame({"scenario": ["a"], "seed": [1], "year": [2013]}).to_parquet(folder / "timeseries.parquet")
    code, _, err = main(["plot", folder, "--observed", bad], capsys)
    assert code == 2 and err.startswith(f"{bad}:{line}: ") and not (folder / "plots").exists()


def test_shipped_observed_files_read_and_their_flags():
    data = read_observed(ROOT / "sim" / "data" / "observed" / "china_patterns_2010_2018.csv")
    row = data[(data["series"] == "land_transfer_share") & data["mid_year"]].iloc[0]
    assert row["year"] == 2014 and row["x"] == 2013.5
    assert not data[(data["series"] == "rural_dpi") & (data["year"] == 2013)]["verified"].iloc[0]
    assert data[(data["series"] == "rural_dpi") & (data["year"] == 2014)]["verified"].iloc[0]


@pytest.mark.parametrize("row, message", [
    ("no_such_parameter,0,1,linear", "unknown parameter 'no_such_parameter'"),
    ("settle_constant,-9,-1,linear", "leaves the range of settle_constant, [-7, -1]"),
    ("settle_constant,-2,-3,linear", "low -2 must be below high -3"),
    ("in_situ_base_rate,0,0.03,log", "transform log needs low above 0"),
    ("choice_set_size,4,16,linear", "not estimable"),
])
def test_bad_parameter_list_is_one_line(row, message, tmp_path):
    path = tmp_path / "parameters.csv"
    path.write_text("name,low,high,transform\n" + row + "\n")
    with pytest.raises(InputFileError) as err:
        read_priors(path)
    assert len(err.value.messages) == 1 and err.value.messages[0].startswith(f"{path}:2: ")
    assert message in err.value.messages[0]


# ------------------------------------------------------------------------------------------- distance
def test_distance_is_the_weighted_rms_error_in_tolerances():
    points = pd.DataFrame({"id": ["a", "b", "c"], "tolerance": [1.0, 2.0, 10.0], "weight": [1.0, 0.5, 0.5],
                           "value": [0.0, 0.0, 0.0]})
    d = StandardizedDistance(points)
    obs = d.observed(points)
    assert d({"a": 0, "b": 0, "c": 0}, obs) == 0
    # errors of 1, 2 and 10 tolerances' worth: z = 1, 1, 1 -> d = 1
    assert d({"a": 1, "b": 2, "c": 10}, obs) == pytest.approx(1.0)
    # only the unverified (weight 0.5) point off by 2 tolerances: sqrt(0.5 * 4 / 2)
    assert d({"a": 0, "b": 4, "c": 0}, obs) == pytest.approx(math.sqrt(1.0))
    assert d({"a": 0, "b": float("nan"), "c": 0}, obs) == math.inf
    assert d({"a": 0, "c": 0}, obs) == math.inf


# ------------------------------------------------------------------------------------------- ABC machinery
def _toy_settings(tmp_path, **changes) -> Settings:
    targets, params = toy.write_problem(tmp_path)
    base = Settings(population=60, generations=8, budget=3000, households=500, model_seeds=2, min_acceptance=0.02,
                    targets=str(targets), parameters=str(params))
    return replace(base, **changes)


def _calibrate_toy(tmp_path, name, settings, map_batch=None, min_batch=8):
    from sim.calibration.sampler import SeededSampler, serial_map

    problem = Problem.build(settings, toy.toy_run)
    db = tmp_path / f"{name}.db"
    run_abc(problem, settings, db, SeededSampler(settings.seed, map_batch or serial_map, min_batch=min_batch))
    return problem, posterior_sample(db, problem.priors)


def test_twin_experiment_recovers_the_true_parameters(tmp_path):
    """Data simulated from known parameters (toy simulator, through the target spec, the observed-data reader,
    the common-random-numbers simulator, the distance, pyabc and the seeded sampler) are recovered: every true
    value inside the posterior's 90 % interval (at least 4 of 5), and every interval narrower than the prior's."""
    settings = _toy_settings(tmp_path)
    problem, sample = _calibrate_toy(tmp_path, "twin", settings)
    summary = posterior_summary(Posterior(sample, {}), problem.priors).set_index("parameter")
    inside = [(summary.loc[n, "p05"] <= v <= summary.loc[n, "p95"]) for n, v in toy.TRUTH.items()]
    assert sum(inside) >= 4, summary[["p05", "median", "p95"]]  # "most": at least 4 of 5
    assert (summary["width_ratio"] < 0.6).all() and summary["width_ratio"].mean() < 0.4, summary["width_ratio"]
    assert Posterior(sample, {}).effective_size > 0.5 * settings.population  # weights not degenerate


def test_same_seed_same_posterior_whatever_the_batches_and_after_resume(tmp_path):
    settings = _toy_settings(tmp_path, population=20, generations=3, budget=10_000)
    _, a = _calibrate_toy(tmp_path, "a", settings)
    _, b = _calibrate_toy(tmp_path, "b", settings, min_batch=3)  # other batch sizes, same acceptances
    pd.testing.assert_frame_equal(a, b)
    # interrupted after two generations, then continued from the database
    first = replace(settings, generations=2)
    from sim.calibration.sampler import SeededSampler

    problem = Problem.build(first, toy.toy_run)
    run_abc(problem, first, tmp_path / "c.db", SeededSampler(first.seed))
    problem = Problem.build(settings, toy.toy_run)
    run_abc(problem, settings, tmp_path / "c.db", SeededSampler(settings.seed))
    pd.testing.assert_frame_equal(a, posterior_sample(tmp_path / "c.db", problem.priors))
    # another seed gives another posterior
    _, d = _calibrate_toy(tmp_path, "d", replace(settings, seed=7))
    assert not a.equals(d)


def test_serial_and_dask_give_the_same_posterior(tmp_path):
    from sim.calibration.sampler import DaskMap
    from sim.ensemble.engines import open_engine

    settings = _toy_settings(tmp_path, population=16, generations=2)
    _, serial = _calibrate_toy(tmp_path, "serial", settings)
    with open_engine("dask", workers=2) as engine:
        _, dask = _calibrate_toy(tmp_path, "dask", settings, DaskMap(engine.client), min_batch=4)
    pd.testing.assert_frame_equal(serial, dask)


# ------------------------------------------------------------------------------------------- posterior
def _posterior(n=50, seed=0) -> Posterior:
    rng = np.random.default_rng(seed)
    sample = pd.DataFrame({"settle_constant": rng.uniform(-5, -3, n), "land_insurance_share": rng.uniform(0.3, 0.9, n),
                           "weight": rng.uniform(0.5, 1.5, n)})
    sample["weight"] /= sample["weight"].sum()
    return Posterior(sample, {"fitted_points": ["urbanization_rate@2018"]})


def test_posterior_draws_are_deterministic_per_seed():
    post = _posterior()
    assert post.draw_for_seed(11) == post.draw_for_seed(11)
    pd.testing.assert_frame_equal(post.draw(30, 5), post.draw(30, 5))
    assert not post.draw(30, 5).equals(post.draw(30, 6))
    draws = {tuple(post.draw_for_seed(s).values()) for s in range(40)}
    assert len(draws) > 20  # replicates get different parameter sets
    row = post.draw_for_seed(3)
    assert any(np.allclose(list(row.values()), r) for r in post.sample[post.names].to_numpy())


def test_weighted_median():
    sample = pd.DataFrame({"settle_constant": [-6.0, -5.0, -2.0], "weight": [0.2, 0.2, 0.6]})
    assert Posterior(sample, {}).median() == {"settle_constant": -2.0}


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A temporary shipped posterior (the repository ships none until the lead calibrates the final model)."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    post = _posterior()
    post.sample.to_parquet(folder / "posterior.parquet")
    (folder / "posterior.json").write_text(json.dumps(post.provenance))
    monkeypatch.setattr(posterior_module, "SHIPPED_DIR", folder)
    return posterior_module.load(folder)


def test_without_a_shipped_posterior_defaults_are_the_registry():
    from sim.inputs.parameters import PARAMETERS, parameter_values

    if posterior_module.shipped() is not None:
        pytest.skip("a posterior is shipped")
    assert parameter_values() == {n: p.default for n, p in PARAMETERS.items()}


def test_shipped_posterior_median_is_the_models_default(shipped):
    import sim
    from sim.inputs.parameters import PARAMETERS, parameter_values

    median = shipped.median()
    values = parameter_values()
    assert {k: values[k] for k in median} == median
    assert values["hukou_value"] == PARAMETERS["hukou_value"].default  # not calibrated: the registry's
    model = sim.build_model({"world": {"households": 500}, "time": {"end_year": 2014}}, seed=1)
    assert model.params["settle_constant"] == median["settle_constant"]
    own = sim.build_model({"world": {"households": 500}, "time": {"end_year": 2014},
                           "parameters": {"settle_constant": -6.5}}, seed=1)
    assert own.params["settle_constant"] == -6.5  # a config's own value wins


def test_unknown_parameter_in_a_posterior_is_refused(tmp_path):
    pd.DataFrame({"no_such": [1.0], "weight": [1.0]}).to_parquet(tmp_path / "posterior.parquet")
    with pytest.raises(ValueError, match="'no_such' is not a model parameter"):
        posterior_module.load(tmp_path)


def _spy(calls):
    def run_fn(config, seed):
        calls.append((seed, dict(config["parameters"])))
        from sim.ensemble.execute import run_model

        return run_model(config, seed)

    return run_fn


def test_ensembles_draw_each_replicate_from_the_posterior_and_record_it(shipped, tmp_path, capsys):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("name: mine\nextends: " + str(ROOT / "scenarios" / "baseline.yaml") +
                        "\nparameters:\n  land_insurance_share: 0.45\n")
    calls = []
    out = tmp_path / "posterior"
    code, _, err = main([scenario, "--seeds", "3", "--households", "500", "--end-year", "2014", "--engine", "serial",
                         "--no-plots", "--out", out, "-q"], capsys, run_fn=_spy(calls))
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    entry = manifest["overrides"]["parameters"]
    assert entry["mode"] == "posterior" and entry["posterior"]["sha256"] == shipped.sha256
    seeds = manifest["scenarios"][0]["seeds"]["run_seeds"]
    assert sorted(int(s) for s in entry["values_by_seed"]) == sorted(seeds)
    # the scenario and the baseline it extends (run alongside as its parent) share the replicate seeds and draws
    assert len(calls) == 6
    for seed, params in calls:
        draw = shipped.draw_for_seed(seed)
        assert params["settle_constant"] == draw["settle_constant"] == entry["values_by_seed"][str(seed)][
            "settle_constant"]
    own = [p for _, p in calls if p["land_insurance_share"] == 0.45]  # the scenario's own value overrides the draw
    parent = [(s, p) for s, p in calls if p["land_insurance_share"] != 0.45]
    assert len(own) == len(parent) == 3
    assert all(p["land_insurance_share"] == shipped.draw_for_seed(s)["land_insurance_share"] for s, p in parent)
    assert len({p["settle_constant"] for _, p in calls}) == 3

    calls.clear()
    out = tmp_path / "point"
    code, _, _ = main([scenario, "--seeds", "2", "--households", "500", "--end-year", "2014", "--engine", "serial",
                       "--no-plots", "--parameters", "point", "--out", out, "-q"], capsys, run_fn=_spy(calls))
    assert code == 0 and {p["settle_constant"] for _, p in calls} == {shipped.median()["settle_constant"]}
    assert json.loads((out / "manifest.json").read_text())["overrides"]["parameters"]["mode"] == "point"

    calls.clear()
    out = tmp_path / "defaults"
    code, _, _ = main([scenario, "--seeds", "1", "--households", "500", "--end-year", "2014", "--engine", "serial",
                       "--no-plots", "--parameters", "defaults", "--out", out, "-q"], capsys, run_fn=_spy(calls))
    assert code == 0 and calls[0][1]["settle_constant"] == PARAMETERS["settle_constant"].default  # the registry's


def test_posterior_modes_need_a_shipped_posterior(tmp_path, capsys):
    if posterior_module.shipped() is not None:
        pytest.skip("a posterior is shipped")
    code, _, err = main([ROOT / "scenarios" / "baseline.yaml", "--parameters", "posterior", "--out",
                         tmp_path / "x"], capsys)
    assert code == 2 and "no posterior is shipped" in err and not (tmp_path / "x").exists()


# ------------------------------------------------------------------------------------------- the command
def test_quick_calibration_end_to_end_and_ship(tmp_path, capsys, monkeypatch):
    """`run.py calibrate --quick` (made tinier still) writes the whole folder; --ship makes it the default."""
    out = tmp_path / "cal"
    code, stdout, err = main(["calibrate", "--quick", "--population", "4", "--generations", "2", "--budget", "12",
                              "--households", "600", "--model-seeds", "1", "--draws", "3", "--engine", "serial",
                              "--out", out], capsys)
    assert code == 0, err
    for name in ("manifest.json", "abc.db", "posterior.parquet", "provenance.json", "fit_table.csv", "coverage.csv",
                 "posterior_summary.csv", "report.md", "plots/fit.png", "plots/pairs.png", "inputs/targets.csv"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["runtime"]["wall_seconds"] > 0
    prov = json.loads((out / "provenance.json").read_text())
    assert {"sim/data/observed/china_calibration.csv", "sim/data/observed/china_patterns_2010_2018.csv"} <= set(
        prov["data_sha256"])
    assert prov["code"]["sim_sources_sha256"] and prov["settings"]["population"] == 4
    assert max(int(p.split("@")[1]) for p in prov["fitted_points"]) <= 2018
    table = pd.read_csv(out / "fit_table.csv")
    assert table["year"].between(2013, 2018).all() and len(table[table["fitted"]]) == manifest["fitted_points"]
    # resuming a complete calibration only redoes the report
    code, _, err = main(["calibrate", "--resume", out, "--engine", "serial", "-q"], capsys)
    assert code == 0, err
    # shipping it makes its medians the model's defaults
    target = tmp_path / "shipped"
    monkeypatch.setattr(posterior_module, "SHIPPED_DIR", target)
    code, stdout, _ = main(["calibrate", "--ship", out], capsys)
    assert code == 0 and (target / "posterior.parquet").is_file() and (target / "posterior.json").is_file()
    from sim.inputs.parameters import parameter_values

    median = posterior_module.load(out).median()
    assert {k: parameter_values()[k] for k in median} == median


def test_calibrate_usage_errors_exit_2(tmp_path, capsys):
    code, _, err = main(["calibrate", "--resume", tmp_path], capsys)
    assert code == 2 and "not a calibration folder" in err
    code, _, err = main(["calibrate", "--ship", tmp_path], capsys)
    assert code == 2 and "not a calibration folder" in err
    (tmp_path / "x").write_text("")
    code, _, err = main(["calibrate", "--out", tmp_path, "--engine", "serial"], capsys)
    assert code == 2 and "exists and is not empty" in err


# ------------------------------------------------------------------------------------------- effects and plots
def test_paired_effects_are_differences_of_replicates_sharing_a_seed():
    from sim.calibration.effects import paired_effects

    rows = []
    for seed, shared in zip([11, 12, 13, 14, 15], [0.0, 10.0, -10.0, 5.0, 20.0]):  # shared noise cancels
        rows.append({"scenario": "baseline", "seed": seed, "year": 2035, "urbanization_rate": 60 + shared})
        rows.append({"scenario": "integrated", "seed": seed, "year": 2035,
                     "urbanization_rate": 62 + shared + 0.1 * (seed - 13)})
    eff = paired_effects(pd.DataFrame(rows), "baseline", "integrated", [2035], ["urbanization_rate"]).iloc[0]
    assert eff["median"] == pytest.approx(2.0) and eff["pairs"] == 5
    assert eff["p10"] == pytest.approx(1.84) and eff["p90"] == pytest.approx(2.16)
    unpaired = pd.DataFrame(rows).assign(seed=lambda d: d["seed"] + (d["scenario"] == "integrated") * 100)
    with pytest.raises(ValueError, match="not paired"):
        paired_effects(unpaired, "baseline", "integrated", [2035], ["urbanization_rate"])


def test_plots_draw_observed_points_filled_when_fitted_open_otherwise(tmp_path, capsys):
    from sim.ensemble.observed import ObservedLayer, read_user_files
    from sim.ensemble.plots import metric_figure, overview_figure

    mine = tmp_path / "later.csv"
    mine.write_text("series,year,value,unit,verified,source\nurbanization_rate,2020,63.9,percent,yes,NBS\n"
                    "urbanization_rate,2021,64.7,percent,yes,NBS\n")
    layer = ObservedLayer.for_folder(None, read_user_files([mine]))
    urb = layer.points[layer.points["metric"] == "urbanization_rate"]
    assert set(urb.loc[urb["fitted"], "year"]) == set(range(2013, 2019))
    assert set(urb.loc[~urb["fitted"], "year"]) >= {2020, 2021}
    ts = pd.DataFrame({"scenario": "baseline", "seed": 1, "year": np.arange(2013, 2031),
                       **{m: np.linspace(50, 70, 18) for m in ["urbanization_rate", "hukou_urbanization_rate"]}})
    fig = metric_figure(ts, "urbanization_rate", observed=layer)
    ax = fig.axes[0]
    markers = [l for l in ax.get_lines() if l.get_marker() == "o"]
    filled = [l for l in markers if l.get_markerfacecolor() != "white"]
    opened = [l for l in markers if l.get_markerfacecolor() == "white"]
    assert sum(len(l.get_xdata()) for l in filled) == 6  # 2013-2018, fitted
    assert {2020.0, 2021.0} <= {float(x) for l in opened for x in l.get_xdata()}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Observed, used for calibration (to 2018)" in labels and "Observed, not used for calibration" in labels
    over = overview_figure(ts, ["urbanization_rate", "hukou_urbanization_rate"], observed=layer)
    assert "Observed, used for calibration (to 2018)" in [t.get_text() for t in over.legends[0].get_texts()]


def test_run_with_observed_file_records_it_and_plots_it(tmp_path, capsys):
    mine = tmp_path / "later.csv"
    mine.write_text("series,year,value,unit,verified,source\nurbanization_rate,2015,57.0,percent,yes,NBS\n")
    out = tmp_path / "res"
    code, _, err = main([ROOT / "scenarios" / "baseline.yaml", "--seeds", "1", "--households", "500", "--end-year",
                         "2015", "--engine", "serial", "--observed", mine, "--out", out, "--no-plots", "-q"], capsys)
    assert code == 0, err
    recorded = json.loads((out / "manifest.json").read_text())["overrides"]["observed"]
    assert recorded[0]["file"] == str(mine) and recorded[0]["points"][0]["value"] == 57.0
    mine.unlink()  # the folder keeps the points: drawing needs no file
    from sim.ensemble.observed import ObservedLayer

    layer = ObservedLayer.for_folder(out)
    assert ((layer.points["file"] == "later.csv") & (layer.points["value"] == 57.0)).any()
    code, _, err = main(["plot", out, "-q"], capsys)
    assert code == 0 and (out / "plots" / "overview.png").is_file(), err


def test_interrupted_calibration_resumes_to_the_same_posterior(tmp_path, capsys):
    """Ctrl-C in the middle of a generation: exit 130, the finished generations stay in abc.db, and --resume ends
    with the posterior of an uninterrupted run (toy model through the command)."""
    from sim.calibration.cli import cmd_calibrate

    targets, params = toy.write_problem(tmp_path)
    common = ["--targets", str(targets), "--parameters-file", str(params), "--population", "10", "--generations", "3",
              "--households", "500", "--draws", "2", "--engine", "serial", "-q"]
    assert cmd_calibrate([*common, "--out", str(tmp_path / "straight")], run_fn=toy.toy_run) == 0
    calls = []

    def interrupted(config, seed):
        calls.append(seed)
        if len(calls) == 70:  # prior sample (20 runs) and generation 0 done, inside generation 1
            raise KeyboardInterrupt
        return toy.toy_run(config, seed)

    cut = tmp_path / "cut"
    assert cmd_calibrate([*common, "--out", str(cut)], run_fn=interrupted) == 130
    assert "--resume" in capsys.readouterr().err
    manifest = json.loads((cut / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and not (cut / "posterior.parquet").exists()
    assert cmd_calibrate(["--resume", str(cut), "--engine", "serial", "-q"], run_fn=toy.toy_run) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(cut / "posterior.parquet"),
                                  pd.read_parquet(tmp_path / "straight" / "posterior.parquet"))
    manifest = json.loads((cut / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["runtime"]["sessions"] == 2


def test_robustness_draws_states_from_the_shipped_posterior(shipped, tmp_path, monkeypatch):
    pd.testing.assert_frame_equal(posterior_module.draw(7, 3), shipped.draw(7, 3))
    monkeypatch.setattr(posterior_module, "SHIPPED_DIR", tmp_path / "none")
    with pytest.raises(LookupError, match="no posterior is shipped"):
        posterior_module.draw(7, 3)
