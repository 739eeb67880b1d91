"""Sample packages of 上海市规划和自然资源局 (Shanghai Municipal Bureau of Planning and Natural Resources, folder
``sample_data/ghzyj/``).

Packages: ``land-transactions``.

One package with two yearly resources of the same `land-transaction` schema.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import company, place, r2, rdate, rng_for, weighted_district
from .model import Pkg, Res
from .reference import CENTRAL, DISTRICT_INFO, DISTRICTS, SYNTHETIC_NOTE


def rows_land(year: int) -> list[dict[str, Any]]:
    rng = rng_for(f"land-{year}")
    rows = []
    uses = [
        ("住宅用地", 30, 5.5, (1.8, 2.5)),
        ("商服用地", 10, 2.2, (2.0, 4.0)),
        ("工业用地", 25, 0.12, (1.2, 2.0)),
        ("研发用地", 15, 0.35, (1.5, 3.0)),
        ("租赁住房用地", 8, 1.2, (2.0, 2.5)),
        ("教育用地", 4, 0.1, (0.8, 1.5)),
        ("综合用地", 8, 2.5, (2.0, 4.0)),
    ]
    count = 350 if year == 2023 else 320
    for i in range(1, count + 1):
        d = weighted_district(
            rng, {k: DISTRICT_INFO[k]["w"] * (0.4 if k in CENTRAL else 1.0) for k in DISTRICTS}
        )
        use, _, price_wan_per_m2, far = rng.choices(uses, [u[1] for u in uses])[0]
        area = float(round(rng.uniform(5000, 120000), -1))
        ratio = round(rng.uniform(*far), 1)
        if d in CENTRAL:
            price_wan_per_m2 *= 2.5
        price = (
            r2(area * ratio * price_wan_per_m2 * rng.uniform(0.7, 1.3))
            if use not in ("工业用地", "研发用地", "教育用地")
            else r2(area * price_wan_per_m2 * rng.uniform(0.8, 1.5))
        )
        method = (
            "拍卖" if use == "住宅用地" and rng.random() < 0.3 else ("招标" if rng.random() < 0.1 else "挂牌")
        )
        short = DISTRICT_INFO[d]["short"]
        code = {
            "浦东": "PD",
            "黄浦": "HP",
            "徐汇": "XH",
            "长宁": "CN",
            "静安": "JA",
            "普陀": "PT",
            "虹口": "HK",
            "杨浦": "YP",
            "闵行": "MH",
            "宝山": "BS",
            "嘉定": "JD",
            "金山": "JS",
            "松江": "SJ",
            "青浦": "QP",
            "奉贤": "FX",
            "崇明": "CM",
        }[short]
        rows.append(
            {
                "parcel_code": f"{year}{rng.randint(1, 12):02d}{code}{i:04d}",
                "parcel_name": f"{d}{place(rng, d)}{rng.choice(['社区', '单元', '片区', '产业区块'])}{rng.randint(1, 60):02d}-{rng.randint(1, 9):02d}地块",
                "district": d,
                "land_use": use,
                "area_sqm": area,
                "floor_area_ratio": ratio,
                "transfer_method": method,
                "transaction_price": price,
                "transaction_date": rdate(rng, dt.date(year, 1, 5), dt.date(year, 12, 28)).isoformat(),
                "winning_bidder": company(
                    rng, rng.choice(["置业", "房地产开发", "科技", "实业", "产业园区开发"])
                ),
            }
        )
    rows.sort(key=lambda r: r["parcel_code"])
    return rows


def land_transactions() -> Pkg:
    return Pkg(
        "ghzyj",
        "land-transactions",
        "上海市国有建设用地使用权出让结果",
        "urban-construction",
        "本市国有建设用地使用权招标、拍卖、挂牌出让成交结果，包括地块位置、用途、面积、容积率、成交价和竞得人，按年度提供。"
        + SYNTHETIC_NOTE,
        ["土地出让", "土地", "地块", "住宅用地", "招拍挂"],
        [
            Res(
                "land-transactions-2023",
                "2023年出让结果",
                "data/land-transactions-2023.csv",
                lambda: rows_land(2023),
                "land-transaction",
            ),
            Res(
                "land-transactions-2024",
                "2024年出让结果",
                "data/land-transactions-2024.csv",
                lambda: rows_land(2024),
                "land-transaction",
            ),
        ],
        update="每月",
        temporal="2023-01-01/2024-12-31",
        created="2018-01-15T09:00:00+08:00",
    )
