"""`run.py` with faults injected into chosen runs, for tests that need a failing, dying or hanging run in a real
command (exit codes, Ctrl-C, Dask workers that die, resume after a crash), or with a given amount of available
memory (the memory guard).

    python tests/fault_run.py --fault integrated:1:raise --fault baseline:*:exit -- <run.py arguments>
    python tests/fault_run.py --memory-available 1.5 -- <run.py arguments>      # GB

Production code has no fault hooks: this script calls run.py's `main` with a `run_fn` that wraps the model and
misbehaves for the named runs (`raise` an exception, `exit` the process with os._exit(70) like a kill, `hang` for
an hour so that a Ctrl-C always finds a run in progress). A replicate is `*` or its index; the run function
knows a run by its scenario name and seed, and finds the replicate index from the scenario's seeds.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("raise", "exit", "hang")


@dataclass(frozen=True)
class FaultyRun:
    """A run function: the model, except for the runs named in `faults` ({(scenario, replicate or '*'): kind})."""

    faults: tuple[tuple[str, str, str], ...]

    def __call__(self, config, seed):
        import sim
        from sim.ensemble import derive_seeds

        seeds = derive_seeds(config["seeds"]["root"], config["seeds"]["replicates"])
        replicate = str(seeds.index(seed))
        for scenario, which, kind in self.faults:
            if scenario == config["name"] and which in ("*", replicate):
                if kind == "exit":
                    os._exit(70)
                if kind == "hang":
                    time.sleep(3600)
                raise RuntimeError(f"fault injected for {scenario}:{replicate}")
        return sim.run(config, seed)


def parse(args: list[str]) -> tuple[tuple[tuple[str, str, str], ...], float | None, list[str]]:
    """(faults, available GB, run.py arguments) from ``--fault scenario:replicate[:kind] ... --memory-available GB
    -- run.py arguments``."""
    faults, memory = [], None
    while args and args[0] in ("--fault", "--memory-available"):
        if args[0] == "--memory-available":
            memory = float(args[1])
        else:
            scenario, which, *kind = args[1].split(":")
            faults.append((scenario, which, kind[0] if kind else "raise"))
            assert faults[-1][2] in KINDS, args[1]
        args = args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    return tuple(faults), memory, args


def main() -> int:
    faults, memory, argv = parse(sys.argv[1:])
    sys.path.insert(0, str(ROOT))
    if memory is not None:
        import sim.ensemble.memory

        sim.ensemble.memory.available_bytes = lambda: int(memory * 1e9)
    spec = importlib.util.spec_from_file_location("chengxiang_run", ROOT / "run.py")
    run_py = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_py)
    return run_py.main(argv, run_fn=FaultyRun(faults))


if __name__ == "__main__":
    sys.exit(main())
