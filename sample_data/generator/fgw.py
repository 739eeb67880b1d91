"""Sample packages of 上海市发展和改革委员会 (Shanghai Municipal Development and Reform Commission, folder
``sample_data/fgw/``).

Packages: ``shanghai-ev-charging-stations``, ``dishonest-entities-list``.

Charging-station names reuse the parking suffixes of `jtw` (most stations sit in a car park), which is why
this module imports from another department's module.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import (
    Seq,
    address,
    company,
    place,
    point,
    r2,
    rdate,
    rng_for,
    unique_name,
    uscc,
    weighted_district,
)
from .jtw import PARKING_SUFFIXES
from .model import Pkg, Res
from .reference import DISTRICT_INFO, DISTRICTS, LICENSE_TERMS, SYNTHETIC_NOTE

CHARGE_OPERATORS = [
    "国网上海市电力公司",
    "上海特来电新能源有限公司",
    "上海星星充电科技有限公司",
    "上海安悦节能技术有限公司",
    "蔚来能源科技（上海）有限公司",
    "特斯拉（上海）有限公司",
    "上海挚达科技发展有限公司",
    "上海蔚蓝快充科技有限公司",
    "上海电力新能源发展有限公司",
    "上海小桔能源科技有限公司",
]


def rows_charging() -> list[dict[str, Any]]:
    rng = rng_for("charging")
    rows = []
    seen: dict[str, int] = {}
    seq = Seq()
    kinds = ["充电站", "公共充电站", "超级充电站", "快充站", "停车场充电站"]
    while len(rows) < 1200:
        d = weighted_district(rng)
        op = rng.choice(CHARGE_OPERATORS)
        brand = {
            "国网上海市电力公司": "国家电网",
            "上海特来电新能源有限公司": "特来电",
            "上海星星充电科技有限公司": "星星充电",
            "蔚来能源科技（上海）有限公司": "蔚来",
            "特斯拉（上海）有限公司": "特斯拉",
        }.get(op, "")
        nm = f"{brand}{place(rng, d)}{rng.choice(PARKING_SUFFIXES)}{rng.choice(kinds)}"
        nm = unique_name(
            seen,
            nm,
            lambda brand=brand, d=d: (
                f"{brand}{place(rng, d)}{rng.choice(PARKING_SUFFIXES)}{rng.choice(kinds)}"
            ),
        )
        dc = rng.choice([0, 2, 4, 6, 8, 10, 12, 20])
        ac = rng.choice([0, 0, 2, 4, 6, 10, 20]) if dc else rng.choice([2, 4, 6, 8, 10, 20, 40])
        lon, lat = point(rng, d)
        rows.append(
            {
                "station_id": f"CS{DISTRICT_INFO[d]['code']}{seq.next(d):05d}",
                "station_name": nm,
                "operator": op,
                "district": d,
                "address": address(rng, d),
                "longitude": lon,
                "latitude": lat,
                "dc_piles": dc,
                "ac_piles": ac,
                "total_power_kw": float(dc * rng.choice([60, 120, 160]) + ac * 7),
                "electricity_fee": r2(rng.uniform(0.55, 1.25)),
                "service_fee": r2(rng.uniform(0.4, 1.0)),
                "open_to_public": "true" if rng.random() < 0.9 else "false",
                "opening_hours": rng.choice(["00:00-24:00", "00:00-24:00", "07:00-23:00", "08:00-22:00"]),
            }
        )
    rows.sort(key=lambda r: r["station_id"])
    return rows


def dishonest_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "record_id",
                "title": "记录编号",
                "description": "失信记录编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "entity_name",
                "title": "主体名称",
                "description": "失信主体名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "unified_social_credit_code",
                "title": "统一社会信用代码",
                "description": "主体统一社会信用代码。",
                "type": "string",
            },
            {
                "name": "entity_type",
                "title": "主体类型",
                "description": "主体类型。",
                "type": "string",
                "constraints": {"enum": ["法人", "非法人组织", "个体工商户"]},
            },
            {
                "name": "category",
                "title": "失信类别",
                "description": "严重失信主体名单类别。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "decision_authority",
                "title": "认定部门",
                "description": "作出认定决定的部门。",
                "type": "string",
            },
            {
                "name": "decision_no",
                "title": "认定文书号",
                "description": "认定决定书文号。",
                "type": "string",
            },
            {
                "name": "listed_date",
                "title": "列入日期",
                "description": "列入名单日期。",
                "type": "date",
                "constraints": {"required": True},
            },
            {"name": "expiry_date", "title": "移出日期", "description": "预计移出名单日期。", "type": "date"},
            {
                "name": "district",
                "title": "所属区",
                "description": "主体所在的行政区。",
                "type": "string",
                "constraints": {"enum": DISTRICTS},
            },
        ],
        "primaryKey": ["record_id"],
    }


def rows_dishonest() -> list[dict[str, Any]]:
    rng = rng_for("dishonest")
    cats = [
        ("失信被执行人", "上海市高级人民法院"),
        ("重大税收违法失信主体", "国家税务总局上海市税务局"),
        ("严重违法失信企业", "上海市市场监督管理局"),
        ("拖欠农民工工资失信联合惩戒对象", "上海市人力资源和社会保障局"),
        ("安全生产严重失信主体", "上海市应急管理局"),
        ("环境违法失信主体", "上海市生态环境局"),
    ]
    rows = []
    for i in range(1, 801):
        d = weighted_district(rng)
        cat, auth = rng.choices(cats, [50, 15, 15, 10, 5, 5])[0]
        listed = rdate(rng, dt.date(2021, 1, 1), dt.date(2024, 11, 30))
        rows.append(
            {
                "record_id": f"SX{listed.year}{i:06d}",
                "entity_name": company(rng),
                "unified_social_credit_code": uscc(rng, "91", DISTRICT_INFO[d]["code"]),
                "entity_type": rng.choices(["法人", "非法人组织", "个体工商户"], [85, 5, 10])[0],
                "category": cat,
                "decision_authority": auth,
                "decision_no": f"沪{auth[2:4]}信〔{listed.year}〕{rng.randint(1, 999)}号",
                "listed_date": listed.isoformat(),
                "expiry_date": (listed + dt.timedelta(days=365 * rng.choice([1, 3]))).isoformat(),
                "district": d,
            }
        )
    return rows


def shanghai_ev_charging_stations() -> Pkg:
    return Pkg(
        "fgw",
        "shanghai-ev-charging-stations",
        "上海市电动汽车公共充电站信息",
        "transport",
        "接入市级充电设施公共数据采集与监测平台的公共充电站信息，包括运营商、位置、直流桩和交流桩数量、总功率、"
        "电费和服务费。多数充电站位于公共停车场内，停车费另行收取。" + SYNTHETIC_NOTE,
        ["充电桩", "充电站", "新能源汽车", "电动汽车", "停车场"],
        [
            Res(
                "charging-stations",
                "公共充电站清单",
                "data/charging-stations.csv",
                rows_charging,
                "charging-pile",
            )
        ],
        update="每月",
        temporal="2024-01-01/2024-12-31",
        created="2021-03-15T09:00:00+08:00",
        version="1.4.0",
    )


def dishonest_entities_list() -> Pkg:
    return Pkg(
        "fgw",
        "dishonest-entities-list",
        "上海市严重失信主体名单",
        "信用服务",
        "各部门认定的严重失信主体名单汇总，包括失信类别、认定部门、认定文书号和列入日期。本数据为有条件开放数据，"
        "用于信用核查的机构可申请使用。" + SYNTHETIC_NOTE,
        ["失信", "黑名单", "严重失信", "信用惩戒"],
        [
            Res(
                "dishonest-entities",
                "严重失信主体名单",
                "data/dishonest-entities.csv",
                rows_dishonest,
                dishonest_schema(),
            )
        ],
        update="每周",
        temporal="2021-01-01/2024-12-31",
        created="2021-02-01T09:00:00+08:00",
        open_class="conditional",
        license=LICENSE_TERMS,
    )
