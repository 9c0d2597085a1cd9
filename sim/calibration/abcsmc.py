"""ABC-SMC with pyabc: the calibration problem (targets, priors, simulator, distance), its settings, starting a
run, continuing one from its database, and the posterior sample of the last generation.

    problem = Problem.build(settings)                     # reads and checks the inputs
    history = run_abc(problem, settings, "DIR/abc.db")    # new, or continued when the database has the run

pyabc keeps every generation in an SQLite database (`abc.db`); an interrupted calibration continues from its last
complete generation (`ABCSMC.load`). The epsilon schedule is pyabc's quantile epsilon (the median of the previous
generation's distances by default), the perturbation kernel its multivariate normal with Silverman's bandwidth
widened 3 times (`kernel_scaling`): with 10-20 parameters, pyabc's default kernel makes the importance weights
degenerate (on a 17-parameter linear test problem with 200 particles the effective sample size fell to 3-14 by the
third generation; with scaling 3 it stayed at 94-127, for about twice the evaluations per generation).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .distance import StandardizedDistance
from .priors import PARAMETERS_FILE, Prior, read_priors
from .simulator import RunFn, Simulator, calibration_config, model_seeds, run_model
from .targets import LAST_FIT_YEAR, TARGETS_FILE, TargetSpec, fit_points, read_targets

SCENARIO_FILE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
RUN_ID = 1  # one ABC-SMC run per database


@dataclass(frozen=True)
class Settings:
    """Method settings (recorded in the manifest and the provenance; `--resume` reuses them)."""

    population: int = 200  # particles per generation
    generations: int = 12  # at most this many generations
    budget: int = 7000  # at most this many counted model evaluations (each runs `model_seeds` simulations)
    min_acceptance: float = 0.01  # stop when a generation accepts fewer
    min_epsilon: float = 0.0  # stop when epsilon falls to this (0: budget and generations decide)
    quantile: float = 0.5  # next epsilon = this quantile of the last generation's weighted distances
    kernel_scaling: float = 3.0  # perturbation kernel covariance = this x Silverman's (wider: healthier weights)
    model_seeds: int = 2  # common random numbers: model seeds averaged in every evaluation
    households: int = 40000  # household agents of each simulation
    unverified_weight: float = 0.5  # weight of an unverified observed point (a verified one weighs 1)
    seed: int = 20130101  # root of the evaluation seeds and of the model seeds
    last_year: int = LAST_FIT_YEAR  # last simulated and fitted year (never after 2018)
    targets: str = str(TARGETS_FILE)
    parameters: str = str(PARAMETERS_FILE)
    scenario: str = str(SCENARIO_FILE)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Settings":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


FULL = Settings()
QUICK = Settings(population=40, generations=4, budget=500, households=3000, min_acceptance=0.02)
"""`--quick`: a few hundred evaluations of a small model (minutes), to check the machinery, not to estimate."""


@dataclass
class Problem:
    """The calibration problem built from the settings' input files."""

    spec: TargetSpec
    points: pd.DataFrame  # targets.fit_points
    priors: tuple[Prior, ...]
    simulator: Simulator
    distance: StandardizedDistance
    observed: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, run_fn: RunFn = run_model) -> "Problem":
        """Read and check every input (InputFileError / ScenarioError on bad input, before anything is written)."""
        if settings.last_year > LAST_FIT_YEAR:
            raise ValueError(f"last_year {settings.last_year} is after {LAST_FIT_YEAR}: never fitted")
        spec = read_targets(settings.targets)
        priors = read_priors(settings.parameters)
        config = calibration_config(settings.scenario, settings.households, settings.last_year, priors)
        points = fit_points(spec, int(config["time"]["start_year"]), settings.unverified_weight)
        points = points[points["year"] <= settings.last_year].reset_index(drop=True)
        simulator = Simulator(config, model_seeds(settings.seed, settings.model_seeds),
                              tuple(zip(points["id"], points["metric"], points["year"].astype(int))), priors, run_fn)
        distance = StandardizedDistance(points)
        return cls(spec, points, priors, simulator, distance, distance.observed(points))


def make_abc(problem: Problem, settings: Settings, sampler):
    """The pyabc.ABCSMC object of the problem."""
    import pyabc

    from .priors import pyabc_prior

    return pyabc.ABCSMC(
        pyabc.FunctionModel(problem.simulator, name="chengxiang"),
        pyabc_prior(problem.priors),
        pyabc.distance.FunctionDistance(problem.distance),
        population_size=settings.population,
        transitions=pyabc.MultivariateNormalTransition(scaling=settings.kernel_scaling),
        eps=pyabc.QuantileEpsilon(alpha=settings.quantile),
        sampler=sampler,
    )


def db_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def history_state(db: Path | str) -> dict[str, Any] | None:
    """What the database holds: generations done, counted evaluations, last epsilon and acceptance rate (None if
    there is no run yet)."""
    import pyabc

    if not Path(db).is_file():
        return None
    history = pyabc.History(db_url(db), _id=RUN_ID)
    try:
        pops = history.get_all_populations()
    except Exception:  # a database created but without the run's tables
        return None
    pops = pops[pops["t"] >= 0]
    if pops.empty:
        return {"generations": 0, "evaluations": 0, "epsilon": None, "acceptance": None}
    last = pops.iloc[-1]
    return {"generations": int(len(pops)), "evaluations": int(pops["samples"].sum()),
            "epsilon": float(last["epsilon"]), "acceptance": float(last["particles"] / last["samples"]),
            "epsilons": [float(e) for e in pops["epsilon"]], "samples": [int(s) for s in pops["samples"]]}


def finished(state: dict[str, Any] | None, settings: Settings) -> bool:
    """True when the stored run has met a stopping criterion (so `--resume` goes straight to the report)."""
    if not state or state["generations"] == 0:
        return False
    return (state["generations"] >= settings.generations or state["evaluations"] >= settings.budget
            or state["acceptance"] < settings.min_acceptance or state["epsilon"] <= settings.min_epsilon)


def run_abc(problem: Problem, settings: Settings, db: Path | str, sampler) -> Any:
    """Run (or continue, when `db` holds the run) ABC-SMC until a stopping criterion; returns the pyabc History."""
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)  # progress comes from the sampler's callback
    abc = make_abc(problem, settings, sampler)
    state = history_state(db)
    if state is None:
        abc.new(db_url(db), problem.observed)
        done = 0
    else:
        abc.load(db_url(db), RUN_ID)
        done = state["generations"]
        if finished(state, settings):
            return abc.history
    remaining = settings.generations - done
    return abc.run(minimum_epsilon=settings.min_epsilon, max_nr_populations=remaining,
                   min_acceptance_rate=settings.min_acceptance, max_total_nr_simulations=settings.budget)


def posterior_sample(db: Path | str, priors: tuple[Prior, ...]) -> pd.DataFrame:
    """The last generation as a table: one row per particle, each calibrated parameter in model units, `weight`
    (normalized) and `distance`."""
    import pyabc

    history = pyabc.History(db_url(db), _id=RUN_ID)
    t = history.max_t
    if t < 0:
        raise ValueError(f"{db}: no generation finished yet")
    particles = history.get_population(t=t).particles  # in the order they were accepted
    out = pd.DataFrame({p.name: [p.to_model(float(q.parameter[p.name])) for q in particles] for p in priors})
    weights = pd.Series([float(q.weight) for q in particles])
    out["weight"] = (weights / weights.sum()).to_numpy()
    out["distance"] = [float(q.distance) for q in particles]
    out["generation"] = int(t)
    return out


def quick(settings: Settings = QUICK, **changes: Any) -> Settings:
    return replace(settings, **changes)
