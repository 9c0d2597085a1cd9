"""Progress of an ensemble on stderr: a bar over runs when stderr is a terminal."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """Counts finished runs (and failures) out of the plan; silent when disabled."""

    def __init__(self, total: int, done: int, enabled: bool):
        self.failed = 0
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="run", desc="runs", file=sys.stderr, dynamic_ncols=True)

    def finished(self, record: dict[str, Any]) -> None:
        if self.bar is None:
            return
        self.bar.update(1)
        if record["status"] != "ok":
            self.failed += 1
            self.bar.set_postfix(failed=self.failed)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
