"""A strict, small YAML reader for scenario files.

PyYAML's `safe_load` follows YAML 1.1 and has silent habits that must not reach the model: `no`/`yes`/`on`/`off`
become booleans, `1e3` stays a string, `2014-01-01` becomes a date, repeated keys keep the last value, and
aliases are shared objects that any recursive copy expands (an "alias bomb" takes minutes and gigabytes).

This reader builds plain Python data directly from PyYAML's *event stream* (no constructor, no composer):

- scalars resolve by the YAML 1.2 core schema: `null`/`~`/empty, `true`/`false`, integers (also `0x..`,
  `0o..`, `1_000`), floats (`1e3` is 1000.0, `.inf`, `.nan`); everything else, and every quoted scalar, is text.
  `yes`, `no`, `on`, `off` and dates stay text, so a typed field reports them instead of reinterpreting them;
- repeated keys, anchors and aliases (`&a`, `*a`), YAML tags (`!!python/...`), complex keys and more than one
  document are reported as problems, each with its line;
- limits keep hostile input fast and small: file size, number of nodes and nesting depth (parsing stops early);
- every mapping key and list item gets its 1-based line, keyed by its location tuple (`("levers", "x")`).

Only `ReadFailure` (the file cannot be read as YAML text at all) escapes; everything else is collected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1_000_000
"""Largest scenario file read (bytes). Real scenario files are a few kilobytes."""
MAX_NODES = 20_000
"""Largest number of YAML nodes (scalars, mappings, lists) in one file."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists. The scenario format needs 4."""
MAX_NUMBER_DIGITS = 100

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT_RE = re.compile(r"[-+]?[0-9](?:_?[0-9])*\Z")
_HEX_RE = re.compile(r"0x[0-9a-fA-F](?:_?[0-9a-fA-F])*\Z")
_OCT_RE = re.compile(r"0o[0-7](?:_?[0-7])*\Z")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9](?:_?[0-9])*(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF_RE = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN_RE = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_STYLES = (None, "")


class ReadFailure(Exception):
    """The file cannot be read as one YAML document at all. `line` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Problem:
    line: int | None
    loc: tuple
    message: str


@dataclass
class Document:
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    root_line: int = 1
    bad_locs: list[tuple] = field(default_factory=list)  # every location with a problem (before collapsing)


def resolve_plain(text: str) -> Any:
    """Value of a plain (unquoted) scalar under the YAML 1.2 core schema. Raises ValueError for huge numbers."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if len(text) > MAX_NUMBER_DIGITS and (_INT_RE.match(text) or _FLOAT_RE.match(text)):
        raise ValueError(f"number with more than {MAX_NUMBER_DIGITS} characters")
    if _INT_RE.match(text):
        return int(text.replace("_", ""))
    if _HEX_RE.match(text):
        return int(text[2:].replace("_", ""), 16)
    if _OCT_RE.match(text):
        return int(text[2:].replace("_", ""), 8)
    if _FLOAT_RE.match(text) and any(c.isdigit() for c in text):
        return float(text.replace("_", ""))
    if _INF_RE.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN_RE.match(text):
        return math.nan
    return text


def plain_text_is_safe(text: str) -> bool:
    """True if `text` written as a plain scalar would read back as the same text."""
    try:
        return resolve_plain(text) == text and isinstance(resolve_plain(text), str)
    except ValueError:
        return False


def read_bytes(path: Path) -> str:
    """The file's text, or ReadFailure for a missing path, a folder, a huge, binary or non-UTF-8 file."""
    try:
        if not path.exists():
            raise ReadFailure("no such file")
        if path.is_dir():
            raise ReadFailure("is a folder, not a scenario file")
        if not path.is_file():
            raise ReadFailure("not a regular file")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except ReadFailure:
        raise
    except (OSError, ValueError) as exc:
        raise ReadFailure(f"cannot read the file: {getattr(exc, 'strerror', None) or exc}") from None
    if len(raw) > MAX_BYTES:
        raise ReadFailure(f"file is larger than {MAX_BYTES // 1000} kB; a scenario file is a few kB of YAML text")
    if b"\x00" in raw:
        raise ReadFailure("not a text file (it contains NUL bytes); a scenario is a YAML text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReadFailure(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}); save the file as UTF-8", line
        ) from None
    return text


def _tab_lines(text: str) -> list[int]:
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            out.append(i)
    return out


def short(text: str, limit: int = 60) -> str:
    """`text` quoted for a message: control characters escaped, long text cut."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def kind(value: Any, content: bool = True) -> str:
    """How a value is named in a message: "a mapping", "a number (3)", "the text 'x'", ...

    `content=False` names the kind only ("text", "a number"): for a file that is not a scenario, whose content
    must not be echoed."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})" if content else "a boolean"
    if isinstance(value, (int, float)):
        return f"a number ({value!r})" if content else "a number"
    return f"the text {short(str(value))}" if content else "text"


class _Builder:
    """Turns the event stream into plain data, with lines and problems."""

    def __init__(self) -> None:
        self.doc = Document(data=None)
        self.stack: list[list] = []  # frames: [container, loc, pending_key (mappings), key_line, bad_key]
        self.nodes = 0
        self.documents = 0
        self.done = False

    def problem(self, line: int | None, loc: tuple, message: str) -> None:
        self.doc.problems.append(Problem(line, loc, message))

    def _check_node(self, event) -> int:
        line = event.start_mark.line + 1
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ReadFailure(f"more than {MAX_NODES} YAML nodes; a scenario file has a few hundred", line)
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, yaml.AliasEvent):
            self.problem(line, self._here(), f"anchors (&{anchor}) are not allowed in scenario files; "
                                             "write the values out (use `extends` to share a scenario)")
        return line

    def _here(self) -> tuple:
        """Location of the node about to be added."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        container, loc = frame[0], frame[1]
        if isinstance(container, dict):
            return loc if frame[2] is _NO_KEY or frame[2] is _BAD_KEY else loc + (frame[2],)
        return loc + (len(container),)

    def _add(self, value: Any, line: int, is_collection: bool = False) -> None:
        if not self.stack:
            self.doc.data = value
            self.doc.root_line = line
            return
        frame = self.stack[-1]
        container, loc = frame[0], frame[1]
        if isinstance(container, list):
            self.doc.lines[loc + (len(container),)] = line
            container.append(value)
            return
        if frame[2] is _NO_KEY:  # this node is a key
            if is_collection:
                self.problem(line, loc, "a mapping or list cannot be a key")
                frame[2], frame[3], frame[4] = _BAD_KEY, line, True
            elif value is None or isinstance(value, bool):
                self.problem(line, loc, f"{kind(value)} cannot be a key; keys are names or years")
                frame[2], frame[3], frame[4] = _BAD_KEY, line, True
            elif isinstance(value, float) and math.isnan(value):
                self.problem(line, loc, "'.nan' cannot be a key")
                frame[2], frame[3], frame[4] = _BAD_KEY, line, True
            else:
                frame[2], frame[3], frame[4] = value, line, False
            return
        key, key_line, bad = frame[2], frame[3], frame[4]
        frame[2] = _NO_KEY
        if bad:
            return
        if key in container:
            first = self.doc.lines.get(loc + (key,))
            where = f" (first at line {first})" if first else ""
            shown = short(key) if isinstance(key, str) else repr(key)
            self.problem(key_line, loc + (key,), f"repeated key {shown}{where}; each key may appear once")
            return
        container[key] = value
        self.doc.lines[loc + (key,)] = key_line

    def feed(self, event) -> None:
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            return
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.problem(event.start_mark.line + 1, (),
                             "more than one YAML document ('---'); a scenario file holds one mapping")
                self.done = True
            return
        if isinstance(event, yaml.AliasEvent):
            line = self._check_node(event)
            self.problem(line, self._here(), f"aliases (*{event.anchor}) are not allowed in scenario files; "
                                             "write the values out (use `extends` to share a scenario)")
            self._add(None, line)
            return
        if isinstance(event, yaml.ScalarEvent):
            line = self._check_node(event)
            value = self._scalar(event, line)
            self._add(value, line)
            return
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            line = self._check_node(event)
            self._tag(event, line, "map" if isinstance(event, yaml.MappingStartEvent) else "seq")
            if len(self.stack) >= MAX_DEPTH:
                raise ReadFailure(f"nesting deeper than {MAX_DEPTH} levels; the scenario format needs 4", line)
            container: dict | list = {} if isinstance(event, yaml.MappingStartEvent) else []
            loc = self._here()
            is_key = bool(self.stack) and isinstance(self.stack[-1][0], dict) and self.stack[-1][2] is _NO_KEY
            self._add(container, line, is_collection=True)
            if is_key:  # the key was replaced by _BAD_KEY; parse its content into a throwaway frame
                loc = self.stack[-1][1] + ("<key>",)
            self.stack.append([container, loc, _NO_KEY, None, False])
            return
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self.stack.pop()
            return

    def _tag(self, event, line: int, kind: str) -> None:
        tag = event.tag
        if tag is None or tag == "!" or tag == f"tag:yaml.org,2002:{kind}":
            return
        self.problem(line, self._here(), f"YAML tags ({tag}) are not allowed in scenario files")

    def _scalar(self, event, line: int) -> Any:
        tag = event.tag
        if tag is not None and tag not in ("!", _STR_TAG):
            self.problem(line, self._here(), f"YAML tags ({tag}) are not allowed in scenario files")
            return None
        if tag == _STR_TAG or event.style not in _PLAIN_STYLES:
            return event.value
        try:
            return resolve_plain(event.value)
        except ValueError as exc:
            self.problem(line, self._here(), str(exc))
            return None


_NO_KEY = object()
_BAD_KEY = object()


def parse(text: str) -> Document:
    """Plain data, line numbers and problems of one YAML document; ReadFailure if it cannot be parsed."""
    builder = _Builder()
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
            if builder.done:
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        tabs = _tab_lines(text)
        if tabs or "\\t" in (exc.problem or "") or "tab" in (exc.problem or ""):
            lines = tabs or ([line] if line else [])
            listing = ", ".join(str(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")
            label = "line" if len(lines) == 1 else "lines"
            raise ReadFailure(f"tab character in indentation ({label} {listing}); YAML indents with spaces only",
                              lines[0] if lines else line) from None
        where = f" (column {mark.column + 1})" if mark is not None else ""
        context = f" {exc.context}" if exc.context else ""
        problem = exc.problem or "invalid YAML"
        raise ReadFailure(f"YAML syntax error: {problem}{where}{context}", line) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry no problem_mark
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise ReadFailure(f"not a valid YAML text file: {reason}", line) from None
    builder.doc.bad_locs = [p.loc for p in builder.doc.problems]
    _collapse(builder.doc.problems, "anchors (&", "anchors")
    _collapse(builder.doc.problems, "aliases (*", "aliases")
    return builder.doc


def _collapse(problems: list[Problem], prefix: str, what: str) -> None:
    """Keep the first of many anchor (or alias) problems, with the count: a hostile file gives one line."""
    hits = [i for i, p in enumerate(problems) if p.message.startswith(prefix)]
    if len(hits) > 1:
        first = problems[hits[0]]
        first.message += f" ({len(hits)} {what} in this file; the first is reported)"
        for i in reversed(hits[1:]):
            del problems[i]


def read(path: Path) -> Document:
    return parse(read_bytes(path))
