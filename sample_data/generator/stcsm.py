"""Sample packages of 上海市科学技术委员会 (Science and Technology Commission of Shanghai Municipality, folder
``sample_data/stcsm/``).

Packages: ``high-tech-enterprises``, ``science-popularization-bases``.

High-tech enterprises get valid unified social credit codes (check characters computed), so the codes survive
any validator a harvester applies.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import address, company, place, point, rng_for, unique_name, uscc, weighted_district
from .model import Pkg, Res
from .reference import DISTRICT_INFO, DISTRICTS, STREETS, SYNTHETIC_NOTE

HT_FIELDS = [
    ("电子信息", "信息科技"),
    ("生物与新医药", "生物医药科技"),
    ("航空航天", "航空科技"),
    ("新材料", "新材料科技"),
    ("高技术服务", "数据服务"),
    ("新能源与节能", "能源科技"),
    ("资源与环境", "环保科技"),
    ("先进制造与自动化", "智能装备"),
]


def rows_high_tech() -> list[dict[str, Any]]:
    rng = rng_for("high-tech")
    rows = []
    seen: dict[str, int] = {}
    weights = {d: DISTRICT_INFO[d]["w"] for d in DISTRICTS}
    weights["浦东新区"] = 35
    weights["闵行区"] = 14
    weights["嘉定区"] = 12
    seqs = {2021: 0, 2022: 0, 2023: 0}
    for _ in range(2000):
        year = rng.choice([2021, 2022, 2023])
        seqs[year] += 1
        fld, trade = rng.choices(HT_FIELDS, [30, 14, 2, 8, 16, 6, 6, 18])[0]
        d = weighted_district(rng, weights)
        name = unique_name(seen, company(rng, trade), lambda trade=trade: company(rng, trade))
        issued = dt.date(year, rng.choice([11, 12]), rng.randint(1, 28))
        rows.append(
            {
                "certificate_no": f"GR{year}31{seqs[year] + rng.randint(0, 3):06d}",
                "enterprise_name": name,
                "unified_social_credit_code": uscc(rng, "91", DISTRICT_INFO[d]["code"]),
                "district": d,
                "technical_field": fld,
                "recognition_year": year,
                "valid_until": (issued.replace(year=year + 3) - dt.timedelta(days=1)).isoformat(),
            }
        )
        seqs[year] += 3
    return rows


def science_base_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "基地编号",
                "description": "科普教育基地编号。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^KP\d{4}$"},
            },
            {
                "name": "name",
                "title": "基地名称",
                "description": "科普教育基地名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "base_type",
                "title": "基地类别",
                "description": "基地类别。",
                "type": "string",
                "constraints": {
                    "enum": ["场馆类", "自然生态类", "科研院所类", "企业类", "医疗卫生类", "社区类"]
                },
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "地址", "description": "地址。", "type": "string"},
            {"name": "open_days", "title": "开放日", "description": "对公众开放的日期。", "type": "string"},
            {
                "name": "reservation_required",
                "title": "是否需预约",
                "description": "参观是否需要提前预约。",
                "type": "boolean",
            },
            {
                "name": "annual_visitors",
                "title": "年接待人次",
                "description": "上一年度接待参观人次。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def rows_science_bases() -> list[dict[str, Any]]:
    rng = rng_for("science-bases")
    types = [
        ("场馆类", ["科技馆", "科普馆", "博物馆", "展示馆", "天文馆"]),
        ("自然生态类", ["湿地公园", "植物园", "森林公园", "自然保护区"]),
        ("科研院所类", ["研究所科普展示厅", "实验室开放日基地", "研究院科普中心"]),
        ("企业类", ["科技体验馆", "智能制造展厅", "企业科普馆"]),
        ("医疗卫生类", ["健康科普馆", "医学科普基地"]),
        ("社区类", ["社区科普活动中心", "科普画廊", "青少年科创中心"]),
    ]
    rows = []
    seen: dict[str, int] = {}
    for i in range(1, 351):
        d = weighted_district(rng)
        btype, sufs = rng.choices(types, [25, 10, 15, 20, 10, 20])[0]

        def mk(d: str = d, sufs: list[str] = sufs, btype: str = btype) -> str:
            return (
                f"上海{place(rng, d)}{rng.choice(sufs)}"
                if btype != "社区类"
                else f"{rng.choice(STREETS[d])}{rng.choice(sufs)}"
            )

        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"KP{i:04d}",
                "name": unique_name(seen, mk(), mk),
                "base_type": btype,
                "district": d,
                "address": address(rng, d),
                "open_days": rng.choice(["周二至周日", "周一至周五", "每周六", "全年开放", "每月第一个周六"]),
                "reservation_required": "true" if rng.random() < 0.6 else "false",
                "annual_visitors": int(rng.lognormvariate(9.5, 1.0)),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def high_tech_enterprises() -> Pkg:
    return Pkg(
        "stcsm",
        "high-tech-enterprises",
        "上海市高新技术企业名单",
        "education-technology",
        "经认定的本市高新技术企业名单（2021—2023 年认定批次），包括证书编号、企业名称、统一社会信用代码、所属区、"
        "技术领域、认定年份和证书有效期。" + SYNTHETIC_NOTE,
        ["高新技术企业", "科技企业", "高企认定", "科技创新"],
        [
            Res(
                "high-tech-enterprises",
                "高新技术企业名单",
                "data/high-tech-enterprises.csv",
                rows_high_tech,
                "high-tech-enterprise",
            )
        ],
        update="每年",
        temporal="2021-01-01/2023-12-31",
        created="2021-12-30T09:00:00+08:00",
    )


def science_popularization_bases() -> Pkg:
    return Pkg(
        "stcsm",
        "science-popularization-bases",
        "上海市科普教育基地名录",
        "education-technology",
        "本市命名的科普教育基地名录，包括基地类别、地址、开放日、是否需预约和年接待人次。" + SYNTHETIC_NOTE,
        ["科普", "科普基地", "科技馆", "科学教育"],
        [
            Res(
                "science-bases",
                "科普教育基地",
                "data/science-bases.csv",
                rows_science_bases,
                science_base_schema(),
            )
        ],
        update="每年",
        temporal="2024-01-01/2024-12-31",
        created="2020-05-18T09:00:00+08:00",
    )
