"""State of counties (county town + villages) and cities as arrays indexed by county or city number.

Money is in 2013 yuan, people in real persons, land in real mu: a model county aggregates the real counties it
stands for (`multiplier`).
"""

from __future__ import annotations

import numpy as np


class Counties:
    FIELDS = (
        "multiplier",
        # the county town: urban-hukou natives, residents, economy, services
        "native", "population", "population_counted", "rural_residents", "wage", "unemployment", "living_cost", "A_town", "K_town",
        "labour_town", "output_town", "return_town", "town_service", "migrant_access", "fiscal", "support_rate",
        # the village non-farm sector (processing, services, e-commerce, township enterprises)
        "A_village", "K_village", "labour_village", "output_village", "village_wage", "return_village",
        # villages: services, infrastructure, reclassification as urban
        "village_service", "infra", "in_situ_share", "in_situ_residents", "talent",
        # farming and the land market
        "A_ag", "K_ag", "K_ag_start", "farm_value_per_mu", "rent", "rent_paid", "rent_received", "farmland", "collective_land",
        "farm_output", "farm_labour", "farm_income_per_worker", "return_ag", "K_operator", "operator_land",
        "operator_output", "land_transferred", "land_idle",
    )

    def __init__(self, n: int):
        self.n = n
        for name in self.FIELDS:
            setattr(self, name, np.zeros(n))


class Cities:
    FIELDS = (
        "native", "population", "population_counted", "fringe_residents", "wage", "unemployment", "living_cost", "A", "K", "service", "migrant_access",
        "shock", "return_capital", "labour", "output", "fiscal", "support_rate",
    )

    def __init__(self, n: int, inside: np.ndarray):
        self.n = n
        for name in self.FIELDS:
            setattr(self, name, np.zeros(n))
        self.inside = inside.astype(bool)
        self.tier = np.zeros(n, np.int8)
