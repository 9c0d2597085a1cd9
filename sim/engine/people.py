"""People as struct-of-arrays: rural households and migrant workers, in the way Starsim holds people.

Every household row stands for `weight` real households; a migrant worker row stands for as many real migrants
as its origin household's weight. Quantities per row (land, savings, income) are per *real* household or migrant;
multiply by weight for real totals.

Households are never removed (a household that settles in a city keeps its row, with urban hukou). Migrant rows
are allocated as workers leave home and released as they return, settle, retire or die. Allocating or releasing
a row owns what follows from it: the origin household's count of migrants (`Households.migrants`) and the
person id that tells a Mesa agent view whether its row still holds the same person (`Migrants.person`).
"""

from __future__ import annotations

import numpy as np

VILLAGE, TOWN, CITY = 0, 1, 2
RESIDENCE_NAMES = ("village", "county town", "city")
RURAL, URBAN = 0, 1
HOMESTEAD_USED, HOMESTEAD_IDLE, HOMESTEAD_EXITED = 0, 1, 2
LAND_FARMED, LAND_RENTED_OUT, LAND_ABANDONED, LAND_EXITED = 0, 1, 2, 3
LAND_STATE_NAMES = ("farmed", "rented out", "abandoned", "exited")
DEST_TOWN, DEST_CITY = 0, 1


class Households:
    """State of all households; row i is household i (its Mesa view is `RuralHousehold` with `row == i`)."""

    FIELDS = {
        "county": np.int32,
        "weight": np.float64,
        "adults": np.int16,  # working-age members living at the household's residence (not migrants)
        "children": np.int16,
        "elderly": np.int16,
        "hukou": np.int8,
        "residence": np.int8,  # VILLAGE / TOWN / CITY
        "residence_city": np.int32,  # city index when residence == CITY, else -1
        "land": np.float64,  # contracted farmland, mu (0 after exit)
        "land_state": np.int8,
        "rented_in": np.float64,  # mu rented in from the county market
        "homestead": np.int8,
        "collective_member": np.bool_,
        "savings": np.float64,  # yuan
        "skill": np.float64,  # productivity multiplier of the members at home
        "inc_farm": np.float64,
        "inc_wage": np.float64,
        "inc_remit": np.float64,
        "inc_rent": np.float64,
        "inc_collective": np.float64,
        "inc_transfer": np.float64,
        "inc_business": np.float64,  # rural non-farm business run from the village
        "migrants": np.int16,  # live migrant workers from this household (kept by `Migrants.allocate/release`)
    }

    def __init__(self, n: int):
        self.n = n
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(n, dtype=dtype))
        self.residence_city[:] = -1
        self.collective_member[:] = True

    def members_home(self) -> np.ndarray:
        return self.adults.astype(np.int64) + self.children + self.elderly

    def income(self) -> np.ndarray:
        """Total disposable income per real household, yuan per year."""
        return (self.inc_farm + self.inc_wage + self.inc_remit + self.inc_rent + self.inc_collective
                + self.inc_transfer + self.inc_business)


class Migrants:
    """State of migrant workers; rows are reused as migrants come and go (`alive` marks the rows in use)."""

    FIELDS = {
        "alive": np.bool_,
        "person": np.int64,  # id of the person in the row (unique over the run; a reused row gets a new id)
        "origin": np.int32,  # household row
        "county": np.int32,  # home county (cached from origin)
        "dest_kind": np.int8,  # DEST_TOWN (home county town: local) / DEST_CITY (outbound)
        "dest_city": np.int32,  # city index when outbound, else -1
        "age": np.int16,
        "skill": np.float64,
        "years": np.int16,  # years at the current destination
        "employed": np.bool_,
        "lives_in_town": np.bool_,  # local migrants: lives in the county town (else commutes from the village)
        "wage": np.float64,  # yuan earned this year
        "remit": np.float64,  # yuan sent home this year
        "savings": np.float64,
    }

    def __init__(self, capacity: int, households: Households):
        self.households = households
        self.capacity = 0
        self.next_person = 1
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

    def allocate(self, origin: np.ndarray) -> np.ndarray:
        """Rows for new migrants from the households `origin` (one row each, lowest free rows first, so
        allocation is deterministic): fields zeroed, origin and home county set, a new person id, and the
        households' migrant counts raised.

        The free rows are exactly the rows not `alive`; scanning `alive` once is O(capacity) with no sort, where
        a sorted free list cost a sort of the whole list at every release."""
        origin = np.asarray(origin, dtype=np.int64)
        k = len(origin)
        if k > self.capacity - np.count_nonzero(self.alive):
            self.grow(max(2 * self.capacity, self.capacity + k))
        rows = np.flatnonzero(~self.alive)[:k] if k else np.zeros(0, np.int64)
        for name in self.FIELDS:
            getattr(self, name)[rows] = 0
        self.alive[rows] = True
        self.dest_city[rows] = -1
        self.person[rows] = np.arange(self.next_person, self.next_person + k)
        self.next_person += k
        self.origin[rows] = origin
        self.county[rows] = self.households.county[origin]
        np.add.at(self.households.migrants, origin, 1)
        return rows

    def release(self, rows: np.ndarray) -> None:
        """The migrants in `rows` leave the migrant workforce (the rows are free for the next allocation)."""
        rows = np.asarray(rows, dtype=np.int64)
        np.subtract.at(self.households.migrants, self.origin[rows], 1)
        self.alive[rows] = False

    def rejoin(self, rows: np.ndarray, as_member: str | None) -> None:
        """Migrants go back to their household with their savings, as an adult or elderly member (`as_member`
        "adults" or "elderly"), or not at all (None: they died away from home); their rows are released."""
        origin = self.origin[rows]
        h = self.households
        if as_member is not None:
            np.add.at(getattr(h, as_member), origin, 1)
        np.add.at(h.savings, origin, self.savings[rows])
        self.release(rows)

    def live(self) -> np.ndarray:
        return np.flatnonzero(self.alive)

    @property
    def count(self) -> int:
        return int(self.alive.sum())
