"""Sample packages of 上海市统计局 (Shanghai Municipal Statistics Bureau, folder ``sample_data/tjj/``).

Packages: ``resident-population-by-district``, ``district-gdp``, ``main-economic-indicators-monthly``.

`main-economic-indicators-monthly` has numeric cells rewritten with full-width digits on purpose (an `Err` of
kind `fullwidth`): valid for frictionless, a trap for any cast without NFKC.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

from typing import Any

from .common import r2, rng_for
from .model import Err, Pkg, Res
from .reference import CENTRAL, DISTRICTS, LICENSE_CC0, POP_2020, SYNTHETIC_NOTE


def rows_population() -> list[dict[str, Any]]:
    rng = rng_for("population")
    rows = []
    for year in range(2000, 2025):
        for d in DISTRICTS:
            pop20, reg20, area = POP_2020[d]
            if d in CENTRAL:
                growth = 1 + (2020 - year) * 0.006
            elif d == "崇明区":
                growth = 1 + (2020 - year) * 0.004
            elif year < 2020:
                growth = max(0.45, 1 - 0.03 * (2020 - year))
            else:
                growth = 1 + 0.004 * (year - 2020)
            pop = round(pop20 * growth * rng.uniform(0.995, 1.005), 2)
            reg = round(reg20 * (1 - 0.002 * (2020 - year)) * rng.uniform(0.998, 1.002), 2)
            rows.append(
                {
                    "year": year,
                    "district": d,
                    "resident_population": pop,
                    "registered_population": reg,
                    "land_area_km2": area,
                    "population_density": round(pop * 10000 / area),
                }
            )
    return rows


GDP_2023 = {
    "黄浦区": 3140,
    "徐汇区": 2850,
    "长宁区": 2050,
    "静安区": 2900,
    "普陀区": 1400,
    "虹口区": 1300,
    "杨浦区": 2600,
    "闵行区": 3150,
    "宝山区": 1800,
    "嘉定区": 2800,
    "浦东新区": 16715,
    "金山区": 1100,
    "松江区": 2000,
    "青浦区": 1600,
    "奉贤区": 1400,
    "崇明区": 450,
}


def rows_gdp() -> list[dict[str, Any]]:
    rng = rng_for("gdp")
    rows = []
    for d in DISTRICTS:
        level = GDP_2023[d]
        series = {2023: level}
        for y in range(2022, 2014, -1):
            series[y] = series[y + 1] / (
                1 + rng.uniform(0.03, 0.09) if y != 2019 else 1 + rng.uniform(-0.02, 0.02)
            )
        series[2024] = level * (1 + rng.uniform(0.03, 0.06))
        for y in range(2015, 2025):
            gdp = r2(series[y])
            p1 = r2(gdp * (0.0 if d in CENTRAL else rng.uniform(0.003, 0.04 if d != "崇明区" else 0.1)))
            p2 = r2(gdp * (rng.uniform(0.05, 0.15) if d in CENTRAL else rng.uniform(0.3, 0.55)))
            growth = (
                round((series[y] / series[y - 1] - 1) * 100 * rng.uniform(0.9, 1.0), 1)
                if y > 2015
                else round(rng.uniform(5, 8), 1)
            )
            rows.append(
                {
                    "year": y,
                    "district": d,
                    "gdp": gdp,
                    "primary_industry": p1,
                    "secondary_industry": p2,
                    "tertiary_industry": r2(gdp - p1 - p2),
                    "growth_rate": growth,
                }
            )
    rows.sort(key=lambda r: (r["year"], DISTRICTS.index(r["district"])))
    return rows


def indicators_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "period",
                "title": "统计期",
                "description": "统计月份，格式为 YYYY-MM。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^20\d{2}-(0[1-9]|1[0-2])$"},
            },
            {
                "name": "indicator",
                "title": "指标名称",
                "description": "主要经济指标名称。",
                "type": "string",
                "constraints": {
                    "required": True,
                    "enum": [
                        "规模以上工业总产值",
                        "社会消费品零售总额",
                        "固定资产投资",
                        "外贸进出口总额",
                        "商品房销售面积",
                        "地方一般公共预算收入",
                        "城镇调查失业率",
                        "居民消费价格指数",
                        "全社会用电量",
                        "港口集装箱吞吐量",
                    ],
                },
            },
            {
                "name": "value",
                "title": "本月数值",
                "description": "当月数值（部分历史记录以全角数字录入）。",
                "type": "number",
            },
            {
                "name": "cumulative_value",
                "title": "累计数值",
                "description": "1 月至当月累计数值；比率类指标为空。",
                "type": "number",
            },
            {"name": "unit", "title": "计量单位", "description": "计量单位。", "type": "string"},
            {
                "name": "yoy_growth",
                "title": "同比增长",
                "description": "比上年同期增长，单位为百分比。",
                "type": "number",
            },
        ],
        "primaryKey": ["period", "indicator"],
    }


INDICATORS = [
    ("规模以上工业总产值", "亿元", 3300, True),
    ("社会消费品零售总额", "亿元", 1400, True),
    ("固定资产投资", "亿元", 800, True),
    ("外贸进出口总额", "亿元", 3500, True),
    ("商品房销售面积", "万平方米", 150, True),
    ("地方一般公共预算收入", "亿元", 700, True),
    ("城镇调查失业率", "%", 4.5, False),
    ("居民消费价格指数", "上年同月=100", 101.0, False),
    ("全社会用电量", "亿千瓦时", 160, True),
    ("港口集装箱吞吐量", "万标准箱", 410, True),
]


def rows_indicators() -> list[dict[str, Any]]:
    rng = rng_for("indicators")
    rows = []
    for year in range(2020, 2025):
        cum = {name: 0.0 for name, *_ in INDICATORS}
        for m in range(1, 13):
            for name, unit, base, additive in INDICATORS:
                season = 0.85 if m == 2 else (1.1 if m == 12 else 1.0)
                if additive:
                    v = r2(base * (1 + 0.04 * (year - 2020)) * season * rng.uniform(0.92, 1.08))
                    cum[name] = r2(cum[name] + v)
                    c: Any = cum[name]
                else:
                    v = round(
                        base
                        + rng.uniform(-0.6, 0.6)
                        + (1.5 if name == "城镇调查失业率" and year == 2022 and m in (4, 5) else 0),
                        1,
                    )
                    c = ""
                rows.append(
                    {
                        "period": f"{year}-{m:02d}",
                        "indicator": name,
                        "value": v,
                        "cumulative_value": c,
                        "unit": unit,
                        "yoy_growth": round(rng.uniform(-6, 12) if additive else rng.uniform(-1, 3), 1),
                    }
                )
    return rows


def resident_population_by_district() -> Pkg:
    return Pkg(
        "tjj",
        "resident-population-by-district",
        "上海市分区常住人口和户籍人口",
        "social-development",
        "2000—2024 年各区年末常住人口、户籍人口、土地面积和人口密度。历年数据已按现行行政区划（2016 年起 16 个区）调整。"
        + SYNTHETIC_NOTE,
        ["人口", "常住人口", "户籍人口", "人口密度", "统计"],
        [
            Res(
                "population",
                "分区人口",
                "data/population-by-district.csv",
                rows_population,
                "district-population",
            )
        ],
        update="每年",
        temporal="2000-01-01/2024-12-31",
        created="2016-05-01T09:00:00+08:00",
        version="2025.1.0",
    )


def district_gdp() -> Pkg:
    return Pkg(
        "tjj",
        "district-gdp",
        "上海市分区地区生产总值",
        "economy",
        "2015—2024 年各区地区生产总值及三次产业增加值、可比价增长率。" + SYNTHETIC_NOTE,
        ["GDP", "地区生产总值", "经济", "产业结构"],
        [Res("district-gdp", "分区地区生产总值", "data/district-gdp.csv", rows_gdp, "district-economy")],
        update="每年",
        temporal="2015-01-01/2024-12-31",
        created="2016-03-01T09:00:00+08:00",
        license=LICENSE_CC0,
    )


def main_economic_indicators_monthly() -> Pkg:
    return Pkg(
        "tjj",
        "main-economic-indicators-monthly",
        "上海市主要经济指标月度数据",
        "economy",
        "2020—2024 年本市主要经济指标月度数据，包括规模以上工业总产值、社会消费品零售总额、固定资产投资、外贸进出口等。"
        "部分历史记录由人工录入，数值列中存在全角数字。" + SYNTHETIC_NOTE,
        ["经济指标", "月度数据", "工业总产值", "社会消费品零售总额", "统计"],
        [
            Res(
                "indicators",
                "主要经济指标",
                "data/main-indicators-monthly.csv",
                rows_indicators,
                indicators_schema(),
                errors=[
                    Err("fullwidth", i, fld, None, "数值以全角数字录入", None)
                    for i, fld in [
                        (7, "value"),
                        (23, "value"),
                        (64, "cumulative_value"),
                        (101, "value"),
                        (188, "value"),
                        (240, "yoy_growth"),
                        (333, "value"),
                        (350, "cumulative_value"),
                        (412, "value"),
                        (599, "value"),
                    ]
                ],
            )
        ],
        update="每月",
        temporal="2020-01-01/2024-12-31",
        created="2016-02-01T09:00:00+08:00",
    )
