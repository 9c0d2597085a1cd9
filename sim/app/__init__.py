"""Interactive dashboard: move the policy levers and watch the outcomes respond, beside the baseline.

Start it with::

    solara run sim.app                         # then open http://localhost:8765

or show it in a Jupyter notebook cell::

    from sim.app import page
    page

Built on Mesa's `SolaraViz` (sidebar: Reset / Play / Step, the model parameters that need a Reset to apply:
starting scenario, household agents, seed, last year, whether to run the baseline beside) plus a "Policy levers"
card whose sliders act on the running model at once (`PolicyTable.set_constant`: the value holds from the next
simulated year on). The main area shows the outcome curves (current settings against the baseline run with the
same seed and households) and the county and city-tier picture. See docs/dashboard.md.

Modules: `model` (`DashboardModel`, the scenarios it starts from), `figures`, `levers` (sliders from the
registry), `dashboard` (the panels and the page).

Works on Mesa 3.3 (with ipyvuetify<3) and 3.5: it uses only `SolaraViz(model, components, model_params, name)`,
`mesa.visualization.utils.update_counter` / `force_update` and plain solara components, and the model takes
explicit keyword arguments (no `scenario`, `rng` or `**kwargs`, which Mesa 3.5 routes differently).
"""

import solara

from .dashboard import Page
from .model import DEFAULTS, DashboardModel, reference_of, scenario_config, scenario_names

title = "Chengxiang dashboard"  # browser tab title (solara reads the module's `title`)

# One page. Without `routes`, `solara run sim.app` would make a page (and a navigation tab) of every submodule.
routes = [solara.Route(path="/", component=Page, label="Chengxiang")]

page = Page()
"""Show `page` as the last line of a notebook cell to display the dashboard."""

__all__ = ["Page", "page", "title", "routes", "DashboardModel", "DEFAULTS", "scenario_config", "scenario_names",
           "reference_of"]
