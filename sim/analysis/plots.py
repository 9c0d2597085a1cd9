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


# ----------------------------------------------------------------------------------------------- robustness
def regret_figure(samples_regret: pd.DataFrame, order: list[str], ncols: int = 3) -> Figure:
    """Box plots of each strategy's regret across states, one panel per outcome and year."""
    import matplotlib

    panels = list(samples_regret.groupby(["outcome", "year"], sort=False))
    colors = scenario_colors(order)
    nrows = -(-len(panels) // ncols)
    with matplotlib.rc_context(dict(STYLE, **{"axes.titlesize": 10, "font.size": 9})):
        fig = Figure(figsize=(4.3 * ncols, 2.9 * nrows + 0.8), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, ((metric, year), sub) in zip(axes, panels):
            data = [sub.loc[sub["strategy"] == s, "regret"].dropna().to_numpy() for s in order]
            style = dict(patch_artist=True, widths=0.6, showfliers=True, flierprops={"markersize": 2})
            try:
                parts = ax.boxplot(data, orientation="horizontal", **style)
            except TypeError:  # matplotlib < 3.10
                parts = ax.boxplot(data, vert=False, **style)
            for patch, s in zip(parts["boxes"], order):
                patch.set_facecolor(colors[s])
                patch.set_alpha(0.6)
            ax.set_yticks(range(1, len(order) + 1), [pretty(s) for s in order])
            goal = sub["goal"].iloc[0]
            ax.set_title("\n".join(textwrap.wrap(f"{_title(metric, int(year))} ({goal})", 40)), loc="left")
            ax.set_xlabel(f"regret ({_unit(metric)})")
        for ax in axes[len(panels):]:
            ax.axis("off")
        fig.suptitle("Regret: distance to the best strategy in each state of the world", x=0.0, ha="left",
                     fontsize=13, fontweight="bold")
    return fig


def satisficing_figure(table: pd.DataFrame, order: list[str]) -> Figure:
    """Share of states where each strategy meets each threshold."""
    import matplotlib

    criteria = list(dict.fromkeys(table["criterion"]))
    colors = scenario_colors(order)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(max(6.0, 1.6 + 1.1 * len(criteria) * max(1, len(order)) / 2), 4.8),
                     layout="constrained")
        ax = fig.add_subplot()
        width = 0.8 / max(1, len(order))
        x = np.arange(len(criteria))
        for k, s in enumerate(order):
            sub = table[table["strategy"] == s].set_index("criterion").reindex(criteria)
            ax.bar(x + (k - (len(order) - 1) / 2) * width, sub["met_share"], width=width, color=colors[s],
                   label=pretty(s))
        ax.set_xticks(x, ["\n".join(textwrap.wrap(c, 24)) for c in criteria])
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of states where the threshold is met")
        ax.set_title("Satisficing", loc="left")
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def prim_figure(boxes: pd.DataFrame, trajectory: pd.DataFrame, strategy: str, criterion: str) -> Figure:
    """Left: PRIM's peeling trade-off (coverage against density, colour = restricted inputs), the chosen box
    circled. Right: the chosen box's limits on each restricted input, within the sampled range."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(12.0, 4.8), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.2])
        sc = left.scatter(trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis",
                          s=18)
        fig.colorbar(sc, ax=left, label="restricted inputs")
        chosen = trajectory[trajectory["chosen"].astype(bool)]
        left.scatter(chosen["coverage"], chosen["density"], s=140, facecolors="none", edgecolors="#D55E00",
                     linewidths=2, label="chosen box")
        left.set_xlabel("coverage (share of failures in the box)")
        left.set_ylabel("density (share of the box that fails)")
        left.set_xlim(0, 1.02)
        left.set_ylim(0, 1.02)
        left.legend(frameon=False, loc="lower left")
        left.set_title("Peeling trajectory", loc="left")
        restricted = boxes.dropna(subset=["input"])
        y = np.arange(len(restricted))
        span = (restricted["range_high"] - restricted["range_low"]).replace(0, np.nan)
        lo = (restricted["low"] - restricted["range_low"]) / span
        hi = (restricted["high"] - restricted["range_low"]) / span
        right.barh(y, 1.0, color="#EEEEEE", height=0.6)
        right.barh(y, hi - lo, left=lo, color="#D55E00", height=0.6)
        for k, r in enumerate(restricted.itertuples()):
            right.text(1.02, k, f"{r.low:.3g} to {r.high:.3g}  (qp {r.qp:.2g})", va="center", fontsize=9)
        right.set_yticks(y, restricted["input"])
        right.set_xlim(0, 1.6)
        right.set_xticks([0, 0.5, 1], ["low", "", "high"])
        right.grid(axis="y", visible=False)
        head = boxes.iloc[0]
        right.set_title(f"Box: coverage {head['coverage']:.2f}, density {head['density']:.2f}", loc="left")
        fig.suptitle(f"{pretty(strategy)} fails {criterion} in {int(head['failures'])} of {int(head['states'])} "
                     "states", x=0.0, ha="left", fontsize=13, fontweight="bold")
    return fig


def _slug(text: str) -> str:
    for a, b in (("<=", "-le-"), (">=", "-ge-"), ("<", "-lt-"), (">", "-gt-"), ("@", "-")):
        text = text.replace(a, b)
    return text


def plot_robustness(path: Path | str, formats=("png",)) -> list[Path]:
    """Every figure of a robustness folder; returns the files written."""
    from .outcomes import column
    from .robustness import by_state, regret

    path = Path(path)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    order = list(manifest["strategy_names"])
    samples = pd.read_parquet(path / "samples.parquet")
    figures = []
    frames = []
    for metric, year in [(m, y) for y in manifest["years"] for m in manifest["outcomes"]]:
        goal = manifest["goals"].get(metric)
        if goal is None:
            continue
        r = regret(by_state(samples, column(metric, year)), goal)
        frames.append(r.melt(value_name="regret", ignore_index=False).assign(outcome=metric, year=year, goal=goal))
    if frames:
        figures.append(("regret", regret_figure(pd.concat(frames), order)))
    if (path / "satisficing.csv").is_file():
        figures.append(("satisficing", satisficing_figure(pd.read_csv(path / "satisficing.csv"), order)))
    if (path / "prim.csv").is_file():
        boxes = pd.read_csv(path / "prim.csv")
        paths = pd.read_csv(path / "prim_trajectories.csv")
        for (strategy, criterion), sub in boxes.groupby(["strategy", "criterion"], sort=False):
            traj = paths[(paths["strategy"] == strategy) & (paths["criterion"] == criterion)]
            if traj.empty:
                continue
            figures.append((f"prim-{strategy}-{_slug(criterion)}", prim_figure(sub, traj, strategy, criterion)))
    written = []
    for stem, fig in figures:
        for fmt in formats:
            written.append(save_figure(fig, path / "plots" / f"{stem}.{fmt}", fmt))
    return written
