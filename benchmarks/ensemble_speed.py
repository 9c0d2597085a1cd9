"""Wall time of one ensemble, serial vs the embedded Dask cluster, through the real command (run.py).

    python benchmarks/ensemble_speed.py                       # 4 scenarios x 10 seeds x 100 000 households, 2013-2050
    python benchmarks/ensemble_speed.py --households 5000 --seeds 2 --end-year 2020 --workers 2 4

Each configuration runs `run.py --no-plots -q` into a temporary folder; the table shows wall time, the sum of
the runs' own times (from runs.jsonl), speed-up over serial, and whether the table is byte-identical to serial.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRATEGIES = ["baseline", "new_urbanization", "rural_revitalization", "integrated"]


def timed_run(out: Path, files: list[str], args: argparse.Namespace, engine: list[str]) -> float:
    cmd = [sys.executable, str(ROOT / "run.py"), *files, "--seeds", str(args.seeds), "--households",
           str(args.households), "--end-year", str(args.end_year), "--out", str(out), "--no-plots", "-q", *engine]
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    started = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    return wall


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--households", type=int, default=100_000)
    p.add_argument("--end-year", type=int, default=2050)
    p.add_argument("--workers", type=int, nargs="+", default=[2])
    p.add_argument("--scenarios", nargs="+", default=STRATEGIES, help="names in scenarios/ (without .yaml)")
    args = p.parse_args()
    files = [str(ROOT / "scenarios" / f"{n}.yaml") for n in args.scenarios]
    nruns = len(files) * args.seeds

    print(f"{len(files)} scenarios x {args.seeds} seeds = {nruns} runs, {args.households:,} households, "
          f"2013-{args.end_year}; {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="chengxiang-bench-") as tmp:
        configs = [("serial", 1, ["--engine", "serial"])] + [
            ("dask", w, ["--engine", "dask", "--workers", str(w)]) for w in args.workers]
        reference = None
        for name, workers, extra in configs:
            out = Path(tmp) / f"{name}-{workers}"
            load = os.getloadavg()[0]
            wall = timed_run(out, files, args, extra)
            runs = [json.loads(x) for x in (out / "runs.jsonl").read_text().splitlines()]
            table = (out / "timeseries.parquet").read_bytes()
            reference = reference or (wall, table)
            rows.append((name, workers, wall, sum(r["seconds"] for r in runs), reference[0] / wall,
                         table == reference[1]))
            print(f"  {name} x{workers}: {wall:.1f} s (1-min load average before: {load:.2f}; other processes "
                  "competing for the cores slow the parallel run most)", flush=True)

    print()
    print(f"| engine | workers | wall s | sum of run s | s per run | speed-up | identical table |")
    print(f"|---|---|---|---|---|---|---|")
    for name, workers, wall, busy, speedup, same in rows:
        print(f"| {name} | {workers} | {wall:.1f} | {busy:.1f} | {wall / nruns:.2f} | {speedup:.2f}x | "
              f"{'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
