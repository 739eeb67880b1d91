"""Sample packages of 上海市公安局 (Shanghai Municipal Public Security Bureau, folder ``sample_data/gaj/``).

Packages: ``police-stations``, ``road-traffic-accident-statistics``.

`road-traffic-accident-statistics` is `closed` and uses the `yearmonth` type; district populations come from
`reference.POP_2020` so the accident counts scale with them.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

from typing import Any

from .common import address, phone, point, r2, rng_for
from .model import Pkg, Res
from .reference import DISTRICTS, LANDMARKS, POP_2020, STREETS, SYNTHETIC_NOTE, street_base


def police_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "编号",
                "description": "派出所编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "name",
                "title": "派出所名称",
                "description": "公安派出所名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "branch",
                "title": "所属分局",
                "description": "所属公安分局。",
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
            {"name": "address", "title": "地址", "description": "办公地址。", "type": "string"},
            {"name": "phone", "title": "联系电话", "description": "值班电话。", "type": "string"},
            {
                "name": "household_registration",
                "title": "户籍业务",
                "description": "是否受理户籍业务。",
                "type": "boolean",
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def rows_police() -> list[dict[str, Any]]:
    rng = rng_for("police")
    rows = []
    i = 0
    for d in DISTRICTS:
        branch = f"上海市公安局{d}分局"
        names = [street_base(s) + "派出所" for s in STREETS[d]]
        names += [f"{lm}派出所" for lm in LANDMARKS[d][:3] if f"{lm}派出所" not in names]
        for nm in names:
            i += 1
            lon, lat = point(rng, d)
            rows.append(
                {
                    "id": f"PS{i:04d}",
                    "name": nm,
                    "branch": branch,
                    "district": d,
                    "address": address(rng, d),
                    "phone": phone(rng),
                    "household_registration": "true" if rng.random() < 0.9 else "false",
                    "longitude": lon,
                    "latitude": lat,
                }
            )
    for line in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]:
        i += 1
        d = rng.choice(DISTRICTS[:11])
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"PS{i:04d}",
                "name": f"轨道交通{line}号线派出所",
                "branch": "上海市公安局轨道交通分局",
                "district": d,
                "address": address(rng, d),
                "phone": phone(rng),
                "household_registration": "false",
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def accidents_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "month",
                "title": "月份",
                "description": "统计月份。",
                "type": "yearmonth",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "事故发生地所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {
                "name": "accidents",
                "title": "事故起数",
                "description": "道路交通事故起数（一般程序）。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "deaths",
                "title": "死亡人数",
                "description": "死亡人数。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "injuries",
                "title": "受伤人数",
                "description": "受伤人数。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "property_loss",
                "title": "直接财产损失",
                "description": "直接财产损失，单位为万元。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
        ],
        "primaryKey": ["month", "district"],
    }


def rows_accidents() -> list[dict[str, Any]]:
    rng = rng_for("accidents")
    rows = []
    for year in (2022, 2023, 2024):
        for m in range(1, 13):
            for d in DISTRICTS:
                acc = max(1, round(POP_2020[d][0] * rng.uniform(0.25, 0.45)))
                rows.append(
                    {
                        "month": f"{year}-{m:02d}",
                        "district": d,
                        "accidents": acc,
                        "deaths": round(acc * rng.uniform(0.05, 0.15)),
                        "injuries": round(acc * rng.uniform(0.8, 1.2)),
                        "property_loss": r2(acc * rng.uniform(0.3, 1.2)),
                    }
                )
    return rows


def police_stations() -> Pkg:
    return Pkg(
        "gaj",
        "police-stations",
        "上海市公安派出所信息",
        "public-safety",
        "全市公安派出所名称、所属分局、地址、值班电话以及是否受理户籍业务。" + SYNTHETIC_NOTE,
        ["派出所", "公安", "户籍", "报警"],
        [Res("police-stations", "派出所", "data/police-stations.csv", rows_police, police_schema())],
        update="不定期",
        temporal="2024-01-01/2024-12-31",
        created="2018-08-01T09:00:00+08:00",
    )


def road_traffic_accident_statistics() -> Pkg:
    return Pkg(
        "gaj",
        "road-traffic-accident-statistics",
        "上海市道路交通事故月度统计",
        "public-safety",
        "2022—2024 年各区道路交通事故（一般程序）起数、死亡人数、受伤人数和直接财产损失月度统计。本数据不对外开放，仅目录公开。"
        + SYNTHETIC_NOTE,
        ["交通事故", "道路交通安全", "事故统计"],
        [
            Res(
                "traffic-accidents",
                "道路交通事故月度统计",
                "data/traffic-accidents-monthly.csv",
                rows_accidents,
                accidents_schema(),
            )
        ],
        update="每月",
        temporal="2022-01-01/2024-12-31",
        created="2022-02-15T09:00:00+08:00",
        open_class="closed",
    )
