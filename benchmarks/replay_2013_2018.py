"""Replay 2013-2018: the baseline at the shipped defaults against the observed series (the tolerances of issues 11
and 12), medians of 4 seeds; a markdown table (docs/calibration.md, "Stage 1").

    python benchmarks/replay_2013_2018.py [HOUSEHOLDS]        # default 40 000
"""
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sim
import sim  # noqa: E402
from sim.calibration.pointfit import COMP, OBS  # noqa: E402  (the observed points and tolerances of the fit)
from sim.scenario import SCENARIO_DIR, load_scenario  # noqa: E402

HH = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
cfg = load_scenario(SCENARIO_DIR / "baseline.yaml").model_dump()
cfg["world"]["households"] = HH; cfg["time"]["end_year"] = 2018
dfs = []
for s in (1, 2, 3, 4):
    df = sim.run(cfg, seed=s).set_index("year")
    df["local_share"] = 100 * df.migrant_workers_local / df.migrant_workers
    for k in COMP:
        side, comp = k.split("_")
        df[f"share_{k}"] = 100 * df[f"{side}_disposable_income_{comp}"] / df[f"{side}_disposable_income"]
    dfs.append(df)
med = pd.concat(dfs).groupby(level=0).median()
rows, inside, total = [], 0, 0
for k, (obs, tol, kind) in OBS.items():
    cells = []
    for y in range(2013, 2019):
        m = med.loc[y, k]
        if y in obs:
            t = tol * obs[y] if kind == "rel" else tol
            ok = abs(m - obs[y]) <= t
            inside += ok; total += 1
            cells.append(f"{m:.4g} / {obs[y]:.4g}{'' if ok else ' ✗'}")
        else:
            cells.append(f"{m:.4g}")
    tol_s = f"±{tol*100:.0f} %" if kind == "rel" else f"±{tol:g}"
    rows.append(f"| {k} | {tol_s} | " + " | ".join(cells) + " |")
print(f"| series | tolerance | " + " | ".join(str(y) for y in range(2013, 2019)) + " |")
print("|---|---|" + "---|" * 6)
print("\n".join(rows))
print(f"\n{inside} of {total} points within tolerance (model median of 4 seeds / observed; ✗ outside), {HH} households")
extra = ["whole_family_migrants", "children_with_migrants_share", "citizenized", "rural_share_65_plus", "village_nonfarm_workers", "farmland_rent"]
print(med[extra].round(2).T.to_string())
