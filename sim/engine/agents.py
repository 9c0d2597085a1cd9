"""The four kinds of Mesa agents. Their state lives in the model's arrays; an agent is a named view on its row.

Behaviour runs vectorized in the model's phases (see `model.py`): an agent does not step itself. Reading an
attribute of an agent reads the model's arrays, so agents and arrays always agree.

`CountyTown` and `City` agents are built with the model. `RuralHousehold` and `MigrantWorker` agents appear when
the model is observed (`AgentViews`): the yearly step changes arrays only, and whenever `model.agents`,
`model.agents_by_type` (so also a DataCollector's agent reporters, the dashboard, a notebook) or one agent is
looked at, the views are brought in line with the arrays first: one agent per household and per migrant worker,
the same object for as long as the same person holds the row and keeps a non-farm job.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..inputs.registry import CITY_TIERS
from .people import (ADULT_AGE, AWAY, CITY_JOB, ELDERLY_AGE, HOMESTEAD_EXITED, HOMESTEAD_IDLE, JOB_NAMES, NO_JOB,
                     VILLAGE_JOB)


class RuralHousehold(mesa.Agent):
    """A rural household: its home, land and savings, its members at home and away (see `sim.engine.people`)."""

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
        return {"children_at_home": int(h.home_children[r]), "adults_at_home": int(h.home_adults[r]),
                "elderly_at_home": int(h.home_elderly[r]), "living_away": int(h.away[r]),
                "migrant_workers": int(h.workers_local[r] + h.workers_outbound[r])}

    @property
    def ages(self) -> list[int]:
        """Ages of its rural-hukou members (at home and away), in row order."""
        ps = self.model.persons
        return ps.age[ps.alive & (ps.household == self.row)].tolist()

    @property
    def migrant_workers(self) -> list[MigrantWorker]:
        return self.model.agent_views.migrants_of(self.row)

    @property
    def settled(self) -> bool:
        """Everyone took urban hukou (the household keeps its land rights until it exits them)."""
        return bool(self._h.settled[self.row])

    @property
    def village_is_urban(self) -> bool:
        """Its village has been reclassified as urban."""
        return bool(self._h.in_situ_urban[self.row])

    @property
    def land(self) -> dict[str, float | str]:
        h, r = self._h, self.row
        return {"contracted_mu": float(h.land[r]), "rented_out_mu": float(h.rented_out[r]),
                "rented_in_mu": float(h.rented_in[r]),
                "homestead": ("exited" if h.homestead[r] == HOMESTEAD_EXITED
                              else "idle" if h.homestead[r] == HOMESTEAD_IDLE else "used"),
                "collective_member": bool(h.collective_member[r])}

    @property
    def savings(self) -> float:
        return float(self._h.savings[self.row])

    @property
    def income(self) -> dict[str, float]:
        """Disposable income by NBS component, 2013 yuan per year (per real household)."""
        h, r = self._h, self.row
        return {"wage": float(h.inc_wage[r]), "business": float(h.inc_business[r]),
                "property": float(h.inc_property[r]), "transfer": float(h.inc_transfer[r]),
                "of which remittances": float(h.inc_remit[r])}

    def __repr__(self) -> str:
        return f"RuralHousehold(id={self.unique_id}, county={self.county}, members={self.members})"


class MigrantWorker(mesa.Agent):
    """A rural-hukou worker with a non-farm job: local (village firms or the home county town) or outbound (a
    city), living at home or away with the dependants who followed.

    The agent is the person in row `row` while that row holds person `person` with a non-farm job; once the
    person has left the migrant workforce (returned to farming, settled, retired, died) its attributes raise
    `LookupError`."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = int(row)
        self.person = int(model.persons.id[row])

    @property
    def present(self) -> bool:
        """Whether this person is still a migrant worker (their row still holds them, with a non-farm job)."""
        ps = self.model.persons
        r = self.row
        return bool(r < ps.capacity and ps.alive[r] and ps.id[r] == self.person and ps.job[r] != NO_JOB
                    and not ps.urban_hukou[r])

    @property
    def _p(self):
        if not self.present:
            raise LookupError(f"migrant worker {self.unique_id} has left the migrant workforce")
        return self.model.persons

    @property
    def household(self) -> RuralHousehold:
        return self.model.agent_views.household(int(self._p.household[self.row]))

    @property
    def county(self) -> int:
        return int(self._p.county[self.row])

    @property
    def is_local(self) -> bool:
        return bool(self._p.job[self.row] != CITY_JOB)

    @property
    def job(self) -> str:
        return JOB_NAMES[self._p.job[self.row]]

    @property
    def works_at(self) -> str:
        ps = self._p
        if ps.job[self.row] == CITY_JOB:
            return f"city {self.model.world.city_names[ps.city[self.row]]}"
        where = "village firms" if ps.job[self.row] == VILLAGE_JOB else "county town"
        return f"{where} of {self.model.world.county_names[self.county]}"

    @property
    def destination(self) -> CountyTown | City:
        if self.is_local:
            return self.model.county_towns[self.county]
        return self.model.city_agents[int(self._p.city[self.row])]

    @property
    def lives_away(self) -> bool:
        return bool(self._p.place[self.row] == AWAY)

    @property
    def family_with(self) -> dict[str, int]:
        """Children and elderly of the household living with this worker."""
        ps = self.model.persons
        with_me = ps.alive & (ps.place == AWAY) & (ps.unit == self.row) & (np.arange(ps.capacity) != self.row)
        return {"children": int((with_me & (ps.age < ADULT_AGE)).sum()),
                "elderly": int((with_me & (ps.age >= ELDERLY_AGE)).sum())}

    hukou = "rural"

    age = property(lambda self: int(self._p.age[self.row]))
    skill = property(lambda self: float(self._p.skill[self.row]))
    years_at_destination = property(lambda self: int(self._p.years[self.row]))
    employed = property(lambda self: bool(self._p.employed[self.row]))
    wage = property(lambda self: float(self._p.wage[self.row]), doc="2013 yuan this year.")
    remittances = property(lambda self: float(self._p.remit[self.row]), doc="2013 yuan sent home this year.")
    savings = property(lambda self: float(self._p.savings[self.row]))

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

    @property
    def code(self) -> str:
        return self.model.world.county_codes[self.index]

    def _c(self, field):
        return float(getattr(self.model.counties, field)[self.index])

    population = property(lambda self: self._c("population"), doc="Urban residents of the county town(s).")
    hukou_population = property(lambda self: self._c("native"), doc="Urban-hukou natives of the town.")
    wage = property(lambda self: self._c("wage"), doc="2013 yuan per efficiency unit per year.")
    capital = property(lambda self: self._c("K_town"))
    productivity = property(lambda self: self._c("A_town"))
    unemployment = property(lambda self: self._c("unemployment"))
    living_cost = property(lambda self: self._c("living_cost"))
    public_services = property(lambda self: self._c("town_service"), doc="Quality index 0-1.")
    village_services = property(lambda self: self._c("village_service"), doc="Quality index 0-1 in its villages.")
    infrastructure = property(lambda self: self._c("infra"), doc="Infrastructure reaching villages, 0-1.")
    village_firm_capital = property(lambda self: self._c("K_village"))
    village_wage = property(lambda self: self._c("village_wage"), doc="2013 yuan per efficiency unit per year.")
    farm_capital = property(lambda self: self._c("K_ag"))
    farm_productivity = property(lambda self: self._c("A_ag"))
    land_rent = property(lambda self: self._c("rent"), doc="2013 yuan per mu per year (paid by operators).")
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

    @property
    def code(self) -> str:
        return self.model.world.city_codes[self.index]

    def _c(self, field):
        return float(getattr(self.model.cities, field)[self.index])

    @property
    def tier(self) -> str:
        return CITY_TIERS[int(self.model.cities.tier[self.index])]

    population = property(lambda self: self._c("population"), doc="Urban resident population.")
    hukou_population = property(lambda self: self._c("native"))
    wage = property(lambda self: self._c("wage"), doc="2013 yuan per efficiency unit per year.")
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
    """Household and migrant-worker agents, created when the model is observed and kept in line with the arrays.

    `sync()` gives every household row an agent (once: households are never removed) and every migrant worker
    the agent of its spell of non-farm work: an agent whose person left (died, settled, returned to farming) is
    removed from the model, a new worker gets a new agent. Both in row order. Cost: Mesa's registration of each
    new agent, paid only when looked at."""

    def __init__(self, model):
        self.model = model
        self._households: list[RuralHousehold | None] = []
        self._migrants: dict[int, MigrantWorker] = {}  # row -> agent of the worker in it when last synced
        self._person_at = np.zeros(0, np.int64)  # person id of the agent in `_migrants` per row (0: none)

    def _worker_ids(self) -> np.ndarray:
        ps = self.model.persons
        return np.where(ps.alive & (ps.job != NO_JOB) & ~ps.urban_hukou, ps.id, 0)

    def sync(self) -> None:
        """Bring the agents in line with the arrays."""
        n = self.model.households.n
        if len(self._households) < n or None in self._households:
            self._households.extend([None] * (n - len(self._households)))
            for row, agent in enumerate(self._households):
                if agent is None:
                    self._households[row] = RuralHousehold(self.model, row)
        current = self._worker_ids()
        if len(self._person_at) < len(current):
            self._person_at = np.concatenate([self._person_at, np.zeros(len(current) - len(self._person_at),
                                                                        np.int64)])
        held = self._person_at[: len(current)]
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
        """Agents of the migrant workers of one household, in row order."""
        self.sync()
        ps = self.model.persons
        rows = np.flatnonzero(ps.alive & (ps.job != NO_JOB) & ~ps.urban_hukou & (ps.household == household_row))
        return [self._migrants[r] for r in rows.tolist()]

    def households(self) -> list[RuralHousehold]:
        self.sync()
        return list(self._households)

    def migrants(self) -> list[MigrantWorker]:
        """Agents of every migrant worker, in row order."""
        self.sync()
        return [self._migrants[r] for r in sorted(self._migrants)]
