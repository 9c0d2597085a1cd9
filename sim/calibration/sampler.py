"""A deterministic pyabc sampler: the same root seed gives the same posterior, serially or on Dask, with any
number of workers, and after an interruption and `--resume`.

pyabc's own parallel samplers reseed every worker from the operating system's entropy and accept particles in the
order they finish, so two runs differ. Here evaluation i of generation t is seeded from (root, t, i) and particles
are accepted in index order: the first n accepted indices form the population whatever the batch sizes, the
worker count or the finishing order; evaluations after the n-th acceptance (the end of the last batch) are
discarded and not counted, as if evaluations had run one at a time. Batches are mapped serially or with
`distributed.Client.map`.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler import Sampler

MapBatch = Callable[[bytes, Sequence[int]], list]
"""(pickled simulate_one, evaluation seeds) -> the particle of each seed, in order."""


def evaluation_seed(root: int, t: int, prior_sample: bool, index: int) -> int:
    """Seed of evaluation `index` of generation `t` (the prior sample before generation 0 has its own)."""
    state = np.random.SeedSequence([int(root), 1 if prior_sample else 0, int(t) + 1, int(index)])
    return int(state.generate_state(1)[0])


_unpickled: dict[str, Any] = {"payload": None, "function": None}


def _simulate_function(payload: bytes) -> Callable[[], Any]:
    """The pickled simulate_one, unpickled once per generation and process (it carries the population and the
    scenario config: unpickling it for every evaluation would cost more than a small model run)."""
    if _unpickled["payload"] != payload:
        _unpickled.update(payload=payload, function=cloudpickle.loads(payload))
    return _unpickled["function"]


def evaluate(payload: bytes, seed: int) -> Any:
    """One pyabc evaluation (draw parameters, simulate, accept or not) with the global generators seeded; the
    caller's generator states are restored afterwards (in a serial run this is the main process)."""
    simulate_one = _simulate_function(payload)
    np_state, py_state = np.random.get_state(), random.getstate()
    np.random.seed(seed)
    random.seed(seed)
    try:
        return simulate_one()
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)


def serial_map(payload: bytes, seeds: Sequence[int]) -> list:
    return [evaluate(payload, s) for s in seeds]


class DaskMap:
    """Batches as one Dask task per evaluation on `client` (the pickled function is sent to workers once)."""

    def __init__(self, client: Any):
        self.client = client

    @property
    def workers(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def __call__(self, payload: bytes, seeds: Sequence[int]) -> list:
        shared = self.client.scatter(payload, broadcast=True, hash=False)  # a fresh key per batch
        futures = self.client.map(evaluate, [shared] * len(seeds), list(seeds), pure=False, retries=0)
        try:
            return self.client.gather(futures)
        finally:
            self.client.cancel(futures)


class SeededSampler(Sampler):
    """pyabc Sampler with evaluation seeds from (root, generation, index) and acceptance in index order.

    `on_generation(t, accepted, counted, evaluated, seconds, epsilon)` is called after each generation (progress);
    `evaluations_run` counts every evaluation including the discarded ones (for runtime accounting)."""

    def __init__(self, root: int, map_batch: MapBatch = serial_map, min_batch: int = 8,
                 on_generation: Callable[..., None] | None = None):
        super().__init__()
        self.root = int(root)
        self.map_batch = map_batch
        self.min_batch = int(min_batch)
        self.on_generation = on_generation
        self.evaluations_run = 0

    def _batch_size(self, n: int, accepted: int, counted: int, max_eval: float) -> int:
        if counted == 0:
            size = n
        else:  # enough for the remaining acceptances at the rate seen so far, plus a margin
            rate = max(accepted / counted, 1.0 / (10 * n))
            size = math.ceil(1.2 * (n - accepted) / rate)
        size = min(max(size, self.min_batch), 4 * n)
        return int(max(1, min(size, max_eval - counted))) if math.isfinite(max_eval) else int(size)

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        started = time.perf_counter()
        payload = cloudpickle.dumps(simulate_one)
        sample = self._create_empty_sample()
        accepted = counted = 0
        while accepted < n and counted < max_eval:
            size = self._batch_size(n, accepted, counted, max_eval)
            seeds = [evaluation_seed(self.root, t, all_accepted, counted + k) for k in range(size)]
            particles = self.map_batch(payload, seeds)
            self.evaluations_run += len(particles)
            for particle in particles:  # in index order; stop at the n-th acceptance
                counted += 1
                sample.append(particle)
                if particle.accepted:
                    accepted += 1
                    if accepted == n:
                        break
                if counted >= max_eval:
                    break
        self.nr_evaluations_ = counted
        if accepted < n:
            sample.ok = False
        if self.on_generation is not None:
            eps = None
            if ana_vars is not None and not all_accepted:
                try:
                    eps = float(ana_vars.eps(t))
                except Exception:  # the progress line goes without it
                    eps = None
            self.on_generation(t, accepted, counted, all_accepted, time.perf_counter() - started, eps)
        return sample
