"""Progress of an ensemble on stderr.

- `bar` (stderr is a terminal): a bar over runs; after it, the runs in flight. For runs in this process (the
  serial engine) each shows the year it is simulating (the model reports every finished year); Dask tasks run in
  other processes that do not report back while they run, so for them the bar names the runs in flight only.
- `lines` (stderr is a file or a pipe): one line per finished run, with runs done / total, elapsed time and an
  estimate of the time left: ``[12/40] baseline r3 ok 4.1 s, elapsed 0:52, ~2:10 left``.
- `off`.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

MODES = ("off", "bar", "lines")


def clock(seconds: float) -> str:
    """``0:52``, ``1:02:03``."""
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class Progress:
    """Counts finished runs (and failures) out of the plan; told when runs start and, where known, their year."""

    def __init__(self, total: int, done: int, mode: str = "off", stream: TextIO | None = None):
        if mode not in MODES:
            raise ValueError(f"progress must be one of {MODES}, not {mode!r}")
        self.total, self.done, self.mode = total, done, mode
        self.stream = stream or sys.stderr
        self.started_at = time.monotonic()
        self.finished_here = 0
        self.failed = 0
        self.in_flight: dict[tuple[str, int], str] = {}
        self.bar = None
        if mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="run", desc="runs", file=self.stream,
                            dynamic_ncols=True)

    # ------------------------------------------------------------------ events
    def started(self, run: Any) -> None:
        self.in_flight[run.key] = ""
        self._show_in_flight()

    def year(self, run: Any, year: int) -> None:
        self.in_flight[run.key] = str(year)
        self._show_in_flight()

    def finished(self, record: dict[str, Any]) -> None:
        self.in_flight.pop((record["scenario"], int(record["replicate"])), None)
        self.done += 1
        self.finished_here += 1
        ok = record["status"] == "ok"
        self.failed += not ok
        if self.mode == "lines":
            self._line(record, ok)
        elif self.bar is not None:
            self.bar.update(1)
            self._show_in_flight()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    # ------------------------------------------------------------------ output
    def _show_in_flight(self) -> None:
        if self.bar is None:
            return
        running = ", ".join(f"{s} r{r}" + (f" {y}" if y else "") for (s, r), y in self.in_flight.items())
        fails = f"{self.failed} failed; " if self.failed else ""
        self.bar.set_postfix_str(f"{fails}running: {running}" if running else fails.rstrip("; "))

    def _line(self, record: dict[str, Any], ok: bool) -> None:
        elapsed = time.monotonic() - self.started_at
        left = self.total - self.done
        estimate = f", ~{clock(elapsed / self.finished_here * left)} left" if left else ""
        seconds = record.get("seconds")
        took = f" {seconds:.1f} s" if isinstance(seconds, (int, float)) else ""
        print(f"[{self.done}/{self.total}] {record['scenario']} r{record['replicate']} "
              f"{'ok' if ok else 'FAILED'}{took}, elapsed {clock(elapsed)}{estimate}", file=self.stream, flush=True)
