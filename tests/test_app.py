"""The dashboard (sim.app) rendered headless with `solara.render`, as Mesa's own visualisation tests do.

Widgets are found with `rc.find(...)`; lever sliders carry `meta_lever=<lever name>`. A small model (1000
households, a few years) keeps each render to a second or two.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

solara = pytest.importorskip("solara")
pytest.importorskip("mesa.visualization")
import ipyvuetify as v  # noqa: E402
import ipywidgets  # noqa: E402

import sim.app as app  # noqa: E402
from sim.app import dashboard, figures, levers  # noqa: E402
from sim.engine.model import ChengxiangModel  # noqa: E402
from sim.inputs.registry import LEVERS, Param  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # Mesa 3.3's ComponentsView hook-rule warning

HOUSEHOLDS = 1000
END_YEAR = 2018


@pytest.fixture
def small(monkeypatch):
    """Small defaults, a record of every DashboardModel the page builds, and every figure it draws."""
    monkeypatch.setitem(app.DEFAULTS, "households", HOUSEHOLDS)
    monkeypatch.setitem(app.DEFAULTS, "end_year", END_YEAR)
    models = []

    class Recorded(app.DashboardModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            models.append(self)

        # Mesa checks the model's keyword parameters against model_params: show it the real ones
        __init__.__signature__ = inspect.signature(app.DashboardModel.__init__)

    png = figures.figure_png
    drawn = []

    def recording_png(fig, *args, **kwargs):
        drawn.append(fig)
        return png(fig, *args, **kwargs)

    monkeypatch.setattr(dashboard, "DashboardModel", Recorded)
    monkeypatch.setattr(figures, "figure_png", recording_png)
    return models, drawn


@pytest.fixture
def render():
    """Render the page (in an AppLayout, as `solara run` and Jupyter provide: it collects the sidebar); closed at
    teardown so that a page left from an earlier test does not redraw when Mesa's global update counter ticks."""
    contexts = []

    def _render():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, rc = solara.render(solara.AppLayout(children=[dashboard.Page()]), handle_error=False)
        contexts.append(rc)
        return rc

    yield _render
    for rc in contexts:
        rc.close()


def click(rc, label):
    rc.find(v.Btn, children=[label]).widget.fire_event("click", {})


def lever_slider(rc, name):
    return rc.find(v.Slider, meta_lever=name)


def outcome_figures(drawn):
    """The four outcome figures drawn last (each has a suptitle naming its panel)."""
    titles = [t for t, _ in figures.OUTCOME_PANELS]
    found = {}
    for fig in reversed(drawn):
        title = fig._suptitle.get_text() if fig._suptitle is not None else ""
        if title in titles and title not in found:
            found[title] = fig
    return found


# ------------------------------------------------------------------------------------------- the model
def test_scenarios_and_reference():
    names = app.scenario_names()
    assert names[:4] == ["baseline", "new_urbanization", "rural_revitalization", "integrated"]
    assert "province/integrated" in names
    assert app.reference_of("integrated") == "baseline"
    assert app.reference_of("province/integrated") == "province/baseline"


def test_dashboard_model_is_the_scenario_run_and_steps_its_baseline():
    m = app.DashboardModel(start_from="integrated", households=HOUSEHOLDS, seed=4, end_year=2016)
    plain = ChengxiangModel(app.scenario_config("integrated", HOUSEHOLDS, 2016), seed=4)
    assert m.baseline is not None and m.baseline.config["name"] == "baseline"
    while m.running:
        m.step()
        plain.step()
    assert m.year == m.baseline.year == 2016 and not m.running
    # the dashboard changes nothing by itself: same numbers as a plain run of the scenario
    assert np.allclose(m.results().drop(columns="year"), plain.results().drop(columns="year"), equal_nan=True)
    m.step()  # past the end: a no-op
    assert m.year == 2016
    assert app.DashboardModel(households=HOUSEHOLDS, end_year=2016, show_baseline=False).baseline is None


def test_set_lever_holds_from_next_year_and_clear_restores_the_schedule():
    m = app.DashboardModel(households=HOUSEHOLDS, end_year=2020)
    scheduled_2016 = m.policy.value("services_by_residence", 2016)
    assert m.set_lever("services_by_residence", 0.9) == 0.9
    assert m.in_force["services_by_residence"] == 0.9  # shown at once
    assert m.policy.value("services_by_residence", m.year + 1) == 0.9
    assert m.set_lever("land_exit_compensation", 500) == LEVERS["land_exit_compensation"].high  # clipped
    with pytest.raises(KeyError):
        m.set_lever("no_such_lever", 0.5)
    m.step()
    m.step()
    assert m.in_force["services_by_residence"] == 0.9
    assert m.baseline.in_force["services_by_residence"] == pytest.approx(m.baseline.policy.value(
        "services_by_residence", m.year)) != 0.9
    m.clear_overrides()
    assert m.overrides == {}
    assert m.policy.value("services_by_residence", 2016) == scheduled_2016


def test_figures_draw_current_and_baseline():
    m = app.DashboardModel(households=HOUSEHOLDS, end_year=2016)
    m.set_lever("county_infrastructure", 1.0)
    m.step()
    metrics = figures.OUTCOME_PANELS[0][1]
    fig = figures.outcome_figure(m.results(), m.baseline_results(), metrics, lever_years=[2013], years=(2013, 2016))
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert "current settings" in labels and "baseline" in labels
    assert list(ax.lines[0].get_xdata()) == [2013, 2014]
    assert ax.get_xlim() == (2012.5, 2016.5)
    county = figures.county_figure(m.county_timeseries(), m.baseline.county_timeseries())
    assert len(county.axes[1].collections[0].get_offsets()) == len(m.county_towns)  # one dot per county
    tiers = figures.tier_figure(m.tier_timeseries(), m.baseline.tier_timeseries())
    assert len(tiers.axes[0].patches) == 2 * 6  # baseline and current bar per city tier


# ------------------------------------------------------------------------------------------- the page
def test_controls_exist(small, render):
    models, _ = small
    rc = render()
    for label in ("Step", "Reset", "▶", "Follow the scenario again"):
        rc.find(v.Btn, children=[label]).assert_single()
    select = rc.find(v.Select, label="Start from scenario (on Reset)")
    select.assert_single()
    assert select.widget.items[:4] == ["baseline", "new_urbanization", "rural_revitalization", "integrated"]
    assert rc.find(v.Slider, label="Household agents (on Reset)").widget.v_model == HOUSEHOLDS
    rc.find(v.Slider, label="Seed (on Reset)").assert_single()
    rc.find(v.Checkbox, label="Run the baseline beside (on Reset)").assert_single()
    m = models[-1]
    for name, param in LEVERS.items():  # every lever of the registry has its slider
        slider = lever_slider(rc, name)
        slider.assert_single()
        assert slider.widget.v_model == pytest.approx(m.in_force[name], abs=levers.slider_step(param) / 2 + 1e-9)
        assert (slider.widget.min, slider.widget.max) == (param.low, param.high)
        assert slider.widget.step == levers.slider_step(param)
    assert len(rc.find(ipywidgets.Image)) == 4  # the outcome page


def test_a_new_lever_gets_a_labelled_slider_in_its_group(small, render, monkeypatch):
    new = Param("test_lever", 3.0, 0.0, 10.0, "years", "test_group", "A lever added to the registry.",
                label="A test lever")
    monkeypatch.setitem(LEVERS, "test_lever", new)
    rc = render()
    slider = lever_slider(rc, "test_lever")
    slider.assert_single()
    assert (slider.widget.min, slider.widget.max, slider.widget.step) == (0.0, 10.0, 0.1)
    assert slider.widget.v_model == 3.0
    assert ("Test group", ["test_lever"]) in levers.lever_groups()
    rc.find(v.Html, children=["A test lever"]).assert_single()  # its label
    rc.find(v.ExpansionPanelHeader, children=["Test group"]).assert_single()  # its group's heading


def test_slider_steps_follow_the_registry():
    assert levers.slider_step(LEVERS["services_by_residence"]) == 0.01  # 0-1
    assert levers.slider_step(LEVERS["residence_years_required"]) == 0.1  # 0-10 years
    assert levers.slider_step(LEVERS["land_exit_compensation"]) == 0.5  # 0-50 years
    assert levers.slider_step(Param("n", 8, 4, 16, "cities", "g", "", integer=True)) == 1.0
    assert levers.shown(LEVERS["land_exit_compensation"], 12.0) == "12.0"


def test_moving_a_slider_changes_the_models_lever(small, render):
    models, _ = small
    rc = render()
    m = models[-1]
    assert m.in_force["settlement_openness_megacity"] == pytest.approx(0.02)
    lever_slider(rc, "settlement_openness_megacity").widget.v_model = 0.6
    assert m.in_force["settlement_openness_megacity"] == 0.6
    assert m.policy.value("settlement_openness_megacity", m.year + 1) == 0.6
    assert m.overrides == {"settlement_openness_megacity": 0.6}
    click(rc, "Step")
    assert m.year == 2014 and m.in_force["settlement_openness_megacity"] == 0.6
    assert m.baseline.in_force["settlement_openness_megacity"] != 0.6
    tiers = m.tier_timeseries()
    assert tiers[(tiers["year"] == 2014) & (tiers["tier"] == "megacity")]["settlement_openness"].item() == 0.6
    assert lever_slider(rc, "settlement_openness_megacity").widget.v_model == 0.6

    # a slider snapping a scheduled value to its step (less than half a step away) is not a move
    lever_slider(rc, "land_revenue_to_agriculture").widget.v_model = round(m.in_force["land_revenue_to_agriculture"], 2)
    assert "land_revenue_to_agriculture" not in m.overrides

    # moved levers survive a Reset (applied to the new model), "Follow the scenario again" releases them
    click(rc, "Reset")
    assert len(models) == 2 and models[-1] is not m
    new = models[-1]
    assert new.year == 2013 and new.overrides == {"settlement_openness_megacity": 0.6}
    assert new.policy.value("settlement_openness_megacity", 2014) == 0.6
    click(rc, "Follow the scenario again")
    assert new.overrides == {}
    assert new.policy.value("settlement_openness_megacity", 2014) == pytest.approx(0.02)
    assert lever_slider(rc, "settlement_openness_megacity").widget.v_model == pytest.approx(0.02)


def test_model_parameters_apply_on_reset(small, render):
    models, _ = small
    rc = render()
    rc.find(v.Select, label="Start from scenario (on Reset)").widget.v_model = "integrated"
    rc.find(v.Slider, label="Household agents (on Reset)").widget.v_model = 2000
    rc.find(v.Slider, label="Seed (on Reset)").widget.v_model = 7
    assert len(models) == 1  # nothing rebuilt yet
    click(rc, "Reset")
    new = models[-1]
    assert (new.start_from, new.households_requested, new.seed) == ("integrated", 2000, 7)
    assert new.config["name"] == "integrated" and new.baseline.config["name"] == "baseline"
    assert new.baseline.seed == 7 and new.baseline.households.n == new.households.n


def test_stepping_updates_the_plots(small, render):
    models, drawn = small
    rc = render()
    before = [w.value for w in rc.find(ipywidgets.Image).widgets]
    first = outcome_figures(drawn)
    assert len(first) == 4
    assert all(list(f.axes[0].lines[0].get_xdata()) == [2013] for f in first.values())
    click(rc, "Step")
    click(rc, "Step")
    assert models[-1].year == 2015
    after = [w.value for w in rc.find(ipywidgets.Image).widgets]
    assert len(after) == 4 and all(a != b for a, b in zip(after, before))
    latest = outcome_figures(drawn)
    for title, fig in latest.items():
        current, baseline = fig.axes[0].lines[0], fig.axes[0].lines[1]
        assert (current.get_label(), baseline.get_label()) == ("current settings", "baseline")
        assert list(current.get_xdata()) == [2013, 2014, 2015], title
        metric = dict(figures.OUTCOME_PANELS)[title][0]
        assert np.allclose(current.get_ydata(), models[-1].results()[metric], equal_nan=True)


def test_county_and_tier_page(small, render):
    models, drawn = small
    rc = render()
    click(rc, "Step")
    n = len(drawn)
    tabs = rc.find(v.Tabs).widget
    tabs.v_model = 1  # "Page 1": counties and city tiers
    new = drawn[n:]
    assert len(new) == 2  # county figure and tier figure
    county = next(f for f in new if len(f.axes) >= 4)
    assert len(county.axes[1].collections[0].get_offsets()) == len(models[-1].county_towns)
    tables = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
              if "Counties emptying fastest" in w.unsafe_innerHTML]
    assert len(tables) == 1 and tables[0].count("<tr>") == 1 + 8  # header and eight counties


def test_page_object_for_notebooks():
    assert app.page.component is app.Page
