"""The four kinds of Mesa agents. Their state lives in the model's arrays; an agent is a named view on its row.

Behaviour runs vectorized in the model's phases (see `model.py`): an agent does not step itself. Reading an
attribute of an agent reads the model's arrays, so agents and arrays always agree.
"""

from __future__ import annotations

import mesa

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
        return self.model.migrants_of(self.row)

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
    """A working member away from the village: local (home county town) or outbound (a city)."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = int(row)

    @property
    def _m(self):
        return self.model.migrants

    @property
    def household(self) -> RuralHousehold:
        return self.model.household_agents[int(self._m.origin[self.row])]

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
        return float(self.model.settlement_openness_of_tier()[self.model.cities.tier[self.index]])

    def __repr__(self) -> str:
        return f"City({self.name}, {self.tier}, population={self.population:,.0f})"
