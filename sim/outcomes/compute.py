"""National outcomes of the current year: one value per metric in `sim.outcomes.metrics.METRICS`.

Rates are over the residents of the region (a province world's people living in cities of other provinces are
residents there). Incomes follow the NBS household survey: per-capita disposable income of residents by place of
usual residence,
in four components. Urban residents: urban-hukou natives, migrant units living in a city proper or a county town,
households in villages reclassified as urban (and the accounts of households with nobody at home). Rural
residents: household members at home in rural villages, and migrant units in city fringes. Remittances are
transfer income of the households that receive them and are deducted from the transfer income of the units
that send them. Every outcome reads the state; none reads a lever.
"""

from __future__ import annotations

import numpy as np

from ..engine import kernels
from ..engine.incomes import urban_pension
from ..engine.people import ELDERLY_AGE

COMPONENTS = ("wage", "business", "property", "transfer")


def reporter(name: str):
    """A DataCollector model reporter reading one computed outcome."""

    def report(model):
        return model.outcomes[name]

    report.__name__ = f"report_{name}"
    return report


class _Year:
    """What every outcome group reads: the person census and the household accounts split by residence."""

    def __init__(self, model):
        h, ps = model.households, model.persons
        self.model = model
        people = ps.arrays()
        stats = kernels.person_census(people, h.weight, h.in_situ_urban, h.home_children + h.home_adults,
                                      h.lead_unit, model.cities.inside)
        self.s = dict(zip(kernels.CENSUS_FIELDS, stats.tolist()))
        c, j = model.counties, model.cities
        self.natives_town = float(c.native.sum())
        self.natives_city = float((j.native * j.inside).sum())
        self.natives = self.natives_town + self.natives_city
        s = self.s
        self.urban = self.natives + s["urban_away"] + s["in_situ_home"]
        self.rural = s["rural_home"] + s["fringe"]
        self.population = model.total_people() - s["outside"]  # residents (province worlds: not those elsewhere)
        self.units = kernels.unit_accounts(people, h.weight, model.cities.inside)


def compute(model) -> dict[str, float]:
    """Every metric of `METRICS` for the current year."""
    y = _Year(model)
    return {**_people(y), **_incomes(y), **_land(y), **_capital(y), **_services(y), **_flows(model)}


def _share(part: float, whole: float) -> float:
    return 100 * part / whole if whole > 0 else float("nan")


def _people(y: _Year) -> dict[str, float]:
    """Where people live and hold hukou; migrant workers; ages."""
    s, model = y.s, y.model
    hukou_urban = y.natives + s["urban_hukou"]
    by_age = model.state.natives_by_age
    natives_65 = y.natives * float(by_age[65:].sum() / max(by_age.sum(), 1e-12))
    return {
        "urbanization_rate": _share(y.urban, y.population),
        "hukou_urbanization_rate": _share(hukou_urban, y.population),
        "urbanization_gap": _share(y.urban - hukou_urban, y.population),
        "migrant_workers": s["workers"] / 1e6,
        "migrant_workers_local": s["local"] / 1e6,
        "migrant_workers_outbound": s["outbound"] / 1e6,
        "migrant_mean_age": s["age_sum"] / s["workers"] if s["workers"] > 0 else float("nan"),
        "migrant_share_50_plus": _share(s["age_50_plus"], s["workers"]),
        "whole_family_migrants": s["whole_family"] / 1e6,
        "migrants_living_in_cities": s["in_cities"] / 1e6,
        "children_with_migrants_share": _share(s["children_with_units"], s["children_of_units"]),
        "county_town_share": _share(float(model.counties.population.sum()) + s["in_situ_home"], y.urban),
        "rural_elderly_share": _share(s["rural_home_60"] + s["fringe_60"], y.rural),
        "rural_share_65_plus": _share(s["rural_home_65"] + s["fringe_65"], y.rural),
        "urban_share_65_plus": _share(natives_65 + s["urban_away_65"] + s["in_situ_home_65"], y.urban),
        "population": y.population / 1e6,
        "rural_residents": y.rural / 1e6,
    }


def income_accounts(model, y: _Year | None = None) -> dict[str, dict[str, float]]:
    """Total disposable income of urban and rural residents by NBS component (2013 yuan per year), and the
    residents they are divided by."""
    y = y or _Year(model)
    p, h, c, j, state = model.params, model.households, model.counties, model.cities, model.state
    home = h.members_home()
    rural_hh = (home > 0) & ~h.in_situ_urban
    w = h.weight
    hh = {"wage": h.inc_wage, "business": h.inc_business, "property": h.inc_property, "transfer": h.inc_transfer}
    rural = {k: float((v * w * rural_hh).sum()) for k, v in hh.items()}
    urban = {k: float((v * w * ~rural_hh).sum()) for k, v in hh.items()}
    # migrant units: wages; remittances sent are deducted from transfers
    (u_wage, u_remit, _l, _n, _o), (f_wage, f_remit, _l2, _n2, _o2) = y.units[0], y.units[1]
    urban["wage"] += u_wage
    urban["transfer"] -= u_remit
    rural["wage"] += f_wage
    rural["transfer"] -= f_remit
    # urban-hukou natives
    native_wage = p["native_participation"] * p["native_efficiency"] * float(
        (c.native * c.wage).sum() + (j.native * j.inside * j.wage).sum())
    by_age = state.natives_by_age
    elderly_share = float(by_age[ELDERLY_AGE:].sum() / max(by_age.sum(), 1e-12))
    urban["wage"] += native_wage
    urban["business"] += p["urban_business_to_wage"] * native_wage
    urban["property"] += p["urban_property_2013"] * state.housing_index ** p["urban_property_housing_elasticity"] * y.natives
    urban["transfer"] += (urban_pension(model) * elderly_share * y.natives
                          + p["urban_other_transfer_2013"] * state.wage_index * y.natives)
    return {"urban": urban, "rural": rural, "residents": {"urban": y.urban, "rural": y.rural}}


def _incomes(y: _Year) -> dict[str, float]:
    """NBS disposable income accounts, the ratio, the Gini, labour productivity, village firm workers."""
    model = y.model
    p, c, j = model.params, model.counties, model.cities
    acc = income_accounts(model, y)
    price = model.state.price_index
    out: dict[str, float] = {}
    per_capita = {}
    for side in ("urban", "rural"):
        residents = max(acc["residents"][side], 1.0)
        total = sum(acc[side].values()) / residents
        per_capita[side] = total
        out[f"{side}_disposable_income"] = total * price
        out[f"{side}_disposable_income_2013_yuan"] = total
        for k in COMPONENTS:
            out[f"{side}_disposable_income_{k}"] = acc[side][k] / residents * price
    out["urban_rural_income_ratio"] = per_capita["urban"] / max(per_capita["rural"], 1.0)
    out["consumer_price_index"] = price
    out["income_gini"] = rural_hukou_gini(model)
    # labour productivity: farm value added per farm worker over non-farm output per non-farm worker
    farm_va = p["ag_value_added_per_net_output"] * float(c.farm_output.sum() + c.operator_output.sum())
    farm_workers = float(c.farm_labour.sum())
    nonfarm_output = float((j.output * j.inside).sum() + c.output_town.sum() + c.output_village.sum())
    nonfarm_workers = p["native_participation"] * y.natives + y.s["workers_employed"]  # persons, not units
    out["ag_productivity_ratio"] = (farm_va / max(farm_workers, 1.0)) / max(nonfarm_output / max(nonfarm_workers, 1.0),
                                                                            1.0)
    out["village_nonfarm_workers"] = y.s["village_jobs"] / 1e6
    return out


def rural_hukou_gini(model) -> float:
    """Gini of per-capita disposable income over rural-hukou persons: households at home (income over members at
    home, weighted by them) and migrant units living away (wage net of remittances sent, over the unit's members;
    living costs are spending, not a deduction, as in the NBS accounts)."""
    h, ps = model.households, model.persons
    home = h.members_home()
    at_home = home > 0
    heads = np.flatnonzero(ps.alive & (ps.place == 1) & (ps.unit == np.arange(ps.capacity)))
    members = 1 + model.state.dependants[heads]
    unit_income = (ps.wage[heads] - ps.remit[heads]) / members  # disposable: living costs are spending
    values = np.concatenate([h.income()[at_home] / home[at_home], unit_income])
    weights = np.concatenate([(h.weight * home)[at_home], h.weight[ps.household[heads]] * members])
    kernels.radix_sort_pairs(values, weights)
    return float(kernels.lorenz_gini(values, weights))


def _land(y: _Year) -> dict[str, float]:
    """Farmland transferred (MoA definition), exited, operated by enterprises, idle; rent; homesteads."""
    model = y.model
    h, c, p = model.households, model.counties, model.params
    w = h.weight
    contracted = float((h.land * w).sum())
    transferred = float(c.land_transferred.sum())
    farmland_2013 = float(c.farmland.sum())
    total_land = contracted + float(c.collective_land.sum())
    rented = transferred + float(c.collective_land.sum())
    rent = float((c.rent * (c.land_transferred + c.collective_land)).sum() / max(rented, 1e-9))
    from ..engine.people import HOMESTEAD_EXITED, HOMESTEAD_IDLE

    idle = float((w * (h.homestead == HOMESTEAD_IDLE)).sum()) / max(float((w * (h.homestead != HOMESTEAD_EXITED)).sum()), 1.0)
    return {
        "land_transfer_share": _share(transferred, contracted),
        "land_exited_share": _share(max(farmland_2013 - contracted, 0.0), farmland_2013),
        "land_operated_by_enterprises_share": _share(float(c.operator_land.sum()), total_land),
        "farmland_rent": rent * model.state.price_index,
        "idle_homestead_share": 100 * idle,
        "abandoned_land_share": _share(float(c.land_idle.sum()), total_land),
    }


def _capital(y: _Year) -> dict[str, float]:
    """Capital per resident in villages and county towns over that in cities."""
    model = y.model
    c, j = model.counties, model.cities
    rural_capital = float(c.K_ag.sum() + c.K_village.sum() + c.K_operator.sum() + c.K_town.sum())
    rural_people = y.rural + float(c.population.sum()) + y.s["in_situ_home"]
    city_capital = float((j.K * j.inside).sum())
    city_people = y.urban - float(c.population.sum()) - y.s["in_situ_home"]
    ratio = (rural_capital / max(rural_people, 1.0)) / max(city_capital / max(city_people, 1.0), 1.0)
    return {"urban_rural_capital_stock_ratio": ratio}


def _services(y: _Year) -> dict[str, float]:
    """Public-service equalization from what is delivered: village against urban service quality, and the share
    of local services non-hukou urban residents get (`migrant_access`, built up toward the policy's promise)."""
    model = y.model
    c, j = model.counties, model.cities
    village_q = float((c.village_service * c.rural_residents).sum() / max(c.rural_residents.sum(), 1.0))
    urban_q = float(((c.town_service * c.population).sum() + (j.service * j.population * j.inside).sum())
                    / max(c.population.sum() + (j.population * j.inside).sum(), 1.0))
    non_native = np.concatenate([c.population - c.native, (j.population - j.native) * j.inside])
    access = np.concatenate([c.migrant_access, j.migrant_access])
    delivered = float((access * np.maximum(non_native, 0)).sum() / max(np.maximum(non_native, 0).sum(), 1.0))
    return {"public_service_equalization": 100 * 0.5 * (min(village_q / max(urban_q, 1e-9), 1.0) + delivered)}


def _flows(model) -> dict[str, float]:
    """This year's flows from the ledger (current yuan where money); missing in the start year."""
    led, price = model.state.ledger, model.state.price_index
    values = {
        "citizenized": (led.citizenized + led.citizenized_in_situ) / 1e6,
        "land_rights_exits": led.land_rights_exits / 1e3,
        "urban_to_rural_capital": led.urban_capital_to_villages * price / 1e9,
        "urban_capital_to_county_towns": led.urban_capital_to_towns * price / 1e9,
        "talent_to_rural": led.talent_to_rural / 1e3,
        "land_revenue_to_agriculture": led.land_revenue_to_agriculture * price / 1e9,
        "citizenization_support_spending": led.support_spending * price / 1e9,
        "training_spending": led.training_spending * price / 1e9,
    }
    if model.year == model.start_year:
        return {k: float("nan") for k in values}
    return values
