"""The ensemble's tables: one run's output as tidy rows, the empty table, bands and summaries across seeds."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..outcomes.metrics import FLOW_METRICS, METRICS

ID_COLUMNS = ["scenario", "seed", "year"]
SUMMARY_YEAR = 2035  # the plan horizon every summary also reports


def empty_timeseries() -> pd.DataFrame:
    cols = {"scenario": pd.Series(dtype=str), "seed": pd.Series(dtype="int64"), "year": pd.Series(dtype="int64")}
    cols.update({m: pd.Series(dtype="float64") for m in METRICS})
    return pd.DataFrame(cols)


def without_start_flows(df: pd.DataFrame) -> pd.DataFrame:
    """`df` (one row per year) with the flow metrics missing (NaN) in its first year: a flow over the year before
    the start is not simulated, and the 0 the model reports there would read as "nothing happened"."""
    flows = [m for m in FLOW_METRICS if m in df.columns]
    if not flows or df.empty:
        return df
    out = df.copy()
    out.loc[out["year"] == out["year"].min(), flows] = float("nan")
    return out


def tidy_run_table(df: pd.DataFrame, scenario: str, seed: int) -> pd.DataFrame:
    """One run's model output as tidy rows: scenario, seed, year, then the registry's metrics in registry order
    (flow metrics missing in the start year)."""
    if "year" not in df.columns:
        raise ValueError("run output has no 'year' column")
    missing = [m for m in METRICS if m not in df.columns]
    if missing:
        raise ValueError(f"run output lacks metrics: {missing}")
    out = pd.DataFrame(
        {
            "scenario": pd.Series([scenario] * len(df), dtype=str),
            "seed": pd.Series([int(seed)] * len(df), dtype="int64"),
            "year": df["year"].astype("int64").to_numpy(),
        }
    )
    for m in METRICS:
        out[m] = df[m].astype("float64").to_numpy()
    return without_start_flows(out.sort_values("year", kind="stable").reset_index(drop=True))


def bands(ts: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per scenario and year: median, 10th and 90th percentile of `metric` across seeds, and the seed count."""
    g = ts.groupby(["scenario", "year"], sort=False)[metric]
    return pd.DataFrame({"median": g.median(), "p10": g.quantile(0.10), "p90": g.quantile(0.90),
                         "n": g.count()}).reset_index()


def summarize(ts: pd.DataFrame, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Per scenario, metric and year (final year and 2035): median and 10-90% range across seeds.

    Columns: scenario, metric, label, unit, which ("final" or "2035"), year, median, p10, p90, n.
    """
    rows = []
    for scenario in dict.fromkeys(ts["scenario"]):
        sub = ts[ts["scenario"] == scenario]
        final = int(sub["year"].max())
        targets: list[tuple[str, int]] = [("final", final)]
        if years is None:
            if SUMMARY_YEAR != final and sub["year"].min() <= SUMMARY_YEAR <= final:
                targets.append((str(SUMMARY_YEAR), SUMMARY_YEAR))
        else:
            targets += [(str(y), int(y)) for y in years if y != final]
        for which, year in targets:
            at = sub[sub["year"] == year]
            for metric, meta in METRICS.items():
                v = at[metric].dropna()
                rows.append({
                    "scenario": scenario, "metric": metric, "label": meta.label, "unit": meta.unit,
                    "which": which, "year": year,
                    "median": float(v.median()) if len(v) else float("nan"),
                    "p10": float(v.quantile(0.10)) if len(v) else float("nan"),
                    "p90": float(v.quantile(0.90)) if len(v) else float("nan"),
                    "n": int(len(v)),
                })
    return pd.DataFrame(
        rows, columns=["scenario", "metric", "label", "unit", "which", "year", "median", "p10", "p90", "n"])
