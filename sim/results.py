"""A results folder on disk: atomic writes, per-run files as they arrive, resume, and the assembled tables.

Layout (see docs/running.md)::

    DIR/
      manifest.json           command, versions, git commit, seeds, resolved scenarios, run plan
      scenarios/<name>.yaml   each scenario as it was run (resolved, overrides applied)
      runs/<name>-<r>.parquet one file per finished run (r = replicate index), written as it arrives
      runs/<name>-<r>.json    the run's record (status, seed, config hash, seconds, error)
      runs.jsonl              one line per run, rewritten (atomically) as runs arrive
      timeseries.parquet      tidy table: scenario, seed, year, one column per metric
      timeseries.csv          the same, with --csv
      summary.csv             per scenario and metric: median, 10th and 90th percentile in the final year and 2035
      plots/                  figures (sim.plots)

Every file is written to a temporary file in the same folder and moved into place with `os.replace`, so an
interrupted command never leaves a half-written file; `--resume DIR` runs only what has no `runs/*.parquet`.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .outcomes.metrics import METRICS

MANIFEST = "manifest.json"
TIMESERIES = "timeseries.parquet"
TIMESERIES_CSV = "timeseries.csv"
RUNS_JSONL = "runs.jsonl"
SUMMARY = "summary.csv"
ID_COLUMNS = ["scenario", "seed", "year"]
SUMMARY_YEAR = 2035  # the plan horizon every summary also reports


# --------------------------------------------------------------------------------------------- atomic writes
def _atomic(path: Path, write: Callable[[Any], None], mode: str = "wb") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    return _atomic(Path(path), lambda fh: fh.write(data))


def atomic_write_text(path: Path | str, text: str) -> Path:
    return _atomic(Path(path), lambda fh: fh.write(text), mode="w")


def atomic_write_json(path: Path | str, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def atomic_write_parquet(path: Path | str, df: pd.DataFrame, metadata: Mapping[str, str] | None = None) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    if metadata:
        merged = dict(table.schema.metadata or {})
        merged.update({k.encode(): str(v).encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(merged)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return atomic_write_bytes(path, buf.getvalue())


def atomic_write_csv(path: Path | str, df: pd.DataFrame) -> Path:
    return atomic_write_text(path, df.to_csv(index=False, lineterminator="\n"))


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")


# --------------------------------------------------------------------------------------------- the folder
def run_key(scenario: str, replicate: int) -> str:
    """File stem of one run: ``baseline-003``."""
    return f"{scenario}-{replicate:03d}"


class ResultsFolder:
    """Paths and readers/writers of one results folder."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    # paths
    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def runs_dir(self) -> Path:
        return self.path / "runs"

    @property
    def scenarios_dir(self) -> Path:
        return self.path / "scenarios"

    @property
    def plots_dir(self) -> Path:
        return self.path / "plots"

    @property
    def timeseries_path(self) -> Path:
        return self.path / TIMESERIES

    @property
    def summary_path(self) -> Path:
        return self.path / SUMMARY

    @property
    def runs_jsonl_path(self) -> Path:
        return self.path / RUNS_JSONL

    def create(self) -> None:
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.scenarios_dir.mkdir(parents=True, exist_ok=True)

    # manifest and scenarios
    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        atomic_write_json(self.manifest_path, manifest)

    def read_manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_scenario_yaml(self, name: str, text: str) -> None:
        atomic_write_text(self.scenarios_dir / f"{name}.yaml", text)

    # per-run files
    def run_table_path(self, scenario: str, replicate: int) -> Path:
        return self.runs_dir / f"{run_key(scenario, replicate)}.parquet"

    def run_record_path(self, scenario: str, replicate: int) -> Path:
        return self.runs_dir / f"{run_key(scenario, replicate)}.json"

    def write_run(self, record: Mapping[str, Any], table: pd.DataFrame | None) -> None:
        """Persist one finished run: its table first (if it succeeded), then its record."""
        scenario, replicate = record["scenario"], int(record["replicate"])
        if table is not None:
            atomic_write_parquet(
                self.run_table_path(scenario, replicate),
                table,
                {"chengxiang.seed": record["seed"], "chengxiang.config_hash": record.get("config_hash", "")},
            )
        else:  # a failed rerun must not leave an older success behind
            try:
                self.run_table_path(scenario, replicate).unlink()
            except FileNotFoundError:
                pass
        atomic_write_json(self.run_record_path(scenario, replicate), dict(record))

    def read_run_record(self, scenario: str, replicate: int) -> dict[str, Any] | None:
        p = self.run_record_path(scenario, replicate)
        if not p.exists():
            return None
        return json.loads(p.read_text(encoding="utf-8"))

    def completed(self, plan: Iterable[Mapping[str, Any]]) -> set[tuple[str, int]]:
        """(scenario, replicate) of planned runs that finished successfully with the planned seed and config."""
        done = set()
        for run in plan:
            rec = self.read_run_record(run["scenario"], run["replicate"])
            if (
                rec is not None
                and rec.get("status") == "ok"
                and int(rec.get("seed", -1)) == int(run["seed"])
                and rec.get("config_hash") == run.get("config_hash")
                and self.run_table_path(run["scenario"], run["replicate"]).exists()
            ):
                done.add((run["scenario"], int(run["replicate"])))
        return done

    def write_runs_jsonl(self, records: Sequence[Mapping[str, Any]]) -> None:
        lines = [json.dumps(dict(r), sort_keys=False, default=_json_default) for r in records]
        atomic_write_text(self.runs_jsonl_path, "".join(line + "\n" for line in lines))

    def read_runs(self) -> list[dict[str, Any]]:
        if not self.runs_jsonl_path.exists():
            return []
        return [json.loads(line) for line in self.runs_jsonl_path.read_text(encoding="utf-8").splitlines() if line]

    # assembled tables
    def assemble(self, plan: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
        """The tidy table of every successful planned run, in plan order (scenario order, replicate), by year."""
        frames = []
        for run in plan:
            p = self.run_table_path(run["scenario"], run["replicate"])
            if p.exists():
                frames.append(pd.read_parquet(p))
        if not frames:
            return empty_timeseries()
        return pd.concat(frames, ignore_index=True)

    def read_timeseries(self) -> pd.DataFrame:
        return pd.read_parquet(self.timeseries_path)


def empty_timeseries() -> pd.DataFrame:
    cols = {"scenario": pd.Series(dtype=str), "seed": pd.Series(dtype="int64"), "year": pd.Series(dtype="int64")}
    cols.update({m: pd.Series(dtype="float64") for m in METRICS})
    return pd.DataFrame(cols)


def tidy_run_table(df: pd.DataFrame, scenario: str, seed: int) -> pd.DataFrame:
    """One run's model output as tidy rows: scenario, seed, year, then the registry's metrics in registry order."""
    if "year" not in df.columns:
        raise ValueError("run output has no 'year' column")
    missing = [m for m in METRICS if m not in df.columns]
    if missing:
        raise ValueError(f"run output lacks metrics: {missing}")
    out = pd.DataFrame(
        {
            "scenario": pd.Series([scenario] * len(df), dtype=str),
            "seed": pd.Series([int(seed)] * len(df), dtype="int64"),
            "year": df["year"].astype("int64").to_numpy(),
        }
    )
    for m in METRICS:
        out[m] = df[m].astype("float64").to_numpy()
    return out.sort_values("year", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------- summaries
def bands(ts: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per scenario and year: median, 10th and 90th percentile of `metric` across seeds, and the seed count."""
    g = ts.groupby(["scenario", "year"], sort=False)[metric]
    out = pd.DataFrame(
        {
            "median": g.median(),
            "p10": g.quantile(0.10),
            "p90": g.quantile(0.90),
            "n": g.count(),
        }
    ).reset_index()
    return out


def summarize(ts: pd.DataFrame, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Per scenario, metric and year (final year and 2035): median and 10-90% range across seeds.

    Columns: scenario, metric, label, unit, year, which ("final" or "2035"), median, p10, p90, n.
    """
    rows = []
    scenarios = list(dict.fromkeys(ts["scenario"]))
    for scenario in scenarios:
        sub = ts[ts["scenario"] == scenario]
        final = int(sub["year"].max())
        targets: list[tuple[str, int]] = [("final", final)]
        if years is None:
            if SUMMARY_YEAR != final and sub["year"].min() <= SUMMARY_YEAR <= final:
                targets.append((str(SUMMARY_YEAR), SUMMARY_YEAR))
        else:
            targets += [(str(y), int(y)) for y in years if y != final]
        for which, year in targets:
            at = sub[sub["year"] == year]
            for metric, meta in METRICS.items():
                v = at[metric].dropna()
                rows.append(
                    {
                        "scenario": scenario,
                        "metric": metric,
                        "label": meta.label,
                        "unit": meta.unit,
                        "which": which,
                        "year": year,
                        "median": float(v.median()) if len(v) else float("nan"),
                        "p10": float(v.quantile(0.10)) if len(v) else float("nan"),
                        "p90": float(v.quantile(0.90)) if len(v) else float("nan"),
                        "n": int(len(v)),
                    }
                )
    return pd.DataFrame(
        rows, columns=["scenario", "metric", "label", "unit", "which", "year", "median", "p10", "p90", "n"]
    )
