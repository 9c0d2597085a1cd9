"""State of counties (county town + villages) and cities as arrays indexed by county or city number.

Money is in yuan, people in real persons, land in real mu: a model county aggregates the real counties it
stands for (`multiplier`).
"""

from __future__ import annotations

import numpy as np


class Counties:
    FIELDS = (
        "multiplier", "native", "population", "rural_residents", "wage", "unemployment", "living_cost",
        "A_town", "K_town", "A_ag", "K_ag", "K_ag_start", "ag_price", "rent_per_mu", "infra", "town_service",
        "village_service", "fiscal", "collective_land", "farmland", "farm_output", "farm_labour",
        "farm_income_per_worker", "return_town", "return_ag", "labour_town", "output_town", "talent",
    )

    def __init__(self, n: int):
        self.n = n
        for name in self.FIELDS:
            setattr(self, name, np.zeros(n))


class Cities:
    FIELDS = (
        "native", "population", "wage", "unemployment", "living_cost", "A", "K", "service", "shock",
        "return_capital", "labour", "output", "fiscal",
    )

    def __init__(self, n: int, inside: np.ndarray):
        self.n = n
        for name in self.FIELDS:
            setattr(self, name, np.zeros(n))
        self.inside = inside.astype(bool)
        self.tier = np.zeros(n, np.int8)
