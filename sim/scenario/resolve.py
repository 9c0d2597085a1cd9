"""`extends`: read a scenario file and the chain of files it builds on, and merge them into one mapping.

The child's sections merge key by key over the parent's; a dated schedule in the child takes over from its first
date, the parent's values holding before it (`Schedule.over`); `name` and `description` are per file. Every
value keeps the file and line it came from, so validation errors point into the right file. Problems are
collected, never raised.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import re
from pathlib import Path
from typing import Any

from ..inputs.schedule import Schedule
from . import yaml_reader
from .fields import YEAR_MAX, YEAR_MIN, integral
from .messages import Problems, dotted
from .schema import INPUT_SECTIONS, VALUE_SECTIONS, Time

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCENARIO_DIR = PROJECT_DIR / "scenarios"
MAX_EXTENDS = 16
SECTIONS = ("world", "time", "seeds", *INPUT_SECTIONS)
PER_FILE_KEYS = ("name", "description", "extends")


class Resolved:
    """Merged scenario data, the (file, line) of every location, and the file's own top-level position."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.lines: dict[tuple, tuple[str, int]] = {}
        self.root: tuple[str, int] = ("", 1)


def display_path(path: Path, absolute: bool = False) -> str:
    """How a file found through `extends` is named in messages: like the path the user gave (absolute or not)."""
    if absolute:
        return os.path.normpath(os.path.abspath(path))
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith(".." + os.sep + "..") else str(path)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


SUFFIXES = (".yaml", ".yml")


def _find_parent(ref: str, here: Path) -> Path | None:
    """The scenario file `extends: ref` names: only .yaml/.yml files are scenario files (so no other file is read,
    and none has its content echoed in an error)."""
    path = Path(ref)
    names = [ref] if path.suffix in SUFFIXES else [ref + suffix for suffix in SUFFIXES]
    bases = [here.parent, SCENARIO_DIR] if not path.is_absolute() else [Path("/")]
    for base in bases:
        for name in names:
            candidate = base / name
            if _is_file(candidate):
                return candidate
    return None


def extended_file(path: str | Path) -> Path | None:
    """The file a scenario file names in `extends` (None if it extends nothing or it cannot be found)."""
    try:
        data = yaml_reader.read(Path(path)).data
    except yaml_reader.ReadFailure:
        return None
    ref = data.get("extends") if isinstance(data, dict) else None
    return _find_parent(ref, Path(path)) if isinstance(ref, str) and ref.strip() else None


def _parent_suggestions(ref: str, here: Path) -> list[str]:
    names: set[str] = set()
    for base in (here.parent, SCENARIO_DIR):
        try:
            names.update(p.stem for p in base.glob("*.y*ml"))
        except OSError:
            pass
    return difflib.get_close_matches(Path(ref).stem, sorted(names), n=1, cutoff=0.6)


def default_name(path: Path) -> str:
    """A scenario's name when its file gives none: the file name, made a valid name."""
    name = re.sub(r"[^A-Za-z0-9_.\-]", "_", path.stem).lstrip("._-")[:64]
    return name or "scenario"


def resolve(path: Path, display: str, chain: list[Path], problems: Problems, files: list[str]) -> Resolved | None:
    """Read `path`, resolve its `extends` chain, and merge; problems are collected, None if unreadable."""
    if display not in files:
        files.append(display)
    own = _read(path, display, problems)
    if own is None:
        return None
    parent = None
    ref = own.data.pop("extends", None)
    if ref is not None:
        parent = _resolve_parent(ref, path, display, own, chain, problems, files)
    merged = _merge(parent, own) if parent is not None else own
    _check_own_schedules(own, merged, problems)
    merged.data["name"] = own.data["name"] if "name" in own.data else default_name(path)
    merged.data["description"] = own.data.get("description", "")
    for key in ("name", "description"):
        where = own.lines.get((key,))
        merged.lines.pop((key,), None)
        if where is not None:
            merged.lines[(key,)] = where
    merged.root = own.root
    return merged


def _read(path: Path, display: str, problems: Problems) -> Resolved | None:
    """The file's own content with lines; None (and a problem) if it is not a YAML mapping."""
    try:
        doc = yaml_reader.read(path)
    except yaml_reader.ReadFailure as exc:
        problems.add(display, exc.line, "", exc.message)
        return None
    for prob in doc.problems:
        problems.add(display, prob.line, dotted(prob.loc), prob.message)
    problems.locs.extend(doc.bad_locs)
    if doc.data is None:
        problems.add(display, None, "", "file is empty; a scenario is a YAML mapping "
                                        "(name, description, extends, world, time, seeds, uncertainties, levers, "
                                        "parameters)")
        return None
    if not isinstance(doc.data, dict):
        # the kind only, not the content: this may be any file that is not a scenario
        problems.add(display, doc.root_line, "", f"top level must be a mapping of keys (name, description, "
                                                 f"world, ...), found {yaml_reader.kind(doc.data, content=False)}")
        return None
    own = Resolved()
    own.root = (display, doc.root_line)
    own.data = doc.data
    own.lines = {loc: (display, line) for loc, line in doc.lines.items()}
    _absolute_table_paths(own.data, path)
    return own


def _resolve_parent(ref: Any, path: Path, display: str, own: Resolved, chain: list[Path], problems: Problems,
                    files: list[str]) -> Resolved | None:
    line = own.lines.get(("extends",), (display, None))[1]
    if not isinstance(ref, str) or not ref.strip():
        problems.add(display, line, "extends", f"expected the name or path of a scenario, got "
                                               f"{yaml_reader.kind(ref)}")
        return None
    found = _find_parent(ref, path)
    if found is None and Path(ref).suffix not in SUFFIXES and _is_file(path.parent / ref):
        problems.add(display, line, "extends", f"{yaml_reader.short(ref)} is not a scenario file (scenario files "
                                               f"end in {' or '.join(SUFFIXES)})")
        return None
    if found is None:
        hint = _parent_suggestions(ref, path)
        problems.add(display, line, "extends",
                     f"no scenario {yaml_reader.short(ref)} next to this file or in {display_path(SCENARIO_DIR)}/"
                     + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        return None
    real = found.resolve()
    if real in chain:
        cycle = " -> ".join(display_path(p, problems.absolute) for p in [*chain[chain.index(real):], real])
        problems.add(display, line, "extends", f"cycle: {cycle}")
        return None
    if len(chain) >= MAX_EXTENDS:
        problems.add(display, line, "extends", f"more than {MAX_EXTENDS} files in the extends chain")
        return None
    before = len(problems.items)
    shown = display_path(found, problems.absolute)
    parent = resolve(found, shown, [*chain, real], problems, files)
    if parent is None or len(problems.items) > before:
        problems.add(display, line, "extends", f"the extended scenario {yaml_reader.short(ref)} "
                                               f"has errors (listed under {shown})")
    return parent


def _absolute_table_paths(data: dict, path: Path) -> None:
    """Table paths in a file are relative to that file: make them absolute before files are merged."""
    world = data.get("world")
    if isinstance(world, dict):
        for key in ("counties_csv", "cities_csv"):
            value = world.get(key)
            if isinstance(value, str) and value:
                try:
                    world[key] = str((path.parent / value).resolve())
                except (OSError, ValueError):
                    world[key] = str(path.parent / value)


# ----------------------------------------------------------------------------------------------- merging
def _drop(lines: dict, prefix: tuple) -> None:
    n = len(prefix)
    for loc in [loc for loc in lines if loc[:n] == prefix]:
        del lines[loc]


def _copy(src: dict, dst: dict, prefix: tuple) -> None:
    n = len(prefix)
    for loc, where in src.items():
        if loc[:n] == prefix:
            dst[loc] = where


def _year_in_bounds(value: Any) -> int | None:
    y = integral(value)
    if isinstance(y, int) and not isinstance(y, bool) and YEAR_MIN <= y <= YEAR_MAX:
        return y
    return None


def _start_year(*datas: dict) -> int:
    for data in datas:
        time = data.get("time")
        if isinstance(time, dict):
            y = _year_in_bounds(time.get("start_year"))
            if y is not None:
                return y
    return Time().start_year


def _end_year(data: dict) -> int | None:
    time = data.get("time")
    y = integral(time.get("end_year")) if isinstance(time, dict) else Time().end_year
    if isinstance(y, int) and not isinstance(y, bool):
        return y
    return None


def _merge(parent: Resolved, child: Resolved) -> Resolved:
    """`child` over `parent`: sections merge key by key; a dated schedule takes over from its first year."""
    out = Resolved()
    out.data = {k: copy.deepcopy(v) for k, v in parent.data.items() if k not in PER_FILE_KEYS}
    out.lines = {loc: w for loc, w in parent.lines.items() if loc[0] not in PER_FILE_KEYS}
    start = _start_year(child.data, parent.data)
    for key, value in child.data.items():
        if key in SECTIONS and value is None:  # an empty section sets nothing
            continue
        base = out.data.get(key)
        if key in SECTIONS and isinstance(value, dict) and isinstance(base, dict):
            merged = dict(base)
            for sub, subvalue in value.items():
                loc = (key, sub)
                spliced = None
                if key in VALUE_SECTIONS and sub in VALUE_SECTIONS[key]:
                    spliced = _splice(base.get(sub), subvalue, VALUE_SECTIONS[key][sub].default, start)
                if spliced is None:
                    merged[sub] = copy.deepcopy(subvalue)
                    _drop(out.lines, loc)
                    _copy(child.lines, out.lines, loc)
                    continue
                merged[sub], kept_years = spliced
                kept = {y: out.lines.get(loc + ("values", y)) for y in kept_years}
                _drop(out.lines, loc)
                _copy(child.lines, out.lines, loc)
                own_line = child.lines.get(loc)
                for y in merged[sub]["values"]:
                    where = kept.get(y) or child.lines.get(loc + ("values", y)) or own_line
                    if where:
                        out.lines[loc + ("values", y)] = where
            out.data[key] = merged
            if (key,) in child.lines:
                out.lines[(key,)] = child.lines[(key,)]
        else:
            out.data[key] = copy.deepcopy(value)
            _drop(out.lines, (key,))
            _copy(child.lines, out.lines, (key,))
    return out


# ----------------------------------------------------------------------------------------------- splicing
def _number_ok(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _as_schedule(spec: Any, default: float) -> Schedule | None:
    """A well-formed dated schedule in raw file data, else None (validation reports what is wrong)."""
    if not isinstance(spec, dict) or not set(spec) <= {"values", "interpolation", "reference"}:
        return None
    values, interp, ref = spec.get("values"), spec.get("interpolation") or "step", spec.get("reference")
    if not isinstance(values, dict) or not values or interp not in ("step", "linear"):
        return None
    if ref is not None and not isinstance(ref, str):
        return None
    if not all(isinstance(y, int) and not isinstance(y, bool) and _number_ok(v) for y, v in values.items()):
        return None
    return Schedule.dated(values, interp, default, ref or "")


def _as_constant(spec: Any, default: float, start: int) -> Schedule | None:
    """A well-formed constant in raw file data as a one-point step schedule from the start year, else None."""
    if _number_ok(spec):
        value, ref = spec, None
    elif isinstance(spec, dict) and set(spec) <= {"value", "reference"} and _number_ok(spec.get("value")):
        value, ref = spec["value"], spec.get("reference")
        if ref is not None and not isinstance(ref, str):
            return None
    else:
        return None
    return Schedule.dated({start: value}, "step", default, ref or "")


def _splice(parent: Any, child: Any, default: float, start: int) -> tuple[dict, list[int]] | None:
    """A child schedule over a parent value: (merged spec, parent years kept), or None when the child simply
    replaces the parent (the child is a constant or null, the parent is unset, or either is malformed)."""
    own = _as_schedule(child, default)
    if own is None or parent is None:
        return None
    base = _as_schedule(parent, default) or _as_constant(parent, default, start)
    if base is None:
        return None
    merged = own.over(base)
    if merged is None:
        return None
    first = int(own.years[0])
    return merged.to_spec(), sorted(y for y in base.points if y < first)


def _check_own_schedules(own: Resolved, merged: Resolved, problems: Problems) -> None:
    """Dated values written in this file must lie inside this file's (resolved) run."""
    start, end = _start_year(merged.data), _end_year(merged.data)
    if end is None or end <= start:
        return
    for section in VALUE_SECTIONS:
        entries = own.data.get(section)
        if not isinstance(entries, dict):
            continue
        for name, spec in entries.items():
            values = spec.get("values") if isinstance(spec, dict) else None
            if not isinstance(values, dict):
                continue
            for year in values:
                if type(year) is int and YEAR_MIN <= year <= YEAR_MAX and not start <= year <= end:
                    loc = (section, name, "values", year)
                    file, line = own.lines.get(loc, own.root)
                    problems.add(file, line, dotted(loc), f"year {year} is outside the run "
                                                          f"({start}-{end}); dated values must lie inside it")
