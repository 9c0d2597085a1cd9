"""National outcomes of the current year: one value per metric in `sim.outcomes.metrics.METRICS`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import kernels
from ..engine.people import (CITY, DEST_CITY, DEST_TOWN, HOMESTEAD_EXITED, HOMESTEAD_IDLE, LAND_ABANDONED,
                         LAND_RENTED_OUT, TOWN, URBAN, VILLAGE)


def reporter(name: str):
    """A DataCollector model reporter reading one computed outcome."""

    def report(model):
        return model.outcomes[name]

    report.__name__ = f"report_{name}"
    return report


def weighted_gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Gini of `values` with `weights` (area under the Lorenz curve, `kernels.lorenz_gini`)."""
    # The Lorenz area does not depend on the order of tied values, so a (10x faster) unstable sort gives the
    # same Gini up to rounding in the last digits.
    order = np.argsort(values)
    return float(kernels.lorenz_gini(values[order], weights[order]))


def income_gini(income, members_home, net_wage) -> float:
    """Gini of per-capita income over persons: household income per member at home (weight: members) and
    migrants' wages net of remittances (weight 1), for households that all carry one weight.

    Each value carries its weight multiple (1..255) in the lowest 8 bits of its mantissa, so one plain
    sort orders values and weights together, with no argsort; the values then differ from the exact ones by
    less than 256 ulp (6e-14 relative), and the Gini by rounding in the last digits. Ties may come out in any
    order: the Lorenz area does not depend on it."""
    keys, bits = kernels.pack_gini_keys(income, members_home, net_wage)
    kernels.radix_sort_float64(keys)  # = keys.sort(), faster
    return float(kernels.gini_of_sorted_keys(keys, bits))


class _MaskedSums:
    """Sums of selected products, `(x * w)[(key == code) == equal].sum()`, bit for bit as NumPy computes them, in
    one compiled pass each (`kernels.masked_sum`) with one scratch buffer."""

    NO_WEIGHT = np.zeros(0)

    def __init__(self, n: int):
        self.buffer = np.empty(n)

    def __call__(self, x, key, code, w=NO_WEIGHT, equal=True) -> float:
        return float(kernels.masked_sum(x, w, key, code, equal, self.buffer))


class _Year:
    """What every outcome group reads: the masked-sum helper, who lives where, the live migrants' rows."""

    def __init__(self, model):
        h, mg, c, j = model.households, model.migrants, model.counties, model.cities
        self.model = model
        self.total = total = _MaskedSums(max(h.n, mg.capacity))
        self.w = w = h.weight
        self.members_home = members_home = h.members_home()
        # Migrant quantities over the live rows only: the same values in the same order as masking every row.
        self.rows = rows = mg.live()
        self.w_m, self.kind, lives_in_town = w[mg.origin[rows]], mg.dest_kind[rows], mg.lives_in_town[rows]
        self.urban_mig = (self.kind == DEST_CITY) | lives_in_town
        commuters = (self.kind == DEST_TOWN) & ~lives_in_town
        natives_city = float((j.native * j.inside).sum())
        natives_town = float(c.native.sum())
        self.town = natives_town + total(members_home, h.residence, TOWN, w) + total(self.w_m, lives_in_town, True)
        self.city = natives_city + total(members_home, h.residence, CITY, w) + total(self.w_m, self.kind, DEST_CITY)
        self.rural = total(members_home, h.residence, VILLAGE, w) + total(self.w_m, commuters, True)
        self.urban = self.town + self.city
        self.net_wage = mg.wage[rows] - mg.remit[rows]
        self.income = h.income()


def compute(model) -> dict[str, float]:
    """Every metric of `METRICS` for the current year."""
    y = _Year(model)
    return {**_people(y), **_incomes(y), **_land(y), **_services_and_capital(y), **_flows(model)}


def _people(y: _Year) -> dict[str, float]:
    """Where people live and hold hukou; migrant workers; rural ageing."""
    model, total = y.model, y.total
    h, c, j = model.households, model.counties, model.cities
    population = model.total_people()
    hukou_urban = float(c.native.sum() + (j.native * j.inside).sum() + total(y.members_home, h.hukou, URBAN, y.w))
    elderly_rural = total(h.elderly, h.residence, VILLAGE, y.w)
    return {
        "urbanization_rate": 100 * y.urban / population,
        "hukou_urbanization_rate": 100 * hukou_urban / population,
        "urbanization_gap": 100 * (y.urban - hukou_urban) / population,
        "migrant_workers": float(y.w_m.sum()) / 1e6,
        "migrant_workers_local": total(y.w_m, y.kind, DEST_TOWN) / 1e6,
        "migrant_workers_outbound": total(y.w_m, y.kind, DEST_CITY) / 1e6,
        "county_town_share": 100 * y.town / max(y.urban, 1.0),
        "rural_elderly_share": 100 * elderly_rural / max(y.rural, 1.0),
        "population": population / 1e6,
        "rural_residents": y.rural / 1e6,
    }


def _incomes(y: _Year) -> dict[str, float]:
    """Urban/rural income ratio, agricultural labour productivity, income Gini."""
    model, total = y.model, y.total
    p, h, mg, c, j = model.params, model.households, model.migrants, model.counties, model.cities
    w, w_m, rows, members_home, income = y.w, y.w_m, y.rows, y.members_home, y.income
    # Incomes: urban residents (natives, migrants living in towns and cities, families living there) vs rural.
    native_income = p["native_income_share"] * float((c.native * c.wage).sum() + (j.native * j.inside * j.wage).sum())
    urban_income = (native_income + total(income, h.residence, VILLAGE, w, equal=False)
                    + total(y.net_wage, y.urban_mig, True, w_m))
    rural_income = total(income, h.residence, VILLAGE, w)
    ratio = (urban_income / max(y.urban, 1.0)) / max(rural_income / max(y.rural, 1.0), 1.0)

    # Labour productivity: farm value added per farm worker over non-farm output per non-farm worker.
    farm_va = p["ag_value_added_per_net_income"] * float(c.farm_output.sum())
    farm_workers = float(c.farm_labour.sum())
    nonfarm_output = float((j.output * j.inside).sum() + c.output_town.sum())
    nonfarm_workers = (p["native_participation"] * (c.native.sum() + (j.native * j.inside).sum())
                       + total(w_m, mg.employed[rows], True)
                       + total(h.adults, h.residence, VILLAGE, w, equal=False))
    ag_ratio = (farm_va / max(farm_workers, 1.0)) / max(nonfarm_output / max(nonfarm_workers, 1.0), 1.0)

    if len(w) and w[0] > 0 and (w == w[0]).all() and members_home.max(initial=0) <= 255:
        # One weight for every household (as the start builds them): weights are w0 x (members; 1 per migrant).
        gini = income_gini(income, members_home, y.net_wage)
    else:
        per_capita = np.concatenate([income / np.maximum(members_home, 1), y.net_wage])
        gini_w = np.concatenate([w * np.maximum(members_home, 0), w_m])
        keep = gini_w > 0
        gini = weighted_gini(per_capita[keep], gini_w[keep])
    return {"urban_rural_income_ratio": ratio, "ag_productivity_ratio": ag_ratio, "income_gini": gini}


def _land(y: _Year) -> dict[str, float]:
    """Farmland transferred and abandoned; idle homesteads."""
    model, total = y.model, y.total
    h, c = model.households, model.counties
    farmland = model.total_farmland()
    rented = float(total(h.land, h.land_state, LAND_RENTED_OUT, y.w) + c.collective_land.sum())
    abandoned = total(h.land, h.land_state, LAND_ABANDONED, y.w)
    idle = total(y.w, h.homestead, HOMESTEAD_IDLE) / max(total(y.w, h.homestead, HOMESTEAD_EXITED, equal=False), 1.0)
    return {"land_transfer_share": 100 * rented / max(farmland, 1.0), "idle_homestead_share": 100 * idle,
            "abandoned_land_share": 100 * abandoned / max(farmland, 1.0)}


def _services_and_capital(y: _Year) -> dict[str, float]:
    """Public-service equalization (rural vs urban quality, non-hukou vs hukou access); capital per resident."""
    model = y.model
    c, j = model.counties, model.cities
    rural_by_county = c.rural_residents
    village_q = float((c.village_service * rural_by_county).sum() / max(rural_by_county.sum(), 1.0))
    urban_q = float(((c.town_service * c.population).sum() + (j.service * j.population * j.inside).sum())
                    / max(c.population.sum() + (j.population * j.inside).sum(), 1.0))
    equalization = 100 * 0.5 * (min(village_q / urban_q, 1.0) + model.in_force["services_by_residence"])
    rural_capital = float(c.K_ag.sum() + c.K_town.sum()) / max(y.rural + y.town, 1.0)
    city_capital = float((j.K * j.inside).sum()) / max(y.city, 1.0)
    return {"public_service_equalization": equalization,
            "urban_rural_capital_stock_ratio": rural_capital / max(city_capital, 1.0)}


def _flows(model) -> dict[str, float]:
    """This year's flows from the ledger."""
    led = model.state.ledger
    return {
        "citizenized": led.citizenized / 1e6,
        "land_rights_exits": led.land_rights_exits / 1e3,
        "urban_to_rural_capital": led.urban_to_rural_capital / 1e9,
        "talent_to_rural": led.talent_to_rural / 1e3,
        "land_revenue_to_agriculture": led.land_revenue_to_agriculture / 1e9,
    }
