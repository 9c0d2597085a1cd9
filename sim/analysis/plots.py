"""Figures of an analysis folder, drawn from its tables (no pyplot state; written atomically into DIR/plots/).

Sensitivity: a mu*-sigma plane per outcome and year (Morris), ranked bars of S1 and ST with their intervals
(Sobol'). Robustness: regret distributions, satisficing shares, and each PRIM box with its peeling trade-off.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..ensemble.plots import STYLE, pretty, save_figure, scenario_colors
from ..outcomes.metrics import METRICS

KIND_COLORS = {"lever": "#D55E00", "uncertainty": "#0072B2", "parameter": "#666666"}
KIND_PLURAL = {"lever": "levers", "uncertainty": "uncertainties", "parameter": "parameters"}
LABELLED = 8  # inputs named on a mu*-sigma plane


def _title(metric: str, year: int) -> str:
    meta = METRICS.get(metric)
    return f"{meta.label if meta else metric}, {year}"


def _unit(metric: str) -> str:
    meta = METRICS.get(metric)
    return meta.unit if meta else ""


def morris_figure(table: pd.DataFrame, metric: str, year: int) -> Figure:
    """mu* (x, with its bootstrap interval) against sigma (y): far right = influential, high = non-linear or
    interacting; the strongest inputs are named."""
    import matplotlib

    sub = table[(table["outcome"] == metric) & (table["year"] == year)].sort_values("mu_star", ascending=False)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8.5, 6.0), layout="constrained")
        ax = fig.add_subplot()
        for kind, color in KIND_COLORS.items():
            k = sub[sub["kind"] == kind]
            if k.empty:
                continue
            ax.errorbar(k["mu_star"], k["sigma"], xerr=k["mu_star_conf"], fmt="o", color=color, ecolor=color,
                        alpha=0.75, elinewidth=0.8, markersize=5, label=f"{KIND_PLURAL[kind]} ({len(k)})")
        top = float(sub["mu_star"].max()) if len(sub) else 0.0
        if np.isfinite(top) and top > 0:
            ax.plot([0, top], [0, top], color="#AAAAAA", linestyle=":", linewidth=1)  # sigma = mu*
        for _, row in sub.head(LABELLED).iterrows():
            ax.annotate(row["input"], (row["mu_star"], row["sigma"]), xytext=(4, 3), textcoords="offset points",
                        fontsize=8)
        unit = _unit(metric)
        ax.set_xlabel(f"\u03bc* (mean |elementary effect|, {unit} over the input's range)")
        ax.set_ylabel(f"\u03c3 (spread of elementary effects, {unit})")
        ax.set_title(_title(metric, year), loc="left")
        ax.legend(frameon=False, loc="upper left")
        fig.supxlabel("Dotted line: \u03c3 = \u03bc*. Bars: bootstrap interval of \u03bc*.", x=0.0, ha="left",
                      fontsize=9, color="#555555")
    return fig


def sobol_figure(table: pd.DataFrame, metric: str, year: int, top: int = 20) -> Figure:
    """The inputs ranked by total index ST, with first-order S1 beside it, both with their intervals."""
    import matplotlib

    sub = table[(table["outcome"] == metric) & (table["year"] == year)].sort_values("ST", ascending=False).head(top)
    sub = sub.iloc[::-1]  # largest at the top
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8.5, 1.2 + 0.38 * max(len(sub), 1)), layout="constrained")
        ax = fig.add_subplot()
        y = np.arange(len(sub))
        ax.barh(y + 0.2, sub["ST"], height=0.4, xerr=sub["ST_conf"], color="#0072B2", label="total (ST)",
                error_kw={"elinewidth": 0.8})
        ax.barh(y - 0.2, sub["S1"], height=0.4, xerr=sub["S1_conf"], color="#E69F00", label="first order (S1)",
                error_kw={"elinewidth": 0.8})
        ax.set_yticks(y, sub["input"])
        ax.set_xlabel("Share of the outcome's variance")
        ax.set_title(_title(metric, year), loc="left")
        ax.legend(frameon=False, loc="lower right")
        ax.grid(axis="y", visible=False)
    return fig


def plot_sensitivity(path: Path | str, formats=("png",)) -> list[Path]:
    """Every figure of a sensitivity folder; returns the files written."""
    path = Path(path)
    written = []
    for name, draw in (("morris", morris_figure), ("sobol", sobol_figure)):
        table_path = path / f"{name}.csv"
        if not table_path.is_file():
            continue
        table = pd.read_csv(table_path)
        for (metric, year), _ in table.groupby(["outcome", "year"], sort=False):
            fig = draw(table, metric, int(year))
            for fmt in formats:
                written.append(save_figure(fig, path / "plots" / f"{name}-{metric}-{int(year)}.{fmt}", fmt))
    return written
