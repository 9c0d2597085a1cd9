"""Runtimes of the sensitivity targets of issue 14, through the real command (`run.py sensitivity`).

    python benchmarks/sensitivity_runtime.py morris                 # every default input, 10 trajectories,
                                                                    # 10 000 households, 2013-2035, 2 Dask workers
    python benchmarks/sensitivity_runtime.py sobol --screening DIR  # the 12 strongest inputs of the income ratio
                                                                    # and hukou urbanization in DIR/morris.csv
    python benchmarks/sensitivity_runtime.py phases                 # where a run's time goes

`morris` prints the wall time (target: under 20 minutes), the runs' own time and the five strongest drivers of
each headline outcome. `sobol` runs Sobol' with --samples N (default 256) and prints the widest 95 % interval
(full width, 2 x SALib's S1_conf / ST_conf; target < 0.1) with the wall time. `phases` times building a model, its
yearly steps and the run's remaining overhead in one process, for sampled configs of the screening.
Results folders go to --out (default: a temporary folder, printed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KEY_TARGETS = ("urban_rural_income_ratio", "hukou_urbanization_rate")


def run_command(args: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    cmd = [sys.executable, str(ROOT / "run.py"), "sensitivity", *args]
    print("$", " ".join(cmd[1:]), flush=True)
    started = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return wall


def run_seconds(out: Path) -> tuple[int, float]:
    import pandas as pd

    s = pd.read_parquet(out / "samples.parquet")
    return len(s), float(s["seconds"].sum())


def morris(args: argparse.Namespace) -> None:
    import pandas as pd

    from sim.outcomes.metrics import KEY_METRICS

    out = Path(args.out or tempfile.mkdtemp(prefix="morris-")) / "morris"
    wall = run_command(["--method", "morris", "--trajectories", str(args.trajectories), "--households",
                        str(args.households), "--years", str(args.year), "--engine", "dask", "--workers",
                        str(args.workers), "--seed", str(args.seed), "--out", str(out), "--no-plots", "-q"])
    runs, seconds = run_seconds(out)
    print(f"Morris: {runs} runs, {args.households} households, 2013-{args.year}, {args.workers} Dask workers: "
          f"wall {wall / 60:.1f} min (target < 20 min); runs' own time {seconds / 60:.1f} min "
          f"({seconds / runs:.2f} s per run; {seconds / args.workers / wall:.0%} of the workers' time)")
    table = pd.read_csv(out / "morris.csv")
    for metric in KEY_METRICS:
        top = table[table["outcome"] == metric].nlargest(5, "mu_star")
        print(f"  {metric}: " + "; ".join(f"{r.input} {r.mu_star:.3g}" for r in top.itertuples()))
    print(f"Folder: {out}")


def sobol(args: argparse.Namespace) -> None:
    import pandas as pd

    from sim.analysis.sensitivity import strongest

    screening = pd.read_csv(Path(args.screening) / "morris.csv")
    chosen = strongest(screening, KEY_TARGETS, args.top)
    print(f"The {len(chosen)} strongest inputs of {' and '.join(KEY_TARGETS)}: {', '.join(chosen)}")
    out = Path(args.out or tempfile.mkdtemp(prefix="sobol-")) / f"sobol-{args.samples}"
    wall = run_command(["--method", "sobol", "--inputs", ",".join(chosen), "--samples", str(args.samples),
                        "--outcomes", ",".join(KEY_TARGETS), "--households", str(args.households), "--years",
                        str(args.year), "--engine", "dask", "--workers", str(args.workers), "--seed",
                        str(args.seed), "--out", str(out), "--no-plots", "-q"])
    runs, seconds = run_seconds(out)
    table = pd.read_csv(out / "sobol.csv")
    width = 2 * table[["S1_conf", "ST_conf"]].max()
    print(f"Sobol': N = {args.samples}, {len(chosen)} inputs, {runs} runs: wall {wall / 60:.1f} min "
          f"({seconds / runs:.2f} s per run); widest 95 % interval: S1 {width['S1_conf']:.3f}, "
          f"ST {width['ST_conf']:.3f} (target < 0.1)")
    for metric in KEY_TARGETS:
        sub = table[table["outcome"] == metric].nlargest(5, "ST")
        print(f"  {metric}: " + "; ".join(f"{r.input} ST {r.ST:.2f}\u00b1{r.ST_conf:.2f} S1 {r.S1:.2f}"
                                          for r in sub.itertuples()))
    print(f"Folder: {out}")


def phases(args: argparse.Namespace) -> None:
    """Build, steps and the rest of `sim.run` for a few sampled configs, in this process (after a warm-up)."""
    import numpy as np

    import sim
    from sim.analysis import inputs
    from sim.analysis.configs import apply_inputs
    from sim.ensemble.plan import prepare_scenario
    from sim.scenario import load_scenario

    base = prepare_scenario(load_scenario(ROOT / "scenarios" / "baseline.yaml"), households=args.households,
                            end_year=args.year).config
    params = inputs.default_inputs()
    rng = np.random.default_rng(args.seed)
    sim.run(base, seed=0)  # compile and cache the numba kernels
    rows = []
    for k in range(args.repeats):
        values = {p.name: float(rng.uniform(p.low, p.high)) for p in params}
        config = apply_inputs(base, values, 2025)
        t0 = time.perf_counter()
        model = sim.build_model(config, seed=0)
        t1 = time.perf_counter()
        model.run_to_end()
        t2 = time.perf_counter()
        model.results()
        sim.release(model)
        t3 = time.perf_counter()
        rows.append((t1 - t0, t2 - t1, t3 - t2))
    build, step, rest = np.mean(rows, axis=0)
    print(f"One run, {args.households} households, 2013-{args.year}, mean of {args.repeats} sampled configs: "
          f"build {build:.2f} s, steps {step:.2f} s, results and release {rest:.2f} s, total {build + step + rest:.2f} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=("morris", "sobol", "phases"))
    p.add_argument("--households", type=int, default=10_000)
    p.add_argument("--year", type=int, default=2035)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--trajectories", type=int, default=10)
    p.add_argument("--samples", type=int, default=256)
    p.add_argument("--top", type=int, default=12)
    p.add_argument("--screening", help="a Morris results folder (for sobol)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="parent folder of the results folders")
    args = p.parse_args()
    if args.what == "sobol" and not args.screening:
        p.error("sobol needs --screening DIR (a Morris folder)")
    {"morris": morris, "sobol": sobol, "phases": phases}[args.what](args)


if __name__ == "__main__":
    main()
