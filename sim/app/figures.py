"""The dashboard's figures: outcome curves beside the baseline, the county picture and the city tiers."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from ..ensemble.tables import without_start_flows
from ..inputs.registry import CITY_TIERS
from ..outcomes.metrics import METRICS

CURRENT_COLOR = "#D55E00"
BASELINE_COLOR = "#4D4D4D"

OUTCOME_PANELS: list[tuple[str, list[str]]] = [
    ("Hukou and urbanization", ["urbanization_rate", "hukou_urbanization_rate", "urbanization_gap", "citizenized"]),
    ("Incomes and services", ["urban_rural_income_ratio", "ag_productivity_ratio", "public_service_equalization",
                              "income_gini"]),
    ("Villages and land", ["land_transfer_share", "idle_homestead_share", "rural_elderly_share",
                           "abandoned_land_share"]),
    ("Labour, capital and counties", ["migrant_workers", "county_town_share", "urban_to_rural_capital",
                                      "talent_to_rural"]),
]

STYLE = {"font.size": 9, "axes.titlesize": 9, "axes.labelsize": 8, "xtick.labelsize": 8, "ytick.labelsize": 8,
         "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
         "legend.fontsize": 8}


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    """PNG bytes of a figure (every dashboard plot goes through here)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width))


def outcome_figure(current: pd.DataFrame, baseline: pd.DataFrame | None, metrics: Sequence[str], *,
                   title: str = "", lever_years: Sequence[int] = (), years: tuple[int, int] | None = None,
                   label: str = "current settings", baseline_label: str = "baseline") -> Figure:
    """Small multiples of `metrics` over years: current settings (solid) and the baseline run (dashed)."""
    metrics = list(metrics)
    current = without_start_flows(current)
    baseline = without_start_flows(baseline) if baseline is not None else None
    ncols = 2
    nrows = -(-len(metrics) // ncols)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(6.6, 1.95 * nrows + 0.75), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, metric in zip(axes, metrics):
            meta = METRICS[metric]
            ax.plot(current["year"], current[metric], color=CURRENT_COLOR, lw=2.2, marker="o", ms=2.5, label=label)
            if baseline is not None and len(baseline):
                ax.plot(baseline["year"], baseline[metric], color=BASELINE_COLOR, ls="--", lw=1.2,
                        label=baseline_label)
            if years is not None:
                ax.set_xlim(years[0] - 0.5, years[1] + 0.5)
            for y in sorted(set(lever_years)):
                ax.axvline(y, color=CURRENT_COLOR, ls=":", lw=0.9, alpha=0.7)
            ax.set_title(_wrap(meta.label, 40), loc="left")
            ax.set_ylabel(meta.unit if len(meta.unit) < 22 else _wrap(meta.unit, 18))
            ax.xaxis.get_major_locator().set_params(integer=True)
        for ax in axes[len(metrics):]:
            ax.axis("off")
        handles, labels = axes[0].get_legend_handles_labels()
        if lever_years:
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], color=CURRENT_COLOR, ls=":", lw=0.9))
            labels.append("lever moved")
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), frameon=False)
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=11)
    return fig


def county_change(counties: pd.DataFrame) -> pd.DataFrame:
    """Per county: rural residents and county-town population now against the first year (% change), land."""
    first, last = counties["year"].min(), counties["year"].max()
    a = counties[counties["year"] == first].set_index("county")
    b = counties[counties["year"] == last].set_index("county")
    return pd.DataFrame({
        "name": b["name"],
        "rural_residents_change": 100 * (b["rural_residents"] / a["rural_residents"].clip(lower=1) - 1),
        "town_population_change": 100 * (b["town_population"] / a["town_population"].clip(lower=1) - 1),
        "land_transfer_share": b["land_transfer_share"],
        "idle_homestead_share": b["idle_homestead_share"],
        "rural_income_per_capita": b["rural_income_per_capita"],
    })


def county_figure(current: pd.DataFrame, baseline: pd.DataFrame | None) -> Figure:
    """The county picture: which counties empty, which county towns grow, where land is transferred."""
    cur = county_change(current)
    base = county_change(baseline) if baseline is not None and len(baseline) else None
    first, last = int(current["year"].min()), int(current["year"].max())
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(6.6, 4.6), layout="constrained")
        (a1, a2), (a3, a4) = fig.subplots(2, 2)
        rank = range(1, len(cur) + 1)
        if base is not None:
            a1.plot(rank, base["rural_residents_change"].sort_values().to_numpy(), color=BASELINE_COLOR, ls="--",
                    lw=1.4, label="baseline")
        a1.plot(rank, cur["rural_residents_change"].sort_values().to_numpy(), color=CURRENT_COLOR, lw=2,
                label="current settings")
        a1.axhline(0, color="black", lw=0.6)
        a1.set_title(_wrap(f"Rural residents, change {first}-{last}, counties ranked"), loc="left")
        a1.set_ylabel("%")
        a1.set_xlabel("county rank")

        sc = a2.scatter(cur["rural_residents_change"], cur["town_population_change"], c=cur["land_transfer_share"],
                        cmap="viridis", s=12, vmin=0, vmax=100)
        a2.axhline(0, color="black", lw=0.6)
        a2.axvline(0, color="black", lw=0.6)
        a2.set_title(_wrap("Villages emptying vs county town growing (colour: land transferred %)"), loc="left")
        a2.set_xlabel("rural residents change, %")
        a2.set_ylabel("county-town pop. change, %")
        fig.colorbar(sc, ax=a2, shrink=0.85, label="land transferred, %")

        for ax, col, ttl in ((a3, "land_transfer_share", "Land transferred by county"),
                             (a4, "idle_homestead_share", "Idle homesteads by county")):
            lo = 0.0
            hi = max(100.0 if col == "land_transfer_share" else 1.0,
                     float(cur[col].max()), float(base[col].max()) if base is not None else 0.0)
            bins = [lo + (hi - lo) * i / 20 for i in range(21)]
            if base is not None:
                ax.hist(base[col], bins=bins, histtype="step", color=BASELINE_COLOR, ls="--", lw=1.4,
                        label="baseline")
            ax.hist(cur[col], bins=bins, color=CURRENT_COLOR, alpha=0.6, label="current settings")
            ax.set_title(f"{ttl}, {last}", loc="left")
            ax.set_xlabel("% of the county")
            ax.set_ylabel("counties")
        handles, labels = a1.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
    return fig


def tier_figure(current: pd.DataFrame, baseline: pd.DataFrame | None) -> Figure:
    """Per city tier in the last year: outbound migrant workers and settlement openness in force."""
    import numpy as np

    last = int(current["year"].max())
    cur = current[current["year"] == last].set_index("tier").reindex(list(CITY_TIERS))
    base = None
    if baseline is not None and len(baseline):
        base = baseline[baseline["year"] == int(baseline["year"].max())].set_index("tier").reindex(list(CITY_TIERS))
    x = np.arange(len(CITY_TIERS))
    names = [t.replace("_", "-") for t in CITY_TIERS]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(6.6, 4.2), layout="constrained")
        a1, a2 = fig.subplots(1, 2)
        w = 0.4
        if base is not None:
            a1.bar(x - w / 2, base["outbound_migrants"] / 1e6, w, color=BASELINE_COLOR, alpha=0.5, label="baseline")
            a2.bar(x - w / 2, base["settlement_openness"], w, color=BASELINE_COLOR, alpha=0.5, label="baseline")
        a1.bar(x + w / 2, cur["outbound_migrants"] / 1e6, w, color=CURRENT_COLOR, label="current settings")
        a2.bar(x + w / 2, cur["settlement_openness"], w, color=CURRENT_COLOR, label="current settings")
        a1.set_title(_wrap(f"Outbound migrant workers by destination tier, {last}"), loc="left")
        a1.set_ylabel("million persons")
        a2.set_title(_wrap(f"Settlement openness in force, {last}"), loc="left")
        a2.set_ylabel("share admitted")
        a2.set_ylim(0, 1.05)
        for ax in (a1, a2):
            ax.set_xticks(x, names, rotation=45, ha="right")
        handles, labels = a1.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
    return fig


