"""The Chengxiang model: counties, cities, rural households and migrant workers moving labour and capital."""

from __future__ import annotations

import gc
import zlib
from contextlib import contextmanager

import mesa
import numpy as np
import pandas as pd

from . import demography, economy, kernels, labour, land
from ..outcomes import compute as outcomes
from .agents import City, CountyTown, MigrantWorker, RuralHousehold
from ..inputs.config import normalize_config
from .start import populate
from ..outcomes.metrics import METRICS
from ..inputs.registry import CITY_TIERS, parameter_values
from ..inputs.policy import PolicyTable
from .world import build_world


@contextmanager
def no_gc_pauses():
    """Build and step without cyclic-GC passes. Creating agents triggers collections, and every so often a full
    one traverses every live agent (millions); the model makes no reference cycles that need collecting while
    it builds or steps, and reference counting still frees everything as usual. Measured at 1 M households:
    5-8 % of a year and a third of the build went to those passes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class RandomStreams:
    """Named child generators of one seed, so switching a policy does not reshuffle unrelated processes."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._streams:
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(zlib.crc32(name.encode()),))
            self._streams[name] = np.random.default_rng(seq)
        return self._streams[name]


class Ledger:
    """Explicit flows of one year: what enters or leaves the stocks of people and capital."""

    PEOPLE = ("births", "deaths")
    CAPITAL = ("saving", "urban_saving", "land_revenue", "depreciation", "public_spending", "settling_costs")

    def __init__(self):
        self.reset()

    def reset(self):
        for name in self.PEOPLE + self.CAPITAL:
            setattr(self, name, 0.0)
        self.urban_to_rural_capital = 0.0
        self.land_revenue_to_agriculture = 0.0
        self.citizenized = 0.0
        self.land_rights_exits = 0.0
        self.talent_to_rural = 0.0

    def capital_net(self) -> float:
        return (self.saving + self.urban_saving + self.land_revenue
                - self.depreciation - self.public_spending - self.settling_costs)


class ChengxiangModel(mesa.Model):
    """County-level model of urban-rural integration.

    Agents: `RuralHousehold`, `MigrantWorker`, `CountyTown`, `City` (state held in the model's arrays:
    `households`, `migrants`, `counties`, `cities`). One step is one calendar year, in these phases:

    1. **Policy** - read every lever and uncertainty in force this year (`read_policy`).
    2. **Production and prices** - output from capital, labour and productivity in cities, county towns and
       farms; wages, employment chances, returns to capital, living costs (`economy.produce_and_price`).
    3. **Capital** - savings, remittance savings and urban retained earnings are invested where returns net of
       frictions are highest; levers shift the frictions (`economy.allocate_capital`).
    4. **Labour** - migrants earn, remit and reconsider (stay, move, return); workers at home choose farming,
       the county town or a city by random utility (`labour.choose_work`).
    5. **Citizenization** - eligible migrants decide whether to take urban hukou; the family follows; land
       rights follow the land policy (`labour.citizenize`).
    6. **Land** - paid exits and homestead quotas, the county rental market, farm output and rents, collective
       dividends (`land.manage_land`).
    7. **Public finance and services** - land revenue and its share to agriculture, public services, county
       infrastructure reaching villages, transfers and household saving (`economy.run_public_finance`).
    8. **Demography** - births, deaths, ageing; migrants retire home (`demography.age_and_renew`).
    9. **Collect** - outcomes into the `DataCollector` (`collect`).
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
        self.ledger = Ledger()
        self.wage_index = 1.0  # urban wage level relative to the start year (prices of land, costs, transfers)
        self.housing_index = 1.0  # urban housing cost level relative to the start year

        self.world, self.total_population_start = build_world(self.config["world"], self.streams["world"])
        self.read_policy()
        populate(self, int(self.config["world"]["households"]))  # arrays: households, migrants, counties, cities
        self._create_agents()
        economy.produce_and_price(self)
        labour.settle_incomes(self)
        land.manage_land(self, initial=True)
        economy.household_incomes(self)
        labour.calibrate_choice_constants(self)

        # Per-county, per-tier and per-city tables: one record of columns per year, read from the arrays (a
        # DataCollector agent-type reporter would call a Python property per agent and attribute every year).
        self.breakdown_records: dict[str, list[dict]] = {"county": [], "tier": [], "city": []}
        self.datacollector = mesa.DataCollector(
            model_reporters={"year": "year", **{name: outcomes.reporter(name) for name in METRICS}})
        self.collect()

    # ------------------------------------------------------------------ agents
    def _create_agents(self) -> None:
        n = self.households.n
        # One agent per household, built directly (Agent.create_agents also builds a throwaway AgentSet).
        with no_gc_pauses():
            self.household_agents = [RuralHousehold(self, row) for row in range(n)]
        self.county_towns = list(CountyTown.create_agents(self, self.counties.n, index=np.arange(self.counties.n)))
        self.city_agents = list(City.create_agents(self, self.cities.n, index=np.arange(self.cities.n)))
        self.migrant_agents: list[MigrantWorker | None] = [None] * self.migrants.capacity
        self.spawn_migrant_agents(self.migrants.live())

    def spawn_migrant_agents(self, rows: np.ndarray) -> None:
        """One `MigrantWorker` per newly allocated migrant row."""
        if len(self.migrant_agents) < self.migrants.capacity:
            self.migrant_agents.extend([None] * (self.migrants.capacity - len(self.migrant_agents)))
        agents = self.migrant_agents
        with no_gc_pauses():
            for row in np.asarray(rows).tolist():  # in row order, as Agent.create_agents would number them
                agents[row] = MigrantWorker(self, row)

    def remove_migrants(self, rows: np.ndarray) -> None:
        """Remove migrants who returned, settled, retired or died: their agents and their rows."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        agents = self.migrant_agents
        for row in rows.tolist():
            agents[row].remove()
            agents[row] = None
        self.migrants.release(rows)

    def migrants_of(self, household_row: int) -> list[MigrantWorker]:
        rows = np.flatnonzero(self.migrants.alive & (self.migrants.origin == household_row))
        return [self.migrant_agents[r] for r in rows]

    def count_household_migrants(self) -> None:
        kernels.migrants_per_household(self.migrants.alive, self.migrants.origin, self.households.migrants)

    # ------------------------------------------------------------------ policy
    def read_policy(self) -> None:
        """Phase 1: every lever and uncertainty in force this year, as `self.lever[name]`."""
        self.lever = self.policy.values(self.year)

    def transfer_per_capita(self) -> float:
        """Yuan per rural resident per year from pensions and subsidies, rising with wages."""
        return self.params["rural_transfer_per_capita"] * self.wage_index**0.6

    def settlement_openness_of_tier(self) -> np.ndarray:
        return np.array([self.lever[f"settlement_openness_{t}"] for t in CITY_TIERS])

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        with no_gc_pauses():
            self._step_phases()

    def _step_phases(self) -> None:
        self.year += 1
        self.ledger.reset()
        self.read_policy()  # 1
        economy.produce_and_price(self)  # 2
        economy.allocate_capital(self)  # 3
        labour.choose_work(self)  # 4
        labour.citizenize(self)  # 5
        land.manage_land(self)  # 6
        economy.run_public_finance(self)  # 7
        demography.age_and_renew(self)  # 8
        self.collect()  # 9
        if self.year >= self.end_year:
            self.running = False

    def collect(self) -> None:
        self.count_household_migrants()
        self.outcomes = outcomes.compute(self)
        self.datacollector.collect(self)
        if self.config.get("collect_breakdowns", True):
            self.breakdown_records["county"].append(outcomes.county_columns(self))
            self.breakdown_records["tier"].append(outcomes.tier_columns(self))
            self.breakdown_records["city"].append(outcomes.city_columns(self))

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
        h, m = self.households, self.migrants
        agents = float((h.members_home() * h.weight).sum() + h.weight[m.origin[m.alive]].sum())
        natives = float(self.counties.native.sum() + self.cities.native[self.cities.inside].sum())
        return agents + natives

    def total_capital(self) -> float:
        """Every stock of capital and money: savings, productive capital and fiscal balances (yuan)."""
        h, m, c, j = self.households, self.migrants, self.counties, self.cities
        return float((h.savings * h.weight).sum() + (m.savings[m.alive] * h.weight[m.origin[m.alive]]).sum()
                     + c.K_town.sum() + c.K_ag.sum() + c.fiscal.sum() + j.K.sum() + j.fiscal.sum())

    def total_farmland(self) -> float:
        h = self.households
        return float((h.land * h.weight).sum() + self.counties.collective_land.sum())
