"""The compiled kernels give exactly (bit for bit) what their NumPy definitions give."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim import kernels
from sim.initial_state import GUIDE_BUCKETS, _destination_guide
from sim.population import CITY, DEST_CITY, DEST_TOWN, TOWN, VILLAGE


def test_guided_search_is_searchsorted_on_the_flat_cdf():
    model = sim.build_model({"world": {"households": 2000}}, 3)
    model.step()  # a CDF that has moved away from the start
    flat, guide = _destination_guide(model)
    n_c, n_j = model.destination_cdf.shape
    rng = np.random.default_rng(11)
    county = rng.integers(0, n_c, 50_000)
    x = rng.random((len(county), 8)) * 0.999999
    # Draws on and next to the CDF's own values and bucket edges, where an off-by-one would show.
    edges = model.destination_cdf[county[:2000], rng.integers(0, n_j, 2000)]
    x[:2000, 0] = np.minimum(edges, 0.999999 * (1 - 1e-16))
    x[2000:4000, 1] = np.nextafter(x[:2000, 0], 0)
    x[4000:6000, 2] = (rng.integers(0, GUIDE_BUCKETS, 2000) / GUIDE_BUCKETS) * 0.999999
    x[6000:8000, 3] = 0.0
    got = kernels.guided_search(x, county.astype(np.int32), flat, guide, GUIDE_BUCKETS, n_j)
    expected = np.clip(np.searchsorted(flat, x + county[:, None], side="right") - county[:, None] * n_j, 0, n_j - 1)
    np.testing.assert_array_equal(got, expected)
    assert got.min() >= 0 and got.max() < n_j


def test_guided_search_follows_the_cdf():
    """Each city is drawn with its probability in the county's distribution (a check of the sampler itself)."""
    model = sim.build_model({"world": {"households": 2000}}, 4)
    flat, guide = _destination_guide(model)
    n_j = model.destination_cdf.shape[1]
    county = np.full(200_000, 5, np.int32)
    x = np.random.default_rng(2).random((len(county), 1)) * 0.999999
    counts = np.bincount(kernels.guided_search(x, county, flat, guide, GUIDE_BUCKETS, n_j).ravel(), minlength=n_j)
    p = np.diff(model.destination_cdf[5], prepend=0.0)
    big = p > 0.01
    assert big.sum() >= 5
    assert (np.abs(counts[big] / len(county) - p[big]) < 4 * np.sqrt(p[big] / len(county))).all()


def _bincount_households(county, residence, residence_city, adults, children, elderly, weight, n_c, n_j):
    members = (adults.astype(np.int64) + children + elderly) * weight
    return (np.bincount(np.maximum(residence_city, 0), members * (residence == CITY), minlength=n_j),
            np.bincount(county, members * (residence == TOWN), minlength=n_c),
            np.bincount(county, members * (residence == VILLAGE), minlength=n_c))


def _bincount_migrants(alive, origin, county, dest_kind, dest_city, lives_in_town, weight, n_c, n_j):
    w_m = weight[origin]
    out = alive & (dest_kind == DEST_CITY)
    in_town = alive & lives_in_town
    commuters = alive & (dest_kind == DEST_TOWN) & ~lives_in_town
    return (np.bincount(dest_city[out], w_m[out], minlength=n_j),
            np.bincount(county[in_town], w_m[in_town], minlength=n_c),
            np.bincount(county[commuters], w_m[commuters], minlength=n_c))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 400), n_c=st.integers(1, 7), n_j=st.integers(1, 5), seed=st.integers(0, 2**32 - 1),
       weights=st.sampled_from(["equal", "varied"]))
def test_resident_counts_equal_their_bincount_definitions(n, n_c, n_j, seed, weights):
    rng = np.random.default_rng(seed)
    county = rng.integers(0, n_c, n).astype(np.int32)
    residence = rng.integers(0, 3, n).astype(np.int8)
    residence_city = np.where(residence == CITY, rng.integers(0, n_j, n), -1).astype(np.int32)
    adults, children, elderly = (rng.integers(0, 6, n).astype(np.int16) for _ in range(3))
    weight = np.full(n, 1234.5) if weights == "equal" else rng.lognormal(7, 2, n)
    args = (county, residence, residence_city, adults, children, elderly, weight, n_c, n_j)
    got = kernels.residents_of_households(*args, VILLAGE, TOWN, CITY)
    for a, b in zip(got, _bincount_households(*args)):
        np.testing.assert_array_equal(a, b)

    m = 2 * n
    alive = rng.random(m) < 0.7
    origin = rng.integers(0, max(n, 1), m).astype(np.int32) if n else np.zeros(m, np.int32)
    weight_h = weight if n else np.ones(1)
    dest_kind = rng.integers(0, 2, m).astype(np.int8)
    dest_city = np.where(dest_kind == DEST_CITY, rng.integers(0, n_j, m), -1).astype(np.int32)
    lives_in_town = (dest_kind == DEST_TOWN) & (rng.random(m) < 0.5)
    m_county = rng.integers(0, n_c, m).astype(np.int32)
    args = (alive, origin, m_county, dest_kind, dest_city, lives_in_town, weight_h, n_c, n_j)
    got = kernels.residents_of_migrants(*args, DEST_TOWN, DEST_CITY)
    for a, b in zip(got, _bincount_migrants(*args)):
        np.testing.assert_array_equal(a, b)


def test_county_and_tier_tables_equal_their_bincount_definitions():
    """The one-pass county and tier totals give the same numbers as masked `np.bincount`s over the arrays."""
    from sim import outcomes
    from sim.parameters import CITY_TIERS
    from sim.population import HOMESTEAD_EXITED, HOMESTEAD_IDLE, LAND_ABANDONED, LAND_RENTED_OUT

    model = sim.build_model({"world": {"preset": "province", "households": 4000},
                             "levers": {"land_paid_exit": 1.0, "unified_construction_land_market": 1.0}}, 5)
    for _ in range(4):
        model.step()
    h, mg, c, j = model.households, model.migrants, model.counties, model.cities
    w, n = h.weight, c.n

    def by_county(values, mask=None, index=h.county):
        return np.bincount(index, values if mask is None else values * mask, minlength=n)

    land_w = h.land * w
    village = h.residence == VILLAGE
    live = mg.alive
    wm = w[mg.origin]
    expected = {
        "migrants_outbound": by_county(wm, live & (mg.dest_kind == DEST_CITY), mg.county),
        "migrants_local": by_county(wm, live & (mg.dest_kind == DEST_TOWN), mg.county),
        "land_transfer_share": 100 * (by_county(land_w, h.land_state == LAND_RENTED_OUT) + c.collective_land)
        / np.maximum(by_county(land_w) + c.collective_land, 1.0),
        "abandoned_land_share": 100 * by_county(land_w, h.land_state == LAND_ABANDONED)
        / np.maximum(by_county(land_w) + c.collective_land, 1.0),
        "idle_homestead_share": 100 * by_county(w, h.homestead == HOMESTEAD_IDLE)
        / np.maximum(by_county(w, h.homestead != HOMESTEAD_EXITED), 1.0),
        "rural_income_per_capita": by_county(h.income() * w, village)
        / np.maximum(by_county(h.members_home() * w, village), 1.0),
    }
    table = outcomes.county_table(model)
    assert (expected["land_transfer_share"] > 0).all() and (expected["migrants_local"] > 0).any()
    for column, values in expected.items():
        np.testing.assert_array_equal(table[column].to_numpy(), values, err_msg=column)
    out = live & (mg.dest_kind == DEST_CITY)
    tiers = np.bincount(j.tier[mg.dest_city[out]], wm[out], minlength=len(CITY_TIERS))
    np.testing.assert_array_equal(outcomes.tier_table(model)["outbound_migrants"].to_numpy(), tiers)
