"""Comparison figures of an ensemble: one per key metric, plus an overview of small multiples.

Each figure shows, per scenario, the median across seeds (line) and the 10-90% range (band), with titles, axis
labels and units from the metric registry (sim.outcomes.metrics), and the years each scenario's policy departs
from the scenario it extends (or the baseline) marked (dotted line and a triangle in the scenario's colour).
Colours are fixed per scenario name, so a scenario looks the same in every figure and every results folder.

Figures are built on `matplotlib.figure.Figure` directly (no pyplot state, no display needed) and written
atomically::

    from sim.ensemble.plots import plot_results
    plot_results("results/20250101-120000-baseline-integrated")     # -> list of written files
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..outcomes.metrics import KEY_METRICS, METRICS
from .errors import EnsembleError
from .files import atomic_write
from .folder import ResultsFolder
from .observed import ObservedLayer
from .tables import bands

BASELINE = "baseline"

# Okabe-Ito (colour-blind safe); the four strategies keep the same colour everywhere
SCENARIO_COLORS: dict[str, str] = {
    "baseline": "#4D4D4D",
    "new_urbanization": "#0072B2",
    "rural_revitalization": "#009E73",
    "integrated": "#D55E00",
}
EXTRA_COLORS = ["#CC79A7", "#E69F00", "#56B4E9", "#882255", "#999933", "#44AA99", "#AA4499", "#332288",
                "#117733", "#88CCEE", "#DDCC77", "#661100"]

STYLE: dict[str, Any] = {
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "savefig.dpi": 150,
}

BAND_NOTE = "Line: median across {n} seed{s}; band: 10th-90th percentile."
REFORM_NOTE = "\u25BC and dotted line: year a scenario's policy first departs from {ref}."


def scenario_colors(names: Sequence[str]) -> dict[str, str]:
    """Fixed colours for the strategy scenarios; other names take the next free colour in the order given."""
    out, extra = {}, iter(EXTRA_COLORS)
    for name in names:
        if name in SCENARIO_COLORS:
            out[name] = SCENARIO_COLORS[name]
    for name in names:
        if name not in out:
            out[name] = next(extra, "#000000")
    return out


def pretty(name: str) -> str:
    """Legend label of a scenario: ``rural_revitalization`` -> ``Rural revitalization``."""
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------------- reform years
def reference_of(name: str, names: Sequence[str], parents: Mapping[str, str | None] | None,
                 baseline: str = BASELINE) -> str | None:
    """The scenario `name` is compared with: the scenario it extends when that is among `names`, else the
    baseline; None for the baseline itself (or when there is neither)."""
    parent = (parents or {}).get(name)
    if parent is not None and parent != name and parent in names:
        return parent
    if name != baseline and baseline in names:
        return baseline
    return None


def reform_markers(configs: Mapping[str, Mapping[str, Any]], years: tuple[int, int] | None = None,
                   parents: Mapping[str, str | None] | None = None,
                   baseline: str = BASELINE) -> dict[str, dict[str, int]]:
    """Scenario -> {lever: first year (within `years`) its value differs from its reference's}.

    A scenario's reference is the scenario it `extends` (`parents`) when that is among `configs`, else the
    `baseline` scenario; a scenario without a reference among `configs` (the reference itself) has no marks. So a
    reform that extends the baseline is marked where it departs from the policy history, not where the history
    departs from the 2013 defaults.
    """
    from ..inputs.policy import PolicyTable
    from ..inputs.registry import LEVERS

    tables = {}
    for name, cfg in configs.items():
        try:
            tables[name] = PolicyTable(cfg.get("levers") or {}, cfg.get("uncertainties") or {})
        except (KeyError, ValueError, TypeError):
            tables[name] = None
    names = list(configs)
    lo, hi = years if years is not None else (2013, 2060)
    out: dict[str, dict[str, int]] = {}
    for name, table in tables.items():
        ref = reference_of(name, names, parents, baseline)
        other = tables.get(ref) if ref is not None else None
        marks: dict[str, int] = {}
        if table is not None and other is not None:
            for lever in LEVERS:
                first = next((y for y in range(lo, hi + 1) if table.value(lever, y) != other.value(lever, y)), None)
                if first is not None:
                    marks[lever] = first
        out[name] = dict(sorted(marks.items(), key=lambda kv: (kv[1], kv[0])))
    return out


def _draw_reforms(ax, reforms: Mapping[str, Mapping[str, int]], colors: Mapping[str, str],
                  order: Sequence[str], size: float = 7.0) -> None:
    by_year: dict[int, list[str]] = {}
    for name in order:
        for y in sorted(set((reforms.get(name) or {}).values())):
            by_year.setdefault(y, []).append(name)
    from matplotlib.transforms import offset_copy

    trans = ax.get_xaxis_transform()  # x in data, y in axes fraction
    fig = ax.get_figure()
    step = size * 1.05  # points between markers of scenarios sharing a year
    for y, names in sorted(by_year.items()):
        ax.axvline(y, color="#9A9A9A", linestyle=":", linewidth=1.0, zorder=1)
        for k, name in enumerate(names):
            dx = (k - (len(names) - 1) / 2) * step
            ax.plot([y], [1.0], marker="v", markersize=size, color=colors[name], linestyle="none", clip_on=False,
                    transform=offset_copy(trans, fig=fig, x=dx, y=size * 0.6, units="points"), zorder=5,
                    markeredgecolor="white", markeredgewidth=0.5)


# --------------------------------------------------------------------------------------------- figures
def _draw_metric(ax, ts: pd.DataFrame, metric: str, order: Sequence[str], colors: Mapping[str, str],
                 reforms: Mapping[str, Mapping[str, int]] | None, observed: ObservedLayer | None = None) -> None:
    b = bands(ts, metric)
    for name in order:
        sub = b[b["scenario"] == name].sort_values("year")
        if sub.empty:
            continue
        c = colors[name]
        ax.fill_between(sub["year"], sub["p10"], sub["p90"], color=c, alpha=0.18, linewidth=0, zorder=2)
        ax.plot(sub["year"], sub["median"], color=c, linewidth=2.2, label=pretty(name), zorder=3)
    if reforms:
        _draw_reforms(ax, reforms, colors, order)
    if observed is not None:
        observed.draw(ax, metric, ts)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.01)


def _legend_handles(order: Sequence[str], colors: Mapping[str, str], reforms) -> list:
    handles = [
        (Line2D([], [], color=colors[n], linewidth=2.2), Patch(facecolor=colors[n], alpha=0.18)) for n in order
    ]
    labels = [pretty(n) for n in order]
    if reforms and any(reforms.values()):
        handles.append(Line2D([], [], marker="v", color="#6A6A6A", linestyle=":", markersize=7))
        labels.append("Policy departs")
    return handles, labels


def _seed_count(ts: pd.DataFrame) -> int:
    if ts.empty:
        return 0
    return int(ts.groupby("scenario")["seed"].nunique().min())


def _notes(ts, reforms) -> str:
    n = _seed_count(ts)
    text = BAND_NOTE.format(n=n, s="" if n == 1 else "s")
    if reforms and any(reforms.values()):
        text += " " + REFORM_NOTE.format(ref="the scenario it extends (or the baseline)")
    return text


def metric_figure(ts: pd.DataFrame, metric: str, *, order: Sequence[str] | None = None,
                  colors: Mapping[str, str] | None = None,
                  reforms: Mapping[str, Mapping[str, int]] | None = None,
                  observed: ObservedLayer | None = None) -> Figure:
    """One key outcome over years, all scenarios: median line, 10-90% band, reform years marked, observed data."""
    import matplotlib

    meta = METRICS[metric]
    order = list(order) if order is not None else list(dict.fromkeys(ts["scenario"]))
    colors = dict(colors) if colors is not None else scenario_colors(order)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(9.0, 5.2), layout="constrained")
        ax = fig.add_subplot()
        _draw_metric(ax, ts, metric, order, colors, reforms, observed)
        ax.set_title(meta.label, loc="left", pad=14)
        ax.set_xlabel("Year")
        ax.set_ylabel(meta.unit)
        handles, labels = _legend_handles(order, colors, reforms)
        if observed is not None:
            handles, labels = observed.legend(handles, labels, [metric])
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                  title="Scenario", alignment="left")
        caption = meta.meaning + "\n" + "\n".join(
            textwrap.wrap(_notes(ts, reforms) + (f" {observed.note}" if observed else ""), 110))
        fig.supxlabel(caption, x=0.0, ha="left", fontsize=9, color="#555555", multialignment="left")
    return fig


def overview_figure(ts: pd.DataFrame, metrics: Sequence[str] = tuple(KEY_METRICS), *,
                    order: Sequence[str] | None = None, colors: Mapping[str, str] | None = None,
                    reforms: Mapping[str, Mapping[str, int]] | None = None, ncols: int = 4,
                    observed: ObservedLayer | None = None) -> Figure:
    """Small multiples: every key metric in one figure, one shared legend."""
    import matplotlib

    metrics = list(metrics)
    order = list(order) if order is not None else list(dict.fromkeys(ts["scenario"]))
    colors = dict(colors) if colors is not None else scenario_colors(order)
    nrows = -(-len(metrics) // ncols)
    style = dict(STYLE, **{"axes.titlesize": 11, "font.size": 10, "xtick.labelsize": 9, "ytick.labelsize": 9})
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(4.2 * ncols, 3.3 * nrows + 0.8), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, metric in zip(axes, metrics):
            meta = METRICS[metric]
            _draw_metric(ax, ts, metric, order, colors, reforms, observed)
            ax.set_title("\n".join(textwrap.wrap(meta.label, 34)), loc="left", pad=10)
            ax.set_ylabel(meta.unit)
        for ax in axes[len(metrics):]:
            ax.axis("off")
        handles, labels = _legend_handles(order, colors, reforms)
        if observed is not None:
            handles, labels = observed.legend(handles, labels, metrics)
        fig.legend(handles, labels, loc="outside lower left", ncols=min(len(labels), 6), frameon=False, fontsize=11,
                   title=_notes(ts, reforms) + (f" {observed.note}" if observed else ""),
                   title_fontsize=9, alignment="left")
        fig.suptitle("Key outcomes by scenario", x=0.0, ha="left", fontsize=15, fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------- from a folder
def save_figure(fig: Figure, path: Path | str, fmt: str | None = None) -> Path:
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".") or "png"
    return atomic_write(path, lambda fh: fig.savefig(fh, format=fmt, bbox_inches="tight", facecolor="white"))


class FolderData(NamedTuple):
    timeseries: pd.DataFrame
    order: list[str]  # scenarios in the order of the command
    configs: dict[str, dict[str, Any]]  # resolved config of each scenario
    parents: dict[str, str | None]  # the scenario of the folder each one extends


def load_folder(path: Path | str) -> FolderData:
    """What the plots of a results folder need; EnsembleError (one line) when the folder is damaged."""
    from .resume import PlotManifest, read_manifest

    folder = ResultsFolder(path)
    try:
        ts = folder.read_timeseries()
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError and others for a damaged file
        raise EnsembleError(f"cannot read {folder.timeseries_path}: {type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")) from None
    missing = [c for c in ("scenario", "seed", "year") if c not in ts.columns]
    if missing:
        raise EnsembleError(f"{folder.timeseries_path} is not a results table (no column {missing[0]})")
    order = list(dict.fromkeys(ts["scenario"]))
    configs: dict[str, dict[str, Any]] = {}
    parents: dict[str, str | None] = {}
    if folder.manifest_path.exists():
        _, manifest = read_manifest(folder, action="plot", model=PlotManifest)
        names = manifest.scenario_names
        order = [n for n in names if n in set(order)] + [n for n in order if n not in set(names)]
        configs = {e.name: e.config for e in manifest.scenarios}
        parents = {e.name: e.parent for e in manifest.scenarios}
    return FolderData(ts, order, configs, parents)


def plot_results(path: Path | str, *, formats: Sequence[str] = ("png",),
                 metrics: Sequence[str] = tuple(KEY_METRICS), observed: Sequence[dict] = ()) -> list[Path]:
    """Draw every figure of a results folder into its plots/ folder; returns the files written."""
    folder = ResultsFolder(path)
    ts, order, configs, parents = load_folder(path)
    if ts.empty:
        return []
    colors = scenario_colors(order)
    years = (int(ts["year"].min()), int(ts["year"].max()))
    reforms = reform_markers({n: configs.get(n, {}) for n in order}, years=years, parents=parents) if configs \
        else None
    layer = ObservedLayer.for_folder(path, observed)  # observed data (shipped, recorded, `observed`)
    written = []
    figures = [(m, metric_figure(ts, m, order=order, colors=colors, reforms=reforms, observed=layer)) for m in metrics]
    figures.append(("overview", overview_figure(ts, metrics, order=order, colors=colors, reforms=reforms,
                                                observed=layer)))
    for stem, fig in figures:
        for fmt in formats:
            written.append(save_figure(fig, folder.plots_dir / f"{stem}.{fmt}", fmt))
    return written
