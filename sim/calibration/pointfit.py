"""Stage 1 of the calibration: a point estimate of the behavioural and start values by CMA-ES (the `cma` package),
whose result is the registry default of each parameter listed in `sim.inputs.parameters.FITTED_2013_2018` and of
the two fitted uncertainties (urban productivity and housing-cost growth; the baseline scenario keeps them to
2020). Stage 2 (ABC-SMC, `run.py calibrate`) estimates the uncertainty of ten of them. See docs/calibration.md.

    python -m sim.calibration.pointfit [START.json] [EVALUATIONS]

The distance: mean squared error in tolerances over the observed points below (the issue 11 and 12 tolerances;
the values are those of sim/data/observed/*.csv, 2013-2018 only) plus 0.2 x the squared largest error, one model
seed (1), 20 000 households, `scenarios/baseline.yaml` to 2018; two processes. The shipped defaults came from a
chain of such runs (each restarted from the previous best, the space growing as parameters were added; the last:
1 212 evaluations, distance 0.982): `sim/data/calibration/stage1_point_fit.json` holds that final state (the
unit-interval coordinates `x` and the values `named`). Rerunning gives a comparable point, not the same one.
"""

import json
import multiprocessing as mp
import sys
import time
from pathlib import Path

import numpy as np

import sim
from sim.scenario import SCENARIO_DIR, load_scenario

OUT = Path("stage1_point_fit.json")  # written in the working directory as the search improves
OBS = {"urbanization_rate": ({2013: 54.49, 2014: 55.75, 2015: 57.33, 2016: 58.84, 2017: 60.24, 2018: 61.5}, 1.0, "abs"),
       "hukou_urbanization_rate": ({2015: 39.9, 2016: 41.2, 2017: 42.35, 2018: 43.37}, 1.0, "abs"),
       "migrant_workers": ({2013: 268.94, 2014: 273.95, 2015: 277.47, 2016: 281.71, 2017: 286.52, 2018: 288.36}, 0.03, "rel"),
       "local_share": ({2013: 38.24, 2014: 38.6, 2015: 39.15, 2016: 39.89, 2017: 40.02, 2018: 40.12}, 2.0, "abs"),
       "migrant_mean_age": ({2013: 37.6, 2014: 38.3, 2015: 38.6, 2016: 39.0, 2017: 39.7, 2018: 40.2}, 1.0, "abs"),
       "migrant_share_50_plus": ({2013: 15.2, 2014: 17.1, 2015: 17.9, 2016: 19.2, 2017: 21.3, 2018: 22.4}, 2.0, "abs"),
       "urban_rural_income_ratio": ({2013: 2.81, 2014: 2.75, 2015: 2.73, 2016: 2.72, 2017: 2.71, 2018: 2.69}, 0.05, "abs"),
       "rural_disposable_income": ({2013: 9430, 2014: 10489, 2015: 11422, 2016: 12363, 2017: 13432, 2018: 14617}, 0.05, "rel"),
       "urban_disposable_income": ({2013: 26467, 2014: 28844, 2015: 31195, 2016: 33616, 2017: 36396, 2018: 39251}, 0.05, "rel"),
       "land_transfer_share": ({2013: 26.0, 2014: 30.32, 2016: 35.1}, 3.0, "abs"),
       "migrants_living_in_cities": ({2016: 135.85, 2017: 137.1, 2018: 135.06}, 0.03, "rel")}
COMP = {"urban_wage": [16617, 17937, 19337, 20665, 22201, 23792], "urban_business": [2975, 3279, 3476, 3770, 4065, 4443],
        "urban_property": [2552, 2812, 3042, 3271, 3607, 4028], "urban_transfer": [4323, 4816, 5340, 5910, 6524, 6988],
        "rural_wage": [3653, 4152, 4600, 5021.8, 5498, 5996], "rural_business": [3935, 4237, 4504, 4741.3, 5028, 5358],
        "rural_property": [195, 222, 252, 272.1, 303, 342], "rural_transfer": [1648, 1877, 2066, 2328.2, 2603, 2920]}
YEARS = list(range(2013, 2019))
for k, v in COMP.items():
    side = k.split("_")[0]
    tot = OBS[f"{side}_disposable_income"][0]
    OBS[f"share_{k}"] = ({y: 100 * v[i] / tot[y] for i, y in enumerate(YEARS)}, 5.0, "abs")
SPACE = {  # name: (low, high, kind) kind p=parameter u=uncertainty
    "urban_productivity_growth": (0.02, 0.08, "u"),
    "housing_cost_growth": (0.0, 0.08, "u"),
    "pension_wage_elasticity": (0.5, 1.2, "p"),
    "rural_transfer_growth": (0.0, 0.15, "p"),
    "target_home_to_village": (0.02, 0.15, "p"), "target_home_to_town": (0.02, 0.15, "p"),
    "target_home_to_city": (0.05, 0.3, "p"), "target_migrant_return": (0.01, 0.15, "p"),
    "target_migrant_to_local": (0.01, 0.15, "p"), "target_migrant_to_city": (0.03, 0.2, "p"),
    "reconsider_rate_home": (0.15, 0.6, "p"), "city_age_penalty": (0.0, 0.1, "p"), "return_age_pull": (0.0, 0.6, "p"),
    "settle_constant": (-7.0, -1.0, "p"), "in_situ_base_rate": (0.0, 0.03, "p"), "in_situ_rate": (0.0, 2.0, "p"),
    "in_situ_hukou_rate": (0.0, 0.4, "p"), "village_productivity_growth_share": (0.3, 1.2, "p"),
    "land_insurance_share": (0.2, 1.2, "p"), "tenure_security_insurance_cut": (0.0, 1.0, "p"),
    "operator_productivity": (0.8, 2.0, "p"), "village_wage_discount": (0.35, 0.8, "p"), "urban_other_transfer_2013": (1000.0, 4000.0, "p"), "village_self_employed_share": (0.25, 0.75, "p"), "tenure_security_cost_cut": (0.0, 1.0, "p"), "rental_transaction_cost": (0.0, 0.6, "p"), "town_productivity_growth_share": (0.3, 1.2, "p"), "local_migrant_lives_in_town": (0.1, 0.7, "p"), "rural_pension_2013": (1000.0, 2600.0, "p"), "rural_subsidy_2013": (300.0, 1100.0, "p"), "urban_property_housing_elasticity": (0.5, 1.5, "p"),
}
NAMES = list(SPACE)
BASE = load_scenario(SCENARIO_DIR / "baseline.yaml").model_dump()
def config(x, hh=20000):
    cfg = json.loads(json.dumps(BASE, default=str))
    cfg = {**BASE}
    cfg["world"] = {**BASE["world"], "households": hh}
    cfg["time"] = {**BASE["time"], "end_year": 2018}
    params = dict(BASE.get("parameters") or {})
    unc = dict(BASE.get("uncertainties") or {})
    for n, v in zip(NAMES, x):
        lo, hi, kind = SPACE[n]
        val = float(lo + (hi - lo) * min(max(v, 0.0), 1.0))
        if kind == "p":
            params[n] = val
        else:
            unc[n] = val
    cfg["parameters"], cfg["uncertainties"] = params, unc
    return cfg
def simulate(x, seed=1, hh=20000):
    df = sim.run(config(x, hh), seed=seed).set_index("year")
    df["local_share"] = 100 * df.migrant_workers_local / df.migrant_workers
    for k in COMP:
        side = k.split("_")[0]
        df[f"share_{k}"] = 100 * df[f"{side}_disposable_income_{k.split('_')[1]}"] / df[f"{side}_disposable_income"]
    return df
def errors(df):
    out = {}
    for k, (obs, tol, kind) in OBS.items():
        for y, o in obs.items():
            t = tol * o if kind == "rel" else tol
            out[(k, y)] = (df.loc[y, k] - o) / t
    return out
def distance(x):
    try:
        e = np.array(list(errors(simulate(x)).values()))
    except Exception as ex:
        print("fail", ex, file=sys.stderr); return 1e6
    return float(np.mean(e ** 2) + 0.2 * np.max(np.abs(e)) ** 2)
def main() -> None:
    import cma  # the calibration extra

    x0 = []
    for n in NAMES:
        lo, hi, kind = SPACE[n]
        d = BASE["parameters"].get(n) if kind == "p" else None
        if d is None:
            from sim.inputs.registry import ALL_INPUTS
            d = ALL_INPUTS[n].default
        x0.append((d - lo) / (hi - lo))
    if len(sys.argv) > 1 and sys.argv[1]:
        x0 = json.load(open(sys.argv[1]))["x"]
    es = cma.CMAEvolutionStrategy(x0, 0.15, {"bounds": [0, 1], "popsize": 12, "maxfevals": int(sys.argv[2]) if len(sys.argv) > 2 else 600, "seed": 3})
    best = (1e9, None)
    with mp.Pool(2) as pool:
        while not es.stop():
            xs = es.ask()
            fs = pool.map(distance, xs)
            es.tell(xs, fs)
            i = int(np.argmin(fs))
            if fs[i] < best[0]:
                best = (fs[i], list(map(float, xs[i])))
                json.dump({"f": best[0], "x": best[1], "named": {n: SPACE[n][0] + (SPACE[n][1]-SPACE[n][0]) * min(max(v,0),1) for n, v in zip(NAMES, best[1])}}, OUT.open("w"), indent=1)
            print(time.strftime("%H:%M:%S"), es.countevals, f"best {best[0]:.3f} gen-median {np.median(fs):.3f}", flush=True)


if __name__ == "__main__":
    main()
