"""Model counties from real ones: merge small county-level units until each gets enough household agents.

Households are apportioned to model counties in proportion to rural-hukou persons, so a unit with few of them
(a central urban district, a small county in the west) would get one or two household agents or none. The rule
(deterministic, no random numbers):

1. A unit's expected households are n_households x its rural-hukou persons / all rural-hukou persons.
2. While the group with the fewest expected households has fewer than `min_households` (or while there are more
   groups than `max_counties`, when given): merge that group (ties: the smaller code of its largest member) into
   the nearest other group, looking first among groups of the same prefecture and the same kind (urban district
   or not), then of the same prefecture, then of the same province, then anywhere. Distances are great-circle
   between the groups' centroids (rural-hukou weighted mean of member seats; plain mean while a group has no
   rural-hukou persons); ties go to the candidate with the smaller code.
3. A merged group keeps every member's code and name; it belongs to the prefecture, province and kind (urban
   district or not) that carry the larger share of its rural-hukou persons.

If n_households is below the minimum (not even the whole region as one county would do), `aggregate_units`
raises ValueError.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from .start import great_circle_km


@dataclass
class _Group:
    members: list[int]
    weight: float
    sum_w_lon: float
    sum_w_lat: float
    sum_lon: float
    sum_lat: float
    prefecture: str
    province: str
    district: bool
    district_weight: float
    rep: int  # member with the largest weight (ties: smaller code)

    def centroid(self) -> tuple[float, float]:
        if self.weight > 0:
            return self.sum_w_lon / self.weight, self.sum_w_lat / self.weight
        return self.sum_lon / len(self.members), self.sum_lat / len(self.members)


def aggregate_units(weight, lon, lat, prefecture, province, is_district, codes, n_households: int,
                    min_households: int, max_counties: int | None = None) -> list[np.ndarray]:
    """Groups of unit indices (each sorted; groups in the order of their largest member's code).

    weight: (U,) rural-hukou persons; lon, lat: (U,) degrees; prefecture, province, codes: (U,) strings;
    is_district: (U,) bool. See the module docstring for the rule."""
    weight = np.asarray(weight, float)
    n = len(weight)
    codes = [str(c) for c in codes]
    total = weight.sum()
    if total <= 0:
        raise ValueError("no rural-hukou persons in the region")
    if n_households < min_households:
        raise ValueError(f"world.households ({n_households}) is below min_households_per_county "
                         f"({min_households}): the region cannot have a single model county")
    threshold = min_households * total / n_households
    cap = max_counties if max_counties is not None else n

    groups: dict[int, _Group] = {}
    index: dict[tuple, set[int]] = {}

    def keys(g: _Group):
        return [("pk", g.prefecture, g.district), ("p", g.prefecture), ("v", g.province)]

    def add(gid: int, g: _Group) -> None:
        groups[gid] = g
        for k in keys(g):
            index.setdefault(k, set()).add(gid)

    def remove(gid: int) -> _Group:
        g = groups.pop(gid)
        for k in keys(g):
            index[k].discard(gid)
        return g

    heap: list[tuple[float, str, int]] = []
    for i in range(n):
        w = float(weight[i])
        g = _Group([i], w, w * lon[i], w * lat[i], float(lon[i]), float(lat[i]), str(prefecture[i]),
                   str(province[i]), bool(is_district[i]), w if is_district[i] else 0.0, i)
        add(i, g)
        heapq.heappush(heap, (w, codes[i], i))
    next_id = n

    while len(groups) > 1:
        w, _, gid = heap[0]
        if gid not in groups:
            heapq.heappop(heap)
            continue
        if w >= threshold and len(groups) <= cap:
            break
        heapq.heappop(heap)
        g = remove(gid)
        candidates: list[int] = []
        for k in keys(g):
            candidates = sorted(index.get(k, ()))
            if candidates:
                break
        if not candidates:
            candidates = sorted(groups)
        lon0, lat0 = g.centroid()
        cxy = np.array([groups[c].centroid() for c in candidates])
        d = great_circle_km(lon0, lat0, cxy[:, 0], cxy[:, 1])
        order = np.lexsort(([codes[groups[c].rep] for c in candidates], d))
        other = remove(candidates[int(order[0])])
        merged = _merge(g, other, weight, codes)
        add(next_id, merged)
        heapq.heappush(heap, (merged.weight, codes[merged.rep], next_id))
        next_id += 1

    result = [np.array(sorted(g.members)) for g in groups.values()]
    result.sort(key=lambda r: codes[representative(r, weight, codes)])
    return result


def _merge(a: _Group, b: _Group, weight: np.ndarray, codes: list[str]) -> _Group:
    heavy = a if (a.weight, len(a.members)) >= (b.weight, len(b.members)) else b
    w = a.weight + b.weight
    dw = a.district_weight + b.district_weight
    rep = representative(np.array([a.rep, b.rep]), weight, codes)
    if w > 0:
        district = dw * 2 > w if dw * 2 != w else heavy.district
    else:
        district = heavy.district
    return _Group(a.members + b.members, w, a.sum_w_lon + b.sum_w_lon, a.sum_w_lat + b.sum_w_lat,
                  a.sum_lon + b.sum_lon, a.sum_lat + b.sum_lat, heavy.prefecture, heavy.province, district, dw, rep)


def representative(members: np.ndarray, weight: np.ndarray, codes) -> int:
    """The member that names a model county: the largest rural-hukou population (ties: the smaller code)."""
    members = np.asarray(members)
    w = np.asarray(weight, float)[members]
    best = members[w == w.max()]
    return int(min(best, key=lambda i: str(codes[i])))
