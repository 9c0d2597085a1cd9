"""Figures of a calibration: the fit (observed points against the posterior-predictive band and the
posterior-median run, one panel per metric), the pair plot of the posterior, and the epsilon schedule."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..outcomes.metrics import METRICS
from .posterior import Posterior
from .priors import Prior

BAND, LINE = "#0072B2", "#0B3C5D"


def fit_figure(points: pd.DataFrame, predictive: pd.DataFrame, point: pd.DataFrame, ncols: int = 4) -> Figure:
    """One panel per metric with observed points: predictive 10-90 % band, posterior-median run, observed points
    (filled: fitted; open: shown only)."""
    from ..ensemble.observed import draw_observed, observed_handles

    metrics = list(dict.fromkeys(points["metric"]))
    nrows = -(-len(metrics) // ncols)
    fig = Figure(figsize=(4.0 * ncols, 2.9 * nrows + 0.9), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, metric in zip(axes, metrics):
        if len(predictive):
            g = predictive.groupby("year")[metric]
            ax.fill_between(g.quantile(0.1).index, g.quantile(0.1), g.quantile(0.9), color=BAND, alpha=0.2, lw=0)
        if len(point):
            ax.plot(point["year"], point[metric], color=LINE, lw=1.8)
        years = (float(point["year"].min()), float(point["year"].max())) if len(point) else None
        draw_observed(ax, points, metric, years)
        ax.set_title("\n".join(textwrap.wrap(METRICS[metric].label, 36)), loc="left", fontsize=9.5)
        ax.set_ylabel(METRICS[metric].unit, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)
    for ax in axes[len(metrics):]:
        ax.axis("off")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles, labels = observed_handles(points)
    handles = [Patch(facecolor=BAND, alpha=0.2), Line2D([], [], color=LINE, lw=1.8), *handles]
    labels = ["Posterior predictive 10-90 % (parameters and seeds)", "Posterior-median parameters", *labels]
    fig.legend(handles, labels, loc="outside lower left", ncols=len(labels), frameon=False, fontsize=9)
    fig.suptitle("Calibration fit, 2013-2018", x=0.0, ha="left", fontsize=13, fontweight="bold")
    return fig


def pair_figure(posterior: Posterior, priors: Sequence[Prior], true_values: dict[str, float] | None = None
                ) -> Figure:
    """Pair plot of the weighted posterior on the prior ranges: marginal histograms on the diagonal, weighted
    scatter below it (optional true values of a twin experiment in red)."""
    k = len(priors)
    w = posterior.weights
    size = max(1.15 * k, 6.0)
    fig = Figure(figsize=(size, size))  # fixed spacing: a constrained layout of k x k axes takes many seconds
    axes = fig.subplots(k, k, squeeze=False, gridspec_kw={"wspace": 0.08, "hspace": 0.08, "left": 0.1,
                                                          "bottom": 0.1, "right": 0.98, "top": 0.95})
    for i, pi in enumerate(priors):
        xi = posterior.sample[pi.name].to_numpy(float)
        for j, pj in enumerate(priors):
            ax = axes[i, j]
            ax.tick_params(labelsize=5, length=2)
            if j > i:
                ax.axis("off")
                continue
            ax.set_xlim(pj.low, pj.high)
            if i == j:
                ax.hist(xi, bins=20, range=(pi.low, pi.high), weights=w, color=BAND, alpha=0.7)
                ax.set_yticks([])
                if true_values and pi.name in true_values:
                    ax.axvline(true_values[pi.name], color="#D55E00", lw=1.2)
            else:
                xj = posterior.sample[pj.name].to_numpy(float)
                ax.scatter(xj, xi, s=2 + 14 * w / w.max(), color=LINE, alpha=0.35, lw=0)
                ax.set_ylim(pi.low, pi.high)
                if true_values and pi.name in true_values and pj.name in true_values:
                    ax.plot([true_values[pj.name]], [true_values[pi.name]], "x", color="#D55E00", ms=5)
            if i == k - 1:
                ax.set_xlabel("\n".join(textwrap.wrap(pj.name, 16)), fontsize=6)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel("\n".join(textwrap.wrap(pi.name, 16)), fontsize=6)
            elif j > 0:
                ax.set_yticklabels([])
    fig.suptitle("Posterior of the calibrated parameters (axes: prior ranges)", x=0.02, ha="left", fontsize=11,
                 fontweight="bold")
    return fig


def epsilon_figure(epsilons: Sequence[float], samples: Sequence[int]) -> Figure:
    """Epsilon (distance threshold, in tolerances) and counted evaluations per generation."""
    fig = Figure(figsize=(7.5, 3.4), layout="constrained")
    ax = fig.add_subplot()
    gens = np.arange(len(epsilons))
    ax.plot(gens, epsilons, "o-", color=LINE)
    ax.set_xlabel("Generation")
    ax.set_ylabel("Epsilon (RMS error in tolerances)")
    ax.set_yscale("log")
    ax2 = ax.twinx()
    ax2.bar(gens, samples, color=BAND, alpha=0.2)
    ax2.set_ylabel("Evaluations")
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return fig
