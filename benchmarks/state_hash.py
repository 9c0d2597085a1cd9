"""A hash of everything a run produces, to show that a refactor or an optimization changed no result.

    python benchmarks/state_hash.py                       # 100 k households, 2013-2050, seed 3
    python benchmarks/state_hash.py --households 20000 --end-year 2025

The hash covers every metric of every year, the per-county, per-tier and per-city tables, and the final
household and live-person arrays (every field but the person ids that tie agent views to rows). Two runs of
the same code and seed give the same hash; a change that alters any number, anywhere, changes it.
"""

from __future__ import annotations

import argparse
import hashlib
import time

import numpy as np
import pandas as pd


def _update_frame(digest, df: pd.DataFrame) -> None:
    for col in df.columns:
        values = df[col].to_numpy()
        digest.update(col.encode())
        if values.dtype == object:
            digest.update("\x1f".join(map(str, values)).encode())
        else:
            digest.update(np.ascontiguousarray(values).tobytes())


def run_hash(households: int, end_year: int, seed: int) -> tuple[str, dict[str, str]]:
    import sim

    model = sim.build_model({"world": {"households": households},
                             "time": {"start_year": 2013, "end_year": end_year}}, seed)
    model.run_to_end()
    parts: dict[str, str] = {}
    for name, frame in (("metrics", model.results()), ("county", model.county_timeseries()),
                        ("tier", model.tier_timeseries()), ("city", model.city_timeseries())):
        d = hashlib.sha256()
        _update_frame(d, frame)
        parts[name] = d.hexdigest()
    for name, table in (("households", model.households), ("persons", model.persons)):
        d = hashlib.sha256()
        rows = np.flatnonzero(model.persons.alive) if name == "persons" else slice(None)
        for field in sorted(set(table.FIELDS) - {"person"}):  # person ids: bookkeeping for agent views
            d.update(field.encode())
            d.update(np.ascontiguousarray(getattr(table, field)[rows]).tobytes())
        parts[name] = d.hexdigest()
    total = hashlib.sha256("".join(parts[k] for k in sorted(parts)).encode()).hexdigest()
    return total, parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--end-year", type=int, default=2050)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    t = time.perf_counter()
    total, parts = run_hash(args.households, args.end_year, args.seed)
    for k in sorted(parts):
        print(f"{k:10s} {parts[k][:16]}")
    print(f"hash {total[:16]}  ({args.households} households, 2013-{args.end_year}, seed {args.seed}, "
          f"{time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
