"""Engine vs the idiomatic-Mesa reference (sim/reference.py), side by side in one process.

    python benchmarks/bench.py --quick        # under a minute: 10 k and 100 k households, 1-2 years
    python benchmarks/bench.py                # 10 k and 100 k households, several years and repeats
    python benchmarks/bench.py --large        # ... plus the engine alone at 1 M and 10 M households

What is measured
- Speed: household-steps per second = households x simulated years / CPU seconds of the yearly steps (the
  build is timed separately). CPU seconds of this process (`time.process_time`), so other load on a shared
  machine disturbs the numbers less than wall time would; wall time is printed too. Engine and reference start
  from the same initial state (the reference copies a freshly built engine model into agents), run the same
  years, alternate within one process, and the best of the repeats is kept for each.
- Memory: peak bytes per household agent while building and running the first year, from `tracemalloc` (every
  Python and NumPy allocation; the reference is traced from the copy into agents on, so the engine model it was
  copied from is not counted), in a child process per model and size. For the `--large` engine runs, which
  tracemalloc would slow down too much, the child's peak resident set size (VmHWM) minus its size after imports.
- Agents: Mesa agents when observed. The engine: households + live migrant workers + county towns + cities; its
  household and migrant agents appear when the model is looked at, not while it steps; the time one full
  observation takes (creating every agent view) is measured after the run and reported apart ("observe s"). The
  reference: one agent per rural-hukou person and per household, all the time.

The last line is `speedup_vs_mesa_reference: <engine / reference household-steps per second at 100 k>`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # benchmark this checkout's `sim`, whichever one is installed
    sys.path.insert(0, str(HERE.parent))

START = 2013


def config(households: int, years: int) -> dict:
    return {"world": {"preset": "china", "households": households},
            "time": {"start_year": START, "end_year": START + years}}


def release(model) -> None:
    """Let a finished model be garbage-collected (`sim.release`: Mesa 3.3 keeps every model alive through the
    class-level `Agent._ids`, mesa issue #3179)."""
    import sim

    sim.release(model)


def build(kind: str, households: int, years: int, seed: int):
    from sim import ChengxiangModel
    from sim.reference import ReferenceModel

    engine = ChengxiangModel(config(households, years), seed=seed)
    if kind == "engine":
        return engine
    reference = ReferenceModel.from_engine(engine, seed=seed)
    release(engine)
    return reference


def agents_when_observed(model) -> int:
    """Mesa agents the model has when looked at (the engine creates household and migrant views on observation)."""
    if hasattr(model, "agent_views"):
        return model.households.n + migrant_workers(model) + model.counties.n + model.cities.n
    return len(model.agents)


def migrant_workers(model) -> int:
    """Live migrant workers of the engine (rural hukou, a non-farm job): its `MigrantWorker` agents when observed."""
    ps = model.persons
    return int((ps.alive & (ps.job != 0) & ~ps.urban_hukou).sum())


def observe(model) -> float:
    """CPU seconds of one full observation of the engine (every household and migrant agent view created)."""
    if not hasattr(model, "agent_views"):
        return 0.0
    t = time.process_time()
    len(model.agents)
    return time.process_time() - t


def timed_run(kind: str, households: int, years: int, seed: int) -> dict:
    gc.collect()
    t0 = time.process_time()
    model = build(kind, households, years, seed)
    t1, w1 = time.process_time(), time.perf_counter()
    model.run_to_end()
    t2, w2 = time.process_time(), time.perf_counter()
    agents = agents_when_observed(model)
    observe_cpu = observe(model)
    release(model)
    del model
    gc.collect()
    return {"build_cpu": t1 - t0, "step_cpu": t2 - t1, "step_wall": w2 - w1, "agents": agents,
            "observe_cpu": observe_cpu}


# ---------------------------------------------------------------------------------------------- memory (child)
def status_kb(field: str) -> int:
    """A field of /proc/self/status (VmRSS, VmHWM ...) in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def memory_child(kind: str, households: int, years: int, seed: int, method: str) -> dict:
    import tracemalloc

    from sim import ChengxiangModel
    from sim.reference import ReferenceModel

    cfg = config(households, years)
    if method == "tracemalloc":
        if kind == "engine":
            tracemalloc.start()
            model = ChengxiangModel(cfg, seed=seed)
        else:
            engine = ChengxiangModel(cfg, seed=seed)
            tracemalloc.start()
            model = ReferenceModel.from_engine(engine, seed=seed)
            del engine
            gc.collect()
        model.run_to_end()
        peak = tracemalloc.get_traced_memory()[1]
        return {"peak_bytes": peak, "method": "tracemalloc"}
    base = status_kb("VmRSS")
    t0, w0 = time.process_time(), time.perf_counter()
    model = ChengxiangModel(cfg, seed=seed)
    t1, w1 = time.process_time(), time.perf_counter()
    model.run_to_end()
    t2, w2 = time.process_time(), time.perf_counter()
    peak = (status_kb("VmHWM") - base) * 1024  # before observing: the model as it steps
    return {"peak_bytes": peak, "method": "peak RSS", "build_cpu": t1 - t0,
            "build_wall": w1 - w0, "step_cpu": t2 - t1, "step_wall": w2 - w1, "agents": agents_when_observed(model),
            "migrants_end": migrant_workers(model), "observe_cpu": observe(model)}


def in_child(kind: str, households: int, years: int, seed: int, method: str) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, str(households), str(years), str(seed), method]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------- main
def machine() -> str:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import mesa
    import numpy

    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB; Python {platform.python_version()}, "
            f"mesa {mesa.__version__}, numpy {numpy.__version__}; load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="under a minute")
    ap.add_argument("--large", action="store_true", help="also the engine alone at 1 M and 10 M households")
    ap.add_argument("--large-sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--large-years", type=int, default=3, help="years simulated in the --large runs")
    ap.add_argument("--only-large", action="store_true", help="skip the engine vs reference comparison")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, n, years, seed, method = args.child
        print(json.dumps(memory_child(kind, int(n), int(years), int(seed), method)))
        return

    # households -> (years, repeats of the reference, repeats of the engine)
    plan = ({10_000: (2, 1, 3), 100_000: (1, 1, 3)} if args.quick
            else {10_000: (5, 2, 5), 100_000: (3, 2, 5)})
    if args.only_large:
        plan, args.large = {}, True
    print(f"machine: {machine()}", flush=True)
    rows = []
    for n, (years, ref_reps, eng_reps) in plan.items():
        results = {"engine": [], "reference": []}
        order = ["engine", "reference"] * max(ref_reps, eng_reps)
        for kind in order:  # alternate, so both see the same machine conditions
            if len(results[kind]) < (eng_reps if kind == "engine" else ref_reps):
                results[kind].append(timed_run(kind, n, years, args.seed))
        for kind, runs in results.items():
            best = min(runs, key=lambda r: r["step_cpu"])
            mem = None
            if not args.no_memory and (n <= 10_000 or not args.quick):
                mem = in_child(kind, n, 1, args.seed, "tracemalloc")
            rows.append({"model": kind, "households": n, "agents": best["agents"], "years": years,
                         "repeats": len(runs), "build_s": best["build_cpu"], "step_s": best["step_cpu"] / years,
                         "wall_step_s": best["step_wall"] / years, "hh_steps_per_s": n * years / best["step_cpu"],
                         "mem_bytes_per_hh": mem["peak_bytes"] / n if mem else None,
                         "mem_method": mem["method"] if mem else "", "observe_s": best["observe_cpu"]})
            print(_row(rows[-1]), flush=True)
    if args.large:
        for n in args.large_sizes:
            r = in_child("engine", n, args.large_years, args.seed, "rss")
            rows.append({"model": "engine", "households": n, "agents": r["agents"], "years": args.large_years,
                         "repeats": 1, "build_s": r["build_cpu"], "step_s": r["step_cpu"] / args.large_years,
                         "wall_step_s": r["step_wall"] / args.large_years,
                         "hh_steps_per_s": n * args.large_years / r["step_cpu"],
                         "mem_bytes_per_hh": r["peak_bytes"] / n, "mem_method": r["method"],
                         "observe_s": r["observe_cpu"]})
            print(_row(rows[-1]), flush=True)

    print()
    print(f"{'model':10s} {'households':>11s} {'agents':>10s} {'years':>5s} {'build s':>8s} {'s/year':>8s} "
          f"{'household-steps/s':>18s} {'bytes/household':>16s} {'observe s':>9s}  memory by")
    for r in rows:
        print(_row(r))
    print()
    speed = {(r["model"], r["households"]): r["hh_steps_per_s"] for r in rows}
    ratio = {n: speed[("engine", n)] / speed[("reference", n)] for n in plan}
    for n, x in ratio.items():
        print(f"engine / reference at {n:,} households: {x:.0f}x")
    if 100_000 in ratio:
        print(f"speedup_vs_mesa_reference: {ratio[100_000]:.1f}")


def _row(r: dict) -> str:
    mem = f"{r['mem_bytes_per_hh']:,.0f}" if r["mem_bytes_per_hh"] else "-"
    obs = f"{r['observe_s']:.2f}" if r.get("observe_s") else "-"
    return (f"{r['model']:10s} {r['households']:>11,} {r['agents']:>10,} {r['years']:>5d} {r['build_s']:>8.2f} "
            f"{r['step_s']:>8.3f} {r['hh_steps_per_s']:>18,.0f} {mem:>16s} {obs:>9s}  {r['mem_method']}")


if __name__ == "__main__":
    main()
