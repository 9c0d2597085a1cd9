"""`run.py sensitivity` and `run.py robustness`: options, checks, and the results folder (docs/analysis.md).

Every check runs before anything is written: bad input gives one line on stderr (``run.py sensitivity: error:
...``, or ``file:line: key: message`` for a scenario file) and exit status 2. Exit status 0: complete; 1: some
run failed (rerun them with --resume) or plotting failed; 130: interrupted (continue with --resume).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.util
import re
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..arguments import OneLineParser, integer, positive_integer
from ..ensemble.engines import default_workers
from ..ensemble.errors import EnsembleError
from ..ensemble.execute import RunFn
from ..ensemble.manifest import now
from ..ensemble.plan import Prepared, check_unique_names, prepare_scenario
from ..scenario import SCENARIO_DIR, ScenarioError, load_scenario
from . import inputs as inputs_
from .configs import DEFAULT_FROM_YEAR
from .design import morris, sobol
from .errors import AnalysisError, split_list
from .folder import AnalysisFolder, new_manifest, resumed
from .outcomes import check_years, parse_years, select_metrics
from .runner import Engine, point_means, run_points
from .sensitivity import SensitivitySpec, morris_table, points as sensitivity_points, sobol_table

PROG = "run.py"
STRATEGIES = ("baseline", "new_urbanization", "rural_revitalization", "integrated")
BASE_SCENARIO = SCENARIO_DIR / "baseline.yaml"


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("serial", "dask"),
                   help="serial: in this process; dask: one task per run on a LocalCluster or --scheduler "
                   "(default: dask when more than one run and more than one core, or a scheduler is given)")
    p.add_argument("--workers", type=positive_integer, metavar="N",
                   help="worker processes of the embedded Dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler "
                   "(default: $DASK_SCHEDULER_ADDRESS if set)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: results/<timestamp>-<command>/)")
    p.add_argument("--resume", metavar="DIR", help="finish an interrupted command's results folder")
    p.add_argument("--no-plots", action="store_true", help="do not draw plots")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no report (errors only)")


def _common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--outcomes", metavar="A,B", help="metrics (default: the headline metrics, KEY_METRICS)")
    p.add_argument("--years", metavar="Y1,Y2", help="outcome years (default: 2035,2050); the runs end at the last")
    p.add_argument("--replicates", type=positive_integer, metavar="R",
                   help="model seeds per point, the same for every point, outcomes averaged (default: 1)")
    p.add_argument("--households", type=positive_integer, metavar="N", help="household agents (default: 10000)")
    p.add_argument("--seed", type=integer, metavar="S", help="root seed of the design, the model seeds and the "
                   "bootstrap (default: 0)")


def sensitivity_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=f"{PROG} sensitivity", description="Global sensitivity analysis (Morris screening or Sobol' "
                "indices, SALib) of outcomes to the declared inputs. See docs/analysis.md.")
    p.add_argument("--method", choices=("morris", "sobol"), help="default: morris")
    p.add_argument("--inputs", metavar="A,B", help="inputs to vary by name (default: every lever, uncertainty "
                   "and behavioural parameter)")
    p.add_argument("--group", metavar="G1,G2", help="vary the default inputs of these registry groups (or "
                   "'levers', 'uncertainties', 'parameters')")
    p.add_argument("--trajectories", type=integer, metavar="R", help="Morris trajectories (default: 10)")
    p.add_argument("--levels", type=integer, metavar="P", help="Morris grid levels (default: 4)")
    p.add_argument("--samples", type=integer, metavar="N",
                   help="Sobol' base sample, a power of two (default: 256); N x (inputs + 2) points")
    p.add_argument("--scenario", metavar="FILE", help="base scenario whose history levers depart from "
                   "(default: scenarios/baseline.yaml)")
    p.add_argument("--from-year", type=integer, metavar="YEAR",
                   help=f"levers take their sampled value from this year on (default: {DEFAULT_FROM_YEAR})")
    _common_options(p)
    _engine_options(p)
    return p


# ----------------------------------------------------------------------------------------------- shared
def _say(quiet: bool, *lines: str) -> None:
    if not quiet:
        for line in lines:
            print(line, flush=True)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _default_out(label: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("results") / f"{stamp}-{re.sub(r'[^A-Za-z0-9_.+-]', '_', label)[:120]}"
    out, k = base, 2
    while out.exists():
        out = base.with_name(f"{base.name}-{k}")
        k += 1
    return out


def _new_folder(out: str | None, label: str) -> AnalysisFolder:
    path = Path(out) if out else _default_out(label)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise AnalysisError(f"--out {path} exists and is not empty (use a new folder, or --resume {path})")
    return AnalysisFolder(path)


def _engine(args: argparse.Namespace, nruns: int) -> Engine:
    """The engine as `run.py` chooses it (Dask when there is more than one run and more than one core)."""
    import os

    if args.engine == "serial" and args.scheduler:
        raise AnalysisError("--scheduler needs --engine dask")
    if args.engine == "serial" and args.workers and args.workers > 1:
        raise AnalysisError("--workers needs --engine dask")
    scheduler = args.scheduler or (None if args.engine == "serial" else os.environ.get("DASK_SCHEDULER_ADDRESS"))
    name = args.engine or ("dask" if scheduler or (nruns > 1 and (args.workers or default_workers()) > 1)
                           else "serial")
    workers = None
    if name == "dask" and not scheduler:
        workers = min(args.workers or default_workers(), max(1, nruns))
    return Engine(name, workers, scheduler or None)


def _where(engine: Engine) -> str:
    if engine.name != "dask":
        return "serial"
    return f"dask ({engine.scheduler or f'{engine.workers} local worker' + ('s' if engine.workers != 1 else '')})"


def require_analysis_extra(*modules: str) -> None:
    for module in modules or ("SALib",):
        if importlib.util.find_spec(module) is None:
            raise AnalysisError(f"this command needs {module}: python -m pip install -e '.[analysis]'")


def _run_points_or_stop(kind: str, pts, spec, folder: AnalysisFolder, open_folder, engine: Engine,
                        args: argparse.Namespace, run_fn: RunFn | None, prog: str):
    """Run the points (`run_points`); on Ctrl-C say how to continue and return None (the caller exits 130)."""
    try:
        return run_points(pts, spec.model_seeds, spec.outcomes, folder, open_folder, engine,
                          resume=bool(args.resume), run_fn=run_fn,
                          progress="off" if args.quiet else "bar" if sys.stderr.isatty() else "lines")
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; finished runs are saved in {_rel(folder.path)}/ - continue with: "
              f"python run.py {kind} --resume {_rel(folder.path)}", file=sys.stderr)
        return None


def _prepare(path: Path | str, households: int, years: dict[str, Sequence[int]], source: str | None = None
             ) -> Prepared:
    """A scenario file run to the last of `years` ({option: outcome years}, checked against its start year first)
    with the analysis' households (ScenarioError for a bad file)."""
    path = Path(path)
    if not path.is_file():
        raise AnalysisError(f"no such file: {path}")
    scenario = load_scenario(path)
    for option, given in years.items():
        check_years(given, scenario.time.start_year, option)
    end_year = max(y for given in years.values() for y in given)
    return prepare_scenario(scenario, households=households, end_year=end_year, seeds=1, source=source or str(path))


def _reloaded(folder: AnalysisFolder, entry: dict[str, Any]) -> Prepared:
    """A scenario saved in a results folder, checked against the hash the manifest recorded."""
    try:
        prepared = prepare_scenario(load_scenario(folder.path / entry["file"]), source=entry.get("source"))
    except (ScenarioError, OSError) as exc:
        raise AnalysisError(f"--resume: cannot reload {folder.path / entry['file']}: {exc}") from None
    if prepared.config_hash != entry["config_hash"]:
        raise AnalysisError(f"--resume: scenario {entry['name']} no longer resolves to the config it was run with; "
                            "start a new results folder")
    return prepared


def _no_spec_options(args: argparse.Namespace, names: Sequence[str]) -> None:
    given = [f"--{n.replace('_', '-')}" if n != "files" else "FILE" for n in names if getattr(args, n, None)]
    if given:
        raise AnalysisError(f"--resume takes the settings of the folder; drop {', '.join(given)}")


def _scenario_entry(p: Prepared) -> dict[str, Any]:
    return {"name": p.name, "source": p.source, "file": f"scenarios/{p.name}.yaml", "config_hash": p.config_hash}


def _guarded(body: Callable[[], int], prog: str) -> int:
    """Bad input as one line and exit 2; Ctrl-C as exit 130."""
    try:
        return body()
    except ScenarioError as exc:
        for line in exc.messages:
            print(line, file=sys.stderr)
        return 2
    except (AnalysisError, EnsembleError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2


def _finish(folder: AnalysisFolder, manifest: dict[str, Any], samples, write_tables: Callable[[], list[str]],
            draw: Callable[[], list[Path]] | None, quiet: bool, prog: str, seconds: float) -> int:
    """Tables (when every run succeeded), final manifest and plots; the report; the exit status."""
    failed = samples[samples["status"] != "ok"]
    manifest["runs"] = {**manifest.get("runs", {}), "ok": int(len(samples) - len(failed)), "failed": int(len(failed))}
    tables: list[str] = []
    if failed.empty:
        tables = write_tables()
        manifest["status"] = "complete"
    else:
        manifest["status"] = "complete_with_failures"
    manifest["finished"] = now()
    manifest["tables"] = tables
    folder.write_manifest(manifest)
    plots: list[Path] = []
    plot_error = None
    if draw is not None and failed.empty:
        try:
            plots = draw()
        except Exception:
            plot_error = traceback.format_exc()
    for _, row in failed.head(5).iterrows():
        last = (row["error"] or "").strip().splitlines()
        print(f"{prog}: run failed: point {row['point']} replicate {row['replicate']} (seed {row['seed']}): "
              f"{last[-1] if last else 'unknown error'}", file=sys.stderr)
    _say(quiet, f"{len(samples) - len(failed)} of {len(samples)} runs ok, {len(failed)} failed ({seconds:.1f} s).",
         f"Results: {_rel(folder.path)}/  ({', '.join(['samples.parquet', *tables, 'manifest.json'])})")
    if plots:
        _say(quiet, f"Plots:   {_rel(folder.plots_dir)}/  ({len(plots)} figures)")
    if not failed.empty:
        print(f"{prog}: {len(failed)} runs failed, so no tables were computed; their errors are in samples.parquet; "
              f"rerun them with: python run.py {prog.split()[-1]} --resume {_rel(folder.path)}", file=sys.stderr)
    if plot_error:
        print(f"{prog}: plotting failed:\n{plot_error.rstrip()}", file=sys.stderr)
    return 0 if failed.empty and plot_error is None else 1


# ----------------------------------------------------------------------------------------------- sensitivity
def _sensitivity_spec(args: argparse.Namespace) -> tuple[SensitivitySpec, Prepared]:
    method_name = args.method or "morris"
    if method_name == "morris":
        if args.samples is not None:
            raise AnalysisError("--samples is for --method sobol; Morris takes --trajectories")
        method = morris(10 if args.trajectories is None else args.trajectories,
                        4 if args.levels is None else args.levels)
    else:
        if args.trajectories is not None or args.levels is not None:
            raise AnalysisError("--trajectories and --levels are for --method morris; Sobol' takes --samples")
        method = sobol(256 if args.samples is None else args.samples)
    chosen = inputs_.select(split_list(args.inputs, "--inputs") if args.inputs is not None else None,
                            split_list(args.group, "--group") if args.group is not None else None)
    metrics = select_metrics(args.outcomes)
    years = parse_years(args.years)
    base = _prepare(args.scenario or BASE_SCENARIO, args.households or 10_000, {"--years": years},
                    source=args.scenario or "scenarios/baseline.yaml")
    from_year = DEFAULT_FROM_YEAR if args.from_year is None else args.from_year
    if any(p.kind == "lever" for p in chosen) and not base.start_year <= from_year <= base.end_year:
        raise AnalysisError(f"--from-year: {from_year} is outside the run ({base.start_year}-{base.end_year}): "
                            "sampled lever values would never apply")
    spec = SensitivitySpec(tuple(chosen), method, tuple(metrics), tuple(years), base.config, from_year,
                           0 if args.seed is None else args.seed, args.replicates or 1)
    return spec, base


def _sensitivity_from_folder(folder: AnalysisFolder) -> tuple[SensitivitySpec, Prepared, dict[str, Any]]:
    manifest = folder.read_manifest("sensitivity")
    base = _reloaded(folder, manifest["scenario"])
    chosen = inputs_.by_name([e["name"] for e in manifest["inputs"]], option="--resume")
    for param, entry in zip(chosen, manifest["inputs"]):
        if (param.low, param.high) != (entry["low"], entry["high"]):
            raise AnalysisError(f"--resume: the range of '{param.name}' changed since the folder was written "
                                f"([{entry['low']}, {entry['high']}] -> [{param.low}, {param.high}])")
    m = manifest["method"]
    method = morris(m["trajectories"], m["levels"]) if m["name"] == "morris" else sobol(m["samples"])
    spec = SensitivitySpec(tuple(chosen), method, tuple(manifest["outcomes"]), tuple(manifest["years"]),
                           base.config, manifest["from_year"], manifest["seeds"]["root"],
                           manifest["seeds"]["replicates"])
    return spec, base, manifest


def cmd_sensitivity(argv: Sequence[str], run_fn: RunFn | None = None) -> int:
    """`run.py sensitivity`; `run_fn` replaces the model (tests)."""
    prog = f"{PROG} sensitivity"
    return _guarded(lambda: _sensitivity(list(argv), run_fn, prog), prog)


def _sensitivity(argv: list[str], run_fn: RunFn | None, prog: str) -> int:
    args = sensitivity_parser().parse_args(argv)
    require_analysis_extra("SALib")
    if args.resume:
        _no_spec_options(args, ["method", "inputs", "group", "trajectories", "levels", "samples", "scenario",
                                "from_year", "outcomes", "years", "replicates", "households", "seed", "out"])
        folder = AnalysisFolder(args.resume)
        spec, base, manifest = _sensitivity_from_folder(folder)
    else:
        spec, base = _sensitivity_spec(args)
        folder = _new_folder(args.out, f"sensitivity-{spec.method.name}")
        manifest = None
    x = spec.design()
    from .design import design_hash

    if manifest is not None and manifest.get("design_hash") != design_hash(x):
        raise AnalysisError("--resume: the design no longer regenerates identically (SALib or the inputs "
                            "changed); start a new results folder")
    pts = sensitivity_points(spec, x)
    nruns = len(pts) * spec.replicates
    engine = _engine(args, nruns)
    command = [PROG, "sensitivity", *argv]

    def open_folder(done: int, to_run: int) -> dict[str, Any]:
        if manifest is not None:
            m = resumed(manifest, command=command, engine=engine.name, workers=engine.workers,
                        scheduler=engine.scheduler, done=done, to_run=to_run)
        else:
            folder.create()
            folder.write_scenario_yaml(base.name, base.yaml_text)
            m = new_manifest("sensitivity", command=command, engine=engine.name, workers=engine.workers,
                             scheduler=engine.scheduler,
                             settings={"scenario": _scenario_entry(base), **spec.settings(),
                                       "design_hash": design_hash(x)})
        folder.write_manifest(m)
        return m

    _say(args.quiet, f"{'Resuming' if args.resume else 'Running'} {spec.method.name}: {len(spec.inputs)} inputs, "
         f"{len(pts)} points x {spec.replicates} replicate{'s' if spec.replicates != 1 else ''} = {nruns} runs "
         f"({base.config['world']['households']} households, {base.start_year}-{base.end_year}) on "
         f"{_where(engine)} -> {_rel(folder.path)}/")
    started = time.perf_counter()
    done = _run_points_or_stop("sensitivity", pts, spec, folder, open_folder, engine, args, run_fn, prog)
    if done is None:
        return 130
    samples, manifest = done
    y = point_means(samples, pts, spec.outcome_columns)

    def write_tables() -> list[str]:
        if spec.method.name == "morris":
            folder.write_table("morris.csv", morris_table(spec, x, y))
            return ["morris.csv"]
        folder.write_table("sobol.csv", sobol_table(spec, y))
        return ["sobol.csv"]

    def draw() -> list[Path]:
        from .plots import plot_sensitivity

        return plot_sensitivity(folder.path)

    return _finish(folder, manifest, samples, write_tables, None if args.no_plots else draw, args.quiet, prog,
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------------------------- robustness
def robustness_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=f"{PROG} robustness", description="Evaluate strategies over the same sampled states of the "
                "world: regret, satisficing thresholds and scenario discovery (PRIM). See docs/analysis.md.")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="strategy scenario files (default: the four strategy scenarios in scenarios/)")
    p.add_argument("--states", type=integer, metavar="N", help="states of the world, a Latin hypercube over the "
                   "uncertainties (default: 100)")
    p.add_argument("--uncertainties", metavar="A,B", help="uncertainties to sample (default: all)")
    p.add_argument("--parameters", choices=("default", "posterior"),
                   help="model parameters: each strategy's own (default), or a draw of the calibration's "
                   "posterior per state (sim.calibration.posterior)")
    p.add_argument("--satisfice", action="append", metavar="METRIC<VALUE@YEAR",
                   help="a threshold to meet, e.g. 'urban_rural_income_ratio<2.0@2035' (repeatable)")
    p.add_argument("--goal", action="append", metavar="METRIC=max|min",
                   help="which way an outcome is better, for regret (repeatable; defaults in docs/analysis.md)")
    p.add_argument("--prim-density", type=float, metavar="D",
                   help="density a PRIM box of failing states should reach (default: 0.8)")
    _common_options(p)
    _engine_options(p)
    return p


def cmd_robustness(argv: Sequence[str], run_fn: RunFn | None = None) -> int:
    """`run.py robustness`; `run_fn` replaces the model (tests)."""
    prog = f"{PROG} robustness"
    return _guarded(lambda: _robustness(list(argv), run_fn, prog), prog)


def _robustness_spec(args: argparse.Namespace, files: Sequence[Path] | None = None,
                     manifest: dict[str, Any] | None = None):
    from .robustness import RobustnessSpec, check_states
    from .thresholds import goals, parse_goal, parse_threshold

    thresholds = tuple(parse_threshold(t) for t in args.satisfice or ())
    given_goals = [parse_goal(g) for g in args.goal or ()]
    metrics = select_metrics(args.outcomes)
    years = parse_years(args.years)
    states = check_states(100 if args.states is None else args.states)
    chosen = inputs_.by_name(split_list(args.uncertainties, "--uncertainties"), "--uncertainties") \
        if args.uncertainties is not None else list(inputs_.KINDS["uncertainties"].values())
    not_uncertain = [p.name for p in chosen if p.kind != "uncertainty"]
    if not_uncertain:
        raise AnalysisError(f"--uncertainties: {', '.join(not_uncertain)} is not an uncertainty (levers belong to "
                            "the strategy files)")
    density = 0.8 if args.prim_density is None else args.prim_density
    if not 0 < density <= 1:
        raise AnalysisError(f"--prim-density: expected a share in (0, 1], got {density}")
    paths = list(files) if files else [SCENARIO_DIR / f"{n}.yaml" for n in STRATEGIES]
    prepared = [_prepare(f, args.households or 10_000, {"--years": years,
                                                         "--satisfice": [t.year for t in thresholds]})
                for f in paths]
    check_unique_names(prepared)
    if len({p.start_year for p in prepared}) > 1:
        raise AnalysisError("the strategy files start in different years; robustness compares them year by year")
    spec = RobustnessSpec({p.name: p.config for p in prepared}, tuple(chosen), states, args.parameters or "default",
                          tuple(metrics), tuple(years), thresholds, goals(metrics, thresholds, given_goals),
                          0 if args.seed is None else args.seed, args.replicates or 1, density)
    return spec, prepared


def _robustness_from_folder(folder: AnalysisFolder):
    """The spec of an earlier robustness command, rebuilt from its manifest and its saved strategy files."""
    manifest = folder.read_manifest("robustness")
    ns = argparse.Namespace(
        satisfice=manifest["satisfice"], goal=[f"{k}={v}" for k, v in manifest["goals"].items()],
        outcomes=",".join(manifest["outcomes"]), years=",".join(map(str, manifest["years"])),
        states=manifest["states"], uncertainties=",".join(e["name"] for e in manifest["uncertainties"]),
        prim_density=manifest["prim_density"], parameters=manifest["parameters"], seed=manifest["seeds"]["root"],
        replicates=manifest["seeds"]["replicates"], households=manifest["households"])
    spec, prepared = _robustness_spec(ns, [folder.path / e["file"] for e in manifest["scenarios"]])
    for p, entry in zip(prepared, manifest["scenarios"]):
        if p.config_hash != entry["config_hash"]:
            raise AnalysisError(f"--resume: scenario {entry['name']} no longer resolves to the config it was run "
                                "with; start a new results folder")
    return spec, prepared, manifest


def _robustness(argv: list[str], run_fn: RunFn | None, prog: str) -> int:
    from . import robustness as rb

    args = robustness_parser().parse_args(argv)
    require_analysis_extra("SALib")
    if args.resume:
        _no_spec_options(args, ["files", "states", "uncertainties", "parameters", "satisfice", "goal", "prim_density",
                                "outcomes", "years", "replicates", "households", "seed", "out"])
        folder = AnalysisFolder(args.resume)
        spec, prepared, manifest = _robustness_from_folder(folder)
    else:
        for f in args.files:
            if not Path(f).is_file():
                raise AnalysisError(f"no such file: {f}")
        spec, prepared = _robustness_spec(args, [Path(f) for f in args.files])
        folder = _new_folder(args.out, "robustness-" + "-".join(spec.strategies)[:80])
        manifest = None
    if spec.thresholds:
        require_analysis_extra("ema_workbench")
    states = rb.states_table(spec)
    from .design import design_hash

    if manifest is not None and manifest.get("design_hash") != design_hash(states.to_numpy()):
        raise AnalysisError("--resume: the states no longer regenerate identically; start a new results folder")
    pts = rb.points(spec, states)
    nruns = len(pts) * spec.replicates
    engine = _engine(args, nruns)
    command = [PROG, "robustness", *argv]

    def open_folder(done: int, to_run: int) -> dict[str, Any]:
        if manifest is not None:
            m = resumed(manifest, command=command, engine=engine.name, workers=engine.workers,
                        scheduler=engine.scheduler, done=done, to_run=to_run)
        else:
            folder.create()
            for p in prepared:
                folder.write_scenario_yaml(p.name, p.yaml_text)
            m = new_manifest("robustness", command=command, engine=engine.name, workers=engine.workers,
                             scheduler=engine.scheduler,
                             settings={"scenarios": [_scenario_entry(p) for p in prepared], **spec.settings(),
                                       "households": prepared[0].config["world"]["households"],
                                       "start_year": prepared[0].start_year, "end_year": prepared[0].end_year,
                                       "design_hash": design_hash(states.to_numpy())})
        folder.write_manifest(m)
        return m

    _say(args.quiet, f"{'Resuming' if args.resume else 'Running'} robustness: {len(spec.strategies)} strategies x "
         f"{spec.states} states x {spec.replicates} replicate{'s' if spec.replicates != 1 else ''} = {nruns} runs "
         f"({prepared[0].config['world']['households']} households, {prepared[0].start_year}-"
         f"{prepared[0].end_year}) on {_where(engine)} -> {_rel(folder.path)}/")
    started = time.perf_counter()
    done = _run_points_or_stop("robustness", pts, spec, folder, open_folder, engine, args, run_fn, prog)
    if done is None:
        return 130
    samples, manifest = done

    def write_tables() -> list[str]:
        import pandas as pd

        from .prim import BOX_COLUMNS, TRAJECTORY_COLUMNS, box_rows, discover, trajectory_rows

        folder.write_table("outcomes.csv", rb.outcome_table(spec, samples))
        folder.write_table("regret.csv", rb.regret_table(spec, samples))
        written = ["outcomes.csv", "regret.csv"]
        if spec.thresholds:
            folder.write_table("satisficing.csv", rb.satisficing_table(spec, samples))
            ranges = {c: (float(states[c].min()), float(states[c].max())) for c in states.columns}
            ranges.update({p.name: (p.low, p.high) for p in spec.uncertainties})
            boxes, paths = [], []
            for strategy, criterion, x, failed in rb.failures(spec, samples, states):
                found = discover(x, failed, spec.prim_density)
                boxes += box_rows(strategy, criterion, found, ranges)
                paths += trajectory_rows(strategy, criterion, found)
            folder.write_table("prim.csv", pd.DataFrame(boxes, columns=BOX_COLUMNS))
            folder.write_table("prim_trajectories.csv", pd.DataFrame(paths, columns=TRAJECTORY_COLUMNS))
            written += ["satisficing.csv", "prim.csv", "prim_trajectories.csv"]
        return written

    def draw() -> list[Path]:
        from .plots import plot_robustness

        return plot_robustness(folder.path)

    return _finish(folder, manifest, samples, write_tables, None if args.no_plots else draw, args.quiet, prog,
                   time.perf_counter() - started)
