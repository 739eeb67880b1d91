"""Sample packages of 上海市交通委员会 (Shanghai Municipal Transportation Commission, folder ``sample_data/jtw/``).

Packages: ``shanghai-public-parking-lots``, ``pudong-public-parking-lots-2023``,
``shanghai-on-street-parking-berths``, ``shanghai-bus-routes``.

The parking lots are drawn once and cached: the 2023 Pudong list is a subset of the city-wide list, so the two
resources stay comparable (same schema, different year and district). `shanghai-on-street-parking-berths` is
written with a UTF-8 BOM on purpose.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import random
from typing import Any

from .common import Seq, address, house_no, place, point, r2, rng_for, unique_name, weighted_district
from .model import Pkg, Res
from .reference import CENTRAL, DISTRICT_INFO, DISTRICTS, ROADS, SYNTHETIC_NOTE

FAMOUS_PARKING = [
    ("浦东新区", "上海浦东国际机场P1停车库", "浦东新区启航路900号", 121.8055, 31.1519, 2960, 10),
    ("浦东新区", "上海浦东国际机场P2停车库", "浦东新区启航路1000号", 121.8018, 31.1467, 3180, 10),
    ("浦东新区", "上海迪士尼度假区停车场", "浦东新区申迪西路753号", 121.6640, 31.1468, 6200, 0),
    ("浦东新区", "上海新国际博览中心停车场", "浦东新区龙阳路2345号", 121.5680, 31.2050, 2250, 8),
    ("浦东新区", "世纪公园停车场", "浦东新区锦绣路1001号", 121.5510, 31.2190, 620, 6),
    ("浦东新区", "上海科技馆地下停车库", "浦东新区世纪大道2000号", 121.5450, 31.2215, 870, 10),
    ("浦东新区", "正大广场地下停车库", "浦东新区陆家嘴西路168号", 121.4990, 31.2380, 1050, 15),
    ("浦东新区", "国金中心地下停车库", "浦东新区世纪大道8号", 121.5030, 31.2370, 1820, 20),
    ("浦东新区", "东方体育中心停车场", "浦东新区泳耀路300号", 121.4880, 31.1550, 1400, 5),
    ("浦东新区", "前滩太古里地下停车库", "浦东新区东育路500号", 121.4800, 31.1560, 1300, 15),
    ("浦东新区", "张江国创中心停车库", "浦东新区丹桂路899号", 121.5920, 31.2040, 760, 6),
    ("浦东新区", "龙阳路交通枢纽P+R停车场", "浦东新区龙阳路2000号", 121.5610, 31.2090, 540, 2),
    ("黄浦区", "人民广场地下停车库", "黄浦区人民大道200号", 121.4750, 31.2310, 600, 15),
    ("黄浦区", "新天地地下公共停车库", "黄浦区兴业路123号", 121.4740, 31.2200, 480, 15),
    ("徐汇区", "徐家汇港汇恒隆广场停车库", "徐汇区虹桥路1号", 121.4350, 31.1950, 1100, 15),
    ("长宁区", "虹桥国际机场T2停车楼", "长宁区申达一路99号", 121.3270, 31.1950, 4200, 10),
    ("闵行区", "虹桥火车站东交通广场停车库", "闵行区申贵路1500号", 121.3220, 31.1940, 3000, 10),
    ("青浦区", "国家会展中心（上海）停车场", "青浦区崧泽大道333号", 121.3000, 31.1910, 4800, 8),
    ("杨浦区", "五角场万达广场地下停车库", "杨浦区邯郸路600号", 121.5130, 31.3000, 1200, 10),
    ("宝山区", "顾村公园停车场", "宝山区沪太路4788号", 121.3790, 31.3560, 1300, 5),
]


PARKING_SUFFIXES = [
    "广场",
    "大厦",
    "中心",
    "商厦",
    "花园",
    "商业中心",
    "科技园",
    "医院",
    "体育中心",
    "大楼",
    "城",
    "天地",
    "公寓",
    "产业园",
    "社区",
    "菜场",
    "邻里中心",
    "文化中心",
]


PARKING_KINDS = ["停车场", "地下停车库", "公共停车场", "立体停车库", "停车楼", "公共停车库"]


def parking_name(rng: random.Random, district: str) -> str:
    r = rng.random()
    if r < 0.12:
        road = rng.choice(ROADS[district])
        return f"{road}{house_no(rng)}号公共停车库"
    if r < 0.18:
        return f"{place(rng, district)}P+R停车场"
    return f"{place(rng, district)}{rng.choice(PARKING_SUFFIXES)}{rng.choice(PARKING_KINDS)}"


def parking_fee(rng: random.Random, district: str) -> float:
    if district in CENTRAL:
        return float(rng.choice([8, 10, 10, 12, 15, 15, 20]))
    if district == "浦东新区":
        return float(rng.choice([0, 3, 5, 5, 6, 8, 10, 10, 12, 15]))
    return float(rng.choice([0, 2, 3, 3, 4, 5, 5, 6, 8]))


_PARKING_CACHE: list[dict[str, Any]] = []


def rows_public_parking() -> list[dict[str, Any]]:
    if _PARKING_CACHE:
        return _PARKING_CACHE
    rng = rng_for("public-parking")
    seq = Seq()
    seen: dict[str, int] = {}
    rows = []
    for d, name, addr, lon, lat, spaces, fee in FAMOUS_PARKING:
        code = DISTRICT_INFO[d]["code"]
        rows.append(
            {
                "id": f"P{code}{seq.next(d):04d}",
                "name": name,
                "district": d,
                "address": addr,
                "longitude": lon,
                "latitude": lat,
                "total_spaces": spaces,
                "hourly_fee": float(fee),
            }
        )
        seen[name] = 1
    weights = {d: DISTRICT_INFO[d]["w"] for d in DISTRICTS}
    weights["浦东新区"] = 30
    while len(rows) < 820:
        d = weighted_district(rng, weights)
        name = unique_name(seen, parking_name(rng, d), lambda d=d: parking_name(rng, d))
        if d == "浦东新区" and rng.random() < 0.35:
            spaces = rng.randint(501, 1600)
        elif rng.random() < 0.08:
            spaces = rng.randint(500, 1200)
        else:
            spaces = int(min(480, max(20, rng.lognormvariate(4.9, 0.6))))
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"P{DISTRICT_INFO[d]['code']}{seq.next(d):04d}",
                "name": name,
                "district": d,
                "address": address(rng, d),
                "longitude": lon,
                "latitude": lat,
                "total_spaces": spaces,
                "hourly_fee": parking_fee(rng, d),
            }
        )
    rows.sort(key=lambda r: r["id"])
    _PARKING_CACHE.extend(rows)
    return rows


def rows_pudong_parking_2023() -> list[dict[str, Any]]:
    """The 2023 Pudong list: the Pudong lots of the current list, minus newer ones, older figures."""
    rng = rng_for("pudong-parking-2023")
    out = []
    for r in rows_public_parking():
        if r["district"] != "浦东新区" or rng.random() < 0.12:
            continue
        r = dict(r)
        if rng.random() < 0.2:
            r["total_spaces"] = max(10, r["total_spaces"] - rng.randint(1, 60))
        if r["hourly_fee"] and rng.random() < 0.25:
            r["hourly_fee"] = max(0.0, r["hourly_fee"] - rng.choice([1, 2]))
        out.append(r)
    return out


def rows_on_street_parking() -> list[dict[str, Any]]:
    rng = rng_for("on-street-parking")
    seq = Seq()
    rows = []
    seen: dict[str, int] = {}
    hours = ["07:00-22:00", "07:00-19:00", "09:00-21:00", "00:00-24:00", "08:00-20:00", "07:30-21:30"]
    while len(rows) < 900:
        d = weighted_district(rng)
        road, a, b = rng.sample(ROADS[d], 3)
        key = f"{road}{a}{b}"
        if key in seen:
            continue
        seen[key] = 1
        ctype = rng.choices(["按时计费", "按次计费", "免费"], [80, 12, 8])[0]
        if ctype == "免费":
            fee = 0.0
        elif ctype == "按次计费":
            fee = float(rng.choice([5, 10]))
        elif d in CENTRAL:
            fee = float(rng.choice([10, 10, 12, 15]))
        else:
            fee = float(rng.choice([2, 3, 5, 5, 6, 8]))
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"R{DISTRICT_INFO[d]['code']}{seq.next(d):04d}",
                "road_name": road,
                "segment": f"{a}至{b}",
                "district": d,
                "spaces": rng.randint(5, 80),
                "charge_type": ctype,
                "first_hour_fee": fee,
                "charge_hours": "" if ctype == "免费" else rng.choice(hours),
                "longitude": lon,
                "latitude": lat,
            }
        )
    rows.sort(key=lambda r: r["id"])
    return rows


BUS_OPERATORS_CENTRAL = [
    "上海巴士第一公共交通有限公司",
    "上海巴士第二公共交通有限公司",
    "上海巴士第三公共交通有限公司",
    "上海巴士第五公共交通有限公司",
    "上海巴士新新汽车服务有限公司",
    "上海强生巴士有限公司",
]


PUDONG_OPERATORS = [
    "上海浦东杨高公共交通有限公司",
    "上海浦东上南公共交通有限公司",
    "上海浦东金高公共交通有限公司",
    "上海南汇公共交通有限公司",
]


def bus_stop(rng: random.Random, d: str) -> str:
    r = rng.random()
    if r < 0.5:
        a, b = rng.sample(ROADS[d], 2)
        return f"{a}{b}"
    if r < 0.8:
        return f"{place(rng, d)}{rng.choice(['公交枢纽站', '地铁站', '汽车站', '公交站', '首末站'])}"
    return f"{place(rng, d)}{rng.choice(['', '新村', '中心', '广场'])}"


def rows_bus_routes() -> list[dict[str, Any]]:
    rng = rng_for("bus-routes")
    names: list[tuple[str, str, str]] = []  # (route_name, type, district)
    for n in range(1, 1300):
        if rng.random() < 0.3:
            continue
        if n == 71:
            names.append(("71路", "中运量公交", "黄浦区"))
        elif 300 <= n <= 330:
            names.append((f"{n}路", "夜宵线", rng.choice(CENTRAL)))
        elif n < 200 or 500 <= n < 1000:
            names.append((f"{n}路", "常规线路", weighted_district(rng)))
        else:
            names.append((f"{n}路", "常规线路", weighted_district(rng)))
    for d in DISTRICTS:
        if d in CENTRAL:
            continue
        short = DISTRICT_INFO[d]["short"]
        for n in range(1, rng.randint(25, 60)):
            names.append((f"{short}{n}路", "区域线路", d))
    for n in range(1, 40):
        names.append((f"定制公交{n}线", "定制公交", weighted_district(rng)))
    for n, d in [("一", "浦东新区"), ("二", "青浦区"), ("三", "松江区"), ("四", "金山区"), ("五", "崇明区")]:
        names.append((f"旅游{n}线", "旅游线路", d))
    for nm, d in [
        ("隧道三线", "浦东新区"),
        ("隧道六线", "浦东新区"),
        ("沪南线", "浦东新区"),
        ("申崇一线", "崇明区"),
        ("申崇二线", "崇明区"),
        ("松江旅游专线", "松江区"),
        ("虹桥枢纽4路", "闵行区"),
        ("机场一线", "浦东新区"),
    ]:
        names.append((nm, "常规线路", d))
    rows = []
    for i, (name, rtype, d) in enumerate(names, start=1):
        if d in CENTRAL:
            op = rng.choice(BUS_OPERATORS_CENTRAL)
        elif d == "浦东新区":
            op = rng.choice(PUDONG_OPERATORS + BUS_OPERATORS_CENTRAL[:2])
        else:
            op = f"上海{DISTRICT_INFO[d]['short']}公共交通有限公司"
        length = r2(rng.uniform(4, 18) if rtype == "区域线路" else rng.uniform(8, 38))
        if name in ("申崇一线", "申崇二线", "机场一线", "沪南线"):
            length = r2(rng.uniform(45, 75))
        start, end = bus_stop(rng, d), bus_stop(rng, weighted_district(rng) if rng.random() < 0.3 else d)
        if rtype == "夜宵线":
            first, last = "23:00:00", rng.choice(["04:00:00", "04:30:00", "05:00:00"])
        else:
            first = f"{rng.choice([4, 5, 5, 5, 6, 6]):02d}:{rng.choice([0, 15, 30, 45]):02d}:00"
            last = f"{rng.choice([19, 20, 21, 22, 22, 23]):02d}:{rng.choice([0, 15, 30, 45]):02d}:00"
        fare = 2.0
        if rtype == "区域线路":
            fare = rng.choice([1.0, 1.0, 2.0])
        elif rtype == "定制公交":
            fare = float(rng.choice([5, 6, 8, 10]))
        elif length > 40:
            fare = float(rng.choice([3, 4, 5, 6]))
        rows.append(
            {
                "route_id": f"BL{i:05d}",
                "route_name": name,
                "route_type": rtype,
                "operator": op,
                "district": d,
                "start_stop": start,
                "end_stop": end,
                "first_bus": first,
                "last_bus": last,
                "length_km": length,
                "stop_count": min(110, max(2, int(length * rng.uniform(1.2, 2.0)))),
                "fare": fare,
                "air_conditioned": "true" if rng.random() < 0.97 else "false",
            }
        )
    return rows


def parking_readme() -> bytes:
    text = """上海市公共停车场（库）信息 数据说明

一、数据来源
本数据由上海市交通委员会根据各区交通管理部门报送的公共停车场（库）经营备案信息汇总形成。

二、字段说明
id            停车场编号：P + 6 位行政区划代码 + 4 位序号
name          停车场名称
district      所属区
address       地址
longitude     经度（WGS-84）
latitude      纬度（WGS-84）
total_spaces  泊位总数（个）
hourly_fee    小时收费标准（元/小时），0 表示免费

三、更新频率
每月更新一次，每月 10 日前发布上月末数据。

四、注意事项
1. 收费标准为白天时段小型车标准，夜间、大型车及包月收费以现场公示为准。
2. 机场、枢纽等大型停车场的泊位数为多个停车库合计。
3. 本数据为平台示例数据，由程序模拟生成，仅用于开发和测试。
"""
    return text.encode("utf-8")


def shanghai_public_parking_lots() -> Pkg:
    return Pkg(
        "jtw",
        "shanghai-public-parking-lots",
        "上海市公共停车场（库）信息",
        "transport",
        "本数据集包含全市经备案的公共停车场（库）基本信息，包括停车场名称、所属区、地址、经纬度、泊位总数和小时收费标准，"
        "覆盖机场、铁路枢纽、商业综合体、医院、公园及 P+R 停车场等。数据由各区交通管理部门每月报送，市交通委汇总发布。"
        "收费标准以现场公示为准。" + SYNTHETIC_NOTE,
        ["停车场", "停车库", "公共停车", "停车", "泊位", "P+R"],
        [
            Res(
                "parking-lots",
                "公共停车场（库）清单",
                "data/parking-lots.csv",
                rows_public_parking,
                "parking-lot",
            ),
            Res(
                "data-dictionary",
                "数据说明",
                "docs/data-dictionary.txt",
                None,
                None,
                fmt="txt",
                content=parking_readme,
                mediatype="text/plain",
                description="字段含义、更新频率和注意事项。",
            ),
        ],
        update="每月",
        temporal="2024-01-01/2024-12-31",
        created="2019-06-12T10:00:00+08:00",
        version="3.2.0",
        extra={"x_source_system": "上海市停车信息联网平台", "x_update_day": 10},
    )


def pudong_public_parking_lots_2023() -> Pkg:
    return Pkg(
        "jtw",
        "pudong-public-parking-lots-2023",
        "2023年浦东新区公共停车场（库）名录",
        "道路交通",
        "2023 年末浦东新区公共停车场（库）名录，字段与全市公共停车场（库）信息一致，供历年对比使用。"
        "2024 年新增停车场未包含在内。" + SYNTHETIC_NOTE,
        ["停车场", "浦东新区", "停车", "泊位"],
        [
            Res(
                "pudong-parking-lots-2023",
                "2023年浦东新区公共停车场（库）",
                "data/pudong-parking-lots-2023.csv",
                rows_pudong_parking_2023,
                "parking-lot",
            )
        ],
        update="每年",
        temporal="2023-01-01/2023-12-31",
        spatial="上海市浦东新区",
        created="2024-02-20T09:30:00+08:00",
    )


def shanghai_on_street_parking_berths() -> Pkg:
    return Pkg(
        "jtw",
        "shanghai-on-street-parking-berths",
        "上海市道路停车场（泊位）设置信息",
        "transport",
        "全市经公安交警和交通管理部门批准设置的道路停车场（路内停车泊位）信息，包括道路名称、路段起止、泊位数、"
        "收费方式、首小时收费和收费时段。文件为带 BOM 的 UTF-8 编码，可直接用 Excel 打开。" + SYNTHETIC_NOTE,
        ["道路停车", "停车泊位", "路内停车", "停车场", "停车"],
        [
            Res(
                "on-street-parking",
                "道路停车场（泊位）清单",
                "data/on-street-parking.csv",
                rows_on_street_parking,
                "on-street-parking",
                bom=True,
            )
        ],
        update="每季度",
        temporal="2024-01-01/2024-12-31",
        created="2020-04-01T10:00:00+08:00",
        version="2.0.1",
    )


def shanghai_bus_routes() -> Pkg:
    return Pkg(
        "jtw",
        "shanghai-bus-routes",
        "上海市公交线路基本信息",
        "transport",
        "全市地面公交线路基本信息，包括线路类型（常规、中运量、夜宵线、定制公交、区域线路、旅游线路）、运营企业、"
        "起讫站点、首末班时间、线路长度、站点数和票价。" + SYNTHETIC_NOTE,
        ["公交", "公交线路", "公共交通", "首末班", "夜宵线"],
        [Res("bus-routes", "公交线路", "data/bus-routes.csv", rows_bus_routes, "bus-route")],
        update="每月",
        temporal="2024-12-01/2024-12-31",
        created="2018-11-05T09:00:00+08:00",
        version="5.1.0",
    )
