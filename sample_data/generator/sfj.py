"""Sample packages of 上海市司法局 (Shanghai Municipal Bureau of Justice, folder ``sample_data/sfj/``).

Packages: ``law-firms``.

A few well-known firms are listed first, the rest are generated with unique names.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import address, person, phone, rdate, rng_for, uscc, weighted_district, zihao
from .model import Pkg, Res
from .reference import DISTRICT_INFO, DISTRICTS, LICENSE_TERMS, SYNTHETIC_NOTE


def law_firm_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "license_no",
                "title": "执业许可证号",
                "description": "律师事务所执业许可证号（统一社会信用代码）。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^31\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"},
            },
            {
                "name": "name",
                "title": "律师事务所名称",
                "description": "律师事务所名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "organization_form",
                "title": "组织形式",
                "description": "组织形式。",
                "type": "string",
                "constraints": {"required": True, "enum": ["普通合伙", "特殊的普通合伙", "个人所", "国资所"]},
            },
            {"name": "director", "title": "负责人", "description": "律师事务所负责人。", "type": "string"},
            {
                "name": "lawyer_count",
                "title": "执业律师人数",
                "description": "执业律师人数，单位为人。",
                "type": "integer",
                "constraints": {"minimum": 1},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "住所所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "住所", "description": "律师事务所住所。", "type": "string"},
            {
                "name": "established_date",
                "title": "成立日期",
                "description": "批准设立日期。",
                "type": "date",
            },
            {"name": "phone", "title": "联系电话", "description": "联系电话。", "type": "string"},
        ],
        "primaryKey": ["license_no"],
    }


FAMOUS_LAW_FIRMS = [
    "上海市锦天城律师事务所",
    "国浩律师（上海）事务所",
    "上海市方达律师事务所",
    "通力律师事务所",
    "上海市汇业律师事务所",
    "上海段和段律师事务所",
    "上海市建纬律师事务所",
    "上海邦信阳律师事务所",
    "上海市协力律师事务所",
    "上海市君悦律师事务所",
]


def rows_law_firms() -> list[dict[str, Any]]:
    rng = rng_for("law-firms")
    rows = []
    seen: dict[str, int] = {n: 1 for n in FAMOUS_LAW_FIRMS}
    names = list(FAMOUS_LAW_FIRMS)
    while len(names) < 1500:
        nm = rng.choice(
            [f"上海{zihao(rng)}律师事务所", f"上海市{zihao(rng)}律师事务所", f"上海{person(rng)}律师事务所"]
        )
        if nm not in seen:
            seen[nm] = 1
            names.append(nm)
    weights = {
        d: DISTRICT_INFO[d]["w"] * (3 if d in ("黄浦区", "静安区", "徐汇区", "长宁区") else 1)
        for d in DISTRICTS
    }
    weights["浦东新区"] = 40
    for i, nm in enumerate(names):
        d = weighted_district(rng, weights)
        form = (
            "个人所"
            if rng.random() < 0.2 and i >= 10
            else rng.choices(["普通合伙", "特殊的普通合伙", "国资所"], [90, 8, 2])[0]
        )
        n = (
            rng.randint(300, 2500)
            if i < 10
            else (1 if form == "个人所" else int(min(400, max(3, rng.lognormvariate(2.3, 0.9)))))
        )
        code = uscc(rng, "31", DISTRICT_INFO[d]["code"])
        rows.append(
            {
                "license_no": code,
                "name": nm,
                "organization_form": form,
                "director": person(rng),
                "lawyer_count": n,
                "district": d,
                "address": address(rng, d)
                + rng.choice(["", f"{rng.randint(5, 40)}楼", f"{rng.randint(2, 30)}层"]),
                "established_date": rdate(rng, dt.date(1993, 1, 1), dt.date(2024, 6, 30)).isoformat(),
                "phone": phone(rng),
            }
        )
    return rows


def law_firms() -> Pkg:
    return Pkg(
        "sfj",
        "law-firms",
        "上海市律师事务所名录",
        "institutions",
        "全市律师事务所名录，包括执业许可证号、组织形式、负责人、执业律师人数、住所和成立日期。"
        + SYNTHETIC_NOTE,
        ["律师事务所", "律师", "法律服务"],
        [Res("law-firms", "律师事务所", "data/law-firms.csv", rows_law_firms, law_firm_schema())],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2019-04-01T09:00:00+08:00",
        license=LICENSE_TERMS,
    )
