"""Sample packages of 上海市人力资源和社会保障局 (Shanghai Municipal Human Resources and Social Security Bureau, folder
``sample_data/rsj/``).

Packages: ``vocational-training-institutions``, ``public-employment-service-agencies``.

Inline schemas only: neither dataset has a published schema.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import address, phone, point, rdate, rng_for, unique_name, weighted_district, zihao
from .model import Pkg, Res
from .reference import DISTRICT_INFO, DISTRICTS, STREETS, SYNTHETIC_NOTE


def training_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "license_no",
                "title": "办学许可证号",
                "description": "民办职业培训机构办学许可证编号。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^人社民\d{15}$"},
            },
            {
                "name": "name",
                "title": "机构名称",
                "description": "职业培训机构名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "机构所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "办学地址", "description": "办学地址。", "type": "string"},
            {
                "name": "programs",
                "title": "培训项目",
                "description": "核准的培训项目（职业/工种），以分号分隔。",
                "type": "string",
            },
            {
                "name": "subsidized",
                "title": "补贴培训机构",
                "description": "是否具备政府补贴培训资质。",
                "type": "boolean",
            },
            {
                "name": "approved_date",
                "title": "核准日期",
                "description": "办学许可核准日期。",
                "type": "date",
            },
            {"name": "phone", "title": "联系电话", "description": "联系电话。", "type": "string"},
        ],
        "primaryKey": ["license_no"],
    }


PROGRAMS = [
    "育婴员",
    "养老护理员",
    "保育员",
    "电工",
    "焊工",
    "中式烹调师",
    "西式面点师",
    "美容师",
    "美发师",
    "企业人力资源管理师",
    "电子商务师",
    "计算机程序设计员",
    "汽车维修工",
    "茶艺师",
    "健康管理师",
    "营养配餐员",
    "数控车工",
    "家政服务员",
    "网络与信息安全管理员",
    "工业机器人系统操作员",
    "无人机驾驶员",
    "快递员",
]


def rows_training() -> list[dict[str, Any]]:
    rng = rng_for("training")
    rows = []
    seen: dict[str, int] = {}
    for i in range(1, 601):
        d = weighted_district(rng)

        def mk(d: str = d) -> str:
            return f"上海市{DISTRICT_INFO[d]['short']}区{zihao(rng)}{rng.choice(['职业技能培训学校', '职业培训学校', '进修学校'])}"

        rows.append(
            {
                "license_no": f"人社民{DISTRICT_INFO[d]['code']}{rng.randint(10**8, 10**9 - 1):09d}",
                "name": unique_name(seen, mk(), mk),
                "district": d,
                "address": address(rng, d),
                "programs": ";".join(rng.sample(PROGRAMS, rng.randint(1, 5))),
                "subsidized": "true" if rng.random() < 0.4 else "false",
                "approved_date": rdate(rng, dt.date(2005, 1, 1), dt.date(2024, 6, 30)).isoformat(),
                "phone": phone(rng),
            }
        )
    return rows


def employment_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "编号",
                "description": "服务机构编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "name",
                "title": "机构名称",
                "description": "公共就业服务机构名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "level",
                "title": "层级",
                "description": "市级、区级或街镇级。",
                "type": "string",
                "constraints": {"required": True, "enum": ["市级", "区级", "街镇级"]},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "地址", "description": "服务地址。", "type": "string"},
            {"name": "phone", "title": "咨询电话", "description": "咨询电话。", "type": "string"},
            {"name": "service_hours", "title": "服务时间", "description": "服务时间。", "type": "string"},
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def rows_employment() -> list[dict[str, Any]]:
    rng = rng_for("employment")
    rows = [("上海市职业介绍服务中心", "市级", "黄浦区")]
    for d in DISTRICTS:
        rows.append((f"上海市{d}就业促进中心", "区级", d))
        rows += [(f"{d}{s}社区就业服务站", "街镇级", d) for s in STREETS[d]]
    out = []
    for i, (nm, lvl, d) in enumerate(rows, start=1):
        lon, lat = point(rng, d)
        out.append(
            {
                "id": f"JY{i:04d}",
                "name": nm,
                "level": lvl,
                "district": d,
                "address": address(rng, d),
                "phone": phone(rng),
                "service_hours": rng.choice(
                    ["工作日 09:00-17:00", "工作日 08:30-17:00", "周一至周六 09:00-17:00"]
                ),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return out


def vocational_training_institutions() -> Pkg:
    return Pkg(
        "rsj",
        "vocational-training-institutions",
        "上海市民办职业培训机构名录",
        "social-development",
        "经人力资源社会保障部门审批的民办职业培训机构名录，包括办学许可证号、培训项目和是否具备补贴培训资质。"
        + SYNTHETIC_NOTE,
        ["职业培训", "技能培训", "培训机构", "补贴培训"],
        [
            Res(
                "training-institutions",
                "民办职业培训机构",
                "data/training-institutions.csv",
                rows_training,
                training_schema(),
            )
        ],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2019-07-01T09:00:00+08:00",
    )


def public_employment_service_agencies() -> Pkg:
    return Pkg(
        "rsj",
        "public-employment-service-agencies",
        "上海市公共就业服务机构",
        "livelihood",
        "市、区、街镇三级公共就业服务机构名录，包括地址、咨询电话和服务时间，可办理失业登记、职业介绍和就业援助。"
        + SYNTHETIC_NOTE,
        ["就业", "就业服务", "失业登记", "职业介绍", "招聘"],
        [
            Res(
                "employment-agencies",
                "公共就业服务机构",
                "data/employment-agencies.csv",
                rows_employment,
                employment_schema(),
            )
        ],
        update="不定期",
        temporal="2024-01-01/2024-12-31",
        created="2018-02-01T09:00:00+08:00",
    )
