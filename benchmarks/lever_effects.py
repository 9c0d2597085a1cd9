"""Single-lever effects (docs/model.md section 6): each lever set from 2025 on top of the policy history (values
before 2025 kept), china preset, 20 000 households, seeds 1-4, paired differences from the baseline in 2035 and
2050: mean (sd over seeds).

    python benchmarks/lever_effects.py        # about 1 minute
"""
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sim
import sim  # noqa: E402
from sim.inputs.registry import CITY_TIERS  # noqa: E402
from sim.scenario import SCENARIO_DIR, load_scenario  # noqa: E402
HH, SEEDS = 20000, (1, 2, 3, 4)
COLS = ["urbanization_rate", "hukou_urbanization_rate", "children_with_migrants_share", "citizenization_support_spending",
        "urban_rural_income_ratio"]
def cfg(**levers):
    c = load_scenario(SCENARIO_DIR / "baseline.yaml").model_dump()
    c["world"]["households"] = HH
    for name, value in levers.items():
        spec = c["levers"].get(name)
        hist = dict(spec["values"]) if isinstance(spec, dict) and "values" in spec else ({2013: spec} if spec is not None else {})
        c["levers"][name] = {"values": {**{y: v for y, v in hist.items() if y < 2025}, 2025: value}, "interpolation": "step"}
    return c
def run(c):
    return {s: sim.run(c, seed=s).set_index("year").loc[[2035, 2050], COLS] for s in SEEDS}
base = run(cfg())
OPEN = {**{f"settlement_openness_{t}": 1.0 for t in CITY_TIERS}, "settlement_openness_county_town": 1.0, "residence_years_required": 0.0}
for label, lev in [("services_by_residence = 1", {"services_by_residence": 1.0}), ("settlement fully open", OPEN),
                   ("citizenization_support = 1", {"citizenization_support": 1.0})]:
    r = run(cfg(**lev))
    d = pd.concat({s: r[s] - base[s] for s in SEEDS})
    m, sd = d.groupby(level=1).mean(), d.groupby(level=1).std()
    print(f"\n{label}")
    print(pd.DataFrame({y: [f"{m.loc[y, c]:+.3g} ({sd.loc[y, c]:.2g})" for c in COLS] for y in (2035, 2050)}, index=COLS).to_string())
