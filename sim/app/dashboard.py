"""The dashboard page: Mesa's `SolaraViz` (sidebar: Reset / Play / Step and the parameters that need a Reset),
the "Policy levers" card, and the outcome, county and city-tier panels."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from ..scenario import SCENARIO_DIR
from . import figures
from .figures import OUTCOME_PANELS, county_change, county_figure, outcome_figure, tier_figure
from .levers import LeverPanel
from .model import DEFAULTS, DashboardModel, scenario_names


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
    _image(figures.figure_png(fig))


@solara.component
def CountyPanel(model):
    """Per-county picture of the running model against the baseline."""
    update_counter.get()
    base = getattr(model, "baseline", None)
    current = model.county_timeseries()
    base_ct = base.county_timeseries() if base is not None else None
    _image(figures.figure_png(county_figure(current, base_ct)))


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
    _image(figures.figure_png(fig))


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


TABS: list[tuple[str, list]] = [  # (tab name, panels)
    ("Outcomes", [HukouPanel, IncomePanel, VillagePanel, CapitalPanel]),
    ("Counties and city tiers", [CountyPanel, TierPanel, CountyTable]),
]


@solara.component
def MainArea(model: solara.Reactive):
    """The panels in named tabs (Mesa's own pages are called "Page 0", "Page 1"); only the open tab draws."""
    current, set_current = solara.use_state(0)
    with solara.v.Tabs(v_model=current, on_v_model=set_current):
        for name, _ in TABS:
            solara.v.Tab(children=[name])
    with solara.v.TabsItems(v_model=current):
        for index, (_, panels) in enumerate(TABS):
            with solara.v.TabItem():
                if index == current:
                    with solara.ColumnsResponsive(12, large=6):
                        for panel in panels:
                            panel(model.value)


# Mesa's and the dashboard's integer sliders show their value on the thumb at all times (Vuetify shows it only
# while dragging); the lever sliders show theirs as text and have no thumb label.
SLIDER_VALUES_CSS = """
.v-slider__thumb-container--show-label .v-slider__thumb-label-container { display: block !important; }
.v-input__slider:has(.v-slider__thumb-container--show-label) { margin-top: 34px; }
"""


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
    solara.Style(SLIDER_VALUES_CSS)
    # no components for SolaraViz: its pages would be tabs named "Page 0", "Page 1"; MainArea names them
    SolaraViz(model, components=[], model_params=params, name="Chengxiang: urban-rural integration")
    MainArea(model)
    _Nest(model, overrides)
