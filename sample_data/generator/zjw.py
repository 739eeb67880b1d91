"""Sample packages of 上海市住房和城乡建设管理委员会 (Shanghai Municipal Commission of Housing and Urban-Rural Development,
folder ``sample_data/zjw/``).

Packages: ``construction-permits-2024``, ``construction-permits-2023``.

`construction-permits-2023` is GBK with **no** declared encoding and uses characters outside GB2312
(`RARE_GBK_ZIHAO`), so a harvester must fall back to GB18030.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import Seq, address, place, r2, rdate, rng_for, weighted_district, zihao
from .model import Pkg, Res
from .reference import CENTRAL, DISTRICT_INFO, DISTRICTS, ROADS, SYNTHETIC_NOTE

CONTRACTORS = [
    "上海建工一建集团有限公司",
    "上海建工二建集团有限公司",
    "上海建工四建集团有限公司",
    "上海建工五建集团有限公司",
    "上海建工七建集团有限公司",
    "上海宝冶集团有限公司",
    "中国建筑第八工程局有限公司",
    "上海隧道工程有限公司",
    "上海市基础工程集团有限公司",
    "上海城建市政工程（集团）有限公司",
    "中建三局集团有限公司",
    "上海园林（集团）有限公司",
    "上海市水利工程集团有限公司",
    "上海住总集团建设发展有限公司",
    "中铁二十四局集团有限公司",
]


RARE_GBK_ZIHAO = ["堃元", "喆盛", "祎达", "镕信", "堃泰", "喆航"]  # characters in GBK but not in GB2312


def rows_construction(year: int, rare_chars: bool = False) -> list[dict[str, Any]]:
    rng = rng_for(f"construction-{year}")
    rows = []
    types = [
        ("房屋建筑工程", 70),
        ("市政基础设施工程", 15),
        ("轨道交通工程", 3),
        ("水务工程", 6),
        ("园林绿化工程", 6),
    ]
    seq = Seq()
    n = 1500 if year == 2024 else 1400
    for i in range(n):
        d = weighted_district(
            rng, {k: DISTRICT_INFO[k]["w"] * (0.5 if k in CENTRAL else 1.0) for k in DISTRICTS}
        )
        pt = rng.choices([t for t, _ in types], [w for _, w in types])[0]
        pl = place(rng, d)
        if pt == "房屋建筑工程":
            unit_no = rng.randint(1, 40)
            name = rng.choice(
                [
                    f"{d}{pl}社区{unit_no}-{rng.randint(1, 9)}地块住宅项目",
                    f"{pl}{rng.choice(['商业办公', '科创中心', '产业园', '保障性租赁住房', '动迁安置房', '学校新建', '社区综合服务中心'])}项目",
                    f"{d}{pl}{rng.choice(['单元', '片区'])}{rng.randint(1, 30):02d}-{rng.randint(1, 9):02d}地块{rng.choice(['商品住宅', '租赁住房', '研发办公'])}项目",
                ]
            )
            area = float(round(rng.uniform(8000, 250000), -1))
            inv = r2(area * rng.uniform(0.35, 0.6))
        else:
            road = rng.choice(ROADS[d])
            name = {
                "市政基础设施工程": f"{road}（{rng.choice(ROADS[d])}—{rng.choice(ROADS[d])}）道路新建工程",
                "轨道交通工程": f"上海市轨道交通{rng.choice([19, 20, 21, 23, 25, 27])}号线{pl}站土建工程",
                "水务工程": f"{pl}{rng.choice(['泵站', '雨污混接改造', '河道综合整治', '供水管网改造'])}工程",
                "园林绿化工程": f"{pl}{rng.choice(['公园新建', '绿地改造', '生态廊道'])}工程",
            }[pt]
            area = ""
            inv = r2(rng.uniform(800, 60000))
        permit_day = rdate(rng, dt.date(year, 1, 3), dt.date(year, 12, 28))
        zh = rng.choice(RARE_GBK_ZIHAO) if (rare_chars and rng.random() < 0.08) else zihao(rng)
        owner = (
            f"上海{zh}{rng.choice(['置业有限公司', '房地产开发有限公司', '建设发展有限公司', '城市建设投资有限公司'])}"
            if pt == "房屋建筑工程"
            else rng.choice(
                [
                    f"上海市{d}建设和管理委员会",
                    f"上海市{d}水务局",
                    "上海申通地铁集团有限公司",
                    f"上海{zh}城市建设投资有限公司",
                ]
            )
        )
        status = rng.choices(
            ["未开工", "在建", "已竣工", "停工"], [5, 80, 12, 3] if year == 2024 else [1, 60, 37, 2]
        )[0]
        rows.append(
            {
                "permit_no": f"{DISTRICT_INFO[d]['code']}{permit_day.strftime('%Y%m%d')}{seq.next(d):04d}",
                "project_name": name,
                "project_type": pt,
                "district": d,
                "location": address(rng, d),
                "construction_unit": owner,
                "contractor": rng.choice(CONTRACTORS),
                "total_investment": inv,
                "floor_area": area,
                "permit_date": permit_day.isoformat(),
                "planned_completion": (permit_day + dt.timedelta(days=rng.randint(360, 1300))).isoformat(),
                "status": status,
            }
        )
    rows.sort(key=lambda r: r["permit_no"])
    return rows


def construction_permits_2024() -> Pkg:
    return Pkg(
        "zjw",
        "construction-permits-2024",
        "2024年上海市建设工程施工许可信息",
        "urban-construction",
        "2024 年全市核发的建设工程施工许可证信息，包括工程名称、工程类别、建设地点、建设单位、施工总承包单位、"
        "合同价格、建筑面积和工程状态。" + SYNTHETIC_NOTE,
        ["施工许可", "建设工程", "建筑工地", "在建工程"],
        [
            Res(
                "construction-permits-2024",
                "施工许可",
                "data/construction-permits-2024.csv",
                lambda: rows_construction(2024),
                "construction-project",
            )
        ],
        update="每日",
        temporal="2024-01-01/2024-12-31",
        created="2024-01-05T09:00:00+08:00",
    )


def construction_permits_2023() -> Pkg:
    return Pkg(
        "zjw",
        "construction-permits-2023",
        "2023年上海市建设工程施工许可信息",
        "urban-construction",
        "2023 年全市核发的建设工程施工许可证信息，字段与 2024 年数据一致。该文件由原业务系统导出，采用 GBK 编码"
        "（未在元数据中声明编码）。" + SYNTHETIC_NOTE,
        ["施工许可", "建设工程", "建筑工地"],
        [
            Res(
                "construction-permits-2023",
                "施工许可",
                "data/construction-permits-2023.csv",
                lambda: rows_construction(2023, rare_chars=True),
                "construction-project",
                encoding="gbk",
                declare_encoding=False,
            )
        ],
        update="每年",
        temporal="2023-01-01/2023-12-31",
        created="2023-01-06T09:00:00+08:00",
        extra={"x_source_system": "上海市建设工程联审共享平台（旧版导出）"},
    )
