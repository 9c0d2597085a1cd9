"""``python run.py calibrate``: estimate the calibrated parameters by ABC-SMC, continue an interrupted
calibration, or ship a finished one as the model's default.

    python run.py calibrate                        full calibration -> results/calibration-<timestamp>/
    python run.py calibrate --quick                a tiny one (minutes): checks the machinery
    python run.py calibrate --resume DIR           continue an interrupted calibration from its database
    python run.py calibrate --ship DIR             make DIR's posterior the shipped default (sim/data/calibration/)

Exit status: 0 done, 2 bad usage or input (one line, ``file:LINE: message`` for a bad file; nothing written),
130 interrupted (continue with --resume).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
import time
from dataclasses import replace
from pathlib import Path

from ..arguments import OneLineParser, positive_integer
from .abcsmc import FULL, QUICK, Problem, Settings, history_state, run_abc
from .errors import InputFileError

PROG = "run.py calibrate"
PREDICTIVE_DRAWS = {"full": 100, "quick": 20}


class CalibrationUsageError(Exception):
    """Bad options: one line, exit 2."""


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description="Estimate the calibrated model parameters from the 2013-2018 national "
                "series by ABC-SMC (pyabc); see docs/calibration.md.")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--resume", metavar="DIR", help="continue an interrupted calibration (its settings)")
    what.add_argument("--ship", metavar="DIR", help="copy DIR's posterior and provenance into sim/data/calibration/")
    p.add_argument("--quick", action="store_true",
                   help=f"tiny settings (population {QUICK.population}, {QUICK.generations} generations, at most "
                   f"{QUICK.budget} evaluations, {QUICK.households} households): minutes, checks the machinery")
    p.add_argument("--out", metavar="DIR", help="output folder (default: results/calibration-<timestamp>/)")
    p.add_argument("--population", type=positive_integer, metavar="N",
                   help=f"particles per generation ({FULL.population})")
    p.add_argument("--generations", type=positive_integer, metavar="N", help=f"most generations ({FULL.generations})")
    p.add_argument("--budget", type=positive_integer, metavar="N", help=f"most model evaluations ({FULL.budget})")
    p.add_argument("--households", type=positive_integer, metavar="N", help=f"household agents ({FULL.households})")
    p.add_argument("--model-seeds", type=positive_integer, metavar="N",
                   help=f"common model seeds averaged per evaluation ({FULL.model_seeds})")
    p.add_argument("--seed", type=int, metavar="N", help=f"root seed ({FULL.seed})")
    p.add_argument("--unverified-weight", type=_share, metavar="W",
                   help=f"weight of unverified observed points ({FULL.unverified_weight})")
    p.add_argument("--targets", metavar="FILE", help="target spec (default sim/data/calibration/targets.csv)")
    p.add_argument("--parameters-file", metavar="FILE",
                   help="calibrated parameters and priors (default sim/data/calibration/parameters.csv)")
    p.add_argument("--scenario", metavar="FILE", help="policy history to run (default scenarios/baseline.yaml)")
    p.add_argument("--draws", type=positive_integer, metavar="N",
                   help=f"posterior-predictive runs of the report ({PREDICTIVE_DRAWS['full']}; quick "
                   f"{PREDICTIVE_DRAWS['quick']})")
    p.add_argument("--engine", choices=("serial", "dask"), help="serial, or dask (default when more than one core)")
    p.add_argument("--workers", type=positive_integer, metavar="N", help="workers of the embedded Dask cluster (cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return p


def _settings(args: argparse.Namespace) -> Settings:
    base = QUICK if args.quick else FULL
    changes = {k: v for k, v in {
        "population": args.population, "generations": args.generations, "budget": args.budget,
        "households": args.households, "model_seeds": args.model_seeds, "seed": args.seed,
        "unverified_weight": args.unverified_weight, "targets": args.targets, "parameters": args.parameters_file,
        "scenario": args.scenario}.items() if v is not None}
    for key in ("targets", "parameters", "scenario"):
        if key in changes:
            changes[key] = str(Path(changes[key]).resolve())
    return replace(base, **changes)


def _default_out() -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("results") / f"calibration-{stamp}"
    out, k = base, 2
    while out.exists():
        out, k = base.with_name(f"{base.name}-{k}"), k + 1
    return out


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(text, flush=True)


def _progress(quiet: bool, started: float):
    def report(t: int, accepted: int, counted: int, prior: bool, seconds: float, eps: float | None) -> None:
        where = "prior sample" if prior else f"generation {t}"
        eps_text = f"epsilon {eps:.3g}, " if eps is not None else ""
        _say(quiet, f"  {where}: {eps_text}{accepted} accepted of {counted} evaluations "
                    f"({accepted / max(counted, 1):.0%}) in {seconds:.0f} s; {(time.perf_counter() - started) / 60:.1f}"
                    " min in all")
    return report


def _engine(args: argparse.Namespace):
    """The engine context (serial, or Dask on a LocalCluster / scheduler) and its description."""
    import contextlib

    from ..ensemble.engines import default_workers, open_engine

    engine = args.engine or ("dask" if args.scheduler or (args.workers or default_workers()) > 1 else "serial")
    if engine == "serial" and (args.scheduler or (args.workers or 1) > 1):
        raise CalibrationUsageError("--scheduler and --workers need --engine dask")
    if engine == "serial":
        return contextlib.nullcontext(None), {"name": "serial"}
    workers = None if args.scheduler else (args.workers or default_workers())
    return (open_engine("dask", workers=workers, scheduler=args.scheduler),
            {"name": "dask", "workers": workers, "scheduler": args.scheduler})


def cmd_calibrate(argv: list[str], run_fn=None) -> int:
    """The subcommand. `run_fn` replaces the model (tests)."""
    from ..ensemble.errors import EnsembleError
    from ..scenario import ScenarioError

    args = parser().parse_args(argv)
    try:
        if args.ship:
            return _ship(Path(args.ship), args.quiet)
        return _calibrate(args, [sys.argv[0] if sys.argv else "run.py", "calibrate", *argv], run_fn)
    except InputFileError as exc:
        for line in exc.messages:
            print(line, file=sys.stderr)
        return 2
    except ScenarioError as exc:
        for line in exc.messages:
            print(line, file=sys.stderr)
        return 2
    except (CalibrationUsageError, EnsembleError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


def _ship(folder: Path, quiet: bool) -> int:
    from .outputs import ship

    if not (folder / "manifest.json").is_file():
        raise CalibrationUsageError(f"{folder} is not a calibration folder (no manifest.json)")
    try:
        written = ship(folder)
    except ValueError as exc:
        raise CalibrationUsageError(str(exc)) from None
    _say(quiet, "Shipped: " + ", ".join(str(p) for p in written))
    _say(quiet, "The model now uses the posterior medians of the calibrated parameters by default, and ensembles "
                "draw from the posterior (--parameters posterior). Commit both files; regression baselines change.")
    return 0


def _calibrate(args: argparse.Namespace, command: list[str], run_fn) -> int:
    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise CalibrationUsageError("pyabc is not installed: python -m pip install -e '.[calibration]'") from None
    from . import outputs
    from .report import dask_map, serial_map
    from .sampler import DaskMap, SeededSampler
    from .sampler import serial_map as serial_batches
    from .simulator import run_model

    if args.resume:
        folder = Path(args.resume)
        if not (folder / outputs.MANIFEST).is_file():
            raise CalibrationUsageError(f"--resume: {folder} is not a calibration folder (no manifest.json)")
        given = [o for o, v in (("--quick", args.quick), ("--out", args.out), ("--population", args.population),
                                ("--generations", args.generations), ("--households", args.households),
                                ("--model-seeds", args.model_seeds), ("--seed", args.seed),
                                ("--targets", args.targets), ("--parameters-file", args.parameters_file),
                                ("--scenario", args.scenario), ("--unverified-weight", args.unverified_weight))
                 if v not in (None, False)]
        if given:
            raise CalibrationUsageError(f"--resume uses the folder's settings; drop {', '.join(given)}")
        manifest = outputs.read_manifest(folder)
        settings = Settings.from_dict(manifest["settings"])
        if args.budget:
            settings = replace(settings, budget=args.budget)  # a resumed calibration may be given more evaluations
        problem = Problem.build(settings, run_fn or run_model)
        changed = outputs.changed_inputs(manifest, settings, problem)
        if changed:
            raise CalibrationUsageError(f"--resume: {', '.join(changed)} changed since {folder} started; start a "
                                        "new calibration")
    else:
        settings = _settings(args)
        problem = Problem.build(settings, run_fn or run_model)  # every input checked before anything is written
        folder = Path(args.out) if args.out else _default_out()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise CalibrationUsageError(f"--out {folder} exists and is not empty")
        manifest = None
    draws = args.draws or manifest and manifest.get("predictive_draws") or PREDICTIVE_DRAWS[
        "quick" if args.quick else "full"]

    engine_ctx, engine = _engine(args)
    started = time.perf_counter()
    with engine_ctx as dask_engine:  # start the cluster before writing: a bad scheduler leaves nothing
        if manifest is None:
            folder.mkdir(parents=True, exist_ok=True)
            manifest = outputs.new_manifest(settings, problem, command, engine)
            manifest["predictive_draws"] = draws
            outputs.copy_inputs(folder, settings)
        else:
            manifest["sessions"].append({"started": outputs.now(), "engine": engine, "command": command})
            manifest["status"] = "running"
        outputs.write_manifest(folder, manifest)
        session = manifest["sessions"][-1]
        client = dask_engine.client if dask_engine is not None else None
        sampler = SeededSampler(settings.seed, DaskMap(client) if client else serial_batches,
                                min_batch=2 * DaskMap(client).workers if client else 8,
                                on_generation=_progress(args.quiet, started))
        _say(args.quiet, f"Calibrating {len(problem.priors)} parameters on {len(problem.points)} observed points "
                         f"({settings.population} particles, at most {settings.generations} generations and "
                         f"{settings.budget} evaluations of {settings.model_seeds} x {settings.households} "
                         f"households) on {engine['name']} -> {folder}/")
        try:
            run_abc(problem, settings, folder / outputs.DB, sampler)
            session.update(abc_seconds=round(time.perf_counter() - started, 1), evaluations_run=sampler.evaluations_run)
            manifest["status"] = "reporting"
            outputs.write_manifest(folder, manifest)
            posterior = outputs.write_posterior(folder, problem, settings, manifest)
            _say(args.quiet, f"Posterior: {len(posterior.sample)} particles; drawing {draws} posterior-predictive "
                             "runs for the report")
            headline = outputs.write_report(folder, problem, settings, posterior,
                                            dask_map(client) if client else serial_map, draws)
        except KeyboardInterrupt:
            session.update(seconds=round(time.perf_counter() - started, 1), evaluations_run=sampler.evaluations_run,
                           interrupted=outputs.now())
            session.setdefault("abc_seconds", session["seconds"])
            manifest["status"] = "interrupted"
            outputs.write_manifest(folder, manifest)
            print(f"{PROG}: interrupted; finished generations are in {folder / outputs.DB} - continue with: "
                  f"python run.py calibrate --resume {folder}", file=sys.stderr)
            return 130
    session["seconds"] = round(time.perf_counter() - started, 1)  # ABC-SMC and the report
    manifest.update(status="complete", finished=outputs.now(), runtime=outputs.runtime(manifest),
                    result=headline, database=history_state(folder / outputs.DB))
    outputs.write_manifest(folder, manifest)
    _say(args.quiet, f"Done in {manifest['runtime']['wall_seconds'] / 60:.1f} min: predictive 10-90 % bands cover "
                     f"{headline['coverage']:.0%} of the fitted points; {len(headline['identified'])} of "
                     f"{len(problem.priors)} parameters identified; effective sample size "
                     f"{headline['effective_sample_size']:.0f} of {headline['particles']} particles. Report: "
                     f"{folder / 'report.md'}, plots in {folder / 'plots'}/. Ship it with: python run.py calibrate "
                     f"--ship {folder}")
    if headline["weights_degenerate"]:
        _say(args.quiet, "Warning: the weights are degenerate (effective sample size under 10, or 10 % of the "
                         "particles): intervals and identification are unreliable; use a larger --population or "
                         "fewer calibrated parameters.")
    return 0
