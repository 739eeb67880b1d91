"""Sample packages of 上海市水务局 (Shanghai Water Authority, folder ``sample_data/swj/``).

Packages: ``surface-water-quality-monitoring``, ``hydrological-station-water-levels``.

Two packages: yearly water-quality sections (one resource per year, same schema) and an hourly water-level
series of more than 20,000 rows, kept large on purpose for the rows API and the search tests.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from .common import r2, rng_for
from .model import Pkg, Res
from .reference import DISTRICTS, SYNTHETIC_NOTE

RIVERS = {
    "黄浦江": ["松浦大桥", "临江", "杨浦大桥", "吴淞口", "闵浦大桥", "米市渡"],
    "苏州河": ["北新泾桥", "武宁路桥", "浙江路桥", "华漕"],
    "蕴藻浜": ["蕴东", "塘桥"],
    "淀浦河": ["淀浦河桥", "龙华港口"],
    "川杨河": ["川杨河桥", "杨思"],
    "大治河": ["大治河闸", "新场"],
    "油墩港": ["油墩港桥", "泗泾"],
    "太浦河": ["金泽", "练塘"],
    "拦路港": ["拦路港桥"],
    "淀山湖": ["淀山湖中", "急水港"],
    "大泖港": ["泖港"],
    "金汇港": ["金汇港南闸", "金汇"],
    "浦东运河": ["浦东运河北", "惠南"],
    "练祁河": ["练祁河嘉定", "罗店"],
    "张家浜": ["张家浜", "金桥"],
    "元荡": ["元荡"],
    "紫石泾": ["紫石泾"],
    "胥浦塘": ["胥浦塘"],
    "随塘河": ["随塘河奉贤"],
    "南横引河": ["南横引河崇明"],
    "北横引河": ["北横引河"],
    "新川沙河": ["新川沙河"],
    "朱家角漕港河": ["漕港河"],
    "龙泉港": ["龙泉港"],
}


RIVER_DISTRICT = {
    "黄浦江": ["闵行区", "徐汇区", "黄浦区", "杨浦区", "宝山区", "松江区"],
    "苏州河": ["普陀区", "长宁区", "静安区", "闵行区"],
    "蕴藻浜": ["宝山区"],
    "淀浦河": ["青浦区", "徐汇区"],
    "川杨河": ["浦东新区"],
    "大治河": ["浦东新区"],
    "油墩港": ["青浦区", "松江区"],
    "太浦河": ["青浦区"],
    "拦路港": ["青浦区"],
    "淀山湖": ["青浦区"],
    "大泖港": ["松江区"],
    "金汇港": ["奉贤区"],
    "浦东运河": ["浦东新区"],
    "练祁河": ["嘉定区", "宝山区"],
    "张家浜": ["浦东新区"],
    "元荡": ["青浦区"],
    "紫石泾": ["金山区"],
    "胥浦塘": ["金山区"],
    "随塘河": ["奉贤区"],
    "南横引河": ["崇明区"],
    "北横引河": ["崇明区"],
    "新川沙河": ["浦东新区"],
    "朱家角漕港河": ["青浦区"],
    "龙泉港": ["金山区"],
}


WATER_CLASSES = [
    ("Ⅱ类", 7.5, 3.0, 0.3, 0.08),
    ("Ⅲ类", 6.0, 4.8, 0.7, 0.15),
    ("Ⅳ类", 4.5, 7.0, 1.2, 0.25),
    ("Ⅴ类", 3.0, 11.0, 1.8, 0.35),
    ("劣Ⅴ类", 1.8, 14.0, 2.6, 0.5),
]


def water_sections() -> list[tuple[str, str, str, str, int]]:
    rng = rng_for("water-sections")
    out = []
    i = 0
    for river, names in RIVERS.items():
        for nm in names:
            i += 1
            d = RIVER_DISTRICT[river][(i - 1) % len(RIVER_DISTRICT[river])]
            out.append(
                (
                    f"SW{i:04d}",
                    f"{nm}断面" if not nm.endswith("断面") else nm,
                    river,
                    d,
                    rng.choices([0, 1, 2, 3, 4], [15, 55, 25, 4, 1])[0],
                )
            )
    return out


def rows_water_quality(year: int) -> list[dict[str, Any]]:
    rng = rng_for(f"water-quality-{year}")
    rows = []
    for code, name, river, d, base in water_sections():
        for m in range(1, 13):
            k = min(
                4,
                max(
                    0,
                    base
                    + rng.choices([-1, 0, 0, 0, 1], [1, 6, 6, 6, 2])[0]
                    - (1 if year == 2024 and rng.random() < 0.1 else 0),
                ),
            )
            cls, do, cod, nh3, tp = WATER_CLASSES[k]
            rows.append(
                {
                    "section_code": code,
                    "section_name": name,
                    "river": river,
                    "district": d,
                    "sample_date": dt.date(year, m, rng.randint(5, 15)).isoformat(),
                    "water_class": cls,
                    "dissolved_oxygen": r2(max(0.5, rng.gauss(do + (1.5 if m in (12, 1, 2) else 0), 0.5))),
                    "permanganate_index": r2(max(1, rng.gauss(cod, 0.5))),
                    "ammonia_nitrogen": r2(max(0.03, rng.gauss(nh3, nh3 * 0.2))),
                    "total_phosphorus": round(max(0.01, rng.gauss(tp, tp * 0.2)), 3),
                }
            )
    return rows


HYDRO_STATIONS = [
    ("63402800", "吴淞口", "黄浦江", "宝山区", 2.15, 1.6, 4.8),
    ("63403000", "黄浦公园", "黄浦江", "黄浦区", 2.20, 1.5, 4.8),
    ("63403300", "高桥", "黄浦江", "浦东新区", 2.15, 1.55, 4.8),
    ("63403600", "吴泾", "黄浦江", "闵行区", 2.30, 1.2, 4.4),
    ("63403900", "米市渡", "黄浦江", "松江区", 2.40, 0.8, 3.8),
    ("63404100", "松浦大桥", "黄浦江", "松江区", 2.45, 0.7, 3.8),
    ("63404400", "北新泾", "苏州河", "长宁区", 2.50, 0.6, 3.9),
    ("63404600", "蕴藻浜北闸", "蕴藻浜", "宝山区", 2.40, 0.4, 3.8),
    ("63404800", "泖甸", "大泖港", "松江区", 2.55, 0.5, 3.6),
    ("63405000", "商榻", "淀山湖", "青浦区", 2.60, 0.1, 3.5),
    ("63405200", "青浦南门", "淀浦河", "青浦区", 2.60, 0.2, 3.5),
    ("63405400", "南翔", "蕴藻浜", "嘉定区", 2.50, 0.3, 3.6),
    ("63405600", "金汇港南闸", "金汇港", "奉贤区", 2.50, 0.2, 3.5),
    ("63405800", "芦潮港", "杭州湾", "浦东新区", 2.00, 1.7, 5.2),
    ("63406000", "金山嘴", "杭州湾", "金山区", 2.05, 1.9, 5.3),
    ("63406200", "崇明南门", "长江口", "崇明区", 2.10, 1.3, 4.7),
    ("63406400", "堡镇", "长江口", "崇明区", 2.05, 1.35, 4.7),
    ("63406600", "横沙", "长江口", "崇明区", 2.00, 1.4, 4.8),
    ("63406800", "闵行", "黄浦江", "闵行区", 2.35, 1.0, 4.2),
    ("63407000", "大治河西闸", "大治河", "浦东新区", 2.55, 0.3, 3.6),
    ("63407200", "川杨河", "川杨河", "浦东新区", 2.50, 0.3, 3.6),
]


def hydro_station_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "station_code",
                "title": "测站编码",
                "description": "水文测站 8 位编码。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^\d{8}$"},
            },
            {
                "name": "station_name",
                "title": "测站名称",
                "description": "测站名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "river",
                "title": "所在河流",
                "description": "测站所在河流、湖泊或海域。",
                "type": "string",
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "测站所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {
                "name": "warning_level_m",
                "title": "警戒水位",
                "description": "警戒水位，吴淞高程基面，单位为米。",
                "type": "number",
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["station_code"],
    }


HYDRO_COORDS = {
    "吴淞口": (121.505, 31.392),
    "黄浦公园": (121.490, 31.243),
    "高桥": (121.575, 31.355),
    "吴泾": (121.460, 31.050),
    "米市渡": (121.240, 30.950),
    "松浦大桥": (121.270, 30.960),
    "北新泾": (121.380, 31.220),
    "蕴藻浜北闸": (121.470, 31.360),
    "泖甸": (121.180, 30.960),
    "商榻": (120.930, 31.120),
    "青浦南门": (121.120, 31.140),
    "南翔": (121.320, 31.300),
    "金汇港南闸": (121.500, 30.840),
    "芦潮港": (121.900, 30.860),
    "金山嘴": (121.350, 30.700),
    "崇明南门": (121.400, 31.620),
    "堡镇": (121.600, 31.520),
    "横沙": (121.840, 31.340),
    "闵行": (121.420, 31.010),
    "大治河西闸": (121.520, 31.080),
    "川杨河": (121.520, 31.150),
}


def rows_hydro_stations() -> list[dict[str, Any]]:
    out = []
    for code, name, river, d, _, _, warn in HYDRO_STATIONS:
        lon, lat = HYDRO_COORDS[name]
        out.append(
            {
                "station_code": code,
                "station_name": name,
                "river": river,
                "district": d,
                "warning_level_m": warn,
                "longitude": lon,
                "latitude": lat,
            }
        )
    return out


def rows_water_levels() -> list[dict[str, Any]]:
    """Hourly water levels (semi-diurnal tide + plum-rain run-off) and rainfall, 2024-06-20 .. 2024-07-31."""
    rng = rng_for("water-levels")
    start = dt.datetime(2024, 6, 20, 1, 0, 0)
    hours = 42 * 24
    rain_regional = []
    wet = 0.0
    for h in range(hours):
        wet = 0.93 * wet + (rng.expovariate(1.0) * 4 if rng.random() < 0.04 else 0.0)
        rain_regional.append(wet)
    rows = []
    for code, _name, _river, _d, mean, amp, _warn in HYDRO_STATIONS:
        phase = rng.uniform(0, 2 * math.pi)
        storage = 0.0
        for h in range(hours):
            t = start + dt.timedelta(hours=h)
            spring = 1 + 0.25 * math.cos(2 * math.pi * h / (14.77 * 24))
            tide = amp * spring * math.sin(2 * math.pi * h / 12.42 + phase)
            rain = max(0.0, rain_regional[h] * rng.uniform(0.3, 1.6) - 0.3) if rain_regional[h] > 0.2 else 0.0
            storage = 0.97 * storage + rain * 0.004
            level = round(mean + tide + storage + rng.gauss(0, 0.02), 2)
            rows.append(
                {
                    "station_code": code,
                    "observed_at": t.strftime("%Y-%m-%dT%H:%M:%S"),
                    "water_level_m": level,
                    "rainfall_mm": round(rain, 1),
                }
            )
    return rows


def surface_water_quality_monitoring() -> Pkg:
    return Pkg(
        "swj",
        "surface-water-quality-monitoring",
        "上海市主要河湖断面水质监测结果",
        "environment",
        "本市主要河湖考核断面的月度水质监测结果，包括溶解氧、高锰酸盐指数、氨氮、总磷和水质类别，按年度分别提供。"
        + SYNTHETIC_NOTE,
        ["水质", "河道", "地表水", "水环境", "黄浦江", "苏州河"],
        [
            Res(
                "water-quality-2023",
                "2023年断面水质",
                "data/water-quality-2023.csv",
                lambda: rows_water_quality(2023),
                "water-quality",
            ),
            Res(
                "water-quality-2024",
                "2024年断面水质",
                "data/water-quality-2024.csv",
                lambda: rows_water_quality(2024),
                "water-quality",
            ),
        ],
        update="每月",
        temporal="2023-01-01/2024-12-31",
        created="2019-01-10T09:00:00+08:00",
        version="2.3.0",
    )


def hydrological_station_water_levels() -> Pkg:
    return Pkg(
        "swj",
        "hydrological-station-water-levels",
        "上海市水文站逐时水位和雨量",
        "environment",
        "全市主要水文（水位）站逐时水位和时段雨量遥测数据（2024 年 6 月 20 日至 7 月 31 日，梅雨期），"
        "水位采用吴淞高程基面。测站信息（名称、所在河流、警戒水位、位置）单独列表提供。遥测数据未经整编。"
        + SYNTHETIC_NOTE,
        ["水位", "雨量", "水文", "潮位", "防汛", "梅雨"],
        [
            Res(
                "water-levels",
                "逐时水位和雨量",
                "data/water-levels-2024-flood-season.csv",
                rows_water_levels,
                "water-level",
            ),
            Res("stations", "水文测站", "data/stations.csv", rows_hydro_stations, hydro_station_schema()),
        ],
        update="实时",
        temporal="2024-06-20/2024-07-31",
        created="2019-06-01T09:00:00+08:00",
        version="2024.7.31",
    )
