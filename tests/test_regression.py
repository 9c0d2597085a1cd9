"""Regression: a small fixed run must reproduce the checked-in baseline exactly (rtol 1e-9).

Guards performance work on the engine: an optimization must not change any result for a given seed. Two small
runs (3 000 households, 2013-2025, seed 7): the default china world (real places), and a synthetic province
with the land, hukou, services and finance levers switched on so that paid exits, forced surrender, quota sales,
support and talent are exercised.
Each year is compared on every metric column and on a fingerprint of the raw state (sums of household and
person arrays, county and city stocks), so a change that the metrics happen to hide is caught too.

The baseline is tests/data/regression_baseline.csv. Regenerate it ONLY when behaviour is meant to change (a
calibration constant, a rule, a bug fix in the engine) - never to make an optimization pass:

    python tests/test_regression.py --regenerate

and say in the commit why the numbers moved.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

BASELINE = Path(__file__).parent / "data" / "regression_baseline.csv"
RTOL, ATOL = 1e-9, 1e-12
SEED = 7

CASES = {
    "china_default": {
        "world": {"preset": "china", "households": 3000},
        "time": {"start_year": 2013, "end_year": 2025},
    },
    "province_levers": {
        "world": {"preset": "synthetic_province", "households": 3000},
        "time": {"start_year": 2013, "end_year": 2025},
        "levers": {
            "land_paid_exit": {"values": {2016: 1.0}},
            "land_exit_compensation": 25.0,
            "land_rights_kept_on_settling": {"values": {2018: 0.5}},
            "unified_construction_land_market": {"values": {2016: 1.0}},
            "urban_talent_incentive": 0.5,
            "rural_finance_access": 0.7,
            "settlement_openness_large_ii": {"values": {2015: 0.8}},
            "residence_years_required": 1.0,
            "skills_training_coverage": 0.2,
            "services_by_residence": {"values": {2016: 0.8}},
            "citizenization_support": 0.6,
            "land_tenure_security": {"values": {2015: 0.9}},
        },
    },
}


def fingerprint(model) -> dict[str, float]:
    """Sums of the raw state: households, live persons, counties, cities."""
    h, ps, c, j = model.households, model.persons, model.counties, model.cities
    live = ps.alive
    out = {"n_persons": float(live.sum()), "n_mesa_agents": float(len(model.agents))}
    for name in sorted(h.FIELDS):
        out[f"h_{name}"] = float(np.sum(getattr(h, name), dtype=np.float64))
    for name in sorted(set(ps.FIELDS) - {"id", "alive"}):
        out[f"p_{name}"] = float(np.sum(getattr(ps, name)[live], dtype=np.float64))
    for name in ("K_town", "K_village", "K_ag", "K_operator", "A_ag", "A_village", "fiscal", "collective_land",
                 "wage", "village_wage", "rent", "talent", "farm_output", "in_situ_share", "migrant_access"):
        out[f"c_{name}"] = float(getattr(c, name).sum())
    for name in ("K", "A", "population", "wage", "fiscal", "native", "migrant_access"):
        out[f"j_{name}"] = float(getattr(j, name).sum())
    out["natives_by_age"] = float(model.state.natives_by_age.sum())
    out["total_people"] = model.total_people()
    out["total_capital"] = model.total_capital()
    return out


def run_case(name: str) -> pd.DataFrame:
    from sim import ChengxiangModel

    model = ChengxiangModel(CASES[name], seed=SEED)
    prints = [fingerprint(model)]
    while model.running and model.year < model.end_year:
        model.step()
        prints.append(fingerprint(model))
    df = pd.concat([model.results(), pd.DataFrame(prints)], axis=1)
    df.insert(0, "case", name)
    return df


def current() -> pd.DataFrame:
    return pd.concat([run_case(name) for name in CASES], ignore_index=True)


def test_matches_baseline():
    assert BASELINE.exists(), f"missing {BASELINE}: run `python {__file__} --regenerate`"
    want = pd.read_csv(BASELINE)
    got = current()
    assert list(got.columns) == list(want.columns), "columns differ from the baseline"
    assert len(got) == len(want)
    assert (got["case"] == want["case"]).all() and (got["year"] == want["year"]).all()
    bad = []
    for col in want.columns:
        if col == "case":
            continue
        g, w = got[col].to_numpy(float), want[col].to_numpy(float)
        ok = np.isclose(g, w, rtol=RTOL, atol=ATOL, equal_nan=True)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            bad.append(f"{col}: {got['case'][i]} {got['year'][i]}: got {g[i]!r}, baseline {w[i]!r}")
    assert not bad, "results differ from the baseline:\n" + "\n".join(bad[:20])


if __name__ == "__main__":
    if "--regenerate" in sys.argv[1:]:
        BASELINE.parent.mkdir(parents=True, exist_ok=True)
        current().to_csv(BASELINE, index=False, float_format="%.17g")
        print(f"wrote {BASELINE}")
    else:
        print(__doc__)
