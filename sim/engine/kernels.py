"""Compiled loops (numba) for the few passes NumPy cannot do in one sweep.

Each kernel does exactly the arithmetic of the NumPy code it replaces, in the same order: no transcendental
functions (NumPy's vectorized exp/log round differently from libm), no reductions with NumPy's pairwise sums,
and bin totals accumulated in row order as `np.bincount` does. So results stay identical for a seed (tests
compare every kernel with its NumPy definition). Compiled once and cached next to this file.

The one kernel that draws random numbers, `binomial_inversion`, is a port of NumPy's own C algorithm: it uses
scalar exp/log as that C code does (libm, not NumPy's vectorized versions) and takes its doubles from the same
generator, so its counts and the generator's state afterwards are NumPy's.
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
    position at or before the answer (see `markets.sample_destinations`); a short scan forward ends it.
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
def residents_of_households(county, residence, residence_city, members_home, weight, n_c, n_j, village_code,
                            town_code, city_code):
    """Real persons living at home in households (members x weight), summed by place: (by city, in county towns,
    in villages), each total accumulated in row order as `np.bincount` would."""
    in_city = np.zeros(n_j)
    in_town = np.zeros(n_c)
    in_village = np.zeros(n_c)
    for i in range(county.shape[0]):
        members = members_home[i] * weight[i]
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
def county_household_totals(county, weight, land, land_state, homestead, residence, members_home, income, n_c,
                            rented_code, abandoned_code, homestead_idle, homestead_exited, village_code):
    """Per-county sums over households for `outcomes.county_table`, in one pass: contracted land, land rented
    out, land abandoned (mu x weight); homesteads held and idle (weight); village residents and their income
    (`members_home`, `income` per household)."""
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
            totals[5, c] += members_home[i] * w
            totals[6, c] += income[i] * w
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


@_jit
def city_income(pay, living_cost, city, skill, floor):
    """max(pay[city] x skill - living_cost[city], floor): the income term of `phases.labour.city_utility`, for
    n workers (skill, n) and k cities each (city, n x k)."""
    n, k = city.shape
    out = np.empty((n, k))
    for i in range(n):
        s = skill[i]
        for t in range(k):
            j = city[i, t]
            out[i, t] = max(pay[j] * s - living_cost[j], floor)
    return out


@_jit
def add_city_terms(u, weight_income, services, distance, network, correction, county, city, n_j, corrected):
    """u = u x weight_income + services[city] - distance[pair] + network[pair] (+ correction[pair]), in place and
    in that order, where pair = county x n_j + city: the rest of `phases.labour.city_utility` after the log."""
    n, k = city.shape
    for i in range(n):
        row = county[i] * n_j
        for t in range(k):
            j = city[i, t]
            pair = row + j
            v = u[i, t] * weight_income
            v = v + services[j]
            v = v - distance[pair]
            v = v + network[pair]
            if corrected:
                v = v + correction[pair]
            u[i, t] = v


@_jit
def labour_by_place(alive, employed, dest_kind, migrant_place, skill, origin, kind, h_place, h_residence,
                    residence, adults, h_skill, weight, n):
    """Efficiency units of labour per place (n places): employed live migrants of `kind` (skill x weight), and
    adults of households living there (adults x skill x weight), each summed in row order."""
    migrants = np.zeros(n)
    for r in range(alive.shape[0]):
        if alive[r] and employed[r] and dest_kind[r] == kind:
            migrants[migrant_place[r]] += skill[r] * weight[origin[r]]
    families = np.zeros(n)
    for i in range(h_residence.shape[0]):
        if h_residence[i] == residence:
            families[h_place[i]] += adults[i] * h_skill[i] * weight[i]
    return migrants, families


@_jit
def pay_migrants(live, draw, dest_kind, dest_city, county, skill, lives_in_town, origin, weight,
                           city_chance, town_chance, city_wage, town_wage, city_living, town_living, town_commute,
                           remittance_share, saving_rate, city_code, employed, wage, remit, savings):
    """One year of work for each live migrant row: employed if its draw is below the employment chance of the
    place where it works; wage, living cost (city, county town, or commuting from the village), remittance and
    saving (added to `savings`), written into the row arrays. Returns saving x household weight per migrant (for
    the ledger's NumPy sum)."""
    saved_w = np.empty(live.shape[0])
    for n in range(live.shape[0]):
        r = live[n]
        c = county[r]
        out = dest_kind[r] == city_code
        j = max(dest_city[r], 0)
        works = draw[n] < (city_chance[j] if out else town_chance[c])
        rate = city_wage[j] if out else town_wage[c]
        earned = (1.0 if works else 0.0) * rate * skill[r]
        if out:
            living = city_living[j]
        elif lives_in_town[r]:
            living = town_living[c]
        else:
            living = town_commute[c]
        sent = remittance_share * max(earned - living, 0.0)
        saving = saving_rate * max(earned - living - sent, 0.0)
        employed[r], wage[r], remit[r] = works, earned, sent
        savings[r] += saving
        saved_w[n] = saving * weight[origin[r]]
    return saved_w


@_jit
def household_incomes(alive, origin, dest_kind, lives_in_town, m_wage, m_remit, county, residence,
                      residence_city, hukou, adults, members_home, skill, business, city_wage, city_unemployment,
                      town_wage, town_unemployment, transfer, dest_town, village_code, town_code, city_code,
                      rural_code, inc_wage, inc_remit, inc_transfer, inc_business):
    """Wage, remittance, transfer and business income of every household, written into the `inc_*` arrays:
    remittances of its live migrants and wages net of remittances of its commuters (summed in row order);
    wages of the adults where the family lives (adults x skill x wage x (1 - unemployment)); transfers per
    member to rural-hukou families in villages; `business` income of village households with an adult."""
    n = county.shape[0]
    remit = np.zeros(n)
    commuter_wage = np.zeros(n)
    for r in range(alive.shape[0]):
        if alive[r]:
            remit[origin[r]] += m_remit[r]
            if dest_kind[r] == dest_town and not lives_in_town[r]:
                commuter_wage[origin[r]] += m_wage[r] - m_remit[r]
    for i in range(n):
        place = residence[i]
        wage_here = 0.0
        if place == city_code:
            wage_here = city_wage[residence_city[i]] * (1 - city_unemployment[residence_city[i]])
        elif place == town_code:
            wage_here = town_wage[county[i]] * (1 - town_unemployment[county[i]])
        inc_wage[i] = adults[i] * skill[i] * wage_here + commuter_wage[i]
        inc_remit[i] = remit[i]
        if place == village_code and hukou[i] == rural_code:
            inc_transfer[i] = transfer * members_home[i]
        else:
            inc_transfer[i] = 0.0
        if place == village_code and adults[i] > 0:
            inc_business[i] = business[i]
        else:
            inc_business[i] = 0.0


@_jit
def town_income(county, skill, chance, wage, commute, living_cost, floor):
    """max(employment chance x wage x skill - min(commuting cost, living cost), floor) of working in the home
    county town (per-county chance, wage and costs): the income term of `phases.labour.town_utility`."""
    out = np.empty(county.shape[0])
    for i in range(county.shape[0]):
        c = county[i]
        out[i] = max(chance[c] * wage[c] * skill[i] - min(commute[c], living_cost[c]), floor)
    return out


@_jit
def finish_town_utility(log_income, county, weight_income, services_factor, town_service, distance_term,
                        attachment_term):
    """In place: weight_income x log income + services_factor x town_service - distance_term + attachment_term."""
    for i in range(county.shape[0]):
        log_income[i] = (weight_income * log_income[i] + services_factor * town_service[county[i]]
                         - distance_term + attachment_term)


@_jit
def home_income(county, skill, business, farm_income, skill_median, transfer, floor):
    """max(farm income x sqrt(skill / median) + business income + transfer, floor) of staying in the village:
    the income term of `phases.labour.home_utility`."""
    out = np.empty(county.shape[0])
    for i in range(county.shape[0]):
        farm = farm_income[county[i]] * np.sqrt(skill[i] / skill_median)
        out[i] = max(farm + business[i] + transfer, floor)
    return out


@_jit
def finish_home_utility(log_income, county, weight_income, weight_services, village_service, infra,
                        amenity_service, amenity_infra, attachment):
    """In place: weight_income x log income + weight_services x amenity + attachment, where the amenity of the
    village is amenity_service x its services + amenity_infra x its infrastructure."""
    for i in range(county.shape[0]):
        c = county[i]
        amenity = amenity_service * village_service[c] + amenity_infra * infra[c]
        log_income[i] = weight_income * log_income[i] + weight_services * amenity + attachment


@_jit
def farm_operators(county, labour, land, land_state, weight, skill_power, n_c, rented_code, farmed_code):
    """First pass of `phases.land.farm`: the land rented out per county (mu x weight), and each operator's score
    (farm labour x skill^power) with its county total. Returns (score, land rented out by county, total score
    by county)."""
    n = county.shape[0]
    score = np.empty(n)
    supply = np.zeros(n_c)
    total_score = np.zeros(n_c)
    for i in range(n):
        c = county[i]
        lab = labour[i]
        if land_state[i] == rented_code:
            supply[c] += land[i] * weight[i]
        operator = 1.0 if (land_state[i] == farmed_code and lab > 0) else 0.0
        s = operator * lab * skill_power[i]
        score[i] = s
        total_score[c] += s * weight[i]
    return score, supply, total_score


@_jit
def farm_operated(county, land, land_state, labour, score, supply, total_score, labour_per_mu, median_farm_mu,
                  farmed_code):
    """Second pass of `phases.land.farm`: land rented in (the county's supply shared by score), land operated, and
    the arguments of the power and the log that follow: labour per mu over the reference, farm size over the
    median. Returns (rented_in, operated, labour ratio, size ratio)."""
    n = county.shape[0]
    rented_in = np.empty(n)
    operated = np.empty(n)
    ratio = np.empty(n)
    size = np.empty(n)
    for i in range(n):
        c = county[i]
        farmed = land_state[i] == farmed_code
        rented_in[i] = supply[c] * score[i] / max(total_score[c], 1e-12) if (farmed and labour[i] > 0) else 0.0
        op = (land[i] if farmed else 0.0) + rented_in[i]
        operated[i] = op
        ratio[i] = labour[i] / max(op, 1e-9) / labour_per_mu
        size[i] = max(op, 1e-9) / median_farm_mu
    return rented_in, operated, ratio, size


@_jit
def farm_output(county, weight, land, land_state, skill, skill_median, labour, rented_in, operated,
                intensity_power, log_size, scale_elasticity, intensity_max, scale_min, scale_max, ag_price,
                rent_per_mu, n_c, rented_code, inc_farm, inc_rent):
    """Last pass of `phases.land.farm`: output = price x operated x min(intensity, intensity_max) x
    clip(1 + e log size, scale_min, scale_max) x sqrt(skill / median) where land is operated; farm income net of rent paid, rent received (written
    into `inc_farm`, `inc_rent`). Returns (output by county, farm labour by county), weighted."""
    out_c = np.zeros(n_c)
    labour_c = np.zeros(n_c)
    for i in range(county.shape[0]):
        c = county[i]
        output = 0.0
        if operated[i] > 0:
            intensity = min(intensity_power[i], intensity_max)
            scale = min(max(1 + scale_elasticity * log_size[i], scale_min), scale_max)
            output = ag_price[c] * operated[i] * intensity * scale * np.sqrt(skill[i] / skill_median)
        inc_farm[i] = output - rented_in[i] * rent_per_mu[c]
        inc_rent[i] = land[i] * rent_per_mu[c] if land_state[i] == rented_code else 0.0
        out_c[c] += output * weight[i]
        labour_c[c] += labour[i] * weight[i]
    return out_c, labour_c


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


@_jit
def pack_gini_keys(income, members_home, net_wage):
    """Per-capita incomes of households with members at home (weight multiple = members) and net wages of
    migrants (multiple 1), each value's lowest 8 mantissa bits replaced by its multiple (see
    `outcomes.weighted_gini_multiples`). Returns the keys as float64 and the same memory as uint64."""
    n_h = 0
    for i in range(members_home.shape[0]):
        if members_home[i] > 0:
            n_h += 1
    keys = np.empty(n_h + net_wage.shape[0])
    bits = keys.view(np.uint64)
    low = np.uint64(0xFF)
    k = 0
    for i in range(members_home.shape[0]):
        m = members_home[i]
        if m > 0:
            keys[k] = income[i] / max(m, 1)
            bits[k] = (bits[k] & ~low) | np.uint64(m)
            k += 1
    for r in range(net_wage.shape[0]):
        keys[k] = net_wage[r]
        bits[k] = (bits[k] & ~low) | np.uint64(1)
        k += 1
    return keys, bits


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
def gini_of_sorted_keys(keys, bits):
    """Gini from sorted packed keys (value with its weight multiple in the low 8 bits, see `pack_gini_keys`):
    the low bits are cleared in place and become the weights of `lorenz_gini`."""
    low = np.uint64(0xFF)
    w = np.empty(keys.shape[0])
    for i in range(keys.shape[0]):
        w[i] = np.float64(bits[i] & low)
        bits[i] = bits[i] & ~low
    return lorenz_gini(keys, w)


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
def masked_sum(x, w, key, code, equal, buffer):
    """`(x * w)[(key == code) == equal].sum()` (or `x[...]` when `w` is empty) exactly as NumPy computes it: the
    selected products gathered in order into `buffer`, then NumPy's pairwise sum - one pass, no temporaries."""
    k = 0
    if w.shape[0] > 0:
        for i in range(x.shape[0]):  # without branches: write every value, keep it if selected
            buffer[k] = x[i] * w[i]
            k += (key[i] == code) == equal
    else:
        for i in range(x.shape[0]):
            buffer[k] = x[i]
            k += (key[i] == code) == equal
    return 0.0 + numpy_sum(buffer, 0, k)


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
def network_shares(alive, dest_kind, county, dest_city, n_c, n_j, city_code):
    """Share of each county's live outbound migrants working in each city (n_c x n_j; rows of counties without
    outbound migrants are 0)."""
    counts = np.zeros((n_c, n_j), np.int64)
    for r in range(alive.shape[0]):
        if alive[r] and dest_kind[r] == city_code:
            counts[county[r], dest_city[r]] += 1
    shares = np.empty((n_c, n_j))
    for c in range(n_c):
        total = 0
        for j in range(n_j):
            total += counts[c, j]
        total = max(total, 1)
        for j in range(n_j):
            shares[c, j] = counts[c, j] / total
    return shares


@_jit
def binomial_inversion(rng, n, n_max, p, out):
    """`out[i] = rng.binomial(n[i], p)` for counts `n` (int64, at most `n_max`) and one probability `p`, for
    p * n <= 30 where p is min(p, 1 - p): NumPy's `random_binomial` and `random_binomial_inversion`
    (numpy/random/src/distributions/distributions.c), step for step, with the same doubles from `rng`. Faster
    than `Generator.binomial` on an array because q**n and the search bound are computed once per distinct n
    (NumPy recomputes them whenever n differs from the previous draw's)."""
    if p == 0.0:
        out[:] = 0  # NumPy returns 0 without a draw
        return
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    q = 1.0 - pp
    q_to_n = np.full(n_max + 1, -1.0)
    bound = np.zeros(n_max + 1, np.int64)
    for i in range(n.size):
        k = n[i]
        if k == 0:
            out[i] = 0  # no draw
            continue
        if q_to_n[k] < 0.0:
            q_to_n[k] = np.exp(k * np.log(q))
            mean = k * pp
            bound[k] = int(min(k, mean + 10.0 * np.sqrt(mean * q + 1)))
        px = q_to_n[k]
        x = 0
        u = rng.random()
        while u > px:
            x += 1
            if x > bound[k]:
                x = 0
                px = q_to_n[k]
                u = rng.random()
            else:
                u -= px
                px = ((k - x + 1) * pp * px) / (x * q)
        out[i] = k - x if flip else x
