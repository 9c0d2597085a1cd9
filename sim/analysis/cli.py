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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("serial", "dask"),
                   help="serial: in this process; dask: one task per run on a LocalCluster or --scheduler "
                   "(default: dask when more than one run and more than one core, or a scheduler is given)")
    p.add_argument("--workers", type=_positive, metavar="N", help="worker processes of the embedded Dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler "
                   "(default: $DASK_SCHEDULER_ADDRESS if set)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: results/<timestamp>-<command>/)")
    p.add_argument("--resume", metavar="DIR", help="finish an interrupted command's results folder")
    p.add_argument("--no-plots", action="store_true", help="do not draw plots")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no report (errors only)")


def _common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--outcomes", metavar="A,B", help="metrics (default: the headline metrics, KEY_METRICS)")
    p.add_argument("--years", metavar="Y1,Y2", help="outcome years (default: 2035,2050); the runs end at the last")
    p.add_argument("--replicates", type=_positive, metavar="R",
                   help="model seeds per point, the same for every point, outcomes averaged (default: 1)")
    p.add_argument("--households", type=_positive, metavar="N", help="household agents (default: 10000)")
    p.add_argument("--seed", type=_integer, metavar="S", help="root seed of the design, the model seeds and the "
                   "bootstrap (default: 0)")


def sensitivity_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=f"{PROG} sensitivity", description="Global sensitivity analysis (Morris screening or Sobol' "
                "indices, SALib) of outcomes to the declared inputs. See docs/analysis.md.")
    p.add_argument("--method", choices=("morris", "sobol"), help="default: morris")
    p.add_argument("--inputs", metavar="A,B", help="inputs to vary by name (default: every lever, uncertainty "
                   "and behavioural parameter)")
    p.add_argument("--group", metavar="G1,G2", help="vary the default inputs of these registry groups (or "
                   "'levers', 'uncertainties', 'parameters')")
    p.add_argument("--trajectories", type=_integer, metavar="R", help="Morris trajectories (default: 10)")
    p.add_argument("--levels", type=_integer, metavar="P", help="Morris grid levels (default: 4)")
    p.add_argument("--samples", type=_integer, metavar="N",
                   help="Sobol' base sample, a power of two (default: 256); N x (inputs + 2) points")
    p.add_argument("--scenario", metavar="FILE", help="base scenario whose history levers depart from "
                   "(default: scenarios/baseline.yaml)")
    p.add_argument("--from-year", type=_integer, metavar="YEAR",
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


def _prepare(path: Path | str, households: int, end_year: int, source: str | None = None) -> Prepared:
    """A scenario file with the analysis' households and end year (ScenarioError for a bad file)."""
    path = Path(path)
    if not path.is_file():
        raise AnalysisError(f"no such file: {path}")
    return prepare_scenario(load_scenario(path), households=households, end_year=end_year, seeds=1,
                            source=source or str(path))


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
    base = _prepare(args.scenario or BASE_SCENARIO, args.households or 10_000, max(years),
                    source=args.scenario or "scenarios/baseline.yaml")
    check_years(years, base.start_year)
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
    try:
        samples, manifest = run_points(pts, spec.model_seeds, spec.outcomes, folder, open_folder, engine,
                                       resume=bool(args.resume), run_fn=run_fn,
                                       progress=sys.stderr.isatty() and not args.quiet)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; finished runs are saved in {_rel(folder.path)}/ - continue with: "
              f"python run.py sensitivity --resume {_rel(folder.path)}", file=sys.stderr)
        return 130
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
