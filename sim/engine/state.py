"""Everything the model knows, declared in one place: people, places, price levels, derived tables, the ledger.

`State` is built once by `sim.engine.start.build_state` and then changed only by the phases of the yearly step
(`sim.engine.phases`). Reading the model's state means reading these fields; there is nothing else.

    state.world        geography and sizes of the run (sim.engine.world.World)
    state.households   struct-of-arrays of rural households (sim.engine.people.Households)
    state.persons      struct-of-arrays of every rural-hukou person (sim.engine.people.Persons)
    state.counties     per-county arrays: county town, village firms, farms, services (sim.engine.places.Counties)
    state.cities       per-city arrays (sim.engine.places.Cities)
    state.natives_by_age  urban-hukou population by single year of age 0..100 (persons, the nation's)
    state.wage_index   real urban wage level relative to the start year (land prices, costs, transfers follow it)
    state.housing_index  real urban housing-cost level relative to the start year
    state.price_index  consumer prices relative to 2013 (current yuan = 2013 yuan x price_index)
    state.dependants   per person row: the children and elderly living with that unit head (derived)
    state.tables       per-county x per-city tables derived from the above and kept between phases (Tables)
    state.ledger       this year's explicit flows of people and capital (Ledger)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .people import Households, Persons
from .places import Cities, Counties
from .world import World


class Ledger:
    """Explicit flows of one year: what enters or leaves the stocks of people and capital."""

    PEOPLE = ("births", "deaths", "departures")
    CAPITAL = ("saving", "urban_saving", "land_revenue", "depreciation", "public_spending", "settling_costs")
    COUNTERS = ("urban_capital_to_towns", "urban_capital_to_villages", "land_revenue_to_agriculture",
                "citizenized", "citizenized_in_situ", "land_rights_exits", "land_exited_mu", "talent_to_rural",
                "training_spending", "trained", "support_spending")

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        for name in self.PEOPLE + self.CAPITAL + self.COUNTERS:
            setattr(self, name, 0.0)

    def capital_net(self) -> float:
        return (self.saving + self.urban_saving + self.land_revenue
                - self.depreciation - self.public_spending - self.settling_costs)


@dataclass(eq=False)
class Tables:
    """Per-county x per-city tables derived from the state and kept between phases.

    `destination_q` / `destination_cdf`: the distribution candidate cities are sampled from (per county, by size
    and distance; recomputed each year in production); `network_share`: each county's outbound migrants by city
    (recomputed at the start of the labour phase); `choice_constants`: alternative-specific constants of the work
    choice, and `family_constants` of the dependants' choice, fitted at the start. `derived(name, source, fn)` caches `fn(source)` while `source` is the same array
    object (the destination search's guide table, utility terms per county x city pair)."""

    destination_q: np.ndarray | None = None
    destination_cdf: np.ndarray | None = None
    network_share: np.ndarray | None = None
    choice_constants: dict[str, float] = field(default_factory=dict)
    family_constants: dict[str, float] = field(default_factory=dict)
    _derived: dict[str, tuple[object, object]] = field(default_factory=dict, repr=False)

    def derived(self, name: str, source: object, fn: Callable[[object], object]) -> object:
        cached = self._derived.get(name)
        if cached is None or cached[0] is not source:
            cached = (source, fn(source))
            self._derived[name] = cached
        return cached[1]


@dataclass(eq=False)
class State:
    """The model's state (see the module docstring)."""

    world: World
    households: Households
    persons: Persons
    counties: Counties
    cities: Cities
    natives_by_age: np.ndarray
    total_population_start: float
    wage_index: float = 1.0
    housing_index: float = 1.0
    price_index: float = 1.0
    tables: Tables = field(default_factory=Tables)
    ledger: Ledger = field(default_factory=Ledger)
    dependants: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))  # per person row: of a unit head
    capital_per_unit_2013: dict[str, float] = field(default_factory=dict)  # national K / L by sector at the start
