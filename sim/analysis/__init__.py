"""Sensitivity and robustness analysis over the declared inputs (docs/analysis.md).

    python run.py sensitivity --method morris --trajectories 10       # which inputs drive each outcome
    python run.py robustness scenarios/*.yaml --states 100 --satisfice 'urban_rural_income_ratio<2.0@2035'

Modules: `inputs` (which inputs, over which ranges), `configs` (how a sampled value enters a run), `outcomes`
(metrics and years), `thresholds` (satisficing thresholds, goals), `seeds` (named child streams), `design` (SALib
samplers), `runner` (points x replicates on the ensemble engines, samples.parquet, resume), `folder` (the results
folder), `sensitivity` (Morris and Sobol' indices, SALib), `robustness` (states of the world, regret,
satisficing), `prim` (scenario discovery, EMA Workbench), `plots`, `cli` (`run.py sensitivity`, `run.py
robustness`). SALib and the EMA Workbench come with the `analysis` extra and are imported only where used.
"""
