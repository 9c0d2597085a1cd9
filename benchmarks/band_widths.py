"""How much wider the strategy bands get with parameter uncertainty, and the paired effects with intervals.

    python benchmarks/band_widths.py --posterior results/calibration-<...>      # a calibration folder
    python benchmarks/band_widths.py --posterior sim/data/calibration --seeds 20 --households 20000

Runs the baseline and the integrated strategy (same replicate seeds) twice: every run at the posterior median
(`--parameters point`: bands are seed noise) and each replicate with its own posterior draw (`--parameters
posterior`: seed noise and parameter uncertainty). Prints, per key metric in --year, the 10-90 % band width of
both and their ratio, then the integrated strategy's paired effect (median and 10-90 % of the per-replicate
difference) beside the unpaired difference of the two scenarios' medians. Benchmark, not a test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from sim.calibration.draws import ParameterDraws
    from sim.calibration.effects import paired_effects
    from sim.calibration.posterior import load
    from sim.ensemble import EnsembleOptions, prepare, run_ensemble
    from sim.outcomes.metrics import KEY_METRICS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--posterior", required=True, help="folder with posterior.parquet")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--households", type=int, default=20000)
    p.add_argument("--year", type=int, default=2035)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    posterior = load(args.posterior)
    files = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "integrated.yaml"]
    prepared = prepare(files, seeds=args.seeds, households=args.households, end_year=args.year)
    options = EnsembleOptions(engine="dask", workers=args.workers, plots=False)
    runs = {mode: run_ensemble(prepared, None, options, run_fn=ParameterDraws(mode, posterior)).timeseries
            for mode in ("point", "posterior")}
    rows = []
    for metric in KEY_METRICS:
        row = {"metric": metric}
        for mode, ts in runs.items():
            at = ts[(ts["year"] == args.year) & (ts["scenario"] == "baseline")][metric]
            row[f"band_{mode}"] = at.quantile(0.9) - at.quantile(0.1)
        row["ratio"] = row["band_posterior"] / row["band_point"] if row["band_point"] else float("nan")
        eff = paired_effects(runs["posterior"], "baseline", "integrated", [args.year], [metric]).iloc[0]
        med = runs["posterior"][runs["posterior"]["year"] == args.year].groupby("scenario")[metric].median()
        row.update(effect_median=eff["median"], effect_p10=eff["p10"], effect_p90=eff["p90"],
                   difference_of_medians=med["integrated"] - med["baseline"])
        rows.append(row)
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(f"{args.seeds} replicates, {args.households} households, {args.year}; baseline bands (p90 - p10); "
          f"integrated - baseline, paired by replicate, with parameter draws")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    main()
