"""Named child streams of an analysis' seed: the design, the model runs, the bootstrap and the sampled states each
draw from their own stream, so changing one (more replicates, another resampling count) leaves the others alone.

Stream `name` of root seed `s` is ``SeedSequence(s, spawn_key=(crc32(name),))``, the scheme of the engine's
`RandomStreams`.
"""

from __future__ import annotations

import zlib

import numpy as np

DESIGN, MODEL, BOOTSTRAP, STATES, POSTERIOR = "design", "model", "bootstrap", "states", "posterior"


def stream(root: int, name: str) -> np.random.SeedSequence:
    return np.random.SeedSequence(entropy=int(root), spawn_key=(zlib.crc32(name.encode()),))


def child_seed(root: int, name: str) -> int:
    """One 32-bit integer seed of stream `name` (what SALib's samplers and analyzers take)."""
    return int(stream(root, name).generate_state(1)[0])


def model_seeds(root: int, replicates: int) -> list[int]:
    """The model seed of each replicate: every sample runs with these same seeds (common random numbers)."""
    return [int(c.generate_state(1)[0]) for c in stream(root, MODEL).spawn(int(replicates))]
