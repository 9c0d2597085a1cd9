"""The scenario schema: pydantic models of a resolved scenario, the single home of every default.

The lever, uncertainty and parameter sections are generated from the registries in `sim.inputs.registry` (one
field per input, with its range), so a new input is a new scenario key with no change here. A validated
`Scenario` dumps in two forms:

- engine form (``model_dump()``): what `ChengxiangModel` reads; a lever constant given with its source becomes a
  one-point schedule from the start year, so the source travels with the value;
- file form (``model_dump(context={"format": "file"})``): what `to_yaml` writes, loadable on its own.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import AfterValidator, Field, StrictInt, create_model, field_validator, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from ..engine.world import CITY_COLUMNS, COUNTY_COLUMNS, PLACES_DEFAULT, PRESET_COUNTIES
from ..inputs.registry import LEVERS, PARAMETERS, UNCERTAINTIES, Param
from ..inputs.schedule import Schedule
from . import yaml_writer
from .fields import Name, StrictModel, Text, YearKey, Year, count, number
from .yaml_reader import short

VALUE_SECTIONS: dict[str, dict[str, Param]] = {"levers": LEVERS, "uncertainties": UNCERTAINTIES}
"""Sections whose entries are a constant or a dated schedule."""
INPUT_SECTIONS: dict[str, dict[str, Param]] = {**VALUE_SECTIONS, "parameters": PARAMETERS}
"""Every section keyed by a registry: levers, uncertainties (values over years) and parameters (constants)."""
TABLE_COLUMNS = {"counties_csv": COUNTY_COLUMNS, "cities_csv": CITY_COLUMNS}


# ----------------------------------------------------------------------------------------------- values
class ValueSpec(StrictModel):
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
        number_schema: dict[str, Any] = {"type": "number"}
        if cls.param is not None:
            number_schema.update(minimum=cls.param.low, maximum=cls.param.high)
        return {"anyOf": [number_schema, schema], "description": "A constant or a dated schedule."}

    def schedule(self) -> Schedule:
        """This value as a `Schedule` (before the first date: the registry default)."""
        before = self.param.default if self.param is not None else float("nan")
        if self.value is not None:
            return Schedule(self.value, before, self.reference or "")
        return Schedule(self.model_dump(mode="python"), before, self.reference or "")


def _value_model(param: Param) -> type[ValueSpec]:
    bounded = number(param.low, param.high)
    model = create_model(
        f"Value_{param.name}",
        __base__=ValueSpec,
        __doc__=f"{param.name}: {param.meaning}",
        value=(Optional[bounded], Field(None, description=f"Constant value, {param.unit}.")),
        values=(Optional[dict[YearKey, bounded]], Field(None, description=f"Dated values {{year: value}}, "
                                                                           f"{param.unit}.")),
    )
    model.param = param
    return model


def _whole(param: Param):
    def check(value: float) -> float:
        if not float(value).is_integer():
            raise PydanticCustomError("whole_number", "{name} takes whole numbers ({unit}), got {value}",
                                      {"name": param.name, "unit": param.unit, "value": value})
        return value

    return check


def _parameter_type(param: Param):
    """A constant in the parameter's range (a whole number for counts), kept as a float like the defaults."""
    if not param.integer:
        return number(param.low, param.high)
    return Annotated[number(param.low, param.high), AfterValidator(_whole(param)),
                     Field(json_schema_extra={"multipleOf": 1})]


def field_description(p: Param) -> str:
    text = f"{p.meaning} Unit: {p.unit}. Range {p.low:g} to {p.high:g}; default {p.default:g}."
    return text + (f" Source: {p.reference}." if p.reference else "")


class _Section(StrictModel):
    """A section keyed by a registry: unset (None) entries are left out of dumps."""

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


def _section_model(name: str, registry: dict[str, Param], field_type, doc: str) -> type[_Section]:
    fields = {key: (Optional[field_type(p)], Field(None, description=field_description(p)))
              for key, p in registry.items()}
    return create_model(name, __base__=_Section, __doc__=doc, **fields)


Levers = _section_model("Levers", LEVERS, _value_model,
                        "Policy levers (sim.inputs.registry.LEVERS); unset levers keep their defaults.")
Uncertainties = _section_model("Uncertainties", UNCERTAINTIES, _value_model,
                               "Exogenous assumptions (sim.inputs.registry.UNCERTAINTIES); unset ones keep their "
                               "defaults.")
Parameters = _section_model("Parameters", PARAMETERS, _parameter_type,
                            "Model parameters (sim.inputs.registry.PARAMETERS), constants for the whole run; unset "
                            "ones keep their defaults.")


# ----------------------------------------------------------------------------------------------- sections
def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # name too long, NUL character, ...
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _province(value: Any) -> Any:
    """A province code or name, checked against the census tables (with did-you-mean)."""
    if value is None:
        return value
    from ..geography import PlaceLookupError, find_province

    try:
        find_province(value)
    except PlaceLookupError as exc:
        raise PydanticCustomError("province", "{message}", {"message": str(exc)}) from None
    return value


class World(StrictModel):
    """The world the model builds: China's or one province's real counties and cities (2020 census, moved to
    2013), a synthetic world, or user tables."""

    preset: Literal["china", "province", "synthetic_china", "synthetic_province"] = Field(
        "china", description="china: the nation's real counties and cities; province: one province's (give "
        "`province`); synthetic_china, synthetic_province: randomly drawn worlds of the same kind (for tests and "
        "experiments).")
    province: Annotated[Optional[StrictInt | Text], AfterValidator(_province)] = Field(
        None, description="With preset province: the province, by code (410000 or 41), Chinese or pinyin name.")
    places: Optional[Literal["census", "synthetic"]] = Field(
        None, description="What preset china builds: census (real places, the default) or synthetic.")
    households: count(1, 10_000_000) = Field(100_000, description="Number of household agents.")
    counties: Optional[count(1, 5_000)] = Field(
        None, description="Synthetic worlds: number of counties (null: the preset's own number). Census worlds: "
        "an upper bound on model counties (small counties are merged first).")
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
                                      {"reason": reason, "path": short(value, 200)})
        required = TABLE_COLUMNS[info.field_name]
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
        if self.counties_csv is not None:
            from ..engine.world import validate_world_csv

            problems = validate_world_csv(self.counties_csv, self.cities_csv)
            if problems:
                more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
                raise PydanticCustomError("csv_rows", "bad world table rows: {rows}{more}",
                                          {"rows": "; ".join(problems[:5]), "more": more})
        return self

    @model_validator(mode="after")
    def _province_with_its_preset(self) -> "World":
        if self.province is not None and self.preset != "province":
            raise PydanticCustomError("province_preset", "`province` needs preset: province (got {preset!r})",
                                      {"preset": self.preset})
        return self

    def census(self) -> bool:
        """Whether this world is built from real places."""
        if self.counties_csv is not None:
            return False
        return (self.preset == "province" and self.province is not None) or (
            self.preset == "china" and (self.places or PLACES_DEFAULT) == "census")

    @model_validator(mode="after")
    def _enough_households(self) -> "World":
        if self.counties_csv is not None:
            return self
        if self.census():
            from ..inputs.registry import PARAMETERS

            need = int(PARAMETERS["min_households_per_county"].default)
            if self.households < need:
                raise PydanticCustomError(
                    "too_few_households", "households ({n}) must be at least {need} (min_households_per_county): "
                    "a census world merges small counties until each has that many", {"n": self.households,
                                                                                        "need": need})
            return self
        preset = {"synthetic_china": "china", "synthetic_province": "province"}.get(self.preset, self.preset)
        counties = self.counties or PRESET_COUNTIES[preset]
        if self.households < counties:
            raise PydanticCustomError(
                "too_few_households", "households ({n}) must be at least the number of counties ({c}): every "
                "county needs a household agent", {"n": self.households, "c": counties})
        return self


class Time(StrictModel):
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


class Seeds(StrictModel):
    """Random seeds of the ensemble."""

    root: count(0, 2**63 - 1) = Field(0, description="Root seed; replicate seeds are spawned from it "
                                                      "(numpy SeedSequence).")
    replicates: count(1, 100_000) = Field(10, description="Number of replicate runs.")


class Scenario(StrictModel):
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
    parameters: Parameters = Field(default_factory=Parameters)  # type: ignore[valid-type]

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
        for section in VALUE_SECTIONS:  # engine form: a referenced constant is a schedule from the start year
            for key, spec in list(data[section].items()):
                if isinstance(spec, dict) and "value" in spec:
                    year = str(start) if info.mode_is_json() else start
                    data[section][key] = {"values": {year: spec["value"]}, "interpolation": "step",
                                          "reference": spec["reference"]}
        return data

    def complete_config(self) -> dict[str, Any]:
        """The engine form with every input written out: an unset lever or uncertainty at its registry default, an
        unset parameter at the value the engine uses (the shipped posterior median for calibrated ones). What a run
        depends on besides the code, so a changed default shows as a changed config."""
        from ..inputs.parameters import parameter_values

        data = self.model_dump(mode="python")
        engine_parameters = parameter_values()
        for section, registry in INPUT_SECTIONS.items():
            data[section] = {name: data[section].get(name, engine_parameters.get(name, param.default)
                                                      if section == "parameters" else param.default)
                             for name, param in registry.items()}
        return data

    def file_form(self) -> dict[str, Any]:
        """The scenario as a scenario file holds it (what `to_yaml` writes)."""
        return self.model_dump(mode="python", context={"format": "file"})

    def to_yaml(self) -> str:
        """The resolved scenario as YAML (no `extends`), loadable on its own: load(to_yaml(x)) == x."""
        head = f"# Resolved scenario '{self.name}' (extends applied); config hash {self.config_hash()}\n"
        return head + yaml_writer.dump(self.file_form())

    def config_hash(self) -> str:
        """sha256 (hex) of the resolved content in engine form; CSV tables enter by content, not path."""
        data = self.model_dump(mode="json")
        for key in TABLE_COLUMNS:
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
        """The engine's `PolicyTable` of this scenario's levers and uncertainties."""
        from ..inputs.policy import PolicyTable

        data = self.model_dump(mode="python")
        return PolicyTable(data["levers"], data["uncertainties"])


def json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files (from the pydantic models)."""
    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Chengxiang scenario file"
    schema["description"] = ("A scenario: world, time, seeds, uncertainties, policy levers and model parameters. "
                             "Each lever or uncertainty is a number or a dated schedule; each parameter a number. "
                             "See docs/scenarios.md.")
    return schema
