"""Named random streams: every random draw of a run comes from a child stream of its seed, one per process."""

from __future__ import annotations

import zlib

import numpy as np


class RandomStreams:
    """Named child generators of one seed, so switching a policy does not reshuffle unrelated processes.

    Stream `name` is ``default_rng(SeedSequence(seed, spawn_key=(crc32(name),)))``: the same in every process,
    whatever order the streams are first used in."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._streams:
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(zlib.crc32(name.encode()),))
            self._streams[name] = np.random.default_rng(seq)
        return self._streams[name]
