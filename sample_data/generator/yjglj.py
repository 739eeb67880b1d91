"""Sample packages of 上海市应急管理局 (Shanghai Municipal Emergency Management Bureau, folder
``sample_data/yjglj/``).

Packages: ``emergency-shelters``, ``hazardous-chemical-enterprises``.

`hazardous-chemical-enterprises` uses a package-relative schema file
(`schema/hazardous-chemical-enterprise.json`), written next to the data.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import address, company, place, point, rdate, rng_for, unique_name, uscc, weighted_district
from .model import Pkg, Res
from .reference import CENTRAL, DISTRICT_INFO, DISTRICTS, SYNTHETIC_NOTE


def rows_shelters() -> list[dict[str, Any]]:
    rng = rng_for("shelters")
    rows = []
    seen: dict[str, int] = {}
    for i in range(1, 801):
        d = weighted_district(rng)
        cls = rng.choices(["Ⅰ类", "Ⅱ类", "Ⅲ类"], [4, 16, 80])[0]
        kind = rng.choice(["公园", "绿地", "中学", "小学", "体育馆", "体育场", "社区文化活动中心", "广场"])

        def mk(d: str = d, kind: str = kind) -> str:
            return f"{place(rng, d)}{kind}应急避难场所"

        stype = "室外" if kind in ("公园", "绿地", "广场", "体育场") else rng.choice(["室内", "室内外结合"])
        area = float(
            round(rng.uniform(*{"Ⅰ类": (20000, 120000), "Ⅱ类": (4000, 30000), "Ⅲ类": (500, 6000)}[cls]), -1)
        )
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"ES{i:06d}",
                "name": unique_name(seen, mk(), mk),
                "shelter_class": cls,
                "shelter_type": stype,
                "district": d,
                "address": address(rng, d),
                "area_sqm": area,
                "capacity": int(area / rng.choice([1.5, 2.0, 2.5])),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def hazchem_schema() -> dict[str, Any]:
    return {
        "name": "hazardous-chemical-enterprise",
        "title": "危险化学品经营许可企业",
        "description": "取得危险化学品经营许可证的企业及其重大危险源信息。",
        "fields": [
            {
                "name": "unified_social_credit_code",
                "title": "统一社会信用代码",
                "description": "企业统一社会信用代码。",
                "type": "string",
                "constraints": {
                    "required": True,
                    "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                },
            },
            {
                "name": "enterprise_name",
                "title": "企业名称",
                "description": "企业名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "企业所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {
                "name": "address",
                "title": "经营场所",
                "description": "经营（储存）场所地址。",
                "type": "string",
            },
            {
                "name": "business_mode",
                "title": "经营方式",
                "description": "许可的经营方式。",
                "type": "string",
                "constraints": {
                    "required": True,
                    "enum": ["生产", "经营（带储存）", "经营（无储存）", "使用", "储存"],
                },
            },
            {
                "name": "license_no",
                "title": "许可证编号",
                "description": "危险化学品经营（安全生产）许可证编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "license_valid_until",
                "title": "许可证有效期至",
                "description": "许可证有效期截止日期。",
                "type": "date",
            },
            {
                "name": "major_hazard_source",
                "title": "是否构成重大危险源",
                "description": "是否构成危险化学品重大危险源。",
                "type": "boolean",
            },
            {
                "name": "hazard_level",
                "title": "重大危险源等级",
                "description": "重大危险源等级；不构成重大危险源的为空。",
                "type": "string",
                "constraints": {"enum": ["一级", "二级", "三级", "四级"]},
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["unified_social_credit_code"],
        "missingValues": [""],
    }


def rows_hazchem() -> list[dict[str, Any]]:
    rng = rng_for("hazchem")
    rows = []
    weights = {d: DISTRICT_INFO[d]["w"] * (0.3 if d in CENTRAL else 1.0) for d in DISTRICTS}
    weights["金山区"] = 12
    for i in range(1, 601):
        d = weighted_district(rng, weights)
        mode = rng.choices(["生产", "经营（带储存）", "经营（无储存）", "使用", "储存"], [15, 20, 45, 12, 8])[
            0
        ]
        major = mode in ("生产", "储存", "经营（带储存）") and rng.random() < 0.35
        short = DISTRICT_INFO[d]["short"][0]
        lon, lat = point(rng, d)
        rows.append(
            {
                "unified_social_credit_code": uscc(rng, "91", DISTRICT_INFO[d]["code"]),
                "enterprise_name": company(rng, rng.choice(["化工", "化学品", "石油化工", "气体", "新材料"])),
                "district": d,
                "address": address(rng, d),
                "business_mode": mode,
                "license_no": f"沪（{short}）应急管危经许〔{rng.randint(2021, 2024)}〕{rng.randint(200000, 209999)}",
                "license_valid_until": rdate(rng, dt.date(2025, 1, 1), dt.date(2027, 12, 31)).isoformat(),
                "major_hazard_source": "true" if major else "false",
                "hazard_level": rng.choices(["一级", "二级", "三级", "四级"], [5, 15, 35, 45])[0]
                if major
                else "",
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def emergency_shelters() -> Pkg:
    return Pkg(
        "yjglj",
        "emergency-shelters",
        "上海市应急避难场所",
        "public-safety",
        "全市已建成的应急避难场所，包括场所类别（Ⅰ、Ⅱ、Ⅲ类）、形式、有效避难面积、可容纳人数和位置。"
        + SYNTHETIC_NOTE,
        ["应急避难场所", "避难", "应急", "防灾"],
        [
            Res(
                "shelters",
                "应急避难场所清单",
                "data/emergency-shelters.csv",
                rows_shelters,
                "emergency-shelter",
            )
        ],
        update="每半年",
        temporal="2024-01-01/2024-12-31",
        created="2019-05-12T09:00:00+08:00",
    )


def hazardous_chemical_enterprises() -> Pkg:
    return Pkg(
        "yjglj",
        "hazardous-chemical-enterprises",
        "上海市危险化学品经营许可企业",
        "public-safety",
        "取得危险化学品经营（生产、使用、储存）许可的企业名单及重大危险源等级。本数据为有条件开放数据。"
        "表结构定义随数据包提供（schema/hazardous-chemical-enterprise.json）。" + SYNTHETIC_NOTE,
        ["危险化学品", "危化品", "重大危险源", "安全生产"],
        [
            Res(
                "hazchem-enterprises",
                "危险化学品经营许可企业",
                "data/hazchem-enterprises.csv",
                rows_hazchem,
                ("relative", "schema/hazardous-chemical-enterprise.json", hazchem_schema()),
            )
        ],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2020-06-16T09:00:00+08:00",
        open_class="conditional",
    )
