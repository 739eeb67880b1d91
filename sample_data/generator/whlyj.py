"""Sample packages of 上海市文化和旅游局 (Shanghai Municipal Administration of Culture and Tourism, folder
``sample_data/whlyj/``).

Packages: ``a-level-scenic-spots``, ``public-libraries``, ``museums-and-exhibitions``.

The most varied department: an XLSX with a title row (`dialect.headerRows = [3]`), a JSON resource with an
inline schema, and two deliberate constraint errors in `public-libraries`.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import address, phone, place, point, rdate, rng_for, unique_name, weighted_district
from .model import Err, Pkg, Res
from .reference import CENTRAL, DISTRICT_INFO, DISTRICTS, STREETS, SYNTHETIC_NOTE

FAMOUS_SPOTS = [
    ("东方明珠广播电视塔", "AAAAA", "浦东新区", "浦东新区世纪大道1号", 2007, 199),
    ("上海野生动物园", "AAAAA", "浦东新区", "浦东新区南六公路178号", 2007, 165),
    ("上海科技馆", "AAAAA", "浦东新区", "浦东新区世纪大道2000号", 2010, 45),
    ("中共一大纪念馆", "AAAAA", "黄浦区", "黄浦区黄陂南路374号", 2024, 0),
    ("上海豫园", "AAAA", "黄浦区", "黄浦区安仁街218号", 2003, 40),
    ("上海植物园", "AAAA", "徐汇区", "徐汇区龙吴路1111号", 2005, 15),
    ("上海动物园", "AAAA", "长宁区", "长宁区虹桥路2381号", 2004, 40),
    ("朱家角古镇", "AAAA", "青浦区", "青浦区朱家角镇课植园路", 2007, 0),
    ("佘山国家森林公园", "AAAA", "松江区", "松江区外青松公路9258号", 2005, 30),
    ("上海海洋水族馆", "AAAA", "浦东新区", "浦东新区陆家嘴环路1388号", 2004, 160),
    ("金茂大厦88层观光厅", "AAAA", "浦东新区", "浦东新区世纪大道88号", 2005, 120),
    ("上海城市规划展示馆", "AAAA", "黄浦区", "黄浦区人民大道100号", 2004, 30),
    ("上海辰山植物园", "AAAA", "松江区", "松江区辰花路3888号", 2013, 60),
    ("上海欢乐谷", "AAAA", "松江区", "松江区林湖路888号", 2009, 230),
    ("上海鲁迅纪念馆", "AAAA", "虹口区", "虹口区甜爱路200号", 2008, 0),
    ("枫泾古镇", "AAAA", "金山区", "金山区枫泾镇亭枫公路8588号", 2006, 50),
    ("东平国家森林公园", "AAAA", "崇明区", "崇明区北沿公路2188号", 2006, 70),
    ("上海国际旅游度假区", "AAAA", "浦东新区", "浦东新区申迪西路753号", 2016, 0),
    ("上海世纪公园", "AAAA", "浦东新区", "浦东新区锦绣路1001号", 2002, 0),
    ("上海共青森林公园", "AAAA", "杨浦区", "杨浦区军工路2000号", 2004, 15),
    ("新场古镇", "AAAA", "浦东新区", "浦东新区新场镇新场大街", 2016, 0),
    ("七宝老街", "AAAA", "闵行区", "闵行区七宝镇青年路", 2008, 0),
    ("上海中国航海博物馆", "AAAA", "浦东新区", "浦东新区申港大道197号", 2011, 50),
    ("上海汽车博览公园", "AAAA", "嘉定区", "嘉定区安亭镇博园路7565号", 2009, 50),
    ("嘉定州桥景区", "AAAA", "嘉定区", "嘉定区嘉定镇街道东大街", 2014, 0),
    ("崇明西沙明珠湖", "AAAA", "崇明区", "崇明区绿华镇明珠湖路2号", 2011, 50),
    ("滴水湖景区", "AAAA", "浦东新区", "浦东新区环湖西一路", 2019, 0),
    ("上海玻璃博物馆", "AAAA", "宝山区", "宝山区长江西路685号", 2017, 50),
]


def rows_scenic_spots() -> list[dict[str, Any]]:
    rng = rng_for("scenic-spots")
    rows = []
    seen: dict[str, int] = {}
    for i, (name, lvl, d, addr, yr, price) in enumerate(FAMOUS_SPOTS, start=1):
        lon, lat = point(rng, d)
        seen[name] = 1
        rows.append(
            {
                "id": f"SS{i:04d}",
                "name": name,
                "level": lvl,
                "district": d,
                "address": addr,
                "rated_year": yr,
                "ticket_price": float(price),
                "phone": phone(rng),
                "longitude": lon,
                "latitude": lat,
            }
        )
    kinds = [
        ("古镇", 0),
        ("生态园", 30),
        ("农业园区", 20),
        ("文化创意园区", 0),
        ("郊野公园", 0),
        ("森林公园", 15),
        ("纪念馆", 0),
        ("博物馆", 20),
        ("湿地公园", 10),
        ("度假村", 80),
        ("老街", 0),
        ("风景区", 30),
    ]
    i = len(rows)
    while len(rows) < 142:
        d = weighted_district(rng, {k: (3 if k in CENTRAL else 8) for k in DISTRICTS})
        kind, price = rng.choice(kinds)
        name = f"上海{place(rng, d)}{kind}" if rng.random() < 0.6 else f"{place(rng, d)}{kind}"
        if name in seen:
            continue
        seen[name] = 1
        i += 1
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"SS{i:04d}",
                "name": name,
                "level": rng.choices(["AAAA", "AAA", "AA", "A"], [20, 60, 15, 5])[0],
                "district": d,
                "address": address(rng, d),
                "rated_year": rng.randint(2003, 2024),
                "ticket_price": float(price + rng.choice([0, 0, 10, 20])) if price else 0.0,
                "phone": phone(rng),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


DISTRICT_LIBRARIES = {
    "黄浦区": ("黄浦区图书馆", "黄浦区南昌路80号"),
    "徐汇区": ("徐汇区图书馆", "徐汇区南丹东路80号"),
    "长宁区": ("长宁区图书馆", "长宁区长宁路356号"),
    "静安区": ("静安区图书馆", "静安区新闸路1702号"),
    "普陀区": ("普陀区图书馆", "普陀区铜川路1401号"),
    "虹口区": ("虹口区图书馆", "虹口区水电路1412号"),
    "杨浦区": ("杨浦区图书馆", "杨浦区长海路366号"),
    "闵行区": ("闵行区图书馆", "闵行区名都路88号"),
    "宝山区": ("宝山区图书馆", "宝山区海江路600号"),
    "嘉定区": ("嘉定区图书馆", "嘉定区裕民南路1288号"),
    "浦东新区": ("浦东图书馆", "浦东新区前程路88号"),
    "金山区": ("金山区图书馆", "金山区卫零路488号"),
    "松江区": ("松江区图书馆", "松江区中山东路250号"),
    "青浦区": ("青浦区图书馆", "青浦区华青路139号"),
    "奉贤区": ("奉贤区图书馆", "奉贤区解放东路889号"),
    "崇明区": ("崇明区图书馆", "崇明区城桥镇八一路450号"),
}


def rows_libraries() -> list[dict[str, Any]]:
    rng = rng_for("libraries")
    rows = [
        {
            "name": "上海图书馆（淮海路馆）",
            "library_type": "市级公共图书馆",
            "district": "徐汇区",
            "address": "徐汇区淮海中路1555号",
            "collection_volume": 56000000,
            "seats": 3000,
        },
        {
            "name": "上海图书馆东馆",
            "library_type": "市级公共图书馆",
            "district": "浦东新区",
            "address": "浦东新区合欢路300号",
            "collection_volume": 4800000,
            "seats": 4500,
        },
    ]
    for d, (nm, addr) in DISTRICT_LIBRARIES.items():
        rows.append(
            {
                "name": nm,
                "library_type": "区级公共图书馆",
                "district": d,
                "address": addr,
                "collection_volume": rng.randint(800000, 3500000),
                "seats": rng.randint(400, 1500),
            }
        )
    for d in DISTRICTS:
        for s in STREETS[d]:
            rows.append(
                {
                    "name": f"{s}图书馆",
                    "library_type": "街镇图书馆",
                    "district": d,
                    "address": address(rng, d),
                    "collection_volume": rng.randint(20000, 120000),
                    "seats": rng.randint(40, 240),
                }
            )
    while len(rows) < 260:
        d = weighted_district(rng)
        nm = f"{DISTRICT_LIBRARIES[d][0].replace('图书馆', '')}图书馆{place(rng, d)}{rng.choice(['社区分馆', '书苑', '城市书房'])}"
        if any(r["name"] == nm for r in rows):
            continue
        rows.append(
            {
                "name": nm,
                "library_type": "社区分馆",
                "district": d,
                "address": address(rng, d),
                "collection_volume": rng.randint(3000, 30000),
                "seats": rng.randint(10, 80),
            }
        )
    out = []
    for i, r in enumerate(rows, start=1):
        lon, lat = point(rng, r["district"])
        big = r["library_type"] in ("市级公共图书馆", "区级公共图书馆")
        out.append(
            {
                "id": f"LIB{i:05d}",
                "name": r["name"],
                "library_type": r["library_type"],
                "district": r["district"],
                "address": r["address"],
                "opening_hours": "09:00-21:00"
                if big
                else rng.choice(["08:30-16:30", "09:00-17:00", "09:00-20:00", "13:00-20:00"]),
                "collection_volume": r["collection_volume"],
                "seats": r["seats"],
                "phone": phone(rng),
                "website": f"https://library.example.org/{DISTRICT_INFO[r['district']]['code']}/{i}"
                if big
                else "",
                "longitude": lon,
                "latitude": lat,
            }
        )
    return out


def museum_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "博物馆编号",
                "description": "备案编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "name",
                "title": "博物馆名称",
                "description": "博物馆（纪念馆）名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "category",
                "title": "类别",
                "description": "博物馆类别。",
                "type": "string",
                "constraints": {"enum": ["综合类", "历史类", "艺术类", "自然科技类", "纪念类", "行业类"]},
            },
            {
                "name": "ownership",
                "title": "性质",
                "description": "国有或非国有。",
                "type": "string",
                "constraints": {"enum": ["国有", "非国有"]},
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
                "name": "free_admission",
                "title": "免费开放",
                "description": "是否免费开放。",
                "type": "boolean",
            },
            {"name": "closed_on", "title": "闭馆日", "description": "例行闭馆日。", "type": "string"},
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def exhibition_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "exhibition_id",
                "title": "展览编号",
                "description": "展览编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "museum_id",
                "title": "博物馆编号",
                "description": "举办展览的博物馆编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "title",
                "title": "展览名称",
                "description": "展览名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {"name": "start_date", "title": "开始日期", "description": "展期开始日期。", "type": "date"},
            {"name": "end_date", "title": "结束日期", "description": "展期结束日期。", "type": "date"},
            {
                "name": "ticket_price",
                "title": "票价",
                "description": "特展票价，单位为元；免费为 0。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
        ],
        "primaryKey": ["exhibition_id"],
    }


_MUSEUM_CACHE: list[dict[str, Any]] = []


def rows_museums() -> list[dict[str, Any]]:
    if _MUSEUM_CACHE:
        return _MUSEUM_CACHE
    rng = rng_for("museums")
    seen: dict[str, int] = {}
    cats = [
        ("综合类", ["博物馆"]),
        ("历史类", ["历史博物馆", "陈列馆", "民俗馆"]),
        ("艺术类", ["美术馆", "艺术馆", "艺术博物馆"]),
        ("自然科技类", ["自然博物馆", "科技馆", "标本馆"]),
        ("纪念类", ["纪念馆", "故居陈列馆"]),
        ("行业类", ["行业博物馆", "工业博物馆", "档案馆"]),
    ]
    for i in range(1, 166):
        d = weighted_district(rng, {k: (8 if k in CENTRAL else 4) for k in DISTRICTS})
        cat, sfx = rng.choices(cats, [10, 20, 25, 10, 15, 20])[0]

        def mk(d: str = d, sfx: list[str] = sfx) -> str:
            return (
                f"上海{place(rng, d)}{rng.choice(sfx)}"
                if rng.random() < 0.5
                else f"{DISTRICT_INFO[d]['short']}区{place(rng, d)}{rng.choice(sfx)}"
            )

        lon, lat = point(rng, d)
        _MUSEUM_CACHE.append(
            {
                "id": f"MU{i:04d}",
                "name": unique_name(seen, mk(), mk),
                "category": cat,
                "ownership": "国有" if rng.random() < 0.6 else "非国有",
                "district": d,
                "address": address(rng, d),
                "free_admission": "true" if rng.random() < 0.7 else "false",
                "closed_on": rng.choice(["周一", "周一", "周二", "无"]),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return _MUSEUM_CACHE


def rows_exhibitions() -> list[dict[str, Any]]:
    rng = rng_for("exhibitions")
    themes = [
        "江南文化",
        "海派艺术",
        "古代青铜器",
        "丝绸之路",
        "近代工业",
        "城市记忆",
        "红色印记",
        "陶瓷艺术",
        "书画珍品",
        "自然奇观",
        "航海文明",
        "科技创新",
        "非遗技艺",
        "老上海生活",
        "石库门建筑",
    ]
    rows = []
    for i in range(1, 301):
        m = rng.choice(rows_museums())
        start = rdate(rng, dt.date(2024, 1, 1), dt.date(2024, 11, 30))
        rows.append(
            {
                "exhibition_id": f"EX2024{i:04d}",
                "museum_id": m["id"],
                "title": f"{rng.choice(themes)}{rng.choice(['特展', '主题展', '专题展', '文物展', '精品展'])}",
                "start_date": start.isoformat(),
                "end_date": (start + dt.timedelta(days=rng.randint(30, 180))).isoformat(),
                "ticket_price": float(rng.choice([0, 0, 0, 30, 50, 80])),
            }
        )
    return rows


def a_level_scenic_spots() -> Pkg:
    return Pkg(
        "whlyj",
        "a-level-scenic-spots",
        "上海市A级旅游景区名录",
        "culture-leisure",
        "截至 2024 年末本市 A 级旅游景区名录，包括景区等级、评定年份、门票价格、地址和联系电话。"
        "数据以 Excel 文件发布，第一行为表格标题，第二行为空行，第三行为表头。" + SYNTHETIC_NOTE,
        ["旅游景区", "A级景区", "5A景区", "旅游", "景点"],
        [
            Res(
                "scenic-spots",
                "A级旅游景区名录",
                "data/a-level-scenic-spots-2024.xlsx",
                rows_scenic_spots,
                "scenic-spot",
                fmt="xlsx",
                xlsx_title="2024年上海市A级旅游景区名录",
                sheet="A级旅游景区",
            )
        ],
        update="每年",
        temporal="2024-01-01/2024-12-31",
        created="2017-04-20T09:00:00+08:00",
        version="2024.12.0",
    )


def public_libraries() -> Pkg:
    return Pkg(
        "whlyj",
        "public-libraries",
        "上海市公共图书馆信息",
        "culture-leisure",
        "全市公共图书馆（市级馆、区级馆、街镇图书馆和社区分馆）的地址、开放时间、馆藏量和阅览座位数。"
        + SYNTHETIC_NOTE,
        ["图书馆", "公共图书馆", "阅读", "借书"],
        [
            Res(
                "libraries",
                "公共图书馆",
                "data/public-libraries.csv",
                rows_libraries,
                "library",
                errors=[
                    Err(
                        "set",
                        57,
                        "district",
                        "浦东区",
                        "所属区写成了非标准名称“浦东区”（应为“浦东新区”），不在枚举范围内",
                        "constraint-error",
                    ),
                    Err(
                        "set",
                        131,
                        "seats",
                        -20,
                        "阅览座位数为负数（-20），违反 minimum=0",
                        "constraint-error",
                    ),
                ],
            )
        ],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2018-04-23T09:00:00+08:00",
    )


def museums_and_exhibitions() -> Pkg:
    return Pkg(
        "whlyj",
        "museums-and-exhibitions",
        "上海市博物馆名录及2024年展览信息",
        "culture-leisure",
        "本市备案博物馆（纪念馆、美术馆）名录及 2024 年临时展览信息。展览信息以 JSON 数组发布。"
        + SYNTHETIC_NOTE,
        ["博物馆", "美术馆", "纪念馆", "展览", "文化"],
        [
            Res("museums", "博物馆名录", "data/museums.csv", rows_museums, museum_schema()),
            Res(
                "exhibitions-2024",
                "2024年展览信息",
                "data/exhibitions-2024.json",
                rows_exhibitions,
                exhibition_schema(),
                fmt="json",
            ),
        ],
        update="每月",
        temporal="2024-01-01/2024-12-31",
        created="2019-05-18T09:00:00+08:00",
    )
