"""The one error type of the analysis commands: bad input, reported as one line (exit 2) before anything is written."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class AnalysisError(ValueError):
    """Bad options or input of `run.py sensitivity` / `run.py robustness`: one line, exit status 2."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(name, sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def split_list(text: str, option: str) -> list[str]:
    """The names of a comma-separated option value, in order, without repeats; empty items are an error."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise AnalysisError(f"{option}: expected comma-separated names, got {text!r}")
    return list(dict.fromkeys(items))
