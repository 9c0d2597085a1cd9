"""Finding places by name: provinces, model counties and cities, in Chinese or pinyin, with did-you-mean.

Matching ignores case, spaces, apostrophes and hyphens, and accepts a name with or without its administrative
suffix (省/市/县/区/旗/自治区..., sheng/shi/xian/qu/qi), a GB/T 2260 code, or a name qualified by its prefecture
or province ("北京市朝阳区", "Beijing Chaoyangqu", "changchun chaoyang"). An ambiguous name (朝阳区 is a district
of Beijing and of Changchun) raises `PlaceLookupError` listing the candidates; an unknown one suggests the
closest names.
"""

from __future__ import annotations

import difflib
import re

from .tables import load_provinces, load_units

_ZH_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "自治县", "自治旗", "自治州", "地区",
                "林区", "特区", "省", "市", "县", "区", "旗", "盟")
_PY_SUFFIXES = ("zizhiqu", "zizhixian", "zizhiqi", "sheng", "xian", "shi", "qu", "qi")


class PlaceLookupError(LookupError):
    """No place, or more than one, matches a name. `candidates` holds the labels of the near or tied ones."""

    def __init__(self, message: str, candidates: list[str] | None = None):
        super().__init__(message)
        self.candidates = candidates or []

    def __str__(self) -> str:  # LookupError would quote the message like a KeyError
        return self.args[0]


def normalize(text) -> str:
    """Lower case without spaces, apostrophes, hyphens, dots or commas (for comparing names)."""
    return re.sub(r"[\s'’\-.,·]", "", str(text)).lower()


def _stems(name: str) -> set[str]:
    """The name and the name without one administrative suffix (normalized)."""
    n = normalize(name)
    out = {n}
    for suffix in _ZH_SUFFIXES + _PY_SUFFIXES:
        stem = n[: -len(suffix)]
        if n.endswith(suffix) and len(stem) >= (2 if stem.isascii() else 1):
            out.add(stem)
    return out


def _resolve(query, keys: dict[str, set], labels: dict, what: str):
    """The one result the keys give for `query`. Keys map to sets of hits; a hit is a result, or a (result,
    detail) pair, and `labels[hit]` describes it in messages."""
    q = normalize(query)
    if not q:
        raise PlaceLookupError(f"{what}: empty name")

    def result(hit):
        return hit[0] if isinstance(hit, tuple) else hit

    hits = keys.get(q, set())
    found = {result(h) for h in hits}
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        cands = sorted({labels[h] for h in hits})
        raise PlaceLookupError(f"{what} {query!r} is ambiguous: {'; '.join(cands)} (add the prefecture or "
                               "province, e.g. '北京市朝阳区', or give the code)", cands)
    cands: list[str] = []
    for key in difflib.get_close_matches(q, list(keys), n=5, cutoff=0.6):
        for h in sorted(keys[key], key=str):
            if labels[h] not in cands:
                cands.append(labels[h])
    hint = f"; did you mean {', '.join(cands[:5])}?" if cands else ""
    raise PlaceLookupError(f"{what} {query!r} not found{hint}", cands[:5])


# ------------------------------------------------------------------------------------------ provinces
_PROVINCE_KEYS: dict[str, set] | None = None


def _province_keys():
    global _PROVINCE_KEYS
    if _PROVINCE_KEYS is None:
        keys: dict[str, set] = {}
        for row in load_provinces().itertuples():
            names = {row.code, row.code[:2], row.name_zh, row.name_pinyin}
            for name in names:
                for k in _stems(name):
                    keys.setdefault(k, set()).add(row.code)
        _PROVINCE_KEYS = keys
    return _PROVINCE_KEYS


def find_province(query) -> str:
    """Code ("410000") of the province named by `query`: code (410000, "41"), Chinese ("河南省", "河南") or pinyin
    ("Henan", case-insensitive). Raises PlaceLookupError (with did-you-mean) if none or several match."""
    provinces = load_provinces().set_index("code")
    labels = {c: f"{r.name_zh} {r.name_pinyin} ({c})" for c, r in provinces.iterrows()}
    if isinstance(query, (int, float)) and not isinstance(query, bool):
        query = str(int(query))
    return _resolve(query, _province_keys(), labels, "province")


def province_names() -> list[str]:
    """Every province as 'name_zh name_pinyin (code)', for choices and messages."""
    return [f"{r.name_zh} {r.name_pinyin} ({r.code})" for r in load_provinces().itertuples()]


# ------------------------------------------------------------------------------------------ counties
def _county_index(world) -> tuple[dict[str, set], dict]:
    """Name keys -> {(model county, member code)} and a label for each hit; cached on the world."""
    cached = getattr(world, "_name_index", None)
    if cached is not None:
        return cached
    keys: dict[str, set] = {}
    labels: dict = {}

    def add(names, hit, parents=()):
        for name in names:
            for k in _stems(name) if name else ():
                keys.setdefault(k, set()).add(hit)
                for parent in parents:
                    for p in _stems(parent) if parent else ():
                        keys.setdefault(p + k, set()).add(hit)

    members = world.county_members
    units = load_units().set_index("code") if members is not None else None
    prefecture_pinyin = _prefecture_pinyin() if members is not None else {}
    for i, display in enumerate(world.county_names):
        model = f"{display} [{world.county_codes[i]}]"
        labels[(i, "")] = model
        add([display, world.county_codes[i]], (i, ""))
        for code in members[i] if members is not None else ():
            if code not in units.index:
                continue
            row = units.loc[code]
            hit = (i, code)
            inside = "" if len(members[i]) == 1 else f" in model county {model}"
            labels[hit] = f"{row.name_zh} {row.name_pinyin} ({row.prefecture_zh}, {code}){inside}"
            add([code], hit)
            add([row.name_zh], hit, [row.prefecture_zh, row.province_zh])
            add([row.name_pinyin], hit, [prefecture_pinyin.get(row.prefecture_code, "")])
    try:
        world._name_index = (keys, labels)
    except AttributeError:
        pass
    return keys, labels


def _prefecture_pinyin() -> dict[str, str]:
    """Prefecture code -> pinyin of its city (municipal prefecture rows -> the municipality)."""
    from .tables import load_cities

    c = load_cities()
    out = dict(zip(c.code, c.name_pinyin))
    out.update({"110100": "Beijing", "120100": "Tianjin", "310100": "Shanghai", "500100": "Chongqing",
                "500200": "Chongqing"})
    return out


def find_county(world, query) -> int:
    """Index of the model county of `world` that contains the county-level unit named by `query` (Chinese or
    pinyin name, code, or prefecture/province + name; case-insensitive). A merged model county is found by any
    of its members. Raises PlaceLookupError listing candidates when none or several match."""
    keys, labels = _county_index(world)
    if isinstance(query, (int, float)) and not isinstance(query, bool):
        query = str(int(query))
    return int(_resolve(query, keys, labels, "county"))


def county_choices(world) -> list[tuple[str, int]]:
    """(label, model county index) for every model county, sorted by label: for a picker."""
    _, labels = _county_index(world)
    return sorted(((label, hit[0]) for hit, label in labels.items() if hit[1] == ""), key=lambda t: t[0])


def find_city(world, query) -> int:
    """Index of the city of `world` named by `query` (Chinese or pinyin, with or without 市, or its code)."""
    keys: dict[str, set] = {}
    labels = {}
    pinyin = world.city_names_pinyin or [""] * world.n_cities
    for j, name in enumerate(world.city_names):
        labels[j] = f"{name} [{world.city_codes[j]}]"
        for n in (name, pinyin[j], world.city_codes[j]):
            if n:
                for k in _stems(n):
                    keys.setdefault(k, set()).add(j)
    if isinstance(query, (int, float)) and not isinstance(query, bool):
        query = str(int(query))
    return int(_resolve(query, keys, labels, "city"))
