"""The Chengxiang model: counties, cities, rural households and migrant workers moving labour and capital."""

from __future__ import annotations

import gc
from contextlib import contextmanager

import mesa
import numpy as np
import pandas as pd

from ..inputs.config import normalize_config
from ..inputs.policy import PolicyTable
from ..inputs.registry import parameter_values
from ..outcomes import breakdowns, compute
from ..outcomes.metrics import METRICS
from . import incomes
from .agents import AgentViews, City, CountyTown
from .markets import count_members
from .phases import capital, citizenship, demography, families, finance, labour, land, production
from .start import build_state
from .state import State
from .streams import RandomStreams


@contextmanager
def no_gc_pauses():
    """Build and step without cyclic-GC passes. The model makes no reference cycles that need collecting while
    it builds or steps, and reference counting still frees everything as usual; full collections traversing
    every live object (agents, once observed) cost 5-8 % of a year at 1 M households."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ChengxiangModel(mesa.Model):
    """County-level model of urban-rural integration.

    State: `self.state` (`sim.engine.state.State`: people and places as arrays, price levels, derived tables,
    the ledger; `households`, `persons`, `counties`, `cities`, `world` are shortcuts to it). Agents:
    `RuralHousehold` and `MigrantWorker` (views on the arrays, created when observed), `CountyTown`, `City`.
    Inputs: `self.params` (model parameters), `self.policy` (lever and uncertainty schedules) and `self.in_force`
    (their values this year). One step is one calendar year, in these phases:

    1. **Policy** - read every lever and uncertainty in force this year (`read_policy`).
    2. **Production and prices** - output from capital, labour and productivity in cities, county towns and
       farms; wages, employment chances, returns to capital, living costs (`phases.production`).
    3. **Capital** - savings, remittance savings and urban retained earnings are invested where returns net of
       frictions are highest; levers shift the frictions (`phases.capital`).
    4. **Labour** - training; migrant workers are paid, remit and reconsider (stay, return, a local job, another
       city); people of working age at home choose farming, a village firm, the county town or a city by random
       utility with age-specific terms (`phases.labour`); children and elderly join or leave the household's
       migrant unit (`phases.families`).
    5. **Citizenization** - migrant units take urban hukou where they live (quotas and points in the largest
       cities, support within the destination's budget); villages around growing towns become urban
       (`phases.citizenship`).
    6. **Land** - paid exits and homestead quotas, the county rental market clearing at a rent, farm output,
       rents, collective dividends (`phases.land`).
    7. **Public finance and services** - land revenue and its share to agriculture, public services and what
       non-hukou residents get of them, county infrastructure reaching villages (`phases.finance`); then each
       household's NBS income accounts and saving (`incomes`).
    8. **Demography** - ageing; deaths by age and births; migrants retire home; children of migrant units start
       work (`phases.demography`).
    9. **Collect** - outcomes into the `DataCollector` and the per-county, per-tier, per-city tables (`collect`).
    """

    def __init__(self, config=None, seed: int = 0):
        super().__init__(rng=seed)
        with no_gc_pauses():
            self._build(config, seed)

    def _build(self, config, seed: int) -> None:
        self.config = normalize_config(config)
        self.seed = int(seed)
        self.params = {**parameter_values(), **self.config["parameters"]}
        self.policy = PolicyTable(self.config["levers"], self.config["uncertainties"])
        self.start_year = int(self.config["time"]["start_year"])
        self.end_year = int(self.config["time"]["end_year"])
        self.year = self.start_year
        self.streams = RandomStreams(seed)
        self.read_policy()
        self.state: State = build_state(self)
        self.agent_views = AgentViews(self)
        self.county_towns = list(CountyTown.create_agents(self, self.counties.n, index=np.arange(self.counties.n)))
        self.city_agents = list(City.create_agents(self, self.cities.n, index=np.arange(self.cities.n)))
        self._settle_start()
        # Per-county, per-tier and per-city tables: one record of columns per year, read from the arrays.
        self.breakdown_records: dict[str, list[dict]] = {"county": [], "tier": [], "city": []}
        self.datacollector = mesa.DataCollector(
            model_reporters={"year": "year", **{name: compute.reporter(name) for name in METRICS}})
        self.collect()

    def _settle_start(self) -> None:
        """Prices, pay, land and incomes of the start year, then the constants that reproduce 2013 flows."""
        production.produce_and_price(self, first=True)
        count_members(self)
        incomes.pay_workers(self)
        land.manage_land(self, initial=True)
        incomes.household_accounts(self)
        labour.calibrate_choice_constants(self)
        families.family_constants(self)

    # ------------------------------------------------------------------ state shortcuts
    households = property(lambda self: self.state.households, doc="Household arrays (`state.households`).")
    persons = property(lambda self: self.state.persons, doc="Arrays of rural-hukou persons (`state.persons`).")
    counties = property(lambda self: self.state.counties, doc="County arrays (`state.counties`).")
    cities = property(lambda self: self.state.cities, doc="City arrays (`state.cities`).")
    world = property(lambda self: self.state.world, doc="Geography of the run (`state.world`).")
    ledger = property(lambda self: self.state.ledger, doc="This year's flows (`state.ledger`).")

    # ------------------------------------------------------------------ agents, observed
    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Every agent; household and migrant agents are brought in line with the arrays first."""
        views = self.__dict__.get("agent_views")
        if views is not None:
            views.sync()
        return super().agents

    @property
    def agents_by_type(self) -> dict:
        views = self.__dict__.get("agent_views")
        if views is not None:
            views.sync()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        views = self.__dict__.get("agent_views")
        if views is not None:
            views.sync()
        return super().agent_types

    @property
    def household_agents(self) -> list:
        """The `RuralHousehold` agent of every household row, in row order."""
        return self.agent_views.households()

    # ------------------------------------------------------------------ policy
    def read_policy(self) -> None:
        """Phase 1: every lever and uncertainty in force this year, as `self.in_force[name]`."""
        self.in_force = self.policy.values(self.year)

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        with no_gc_pauses():
            self._step_phases()

    def _step_phases(self) -> None:
        self.year += 1
        self.state.ledger.reset()
        self.read_policy()  # 1
        production.produce_and_price(self)  # 2
        capital.allocate_capital(self)  # 3
        labour.choose_work(self)  # 4
        families.move_dependants(self)
        citizenship.citizenize(self)  # 5
        land.manage_land(self)  # 6
        finance.public_finance(self)  # 7
        incomes.household_accounts(self)
        incomes.save(self)
        demography.age_and_renew(self)  # 8
        self.collect()  # 9
        if self.year >= self.end_year:
            self.running = False

    def collect(self) -> None:
        self.outcomes = compute.compute(self)
        self.datacollector.collect(self)
        if self.config.get("collect_breakdowns", True):
            self.breakdown_records["county"].append(breakdowns.county_columns(self))
            self.breakdown_records["tier"].append(breakdowns.tier_columns(self))
            self.breakdown_records["city"].append(breakdowns.city_columns(self))

    def run_to_end(self) -> None:
        while self.running and self.year < self.end_year:
            self.step()

    # ------------------------------------------------------------------ results
    def results(self) -> pd.DataFrame:
        """One row per year (column `year`), one column per metric."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df["year"] = df["year"].astype(int)
        return df

    def county_timeseries(self) -> pd.DataFrame:
        """Tidy per-county outcomes: one row per county and year."""
        return self._breakdown("county")

    def tier_timeseries(self) -> pd.DataFrame:
        """Tidy per-city-tier outcomes: one row per tier and year."""
        return self._breakdown("tier")

    def city_timeseries(self) -> pd.DataFrame:
        """Tidy per-city outcomes (size tier, urban residents, wage): one row per city and year."""
        return self._breakdown("city")

    def _breakdown(self, kind: str) -> pd.DataFrame:
        return pd.concat([pd.DataFrame(r) for r in self.breakdown_records[kind]], ignore_index=True)

    # ------------------------------------------------------------------ accounting
    def total_people(self) -> float:
        """Persons of the region: rural-hukou people (at home and away) and urban-hukou natives."""
        h, ps = self.households, self.persons
        rural = float(h.weight[ps.household[ps.alive]].sum())
        natives = float(self.counties.native.sum() + self.cities.native[self.cities.inside].sum())
        return rural + natives

    def total_capital(self) -> float:
        """Every stock of capital and money: savings, productive capital and fiscal balances (2013 yuan)."""
        h, ps, c, j = self.households, self.persons, self.counties, self.cities
        return float((h.savings * h.weight).sum() + (ps.savings[ps.alive] * h.weight[ps.household[ps.alive]]).sum()
                     + c.K_town.sum() + c.K_village.sum() + c.K_ag.sum() + c.K_operator.sum() + c.fiscal.sum()
                     + j.K.sum() + j.fiscal.sum())

    def total_farmland(self) -> float:
        h = self.households
        return float((h.land * h.weight).sum() + self.counties.collective_land.sum())
