"""run.py: options, errors (exit 2, one line, no traceback), subcommands, and a small end-to-end run."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.outcomes.metrics import KEY_METRICS, METRICS

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMALL_ARGS = ["--seeds", "2", "--households", "2000", "--end-year", "2018"]


def _load_run_py():
    spec = importlib.util.spec_from_file_location("chengxiang_run_cli", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RUN = _load_run_py()


def main(argv, capsys):
    try:
        code = RUN.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def cli(*args, env=None, cwd=ROOT, timeout=600):
    full_env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--seeds", "0"], "--seeds"),
        (["--seeds", "many"], "--seeds"),
        (["--households", "-5"], "--households"),
        (["--workers", "0"], "--workers"),
        (["--end-year", "nineteen"], "--end-year"),
        (["--engine", "spark"], "--engine"),
        (["--frobnicate"], "unrecognized arguments"),
        (["no/such/file.yaml"], "no such file"),
        ([ROOT / "scenarios"], "not a file"),
        (["--resume", "no/such/folder"], "no such folder"),
        (["--resume", ROOT / "scenarios"], "not a results folder"),
        (["--resume", ROOT / "scenarios", BASELINE], "--resume takes"),
        (["--engine", "serial", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
        (["--engine", "serial", "--workers", "2"], "--workers needs --engine dask"),
        (["plot", "no/such/folder"], "no such folder"),
        (["plot"], "the following arguments are required"),
        (["validate"], "the following arguments are required"),
        (["schema", "extra"], "unrecognized arguments"),
    ],
)
def test_bad_usage_exits_2_with_one_line(argv, fragment, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = main(argv, capsys)
    assert code == 2
    assert fragment in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert not (tmp_path / "results").exists()


def test_out_folder_not_empty_exits_2(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("x")
    code, _, err = main([BASELINE, "--out", tmp_path], capsys)
    assert code == 2 and "not empty" in err and "--resume" in err


def test_bad_scenario_exits_2_before_any_results_folder(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nlevers:\n  no_such_lever: 1\n")
    r = cli(bad, "--out", tmp_path / "out", cwd=tmp_path)
    assert r.returncode == 2
    assert "bad.yaml" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "results").exists()
    r = cli(BASELINE, bad, cwd=tmp_path)  # default --out: still nothing created
    assert r.returncode == 2 and not (tmp_path / "results").exists()


def test_override_out_of_range_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = main([BASELINE, "--end-year", "1990"], capsys)
    assert code == 2 and "Traceback" not in err
    assert not (tmp_path / "results").exists()


def test_validate_and_schema(capsys):
    code, out, _ = main(["validate", BASELINE], capsys)
    assert code == 0
    code, out, _ = main(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    assert isinstance(schema, dict) and schema


def test_help_mentions_every_option(capsys):
    code, out, _ = main(["--help"], capsys)
    assert code == 0
    for opt in ["--seeds", "--households", "--out", "--engine", "--workers", "--scheduler", "--resume", "--csv",
                "--no-plots", "-q", "plot DIR", "validate", "schema", "--parameters", "--observed", "calibrate"]:
        assert opt in out


def test_small_run_end_to_end(tmp_path):
    """The README command with small options: results folder, plots, report on stdout, quiet stderr."""
    r = cli(BASELINE, ROOT / "scenarios" / "new_urbanization.yaml", *SMALL_ARGS, "--csv", "--engine", "serial",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (folder,) = list((tmp_path / "results").iterdir())
    assert folder.name.endswith("-baseline-new_urbanization")
    assert f"results/{folder.name}/" in r.stdout and "Plots:" in r.stdout
    # stderr is a pipe: one progress line per finished run (no bar), runs done / total, elapsed, time left
    lines = r.stderr.splitlines()
    assert len(lines) == 4, r.stderr
    pattern = r"\[(\d)/4\] (baseline|new_urbanization) r([01]) ok \d+\.\d s, elapsed \d+:\d\d(, ~\d+:\d\d left)?"
    found = [re.fullmatch(pattern, line) for line in lines]
    assert all(found), lines
    assert [m.group(1) for m in found] == ["1", "2", "3", "4"]
    assert [(m.group(2), m.group(3)) for m in found] == [("baseline", "0"), ("baseline", "1"),
                                                         ("new_urbanization", "0"), ("new_urbanization", "1")]
    assert all(m.group(4) for m in found[:3]) and not found[3].group(4)  # the last line has nothing left
    for name in ["timeseries.parquet", "timeseries.csv", "runs.jsonl", "manifest.json", "summary.csv",
                 "scenarios/baseline.yaml", "scenarios/new_urbanization.yaml", "plots/overview.png",
                 *[f"plots/{m}.png" for m in KEY_METRICS]]:
        assert (folder / name).is_file(), name
    ts = pd.read_parquet(folder / "timeseries.parquet")
    csv = pd.read_csv(folder / "timeseries.csv")
    assert list(csv.columns) == ["scenario", "seed", "year", *METRICS] and len(csv) == len(ts) == 2 * 2 * 6
    manifest = json.loads((folder / "manifest.json").read_text())
    from sim.calibration.draws import default_mode

    assert manifest["overrides"] == {"seeds": 2, "households": 2000, "end_year": 2018,
                                     "parameters": manifest["overrides"]["parameters"]}
    assert manifest["overrides"]["parameters"]["mode"] == default_mode()  # which parameters the runs used
    assert manifest["engine"]["name"] == "serial" and manifest["status"] == "complete"
    assert manifest["runs"] == {"planned": 4, "ok": 4, "failed": 0}
    # rerunning the same folder is refused; redrawing its plots is not
    again = cli(BASELINE, "--out", folder, cwd=tmp_path)
    assert again.returncode == 2
    redraw = cli("plot", folder, "-q", cwd=tmp_path)
    assert redraw.returncode == 0 and redraw.stdout == ""


def test_quiet_prints_nothing(tmp_path):
    r = cli(BASELINE, "--seeds", "1", "--households", "1000", "--end-year", "2015", "--no-plots", "-q",
            "--out", tmp_path / "q")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""
    assert not (tmp_path / "q" / "plots").exists()


def test_no_files_runs_the_four_strategy_scenarios_from_any_folder(tmp_path):
    r = cli("--seeds", "1", "--households", "1000", "--end-year", "2015", "--no-plots", "--engine", "serial",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (folder,) = list((tmp_path / "results").iterdir())
    assert folder.name.endswith("-baseline-new_urbanization-rural_revitalization-integrated")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["scenario_names"] == ["baseline", "new_urbanization", "rural_revitalization", "integrated"]
    # the resolved scenarios (shortened to 2015) are valid scenario files on their own
    files = sorted((folder / "scenarios").glob("*.yaml"))
    assert len(files) == 4
    v = cli("validate", *files)
    assert v.returncode == 0, v.stdout + v.stderr


def test_unreachable_scheduler_exits_2(tmp_path):
    r = cli(BASELINE, "--seeds", "1", "--households", "1000", "--end-year", "2014", "--out", tmp_path / "o",
            "--scheduler", "tcp://127.0.0.1:9", timeout=120)
    assert r.returncode == 2, r.stderr
    assert "cannot connect to Dask scheduler tcp://127.0.0.1:9" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()  # connecting comes before writing anything


def test_garbage_scheduler_address_exits_2_with_one_line(tmp_path):
    r = cli(BASELINE, "--seeds", "2", "--households", "1000", "--end-year", "2014", "--out", tmp_path / "o",
            env={"DASK_SCHEDULER_ADDRESS": "garbage"}, timeout=120)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        "run.py: error: cannot connect to Dask scheduler garbage: missing port number in address 'garbage'"]
    assert not (tmp_path / "o").exists()
