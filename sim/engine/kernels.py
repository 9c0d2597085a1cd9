"""Compiled loops (numba) for the passes over people that NumPy cannot do in one sweep.

Each kernel is one pass over the rows it is given, in row order, with no hidden state: the same inputs give the
same outputs (tests compare each with a plain NumPy definition). Compiled once and cached next to this file.
Codes (HOME, CITY_JOB, ...) are the module constants of `people`, frozen into the compiled code.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np

from .people import AWAY, CITY_JOB, HOME, NO_JOB, TOWN_JOB, VILLAGE_JOB

# Grouped arguments of the longer kernels (numba compiles namedtuples of arrays and numbers). `p` in a kernel is
# a `people.PersonArrays`.
Deciders = namedtuple("Deciders", "county skill age job city years employed dependants children_home in_town")
Search = namedtuple("Search", "x flat guide buckets n_j")
CityTerms = namedtuple("CityTerms", "pay living services")
CountyTerms = namedtuple("CountyTerms", "town_pay town_cost town_services village_pay farm_income amenity")
PairTerms = namedtuple("PairTerms", "current sampled")
UtilityWeights = namedtuple("UtilityWeights", "income floor skill_median attachment town_attachment town_amenity family_tie "
                                              "age_penalty age_reference tenure_bonus tenure_cap unemployed_penalty "
                                              "return_age return_pull dependant_cost transfer")
HomeCounts = namedtuple("HomeCounts", "in_town children adults elderly")
PayPlaces = namedtuple("PayPlaces", "city_chance town_chance city_wage town_wage village_wage city_living "
                                    "town_living commute")
PayShares = namedtuple("PayShares", "dependant_cost remit_base remit_children remit_elderly saving_rate")
Market = namedtuple("Market", "starts land labour kappa insurance weight collective operator_coef eta eta_op "
                              "keep_share")

_jit = numba.njit(cache=True, nogil=True, boundscheck=False)
# Loops whose iterations are independent (each writes only its own row or county) run on all of numba's threads;
# the results do not depend on the number of threads. `use_threads(1)` in processes that share the cores.
_jit_parallel = numba.njit(cache=True, nogil=True, boundscheck=False, parallel=True)
NEG_INF = -np.inf
LOGIT_CHUNK = 4096  # rows per task of `choose_logit`


@_jit_parallel
def guided_search(x, county, flat, guide, buckets, n_j):
    """Candidate cities for draws `x` (n x k, in [0, 1)) of deciders from `county`: for each draw the first
    entry of `flat` (the counties' CDFs laid end to end, row c shifted by +c) above `x + c`, as a city index;
    = `np.searchsorted(flat, x + c, side="right") - c * n_j`, clipped to the row. The guide table gives a
    position at or before the answer (see `markets.sample_destinations`); a short scan forward ends it.
    (Visiting deciders county by county, for cache locality, measured no faster.)"""
    n, k = x.shape
    out = np.empty((n, k), np.int64)
    for i in numba.prange(n):
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
def destination_guide(cdf, buckets):
    """The counties' CDFs laid end to end (row c shifted by +c) and the guide table of `guided_search`: for
    bucket b of county c, c x n_j + the number of row c's entries with floor(cdf x buckets) <= b - 2 (entries
    surely below the bucket before b; 0 for b = 0)."""
    n_c, n_j = cdf.shape
    flat = np.empty(n_c * n_j)
    guide = np.empty(n_c * buckets, np.int64)
    below = np.empty(buckets + 2, np.int64)
    for c in range(n_c):
        below[:] = 0
        for j in range(n_j):
            flat[c * n_j + j] = cdf[c, j] + c
            below[min(np.int64(np.floor(cdf[c, j] * buckets)), buckets) + 1] += 1
        for s in range(1, buckets + 2):  # below[s]: entries with floor(cdf x buckets) <= s - 1
            below[s] += below[s - 1]
        for b in range(buckets):
            guide[c * buckets + b] = below[max(b - 1, 0)] + c * n_j
    return flat, guide


@_jit
def radix_sort_float64(keys):
    """Sort `keys` (float64, no NaN) in place, exactly as `keys.sort()` orders them, by an LSD radix sort on
    their bits (8 passes of 8 bits, a pass skipped where every key has the same byte): 2-3x faster than NumPy's
    sort for the millions of values of the income Gini. Each float's bits are mapped to an unsigned integer
    that orders like the float (sign bit flipped for positives, all bits flipped for negatives) and back."""
    n = keys.shape[0]
    bits = keys.view(np.uint64)
    sign = np.uint64(1) << np.uint64(63)
    for i in range(n):
        b = bits[i]
        bits[i] = ~b if b & sign else b | sign
    counts = np.zeros((8, 256), np.int64)
    byte = np.uint64(255)
    for i in range(n):
        b = bits[i]
        for d in range(8):
            counts[d, (b >> np.uint64(8 * d)) & byte] += 1
    buffer = np.empty_like(bits)
    src, dst = bits, buffer
    passes = 0
    pos = np.empty(256, np.int64)
    for d in range(8):
        if counts[d].max() == n:
            continue
        total = 0
        for v in range(256):
            pos[v] = total
            total += counts[d, v]
        shift = np.uint64(8 * d)
        for i in range(n):
            b = src[i]
            v = (b >> shift) & byte
            dst[pos[v]] = b
            pos[v] += 1
        src, dst = dst, src
        passes += 1
    if passes % 2 == 1:
        bits[:] = src
    for i in range(n):
        b = bits[i]
        bits[i] = b & ~sign if b & sign else ~b


@_jit
def lorenz_gini(v, w):
    """Gini of values `v` (ascending) with weights `w`, from the area under the Lorenz curve by trapezoids:
    area = sum_i w_i (2 cv_i - v_i w_i) / (2 W V), cv the running total of v w (as NumPy's cumsum), the
    final sum as NumPy's pairwise sum."""
    n = v.shape[0]
    terms = np.empty(n)
    running = 0.0
    for i in range(n):
        vw = v[i] * w[i]
        running += vw
        terms[i] = (running * 2 - vw) * w[i]
    total_w = 0.0 + numpy_sum(w, 0, n)
    if n == 0 or total_w <= 0 or running <= 0:
        return 0.0
    area = (0.0 + numpy_sum(terms, 0, n)) / (2 * total_w * running)
    return 1 - 2 * area


@_jit
def _block_sum(a, lo, n):
    """NumPy's sum of a block of at most 128 values: 8 interleaved partial sums, then the rest in order."""
    if n < 8:
        total = 0.0
        for i in range(n):
            total += a[lo + i]
        return total
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += a[lo + i]
        i += 1
    return total


@_jit
def numpy_sum(a, lo, n):
    """`a[lo:lo + n].sum()` exactly as NumPy computes it: its pairwise summation splits a range longer than 128
    in two halves (the first a multiple of 8 long) and adds their sums; blocks go to `_block_sum`. The same tree
    is walked here with an explicit stack (numba's cache mishandles recursive functions)."""
    if n <= 128:
        return _block_sum(a, lo, n)
    starts = np.empty(64, np.int64)
    sizes = np.empty(64, np.int64)
    stage = np.empty(64, np.int64)
    values = np.empty(64)
    top, n_values = 0, 0
    starts[0], sizes[0], stage[0] = lo, n, 0
    while top >= 0:
        s, m = starts[top], sizes[top]
        if m <= 128:
            values[n_values] = _block_sum(a, s, m)
            n_values += 1
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if stage[top] == 0:  # first the left half
            stage[top] = 1
            top += 1
            starts[top], sizes[top], stage[top] = s, half, 0
        elif stage[top] == 1:  # then the right half
            stage[top] = 2
            top += 1
            starts[top], sizes[top], stage[top] = s + half, m - half, 0
        else:  # both done: left + right
            n_values -= 1
            values[n_values - 1] = values[n_values - 1] + values[n_values]
            top -= 1
    return values[0]


# ---------------------------------------------------------------------------------------------- who is where
@_jit
def count_members(p, adult_age, elderly_age, farm_age_max, n_h):
    """Per household, from its persons: children, working-age adults, elderly (60+, of them 65+ and 60 to below
    `farm_age_max`) at
    home; working-age members at home without a non-farm job (farmers) and with one; members away; local and
    outbound migrant workers (of rural hukou); the row of its first unit head living away (-1 if none). Also the
    dependants of each unit head (per person row)."""
    counts = np.zeros((10, n_h), np.int16)
    lead = np.full(n_h, -1, np.int32)
    dependants = np.zeros(p.alive.shape[0], np.int16)
    for r in range(p.alive.shape[0]):
        if not p.alive[r]:
            continue
        h = p.household[r]
        a = p.age[r]
        if p.place[r] == HOME:
            if a < adult_age:
                counts[0, h] += 1
            elif a < elderly_age:
                counts[1, h] += 1
                if p.job[r] == NO_JOB:
                    counts[5, h] += 1
                else:
                    counts[6, h] += 1
            else:
                counts[2, h] += 1
                if a >= 65:
                    counts[3, h] += 1
                if a < farm_age_max:
                    counts[4, h] += 1
                if p.job[r] != NO_JOB:
                    counts[6, h] += 1
        else:
            counts[7, h] += 1
            head = p.unit[r]
            if head == r:
                if lead[h] < 0:
                    lead[h] = r
            else:
                dependants[head] += 1
        if not p.urban_hukou[r]:
            if p.job[r] == CITY_JOB:
                counts[9, h] += 1
            elif p.job[r] != NO_JOB:
                counts[8, h] += 1
    return counts, lead, dependants


@_jit
def residents(p, weight, in_situ, town_city, n_c, n_j):
    """Real persons of rural hukou by where they live: (in each city proper, in each city's rural fringe, in each
    county town, in each county's rural villages, in each county's villages reclassified as urban). A county
    made of a city's urban districts has that city as its town (`town_city` >= 0)."""
    city_res = np.zeros(n_j)
    fringe = np.zeros(n_j)
    town = np.zeros(n_c)
    village = np.zeros(n_c)
    in_situ_res = np.zeros(n_c)
    for r in range(p.alive.shape[0]):
        if not p.alive[r]:
            continue
        h = p.household[r]
        w = weight[h]
        c = p.county[r]
        if p.place[r] == HOME:
            if in_situ[h]:
                in_situ_res[c] += w
            else:
                village[c] += w
        else:
            head = p.unit[r]
            if p.job[head] == CITY_JOB:
                if p.in_city_proper[head]:
                    city_res[p.city[head]] += w
                else:
                    fringe[p.city[head]] += w
            elif town_city[c] >= 0:
                city_res[town_city[c]] += w
            else:
                town[c] += w
    return city_res, fringe, town, village, in_situ_res


@_jit
def labour_supply(p, weight, town_city, n_c, n_j):
    """Efficiency units of employed migrant labour (skill x weight) in each city, county town and county's
    village firms (a county made of a city's urban districts has that city as its town)."""
    city_l = np.zeros(n_j)
    town_l = np.zeros(n_c)
    village_l = np.zeros(n_c)
    for r in range(p.alive.shape[0]):
        if p.alive[r] and p.employed[r]:
            units = p.skill[r] * weight[p.household[r]]
            k = p.job[r]
            c = p.county[r]
            if k == CITY_JOB:
                city_l[p.city[r]] += units
            elif k == TOWN_JOB:
                if town_city[c] >= 0:
                    city_l[town_city[c]] += units
                else:
                    town_l[c] += units
            elif k == VILLAGE_JOB:
                village_l[c] += units
    return city_l, town_l, village_l


@_jit
def network_shares(p, n_c, n_j):
    """Share of each county's city workers in each city (rows sum to 1, or 0 for a county without any)."""
    counts = np.zeros((n_c, n_j))
    for r in range(p.alive.shape[0]):
        if p.alive[r] and p.job[r] == CITY_JOB:
            counts[p.county[r], p.city[r]] += 1.0
    for c in range(n_c):
        total = 0.0
        for j in range(n_j):
            total += counts[c, j]
        if total > 0:
            for j in range(n_j):
                counts[c, j] /= total
    return counts

# ---------------------------------------------------------------------------------------------- pay
@_jit
def pay_workers(rows, draw, p, dependants, home, places, shares):
    """A year of work for each worker row: employed if its draw is below the employment chance where it works;
    wage = employed x wage rate x skill. A worker living away (a unit head) pays the unit's living cost (its own,
    plus `dependant_cost` of it per dependant), sends home a share of what is left that depends on who is at
    home, and saves a share of the rest (added to `savings`; returned, for the ledger, per row). A worker living
    at home pays the cost of commuting to a county-town job (none from a village reclassified as urban,
    `home.in_town`); what it earns is household income. Writes employed, wage, remit, living, savings of `p`."""
    saved = np.zeros(rows.shape[0])
    # serial: numba's parallel loop lost the writes through the record of arrays `p` (measured with numba 0.68)
    for n in range(rows.shape[0]):
        r = rows[n]
        k = p.job[r]
        c = p.county[r]
        j = p.city[r]
        if k == CITY_JOB:
            chance, rate = places.city_chance[j], places.city_wage[j]
        elif k == TOWN_JOB:
            chance, rate = places.town_chance[c], places.town_wage[c]
        else:
            chance, rate = places.town_chance[c], places.village_wage[c]
        works = draw[n] < chance
        earned = rate * p.skill[r] if works else 0.0
        cost = 0.0
        sent = 0.0
        kept = 0.0
        h = p.household[r]
        if p.place[r] == AWAY:
            own = places.city_living[j] if k == CITY_JOB else places.town_living[c]
            cost = own * (1.0 + shares.dependant_cost * dependants[r])
            share = 0.0
            if home.children[h] + home.adults[h] + home.elderly[h] > 0:
                share = shares.remit_base
                if home.children[h] > 0:
                    share += shares.remit_children
                if home.elderly[h] > 0:
                    share += shares.remit_elderly
            net = earned - cost
            if net > 0:
                sent = share * net
                kept = shares.saving_rate * (net - sent)
        elif k == TOWN_JOB and not home.in_town[h]:
            cost = places.commute[c]
        p.employed[r] = works
        p.wage[r] = earned
        p.remit[r] = sent
        p.living[r] = cost
        p.savings[r] += kept
        saved[n] = kept
    return saved

# ---------------------------------------------------------------------------------------------- work choice
@_jit_parallel
def work_utilities(d, search, cities, counties, pairs, w, asc):
    """Systematic utilities of the work options of each decider (`d`, a `Deciders`), and the k candidate cities
    sampled for it from uniforms `search.x` (n x k) by its county's distribution (`guided_search`). Columns: 0
    staying as one is (farming for people at home without a non-farm job; the current job for migrant workers),
    1 farming at home, 2 a village non-farm job, 3 a county-town job, 4.. the sampled cities. A column that
    repeats the current job (a sampled city where the worker works already included) is -inf. Terms (log of yuan floored at `w.floor`, weighted by `w.income`):
    farm: log(farm income x sqrt(skill / median) + transfer) + amenity + attachment (+ family tie)
    village job: log(pay x skill) + amenity + attachment
    town job: log(pay x skill - min(commute, living)) + services - distance + town share of attachment + the
              village amenity for the share who commute from home (no cost for people at home in villages
              reclassified as urban, `d.in_town`)
    city j: log(pay_j x skill - living_j (1 + dependant cost x dependants)) + services_j - distance + network
            + sampling correction - age penalty x max(age - reference, 0)
    For migrant workers the current option gains the tenure bonus and loses the unemployed penalty, farming
    gains the pull of age beyond `return_age`. `asc`: choice constants [home->village, home->town,
    home->city, return, outbound->local, ->another city]."""
    n, k = search.x.shape
    u = np.empty((n, 4 + k))
    n_j = search.n_j
    cand = guided_search(search.x, d.county, search.flat, search.guide, search.buckets, n_j)
    for i in numba.prange(n):
        c = d.county[i]
        s = d.skill[i]
        a = d.age[i]
        current = d.job[i]
        older = max(a - w.age_reference, 0.0) * w.age_penalty
        farm = (w.income * np.log(max(counties.farm_income[c] * np.sqrt(s / w.skill_median) + w.transfer, w.floor))
                + counties.amenity[c] + w.attachment)
        village = w.income * np.log(max(counties.village_pay[c] * s, w.floor)) + counties.amenity[c] + w.attachment
        cost = 0.0 if d.in_town[i] else counties.town_cost[c]  # a reclassified village is part of the town
        town = (w.income * np.log(max(counties.town_pay[c] * s - cost, w.floor)) + counties.town_services[c]
                + w.town_attachment + w.town_amenity * counties.amenity[c])
        deps = w.dependant_cost * d.dependants[i]
        row = c * n_j
        here_city = d.city[i] if current == CITY_JOB else -1
        for t in range(k):
            j = cand[i, t]
            if j == here_city:  # staying where one works is column 0, not a move
                u[i, 4 + t] = NEG_INF
                continue
            pair = row + j
            u[i, 4 + t] = (w.income * np.log(max(cities.pay[j] * s - cities.living[j] * (1.0 + deps), w.floor))
                           + cities.services[j] + pairs.sampled[pair] - older)
        if current == NO_JOB:
            u[i, 0] = farm + (w.family_tie if d.children_home[i] > 0 else 0.0)
            u[i, 1] = NEG_INF
            u[i, 2] = village + asc[0]
            u[i, 3] = town + asc[1]
            for t in range(k):
                u[i, 4 + t] += asc[2]
        else:
            if current == CITY_JOB:
                j = d.city[i]
                pair = row + j
                here = (w.income * np.log(max(cities.pay[j] * s - cities.living[j] * (1.0 + deps), w.floor))
                        + cities.services[j] + pairs.current[pair] - older)
            elif current == TOWN_JOB:
                here = town
            else:
                here = village
            here += w.tenure_bonus * min(d.years[i], w.tenure_cap)
            if not d.employed[i]:
                here -= w.unemployed_penalty
            u[i, 0] = here
            u[i, 1] = farm + w.return_pull * max(a - w.return_age, 0.0) + asc[3]
            local = 0.0 if current != CITY_JOB else asc[4]
            u[i, 2] = NEG_INF if current == VILLAGE_JOB else village + local
            u[i, 3] = NEG_INF if current == TOWN_JOB else town + local
            for t in range(k):
                u[i, 4 + t] += asc[5]
    return u, cand


@_jit_parallel
def choose_logit(u, uniforms):
    """The chosen column of each row under the multinomial logit: column t with probability exp(u_t) / sum exp(u),
    found by inverting the cumulative probabilities at one uniform per row (the same distribution as the argmax of
    u + Gumbel noise, with one exp per option instead of two logs). -inf columns are never chosen."""
    n, m = u.shape
    choice = np.empty(n, np.int64)
    chunks = (n + LOGIT_CHUNK - 1) // LOGIT_CHUNK
    for c in numba.prange(chunks):  # a weights buffer per chunk of rows, not per row
        weights = np.empty(m)
        for i in range(c * LOGIT_CHUNK, min(n, (c + 1) * LOGIT_CHUNK)):
            top = NEG_INF
            for t in range(m):
                if u[i, t] > top:
                    top = u[i, t]
            total = 0.0
            for t in range(m):
                v = u[i, t]
                e = np.exp(v - top) if v != NEG_INF else 0.0
                weights[t] = e
                total += e
            target = uniforms[i] * total
            acc = 0.0
            arg = 0
            for t in range(m):
                acc += weights[t]
                if weights[t] > 0.0:
                    arg = t
                    if acc > target:
                        break
            choice[i] = arg
    return choice


# ---------------------------------------------------------------------------------------------- incomes
@_jit
def household_earnings(p, n_h):
    """Per household: wages of members with village non-farm jobs living at home, wages of members commuting to
    county-town jobs, remittances received from members living away."""
    village = np.zeros(n_h)
    commuting = np.zeros(n_h)
    received = np.zeros(n_h)
    for r in range(p.alive.shape[0]):
        if not p.alive[r]:
            continue
        h = p.household[r]
        if p.place[r] == HOME:
            if p.job[r] == VILLAGE_JOB:
                village[h] += p.wage[r]
            elif p.job[r] != NO_JOB:
                commuting[h] += p.wage[r]
        elif p.job[r] != NO_JOB:
            received[h] += p.remit[r]
    return village, commuting, received


@_jit
def unit_accounts(p, weight, city_inside):
    """Incomes and people of migrant units by where they live (0: urban - a city proper or a county town; 1: a
    city's rural fringe; 2: a city outside the region): [wages, remittances sent, living costs, persons, persons
    aged 65+] x weight."""
    out = np.zeros((3, 5))
    for r in range(p.alive.shape[0]):
        if not p.alive[r] or p.place[r] != AWAY:
            continue
        head = p.unit[r]
        if p.job[head] == CITY_JOB and not city_inside[p.city[head]]:
            where = 2
        elif p.job[head] == CITY_JOB and not p.in_city_proper[head]:
            where = 1
        else:
            where = 0
        w = weight[p.household[r]]
        out[where, 3] += w
        if p.age[r] >= 65:
            out[where, 4] += w
        if head == r:
            out[where, 0] += p.wage[r] * w
            out[where, 1] += p.remit[r] * w
            out[where, 2] += p.living[r] * w
    return out

# ---------------------------------------------------------------------------------------------- land
@_jit_parallel
def clear_land_market(m, rounds, r_low, r_high):
    """The rent that clears each county's rental market (`m`, a `Market`; households sorted by county, county c's
    are rows starts[c]:starts[c+1]). Demand: farming households (labour > 0) rent in up to kappa r^-eta (their
    best farm size) beyond their own land; cooperatives and firms operator_coef r^-eta_op. Supply: farming
    households rent out their land beyond kappa (keep_share r)^-eta; households without farm labour rent out all
    their land if the rent they receive (keep_share r) is at least their insurance value of keeping it;
    collective land. Bisection on log rent between r_low and r_high[c] (per county: demand beyond supply at the
    highest rent is rationed by `allocate_land`)."""
    n_c = m.starts.shape[0] - 1
    rent = np.empty(n_c)
    for c in numba.prange(n_c):
        lo, hi = np.log(r_low), np.log(r_high[c])
        for _ in range(rounds):
            mid = 0.5 * (lo + hi)
            r = np.exp(mid)
            x_in = r ** (-m.eta)
            x_out = (m.keep_share * r) ** (-m.eta)
            received = m.keep_share * r
            demand = m.operator_coef[c] * r ** (-m.eta_op)
            supply = m.collective[c]
            for i in range(m.starts[c], m.starts[c + 1]):
                L = m.land[i]
                if m.labour[i] > 0:
                    want = m.kappa[i] * x_in
                    if want > L:
                        demand += (want - L) * m.weight[i]
                    keep = m.kappa[i] * x_out
                    if keep < L:
                        supply += (L - keep) * m.weight[i]
                elif L > 0 and received >= m.insurance[i]:
                    supply += L * m.weight[i]
            if demand > supply:
                lo = mid
            else:
                hi = mid
        rent[c] = np.exp(0.5 * (lo + hi))
    return rent


@_jit_parallel
def allocate_land(m, rent, rented_in, rented_out, farmed):
    """Land of each household at each county's rent (from `clear_land_market`): rented in, rented out, farmed
    itself (written per household); rent-ins scaled so that demand equals supply exactly (in a glut at the lowest
    rent, offers are scaled instead and the rest lies idle). Returns per county (land operated by cooperatives
    and firms, land rented out by households, idle land - households' and collective)."""
    n_c = m.starts.shape[0] - 1
    operator = np.zeros(n_c)
    transferred = np.zeros(n_c)
    idle = np.zeros(n_c)
    for c in numba.prange(n_c):
        r = rent[c]
        x_in = r ** (-m.eta)
        x_out = (m.keep_share * r) ** (-m.eta)
        received = m.keep_share * r
        demand_op = m.operator_coef[c] * r ** (-m.eta_op)
        demand = demand_op
        supply = m.collective[c]
        for i in range(m.starts[c], m.starts[c + 1]):
            L = m.land[i]
            rented_in[i] = 0.0
            rented_out[i] = 0.0
            farmed[i] = 0.0
            if m.labour[i] > 0:
                want = m.kappa[i] * x_in
                keep = m.kappa[i] * x_out
                if want > L:
                    rented_in[i] = want - L
                    demand += (want - L) * m.weight[i]
                    farmed[i] = L
                elif keep < L:
                    rented_out[i] = L - keep
                    supply += (L - keep) * m.weight[i]
                    farmed[i] = keep
                else:
                    farmed[i] = L
            elif L > 0:
                if received >= m.insurance[i]:
                    rented_out[i] = L
                    supply += L * m.weight[i]
                else:
                    idle[c] += L * m.weight[i]
        # demand and supply agree to the bisection's precision; share the supply out exactly
        scale_in = supply / demand if demand > 0 else 0.0
        scale_out = 1.0
        if scale_in > 1.0:  # a glut at the lowest rent: not all offered land finds an operator
            scale_out = demand / supply
            scale_in = 1.0
        for i in range(m.starts[c], m.starts[c + 1]):
            rented_in[i] *= scale_in
            if scale_out < 1.0 and rented_out[i] > 0:
                lost = rented_out[i] * (1.0 - scale_out)
                rented_out[i] -= lost
                if m.labour[i] > 0:
                    farmed[i] += lost
                else:
                    idle[c] += lost * m.weight[i]
            transferred[c] += rented_out[i] * m.weight[i]
        if scale_out < 1.0:
            idle[c] += m.collective[c] * (1.0 - scale_out)
        operator[c] = demand_op * scale_in
    return operator, transferred, idle


@_jit
def farm_output(county, farmed, rented_in, labour, skill, weight, value_per_mu, skill_median, median_mu,
                labour_per_mu, land_elasticity, scale_elasticity, labour_elasticity, n_c):
    """Net output of each household farm operating farmed + rented_in mu with `labour`:
    value_per_mu[c] x sqrt(skill / median) x median_mu x (A / median_mu)^(land + scale) x
    (labour / (labour_per_mu x median_mu))^labour_elasticity. Returns (output per household, output by county,
    farm labour by county)."""
    n = county.shape[0]
    out = np.zeros(n)
    by_county = np.zeros(n_c)
    labour_c = np.zeros(n_c)
    ref_labour = labour_per_mu * median_mu
    for i in range(n):
        A = farmed[i] + rented_in[i]
        lab = labour[i]
        if A > 0 and lab > 0:
            c = county[i]
            y = (value_per_mu[c] * np.sqrt(skill[i] / skill_median) * median_mu
                 * (A / median_mu) ** (land_elasticity + scale_elasticity)
                 * (lab / ref_labour) ** labour_elasticity)
            out[i] = y
            by_county[c] += y * weight[i]
            labour_c[c] += lab * weight[i]
    return out, by_county, labour_c


# ---------------------------------------------------------------------------------------------- Gini
@_jit
def radix_sort_pairs(keys, payload):
    """Sort `keys` (float64, no NaN) ascending with `payload` (float64) carried along, in place: an LSD radix
    sort on the keys' bits (8 passes of 8 bits, a pass skipped where every key has the same byte)."""
    n = keys.shape[0]
    bits = keys.view(np.uint64)
    sign = np.uint64(1) << np.uint64(63)
    for i in range(n):
        b = bits[i]
        bits[i] = ~b if b & sign else b | sign
    counts = np.zeros((8, 256), np.int64)
    byte = np.uint64(255)
    for i in range(n):
        b = bits[i]
        for d in range(8):
            counts[d, (b >> np.uint64(8 * d)) & byte] += 1
    buf_k = np.empty_like(bits)
    buf_p = np.empty_like(payload)
    src_k, dst_k, src_p, dst_p = bits, buf_k, payload, buf_p
    passes = 0
    pos = np.empty(256, np.int64)
    for d in range(8):
        if counts[d].max() == n:
            continue
        total = 0
        for v in range(256):
            pos[v] = total
            total += counts[d, v]
        shift = np.uint64(8 * d)
        for i in range(n):
            b = src_k[i]
            v = (b >> shift) & byte
            dst_k[pos[v]] = b
            dst_p[pos[v]] = src_p[i]
            pos[v] += 1
        src_k, dst_k = dst_k, src_k
        src_p, dst_p = dst_p, src_p
        passes += 1
    if passes % 2 == 1:
        bits[:] = src_k
        payload[:] = src_p
    for i in range(n):
        b = bits[i]
        bits[i] = b & ~sign if b & sign else ~b




# ---------------------------------------------------------------------------------------------- outcomes
CENSUS_FIELDS = ("workers", "local", "outbound", "age_sum", "age_50_plus", "whole_family", "in_cities",
                 "village_jobs", "urban_hukou", "urban_away", "urban_away_65", "in_situ_home", "in_situ_home_65",
                 "rural_home", "rural_home_60", "rural_home_65", "fringe", "fringe_60", "fringe_65",
                 "children_of_units", "children_with_units", "workers_employed", "outside")


@_jit
def person_census(p, weight, in_situ, young_home, lead_unit, city_inside):
    """Weighted sums over persons for the national outcomes, in one pass (see `CENSUS_FIELDS`): migrant workers
    (rural hukou, non-farm job) - all, local, outbound, their ages, aged over 50, whole-family outbound (no child
    and no adult of working age left at home: `young_home` is 0), living in a city proper or county town, in
    village firms; urban-hukou persons; urban residents away (and 65+), in reclassified villages (and 65+); rural
    residents at home (60+, 65+) and in city fringes (60+, 65+); children of households with a unit away and
    those living with it; employed workers; people living in cities outside the region (province worlds:
    residents elsewhere, in no residence count)."""
    s = np.zeros(23)
    for r in range(p.alive.shape[0]):
        if not p.alive[r]:
            continue
        h = p.household[r]
        w = weight[h]
        a = p.age[r]
        k = p.job[r]
        if p.urban_hukou[r]:
            s[8] += w
        if k != NO_JOB:
            if p.employed[r]:
                s[21] += w
            if not p.urban_hukou[r]:
                s[0] += w
                s[3] += a * w
                if a > 50:
                    s[4] += w
                if k == CITY_JOB:
                    s[2] += w
                    if young_home[h] == 0:
                        s[5] += w
                else:
                    s[1] += w
                if k == VILLAGE_JOB:
                    s[7] += w
                if p.place[r] == AWAY and (k == TOWN_JOB or p.in_city_proper[r]):
                    s[6] += w
        if p.place[r] == HOME:
            if in_situ[h]:
                s[11] += w
                if a >= 65:
                    s[12] += w
            else:
                s[13] += w
                if a >= 60:
                    s[14] += w
                if a >= 65:
                    s[15] += w
            if a < 16 and lead_unit[h] >= 0:
                s[19] += w
        else:
            head = p.unit[r]
            if p.job[head] == CITY_JOB and not city_inside[p.city[head]]:
                s[22] += w
            elif p.job[head] == CITY_JOB and not p.in_city_proper[head]:
                s[16] += w
                if a >= 60:
                    s[17] += w
                if a >= 65:
                    s[18] += w
            else:
                s[9] += w
                if a >= 65:
                    s[10] += w
            if a < 16:
                s[19] += w
                s[20] += w
    return s


def use_threads(n: int | None = None) -> None:
    """Threads of the parallel kernels: `n`, or all of numba's (the cores) when None. Processes that share the
    machine's cores with others (Dask workers, pools) use 1."""
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS if n is None else max(1, min(n, numba.config.NUMBA_NUM_THREADS)))
