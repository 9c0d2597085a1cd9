"""Interactive dashboard: move the policy levers and watch the outcomes respond, beside the baseline.

Start it with::

    solara run sim/app.py                      # then open http://localhost:8765

or show it in a Jupyter notebook cell::

    from sim.app import page
    page

Built on Mesa's `SolaraViz` (sidebar: Reset / Play / Step, the model parameters that need a Reset to apply:
starting scenario, household agents, seed, last year, whether to run the baseline beside) plus a "Policy levers"
card whose sliders act on the running model at once (`PolicyTable.set_constant`: the value holds from the next
simulated year on). The main area has two pages: the outcome curves (current settings against the baseline run
with the same seed and households) and the county and city-tier picture. See docs/dashboard.md.

Works on Mesa 3.3 (with ipyvuetify<3) and 3.5: it uses only `SolaraViz(model, components, model_params, name)`,
`mesa.visualization.utils.update_counter` and plain solara components, and the model takes explicit keyword
arguments (no `scenario`, `rng` or `**kwargs`, which Mesa 3.5 routes differently).
"""

from __future__ import annotations

import functools
import html
import io
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from sim.outcomes.metrics import METRICS
from sim.engine.model import ChengxiangModel
from sim.inputs.registry import CITY_TIERS, LEVERS
from sim.inputs.policy import PolicyTable

title = "Chengxiang dashboard"  # browser tab title (solara reads the module's `title`)

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
BASELINE = "baseline"
STRATEGY_ORDER = ("baseline", "new_urbanization", "rural_revitalization", "integrated")

DEFAULTS = {"start_from": BASELINE, "households": 5000, "seed": 0, "end_year": 2035, "show_baseline": True}

CURRENT_COLOR = "#D55E00"
BASELINE_COLOR = "#4D4D4D"

# ----------------------------------------------------------------------------------------------- levers shown
LEVER_GROUPS: list[tuple[str, list[str], bool]] = [  # (heading, levers, open at start)
    ("Settlement rules by city tier", [f"settlement_openness_{t}" for t in CITY_TIERS]
     + ["settlement_openness_county_town"], True),
    ("Hukou and services", ["services_by_residence", "residence_years_required", "citizenization_support"], True),
    ("Land rights", ["land_paid_exit", "land_exit_compensation", "land_rights_kept_on_settling",
                     "unified_construction_land_market", "land_rental_friction", "land_revenue_to_agriculture"],
     True),
    ("County and villages", ["county_infrastructure", "county_services_to_villages", "county_industry_promotion",
                             "county_fiscal_autonomy"], True),
    ("Capital and talent", ["rural_finance_access", "urban_capital_incentive", "urban_talent_incentive",
                            "agri_tech_transfer"], True),
    ("Labour", ["skills_training_coverage", "employment_services"], True),
]

LEVER_LABELS: dict[str, str] = {
    "settlement_openness_megacity": "Megacities (>10 M)",
    "settlement_openness_super_large": "Super-large cities (5-10 M)",
    "settlement_openness_large_i": "Large cities I (3-5 M)",
    "settlement_openness_large_ii": "Large cities II (1-3 M)",
    "settlement_openness_medium": "Medium cities (0.5-1 M)",
    "settlement_openness_small": "Small cities (<0.5 M)",
    "settlement_openness_county_town": "County towns",
    "services_by_residence": "Services by residence (share)",
    "residence_years_required": "Residence years to settle",
    "citizenization_support": "Fiscal support follows people",
    "land_paid_exit": "Paid exit of land rights (reach)",
    "land_exit_compensation": "Exit compensation (years of income)",
    "land_rights_kept_on_settling": "Land rights kept on settling",
    "unified_construction_land_market": "Unified construction-land market",
    "land_rental_friction": "Land rental friction",
    "land_revenue_to_agriculture": "Land revenue to agriculture (share)",
    "county_infrastructure": "County infrastructure to villages",
    "county_services_to_villages": "County services to villages",
    "county_industry_promotion": "County industry promotion",
    "county_fiscal_autonomy": "County resource-integration rights",
    "rural_finance_access": "Rural finance",
    "urban_capital_incentive": "Urban capital to villages",
    "urban_talent_incentive": "Urban talent to villages",
    "agri_tech_transfer": "Technology transfer to farming",
    "skills_training_coverage": "Skills training (share per year)",
    "employment_services": "Employment services",
}
INTEGER_LEVERS = {"residence_years_required", "land_exit_compensation"}

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


# ----------------------------------------------------------------------------------------------- scenarios
def scenario_names(folder: Path | str = SCENARIO_DIR) -> list[str]:
    """Scenario files the dashboard can start from, as paths relative to `scenarios/` without `.yaml`."""
    folder = Path(folder)
    names = sorted(p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*.yaml"))
    first = [n for n in STRATEGY_ORDER if n in names]
    return first + [n for n in names if n not in first]


def reference_of(start_from: str) -> str:
    """The baseline drawn beside a scenario: `baseline` in the same folder (province/x -> province/baseline)."""
    folder = start_from.rpartition("/")[0]
    return f"{folder}/{BASELINE}" if folder else BASELINE


@functools.lru_cache(maxsize=64)
def _scenario_config(name: str, households: int, end_year: int) -> dict:
    from sim.scenario import Overrides, load_scenario

    scenario = Overrides(households=households, end_year=end_year).apply(load_scenario(SCENARIO_DIR / f"{name}.yaml"))
    return scenario.model_dump(mode="python")


def scenario_config(name: str, households: int, end_year: int) -> dict:
    """The resolved config of `scenarios/<name>.yaml` with the household count and last year overridden."""
    import copy

    return copy.deepcopy(_scenario_config(str(name), int(households), int(end_year)))


# ----------------------------------------------------------------------------------------------- the model
class DashboardModel(ChengxiangModel):
    """The model the dashboard steps: a scenario, live lever overrides, and the baseline run stepped alongside.

    `set_lever(name, value)` holds a lever at a constant from the next simulated year on (the value in force this
    year, `self.lever`, shows it at once); `clear_overrides()` returns every lever to the scenario's schedule.
    `self.baseline` is the reference scenario (`reference_of(start_from)`) with the same seed, households and
    years, or None when `show_baseline` is False.
    """

    def __init__(self, start_from: str = DEFAULTS["start_from"], households: int = DEFAULTS["households"],
                 seed: int = DEFAULTS["seed"], end_year: int = DEFAULTS["end_year"],
                 show_baseline: bool = DEFAULTS["show_baseline"]):
        households, end_year, seed = int(households), int(end_year), int(seed)
        super().__init__(scenario_config(start_from, households, end_year), seed=seed)
        self.start_from = str(start_from)
        self.households_requested = households
        self.overrides: dict[str, float] = {}
        self.lever_log: list[tuple[int, str, float]] = []  # (year moved, lever, value)
        self.baseline: ChengxiangModel | None = None
        if show_baseline:
            self.baseline = ChengxiangModel(scenario_config(reference_of(start_from), households, end_year), seed=seed)

    def step(self) -> None:
        if not self.running:
            return
        super().step()
        base = self.baseline
        while base is not None and base.running and base.year < self.year:
            base.step()

    def set_lever(self, name: str, value: float) -> float:
        """Hold `name` at `value` (clipped to its range) from the next simulated year on; returns the value."""
        param = LEVERS[name]
        value = min(max(float(value), param.low), param.high)
        self.policy.set_constant(name, value)
        self.overrides[name] = value
        self.lever_log.append((self.year, name, value))
        self.read_policy()
        return value

    def clear_overrides(self) -> None:
        """Every lever follows the scenario's schedule again (from the next simulated year on)."""
        if not self.overrides:
            return
        self.policy = PolicyTable(self.config["levers"], self.config["uncertainties"])
        self.overrides = {}
        self.lever_log.append((self.year, "(all levers back to the scenario)", float("nan")))
        self.read_policy()

    def baseline_results(self) -> pd.DataFrame | None:
        return None if self.baseline is None else self.baseline.results()

    def describe(self) -> str:
        moved = len(self.overrides)
        base = (f"beside it: {html.escape(reference_of(self.start_from))}" if self.baseline is not None
                else "no baseline run")
        return (f"<b>Year {self.year}</b> · start: {html.escape(self.start_from)} · {moved} lever"
                f"{'s' if moved != 1 else ''} moved · {self.households.n:,} households · seed {self.seed} · {base}")


# ----------------------------------------------------------------------------------------------- figures
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


# ----------------------------------------------------------------------------------------------- components
def _image(png: bytes):
    import reacton.ipywidgets as rw

    return rw.Image(value=png, format="png", _dom_classes=["chengxiang-plot"],
                    layout={"width": "100%", "height": "auto", "object_fit": "contain"})


def _lever_years(model) -> list[int]:
    return [y for y, _, _ in getattr(model, "lever_log", [])]


@solara.component
def OutcomePanel(model, title: str, metrics: Sequence[str]):
    """Key outcomes of the running model (and the baseline beside it), redrawn after every step."""
    update_counter.get()
    base = model.baseline_results() if hasattr(model, "baseline_results") else None
    fig = outcome_figure(model.results(), base, metrics, title=title, lever_years=_lever_years(model),
                         years=(model.start_year, model.end_year))
    _image(figure_png(fig))


@solara.component
def CountyPanel(model):
    """Per-county picture of the running model against the baseline."""
    update_counter.get()
    base = getattr(model, "baseline", None)
    current = model.county_timeseries()
    base_ct = base.county_timeseries() if base is not None else None
    _image(figure_png(county_figure(current, base_ct)))


@solara.component
def CountyTable(model):
    """The counties whose villages empty fastest under the current settings."""
    update_counter.get()
    current = model.county_timeseries()
    with solara.Column(gap="4px"):
        table = county_change(current).sort_values("rural_residents_change").head(8)
        rows = "".join(f"<tr><td>{html.escape(str(r.name))}</td><td>{r.rural_residents_change:+.0f}%</td>"
                       f"<td>{r.town_population_change:+.0f}%</td><td>{r.land_transfer_share:.0f}%</td>"
                       f"<td>{r.idle_homestead_share:.0f}%</td></tr>" for r in table.itertuples())
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<b>Counties emptying fastest</b>, {int(current['year'].min())}-{int(current['year'].max())}, "
            f"current settings ({len(table)} of {current['county'].nunique()} counties)"
            "<table class='chengxiang-counties' style='border-spacing: 14px 2px'>"
            "<tr><th>county</th><th>rural residents</th><th>county town</th><th>land transferred</th>"
            "<th>idle homesteads</th></tr>" + rows + "</table>"), style={"font-size": "0.85em"})


@solara.component
def TierPanel(model):
    """Per-city-tier picture of the running model against the baseline."""
    update_counter.get()
    base = getattr(model, "baseline", None)
    fig = tier_figure(model.tier_timeseries(), base.tier_timeseries() if base is not None else None)
    _image(figure_png(fig))


@solara.component
def HukouPanel(model):
    OutcomePanel(model, *OUTCOME_PANELS[0])


@solara.component
def IncomePanel(model):
    OutcomePanel(model, *OUTCOME_PANELS[1])


@solara.component
def VillagePanel(model):
    OutcomePanel(model, *OUTCOME_PANELS[2])


@solara.component
def CapitalPanel(model):
    OutcomePanel(model, *OUTCOME_PANELS[3])


def components() -> list:
    """(component, page) pairs for SolaraViz: page 0 outcome curves, page 1 counties and city tiers."""
    return [(HukouPanel, 0), (IncomePanel, 0), (VillagePanel, 0), (CapitalPanel, 0), (CountyPanel, 1),
            (TierPanel, 1), (CountyTable, 1)]


COMPONENTS = components()


def model_params(folder: Path | str = SCENARIO_DIR) -> dict:
    """SolaraViz model parameters: they build a new model, so they apply when Reset is pressed."""
    return {
        "start_from": {"type": "Select", "value": DEFAULTS["start_from"], "values": scenario_names(folder),
                       "label": "Start from scenario (on Reset)"},
        "households": {"type": "SliderInt", "value": DEFAULTS["households"], "min": 1000, "max": 20000,
                       "step": 1000, "label": "Household agents (on Reset)"},
        "seed": {"type": "SliderInt", "value": DEFAULTS["seed"], "min": 0, "max": 99, "step": 1,
                 "label": "Seed (on Reset)"},
        "end_year": {"type": "SliderInt", "value": DEFAULTS["end_year"], "min": 2015, "max": 2050, "step": 1,
                     "label": "Last year (on Reset)"},
        "show_baseline": {"type": "Checkbox", "value": DEFAULTS["show_baseline"],
                          "label": "Run the baseline beside (on Reset)"},
    }


def slider_step(name: str) -> float:
    return 1.0 if name in INTEGER_LEVERS else 0.01


@solara.component
def LeverSlider(name: str, value: float, moved: bool, on_move):
    """One lever: its label and value in force this year above a full-width slider (found by `meta_lever`)."""
    import reacton.ipyvuetify as rv

    param = LEVERS[name]
    shown = f"{value:.0f}" if name in INTEGER_LEVERS else f"{value:.2f}"
    with solara.Column(gap="0px", style={"margin": "0 0 2px 0"}, classes=[f"chengxiang-lever-{name}"]):
        with solara.Row(justify="space-between", style={"font-size": "0.86em", "line-height": "1.2"}):
            solara.Text(("● " if moved else "") + LEVER_LABELS.get(name, name),
                        style={"font-weight": "600" if moved else "400"})
            solara.Text(shown, style={"font-weight": "600", "color": CURRENT_COLOR if moved else "#333"})
        slider_value = int(round(value)) if name in INTEGER_LEVERS else round(value, 2)
        rv.Slider(v_model=slider_value, on_v_model=lambda v: on_move(name, v), min=param.low, max=param.high,
                  step=slider_step(name), thumb_label=True, hide_details=True).meta(lever=name)


@solara.component
def LeverPanel(model: solara.Reactive, overrides: solara.Reactive):
    """Sliders for the policy levers of the running model; a moved lever holds its value from the next year on.

    Moved levers are kept in `overrides` and applied again to the new model after a Reset.
    """
    update_counter.get()
    m = model.value
    _, bump = solara.use_state(0)

    def reapply():
        changed = False
        for name, value in overrides.value.items():
            if getattr(m, "overrides", {}).get(name) != value:
                m.set_lever(name, value)
                changed = True
        if changed:
            force_update()

    solara.use_effect(reapply, [m])

    def on_move(name, value):
        # A slider snaps a scheduled value that is not on its step (0.4333 -> 0.43) and reports it: that is
        # not a move. A real move is at least one step away from the value in force.
        if abs(float(value) - float(model.value.lever[name])) <= slider_step(name) / 2 + 1e-9:
            return
        value = model.value.set_lever(name, value)
        overrides.set({**overrides.value, name: value})
        bump(lambda n: n + 1)

    def follow_scenario():
        model.value.clear_overrides()
        overrides.set({})
        bump(lambda n: n + 1)

    with solara.Card("Policy levers"):
        solara.HTML(tag="div", unsafe_innerHTML=m.describe() if hasattr(m, "describe") else f"<b>{m.year}</b>")
        solara.Text("Values in force this year. A moved lever (●) holds its value from the next year on, "
                    "also after Reset.", style={"font-size": "0.8em", "color": "#555"})
        solara.Button("Follow the scenario again", on_click=follow_scenario, disabled=not overrides.value,
                      text=True, color="primary", small=True)
        for heading, names, expand in LEVER_GROUPS:
            with solara.Details(heading, expand=expand):
                for name in names:
                    LeverSlider(name, float(m.lever[name]), name in m.overrides, on_move)


@solara.component
def _Nest(model, overrides, depth: int = 3):
    # Solara orders sidebar content by nesting depth: nesting the lever card below SolaraViz's own sidebar
    # cards puts it after Controls / Model Parameters / Information.
    if depth > 0:
        _Nest(model, overrides, depth - 1)
    else:
        with solara.Sidebar():
            LeverPanel(model, overrides)


@solara.component
def Page():
    """The dashboard: one model per browser session (or notebook cell)."""
    initial = solara.use_memo(lambda: DashboardModel(**DEFAULTS), [])
    model = solara.use_reactive(initial)
    overrides = solara.use_reactive({})
    params = solara.use_memo(model_params, [])
    SolaraViz(model, components=COMPONENTS, model_params=params,
              name="Chengxiang: urban-rural integration")
    _Nest(model, overrides)


page = Page()
"""Show `page` as the last line of a notebook cell to display the dashboard."""
