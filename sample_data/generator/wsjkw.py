"""Sample packages of 上海市卫生健康委员会 (Shanghai Municipal Health Commission, folder ``sample_data/wsjkw/``).

Packages: ``medical-institutions``, ``community-health-service-centers``, ``fever-clinics``.

Medical institutions and community health centres share the `medical-institution` schema and one row builder;
one community centre has an empty required name on purpose.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import random
from typing import Any

from .common import Seq, address, person, phone, place, point, rng_for, weighted_district, zihao
from .model import Err, Pkg, Res
from .reference import DISTRICT_INFO, DISTRICTS, STREETS, SYNTHETIC_NOTE

FAMOUS_HOSPITALS = [
    ("复旦大学附属中山医院", "综合医院", "三级甲等", "徐汇区", "徐汇区枫林路180号", 2500),
    ("复旦大学附属华山医院", "综合医院", "三级甲等", "静安区", "静安区乌鲁木齐中路12号", 1800),
    ("上海交通大学医学院附属瑞金医院", "综合医院", "三级甲等", "黄浦区", "黄浦区瑞金二路197号", 2100),
    ("上海交通大学医学院附属仁济医院", "综合医院", "三级甲等", "浦东新区", "浦东新区东方路1630号", 2000),
    ("上海市第一人民医院", "综合医院", "三级甲等", "虹口区", "虹口区海宁路100号", 1800),
    ("上海市第六人民医院", "综合医院", "三级甲等", "徐汇区", "徐汇区宜山路600号", 1900),
    ("上海市第十人民医院", "综合医院", "三级甲等", "静安区", "静安区延长中路301号", 1800),
    ("上海市东方医院", "综合医院", "三级甲等", "浦东新区", "浦东新区即墨路150号", 2000),
    ("上海长海医院", "综合医院", "三级甲等", "杨浦区", "杨浦区长海路168号", 2000),
    ("复旦大学附属儿科医院", "专科医院", "三级甲等", "闵行区", "闵行区万源路399号", 800),
    ("上海市儿童医院", "专科医院", "三级甲等", "普陀区", "普陀区泸定路355号", 600),
    ("上海中医药大学附属龙华医院", "中医医院", "三级甲等", "徐汇区", "徐汇区宛平南路725号", 1200),
    ("上海中医药大学附属曙光医院", "中医医院", "三级甲等", "黄浦区", "黄浦区普安路185号", 1300),
    (
        "上海中医药大学附属岳阳中西医结合医院",
        "中西医结合医院",
        "三级甲等",
        "虹口区",
        "虹口区甘河路110号",
        900,
    ),
    ("上海市精神卫生中心", "专科医院", "三级甲等", "徐汇区", "徐汇区宛平南路600号", 2000),
    ("上海市胸科医院", "专科医院", "三级甲等", "徐汇区", "徐汇区淮海西路241号", 800),
    ("复旦大学附属肿瘤医院", "专科医院", "三级甲等", "徐汇区", "徐汇区东安路270号", 1400),
    ("上海市肺科医院", "专科医院", "三级甲等", "杨浦区", "杨浦区政民路507号", 1000),
    ("上海交通大学医学院附属第九人民医院", "综合医院", "三级甲等", "黄浦区", "黄浦区制造局路639号", 1400),
    ("上海交通大学医学院附属新华医院", "综合医院", "三级甲等", "杨浦区", "杨浦区控江路1665号", 2000),
    ("上海市同济医院", "综合医院", "三级甲等", "普陀区", "普陀区新村路389号", 1400),
    ("上海市第五人民医院", "综合医院", "三级乙等", "闵行区", "闵行区鹤庆路801号", 1000),
    ("上海市浦东医院", "综合医院", "三级乙等", "浦东新区", "浦东新区拱为路2800号", 900),
    ("上海市奉贤区中心医院", "综合医院", "三级乙等", "奉贤区", "奉贤区南奉公路6600号", 900),
    ("上海国际和平妇幼保健院", "妇幼保健院", "三级甲等", "徐汇区", "徐汇区衡山路910号", 500),
    ("复旦大学附属妇产科医院", "专科医院", "三级甲等", "黄浦区", "黄浦区方斜路419号", 800),
]


def medical_row(
    rng: random.Random,
    seq: Seq,
    name: str,
    itype: str,
    level: str,
    d: str,
    addr: str,
    beds: int,
    ownership: str = "公立",
) -> dict[str, Any]:
    lon, lat = point(rng, d)
    return {
        "id": f"MI{DISTRICT_INFO[d]['code']}{seq.next(d):04d}",
        "name": name,
        "institution_type": itype,
        "level": level,
        "ownership": ownership,
        "district": d,
        "address": addr,
        "phone": phone(rng),
        "beds": beds,
        "medical_insurance": "true" if ownership == "公立" or rng.random() < 0.5 else "false",
        "longitude": lon,
        "latitude": lat,
    }


def rows_medical() -> list[dict[str, Any]]:
    rng = rng_for("medical")
    seq = Seq()
    seen: dict[str, int] = {}
    rows = [medical_row(rng, seq, n, t, lv, d, a, b) for n, t, lv, d, a, b in FAMOUS_HOSPITALS]
    for n, *_ in FAMOUS_HOSPITALS:
        seen[n] = 1
    for d in DISTRICTS:
        short = DISTRICT_INFO[d]["short"]
        for nm, t, lv, beds in [
            (f"上海市{short}区中心医院", "综合医院", "二级甲等", (500, 900)),
            (f"上海市{short}区中医医院", "中医医院", "二级甲等", (200, 500)),
            (f"上海市{short}区妇幼保健院", "妇幼保健院", "二级甲等", (50, 200)),
            (f"上海市{short}区精神卫生中心", "专科医院", "二级甲等", (200, 600)),
        ]:
            seen[nm] = 1
            rows.append(medical_row(rng, seq, nm, t, lv, d, address(rng, d), rng.randint(*beds)))
        for s in STREETS[d]:
            nm = f"上海市{d}{s}社区卫生服务中心"
            seen[nm] = 1
            rows.append(
                medical_row(
                    rng,
                    seq,
                    nm,
                    "社区卫生服务中心",
                    rng.choice(["一级", "未定级"]),
                    d,
                    address(rng, d),
                    rng.choice([0, 0, 30, 50, 80]),
                )
            )
    kinds = [
        ("社区卫生服务站", 20),
        ("门诊部", 25),
        ("诊所", 45),
        ("护理院", 6),
        ("专科医院", 3),
        ("综合医院", 1),
    ]
    while len(rows) < 2500:
        d = weighted_district(rng)
        kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        if kind == "社区卫生服务站":
            nm = f"{rng.choice(STREETS[d])}社区卫生服务中心{place(rng, d)}{rng.choice(['社区卫生服务站', '村卫生室'])}"
            own, lv, beds = "公立", "未定级", 0
        elif kind == "门诊部":
            nm = f"上海{zihao(rng)}{rng.choice(['门诊部', '中医门诊部', '口腔门诊部', '医疗美容门诊部', '综合门诊部'])}"
            own, lv, beds = "社会办", "未定级", 0
        elif kind == "诊所":
            nm = f"上海{d.replace('新区', '').replace('区', '')}{rng.choice([person(rng), zihao(rng)])}{rng.choice(['诊所', '中医诊所', '口腔诊所', '内科诊所'])}"
            own, lv, beds = "社会办", "未定级", 0
        elif kind == "护理院":
            nm = f"上海{place(rng, d)}护理院"
            own, lv, beds = rng.choice(["公立", "社会办", "社会办"]), "未定级", rng.randint(80, 400)
        else:
            nm = f"上海{zihao(rng)}{rng.choice(['眼科医院', '骨科医院', '妇产医院', '康复医院', '医院'])}"
            own, lv, beds = "社会办", rng.choice(["二级", "一级", "未定级"]), rng.randint(20, 200)
        if nm in seen:
            continue
        seen[nm] = 1
        rows.append(medical_row(rng, seq, nm, kind, lv, d, address(rng, d), beds, own))
    rows.sort(key=lambda r: r["id"])
    return rows


def rows_community_health() -> list[dict[str, Any]]:
    rng = rng_for("community-health")
    seq = Seq()
    rows = []
    for d in DISTRICTS:
        for s in STREETS[d]:
            rows.append(
                medical_row(
                    rng,
                    seq,
                    f"上海市{d}{s}社区卫生服务中心",
                    "社区卫生服务中心",
                    rng.choice(["一级", "未定级"]),
                    d,
                    address(rng, d),
                    rng.choice([0, 0, 30, 50, 80]),
                )
            )
            if rng.random() < 0.35:
                rows.append(
                    medical_row(
                        rng,
                        seq,
                        f"上海市{d}{s}社区卫生服务中心{place(rng, d)}分中心",
                        "社区卫生服务中心",
                        "未定级",
                        d,
                        address(rng, d),
                        0,
                    )
                )
    return rows


def fever_clinic_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "编号",
                "description": "发热门诊（诊室）编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "hospital_name",
                "title": "所属医疗机构",
                "description": "设置发热门诊（诊室）的医疗机构。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "clinic_type",
                "title": "类型",
                "description": "发热门诊或社区发热哨点诊室。",
                "type": "string",
                "constraints": {"required": True, "enum": ["发热门诊", "发热哨点诊室"]},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "地址", "description": "地址。", "type": "string"},
            {
                "name": "open_24h",
                "title": "24 小时开放",
                "description": "是否 24 小时开放。",
                "type": "boolean",
            },
            {
                "name": "pediatric",
                "title": "儿科发热门诊",
                "description": "是否设有儿科发热门诊。",
                "type": "boolean",
            },
            {"name": "phone", "title": "咨询电话", "description": "咨询电话。", "type": "string"},
        ],
        "primaryKey": ["id"],
    }


def rows_fever_clinics() -> list[dict[str, Any]]:
    rng = rng_for("fever-clinics")
    rows = []
    hosp = [
        r
        for r in rows_medical()
        if r["institution_type"] in ("综合医院", "中医医院", "中西医结合医院")
        or (r["institution_type"] == "专科医院" and "儿" in r["name"])
    ]
    comm = [r for r in rows_medical() if r["institution_type"] == "社区卫生服务中心"]
    for r in hosp:
        rows.append((r, "发热门诊"))
    for r in rng.sample(comm, 80):
        rows.append((r, "发热哨点诊室"))
    out = []
    for i, (r, kind) in enumerate(rows, start=1):
        out.append(
            {
                "id": f"FC{i:04d}",
                "hospital_name": r["name"],
                "clinic_type": kind,
                "district": r["district"],
                "address": r["address"],
                "open_24h": "true" if kind == "发热门诊" else "false",
                "pediatric": "true"
                if ("儿" in r["name"] or (kind == "发热门诊" and rng.random() < 0.3))
                else "false",
                "phone": r["phone"],
            }
        )
    return out


def medical_institutions() -> Pkg:
    return Pkg(
        "wsjkw",
        "medical-institutions",
        "上海市医疗机构名录",
        "health",
        "全市医疗机构名录，包括医院、社区卫生服务中心（站）、门诊部、诊所和护理院，字段包括机构类别、医院等级、"
        "经营性质、地址、联系电话、核定床位数和是否为医保定点。" + SYNTHETIC_NOTE,
        ["医院", "医疗机构", "社区卫生服务中心", "诊所", "医保定点"],
        [
            Res(
                "medical-institutions",
                "医疗机构名录",
                "data/medical-institutions.csv",
                rows_medical,
                "medical-institution",
            )
        ],
        update="每月",
        temporal="2024-01-01/2024-12-31",
        created="2017-10-10T09:00:00+08:00",
        version="4.0.0",
        extra={"x_source_system": "上海市医疗机构登记管理系统"},
    )


def community_health_service_centers() -> Pkg:
    return Pkg(
        "wsjkw",
        "community-health-service-centers",
        "上海市社区卫生服务中心",
        "health",
        "全市社区卫生服务中心及其分中心的地址、联系电话和床位数，提供家庭医生签约、基本医疗和公共卫生服务。"
        + SYNTHETIC_NOTE,
        ["社区卫生服务中心", "家庭医生", "社区医院", "医疗"],
        [
            Res(
                "community-health-centers",
                "社区卫生服务中心",
                "data/community-health-centers.csv",
                rows_community_health,
                "medical-institution",
                errors=[Err("set", 73, "name", "", "必填字段“机构名称”为空", "constraint-error")],
            )
        ],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2019-03-01T09:00:00+08:00",
    )


def fever_clinics() -> Pkg:
    return Pkg(
        "wsjkw",
        "fever-clinics",
        "上海市发热门诊和发热哨点诊室",
        "health",
        "全市医疗机构设置的发热门诊和社区发热哨点诊室，包括是否 24 小时开放和是否设有儿科发热门诊。"
        + SYNTHETIC_NOTE,
        ["发热门诊", "发热哨点", "急诊", "儿科"],
        [
            Res(
                "fever-clinics",
                "发热门诊",
                "data/fever-clinics.csv",
                rows_fever_clinics,
                fever_clinic_schema(),
            )
        ],
        update="不定期",
        temporal="2024-01-01/2024-12-31",
        created="2020-01-25T09:00:00+08:00",
    )
