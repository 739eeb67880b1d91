"""Sample packages of 上海市体育局 (Shanghai Administration of Sports, folder ``sample_data/tyj/``).

Packages: ``public-sports-venues``.

`public-sports-venues` carries a deliberate type error (text in the integer area column).

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

from typing import Any

from .common import address, phone, place, point, rng_for, unique_name, weighted_district
from .model import Err, Pkg, Res
from .reference import DISTRICT_INFO, ROADS, SYNTHETIC_NOTE


def rows_sports_venues() -> list[dict[str, Any]]:
    rng = rng_for("sports-venues")
    rows = []
    seen: dict[str, int] = {}
    vtypes = [
        ("体育场", 2, (8000, 60000)),
        ("体育馆", 5, (2000, 20000)),
        ("游泳馆", 6, (1200, 6000)),
        ("健身中心", 12, (500, 4000)),
        ("市民球场", 25, (400, 3000)),
        ("市民健身步道", 15, (800, 12000)),
        ("市民益智健身苑点", 33, (80, 600)),
        ("体育公园", 2, (10000, 80000)),
    ]
    for i in range(1, 1801):
        d = weighted_district(rng)
        vt, _, area = rng.choices(vtypes, [v[1] for v in vtypes])[0]

        def mk(d: str = d, vt: str = vt) -> str:
            if vt == "市民益智健身苑点":
                return f"{place(rng, d)}{rng.choice(['新村', '小区', '绿地', '社区'])}健身苑点"
            if vt == "市民健身步道":
                return f"{rng.choice(ROADS[d])}市民健身步道"
            if vt == "市民球场":
                return f"{place(rng, d)}{rng.choice(['市民篮球场', '市民足球场', '市民多功能运动场', '笼式足球场'])}"
            return (
                f"{DISTRICT_INFO[d]['short']}{place(rng, d)}{vt}"
                if rng.random() < 0.5
                else f"{place(rng, d)}{vt}"
            )

        free = vt in ("市民益智健身苑点", "市民健身步道", "体育公园") or rng.random() < 0.3
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"SV{i:06d}",
                "name": unique_name(seen, mk(), mk),
                "venue_type": vt,
                "district": d,
                "address": address(rng, d),
                "area_sqm": rng.randint(*area),
                "open_to_public": "true" if rng.random() < 0.95 else "false",
                "is_free": "true" if free else "false",
                "phone": phone(rng) if vt not in ("市民益智健身苑点", "市民健身步道") else "",
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def public_sports_venues() -> Pkg:
    return Pkg(
        "tyj",
        "public-sports-venues",
        "上海市公共体育场馆和健身设施",
        "culture-leisure",
        "全市公共体育场馆、市民球场、市民健身步道和市民益智健身苑点等健身设施信息，包括场地面积和开放情况。"
        + SYNTHETIC_NOTE,
        ["体育场馆", "健身", "市民球场", "健身步道", "运动"],
        [
            Res(
                "sports-venues",
                "公共体育场馆和健身设施",
                "data/sports-venues.csv",
                rows_sports_venues,
                "sports-venue",
                errors=[
                    Err(
                        "set",
                        241,
                        "area_sqm",
                        "约5000",
                        "整数列“场地面积”中出现文本“约5000”",
                        "type-error",
                    )
                ],
            )
        ],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2019-08-08T09:00:00+08:00",
    )
