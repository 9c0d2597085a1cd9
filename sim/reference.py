"""The engine's person and household rules written the idiomatic Mesa way, for benchmarking and equivalence only.

One `mesa.Agent` per rural-hukou person (`RefPerson`) and one per rural household (`RefHousehold`), each holding
its own state as Python values (a person's unit head is a reference to the head's agent, a household's members a
Python list of its persons). Each phase calls per-agent methods that read and write those values with `math` and
the model's stdlib `random`, one draw per agent decision: `shuffle_do` where the order of activation decides
something (which applicant takes the last place of a quota, which unit of a household settles; the work and family
choices), `do` where it cannot (pay, land, incomes, ageing).

Place-level arithmetic over counties and cities - production and prices, capital allocation, public finance,
urban natives, the land market's per-county clearing rent - is the engine's own (`sim.engine.phases.production`,
`capital.allocate_pools`, `finance.public_finance`, `demography.age_natives`, `kernels.clear_land_market`), fed
with the per-agent state gathered into arrays by a census (`ReferenceModel.census`), as DataCollector reporters
would gather it. Every rule about a person or a household is written here, per agent, with the engine's formulas
and parameter names, in the engine's order of phases (`sim.engine.model.ChengxiangModel._step_phases`):

    production and prices   census -> production.produce_and_price                        (place level)
    capital                 RefHousehold.invest, RefPerson.deposit -> capital.allocate_pools
    labour                  network census; RefPerson.train, .reconsider (workers), .leave_home (people at
                            home), .follow_head_home; count_members; RefPerson.pay; urban talent (`phases.labour`)
    families                RefPerson.reconsider_family (children and elderly)                 (`phases.families`)
    citizenization          RefPerson.consider_settling (unit heads) -> quotas by points -> settle units;
                            RefHousehold.urbanize_in_situ (reclassified villages, in-situ hukou)
    land                    RefHousehold.exit_rights, .mark_homestead, .land_terms -> clearing rent per county
                            -> RefHousehold.take_land, .scale_land, .farm, .take_dividend       (`phases.land`)
    public finance          census -> finance.public_finance                                   (place level)
    incomes                 RefHousehold.earn_and_save                                          (`incomes`)
    demography              RefPerson.face_year (death, birth, ageing) -> births; .retire; .start_work_away;
                            .follow_head_home; count_members; natives; empty households' land  (`phases.demography`)
    collect                 full census -> sim.outcomes.compute.compute (the engine's outcome definitions)

Derived counts (a household's members at home by age, its first unit head, a head's dependants) are refreshed
by `RefHousehold.count_members` at the points where the engine calls `markets.count_members`, so every rule reads
them as fresh or as stale as the engine does.

The reference starts from an engine model's state (`ReferenceModel.from_engine(engine_model, seed)`: the same
world, parameters, policy, places, tables - choice and family constants included - households and persons,
copied into agents). Its random draws differ from the engine's (one per agent, in shuffled order), so it agrees
with the engine in distribution, not draw for draw: `tests/test_reference_equivalence.py` checks that.

    python -m sim.reference --households 10000 --end-year 2018
"""

from __future__ import annotations

import argparse
import bisect
import copy
import math
import time
from operator import attrgetter

import mesa
import numpy as np
import pandas as pd

from .engine import kernels
from .engine.ages import mortality_shape
from .engine.incomes import rural_pension, rural_subsidy, rural_transfer_per_capita
from .engine.markets import (city_access, commute_cost, count_residents, employment_chance,
                             settlement_openness_of_tier, town_access, town_city)
from .engine.model import ChengxiangModel
from .engine.people import (ADULT_AGE, AWAY, CITY_JOB, ELDERLY_AGE, HOME, HOMESTEAD_EXITED, HOMESTEAD_IDLE,
                            HOMESTEAD_USED, NO_JOB, TOWN_JOB, VILLAGE_JOB, Households, Persons)
from .engine.phases import capital, finance, production
from .engine.phases.citizenship import QUOTA_TIERS
from .engine.phases.demography import age_natives
from .engine.phases.labour import ASC_NAMES, NETWORK_FLOOR
from .engine.phases.land import MAX_RENT_PER_VALUE, MIN_RENT
from .engine.state import Ledger, State, Tables
from .engine.streams import RandomStreams
from .outcomes import compute as outcomes
from .outcomes.metrics import METRICS

NEG_INF = -math.inf
STAY, FARM, VILLAGE, TOWN, FIRST_CITY = 0, 1, 2, 3, 4  # work options (as `phases.labour`)
JOB_OF_OPTION = {FARM: NO_JOB, VILLAGE: VILLAGE_JOB, TOWN: TOWN_JOB}


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# ---------------------------------------------------------------------------------------------- persons
class RefPerson(mesa.Agent):
    """A rural-hukou person: its own age, place, unit head, job and pay, its own yearly decisions."""

    def __init__(self, model, household: RefHousehold, age: int, place: int = HOME, unit: RefPerson | None = None,
                 job: int = NO_JOB, city: int = -1, in_city_proper: bool = False, skill: float = 0.0,
                 training: float = 0.0, years: int = 0, employed: bool = False, wage: float = 0.0,
                 remit: float = 0.0, living: float = 0.0, savings: float = 0.0, urban_hukou: bool = False):
        super().__init__(model)
        self.household = household
        self.county = household.county
        self.age = age
        self.urban_hukou = urban_hukou
        self.place = place
        self.unit = unit  # the head of the unit it lives with when away (itself for a head), else None
        self.job = job
        self.city = city
        self.in_city_proper = in_city_proper
        self.skill = skill
        self.training = training
        self.years = years
        self.employed = employed
        self.wage = wage
        self.remit = remit
        self.living = living
        self.savings = savings
        self.alive = True
        self.dependants = 0  # derived (count_members): people living with this unit head
        self.kids = 0  # derived: of them, children
        self.row = -1  # position in the last census
        household.members.append(self)

    def leave(self) -> None:
        """Gone from the rural-hukou population (died, or took urban hukou with its unit)."""
        self.alive = False
        self.household.members.remove(self)
        self.remove()

    # ---- phase 3: capital
    def deposit(self) -> None:
        m = self.model
        amount = m.params["household_investment_rate"] * max(self.savings, 0.0)
        self.savings -= amount
        m.deposits += amount * self.household.weight

    # ---- phase 4: labour
    def train(self) -> None:
        """Training depreciates; a worker never trained may get one course (paid by its home county)."""
        if self.job == NO_JOB:
            return
        m, p = self.model, self.model.params
        if self.training > 0:
            loss = p["training_depreciation"] * self.training
            self.training -= loss
            self.skill *= math.exp(-loss)
        elif m.random.random() < m.in_force["skills_training_coverage"]:
            gain = p["training_skill_gain"]
            self.training = gain
            self.skill = min(self.skill * math.exp(gain), p["skill_cap"])
            w = self.household.weight
            cost = p["training_cost"] * m.state.wage_index * w
            m.counties.fiscal[self.county] -= cost
            m.ledger.public_spending += cost
            m.ledger.training_spending += cost
            m.ledger.trained += w

    def pay(self) -> None:
        """A year of work: employed with the employment chance where it works; a worker living away pays its
        unit's living cost, remits a share of what is left (by who is at home) and saves a share of the rest; one
        living at home pays for commuting to a county-town job (not from a village reclassified as urban)."""
        if self.job == NO_JOB:
            return
        m, p, t = self.model, self.model.params, self.model.pay_terms
        c = self.county
        if self.job == CITY_JOB:
            chance, rate = t["city_chance"][self.city], t["city_wage"][self.city]
        elif self.job == TOWN_JOB:
            chance, rate = t["town_chance"][c], t["town_wage"][c]
        else:
            chance, rate = t["town_chance"][c], t["village_wage"][c]
        works = m.random.random() < chance
        earned = rate * self.skill if works else 0.0
        cost = sent = kept = 0.0
        if self.place == AWAY:
            own = t["city_living"][self.city] if self.job == CITY_JOB else t["town_living"][c]
            cost = own * (1.0 + p["dependant_cost_share"] * self.dependants)
            h = self.household
            share = 0.0
            if h.home_children + h.home_adults + h.home_elderly > 0:
                share = p["remittance_share_base"]
                if h.home_children > 0:
                    share += p["remittance_share_children"]
                if h.home_elderly > 0:
                    share += p["remittance_share_elderly"]
            net = earned - cost
            if net > 0:
                sent = share * net
                kept = p["household_saving_rate"] * (net - sent)
        elif self.job == TOWN_JOB and not self.household.in_situ_urban:
            cost = t["commute"][c]  # (a village reclassified as urban is part of the town: no commuting)
        self.employed = works
        self.wage = earned
        self.remit = sent
        self.living = cost
        self.savings += kept
        m.ledger.saving += kept * self.household.weight

    def utilities(self, t: _Terms) -> tuple[list[float], list[int]]:
        """Systematic utilities of the work options (stay, farm, village job, county-town job, k sampled cities)
        and the sampled cities (`kernels.work_utilities`, per person)."""
        rnd = self.model.random
        c, s, current = self.county, self.skill, self.job
        w, floor = t.w_income, t.floor
        older = max(self.age - t.age_ref, 0.0) * t.age_penalty
        farm = (w * math.log(max(t.farm_income[c] * math.sqrt(s / t.skill_median) + t.transfer, floor))
                + t.amenity[c] + t.attachment)
        village = w * math.log(max(t.village_pay[c] * s, floor)) + t.amenity[c] + t.attachment
        in_town = self.place == HOME and self.household.in_situ_urban  # a reclassified village is part of the town
        cost = 0.0 if in_town else t.town_cost[c]
        town = (w * math.log(max(t.town_pay[c] * s - cost, floor)) + t.town_services[c] + t.town_attachment
                + t.town_amenity * t.amenity[c])  # the village amenity, for the share who commute from home
        living_factor = 1.0 + t.dependant_cost * self.dependants
        cdf, dist, net, corr = t.cdf[c], t.distance[c], t.network[c], t.correction[c]
        last = t.n_j - 1
        here_city = self.city if current == CITY_JOB else -1
        cities, u_cities = [], []
        for _ in range(t.k):
            j = min(bisect.bisect_right(cdf, rnd.random() * 0.999999), last)
            cities.append(j)
            if j == here_city:  # staying where one works is the first option, not a move
                u_cities.append(NEG_INF)
                continue
            u_cities.append(w * math.log(max(t.city_pay[j] * s - t.city_living[j] * living_factor, floor))
                            + t.city_services[j] - dist[j] + net[j] + corr[j] - older)
        asc = t.asc
        if current == NO_JOB:
            stay = farm + (t.family_tie if self.household.home_children > 0 else 0.0)
            u = [stay, NEG_INF, village + asc[0], town + asc[1]] + [x + asc[2] for x in u_cities]
        else:
            if current == CITY_JOB:
                j = self.city
                here = (w * math.log(max(t.city_pay[j] * s - t.city_living[j] * living_factor, floor))
                        + t.city_services[j] - dist[j] + net[j] - older)
            elif current == TOWN_JOB:
                here = town
            else:
                here = village
            here += t.tenure_bonus * min(self.years, t.tenure_cap)
            if not self.employed:
                here -= t.unemployed_penalty
            local = asc[4] if current == CITY_JOB else 0.0
            u = [here, farm + t.return_pull * max(self.age - t.return_age, 0.0) + asc[3],
                 NEG_INF if current == VILLAGE_JOB else village + local,
                 NEG_INF if current == TOWN_JOB else town + local] + [x + asc[5] for x in u_cities]
        return u, cities

    def choose(self, u: list[float]) -> int:
        """An option drawn with its logit probability exp(u) / sum exp(u), by inverting the cumulative
        probabilities at one uniform (`kernels.choose_logit`; unavailable options have u = -inf)."""
        top = max(u)
        weights = [math.exp(v - top) if v != NEG_INF else 0.0 for v in u]
        target = self.model.random.random() * sum(weights)
        acc, arg = 0.0, 0
        for t, e in enumerate(weights):
            acc += e
            if e > 0.0:
                arg = t
                if acc > target:
                    break
        return arg

    def reconsider(self) -> None:
        """A migrant worker (some each year, and every unemployed or old one) reconsiders: stay, return to
        farming, a village or county-town job, or one of k sampled cities."""
        if self.job == NO_JOB:
            return
        m, p = self.model, self.model.params
        self.years += 1  # another year at the job place (a move resets it)
        if not (m.random.random() < p["reconsider_rate_migrant"] or not self.employed or self.age >= p["return_age"]):
            return
        u, cities = self.utilities(m.terms)
        choice = self.choose(u)
        if choice == STAY:
            return
        if choice == FARM:
            h = self.household
            if self.skill > p["talent_skill_threshold"]:
                m.ledger.talent_to_rural += h.weight
                m.returned_talent[self.county] += h.weight
            if h.skill_mix_year != m.year:  # every returner of the year mixes with the skill the year began with
                h.skill_mix_year, h.skill_before = m.year, h.skill
            mix = p["returnee_skill_mix"]
            h.skill = max(h.skill, (1 - mix) * h.skill_before + mix * self.skill)
        self.take_job(choice, cities)

    def leave_home(self) -> None:
        """A person of working age at home without a non-farm job may take a village, county-town or city job (it
        knows its skill, drawn when it came of age)."""
        m, p = self.model, self.model.params
        if (self.place != HOME or self.job != NO_JOB or self.age < ADULT_AGE or self.age > p["leave_age_max"]
                or m.random.random() >= p["reconsider_rate_home"]):
            return
        u, cities = self.utilities(m.terms)
        choice = self.choose(u)
        if choice == STAY:
            return
        self.employed = True
        self.take_job(choice, cities)

    def take_job(self, choice: int, cities: list[int]) -> None:
        """Farming at home, a village job (at home), a county-town job (living there or commuting), a city job
        (in the city proper or its fringe); a worker living away heads its own unit."""
        m, p = self.model, self.model.params
        self.years = 0
        if choice <= TOWN:
            self.household.savings += self.savings
            self.savings = 0.0
            self.job, self.city, self.place, self.unit = JOB_OF_OPTION[choice], -1, HOME, None
            if choice == FARM:
                self.wage = 0.0
            elif choice == TOWN and m.random.random() < p["local_migrant_lives_in_town"]:
                self.place, self.unit = AWAY, self
        else:
            self.job, self.city = CITY_JOB, cities[choice - FIRST_CITY]
            self.in_city_proper = m.random.random() < p["city_worker_in_city_proper"]
            self.place, self.unit = AWAY, self

    def follow_head_home(self) -> None:
        """A dependant whose unit head no longer lives away (came home, died, settled) goes home."""
        if self.place == AWAY:
            head = self.unit
            if not head.alive or head.place != AWAY or head.unit is not head:
                self.place, self.unit = HOME, None

    # ---- phase 4b: families
    def reconsider_family(self) -> None:
        """A child or elderly member (no job) may reconsider where it lives: with the household's lead unit, or
        at home."""
        if self.job != NO_JOB or ADULT_AGE <= self.age < ELDERLY_AGE:
            return
        m, p = self.model, self.model.params
        if m.random.random() >= p["family_reconsider_rate"]:
            return
        away = self.place == AWAY
        lead = self.unit if away else self.household.lead_unit
        if lead is None:
            return
        child_odds, elder_odds = m.family_odds(lead)
        if self.age < ADULT_AGE:
            odds = m.family_constants["child"] + child_odds
        else:  # elderly follow where grandchildren live (counted before this year's moves)
            odds = m.family_constants["elderly"] + elder_odds + p["elderly_care_weight"] * (lead.kids > 0)
        want = m.random.random() < _logistic(odds)
        if not away and want:
            self.place, self.unit = AWAY, lead
        elif away and not want:
            self.place, self.unit = HOME, None

    # ---- phase 5: citizenization
    def consider_settling(self) -> None:
        """A unit head living in a city proper or its county town, employed, with enough years there, may apply
        to settle (willing: the value of hukou against costs; admitted: openness x points, or quota)."""
        m, p, now = self.model, self.model.params, self.model.in_force
        if not (self.place == AWAY and self.unit is self and not self.urban_hukou
                and (self.job == TOWN_JOB or (self.job == CITY_JOB and self.in_city_proper))):
            return
        if not (self.employed and self.years >= now["residence_years_required"]):
            return
        s = m.settle_terms
        h, c = self.household, self.county
        in_city = self.job == CITY_JOB
        j = max(self.city, 0)
        tier = s["tier"][j]
        openness = s["open_tier"][tier] if in_city else now["settlement_openness_county_town"]
        points = min(max(self.skill / p["rural_skill_median"], p["points_min"]), p["points_max"])
        deps = self.dependants
        size = 1 + deps
        wage = max(self.wage, p["settle_wage_floor"])
        access = s["city_access"][j] if in_city else s["town_access"][c]
        service = s["city_service"][j] if in_city else s["town_service"][c]
        living = (s["city_living"][j] if in_city else s["town_living"][c]) * (1 + p["dependant_cost_share"] * deps)
        support_rate = s["city_support"][j] if in_city else s["town_support"][c]
        support = now["citizenization_support"] * support_rate * s["support_per_person"]
        cash = max(p["settling_cash_cost"] * m.state.wage_index - support, 0.0) * size
        land_income = h.land * s["rent_received"][h.county]
        exit_value = now["land_paid_exit"] * now["land_exit_compensation"] * land_income
        residents = s["city_population"][j] if in_city else s["town_population"][c] / s["multiplier"][c]
        bigness = (max(residents, 1e4) / 1e6) ** p["hukou_value_size_elasticity"]
        gain = (p["hukou_value"] * (1 - access) * service * bigness + p["hukou_child_value"] * self.kids
                - p["settling_cost"] * living / wage - p["settling_cash_weight"] * cash / wage
                - p["land_value_weight"] * (1 - now["land_rights_kept_on_settling"]) * land_income
                * p["land_income_horizon"] / wage + p["exit_value_weight"] * exit_value / wage)
        willing = m.random.random() < _logistic(p["settle_constant"] + gain)
        admitted = m.random.random() < min(max(openness * points ** (1 - openness), 0.0), 1.0)
        quota = in_city and tier < QUOTA_TIERS
        m.applicants.append([self, self.city if in_city else -1, points, willing, admitted, quota, size])

    def unit_members(self) -> list[RefPerson]:
        """This unit head and the people living with it."""
        return [q for q in self.household.members if q.place == AWAY and q.unit is self]

    # ---- phase 8: demography
    def face_year(self) -> None:
        """Death by age, a birth for people of child-bearing age, a year older."""
        m = self.model
        d = m.demo
        age = min(self.age, d["max_age"])
        q = 1.0 if age >= d["max_age"] else min(d["level"] * d["shape"][age], 1.0)
        if m.random.random() < q:
            m.died.append(self)
        if d["fertile_min"] <= age <= d["fertile_max"] and m.random.random() < d["birth_chance"]:
            m.parents.append(self)
        self.age += 1

    def retire(self) -> None:
        """A worker reaching `migrant_retirement_age` stops working and comes home with its savings."""
        if self.job == NO_JOB or self.age < self.model.params["migrant_retirement_age"]:
            return
        self.household.savings += self.savings
        self.savings = 0.0
        self.job, self.city, self.wage, self.place, self.unit = NO_JOB, -1, 0.0, HOME, None

    def start_work_away(self) -> None:
        """A child living with a working migrant unit who reaches working age takes a job of the same kind where
        it lives and heads its own unit."""
        if self.place != AWAY or self.job != NO_JOB or self.age != ADULT_AGE:
            return
        head = self.unit
        if head.job == NO_JOB:
            return
        self.job, self.city, self.in_city_proper = head.job, head.city, head.in_city_proper
        self.unit, self.years, self.employed = self, 0, True

    def come_of_age(self) -> None:
        """A person reaching working age without a skill gets one: the household's skill times a draw of its own
        (`people.draw_skills`); it stays with the person."""
        if self.age == ADULT_AGE and self.skill <= 0:
            p = self.model.params
            self.skill = self.household.skill * self.model.random.lognormvariate(p["new_migrant_skill_log_premium"],
                                                                                 p["new_migrant_skill_sd"])


# ---------------------------------------------------------------------------------------------- households
HOUSEHOLD_STATE = ("county", "weight", "in_situ_urban", "settled", "land", "rented_out", "rented_in",
                   "homestead", "collective_member", "savings", "skill",
                   "reservation", "inc_wage", "inc_business", "inc_property", "inc_transfer", "inc_remit",
                   "inc_collective", "farm_output")
HOUSEHOLD_COUNTS = ("home_children", "home_adults", "home_elderly", "home_65_plus", "home_farm_elderly",
                    "home_farmers", "home_workers", "away", "workers_local", "workers_outbound")
PERSON_STATE = ("age", "urban_hukou", "place", "job", "city", "in_city_proper", "skill", "training", "years",
                "employed", "wage", "remit", "living", "savings")


class RefHousehold(mesa.Agent):
    """A rural household: its land, homestead, savings and income accounts, its members (a list of persons)."""

    def __init__(self, model, row: int, **state):
        super().__init__(model)
        self.row = row
        self.__dict__.update(state)
        self.members: list[RefPerson] = []
        self.lead_unit: RefPerson | None = None
        for name in HOUSEHOLD_COUNTS:
            setattr(self, name, 0)
        self.skill_mix_year, self.skill_before = -1, 0.0

    def count_members(self) -> None:
        """Members by age and place, migrant workers (of rural hukou), the first unit head living away, each head's
        dependants."""
        for q in self.members:
            q.dependants = q.kids = 0
        children = adults = elderly = e65 = farm_elderly = farmers = workers = away = local = outbound = 0
        lead = None
        farm_age_max = self.model.farm_age_max
        for q in self.members:
            a, job = q.age, q.job
            if q.place == HOME:
                if a < ADULT_AGE:
                    children += 1
                elif a < ELDERLY_AGE:
                    adults += 1
                    if job == NO_JOB:
                        farmers += 1
                    else:
                        workers += 1
                else:
                    elderly += 1
                    if a >= 65:
                        e65 += 1
                    if a < farm_age_max:
                        farm_elderly += 1
                    if job != NO_JOB:
                        workers += 1
            else:
                away += 1
                head = q.unit
                if head is q:
                    if lead is None:
                        lead = q
                else:
                    head.dependants += 1
                    if a < ADULT_AGE:
                        head.kids += 1
            if not q.urban_hukou:
                if job == CITY_JOB:
                    outbound += 1
                elif job != NO_JOB:
                    local += 1
        (self.home_children, self.home_adults, self.home_elderly, self.home_65_plus, self.home_farm_elderly,
         self.home_farmers, self.home_workers, self.away, self.workers_local, self.workers_outbound) = (
            children, adults, elderly, e65, farm_elderly, farmers, workers, away, local, outbound)
        self.lead_unit = lead

    def members_home(self) -> int:
        return self.home_children + self.home_adults + self.home_elderly

    def member_count(self) -> int:
        return self.members_home() + self.away

    def income(self) -> float:
        return self.inc_wage + self.inc_business + self.inc_property + self.inc_transfer

    # ---- rights (`sim.engine.rights`)
    def return_land_to_collective(self) -> None:
        self.model.counties.collective_land[self.county] += self.land * self.weight
        self.land = 0.0

    def surrender_rights(self) -> None:
        self.return_land_to_collective()
        self.homestead = HOMESTEAD_EXITED
        self.collective_member = False

    # ---- phase 3: capital
    def invest(self) -> None:
        m = self.model
        amount = m.params["household_investment_rate"] * max(self.savings, 0.0)
        self.savings -= amount
        m.rural_pool[self.county] += amount * self.weight

    # ---- phase 5: citizenization
    def forced_surrender(self, leaving: int) -> None:
        """Where rights are not kept by law (a counterfactual), a household whose members settle surrenders the
        settlers' share of its contracted land, without payment."""
        m = self.model
        if m.random.random() >= m.in_force["land_rights_kept_on_settling"] and self.land > 0:
            share = min(leaving / max(self.member_count(), 1), 1.0)
            given = self.land * share
            m.ledger.land_rights_exits += self.weight
            m.ledger.land_exited_mu += given * self.weight
            m.counties.collective_land[self.county] += given * self.weight
            self.land -= given

    def mark_settled(self) -> None:
        """Nobody left of rural hukou: settled; where rights are not kept by law, the homestead and membership go
        too."""
        m = self.model
        self.settled = True
        if m.random.random() >= m.in_force["land_rights_kept_on_settling"]:
            self.surrender_rights()

    def urbanize_in_situ(self) -> None:
        """Its village may be reclassified as urban (with the county's chance this year); in a reclassified
        village, the members at home may register urban hukou where they live."""
        m = self.model
        if not self.in_situ_urban and not self.settled and m.random.random() < m.in_situ_chance[self.county]:
            self.in_situ_urban = True
        if not self.in_situ_urban:
            return
        rural = [q for q in self.members if q.place == HOME and not q.urban_hukou]
        if rural and m.random.random() < m.in_situ_hukou_rate:
            for q in rural:
                q.urban_hukou = True
            m.ledger.citizenized_in_situ += self.weight * len(rural)

    # ---- phase 6: land
    def exit_rights(self) -> None:
        """A settled household may sell its rights back (paid exit); an idle homestead may be sold as a quota
        (one draw for both)."""
        m, p, now, c = self.model, self.model.params, self.model.in_force, self.model.counties
        u = m.random.random()
        w, county = self.weight, self.county
        if self.settled and self.land > 0 and u < now["land_paid_exit"] * p["exit_rate"] * m.exit_appeal:
            pay = now["land_exit_compensation"] * (self.land * c.rent_received[county] + m.homestead_value)
            self.savings += pay
            c.fiscal[county] -= pay * w
            revenue = m.quota_revenue * w
            c.fiscal[county] += revenue
            m.ledger.land_revenue += revenue
            m.ledger.land_exited_mu += self.land * w
            self.surrender_rights()
            m.ledger.land_rights_exits += w
        if self.homestead == HOMESTEAD_IDLE and u >= 1 - now["unified_construction_land_market"] * p["quota_exit_rate"]:
            value = p["quota_price_yuan_per_mu"] * p["homestead_mu_per_household"]
            to_household = p["quota_household_share"] * value
            self.savings += to_household
            c.fiscal[county] += (value - to_household) * w
            m.ledger.land_revenue += value * w
            self.homestead = HOMESTEAD_EXITED
            m.ledger.land_rights_exits += w

    def mark_homestead(self) -> None:
        if self.homestead != HOMESTEAD_EXITED:
            self.homestead = HOMESTEAD_USED if self.members_home() > 0 else HOMESTEAD_IDLE

    def land_terms(self) -> None:
        """Its farm labour, its best farm size at rent r (kappa r^-eta) and the insurance value it puts on keeping
        its land."""
        m, p, lt = self.model, self.model.params, self.model.land_terms
        self.farm_labour = labour = self.home_farmers + p["elderly_farm_effort"] * self.home_farm_elderly
        if labour > 0:
            q = math.sqrt(self.skill / p["rural_skill_median"])
            base = (lt["gamma"] * lt["value_per_mu"][self.county] * q * lt["median_pow"]
                    * (labour / lt["ref_labour"]) ** p["farm_labour_elasticity"])
            self.kappa = base ** lt["eta"]
        else:
            self.kappa = 0.0
        self.insurance = lt["insurance_unit"] * self.reservation

    def take_land(self) -> None:
        """At its county's rent: rent in up to its best farm size, offer the land beyond what it wants, or (no farm
        labour) offer all its land if the rent received beats its insurance value, else leave it idle."""
        m, lt = self.model, self.model.land_terms
        c = self.county
        r = lt["rent"][c]
        L = self.land
        self.rented_in = self.rented_out = self.farmed = 0.0
        if self.farm_labour > 0:
            want = self.kappa * r ** (-lt["eta"])
            keep = self.kappa * (lt["keep_share"] * r) ** (-lt["eta"])
            if want > L:
                self.rented_in = want - L
                lt["demand"][c] += (want - L) * self.weight
                self.farmed = L
            elif keep < L:
                self.rented_out = L - keep
                lt["supply"][c] += (L - keep) * self.weight
                self.farmed = keep
            else:
                self.farmed = L
        elif L > 0:
            if lt["keep_share"] * r >= self.insurance:
                self.rented_out = L
                lt["supply"][c] += L * self.weight
            else:
                lt["idle"][c] += L * self.weight

    def scale_land(self) -> None:
        """Rent-ins (or, in a glut, offers) scaled so that what is rented in equals what is rented out."""
        lt = self.model.land_terms
        c = self.county
        self.rented_in *= lt["scale_in"][c]
        scale_out = lt["scale_out"][c]
        if scale_out < 1.0 and self.rented_out > 0:
            lost = self.rented_out * (1.0 - scale_out)
            self.rented_out -= lost
            if self.farm_labour > 0:
                self.farmed += lost
            else:
                lt["idle"][c] += lost * self.weight
        lt["transferred"][c] += self.rented_out * self.weight

    def farm(self) -> None:
        """Net output of its farm (own land farmed + land rented in, with its farm labour)."""
        m, p, lt = self.model, self.model.params, self.model.land_terms
        area, labour = self.farmed + self.rented_in, self.farm_labour
        self.farm_output = 0.0
        if area > 0 and labour > 0:
            c = self.county
            median = p["median_farm_mu"]
            y = (lt["value_per_mu"][c] * math.sqrt(self.skill / p["rural_skill_median"]) * median
                 * (area / median) ** (p["land_elasticity"] + p["farm_scale_elasticity"])
                 * (labour / lt["ref_labour"]) ** p["farm_labour_elasticity"])
            self.farm_output = y
            lt["output"][c] += y * self.weight
            lt["labour"][c] += labour * self.weight
        self.collective_share = self.member_count() if self.collective_member else 0
        lt["shares"][self.county] += self.collective_share * self.weight

    def take_dividend(self) -> None:
        self.inc_collective = self.collective_share * self.model.land_terms["dividend"][self.county]

    # ---- phase 7: incomes
    def earn_and_save(self) -> None:
        """This year's disposable income by NBS component (per real household), then saving."""
        m, p, t = self.model, self.model.params, self.model.income_terms
        village = commuting = received = 0.0
        for q in self.members:
            if q.place == HOME:
                if q.job == VILLAGE_JOB:
                    village += q.wage
                elif q.job != NO_JOB:
                    commuting += q.wage
            elif q.job != NO_JOB:
                received += q.remit
        self_employed = p["village_self_employed_share"]
        c = self.county
        self.inc_wage = (1 - self_employed) * village + commuting
        self.inc_business = self.farm_output - self.rented_in * t["rent_paid"][c] + self_employed * village
        self.inc_property = (self.rented_out * t["rent_received"][c] + self.inc_collective
                             + p["deposit_interest_rate"] * max(self.savings, 0.0))
        self.inc_remit = received
        self.inc_transfer = t["pension"] * self.home_elderly + t["subsidy"] * self.members_home() + received
        saving = p["household_saving_rate"] * max(self.income(), 0.0)
        self.savings += saving
        m.ledger.saving += saving * self.weight


# ---------------------------------------------------------------------------------------------- model
class _Terms:
    """Per-place and per-pair terms of the work utilities this year, as Python lists (O(places))."""

    def __init__(self, m: ReferenceModel):
        p, c, j, tables = m.params, m.counties, m.cities, m.state.tables
        self.k = int(p["choice_set_size"])
        self.n_j = j.n
        self.city_pay = (employment_chance(m, j.unemployment) * j.wage).tolist()
        self.city_living = j.living_cost.tolist()
        self.city_services = (p["utility_services"] * city_access(m) * j.service).tolist()
        self.town_pay = (employment_chance(m, c.unemployment) * c.wage).tolist()
        self.town_cost = np.minimum(commute_cost(m), c.living_cost).tolist()
        self.town_services = (p["utility_services"] * town_access(m) * c.town_service
                              - p["utility_distance"] * math.log1p(p["village_town_km"])).tolist()
        self.village_pay = (employment_chance(m, c.unemployment) * c.village_wage).tolist()
        self.farm_income = c.farm_income_per_worker.tolist()
        self.amenity = (p["utility_services"] * (p["amenity_service_weight"] * c.village_service
                                                 + p["amenity_infrastructure_weight"] * c.infra)).tolist()
        self.transfer = rural_transfer_per_capita(m)
        self.distance = (p["utility_distance"] * np.log1p(m.world.distance)).tolist()
        self.network = (p["utility_network"] * np.log(tables.network_share + NETWORK_FLOOR)).tolist()
        self.correction = (-np.log(tables.destination_q * self.k)).tolist()
        self.cdf = tables.destination_cdf.tolist()
        self.asc = [tables.choice_constants[name] for name in ASC_NAMES]
        self.w_income, self.floor, self.skill_median = p["utility_income"], p["income_floor"], p["rural_skill_median"]
        self.attachment = p["utility_home_attachment"]
        self.town_attachment = p["utility_home_attachment"] * p["town_attachment_share"]
        self.town_amenity = 1.0 - p["local_migrant_lives_in_town"]
        self.family_tie, self.age_penalty, self.age_ref = p["family_tie"], p["city_age_penalty"], p["city_age_reference"]
        self.tenure_bonus, self.tenure_cap = p["tenure_bonus"], p["tenure_cap_years"]
        self.unemployed_penalty = p["unemployed_stay_penalty"]
        self.return_age, self.return_pull = p["return_age"], p["return_age_pull"]
        self.dependant_cost = p["dependant_cost_share"]


class ReferenceModel(mesa.Model):
    """Idiomatic-Mesa twin of `ChengxiangModel`: same phases, per-agent rules, per-agent state."""

    def __init__(self, engine: ChengxiangModel, seed: int = 0):
        super().__init__(rng=seed)
        e = engine
        self.config, self.params, self.policy = e.config, dict(e.params), e.policy
        self.start_year, self.end_year, self.year = e.start_year, e.end_year, e.year
        # Place-level demand shocks: the engine's stream, copied, so both face the same shocks (common random
        # numbers for the equivalence test); every per-agent draw uses this model's own `random`.
        self.streams = RandomStreams(seed)
        self.streams._streams["shocks"] = copy.deepcopy(e.streams["shocks"])
        es, et = e.state, e.state.tables
        tables = Tables(destination_q=et.destination_q.copy(), destination_cdf=et.destination_cdf.copy(),
                        network_share=et.network_share.copy(), choice_constants=dict(et.choice_constants),
                        family_constants=dict(et.family_constants))
        # households and persons as arrays: filled by `census` from the agents whenever the engine's place-level
        # formulas or the outcome definitions need them
        h0 = Households(0)
        self.state = State(es.world, h0, Persons(1, h0), copy.deepcopy(es.counties), copy.deepcopy(es.cities),
                           es.natives_by_age.copy(), es.total_population_start, es.wage_index, es.housing_index,
                           es.price_index, tables, Ledger(),
                           capital_per_unit_2013=dict(es.capital_per_unit_2013))
        self.read_policy()
        # --- agents from the engine's arrays
        h, ps = e.households, e.persons
        cols = {name: getattr(h, name).tolist() for name in HOUSEHOLD_STATE}
        self.household_agents = [RefHousehold(self, i, **{k: cols[k][i] for k in HOUSEHOLD_STATE})
                                 for i in range(h.n)]
        rows = ps.live()
        pcols = {name: getattr(ps, name)[rows].tolist() for name in PERSON_STATE}
        household, unit = ps.household[rows].tolist(), ps.unit[rows].tolist()
        agent_of = {}
        for i, r in enumerate(rows.tolist()):
            agent_of[r] = RefPerson(self, self.household_agents[household[i]],
                                    **{k: pcols[k][i] for k in PERSON_STATE})
        for i, r in enumerate(rows.tolist()):
            if unit[i] >= 0:
                agent_of[r].unit = agent_of[unit[i]]
        self.count_members()
        self.records = [self._outcomes()]

    @classmethod
    def from_engine(cls, engine: ChengxiangModel, seed: int = 0) -> ReferenceModel:
        return cls(engine, seed)

    households = property(lambda self: self.state.households, doc="The last census of households (arrays).")
    persons = property(lambda self: self.state.persons, doc="The last census of persons (arrays).")
    counties = property(lambda self: self.state.counties)
    cities = property(lambda self: self.state.cities)
    world = property(lambda self: self.state.world)
    ledger = property(lambda self: self.state.ledger)
    family_constants = property(lambda self: self.state.tables.family_constants)

    @property
    def person_set(self) -> mesa.agent.AgentSet:
        return self.agents_by_type.get(RefPerson) or mesa.agent.AgentSet([], random=self.random)

    @property
    def household_set(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[RefHousehold]

    def read_policy(self) -> None:
        self.in_force = self.policy.values(self.year)

    def count_members(self) -> None:
        self.farm_age_max = int(self.params["farm_age_max"])
        for h in self.household_agents:
            h.count_members()

    # ------------------------------------------------------------------ census (per-agent reporters)
    def census(self, full: bool = False) -> None:
        """The agents' state as the engine's arrays (`Households`, `Persons`), for the place-level formulas
        (residents, labour supply) or, `full`, for the outcome definitions."""
        hh = self.household_agents
        people = [q for a in hh for q in a.members]
        for i, q in enumerate(people):
            q.row = i
        n = len(people)
        h = Households(len(hh))
        names = (HOUSEHOLD_STATE + HOUSEHOLD_COUNTS) if full else ("weight", "in_situ_urban")
        for name in names:
            getattr(h, name)[:] = list(map(attrgetter(name), hh))
        ps = Persons(max(n, 1), h)
        ps.alive[:n] = True
        ps.id[:n] = np.arange(1, n + 1)
        units = [q.unit for q in people]
        if any(u is not None and not u.alive for u in units):
            raise RuntimeError("a person lives with a unit head who is gone")
        ps.unit[:n] = [u.row if u is not None else -1 for u in units]
        ps.household[:n] = [q.household.row for q in people]
        names = ("county",) + (PERSON_STATE if full else ("place", "job", "city", "in_city_proper", "skill",
                                                          "employed"))
        for name in names:
            getattr(ps, name)[:n] = list(map(attrgetter(name), people))
        if full:
            h.lead_unit[:] = [a.lead_unit.row if a.lead_unit is not None else -1 for a in hh]
            deps = np.zeros(ps.capacity, np.int16)
            deps[:n] = [q.dependants for q in people]
            self.state.dependants = deps
        self.state.households, self.state.persons = h, ps

    def total_people(self) -> float:
        return ChengxiangModel.total_people(self)

    def total_farmland(self) -> float:
        return ChengxiangModel.total_farmland(self)

    def total_capital(self) -> float:
        return ChengxiangModel.total_capital(self)

    def _outcomes(self) -> dict[str, float]:
        self.census(full=True)
        out = outcomes.compute(self)
        out["year"] = self.year
        return out

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        self.year += 1
        self.ledger.reset()
        self.read_policy()  # 1
        self.census()  # 2: the engine's place-level production and prices, from a per-agent census
        production.produce_and_price(self)
        self.allocate_capital()  # 3
        self.choose_work()  # 4
        self.move_dependants()
        self.citizenize()  # 5
        self.manage_land()  # 6
        self.census()  # 7: the engine's public finance, from a per-agent census
        finance.public_finance(self)
        self.income_terms = {"rent_paid": self.counties.rent_paid.tolist(),
                             "rent_received": self.counties.rent_received.tolist(),
                             "pension": rural_pension(self), "subsidy": rural_subsidy(self)}
        self.household_set.do("earn_and_save")
        self.demography()  # 8
        self.records.append(self._outcomes())  # 9
        if self.year >= self.end_year:
            self.running = False

    def allocate_capital(self) -> None:
        """Households and persons place part of their savings (per agent); the pools are invested as in the
        engine."""
        self.rural_pool = [0.0] * self.counties.n
        self.deposits = 0.0
        self.household_set.do("invest")
        self.person_set.do("deposit")
        capital.allocate_pools(self, np.array(self.rural_pool), self.deposits)

    def choose_work(self) -> None:
        p, c, j = self.params, self.counties, self.cities
        # networks: each county's city workers by city (a per-agent count)
        net = np.zeros((c.n, j.n))
        for q in self.person_set:
            if q.job == CITY_JOB:
                net[q.county, q.city] += 1.0
        total = net.sum(axis=1, keepdims=True)
        self.state.tables.network_share = np.where(total > 0, net / np.maximum(total, 1.0), 0.0)
        self.pay_terms = {"city_chance": employment_chance(self, j.unemployment).tolist(),
                          "town_chance": employment_chance(self, c.unemployment).tolist(),
                          "city_wage": j.wage.tolist(), "town_wage": c.wage.tolist(),
                          "village_wage": c.village_wage.tolist(), "city_living": j.living_cost.tolist(),
                          "town_living": c.living_cost.tolist(), "commute": commute_cost(self).tolist()}
        self.person_set.do("train")
        self.terms = _Terms(self)
        self.returned_talent = [0.0] * c.n
        self.person_set.shuffle_do("reconsider")  # migrant workers: stay, return, local job, another city
        self.person_set.shuffle_do("leave_home")  # people at home: farm on, village, county town or a city
        self.person_set.do("follow_head_home")
        self.count_members()  # remittances depend on who is at home now
        self.person_set.do("pay")  # the year is worked where one chose to be
        talent = p["talent_per_incentive"] * self.in_force["urban_talent_incentive"] * c.rural_residents
        c.talent[:] = np.array(self.returned_talent) + talent
        self.ledger.talent_to_rural += float(talent.sum())

    def family_odds(self, head: RefPerson) -> tuple[float, float]:
        """Log-odds (before the constants) of a child and of an elderly member living with unit head `head`."""
        p, f = self.params, self.family_terms
        in_city = head.job == CITY_JOB
        j, c = max(head.city, 0), head.county
        access = f["city_access"][j] if in_city else f["town_access"][c]
        service = f["city_service"][j] if in_city else f["town_service"][c]
        wage = max(head.wage, p["settle_wage_floor"])
        living = f["city_living"][j] if in_city else f["town_living"][c]
        cost = living * (1 + p["dependant_cost_share"] * (head.dependants + 1)) / wage
        return (p["follow_schooling_weight"] * access * service - p["follow_cost_weight"] * cost,
                -p["follow_cost_weight"] * cost)

    def move_dependants(self) -> None:
        c, j = self.counties, self.cities  # the household counts are those the labour phase left
        self.family_terms = {"city_access": city_access(self).tolist(), "town_access": town_access(self).tolist(),
                             "city_service": j.service.tolist(), "town_service": c.town_service.tolist(),
                             "city_living": j.living_cost.tolist(), "town_living": c.living_cost.tolist()}
        self.person_set.shuffle_do("reconsider_family")
        self.count_members()

    def citizenize(self) -> None:
        """This year's settling units, then reclassified villages; households left with nobody are settled."""
        settlers = self.settling_units()
        losing = self.settle_units(settlers)
        self.reclassify_villages()
        self.count_members()
        for household in losing:  # households left with nobody of rural hukou are settled
            if household.member_count() == 0:
                household.mark_settled()

    def settling_units(self) -> list[tuple[RefPerson, int]]:
        """Unit heads apply (`RefPerson.consider_settling`); the largest cities admit by quota in order of points;
        one unit per household settles. Returns (head, city or -1 for the county town) of each settling unit."""
        p, now, c, j = self.params, self.in_force, self.counties, self.cities
        open_tier = settlement_openness_of_tier(now)
        self.settle_terms = {
            "tier": j.tier.tolist(), "open_tier": open_tier.tolist(), "city_access": city_access(self).tolist(),
            "town_access": town_access(self).tolist(), "city_service": j.service.tolist(),
            "town_service": c.town_service.tolist(), "city_living": j.living_cost.tolist(),
            "town_living": c.living_cost.tolist(), "city_support": j.support_rate.tolist(),
            "town_support": c.support_rate.tolist(), "rent_received": c.rent_received.tolist(),
            "support_per_person": p["citizenization_support_cost"] * self.state.wage_index,
            "city_population": j.population.tolist(), "town_population": c.population.tolist(),
            "multiplier": c.multiplier.tolist()}
        self.applicants = []
        self.person_set.shuffle_do("consider_settling")
        # quotas: each megacity and super-large city admits its willing applicants in order of points (ties in
        # the shuffled order) while the persons of the willing applicants so far stay within its quota
        quota = (open_tier[j.tier] * p["quota_per_resident"] * j.population).tolist()
        used = [0.0] * j.n
        queue = sorted((a for a in self.applicants if a[5]), key=lambda a: (a[1], -a[2]))
        for a in queue:
            head, city, willing, size = a[0], a[1], a[3], a[6]
            if willing:
                used[city] += size * head.household.weight
            a[4] = willing and used[city] <= quota[city]
        settlers, seen = [], set()
        for head, city, _points, willing, admitted, _quota, _size in self.applicants:
            if willing and admitted and head.household not in seen:  # one unit per household a year
                seen.add(head.household)
                settlers.append((head, city))
        return settlers

    def settle_units(self, settlers: list[tuple[RefPerson, int]]) -> list[RefHousehold]:
        """The settling units join the urban-hukou natives where they live; support within each destination's
        budget; the unit's savings pay the settling cash, the rest becomes capital there; where rights are not
        kept by law, a household surrenders the settlers' share of its land. Returns the households that lost
        members."""
        p, now, c, j, state, ledger = self.params, self.in_force, self.counties, self.cities, self.state, self.ledger
        per_person = p["citizenization_support_cost"] * state.wage_index
        max_age = len(state.natives_by_age) - 1
        districts = town_city(self).tolist()
        units = []
        demand_city, demand_town = np.zeros(j.n), np.zeros(c.n)
        for head, city in settlers:
            members = head.unit_members()
            w = head.household.weight
            for q in members:
                # settlers of a county town that is a city's urban districts become that city's natives
                native_city = city if city >= 0 else districts[q.county]
                if native_city >= 0:
                    j.native[native_city] += w
                else:
                    c.native[q.county] += w
                if native_city < 0 or j.inside[native_city]:
                    state.natives_by_age[min(q.age, max_age)] += w
                else:
                    ledger.departures += w  # settled in a city outside the region (province worlds)
                ledger.citizenized += w
            persons = w * len(members)
            promised = now["citizenization_support"] * per_person * persons
            if city >= 0:
                demand_city[city] += promised
            else:
                demand_town[head.county] += promised
            units.append((head, city, members, persons, promised))
        capacity = p["support_capacity_share"]
        j.support_rate[:] = np.where(demand_city > 0, np.minimum(1.0, capacity * j.output
                                                                 / np.maximum(demand_city, 1e-9)), 1.0)
        c.support_rate[:] = np.where(demand_town > 0, np.minimum(1.0, capacity * c.output_town
                                                                 / np.maximum(demand_town, 1e-9)), 1.0)
        losing = []
        for head, city, members, persons, promised in units:
            paid = promised * (j.support_rate[city] if city >= 0 else c.support_rate[head.county])
            ledger.support_spending += paid
            household = head.household
            unit_savings = head.savings * household.weight
            cash = max(p["settling_cash_cost"] * state.wage_index * persons - paid, 0.0)
            spent = min(max(unit_savings, 0.0), cash)
            ledger.settling_costs += spent
            if city >= 0:
                j.K[city] += unit_savings - spent
            else:
                c.K_town[head.county] += unit_savings - spent
            household.forced_surrender(len(members))
            for q in members:
                q.leave()
            losing.append(household)
        return losing

    def reclassify_villages(self) -> None:
        p, now, c, j = self.params, self.in_force, self.counties, self.cities
        before_c, before_j = c.population.copy(), j.population.copy()
        self.census()
        count_residents(self)
        town_growth = np.maximum(c.population - before_c, 0) / np.maximum(before_c, 1.0)
        city_growth = np.maximum(j.population - before_j, 0) / np.maximum(before_j, 1.0)
        districts = town_city(self)
        growth = np.where(districts >= 0, city_growth[np.maximum(districts, 0)], town_growth)
        self.in_situ_chance = np.clip(p["in_situ_base_rate"] + p["in_situ_rate"] * growth, 0, 1).tolist()
        self.in_situ_hukou_rate = p["in_situ_hukou_rate"] * now["settlement_openness_county_town"]
        self.household_set.do("urbanize_in_situ")
        urban, total = np.zeros(c.n), np.zeros(c.n)
        for h in self.household_agents:
            total[h.county] += h.weight
            if h.in_situ_urban:
                urban[h.county] += h.weight
        c.in_situ_share[:] = urban / np.maximum(total, 1e-12)

    def manage_land(self) -> None:
        p, now, c = self.params, self.in_force, self.counties
        self.exit_appeal = 1 / (1 + math.exp(-(now["land_exit_compensation"] - p["exit_reservation_years"])
                                             / p["exit_appeal_scale"]))
        self.homestead_value = p["homestead_rent_per_year"] * self.state.wage_index
        self.quota_revenue = (now["unified_construction_land_market"] * p["quota_price_yuan_per_mu"]
                              * p["homestead_mu_per_household"])
        self.household_set.do("exit_rights")
        self.household_set.do("mark_homestead")
        # the rental market of each county
        gamma = p["land_elasticity"] + p["farm_scale_elasticity"]
        g_op = p["operator_land_elasticity"]
        eta, eta_op = 1.0 / (1.0 - gamma), 1.0 / (1.0 - g_op)
        keep_share = 1.0 - p["rental_transaction_cost"] * now["land_rental_friction"] * (
            1.0 - p["tenure_security_cost_cut"] * now["land_tenure_security"])
        self.land_terms = lt = {
            "gamma": gamma, "eta": eta, "keep_share": keep_share, "value_per_mu": c.farm_value_per_mu.tolist(),
            "median_pow": p["median_farm_mu"] ** (1 - gamma), "ref_labour": p["labour_per_mu_2013"] * p["median_farm_mu"],
            "insurance_unit": (p["land_insurance_share"] * p["rent_2013"] * self.state.wage_index
                               * (1 - p["tenure_security_insurance_cut"] * now["land_tenure_security"]))}
        self.household_set.do("land_terms")
        operator_coef = (c.K_operator / p["ag_capital_per_mu"]) * (
            g_op * p["operator_productivity"] * c.farm_value_per_mu) ** eta_op
        # the clearing rent per county: the engine's bisection over a census of the households' terms
        hh = self.household_agents  # in county order, as the engine's rows
        starts = np.concatenate([[0], np.cumsum(np.bincount([h.county for h in hh], minlength=c.n))]).astype(np.int64)
        terms = {name: np.array(list(map(attrgetter(name), hh)), float)
                 for name in ("land", "farm_labour", "kappa", "insurance", "weight")}
        market = kernels.Market(starts, terms["land"], terms["farm_labour"], terms["kappa"], terms["insurance"],
                                terms["weight"], c.collective_land, operator_coef, eta, eta_op, keep_share)
        c.rent[:] = kernels.clear_land_market(market, int(p["rent_search_rounds"]), MIN_RENT,
                                              MAX_RENT_PER_VALUE * c.farm_value_per_mu)
        paid_share = 1 - p["informal_rental_share"]
        c.rent_paid[:] = paid_share * c.rent
        c.rent_received[:] = paid_share * keep_share * c.rent
        demand_op = operator_coef * c.rent ** (-eta_op)
        lt.update(rent=c.rent.tolist(), demand=demand_op.tolist(), supply=c.collective_land.tolist(),
                  idle=[0.0] * c.n, transferred=[0.0] * c.n)
        self.household_set.do("take_land")
        demand, supply = np.array(lt["demand"]), np.array(lt["supply"])
        scale_in = np.where(demand > 0, supply / np.where(demand > 0, demand, 1.0), 0.0)
        glut = scale_in > 1.0  # a glut at the lowest rent: not all offered land finds an operator
        lt["scale_out"] = np.where(glut, demand / np.where(glut, supply, 1.0), 1.0).tolist()
        scale_in = np.where(glut, 1.0, scale_in)
        lt["scale_in"] = scale_in.tolist()
        self.household_set.do("scale_land")
        c.operator_land[:] = demand_op * scale_in
        c.land_transferred[:] = lt["transferred"]
        # idle: households' land kept off the market or unmatched, and collective land unmatched in a glut
        c.land_idle[:] = np.array(lt["idle"]) + c.collective_land * (1.0 - np.array(lt["scale_out"]))
        lt.update(output=[0.0] * c.n, labour=[0.0] * c.n, shares=[0.0] * c.n)
        self.household_set.do("farm")
        c.operator_output[:] = (p["operator_productivity"] * c.farm_value_per_mu
                                * (c.K_operator / p["ag_capital_per_mu"]) ** (1 - g_op) * c.operator_land ** g_op)
        c.farm_output[:] = lt["output"]
        c.farm_labour[:] = lt["labour"]
        c.farm_income_per_worker[:] = c.farm_output / np.maximum(c.farm_labour, 1.0)
        # collective land's rent and a base collective income go to members as dividends
        shares = np.array(lt["shares"])
        base = (p["collective_income_per_member"] * shares
                * self.state.wage_index ** p["collective_income_wage_elasticity"])
        lt["dividend"] = ((c.collective_land * c.rent_received + base) / np.maximum(shares, 1.0)).tolist()
        self.household_set.do("take_dividend")

    def demography(self) -> None:
        p, now = self.params, self.in_force
        max_age = int(p["max_age"])
        shape = mortality_shape(p, np.arange(max_age + 1)).tolist()
        persons = scaled = fertile = 0.0
        for q in self.person_set:  # the year's totals (reporters): persons, deaths at the schedule's shape
            w, a = q.household.weight, min(q.age, max_age)
            persons += w
            scaled += shape[a] * w
            if p["fertile_age_min"] <= a <= p["fertile_age_max"]:
                fertile += w
        self.demo = {"max_age": max_age, "shape": shape, "level": now["death_rate"] * persons / max(scaled, 1e-12),
                     "birth_chance": min(now["birth_rate"] * persons / max(fertile, 1.0), 1.0),
                     "fertile_min": p["fertile_age_min"], "fertile_max": p["fertile_age_max"]}
        self.died, self.parents = [], []
        self.person_set.do("face_year")
        for q in self.died:
            household = q.household
            self.ledger.deaths += household.weight
            household.savings += q.savings  # what the dead leave goes to their household
            q.leave()
        for q in self.parents:
            if q.alive:
                baby = RefPerson(self, q.household, 0, place=q.place, unit=q.unit if q.place == AWAY else None,
                                 urban_hukou=q.urban_hukou)
                self.ledger.births += baby.household.weight
        self.person_set.do("retire")
        self.person_set.do("come_of_age")
        self.person_set.do("start_work_away")
        self.person_set.do("follow_head_home")
        self.count_members()
        age_natives(self)  # urban-hukou natives (place level)
        for h in self.household_agents:
            if h.member_count() == 0 and not h.settled and h.land > 0:
                h.return_land_to_collective()

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
    keys = ["urbanization_rate", "hukou_urbanization_rate", "migrant_workers", "migrant_workers_local",
            "migrant_mean_age", "children_with_migrants_share", "urban_rural_income_ratio", "land_transfer_share",
            "farmland_rent", "rural_elderly_share", "income_gini"]
    print(pd.DataFrame({"engine": engine.results().iloc[-1][keys], "reference": ref.results().iloc[-1][keys]}))


if __name__ == "__main__":
    main()
