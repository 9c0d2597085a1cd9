"""Outcome computation: the model reporters named in `metrics.METRICS`, and per-county and per-tier tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import kernels
from ..inputs.registry import CITY_TIERS
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

    Each value carries its weight multiple (1..255) in the lowest 8 bits of its mantissa, so one plain (SIMD)
    sort orders values and weights together, with no argsort; the values then differ from the exact ones by
    less than 256 ulp (6e-14 relative), and the Gini by rounding in the last digits. Ties may come out in any
    order: the Lorenz area does not depend on it."""
    keys, bits = kernels.pack_gini_keys(income, members_home, net_wage)
    keys.sort()
    return float(kernels.gini_of_sorted_keys(keys, bits))


class _MaskedSums:
    """Sums of selected products, `(x * w)[(key == code) == equal].sum()`, bit for bit as NumPy computes them, in
    one compiled pass each (`kernels.masked_sum`) with one scratch buffer."""

    NO_WEIGHT = np.zeros(0)

    def __init__(self, n: int):
        self.buffer = np.empty(n)

    def __call__(self, x, key, code, w=NO_WEIGHT, equal=True) -> float:
        return float(kernels.masked_sum(x, w, key, code, equal, self.buffer))


def _residents(model, total):
    """Real persons by where they live, and the pieces the income ratio needs."""
    h, mg, c, j = model.households, model.migrants, model.counties, model.cities
    w = h.weight
    members_home = h.members_home()
    # Migrant quantities over the live rows only: the same values in the same order as masking every row.
    rows = mg.live()
    w_m, kind, lives_in_town = w[mg.origin[rows]], mg.dest_kind[rows], mg.lives_in_town[rows]
    urban_mig = (kind == DEST_CITY) | lives_in_town
    commuters = (kind == DEST_TOWN) & ~lives_in_town
    natives_city = float((j.native * j.inside).sum())
    natives_town = float(c.native.sum())
    return dict(
        w=w, members_home=members_home, rows=rows, w_m=w_m, kind=kind, urban_mig=urban_mig,
        town=natives_town + total(members_home, h.residence, TOWN, w) + total(w_m, lives_in_town, True),
        city=natives_city + total(members_home, h.residence, CITY, w) + total(w_m, kind, DEST_CITY),
        rural=total(members_home, h.residence, VILLAGE, w) + total(w_m, commuters, True),
    )


def compute(model) -> dict[str, float]:
    p, lv, led = model.params, model.lever, model.ledger
    h, mg, c, j = model.households, model.migrants, model.counties, model.cities
    total = _MaskedSums(max(h.n, mg.capacity))
    r = _residents(model, total)
    w, w_m = r["w"], r["w_m"]  # w_m: live migrants (rows)
    rows, kind, members_home = r["rows"], r["kind"], r["members_home"]
    net_wage = mg.wage[rows] - mg.remit[rows]
    population = model.total_people()
    urban = r["town"] + r["city"]
    hukou_urban = float(c.native.sum() + (j.native * j.inside).sum() + total(members_home, h.hukou, URBAN, w))

    # Incomes: urban residents (natives, migrants living in towns and cities, families living there) vs rural.
    native_income = p["native_income_share"] * float((c.native * c.wage).sum() + (j.native * j.inside * j.wage).sum())
    income = h.income()
    urban_income = (native_income + total(income, h.residence, VILLAGE, w, equal=False)
                    + total(net_wage, r["urban_mig"], True, w_m))
    rural_income = total(income, h.residence, VILLAGE, w)
    ratio = (urban_income / max(urban, 1.0)) / max(rural_income / max(r["rural"], 1.0), 1.0)

    # Labour productivity: farm value added per farm worker over non-farm output per non-farm worker.
    farm_va = p["ag_value_added_per_net_income"] * float(c.farm_output.sum())
    farm_workers = float(c.farm_labour.sum())
    nonfarm_output = float((j.output * j.inside).sum() + c.output_town.sum())
    nonfarm_workers = (p["native_participation"] * (c.native.sum() + (j.native * j.inside).sum())
                       + total(w_m, mg.employed[rows], True)
                       + total(h.adults, h.residence, VILLAGE, w, equal=False))
    ag_ratio = (farm_va / max(farm_workers, 1.0)) / max(nonfarm_output / max(nonfarm_workers, 1.0), 1.0)

    farmland = model.total_farmland()
    rented = float(total(h.land, h.land_state, LAND_RENTED_OUT, w) + c.collective_land.sum())
    abandoned = total(h.land, h.land_state, LAND_ABANDONED, w)
    idle = total(w, h.homestead, HOMESTEAD_IDLE) / max(total(w, h.homestead, HOMESTEAD_EXITED, equal=False), 1.0)

    # Public-service equalization: rural vs urban quality, non-hukou vs hukou access.
    rural_by_county = c.rural_residents
    village_q = float((c.village_service * rural_by_county).sum() / max(rural_by_county.sum(), 1.0))
    urban_q = float(((c.town_service * c.population).sum() + (j.service * j.population * j.inside).sum())
                    / max(c.population.sum() + (j.population * j.inside).sum(), 1.0))
    equalization = 100 * 0.5 * (min(village_q / urban_q, 1.0) + lv["services_by_residence"])

    elderly_rural = total(h.elderly, h.residence, VILLAGE, w)
    if len(w) and w[0] > 0 and (w == w[0]).all() and members_home.max(initial=0) <= 255:
        # One weight for every household (as `populate` builds them): weights are w0 x (members; 1 per migrant).
        gini = income_gini(income, members_home, net_wage)
    else:
        per_capita = np.concatenate([income / np.maximum(members_home, 1), net_wage])
        gini_w = np.concatenate([w * np.maximum(members_home, 0), w_m])
        keep = gini_w > 0
        gini = weighted_gini(per_capita[keep], gini_w[keep])
    rural_capital = float(c.K_ag.sum() + c.K_town.sum()) / max(r["rural"] + r["town"], 1.0)
    city_capital = float((j.K * j.inside).sum()) / max(r["city"], 1.0)
    return {
        "urbanization_rate": 100 * urban / population,
        "hukou_urbanization_rate": 100 * hukou_urban / population,
        "urbanization_gap": 100 * (urban - hukou_urban) / population,
        "migrant_workers": float(w_m.sum()) / 1e6,
        "migrant_workers_local": total(w_m, kind, DEST_TOWN) / 1e6,
        "migrant_workers_outbound": total(w_m, kind, DEST_CITY) / 1e6,
        "citizenized": led.citizenized / 1e6,
        "urban_rural_income_ratio": ratio,
        "ag_productivity_ratio": ag_ratio,
        "land_transfer_share": 100 * rented / max(farmland, 1.0),
        "land_rights_exits": led.land_rights_exits / 1e3,
        "idle_homestead_share": 100 * idle,
        "urban_to_rural_capital": led.urban_to_rural_capital / 1e9,
        "talent_to_rural": led.talent_to_rural / 1e3,
        "county_town_share": 100 * r["town"] / max(urban, 1.0),
        "public_service_equalization": equalization,
        "rural_elderly_share": 100 * elderly_rural / max(r["rural"], 1.0),
        "income_gini": gini,
        "land_revenue_to_agriculture": led.land_revenue_to_agriculture / 1e9,
        "population": population / 1e6,
        "rural_residents": r["rural"] / 1e6,
        "urban_rural_capital_stock_ratio": rural_capital / max(city_capital, 1.0),
        "abandoned_land_share": 100 * abandoned / max(farmland, 1.0),
    }


def county_table(model) -> pd.DataFrame:
    """One row per county for the current year: who lives where, migration, land and incomes."""
    return pd.DataFrame(county_columns(model))


def county_columns(model) -> dict:
    """The columns of `county_table` (arrays; the DataFrame is built only when asked for)."""
    h, mg, c = model.households, model.migrants, model.counties
    land_w, rented, abandoned, homesteads, idle, village_persons, village_income = kernels.county_household_totals(
        h.county, h.weight, h.land, h.land_state, h.homestead, h.residence, h.members_home(), h.income(), c.n,
        LAND_RENTED_OUT, LAND_ABANDONED, HOMESTEAD_IDLE, HOMESTEAD_EXITED, VILLAGE)
    outbound, local = kernels.county_migrant_totals(mg.alive, mg.origin, mg.county, mg.dest_kind, h.weight, c.n,
                                                    DEST_TOWN, DEST_CITY)
    land = land_w + c.collective_land
    rented = rented + c.collective_land
    return {
        "year": model.year,
        "county": np.arange(c.n),
        "name": model.world.county_names,
        "rural_residents": c.rural_residents.copy(),  # snapshots: the arrays change in place
        "town_population": c.population.copy(),
        "migrants_outbound": outbound,
        "migrants_local": local,
        "land_transfer_share": 100 * rented / np.maximum(land, 1.0),
        "abandoned_land_share": 100 * abandoned / np.maximum(land, 1.0),
        "idle_homestead_share": 100 * idle / np.maximum(homesteads, 1.0),
        "rural_income_per_capita": village_income / np.maximum(village_persons, 1.0),
        "town_wage": c.wage.copy(),
        "farm_capital": c.K_ag.copy(),
        "village_services": c.village_service.copy(),
        "infrastructure": c.infra.copy(),
    }


def tier_table(model) -> pd.DataFrame:
    """One row per city tier for the current year."""
    return pd.DataFrame(tier_columns(model))


def tier_columns(model) -> dict:
    """The columns of `tier_table`."""
    j, mg, h = model.cities, model.migrants, model.households
    migrants = kernels.outbound_by_tier(mg.alive, mg.origin, mg.dest_kind, mg.dest_city, j.tier, h.weight,
                                        len(CITY_TIERS), DEST_CITY)
    inside = j.inside
    tiers = np.arange(len(CITY_TIERS))
    return {
        "year": model.year,
        "tier": list(CITY_TIERS),
        "cities": np.bincount(j.tier[inside], minlength=len(tiers)),
        "urban_population": np.bincount(j.tier, j.population * inside, minlength=len(tiers)),
        "outbound_migrants": migrants,
        "settlement_openness": model.settlement_openness_of_tier(),
        "mean_wage": np.bincount(j.tier, j.wage, minlength=len(tiers)) / np.maximum(np.bincount(j.tier, minlength=len(tiers)), 1),
    }


def city_columns(model) -> dict:
    """One row per city for the current year: its size tier, urban residents and wage."""
    j = model.cities
    return {
        "year": model.year,
        "city": np.arange(j.n),
        "name": model.world.city_names,
        "tier": np.asarray(CITY_TIERS)[j.tier],
        "inside": j.inside.astype(bool),
        "population": j.population.copy(),
        "wage": j.wage.copy(),
    }
