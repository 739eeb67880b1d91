"""Sample packages of 上海市教育委员会 (Shanghai Municipal Education Commission, folder ``sample_data/jw/``).

Packages: ``shanghai-primary-secondary-schools``, ``shanghai-kindergartens``.

Schools and kindergartens share the published `school` schema and one row builder; the kindergartens are
written as XLSX.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import random
from typing import Any

from .common import Seq, address, phone, place, point, rng_for, unique_name, weighted_district
from .model import Pkg, Res
from .reference import DISTRICT_INFO, ROADS, SYNTHETIC_NOTE, road_base

SCHOOL_TYPES = [
    ("小学", 35, ["小学", "第一小学", "第二小学", "实验小学", "中心小学"], (400, 2400), 1900),
    ("初级中学", 18, ["初级中学", "中学", "实验中学"], (300, 1500), 1950),
    ("高级中学", 8, ["高级中学", "中学"], (600, 1800), 1920),
    ("完全中学", 6, ["中学"], (800, 2200), 1900),
    ("九年一贯制学校", 16, ["学校", "实验学校"], (600, 2600), 1990),
    ("十二年一贯制学校", 2, ["外国语学校", "双语学校"], (800, 3000), 1995),
    ("中等职业学校", 6, ["职业技术学校", "中等专业学校"], (600, 3000), 1960),
    ("特殊教育学校", 2, ["特殊教育学校", "辅读学校", "启智学校"], (60, 300), 1980),
]


def school_row(
    rng: random.Random,
    seq: Seq,
    d: str,
    stype: str,
    suffixes: list[str],
    students: tuple[int, int],
    since: int,
    seen: dict[str, int],
    offset: int = 0,
) -> dict[str, Any]:
    short = DISTRICT_INFO[d]["short"]
    dname = d if d != "浦东新区" else "浦东新区"

    def mk() -> str:
        base = rng.choice([place(rng, d), road_base(rng.choice(ROADS[d])), place(rng, d)])
        suffix = rng.choice(suffixes)
        if stype in ("十二年一贯制学校", "中等职业学校") or rng.random() < 0.15:
            return f"上海{base}{suffix}" if rng.random() < 0.5 else f"上海市{short}{base}{suffix}"
        return f"上海市{dname}{base}{suffix}"

    name = unique_name(seen, mk(), mk)
    st = rng.randint(*students)
    lon, lat = point(rng, d)
    return {
        "id": f"31{DISTRICT_INFO[d]['code'][2:]}{offset + seq.next(d):04d}",
        "name": name,
        "school_type": stype,
        "ownership": "民办"
        if rng.random() < (0.35 if stype in ("幼儿园", "十二年一贯制学校") else 0.1)
        else "公办",
        "district": d,
        "address": address(rng, d),
        "phone": phone(rng),
        "established_year": rng.randint(since, 2022),
        "student_count": st,
        "teacher_count": max(8, round(st / rng.uniform(9, 15))),
        "longitude": lon,
        "latitude": lat,
    }


def rows_schools() -> list[dict[str, Any]]:
    rng = rng_for("schools")
    seq, seen, rows = Seq(), {}, []
    for _ in range(1600):
        stype, _, suffixes, students, since = rng.choices(SCHOOL_TYPES, [t[1] for t in SCHOOL_TYPES])[0]
        rows.append(school_row(rng, seq, weighted_district(rng), stype, suffixes, students, since, seen))
    rows.sort(key=lambda r: r["id"])
    return rows


def rows_kindergartens() -> list[dict[str, Any]]:
    rng = rng_for("kindergartens")
    seq, seen, rows = Seq(), {}, []
    for _ in range(1000):
        rows.append(
            school_row(
                rng,
                seq,
                weighted_district(rng),
                "幼儿园",
                ["幼儿园", "第一幼儿园", "实验幼儿园", "中心幼儿园", "双语幼儿园"],
                (120, 520),
                1950,
                seen,
                offset=5000,
            )
        )
    rows.sort(key=lambda r: r["id"])
    for r in rows:
        r["teacher_count"] = max(8, round(r["student_count"] / rng.uniform(7, 10)))
    return rows


def shanghai_primary_secondary_schools() -> Pkg:
    return Pkg(
        "jw",
        "shanghai-primary-secondary-schools",
        "上海市中小学校名录",
        "education-technology",
        "全市普通中小学、中等职业学校和特殊教育学校名录，包括学校标识码、学校类型、办学性质、地址、建校年份、"
        "在校学生数和专任教师数。学生数和教师数为学年初统计数。" + SYNTHETIC_NOTE,
        ["学校", "中小学", "小学", "中学", "教育"],
        [Res("schools", "中小学校名录", "data/schools.csv", rows_schools, "school")],
        update="每年",
        temporal="2024-09-01/2025-08-31",
        created="2018-09-01T09:00:00+08:00",
        version="2024.9.0",
    )


def shanghai_kindergartens() -> Pkg:
    return Pkg(
        "jw",
        "shanghai-kindergartens",
        "上海市幼儿园名录",
        "education-technology",
        "全市公办和民办幼儿园名录，包括园所标识码、办学性质、地址、在园幼儿数和专任教师数。数据以 Excel 文件发布。"
        + SYNTHETIC_NOTE,
        ["幼儿园", "学前教育", "托幼", "教育"],
        [
            Res(
                "kindergartens",
                "幼儿园名录",
                "data/kindergartens.xlsx",
                rows_kindergartens,
                "school",
                fmt="xlsx",
                sheet="幼儿园名录",
            )
        ],
        update="每年",
        temporal="2024-09-01/2025-08-31",
        created="2019-09-01T09:00:00+08:00",
    )
