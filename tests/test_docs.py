"""What a new user reads and runs: the README's commands, the docs' promises about installs and data, and no
pointer to files outside the project."""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
USER_FACING = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "scenarios").rglob("*.yaml")),
               *sorted((ROOT / "notebooks").glob("*.ipynb")), ROOT / "results" / "README.md",
               *sorted((ROOT / "sim").rglob("*.py")), *sorted((ROOT / "sim").rglob("*.md"))]


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command_and_apt_is_quiet():
    test_command = bash_blocks(README)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == test_command
    for call in re.findall(r"apt-get .*?2>&1", test_command):
        assert "-qq" in call and ">/dev/null 2>&1" in call, call  # ~500 lines of apt output otherwise


# a sibling folder of the project's developers (their reference article and raw data), which a clone does not have
OUTSIDE_THE_PROJECT = re.compile(r"\.\.[/\\]shared\b|\bshared[/\\](?:reference|data)\b")


def test_nothing_a_user_reads_points_outside_the_project():
    for path in USER_FACING:
        text = path.read_text(encoding="utf-8")
        assert not OUTSIDE_THE_PROJECT.search(text), path
        assert "Article (reference/)" not in text, path


def test_the_calibration_table_cites_data_shipped_with_its_sources():
    data = ROOT / "sim" / "data" / "observed" / "china_calibration.csv"
    assert "sim/data/observed/china_calibration.csv" in README
    rows = list(csv.DictReader(data.open(encoding="utf-8")))
    assert all(r["source"].strip() for r in rows)
    value = {(r["series"], r["year"]): float(r["value"]) for r in rows}
    table = README.split("## Calibration at the start", 1)[1]
    assert value[("urbanization_rate", "2013")] == 54.49 and "| 54.49 % |" in table
    assert value[("urban_rural_income_ratio", "2013")] == 2.81 and "| 2.81 |" in table
    assert value[("hukou_urbanization_rate", "2012")] == 35.29 and "35.29 % (2012)" in table
    assert value[("contracted_farmland_transfer_share", "2013")] == 26.0 and "| 26 % |" in table
    total, local = value[("migrant_workers_total", "2013")], value[("migrant_workers_local", "2013")]
    assert f"{total / 100:.0f} M ({100 * local / total:.1f} % local)" in table
    assert (data.parent / "README.md").exists()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "data/**/*.csv" in package_data["sim"] and "data/**/*.md" in package_data["sim"]


def test_notebook_tools_the_docs_use_are_installed_by_an_extra():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    names = {re.split(r"[<>=\[ ;]", d)[0] for d in extras["notebooks"]}
    assert {"jupyterlab", "nbconvert", "papermill"} <= names
    dashboard = (ROOT / "docs" / "dashboard.md").read_text()
    assert "'.[viz,notebooks]'" in dashboard
    for tool in ("jupyter lab", "jupyter nbconvert", "papermill "):
        assert tool in dashboard


def test_results_readme_is_text_not_escapes():
    text = (ROOT / "results" / "README.md").read_text()
    assert "\\n" not in text and text.startswith("# results/\n\n")
