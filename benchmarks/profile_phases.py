"""Wall time of each phase of the engine's yearly step, and of building the model, at a given size.

    python benchmarks/profile_phases.py --households 1000000 --end-year 2020
    python benchmarks/profile_phases.py --households 100000 --py-spy   # hint: run under py-spy for functions

Times are CPU seconds of this process (time.process_time: robust to other load on a shared machine).
Phases are timed by wrapping the functions that `ChengxiangModel.step` calls (same code, same results); a few
hot helpers inside them are listed indented (their time is part of their phase's).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections import defaultdict

import mesa

import sim
from sim.engine import model as model_module

TIMES: dict[str, float] = defaultdict(float)
COUNTS: dict[str, int] = defaultdict(int)


def timed(name, fn):
    def wrapper(*args, **kwargs):
        t = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            TIMES[name] += time.process_time() - t

    return wrapper


def instrument() -> None:
    """Wrap each phase function the model's step calls (looked up through the modules, so the wrappers are
    used), and a few of the hot helpers inside them."""
    from sim.engine import incomes, markets
    from sim.engine.phases import capital, citizenship, demography, families, finance, labour, land, production

    for mod, name in ((production, "produce_and_price"), (capital, "allocate_capital"), (labour, "choose_work"),
                      (families, "move_dependants"), (citizenship, "citizenize"), (land, "manage_land"),
                      (finance, "public_finance"), (incomes, "household_accounts"), (incomes, "save"),
                      (demography, "age_and_renew")):
        setattr(mod, name, timed(name, getattr(mod, name)))
    for mod, name in ((labour, "reconsider_workers"), (labour, "leave_home"), (labour, "train"),
                      (labour, "send_dependants_home"), (land, "rent_and_farm"), (land, "exit_rights"),
                      (citizenship, "settling_units"), (citizenship, "settle_units"),
                      (citizenship, "reclassify_villages")):
        setattr(mod, name, timed(f"  {mod.__name__.rsplit('.', 1)[-1]}.{name}", getattr(mod, name)))
    M = model_module.ChengxiangModel
    M.collect = timed("collect (outcomes)", M.collect)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--end-year", type=int, default=2035)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--preset", default="china")
    args = ap.parse_args()
    cfg = {"world": {"preset": args.preset, "households": args.households},
           "time": {"start_year": 2013, "end_year": args.end_year}}
    t = time.process_time()
    m = sim.build_model(cfg, seed=args.seed)
    build = time.process_time() - t
    TIMES.clear()
    COUNTS.clear()
    instrument()
    t = time.process_time()
    m.run_to_end()
    run = time.process_time() - t
    years = args.end_year - 2013
    print(f"{args.households:,} households, {years} years, {m.counties.n} counties, {m.cities.n} cities; "
          f"build {build:.2f} s, run {run:.2f} s ({run / years * 1e3:.0f} ms/year, "
          f"{args.households * years / run / 1e6:.2f} M household-steps/s)")
    for name, secs in sorted(TIMES.items(), key=lambda kv: -kv[1] if not kv[0].startswith(" ") else 0):
        print(f"  {name:34s} {secs:7.2f} s  {100 * secs / run:5.1f}%  {secs / years * 1e3:7.1f} ms/year")
    print(f"  persons at the end: {m.persons.count:,}, migrant workers: {len(m.persons.workers()):,}")
    t = time.process_time()
    agents = len(m.agents)
    print(f"  observing the model (creating {agents:,} agent views): {time.process_time() - t:.2f} s")
    # Free the model now (Mesa 3.3 keeps models alive through Agent._ids, mesa issue #3179, so it would
    # otherwise be torn down at interpreter exit, much more slowly).
    ids = getattr(mesa.Agent, "_ids", None)
    t = time.process_time()
    if isinstance(ids, dict):
        ids.pop(m, None)
    del m
    gc.collect()
    print(f"  freeing the model: {time.process_time() - t:.1f} s", flush=True)


if __name__ == "__main__":
    main()
