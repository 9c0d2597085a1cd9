#!/usr/bin/env python
"""Chengxiang: run scenario ensembles, write results and comparison plots.

    python run.py                                  the four strategy scenarios at their default seeds
    python run.py scenarios/baseline.yaml scenarios/integrated.yaml --seeds 5 --households 20000
    python run.py --engine dask --workers 4 ...    one Dask task per run on an embedded LocalCluster
    python run.py --scheduler tcp://host:8786 ...  on a running Dask cluster (or set DASK_SCHEDULER_ADDRESS)
    python run.py --resume results/<folder>        run only what an interrupted command left missing
    python run.py plot results/<folder>            redraw the plots of a results folder
    python run.py --parameters point ...           posterior (default once one is shipped), point or defaults
    python run.py ... --observed FILE              also draw a CSV of observed data (same format as sim/data/observed)
    python run.py calibrate [--quick]              estimate the calibrated parameters (docs/calibration.md)
    python run.py validate FILE...                 check scenario files
    python run.py schema                           JSON Schema of scenario files
    python run.py sensitivity --method morris ...  global sensitivity analysis (docs/analysis.md)
    python run.py robustness FILE... --states N    strategies across sampled futures (docs/analysis.md)

See docs/running.md. Exit status: 0 all runs succeeded, 1 some run (or the plots) failed, 2 bad usage or input,
130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STRATEGIES = ("baseline", "new_urbanization", "rural_revitalization", "integrated")
SUBCOMMANDS = ("validate", "schema", "plot", "sensitivity", "robustness", "calibrate")
PROG = "run.py"


class UsageError(Exception):
    """Bad options or input: one line on stderr, exit 2."""


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


def _year(text: str) -> int:
    from sim.scenario import YEAR_MAX, YEAR_MIN

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a year, got {text!r}") from None
    if not YEAR_MIN <= value <= YEAR_MAX:
        raise argparse.ArgumentTypeError(f"expected a year between {YEAR_MIN} and {YEAR_MAX}, got {text!r}")
    return value


def run_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Run scenario ensembles (scenarios x seeds); write results and comparison plots.",
        epilog="Other commands: 'run.py plot DIR' redraws plots, 'run.py validate FILE...' checks scenario "
        "files, 'run.py schema' prints their JSON Schema, 'run.py calibrate' estimates the calibrated parameters. "
        "See docs/running.md and docs/calibration.md.",
    )
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="scenario files (default: the four strategy scenarios in scenarios/)")
    p.add_argument("--seeds", type=_positive, metavar="N", help="replicates per scenario (default: each file's)")
    p.add_argument("--households", type=_positive, metavar="N", help="household agents (default: each file's)")
    p.add_argument("--end-year", type=_year, metavar="YEAR", help="last simulated year (default: each file's)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: results/<timestamp>-<names>/)")
    p.add_argument("--resume", metavar="DIR", help="finish an interrupted command's results folder")
    p.add_argument("--engine", choices=("serial", "dask"),
                   help="serial: in this process; dask: one task per run on a LocalCluster or --scheduler "
                   "(default: dask when more than one run and more than one core, or a scheduler is given)")
    p.add_argument("--workers", type=_positive, metavar="N",
                   help="worker processes of the embedded Dask cluster (default: cores available)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running Dask scheduler (default: $DASK_SCHEDULER_ADDRESS if set)")
    p.add_argument("--parameters", choices=("posterior", "point", "defaults"),
                   help="calibrated parameters of each run: its own draw from the shipped posterior (default when "
                   "one is shipped), the posterior median, or the registry defaults; recorded in the manifest")
    p.add_argument("--observed", metavar="FILE", action="append",
                   help="a CSV of observed data to draw on the plots (format of sim/data/observed/); repeatable")
    p.add_argument("--csv", action="store_true", help="also write timeseries.csv")
    p.add_argument("--no-plots", action="store_true", help="do not draw plots")
    p.add_argument("--alone", action="store_true",
                   help="run only the files given (by default a scenario's `extends` parent runs alongside, for "
                   "the plots to compare with)")
    p.add_argument("--force", action="store_true",
                   help="start even if the runs at once would not fit in the available memory")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no report (errors only)")
    return p


def _say(quiet: bool, *lines: str) -> None:
    if not quiet:
        for line in lines:
            print(line)


def _err(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _default_out(names: list[str]) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    label = "-".join(names) if len(names) <= 4 else f"{'-'.join(names[:3])}-and-{len(names) - 3}-more"
    label = re.sub(r"[^A-Za-z0-9_.+-]", "_", label)[:120]
    base = Path("results") / f"{stamp}-{label}"
    out, k = base, 2
    while out.exists():
        out = base.with_name(f"{base.name}-{k}")
        k += 1
    return out


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _scheduler(args: argparse.Namespace) -> str | None:
    if args.engine == "serial" and args.scheduler:
        raise UsageError("--scheduler needs --engine dask")
    if args.engine == "serial" and args.workers and args.workers > 1:
        raise UsageError("--workers needs --engine dask")
    if args.scheduler or args.engine == "serial":
        return args.scheduler or None
    return os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def _resumed(args: argparse.Namespace) -> tuple[list, Path]:
    """The scenarios and folder of `--resume DIR`."""
    from sim.ensemble import prepared_from_folder

    given = [o for o, v in (("FILE", args.files), ("--seeds", args.seeds), ("--households", args.households),
                            ("--end-year", args.end_year), ("--out", args.out), ("--alone", args.alone),
                            ("--observed", args.observed)) if v]
    if given:
        raise UsageError(f"--resume takes the scenarios and options of the folder; drop {', '.join(given)}")
    out = Path(args.resume)
    return prepared_from_folder(out), out


def _fresh(args: argparse.Namespace) -> tuple[list, Path]:
    """The scenario files (and the files they extend, unless --alone) with the overrides applied, and a new (or
    empty) results folder."""
    from sim.ensemble import ResultsFolder, parents_missing, prepare
    from sim.ensemble.lock import in_use

    files = [Path(f) for f in args.files] or [HERE / "scenarios" / f"{n}.yaml" for n in STRATEGIES]
    for f in files:
        if not f.exists():
            raise UsageError(f"no such file: {f}")
        if not f.is_file():
            raise UsageError(f"not a file: {f}")
    parents = [] if args.alone else parents_missing(files)
    prepared = prepare([*parents, *files], seeds=args.seeds, households=args.households, end_year=args.end_year)
    for parent, p in zip(parents, prepared):
        children = ", ".join(c.name for c in prepared if c.parent == p.name)
        _say(args.quiet, f"Also running {p.name} ({_rel(parent)}): {children} extends it, and the plots compare "
                         "with it (--alone runs only the files given).")
    out = Path(args.out) if args.out else _default_out([p.name for p in prepared])
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    if out.is_dir() and in_use(out):
        raise UsageError(f"--out {out} is in use by another command")
    if out.is_dir() and not ResultsFolder(out).is_empty():
        raise UsageError(f"--out {out} exists and is not empty (use a new folder, or --resume {out})")
    return prepared, out


def _engine(args: argparse.Namespace, scheduler: str | None, nruns: int) -> tuple[str, int | None]:
    """The engine (default: Dask when there is more than one run and more than one core) and its workers."""
    from sim.ensemble import default_workers

    engine = args.engine
    if engine is None:
        engine = "dask" if scheduler or (nruns > 1 and (args.workers or default_workers()) > 1) else "serial"
    workers = args.workers if engine == "dask" and not scheduler else None
    if engine == "dask" and not scheduler and workers is None:
        workers = min(default_workers(), nruns)
    return engine, workers


def _summary(result, nruns: int, seconds: float, out: Path) -> list[str]:
    lines = [
        f"{len(result.records) - len(result.failed)} of {nruns} runs ok, {len(result.failed)} failed "
        f"({seconds:.1f} s).",
        f"Results: {_rel(out)}/  (timeseries.parquet, summary.csv, runs.jsonl, manifest.json)",
    ]
    if result.plots:
        lines.append(f"Plots:   {_rel(out / 'plots')}/  ({len(result.plots)} figures; overview.png is all key "
                     "outcomes)")
    if result.failed:
        lines.append(f"Failed runs and their tracebacks are in {_rel(out / 'runs.jsonl')}; "
                     f"rerun them with: python run.py --resume {_rel(out)}")
    if result.damaged:
        lines.append(f"Ran again {len(result.damaged)} run(s) whose files were damaged: "
                     + "; ".join(result.damaged))
    return lines


def cmd_run(argv: list[str], run_fn=None) -> int:
    """Run an ensemble. `run_fn` replaces the model (tests inject faults through it; see tests/fault_run.py)."""
    from sim.calibration.draws import for_command
    from sim.ensemble import EnsembleOptions, run_ensemble
    from sim.ensemble.observed import read_user_files

    args = run_parser().parse_args(argv)
    scheduler = _scheduler(args)
    prepared, out = _resumed(args) if args.resume else _fresh(args)
    observed = read_user_files(args.observed or [])  # checked before anything is written
    run_fn = for_command(args.parameters, out if args.resume else None, run_fn)  # sets each run's parameters
    nruns = sum(p.replicates for p in prepared)
    engine, workers = _engine(args, scheduler, nruns)
    options = EnsembleOptions(
        engine=engine, workers=workers, scheduler=scheduler, resume=bool(args.resume), csv=args.csv,
        plots=not args.no_plots, progress="off" if args.quiet else "bar" if sys.stderr.isatty() else "lines",
        force=args.force, command=[PROG, *argv],
        overrides={"seeds": args.seeds, "households": args.households, "end_year": args.end_year,
                   "parameters": run_fn.manifest_entry(s for p in prepared for s in p.seeds),
                   **({"observed": observed} if observed else {})})
    where = scheduler or (f"{workers} local worker{'s' if workers != 1 else ''}" if engine == "dask" else "")
    _say(args.quiet,
         f"{'Resuming' if args.resume else 'Running'} {nruns} runs ({len(prepared)} scenario"
         f"{'s' if len(prepared) != 1 else ''}: {', '.join(f'{p.name} x{p.replicates}' for p in prepared)}) "
         f"on {engine}{' (' + where + ')' if where else ''} -> {_rel(out)}/")
    started = time.perf_counter()
    try:
        result = run_ensemble(prepared, out, options, run_fn=run_fn)
    except KeyboardInterrupt:
        _err(f"interrupted; finished runs are saved in {_rel(out)}/ - continue with: "
             f"python run.py --resume {_rel(out)}")
        return 130
    for rec in result.failed:
        last = (rec.get("error") or "").strip().splitlines()
        _err(f"run failed: {rec['scenario']} replicate {rec['replicate']} (seed {rec['seed']}): "
             f"{last[-1] if last else 'unknown error'}")
    _say(args.quiet, *_summary(result, nruns, time.perf_counter() - started, out))
    if result.plot_error:
        _err("plotting failed:\n" + result.plot_error.rstrip())
    return 0 if result.ok else 1


def cmd_plot(argv: list[str]) -> int:
    p = _Parser(prog=f"{PROG} plot", description="Redraw the plots of a results folder into DIR/plots/.")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--format", nargs="+", default=["png"], choices=("png", "svg", "pdf"), dest="formats",
                   help="file formats (default: png)")
    p.add_argument("--observed", metavar="FILE", action="append", help="also draw this observed-data CSV")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"no such folder: {folder}")
    if not (folder / "timeseries.parquet").is_file():
        raise UsageError(f"{folder} is not a results folder (no timeseries.parquet)")
    from sim.ensemble.observed import read_user_files
    from sim.ensemble.plots import plot_results

    written = plot_results(folder, formats=args.formats, observed=read_user_files(args.observed or []))
    _say(args.quiet, f"Plots: {_rel(folder / 'plots')}/  ({len(written)} files)")
    return 0


def cmd_validate(argv: list[str]) -> int:
    p = _Parser(prog=f"{PROG} validate", description="Check scenario files; prints file:line: key: message.")
    p.add_argument("files", nargs="+", metavar="FILE")
    args = p.parse_args(argv)
    from sim.scenario import validate_files

    return int(validate_files(args.files, sys.stderr))


def cmd_schema(argv: list[str]) -> int:
    p = _Parser(prog=f"{PROG} schema", description="Print the JSON Schema of scenario files.")
    p.parse_args(argv)
    from sim.scenario import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def _analysis(name: str):
    """A command of sim.analysis.cli (imported when used: it loads SALib)."""
    def command(argv: list[str]) -> int:
        from sim.analysis import cli

        return getattr(cli, name)(argv)
    return command


def main(argv: list[str] | None = None, run_fn=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if str(HERE) not in sys.path:  # run from another folder without `pip install -e .`
        sys.path.insert(0, str(HERE))
    from sim.calibration.cli import cmd_calibrate
    from sim.calibration.errors import InputFileError
    from sim.ensemble import EnsembleError
    from sim.scenario import ScenarioError

    commands = {"validate": cmd_validate, "schema": cmd_schema, "plot": cmd_plot, "calibrate": cmd_calibrate,
                "sensitivity": _analysis("cmd_sensitivity"), "robustness": _analysis("cmd_robustness")}
    try:
        if argv and argv[0] in commands:
            return commands[argv[0]](argv[1:])
        return cmd_run(argv, run_fn)
    except (ScenarioError, InputFileError) as exc:
        for line in exc.messages:
            print(line, file=sys.stderr)
        return 2
    except (UsageError, EnsembleError) as exc:
        _err(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
