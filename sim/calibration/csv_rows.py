"""Small CSV tables read row by row with their line numbers, so every problem is reported as ``file:LINE``."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

from .errors import InputFileError


def shown(path: Path | str) -> str:
    """A path as messages show it: relative to the working folder when it is inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_rows(path: Path | str, required: Sequence[str], optional: Sequence[str] = ()
              ) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of each data row; InputFileError for a missing file, header or column, a row with
    more or fewer fields than the header. Blank lines are skipped; cells are stripped."""
    path = Path(path)
    where = shown(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError([f"{where}:1: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError([f"{where}:1: cannot read: {exc}"]) from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputFileError([f"{where}:1: empty file (expected a header: {','.join(required)})"]) from None
    except csv.Error as exc:
        raise InputFileError([f"{where}:1: {exc}"]) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputFileError([f"{where}:1: missing column{'s' if len(missing) > 1 else ''} "
                              f"{', '.join(missing)} (expected {','.join(required)})"])
    unknown = [c for c in header if c not in (*required, *optional)]
    if unknown:
        raise InputFileError([f"{where}:1: unknown column {unknown[0]!r} (expected "
                              f"{','.join([*required, *optional])})"])
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputFileError([f"{where}:{reader.line_num}: {exc}"]) from None
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise InputFileError([f"{where}:{reader.line_num}: {len(cells)} fields, the header has "
                                  f"{len(header)} (a comma inside a value needs quotes)"])
        yield reader.line_num, {h: c.strip() for h, c in zip(header, cells)}


def number(text: str, what: str, where: str) -> float:
    """A finite number, or InputFileError ``where: what: ...``."""
    try:
        value = float(text)
    except ValueError:
        raise InputFileError([f"{where}: {what}: expected a number, got {text!r}"]) from None
    if not math.isfinite(value):
        raise InputFileError([f"{where}: {what}: expected a finite number, got {text!r}"])
    return value
