"""Results folders that never mix, leak or hide a failure (issue 16): what resume checks, names that cannot leave
the folder, one writer at a time, unwritable folders, file permissions, the memory guard, progress, and a
scenario run with the scenario it extends.

Bookkeeping tests use a stand-in model (`fake_run`, as in test_ensemble.py); commands run `run.py` (or
tests/fault_run.py, which injects faults and a given amount of available memory) in a subprocess.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.ensemble import (
    EnsembleError,
    EnsembleOptions,
    Prepared,
    derive_seeds,
    plan_runs,
    prepare_scenario,
    prepared_from_folder,
    run_ensemble,
)
from sim.ensemble.files import current_umask
from sim.ensemble.folder import run_key
from sim.ensemble.lock import FolderLock
from sim.ensemble.memory import check_memory, run_bytes
from sim.ensemble.progress import Progress
from sim.outcomes.metrics import FLOW_METRICS, METRICS
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
NO_PLOTS = EnsembleOptions(plots=False)
RESUME = EnsembleOptions(resume=True, plots=False)


def fake_run(config, seed):
    rng = np.random.default_rng(seed)
    years = np.arange(config["time"]["start_year"], config["time"]["end_year"] + 1)
    return pd.DataFrame({"year": years, **{m: i + np.cumsum(rng.normal(0, 1, len(years)))
                                           for i, m in enumerate(METRICS)}})


def fake_prepared(names=("baseline", "integrated"), replicates=3):
    return [prepare_scenario({"name": n, "time": {"start_year": 2013, "end_year": 2020},
                              "seeds": {"root": 7, "replicates": replicates}}) for n in names]


def counting(calls):
    def run_fn(config, seed):
        replicate = derive_seeds(config["seeds"]["root"], config["seeds"]["replicates"]).index(seed)
        calls.append((config["name"], replicate))
        return fake_run(config, seed)

    return run_fn


def cli(*args, faults=(), memory=None, cwd=ROOT, timeout=600, env=None):
    injected = [x for f in faults for x in ("--fault", f)] + (["--memory-available", str(memory)] if memory else [])
    script = [str(ROOT / "tests" / "fault_run.py"), *injected, "--"] if injected else [str(ROOT / "run.py")]
    full_env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, *script, *map(str, args)], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def one_line(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


# ------------------------------------------------------------------------------------------- 1. what resume checks
def test_resume_refuses_a_folder_after_a_default_changed(tmp_path, monkeypatch):
    from sim.inputs.registry import LEVERS, PARAMETERS

    out = tmp_path / "r"
    run_ensemble(fake_prepared(), out, NO_PLOTS, run_fn=fake_run)
    manifest = json.loads((out / "manifest.json").read_text())
    recorded = manifest["scenarios"][0]["config"]
    # every default is written out: the record changes when a default changes, even if no file sets it
    assert recorded["parameters"]["depreciation"] == PARAMETERS["depreciation"].default
    assert set(recorded["levers"]) == set(LEVERS) and set(recorded["parameters"]) == set(PARAMETERS)
    assert manifest["code"]["fingerprint"] and manifest["format"] == 2
    assert [p.name for p in prepared_from_folder(out)] == ["baseline", "integrated"]  # unchanged: resumable

    monkeypatch.setitem(PARAMETERS, "depreciation", dataclasses.replace(PARAMETERS["depreciation"], default=0.08))
    with pytest.raises(EnsembleError, match=r"scenario baseline no longer resolves to the config it was run with "
                                            r"\(parameters.depreciation: recorded 0.07, now 0.08\)"):
        prepared_from_folder(out)
    monkeypatch.undo()

    monkeypatch.setitem(LEVERS, "employment_services",
                        dataclasses.replace(LEVERS["employment_services"], default=0.5))
    with pytest.raises(EnsembleError, match=r"levers.employment_services: recorded 0.2, now 0.5"):
        prepared_from_folder(out)


def test_resume_refuses_other_code_or_version_in_one_line(tmp_path):
    out = tmp_path / "r"
    run_ensemble(fake_prepared(replicates=1), out, NO_PLOTS, run_fn=fake_run)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["code"]["fingerprint"] = "0123456789abcdef"  # what another version of sim/ records
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(EnsembleError, match="the model's code changed since .* fingerprint 0123456789abcdef"):
        prepared_from_folder(out)
    r = cli("--resume", out, "--engine", "serial")
    assert r.returncode == 2 and "code changed" in one_line(r)
    manifest["code"] = {"version": "0.0.1", "fingerprint": "0123456789abcdef"}
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(EnsembleError, match="written by chengxiang 0.0.1"):
        prepared_from_folder(out)


def test_code_fingerprint_follows_every_file_of_the_package(tmp_path):
    from sim.ensemble.manifest import SIM_DIR, code_fingerprint

    copy = tmp_path / "sim"
    shutil.copytree(SIM_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_fingerprint(copy)
    assert before == code_fingerprint(SIM_DIR)
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "x.pyc").write_bytes(b"cache")  # caches do not count
    assert code_fingerprint(copy) == before
    path = copy / "engine" / "markets.py"
    path.write_text(path.read_text() + "\n# a change\n")
    assert code_fingerprint(copy) != before


# ------------------------------------------------------------------------------------------- 2. damaged files
def test_resume_reruns_truncated_and_damaged_run_files(tmp_path):
    prepared = fake_prepared()
    clean = tmp_path / "clean"
    run_ensemble(prepared, clean, NO_PLOTS, run_fn=fake_run)
    out = tmp_path / "damaged"
    run_ensemble(prepared, out, NO_PLOTS, run_fn=fake_run)
    runs = out / "runs"
    table = runs / "baseline-001.parquet"
    table.write_bytes(table.read_bytes()[: len(table.read_bytes()) // 2])  # truncated
    (runs / "baseline-002.parquet").write_bytes(b"")  # empty
    (runs / "integrated-000.json").write_text('{"scenario": "integrated", "replic')  # truncated record
    record = json.loads((runs / "integrated-001.json").read_text())
    (runs / "integrated-001.json").write_text(json.dumps({**record, "seed": "many"}))  # wrong type
    other = tmp_path / "other"
    run_ensemble(fake_prepared(("integrated",), 3), other, NO_PLOTS, run_fn=lambda c, s: fake_run(c, s + 1))
    shutil.copy(other / "runs" / "integrated-002.parquet", runs / "integrated-002.parquet")  # another run's table

    calls = []
    result = run_ensemble(prepared, out, RESUME, run_fn=counting(calls))
    assert sorted(calls) == [("baseline", 1), ("baseline", 2), ("integrated", 0), ("integrated", 1),
                             ("integrated", 2)]
    damaged = dict(d.split(": ", 1) for d in result.damaged)
    assert set(damaged) == {"baseline-001", "baseline-002", "integrated-000", "integrated-001", "integrated-002"}
    assert damaged["baseline-001"] == damaged["integrated-002"] == \
        "table damaged or replaced (not the file its record names)"
    assert damaged["integrated-000"].startswith("unreadable record")
    assert result.ok
    assert (out / "timeseries.parquet").read_bytes() == (clean / "timeseries.parquet").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["history"][0]["damaged"]) == 5


@pytest.mark.parametrize("damage, fragment", [
    (lambda m: m.pop("scenarios"), "scenarios: Field required"),
    (lambda m: m.update(scenarios="all of them"), "scenarios: Input should be a valid list"),
    (lambda m: m["scenarios"][0].update(name="../../etc"), "is not a valid scenario name"),
    (lambda m: m["scenarios"][0]["seeds"].pop("run_seeds"), "scenarios.0.seeds.run_seeds: Field required"),
    (lambda m: m.update(format=1), "written by an older version"),
])
def test_a_damaged_manifest_is_one_line(tmp_path, damage, fragment):
    out = tmp_path / "r"
    run_ensemble(fake_prepared(replicates=1), out, NO_PLOTS, run_fn=fake_run)
    manifest = json.loads((out / "manifest.json").read_text())
    damage(manifest)
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(EnsembleError, match=fragment):
        prepared_from_folder(out)
    (out / "manifest.json").write_text('{"format": 2, "scenario')
    with pytest.raises(EnsembleError, match="unreadable .*manifest.json"):
        prepared_from_folder(out)
    r = cli("--resume", out)
    assert r.returncode == 2 and "manifest.json" in one_line(r)


# ------------------------------------------------------------------------------------------- 3. names and paths
@pytest.mark.parametrize("name", ["../../X", "/tmp/abs", "a/b", "..", ".hidden", ""])
def test_path_like_names_never_become_paths(tmp_path, name, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match="name"):
        prepare_scenario({"name": name, "time": {"end_year": 2015}, "seeds": {"replicates": 1}})
    good = prepare_scenario({"name": "ok", "time": {"end_year": 2015}, "seeds": {"replicates": 1}})
    with pytest.raises(EnsembleError, match="not a valid scenario name"):  # a Prepared built by hand
        Prepared(name=name, config=good.config, config_hash="x", root=0, replicates=1, yaml_text="")
    with pytest.raises(EnsembleError, match="not a valid scenario name"):
        run_key(name, 0)
    forged = dataclasses.replace(good)
    forged.name = name  # changed after it was made: the folder still refuses to make a path of it
    with pytest.raises(EnsembleError, match="not a valid scenario name"):
        run_ensemble([forged], tmp_path / "o" / "deep", NO_PLOTS, run_fn=fake_run)
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert all(tmp_path / "o" in p.parents for p in written), written
    assert not (Path("/tmp") / "abs.yaml").exists()


# ------------------------------------------------------------------------------------------- 4. one writer
def test_two_concurrent_writers_and_a_killed_holder(tmp_path):
    out = tmp_path / "shared"
    small = ["--seeds", "2", "--households", "1000", "--end-year", "2015", "--engine", "serial", "--no-plots"]
    first = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fault_run.py"), "--fault", "baseline:1:hang",
                              "--", str(SCENARIOS / "baseline.yaml"), *small, "--out", str(out), "-q"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 300
        while not (out / "runs" / "baseline-000.parquet").exists() and time.time() < deadline:
            assert first.poll() is None, first.communicate()
            time.sleep(0.05)
        second = cli(SCENARIOS / "baseline.yaml", *small, "--out", out)
        assert second.returncode == 2 and "in use by another command" in one_line(second)
        resumed = cli("--resume", out, "--engine", "serial")
        assert resumed.returncode == 2 and "in use by another command" in one_line(resumed)
        with pytest.raises(EnsembleError, match=r"in use by another command \(pid \d+ since "):
            run_ensemble(prepared_from_folder(out), out, RESUME, run_fn=fake_run)
        first.send_signal(signal.SIGKILL)  # killed while holding the lock: the kernel releases it
        first.wait(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert (out / ".lock").exists()  # the file stays; the lock does not
    r = cli("--resume", out, "--engine", "serial", "--no-plots")
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_lock_of_a_sigkilled_process_is_free(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]); from sim.ensemble.lock import FolderLock\n"
        "with FolderLock(sys.argv[2]):\n    print('locked', flush=True); time.sleep(600)"), str(ROOT), str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(EnsembleError, match="in use by another command"):
            FolderLock(tmp_path).__enter__()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
    with FolderLock(tmp_path) as lock:
        assert f"pid {os.getpid()}" in (tmp_path / ".lock").read_text() and lock.fd is not None


# ------------------------------------------------------------------------------------------- 5. unwritable
@pytest.fixture
def read_only():
    """Make a folder unwritable for this process: chmod for a normal user; root ignores modes, so for root the
    immutable attribute (chattr +i). Restored at teardown."""
    made = []

    def make(path: Path) -> None:
        if os.geteuid() == 0:
            r = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
            if r.returncode != 0:
                pytest.skip("running as root without chattr: cannot make a folder read-only")
        else:
            path.chmod(0o555)
        made.append(path)

    yield make
    for path in made:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        else:
            path.chmod(0o755)


def test_unwritable_out_is_one_line_at_the_start(tmp_path, read_only):
    locked = tmp_path / "locked"
    locked.mkdir()
    read_only(locked)
    small = ["--seeds", "1", "--households", "1000", "--end-year", "2014", "--engine", "serial"]
    r = cli(SCENARIOS / "baseline.yaml", *small, "--out", locked / "sub")
    assert r.returncode == 2 and "cannot create the results folder" in one_line(r)
    r = cli(SCENARIOS / "baseline.yaml", *small, "--out", locked)
    assert r.returncode == 2 and "cannot write to the results folder" in one_line(r)
    assert list(locked.iterdir()) == []


def test_folder_made_read_only_mid_run_is_a_recorded_resumable_failure(tmp_path, read_only):
    prepared = fake_prepared()
    clean = tmp_path / "clean"
    run_ensemble(prepared, clean, NO_PLOTS, run_fn=fake_run)
    out = tmp_path / "r"
    calls = []

    def locks_the_runs_folder(config, seed):
        calls.append(seed)
        if len(calls) == 3:
            read_only(out / "runs")
        return fake_run(config, seed)

    with pytest.raises(EnsembleError, match=r"cannot write to the results folder .*runs.*; the runs finished so "
                                            r"far are saved: after fixing it, finish with --resume"):
        run_ensemble(prepared, out, NO_PLOTS, run_fn=locks_the_runs_folder)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "cannot write" in manifest["error"]
    with pytest.raises(EnsembleError, match="cannot write to the results folder"):  # still read-only: at start
        run_ensemble(prepared_from_folder(out), out, RESUME, run_fn=fake_run)
    subprocess.run(["chattr", "-i", str(out / "runs")], capture_output=True) if os.geteuid() == 0 else \
        (out / "runs").chmod(0o755)
    again = run_ensemble(prepared_from_folder(out), out, RESUME, run_fn=fake_run)
    assert again.ok and (out / "timeseries.parquet").read_bytes() == (clean / "timeseries.parquet").read_bytes()


# ------------------------------------------------------------------------------------------- 6. permissions, csv
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o007, 0o660)])
def test_files_follow_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        assert current_umask() == umask
        run_ensemble(fake_prepared(replicates=1), tmp_path / "r", EnsembleOptions(csv=True), run_fn=fake_run)
    finally:
        os.umask(previous)
    files = [p for p in (tmp_path / "r").rglob("*") if p.is_file()]
    assert {"manifest.json", "timeseries.parquet", "timeseries.csv", "summary.csv", "runs.jsonl",
            "baseline-000.parquet", "overview.png", "baseline.yaml"} <= {p.name for p in files}
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: mode for p in files}


def test_resume_without_csv_removes_the_csv_of_an_earlier_command(tmp_path):
    out = tmp_path / "r"
    run_ensemble(fake_prepared(), out, EnsembleOptions(csv=True, plots=False), run_fn=fake_run)
    assert (out / "timeseries.csv").exists()
    (out / "runs" / "integrated-002.parquet").unlink()
    run_ensemble(prepared_from_folder(out), out, RESUME, run_fn=fake_run)
    assert not (out / "timeseries.csv").exists()
    (out / "runs" / "integrated-002.parquet").unlink()
    run_ensemble(prepared_from_folder(out), out, EnsembleOptions(resume=True, csv=True, plots=False),
                 run_fn=fake_run)
    assert pd.read_csv(out / "timeseries.csv").shape[0] == pd.read_parquet(out / "timeseries.parquet").shape[0]


# ------------------------------------------------------------------------------------------- 9. memory
def test_memory_guard_refuses_what_cannot_fit_and_names_the_override():
    ten_million = fake_prepared(("big",), replicates=2)
    ten_million[0].config["world"]["households"] = 10_000_000
    assert 17e9 < run_bytes(10_000_000) < 20e9
    with pytest.raises(EnsembleError, match=r"not enough memory: 2 runs at once of 10,000,000 households need about "
                                            r"3\d\.\d GB .* and 24\.0 GB is available; use --workers 1, fewer "
                                            r"--households, or --force"):
        check_memory(ten_million, 2, available=int(24e9))
    check_memory(ten_million, 1, available=int(24e9))  # one at a time fits


def test_memory_guard_in_the_ensemble_and_the_command(tmp_path, monkeypatch):
    import sim.ensemble.memory as memory

    monkeypatch.setattr(memory, "available_bytes", lambda: int(1e9))
    prepared = [prepare_scenario({"name": "big", "world": {"households": 1_000_000}, "time": {"end_year": 2015},
                                  "seeds": {"replicates": 1}})]
    with pytest.raises(EnsembleError, match="not enough memory"):
        run_ensemble(prepared, tmp_path / "r", NO_PLOTS, run_fn=fake_run)
    assert not (tmp_path / "r").exists()  # refused before anything is written
    assert run_ensemble(prepared, tmp_path / "r", EnsembleOptions(plots=False, force=True), run_fn=fake_run).ok

    args = [SCENARIOS / "baseline.yaml", "--seeds", "2", "--end-year", "2014", "--no-plots"]
    r = cli(*args, "--households", "400000", "--engine", "dask", "--workers", "2", "--out", tmp_path / "a",
            memory=1.0)
    assert r.returncode == 2 and "use --workers 1, fewer --households, or --force" in one_line(r)
    r = cli(*args, "--households", "1000000", "--engine", "serial", "--out", tmp_path / "b", memory=1.0)
    assert r.returncode == 2 and "one run of 1,000,000 households" in one_line(r)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    r = cli(*args, "--households", "1000", "--engine", "serial", "--out", tmp_path / "c", "--force", memory=0.1)
    assert r.returncode == 0, r.stderr


# ------------------------------------------------------------------------------------------- 10. progress
def test_serial_runs_report_their_years_to_the_bar():
    from sim.ensemble.engines import SerialEngine

    prepared = [prepare_scenario({"name": "small", "world": {"households": 1000},
                                  "time": {"start_year": 2013, "end_year": 2015}, "seeds": {"replicates": 1}})]
    stream = io.StringIO()
    progress = Progress(1, 0, "bar", stream=stream)
    seen = []
    progress.year = lambda run, year, real=progress.year: (seen.append((run.scenario, year)), real(run, year))
    for record, _ in SerialEngine().results(plan_runs(prepared), None, progress):
        progress.finished(record)
    progress.close()
    assert seen == [("small", 2014), ("small", 2015)]
    assert "running: small r0 2015" in stream.getvalue()  # the bar shows the year of the run in flight


def test_progress_lines_count_time_and_estimate():
    stream = io.StringIO()
    progress = Progress(4, 1, "lines", stream=stream)
    progress.finished({"scenario": "baseline", "replicate": 1, "status": "ok", "seconds": 2.0})
    progress.finished({"scenario": "integrated", "replicate": 0, "status": "failed", "seconds": None})
    progress.finished({"scenario": "integrated", "replicate": 1, "status": "ok", "seconds": 1.25})
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[2/4] baseline r1 ok 2.0 s, elapsed 0:00, ~0:00 left")
    assert lines[1].startswith("[3/4] integrated r0 FAILED, elapsed")
    assert lines[2].startswith("[4/4] integrated r1 ok 1.2 s, elapsed") and "left" not in lines[2]


# ------------------------------------------------------------------------------------------- 11, 12. plots
def test_one_scenario_runs_with_the_scenario_it_extends(tmp_path):
    from sim.ensemble.plots import load_folder, reform_markers

    out = tmp_path / "r"
    r = cli(SCENARIOS / "integrated.yaml", "--seeds", "1", "--households", "1000", "--end-year", "2027",
            "--engine", "serial", "--out", out)
    assert r.returncode == 0, r.stderr
    assert "Also running baseline (" in r.stdout and "integrated extends it" in r.stdout
    ts, order, configs, parents = load_folder(out)
    assert order == ["baseline", "integrated"] and parents == {"baseline": None, "integrated": "baseline"}
    marks = reform_markers(configs, years=(2013, 2027), parents=parents)
    assert marks["baseline"] == {} and marks["integrated"] and set(marks["integrated"].values()) == {2025}
    assert (out / "plots" / "overview.png").exists()
    alone = cli(SCENARIOS / "integrated.yaml", "--seeds", "1", "--households", "1000", "--end-year", "2015",
                "--engine", "serial", "--out", tmp_path / "alone", "--alone", "--no-plots")
    assert alone.returncode == 0 and "Also running" not in alone.stdout
    assert json.loads((tmp_path / "alone" / "manifest.json").read_text())["scenario_names"] == ["integrated"]


def test_flow_metrics_are_missing_in_the_start_year(tmp_path):
    assert FLOW_METRICS == ["citizenized", "land_rights_exits", "urban_to_rural_capital", "urban_capital_to_county_towns",
                            "talent_to_rural", "land_revenue_to_agriculture", "citizenization_support_spending",
                            "training_spending"]
    prepared = [prepare_scenario({"name": "small", "world": {"households": 1000}, "time": {"end_year": 2016},
                                  "seeds": {"replicates": 1}})]
    ts = run_ensemble(prepared).timeseries
    first, later = ts[ts.year == 2013], ts[ts.year > 2013]
    assert first[FLOW_METRICS].isna().all().all() and later[FLOW_METRICS].notna().all().all()
    stocks = [m for m in METRICS if m not in FLOW_METRICS]
    assert ts[stocks].notna().all().all()
    for name in ("urban_to_rural_capital", "land_revenue_to_agriculture", "training_spending"):
        assert "current prices" in METRICS[name].unit
