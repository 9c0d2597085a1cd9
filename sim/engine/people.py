"""People as struct-of-arrays, in the way Starsim holds people: rural households and every rural-hukou person.

`Households` are the rural households (the "stem": the home, the land, the savings). Every household row stands
for `weight` real households, and every person row for `weight` real persons of its household.

`Persons` are all people with rural hukou, one row each, with a single-year age (and the members of households
in villages reclassified as urban who got urban hukou where they live, `urban_hukou`). A person lives at home (with
the household, wherever it lives) or away with a migrant unit: a migrant worker living where they work, with the
children and elderly who followed them. A person has a non-farm job (a *migrant worker* as the monitoring survey
counts them: in the village non-farm sector or the county town - local - or in a city - outbound) or not
(children, the elderly, and the adults at home who farm). People who take urban hukou leave this table and join
the urban-hukou population of the place they settle in (`places`).

Allocating a person row gives it a new person id (`Persons.id`), which tells an agent view whether its row still
holds the same person; releasing a row frees it for the next birth or person.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

# where a household lives
VILLAGE, TOWN, CITY = 0, 1, 2
RESIDENCE_NAMES = ("village", "county town", "city")
# where a person lives
HOME, AWAY = 0, 1
# a person's non-farm job (a migrant worker has one of the last three)
NO_JOB, VILLAGE_JOB, TOWN_JOB, CITY_JOB = 0, 1, 2, 3
JOB_NAMES = ("none", "village non-farm", "county town", "city")
# land and homestead
HOMESTEAD_USED, HOMESTEAD_IDLE, HOMESTEAD_EXITED = 0, 1, 2
ADULT_AGE, ELDERLY_AGE = 16, 60  # working age from 16 (the monitoring survey's lower bound); elderly from 60


PersonArrays = namedtuple("PersonArrays", "alive household county age place unit job city in_city_proper urban_hukou "
                                          "employed skill wage remit living savings")
"""The arrays of `Persons` the compiled kernels read (one argument instead of sixteen; the same arrays, so what a
kernel writes into them is written into the table)."""


class Households:
    """State of all rural households; row i is household i (its Mesa view is `RuralHousehold` with `row == i`).

    The counts of members by age and place (`home_*`, `away`, `workers_*`) are derived from `Persons` by
    `count_members` whenever people move; the income fields are the NBS components of the household's own
    disposable income (per real household, 2013 yuan) where it lives."""

    FIELDS = {
        "county": np.int32,
        "weight": np.float64,
        "in_situ_urban": np.bool_,  # its village has been reclassified as urban (residents count as urban)
        "settled": np.bool_,  # everyone took urban hukou; the household keeps its land rights until it exits
        "land": np.float64,  # contracted farmland, mu (0 after exit)
        "rented_out": np.float64,  # mu of its contracted land operated by others this year
        "rented_in": np.float64,  # mu rented in from the county market
        "homestead": np.int8,
        "collective_member": np.bool_,
        "savings": np.float64,  # yuan (2013 prices)
        "skill": np.float64,  # farming skill of the household's farm operator
        "reservation": np.float64,  # idiosyncratic factor of the insurance value it puts on keeping land
        # NBS components of disposable income, per real household, 2013 yuan
        "inc_wage": np.float64,
        "inc_business": np.float64,
        "inc_property": np.float64,
        "inc_transfer": np.float64,
        "inc_remit": np.float64,  # remittances received (part of inc_transfer), kept apart for the accounts
        "inc_collective": np.float64,  # collective dividends (part of inc_property)
        "farm_output": np.float64,  # net farm output of its own farm (yuan)
        # derived counts (Persons -> count_members)
        "home_children": np.int16,
        "home_adults": np.int16,  # members at home of working age (16-59)
        "home_elderly": np.int16,  # members at home aged 60+
        "home_65_plus": np.int16,
        "home_farm_elderly": np.int16,  # members at home aged 60 to farm_age_max (they farm part time)
        "home_farmers": np.int16,  # working-age members at home without a non-farm job
        "home_workers": np.int16,  # members at home with a non-farm job (commuting / village jobs)
        "away": np.int16,  # members living away with migrant units
        "workers_local": np.int16,  # migrant workers with local jobs (village non-farm or county town)
        "workers_outbound": np.int16,  # migrant workers with city jobs
        "lead_unit": np.int32,  # person row of the household's first migrant unit head, or -1
    }

    def __init__(self, n: int):
        self.n = n
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(n, dtype=dtype))
        self.collective_member[:] = True
        self.lead_unit[:] = -1

    def members_home(self) -> np.ndarray:
        return self.home_children.astype(np.int64) + self.home_adults + self.home_elderly

    def members(self) -> np.ndarray:
        """Rural-hukou members: at home and away."""
        return self.members_home() + self.away

    def migrants(self) -> np.ndarray:
        return self.workers_local.astype(np.int64) + self.workers_outbound

    def income(self) -> np.ndarray:
        """Disposable income per real household, 2013 yuan per year (the four NBS components)."""
        return self.inc_wage + self.inc_business + self.inc_property + self.inc_transfer


class Persons:
    """State of every rural-hukou person; rows are reused as people come and go (`alive` marks rows in use).

    A migrant worker living where they work heads a *unit* (`unit` = its own row); children and elderly who
    follow them have `place == AWAY` and `unit` = the head's row. Worker fields (skill ... savings) are those of
    the person's non-farm job, zero for others."""

    FIELDS = {
        "alive": np.bool_,
        "id": np.int64,  # unique over the run; a reused row gets a new id
        "household": np.int32,
        "county": np.int32,  # home county (cached from the household)
        "age": np.int16,
        "urban_hukou": np.bool_,  # got urban (resident) hukou where it lives: its village was reclassified
        "place": np.int8,  # HOME / AWAY
        "unit": np.int32,  # row of the unit head when AWAY (itself for a head), else -1
        "job": np.int8,  # NO_JOB / VILLAGE_JOB / TOWN_JOB / CITY_JOB
        "city": np.int32,  # city index of a CITY_JOB, else -1
        "in_city_proper": np.bool_,  # a city worker living in the city proper (else in its rural fringe)
        "skill": np.float64,  # efficiency units per worker (urban native = 1)
        "training": np.float64,  # log-skill still owed to training (decays)
        "years": np.int16,  # years at the current job place
        "employed": np.bool_,
        "wage": np.float64,  # yuan earned this year (2013 prices)
        "remit": np.float64,  # yuan sent home this year
        "living": np.float64,  # living (or commuting) cost paid this year
        "savings": np.float64,  # the worker's own savings
    }

    def __init__(self, capacity: int, households: Households):
        self.households = households
        self.capacity = 0
        self.next_id = 1
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.grow(capacity)

    def grow(self, capacity: int) -> None:
        if capacity <= self.capacity:
            return
        extra = capacity - self.capacity
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.concatenate([getattr(self, name), np.zeros(extra, dtype=dtype)]))
        self.capacity = capacity

    def allocate(self, household: np.ndarray) -> np.ndarray:
        """Rows for new persons of `household` (lowest free rows first, so allocation is deterministic): fields
        zeroed, a new id, the household and its county, at home, no job."""
        household = np.asarray(household, dtype=np.int64)
        k = len(household)
        if k > self.capacity - np.count_nonzero(self.alive):
            self.grow(max(2 * self.capacity, self.capacity + k))
        rows = np.flatnonzero(~self.alive)[:k] if k else np.zeros(0, np.int64)
        for name in self.FIELDS:
            getattr(self, name)[rows] = 0
        self.alive[rows] = True
        self.id[rows] = np.arange(self.next_id, self.next_id + k)
        self.next_id += k
        self.household[rows] = household
        self.county[rows] = self.households.county[household]
        self.unit[rows] = -1
        self.city[rows] = -1
        return rows

    def release(self, rows: np.ndarray) -> None:
        """The people in `rows` leave the table (died, or took urban hukou)."""
        self.alive[np.asarray(rows, dtype=np.int64)] = False

    def live(self) -> np.ndarray:
        return np.flatnonzero(self.alive)

    def arrays(self) -> PersonArrays:
        """The kernels' view of the table (`PersonArrays`)."""
        return PersonArrays(*(getattr(self, name) for name in PersonArrays._fields))

    def workers(self) -> np.ndarray:
        """Rows of people with a non-farm job (migrant workers, and the few with urban hukou in place)."""
        return np.flatnonzero(self.alive & (self.job != NO_JOB))

    @property
    def count(self) -> int:
        return int(self.alive.sum())


def draw_skills(model, rows: np.ndarray, rng) -> None:
    """Skills of persons coming of working age (and, at the start, of every adult without one): the household's
    skill times a draw of their own (`new_migrant_skill_log_premium`, `new_migrant_skill_sd`). A person knows
    it before choosing work; it stays with them (training adds to it)."""
    p, h, ps = model.params, model.households, model.persons
    ps.skill[rows] = h.skill[ps.household[rows]] * rng.lognormal(p["new_migrant_skill_log_premium"],
                                                                 p["new_migrant_skill_sd"], len(rows))
