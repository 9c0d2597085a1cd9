"""A cheap toy simulator for the calibration tests: the same interface as `sim.run` (config, seed) -> one row per
year, one column per metric, with a few metrics that depend smoothly on five real model parameters plus seed noise.
Module-level so that Dask workers can import it (the twin experiment runs through the real machinery: target spec,
observed CSV, simulator with common random numbers, distance, pyabc, the seeded sampler, the posterior)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outcomes.metrics import METRICS

TRUTH = {"settle_constant": -3.0, "in_situ_base_rate": 0.012, "land_insurance_share": 0.5,
         "rural_transfer_growth": 0.09, "follow_schooling_weight": 2.0}
NOISE = 0.05  # seed noise, in tolerances of the toy targets


def toy_run(config: dict, seed: int) -> pd.DataFrame:
    p = {**TRUTH, **{k: v for k, v in (config.get("parameters") or {}).items() if k in TRUTH}}
    start, end = int(config["time"]["start_year"]), int(config["time"]["end_year"])
    years = np.arange(start, end + 1)
    k = years - start
    rng = np.random.default_rng(seed)
    out = {m: np.full(len(years), np.nan) for m in METRICS}
    out["hukou_urbanization_rate"] = 36 + k * (1.2 + 0.3 * (p["settle_constant"] + 3)) + rng.normal(0, NOISE, len(k))
    out["urbanization_rate"] = 54.5 + k * (0.8 + 40 * p["in_situ_base_rate"]) + rng.normal(0, NOISE, len(k))
    out["land_transfer_share"] = 26 + k * (2.8 - 2.0 * p["land_insurance_share"]) + rng.normal(0, 3 * NOISE, len(k))
    out["rural_disposable_income_transfer"] = 1648 * (1 + p["rural_transfer_growth"]) ** k * (
        1 + rng.normal(0, 0.005, len(k)))
    out["whole_family_migrants"] = 35 * (1 + 0.02 * k * p["follow_schooling_weight"]) + rng.normal(0, 0.2, len(k))
    return pd.DataFrame({"year": years, **out})


SERIES = {  # observed series name -> (metric, tolerance, kind)
    "toy_hukou": ("hukou_urbanization_rate", 1.0, "abs"),
    "toy_urban": ("urbanization_rate", 1.0, "abs"),
    "toy_land": ("land_transfer_share", 1.0, "abs"),
    "toy_transfer": ("rural_disposable_income_transfer", 150, "abs"),
    "toy_family": ("whole_family_migrants", 0.1, "rel"),
}
PRIORS = {"settle_constant": (-7.0, -1.0), "in_situ_base_rate": (0.0, 0.03), "land_insurance_share": (0.2, 1.2),
          "rural_transfer_growth": (0.0, 0.15), "follow_schooling_weight": (0.5, 6.0)}


def write_problem(folder, truth=TRUTH, last_year=2018, seed=12345, extra_rows=""):
    """Observed CSV simulated from `truth` (one seed not among the calibration's), a target spec and a parameter
    list in `folder`; returns (targets path, parameters path)."""
    from pathlib import Path

    folder = Path(folder)
    config = {"time": {"start_year": 2013, "end_year": 2018}, "parameters": dict(truth)}
    df = toy_run(config, seed).set_index("year")
    lines = ["series,year,value,unit,verified,source"]
    for name, (metric, _, _) in SERIES.items():
        for y, v in df[metric].items():
            lines.append(f"{name},{y},{v:.6g},unit,{'yes' if y % 2 else 'no'},toy")
    (folder / "toy_observed.csv").write_text("\n".join(lines) + "\n" + extra_rows)
    spec = ["series,file,metric,factor,tolerance,tolerance_kind,weight,last_year"]
    spec += [f"{n},toy_observed.csv,{m},1,{t},{k},1,{last_year}" for n, (m, t, k) in SERIES.items()]
    (folder / "targets.csv").write_text("\n".join(spec) + "\n")
    params = ["name,low,high,transform"] + [f"{n},{lo},{hi},linear" for n, (lo, hi) in PRIORS.items()]
    (folder / "parameters.csv").write_text("\n".join(params) + "\n")
    return folder / "targets.csv", folder / "parameters.csv"
