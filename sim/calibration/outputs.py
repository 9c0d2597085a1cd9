"""The calibration output folder: its manifest, the posterior sample with provenance, the fit tables and figures,
and shipping the posterior into `sim/data/calibration/`.

    DIR/
      manifest.json            command, settings, inputs (sha256), code version, status, sessions, runtime
      inputs/                  the target spec and parameter list used (copies)
      abc.db                   pyabc history (every generation; `--resume DIR` continues from it)
      posterior.parquet        last generation: calibrated parameters (model units), weight, distance
      provenance.json          data sha256, code version, method settings, runtime, fitted point ids
      fit_table.csv            every observed point 2013-2018: observed, posterior-median run, error in
                               tolerances, predictive 10/50/90 %, covered
      coverage.csv             per series: within tolerance, covered by the predictive band
      posterior_summary.csv    per parameter: prior, median, 5-95 %, width ratio, identification
      predictive.parquet       the posterior-predictive runs
      report.md                the tables above in markdown (for docs/calibration.md)
      plots/fit.png, plots/pairs.png, plots/epsilon.png
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..ensemble.files import atomic_write, atomic_write_bytes, atomic_write_csv, atomic_write_json, \
    atomic_write_parquet, atomic_write_text
from . import figures, report
from .abcsmc import Problem, Settings, history_state, posterior_sample
from .posterior import PROVENANCE_FILE, SAMPLE_FILE, Posterior
from .posterior import load as load_posterior
from .provenance import build as build_provenance
from .provenance import code_version, data_files, sha256_file
from .targets import observed_points

MANIFEST = "manifest.json"
DB = "abc.db"
PROVENANCE = "provenance.json"


def now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def input_files(settings: Settings, problem: Problem) -> list[Path]:
    """Every file the calibration's result depends on besides the code."""
    return [Path(settings.targets), Path(settings.parameters), Path(settings.scenario), *problem.spec.data_files()]


def new_manifest(settings: Settings, problem: Problem, command: Sequence[str], engine: dict[str, Any]
                 ) -> dict[str, Any]:
    return {"kind": "chengxiang calibration", "command": list(command), "created": now(),
            "settings": settings.as_dict(), "inputs_sha256": data_files(input_files(settings, problem)),
            "code": code_version(), "calibrated_parameters": [p.name for p in problem.priors],
            "model_seeds": list(problem.simulator.seeds), "fitted_points": len(problem.points),
            "status": "running", "sessions": [{"started": now(), "engine": engine}]}


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    atomic_write_json(folder / MANIFEST, manifest)


def copy_inputs(folder: Path, settings: Settings) -> None:
    for src in (settings.targets, settings.parameters):
        atomic_write_bytes(folder / "inputs" / Path(src).name, Path(src).read_bytes())


def changed_inputs(manifest: dict[str, Any], settings: Settings, problem: Problem) -> list[str]:
    """Inputs (and the code) that differ from what the folder's calibration started with."""
    now_hashes = data_files(input_files(settings, problem))
    diff = [name for name, h in manifest.get("inputs_sha256", {}).items() if now_hashes.get(name) != h]
    if manifest.get("code", {}).get("sim_sources_sha256") != code_version()["sim_sources_sha256"]:
        diff.append("the model's code (sim/*.py)")
    return diff


def runtime(manifest: dict[str, Any]) -> dict[str, Any]:
    """Wall time over every session (ABC-SMC and reports), evaluations run (including those a batch computed
    after a generation's last acceptance) and their rate during ABC-SMC."""
    sessions = manifest.get("sessions", [])
    seconds = sum(s.get("seconds", s.get("abc_seconds", 0.0)) for s in sessions)
    abc_seconds = sum(s.get("abc_seconds", 0.0) for s in sessions)
    evaluations = sum(s.get("evaluations_run", 0) for s in sessions)
    return {"wall_seconds": round(seconds, 1), "abc_seconds": round(abc_seconds, 1), "sessions": len(sessions),
            "evaluations_run": evaluations,
            "evaluations_per_second": round(evaluations / abc_seconds, 3) if abc_seconds else None}


def write_posterior(folder: Path, problem: Problem, settings: Settings, manifest: dict[str, Any]) -> Posterior:
    """posterior.parquet and provenance.json from the database's last generation."""
    sample = posterior_sample(folder / DB, problem.priors)
    state = history_state(folder / DB) or {}
    prov = build_provenance(
        data=problem.spec.data_files() + [Path(settings.targets), Path(settings.parameters), Path(settings.scenario)],
        settings=settings.as_dict(), runtime=runtime(manifest), calibrated=[p.name for p in problem.priors],
        extra={"model_seeds": list(problem.simulator.seeds), "fitted_points": list(problem.points["id"]),
               "generations": state.get("generations"), "counted_evaluations": state.get("evaluations"),
               "final_epsilon": state.get("epsilon"), "epsilons": state.get("epsilons"),
               "created": now(), "calibration_folder": str(folder.resolve())})
    atomic_write_parquet(folder / SAMPLE_FILE, sample)
    atomic_write_json(folder / PROVENANCE, prov)
    return Posterior(sample, prov, str(folder / SAMPLE_FILE), sha256_file(folder / SAMPLE_FILE))


def write_report(folder: Path, problem: Problem, settings: Settings, posterior: Posterior, map_: report.Map,
                 draws: int) -> dict[str, Any]:
    """The posterior-predictive runs, tables and figures; returns the headline numbers."""
    start = int(problem.simulator.config["time"]["start_year"])
    points = observed_points(problem.spec, start, settings.unverified_weight)
    points = points[(points["year"] >= start) & (points["year"] <= settings.last_year)]
    metrics = sorted(set(points["metric"]))
    seeds = report.predictive_seeds(settings.seed, draws)
    predictive = report.predictive_runs(problem.simulator, posterior, seeds, metrics, map_)
    point = report.point_runs(problem.simulator, posterior.median(), metrics, map_)
    table = report.fit_table(points, predictive, point)
    cov = report.coverage(table)
    summary = report.posterior_summary(posterior, problem.priors)
    atomic_write_parquet(folder / "predictive.parquet", predictive)
    atomic_write_csv(folder / "fit_table.csv", table)
    atomic_write_csv(folder / "coverage.csv", cov)
    atomic_write_csv(folder / "posterior_summary.csv", summary)
    state = history_state(folder / DB) or {}
    atomic_write_text(folder / "report.md", report_markdown(table, cov, summary, state, settings, draws,
                                                            posterior.effective_size))
    save(figures.fit_figure(points, predictive, point), folder / "plots" / "fit.png")
    save(figures.pair_figure(posterior, problem.priors), folder / "plots" / "pairs.png")
    if state.get("epsilons"):
        save(figures.epsilon_figure(state["epsilons"], state["samples"]), folder / "plots" / "epsilon.png")
    total = cov.iloc[-1]
    return {"coverage": float(total["covered"]), "within_tolerance": float(total["within_tolerance"]),
            "identified": summary.loc[summary["identification"] == report.IDENTIFIED, "parameter"].tolist(),
            "effective_sample_size": round(posterior.effective_size, 1), "particles": len(posterior.sample),
            "weights_degenerate": report.weights_degenerate(posterior)}


def report_markdown(table: pd.DataFrame, cov: pd.DataFrame, summary: pd.DataFrame, state: dict[str, Any],
                    settings: Settings, draws: int, ess: float) -> str:
    md = report.markdown_table
    eps = state.get("epsilon")
    lines = ["# Calibration report", "",
             f"Generations {state.get('generations')}, counted evaluations {state.get('evaluations')}, final "
             f"epsilon {eps:.3g} (RMS error in tolerances); population {settings.population} (effective sample "
             f"size of the last generation's weights: {ess:.1f}), {settings.model_seeds} common model seeds, "
             f"{settings.households} households; posterior predictive: {draws} runs." if eps is not None else "", "",
             "## Fit, series by series and year by year", "",
             "Cells: observed / posterior-median run (error in tolerances); fitted points only.", "",
             md(report.fit_matrix(table)), "",
             "## Coverage and tolerances", "", md(cov, ".3g"), "",
             "## Posterior", "", md(summary.drop(columns=["unit", "transform"]), ".4g"), ""]
    return "\n".join(lines)


def save(fig, path: Path) -> None:
    atomic_write(path, lambda fh: fig.savefig(fh, format="png", dpi=130, bbox_inches="tight", facecolor="white"))


def ship(folder: Path, target: Path | None = None) -> list[Path]:
    """Copy a complete calibration's posterior and provenance into `target` (default: the shipped posterior's
    folder, `sim/data/calibration/`)."""
    from . import posterior

    target = Path(target) if target is not None else posterior.SHIPPED_DIR
    manifest = read_manifest(folder)
    if manifest.get("status") != "complete":
        raise ValueError(f"{folder}: the calibration is not complete (status {manifest.get('status')!r}); "
                         f"finish it with: python run.py calibrate --resume {folder}")
    load_posterior(folder)  # checked against the registry before it becomes the default
    out = [atomic_write_bytes(target / SAMPLE_FILE, (folder / SAMPLE_FILE).read_bytes()),
           atomic_write_bytes(target / PROVENANCE_FILE, (folder / PROVENANCE).read_bytes())]
    return out
