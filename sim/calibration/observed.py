"""Observed national series: the CSV format of `sim/data/observed/` and of a user's own file (`--observed`).

Columns: series, year, value, unit, verified, source. `year` is a calendar year (a value at the end of the year,
as the model reports it) or ``YYYYH1`` (end of June: drawn half a year before the year's end, never fitted).
`verified` is free text read by its start: "yes", "verified", "derived ..." (arithmetic on verified figures) count
as verified; "no", "memory ...", anything saying "unverified" as unverified (weighted less when fitting).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .csv_rows import number, read_rows, shown
from .errors import InputFileError

OBSERVED_DIR = Path(__file__).resolve().parents[1] / "data" / "observed"
COLUMNS = ("series", "year", "value", "unit", "verified", "source")
_YEAR = re.compile(r"^(\d{4})(H1)?$")
YEAR_RANGE = (1949, 2100)


def is_verified(text: str) -> bool | None:
    """True (verified), False (unverified) or None (not understood) for the `verified` column."""
    t = text.strip().lower()
    if "unverified" in t or t.startswith(("no", "memory")):
        return False
    if t.startswith(("yes", "verified", "derived")):
        return True
    return None


def read_observed(path: Path | str) -> pd.DataFrame:
    """The points of one observed-data CSV, checked; InputFileError (``file:LINE: message``) if malformed.

    Columns of the result: series, year (int), mid_year (bool: end of June), x (year on a plot's axis: the end
    of June is half a year before the end of the year), value, unit, verified (bool), source, file, line.
    """
    path = Path(path)
    where = shown(path)
    rows, seen = [], {}
    for line, row in read_rows(path, COLUMNS):
        at = f"{where}:{line}"
        series = row["series"]
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", series):
            raise InputFileError([f"{at}: series: expected a name of letters, digits and _, got {series!r}"])
        m = _YEAR.match(row["year"])
        if not m or not YEAR_RANGE[0] <= int(m.group(1)) <= YEAR_RANGE[1]:
            raise InputFileError([f"{at}: year: expected a year such as 2016 (or 2016H1 for end of June), got "
                                  f"{row['year']!r}"])
        year, mid = int(m.group(1)), bool(m.group(2))
        value = number(row["value"], "value", at)
        verified = is_verified(row["verified"])
        if verified is None:
            raise InputFileError([f"{at}: verified: expected yes, no, verified, derived ... or unverified, got "
                                  f"{row['verified']!r}"])
        key = (series, row["year"])
        if key in seen:
            raise InputFileError([f"{at}: {series} {row['year']} is already given on line {seen[key]}"])
        seen[key] = line
        rows.append({"series": series, "year": year, "mid_year": mid, "x": year - 0.5 if mid else float(year),
                     "value": value, "unit": row["unit"], "verified": verified, "source": row["source"],
                     "file": path.name, "line": line})
    if not rows:
        raise InputFileError([f"{where}:2: no data rows"])
    return pd.DataFrame(rows)
