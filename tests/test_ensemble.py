"""Ensemble runner: seeds, engines (serial, Dask LocalCluster, external Dask cluster), failures, resume.

End-to-end tests use the real engine, kept small (2000 households, 2013-2018, 2 scenarios x 2 seeds).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.outcomes.metrics import METRICS
from sim.ensemble import (
    EnsembleError,
    EnsembleOptions,
    ResultsFolder,
    derive_seeds,
    execute_run,
    plan_runs,
    prepare,
    prepare_scenario,
    run_ensemble,
    summarize,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "integrated.yaml"]
SMALL = dict(seeds=2, households=2000, end_year=2018)
SMALL_ARGS = ["--seeds", "2", "--households", "2000", "--end-year", "2018"]


def fake_run(config, seed):
    """A stand-in engine for fast tests of the runner's bookkeeping (same output contract as sim.run)."""
    rng = np.random.default_rng(seed)
    years = np.arange(config["time"]["start_year"], config["time"]["end_year"] + 1)
    data = {"year": years}
    for i, m in enumerate(METRICS):
        data[m] = i + np.cumsum(rng.normal(0, 1, len(years)))
    return pd.DataFrame(data)


def fake_prepared(names=("baseline", "integrated"), replicates=3):
    return [
        prepare_scenario({"name": n, "time": {"start_year": 2013, "end_year": 2020},
                          "seeds": {"root": 7, "replicates": replicates}})
        for n in names
    ]


NO_PLOTS = EnsembleOptions(plots=False)


def failing_at(*keys):
    """`fake_run`, except that the runs (scenario, replicate) in `keys` raise."""
    def run_fn(config, seed):
        replicate = derive_seeds(config["seeds"]["root"], config["seeds"]["replicates"]).index(seed)
        if (config["name"], replicate) in keys:
            raise RuntimeError(f"fault injected for {config['name']}:{replicate}")
        return fake_run(config, seed)

    return run_fn


def cli(*args, env=None, cwd=ROOT, timeout=600, faults=()):
    """run.py in a subprocess; `faults` ("scenario:replicate[:raise|exit|hang]") go through tests/fault_run.py."""
    full_env = dict(os.environ)
    full_env.pop("DASK_SCHEDULER_ADDRESS", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, *command(*args, faults=faults)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def command(*args, faults=()):
    if not faults:
        return [str(ROOT / "run.py"), *map(str, args)]
    injected = [x for f in faults for x in ("--fault", f)]
    return [str(ROOT / "tests" / "fault_run.py"), *injected, "--", *map(str, args)]


def read_bytes(folder, name="timeseries.parquet"):
    return (Path(folder) / name).read_bytes()


# ------------------------------------------------------------------------------------------------ seeds, plan
def test_seeds_come_from_seedsequence_spawn_and_do_not_depend_on_count():
    seeds = derive_seeds(42, 4)
    expected = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(42).spawn(4)]
    assert seeds == expected
    assert len(set(seeds)) == 4
    assert derive_seeds(42, 2) == seeds[:2]  # more replicates only add runs
    assert derive_seeds(43, 2) != seeds[:2]


def test_plan_order_is_scenarios_then_replicates():
    runs = plan_runs(fake_prepared(replicates=2))
    assert [(r.scenario, r.replicate) for r in runs] == [
        ("baseline", 0), ("baseline", 1), ("integrated", 0), ("integrated", 1)]
    # same root -> same seeds in every scenario (common random numbers across scenarios)
    assert runs[0].seed == runs[2].seed


def test_a_run_catches_its_own_exception():
    def broken(config, seed):
        raise ValueError("model exploded")

    run = plan_runs(fake_prepared(replicates=1))[0]
    record, table = execute_run(run, broken)
    assert table is None
    assert record["status"] == "failed" and "ValueError: model exploded" in record["error"]
    assert record["seed"] == run.seed and record["config_hash"] == run.config_hash


def test_ctrl_c_wrapped_by_a_c_callback_is_an_interruption_not_a_failed_run():
    # numba unpickling a cached kernel turns a Ctrl-C into "SystemError: ... returned a result with an exception
    # set" whose cause is the KeyboardInterrupt (seen in CI); it must stop the ensemble like a plain Ctrl-C.
    def interrupted_in_callback(config, seed):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise SystemError("CPUDispatcher(<kernel>) returned a result with an exception set") from exc

    run = plan_runs(fake_prepared(replicates=1))[0]
    with pytest.raises(KeyboardInterrupt):
        execute_run(run, interrupted_in_callback)

    def unrelated_system_error(config, seed):
        try:
            raise KeyError("x")
        except KeyError as exc:
            raise SystemError("no interrupt here") from exc

    record, _ = execute_run(run, unrelated_system_error)
    assert record["status"] == "failed" and "no interrupt here" in record["error"]


def test_swallowed_ctrl_c_stops_a_serial_ensemble_after_the_current_run():
    # A SIGINT whose KeyboardInterrupt a callback swallowed ("Exception ignored in ...") must still stop the
    # ensemble: the run in progress is kept, the next one is not started.
    from sim.ensemble.engines import SerialEngine

    started = []

    def swallowing(config, seed):
        started.append(seed)
        if len(started) == 2:
            try:
                signal.raise_signal(signal.SIGINT)
            except KeyboardInterrupt:
                pass
        return fake_run(config, seed)

    runs = plan_runs(fake_prepared(replicates=2))
    got = []
    with pytest.raises(KeyboardInterrupt):
        for record, _ in SerialEngine().results(runs, swallowing):
            got.append(record)
    assert len(started) == 2 and [r["status"] for r in got] == ["ok", "ok"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_missing_metric_is_a_failed_run_not_a_crash():
    run = plan_runs(fake_prepared(replicates=1))[0]
    record, table = execute_run(run, lambda c, s: fake_run(c, s).drop(columns=["population"]))
    assert record["status"] == "failed" and "population" in record["error"]


# ------------------------------------------------------------------------------------------------ bookkeeping (fake)
def test_failure_keeps_other_runs_and_resume_reruns_only_missing(tmp_path):
    prepared = fake_prepared()
    clean = run_ensemble(prepared, tmp_path / "clean", NO_PLOTS, run_fn=fake_run)
    assert clean.ok and len(clean.timeseries) == 6 * 8

    out = tmp_path / "faulty"
    res = run_ensemble(prepared, out, NO_PLOTS, run_fn=failing_at(("integrated", 1)))
    assert [r["status"] for r in res.records] == ["ok"] * 4 + ["failed", "ok"]
    lines = [json.loads(x) for x in (out / "runs.jsonl").read_text().splitlines()]
    assert len(lines) == 6 and "fault injected" in lines[4]["error"]
    assert set(lines[0]) >= {"scenario", "seed", "status", "config_hash", "seconds", "error"}
    assert not (out / "runs" / "integrated-001.parquet").exists()
    assert sorted(res.timeseries.groupby(["scenario", "seed"]).size().index.get_level_values(0)) == [
        "baseline"] * 3 + ["integrated"] * 2

    calls = []

    def counting(config, seed):
        calls.append(seed)
        return fake_run(config, seed)

    again = run_ensemble(prepared, out, EnsembleOptions(resume=True, plots=False), run_fn=counting)
    assert again.ok and calls == [plan_runs(prepared)[4].seed]
    assert read_bytes(out) == read_bytes(tmp_path / "clean")
    assert (out / "summary.csv").read_bytes() == (tmp_path / "clean" / "summary.csv").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["history"][0]["to_run"] == 1


def test_deleted_run_files_are_rerun_on_resume(tmp_path):
    prepared = fake_prepared()
    out = tmp_path / "r"
    run_ensemble(prepared, out, NO_PLOTS, run_fn=fake_run)
    before = read_bytes(out)
    (out / "runs" / "baseline-002.parquet").unlink()
    (out / "runs" / "integrated-000.json").unlink()
    calls = []
    run_ensemble(prepared, out, EnsembleOptions(resume=True, plots=False),
                 run_fn=lambda c, s: calls.append(s) or fake_run(c, s))
    assert len(calls) == 2
    assert read_bytes(out) == before


def test_no_temporary_files_left(tmp_path):
    run_ensemble(fake_prepared(), tmp_path / "r", NO_PLOTS, run_fn=fake_run)
    assert not [p for p in (tmp_path / "r").rglob("*") if p.name.endswith(".tmp")]


def test_in_memory_ensemble_without_folder():
    res = run_ensemble(fake_prepared(replicates=2), None, run_fn=fake_run)
    assert res.folder is None and list(res.timeseries.columns[:3]) == ["scenario", "seed", "year"]
    assert list(res.timeseries.columns[3:]) == list(METRICS)
    s = summarize(res.timeseries)
    assert set(s["which"]) == {"final"}  # horizon 2020 < 2035


# ------------------------------------------------------------------------------------------------ real engine
@pytest.fixture(scope="module")
def serial_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "res"
    r = cli(*SCENARIOS, *SMALL_ARGS, "--engine", "serial", "--out", out, "--no-plots", "-q")
    assert r.returncode == 0, r.stderr
    return out


def test_serial_results_folder_layout(serial_folder):
    f = ResultsFolder(serial_folder)
    ts = f.read_timeseries()
    assert list(ts.columns) == ["scenario", "seed", "year", *METRICS]
    assert list(dict.fromkeys(ts["scenario"])) == ["baseline", "integrated"]
    assert ts.groupby("scenario")["seed"].nunique().to_dict() == {"baseline": 2, "integrated": 2}
    assert sorted(ts["year"].unique()) == list(range(2013, 2019))
    manifest = f.read_manifest()
    assert manifest["scenario_names"] == ["baseline", "integrated"]
    assert {"python", "mesa", "numpy", "pandas"} <= set(manifest["versions"])
    assert manifest["scenarios"][0]["seeds"]["run_seeds"] == sorted(
        ts[ts.scenario == "baseline"]["seed"].unique(), key=list(ts["seed"]).index)
    assert manifest["command"].startswith("run.py ")
    assert (serial_folder / "scenarios" / "baseline.yaml").exists()
    runs = f.read_runs()
    assert [r["status"] for r in runs] == ["ok"] * 4
    summary = pd.read_csv(serial_folder / "summary.csv")
    assert set(summary["which"]) == {"final"} and set(summary["year"]) == {2018}
    assert len(summary) == 2 * len(METRICS)


def test_dask_localcluster_gives_identical_table(serial_folder, tmp_path):
    out = tmp_path / "dask"
    r = cli(*SCENARIOS, *SMALL_ARGS, "--engine", "dask", "--workers", "2", "--out", out, "--no-plots", "-q")
    assert r.returncode == 0, r.stderr
    assert read_bytes(out) == read_bytes(serial_folder)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "timeseries.parquet"),
                                  pd.read_parquet(serial_folder / "timeseries.parquet"))


def test_fault_leaves_other_runs_intact(serial_folder, tmp_path):
    out = tmp_path / "fault"
    r = cli(*SCENARIOS, *SMALL_ARGS, "--engine", "dask", "--workers", "2", "--out", out, "--no-plots",
            faults=["integrated:1", "baseline:0:exit"])
    assert r.returncode == 1, r.stderr
    assert "integrated replicate 1" in r.stderr and "baseline replicate 0" in r.stderr
    runs = {(x["scenario"], x["replicate"]): x for x in ResultsFolder(out).read_runs()}
    assert runs[("integrated", 1)]["status"] == "failed" and "RuntimeError" in runs[("integrated", 1)]["error"]
    assert runs[("baseline", 0)]["status"] == "failed" and "worker" in runs[("baseline", 0)]["error"]
    assert runs[("baseline", 1)]["status"] == "ok" and runs[("integrated", 0)]["status"] == "ok"
    ts = pd.read_parquet(out / "timeseries.parquet")
    clean = pd.read_parquet(serial_folder / "timeseries.parquet")
    keep = clean[~(((clean.scenario == "integrated") & (clean.seed == runs[("integrated", 1)]["seed"]))
                   | ((clean.scenario == "baseline") & (clean.seed == runs[("baseline", 0)]["seed"])))]
    pd.testing.assert_frame_equal(ts, keep.reset_index(drop=True))


def test_interrupted_command_resumes_to_the_clean_table(serial_folder, tmp_path):
    out = tmp_path / "killed"
    # the process dies (os._exit, like a kill -9) when it reaches integrated replicate 0
    r = cli(*SCENARIOS, *SMALL_ARGS, "--engine", "serial", "--out", out, "--no-plots", "-q",
            faults=["integrated:0:exit"])
    assert r.returncode == 70
    assert sorted(p.name for p in (out / "runs").glob("*.parquet")) == ["baseline-000.parquet",
                                                                        "baseline-001.parquet"]
    assert not (out / "timeseries.parquet").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    r = cli("--resume", out, "--engine", "serial", "--no-plots", "-q")
    assert r.returncode == 0, r.stderr
    assert read_bytes(out) == read_bytes(serial_folder)
    assert [x["status"] for x in ResultsFolder(out).read_runs()] == ["ok"] * 4


@pytest.mark.parametrize("engine", ["serial", "dask"])
def test_sigint_then_resume(serial_folder, tmp_path, engine):
    # integrated replicate 0 hangs (test hook), so the command cannot finish before Ctrl-C arrives: the signal lands
    # in a real run of the engine (baseline replicate 1, or integrated 1 on Dask) or in the hanging one.
    out = tmp_path / "sigint"
    env = dict(os.environ)
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    proc = subprocess.Popen([sys.executable, *command(*SCENARIOS, *SMALL_ARGS, "--engine", engine, "--workers",
                                                      "2" if engine == "dask" else "1", "--out", out, "--no-plots",
                                                      "-q", faults=["integrated:0:hang"])],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and not list((out / "runs").glob("*.parquet")) and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()[1]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130 and "--resume" in err and "Traceback" not in err, err
    assert not (out / "timeseries.parquet").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert 1 <= len(list((out / "runs").glob("*.parquet"))) < 4
    r = cli("--resume", out, "--engine", "serial", "--no-plots", "-q")
    assert r.returncode == 0, r.stderr
    assert read_bytes(out) == read_bytes(serial_folder)


DASK_CLUSTER_YAML = """\
distributed:
  scheduler:
    allowed-failures: 0
    worker-saturation: 1.0
  nanny:
    pre-spawn-environ:
      MALLOC_TRIM_THRESHOLD_: null
"""


def test_docs_show_the_cluster_config_the_test_uses():
    assert DASK_CLUSTER_YAML in (ROOT / "docs" / "running.md").read_text()


def _start_cluster(tmp_path, env):
    sched_file = tmp_path / "scheduler.json"
    dask_cli = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = []
    procs.append(subprocess.Popen(
        [*dask_cli, "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    deadline = time.time() + 60
    while not sched_file.exists() and time.time() < deadline:
        time.sleep(0.1)
    address = json.loads(sched_file.read_text())["address"]
    for i in range(2):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--nworkers", "1",
             "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{i}"],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return address, procs


def test_external_cluster_via_scheduler_option(serial_folder, tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # the cluster configuration docs/running.md recommends for external clusters
    (tmp_path / "dask.yaml").write_text(DASK_CLUSTER_YAML)
    env["DASK_CONFIG"] = str(tmp_path / "dask.yaml")
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    address, procs = _start_cluster(tmp_path, env)
    try:
        assert address.startswith("tcp://127.0.0.1:")
        out = tmp_path / "ext"
        r = cli(*SCENARIOS, *SMALL_ARGS, "--out", out, "--no-plots", "-q", env={"DASK_SCHEDULER_ADDRESS": address})
        assert r.returncode == 0, r.stderr
        assert read_bytes(out) == read_bytes(serial_folder)
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["engine"] == {"name": "dask", "workers": None, "scheduler": address}
        out2 = tmp_path / "ext2"
        r = cli(*SCENARIOS, *SMALL_ARGS, "--out", out2, "--no-plots", "-q", "--scheduler", address,
                faults=["baseline:1"])
        assert r.returncode == 1
        assert [x["status"] for x in ResultsFolder(out2).read_runs()] == ["ok", "failed", "ok", "ok"]
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_prepare_overrides_and_duplicate_names(tmp_path):
    prepared = prepare(SCENARIOS, **SMALL)
    assert [p.name for p in prepared] == ["baseline", "integrated"]
    assert all(p.replicates == 2 and p.end_year == 2018 and p.config["world"]["households"] == 2000
               for p in prepared)
    copy = tmp_path / "again.yaml"
    shutil.copy(SCENARIOS[0], copy)
    with pytest.raises(EnsembleError, match="repeated: baseline"):
        prepare([SCENARIOS[0], copy])


def test_end_year_override_drops_later_dates_without_changing_the_run():
    from sim import run
    from sim.inputs.policy import PolicyTable
    from sim.scenario import Overrides, Scenario, load_scenario

    levers = {"residence_years_required": {"values": {2014: 2.0, 2030: 0.0}, "interpolation": "linear"},
              "settlement_openness_small": {"values": {2014: 0.9, 2025: 1.0}, "interpolation": "step"},
              "land_exit_compensation": {"values": {2025: 15.0}, "interpolation": "step"}}
    long = Scenario.model_validate({"time": {"end_year": 2035}, "levers": levers})
    short = Overrides(end_year=2020).apply(long)
    cut = short.model_dump()["levers"]
    assert cut["residence_years_required"]["values"] == {2014: 2.0, 2020: 1.25}
    assert cut["settlement_openness_small"]["values"] == {2014: 0.9}
    assert "land_exit_compensation" not in cut
    before, after = PolicyTable(long.model_dump()["levers"]), PolicyTable(cut)
    for year in range(2013, 2021):
        assert before.values(year) == after.values(year)

    scn = load_scenario(SCENARIOS[1])
    short = prepare_scenario(scn, households=2000, end_year=2018)
    full = scn.model_dump(mode="python")
    full["world"]["households"], full["time"]["end_year"] = 2000, 2018
    pd.testing.assert_frame_equal(run(short.config, 11), run(full, 11))
