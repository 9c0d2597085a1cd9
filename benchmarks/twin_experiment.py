"""Twin experiment on the real model: data simulated from known parameters are calibrated again through the whole
machinery (target spec, observed-data reader, common-random-numbers simulator, distance, pyabc, the seeded sampler),
and the table says whether each true value lies in the posterior's 90 % interval and how much narrower than the
prior that interval is.

    python benchmarks/twin_experiment.py                                   # all calibrated parameters
    python benchmarks/twin_experiment.py --population 100 --households 2000 --budget 3000
    python benchmarks/twin_experiment.py --parameters-file my_subset.csv

The truth is the registry default of each calibrated parameter (inside every prior). The synthetic observations
are the model at the truth with a seed that is not among the calibration's common seeds, at the years, series,
units and verified flags of the shipped observed data (so the distance and its weights are those of the real
calibration). The result goes to --out (default: results/twin-<timestamp>/): twin.csv and the calibration folder.
Benchmark, not a test (the toy twin experiment in tests/test_calibration.py is the test).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def synthetic_observations(folder: Path, settings, truth: dict[str, float], seed: int) -> Path:
    """Observed CSVs of the model at `truth` (same files, series, years, units and flags as the shipped data) and
    a copy of the target spec next to them; returns the spec's path."""
    from sim.calibration.abcsmc import Problem
    from sim.calibration.targets import read_targets

    spec = read_targets(settings.targets)
    problem = Problem.build(settings)
    simulated = problem.simulator.run(truth, seed)
    by_series = {t.series: t for t in spec.targets}
    for name, data in spec.observed.items():
        rows = []
        for _, r in data.iterrows():
            t = by_series.get(r["series"])
            key = (t.metric, int(r["year"])) if t else None
            value = simulated.get(key) if key and not r["mid_year"] else None
            if value is None:
                continue
            rows.append({"series": r["series"], "year": int(r["year"]), "value": value / t.factor, "unit": r["unit"],
                         "verified": "yes" if r["verified"] else "no", "source": "twin experiment"})
        pd.DataFrame(rows).to_csv(folder / name, index=False)
    target = folder / "targets.csv"
    target.write_bytes(Path(settings.targets).read_bytes())
    return target


def main() -> None:
    from sim.calibration.abcsmc import FULL, Problem, history_state, posterior_sample, run_abc
    from sim.calibration.figures import pair_figure
    from sim.calibration.outputs import save
    from sim.calibration.posterior import Posterior
    from sim.calibration.priors import read_priors
    from sim.calibration.report import posterior_summary
    from sim.calibration.sampler import DaskMap, SeededSampler
    from sim.ensemble.engines import open_engine
    from sim.inputs.parameters import PARAMETERS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--population", type=int, default=100)
    p.add_argument("--generations", type=int, default=10)
    p.add_argument("--budget", type=int, default=3000)
    p.add_argument("--households", type=int, default=3000)
    p.add_argument("--parameters-file", default=FULL.parameters)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out")
    args = p.parse_args()
    out = Path(args.out or ROOT / "results" / f"twin-{_dt.datetime.now():%Y%m%d-%H%M%S}")
    (out / "data").mkdir(parents=True, exist_ok=False)
    settings = replace(FULL, population=args.population, generations=args.generations, budget=args.budget,
                       households=args.households, parameters=str(Path(args.parameters_file).resolve()))
    priors = read_priors(settings.parameters)
    truth = {q.name: PARAMETERS[q.name].default for q in priors}
    settings = replace(settings, targets=str(synthetic_observations(out / "data", settings, truth, seed=987654321)))
    problem = Problem.build(settings)
    started = time.perf_counter()
    with open_engine("dask", workers=args.workers) as engine:
        sampler = SeededSampler(settings.seed, DaskMap(engine.client), min_batch=2 * args.workers,
                                on_generation=lambda t, a, c, prior, s, eps: print(
                                    f"  {'prior' if prior else t}: eps {eps}, {a}/{c} in {s:.0f} s", flush=True))
        run_abc(problem, settings, out / "abc.db", sampler)
    minutes = (time.perf_counter() - started) / 60
    post = Posterior(posterior_sample(out / "abc.db", problem.priors), {})
    summary = posterior_summary(post, problem.priors)
    summary["truth"] = summary["parameter"].map(truth)
    summary["inside_90"] = (summary["p05"] <= summary["truth"]) & (summary["truth"] <= summary["p95"])
    summary.to_csv(out / "twin.csv", index=False)
    save(pair_figure(post, problem.priors, truth), out / "pairs.png")
    state = history_state(out / "abc.db")
    print(summary[["parameter", "truth", "p05", "median", "p95", "width_ratio", "inside_90"]].to_string(index=False))
    print(f"{int(summary['inside_90'].sum())} of {len(summary)} true values inside the 90 % interval; effective "
          f"sample size {post.effective_size:.1f} of {len(post.sample)}; {state['generations']} generations, "
          f"{state['evaluations']} evaluations, final epsilon {state['epsilon']:.3g}; {minutes:.1f} min -> {out}")


if __name__ == "__main__":
    main()
