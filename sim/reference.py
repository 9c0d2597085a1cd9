"""The engine's household and migrant rules written the idiomatic Mesa way, for benchmarking and equivalence only.

One `mesa.Agent` per household (`RefHousehold`) and per migrant worker (`RefMigrant`), each holding its own state
as Python attributes, each phase a `shuffle_do` of a per-agent method that reads and writes those attributes
with `math` and the model's stdlib `random`. Place-level arithmetic over counties and cities (production, prices,
capital allocation, public finance, O(places)) is the engine's: the per-place inputs it needs (residents, labour
supply) come from a per-agent census, as DataCollector-style model reporters would compute them.

The reference starts from an engine model's state (`ReferenceModel.from_engine(engine_model, seed)`: the same
world, calibration, choice constants, places, households and migrants, copied into agents) and then follows the
same yearly phases. Its random draws differ (one per agent, in shuffled order), so it agrees with the engine in
distribution, not draw for draw: `tests/test_reference_equivalence.py` checks that.

    python -m sim.reference --households 10000 --end-year 2018
"""

from __future__ import annotations

import argparse
import bisect
import copy
import math
import time

import mesa
import numpy as np
import pandas as pd

from .engine import incomes
from .engine.markets import commute_cost, settlement_openness_of_tier
from .engine.model import ChengxiangModel
from .engine.people import (CITY, DEST_CITY, DEST_TOWN, HOMESTEAD_EXITED, HOMESTEAD_IDLE, HOMESTEAD_USED,
                            LAND_ABANDONED, LAND_EXITED, LAND_FARMED, LAND_RENTED_OUT, RURAL, TOWN, URBAN, VILLAGE,
                            Households, Migrants)
from .engine.phases import capital, finance, production
from .engine.phases import labour as labour_phase
from .engine.state import Ledger, State, Tables
from .engine.streams import RandomStreams
from .outcomes import compute as outcomes
from .outcomes.metrics import METRICS


def _gumbel(random) -> float:
    u = random.random()
    return -math.log(-math.log(u if u > 0.0 else 5e-324))


def _binomial(random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if random.random() < p)


def _log_income(x: float, floor: float) -> float:
    return math.log(x if x > floor else floor)


# ---------------------------------------------------------------------------------------------- agents
class RefMigrant(mesa.Agent):
    """A migrant worker: its own state, its own yearly decisions."""

    def __init__(self, model, household, county, dest_kind, dest_city, age, skill, years=0, employed=True,
                 lives_in_town=False, wage=0.0, remit=0.0, savings=0.0):
        super().__init__(model)
        self.household = household
        self.county = county
        self.dest_kind = dest_kind
        self.dest_city = dest_city
        self.age = age
        self.skill = skill
        self.years = years
        self.employed = employed
        self.lives_in_town = lives_in_town
        self.wage = wage
        self.remit = remit
        self.savings = savings
        household.migrant_workers.append(self)

    def leave(self) -> None:
        """Gone from the migrant workforce (returned, settled, retired or died)."""
        self.household.migrant_workers.remove(self)
        self.remove()

    # ---- phase 3
    def invest(self) -> None:
        m = self.model
        deposit = m.params["household_investment_rate"] * max(self.savings, 0.0)
        self.savings -= deposit
        m.urban_pool += deposit * self.household.weight

    # ---- phase 4
    def train(self) -> None:
        m = self.model
        if m.random.random() < m.training_cover:
            self.skill = min(self.skill * m.training_gain, m.params["skill_cap"])

    def step(self) -> None:
        """The yearly work decision: earn this year's wage, then stay, move or return home."""
        self.earn()
        self.reconsider()

    def earn(self) -> None:
        """Employment draw, wage, living cost, remittance and saving of the year."""
        m, p, pl = self.model, self.model.params, self.model.place
        out = self.dest_kind == DEST_CITY
        if out:
            unemp, rate, living = pl.j_unemp[self.dest_city], pl.j_wage[self.dest_city], pl.j_living[self.dest_city]
        else:
            c = self.county
            unemp, rate = pl.c_unemp[c], pl.c_wage[c]
            living = pl.c_living[c] if self.lives_in_town else pl.commute[c]
        self.employed = m.random.random() < m.employment_chance(unemp)
        wage = rate * self.skill if self.employed else 0.0
        remit = p["remittance_share"] * max(wage - living, 0.0)
        saving = p["household_saving_rate"] * max(wage - living - remit, 0.0)
        self.wage, self.remit = wage, remit
        self.savings += saving
        m.ledger.saving += saving * self.household.weight

    def reconsider(self) -> None:
        """Stay, move to another (sampled) city or the county town, or return home."""
        m, p = self.model, self.model.params
        rnd = m.random
        if not (rnd.random() < p["reconsider_rate_migrant"] or not self.employed or self.age >= p["return_age"]):
            return
        asc, c, skill = m.choice_constants, self.county, self.skill
        out = self.dest_kind == DEST_CITY
        u_town = m.town_utility(c, skill)
        here = m.city_utility(c, self.dest_city, skill) if out else u_town
        here += p["tenure_bonus"] * min(self.years, p["tenure_cap_years"]) - (0.0 if self.employed else p["unemployed_stay_penalty"])
        u_home = m.home_utility(c, skill, self.savings) + p["return_age_pull"] * max(self.age - p["return_age"], 0)
        best, choice = here + _gumbel(rnd), 0
        u = u_home + asc["migrant_return"] + _gumbel(rnd)
        if u > best:
            best, choice = u, 1
        u = u_town + (asc["migrant_to_town"] if out else 0.0) + _gumbel(rnd)
        if u > best:
            best, choice = u, 2
        target = -1
        for city, u_city in m.city_options(c, skill):
            u = u_city + asc["migrant_to_city"] + _gumbel(rnd)
            if u > best:
                best, choice, target = u, 3, city
        if choice == 0 or (choice == 2 and not out):
            self.years += 1
        elif choice == 1:
            self.return_home()
        elif choice == 2:
            self.dest_kind, self.dest_city, self.years = DEST_TOWN, -1, 0
            self.lives_in_town = rnd.random() < p["local_migrant_lives_in_town"]
        else:
            self.dest_kind, self.dest_city, self.years = DEST_CITY, target, 0

    def return_home(self) -> None:
        m, h = self.model, self.household
        if self.skill > m.params["talent_skill_threshold"]:
            m.ledger.talent_to_rural += h.weight
            m.returned_talent[self.county] += h.weight
        h.adults += 1
        h.savings += self.savings
        h.skill = max(h.skill, m.params["returnee_skill_mix"] * (h.skill + self.skill))
        self.leave()

    # ---- phase 5
    def consider_hukou(self) -> None:
        """An eligible migrant may take urban hukou where it works; the family follows (one per household)."""
        m, p, lv, pl = self.model, self.model.params, self.model.in_force, self.model.place
        rnd, h = m.random, self.household
        if h.settling_this_year:
            return
        out = self.dest_kind == DEST_CITY
        if out:
            j = self.dest_city
            openness, service, living = m.open_tier[pl.j_tier[j]], pl.j_service[j], pl.j_living[j]
        else:
            c = self.county
            openness, service, living = lv["settlement_openness_county_town"], pl.c_town_service[c], pl.c_living[c]
        points = min(max(self.skill / p["rural_skill_median"], p["points_min"]), p["points_max"]) ** (1 - openness)
        if not (self.employed and self.years >= lv["residence_years_required"]
                and rnd.random() < min(max(openness * points, 0.0), 1.0)):
            return
        wage = max(self.wage, p["settle_wage_floor"])
        land_income = h.land * pl.c_rent[h.county] / wage
        gain = (p["hukou_value"] * (1 - lv["services_by_residence"]) * service
                + p["citizenization_support_value"] * lv["citizenization_support"]
                - p["settling_cost"] * living / wage
                - p["land_value_weight"] * (1 - lv["land_rights_kept_on_settling"]) * land_income * p["land_income_horizon"])
        if rnd.random() < 1 / (1 + math.exp(-(p["settle_constant"] + gain))):
            h.settling_this_year = True
            m.settlers.append((h, CITY if out else TOWN, self.dest_city if out else -1))

    # ---- phase 8
    def grow_older(self) -> None:
        m, p = self.model, self.model.params
        self.age += 1
        died = m.random.random() < m.p_young
        if died or self.age >= p["migrant_retirement_age"]:
            h = self.household
            h.savings += self.savings
            if died:
                m.ledger.deaths += h.weight
            else:
                h.elderly += 1
            self.leave()


class RefHousehold(mesa.Agent):
    """A rural-origin household: its own members, land, savings and incomes, its own yearly decisions."""

    def __init__(self, model, **state):
        super().__init__(model)
        self.__dict__.update(state)
        self.migrant_workers: list[RefMigrant] = []
        self.settling_this_year = False

    def members_home(self) -> int:
        return self.adults + self.children + self.elderly

    def income(self) -> float:
        return (self.inc_farm + self.inc_wage + self.inc_remit + self.inc_rent + self.inc_collective
                + self.inc_transfer + self.inc_business)

    def farm_labour(self) -> float:
        return self.adults + self.model.params["elderly_farm_effort"] * self.elderly if self.residence == VILLAGE else 0.0

    # ---- phase 3
    def invest(self) -> None:
        m = self.model
        invest = m.params["household_investment_rate"] * max(self.savings, 0.0)
        self.savings -= invest
        m.rural_pool[self.county] += invest * self.weight

    # ---- phase 4
    def train(self) -> None:
        m = self.model
        if m.random.random() < m.training_cover * m.params["household_training_share"]:
            self.skill = min(self.skill * m.training_gain, m.params["skill_cap"])

    def step(self) -> None:
        """The yearly work decision: one working adult at home in the village may reconsider: farm, the county
        town, or a sampled city."""
        m, p = self.model, self.model.params
        rnd = m.random
        if self.residence != VILLAGE or self.adults <= 0 or rnd.random() >= p["reconsider_rate_home"]:
            return
        asc, c, skill = m.choice_constants, self.county, self.skill
        u_home = m.home_utility(c, skill, self.savings) + p["family_tie"] * (self.children > 0)
        best, choice, target = u_home + _gumbel(rnd), 0, -1
        u = m.town_utility(c, skill) + asc["home_to_town"] + _gumbel(rnd)
        if u > best:
            best, choice = u, 1
        for city, u_city in m.city_options(c, skill):
            u = u_city + asc["home_to_city"] + _gumbel(rnd)
            if u > best:
                best, choice, target = u, 2, city
        if choice == 0:
            return
        local = choice == 1
        age = int(min(max(rnd.gauss(p["new_migrant_age"], p["new_migrant_age_sd"]), p["worker_age_min"]), p["new_migrant_age_max"]))
        RefMigrant(m, self, c, DEST_TOWN if local else DEST_CITY, target, age,
                   self.skill * rnd.lognormvariate(p["new_migrant_skill_log_premium"], p["new_migrant_skill_sd"]),
                   lives_in_town=local and rnd.random() < p["local_migrant_lives_in_town"])
        self.adults -= 1

    # ---- phase 5
    def consider_hukou_as_resident(self) -> None:
        """A rural-hukou family already living in a town or city may settle there."""
        m, lv, pl = self.model, self.model.in_force, self.model.place
        if self.hukou != RURAL or self.residence == VILLAGE or self.settling_this_year:
            return
        openness = (m.open_tier[pl.j_tier[self.residence_city]] if self.residence == CITY
                    else lv["settlement_openness_county_town"])
        if m.random.random() < m.params["resident_settle_rate"] * openness:
            self.settling_this_year = True
            m.settlers.append((self, self.residence, self.residence_city))

    def settle(self, residence: int, city: int) -> None:
        """Take urban hukou where the family settles; its migrants join it; land rights per policy."""
        m, p, lv = self.model, self.model.params, self.model.in_force
        m.ledger.citizenized += (self.members_home() + len(self.migrant_workers)) * self.weight
        for mig in list(self.migrant_workers):
            self.adults += 1
            self.savings += mig.savings
            mig.leave()
        self.hukou, self.residence, self.residence_city = URBAN, residence, city
        if self.homestead != HOMESTEAD_EXITED:
            self.homestead = HOMESTEAD_IDLE
        cost = min(max(self.savings, 0.0), p["settling_cash_cost"] * m.wage_index)
        self.savings -= cost
        m.ledger.settling_costs += cost * self.weight
        if m.random.random() >= lv["land_rights_kept_on_settling"] and self.land_state != LAND_EXITED:
            self.surrender_land()
            m.ledger.land_rights_exits += self.weight

    def surrender_land(self) -> None:
        self.model.counties.collective_land[self.county] += self.land * self.weight
        self.land, self.land_state, self.homestead, self.collective_member = 0.0, LAND_EXITED, HOMESTEAD_EXITED, False

    # ---- phase 6
    def exit_rights(self) -> None:
        """Paid exit of the land rights of a settled family; idle homesteads sold as construction-land quotas."""
        m, p, lv, pl = self.model, self.model.params, self.model.in_force, self.model.place
        u = m.random.random()
        c, w, fiscal = self.county, self.weight, m.counties.fiscal
        if (self.hukou == URBAN and self.residence != VILLAGE and self.land_state != LAND_EXITED
                and u < lv["land_paid_exit"] * p["exit_rate"] * m.exit_appeal):
            pay = lv["land_exit_compensation"] * (self.land * pl.c_rent[c] + m.homestead_value)
            self.savings += pay
            fiscal[c] -= pay * w
            fiscal[c] += m.quota_revenue * w
            m.ledger.land_revenue += m.quota_revenue * w
            self.surrender_land()
            m.ledger.land_rights_exits += w
        if (self.homestead == HOMESTEAD_IDLE and self.residence != VILLAGE
                and u >= 1 - lv["unified_construction_land_market"] * p["quota_exit_rate"]):
            value = p["quota_price_yuan_per_mu"] * p["homestead_mu_per_household"]
            to_household = p["quota_household_share"] * value
            self.savings += to_household
            fiscal[c] += (value - to_household) * w
            m.ledger.land_revenue += value * w
            self.homestead = HOMESTEAD_EXITED
            m.ledger.land_rights_exits += w

    def rent_out(self) -> None:
        """Mark the homestead; put land on the county rental market or keep farming it."""
        m, p, lv = self.model, self.model.params, self.model.in_force
        if self.homestead != HOMESTEAD_EXITED:
            home = self.residence == VILLAGE and self.members_home() > 0
            self.homestead = HOMESTEAD_USED if home else HOMESTEAD_IDLE
        u_match, u_keep = m.random.random(), m.random.random()
        if self.land_state == LAND_EXITED:
            return
        labour = self.farm_labour()
        n_mig = len(self.migrant_workers)
        share = n_mig / max(n_mig + self.adults, 1)
        wants_out = labour == 0 or u_keep < p["rent_out_propensity"] * share + p["rent_out_base"]
        stays_out = self.land_state == LAND_RENTED_OUT and (labour == 0 or u_keep < p["contract_persistence"])
        if stays_out or (wants_out and u_match >= lv["land_rental_friction"]):
            self.land_state = LAND_RENTED_OUT
        else:
            self.land_state = LAND_FARMED if labour > 0 else LAND_ABANDONED

    def offer_and_bid(self) -> None:
        """Add rented-out land to the county's supply, or bid for land as an operator."""
        m = self.model
        labour = self.farm_labour()
        if self.land_state == LAND_RENTED_OUT:
            m.land_supply[self.county] += self.land * self.weight
        self.operator_score = (labour * self.skill ** m.params["operator_skill_power"]
                               if self.land_state == LAND_FARMED and labour > 0 else 0.0)
        m.operator_score[self.county] += self.operator_score * self.weight

    def farm(self) -> None:
        """Rent in land, farm it, pay and receive rents."""
        m, p, pl = self.model, self.model.params, self.model.place
        c = self.county
        labour = self.farm_labour()
        self.rented_in = (m.land_supply[c] * self.operator_score / max(m.operator_score[c], 1e-12)
                          if self.operator_score > 0 else 0.0)
        operated = (self.land if self.land_state == LAND_FARMED else 0.0) + self.rented_in
        output = 0.0
        if operated > 0:
            intensity = min((labour / max(operated, 1e-9) / p["labour_per_mu_2013"]) ** p["labour_intensity_power"],
                            p["farm_intensity_max"])
            scale = min(max(1 + p["farm_scale_elasticity"] * math.log(max(operated, 1e-9) / p["median_farm_mu"]),
                            p["farm_scale_min"]), p["farm_scale_max"])
            output = pl.c_ag_price[c] * operated * intensity * scale * math.sqrt(self.skill / p["rural_skill_median"])
        self.inc_farm = output - self.rented_in * pl.c_rent[c]
        self.inc_rent = self.land * pl.c_rent[c] if self.land_state == LAND_RENTED_OUT else 0.0
        m.farm_output[c] += output * self.weight
        m.farm_labour[c] += labour * self.weight
        self.collective_share = ((self.members_home() + len(self.migrant_workers))
                                 if self.collective_member else 0)
        m.collective_shares[c] += self.collective_share * self.weight

    def take_dividend(self) -> None:
        self.inc_collective = self.collective_share * self.model.dividend_per_member[self.county]

    # ---- phase 7
    def earn_and_save(self) -> None:
        """Wages where the family lives, commuters' wages, remittances, transfers, business income; saving."""
        m, p, pl = self.model, self.model.params, self.model.place
        remit = commuter_wage = 0.0
        for mig in self.migrant_workers:
            remit += mig.remit
            if mig.dest_kind == DEST_TOWN and not mig.lives_in_town:
                commuter_wage += mig.wage - mig.remit
        if self.residence == CITY:
            wage_here = pl.j_wage[self.residence_city] * (1 - pl.j_unemp[self.residence_city])
        elif self.residence == TOWN:
            wage_here = pl.c_wage[self.county] * (1 - pl.c_unemp[self.county])
        else:
            wage_here = 0.0
        self.inc_wage = self.adults * self.skill * wage_here + commuter_wage
        self.inc_remit = remit
        village = self.residence == VILLAGE
        self.inc_transfer = m.transfer * self.members_home() if village and self.hukou == RURAL else 0.0
        self.inc_business = m.business_income(self.savings) if village and self.adults > 0 else 0.0
        saving = p["household_saving_rate"] * max(self.income(), 0.0)
        self.savings += saving
        m.ledger.saving += saving * self.weight

    # ---- phase 8
    def renew(self) -> None:
        """Births, deaths, children growing up, adults growing old."""
        m, p, rnd = self.model, self.model.params, self.model.random
        births = _binomial(rnd, self.adults + len(self.migrant_workers), m.p_birth)
        old_deaths = _binomial(rnd, self.elderly, m.p_old)
        adult_deaths = _binomial(rnd, self.adults, m.p_young)
        grown = _binomial(rnd, self.children, p["child_to_adult_rate"])
        retiring = _binomial(rnd, self.adults - adult_deaths, p["adult_to_elderly_rate"])
        self.children += births - grown
        self.adults += grown - adult_deaths - retiring
        self.elderly += retiring - old_deaths
        m.ledger.births += births * self.weight
        m.ledger.deaths += (old_deaths + adult_deaths) * self.weight

    def give_up_empty_land(self) -> None:
        if self.members_home() == 0 and not self.migrant_workers and self.land_state != LAND_EXITED:
            self.model.counties.collective_land[self.county] += self.land * self.weight
            self.land, self.land_state = 0.0, LAND_EXITED


# ---------------------------------------------------------------------------------------------- model
HOUSEHOLD_FIELDS = ("county", "weight", "adults", "children", "elderly", "hukou", "residence", "residence_city",
                    "land", "land_state", "rented_in", "homestead", "collective_member", "savings", "skill",
                    "inc_farm", "inc_wage", "inc_remit", "inc_rent", "inc_collective", "inc_transfer",
                    "inc_business")


MIGRANT_FIELDS = ("county", "dest_kind", "dest_city", "age", "skill", "years", "employed", "lives_in_town", "wage",
                  "remit", "savings")
CENSUS_HOUSEHOLD = ("county", "weight", "adults", "children", "elderly", "residence", "residence_city", "skill")
CENSUS_MIGRANT = ("county", "dest_kind", "dest_city", "skill", "employed", "lives_in_town")


class _Places:
    """Per-place values as Python lists, refreshed when the place arrays change (cheap: O(places))."""

    def __init__(self, model):
        c, j = model.counties, model.cities
        self.j_unemp, self.j_wage, self.j_living = j.unemployment.tolist(), j.wage.tolist(), j.living_cost.tolist()
        self.j_service, self.j_tier = j.service.tolist(), j.tier.tolist()
        self.c_unemp, self.c_wage, self.c_living = c.unemployment.tolist(), c.wage.tolist(), c.living_cost.tolist()
        self.c_town_service, self.c_rent, self.c_ag_price = c.town_service.tolist(), c.rent_per_mu.tolist(), c.ag_price.tolist()
        self.c_farm_income = c.farm_income_per_worker.tolist()
        p = model.params
        self.c_amenity = (p["amenity_service_weight"] * c.village_service
                          + p["amenity_infrastructure_weight"] * c.infra).tolist()
        self.commute = commute_cost(model).tolist()


class ReferenceModel(mesa.Model):
    """Idiomatic-Mesa twin of `ChengxiangModel`: same phases, per-agent rules, per-agent state."""

    def __init__(self, engine: ChengxiangModel, seed: int = 0):
        super().__init__(rng=seed)
        e = engine
        self.config, self.params, self.policy = e.config, e.params, e.policy
        self.start_year, self.end_year, self.year = e.start_year, e.end_year, e.year
        # Place-level demand shocks: the engine's stream, copied, so both face the same shocks (common random
        # numbers for the equivalence test); every per-agent draw uses this model's own `random`.
        self.streams = RandomStreams(seed)
        self.streams._streams["shocks"] = copy.deepcopy(e.streams["shocks"])
        es, et = e.state, e.state.tables
        tables = Tables(destination_q=et.destination_q.copy(), destination_cdf=et.destination_cdf.copy(),
                        network_share=et.network_share.copy(), choice_constants=dict(et.choice_constants))
        # households and migrants: filled by `census` from the agents whenever the engine's formulas need them
        self.state = State(es.world, Households(0), Migrants(1, Households(0)), copy.deepcopy(es.counties),
                           copy.deepcopy(es.cities), es.total_population_start, es.wage_index, es.housing_index,
                           tables, Ledger())
        self.read_policy()
        # --- agents from the engine's arrays
        h, mg = e.households, e.migrants
        cols = {name: getattr(h, name).tolist() for name in HOUSEHOLD_FIELDS}
        self.household_agents = [RefHousehold(self, row=i, **{k: cols[k][i] for k in HOUSEHOLD_FIELDS})
                                 for i in range(h.n)]
        for r in mg.live().tolist():
            RefMigrant(self, self.household_agents[int(mg.origin[r])], int(mg.county[r]), int(mg.dest_kind[r]),
                       int(mg.dest_city[r]), int(mg.age[r]), float(mg.skill[r]), int(mg.years[r]),
                       bool(mg.employed[r]), bool(mg.lives_in_town[r]), float(mg.wage[r]), float(mg.remit[r]),
                       float(mg.savings[r]))
        self.records = [self._outcomes()]

    @classmethod
    def from_engine(cls, engine: ChengxiangModel, seed: int = 0) -> ReferenceModel:
        return cls(engine, seed)

    households = property(lambda self: self.state.households)
    migrants = property(lambda self: self.state.migrants)
    counties = property(lambda self: self.state.counties)
    cities = property(lambda self: self.state.cities)
    world = property(lambda self: self.state.world)
    ledger = property(lambda self: self.state.ledger)
    wage_index = property(lambda self: self.state.wage_index)
    choice_constants = property(lambda self: self.state.tables.choice_constants)

    @property
    def households_set(self):
        return self.agents_by_type[RefHousehold]

    @property
    def migrants_set(self):
        return self.agents_by_type.get(RefMigrant) or mesa.agent.AgentSet([], random=self.random)

    # ------------------------------------------------------------------ helpers used by agents
    def read_policy(self) -> None:
        self.in_force = self.policy.values(self.year)

    def settlement_openness_of_tier(self) -> np.ndarray:
        return settlement_openness_of_tier(self.in_force)

    def transfer_per_capita(self) -> float:
        return incomes.transfer_per_capita(self)

    def employment_chance(self, unemployment: float) -> float:
        p = self.params
        v = 1 - unemployment * (p["migrant_unemployment_premium"] - self.in_force["employment_services"])
        return min(max(v, p["employment_chance_min"]), 1.0)

    def business_income(self, savings: float) -> float:
        p, lv = self.params, self.in_force
        reach = min(max(lv["rural_finance_access"] + p["talent_business_weight"] * lv["urban_talent_incentive"], 0.0),
                    p["business_reach_max"])
        stake = min(max(savings, 0.0), p["business_stake_cap"] * self.wage_index)
        return p["business_return"] * reach * stake

    def _prepare_choices(self) -> None:
        """Per-place terms of the utilities for this year's decisions (O(places))."""
        lv = self.in_force
        self.place = pl = _Places(self)
        self.open_tier = self.settlement_openness_of_tier().tolist()
        s = lv["services_by_residence"]
        weight = self.params["service_access_openness_weight"]
        self.city_access = [s + (1 - s) * self.open_tier[t] * weight for t in pl.j_tier]
        self.city_pay = [self.employment_chance(u) * w for u, w in zip(pl.j_unemp, pl.j_wage)]
        self.log1p_distance = np.log1p(self.world.distance).tolist()
        self.network = self.state.tables.network_share.tolist()
        self.cdf_rows = self.state.tables.destination_cdf.tolist()
        self.q_rows = self.state.tables.destination_q.tolist()
        self.transfer = self.transfer_per_capita()
        self.town_access = s + (1 - s) * lv["settlement_openness_county_town"] * weight

    def city_utility(self, county: int, city: int, skill: float) -> float:
        p, pl = self.params, self.place
        income = self.city_pay[city] * skill - pl.j_living[city]
        return (p["utility_income"] * _log_income(income, p["income_floor"])
                + p["utility_services"] * self.city_access[city] * pl.j_service[city]
                - p["utility_distance"] * self.log1p_distance[county][city]
                + p["utility_network"] * math.log(self.network[county][city] + labour_phase.NETWORK_FLOOR))

    def town_utility(self, county: int, skill: float) -> float:
        p, pl = self.params, self.place
        income = self.employment_chance(pl.c_unemp[county]) * pl.c_wage[county] * skill - min(pl.commute[county], pl.c_living[county])
        return (p["utility_income"] * _log_income(income, p["income_floor"])
                + p["utility_services"] * self.town_access * pl.c_town_service[county]
                - p["utility_distance"] * math.log1p(p["village_town_km"])
                + p["utility_home_attachment"] * p["town_attachment_share"])

    def home_utility(self, county: int, skill: float, savings: float) -> float:
        p, pl = self.params, self.place
        farm = pl.c_farm_income[county] * math.sqrt(skill / p["rural_skill_median"])
        return (p["utility_income"] * _log_income(farm + self.business_income(savings) + self.transfer, p["income_floor"])
                + p["utility_services"] * pl.c_amenity[county] + p["utility_home_attachment"])

    def city_options(self, county: int, skill: float):
        """k candidate cities sampled by size and distance, with their utilities and the sampling correction."""
        k = int(self.params["choice_set_size"])
        row, q, last = self.cdf_rows[county], self.q_rows[county], len(self.cdf_rows[county]) - 1
        for _ in range(k):
            city = min(bisect.bisect_right(row, self.random.random() * 0.999999), last)
            yield city, self.city_utility(county, city, skill) - math.log(q[city] * k)

    # ------------------------------------------------------------------ census (per-agent reporters)
    def census(self, full: bool = True) -> None:
        """The per-agent state as arrays, for the engine's place-level formulas and outcome reporters (`full`),
        or only what residents and labour supply per place need."""
        hh = self.household_agents
        h = Households(len(hh))
        for name in HOUSEHOLD_FIELDS if full else CENSUS_HOUSEHOLD:
            getattr(h, name)[:] = [getattr(a, name) for a in hh]
        migs = list(self.migrants_set)
        mg = Migrants(max(len(migs), 1), h)
        rows = mg.allocate(np.array([m.household.row for m in migs], dtype=np.int64))  # counts h.migrants too
        for name in MIGRANT_FIELDS if full else CENSUS_MIGRANT:
            getattr(mg, name)[rows] = [getattr(m, name) for m in migs]
        self.state.households, self.state.migrants = h, mg

    def total_people(self) -> float:
        return ChengxiangModel.total_people(self)

    def total_farmland(self) -> float:
        return ChengxiangModel.total_farmland(self)

    def _outcomes(self) -> dict[str, float]:
        self.census()  # residents per place stay as counted in phase 7, as in the engine's collect
        out = outcomes.compute(self)
        out["year"] = self.year
        return out

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        self.year += 1
        self.ledger.reset()
        self.read_policy()  # 1
        self.census(full=False)  # 2: the engine's place-level production and prices, from a per-agent census
        production.produce_and_price(self)
        self.allocate_capital()  # 3
        self.choose_work()  # 4
        self.citizenize()  # 5
        self.manage_land()  # 6
        self.public_finance()  # 7
        self.demography()  # 8
        self.records.append(self._outcomes())  # 9
        if self.year >= self.end_year:
            self.running = False

    def allocate_capital(self) -> None:
        """Households and migrants place savings (per agent); the pools are allocated as in the engine."""
        c = self.counties
        self.rural_pool = np.zeros(c.n).tolist()
        self.urban_pool = 0.0
        self.households_set.shuffle_do("invest")
        self.migrants_set.shuffle_do("invest")
        capital.allocate_pools(self, np.array(self.rural_pool), self.urban_pool)

    def choose_work(self) -> None:
        p, lv = self.params, self.in_force
        counts: dict[tuple[int, int], int] = {}
        for m in self.migrants_set:
            if m.dest_kind == DEST_CITY:
                counts[m.county, m.dest_city] = counts.get((m.county, m.dest_city), 0) + 1
        net = np.zeros((self.counties.n, self.cities.n))
        for (c, j), n in counts.items():
            net[c, j] = n
        self.state.tables.network_share = net / np.maximum(net.sum(axis=1, keepdims=True), 1)
        self.training_cover, self.training_gain = lv["skills_training_coverage"], math.exp(p["training_skill_gain"])
        self.migrants_set.shuffle_do("train")
        self.households_set.shuffle_do("train")
        self._prepare_choices()
        self.returned_talent = [0.0] * self.counties.n
        self.migrants_set.shuffle_do("step")  # earn, then stay / move / return
        self.households_set.shuffle_do("step")  # workers at home: farm, town or city
        talent = p["talent_per_incentive"] * lv["urban_talent_incentive"] * self.counties.rural_residents
        self.counties.talent[:] = np.array(self.returned_talent) + talent
        self.ledger.talent_to_rural += float(talent.sum())

    def citizenize(self) -> None:
        self.open_tier = self.settlement_openness_of_tier().tolist()
        self.settlers = []
        for h in self.household_agents:
            h.settling_this_year = False
        self.migrants_set.shuffle_do("consider_hukou")
        self.households_set.shuffle_do("consider_hukou_as_resident")
        for household, residence, city in self.settlers:
            household.settle(residence, city)

    def manage_land(self) -> None:
        p, lv, c = self.params, self.in_force, self.counties
        self.place = _Places(self)
        self.exit_appeal = 1 / (1 + math.exp(-(lv["land_exit_compensation"] - p["exit_reservation_years"])
                                             / p["exit_appeal_scale"]))
        self.homestead_value = p["homestead_rent_per_year"] * self.wage_index
        self.quota_revenue = (lv["unified_construction_land_market"] * p["quota_price_yuan_per_mu"]
                              * p["homestead_mu_per_household"])
        self.households_set.shuffle_do("exit_rights")
        self.households_set.shuffle_do("rent_out")
        self.land_supply = c.collective_land.tolist()
        self.operator_score = [0.0] * c.n
        self.farm_output, self.farm_labour, self.collective_shares = [0.0] * c.n, [0.0] * c.n, [0.0] * c.n
        self.households_set.shuffle_do("offer_and_bid")
        self.land_supply = (np.zeros(c.n) + self.land_supply).tolist()
        self.households_set.shuffle_do("farm")
        c.farm_output[:] = self.farm_output
        c.farm_labour[:] = self.farm_labour
        c.farm_income_per_worker[:] = c.farm_output / np.maximum(c.farm_labour, 1.0)
        shares = np.array(self.collective_shares)
        pool = (c.collective_land * c.rent_per_mu + p["collective_income_per_member"] * shares
                * self.wage_index ** p["collective_income_wage_elasticity"])
        self.dividend_per_member = (pool / np.maximum(shares, 1.0)).tolist()
        self.households_set.shuffle_do("take_dividend")

    def public_finance(self) -> None:
        self.census(full=False)
        finance.public_finance(self)
        self.place = _Places(self)
        self.transfer = self.transfer_per_capita()
        self.households_set.shuffle_do("earn_and_save")

    def demography(self) -> None:
        p, lv, c, j = self.params, self.in_force, self.counties, self.cities
        hh = self.household_agents
        persons = sum(h.members_home() * h.weight for h in hh) + sum(m.household.weight for m in self.migrants_set)
        elderly_total = sum(h.elderly * h.weight for h in hh)
        adults_total = sum((h.adults + len(h.migrant_workers)) * h.weight for h in hh)
        b, d = lv["birth_rate"], lv["death_rate"]
        self.p_birth = min(b * persons / max(adults_total, 1.0), 1.0)
        self.p_old = min(p["elderly_mortality_share"] * d * persons / max(elderly_total, 1.0), 1.0)
        self.p_young = min((1 - p["elderly_mortality_share"]) * d * persons / max(adults_total, 1.0), 1.0)
        self.households_set.shuffle_do("renew")
        self.migrants_set.shuffle_do("grow_older")
        for stock in (c.native, j.native):
            born, dead = b * stock, d * stock
            if stock is j.native:
                born, dead = born * j.inside, dead * j.inside
            stock += born - dead
            self.ledger.births += float(born.sum())
            self.ledger.deaths += float(dead.sum())
        self.households_set.shuffle_do("give_up_empty_land")

    def run_to_end(self) -> None:
        while self.running and self.year < self.end_year:
            self.step()

    def results(self) -> pd.DataFrame:
        return pd.DataFrame(self.records)[["year", *METRICS]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=10_000)
    ap.add_argument("--end-year", type=int, default=2018)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    cfg = {"world": {"households": args.households}, "time": {"start_year": 2013, "end_year": args.end_year}}
    t = time.perf_counter()
    engine = ChengxiangModel(cfg, seed=args.seed)
    ref = ReferenceModel.from_engine(engine, seed=args.seed)
    t1 = time.perf_counter()
    ref.run_to_end()
    t2 = time.perf_counter()
    engine.run_to_end()
    t3 = time.perf_counter()
    print(f"build {t1 - t:.2f} s; reference run {t2 - t1:.2f} s; engine run {t3 - t2:.2f} s")
    keys = ["urbanization_rate", "hukou_urbanization_rate", "migrant_workers", "urban_rural_income_ratio",
            "land_transfer_share", "rural_elderly_share", "income_gini"]
    print(pd.DataFrame({"engine": engine.results().iloc[-1][keys], "reference": ref.results().iloc[-1][keys]}))


if __name__ == "__main__":
    main()
