"""The notebooks execute top to bottom with small parameters (papermill-style injection) and produce their figures.

Each notebook has one cell tagged `parameters`; the test inserts a cell after it with smaller values, as papermill
does, and runs the notebook with nbclient in a temporary working folder (so nothing depends on where it runs).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["explore.ipynb", "compare_strategies.ipynb", "sensitivity.ipynb"]


@pytest.fixture(autouse=True)
def kernel_imports_this_checkout(monkeypatch):
    """Kernels start in a temporary folder: put this checkout first on their path, so they import its `sim` and
    not another installed copy (an editable install of another worktree)."""
    import os

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


def execute(name: str, params: dict, workdir: Path):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in params.items()))
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(index + 1, injected)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(workdir)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


def text_of(nb) -> str:
    parts = []
    for out in outputs(nb):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "text/plain" in out.get("data", {}):
            parts.append(out["data"]["text/plain"])
    return "\n".join(parts)


def images(nb) -> int:
    return sum("image/png" in out.get("data", {}) for out in outputs(nb))


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_stripped_and_parameterized(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), f"{name}: outputs not stripped"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}: expected one cell tagged 'parameters', found {len(tagged)}"


def test_explore_notebook_runs(tmp_path):
    nb = execute("explore.ipynb", {"HOUSEHOLDS": 1500, "COUNTY_HOUSEHOLDS": 2000, "SEEDS": 2, "END_YEAR": 2022,
                                   "STEPS": 2, "SEED": 3}, tmp_path)
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    text = text_of(nb)
    assert "2013: 1500 household agents" in text  # the injected parameters were used
    assert "RuralHousehold(" in text and "MigrantWorker(" in text and "CountyTown(" in text and "City(" in text
    assert "changed" in text and "yes" in text  # the before/after tables show what changed
    assert "{'baseline': 2, 'integrated': 2} seeds per scenario" in text
    assert "counties, 2013-2022" in text
    # outcome curves, two-scenario figures with bands, and four county/tier charts
    assert images(nb) >= 8, f"expected at least 8 figures, got {images(nb)}"


def test_compare_strategies_makes_its_own_results(tmp_path):
    nb = execute("compare_strategies.ipynb", {"HOUSEHOLDS": 1000, "SEEDS": 2, "END_YEAR": 2028}, tmp_path)
    text = text_of(nb)
    assert "--households 1000 --seeds 2 --end-year 2028" in text  # it ran `python run.py` itself
    assert "Fastest to close the hukou gap:" in text
    assert "Narrows the income ratio most:" in text
    assert "policies depart in 2025" in text
    for name in ("new_urbanization", "rural_revitalization", "integrated"):
        assert name in text
    assert images(nb) >= 6, f"expected at least 6 figures, got {images(nb)}"


def test_compare_strategies_reads_a_given_results_folder(tmp_path):
    out = tmp_path / "results"
    cmd = [sys.executable, str(ROOT / "run.py"), str(ROOT / "scenarios" / "baseline.yaml"),
           str(ROOT / "scenarios" / "integrated.yaml"), "--households", "1000", "--seeds", "2", "--end-year", "2027",
           "--out", str(out), "--engine", "serial", "-q", "--no-plots"]
    subprocess.run(cmd, check=True, cwd=ROOT, timeout=300)
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"

    nb = execute("compare_strategies.ipynb", {"RESULTS": str(out)}, tmp_path)
    text = text_of(nb)
    assert str(out) in text
    assert "chengxiang-" not in text  # no ensemble of its own (that would go to a tempfile.mkdtemp("chengxiang-"))
    assert "Fastest to close the hukou gap: integrated" in text  # the only strategy in the folder
    assert "changes are measured from 2024 to 2027" in text
    assert "not found (the folder was written with --no-plots)" in text
    assert images(nb) >= 5


def test_sensitivity_notebook_runs_a_screening_and_reads_it(tmp_path):
    pytest.importorskip("SALib")
    nb = execute("sensitivity.ipynb", {"INPUTS": "birth_rate,services_by_residence,utility_income",
                                       "TRAJECTORIES": 2, "HOUSEHOLDS": 500, "YEAR": 2017, "FROM_YEAR": 2015},
                 tmp_path)
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    text = text_of(nb)
    assert "--trajectories 2 --households 500 --years 2017 --from-year 2015" in text  # it ran run.py itself
    assert "morris, status complete, 8 runs, 500 households, 2013-2017" in text
    assert "8 runs, 3 inputs, 15 outcome columns" in text
    assert "Urban/rural income ratio (2017): " in text
    assert "Strongest for the income ratio and hukou urbanization:" in text
    assert "15 figures in" in text
    assert images(nb) >= 3


def test_dashboard_displays_in_a_notebook_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import sim.app as app\napp.DEFAULTS.update(households=1000, end_year=2016)"),
        nbformat.v4.new_code_cell("from sim.app import page\npage"),
        nbformat.v4.new_code_cell(  # the page really rendered in the kernel: it built its model
            "import gc\nbuilt = [o for o in gc.get_objects() if isinstance(o, app.DashboardModel)]\n"
            "print('models', len(built), 'households', built[0].households.n, 'baseline', built[0].baseline.year)"),
    ]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = nb.cells[1].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown), shown
    assert not [o for o in outputs(nb) if o.output_type == "error" or "Traceback" in o.get("text", "")]
    assert re.search(r"models [1-9]\d* households 1000 baseline 2013", text_of(nb)), text_of(nb)
