"""Consecutive `sim.run` calls in one process (as in a Dask worker or the serial engine): time, GC, memory.

    python benchmarks/runs_in_one_process.py                          # 8 runs of 100 000 households, 2013-2050
    python benchmarks/runs_in_one_process.py --households 1000000 --runs 1

Per run: wall and CPU seconds, seconds spent in the cyclic garbage collector's passes (`gc.callbacks`), and the
process's resident memory after the run. A finished model should be freed at once, so the memory column stays
flat from the second run on.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sim  # noqa: E402
from bench import status_kb  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--households", type=int, default=100_000)
    p.add_argument("--end-year", type=int, default=2050)
    p.add_argument("--runs", type=int, default=8)
    args = p.parse_args()

    in_gc = {"seconds": 0.0, "started": 0.0}

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            in_gc["started"] = time.perf_counter()
        else:
            in_gc["seconds"] += time.perf_counter() - in_gc["started"]

    gc.callbacks.append(watch)
    config = {"world": {"households": args.households}, "time": {"end_year": args.end_year}}
    print(f"{args.runs} runs of {args.households:,} households, 2013-{args.end_year}, one process")
    print(f"{'seed':>4} {'wall s':>8} {'cpu s':>8} {'gc s':>6} {'RSS after, MB':>14} {'peak RSS, MB':>13}")
    for seed in range(args.runs):
        in_gc["seconds"] = 0.0
        wall, cpu = time.perf_counter(), time.process_time()
        sim.run(config, seed)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rss = status_kb("VmRSS") / 1024
        print(f"{seed:>4} {wall:>8.2f} {cpu:>8.2f} {in_gc['seconds']:>6.2f} {rss:>14.0f} {peak:>13.0f}")


if __name__ == "__main__":
    main()
