"""The strategies at 2035 and 2050 (docs/model.md section 6): paired differences from the baseline with the income
components, mean (sd over seeds).

    python benchmarks/strategy_effects.py [HOUSEHOLDS [SEEDS [SCENARIO ...]]]     # default 20 000, 4, the three
"""
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sim
import sim  # noqa: E402
from sim.scenario import SCENARIO_DIR, load_scenario  # noqa: E402
HH = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
SEEDS = range(1, 1 + (int(sys.argv[2]) if len(sys.argv) > 2 else 4))
COLS = ["urban_rural_income_ratio", "rural_disposable_income", "rural_disposable_income_wage", "rural_disposable_income_business",
        "rural_disposable_income_property", "rural_disposable_income_transfer", "urban_disposable_income", "urbanization_rate",
        "hukou_urbanization_rate", "migrant_workers", "land_transfer_share", "rural_residents"]
def run(path):
    cfg = load_scenario(path).model_dump()
    cfg["world"]["households"] = HH; cfg["time"]["end_year"] = 2050
    return {s: sim.run(cfg, seed=s).set_index("year").loc[[2035, 2050], COLS] for s in SEEDS}
base = run(SCENARIO_DIR / "baseline.yaml")
print("baseline (mean over seeds)\n", (sum(base.values()) / len(base)).round(3).T.to_string())
for name in sys.argv[3:] or ["new_urbanization", "rural_revitalization", "integrated"]:
    r = run(SCENARIO_DIR / f"{name}.yaml")
    d = pd.concat({s: r[s] - base[s] for s in SEEDS})
    mean = d.groupby(level=1).mean(); sd = d.groupby(level=1).std()
    print(f"\n{name}: paired difference from baseline, mean (sd over {len(SEEDS)} seeds)")
    out = pd.DataFrame({y: [f"{mean.loc[y, c]:+.3g} ({sd.loc[y, c]:.2g})" for c in COLS] for y in (2035, 2050)}, index=COLS)
    print(out.to_string())
