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
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KEY_TARGETS = ("urban_rural_income_ratio", "hukou_urbanization_rate")


class CpuTimed:
    """The model, also appending each run's CPU time to a file per worker process: on a shared machine wall time
    counts other people's work too, CPU time does not."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, config, seed):
        import sim

        started = time.process_time()
        table = sim.run(config, seed)
        with open(Path(self.folder) / f"cpu-{os.getpid()}.txt", "a") as fh:
            fh.write(f"{time.process_time() - started}\n")
        return table


def run_command(args: list[str]) -> tuple[float, float]:
    """`run.py sensitivity ARGS` in this process: (wall seconds, sum of the runs' CPU seconds)."""
    from sim.analysis.cli import cmd_sensitivity

    os.environ.pop("DASK_SCHEDULER_ADDRESS", None)
    print("$ python run.py sensitivity", " ".join(args), flush=True)
    with tempfile.TemporaryDirectory() as cpu_dir:
        started = time.perf_counter()
        rc = cmd_sensitivity(args, run_fn=CpuTimed(cpu_dir))
        wall = time.perf_counter() - started
        cpu = sum(float(x) for f in Path(cpu_dir).glob("cpu-*.txt") for x in f.read_text().split())
    if rc != 0:
        sys.exit(f"failed ({rc})")
    return wall, cpu


def run_seconds(out: Path) -> tuple[int, float]:
    import pandas as pd

    s = pd.read_parquet(out / "samples.parquet")
    return len(s), float(s["seconds"].sum())


def report(what: str, runs: int, wall: float, seconds: float, cpu: float, workers: int, target: str) -> None:
    idle = cpu / workers
    print(f"{what}: {runs} runs on {workers} Dask workers: wall {wall / 60:.1f} min; runs' own wall time "
          f"{seconds / runs:.2f} s per run, CPU {cpu / runs:.2f} s per run; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. On an idle machine: about {idle / 60:.1f} min of "
          f"runs ({target})", flush=True)


def morris(args: argparse.Namespace) -> None:
    import pandas as pd

    from sim.outcomes.metrics import KEY_METRICS

    out = Path(args.out or tempfile.mkdtemp(prefix="morris-")) / f"morris-{args.trajectories}"
    wall, cpu = run_command(["--method", "morris", "--trajectories", str(args.trajectories), "--households",
                        str(args.households), "--years", str(args.year), "--engine", "dask", "--workers",
                        str(args.workers), "--seed", str(args.seed), "--out", str(out), "--no-plots", "-q"])
    runs, seconds = run_seconds(out)
    report(f"Morris, {args.trajectories} trajectories, {args.households} households, 2013-{args.year}", runs, wall,
           seconds, cpu, args.workers, "target < 20 min for 10 trajectories: "
           f"{cpu / runs * 10 * (runs // args.trajectories) / args.workers / 60:.1f} min at this CPU time per run")
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
    wall, cpu = run_command(["--method", "sobol", "--inputs", ",".join(chosen), "--samples", str(args.samples),
                        "--outcomes", ",".join(KEY_TARGETS), "--households", str(args.households), "--years",
                        str(args.year), "--engine", "dask", "--workers", str(args.workers), "--seed",
                        str(args.seed), "--out", str(out), "--no-plots", "-q"])
    runs, seconds = run_seconds(out)
    table = pd.read_csv(out / "sobol.csv")
    width = 2 * table[["S1_conf", "ST_conf"]].max()
    widest = float(width.max())
    # interval widths shrink as 1 / sqrt(N): the base sample that would bring the widest under 0.1
    needed = args.samples
    while widest * (args.samples / needed) ** 0.5 >= 0.1:
        needed *= 2
    report(f"Sobol', N = {args.samples}, {len(chosen)} inputs", runs, wall, seconds, cpu, args.workers,
           f"widest 95 % interval (full width): S1 {width['S1_conf']:.3f}, ST {width['ST_conf']:.3f}, target < 0.1; "
           f"N = {needed} would take about {cpu / runs * needed * (len(chosen) + 2) / args.workers / 60:.0f} min")
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
    configs = [("default inputs", base)] * 2
    for k in range(args.repeats):
        values = {p.name: float(rng.uniform(p.low, p.high)) for p in params}
        configs.append((f"sampled {k}", apply_inputs(base, values, 2025)))
    for label, config in configs:
        # CPU time of this process: on a shared machine wall time also counts other people's work
        t0, c0 = time.perf_counter(), time.process_time()
        model = sim.build_model(config, seed=0)
        t1, c1 = time.perf_counter(), time.process_time()
        model.run_to_end()
        t2, c2 = time.perf_counter(), time.process_time()
        model.results()
        sim.release(model)
        t3, c3 = time.perf_counter(), time.process_time()
        rows.append((c1 - c0, c2 - c1, c3 - c2, t3 - t0))
        print(f"  {label}: build {c1 - c0:.2f} s, steps {c2 - c1:.2f} s, results and release {c3 - c2:.2f} s "
              f"(CPU); wall {t3 - t0:.2f} s", flush=True)
    build, step, rest, wall = np.mean(rows[2:], axis=0)
    print(f"One run, {args.households} households, 2013-{args.year}, mean of {args.repeats} sampled configs (CPU "
          f"time): build {build:.2f} s, steps {step:.2f} s, results and release {rest:.2f} s, total "
          f"{build + step + rest:.2f} s (wall {wall:.2f} s; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores)")


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
