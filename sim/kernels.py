"""Compiled loops (numba) for the few passes NumPy cannot do in one sweep.

Each kernel does exactly the arithmetic of the NumPy code it replaces, in the same order: no transcendental
functions (NumPy's vectorized exp/log round differently from libm), no reductions with NumPy's pairwise sums,
and bin totals accumulated in row order as `np.bincount` does. So results stay identical for a seed (tests
compare every kernel with its NumPy definition). Compiled once and cached next to this file.
"""

from __future__ import annotations

import numba
import numpy as np

_jit = numba.njit(cache=True, nogil=True, boundscheck=False)


@_jit
def guided_search(x, county, flat, guide, buckets, n_j):
    """Candidate cities for draws `x` (n x k, in [0, 1)) of deciders from `county`: for each draw the first
    entry of `flat` (the counties' CDFs laid end to end, row c shifted by +c) above `x + c`, as a city index;
    = `np.searchsorted(flat, x + c, side="right") - c * n_j`, clipped to the row. The guide table gives a
    position at or before the answer (see `initial_state._destination_guide`); a short scan forward ends it.
    (Visiting deciders county by county, for cache locality, measured no faster.)"""
    n, k = x.shape
    out = np.empty((n, k), np.int64)
    for i in range(n):
        c = county[i]
        base = c * buckets
        for t in range(k):
            xi = x[i, t]
            u = xi + c
            pos = guide[np.int64(xi * buckets) + base]
            # Two steps without branches (the answer is at most two entries ahead for most draws), then a scan.
            pos += flat[pos] <= u
            pos += flat[pos] <= u
            while flat[pos] <= u:
                pos += 1
            idx = pos - c * n_j
            out[i, t] = min(max(idx, 0), n_j - 1)
    return out


@_jit
def residents_of_households(county, residence, residence_city, adults, children, elderly, weight, n_c, n_j,
                            village_code, town_code, city_code):
    """Real persons living at home in households, summed by place: (by city, in county towns, in villages),
    each total accumulated in row order as `np.bincount` would."""
    in_city = np.zeros(n_j)
    in_town = np.zeros(n_c)
    in_village = np.zeros(n_c)
    for i in range(county.shape[0]):
        members = np.float64(np.int64(adults[i]) + children[i] + elderly[i]) * weight[i]
        place = residence[i]
        if place == village_code:
            in_village[county[i]] += members
        elif place == town_code:
            in_town[county[i]] += members
        elif place == city_code:
            in_city[residence_city[i]] += members
    return in_city, in_town, in_village


@_jit
def residents_of_migrants(alive, origin, county, dest_kind, dest_city, lives_in_town, weight, n_c, n_j,
                          town_code, city_code):
    """Real migrant workers by where they live: (outbound, by city; living in their county town; commuting from
    the village, by county), accumulated in row order."""
    in_city = np.zeros(n_j)
    in_town = np.zeros(n_c)
    commuting = np.zeros(n_c)
    for r in range(alive.shape[0]):
        if not alive[r]:
            continue
        w = weight[origin[r]]
        if dest_kind[r] == city_code:
            in_city[dest_city[r]] += w
        if lives_in_town[r]:
            in_town[county[r]] += w
        elif dest_kind[r] == town_code:
            commuting[county[r]] += w
    return in_city, in_town, commuting


@_jit
def county_household_totals(county, weight, land, land_state, homestead, residence, adults, children, elderly,
                            inc_farm, inc_wage, inc_remit, inc_rent, inc_collective, inc_transfer, inc_business,
                            n_c, rented_code, abandoned_code, homestead_idle, homestead_exited, village_code):
    """Per-county sums over households for `outcomes.county_table`, in one pass: contracted land, land rented
    out, land abandoned (mu x weight); homesteads held and idle (weight); village residents and their income
    (income summed in `Households.income`'s order)."""
    totals = np.zeros((7, n_c))
    for i in range(county.shape[0]):
        c, w = county[i], weight[i]
        land_w = land[i] * w
        totals[0, c] += land_w
        if land_state[i] == rented_code:
            totals[1, c] += land_w
        elif land_state[i] == abandoned_code:
            totals[2, c] += land_w
        if homestead[i] != homestead_exited:
            totals[3, c] += w
        if homestead[i] == homestead_idle:
            totals[4, c] += w
        if residence[i] == village_code:
            totals[5, c] += np.float64(np.int64(adults[i]) + children[i] + elderly[i]) * w
            income = (inc_farm[i] + inc_wage[i] + inc_remit[i] + inc_rent[i] + inc_collective[i] + inc_transfer[i]
                      + inc_business[i])
            totals[6, c] += income * w
    return totals


@_jit
def county_migrant_totals(alive, origin, county, dest_kind, weight, n_c, town_code, city_code):
    """Live migrant workers (real persons) by home county: (outbound, local)."""
    totals = np.zeros((2, n_c))
    for r in range(alive.shape[0]):
        if alive[r]:
            if dest_kind[r] == city_code:
                totals[0, county[r]] += weight[origin[r]]
            elif dest_kind[r] == town_code:
                totals[1, county[r]] += weight[origin[r]]
    return totals


@_jit
def outbound_by_tier(alive, origin, dest_kind, dest_city, tier, weight, n_tiers, city_code):
    """Live outbound migrant workers (real persons) by the size tier of the city they work in."""
    totals = np.zeros(n_tiers)
    for r in range(alive.shape[0]):
        if alive[r] and dest_kind[r] == city_code:
            totals[tier[dest_city[r]]] += weight[origin[r]]
    return totals
