"""Sample packages of 上海市生态环境局 (Shanghai Municipal Bureau of Ecology and Environment, folder
``sample_data/sthjj/``).

Packages: ``shanghai-air-quality-hourly``, ``key-pollutant-discharge-units``.

Air-quality rows carry IAQI/AQI values computed from the pollutant readings with the national breakpoints, so
the figures are consistent with each other rather than independent random numbers.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from .common import address, company, point, rng_for, uscc, weighted_district
from .model import Pkg, Res
from .reference import CENTRAL, DISTRICT_INFO, DISTRICTS, SYNTHETIC_NOTE

AQ_STATIONS = [
    ("1141A", "普陀", "普陀区"),
    ("1142A", "十五厂", "黄浦区"),
    ("1143A", "虹口", "虹口区"),
    ("1144A", "徐汇上师大", "徐汇区"),
    ("1145A", "杨浦四漂", "杨浦区"),
    ("1146A", "青浦淀山湖", "青浦区"),
    ("1147A", "静安监测站", "静安区"),
    ("1148A", "浦东川沙", "浦东新区"),
    ("1149A", "浦东新区监测站", "浦东新区"),
    ("1150A", "浦东张江", "浦东新区"),
    ("1151A", "长宁仙霞", "长宁区"),
    ("1152A", "闵行莘庄", "闵行区"),
    ("1153A", "宝山庙行", "宝山区"),
    ("1154A", "嘉定南翔", "嘉定区"),
    ("1155A", "金山新城", "金山区"),
    ("1156A", "松江图书馆", "松江区"),
    ("1157A", "奉贤南桥", "奉贤区"),
    ("1158A", "崇明上实", "崇明区"),
    ("1159A", "浦东惠南", "浦东新区"),
    ("1160A", "宝山吴淞", "宝山区"),
]


IAQI = [0, 50, 100, 150, 200, 300, 400, 500]


BREAKPOINTS = {
    "SO2": [0, 150, 500, 650, 800, 1600, 2100, 2620],
    "NO2": [0, 100, 200, 700, 1200, 2340, 3090, 3840],
    "PM10": [0, 50, 150, 250, 350, 420, 500, 600],
    "CO": [0, 5, 10, 35, 60, 90, 120, 150],
    "O3": [0, 160, 200, 300, 400, 800, 1000, 1200],
    "PM2.5": [0, 35, 75, 115, 150, 250, 350, 500],
}


AQ_LEVELS = [
    (50, "优"),
    (100, "良"),
    (150, "轻度污染"),
    (200, "中度污染"),
    (300, "重度污染"),
    (500, "严重污染"),
]


def iaqi(pollutant: str, c: float) -> int:
    bp = BREAKPOINTS[pollutant]
    for i in range(1, len(bp)):
        if c <= bp[i]:
            return math.ceil((IAQI[i] - IAQI[i - 1]) / (bp[i] - bp[i - 1]) * (c - bp[i - 1]) + IAQI[i - 1])
    return 500


def rows_air_quality() -> list[dict[str, Any]]:
    rng = rng_for("air-quality")
    start = dt.datetime(2024, 1, 1, 1, 0, 0)
    hours = 43 * 24
    regional = math.log(45)
    factors = {code: rng.uniform(0.85, 1.15) for code, _, _ in AQ_STATIONS}
    series = []
    for h in range(hours):
        regional = 0.96 * regional + 0.04 * math.log(45) + rng.gauss(0, 0.09)
        series.append(regional)
    rows = []
    for code, name, d in AQ_STATIONS:
        local = 0.0
        for h in range(hours):
            t = start + dt.timedelta(hours=h)
            local = 0.8 * local + rng.gauss(0, 0.07)
            hod = t.hour
            diurnal = 1 + 0.15 * math.cos((hod - 8) / 24 * 2 * math.pi)
            pm25 = max(3, round(math.exp(series[h] + local) * factors[code] * diurnal))
            pm10 = max(5, round(pm25 * rng.uniform(1.2, 1.7)))
            no2 = max(
                3, round(rng.gauss(38, 6) * (1.3 if hod in (8, 9, 18, 19) else 1.0) * math.sqrt(pm25 / 45))
            )
            o3 = max(
                2, round(rng.gauss(55, 10) * (1.5 if 12 <= hod <= 16 else 0.8) * (45 / (no2 + 20)) * 1.3)
            )
            so2 = max(2, round(rng.gauss(7, 2)))
            co = round(max(0.2, 0.45 + pm25 / 110 + rng.gauss(0, 0.08)), 1)
            sub = {
                "PM2.5": iaqi("PM2.5", pm25),
                "PM10": iaqi("PM10", pm10),
                "O3": iaqi("O3", o3),
                "NO2": iaqi("NO2", no2),
                "SO2": iaqi("SO2", so2),
                "CO": iaqi("CO", co),
            }
            aqi = max(sub.values())
            primary = max(sub, key=lambda k: sub[k]) if aqi > 50 else ""
            level = next(lv for lim, lv in AQ_LEVELS if aqi <= lim)
            row = {
                "station_code": code,
                "station_name": name,
                "district": d,
                "observed_at": t.strftime("%Y-%m-%dT%H:%M:%S"),
                "aqi": aqi,
                "pm25": pm25,
                "pm10": pm10,
                "o3": o3,
                "no2": no2,
                "so2": so2,
                "co": co,
                "primary_pollutant": primary,
                "quality_level": level,
            }
            if rng.random() < 0.004:  # instrument calibration: one gas reading missing
                row[rng.choice(["so2", "co"])] = ""
            rows.append(row)
    return rows


POLLUTION_INDUSTRIES = [
    "化学原料和化学制品制造业",
    "汽车制造业",
    "电力、热力生产和供应业",
    "污水处理及其再生利用",
    "医药制造业",
    "金属制品业",
    "印刷和记录媒介复制业",
    "计算机、通信和其他电子设备制造业",
    "橡胶和塑料制品业",
    "黑色金属冶炼和压延加工业",
    "石油、煤炭及其他燃料加工业",
    "危险废物治理",
    "食品制造业",
]


def pollutant_units_schema() -> dict[str, Any]:
    districts = DISTRICTS
    return {
        "fields": [
            {
                "name": "unified_social_credit_code",
                "title": "统一社会信用代码",
                "description": "排污单位统一社会信用代码。",
                "type": "string",
                "constraints": {
                    "required": True,
                    "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                },
            },
            {
                "name": "unit_name",
                "title": "单位名称",
                "description": "排污单位名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "排污单位所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": districts},
            },
            {"name": "address", "title": "地址", "description": "生产经营场所地址。", "type": "string"},
            {
                "name": "industry",
                "title": "行业类别",
                "description": "《国民经济行业分类》行业类别。",
                "type": "string",
            },
            {
                "name": "category",
                "title": "重点排污类别",
                "description": "列入重点排污单位名录的环境要素类别。",
                "type": "string",
                "constraints": {
                    "required": True,
                    "enum": ["水环境", "大气环境", "土壤环境", "声环境", "环境风险", "多要素"],
                },
            },
            {
                "name": "permit_no",
                "title": "排污许可证编号",
                "description": "排污许可证编号（统一社会信用代码加 3 位序号和字母 P）。",
                "type": "string",
                "constraints": {"pattern": r"^[0-9A-Z]{18}\d{3}[PUVQ]$"},
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["unified_social_credit_code"],
    }


def rows_pollutant_units() -> list[dict[str, Any]]:
    rng = rng_for("pollutant-units")
    rows = []
    weights = {d: DISTRICT_INFO[d]["w"] * (0.3 if d in CENTRAL else 1.5) for d in DISTRICTS}
    for _ in range(420):
        d = weighted_district(rng, weights)
        code = uscc(rng, "91", DISTRICT_INFO[d]["code"])
        ind = rng.choice(POLLUTION_INDUSTRIES)
        trade = {
            "污水处理及其再生利用": "水务",
            "电力、热力生产和供应业": "能源",
            "医药制造业": "制药",
            "汽车制造业": "汽车零部件",
            "危险废物治理": "环境服务",
        }.get(ind, rng.choice(["化工", "实业", "材料", "工业"]))
        lon, lat = point(rng, d)
        rows.append(
            {
                "unified_social_credit_code": code,
                "unit_name": company(rng, trade),
                "district": d,
                "address": address(rng, d),
                "industry": ind,
                "category": rng.choices(
                    ["水环境", "大气环境", "土壤环境", "声环境", "环境风险", "多要素"],
                    [30, 30, 10, 5, 10, 15],
                )[0],
                "permit_no": f"{code}{rng.randint(1, 3):03d}{rng.choice('PPPU')}",
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def shanghai_air_quality_hourly() -> Pkg:
    return Pkg(
        "sthjj",
        "shanghai-air-quality-hourly",
        "上海市环境空气质量小时监测数据",
        "environment",
        "全市 20 个环境空气质量监测站点的逐小时监测数据，包括空气质量指数（AQI）、PM2.5、PM10、臭氧、二氧化氮、二氧化硫、"
        "一氧化碳浓度、首要污染物和空气质量级别。本批次为 2024 年 1 月 1 日至 2 月 12 日数据。"
        "监测数据为实时发布的未经审核数据，个别时段因仪器校准存在缺测。" + SYNTHETIC_NOTE,
        ["空气质量", "AQI", "PM2.5", "环境监测", "大气"],
        [
            Res(
                "air-quality-hourly",
                "空气质量小时数据",
                "data/air-quality-hourly-2024q1.csv",
                rows_air_quality,
                "air-quality",
            )
        ],
        update="实时",
        temporal="2024-01-01/2024-02-12",
        created="2017-01-01T00:00:00+08:00",
        version="2024.2.12",
    )


def key_pollutant_discharge_units() -> Pkg:
    return Pkg(
        "sthjj",
        "key-pollutant-discharge-units",
        "上海市重点排污单位名录",
        "environment",
        "依据《环境监管重点单位名录管理办法》确定的本市重点排污单位名录，包括单位名称、行业类别、重点排污类别和排污许可证编号。"
        "本数据为有条件开放数据，申请使用需说明用途。" + SYNTHETIC_NOTE,
        ["排污单位", "排污许可", "环境监管", "污染源"],
        [
            Res(
                "pollutant-units",
                "重点排污单位名录",
                "data/key-pollutant-units-2024.csv",
                rows_pollutant_units,
                pollutant_units_schema(),
            )
        ],
        update="每年",
        temporal="2024-01-01/2024-12-31",
        created="2020-03-31T10:00:00+08:00",
        open_class="conditional",
    )
