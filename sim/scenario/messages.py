"""Problems with a scenario as one line each: ``file:LINE: dotted.key: message`` (``<config>: key: message`` for a
Python dict), and `ScenarioError`, the one error type every entry point raises for a bad scenario.

Pydantic's validation errors are translated here into messages a user can act on: unknown keys get a
did-you-mean (or "this is a lever: put it under `levers:`"), out-of-range numbers name the input's range and
unit, quoted numbers and YAML 1.1 booleans are explained.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .fields import YEAR_MAX, YEAR_MIN
from .schema import INPUT_SECTIONS, Scenario
from .yaml_reader import kind, resolve_plain, short


class ScenarioError(ValueError):
    """A scenario (a file, a file it extends, or a Python dict) is not valid.

    `messages`: one ``file:LINE: key: message`` each (``<config>: key: message`` for a dict).
    """

    def __init__(self, messages: Iterable[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class Problems:
    """Problems keyed by file, each ``(file, line, dotted key, message)``."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int | None, str, str]] = []
        self.locs: list[tuple] = []  # locations with a YAML problem: skip validation errors under them
        self.absolute = False  # name extended files by absolute paths (the user gave an absolute path)

    def add(self, file: str, line: int | None, key: str, message: str) -> None:
        item = (file, line, key, message)
        if item not in self.items:
            self.items.append(item)

    def messages(self, order: list[str]) -> list[str]:
        rank = {f: i for i, f in enumerate(order)}
        items = sorted(self.items, key=lambda t: (rank.get(t[0], len(rank)), t[1] or 0))
        out = []
        for file, line, key, message in items:
            head = f"{file}:{line}:" if line else f"{file}:"
            out.append(f"{head} {key}: {message}" if key else f"{head} {message}")
        return out


def dotted(loc: Iterable) -> str:
    return ".".join(str(p) for p in loc)


# ----------------------------------------------------------------------------------------------- wording
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n", "true", "false"}
_SECTION_NOUN = {"levers": "a lever", "uncertainties": "an uncertainty", "parameters": "a model parameter"}


def _describe(value: Any) -> str:
    text = kind(value)
    if isinstance(value, str) and value.strip().lower() in _YAML11_BOOLS:
        text += " (YAML 1.1 would read it as a boolean; scenario files keep it as text)"
    elif isinstance(value, str):
        try:
            parsed = resolve_plain(value.strip())
        except ValueError:
            parsed = None
        if isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
            text += " (remove the quotes to make it a number)"
    return text


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: type[BaseModel] = Scenario
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        inner = _model_of(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _unknown_key(loc: tuple) -> str:
    key = loc[-1]
    parent = loc[:-1]
    model = _model_at(parent)
    allowed = [k for k in (model.model_fields if model else []) if k != "extends" or parent == ()]
    message = f"unknown key {short(key) if isinstance(key, str) else repr(key)}"
    if isinstance(key, str):
        for section, registry in INPUT_SECTIONS.items():
            if key in registry and parent != (section,):
                return message + f"; '{key}' is {_SECTION_NOUN[section]}: put it under `{section}:`"
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        if close:
            return message + f" (did you mean '{close[0]}'?)"
    if parent in ((), ("world",), ("time",), ("seeds",)) or (len(parent) == 2 and parent[0] in INPUT_SECTIONS):
        message += "; allowed: " + ", ".join(allowed)
    elif len(parent) == 1 and parent[0] in INPUT_SECTIONS:
        message += f"; see docs/scenarios.md for the {parent[0]}"
    return message


def _range_of(loc: tuple) -> str:
    if len(loc) >= 2 and loc[0] in INPUT_SECTIONS and loc[1] in INPUT_SECTIONS[loc[0]]:
        p = INPUT_SECTIONS[loc[0]][loc[1]]
        return f"{loc[1]} takes {p.low:g} to {p.high:g} ({p.unit})"
    return ""


def _message(err: Mapping[str, Any], loc: tuple) -> str:
    kind_, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    is_key = bool(err["loc"]) and err["loc"][-1] == "[key]"
    if is_key:
        return f"a year must be a whole number from {YEAR_MIN} to {YEAR_MAX}, got {_describe(loc[-1])}"
    if kind_ == "extra_forbidden":
        return _unknown_key(loc)
    if kind_ == "missing":
        return "required key is missing"
    if kind_ in ("float_type", "float_parsing"):
        return f"expected a number, got {_describe(value)}"
    if kind_ in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_describe(value)}"
    if kind_ == "string_type":
        return f"expected text, got {_describe(value)} (put quotes around it)"
    if kind_ == "finite_number":
        return f"expected a finite number, got {value!r} (.nan and .inf are not allowed)"
    if kind_ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}[kind_]
        limit = next(iter(ctx.values()), "?")
        extra = _range_of(loc)
        return f"{value!r} is out of range: " + (extra if extra else f"must be {bound} {limit}")
    if kind_ == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        text = f"must be one of {', '.join(repr(e) for e in expected)}, got {_describe(value)}"
        close = difflib.get_close_matches(str(value), expected, n=1, cutoff=0.5) if isinstance(value, str) else []
        return text + (f" (did you mean '{close[0]}'?)" if close else "")
    if kind_ in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping (key: value lines), got {_describe(value)}"
    if kind_ == "string_pattern_mismatch":
        return (f"{short(str(value))} is not a valid name: use 1-64 letters, digits, '_', '-' or '.', "
                "starting with a letter or digit (it names result files)")
    if kind_ == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return str(err["msg"])


def validation_problems(exc: ValidationError, data: Mapping[str, Any], lines: Mapping[tuple, tuple[str, int]],
                        root: tuple[str, int | None], problems: Problems) -> None:
    """Add one problem per pydantic error, at the line of the deepest key that has one (else at `root`)."""
    for err in exc.errors():
        raw_loc = tuple(err["loc"])
        loc = tuple(p for p in raw_loc if p != "[key]")
        if any(loc[: len(bad)] == bad for bad in problems.locs if bad):
            continue  # already reported by the YAML reader (e.g. an alias replaced by null)
        if err["type"] == "time_order":
            loc = loc + ("end_year",)
        # a plain number was wrapped as {value: number}: report it at the lever itself
        if len(loc) == 3 and loc[0] in INPUT_SECTIONS and loc[2] == "value":
            raw = data.get(loc[0], {})
            if isinstance(raw, Mapping) and not isinstance(raw.get(loc[1]), Mapping):
                loc = loc[:2]
        where = None
        for n in range(len(loc), 0, -1):
            where = lines.get(loc[:n])
            if where:
                break
        file, line = where or root
        problems.add(file, line, dotted(loc), _message(err, loc))
