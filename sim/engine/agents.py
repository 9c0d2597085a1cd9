"""The four kinds of Mesa agents. Their state lives in the model's arrays; an agent is a named view on its row.

Behaviour runs vectorized in the model's phases (see `model.py`): an agent does not step itself. Reading an
attribute of an agent reads the model's arrays, so agents and arrays always agree.

`CountyTown` and `City` agents are built with the model. `RuralHousehold` and `MigrantWorker` agents appear when
the model is observed (`AgentViews`): the yearly step changes arrays only, and whenever `model.agents`,
`model.agents_by_type` (so also a DataCollector's agent reporters, the dashboard, a notebook) or one agent is
looked at, the views are brought in line with the arrays first: one agent per household and per live migrant,
the same object for as long as the same person holds the row.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..inputs.registry import CITY_TIERS
from .people import (DEST_TOWN, HOMESTEAD_EXITED, HOMESTEAD_IDLE, LAND_STATE_NAMES, RESIDENCE_NAMES, URBAN)


class RuralHousehold(mesa.Agent):
    """A rural-origin household (it keeps its row after settling in a town or city with urban hukou)."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = int(row)

    @property
    def _h(self):
        return self.model.households

    @property
    def county(self) -> int:
        return int(self._h.county[self.row])

    @property
    def county_town(self) -> CountyTown:
        return self.model.county_towns[self.county]

    @property
    def weight(self) -> float:
        """Real households this agent stands for."""
        return float(self._h.weight[self.row])

    @property
    def members(self) -> dict[str, int]:
        h, r = self._h, self.row
        return {"adults_at_home": int(h.adults[r]), "children": int(h.children[r]), "elderly": int(h.elderly[r]),
                "migrant_workers": len(self.migrant_workers)}

    @property
    def migrant_workers(self) -> list[MigrantWorker]:
        return self.model.agent_views.migrants_of(self.row)

    @property
    def hukou(self) -> str:
        return "urban" if self._h.hukou[self.row] == URBAN else "rural"

    @property
    def residence(self) -> str:
        r = self.row
        where = RESIDENCE_NAMES[self._h.residence[r]]
        return where if self._h.residence_city[r] < 0 else f"{where} {self.model.world.city_names[self._h.residence_city[r]]}"

    @property
    def works_at(self) -> list[str]:
        """Where the household's workers work: farm / county town / a city."""
        places = []
        if self._h.adults[self.row]:
            places.append("farm" if self._h.residence[self.row] == 0 else self.residence)
        places += [m.works_at for m in self.migrant_workers]
        return places

    @property
    def land(self) -> dict[str, float | str]:
        h, r = self._h, self.row
        return {"contracted_mu": float(h.land[r]), "state": LAND_STATE_NAMES[h.land_state[r]],
                "rented_in_mu": float(h.rented_in[r]),
                "homestead": ("exited" if h.homestead[r] == HOMESTEAD_EXITED
                              else "idle" if h.homestead[r] == HOMESTEAD_IDLE else "used"),
                "collective_member": bool(h.collective_member[r])}

    @property
    def savings(self) -> float:
        return float(self._h.savings[self.row])

    @property
    def income(self) -> dict[str, float]:
        """Income by source, yuan per year (per real household)."""
        h, r = self._h, self.row
        return {"farming": float(h.inc_farm[r]), "wages": float(h.inc_wage[r]), "remittances": float(h.inc_remit[r]),
                "land_rent": float(h.inc_rent[r]), "collective_dividends": float(h.inc_collective[r]),
                "transfers": float(h.inc_transfer[r]), "rural_business": float(h.inc_business[r])}

    def __repr__(self) -> str:
        return f"RuralHousehold(id={self.unique_id}, county={self.county}, hukou={self.hukou}, residence={self.residence})"


class MigrantWorker(mesa.Agent):
    """A working member away from the village: local (home county town) or outbound (a city).

    The agent is the person in row `row` while that row holds person `person`; once the person has left the
    migrant workforce (returned, settled, retired, died) its attributes raise `LookupError`."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = int(row)
        self.person = int(model.migrants.person[row])

    @property
    def present(self) -> bool:
        """Whether this person is still a migrant worker (their row still holds them)."""
        m = self.model.migrants
        return bool(self.row < m.capacity and m.alive[self.row] and m.person[self.row] == self.person)

    @property
    def _m(self):
        if not self.present:
            raise LookupError(f"migrant worker {self.unique_id} has left the migrant workforce")
        return self.model.migrants

    @property
    def household(self) -> RuralHousehold:
        return self.model.agent_views.household(int(self._m.origin[self.row]))

    @property
    def county(self) -> int:
        return int(self._m.county[self.row])

    @property
    def is_local(self) -> bool:
        return bool(self._m.dest_kind[self.row] == DEST_TOWN)

    @property
    def works_at(self) -> str:
        if self.is_local:
            return f"county town {self.county}"
        return f"city {self.model.world.city_names[self._m.dest_city[self.row]]}"

    @property
    def destination(self) -> CountyTown | City:
        if self.is_local:
            return self.model.county_towns[self.county]
        return self.model.city_agents[int(self._m.dest_city[self.row])]

    hukou = "rural"  # a migrant who obtains urban hukou settles and becomes a member of an urban household

    @property
    def age(self) -> int:
        return int(self._m.age[self.row])

    @property
    def skill(self) -> float:
        return float(self._m.skill[self.row])

    @property
    def years_at_destination(self) -> int:
        return int(self._m.years[self.row])

    @property
    def employed(self) -> bool:
        return bool(self._m.employed[self.row])

    @property
    def wage(self) -> float:
        return float(self._m.wage[self.row])

    @property
    def remittances(self) -> float:
        return float(self._m.remit[self.row])

    @property
    def savings(self) -> float:
        return float(self._m.savings[self.row])

    def __repr__(self) -> str:
        if not self.present:
            return f"MigrantWorker(id={self.unique_id}, no longer a migrant worker)"
        return f"MigrantWorker(id={self.unique_id}, from county {self.county}, works at {self.works_at}, age {self.age})"


class CountyTown(mesa.Agent):
    """The county seat: urban economy of the county and its link to the villages it serves."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def name(self) -> str:
        return self.model.world.county_names[self.index]

    def _c(self, field):
        return float(getattr(self.model.counties, field)[self.index])

    population = property(lambda self: self._c("population"), doc="Urban residents of the county town(s).")
    hukou_population = property(lambda self: self._c("native"), doc="Urban-hukou natives of the town.")
    wage = property(lambda self: self._c("wage"), doc="Yuan per efficiency unit per year.")
    capital = property(lambda self: self._c("K_town"))
    productivity = property(lambda self: self._c("A_town"))
    unemployment = property(lambda self: self._c("unemployment"))
    living_cost = property(lambda self: self._c("living_cost"))
    public_services = property(lambda self: self._c("town_service"), doc="Quality index 0-1.")
    village_services = property(lambda self: self._c("village_service"), doc="Quality index 0-1 in its villages.")
    infrastructure = property(lambda self: self._c("infra"), doc="Infrastructure reaching villages, 0-1.")
    farm_capital = property(lambda self: self._c("K_ag"))
    farm_productivity = property(lambda self: self._c("A_ag"))
    fiscal_balance = property(lambda self: self._c("fiscal"))
    rural_residents = property(lambda self: self._c("rural_residents"))

    def __repr__(self) -> str:
        return f"CountyTown({self.name}, population={self.population:,.0f})"


class City(mesa.Agent):
    """A prefecture-level or larger city, re-tiered by its urban resident population each year."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def name(self) -> str:
        return self.model.world.city_names[self.index]

    def _c(self, field):
        return float(getattr(self.model.cities, field)[self.index])

    @property
    def tier(self) -> str:
        return CITY_TIERS[int(self.model.cities.tier[self.index])]

    population = property(lambda self: self._c("population"), doc="Urban resident population.")
    hukou_population = property(lambda self: self._c("native"))
    wage = property(lambda self: self._c("wage"), doc="Yuan per efficiency unit per year.")
    capital = property(lambda self: self._c("K"))
    productivity = property(lambda self: self._c("A"))
    unemployment = property(lambda self: self._c("unemployment"))
    living_cost = property(lambda self: self._c("living_cost"))
    public_services = property(lambda self: self._c("service"))

    @property
    def settlement_openness(self) -> float:
        return float(self.model.in_force[f"settlement_openness_{self.tier}"])

    def __repr__(self) -> str:
        return f"City({self.name}, {self.tier}, population={self.population:,.0f})"


class AgentViews:
    """Household and migrant agents, created when the model is observed and kept in line with the arrays.

    `sync()` gives every household row an agent (once: households are never removed) and every live migrant row
    the agent of the person in it: an agent whose person has left is removed from the model, a new person gets
    a new agent. Both in row order. Cost: Mesa's registration of each new agent, paid only when looked at."""

    def __init__(self, model):
        self.model = model
        self._households: list[RuralHousehold | None] = []
        self._migrants: dict[int, MigrantWorker] = {}  # row -> agent of the person in it when last synced
        self._person_at = np.zeros(0, np.int64)  # person id of the agent in `_migrants` per row (0: none)

    def sync(self) -> None:
        """Bring the agents in line with the arrays."""
        n = self.model.households.n
        if len(self._households) < n or None in self._households:
            self._households.extend([None] * (n - len(self._households)))
            for row, agent in enumerate(self._households):
                if agent is None:
                    self._households[row] = RuralHousehold(self.model, row)
        mg = self.model.migrants
        if len(self._person_at) < mg.capacity:
            self._person_at = np.concatenate([self._person_at, np.zeros(mg.capacity - len(self._person_at), np.int64)])
        held = self._person_at[: mg.capacity]
        current = np.where(mg.alive, mg.person, 0)
        for row in np.flatnonzero((held != 0) & (held != current)).tolist():
            self._migrants.pop(row).remove()
            held[row] = 0
        for row in np.flatnonzero((current != 0) & (held != current)).tolist():
            self._migrants[row] = MigrantWorker(self.model, row)
            held[row] = current[row]

    def household(self, row: int) -> RuralHousehold:
        """The agent of household `row` (created if it was not yet observed)."""
        if row >= len(self._households):
            self._households.extend([None] * (self.model.households.n - len(self._households)))
        agent = self._households[row]
        if agent is None:
            agent = self._households[row] = RuralHousehold(self.model, row)
        return agent

    def migrants_of(self, household_row: int) -> list[MigrantWorker]:
        """Agents of the live migrant workers of one household, in row order."""
        self.sync()
        mg = self.model.migrants
        rows = np.flatnonzero(mg.alive & (mg.origin == household_row))
        return [self._migrants[r] for r in rows.tolist()]

    def households(self) -> list[RuralHousehold]:
        self.sync()
        return list(self._households)

    def migrants(self) -> list[MigrantWorker]:
        """Agents of every live migrant worker, in row order."""
        self.sync()
        return [self._migrants[r] for r in sorted(self._migrants)]
