"""Memory guard: refuse, before starting, an ensemble whose runs at once would not fit in the available memory.

A run's peak memory grows linearly with its households. Measured on this project's machine (peak resident set,
`VmHWM` of /proc/self/status, of a process that imports the model and runs one scenario to 2050): 0.30 GB at 1 000
households, 0.48 GB at 100 000, 2.0 GB at 1 000 000 with the defaults and 1.9 GB with the integrated scenario,
that is about 0.31 GB fixed plus 1.7 kB per household. The estimate uses 0.35 GB + 1.8 kB per household; Dask
workers run one run each at once, so the estimate is multiplied by the runs in flight.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import EnsembleError
from .plan import Prepared

FIXED_BYTES = 0.35e9
BYTES_PER_HOUSEHOLD = 1.8e3


def run_bytes(households: int) -> float:
    """Estimated peak memory of one run of `households` households (bytes)."""
    return FIXED_BYTES + BYTES_PER_HOUSEHOLD * households


def available_bytes() -> int | None:
    """MemAvailable of /proc/meminfo (bytes), or None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_memory(prepared: Sequence[Prepared], at_once: int, available: int | None = None) -> None:
    """EnsembleError (one line, naming the overrides) if `at_once` runs of the largest scenario would not fit."""
    available = available_bytes() if available is None else available
    if available is None or not prepared or at_once < 1:
        return
    households = max(int(p.config["world"]["households"]) for p in prepared)
    each = run_bytes(households)
    need = each * at_once
    if need <= available:
        return
    gb = 1e9
    runs = f"{at_once} runs at once" if at_once > 1 else "one run"
    hint = "--workers 1, " if at_once > 1 else ""
    raise EnsembleError(f"not enough memory: {runs} of {households:,} households need about {need / gb:.1f} GB "
                        f"({each / gb:.1f} GB each) and {available / gb:.1f} GB is available; use {hint}fewer "
                        "--households, or --force to start anyway")
