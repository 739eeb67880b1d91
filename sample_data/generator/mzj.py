"""Sample packages of 上海市民政局 (Shanghai Municipal Civil Affairs Bureau, folder ``sample_data/mzj/``).

Packages: ``marriage-registration-statistics``, ``elderly-care-institutions``, ``community-elderly-canteens``,
``social-organizations``, ``charitable-foundations``, ``temporary-assistance-recipients``,
``subsistence-allowance-public-notice``.

The last two exercise the personal-information gate (docs/quality.md): ``temporary-assistance-recipients`` lists
full synthetic resident ID numbers (valid check digits) in an open dataset, so a harvest must block it;
``subsistence-allowance-public-notice`` prints them masked (``310***********1234``, ``张*``), so it publishes.

`elderly-care-institutions` is GBK (declared) with 是/否 booleans; `social-organizations` carries a deliberate
duplicate primary key, documented in the README.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from .common import (
    Seq,
    address,
    person,
    phone,
    place,
    point,
    rdate,
    rng_for,
    unique_name,
    uscc,
    weighted_district,
    zihao,
)
from .identity import masked_id, masked_mobile, masked_name, mobile, resident_id
from .model import Err, Pkg, Res
from .reference import DISTRICT_INFO, DISTRICTS, POP_2020, STREETS, SYNTHETIC_NOTE


def marriage_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "year",
                "title": "年份",
                "description": "统计年份。",
                "type": "year",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "登记机关所在区",
                "description": "婚姻登记机关所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {
                "name": "marriage_registrations",
                "title": "结婚登记",
                "description": "办理结婚登记对数，单位为对。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "divorce_registrations",
                "title": "离婚登记",
                "description": "办理离婚登记对数，单位为对。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "avg_first_marriage_age",
                "title": "平均初婚年龄",
                "description": "当年初婚登记人员平均年龄，单位为岁。",
                "type": "number",
                "constraints": {"minimum": 18, "maximum": 60},
            },
        ],
        "primaryKey": ["year", "district"],
    }


def rows_marriage() -> list[dict[str, Any]]:
    rng = rng_for("marriage")
    rows = []
    for year in range(2010, 2025):
        trend = {2013: 1.1, 2020: 0.75, 2022: 0.72, 2023: 0.9}.get(year, 1.0) * (1 - 0.025 * (year - 2010))
        for d in DISTRICTS:
            pop = POP_2020[d][0]
            m = round(pop * 70 * trend * rng.uniform(0.9, 1.1))
            rows.append(
                {
                    "year": year,
                    "district": d,
                    "marriage_registrations": m,
                    "divorce_registrations": round(m * rng.uniform(0.35, 0.55)),
                    "avg_first_marriage_age": round(27.5 + 0.22 * (year - 2010) + rng.uniform(-0.4, 0.4), 1),
                }
            )
    return rows


def elderly_row(rng: random.Random, seq: Seq, d: str, itype: str, seen: dict[str, int]) -> dict[str, Any]:
    def mk() -> str:
        if itype == "养老机构":
            return rng.choice(
                [
                    f"上海市{d}{place(rng, d)}敬老院",
                    f"上海{place(rng, d)}{rng.choice(['养老院', '颐养院', '老年公寓', '福利院'])}",
                    f"上海{zihao(rng)}{rng.choice(['养老院', '护理之家', '康养中心'])}",
                ]
            )
        if itype == "社区长者食堂":
            return f"{rng.choice(STREETS[d])}{place(rng, d)}{rng.choice(['社区长者食堂', '社区助餐点', '长者食堂'])}"
        sfx = {
            "长者照护之家": "长者照护之家",
            "老年人日间照护机构": "老年人日间照护中心",
            "社区综合为老服务中心": "社区综合为老服务中心",
        }[itype]
        return (
            f"{rng.choice(STREETS[d])}{sfx}"
            if rng.random() < 0.5
            else f"{rng.choice(STREETS[d])}{place(rng, d)}{sfx}"
        )

    name = unique_name(seen, mk(), mk)
    if itype == "养老机构":
        beds, lo = rng.randint(60, 800), float(rng.choice([3500, 4000, 4500, 5000, 6000, 7000]))
        hi = lo + float(rng.choice([2000, 3000, 5000, 8000]))
    elif itype == "长者照护之家":
        beds, lo = rng.randint(20, 49), float(rng.choice([4000, 4500, 5000, 5500]))
        hi = lo + float(rng.choice([1000, 2000, 3000]))
    elif itype == "社区长者食堂":
        beds, lo = rng.randint(30, 150), float(rng.choice([12, 13, 15, 16]))
        hi = lo + float(rng.choice([3, 5, 8]))
    else:
        beds, lo = rng.randint(0, 60), float(rng.choice([800, 1000, 1200, 1500]))
        hi = lo + float(rng.choice([500, 800, 1000]))
    lon, lat = point(rng, d)
    return {
        "id": f"EC{DISTRICT_INFO[d]['code']}{seq.next(d):04d}",
        "name": name,
        "institution_type": itype,
        "ownership": rng.choices(["公办", "公建民营", "民办"], [35, 30, 35])[0],
        "district": d,
        "address": address(rng, d),
        "phone": phone(rng),
        "beds": beds,
        "monthly_fee_min": lo,
        "monthly_fee_max": hi,
        "medical_integration": "是" if rng.random() < (0.6 if itype == "养老机构" else 0.25) else "否",
        "longitude": lon,
        "latitude": lat,
    }


def rows_elderly_care() -> list[dict[str, Any]]:
    rng = rng_for("elderly-care")
    seq, seen, rows = Seq(), {}, []
    types = ["养老机构", "长者照护之家", "老年人日间照护机构", "社区综合为老服务中心"]
    for _ in range(760):
        d = weighted_district(rng)
        rows.append(elderly_row(rng, seq, d, rng.choices(types, [45, 15, 25, 15])[0], seen))
    rows.sort(key=lambda r: r["id"])
    return rows


def rows_elderly_canteens() -> list[dict[str, Any]]:
    rng = rng_for("elderly-canteens")
    seq, seen, rows = Seq(), {}, []
    for _ in range(400):
        rows.append(elderly_row(rng, seq, weighted_district(rng), "社区长者食堂", seen))
    rows.sort(key=lambda r: r["id"])
    return rows


ASSOC_TOPICS = [
    "计算机",
    "软件行业",
    "物流",
    "餐饮烹饪",
    "旅游",
    "汽车",
    "集成电路",
    "人工智能",
    "会计",
    "律师",
    "摄影家",
    "书法家",
    "围棋",
    "老年体育",
    "青年创业",
    "志愿服务",
    "慈善",
    "养老服务",
    "物业管理",
    "建筑施工",
    "园林绿化",
    "环境保护",
    "消费者权益保护",
    "质量",
    "标准化",
    "中医药",
    "护理",
    "医院管理",
    "家政服务",
    "电子商务",
    "跨境电商",
    "航运",
    "金融",
    "保险",
    "证券",
    "科普作家",
    "翻译",
    "心理咨询",
    "社会工作者",
    "文物保护",
]


def social_org_row(rng: random.Random, otype: str, seen: dict[str, int]) -> dict[str, Any]:
    municipal = rng.random() < 0.35
    d = weighted_district(rng)
    short = DISTRICT_INFO[d]["short"]

    def mk() -> str:
        topic = rng.choice(ASSOC_TOPICS)
        if otype == "社会团体":
            return (
                f"上海市{topic}{rng.choice(['协会', '学会', '研究会', '联合会', '促进会'])}"
                if municipal
                else f"上海市{short}区{topic}{rng.choice(['协会', '学会', '联合会'])}"
            )
        if otype == "基金会":
            return f"上海{rng.choice([topic, zihao(rng), place(rng, d)])}{rng.choice(['公益基金会', '慈善基金会', '教育发展基金会', '基金会'])}"
        return f"上海市{short}区{place(rng, d)}{rng.choice(['社区服务中心', '社会工作服务社', '养老服务中心', '青少年活动中心', '培训中心', '文化服务中心'])}"

    name = unique_name(seen, mk(), mk)
    prefix = {"社会团体": "51", "民办非企业单位": "52", "基金会": "53"}[otype]
    region = "310000" if municipal else DISTRICT_INFO[d]["code"]
    return {
        "unified_social_credit_code": uscc(rng, prefix, region),
        "name": name,
        "org_type": otype,
        "registration_authority": "上海市社会团体管理局" if municipal else f"上海市{d}民政局",
        "business_supervisor": rng.choice(
            [
                "",
                "",
                f"上海市{rng.choice(['科学技术协会', '教育委员会', '卫生健康委员会', '文化和旅游局', '商务委员会'])}",
            ]
        ),
        "legal_representative": person(rng),
        "registered_capital": float(
            rng.choice(
                [3, 5, 10, 20, 50, 100, 200, 400, 1000] if otype != "基金会" else [400, 800, 1000, 2000, 5000]
            )
        ),
        "established_date": rdate(rng, dt.date(1992, 1, 1), dt.date(2024, 6, 30)).isoformat(),
        "district": d,
        "address": address(rng, d),
        "status": rng.choices(["正常", "注销", "撤销"], [92, 6, 2])[0],
    }


def rows_social_orgs() -> list[dict[str, Any]]:
    rng = rng_for("social-orgs")
    seen: dict[str, int] = {}
    return [
        social_org_row(rng, rng.choices(["社会团体", "民办非企业单位"], [40, 60])[0], seen)
        for _ in range(2500)
    ]


def rows_foundations() -> list[dict[str, Any]]:
    rng = rng_for("foundations")
    seen: dict[str, int] = {}
    return [social_org_row(rng, "基金会", seen) for _ in range(500)]


def marriage_registration_statistics() -> Pkg:
    return Pkg(
        "mzj",
        "marriage-registration-statistics",
        "上海市分区婚姻登记统计",
        "social-development",
        "2010—2024 年各区婚姻登记机关办理结婚登记、离婚登记对数及平均初婚年龄。" + SYNTHETIC_NOTE,
        ["婚姻登记", "结婚", "离婚", "民政统计"],
        [
            Res(
                "marriage-registrations",
                "婚姻登记统计",
                "data/marriage-registrations.csv",
                rows_marriage,
                marriage_schema(),
            )
        ],
        update="每年",
        temporal="2010-01-01/2024-12-31",
        created="2018-03-01T09:00:00+08:00",
    )


def elderly_care_institutions() -> Pkg:
    return Pkg(
        "mzj",
        "elderly-care-institutions",
        "上海市养老服务机构",
        "livelihood",
        "全市养老机构、长者照护之家、老年人日间照护机构和社区综合为老服务中心信息，包括运营性质、床位数、收费区间"
        "和是否医养结合。文件采用 GBK 编码。" + SYNTHETIC_NOTE,
        ["养老", "养老院", "养老机构", "长者照护之家", "为老服务"],
        [
            Res(
                "elderly-care",
                "养老服务机构",
                "data/elderly-care-institutions.csv",
                rows_elderly_care,
                "elderly-care",
                encoding="gbk",
            )
        ],
        update="每月",
        temporal="2024-01-01/2024-12-31",
        created="2018-10-09T09:00:00+08:00",
    )


def community_elderly_canteens() -> Pkg:
    return Pkg(
        "mzj",
        "community-elderly-canteens",
        "上海市社区长者食堂",
        "民生服务",
        "全市社区长者食堂和社区助餐点信息。本数据沿用养老服务机构表结构：床位数字段为就餐座位数，"
        "最低/最高月收费字段为每餐均价和最高价。" + SYNTHETIC_NOTE,
        ["长者食堂", "助餐", "老年助餐", "养老"],
        [
            Res(
                "elderly-canteens",
                "社区长者食堂",
                "data/elderly-canteens.csv",
                rows_elderly_canteens,
                "elderly-care",
            )
        ],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2021-09-01T09:00:00+08:00",
    )


def social_organizations() -> Pkg:
    return Pkg(
        "mzj",
        "social-organizations",
        "上海市社会组织登记信息",
        "institutions",
        "在本市各级民政部门登记的社会团体和民办非企业单位（社会服务机构）基本信息，包括统一社会信用代码、登记管理机关、"
        "业务主管单位、法定代表人、注册资金和登记状态。" + SYNTHETIC_NOTE,
        ["社会组织", "社会团体", "民办非企业单位", "协会", "学会"],
        [
            Res(
                "social-organizations",
                "社会组织",
                "data/social-organizations.csv",
                rows_social_orgs,
                "social-organization",
                errors=[
                    Err(
                        "duplicate_pk",
                        2031,
                        "unified_social_credit_code",
                        None,
                        "主键“统一社会信用代码”与第 1503 行（数据第 1502 条）重复",
                        "primary-key",
                        source_index=1501,
                    )
                ],
            )
        ],
        update="每月",
        temporal="2024-01-01/2024-12-31",
        created="2017-12-01T09:00:00+08:00",
    )


def charitable_foundations() -> Pkg:
    return Pkg(
        "mzj",
        "charitable-foundations",
        "上海市基金会名录",
        "机构团体",
        "在本市登记的基金会名录，包括原始基金、登记管理机关和登记状态。" + SYNTHETIC_NOTE,
        ["基金会", "慈善", "公益", "社会组织"],
        [Res("foundations", "基金会", "data/foundations.csv", rows_foundations, "social-organization")],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2018-09-05T09:00:00+08:00",
    )


def assistance_fields(masked: bool) -> list[dict[str, Any]]:
    shown = "（已脱敏）" if masked else ""
    return [
        {"name": "seq", "title": "序号", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "name", "title": "姓名" + shown, "description": "救助对象姓名。", "type": "string",
         "constraints": {"required": True}},
        {"name": "id_number", "title": "身份证号" + shown, "description": "救助对象的居民身份证号码。",
         "type": "string", "constraints": {"required": True}},
        {"name": "mobile", "title": "联系电话" + shown, "description": "救助对象的手机号码。", "type": "string"},
        {"name": "district", "title": "区", "type": "string", "constraints": {"required": True, "enum": DISTRICTS}},
        {"name": "street", "title": "街道（镇）", "type": "string"},
    ]


def assistance_schema() -> dict[str, Any]:
    return {
        "fields": [
            *assistance_fields(masked=False),
            {"name": "reason", "title": "救助事由", "type": "string"},
            {"name": "amount", "title": "救助金额（元）", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "approved", "title": "批准日期", "type": "date"},
        ],
        "primaryKey": ["seq"],
    }


def allowance_schema() -> dict[str, Any]:
    return {
        "fields": [
            *assistance_fields(masked=True),
            {"name": "household_size", "title": "保障人数", "type": "integer", "constraints": {"minimum": 1}},
            {"name": "monthly_allowance", "title": "月保障金额（元）", "type": "integer",
             "constraints": {"minimum": 0}},
        ],
        "primaryKey": ["seq"],
    }


ASSISTANCE_REASONS = ["突发重大疾病", "火灾等意外事故", "家庭成员死亡", "失业生活困难", "子女就学困难"]


def _person_row(rng: random.Random, index: int) -> dict[str, Any]:
    district = weighted_district(rng)
    return {
        "seq": index + 1,
        "name": person(rng),
        "id_number": resident_id(rng, district),
        "mobile": mobile(rng),
        "district": district,
        "street": rng.choice(STREETS[district]),
    }


def rows_temporary_assistance() -> list[dict[str, Any]]:
    rng = rng_for("temporary-assistance")
    rows = []
    for i in range(60):
        row = _person_row(rng, i)
        row["reason"] = rng.choice(ASSISTANCE_REASONS)
        row["amount"] = rng.randrange(10, 120) * 100
        row["approved"] = rdate(rng, dt.date(2024, 1, 1), dt.date(2024, 12, 31)).isoformat()
        rows.append(row)
    return rows


def rows_subsistence_allowance() -> list[dict[str, Any]]:
    rng = rng_for("subsistence-allowance")
    rows = []
    for i in range(80):
        row = _person_row(rng, i)
        row["name"] = masked_name(row["name"])
        row["id_number"] = masked_id(row["id_number"])
        row["mobile"] = masked_mobile(row["mobile"])
        row["household_size"] = rng.choice([1, 1, 2, 2, 3, 4])
        row["monthly_allowance"] = row["household_size"] * 1510
        rows.append(row)
    return rows


def temporary_assistance_recipients() -> Pkg:
    return Pkg(
        "mzj",
        "temporary-assistance-recipients",
        "某街道临时救助对象名单（未脱敏，应被拦截）",
        "民生服务",
        "2024 年临时救助对象名单，含姓名、完整身份证号和手机号。这是一个错误发布的例子：个人信息未脱敏的无条件开放数据，"
        "平台采集时应拦截、不予发布（见 docs/quality.md 个人信息检查）。身份证号由程序按校验码规则生成，不对应真实的人。"
        + SYNTHETIC_NOTE,
        ["临时救助", "社会救助", "个人信息"],
        [Res("recipients", "临时救助对象", "data/recipients.csv", rows_temporary_assistance, assistance_schema())],
        update="每月",
        temporal="2024-01-01/2024-12-31",
        created="2024-03-01T09:00:00+08:00",
    )


def subsistence_allowance_public_notice() -> Pkg:
    return Pkg(
        "mzj",
        "subsistence-allowance-public-notice",
        "最低生活保障对象公示（已脱敏）",
        "民生服务",
        "城乡居民最低生活保障对象公示名单。按个人信息保护要求公示：姓名仅保留姓氏，身份证号仅保留前 3 位和后 4 位，"
        "手机号隐去中间 4 位（去标识化，参见 GB/T 37964）。" + SYNTHETIC_NOTE,
        ["最低生活保障", "低保", "社会救助", "公示"],
        [Res("recipients", "低保对象公示", "data/recipients.csv", rows_subsistence_allowance, allowance_schema())],
        update="每月",
        temporal="2024-01-01/2024-12-31",
        created="2019-06-01T09:00:00+08:00",
    )
