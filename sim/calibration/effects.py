"""Strategy effects as paired differences with intervals.

Replicate r of every scenario of one command runs with the same model seed and (with ``--parameters posterior``)
the same posterior draw: common random numbers. The effect of a strategy in replicate r is its outcome minus the
baseline's in that replicate, so seed noise and parameter uncertainty shared by both cancel; the interval is the
10-90 % range of these paired differences. A difference of medians of two bands would not be paired and is wider.

    python -m sim.calibration.effects results/<folder> [--years 2025 2035 2050]   -> <folder>/effects.csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..outcomes.metrics import METRICS


def paired_effects(ts: pd.DataFrame, baseline: str, strategy: str, years: Sequence[int],
                   metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Per metric and year: median, 10th and 90th percentile of (strategy - baseline) over replicates paired by
    seed, and the number of pairs. ValueError if the two scenarios share no seed (nothing is paired)."""
    metrics = list(metrics or [m for m in METRICS if m in ts.columns])
    a = ts[(ts["scenario"] == strategy) & ts["year"].isin(list(years))].set_index(["seed", "year"])
    b = ts[(ts["scenario"] == baseline) & ts["year"].isin(list(years))].set_index(["seed", "year"])
    common = a.index.intersection(b.index)
    if not len(common):
        raise ValueError(f"{strategy} and {baseline} share no seed in {list(years)}: their runs are not paired")
    diff = (a.loc[common, metrics] - b.loc[common, metrics]).reset_index()
    rows = []
    for year, sub in diff.groupby("year"):
        for m in metrics:
            d = sub[m].dropna()
            rows.append({"strategy": strategy, "baseline": baseline, "metric": m, "unit": METRICS[m].unit,
                         "year": int(year), "median": d.median() if len(d) else float("nan"),
                         "p10": d.quantile(0.1) if len(d) else float("nan"),
                         "p90": d.quantile(0.9) if len(d) else float("nan"), "pairs": int(len(d))})
    return pd.DataFrame(rows)


def effects_table(ts: pd.DataFrame, baseline: str, years: Sequence[int],
                  metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """`paired_effects` of every other scenario of the table against `baseline`."""
    others = [s for s in dict.fromkeys(ts["scenario"]) if s != baseline]
    return pd.concat([paired_effects(ts, baseline, s, years, metrics) for s in others], ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.calibration.effects",
                                description="Paired strategy effects of a results folder -> DIR/effects.csv")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--baseline", default="baseline")
    p.add_argument("--years", type=int, nargs="+", default=[2025, 2035, 2050])
    args = p.parse_args(argv)
    from ..ensemble.files import atomic_write_csv

    path = Path(args.folder) / "timeseries.parquet"
    if not path.is_file():
        print(f"{p.prog}: error: {args.folder} has no timeseries.parquet", file=sys.stderr)
        return 2
    ts = pd.read_parquet(path)
    if args.baseline not in set(ts["scenario"]):
        print(f"{p.prog}: error: no scenario {args.baseline!r} in {path}", file=sys.stderr)
        return 2
    table = effects_table(ts, args.baseline, [y for y in args.years if y in set(ts["year"])])
    atomic_write_csv(Path(args.folder) / "effects.csv", table)
    print(f"{Path(args.folder) / 'effects.csv'}: {len(table)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
