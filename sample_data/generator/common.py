"""Shared building blocks of every department's rows: seeded random streams, places, people, companies.

Determinism is the one rule here. ``rng_for(name)`` gives each dataset its own ``random.Random`` seeded from
``SEED`` and the dataset name, so datasets never share a stream and their order does not matter. Helpers only
draw from the ``rng`` they are handed (``place_anchor`` seeds its own, from the place name), and the fixed
XLSX timestamps live here beside the seed because they pin the output just as much.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .reference import DISTRICT_INFO, DISTRICTS, GIVEN, PLACE_COORDS, PLACES, ROADS, SURNAMES, ZIHAO_CHARS

SAMPLE_DATA = Path(__file__).resolve().parent.parent  # the default output folder: sample_data/
SCHEMAS_DIR = SAMPLE_DATA.parent / "schemas"  # published schemas that resources name ("parking-lot")
SEED = "odp-sample-data-v1"
FIXED_ZIP_TIME = (2024, 12, 31, 9, 0, 0)  # every XLSX zip entry's timestamp
FIXED_DOC_TIME = "2024-12-31T01:00:00Z"  # every XLSX dcterms:created / dcterms:modified


def rng_for(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


def weighted_district(rng: random.Random, weights: dict[str, float] | None = None) -> str:
    w = weights or {d: DISTRICT_INFO[d]["w"] for d in DISTRICTS}
    return rng.choices(list(w), weights=list(w.values()))[0]


def place_anchor(district: str, name: str) -> tuple[float, float, float, float]:
    """A stable location for a named place (town, street, landmark) inside a district."""
    known = PLACE_COORDS.get(district, {})
    if name in known:
        lon, lat = known[name]
        return lon, lat, 0.02, 0.02
    prng = random.Random(f"{SEED}:place:{district}:{name}")
    lon0, lat0, sx, sy = prng.choice(DISTRICT_INFO[district]["anchors"])
    return prng.gauss(lon0, sx / 2), prng.gauss(lat0, sy / 2), min(sx, 0.02), min(sy, 0.02)


def point(rng: random.Random, district: str) -> tuple[float, float]:
    """A coordinate in the district; near the place last drawn with place() for this rng, if any."""
    last = getattr(rng, "last_place", None)
    rng.last_place = None  # type: ignore[attr-defined]
    if last and last[0] == district:
        lon0, lat0, sx, sy = place_anchor(district, last[1])
    else:
        lon0, lat0, sx, sy = rng.choice(DISTRICT_INFO[district]["anchors"])
    lon = min(max(rng.gauss(lon0, sx / 2), 120.86), 121.99)
    lat = min(max(rng.gauss(lat0, sy / 2), 30.66), 31.89)
    return round(lon, 6), round(lat, 6)


def house_no(rng: random.Random) -> int:
    return int(rng.choice([rng.randint(1, 200), rng.randint(1, 1200), rng.randint(1, 3000)]))


def address(rng: random.Random, district: str, road: str | None = None) -> str:
    road = road or rng.choice(ROADS[district])
    n = house_no(rng)
    if rng.random() < 0.15:
        return f"{district}{road}{n}弄{rng.randint(1, 40)}号"
    return f"{district}{road}{n}号"


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def zihao(rng: random.Random) -> str:
    a = rng.choice(ZIHAO_CHARS)
    b = rng.choice(ZIHAO_CHARS)
    while b == a:
        b = rng.choice(ZIHAO_CHARS)
    return a + b


def phone(rng: random.Random) -> str:
    return f"021-{rng.choice('5633'):s}{rng.randint(0, 9999999):07d}"


def place(rng: random.Random, district: str) -> str:
    p = rng.choice(PLACES[district])
    rng.last_place = (district, p)  # type: ignore[attr-defined]
    return p


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def uscc(rng: random.Random, prefix: str, region: str) -> str:
    """A unified social credit code with valid GB 11714 and GB 32100 check characters."""
    org = [rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8)]
    org_vals = [int(c) if c.isdigit() else ord(c) - 55 for c in org]
    c9 = 11 - sum(v * w for v, w in zip(org_vals, ORG_WEIGHTS)) % 11
    c9s = "X" if c9 == 10 else ("0" if c9 == 11 else str(c9))
    body = prefix + region + "".join(org) + c9s
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(body, USCC_WEIGHTS))
    check = (31 - total % 31) % 31
    return body + USCC_CHARS[check]


def company(rng: random.Random, trade: str | None = None, short: str | None = None) -> str:
    trades = [
        "信息科技",
        "网络科技",
        "智能科技",
        "生物科技",
        "电子科技",
        "新材料科技",
        "医药科技",
        "环保科技",
        "能源科技",
        "实业",
        "贸易",
        "商贸",
        "物流",
        "建设发展",
        "投资管理",
        "餐饮管理",
        "食品",
        "物业管理",
    ]
    t = trade or rng.choice(trades)
    form = rng.choices(["有限公司", "股份有限公司"], [9, 1])[0]
    mid = f"（{short}）" if short else ""
    return f"上海{zihao(rng)}{t}{form}" if not mid else f"{zihao(rng)}{mid}{t}{form}"


def rdate(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def r2(x: float) -> float:
    return round(x, 2)


def to_fullwidth(s: str) -> str:
    return "".join(chr(ord(c) - 0x30 + 0xFF10) if "0" <= c <= "9" else c for c in s)


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / f"{name}.json").read_text(encoding="utf-8"))


class Seq:
    """Per-key sequence numbers (e.g. per district)."""

    def __init__(self) -> None:
        self.n: dict[str, int] = {}

    def next(self, key: str) -> int:
        self.n[key] = self.n.get(key, 0) + 1
        return self.n[key]


def unique_name(seen: dict[str, int], name: str, alt: Callable[[], str]) -> str:
    tries = 0
    while name in seen and tries < 20:
        name = alt()
        tries += 1
    seen[name] = 1
    return name
