"""Sample packages of 上海市商务委员会 (Shanghai Municipal Commission of Commerce, folder ``sample_data/sww/``).

Packages: ``standard-wet-markets``, ``commercial-complexes``.

Inline schemas only; wet-market names are drawn from the district's places and roads.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

from typing import Any

from .common import address, company, place, point, rng_for, unique_name, weighted_district
from .model import Pkg, Res
from .reference import DISTRICTS, ROADS, SYNTHETIC_NOTE, road_base


def wet_market_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "菜市场编号",
                "description": "标准化菜市场编号。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^CSC\d{5}$"},
            },
            {
                "name": "name",
                "title": "菜市场名称",
                "description": "菜市场名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {
                "name": "address",
                "title": "地址",
                "description": "地址。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "operator",
                "title": "经营管理单位",
                "description": "市场经营管理单位。",
                "type": "string",
            },
            {
                "name": "stalls",
                "title": "摊位数",
                "description": "经营摊位数，单位为个。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "area_sqm",
                "title": "营业面积",
                "description": "营业面积，单位为平方米。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
            {
                "name": "smart_market",
                "title": "智慧菜场",
                "description": "是否完成智慧菜场改造。",
                "type": "boolean",
            },
            {"name": "opening_hours", "title": "营业时间", "description": "营业时间。", "type": "string"},
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def rows_wet_markets() -> list[dict[str, Any]]:
    rng = rng_for("wet-markets")
    rows = []
    seen: dict[str, int] = {}
    for i in range(1, 901):
        d = weighted_district(rng)

        def mk(d: str = d) -> str:
            return (
                f"{place(rng, d)}{rng.choice(['菜市场', '菜场', '农贸市场', '生鲜市场'])}"
                if rng.random() < 0.7
                else f"{road_base(rng.choice(ROADS[d]))}{rng.choice(['菜市场', '菜场'])}"
            )

        lon, lat = point(rng, d)
        stalls = rng.randint(40, 220)
        rows.append(
            {
                "id": f"CSC{i:05d}",
                "name": unique_name(seen, mk(), mk),
                "district": d,
                "address": address(rng, d),
                "operator": company(
                    rng, rng.choice(["农副产品市场经营管理", "市场经营管理", "菜市场经营管理"])
                ),
                "stalls": stalls,
                "area_sqm": float(round(stalls * rng.uniform(12, 20))),
                "smart_market": "true" if rng.random() < 0.45 else "false",
                "opening_hours": rng.choice(["05:30-18:30", "06:00-19:00", "06:00-20:00", "05:00-18:00"]),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def commercial_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "编号",
                "description": "商业综合体编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "name",
                "title": "名称",
                "description": "商业综合体名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "地址", "description": "地址。", "type": "string"},
            {"name": "operator", "title": "运营企业", "description": "运营管理企业。", "type": "string"},
            {
                "name": "business_area_sqm",
                "title": "商业面积",
                "description": "商业建筑面积，单位为平方米。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
            {"name": "opened_year", "title": "开业年份", "description": "开业年份。", "type": "year"},
            {
                "name": "parking_spaces",
                "title": "停车位",
                "description": "配建停车位数量，单位为个。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def rows_commercial() -> list[dict[str, Any]]:
    rng = rng_for("commercial")
    brands = [
        ("万达广场", "上海万达商业管理有限公司"),
        ("龙湖天街", "上海龙湖商业管理有限公司"),
        ("大悦城", "上海大悦城商业管理有限公司"),
        ("印象城", "上海印力商业管理有限公司"),
        ("万象城", "华润万象生活（上海）有限公司"),
        ("吾悦广场", "上海新城商业管理有限公司"),
        ("凯德广场", "凯德商用产业管理（上海）有限公司"),
        ("百联购物中心", "百联集团有限公司"),
        ("宝龙广场", "上海宝龙商业管理有限公司"),
        ("爱琴海购物公园", "上海红星美凯龙商业管理有限公司"),
        ("生活广场", ""),
        ("商业中心", ""),
        ("购物中心", ""),
    ]
    rows = []
    seen: dict[str, int] = {}
    i = 0
    while len(rows) < 300:
        d = weighted_district(rng)
        brand, op = rng.choice(brands)
        nm = f"{place(rng, d)}{brand}"
        if nm in seen:
            continue
        seen[nm] = 1
        i += 1
        area = float(round(rng.uniform(30000, 250000), -2))
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"SC{i:04d}",
                "name": nm,
                "district": d,
                "address": address(rng, d),
                "operator": op or company(rng, "商业管理"),
                "business_area_sqm": area,
                "opened_year": rng.randint(1998, 2024),
                "parking_spaces": int(area / rng.uniform(80, 160)),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def standard_wet_markets() -> Pkg:
    return Pkg(
        "sww",
        "standard-wet-markets",
        "上海市标准化菜市场",
        "livelihood",
        "全市标准化菜市场名录，包括经营管理单位、摊位数、营业面积、营业时间和是否完成智慧菜场改造。"
        + SYNTHETIC_NOTE,
        ["菜市场", "菜场", "农贸市场", "买菜", "智慧菜场"],
        [
            Res(
                "wet-markets",
                "标准化菜市场",
                "data/wet-markets.csv",
                rows_wet_markets,
                wet_market_schema(),
            )
        ],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2019-11-11T09:00:00+08:00",
    )


def commercial_complexes() -> Pkg:
    return Pkg(
        "sww",
        "commercial-complexes",
        "上海市商业综合体名录",
        "economy",
        "全市商业建筑面积 3 万平方米以上的商业综合体名录，包括运营企业、商业面积、开业年份和配建停车位。"
        + SYNTHETIC_NOTE,
        ["商业综合体", "购物中心", "商场", "商业"],
        [
            Res(
                "commercial-complexes",
                "商业综合体",
                "data/commercial-complexes.csv",
                rows_commercial,
                commercial_schema(),
            )
        ],
        update="每半年",
        temporal="2024-01-01/2024-12-31",
        created="2020-10-01T09:00:00+08:00",
    )
