"""Scenario files: validated YAML with dated policy schedules (format: docs/scenarios.md).

    from sim.scenario import load_scenario, ScenarioError
    scenario = load_scenario("scenarios/integrated.yaml")   # resolved (`extends` applied) and validated
    sim.run(scenario, seed=1)                               # the engine takes it as is (model_dump)
    scenario.to_yaml()                                      # the resolved scenario, to save with results
    scenario.config_hash()                                  # sha256 of the resolved content

Every problem in a file (and in the files it extends) is reported at once by `ScenarioError.messages`, one line
each: ``path/file.yaml:LINE: dotted.key: message``. Nothing in the loader raises anything else for bad input.

The pydantic models are generated from the registries in `sim.parameters` (one field per lever and uncertainty,
with its range), so a new lever is a new scenario key with no change here.
"""

from __future__ import annotations

import copy
import csv
import difflib
import hashlib
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Optional, TextIO

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    create_model,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import yaml_loader
from .inputs.registry import LEVERS, UNCERTAINTIES, Param
from .inputs.schedule import Schedule
from .engine.world import PRESET_COUNTIES

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCENARIO_DIR = PROJECT_DIR / "scenarios"
YEAR_MIN, YEAR_MAX = 1990, 2200
MAX_EXTENDS = 16
SECTIONS = ("world", "time", "seeds", "uncertainties", "levers")
PER_FILE_KEYS = ("name", "description", "extends")
VALUE_SECTIONS = {"levers": LEVERS, "uncertainties": UNCERTAINTIES}

__all__ = [
    "Scenario", "ScenarioError", "load_scenario", "validate_files", "json_schema",
    "parameter_tables_markdown", "World", "Time", "Seeds", "ValueSpec",
]


class ScenarioError(Exception):
    """A scenario file (or a file it extends) is not valid. `messages`: one ``file:LINE: key: message`` each."""

    def __init__(self, messages: Iterable[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


# ----------------------------------------------------------------------------------------------- field types
def _integral(value: Any) -> Any:
    """YAML `1e5` is a float; a whole-valued finite float is accepted where a count or year is wanted."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


Year = Annotated[int, BeforeValidator(_integral), Strict(), Field(ge=YEAR_MIN, le=YEAR_MAX)]
YearKey = Annotated[int, Strict(), Field(ge=YEAR_MIN, le=YEAR_MAX)]
Text = Annotated[str, Strict()]
Name = Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]


def _count(low: int, high: int):
    return Annotated[int, BeforeValidator(_integral), Strict(), Field(ge=low, le=high)]


def _number(low: float, high: float):
    return Annotated[float, Strict(), Field(ge=low, le=high, allow_inf_nan=False)]


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # name too long, NUL character, ...
        return False


def _csv_columns() -> dict[str, list[str]]:
    try:
        from .engine.world import CITY_COLUMNS, COUNTY_COLUMNS
    except ImportError:  # the engine's table format is not available: check existence only
        return {}
    return {"counties_csv": list(COUNTY_COLUMNS), "cities_csv": list(CITY_COLUMNS)}


_CSV_COLUMNS = _csv_columns()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------------------------- values
_PARAM_OF: dict[type, Param] = {}


class ValueSpec(_Strict):
    """One lever or uncertainty: a constant or a dated schedule.

    In a file: a plain number (constant), ``{value: 0.5, reference: "..."}`` (constant with its source), or
    ``{values: {2014: 0.3, 2019: 0.6}, interpolation: step|linear, reference: "..."}``. A plain number is turned
    into ``{value: number}`` before validation, so a mistake gives one precise error.
    """

    value: Optional[float] = Field(None, description="Constant value for the whole run.")
    values: Optional[dict[YearKey, float]] = Field(
        None, description="Dated values {year: value}. Before the first date the model default holds.")
    interpolation: Optional[Literal["step", "linear"]] = Field(
        None, description="step (default): each value holds from its year until the next date; linear: "
        "interpolates between dates and holds the last value. Only with `values`.")
    reference: Optional[Text] = Field(None, description="The policy text or source this value encodes.")

    param: ClassVar[Param | None] = None

    @model_validator(mode="before")
    @classmethod
    def _scalar_to_mapping(cls, data: Any) -> Any:
        if isinstance(data, (ValueSpec, Mapping)):
            return data
        return {"value": data}

    @model_validator(mode="after")
    def _one_form(self) -> "ValueSpec":
        if (self.value is None) == (self.values is None):
            raise PydanticCustomError(
                "value_form", "give either `value` (a constant) or `values` (a dated schedule), not both"
                if self.value is not None else "give `value` (a constant) or `values` (a dated schedule)")
        if self.values is not None:
            if not self.values:
                raise PydanticCustomError("value_form", "`values` needs at least one dated value")
            if self.interpolation is None:
                self.interpolation = "step"
        elif self.interpolation is not None:
            raise PydanticCustomError("value_form", "`interpolation` applies to dated `values` only")
        return self

    @model_serializer(mode="wrap")
    def _serialize(self, handler, info) -> Any:
        if self.value is not None:
            if self.reference is None:
                return self.value
            return {"value": self.value, "reference": self.reference}
        values = {(str(y) if info.mode_is_json() else y): v for y, v in sorted(self.values.items())}
        out: dict[str, Any] = {"values": values, "interpolation": self.interpolation or "step"}
        if self.reference is not None:
            out["reference"] = self.reference
        return out

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        schema = handler(core_schema)
        param = _PARAM_OF.get(cls)
        number: dict[str, Any] = {"type": "number"}
        if param is not None:
            number.update(minimum=param.low, maximum=param.high)
        return {"anyOf": [number, schema], "description": "A constant or a dated schedule."}

    # convenience
    def schedule(self) -> Schedule:
        """This value as the engine's `sim.policy.Schedule` (before the first date: the registry default)."""
        before = self.param.default if self.param is not None else float("nan")
        if self.value is not None:
            return Schedule(self.value, before, self.reference or "")
        return Schedule(self.model_dump(mode="python"), before, self.reference or "")


def _value_model(param: Param) -> type[ValueSpec]:
    number = _number(param.low, param.high)
    model = create_model(
        f"Value_{param.name}",
        __base__=ValueSpec,
        __doc__=f"{param.name}: {param.meaning}",
        value=(Optional[number], Field(None, description=f"Constant value, {param.unit}.")),
        values=(Optional[dict[YearKey, number]], Field(None, description=f"Dated values {{year: value}}, "
                                                                          f"{param.unit}.")),
    )
    model.param = param
    _PARAM_OF[model] = param
    return model


def _field_description(p: Param) -> str:
    text = f"{p.meaning} Unit: {p.unit}. Range {p.low:g} to {p.high:g}; default {p.default:g}."
    return text + (f" Source: {p.reference}." if p.reference else "")


class _Section(_Strict):
    """A levers or uncertainties section: unset (None) entries are left out of dumps."""

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


def _section_model(name: str, registry: dict[str, Param], doc: str) -> type[_Section]:
    fields = {
        key: (Optional[_value_model(p)], Field(None, description=_field_description(p)))
        for key, p in registry.items()
    }
    return create_model(name, __base__=_Section, __doc__=doc, **fields)


Levers = _section_model("Levers", LEVERS, "Policy levers (sim.parameters.LEVERS); unset levers keep defaults.")
Uncertainties = _section_model("Uncertainties", UNCERTAINTIES,
                               "Exogenous assumptions (sim.parameters.UNCERTAINTIES); unset ones keep defaults.")


# ----------------------------------------------------------------------------------------------- sections
class World(_Strict):
    """The synthetic world the model builds."""

    preset: Literal["china", "province"] = Field(
        "china", description="Built-in tables: china (national, sampled counties and cities) or province (one "
        "province's counties and cities, for the county-level picture).")
    households: _count(1, 10_000_000) = Field(100_000, description="Number of household agents.")
    counties: Optional[_count(1, 5_000)] = Field(
        None, description="Number of counties simulated (null: the preset's own number).")
    counties_csv: Optional[Text] = Field(
        None, description="Table of counties replacing the preset's (path relative to the scenario file).")
    cities_csv: Optional[Text] = Field(
        None, description="Table of cities replacing the preset's (path relative to the scenario file).")

    @field_validator("counties_csv", "cities_csv")
    @classmethod
    def _table_exists(cls, value: Optional[str], info) -> Optional[str]:
        if value is None:
            return value
        path = Path(value)
        if not _is_file(path):
            reason = "not a file" if _exists(path) else "no such file"
            raise PydanticCustomError("path_missing", "{reason}: {path}",
                                      {"reason": reason, "path": yaml_loader.short(value, 200)})
        required = _CSV_COLUMNS.get(info.field_name, [])
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader([fh.readline(100_000)]), [])
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise PydanticCustomError("csv_header", "cannot read the table {path}: {err}",
                                      {"path": value, "err": str(exc)}) from None
        missing = [c for c in required if c not in [h.strip() for h in header]]
        if missing:
            raise PydanticCustomError("csv_header", "table {path} lacks columns {missing} (needs {needed})",
                                      {"path": value, "missing": ", ".join(missing),
                                       "needed": ", ".join(required)})
        return value

    @model_validator(mode="after")
    def _tables_together(self) -> "World":
        if (self.counties_csv is None) != (self.cities_csv is None):
            raise PydanticCustomError("csv_pair", "counties_csv and cities_csv go together: give both or neither")
        return self

    @model_validator(mode="after")
    def _a_household_per_county(self) -> "World":
        counties = self.counties or PRESET_COUNTIES[self.preset]
        if self.counties_csv is None and self.households < counties:
            raise PydanticCustomError(
                "too_few_households", "households ({n}) must be at least the number of counties ({c}): every "
                "county needs a household agent", {"n": self.households, "c": counties})
        return self


class Time(_Strict):
    """Simulated calendar years (one model step per year)."""

    start_year: Year = Field(2013, description="First simulated year (the calibration describes 2013).")
    end_year: Year = Field(2035, description="Last simulated year (inclusive).")

    @model_validator(mode="after")
    def _ordered(self) -> "Time":
        if self.end_year <= self.start_year:
            raise PydanticCustomError(
                "time_order", "end_year ({end}) must be after start_year ({start})",
                {"end": self.end_year, "start": self.start_year})
        return self


class Seeds(_Strict):
    """Random seeds of the ensemble."""

    root: _count(0, 2**63 - 1) = Field(0, description="Root seed; replicate seeds are spawned from it "
                                                        "(numpy SeedSequence).")
    replicates: _count(1, 100_000) = Field(10, description="Number of replicate runs.")


class Scenario(_Strict):
    """A resolved scenario: what `load_scenario` returns and what the engine runs."""

    name: Name = Field("scenario", description="Identifier (letters, digits, _ . -): names results and plots. "
                                               "Default: the file name. Not inherited through `extends`.")
    description: Text = Field("", description="What the scenario represents. Not inherited through `extends`.")
    extends: Optional[Text] = Field(
        None, description="Scenario this file builds on: a name (looked up next to the file, then in the "
        "project's scenarios/) or a path relative to the file. Resolved on load (null afterwards).")
    world: World = Field(default_factory=World)
    time: Time = Field(default_factory=Time)
    seeds: Seeds = Field(default_factory=Seeds)
    uncertainties: Uncertainties = Field(default_factory=Uncertainties)  # type: ignore[valid-type]
    levers: Levers = Field(default_factory=Levers)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _resolved(self) -> "Scenario":
        if self.extends is not None:
            raise PydanticCustomError("unresolved_extends", "`extends` is resolved by load_scenario(); a scenario "
                                      "built in Python cannot extend another")
        return self

    @model_serializer(mode="wrap")
    def _serialize(self, handler, info) -> dict[str, Any]:
        data = handler(self)
        data.pop("extends", None)
        if (info.context or {}).get("format") == "file":
            data["world"] = {k: v for k, v in data["world"].items() if v is not None}
            return data
        start = self.time.start_year
        for section in VALUE_SECTIONS:  # engine format: a referenced constant is a schedule from the start year
            for key, spec in list(data[section].items()):
                if isinstance(spec, dict) and "value" in spec:
                    year = str(start) if info.mode_is_json() else start
                    data[section][key] = {"values": {year: spec["value"]}, "interpolation": "step",
                                          "reference": spec["reference"]}
        return data

    # ------------------------------------------------------------------ outputs
    def to_yaml(self) -> str:
        """The resolved scenario as YAML (no `extends`), loadable on its own: load(to_yaml(x)) == x."""
        data = self.model_dump(mode="python", context={"format": "file"})
        head = (f"# Resolved scenario '{self.name}' (extends applied); config hash {self.config_hash()}\n")
        return head + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                                default_flow_style=False)

    def config_hash(self) -> str:
        """sha256 (hex) of the resolved content in engine form; CSV tables enter by content, not path."""
        data = self.model_dump(mode="json")
        for key in ("counties_csv", "cities_csv"):
            path = data["world"].get(key)
            if path:
                try:
                    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
                except OSError:
                    digest = "unreadable"
                data["world"][key] = {"file": Path(path).name, "sha256": digest}
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def policy_table(self):
        """The engine's `sim.policy.PolicyTable` of this scenario's levers and uncertainties."""
        from .inputs.policy import PolicyTable

        data = self.model_dump(mode="python")
        return PolicyTable(data["levers"], data["uncertainties"])


class _Dumper(yaml.SafeDumper):
    """Writes text so that the strict reader reads it back as text (quotes `1e3`, `no`, `2014-01-01`, ...)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_LINE_BREAKS = set("\r\x85\u2028\u2029")


def _represent_str(dumper: yaml.SafeDumper, text: str):
    if any(c in _LINE_BREAKS or (not c.isprintable() and c != "\n") for c in text):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')  # escaped: exact on reading
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    if not yaml_loader.plain_text_is_safe(text):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


_Dumper.add_representer(str, _represent_str)


# ----------------------------------------------------------------------------------------------- loading
class _Problems:
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


def _display(path: Path, absolute: bool = False) -> str:
    """How a file found through `extends` is named in messages: like the path the user gave (absolute or not)."""
    if absolute:
        return os.path.normpath(os.path.abspath(path))
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith(".." + os.sep + "..") else str(path)


def _dotted(loc: Iterable) -> str:
    return ".".join(str(p) for p in loc)


class _Resolved:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.lines: dict[tuple, tuple[str, int]] = {}
        self.root: tuple[str, int] = ("", 1)


def _find_parent(ref: str, here: Path) -> Path | None:
    path = Path(ref)
    names = [ref] if path.suffix in (".yaml", ".yml") else [ref + ".yaml", ref + ".yml", ref]
    bases = [here.parent, SCENARIO_DIR] if not path.is_absolute() else [Path("/")]
    for base in bases:
        for name in names:
            candidate = base / name
            if _is_file(candidate):
                return candidate
    return None


def _parent_suggestions(ref: str, here: Path) -> list[str]:
    names: set[str] = set()
    for base in (here.parent, SCENARIO_DIR):
        try:
            names.update(p.stem for p in base.glob("*.y*ml"))
        except OSError:
            pass
    return difflib.get_close_matches(Path(ref).stem, sorted(names), n=1, cutoff=0.6)


def _resolve(path: Path, display: str, chain: list[Path], problems: _Problems, files: list[str]) -> _Resolved | None:
    """Read `path`, resolve its `extends` chain, and merge; problems are collected, None if unreadable."""
    if display not in files:
        files.append(display)
    try:
        doc = yaml_loader.read(path)
    except yaml_loader.ReadFailure as exc:
        problems.add(display, exc.line, "", exc.message)
        return None
    for prob in doc.problems:
        problems.add(display, prob.line, _dotted(prob.loc), prob.message)
    problems.locs.extend(doc.bad_locs)
    data = doc.data
    if data is None:
        problems.add(display, None, "", "file is empty; a scenario is a YAML mapping "
                                        "(name, description, extends, world, time, seeds, uncertainties, levers)")
        return None
    if not isinstance(data, dict):
        problems.add(display, doc.root_line, "", f"top level must be a mapping of keys (name, description, "
                                                 f"world, ...), found {yaml_loader._kind(data)}")
        return None

    own = _Resolved()
    own.root = (display, doc.root_line)
    own.data = data
    own.lines = {loc: (display, line) for loc, line in doc.lines.items()}
    _absolute_paths(own.data, path)

    parent: _Resolved | None = None
    ref = data.pop("extends", None)
    if ref is not None:
        line = doc.lines.get(("extends",))
        if not isinstance(ref, str) or not ref.strip():
            problems.add(display, line, "extends", f"expected the name or path of a scenario, got "
                                                   f"{yaml_loader._kind(ref)}")
        else:
            found = _find_parent(ref, path)
            if found is None:
                hint = _parent_suggestions(ref, path)
                problems.add(display, line, "extends",
                             f"no scenario {yaml_loader.short(ref)} next to this file or in "
                             f"{_display(SCENARIO_DIR)}/"
                             + (f" (did you mean '{hint[0]}'?)" if hint else ""))
            else:
                real = found.resolve()
                if real in chain:
                    cycle = " -> ".join(_display(p, problems.absolute) for p in [*chain[chain.index(real):], real])
                    problems.add(display, line, "extends", f"cycle: {cycle}")
                elif len(chain) >= MAX_EXTENDS:
                    problems.add(display, line, "extends", f"more than {MAX_EXTENDS} files in the extends chain")
                else:
                    before = len(problems.items)
                    shown = _display(found, problems.absolute)
                    parent = _resolve(found, shown, [*chain, real], problems, files)
                    if parent is None or len(problems.items) > before:
                        problems.add(display, line, "extends", f"the extended scenario {yaml_loader.short(ref)} "
                                                               f"has errors (listed under {shown})")

    merged = _merge(parent, own) if parent is not None else own
    _check_own_schedules(own, merged, problems)
    merged.data["name"] = data["name"] if "name" in data else _default_name(path)
    merged.data["description"] = data.get("description", "")
    for key in ("name", "description"):
        where = own.lines.get((key,))
        merged.lines.pop((key,), None)
        if where is not None:
            merged.lines[(key,)] = where
    merged.root = own.root
    return merged


def _default_name(path: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_.\-]", "_", path.stem).lstrip("._-")[:64]
    return name or "scenario"


def _absolute_paths(data: dict, path: Path) -> None:
    world = data.get("world")
    if isinstance(world, dict):
        for key in ("counties_csv", "cities_csv"):
            value = world.get(key)
            if isinstance(value, str) and value:
                try:
                    world[key] = str((path.parent / value).resolve())
                except (OSError, ValueError):
                    world[key] = str(path.parent / value)


def _drop(lines: dict, prefix: tuple) -> None:
    n = len(prefix)
    for loc in [loc for loc in lines if loc[:n] == prefix]:
        del lines[loc]


def _copy(src: dict, dst: dict, prefix: tuple) -> None:
    n = len(prefix)
    for loc, where in src.items():
        if loc[:n] == prefix:
            dst[loc] = where


def _start_year(*datas: dict) -> int:
    for data in datas:
        time = data.get("time")
        if isinstance(time, dict):
            y = _integral(time.get("start_year"))
            if isinstance(y, int) and not isinstance(y, bool) and YEAR_MIN <= y <= YEAR_MAX:
                return y
    return Time().start_year


def _end_year(data: dict) -> int | None:
    time = data.get("time")
    y = _integral(time.get("end_year")) if isinstance(time, dict) else Time().end_year
    if isinstance(y, int) and not isinstance(y, bool):
        return y
    return None


def _merge(parent: _Resolved, child: _Resolved) -> _Resolved:
    """`child` over `parent`: sections merge key by key; a dated schedule takes over from its first year."""
    out = _Resolved()
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
                else:
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


def _number_ok(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _as_schedule(spec: Any) -> tuple[dict[int, float], str, str | None] | None:
    if not isinstance(spec, dict) or not set(spec) <= {"values", "interpolation", "reference"}:
        return None
    values, interp, ref = spec.get("values"), spec.get("interpolation") or "step", spec.get("reference")
    if not isinstance(values, dict) or not values or interp not in ("step", "linear"):
        return None
    if ref is not None and not isinstance(ref, str):
        return None
    if not all(isinstance(y, int) and not isinstance(y, bool) and _number_ok(v) for y, v in values.items()):
        return None
    return dict(values), interp, ref


def _as_constant(spec: Any) -> tuple[float, str | None] | None:
    if _number_ok(spec):
        return spec, None
    if isinstance(spec, dict) and set(spec) <= {"value", "reference"} and _number_ok(spec.get("value")):
        ref = spec.get("reference")
        if ref is None or isinstance(ref, str):
            return spec["value"], ref
    return None


def _as_linear(points: dict[int, float], interp: str) -> dict[int, float]:
    """The same values on whole years, as a linear schedule (a step becomes a jump between adjacent years)."""
    if interp == "linear":
        return dict(points)
    out: dict[int, float] = {}
    years = sorted(points)
    for i, y in enumerate(years):
        out[y] = points[y]
        if i + 1 < len(years) and years[i + 1] - 1 > y and points[years[i + 1]] != points[y]:
            out[years[i + 1] - 1] = points[y]
    return out


def _splice(parent: Any, child: Any, default: float, start: int) -> tuple[dict, list[int]] | None:
    """A child schedule over a parent value: the parent's values hold before the child's first year, exactly.

    Returns (merged spec, parent years kept), or None when the child simply replaces the parent (the child is a
    constant or null, the parent is unset, or either is malformed: validation then reports it).
    """
    sched = _as_schedule(child)
    if sched is None or parent is None:
        return None
    c_values, c_interp, c_ref = sched
    first = min(c_values)
    p_sched, p_const = _as_schedule(parent), _as_constant(parent)
    if p_sched is not None:
        p_values, p_interp, p_ref = p_sched
        full = Schedule({"values": p_values, "interpolation": p_interp}, default)
        kept = {y: v for y, v in p_values.items() if y < first}
    elif p_const is not None:
        value, p_ref = p_const
        p_interp = "step"
        full = Schedule(value, default)
        kept = {start: value} if start < first else {}
    else:
        return None
    if not kept:
        return None
    if p_interp == "step" and c_interp == "step":
        values = {**kept, **c_values}
        interp = "step"
    else:
        values = _as_linear(kept, p_interp)
        hold = first - 1
        if hold > max(values):
            values[hold] = full.at(hold)
        values.update(_as_linear(c_values, c_interp))
        interp = "linear"
    spec: dict[str, Any] = {"values": dict(sorted(values.items())), "interpolation": interp}
    if p_ref and c_ref and p_ref != c_ref:
        spec["reference"] = f"until {first - 1}: {p_ref} | from {first}: {c_ref}"
    elif p_ref or c_ref:
        spec["reference"] = c_ref or f"until {first - 1}: {p_ref}"
    return spec, sorted(kept)


def _check_own_schedules(own: _Resolved, merged: _Resolved, problems: _Problems) -> None:
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
                if isinstance(year, int) and not isinstance(year, bool) and YEAR_MIN <= year <= YEAR_MAX \
                        and not start <= year <= end:
                    loc = (section, name, "values", year)
                    file, line = own.lines.get(loc, own.root)
                    problems.add(file, line, _dotted(loc), f"year {year} is outside the run "
                                                           f"({start}-{end}); dated values must lie inside it")


# ----------------------------------------------------------------------------------------------- messages
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n", "true", "false"}


def _describe(value: Any) -> str:
    text = yaml_loader._kind(value)
    if isinstance(value, str) and value.strip().lower() in _YAML11_BOOLS:
        text += " (YAML 1.1 would read it as a boolean; scenario files keep it as text)"
    elif isinstance(value, str):
        try:
            number = yaml_loader.resolve_plain(value.strip())
        except ValueError:
            number = None
        if isinstance(number, (int, float)) and not isinstance(number, bool):
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
    message = f"unknown key {yaml_loader.short(key) if isinstance(key, str) else repr(key)}"
    if isinstance(key, str):
        for section, registry in VALUE_SECTIONS.items():
            if key in registry and parent != (section,):
                return message + f"; '{key}' is {'a lever' if section == 'levers' else 'an uncertainty'}: " \
                                 f"put it under `{section}:`"
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        if close:
            return message + f" (did you mean '{close[0]}'?)"
    if parent in ((), ("world",), ("time",), ("seeds",)) or (len(parent) == 2 and parent[0] in VALUE_SECTIONS):
        message += "; allowed: " + ", ".join(allowed)
    elif parent in (("levers",), ("uncertainties",)):
        message += f"; see docs/scenarios.md for the {parent[0]}"
    return message


def _range_of(loc: tuple) -> str:
    if len(loc) >= 2 and loc[0] in VALUE_SECTIONS and loc[1] in VALUE_SECTIONS[loc[0]]:
        p = VALUE_SECTIONS[loc[0]][loc[1]]
        return f"{loc[1]} takes {p.low:g} to {p.high:g} ({p.unit})"
    return ""


def _message(err: dict, loc: tuple) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    is_key = bool(err["loc"]) and err["loc"][-1] == "[key]"
    if is_key:
        return f"a year must be a whole number from {YEAR_MIN} to {YEAR_MAX}, got {_describe(loc[-1])}"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind == "missing":
        return "required key is missing"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {_describe(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_describe(value)}"
    if kind == "string_type":
        return f"expected text, got {_describe(value)} (put quotes around it)"
    if kind == "finite_number":
        return f"expected a finite number, got {value!r} (.nan and .inf are not allowed)"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}[kind]
        limit = next(iter(ctx.values()), "?")
        extra = _range_of(loc)
        return f"{value!r} is out of range: " + (extra if extra else f"must be {bound} {limit}")
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        text = f"must be one of {', '.join(repr(e) for e in expected)}, got {_describe(value)}"
        close = difflib.get_close_matches(str(value), expected, n=1, cutoff=0.5) if isinstance(value, str) else []
        return text + (f" (did you mean '{close[0]}'?)" if close else "")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping (key: value lines), got {_describe(value)}"
    if kind == "string_pattern_mismatch":
        return (f"{yaml_loader.short(str(value))} is not a valid name: use 1-64 letters, digits, '_', '-' or '.', "
                "starting with a letter or digit (it names result files)")
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return str(err["msg"])


def _validation_problems(exc: ValidationError, resolved: _Resolved, problems: _Problems) -> None:
    for err in exc.errors():
        raw_loc = tuple(err["loc"])
        loc = tuple(p for p in raw_loc if p != "[key]")
        if any(loc[: len(bad)] == bad for bad in problems.locs if bad):
            continue  # already reported by the YAML reader (e.g. an alias replaced by null)
        if err["type"] == "time_order":
            loc = loc + ("end_year",)
        # a plain number was wrapped as {value: number}: report it at the lever itself
        if len(loc) == 3 and loc[0] in VALUE_SECTIONS and loc[2] == "value":
            raw = resolved.data.get(loc[0], {})
            if isinstance(raw, dict) and not isinstance(raw.get(loc[1]), dict):
                loc = loc[:2]
        message = _message(err, loc)
        where = None
        for n in range(len(loc), 0, -1):
            where = resolved.lines.get(loc[:n])
            if where:
                break
        file, line = where or resolved.root
        problems.add(file, line, _dotted(loc), message)


# ----------------------------------------------------------------------------------------------- public API
def load_scenario(path: str | os.PathLike) -> Scenario:
    """The resolved, validated scenario in `path`; raises ScenarioError listing every problem."""
    display = os.fspath(path) if not isinstance(path, bytes) else path.decode(errors="replace")
    try:
        return _load(Path(display), display)
    except ScenarioError:
        raise
    except Exception as exc:  # a bug, not bad input: still one clear line, never a traceback for the user
        raise ScenarioError([f"{display}: internal error while reading the scenario "
                             f"({type(exc).__name__}: {exc}); please report it"]) from exc


def _load(path: Path, display: str) -> Scenario:
    problems = _Problems()
    problems.absolute = os.path.isabs(display)
    files: list[str] = []
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        real = path
    resolved = _resolve(path, display, [real], problems, files)
    scenario = None
    if resolved is not None:
        try:
            scenario = Scenario.model_validate(resolved.data, context={"loader": True})
        except ValidationError as exc:
            _validation_problems(exc, resolved, problems)
    if problems.items or scenario is None:
        raise ScenarioError(problems.messages(files) or [f"{display}: not a valid scenario"])
    return scenario


def validate_files(paths: Iterable[str | os.PathLike], out: TextIO | None = None) -> int:
    """Check scenario files: every error of every file on `out` (stderr), "OK path" on stdout; 0 or 2."""
    out = out if out is not None else sys.stderr
    status = 0
    for path in paths:
        try:
            load_scenario(path)
        except ScenarioError as exc:
            status = 2
            for line in exc.messages:
                print(line, file=out)
        else:
            print(f"OK {os.fspath(path)}", file=sys.stdout)
    return status


def json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files (from the pydantic models)."""
    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Chengxiang scenario file"
    schema["description"] = ("A scenario: world, time, seeds, uncertainties and policy levers. Each lever or "
                             "uncertainty is a number or a dated schedule. See docs/scenarios.md.")
    return schema


# ----------------------------------------------------------------------------------------------- docs
def _fmt(x: float) -> str:
    return f"{x:g}"


def parameter_tables_markdown() -> str:
    """The lever and uncertainty tables of docs/scenarios.md, generated from sim.parameters."""
    lines = []
    for title, registry in (("Levers (`levers:`)", LEVERS), ("Uncertainties (`uncertainties:`)", UNCERTAINTIES)):
        lines += [f"### {title}", "", "| Key | Group | Unit | Default (2013) | Range | Meaning | Source |",
                  "|---|---|---|---|---|---|---|"]
        for p in registry.values():
            cells = [f"`{p.name}`", p.group, p.unit, _fmt(p.default), f"{_fmt(p.low)} to {_fmt(p.high)}",
                     p.meaning, p.reference or "-"]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


DOC_BEGIN = "<!-- BEGIN GENERATED PARAMETER TABLES (python -m sim.scenario docs) -->"
DOC_END = "<!-- END GENERATED PARAMETER TABLES -->"


def update_docs(doc: Path = PROJECT_DIR / "docs" / "scenarios.md") -> bool:
    """Rewrite the generated block of docs/scenarios.md; True if it changed."""
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(DOC_BEGIN, 1)
    _, tail = rest.split(DOC_END, 1)
    new = f"{head}{DOC_BEGIN}\n\n{parameter_tables_markdown()}\n{DOC_END}{tail}"
    if new != text:
        doc.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["docs"]:
        print("docs/scenarios.md " + ("updated" if update_docs() else "up to date"))
        return 0
    if argv[:1] == ["schema"]:
        print(json.dumps(json_schema(), indent=2))
        return 0
    if argv[:1] == ["validate"] and argv[1:]:
        return validate_files(argv[1:])
    print("usage: python -m sim.scenario validate FILE... | schema | docs", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
