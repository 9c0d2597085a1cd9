"""The "Policy levers" card: one slider per lever in the registry, grouped by the lever's group.

Everything a slider shows comes from `sim.inputs.registry.LEVERS`: its label (`Param.short_label`), range, group
and step (1 for a whole-number input, else about a hundredth of its range), so a new lever gets a slider with no
change here.
"""

from __future__ import annotations

import math

import solara
from mesa.visualization.utils import force_update, update_counter

from ..inputs.registry import LEVERS, Param
from .figures import CURRENT_COLOR

GROUP_HEADINGS = {  # headings of the registry's lever groups; another group is shown by its name
    "hukou": "Hukou: settlement and services",
    "land": "Land rights",
    "county": "County and villages",
    "capital": "Capital and talent",
    "labour": "Labour",
}


def lever_groups() -> list[tuple[str, list[str]]]:
    """(heading, lever names) per registry group, in registry order."""
    groups: dict[str, list[str]] = {}
    for name, param in LEVERS.items():
        groups.setdefault(param.group, []).append(name)
    return [(GROUP_HEADINGS.get(group, group.replace("_", " ").capitalize()), names)
            for group, names in groups.items()]


def slider_step(param: Param) -> float:
    """1 for a whole-number input; else the 1-2-5 step closest above a hundredth of the range."""
    if param.integer:
        return 1.0
    raw = (param.high - param.low) / 100
    base = 10.0 ** math.floor(math.log10(raw))
    return next(round(m * base, 12) for m in (1, 2, 5, 10) if m * base >= raw * (1 - 1e-9))


def decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9))


def shown(param: Param, value: float) -> str:
    """The value as the slider shows it (to its step's precision)."""
    return f"{value:.{decimals(slider_step(param))}f}"


@solara.component
def LeverSlider(name: str, value: float, moved: bool, on_move):
    """One lever: its label and value in force this year above a full-width slider (found by `meta_lever`)."""
    import reacton.ipyvuetify as rv

    param = LEVERS[name]
    step = slider_step(param)
    with solara.Column(gap="0px", style={"margin": "0 0 2px 0"}, classes=[f"chengxiang-lever-{name}"]):
        with solara.Row(justify="space-between", style={"font-size": "0.86em", "line-height": "1.2"}):
            solara.Text(("● " if moved else "") + param.short_label, style={"font-weight": "600" if moved else "400"})
            solara.Text(shown(param, value), style={"font-weight": "600", "color": CURRENT_COLOR if moved else "#333"})
        slider_value = round(round(value / step) * step, decimals(step))
        rv.Slider(v_model=slider_value, on_v_model=lambda v: on_move(name, v), min=param.low, max=param.high,
                  step=step, thumb_label=False, hide_details=True).meta(lever=name)


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
        # not a move. A real move is at least half a step away from the value in force.
        if abs(float(value) - float(model.value.in_force[name])) <= slider_step(LEVERS[name]) / 2 + 1e-9:
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
        for heading, names in lever_groups():
            with solara.Details(heading, expand=True):
                for name in names:
                    LeverSlider(name, float(m.in_force[name]), name in m.overrides, on_move)
