"""Comparison figures: titles, axis labels and units from the registry, colours, reform marks, files on disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest

from sim.outcomes.metrics import KEY_METRICS, METRICS
from sim.ensemble.plots import (
    SCENARIO_COLORS,
    metric_figure,
    overview_figure,
    plot_results,
    pretty,
    reform_markers,
    scenario_colors,
)
from sim.ensemble.files import atomic_write_parquet
from sim.ensemble.folder import ResultsFolder

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["baseline", "new_urbanization", "rural_revitalization", "integrated"]


def synthetic(names=NAMES, seeds=5, years=range(2013, 2036)):
    rng = np.random.default_rng(0)
    rows = []
    for k, name in enumerate(names):
        for seed in range(seeds):
            for i, y in enumerate(years):
                rows.append({"scenario": name, "seed": 1000 + seed, "year": y,
                             **{m: 50 + k * i * 0.3 + rng.normal() for m in METRICS}})
    return pd.DataFrame(rows)


CONFIGS = {
    "baseline": {"levers": {"residence_years_required": {"values": {2014: 2}, "interpolation": "step"}}},
    "new_urbanization": {"levers": {"residence_years_required": {"values": {2014: 2, 2021: 0}}}},
    "rural_revitalization": {"levers": {"residence_years_required": {"values": {2014: 2}},
                                        "settlement_openness_small": 1.0}},
    "integrated": {"levers": {"residence_years_required": {"values": {2014: 2, 2021: 0}},
                              "settlement_openness_megacity": {"values": {2025: 0.3}}}},
}


def test_reform_marks_are_departures_from_baseline():
    marks = reform_markers(CONFIGS, years=(2013, 2035))
    assert marks["baseline"] == {}
    assert marks["new_urbanization"] == {"residence_years_required": 2021}
    assert marks["rural_revitalization"] == {"settlement_openness_small": 2013}
    assert marks["integrated"] == {"residence_years_required": 2021, "settlement_openness_megacity": 2025}


def test_reform_marks_are_departures_from_the_parent_never_from_the_2013_defaults():
    # a scenario alone, or with no reference in the folder, has no marks (the history is not a reform)
    alone = {k: v for k, v in CONFIGS.items() if k != "baseline"}
    assert reform_markers(alone, years=(2013, 2035)) == {name: {} for name in alone}
    # a scenario is compared with the scenario it extends, when that is in the folder
    parents = {"new_urbanization": "baseline", "integrated": "new_urbanization"}
    marks = reform_markers(CONFIGS, years=(2013, 2035), parents=parents)
    assert marks["integrated"] == {"settlement_openness_megacity": 2025}
    assert marks["new_urbanization"] == {"residence_years_required": 2021}
    assert marks["baseline"] == {}


def test_metric_figure_titles_labels_units_and_legend():
    ts = synthetic()
    marks = reform_markers(CONFIGS, years=(2013, 2035))
    for metric in KEY_METRICS:
        fig = metric_figure(ts, metric, reforms=marks)
        (ax,) = fig.axes
        meta = METRICS[metric]
        assert ax.get_title(loc="left") == meta.label
        assert ax.get_ylabel() == meta.unit
        assert ax.get_xlabel() == "Year"
        legend = ax.get_legend()
        assert [t.get_text() for t in legend.get_texts()] == [pretty(n) for n in NAMES] + ["Policy departs"]
        lines = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
        for name in NAMES:
            assert mcolors.to_hex(lines[pretty(name)].get_color()) == SCENARIO_COLORS[name].lower()
        # the median line is the median across seeds
        med = ts[ts.scenario == "integrated"].groupby("year")[metric].median()
        np.testing.assert_allclose(lines["Integrated"].get_ydata(), med.to_numpy())
        # reform years are marked with vertical lines at 2013, 2021 and 2025
        vlines = sorted({ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == ":"})
        assert vlines == [2013, 2021, 2025]
        assert "10th-90th percentile" in fig.get_supxlabel()
        assert meta.meaning in fig.get_supxlabel()


def test_colours_are_consistent_and_distinct():
    names = ["my_variant", "baseline", "integrated", "other"]
    c = scenario_colors(names)
    assert c["baseline"] == SCENARIO_COLORS["baseline"] and c["integrated"] == SCENARIO_COLORS["integrated"]
    assert len(set(c.values())) == len(names)
    # a fixed colour does not depend on which other scenarios are in the folder
    assert scenario_colors(["integrated"])["integrated"] == c["integrated"]


def test_overview_has_one_panel_per_key_metric():
    fig = overview_figure(synthetic(), reforms=reform_markers(CONFIGS, years=(2013, 2035)))
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == len(KEY_METRICS)
    for ax, metric in zip(panels, KEY_METRICS):
        assert ax.get_title(loc="left").replace("\n", " ") == METRICS[metric].label
        assert ax.get_ylabel() == METRICS[metric].unit
    assert fig.get_suptitle() == "Key outcomes by scenario"
    assert [t.get_text() for t in fig.legends[0].get_texts()][:4] == [pretty(n) for n in NAMES]


def _folder(tmp_path, ts):
    folder = ResultsFolder(tmp_path / "res")
    folder.create()
    atomic_write_parquet(folder.timeseries_path, ts)
    folder.write_manifest({"scenario_names": NAMES,
                           "scenarios": [{"name": n, "config": CONFIGS[n]} for n in NAMES]})
    return folder


def test_plot_results_writes_every_figure(tmp_path):
    folder = _folder(tmp_path, synthetic(seeds=3))
    written = plot_results(folder.path, formats=("png", "svg"))
    names = sorted(p.name for p in written)
    assert names == sorted([f"{m}.{ext}" for m in [*KEY_METRICS, "overview"] for ext in ("png", "svg")])
    png = (folder.plots_dir / "overview.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(folder.plots_dir.glob("*.tmp"))


def test_plot_command_redraws(tmp_path):
    folder = _folder(tmp_path, synthetic(seeds=2))
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), "plot", str(folder.path)], capture_output=True,
                       text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "plots" in r.stdout
    assert (folder.plots_dir / "urbanization_rate.png").exists()


@pytest.mark.parametrize("args", [["plot"], ["plot", "/nonexistent/folder"]])
def test_plot_command_bad_paths_exit_2(args, tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), *args], capture_output=True, text=True, cwd=tmp_path,
                       timeout=120)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_plot_folder_without_results_exit_2(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), "plot", str(tmp_path)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "not a results folder" in r.stderr


@pytest.mark.parametrize("damage, fragment", [
    (lambda f: f.timeseries_path.write_bytes(b"PAR1 truncated"), "cannot read"),
    (lambda f: f.timeseries_path.write_bytes(b""), "cannot read"),
    (lambda f: f.manifest_path.write_text('{"scenario_names": ["baseline"'), "unreadable"),
    (lambda f: f.manifest_path.write_text('{"scenarios": [{"config": {}}]}'), "scenarios.0.name: Field required"),
])
def test_plot_command_on_a_damaged_folder_is_one_line(tmp_path, damage, fragment):
    folder = _folder(tmp_path, synthetic(seeds=2))
    damage(folder)
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), "plot", str(folder.path)], capture_output=True,
                       text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and fragment in r.stderr, r.stderr
