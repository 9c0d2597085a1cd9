"""Calibration: the behavioural parameters estimated from the 2013-2018 national series by ABC-SMC (pyabc), and the
posterior that the model and its ensembles use by default once it is shipped. See docs/calibration.md.

Modules: `observed` (the observed-data CSV format), `targets` (series -> metric, unit factor, tolerance, weight;
never a year after 2018), `priors` (which parameters, their priors), `simulator` (the model with common random
numbers), `distance` (errors in tolerances), `sampler` (deterministic pyabc sampler, serial or Dask), `abcsmc`
(pyabc set-up, run, continue), `posterior` (the posterior sample: `draw`, `median`, the shipped one),
`provenance`, `report` and `figures` (fit table, coverage, identification, pair plot), `outputs` (the output
folder, shipping), `draws` (`--parameters posterior|point|defaults` for ensembles), `effects` (paired strategy
effects with intervals), `cli` (``run.py calibrate``).

Importing this package does not import pyabc (only `sampler`, `abcsmc` and the calibration command need it).
"""
