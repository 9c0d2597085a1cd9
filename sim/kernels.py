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
    position at or before the answer (see `initial_state._destination_guide`); a short scan forward ends it."""
    n, k = x.shape
    out = np.empty((n, k), np.int64)
    for i in range(n):
        c = county[i]
        base = c * buckets
        for t in range(k):
            xi = x[i, t]
            u = xi + c
            pos = guide[np.int64(xi * buckets) + base]
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
