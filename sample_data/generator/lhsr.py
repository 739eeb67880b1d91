"""Sample packages of 上海市绿化和市容管理局 (Shanghai Landscaping and City Appearance Administrative Bureau, folder
``sample_data/lhsr/``).

Packages: ``ancient-and-famous-trees``, ``urban-parks``.

`ancient-and-famous-trees` uses a package-relative schema file and ships a GeoJSON map; `urban-parks` carries
a deliberate extra cell (`extra-cell`), documented in the README.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import json
from typing import Any

from .common import address, place, point, r2, rng_for, weighted_district
from .model import Err, Pkg, Res
from .reference import DISTRICT_INFO, DISTRICTS, ROADS, SYNTHETIC_NOTE, road_base

TREE_SPECIES = [
    ("银杏", 30),
    ("香樟", 20),
    ("广玉兰", 8),
    ("罗汉松", 6),
    ("圆柏", 6),
    ("瓜子黄杨", 8),
    ("榉树", 4),
    ("朴树", 5),
    ("女贞", 3),
    ("紫薇", 3),
    ("桂花", 8),
    ("白皮松", 2),
    ("枸骨", 3),
    ("黄连木", 2),
    ("皂荚", 2),
    ("糙叶树", 1),
    ("牡丹", 1),
    ("紫藤", 2),
    ("柏木", 2),
    ("石榴", 1),
]


def ancient_tree_schema() -> dict[str, Any]:
    districts = DISTRICTS
    return {
        "name": "ancient-tree",
        "title": "古树名木",
        "description": "上海市古树名木及古树后续资源档案，按《上海市古树名木和古树后续资源保护条例》分级保护。",
        "fields": [
            {
                "name": "tree_id",
                "title": "古树编号",
                "description": "古树名木登记编号。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^GS\d{5}$"},
            },
            {
                "name": "species",
                "title": "树种",
                "description": "树种中文名。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "protection_level",
                "title": "保护级别",
                "description": "一级古树树龄 300 年以上，二级古树 100～299 年，"
                "古树后续资源 80～99 年，名木不论树龄。",
                "type": "string",
                "constraints": {"required": True, "enum": ["一级古树", "二级古树", "古树后续资源", "名木"]},
            },
            {
                "name": "estimated_age",
                "title": "估测树龄",
                "description": "估测树龄，单位为年。",
                "type": "integer",
                "constraints": {"minimum": 80, "maximum": 1500},
            },
            {
                "name": "height_m",
                "title": "树高",
                "description": "树高，单位为米。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
            {
                "name": "dbh_cm",
                "title": "胸径",
                "description": "距地面 1.3 米处的树干直径，单位为厘米。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "古树所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": districts},
            },
            {"name": "location", "title": "生长地点", "description": "古树生长地点。", "type": "string"},
            {
                "name": "health_status",
                "title": "生长状况",
                "description": "最近一次巡查的生长状况。",
                "type": "string",
                "constraints": {"enum": ["正常", "衰弱", "濒危"]},
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["tree_id"],
        "missingValues": [""],
    }


_TREE_CACHE: list[dict[str, Any]] = []


def rows_ancient_trees() -> list[dict[str, Any]]:
    if _TREE_CACHE:
        return _TREE_CACHE
    rng = rng_for("ancient-trees")
    weights = {d: DISTRICT_INFO[d]["w"] for d in DISTRICTS}
    for d in ("崇明区", "嘉定区", "松江区", "青浦区", "黄浦区"):
        weights[d] *= 2
    for i in range(1, 1501):
        d = weighted_district(rng, weights)
        sp = rng.choices([s for s, _ in TREE_SPECIES], [w for _, w in TREE_SPECIES])[0]
        lvl = rng.choices(["一级古树", "二级古树", "古树后续资源", "名木"], [8, 62, 27, 3])[0]
        age = {
            "一级古树": rng.randint(300, 1200),
            "二级古树": rng.randint(100, 299),
            "古树后续资源": rng.randint(80, 99),
            "名木": rng.randint(80, 150),
        }[lvl]
        loc = rng.choice(
            [
                f"{place(rng, d)}{rng.choice(['公园', '寺', '小学', '新村', '村', '绿地', '老街'])}内",
                address(rng, d).replace(d, "") + rng.choice(["", "院内", "门前"]),
            ]
        )
        lon, lat = point(rng, d)
        _TREE_CACHE.append(
            {
                "tree_id": f"GS{i:05d}",
                "species": sp,
                "protection_level": lvl,
                "estimated_age": age,
                "height_m": round(rng.uniform(6, 28), 1),
                "dbh_cm": round(min(300, 15 + age * rng.uniform(0.12, 0.25)), 1),
                "district": d,
                "location": loc,
                "health_status": rng.choices(["正常", "衰弱", "濒危"], [85, 12, 3])[0],
                "longitude": lon,
                "latitude": lat,
            }
        )
    return _TREE_CACHE


def geojson_ancient_trees() -> bytes:
    feats = []
    for r in rows_ancient_trees():
        if r["protection_level"] != "一级古树":
            continue
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]},
                "properties": {
                    k: r[k] for k in ("tree_id", "species", "estimated_age", "district", "location")
                },
            }
        )
    doc = {"type": "FeatureCollection", "name": "上海市一级古树分布", "features": feats}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


FAMOUS_PARKS = [
    ("世纪公园", "综合公园", "浦东新区", "浦东新区锦绣路1001号", 140.3, False),
    ("中山公园", "综合公园", "长宁区", "长宁区长宁路780号", 20.96, True),
    ("鲁迅公园", "综合公园", "虹口区", "虹口区四川北路2288号", 28.63, True),
    ("复兴公园", "综合公园", "黄浦区", "黄浦区皋兰路2号", 8.89, True),
    ("人民公园", "综合公园", "黄浦区", "黄浦区南京西路231号", 9.82, True),
    ("长风公园", "综合公园", "普陀区", "普陀区大渡河路189号", 36.6, True),
    ("共青森林公园", "专类公园", "杨浦区", "杨浦区军工路2000号", 124.0, False),
    ("上海植物园", "专类公园", "徐汇区", "徐汇区龙吴路1111号", 81.86, False),
    ("闵行体育公园", "综合公园", "闵行区", "闵行区新镇路456号", 84.0, True),
    ("顾村公园", "综合公园", "宝山区", "宝山区沪太路4788号", 180.0, True),
    ("滨江森林公园", "综合公园", "浦东新区", "浦东新区高桥镇凌桥高沙滩3号", 120.0, False),
    ("辰山植物园", "专类公园", "松江区", "松江区辰花路3888号", 207.0, False),
    ("陆家嘴中心绿地", "综合公园", "浦东新区", "浦东新区陆家嘴环路", 10.0, True),
    ("徐家汇公园", "综合公园", "徐汇区", "徐汇区肇嘉浜路889号", 7.27, True),
    ("静安公园", "综合公园", "静安区", "静安区南京西路1649号", 3.36, True),
    ("和平公园", "综合公园", "虹口区", "虹口区天宝路891号", 16.6, True),
    ("杨浦公园", "综合公园", "杨浦区", "杨浦区双阳路388号", 22.38, True),
    ("大宁公园", "综合公园", "静安区", "静安区广中西路288号", 68.0, True),
    ("炮台湾湿地森林公园", "专类公园", "宝山区", "宝山区塘后支路206号", 107.0, True),
    ("上海动物园", "专类公园", "长宁区", "长宁区虹桥路2381号", 74.3, False),
    ("青西郊野公园", "郊野公园", "青浦区", "青浦区练塘镇", 2220.0, True),
    ("长兴岛郊野公园", "郊野公园", "崇明区", "崇明区长兴镇", 2970.0, False),
    ("浦江郊野公园", "郊野公园", "闵行区", "闵行区浦江镇", 1520.0, True),
    ("廊下郊野公园", "郊野公园", "金山区", "金山区廊下镇", 2160.0, True),
    ("松南郊野公园", "郊野公园", "松江区", "松江区车墩镇", 1450.0, True),
    ("嘉北郊野公园", "郊野公园", "嘉定区", "嘉定区嘉定镇街道", 1400.0, True),
    ("广富林郊野公园", "郊野公园", "松江区", "松江区广富林路", 1230.0, True),
]


def rows_parks() -> list[dict[str, Any]]:
    rng = rng_for("parks")
    rows = []
    seen: dict[str, int] = {}
    for nm, pt, d, addr, area, free in FAMOUS_PARKS:
        seen[nm] = 1
        rows.append(
            {
                "name": nm,
                "park_type": pt,
                "district": d,
                "address": addr,
                "area_hectares": area,
                "is_free": free,
            }
        )
    while len(rows) < 600:
        d = weighted_district(rng)
        pt = rng.choices(["综合公园", "专类公园", "社区公园", "游园", "口袋公园"], [8, 5, 40, 27, 20])[0]
        sfx = {
            "综合公园": "公园",
            "专类公园": rng.choice(["植物园", "湿地公园", "雕塑公园", "体育公园"]),
            "社区公园": "公园",
            "游园": "游园",
            "口袋公园": rng.choice(["口袋公园", "街心花园"]),
        }[pt]
        nm = f"{place(rng, d)}{sfx}" if rng.random() < 0.7 else f"{road_base(rng.choice(ROADS[d]))}{sfx}"
        if nm in seen:
            continue
        seen[nm] = 1
        area = {
            "综合公园": (10, 60),
            "专类公园": (2, 40),
            "社区公园": (0.5, 10),
            "游园": (0.2, 3),
            "口袋公园": (0.05, 0.8),
        }[pt]
        rows.append(
            {
                "name": nm,
                "park_type": pt,
                "district": d,
                "address": address(rng, d),
                "area_hectares": r2(rng.uniform(*area)),
                "is_free": pt != "专类公园" or rng.random() < 0.5,
            }
        )
    out = []
    for i, r in enumerate(rows, start=1):
        lon, lat = point(rng, r["district"])
        out.append(
            {
                "id": f"PK{i:05d}",
                **r,
                "is_free": "true" if r["is_free"] else "false",
                "opening_hours": rng.choice(
                    ["全天开放", "全天开放", "05:00-21:00", "06:00-18:00", "06:00-21:00"]
                ),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return out


def ancient_and_famous_trees() -> Pkg:
    return Pkg(
        "lhsr",
        "ancient-and-famous-trees",
        "上海市古树名木信息",
        "environment",
        "全市登记在册的古树名木和古树后续资源，包括树种、保护级别、估测树龄、树高、胸径、生长地点和生长状况。"
        "另附一级古树分布 GeoJSON 文件。表结构定义随数据包提供（schema/ancient-tree.json）。"
        + SYNTHETIC_NOTE,
        ["古树", "名木", "古树名木", "绿化", "银杏"],
        [
            Res(
                "ancient-trees",
                "古树名木清单",
                "data/ancient-trees.csv",
                rows_ancient_trees,
                ("relative", "schema/ancient-tree.json", ancient_tree_schema()),
            ),
            Res(
                "ancient-trees-level1-map",
                "一级古树分布图",
                "data/ancient-trees-level1.geojson",
                None,
                None,
                fmt="geojson",
                content=geojson_ancient_trees,
                mediatype="application/geo+json",
                description="一级古树点位（GeoJSON FeatureCollection）。",
            ),
        ],
        update="每年",
        temporal="2024-01-01/2024-12-31",
        created="2018-03-12T09:00:00+08:00",
    )


def urban_parks() -> Pkg:
    return Pkg(
        "lhsr",
        "urban-parks",
        "上海市城市公园名录",
        "culture-leisure",
        "全市城市公园名录，包括公园类型、面积、是否免费、开放时间和位置。郊野公园面积为规划面积。"
        + SYNTHETIC_NOTE,
        ["公园", "城市公园", "郊野公园", "绿地", "休闲"],
        [
            Res(
                "parks",
                "城市公园名录",
                "data/urban-parks.csv",
                rows_parks,
                "park",
                errors=[
                    Err(
                        "extra_cell",
                        88,
                        "",
                        "备注：改造中",
                        "该行末尾多出一个单元格“备注：改造中”",
                        "extra-cell",
                    )
                ],
            )
        ],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2018-06-01T09:00:00+08:00",
        version="2.2.0",
    )
