"""The compiled kernels give what their plain NumPy definitions give (random inputs, hypothesis where it fits)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.engine import kernels
from sim.engine.markets import GUIDE_BUCKETS
from sim.engine.people import AWAY, CITY_JOB, HOME, NO_JOB, TOWN_JOB, VILLAGE_JOB, PersonArrays

SEEDS = st.integers(0, 2**32 - 1)


def _people(rng, n_people, n_households, n_c, n_j, alive_share=0.9):
    """Random but consistent persons: units headed by living workers away, dependants pointing at them."""
    household = rng.integers(0, n_households, n_people).astype(np.int32)
    county = rng.integers(0, n_c, n_households).astype(np.int32)[household]
    alive = rng.random(n_people) < alive_share
    age = rng.integers(0, 90, n_people).astype(np.int16)
    job = np.where(rng.random(n_people) < 0.4, rng.integers(1, 4, n_people), NO_JOB).astype(np.int8)
    job[age < 16] = NO_JOB
    city = np.where(job == CITY_JOB, rng.integers(0, n_j, n_people), -1).astype(np.int32)
    place = np.full(n_people, HOME, np.int8)
    unit = np.full(n_people, -1, np.int32)
    heads = np.flatnonzero(alive & ((job == CITY_JOB) | ((job == TOWN_JOB) & (rng.random(n_people) < 0.4))))
    place[heads], unit[heads] = AWAY, heads
    for r in np.flatnonzero(alive & (job == NO_JOB) & (rng.random(n_people) < 0.3)):
        same = heads[household[heads] == household[r]]
        if len(same):
            place[r], unit[r] = AWAY, same[0]
    return dict(alive=alive, household=household, county=county, age=age, job=job, city=city, place=place, unit=unit,
                in_city_proper=rng.random(n_people) < 0.7, urban_hukou=rng.random(n_people) < 0.05,
                employed=rng.random(n_people) < 0.9, skill=rng.lognormal(-0.5, 0.3, n_people),
                wage=rng.lognormal(10, 0.5, n_people), remit=rng.lognormal(7, 1, n_people),
                living=rng.lognormal(8, 0.5, n_people), savings=rng.lognormal(9, 1, n_people))


def _arrays(d) -> PersonArrays:
    return PersonArrays(*(d[name] for name in PersonArrays._fields))


# ---------------------------------------------------------------------------------------------- destinations
def test_guided_search_is_searchsorted_on_the_flat_cdf():
    model = sim.build_model({"world": {"preset": "synthetic_china", "households": 2000}}, 3)
    model.step()
    cdf = model.state.tables.destination_cdf
    flat, guide = kernels.destination_guide(cdf, GUIDE_BUCKETS)
    n_c, n_j = cdf.shape
    rng = np.random.default_rng(11)
    county = rng.integers(0, n_c, 50_000)
    x = rng.random((len(county), 8)) * 0.999999
    edges = cdf[county[:2000], rng.integers(0, n_j, 2000)]
    x[:2000, 0] = np.minimum(edges, 0.999999 * (1 - 1e-16))
    x[2000:4000, 1] = np.nextafter(x[:2000, 0], 0)
    x[4000:6000, 2] = (rng.integers(0, GUIDE_BUCKETS, 2000) / GUIDE_BUCKETS) * 0.999999
    x[6000:8000, 3] = 0.0
    got = kernels.guided_search(x, county.astype(np.int32), flat, guide, GUIDE_BUCKETS, n_j)
    expected = np.clip(np.searchsorted(flat, x + county[:, None], side="right") - county[:, None] * n_j, 0, n_j - 1)
    np.testing.assert_array_equal(got, expected)


def test_guided_search_follows_the_cdf():
    model = sim.build_model({"world": {"preset": "synthetic_china", "households": 2000}}, 4)
    cdf = model.state.tables.destination_cdf
    flat, guide = kernels.destination_guide(cdf, GUIDE_BUCKETS)
    county = np.full(200_000, 5, np.int32)
    x = np.random.default_rng(2).random((len(county), 1)) * 0.999999
    counts = np.bincount(kernels.guided_search(x, county, flat, guide, GUIDE_BUCKETS, cdf.shape[1]).ravel(),
                         minlength=cdf.shape[1])
    p = np.diff(cdf[5], prepend=0.0)
    big = p > 0.01
    assert big.sum() >= 5
    assert (np.abs(counts[big] / len(county) - p[big]) < 4 * np.sqrt(p[big] / len(county))).all()


# ---------------------------------------------------------------------------------------------- who is where
@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, n=st.integers(1, 400), n_h=st.integers(1, 60))
def test_count_members_equals_its_bincount_definition(seed, n, n_h):
    rng = np.random.default_rng(seed)
    d = _people(rng, n, n_h, 3, 4)
    counts, lead, dependants = kernels.count_members(_arrays(d), 16, 60, 75, n_h)
    a, hh, age, home = d["alive"], d["household"], d["age"], d["place"] == HOME
    worker = d["job"] != NO_JOB

    def by_h(mask):
        return np.bincount(hh[a & mask], minlength=n_h)

    adult = (age >= 16) & (age < 60)
    expected = [by_h(home & (age < 16)), by_h(home & adult), by_h(home & (age >= 60)), by_h(home & (age >= 65)),
                by_h(home & (age >= 60) & (age < 75)), by_h(home & adult & ~worker),
                by_h(home & (age >= 16) & worker), by_h(~home),
                by_h(worker & (d["job"] != CITY_JOB) & ~d["urban_hukou"]),
                by_h(worker & (d["job"] == CITY_JOB) & ~d["urban_hukou"])]
    for got, want in zip(counts, expected):
        np.testing.assert_array_equal(got, want)
    heads = np.flatnonzero(a & ~home & (d["unit"] == np.arange(n)))
    first = np.full(n_h, -1)
    for r in heads[::-1]:
        first[hh[r]] = r
    np.testing.assert_array_equal(lead, first)
    deps = np.flatnonzero(a & ~home & (d["unit"] != np.arange(n)))
    np.testing.assert_array_equal(dependants, np.bincount(d["unit"][deps], minlength=n))


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, n=st.integers(1, 400))
def test_residents_and_labour_supply_equal_their_definitions(seed, n):
    rng = np.random.default_rng(seed)
    n_h, n_c, n_j = 50, 4, 5
    d = _people(rng, n, n_h, n_c, n_j)
    weight = rng.lognormal(5, 1, n_h)
    in_situ = rng.random(n_h) < 0.2
    town_city = np.where(rng.random(n_c) < 0.3, rng.integers(0, n_j, n_c), -1).astype(np.int32)
    got = kernels.residents(_arrays(d), weight, in_situ, town_city, n_c, n_j)
    a, w = d["alive"], weight[d["household"]]
    home = d["place"] == HOME
    head = np.maximum(d["unit"], 0)
    head_city = d["job"][head] == CITY_JOB
    proper = d["in_city_proper"][head]
    town_head = ~home & ~head_city
    district = town_city[d["county"]] >= 0
    city_res = (np.bincount(d["city"][head][a & ~home & head_city & proper], w[a & ~home & head_city & proper],
                            minlength=n_j)
                + np.bincount(town_city[d["county"]][a & town_head & district], w[a & town_head & district],
                              minlength=n_j))
    expected = [city_res,
                np.bincount(d["city"][head][a & ~home & head_city & ~proper], w[a & ~home & head_city & ~proper],
                            minlength=n_j),
                np.bincount(d["county"][a & town_head & ~district], w[a & town_head & ~district], minlength=n_c),
                np.bincount(d["county"][a & home & ~in_situ[d["household"]]],
                            w[a & home & ~in_situ[d["household"]]], minlength=n_c),
                np.bincount(d["county"][a & home & in_situ[d["household"]]], w[a & home & in_situ[d["household"]]],
                            minlength=n_c)]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)
    city_l, town_l, village_l = kernels.labour_supply(_arrays(d), weight, town_city, n_c, n_j)
    units = d["skill"] * w * (a & d["employed"])
    town_job = d["job"] == TOWN_JOB
    np.testing.assert_allclose(city_l, np.bincount(np.maximum(d["city"], 0), units * (d["job"] == CITY_JOB),
                                                   minlength=n_j)
                               + np.bincount(np.maximum(town_city[d["county"]], 0), units * (town_job & district),
                                             minlength=n_j), rtol=1e-12)
    np.testing.assert_allclose(town_l, np.bincount(d["county"], units * (town_job & ~district), minlength=n_c),
                               rtol=1e-12)
    np.testing.assert_allclose(village_l, np.bincount(d["county"], units * (d["job"] == VILLAGE_JOB), minlength=n_c),
                               rtol=1e-12)


def test_network_shares_are_each_countys_city_workers_by_city():
    rng = np.random.default_rng(3)
    d = _people(rng, 2000, 300, 6, 7)
    got = kernels.network_shares(_arrays(d), 6, 7)
    counts = np.zeros((6, 7))
    m = d["alive"] & (d["job"] == CITY_JOB)
    np.add.at(counts, (d["county"][m], d["city"][m]), 1)
    np.testing.assert_allclose(got, counts / np.maximum(counts.sum(1, keepdims=True), 1))


# ---------------------------------------------------------------------------------------------- pay and incomes
@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, n=st.integers(1, 300))
def test_pay_workers_equals_its_definition(seed, n):
    rng = np.random.default_rng(seed)
    n_h, n_c, n_j = 40, 3, 4
    d = _people(rng, n, n_h, n_c, n_j)
    rows = np.flatnonzero(d["alive"] & (d["job"] != NO_JOB))
    draw = rng.random(len(rows))
    dependants = rng.integers(0, 3, n).astype(np.int16)
    in_town = rng.random(n_h) < 0.2
    kids, adults, elderly = (rng.integers(0, 3, n_h).astype(np.int16) for _ in range(3))
    city_chance, town_chance = rng.random(n_j), rng.random(n_c)
    city_wage, town_wage, village_wage = (rng.lognormal(10, 0.3, k) for k in (n_j, n_c, n_c))
    city_living, town_living, commute = (rng.lognormal(8, 0.3, k) for k in (n_j, n_c, n_c))
    savings0 = d["savings"].copy()
    employed, wage, remit, living = np.zeros(n, bool), np.zeros(n), np.zeros(n), np.zeros(n)
    people = _arrays(d)._replace(employed=employed, wage=wage, remit=remit, living=living)
    saved = kernels.pay_workers(rows, draw, people, dependants, kernels.HomeCounts(in_town, kids, adults, elderly),
                                kernels.PayPlaces(city_chance, town_chance, city_wage, town_wage, village_wage,
                                                  city_living, town_living, commute),
                                kernels.PayShares(0.5, 0.05, 0.12, 0.06, 0.3))
    savings = people.savings
    for n_row, r in enumerate(rows):
        k, c, j, h = d["job"][r], d["county"][r], d["city"][r], d["household"][r]
        chance, rate = ((city_chance[j], city_wage[j]) if k == CITY_JOB else (town_chance[c], town_wage[c])
                        if k == TOWN_JOB else (town_chance[c], village_wage[c]))
        works = draw[n_row] < chance
        earned = rate * d["skill"][r] if works else 0.0
        cost = sent = kept = 0.0
        if d["place"][r] == AWAY:
            cost = (city_living[j] if k == CITY_JOB else town_living[c]) * (1 + 0.5 * dependants[r])
            share = 0.0
            if kids[h] + adults[h] + elderly[h] > 0:
                share = 0.05 + (0.12 if kids[h] > 0 else 0) + (0.06 if elderly[h] > 0 else 0)
            net = earned - cost
            if net > 0:
                sent, kept = share * net, 0.3 * (net - share * net)
        elif k == TOWN_JOB and not in_town[h]:
            cost = commute[c]
        assert (employed[r], wage[r], living[r]) == (works, earned, cost)
        assert remit[r] == pytest.approx(sent) and savings[r] == pytest.approx(savings0[r] + kept)
        assert saved[n_row] == pytest.approx(kept)


def test_household_earnings_and_unit_accounts_equal_their_definitions():
    rng = np.random.default_rng(8)
    n, n_h, n_j = 3000, 500, 6
    d = _people(rng, n, n_h, 4, n_j)
    village, commuting, received = kernels.household_earnings(_arrays(d), n_h)
    a, home = d["alive"], d["place"] == HOME
    np.testing.assert_allclose(village, np.bincount(d["household"], d["wage"] * (a & home & (d["job"] == VILLAGE_JOB)),
                                                    minlength=n_h))
    np.testing.assert_allclose(commuting, np.bincount(d["household"], d["wage"] * (a & home & (d["job"] == TOWN_JOB)
                                                                                 | a & home & (d["job"] == CITY_JOB)),
                                                      minlength=n_h))
    np.testing.assert_allclose(received, np.bincount(d["household"], d["remit"] * (a & ~home & (d["job"] != NO_JOB)),
                                                     minlength=n_h))
    weight = rng.lognormal(5, 1, n_h)
    inside = rng.random(n_j) < 0.7
    got = kernels.unit_accounts(_arrays(d), weight, inside)
    head = np.maximum(d["unit"], 0)
    outside = (d["job"][head] == CITY_JOB) & ~inside[np.maximum(d["city"][head], 0)]
    fringe = (d["job"][head] == CITY_JOB) & ~d["in_city_proper"][head] & ~outside
    where = np.where(outside, 2, np.where(fringe, 1, 0))
    w = weight[d["household"]]
    is_head = d["unit"] == np.arange(n)
    for k in range(3):
        m = a & ~home & (where == k)
        want = [(d["wage"] * w)[m & is_head].sum(), (d["remit"] * w)[m & is_head].sum(),
                (d["living"] * w)[m & is_head].sum(), w[m].sum(), w[m & (d["age"] >= 65)].sum()]
        np.testing.assert_allclose(got[k], want, rtol=1e-12)


# ---------------------------------------------------------------------------------------------- choices
def test_choose_logit_draws_the_logit_probabilities_and_never_an_impossible_option():
    rng = np.random.default_rng(5)
    u = np.tile(np.array([[0.0, 1.0, -np.inf, 0.5, 2.0]]), (200_000, 1))
    choice = kernels.choose_logit(u, rng.random(len(u)))
    e = np.exp(u[0] - u[0].max())
    p = e / e.sum()
    share = np.bincount(choice, minlength=5) / len(u)
    assert share[2] == 0
    assert (np.abs(share - p) < 4 * np.sqrt(p * (1 - p) / len(u)) + 1e-12).all()


def test_work_utilities_match_their_formula_column_by_column():
    model = sim.build_model({"world": {"preset": "synthetic_china", "households": 3000}}, 6)
    model.step()
    from sim.engine.phases import labour

    ps, h, p = model.persons, model.households, model.params
    rows = np.flatnonzero(ps.alive & (ps.age >= 16) & (ps.age < 60))[:400]
    x = np.random.default_rng(1).random((len(rows), 8)) * 0.999999
    terms = labour._place_terms(model)
    u, cand = labour.work_utilities(model, rows, x, terms)
    asc = model.state.tables.choice_constants
    for i, r in enumerate(rows[:200]):
        c, s, a = ps.county[r], ps.skill[r], float(ps.age[r])
        deps = p["dependant_cost_share"] * model.state.dependants[r]
        older = max(a - p["city_age_reference"], 0) * p["city_age_penalty"]
        for t in range(8):
            j = cand[i, t]
            pair = c * model.cities.n + j
            city = (p["utility_income"] * np.log(max(terms["city_pay"][j] * s - terms["city_living"][j] * (1 + deps),
                                                     p["income_floor"]))
                    + terms["city_services"][j] - terms["distance_term"][pair] + terms["network_term"][pair]
                    + terms["correction"][pair] - older)
            city += asc["home_to_city"] if ps.job[r] == NO_JOB else asc["to_city"]
            if ps.job[r] == CITY_JOB and j == ps.city[r]:
                assert u[i, 4 + t] == -np.inf  # the city one works in is the option of staying, not a move
                continue
            assert u[i, 4 + t] == pytest.approx(city, rel=1e-12, abs=1e-12)
        village = (p["utility_income"] * np.log(max(terms["village_pay"][c] * s, p["income_floor"]))
                   + terms["amenity"][c] + p["utility_home_attachment"])
        if ps.job[r] == NO_JOB:
            assert u[i, 2] == pytest.approx(village + asc["home_to_village"], rel=1e-12)
            assert u[i, 1] == -np.inf
        elif ps.job[r] == VILLAGE_JOB:
            assert u[i, 2] == -np.inf


# ---------------------------------------------------------------------------------------------- land
def _market(seed):
    rng = np.random.default_rng(seed)
    n_c, n = 5, 400
    county = np.sort(rng.integers(0, n_c, n))
    starts = np.concatenate([[0], np.cumsum(np.bincount(county, minlength=n_c))]).astype(np.int64)
    labour = np.where(rng.random(n) < 0.6, rng.uniform(0.5, 3, n), 0.0)
    return kernels.Market(starts=starts, land=rng.uniform(1, 15, n), labour=labour,
                          kappa=np.where(labour > 0, rng.lognormal(7, 0.5, n), 0.0),
                          insurance=rng.lognormal(5.5, 0.8, n), weight=rng.lognormal(3, 0.3, n),
                          collective=rng.uniform(0, 500, n_c), operator_coef=rng.lognormal(8, 1, n_c),
                          eta=1 / (1 - 0.3), eta_op=1 / (1 - 0.6), keep_share=0.85)


@settings(max_examples=25, deadline=None)
@given(seed=SEEDS)
def test_the_land_market_clears_and_allocations_follow_the_rules(seed):
    m = _market(seed)
    rent = kernels.clear_land_market(m, 60, 1.0, np.full(5, 1e6))
    n = len(m.land)
    rented_in, rented_out, farmed = np.zeros(n), np.zeros(n), np.zeros(n)
    operator, transferred, idle = kernels.allocate_land(m, rent, rented_in, rented_out, farmed)
    county = np.repeat(np.arange(5), np.diff(m.starts))
    w = m.weight
    # every mu of every household is farmed by it, rented out or idle; collective land is rented or idle
    own = farmed + rented_out
    no_labour = m.labour == 0
    households_idle = np.bincount(county, (m.land - own) * w * no_labour, minlength=5)
    np.testing.assert_allclose(m.land[~no_labour], own[~no_labour], rtol=1e-9)
    collective_idle = idle - households_idle
    assert (collective_idle > -1e-6).all() and (collective_idle <= m.collective + 1e-6).all()
    supply = np.bincount(county, rented_out * w, minlength=5) + m.collective - collective_idle
    demand = np.bincount(county, rented_in * w, minlength=5) + operator
    np.testing.assert_allclose(demand, supply, rtol=1e-6)  # what is rented in is what is rented out
    np.testing.assert_allclose(transferred, np.bincount(county, rented_out * w, minlength=5), rtol=1e-12)
    assert (rented_in[no_labour] == 0).all() and (rented_in * rented_out == 0).all()
    # households without labour rent out only when the rent they receive beats their insurance value
    r = rent[county]
    offered = no_labour & (rented_out > 0)
    assert (m.keep_share * r[offered] >= m.insurance[offered]).all()


def test_farm_output_equals_its_formula():
    rng = np.random.default_rng(9)
    n, n_c = 500, 4
    county = rng.integers(0, n_c, n).astype(np.int32)
    farmed, rented_in = rng.uniform(0, 10, n), rng.uniform(0, 5, n)
    labour = np.where(rng.random(n) < 0.8, rng.uniform(0.5, 3, n), 0.0)
    skill, weight, value = rng.lognormal(-0.6, 0.3, n), rng.lognormal(3, 0.3, n), rng.uniform(800, 2000, n_c)
    out, by_c, lab_c = kernels.farm_output(county, farmed, rented_in, labour, skill, weight, value, 0.55, 6.0, 0.25,
                                           0.25, 0.05, 0.45, n_c)
    A = farmed + rented_in
    want = np.where((A > 0) & (labour > 0), value[county] * np.sqrt(skill / 0.55) * 6.0 * (A / 6.0) ** 0.30
                    * (labour / 1.5) ** 0.45, 0.0)
    np.testing.assert_allclose(out, want, rtol=1e-12)
    np.testing.assert_allclose(by_c, np.bincount(county, want * weight, minlength=n_c), rtol=1e-12)
    np.testing.assert_allclose(lab_c, np.bincount(county, labour * weight * ((A > 0) & (labour > 0)), minlength=n_c),
                               rtol=1e-12)


# ---------------------------------------------------------------------------------------------- Gini
@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False, width=64), max_size=400), seed=SEEDS)
def test_radix_sorts_order_floats_as_numpy_sort(values, seed):
    rng = np.random.default_rng(seed)
    x = np.array(values + rng.lognormal(5, 3, 300).tolist() + (-rng.lognormal(5, 3, 50)).tolist())
    rng.shuffle(x)
    expected = np.sort(x)
    got = x.copy()
    kernels.radix_sort_float64(got)
    nonzero = expected != 0  # NumPy leaves -0.0 and 0.0 in any order; every other value must match bit for bit
    np.testing.assert_array_equal(got[nonzero].view(np.uint64), expected[nonzero].view(np.uint64))
    keys, payload = x.copy(), np.arange(len(x), dtype=np.float64)
    kernels.radix_sort_pairs(keys, payload)
    np.testing.assert_array_equal(keys[nonzero], expected[nonzero])
    np.testing.assert_array_equal(x[payload.astype(np.int64)], keys)  # the payload travels with its key


def test_lorenz_gini_is_the_weighted_gini():
    rng = np.random.default_rng(1)
    v, w = np.sort(rng.lognormal(9, 0.8, 2000)), rng.integers(1, 5, 2000).astype(float)
    expanded = np.repeat(v, w.astype(int))
    n = len(expanded)
    plain = (2 * np.arange(1, n + 1) - n - 1).dot(expanded) / (n * expanded.sum())
    assert kernels.lorenz_gini(v, w) == pytest.approx(plain, abs=2e-3)
    assert kernels.lorenz_gini(np.full(50, 3.0), np.ones(50)) == pytest.approx(0.0, abs=1e-12)


def test_person_census_equals_its_definition():
    rng = np.random.default_rng(4)
    n, n_h, n_j = 4000, 600, 5
    d = _people(rng, n, n_h, 4, n_j)
    weight = rng.lognormal(4, 0.5, n_h)
    in_situ = rng.random(n_h) < 0.2
    young = rng.integers(0, 3, n_h)
    lead = np.where(rng.random(n_h) < 0.4, 1, -1)
    inside = rng.random(n_j) < 0.8
    s = dict(zip(kernels.CENSUS_FIELDS, kernels.person_census(_arrays(d), weight, in_situ, young, lead, inside)))
    a, w, hh = d["alive"], weight[d["household"]], d["household"]
    mig = a & (d["job"] != NO_JOB) & ~d["urban_hukou"]
    assert s["workers"] == pytest.approx(w[mig].sum())
    assert s["outbound"] == pytest.approx(w[mig & (d["job"] == CITY_JOB)].sum())
    assert s["age_sum"] == pytest.approx((w * d["age"])[mig].sum())
    assert s["whole_family"] == pytest.approx(w[mig & (d["job"] == CITY_JOB) & (young[hh] == 0)].sum())
    home = a & (d["place"] == HOME)
    assert s["rural_home"] == pytest.approx(w[home & ~in_situ[hh]].sum())
    assert s["in_situ_home_65"] == pytest.approx(w[home & in_situ[hh] & (d["age"] >= 65)].sum())
    head = np.maximum(d["unit"], 0)
    away = a & (d["place"] == AWAY)
    outside = away & (d["job"][head] == CITY_JOB) & ~inside[np.maximum(d["city"][head], 0)]
    assert s["outside"] == pytest.approx(w[outside].sum())
    assert s["children_with_units"] == pytest.approx(w[away & (d["age"] < 16)].sum())
