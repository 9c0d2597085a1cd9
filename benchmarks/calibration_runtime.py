"""Calibration runtime: model evaluations per second (serial and on the embedded Dask cluster) and the projected
wall time of the full calibration; optionally the real `run.py calibrate --quick` end to end.

    python benchmarks/calibration_runtime.py                         # full settings: 40 000 households, 2 seeds
    python benchmarks/calibration_runtime.py --households 3000 --evaluations 40
    python benchmarks/calibration_runtime.py --quick-run             # also time `run.py calibrate --quick`

An evaluation is what ABC-SMC pays per particle proposed: the 2013-2018 baseline at `--model-seeds` common seeds
(each a full model build and 5 yearly steps), for parameters drawn from the prior. The projection is

    (budget counted evaluations x (1 + discarded share) + report runs x model-seeds / model-seeds) / rate

with the budget of the full settings (`sim.calibration.abcsmc.FULL`), the share of evaluations a batch computes
past the population's last acceptance (measured on --quick: about 10 %), and the report's posterior-predictive
runs. CPU seconds per evaluation are printed too: on a shared machine wall time varies with the load, CPU time
less so. Benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DISCARDED = 0.10  # evaluations computed after a generation's last acceptance (not counted by pyabc)


def prior_draws(problem, n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [{p.name: rng.uniform(*p.bounds) for p in problem.priors} for _ in range(n)]


def evaluate(simulator, theta: dict) -> tuple[float, float]:
    """(wall, cpu) seconds of one evaluation."""
    wall, cpu = time.perf_counter(), time.process_time()
    simulator(theta)
    return time.perf_counter() - wall, time.process_time() - cpu


def rate_serial(problem, draws: list[dict]) -> tuple[float, float]:
    evaluate(problem.simulator, draws[0])  # compile and cache numba kernels, warm the census tables
    started = time.perf_counter()
    cpu = sum(evaluate(problem.simulator, d)[1] for d in draws)
    return len(draws) / (time.perf_counter() - started), cpu / len(draws)


def rate_dask(problem, draws: list[dict], workers: int) -> float:
    from sim.ensemble.engines import open_engine

    with open_engine("dask", workers=workers) as engine:
        client = engine.client
        client.gather(client.map(evaluate, [problem.simulator] * workers, draws[:workers], pure=False))  # warm up
        started = time.perf_counter()
        client.gather(client.map(evaluate, [problem.simulator] * len(draws), draws, pure=False))
        return len(draws) / (time.perf_counter() - started)


def main() -> None:
    from dataclasses import replace

    from sim.calibration.abcsmc import FULL, QUICK, Problem
    from sim.calibration.cli import PREDICTIVE_DRAWS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--households", type=int, default=FULL.households)
    p.add_argument("--model-seeds", type=int, default=FULL.model_seeds)
    p.add_argument("--evaluations", type=int, default=24, help="evaluations timed per engine")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-dask", action="store_true")
    p.add_argument("--quick-run", action="store_true", help="also time run.py calibrate --quick end to end")
    args = p.parse_args()

    settings = replace(FULL, households=args.households, model_seeds=args.model_seeds)
    problem = Problem.build(settings)
    draws = prior_draws(problem, args.evaluations, 1)
    print(f"{platform.node()}: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; "
          f"{args.households} households x {args.model_seeds} seeds, 2013-{settings.last_year}")
    serial, cpu = rate_serial(problem, draws)
    print(f"serial:              {serial:.3f} evaluations/s  ({cpu:.2f} CPU s per evaluation)")
    rates = {"serial": serial}
    if not args.no_dask:
        rates["dask"] = rate_dask(problem, draws, args.workers)
        print(f"dask ({args.workers} workers):    {rates['dask']:.3f} evaluations/s")
    evaluations = FULL.budget * (1 + DISCARDED) + PREDICTIVE_DRAWS["full"] / args.model_seeds + 1
    for name, rate in rates.items():
        print(f"projected full calibration on {name}: {evaluations:.0f} evaluations / {rate:.3f} per s = "
              f"{evaluations / rate / 3600:.2f} h (budget {FULL.budget}, population {FULL.population})")
    print(f"CPU-bound projection on {args.workers} idle cores: {evaluations * cpu / args.workers / 3600:.2f} h")
    if args.quick_run:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            r = subprocess.run([sys.executable, str(ROOT / "run.py"), "calibrate", "--quick", "--out",
                                str(Path(tmp) / "quick"), "-q"], cwd=ROOT, capture_output=True, text=True)
            wall = time.perf_counter() - started
        if r.returncode != 0:
            sys.exit(f"run.py calibrate --quick failed ({r.returncode}):\n{r.stderr}")
        print(f"run.py calibrate --quick: {wall / 60:.1f} min (population {QUICK.population}, budget "
              f"{QUICK.budget}, {QUICK.households} households)")


if __name__ == "__main__":
    main()
