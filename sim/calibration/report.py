"""What a calibration shows: posterior-predictive runs, the fit table (year by year, series by series), coverage of
the observed points by the predictive 10-90 % bands, the posterior summary with identification (posterior over
prior width), and the figures (fit, pair plot, epsilon schedule).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .posterior import Posterior, weighted_quantile
from .priors import Prior
from .simulator import Simulator

Map = Callable[[Callable, Sequence], list]
IDENTIFIED, WEAK, NOT_IDENTIFIED = "identified", "weakly identified", "not identified"
UNDETERMINED = "undetermined (degenerate weights)"
MIN_EFFECTIVE = 10  # below this effective sample size (or 10 % of the particles) widths say nothing


def serial_map(fn: Callable, items: Sequence) -> list:
    return [fn(*item) for item in items]


def dask_map(client: Any) -> Map:
    def run(fn: Callable, items: Sequence) -> list:
        futures = [client.submit(fn, *item, pure=False) for item in items]
        return client.gather(futures)

    return run


def predictive_seeds(root: int, n: int) -> list[int]:
    """Model seeds of the posterior-predictive runs (each also selects its posterior draw)."""
    return [int(c.generate_state(1)[0]) for c in np.random.SeedSequence([int(root), 2]).spawn(int(n))]


def one_run(simulator: Simulator, values: dict[str, float], seed: int, metrics: Sequence[str]) -> pd.DataFrame:
    """One model run at parameter `values`: year and `metrics` (empty if the run failed)."""
    config = dict(simulator.config, parameters={**simulator.config["parameters"], **values})
    try:
        df = simulator.run_fn(config, int(seed))
    except Exception:
        return pd.DataFrame(columns=["year", *metrics])
    return df[["year", *metrics]].copy()


def predictive_runs(simulator: Simulator, posterior: Posterior, seeds: Sequence[int], metrics: Sequence[str],
                    map_: Map = serial_map) -> pd.DataFrame:
    """Posterior-predictive sample: run k draws its parameters with seed k (`Posterior.draw_for_seed`) and runs
    the model with that seed, so it carries parameter and seed uncertainty. Columns: draw, seed, year, metrics."""
    items = [(simulator, posterior.draw_for_seed(s), s, list(metrics)) for s in seeds]
    tables = map_(one_run, items)
    frames = [t.assign(draw=k, seed=s) for k, (t, s) in enumerate(zip(tables, seeds)) if len(t)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["draw", "seed", "year"])


def point_runs(simulator: Simulator, values: dict[str, float], metrics: Sequence[str],
               map_: Map = serial_map) -> pd.DataFrame:
    """The model at one parameter set (the posterior median), mean over the common seeds: year, metrics."""
    tables = [t for t in map_(one_run, [(simulator, values, s, list(metrics)) for s in simulator.seeds]) if len(t)]
    if not tables:
        return pd.DataFrame(columns=["year", *metrics])
    return pd.concat(tables).groupby("year", as_index=False)[list(metrics)].mean()


def fit_table(points: pd.DataFrame, predictive: pd.DataFrame, point: pd.DataFrame) -> pd.DataFrame:
    """One row per observed point in the simulated years: observed, the posterior-median run and its error in
    tolerances, whether it is within tolerance, the predictive 10/50/90 % and whether the band covers the point."""
    rows = []
    years = set(point["year"].astype(int)) if len(point) else set()
    for _, p in points.iterrows():
        if p["mid_year"] or int(p["year"]) not in years:
            continue
        pred = predictive.loc[predictive["year"] == p["year"], p["metric"]].dropna() if len(predictive) else []
        med = float(point.loc[point["year"] == p["year"], p["metric"]].iloc[0])
        q10, q50, q90 = (np.quantile(pred, [0.1, 0.5, 0.9]) if len(pred) else (np.nan,) * 3)
        tol = float(p["tolerance"])
        z = (med - p["value"]) / tol if tol > 0 else np.nan
        rows.append({"series": p["series"], "metric": p["metric"], "year": int(p["year"]),
                     "observed": float(p["value"]), "verified": bool(p["verified"]), "fitted": bool(p["fitted"]),
                     "weight": float(p["weight"]), "tolerance": tol, "posterior_median_run": med,
                     "error_in_tolerances": z, "within_tolerance": bool(abs(z) <= 1) if np.isfinite(z) else False,
                     "predictive_p10": q10, "predictive_p50": q50, "predictive_p90": q90,
                     "covered": bool(q10 <= p["value"] <= q90) if len(pred) else False})
    return pd.DataFrame(rows)


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """Per fitted series and overall: points, share within tolerance (median run), share covered by the
    predictive 10-90 % band."""
    fitted = table[table["fitted"]]
    out = (fitted.groupby("series", sort=False)
           .agg(metric=("metric", "first"), points=("year", "size"), within_tolerance=("within_tolerance", "mean"),
                covered=("covered", "mean"), mean_abs_error_in_tolerances=("error_in_tolerances",
                                                                            lambda z: float(np.abs(z).mean())))
           .reset_index())
    total = pd.DataFrame([{"series": "ALL (fitted points)", "metric": "", "points": len(fitted),
                           "within_tolerance": fitted["within_tolerance"].mean() if len(fitted) else np.nan,
                           "covered": fitted["covered"].mean() if len(fitted) else np.nan,
                           "mean_abs_error_in_tolerances": float(np.abs(fitted["error_in_tolerances"]).mean())
                           if len(fitted) else np.nan}])
    return pd.concat([out, total], ignore_index=True)


def identification(ratio: float) -> str:
    """Label of a posterior/prior 90 % width ratio."""
    if not np.isfinite(ratio):
        return NOT_IDENTIFIED
    return IDENTIFIED if ratio < 0.5 else WEAK if ratio < 0.8 else NOT_IDENTIFIED


def weights_degenerate(posterior: Posterior) -> bool:
    """True when the effective sample size is under `MIN_EFFECTIVE` or 10 % of the particles."""
    return posterior.effective_size < max(MIN_EFFECTIVE, 0.1 * len(posterior.sample))


def posterior_summary(posterior: Posterior, priors: Sequence[Prior]) -> pd.DataFrame:
    """Per calibrated parameter: prior bounds, registry default, weighted median, 5 % and 95 % quantiles, mean and
    sd; `width_ratio` = posterior 90 % interval over the prior's (in the sampling space) and what it says: under
    0.5 identified, 0.5-0.8 weakly, above not identified; undetermined when the weights are degenerate."""
    from ..inputs.parameters import PARAMETERS

    w = posterior.weights
    degenerate = weights_degenerate(posterior)
    rows = []
    for p in priors:
        v = posterior.sample[p.name].to_numpy(float)
        x = np.array([p.to_space(val) for val in v])
        lo, hi = p.bounds
        q05, q95 = weighted_quantile(x, w, 0.05), weighted_quantile(x, w, 0.95)
        ratio = (q95 - q05) / (0.9 * (hi - lo))
        mean = float(np.dot(w, v))
        rows.append({"parameter": p.name, "unit": PARAMETERS[p.name].unit, "prior_low": p.low, "prior_high": p.high,
                     "transform": p.transform, "registry_default": PARAMETERS[p.name].default,
                     "median": weighted_quantile(v, w, 0.5), "p05": weighted_quantile(v, w, 0.05),
                     "p95": weighted_quantile(v, w, 0.95), "mean": mean,
                     "sd": float(np.sqrt(np.dot(w, (v - mean) ** 2))), "width_ratio": float(ratio),
                     "identification": UNDETERMINED if degenerate else identification(ratio)})
    return pd.DataFrame(rows)


def markdown_table(df: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """A DataFrame as a GitHub markdown table (no extra dependency)."""
    def cell(v: Any) -> str:
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else format(float(v), floatfmt)
        return str(v)

    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "| " + " | ".join("---" for _ in df.columns) + " |"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def fit_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """The fit table as series x year: 'observed / model (error in tolerances)' per cell (fitted points)."""
    fitted = table[table["fitted"]].copy()
    fitted["cell"] = [f"{o:.4g} / {m:.4g} ({z:+.1f})" for o, m, z in
                      zip(fitted["observed"], fitted["posterior_median_run"], fitted["error_in_tolerances"])]
    wide = fitted.pivot_table(index="series", columns="year", values="cell", aggfunc="first").fillna("")
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()
