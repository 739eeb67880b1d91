#!/usr/bin/env python3
"""Generate the sample departmental data packages in ``sample_data/``.

Usage (from the project root)::

    python sample_data/generate.py            # (re)generate every package and README.md
    python sample_data/generate.py --check    # validate every package with frictionless

The output is byte-for-byte deterministic: every dataset draws from its own
``random.Random`` seeded with a fixed string, timestamps are fixed, and XLSX files
are rewritten with fixed zip-entry timestamps and fixed document properties.

Only the standard library, openpyxl and (for ``--check``) frictionless are used.
All rows are synthetic (模拟数据); names, addresses and figures are plausible, not real.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime as dt
import io
import json
import math
import random
import re
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCHEMAS_DIR = ROOT / "schemas"
SEED = "odp-sample-data-v1"
FIXED_ZIP_TIME = (2024, 12, 31, 9, 0, 0)
FIXED_DOC_TIME = "2024-12-31T01:00:00Z"

# --------------------------------------------------------------------------------------------
# Reference data: departments, domains, districts
# --------------------------------------------------------------------------------------------

DEPARTMENTS = {
    "jtw": ("上海市交通委员会", "Shanghai Municipal Transportation Commission"),
    "sthjj": ("上海市生态环境局", "Shanghai Municipal Bureau of Ecology and Environment"),
    "wsjkw": ("上海市卫生健康委员会", "Shanghai Municipal Health Commission"),
    "jw": ("上海市教育委员会", "Shanghai Municipal Education Commission"),
    "gaj": ("上海市公安局", "Shanghai Municipal Public Security Bureau"),
    "mzj": ("上海市民政局", "Shanghai Municipal Civil Affairs Bureau"),
    "whlyj": ("上海市文化和旅游局", "Shanghai Municipal Administration of Culture and Tourism"),
    "scjgj": ("上海市市场监督管理局", "Shanghai Administration for Market Regulation"),
    "zjw": (
        "上海市住房和城乡建设管理委员会",
        "Shanghai Municipal Commission of Housing and Urban-Rural Development",
    ),
    "ghzyj": ("上海市规划和自然资源局", "Shanghai Municipal Bureau of Planning and Natural Resources"),
    "sww": ("上海市商务委员会", "Shanghai Municipal Commission of Commerce"),
    "tjj": ("上海市统计局", "Shanghai Municipal Statistics Bureau"),
    "rsj": ("上海市人力资源和社会保障局", "Shanghai Municipal Human Resources and Social Security Bureau"),
    "stcsm": ("上海市科学技术委员会", "Science and Technology Commission of Shanghai Municipality"),
    "fgw": ("上海市发展和改革委员会", "Shanghai Municipal Development and Reform Commission"),
    "lhsr": ("上海市绿化和市容管理局", "Shanghai Landscaping and City Appearance Administrative Bureau"),
    "swj": ("上海市水务局", "Shanghai Water Authority"),
    "tyj": ("上海市体育局", "Shanghai Administration of Sports"),
    "yjglj": ("上海市应急管理局", "Shanghai Municipal Emergency Management Bureau"),
    "sfj": ("上海市司法局", "Shanghai Municipal Bureau of Justice"),
}

DOMAINS = {
    "economy": "经济建设",
    "environment": "资源环境",
    "education-technology": "教育科技",
    "transport": "道路交通",
    "social-development": "社会发展",
    "public-safety": "公共安全",
    "culture-leisure": "文化休闲",
    "health": "卫生健康",
    "livelihood": "民生服务",
    "institutions": "机构团体",
    "urban-construction": "城市建设",
    "credit": "信用服务",
}
DOMAIN_BY_TITLE = {v: k for k, v in DOMAINS.items()}

LICENSE_CC_BY = {
    "name": "CC-BY-4.0",
    "title": "知识共享署名 4.0 国际许可协议",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
LICENSE_CC0 = {
    "name": "CC0-1.0",
    "title": "知识共享 CC0 1.0 公共领域贡献",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
}
LICENSE_TERMS = {"name": "shanghai-public-data-terms", "title": "上海市公共数据开放平台数据利用协议"}

SYNTHETIC_NOTE = "（平台示例数据：由程序模拟生成，仅用于开发和测试，不代表真实情况。）"

# name, admin code, anchors [(lon, lat, sx, sy)], weight (for facility distribution)
DISTRICT_INFO: dict[str, dict[str, Any]] = {
    "黄浦区": {"code": "310101", "short": "黄浦", "anchors": [(121.485, 31.225, 0.014, 0.012)], "w": 4},
    "徐汇区": {"code": "310104", "short": "徐汇", "anchors": [(121.440, 31.180, 0.022, 0.025)], "w": 6},
    "长宁区": {"code": "310105", "short": "长宁", "anchors": [(121.405, 31.215, 0.025, 0.012)], "w": 4},
    "静安区": {"code": "310106", "short": "静安", "anchors": [(121.455, 31.265, 0.015, 0.025)], "w": 5},
    "普陀区": {"code": "310107", "short": "普陀", "anchors": [(121.410, 31.255, 0.025, 0.018)], "w": 5},
    "虹口区": {"code": "310109", "short": "虹口", "anchors": [(121.490, 31.275, 0.012, 0.020)], "w": 4},
    "杨浦区": {"code": "310110", "short": "杨浦", "anchors": [(121.525, 31.285, 0.020, 0.020)], "w": 5},
    "闵行区": {"code": "310112", "short": "闵行", "anchors": [(121.420, 31.100, 0.060, 0.050)], "w": 9},
    "宝山区": {"code": "310113", "short": "宝山", "anchors": [(121.420, 31.380, 0.050, 0.040)], "w": 7},
    "嘉定区": {"code": "310114", "short": "嘉定", "anchors": [(121.250, 31.350, 0.060, 0.050)], "w": 6},
    "浦东新区": {
        "code": "310115",
        "short": "浦东",
        "anchors": [
            (121.560, 31.220, 0.045, 0.040),
            (121.690, 31.110, 0.070, 0.060),
            (121.850, 30.950, 0.050, 0.040),
        ],
        "w": 20,
    },
    "金山区": {"code": "310116", "short": "金山", "anchors": [(121.250, 30.800, 0.070, 0.050)], "w": 3},
    "松江区": {"code": "310117", "short": "松江", "anchors": [(121.220, 31.030, 0.070, 0.050)], "w": 6},
    "青浦区": {"code": "310118", "short": "青浦", "anchors": [(121.100, 31.130, 0.080, 0.050)], "w": 5},
    "奉贤区": {"code": "310120", "short": "奉贤", "anchors": [(121.500, 30.920, 0.070, 0.040)], "w": 4},
    "崇明区": {
        "code": "310151",
        "short": "崇明",
        "anchors": [(121.420, 31.640, 0.100, 0.040), (121.700, 31.520, 0.080, 0.030)],
        "w": 3,
    },
}
DISTRICTS = list(DISTRICT_INFO)
CENTRAL = ["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区"]

ROADS = {
    "黄浦区": "南京东路 淮海中路 西藏中路 河南中路 中山东一路 人民路 复兴东路 陆家浜路 打浦路 瑞金二路 延安东路 福州路 九江路 四川中路 制造局路 徐家汇路 蒙自路 中山南路",
    "徐汇区": "漕溪北路 肇嘉浜路 衡山路 天钥桥路 宜山路 虹桥路 龙华中路 田林路 钦州路 桂平路 龙吴路 华泾路 漕宝路 零陵路 斜土路 东安路 康健路 龙耀路",
    "长宁区": "延安西路 天山路 仙霞路 长宁路 娄山关路 古北路 遵义路 定西路 江苏路 愚园路 中山西路 哈密路 剑河路 威宁路 茅台路 水城路",
    "静安区": "南京西路 延安中路 北京西路 常德路 江宁路 新闸路 共和新路 广中西路 大宁路 汶水路 平型关路 万荣路 西藏北路 天目西路 恒丰路 中兴路 灵石路 场中路",
    "普陀区": "真北路 曹杨路 中山北路 武宁路 金沙江路 梅川路 长寿路 光新路 铜川路 大渡河路 真光路 祁连山路 兰溪路 宜川路 绥德路 岚皋路",
    "虹口区": "四川北路 西江湾路 曲阳路 东江湾路 大连西路 海宁路 吴淞路 东大名路 天宝路 中山北一路 凉城路 水电路 广粤路 飞虹路",
    "杨浦区": "四平路 黄兴路 控江路 长阳路 国权路 淞沪路 邯郸路 政立路 殷行路 军工路 平凉路 周家嘴路 大连路 江浦路 翔殷路 国定路 政民路",
    "闵行区": "沪闵路 七莘路 莘松路 都市路 春申路 漕宝路 吴中路 虹梅路 剑川路 江川路 东川路 沪青平公路 申长路 顾戴路 银都路 古美路 莲花南路 浦星公路",
    "宝山区": "牡丹江路 友谊路 同济路 共和新路 沪太路 长江西路 蕴川路 江杨北路 水产路 宝杨路 泰和路 丰翔路 逸仙路 陆翔路 富联路",
    "嘉定区": "城中路 博乐路 塔城路 沪宜公路 胜辛路 墨玉路 曹安公路 叶城路 洪德路 裕民南路 澄浏公路 嘉松北路 宝安公路 金沙江西路 白银路",
    "浦东新区": "世纪大道 陆家嘴环路 张杨路 浦东南路 浦东大道 东方路 杨高南路 杨高中路 锦绣路 龙阳路 张江路 祖冲之路 科苑路 碧波路 金科路 川沙路 华夏东路 沪南公路 年家浜路 航头路 南六公路 环湖西一路 申港大道 杨高北路 金桥路 川桥路 高科西路 御桥路 康桥路 秀沿路 罗山路 源深路 潍坊路 商城路 芳甸路 花木路 博兴路 巨峰路",
    "金山区": "卫零路 龙航路 蒙山路 杭州湾大道 金山大道 卫清西路 板桥西路 沪杭公路 朱平公路 亭卫公路 漕廊公路 金一东路",
    "松江区": "人民北路 中山中路 荣乐东路 文诚路 广富林路 玉树路 谷阳北路 九亭大街 沪亭北路 莘砖公路 思贤路 新松江路 辰花路 三新北路 泗砖公路",
    "青浦区": "公园路 城中北路 青松路 淀山湖大道 崧泽大道 诸光路 盈港东路 外青松公路 沪青平公路 华科路 漕盈路 赵重公路 徐泾北路",
    "奉贤区": "解放东路 南亭公路 百齐路 环城东路 望园路 金海公路 大叶公路 沪杭公路 奉浦大道 八字桥路 运河北路 川南奉公路 航南公路 金汇港路",
    "崇明区": "人民路 八一路 翠竹路 鼓浪屿路 北沿公路 陈海公路 崇明大道 团城公路 东门路 西门路 南门路 新崇南路 长兴江南大道",
}
ROADS = {k: v.split() for k, v in ROADS.items()}

STREETS = {
    "黄浦区": "南京东路街道 外滩街道 半淞园路街道 小东门街道 豫园街道 老西门街道 五里桥街道 打浦桥街道 淮海中路街道 瑞金二路街道",
    "徐汇区": "天平路街道 湖南路街道 斜土路街道 枫林路街道 长桥街道 田林街道 虹梅路街道 康健新村街道 徐家汇街道 凌云路街道 龙华街道 漕河泾街道 华泾镇",
    "长宁区": "华阳路街道 江苏路街道 新华路街道 周家桥街道 天山路街道 仙霞新村街道 虹桥街道 程家桥街道 北新泾街道 新泾镇",
    "静安区": "江宁路街道 石门二路街道 南京西路街道 静安寺街道 曹家渡街道 天目西路街道 北站街道 宝山路街道 芷江西路街道 共和新路街道 大宁路街道 彭浦新村街道 临汾路街道 彭浦镇",
    "普陀区": "曹杨新村街道 长风新村街道 长寿路街道 甘泉路街道 石泉路街道 宜川路街道 万里街道 真如镇街道 长征镇 桃浦镇",
    "虹口区": "欧阳路街道 曲阳路街道 广中路街道 嘉兴路街道 凉城新村街道 四川北路街道 北外滩街道 江湾镇街道",
    "杨浦区": "定海路街道 平凉路街道 江浦路街道 四平路街道 控江路街道 长白新村街道 延吉新村街道 殷行街道 大桥街道 五角场街道 新江湾城街道 长海路街道",
    "闵行区": "江川路街道 古美路街道 新虹街道 浦锦街道 莘庄镇 七宝镇 颛桥镇 华漕镇 虹桥镇 梅陇镇 吴泾镇 马桥镇 浦江镇",
    "宝山区": "友谊路街道 吴淞街道 张庙街道 罗店镇 大场镇 杨行镇 月浦镇 罗泾镇 顾村镇 高境镇 庙行镇 淞南镇",
    "嘉定区": "新成路街道 真新街道 嘉定镇街道 南翔镇 安亭镇 马陆镇 徐行镇 华亭镇 外冈镇 江桥镇 菊园新区",
    "浦东新区": "潍坊新村街道 陆家嘴街道 周家渡街道 塘桥街道 上钢新村街道 南码头路街道 沪东新村街道 金杨新村街道 洋泾街道 浦兴路街道 东明路街道 花木街道 川沙新镇 高桥镇 北蔡镇 合庆镇 唐镇 曹路镇 金桥镇 高行镇 高东镇 张江镇 三林镇 惠南镇 周浦镇 新场镇 大团镇 康桥镇 航头镇 祝桥镇 泥城镇 宣桥镇 书院镇 万祥镇 老港镇 南汇新城镇",
    "金山区": "石化街道 朱泾镇 枫泾镇 张堰镇 亭林镇 吕巷镇 廊下镇 金山卫镇 漕泾镇 山阳镇",
    "松江区": "岳阳街道 永丰街道 方松街道 中山街道 广富林街道 九里亭街道 泗泾镇 佘山镇 车墩镇 新桥镇 洞泾镇 九亭镇 泖港镇 石湖荡镇 新浜镇 叶榭镇 小昆山镇",
    "青浦区": "夏阳街道 盈浦街道 香花桥街道 朱家角镇 练塘镇 金泽镇 赵巷镇 徐泾镇 华新镇 重固镇 白鹤镇",
    "奉贤区": "西渡街道 奉浦街道 金海街道 南桥镇 奉城镇 庄行镇 金汇镇 四团镇 青村镇 柘林镇 海湾镇",
    "崇明区": "城桥镇 堡镇 新河镇 庙镇 竖新镇 向化镇 三星镇 港沿镇 中兴镇 陈家镇 绿华镇 港西镇 建设镇 新海镇 东平镇 长兴镇 横沙乡",
}
STREETS = {k: v.split() for k, v in STREETS.items()}

LANDMARKS = {
    "黄浦区": "人民广场 新天地 外滩 豫园 老西门 打浦桥 董家渡 十六铺 世博浦西",
    "徐汇区": "徐家汇 漕河泾 田林 龙华 华泾 滨江 康健 衡山",
    "长宁区": "中山公园 古北 虹桥 天山 仙霞 北新泾 新华",
    "静安区": "静安寺 大宁 彭浦 不夜城 苏河湾 市北 江宁",
    "普陀区": "长风 真如 曹杨 武宁 桃浦 中环 长征",
    "虹口区": "北外滩 四川北路 曲阳 凉城 江湾 临平",
    "杨浦区": "五角场 新江湾城 控江 殷行 滨江 大学路",
    "闵行区": "莘庄 七宝 虹桥 颛桥 马桥 浦江 紫竹 古美 春申 梅陇",
    "宝山区": "吴淞 大场 顾村 罗店 杨行 月浦 淞南 高境 美兰湖",
    "嘉定区": "南翔 安亭 江桥 马陆 嘉定新城 菊园 徐行 外冈",
    "浦东新区": "陆家嘴 张江 金桥 外高桥 川沙 惠南 临港 世博 前滩 三林 周浦 康桥 唐镇 北蔡 花木 塘桥 洋泾 高行 航头 祝桥",
    "金山区": "朱泾 枫泾 亭林 金山卫 山阳 张堰 漕泾 石化",
    "松江区": "松江新城 九亭 泗泾 佘山 车墩 新桥 洞泾 广富林 小昆山",
    "青浦区": "青浦新城 朱家角 徐泾 赵巷 华新 练塘 金泽 重固",
    "奉贤区": "南桥 奉城 庄行 金汇 海湾 柘林 青村 西渡",
    "崇明区": "城桥 堡镇 陈家镇 新河 长兴岛 横沙岛 庙镇 东平",
}
LANDMARKS = {k: v.split() for k, v in LANDMARKS.items()}


def street_base(street: str) -> str:
    s = street
    for suffix in ("街道", "新镇", "镇", "乡", "新区"):
        if s.endswith(suffix):
            s = s[: -len(suffix)]
            break
    if s.endswith("镇") and len(s) > 2:
        s = s[:-1]
    return s


def road_base(road: str) -> str:
    for suffix in ("公路", "大道", "大街", "路"):
        if road.endswith(suffix) and len(road) > len(suffix) + 1:
            return road[: -len(suffix)]
    return road


PLACES = {d: LANDMARKS[d] + [street_base(s) for s in STREETS[d]] for d in DISTRICTS}

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚英华建国志文海燕红玉梅晓东佳怡欣子涵浩然宇轩梓诗一鸣嘉俊思远雨婷晨阳瑜琳倩雯斌峰亮凯颖蕾慧"
)
ZIHAO_CHARS = list(
    "华申沪浦东新金宝嘉润鑫泰瑞丰恒盛达通安信诚德康源汇博创科智联众远航宏兴隆昌荣晟祥云天海江湾星辰晨光明悦锦程睿思卓越启帆易道汉唐兆禾"
)


# --------------------------------------------------------------------------------------------
# Small generators
# --------------------------------------------------------------------------------------------


def rng_for(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


def weighted_district(rng: random.Random, weights: dict[str, float] | None = None) -> str:
    w = weights or {d: DISTRICT_INFO[d]["w"] for d in DISTRICTS}
    return rng.choices(list(w), weights=list(w.values()))[0]


PLACE_COORDS = {
    "浦东新区": {
        "陆家嘴": (121.505, 31.238),
        "张江": (121.600, 31.205),
        "金桥": (121.600, 31.265),
        "外高桥": (121.590, 31.350),
        "川沙": (121.700, 31.190),
        "惠南": (121.760, 31.050),
        "临港": (121.920, 30.900),
        "世博": (121.490, 31.185),
        "前滩": (121.475, 31.155),
        "三林": (121.510, 31.145),
        "周浦": (121.580, 31.110),
        "康桥": (121.580, 31.145),
        "唐": (121.650, 31.215),
        "唐镇": (121.650, 31.215),
        "北蔡": (121.545, 31.180),
        "花木": (121.550, 31.215),
        "塘桥": (121.520, 31.215),
        "洋泾": (121.540, 31.245),
        "高行": (121.610, 31.300),
        "航头": (121.600, 31.050),
        "祝桥": (121.770, 31.120),
        "潍坊新村": (121.525, 31.230),
        "周家渡": (121.500, 31.180),
        "上钢新村": (121.485, 31.170),
        "南码头路": (121.510, 31.200),
        "沪东新村": (121.575, 31.290),
        "金杨新村": (121.565, 31.260),
        "浦兴路": (121.585, 31.270),
        "东明路": (121.515, 31.160),
        "高桥": (121.570, 31.350),
        "合庆": (121.750, 31.230),
        "曹路": (121.670, 31.270),
        "高东": (121.630, 31.330),
        "新场": (121.640, 31.020),
        "大团": (121.730, 30.990),
        "泥城": (121.820, 30.920),
        "宣桥": (121.700, 31.060),
        "书院": (121.850, 30.970),
        "万祥": (121.800, 30.970),
        "老港": (121.850, 31.050),
        "南汇新城": (121.920, 30.900),
    },
    "闵行区": {
        "莘庄": (121.385, 31.110),
        "七宝": (121.350, 31.155),
        "虹桥": (121.400, 31.180),
        "颛桥": (121.410, 31.060),
        "马桥": (121.360, 31.000),
        "浦江": (121.510, 31.080),
        "紫竹": (121.450, 31.020),
        "古美": (121.400, 31.150),
        "古美路": (121.400, 31.150),
        "春申": (121.430, 31.100),
        "梅陇": (121.430, 31.120),
        "江川路": (121.380, 31.020),
        "吴泾": (121.460, 31.050),
        "华漕": (121.300, 31.210),
        "新虹": (121.320, 31.190),
        "浦锦": (121.500, 31.100),
    },
}


def place_anchor(district: str, name: str) -> tuple[float, float, float, float]:
    """A stable location for a named place (town, street, landmark) inside a district."""
    known = PLACE_COORDS.get(district, {})
    if name in known:
        lon, lat = known[name]
        return lon, lat, 0.02, 0.02
    prng = random.Random(f"{SEED}:place:{district}:{name}")
    lon0, lat0, sx, sy = prng.choice(DISTRICT_INFO[district]["anchors"])
    return prng.gauss(lon0, sx / 2), prng.gauss(lat0, sy / 2), min(sx, 0.02), min(sy, 0.02)


def point(rng: random.Random, district: str) -> tuple[float, float]:
    """A coordinate in the district; near the place last drawn with place() for this rng, if any."""
    last = getattr(rng, "last_place", None)
    rng.last_place = None  # type: ignore[attr-defined]
    if last and last[0] == district:
        lon0, lat0, sx, sy = place_anchor(district, last[1])
    else:
        lon0, lat0, sx, sy = rng.choice(DISTRICT_INFO[district]["anchors"])
    lon = min(max(rng.gauss(lon0, sx / 2), 120.86), 121.99)
    lat = min(max(rng.gauss(lat0, sy / 2), 30.66), 31.89)
    return round(lon, 6), round(lat, 6)


def house_no(rng: random.Random) -> int:
    return int(rng.choice([rng.randint(1, 200), rng.randint(1, 1200), rng.randint(1, 3000)]))


def address(rng: random.Random, district: str, road: str | None = None) -> str:
    road = road or rng.choice(ROADS[district])
    n = house_no(rng)
    if rng.random() < 0.15:
        return f"{district}{road}{n}弄{rng.randint(1, 40)}号"
    return f"{district}{road}{n}号"


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def zihao(rng: random.Random) -> str:
    a = rng.choice(ZIHAO_CHARS)
    b = rng.choice(ZIHAO_CHARS)
    while b == a:
        b = rng.choice(ZIHAO_CHARS)
    return a + b


def phone(rng: random.Random) -> str:
    return f"021-{rng.choice('5633'):s}{rng.randint(0, 9999999):07d}"


def place(rng: random.Random, district: str) -> str:
    p = rng.choice(PLACES[district])
    rng.last_place = (district, p)  # type: ignore[attr-defined]
    return p


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def uscc(rng: random.Random, prefix: str, region: str) -> str:
    """A unified social credit code with valid GB 11714 and GB 32100 check characters."""
    org = [rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8)]
    org_vals = [int(c) if c.isdigit() else ord(c) - 55 for c in org]
    c9 = 11 - sum(v * w for v, w in zip(org_vals, ORG_WEIGHTS)) % 11
    c9s = "X" if c9 == 10 else ("0" if c9 == 11 else str(c9))
    body = prefix + region + "".join(org) + c9s
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(body, USCC_WEIGHTS))
    check = (31 - total % 31) % 31
    return body + USCC_CHARS[check]


def company(rng: random.Random, trade: str | None = None, short: str | None = None) -> str:
    trades = [
        "信息科技",
        "网络科技",
        "智能科技",
        "生物科技",
        "电子科技",
        "新材料科技",
        "医药科技",
        "环保科技",
        "能源科技",
        "实业",
        "贸易",
        "商贸",
        "物流",
        "建设发展",
        "投资管理",
        "餐饮管理",
        "食品",
        "物业管理",
    ]
    t = trade or rng.choice(trades)
    form = rng.choices(["有限公司", "股份有限公司"], [9, 1])[0]
    mid = f"（{short}）" if short else ""
    return f"上海{zihao(rng)}{t}{form}" if not mid else f"{zihao(rng)}{mid}{t}{form}"


def rdate(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def r2(x: float) -> float:
    return round(x, 2)


def to_fullwidth(s: str) -> str:
    return "".join(chr(ord(c) - 0x30 + 0xFF10) if "0" <= c <= "9" else c for c in s)


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / f"{name}.json").read_text(encoding="utf-8"))


class Seq:
    """Per-key sequence numbers (e.g. per district)."""

    def __init__(self) -> None:
        self.n: dict[str, int] = {}

    def next(self, key: str) -> int:
        self.n[key] = self.n.get(key, 0) + 1
        return self.n[key]


def unique_name(seen: dict[str, int], name: str, alt: Callable[[], str]) -> str:
    tries = 0
    while name in seen and tries < 20:
        name = alt()
        tries += 1
    seen[name] = 1
    return name


# --------------------------------------------------------------------------------------------
# 道路交通 transport
# --------------------------------------------------------------------------------------------

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
        name = unique_name(seen, parking_name(rng, d), lambda: parking_name(rng, d))
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


CHARGE_OPERATORS = [
    "国网上海市电力公司",
    "上海特来电新能源有限公司",
    "上海星星充电科技有限公司",
    "上海安悦节能技术有限公司",
    "蔚来能源科技（上海）有限公司",
    "特斯拉（上海）有限公司",
    "上海挚达科技发展有限公司",
    "上海蔚蓝快充科技有限公司",
    "上海电力新能源发展有限公司",
    "上海小桔能源科技有限公司",
]


def rows_charging() -> list[dict[str, Any]]:
    rng = rng_for("charging")
    rows = []
    seen: dict[str, int] = {}
    seq = Seq()
    kinds = ["充电站", "公共充电站", "超级充电站", "快充站", "停车场充电站"]
    while len(rows) < 1200:
        d = weighted_district(rng)
        op = rng.choice(CHARGE_OPERATORS)
        brand = {
            "国网上海市电力公司": "国家电网",
            "上海特来电新能源有限公司": "特来电",
            "上海星星充电科技有限公司": "星星充电",
            "蔚来能源科技（上海）有限公司": "蔚来",
            "特斯拉（上海）有限公司": "特斯拉",
        }.get(op, "")
        nm = f"{brand}{place(rng, d)}{rng.choice(PARKING_SUFFIXES)}{rng.choice(kinds)}"
        nm = unique_name(
            seen, nm, lambda: f"{brand}{place(rng, d)}{rng.choice(PARKING_SUFFIXES)}{rng.choice(kinds)}"
        )
        dc = rng.choice([0, 2, 4, 6, 8, 10, 12, 20])
        ac = rng.choice([0, 0, 2, 4, 6, 10, 20]) if dc else rng.choice([2, 4, 6, 8, 10, 20, 40])
        lon, lat = point(rng, d)
        rows.append(
            {
                "station_id": f"CS{DISTRICT_INFO[d]['code']}{seq.next(d):05d}",
                "station_name": nm,
                "operator": op,
                "district": d,
                "address": address(rng, d),
                "longitude": lon,
                "latitude": lat,
                "dc_piles": dc,
                "ac_piles": ac,
                "total_power_kw": float(dc * rng.choice([60, 120, 160]) + ac * 7),
                "electricity_fee": r2(rng.uniform(0.55, 1.25)),
                "service_fee": r2(rng.uniform(0.4, 1.0)),
                "open_to_public": "true" if rng.random() < 0.9 else "false",
                "opening_hours": rng.choice(["00:00-24:00", "00:00-24:00", "07:00-23:00", "08:00-22:00"]),
            }
        )
    rows.sort(key=lambda r: r["station_id"])
    return rows


# --------------------------------------------------------------------------------------------
# 资源环境 environment
# --------------------------------------------------------------------------------------------

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


TREE_SPECIES = [
    ("银杏", 30),
    ("香樟", 20),
    ("广玉兰", 8),
    ("罗汉松", 6),
    ("圆柏", 6),
    ("瓜子黄杨", 8),
    ("榉树", 4),
    ("朴树", 5),
    ("女贞", 3),
    ("紫薇", 3),
    ("桂花", 8),
    ("白皮松", 2),
    ("枸骨", 3),
    ("黄连木", 2),
    ("皂荚", 2),
    ("糙叶树", 1),
    ("牡丹", 1),
    ("紫藤", 2),
    ("柏木", 2),
    ("石榴", 1),
]


def ancient_tree_schema() -> dict[str, Any]:
    districts = DISTRICTS
    return {
        "name": "ancient-tree",
        "title": "古树名木",
        "description": "上海市古树名木及古树后续资源档案，按《上海市古树名木和古树后续资源保护条例》分级保护。",
        "fields": [
            {
                "name": "tree_id",
                "title": "古树编号",
                "description": "古树名木登记编号。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^GS\d{5}$"},
            },
            {
                "name": "species",
                "title": "树种",
                "description": "树种中文名。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "protection_level",
                "title": "保护级别",
                "description": "一级古树树龄 300 年以上，二级古树 100～299 年，"
                "古树后续资源 80～99 年，名木不论树龄。",
                "type": "string",
                "constraints": {"required": True, "enum": ["一级古树", "二级古树", "古树后续资源", "名木"]},
            },
            {
                "name": "estimated_age",
                "title": "估测树龄",
                "description": "估测树龄，单位为年。",
                "type": "integer",
                "constraints": {"minimum": 80, "maximum": 1500},
            },
            {
                "name": "height_m",
                "title": "树高",
                "description": "树高，单位为米。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
            {
                "name": "dbh_cm",
                "title": "胸径",
                "description": "距地面 1.3 米处的树干直径，单位为厘米。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "古树所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": districts},
            },
            {"name": "location", "title": "生长地点", "description": "古树生长地点。", "type": "string"},
            {
                "name": "health_status",
                "title": "生长状况",
                "description": "最近一次巡查的生长状况。",
                "type": "string",
                "constraints": {"enum": ["正常", "衰弱", "濒危"]},
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["tree_id"],
        "missingValues": [""],
    }


_TREE_CACHE: list[dict[str, Any]] = []


def rows_ancient_trees() -> list[dict[str, Any]]:
    if _TREE_CACHE:
        return _TREE_CACHE
    rng = rng_for("ancient-trees")
    weights = {d: DISTRICT_INFO[d]["w"] for d in DISTRICTS}
    for d in ("崇明区", "嘉定区", "松江区", "青浦区", "黄浦区"):
        weights[d] *= 2
    for i in range(1, 1501):
        d = weighted_district(rng, weights)
        sp = rng.choices([s for s, _ in TREE_SPECIES], [w for _, w in TREE_SPECIES])[0]
        lvl = rng.choices(["一级古树", "二级古树", "古树后续资源", "名木"], [8, 62, 27, 3])[0]
        age = {
            "一级古树": rng.randint(300, 1200),
            "二级古树": rng.randint(100, 299),
            "古树后续资源": rng.randint(80, 99),
            "名木": rng.randint(80, 150),
        }[lvl]
        loc = rng.choice(
            [
                f"{place(rng, d)}{rng.choice(['公园', '寺', '小学', '新村', '村', '绿地', '老街'])}内",
                address(rng, d).replace(d, "") + rng.choice(["", "院内", "门前"]),
            ]
        )
        lon, lat = point(rng, d)
        _TREE_CACHE.append(
            {
                "tree_id": f"GS{i:05d}",
                "species": sp,
                "protection_level": lvl,
                "estimated_age": age,
                "height_m": round(rng.uniform(6, 28), 1),
                "dbh_cm": round(min(300, 15 + age * rng.uniform(0.12, 0.25)), 1),
                "district": d,
                "location": loc,
                "health_status": rng.choices(["正常", "衰弱", "濒危"], [85, 12, 3])[0],
                "longitude": lon,
                "latitude": lat,
            }
        )
    return _TREE_CACHE


def geojson_ancient_trees() -> bytes:
    feats = []
    for r in rows_ancient_trees():
        if r["protection_level"] != "一级古树":
            continue
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]},
                "properties": {
                    k: r[k] for k in ("tree_id", "species", "estimated_age", "district", "location")
                },
            }
        )
    doc = {"type": "FeatureCollection", "name": "上海市一级古树分布", "features": feats}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


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


# --------------------------------------------------------------------------------------------
# 教育科技 education-technology
# --------------------------------------------------------------------------------------------

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


HT_FIELDS = [
    ("电子信息", "信息科技"),
    ("生物与新医药", "生物医药科技"),
    ("航空航天", "航空科技"),
    ("新材料", "新材料科技"),
    ("高技术服务", "数据服务"),
    ("新能源与节能", "能源科技"),
    ("资源与环境", "环保科技"),
    ("先进制造与自动化", "智能装备"),
]


def rows_high_tech() -> list[dict[str, Any]]:
    rng = rng_for("high-tech")
    rows = []
    seen: dict[str, int] = {}
    weights = {d: DISTRICT_INFO[d]["w"] for d in DISTRICTS}
    weights["浦东新区"] = 35
    weights["闵行区"] = 14
    weights["嘉定区"] = 12
    seqs = {2021: 0, 2022: 0, 2023: 0}
    for _ in range(2000):
        year = rng.choice([2021, 2022, 2023])
        seqs[year] += 1
        fld, trade = rng.choices(HT_FIELDS, [30, 14, 2, 8, 16, 6, 6, 18])[0]
        d = weighted_district(rng, weights)
        name = unique_name(seen, company(rng, trade), lambda: company(rng, trade))
        issued = dt.date(year, rng.choice([11, 12]), rng.randint(1, 28))
        rows.append(
            {
                "certificate_no": f"GR{year}31{seqs[year] + rng.randint(0, 3):06d}",
                "enterprise_name": name,
                "unified_social_credit_code": uscc(rng, "91", DISTRICT_INFO[d]["code"]),
                "district": d,
                "technical_field": fld,
                "recognition_year": year,
                "valid_until": (issued.replace(year=year + 3) - dt.timedelta(days=1)).isoformat(),
            }
        )
        seqs[year] += 3
    return rows


def science_base_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "基地编号",
                "description": "科普教育基地编号。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^KP\d{4}$"},
            },
            {
                "name": "name",
                "title": "基地名称",
                "description": "科普教育基地名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "base_type",
                "title": "基地类别",
                "description": "基地类别。",
                "type": "string",
                "constraints": {
                    "enum": ["场馆类", "自然生态类", "科研院所类", "企业类", "医疗卫生类", "社区类"]
                },
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "地址", "description": "地址。", "type": "string"},
            {"name": "open_days", "title": "开放日", "description": "对公众开放的日期。", "type": "string"},
            {
                "name": "reservation_required",
                "title": "是否需预约",
                "description": "参观是否需要提前预约。",
                "type": "boolean",
            },
            {
                "name": "annual_visitors",
                "title": "年接待人次",
                "description": "上一年度接待参观人次。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def rows_science_bases() -> list[dict[str, Any]]:
    rng = rng_for("science-bases")
    types = [
        ("场馆类", ["科技馆", "科普馆", "博物馆", "展示馆", "天文馆"]),
        ("自然生态类", ["湿地公园", "植物园", "森林公园", "自然保护区"]),
        ("科研院所类", ["研究所科普展示厅", "实验室开放日基地", "研究院科普中心"]),
        ("企业类", ["科技体验馆", "智能制造展厅", "企业科普馆"]),
        ("医疗卫生类", ["健康科普馆", "医学科普基地"]),
        ("社区类", ["社区科普活动中心", "科普画廊", "青少年科创中心"]),
    ]
    rows = []
    seen: dict[str, int] = {}
    for i in range(1, 351):
        d = weighted_district(rng)
        btype, sufs = rng.choices(types, [25, 10, 15, 20, 10, 20])[0]

        def mk() -> str:
            return (
                f"上海{place(rng, d)}{rng.choice(sufs)}"
                if btype != "社区类"
                else f"{rng.choice(STREETS[d])}{rng.choice(sufs)}"
            )

        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"KP{i:04d}",
                "name": unique_name(seen, mk(), mk),
                "base_type": btype,
                "district": d,
                "address": address(rng, d),
                "open_days": rng.choice(["周二至周日", "周一至周五", "每周六", "全年开放", "每月第一个周六"]),
                "reservation_required": "true" if rng.random() < 0.6 else "false",
                "annual_visitors": int(rng.lognormvariate(9.5, 1.0)),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# 社会发展 social-development
# --------------------------------------------------------------------------------------------

POP_2020 = {
    "黄浦区": (66.2, 63.4, 20.46),
    "徐汇区": (111.3, 93.9, 54.76),
    "长宁区": (69.3, 58.6, 38.30),
    "静安区": (97.6, 91.2, 36.88),
    "普陀区": (123.9, 88.8, 54.83),
    "虹口区": (75.7, 72.4, 23.46),
    "杨浦区": (124.2, 107.0, 60.73),
    "闵行区": (265.3, 130.7, 370.75),
    "宝山区": (223.5, 103.6, 270.99),
    "嘉定区": (183.4, 69.5, 464.20),
    "浦东新区": (568.2, 314.2, 1210.41),
    "金山区": (82.3, 52.8, 586.05),
    "松江区": (191.0, 68.9, 605.64),
    "青浦区": (127.1, 50.4, 670.14),
    "奉贤区": (114.1, 54.3, 687.39),
    "崇明区": (63.8, 67.2, 1185.49),
}


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

        def mk() -> str:
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


# --------------------------------------------------------------------------------------------
# 公共安全 public-safety
# --------------------------------------------------------------------------------------------


def rows_shelters() -> list[dict[str, Any]]:
    rng = rng_for("shelters")
    rows = []
    seen: dict[str, int] = {}
    for i in range(1, 801):
        d = weighted_district(rng)
        cls = rng.choices(["Ⅰ类", "Ⅱ类", "Ⅲ类"], [4, 16, 80])[0]
        kind = rng.choice(["公园", "绿地", "中学", "小学", "体育馆", "体育场", "社区文化活动中心", "广场"])

        def mk() -> str:
            return f"{place(rng, d)}{kind}应急避难场所"

        stype = "室外" if kind in ("公园", "绿地", "广场", "体育场") else rng.choice(["室内", "室内外结合"])
        area = float(
            round(rng.uniform(*{"Ⅰ类": (20000, 120000), "Ⅱ类": (4000, 30000), "Ⅲ类": (500, 6000)}[cls]), -1)
        )
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"ES{i:06d}",
                "name": unique_name(seen, mk(), mk),
                "shelter_class": cls,
                "shelter_type": stype,
                "district": d,
                "address": address(rng, d),
                "area_sqm": area,
                "capacity": int(area / rng.choice([1.5, 2.0, 2.5])),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def police_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "编号",
                "description": "派出所编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "name",
                "title": "派出所名称",
                "description": "公安派出所名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "branch",
                "title": "所属分局",
                "description": "所属公安分局。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "地址", "description": "办公地址。", "type": "string"},
            {"name": "phone", "title": "联系电话", "description": "值班电话。", "type": "string"},
            {
                "name": "household_registration",
                "title": "户籍业务",
                "description": "是否受理户籍业务。",
                "type": "boolean",
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def rows_police() -> list[dict[str, Any]]:
    rng = rng_for("police")
    rows = []
    i = 0
    for d in DISTRICTS:
        branch = f"上海市公安局{d}分局"
        names = [street_base(s) + "派出所" for s in STREETS[d]]
        names += [f"{lm}派出所" for lm in LANDMARKS[d][:3] if f"{lm}派出所" not in names]
        for nm in names:
            i += 1
            lon, lat = point(rng, d)
            rows.append(
                {
                    "id": f"PS{i:04d}",
                    "name": nm,
                    "branch": branch,
                    "district": d,
                    "address": address(rng, d),
                    "phone": phone(rng),
                    "household_registration": "true" if rng.random() < 0.9 else "false",
                    "longitude": lon,
                    "latitude": lat,
                }
            )
    for line in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]:
        i += 1
        d = rng.choice(DISTRICTS[:11])
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"PS{i:04d}",
                "name": f"轨道交通{line}号线派出所",
                "branch": "上海市公安局轨道交通分局",
                "district": d,
                "address": address(rng, d),
                "phone": phone(rng),
                "household_registration": "false",
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def hazchem_schema() -> dict[str, Any]:
    return {
        "name": "hazardous-chemical-enterprise",
        "title": "危险化学品经营许可企业",
        "description": "取得危险化学品经营许可证的企业及其重大危险源信息。",
        "fields": [
            {
                "name": "unified_social_credit_code",
                "title": "统一社会信用代码",
                "description": "企业统一社会信用代码。",
                "type": "string",
                "constraints": {
                    "required": True,
                    "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                },
            },
            {
                "name": "enterprise_name",
                "title": "企业名称",
                "description": "企业名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "企业所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {
                "name": "address",
                "title": "经营场所",
                "description": "经营（储存）场所地址。",
                "type": "string",
            },
            {
                "name": "business_mode",
                "title": "经营方式",
                "description": "许可的经营方式。",
                "type": "string",
                "constraints": {
                    "required": True,
                    "enum": ["生产", "经营（带储存）", "经营（无储存）", "使用", "储存"],
                },
            },
            {
                "name": "license_no",
                "title": "许可证编号",
                "description": "危险化学品经营（安全生产）许可证编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "license_valid_until",
                "title": "许可证有效期至",
                "description": "许可证有效期截止日期。",
                "type": "date",
            },
            {
                "name": "major_hazard_source",
                "title": "是否构成重大危险源",
                "description": "是否构成危险化学品重大危险源。",
                "type": "boolean",
            },
            {
                "name": "hazard_level",
                "title": "重大危险源等级",
                "description": "重大危险源等级；不构成重大危险源的为空。",
                "type": "string",
                "constraints": {"enum": ["一级", "二级", "三级", "四级"]},
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["unified_social_credit_code"],
        "missingValues": [""],
    }


def rows_hazchem() -> list[dict[str, Any]]:
    rng = rng_for("hazchem")
    rows = []
    weights = {d: DISTRICT_INFO[d]["w"] * (0.3 if d in CENTRAL else 1.0) for d in DISTRICTS}
    weights["金山区"] = 12
    for i in range(1, 601):
        d = weighted_district(rng, weights)
        mode = rng.choices(["生产", "经营（带储存）", "经营（无储存）", "使用", "储存"], [15, 20, 45, 12, 8])[
            0
        ]
        major = mode in ("生产", "储存", "经营（带储存）") and rng.random() < 0.35
        short = DISTRICT_INFO[d]["short"][0]
        lon, lat = point(rng, d)
        rows.append(
            {
                "unified_social_credit_code": uscc(rng, "91", DISTRICT_INFO[d]["code"]),
                "enterprise_name": company(rng, rng.choice(["化工", "化学品", "石油化工", "气体", "新材料"])),
                "district": d,
                "address": address(rng, d),
                "business_mode": mode,
                "license_no": f"沪（{short}）应急管危经许〔{rng.randint(2021, 2024)}〕{rng.randint(200000, 209999)}",
                "license_valid_until": rdate(rng, dt.date(2025, 1, 1), dt.date(2027, 12, 31)).isoformat(),
                "major_hazard_source": "true" if major else "false",
                "hazard_level": rng.choices(["一级", "二级", "三级", "四级"], [5, 15, 35, 45])[0]
                if major
                else "",
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


def accidents_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "month",
                "title": "月份",
                "description": "统计月份。",
                "type": "yearmonth",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "事故发生地所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {
                "name": "accidents",
                "title": "事故起数",
                "description": "道路交通事故起数（一般程序）。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "deaths",
                "title": "死亡人数",
                "description": "死亡人数。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "injuries",
                "title": "受伤人数",
                "description": "受伤人数。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "property_loss",
                "title": "直接财产损失",
                "description": "直接财产损失，单位为万元。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
        ],
        "primaryKey": ["month", "district"],
    }


def rows_accidents() -> list[dict[str, Any]]:
    rng = rng_for("accidents")
    rows = []
    for year in (2022, 2023, 2024):
        for m in range(1, 13):
            for d in DISTRICTS:
                acc = max(1, round(POP_2020[d][0] * rng.uniform(0.25, 0.45)))
                rows.append(
                    {
                        "month": f"{year}-{m:02d}",
                        "district": d,
                        "accidents": acc,
                        "deaths": round(acc * rng.uniform(0.05, 0.15)),
                        "injuries": round(acc * rng.uniform(0.8, 1.2)),
                        "property_loss": r2(acc * rng.uniform(0.3, 1.2)),
                    }
                )
    return rows


# --------------------------------------------------------------------------------------------
# 文化休闲 culture-leisure
# --------------------------------------------------------------------------------------------

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


def rows_sports_venues() -> list[dict[str, Any]]:
    rng = rng_for("sports-venues")
    rows = []
    seen: dict[str, int] = {}
    vtypes = [
        ("体育场", 2, (8000, 60000)),
        ("体育馆", 5, (2000, 20000)),
        ("游泳馆", 6, (1200, 6000)),
        ("健身中心", 12, (500, 4000)),
        ("市民球场", 25, (400, 3000)),
        ("市民健身步道", 15, (800, 12000)),
        ("市民益智健身苑点", 33, (80, 600)),
        ("体育公园", 2, (10000, 80000)),
    ]
    for i in range(1, 1801):
        d = weighted_district(rng)
        vt, _, area = rng.choices(vtypes, [v[1] for v in vtypes])[0]

        def mk() -> str:
            if vt == "市民益智健身苑点":
                return f"{place(rng, d)}{rng.choice(['新村', '小区', '绿地', '社区'])}健身苑点"
            if vt == "市民健身步道":
                return f"{rng.choice(ROADS[d])}市民健身步道"
            if vt == "市民球场":
                return f"{place(rng, d)}{rng.choice(['市民篮球场', '市民足球场', '市民多功能运动场', '笼式足球场'])}"
            return (
                f"{DISTRICT_INFO[d]['short']}{place(rng, d)}{vt}"
                if rng.random() < 0.5
                else f"{place(rng, d)}{vt}"
            )

        free = vt in ("市民益智健身苑点", "市民健身步道", "体育公园") or rng.random() < 0.3
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"SV{i:06d}",
                "name": unique_name(seen, mk(), mk),
                "venue_type": vt,
                "district": d,
                "address": address(rng, d),
                "area_sqm": rng.randint(*area),
                "open_to_public": "true" if rng.random() < 0.95 else "false",
                "is_free": "true" if free else "false",
                "phone": phone(rng) if vt not in ("市民益智健身苑点", "市民健身步道") else "",
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


FAMOUS_PARKS = [
    ("世纪公园", "综合公园", "浦东新区", "浦东新区锦绣路1001号", 140.3, False),
    ("中山公园", "综合公园", "长宁区", "长宁区长宁路780号", 20.96, True),
    ("鲁迅公园", "综合公园", "虹口区", "虹口区四川北路2288号", 28.63, True),
    ("复兴公园", "综合公园", "黄浦区", "黄浦区皋兰路2号", 8.89, True),
    ("人民公园", "综合公园", "黄浦区", "黄浦区南京西路231号", 9.82, True),
    ("长风公园", "综合公园", "普陀区", "普陀区大渡河路189号", 36.6, True),
    ("共青森林公园", "专类公园", "杨浦区", "杨浦区军工路2000号", 124.0, False),
    ("上海植物园", "专类公园", "徐汇区", "徐汇区龙吴路1111号", 81.86, False),
    ("闵行体育公园", "综合公园", "闵行区", "闵行区新镇路456号", 84.0, True),
    ("顾村公园", "综合公园", "宝山区", "宝山区沪太路4788号", 180.0, True),
    ("滨江森林公园", "综合公园", "浦东新区", "浦东新区高桥镇凌桥高沙滩3号", 120.0, False),
    ("辰山植物园", "专类公园", "松江区", "松江区辰花路3888号", 207.0, False),
    ("陆家嘴中心绿地", "综合公园", "浦东新区", "浦东新区陆家嘴环路", 10.0, True),
    ("徐家汇公园", "综合公园", "徐汇区", "徐汇区肇嘉浜路889号", 7.27, True),
    ("静安公园", "综合公园", "静安区", "静安区南京西路1649号", 3.36, True),
    ("和平公园", "综合公园", "虹口区", "虹口区天宝路891号", 16.6, True),
    ("杨浦公园", "综合公园", "杨浦区", "杨浦区双阳路388号", 22.38, True),
    ("大宁公园", "综合公园", "静安区", "静安区广中西路288号", 68.0, True),
    ("炮台湾湿地森林公园", "专类公园", "宝山区", "宝山区塘后支路206号", 107.0, True),
    ("上海动物园", "专类公园", "长宁区", "长宁区虹桥路2381号", 74.3, False),
    ("青西郊野公园", "郊野公园", "青浦区", "青浦区练塘镇", 2220.0, True),
    ("长兴岛郊野公园", "郊野公园", "崇明区", "崇明区长兴镇", 2970.0, False),
    ("浦江郊野公园", "郊野公园", "闵行区", "闵行区浦江镇", 1520.0, True),
    ("廊下郊野公园", "郊野公园", "金山区", "金山区廊下镇", 2160.0, True),
    ("松南郊野公园", "郊野公园", "松江区", "松江区车墩镇", 1450.0, True),
    ("嘉北郊野公园", "郊野公园", "嘉定区", "嘉定区嘉定镇街道", 1400.0, True),
    ("广富林郊野公园", "郊野公园", "松江区", "松江区广富林路", 1230.0, True),
]


def rows_parks() -> list[dict[str, Any]]:
    rng = rng_for("parks")
    rows = []
    seen: dict[str, int] = {}
    for nm, pt, d, addr, area, free in FAMOUS_PARKS:
        seen[nm] = 1
        rows.append(
            {
                "name": nm,
                "park_type": pt,
                "district": d,
                "address": addr,
                "area_hectares": area,
                "is_free": free,
            }
        )
    while len(rows) < 600:
        d = weighted_district(rng)
        pt = rng.choices(["综合公园", "专类公园", "社区公园", "游园", "口袋公园"], [8, 5, 40, 27, 20])[0]
        sfx = {
            "综合公园": "公园",
            "专类公园": rng.choice(["植物园", "湿地公园", "雕塑公园", "体育公园"]),
            "社区公园": "公园",
            "游园": "游园",
            "口袋公园": rng.choice(["口袋公园", "街心花园"]),
        }[pt]
        nm = f"{place(rng, d)}{sfx}" if rng.random() < 0.7 else f"{road_base(rng.choice(ROADS[d]))}{sfx}"
        if nm in seen:
            continue
        seen[nm] = 1
        area = {
            "综合公园": (10, 60),
            "专类公园": (2, 40),
            "社区公园": (0.5, 10),
            "游园": (0.2, 3),
            "口袋公园": (0.05, 0.8),
        }[pt]
        rows.append(
            {
                "name": nm,
                "park_type": pt,
                "district": d,
                "address": address(rng, d),
                "area_hectares": r2(rng.uniform(*area)),
                "is_free": pt != "专类公园" or rng.random() < 0.5,
            }
        )
    out = []
    for i, r in enumerate(rows, start=1):
        lon, lat = point(rng, r["district"])
        out.append(
            {
                "id": f"PK{i:05d}",
                **r,
                "is_free": "true" if r["is_free"] else "false",
                "opening_hours": rng.choice(
                    ["全天开放", "全天开放", "05:00-21:00", "06:00-18:00", "06:00-21:00"]
                ),
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

        def mk() -> str:
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


# --------------------------------------------------------------------------------------------
# 卫生健康 health
# --------------------------------------------------------------------------------------------

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


FOOD = {
    "粮食加工品": "大米 小麦粉 挂面 糯米粉 玉米粉",
    "食用油、油脂及其制品": "大豆油 菜籽油 花生油 食用植物调和油 芝麻油",
    "调味品": "酱油 食醋 味精 鸡精调味料 料酒 蚝油 辣椒酱",
    "肉制品": "酱卤肉 香肠 火腿 熏煮火腿 腊肉 咸肉",
    "乳制品": "巴氏杀菌乳 灭菌乳 发酵乳 调制乳粉 再制干酪",
    "饮料": "饮用纯净水 饮用天然矿泉水 果汁饮料 茶饮料 碳酸饮料 植物蛋白饮料",
    "方便食品": "油炸方便面 自热火锅 即食燕麦片",
    "饼干": "苏打饼干 夹心饼干 曲奇饼干",
    "罐头": "午餐肉罐头 黄桃罐头 糖水橘子罐头",
    "冷冻饮品": "冰淇淋 雪糕 冰棍",
    "速冻食品": "速冻水饺 速冻汤圆 速冻馄饨 速冻包子",
    "薯类和膨化食品": "薯片 膨化玉米条 虾条",
    "糖果制品": "硬质糖果 奶糖 巧克力 果冻",
    "茶叶及相关制品": "绿茶 红茶 乌龙茶 花茶",
    "酒类": "黄酒 啤酒 白酒 葡萄酒",
    "蔬菜制品": "酱腌菜 榨菜 蔬菜干制品",
    "水果制品": "蜜饯 果脯 果酱",
    "炒货食品及坚果制品": "瓜子 开心果 花生 腰果",
    "蛋制品": "咸鸭蛋 皮蛋 卤蛋",
    "糕点": "月饼 蛋糕 面包 青团 桃酥",
    "豆制品": "豆腐 豆腐干 腐竹 素鸡",
    "水产制品": "鱼干 虾皮 即食海蜇",
    "淀粉及淀粉制品": "粉丝 粉条 淀粉",
    "餐饮食品": "复用餐饮具 自制凉拌菜 自制糕点 自制饮品 米饭",
    "食用农产品": "青菜 芹菜 韭菜 豇豆 菠菜 鸡蛋 猪肉 牛肉 鸡肉 鲫鱼 草鱼 基围虾 苹果 柑橘 香蕉 大白菜 生姜",
}
FOOD = {k: v.split() for k, v in FOOD.items()}
FOOD_WEIGHTS = {
    "食用农产品": 30,
    "餐饮食品": 10,
    "糕点": 6,
    "粮食加工品": 4,
    "调味品": 5,
    "饮料": 5,
    "肉制品": 4,
    "乳制品": 3,
}
UNQUALIFIED = {
    "食用农产品": [
        ("毒死蜱", "mg/kg", 0.02),
        ("腐霉利", "mg/kg", 0.2),
        ("氧乐果", "mg/kg", 0.02),
        ("恩诺沙星", "μg/kg", 100),
        ("孔雀石绿", "μg/kg", 0.5),
        ("镉（以Cd计）", "mg/kg", 0.2),
    ],
    "餐饮食品": [("大肠菌群", "CFU/50cm²", 0), ("阴离子合成洗涤剂（以十二烷基苯磺酸钠计）", "mg/100cm²", 0)],
    "糕点": [
        ("菌落总数", "CFU/g", 100000),
        ("霉菌", "CFU/g", 150),
        ("脱氢乙酸及其钠盐（以脱氢乙酸计）", "g/kg", 0.5),
    ],
    "蔬菜制品": [("苯甲酸及其钠盐（以苯甲酸计）", "g/kg", 1.0)],
    "饮料": [("铜绿假单胞菌", "CFU/250mL", 0)],
    "酒类": [("酒精度", "%vol", 0)],
    "食用油、油脂及其制品": [("酸价（KOH）", "mg/g", 3)],
}
SAMPLING_CHAINS = [
    "上海联华超市发展有限公司",
    "上海华联罗森有限公司",
    "上海盒马网络科技有限公司",
    "上海农工商超市（集团）有限公司",
    "上海家乐福商业有限公司",
    "上海大润发超市有限公司",
    "上海世纪联华超市发展有限公司",
    "上海快客便利有限公司",
]
INSPECTION_AGENCIES = [
    "上海市质量监督检验技术研究院",
    "上海市食品药品检验研究院",
    "上海市农产品质量安全中心",
    "上海市疾病预防控制中心",
    "谱尼测试集团上海有限公司",
    "上海微谱检测科技集团股份有限公司",
    "上海市计量测试技术研究院",
]


def rows_food_safety() -> list[dict[str, Any]]:
    rng = rng_for("food-safety")
    cats = list(FOOD)
    weights = [FOOD_WEIGHTS.get(c, 2) for c in cats]
    producers = [
        company(rng, rng.choice(["食品", "食品工业", "粮油", "乳业", "饮品", "调味品", "肉食品"]))
        for _ in range(900)
    ]
    rows = []
    for i in range(1, 5001):
        d = weighted_district(rng)
        cat = rng.choices(cats, weights)[0]
        sample = rng.choice(FOOD[cat])
        r = rng.random()
        if cat == "餐饮食品":
            entity = f"上海{zihao(rng)}餐饮管理有限公司{place(rng, d)}店"
        elif r < 0.55:
            entity = f"{rng.choice(SAMPLING_CHAINS)}{place(rng, d)}{rng.choice(['店', '门店', '分店'])}"
        elif r < 0.8:
            entity = f"{place(rng, d)}菜市场{rng.randint(1, 80)}号摊位"
        else:
            entity = f"上海{zihao(rng)}{rng.choice(['食品店', '商行', '便利店'])}"
        bad = rng.random() < (0.035 if cat in UNQUALIFIED else 0.008)
        item = ""
        if bad:
            nm, unit, std = rng.choice(UNQUALIFIED.get(cat, [("菌落总数", "CFU/g", 10000)]))
            if nm == "酒精度":
                item = f"酒精度（检验值：{round(rng.uniform(8, 15), 1)}%vol，标签明示值：{rng.choice([12, 14, 16])}%vol）"
            elif std:
                item = f"{nm}（检验值：{round(std * rng.uniform(1.5, 8), 3)}{unit}，标准值：≤{std}{unit}）"
            else:
                item = f"{nm}（检验值：检出，标准值：不得检出）"
        rows.append(
            {
                "sample_no": f"GC24310000{10000000 + i * 7 + rng.randint(0, 6):08d}",
                "sample_name": sample,
                "food_category": cat,
                "producer": "/" if cat in ("食用农产品", "餐饮食品") else rng.choice(producers),
                "sampled_entity": entity,
                "district": d,
                "sampling_date": rdate(rng, dt.date(2024, 1, 2), dt.date(2024, 12, 20)).isoformat(),
                "result": "不合格" if bad else "合格",
                "unqualified_item": item,
                "inspection_agency": rng.choice(INSPECTION_AGENCIES),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# 民生服务 livelihood
# --------------------------------------------------------------------------------------------


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


def wet_market_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "菜市场编号",
                "description": "标准化菜市场编号。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^CSC\d{5}$"},
            },
            {
                "name": "name",
                "title": "菜市场名称",
                "description": "菜市场名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {
                "name": "address",
                "title": "地址",
                "description": "地址。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "operator",
                "title": "经营管理单位",
                "description": "市场经营管理单位。",
                "type": "string",
            },
            {
                "name": "stalls",
                "title": "摊位数",
                "description": "经营摊位数，单位为个。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {
                "name": "area_sqm",
                "title": "营业面积",
                "description": "营业面积，单位为平方米。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
            {
                "name": "smart_market",
                "title": "智慧菜场",
                "description": "是否完成智慧菜场改造。",
                "type": "boolean",
            },
            {"name": "opening_hours", "title": "营业时间", "description": "营业时间。", "type": "string"},
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def rows_wet_markets() -> list[dict[str, Any]]:
    rng = rng_for("wet-markets")
    rows = []
    seen: dict[str, int] = {}
    for i in range(1, 901):
        d = weighted_district(rng)

        def mk() -> str:
            return (
                f"{place(rng, d)}{rng.choice(['菜市场', '菜场', '农贸市场', '生鲜市场'])}"
                if rng.random() < 0.7
                else f"{road_base(rng.choice(ROADS[d]))}{rng.choice(['菜市场', '菜场'])}"
            )

        lon, lat = point(rng, d)
        stalls = rng.randint(40, 220)
        rows.append(
            {
                "id": f"CSC{i:05d}",
                "name": unique_name(seen, mk(), mk),
                "district": d,
                "address": address(rng, d),
                "operator": company(
                    rng, rng.choice(["农副产品市场经营管理", "市场经营管理", "菜市场经营管理"])
                ),
                "stalls": stalls,
                "area_sqm": float(round(stalls * rng.uniform(12, 20))),
                "smart_market": "true" if rng.random() < 0.45 else "false",
                "opening_hours": rng.choice(["05:30-18:30", "06:00-19:00", "06:00-20:00", "05:00-18:00"]),
                "longitude": lon,
                "latitude": lat,
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


# --------------------------------------------------------------------------------------------
# 机构团体 institutions
# --------------------------------------------------------------------------------------------

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


def law_firm_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "license_no",
                "title": "执业许可证号",
                "description": "律师事务所执业许可证号（统一社会信用代码）。",
                "type": "string",
                "constraints": {"required": True, "pattern": r"^31\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"},
            },
            {
                "name": "name",
                "title": "律师事务所名称",
                "description": "律师事务所名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "organization_form",
                "title": "组织形式",
                "description": "组织形式。",
                "type": "string",
                "constraints": {"required": True, "enum": ["普通合伙", "特殊的普通合伙", "个人所", "国资所"]},
            },
            {"name": "director", "title": "负责人", "description": "律师事务所负责人。", "type": "string"},
            {
                "name": "lawyer_count",
                "title": "执业律师人数",
                "description": "执业律师人数，单位为人。",
                "type": "integer",
                "constraints": {"minimum": 1},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "住所所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "住所", "description": "律师事务所住所。", "type": "string"},
            {
                "name": "established_date",
                "title": "成立日期",
                "description": "批准设立日期。",
                "type": "date",
            },
            {"name": "phone", "title": "联系电话", "description": "联系电话。", "type": "string"},
        ],
        "primaryKey": ["license_no"],
    }


FAMOUS_LAW_FIRMS = [
    "上海市锦天城律师事务所",
    "国浩律师（上海）事务所",
    "上海市方达律师事务所",
    "通力律师事务所",
    "上海市汇业律师事务所",
    "上海段和段律师事务所",
    "上海市建纬律师事务所",
    "上海邦信阳律师事务所",
    "上海市协力律师事务所",
    "上海市君悦律师事务所",
]


def rows_law_firms() -> list[dict[str, Any]]:
    rng = rng_for("law-firms")
    rows = []
    seen: dict[str, int] = {n: 1 for n in FAMOUS_LAW_FIRMS}
    names = list(FAMOUS_LAW_FIRMS)
    while len(names) < 1500:
        nm = rng.choice(
            [f"上海{zihao(rng)}律师事务所", f"上海市{zihao(rng)}律师事务所", f"上海{person(rng)}律师事务所"]
        )
        if nm not in seen:
            seen[nm] = 1
            names.append(nm)
    weights = {
        d: DISTRICT_INFO[d]["w"] * (3 if d in ("黄浦区", "静安区", "徐汇区", "长宁区") else 1)
        for d in DISTRICTS
    }
    weights["浦东新区"] = 40
    for i, nm in enumerate(names):
        d = weighted_district(rng, weights)
        form = (
            "个人所"
            if rng.random() < 0.2 and i >= 10
            else rng.choices(["普通合伙", "特殊的普通合伙", "国资所"], [90, 8, 2])[0]
        )
        n = (
            rng.randint(300, 2500)
            if i < 10
            else (1 if form == "个人所" else int(min(400, max(3, rng.lognormvariate(2.3, 0.9)))))
        )
        code = uscc(rng, "31", DISTRICT_INFO[d]["code"])
        rows.append(
            {
                "license_no": code,
                "name": nm,
                "organization_form": form,
                "director": person(rng),
                "lawyer_count": n,
                "district": d,
                "address": address(rng, d)
                + rng.choice(["", f"{rng.randint(5, 40)}楼", f"{rng.randint(2, 30)}层"]),
                "established_date": rdate(rng, dt.date(1993, 1, 1), dt.date(2024, 6, 30)).isoformat(),
                "phone": phone(rng),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# 城市建设 urban-construction
# --------------------------------------------------------------------------------------------

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


def rows_land(year: int) -> list[dict[str, Any]]:
    rng = rng_for(f"land-{year}")
    rows = []
    uses = [
        ("住宅用地", 30, 5.5, (1.8, 2.5)),
        ("商服用地", 10, 2.2, (2.0, 4.0)),
        ("工业用地", 25, 0.12, (1.2, 2.0)),
        ("研发用地", 15, 0.35, (1.5, 3.0)),
        ("租赁住房用地", 8, 1.2, (2.0, 2.5)),
        ("教育用地", 4, 0.1, (0.8, 1.5)),
        ("综合用地", 8, 2.5, (2.0, 4.0)),
    ]
    count = 350 if year == 2023 else 320
    for i in range(1, count + 1):
        d = weighted_district(
            rng, {k: DISTRICT_INFO[k]["w"] * (0.4 if k in CENTRAL else 1.0) for k in DISTRICTS}
        )
        use, _, price_wan_per_m2, far = rng.choices(uses, [u[1] for u in uses])[0]
        area = float(round(rng.uniform(5000, 120000), -1))
        ratio = round(rng.uniform(*far), 1)
        if d in CENTRAL:
            price_wan_per_m2 *= 2.5
        price = (
            r2(area * ratio * price_wan_per_m2 * rng.uniform(0.7, 1.3))
            if use not in ("工业用地", "研发用地", "教育用地")
            else r2(area * price_wan_per_m2 * rng.uniform(0.8, 1.5))
        )
        method = (
            "拍卖" if use == "住宅用地" and rng.random() < 0.3 else ("招标" if rng.random() < 0.1 else "挂牌")
        )
        short = DISTRICT_INFO[d]["short"]
        code = {
            "浦东": "PD",
            "黄浦": "HP",
            "徐汇": "XH",
            "长宁": "CN",
            "静安": "JA",
            "普陀": "PT",
            "虹口": "HK",
            "杨浦": "YP",
            "闵行": "MH",
            "宝山": "BS",
            "嘉定": "JD",
            "金山": "JS",
            "松江": "SJ",
            "青浦": "QP",
            "奉贤": "FX",
            "崇明": "CM",
        }[short]
        rows.append(
            {
                "parcel_code": f"{year}{rng.randint(1, 12):02d}{code}{i:04d}",
                "parcel_name": f"{d}{place(rng, d)}{rng.choice(['社区', '单元', '片区', '产业区块'])}{rng.randint(1, 60):02d}-{rng.randint(1, 9):02d}地块",
                "district": d,
                "land_use": use,
                "area_sqm": area,
                "floor_area_ratio": ratio,
                "transfer_method": method,
                "transaction_price": price,
                "transaction_date": rdate(rng, dt.date(year, 1, 5), dt.date(year, 12, 28)).isoformat(),
                "winning_bidder": company(
                    rng, rng.choice(["置业", "房地产开发", "科技", "实业", "产业园区开发"])
                ),
            }
        )
    rows.sort(key=lambda r: r["parcel_code"])
    return rows


# --------------------------------------------------------------------------------------------
# 信用服务 credit
# --------------------------------------------------------------------------------------------

INDUSTRY_SECTIONS = [
    ("批发和零售业", 25),
    ("租赁和商务服务业", 15),
    ("科学研究和技术服务业", 12),
    ("信息传输、软件和信息技术服务业", 10),
    ("制造业", 10),
    ("建筑业", 6),
    ("住宿和餐饮业", 5),
    ("交通运输、仓储和邮政业", 5),
    ("房地产业", 4),
    ("金融业", 2),
    ("文化、体育和娱乐业", 3),
    ("居民服务、修理和其他服务业", 3),
]
TRADE_FOR = {
    "批发和零售业": "贸易",
    "租赁和商务服务业": "企业管理咨询",
    "科学研究和技术服务业": "科技",
    "信息传输、软件和信息技术服务业": "信息科技",
    "制造业": "机械制造",
    "建筑业": "建筑工程",
    "住宿和餐饮业": "餐饮管理",
    "交通运输、仓储和邮政业": "物流",
    "房地产业": "置业",
    "金融业": "投资管理",
    "文化、体育和娱乐业": "文化传播",
    "居民服务、修理和其他服务业": "家政服务",
}


_ENTERPRISE_CACHE: list[dict[str, Any]] = []


def rows_enterprise_credit() -> list[dict[str, Any]]:
    if _ENTERPRISE_CACHE:
        return _ENTERPRISE_CACHE
    rng = rng_for("enterprise-credit")
    seen: dict[str, int] = {}
    for _ in range(4000):
        d = weighted_district(rng)
        ind = rng.choices([s for s, _ in INDUSTRY_SECTIONS], [w for _, w in INDUSTRY_SECTIONS])[0]
        name = unique_name(seen, company(rng, TRADE_FOR[ind]), lambda: company(rng, TRADE_FOR[ind]))
        etype = (
            "股份有限公司"
            if name.endswith("股份有限公司")
            else rng.choices(
                [
                    "有限责任公司",
                    "个人独资企业",
                    "合伙企业",
                    "外商投资企业",
                    "全民所有制企业",
                    "集体所有制企业",
                ],
                [80, 5, 5, 7, 1, 2],
            )[0]
        )
        status = rng.choices(["存续", "在业", "迁出", "注销", "吊销"], [70, 15, 3, 9, 3])[0]
        rating = (
            rng.choices(["A", "B", "C", "D"], [35, 50, 11, 4])[0]
            if status in ("存续", "在业")
            else rng.choice(["C", "D"])
        )
        _ENTERPRISE_CACHE.append(
            {
                "unified_social_credit_code": uscc(rng, "91", DISTRICT_INFO[d]["code"]),
                "enterprise_name": name,
                "legal_representative": person(rng),
                "enterprise_type": etype,
                "registered_capital": float(rng.choice([10, 50, 100, 200, 500, 1000, 3000, 5000, 10000])),
                "established_date": rdate(rng, dt.date(1995, 1, 1), dt.date(2024, 6, 30)).isoformat(),
                "district": d,
                "industry": ind,
                "credit_rating": rating,
                "operating_status": status,
                "rating_date": rng.choice(["2024-06-30", "2024-09-30", "2024-12-15"]),
            }
        )
    return _ENTERPRISE_CACHE


def abnormal_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "unified_social_credit_code",
                "title": "统一社会信用代码",
                "description": "企业统一社会信用代码。",
                "type": "string",
                "constraints": {
                    "required": True,
                    "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                },
            },
            {
                "name": "enterprise_name",
                "title": "企业名称",
                "description": "企业名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "企业登记住所所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {
                "name": "listed_reason",
                "title": "列入原因",
                "description": "列入经营异常名录的原因（《企业经营异常名录管理暂行办法》）。",
                "type": "string",
                "constraints": {
                    "required": True,
                    "enum": [
                        "未按规定公示年度报告",
                        "通过登记的住所或者经营场所无法联系",
                        "公示企业信息隐瞒真实情况、弄虚作假",
                        "未在责令期限内公示有关企业信息",
                    ],
                },
            },
            {
                "name": "listed_date",
                "title": "列入日期",
                "description": "列入经营异常名录的日期。",
                "type": "date",
                "constraints": {"required": True},
            },
            {
                "name": "listing_authority",
                "title": "作出决定机关",
                "description": "作出列入决定的机关。",
                "type": "string",
            },
            {
                "name": "removed_date",
                "title": "移出日期",
                "description": "移出经营异常名录的日期；尚未移出的为空。",
                "type": "date",
            },
        ],
        "primaryKey": ["unified_social_credit_code", "listed_date"],
    }


def rows_abnormal() -> list[dict[str, Any]]:
    rng = rng_for("abnormal")
    rows = []
    pool = [r for r in rows_enterprise_credit() if r["credit_rating"] in ("C", "D")]
    extra = 1500 - len(pool)
    src = pool + [
        {
            "unified_social_credit_code": uscc(rng, "91", DISTRICT_INFO[d]["code"]),
            "enterprise_name": company(rng),
            "district": d,
        }
        for d in (weighted_district(rng) for _ in range(max(0, extra)))
    ]
    for e in src[:1500]:
        listed = rdate(rng, dt.date(2020, 7, 1), dt.date(2024, 11, 30))
        removed = (listed + dt.timedelta(days=rng.randint(30, 700))) if rng.random() < 0.35 else None
        rows.append(
            {
                "unified_social_credit_code": e["unified_social_credit_code"],
                "enterprise_name": e["enterprise_name"],
                "district": e["district"],
                "listed_reason": rng.choices(
                    [
                        "未按规定公示年度报告",
                        "通过登记的住所或者经营场所无法联系",
                        "公示企业信息隐瞒真实情况、弄虚作假",
                        "未在责令期限内公示有关企业信息",
                    ],
                    [60, 32, 3, 5],
                )[0],
                "listed_date": listed.isoformat(),
                "listing_authority": f"上海市{e['district']}市场监督管理局",
                "removed_date": removed.isoformat() if removed and removed < dt.date(2024, 12, 31) else "",
            }
        )
    return rows


def dishonest_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "record_id",
                "title": "记录编号",
                "description": "失信记录编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "entity_name",
                "title": "主体名称",
                "description": "失信主体名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "unified_social_credit_code",
                "title": "统一社会信用代码",
                "description": "主体统一社会信用代码。",
                "type": "string",
            },
            {
                "name": "entity_type",
                "title": "主体类型",
                "description": "主体类型。",
                "type": "string",
                "constraints": {"enum": ["法人", "非法人组织", "个体工商户"]},
            },
            {
                "name": "category",
                "title": "失信类别",
                "description": "严重失信主体名单类别。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "decision_authority",
                "title": "认定部门",
                "description": "作出认定决定的部门。",
                "type": "string",
            },
            {
                "name": "decision_no",
                "title": "认定文书号",
                "description": "认定决定书文号。",
                "type": "string",
            },
            {
                "name": "listed_date",
                "title": "列入日期",
                "description": "列入名单日期。",
                "type": "date",
                "constraints": {"required": True},
            },
            {"name": "expiry_date", "title": "移出日期", "description": "预计移出名单日期。", "type": "date"},
            {
                "name": "district",
                "title": "所属区",
                "description": "主体所在的行政区。",
                "type": "string",
                "constraints": {"enum": DISTRICTS},
            },
        ],
        "primaryKey": ["record_id"],
    }


def rows_dishonest() -> list[dict[str, Any]]:
    rng = rng_for("dishonest")
    cats = [
        ("失信被执行人", "上海市高级人民法院"),
        ("重大税收违法失信主体", "国家税务总局上海市税务局"),
        ("严重违法失信企业", "上海市市场监督管理局"),
        ("拖欠农民工工资失信联合惩戒对象", "上海市人力资源和社会保障局"),
        ("安全生产严重失信主体", "上海市应急管理局"),
        ("环境违法失信主体", "上海市生态环境局"),
    ]
    rows = []
    for i in range(1, 801):
        d = weighted_district(rng)
        cat, auth = rng.choices(cats, [50, 15, 15, 10, 5, 5])[0]
        listed = rdate(rng, dt.date(2021, 1, 1), dt.date(2024, 11, 30))
        rows.append(
            {
                "record_id": f"SX{listed.year}{i:06d}",
                "entity_name": company(rng),
                "unified_social_credit_code": uscc(rng, "91", DISTRICT_INFO[d]["code"]),
                "entity_type": rng.choices(["法人", "非法人组织", "个体工商户"], [85, 5, 10])[0],
                "category": cat,
                "decision_authority": auth,
                "decision_no": f"沪{auth[2:4]}信〔{listed.year}〕{rng.randint(1, 999)}号",
                "listed_date": listed.isoformat(),
                "expiry_date": (listed + dt.timedelta(days=365 * rng.choice([1, 3]))).isoformat(),
                "district": d,
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# 经济建设 economy
# --------------------------------------------------------------------------------------------

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


def commercial_schema() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": "id",
                "title": "编号",
                "description": "商业综合体编号。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "name",
                "title": "名称",
                "description": "商业综合体名称。",
                "type": "string",
                "constraints": {"required": True},
            },
            {
                "name": "district",
                "title": "所属区",
                "description": "所在的行政区。",
                "type": "string",
                "constraints": {"required": True, "enum": DISTRICTS},
            },
            {"name": "address", "title": "地址", "description": "地址。", "type": "string"},
            {"name": "operator", "title": "运营企业", "description": "运营管理企业。", "type": "string"},
            {
                "name": "business_area_sqm",
                "title": "商业面积",
                "description": "商业建筑面积，单位为平方米。",
                "type": "number",
                "constraints": {"minimum": 0},
            },
            {"name": "opened_year", "title": "开业年份", "description": "开业年份。", "type": "year"},
            {
                "name": "parking_spaces",
                "title": "停车位",
                "description": "配建停车位数量，单位为个。",
                "type": "integer",
                "constraints": {"minimum": 0},
            },
            {"name": "longitude", "title": "经度", "description": "WGS-84 经度。", "type": "number"},
            {"name": "latitude", "title": "纬度", "description": "WGS-84 纬度。", "type": "number"},
        ],
        "primaryKey": ["id"],
    }


def rows_commercial() -> list[dict[str, Any]]:
    rng = rng_for("commercial")
    brands = [
        ("万达广场", "上海万达商业管理有限公司"),
        ("龙湖天街", "上海龙湖商业管理有限公司"),
        ("大悦城", "上海大悦城商业管理有限公司"),
        ("印象城", "上海印力商业管理有限公司"),
        ("万象城", "华润万象生活（上海）有限公司"),
        ("吾悦广场", "上海新城商业管理有限公司"),
        ("凯德广场", "凯德商用产业管理（上海）有限公司"),
        ("百联购物中心", "百联集团有限公司"),
        ("宝龙广场", "上海宝龙商业管理有限公司"),
        ("爱琴海购物公园", "上海红星美凯龙商业管理有限公司"),
        ("生活广场", ""),
        ("商业中心", ""),
        ("购物中心", ""),
    ]
    rows = []
    seen: dict[str, int] = {}
    i = 0
    while len(rows) < 300:
        d = weighted_district(rng)
        brand, op = rng.choice(brands)
        nm = f"{place(rng, d)}{brand}"
        if nm in seen:
            continue
        seen[nm] = 1
        i += 1
        area = float(round(rng.uniform(30000, 250000), -2))
        lon, lat = point(rng, d)
        rows.append(
            {
                "id": f"SC{i:04d}",
                "name": nm,
                "district": d,
                "address": address(rng, d),
                "operator": op or company(rng, "商业管理"),
                "business_area_sqm": area,
                "opened_year": rng.randint(1998, 2024),
                "parking_spaces": int(area / rng.uniform(80, 160)),
                "longitude": lon,
                "latitude": lat,
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# Package registry
# --------------------------------------------------------------------------------------------

SchemaRef = Any  # str (published name) | dict (inline) | ("relative", path, dict)


class Err:
    """A deliberate error injected into a resource (documented in README.md, checked by --check)."""

    def __init__(
        self,
        kind: str,
        index: int,
        field: str,
        value: Any = None,
        note: str = "",
        expect: str | None = None,
        source_index: int | None = None,
    ):
        self.kind = kind  # set | duplicate_pk | extra_cell | fullwidth
        self.index = index  # 0-based data row index
        self.field = field
        self.value = value
        self.note = note
        self.expect = expect  # expected frictionless error type (None: frictionless accepts the value)
        self.source_index = source_index


class Res:
    def __init__(
        self,
        name: str,
        title: str,
        path: str,
        rows: Callable[[], list[dict[str, Any]]] | None,
        schema: SchemaRef = None,
        fmt: str = "csv",
        encoding: str | None = "utf-8",
        bom: bool = False,
        declare_encoding: bool = True,
        xlsx_title: str | None = None,
        sheet: str = "Sheet1",
        errors: list[Err] | None = None,
        content: Callable[[], bytes] | None = None,
        mediatype: str | None = None,
        description: str | None = None,
    ):
        self.name, self.title, self.path, self.rows_fn, self.schema = name, title, path, rows, schema
        self.fmt, self.encoding, self.bom, self.declare_encoding = fmt, encoding, bom, declare_encoding
        self.xlsx_title, self.sheet, self.errors = xlsx_title, sheet, errors or []
        self.content, self.mediatype, self.description = content, mediatype, description
        self.row_count = 0

    @property
    def header_row(self) -> int:
        return 3 if self.xlsx_title else 1

    def row_number(self, index: int) -> int:
        return self.header_row + 1 + index


class Pkg:
    def __init__(
        self,
        dept: str,
        name: str,
        title: str,
        domain: str,
        description: str,
        keywords: list[str],
        resources: list[Res],
        *,
        update: str,
        temporal: str,
        created: str,
        open_class: str = "open",
        version: str = "1.0.0",
        spatial: str = "上海市",
        license: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        self.dept, self.name, self.title, self.domain = dept, name, title, domain
        self.description, self.keywords, self.resources = description, keywords, resources
        self.update, self.temporal, self.created, self.open_class = update, temporal, created, open_class
        self.version, self.spatial, self.license, self.extra = (
            version,
            spatial,
            license or LICENSE_CC_BY,
            extra or {},
        )

    @property
    def folder(self) -> Path:
        return HERE / self.dept / self.name

    @property
    def domain_code(self) -> str:
        return DOMAIN_BY_TITLE.get(self.domain, self.domain)


XLSX_MT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def build_registry() -> list[Pkg]:
    P: list[Pkg] = []
    N = SYNTHETIC_NOTE

    # ---- transport 道路交通 ----
    P.append(
        Pkg(
            "jtw",
            "shanghai-public-parking-lots",
            "上海市公共停车场（库）信息",
            "transport",
            "本数据集包含全市经备案的公共停车场（库）基本信息，包括停车场名称、所属区、地址、经纬度、泊位总数和小时收费标准，"
            "覆盖机场、铁路枢纽、商业综合体、医院、公园及 P+R 停车场等。数据由各区交通管理部门每月报送，市交通委汇总发布。"
            "收费标准以现场公示为准。" + N,
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
    )
    P.append(
        Pkg(
            "jtw",
            "pudong-public-parking-lots-2023",
            "2023年浦东新区公共停车场（库）名录",
            "道路交通",
            "2023 年末浦东新区公共停车场（库）名录，字段与全市公共停车场（库）信息一致，供历年对比使用。"
            "2024 年新增停车场未包含在内。" + N,
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
    )
    P.append(
        Pkg(
            "jtw",
            "shanghai-on-street-parking-berths",
            "上海市道路停车场（泊位）设置信息",
            "transport",
            "全市经公安交警和交通管理部门批准设置的道路停车场（路内停车泊位）信息，包括道路名称、路段起止、泊位数、"
            "收费方式、首小时收费和收费时段。文件为带 BOM 的 UTF-8 编码，可直接用 Excel 打开。" + N,
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
    )
    P.append(
        Pkg(
            "jtw",
            "shanghai-bus-routes",
            "上海市公交线路基本信息",
            "transport",
            "全市地面公交线路基本信息，包括线路类型（常规、中运量、夜宵线、定制公交、区域线路、旅游线路）、运营企业、"
            "起讫站点、首末班时间、线路长度、站点数和票价。" + N,
            ["公交", "公交线路", "公共交通", "首末班", "夜宵线"],
            [Res("bus-routes", "公交线路", "data/bus-routes.csv", rows_bus_routes, "bus-route")],
            update="每月",
            temporal="2024-12-01/2024-12-31",
            created="2018-11-05T09:00:00+08:00",
            version="5.1.0",
        )
    )
    P.append(
        Pkg(
            "fgw",
            "shanghai-ev-charging-stations",
            "上海市电动汽车公共充电站信息",
            "transport",
            "接入市级充电设施公共数据采集与监测平台的公共充电站信息，包括运营商、位置、直流桩和交流桩数量、总功率、"
            "电费和服务费。多数充电站位于公共停车场内，停车费另行收取。" + N,
            ["充电桩", "充电站", "新能源汽车", "电动汽车", "停车场"],
            [
                Res(
                    "charging-stations",
                    "公共充电站清单",
                    "data/charging-stations.csv",
                    rows_charging,
                    "charging-pile",
                )
            ],
            update="每月",
            temporal="2024-01-01/2024-12-31",
            created="2021-03-15T09:00:00+08:00",
            version="1.4.0",
        )
    )

    # ---- environment 资源环境 ----
    P.append(
        Pkg(
            "sthjj",
            "shanghai-air-quality-hourly",
            "上海市环境空气质量小时监测数据",
            "environment",
            "全市 20 个环境空气质量监测站点的逐小时监测数据，包括空气质量指数（AQI）、PM2.5、PM10、臭氧、二氧化氮、二氧化硫、"
            "一氧化碳浓度、首要污染物和空气质量级别。本批次为 2024 年 1 月 1 日至 2 月 12 日数据。"
            "监测数据为实时发布的未经审核数据，个别时段因仪器校准存在缺测。" + N,
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
    )
    P.append(
        Pkg(
            "sthjj",
            "key-pollutant-discharge-units",
            "上海市重点排污单位名录",
            "environment",
            "依据《环境监管重点单位名录管理办法》确定的本市重点排污单位名录，包括单位名称、行业类别、重点排污类别和排污许可证编号。"
            "本数据为有条件开放数据，申请使用需说明用途。" + N,
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
    )
    P.append(
        Pkg(
            "swj",
            "surface-water-quality-monitoring",
            "上海市主要河湖断面水质监测结果",
            "environment",
            "本市主要河湖考核断面的月度水质监测结果，包括溶解氧、高锰酸盐指数、氨氮、总磷和水质类别，按年度分别提供。"
            + N,
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
    )
    P.append(
        Pkg(
            "lhsr",
            "ancient-and-famous-trees",
            "上海市古树名木信息",
            "environment",
            "全市登记在册的古树名木和古树后续资源，包括树种、保护级别、估测树龄、树高、胸径、生长地点和生长状况。"
            "另附一级古树分布 GeoJSON 文件。表结构定义随数据包提供（schema/ancient-tree.json）。" + N,
            ["古树", "名木", "古树名木", "绿化", "银杏"],
            [
                Res(
                    "ancient-trees",
                    "古树名木清单",
                    "data/ancient-trees.csv",
                    rows_ancient_trees,
                    ("relative", "schema/ancient-tree.json", ancient_tree_schema()),
                ),
                Res(
                    "ancient-trees-level1-map",
                    "一级古树分布图",
                    "data/ancient-trees-level1.geojson",
                    None,
                    None,
                    fmt="geojson",
                    content=geojson_ancient_trees,
                    mediatype="application/geo+json",
                    description="一级古树点位（GeoJSON FeatureCollection）。",
                ),
            ],
            update="每年",
            temporal="2024-01-01/2024-12-31",
            created="2018-03-12T09:00:00+08:00",
        )
    )

    P.append(
        Pkg(
            "swj",
            "hydrological-station-water-levels",
            "上海市水文站逐时水位和雨量",
            "environment",
            "全市主要水文（水位）站逐时水位和时段雨量遥测数据（2024 年 6 月 20 日至 7 月 31 日，梅雨期），"
            "水位采用吴淞高程基面。测站信息（名称、所在河流、警戒水位、位置）单独列表提供。遥测数据未经整编。"
            + N,
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
    )

    # ---- education-technology 教育科技 ----
    P.append(
        Pkg(
            "jw",
            "shanghai-primary-secondary-schools",
            "上海市中小学校名录",
            "education-technology",
            "全市普通中小学、中等职业学校和特殊教育学校名录，包括学校标识码、学校类型、办学性质、地址、建校年份、"
            "在校学生数和专任教师数。学生数和教师数为学年初统计数。" + N,
            ["学校", "中小学", "小学", "中学", "教育"],
            [Res("schools", "中小学校名录", "data/schools.csv", rows_schools, "school")],
            update="每年",
            temporal="2024-09-01/2025-08-31",
            created="2018-09-01T09:00:00+08:00",
            version="2024.9.0",
        )
    )
    P.append(
        Pkg(
            "jw",
            "shanghai-kindergartens",
            "上海市幼儿园名录",
            "education-technology",
            "全市公办和民办幼儿园名录，包括园所标识码、办学性质、地址、在园幼儿数和专任教师数。数据以 Excel 文件发布。"
            + N,
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
    )
    P.append(
        Pkg(
            "stcsm",
            "high-tech-enterprises",
            "上海市高新技术企业名单",
            "education-technology",
            "经认定的本市高新技术企业名单（2021—2023 年认定批次），包括证书编号、企业名称、统一社会信用代码、所属区、"
            "技术领域、认定年份和证书有效期。" + N,
            ["高新技术企业", "科技企业", "高企认定", "科技创新"],
            [
                Res(
                    "high-tech-enterprises",
                    "高新技术企业名单",
                    "data/high-tech-enterprises.csv",
                    rows_high_tech,
                    "high-tech-enterprise",
                )
            ],
            update="每年",
            temporal="2021-01-01/2023-12-31",
            created="2021-12-30T09:00:00+08:00",
        )
    )
    P.append(
        Pkg(
            "stcsm",
            "science-popularization-bases",
            "上海市科普教育基地名录",
            "education-technology",
            "本市命名的科普教育基地名录，包括基地类别、地址、开放日、是否需预约和年接待人次。" + N,
            ["科普", "科普基地", "科技馆", "科学教育"],
            [
                Res(
                    "science-bases",
                    "科普教育基地",
                    "data/science-bases.csv",
                    rows_science_bases,
                    science_base_schema(),
                )
            ],
            update="每年",
            temporal="2024-01-01/2024-12-31",
            created="2020-05-18T09:00:00+08:00",
        )
    )

    # ---- social-development 社会发展 ----
    P.append(
        Pkg(
            "tjj",
            "resident-population-by-district",
            "上海市分区常住人口和户籍人口",
            "social-development",
            "2000—2024 年各区年末常住人口、户籍人口、土地面积和人口密度。历年数据已按现行行政区划（2016 年起 16 个区）调整。"
            + N,
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
    )
    P.append(
        Pkg(
            "mzj",
            "marriage-registration-statistics",
            "上海市分区婚姻登记统计",
            "social-development",
            "2010—2024 年各区婚姻登记机关办理结婚登记、离婚登记对数及平均初婚年龄。" + N,
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
    )
    P.append(
        Pkg(
            "rsj",
            "vocational-training-institutions",
            "上海市民办职业培训机构名录",
            "social-development",
            "经人力资源社会保障部门审批的民办职业培训机构名录，包括办学许可证号、培训项目和是否具备补贴培训资质。"
            + N,
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
    )

    # ---- public-safety 公共安全 ----
    P.append(
        Pkg(
            "yjglj",
            "emergency-shelters",
            "上海市应急避难场所",
            "public-safety",
            "全市已建成的应急避难场所，包括场所类别（Ⅰ、Ⅱ、Ⅲ类）、形式、有效避难面积、可容纳人数和位置。" + N,
            ["应急避难场所", "避难", "应急", "防灾"],
            [
                Res(
                    "shelters",
                    "应急避难场所清单",
                    "data/emergency-shelters.csv",
                    rows_shelters,
                    "emergency-shelter",
                )
            ],
            update="每半年",
            temporal="2024-01-01/2024-12-31",
            created="2019-05-12T09:00:00+08:00",
        )
    )
    P.append(
        Pkg(
            "gaj",
            "police-stations",
            "上海市公安派出所信息",
            "public-safety",
            "全市公安派出所名称、所属分局、地址、值班电话以及是否受理户籍业务。" + N,
            ["派出所", "公安", "户籍", "报警"],
            [Res("police-stations", "派出所", "data/police-stations.csv", rows_police, police_schema())],
            update="不定期",
            temporal="2024-01-01/2024-12-31",
            created="2018-08-01T09:00:00+08:00",
        )
    )
    P.append(
        Pkg(
            "yjglj",
            "hazardous-chemical-enterprises",
            "上海市危险化学品经营许可企业",
            "public-safety",
            "取得危险化学品经营（生产、使用、储存）许可的企业名单及重大危险源等级。本数据为有条件开放数据。"
            "表结构定义随数据包提供（schema/hazardous-chemical-enterprise.json）。" + N,
            ["危险化学品", "危化品", "重大危险源", "安全生产"],
            [
                Res(
                    "hazchem-enterprises",
                    "危险化学品经营许可企业",
                    "data/hazchem-enterprises.csv",
                    rows_hazchem,
                    ("relative", "schema/hazardous-chemical-enterprise.json", hazchem_schema()),
                )
            ],
            update="每季度",
            temporal="2024-01-01/2024-12-31",
            created="2020-06-16T09:00:00+08:00",
            open_class="conditional",
        )
    )
    P.append(
        Pkg(
            "gaj",
            "road-traffic-accident-statistics",
            "上海市道路交通事故月度统计",
            "public-safety",
            "2022—2024 年各区道路交通事故（一般程序）起数、死亡人数、受伤人数和直接财产损失月度统计。本数据不对外开放，仅目录公开。"
            + N,
            ["交通事故", "道路交通安全", "事故统计"],
            [
                Res(
                    "traffic-accidents",
                    "道路交通事故月度统计",
                    "data/traffic-accidents-monthly.csv",
                    rows_accidents,
                    accidents_schema(),
                )
            ],
            update="每月",
            temporal="2022-01-01/2024-12-31",
            created="2022-02-15T09:00:00+08:00",
            open_class="closed",
        )
    )

    # ---- culture-leisure 文化休闲 ----
    P.append(
        Pkg(
            "whlyj",
            "a-level-scenic-spots",
            "上海市A级旅游景区名录",
            "culture-leisure",
            "截至 2024 年末本市 A 级旅游景区名录，包括景区等级、评定年份、门票价格、地址和联系电话。"
            "数据以 Excel 文件发布，第一行为表格标题，第二行为空行，第三行为表头。" + N,
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
    )
    P.append(
        Pkg(
            "whlyj",
            "public-libraries",
            "上海市公共图书馆信息",
            "culture-leisure",
            "全市公共图书馆（市级馆、区级馆、街镇图书馆和社区分馆）的地址、开放时间、馆藏量和阅览座位数。"
            + N,
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
    )
    P.append(
        Pkg(
            "tyj",
            "public-sports-venues",
            "上海市公共体育场馆和健身设施",
            "culture-leisure",
            "全市公共体育场馆、市民球场、市民健身步道和市民益智健身苑点等健身设施信息，包括场地面积和开放情况。"
            + N,
            ["体育场馆", "健身", "市民球场", "健身步道", "运动"],
            [
                Res(
                    "sports-venues",
                    "公共体育场馆和健身设施",
                    "data/sports-venues.csv",
                    rows_sports_venues,
                    "sports-venue",
                    errors=[
                        Err(
                            "set",
                            241,
                            "area_sqm",
                            "约5000",
                            "整数列“场地面积”中出现文本“约5000”",
                            "type-error",
                        )
                    ],
                )
            ],
            update="每季度",
            temporal="2024-01-01/2024-12-31",
            created="2019-08-08T09:00:00+08:00",
        )
    )
    P.append(
        Pkg(
            "lhsr",
            "urban-parks",
            "上海市城市公园名录",
            "culture-leisure",
            "全市城市公园名录，包括公园类型、面积、是否免费、开放时间和位置。郊野公园面积为规划面积。" + N,
            ["公园", "城市公园", "郊野公园", "绿地", "休闲"],
            [
                Res(
                    "parks",
                    "城市公园名录",
                    "data/urban-parks.csv",
                    rows_parks,
                    "park",
                    errors=[
                        Err(
                            "extra_cell",
                            88,
                            "",
                            "备注：改造中",
                            "该行末尾多出一个单元格“备注：改造中”",
                            "extra-cell",
                        )
                    ],
                )
            ],
            update="每季度",
            temporal="2024-01-01/2024-12-31",
            created="2018-06-01T09:00:00+08:00",
            version="2.2.0",
        )
    )
    P.append(
        Pkg(
            "whlyj",
            "museums-and-exhibitions",
            "上海市博物馆名录及2024年展览信息",
            "culture-leisure",
            "本市备案博物馆（纪念馆、美术馆）名录及 2024 年临时展览信息。展览信息以 JSON 数组发布。" + N,
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
    )

    # ---- health 卫生健康 ----
    P.append(
        Pkg(
            "wsjkw",
            "medical-institutions",
            "上海市医疗机构名录",
            "health",
            "全市医疗机构名录，包括医院、社区卫生服务中心（站）、门诊部、诊所和护理院，字段包括机构类别、医院等级、"
            "经营性质、地址、联系电话、核定床位数和是否为医保定点。" + N,
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
    )
    P.append(
        Pkg(
            "wsjkw",
            "community-health-service-centers",
            "上海市社区卫生服务中心",
            "health",
            "全市社区卫生服务中心及其分中心的地址、联系电话和床位数，提供家庭医生签约、基本医疗和公共卫生服务。"
            + N,
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
    )
    P.append(
        Pkg(
            "wsjkw",
            "fever-clinics",
            "上海市发热门诊和发热哨点诊室",
            "health",
            "全市医疗机构设置的发热门诊和社区发热哨点诊室，包括是否 24 小时开放和是否设有儿科发热门诊。" + N,
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
    )
    P.append(
        Pkg(
            "scjgj",
            "food-safety-inspections-2024",
            "2024年上海市食品安全监督抽检结果",
            "health",
            "2024 年本市市场监管部门组织的食品安全监督抽检结果，包括样品名称、食品大类、标称生产企业、被抽样单位、"
            "抽样日期、检验结论和不合格项目。抽检结果仅对所抽样品负责。" + N,
            ["食品安全", "抽检", "食品抽检", "不合格食品", "市场监管"],
            [
                Res(
                    "inspections",
                    "食品安全监督抽检结果",
                    "data/food-safety-inspections-2024.csv",
                    rows_food_safety,
                    "food-safety-inspection",
                )
            ],
            update="每周",
            temporal="2024-01-01/2024-12-31",
            created="2024-01-15T09:00:00+08:00",
            version="2024.52.0",
            extra={"x_source_system": "国家食品安全抽样检验信息系统", "x_batches": 52},
        )
    )

    # ---- livelihood 民生服务 ----
    P.append(
        Pkg(
            "mzj",
            "elderly-care-institutions",
            "上海市养老服务机构",
            "livelihood",
            "全市养老机构、长者照护之家、老年人日间照护机构和社区综合为老服务中心信息，包括运营性质、床位数、收费区间"
            "和是否医养结合。文件采用 GBK 编码。" + N,
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
    )
    P.append(
        Pkg(
            "mzj",
            "community-elderly-canteens",
            "上海市社区长者食堂",
            "民生服务",
            "全市社区长者食堂和社区助餐点信息。本数据沿用养老服务机构表结构：床位数字段为就餐座位数，"
            "最低/最高月收费字段为每餐均价和最高价。" + N,
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
    )
    P.append(
        Pkg(
            "sww",
            "standard-wet-markets",
            "上海市标准化菜市场",
            "livelihood",
            "全市标准化菜市场名录，包括经营管理单位、摊位数、营业面积、营业时间和是否完成智慧菜场改造。" + N,
            ["菜市场", "菜场", "农贸市场", "买菜", "智慧菜场"],
            [
                Res(
                    "wet-markets",
                    "标准化菜市场",
                    "data/wet-markets.csv",
                    rows_wet_markets,
                    wet_market_schema(),
                )
            ],
            update="每季度",
            temporal="2024-01-01/2024-12-31",
            created="2019-11-11T09:00:00+08:00",
        )
    )
    P.append(
        Pkg(
            "rsj",
            "public-employment-service-agencies",
            "上海市公共就业服务机构",
            "livelihood",
            "市、区、街镇三级公共就业服务机构名录，包括地址、咨询电话和服务时间，可办理失业登记、职业介绍和就业援助。"
            + N,
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
    )

    # ---- institutions 机构团体 ----
    P.append(
        Pkg(
            "mzj",
            "social-organizations",
            "上海市社会组织登记信息",
            "institutions",
            "在本市各级民政部门登记的社会团体和民办非企业单位（社会服务机构）基本信息，包括统一社会信用代码、登记管理机关、"
            "业务主管单位、法定代表人、注册资金和登记状态。" + N,
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
    )
    P.append(
        Pkg(
            "mzj",
            "charitable-foundations",
            "上海市基金会名录",
            "机构团体",
            "在本市登记的基金会名录，包括原始基金、登记管理机关和登记状态。" + N,
            ["基金会", "慈善", "公益", "社会组织"],
            [Res("foundations", "基金会", "data/foundations.csv", rows_foundations, "social-organization")],
            update="每季度",
            temporal="2024-01-01/2024-12-31",
            created="2018-09-05T09:00:00+08:00",
        )
    )
    P.append(
        Pkg(
            "sfj",
            "law-firms",
            "上海市律师事务所名录",
            "institutions",
            "全市律师事务所名录，包括执业许可证号、组织形式、负责人、执业律师人数、住所和成立日期。" + N,
            ["律师事务所", "律师", "法律服务"],
            [Res("law-firms", "律师事务所", "data/law-firms.csv", rows_law_firms, law_firm_schema())],
            update="每季度",
            temporal="2024-01-01/2024-12-31",
            created="2019-04-01T09:00:00+08:00",
            license=LICENSE_TERMS,
        )
    )

    # ---- urban-construction 城市建设 ----
    P.append(
        Pkg(
            "zjw",
            "construction-permits-2024",
            "2024年上海市建设工程施工许可信息",
            "urban-construction",
            "2024 年全市核发的建设工程施工许可证信息，包括工程名称、工程类别、建设地点、建设单位、施工总承包单位、"
            "合同价格、建筑面积和工程状态。" + N,
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
    )
    P.append(
        Pkg(
            "zjw",
            "construction-permits-2023",
            "2023年上海市建设工程施工许可信息",
            "urban-construction",
            "2023 年全市核发的建设工程施工许可证信息，字段与 2024 年数据一致。该文件由原业务系统导出，采用 GBK 编码"
            "（未在元数据中声明编码）。" + N,
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
    )
    P.append(
        Pkg(
            "ghzyj",
            "land-transactions",
            "上海市国有建设用地使用权出让结果",
            "urban-construction",
            "本市国有建设用地使用权招标、拍卖、挂牌出让成交结果，包括地块位置、用途、面积、容积率、成交价和竞得人，按年度提供。"
            + N,
            ["土地出让", "土地", "地块", "住宅用地", "招拍挂"],
            [
                Res(
                    "land-transactions-2023",
                    "2023年出让结果",
                    "data/land-transactions-2023.csv",
                    lambda: rows_land(2023),
                    "land-transaction",
                ),
                Res(
                    "land-transactions-2024",
                    "2024年出让结果",
                    "data/land-transactions-2024.csv",
                    lambda: rows_land(2024),
                    "land-transaction",
                ),
            ],
            update="每月",
            temporal="2023-01-01/2024-12-31",
            created="2018-01-15T09:00:00+08:00",
        )
    )

    # ---- credit 信用服务 ----
    P.append(
        Pkg(
            "scjgj",
            "enterprise-credit-information",
            "上海市企业信用信息及分类监管结果",
            "credit",
            "本市登记企业的基础信用信息和企业信用风险分类结果（A 至 D 四类），包括统一社会信用代码、企业类型、注册资本、"
            "成立日期、行业门类和登记状态。" + N,
            ["企业信用", "信用风险分类", "统一社会信用代码", "企业登记"],
            [
                Res(
                    "enterprise-credit",
                    "企业信用信息",
                    "data/enterprise-credit.csv",
                    rows_enterprise_credit,
                    "enterprise-credit",
                )
            ],
            update="每季度",
            temporal="2024-01-01/2024-12-31",
            created="2019-09-20T09:00:00+08:00",
            version="2.0.0",
        )
    )
    P.append(
        Pkg(
            "scjgj",
            "abnormal-operation-list",
            "上海市企业经营异常名录",
            "credit",
            "被列入经营异常名录的企业，包括列入原因、列入日期、作出决定机关和移出日期。" + N,
            ["经营异常", "异常名录", "企业信用", "年报"],
            [
                Res(
                    "abnormal-operation",
                    "经营异常名录",
                    "data/abnormal-operation-list.csv",
                    rows_abnormal,
                    abnormal_schema(),
                )
            ],
            update="每日",
            temporal="2020-07-01/2024-12-31",
            created="2020-07-01T09:00:00+08:00",
        )
    )
    P.append(
        Pkg(
            "fgw",
            "dishonest-entities-list",
            "上海市严重失信主体名单",
            "信用服务",
            "各部门认定的严重失信主体名单汇总，包括失信类别、认定部门、认定文书号和列入日期。本数据为有条件开放数据，"
            "用于信用核查的机构可申请使用。" + N,
            ["失信", "黑名单", "严重失信", "信用惩戒"],
            [
                Res(
                    "dishonest-entities",
                    "严重失信主体名单",
                    "data/dishonest-entities.csv",
                    rows_dishonest,
                    dishonest_schema(),
                )
            ],
            update="每周",
            temporal="2021-01-01/2024-12-31",
            created="2021-02-01T09:00:00+08:00",
            open_class="conditional",
            license=LICENSE_TERMS,
        )
    )

    # ---- economy 经济建设 ----
    P.append(
        Pkg(
            "tjj",
            "district-gdp",
            "上海市分区地区生产总值",
            "economy",
            "2015—2024 年各区地区生产总值及三次产业增加值、可比价增长率。" + N,
            ["GDP", "地区生产总值", "经济", "产业结构"],
            [Res("district-gdp", "分区地区生产总值", "data/district-gdp.csv", rows_gdp, "district-economy")],
            update="每年",
            temporal="2015-01-01/2024-12-31",
            created="2016-03-01T09:00:00+08:00",
            license=LICENSE_CC0,
        )
    )
    P.append(
        Pkg(
            "tjj",
            "main-economic-indicators-monthly",
            "上海市主要经济指标月度数据",
            "economy",
            "2020—2024 年本市主要经济指标月度数据，包括规模以上工业总产值、社会消费品零售总额、固定资产投资、外贸进出口等。"
            "部分历史记录由人工录入，数值列中存在全角数字。" + N,
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
    )
    P.append(
        Pkg(
            "sww",
            "commercial-complexes",
            "上海市商业综合体名录",
            "economy",
            "全市商业建筑面积 3 万平方米以上的商业综合体名录，包括运营企业、商业面积、开业年份和配建停车位。"
            + N,
            ["商业综合体", "购物中心", "商场", "商业"],
            [
                Res(
                    "commercial-complexes",
                    "商业综合体",
                    "data/commercial-complexes.csv",
                    rows_commercial,
                    commercial_schema(),
                )
            ],
            update="每半年",
            temporal="2024-01-01/2024-12-31",
            created="2020-10-01T09:00:00+08:00",
        )
    )
    return P


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------


def resolve_inline(schema: SchemaRef) -> dict[str, Any]:
    if isinstance(schema, str):
        return load_schema(schema)
    if isinstance(schema, tuple):
        return schema[2]
    return schema


def apply_errors(res: Res, fields: list[str], rows: list[dict[str, Any]]) -> list[list[Any]]:
    rows = [dict(r) for r in rows]
    extra: dict[int, Any] = {}
    for e in res.errors:
        if e.kind == "set":
            rows[e.index][e.field] = e.value
        elif e.kind == "duplicate_pk":
            rows[e.index][e.field] = rows[e.source_index][e.field]
        elif e.kind == "fullwidth":
            rows[e.index][e.field] = to_fullwidth(str(rows[e.index][e.field]))
            e.value = rows[e.index][e.field]
        elif e.kind == "extra_cell":
            extra[e.index] = e.value
    out = []
    for i, r in enumerate(rows):
        assert list(r) == fields, (res.name, list(r), fields)
        line = [r[f] for f in fields]
        if i in extra:
            line.append(extra[i])
        out.append(line)
    return out


def cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def csv_bytes(fields: list[str], lines: list[list[Any]], encoding: str, bom: bool) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields)
    for line in lines:
        w.writerow([cell_text(v) for v in line])
    data = buf.getvalue().encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom else data


def typed(v: Any, ftype: str) -> Any:
    """Value for XLSX/JSON cells: real booleans, numbers stay numbers, empty strings become null."""
    if v == "" or v is None:
        return None
    if ftype == "boolean" and v in ("true", "false"):
        return v == "true"
    return v


def fixed_zip(raw: bytes) -> bytes:
    """Rewrite an OOXML zip with fixed entry timestamps and fixed core document properties."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", rf"\g<1>{FIXED_DOC_TIME}\g<2>", text
                )
                text = re.sub(
                    r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rf"\g<1>{FIXED_DOC_TIME}\g<2>",
                    text,
                )
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zi.create_system = 0
            dst.writestr(zi, data, compresslevel=6)
    return out.getvalue()


def xlsx_bytes(res: Res, schema: dict[str, Any], fields: list[str], lines: list[list[Any]]) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = res.sheet
    if res.xlsx_title:
        ws.append([res.xlsx_title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(fields))
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        ws.append([])
    ws.append(fields)
    for line in lines:
        ws.append(
            [typed(v, types.get(fields[i], "string")) if i < len(fields) else v for i, v in enumerate(line)]
        )
    fixed = dt.datetime(2024, 12, 31, 1, 0, 0)
    wb.properties.creator = DEPARTMENTS["whlyj"][0] if res.xlsx_title else "上海市公共数据开放平台"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.lastModifiedBy = None
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def json_bytes(schema: dict[str, Any], fields: list[str], lines: list[list[Any]]) -> bytes:
    types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    objs = [{f: typed(v, types[f]) for f, v in zip(fields, line)} for line in lines]
    return (json.dumps(objs, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def resource_descriptor(res: Res) -> dict[str, Any]:
    d: dict[str, Any] = {"name": res.name, "title": res.title, "path": res.path, "format": res.fmt}
    if res.description:
        d["description"] = res.description
    d["mediatype"] = (
        res.mediatype or {"csv": "text/csv", "xlsx": XLSX_MT, "json": "application/json"}[res.fmt]
    )
    if res.fmt != "xlsx" and res.declare_encoding and res.encoding:
        d["encoding"] = res.encoding
    if res.schema is not None:
        d["schema"] = res.schema[1] if isinstance(res.schema, tuple) else res.schema
    if res.xlsx_title:
        d["dialect"] = {"headerRows": [3]}
    return d


def package_descriptor(p: Pkg) -> dict[str, Any]:
    title, title_en = DEPARTMENTS[p.dept]
    d: dict[str, Any] = {
        "name": p.name,
        "title": p.title,
        "description": p.description,
        "keywords": p.keywords,
        "licenses": [p.license],
        "version": p.version,
        "created": p.created,
        "domain": p.domain,
        "publisher": {"name": p.dept, "title": title, "title_en": title_en},
        "update_frequency": p.update,
        "open_class": p.open_class,
        "temporal_coverage": p.temporal,
        "spatial_coverage": p.spatial,
        "contact": {
            "name": "数据开放联系人",
            "email": f"data@{p.dept}.sh.gov.cn",
            "phone": f"021-{23110000 + sum(ord(c) for c in p.dept) * 7 % 9999:08d}",
        },
    }
    d.update(p.extra)
    d["resources"] = [resource_descriptor(r) for r in p.resources]
    return d


def generate(registry: list[Pkg]) -> None:
    for child in sorted(HERE.iterdir()):
        if child.is_dir() and child.name in DEPARTMENTS:
            shutil.rmtree(child)
    for p in registry:
        for res in p.resources:
            target = p.folder / res.path
            if res.content is not None:
                write_bytes(target, res.content())
                continue
            schema = resolve_inline(res.schema)
            fields = [f["name"] for f in schema["fields"]]
            rows = res.rows_fn()
            lines = apply_errors(res, fields, rows)
            res.row_count = len(lines)
            if res.fmt == "csv":
                data = csv_bytes(fields, lines, res.encoding or "utf-8", res.bom)
            elif res.fmt == "xlsx":
                data = xlsx_bytes(res, schema, fields, lines)
            else:
                data = json_bytes(schema, fields, lines)
            write_bytes(target, data)
            if isinstance(res.schema, tuple):
                write_bytes(
                    p.folder / res.schema[1],
                    (json.dumps(res.schema[2], ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
                )
        write_bytes(
            p.folder / "datapackage.json",
            (json.dumps(package_descriptor(p), ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        )
    (HERE / "README.md").write_text(readme(registry), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------


def schema_kind(res: Res) -> str:
    if res.schema is None:
        return "—"
    if isinstance(res.schema, str):
        return f"`{res.schema}`"
    if isinstance(res.schema, tuple):
        return f"relative `{res.schema[1]}`"
    return "inline"


def encoding_label(res: Res) -> str:
    if res.fmt == "xlsx":
        return "—"
    if res.encoding == "gbk":
        return "GBK (declared)" if res.declare_encoding else "GBK (**not declared**)"
    return "UTF-8 with BOM" if res.bom else "UTF-8"


def readme(registry: list[Pkg]) -> str:
    total_rows = sum(r.row_count for p in registry for r in p.resources)
    depts = sorted({p.dept for p in registry})
    by_domain: dict[str, int] = {}
    for p in registry:
        by_domain[p.domain_code] = by_domain.get(p.domain_code, 0) + 1
    L: list[str] = []
    a = L.append
    a("# sample_data — departmental data packages (示例数据)\n")
    a(
        "Synthetic open-data packages as Shanghai departments (委办局) would publish them. They are the harvest input for"
    )
    a(
        "`make run` and for the tests. **All rows are generated** (模拟数据): names, addresses and figures are plausible but"
    )
    a("not real. Do not edit files here by hand — change `generate.py` and regenerate.\n")
    a("## Regenerate and check\n")
    a("```sh")
    a(
        ".venv/bin/python sample_data/generate.py          # rewrite every package and this README (deterministic)"
    )
    a(".venv/bin/python sample_data/generate.py --check  # validate every resource with frictionless")
    a("```\n")
    a(
        "Output is byte-for-byte identical on every run: each dataset has its own fixed-seed `random.Random`, every"
    )
    a(
        "timestamp is fixed, and XLSX files are rewritten with fixed zip-entry times (2024-12-31 09:00:00) and fixed"
    )
    a(
        f"`dcterms:created`/`dcterms:modified` ({FIXED_DOC_TIME}). Only the standard library, openpyxl and (for `--check`)"
    )
    a(
        "frictionless are used. `--check` resolves each resource's schema, validates it with frictionless and compares"
    )
    a("the errors with the deliberate errors listed below; it exits non-zero on any difference.\n")
    a("## Layout\n")
    a("```")
    a("sample_data/<department-slug>/<dataset-name>/datapackage.json")
    a("sample_data/<department-slug>/<dataset-name>/data/<file>.csv|.xlsx|.json|.geojson")
    a(
        "sample_data/<department-slug>/<dataset-name>/schema/<name>.json     (only where a relative schema path is used)"
    )
    a(
        "sample_data/<department-slug>/<dataset-name>/docs/<file>.txt        (non-tabular documentation resource)"
    )
    a("```\n")
    a(
        "`datapackage.json` top-level keys: `name` (slug, unique across sample_data), `title`, `description`, `keywords`,"
    )
    a(
        "`licenses`, `version`, `created`, `domain`, `publisher` {`name`, `title`, `title_en`}, `update_frequency`"
    )
    a(
        "(实时/每日/每周/每月/每季度/每半年/每年/不定期), `open_class` (open | conditional | closed), `temporal_coverage`,"
    )
    a(
        "`spatial_coverage`, `contact` {`name`, `email`, `phone`}, `resources`. Some packages carry unknown extra keys"
    )
    a(
        "(`x_source_system`, `x_update_day`, `x_batches`) that a harvester must keep, not refuse. `domain` is normally a code"
    )
    a(
        "(`transport`); a few packages use the Chinese name instead (`道路交通`, `民生服务`, `机构团体`, `信用服务`).\n"
    )
    a(
        "Resource keys: `name` (slug unique in its package), `title`, `path` (relative to the package folder), `format`,"
    )
    a(
        "`mediatype`, `encoding` (text formats; omitted on purpose for one GBK file), `schema`, `dialect` (XLSX with a"
    )
    a("title row), `description` (non-tabular resources). `schema` takes three forms:\n")
    a(
        "* a string without `/` and without `.json` — the name of a published schema: `schemas/<name>.json` at the project root;"
    )
    a(
        "* a relative path inside the package (`schema/ancient-tree.json`) — resolve against the package folder;"
    )
    a("* an inline Table Schema object.\n")
    a("## Formats and encodings worth knowing\n")
    a("| package | resource | format | encoding / dialect |")
    a("|---|---|---|---|")
    for p in registry:
        for r in p.resources:
            special = r.fmt != "csv" or r.encoding != "utf-8" or r.bom or not r.declare_encoding
            if special:
                extra = (
                    '`"dialect": {"headerRows": [3]}` (title row 1, blank row 2, header row 3)'
                    if r.xlsx_title
                    else encoding_label(r)
                )
                if r.fmt == "json":
                    extra = "UTF-8; array of objects, inline schema"
                if r.fmt in ("txt", "geojson"):
                    extra = "UTF-8; non-tabular, no schema"
                a(f"| {p.dept}/{p.name} | {r.name} | {r.fmt} | {extra} |")
    a("")
    a('* `jtw/shanghai-on-street-parking-berths` starts with a UTF-8 BOM and declares `"encoding": "utf-8"`.')
    a('* `mzj/elderly-care-institutions` is GBK and declares `"encoding": "gbk"`.')
    a(
        "* `zjw/construction-permits-2023` is GBK and declares **no** encoding. It contains characters that are in GBK"
    )
    a(
        "  but not in GB2312 (堃, 喆, 祎, 镕 in company names), so decoding it as `gb2312` fails; decode it as `gb18030`."
    )
    a(
        '* The `elderly-care` schema declares `"trueValues": ["是"], "falseValues": ["否"]` for `medical_integration`.'
    )
    a(
        "* `gaj/road-traffic-accident-statistics` (closed) uses the Table Schema `yearmonth` type; `bus-route` uses `time`."
    )
    a("")
    a("## Deliberate errors\n")
    a(
        "Row numbers are frictionless `rowNumber`s: the physical row in the file, header = row 1 (for the XLSX with a"
    )
    a("title row the header is row 3). Every other resource is valid against its schema.\n")
    a("| package | resource | file | row | field | value | error (frictionless type) |")
    a("|---|---|---|---|---|---|---|")
    for p in registry:
        for r in p.resources:
            for e in r.errors:
                if e.kind == "fullwidth":
                    continue
                val = {
                    "set": repr(e.value) if e.value != "" else "(empty)",
                    "duplicate_pk": "(copy of an earlier key)",
                    "extra_cell": repr(e.value),
                }[e.kind]
                a(
                    f"| {p.dept}/{p.name} | {r.name} | `{r.path}` | {r.row_number(e.index)} | {e.field or '—'} | {val} | "
                    f"{e.note} (`{e.expect}`) |"
                )
    a("")
    a("### Full-width digits (全角数字)\n")
    fw = [(p, r, e) for p in registry for r in p.resources for e in r.errors if e.kind == "fullwidth"]
    if fw:
        p0, r0, _ = fw[0]
        a(
            f"`{p0.dept}/{p0.name}` resource `{r0.name}` (`{r0.path}`) has numeric cells written with full-width digits"
        )
        a(
            "(U+FF10–U+FF19) and an ASCII decimal point. DESIGN requires NFKC normalization of numeric fields. frictionless 5"
        )
        a(
            "already accepts these cells (Python's `int()`/`Decimal()` understand Unicode digits), so the resource is **valid**"
        )
        a(
            "in frictionless; DuckDB/Parquet casts and any fast path will not accept them without NFKC. Cells:\n"
        )
        a("| row | field | cell |")
        a("|---|---|---|")
        for p, r, e in fw:
            a(f"| {r.row_number(e.index)} | {e.field} | `{e.value}` |")
        a("")
    a("## frictionless 5 behaviour (checked with frictionless 5.21)\n")
    a(
        '* XLSX title row: the resource carries `"dialect": {"headerRows": [3]}`. `Resource.from_descriptor()` accepts the'
    )
    a(
        "  dict and reads the labels from row 3; the merged title cell (row 1) and the blank row 2 are skipped and data"
    )
    a(
        "  rows keep their sheet row numbers (first data row = 4). Passing a plain dict as `dialect=` to the `Resource(...)`"
    )
    a("  constructor does not work (`AttributeError: 'dict' object has no attribute 'has_control'`); use")
    a("  `Resource.from_descriptor()` or `Dialect.from_descriptor()`.")
    a(
        '* A resource whose `schema` is a published name (`"parking-lot"`) cannot be handed to frictionless as is:'
    )
    a(
        "  frictionless treats a string schema as a path/URL. Resolve it to `schemas/<name>.json` (or to the package-relative"
    )
    a("  file) first and pass the dict.")
    a(
        "* Encoding detection: without a declared encoding frictionless runs chardet over the first 10,000 bytes. For"
    )
    a(
        "  `construction-permits-2023.csv` chardet answers `GB18030` with low confidence (~0.3); frictionless then tries"
    )
    a(
        "  UTF-8, fails, and keeps `gb18030`, so the file reads correctly. A file with a UTF-8 BOM declared as `utf-8` is"
    )
    a("  read as `utf-8-sig` (the BOM does not end up in the first label).")
    a(
        "* Full-width digits: `integer`, `number` and `year` fields accept `１２３` / `１２.５` / `-３.５`; a full-width decimal"
    )
    a("  point `．` or minus `－` is a `type-error`, and `date` fields reject full-width digits.")
    a(
        "* JSON: a `.json` resource with a schema is loaded as a plain `JsonResource` (not validated as a table). With"
    )
    a(
        '  `"type": "table"` frictionless needs the `frictionless[json]` extra (ijson), which is not installed. `--check`'
    )
    a("  therefore validates `exhibitions-2024.json` by passing its rows to frictionless as inline data.")
    a(
        "* XLSX mediatype inferred by frictionless is `application/vnd.ms-excel`; the packages declare the OOXML type."
    )
    a(
        "* A duplicated single-field primary key gives one `primary-key` error (fieldName empty); if the field also had"
    )
    a(
        "  `unique: true` frictionless would add a `unique-error` as well, so primary-key fields do not set `unique`."
    )
    a("")
    a("## Datasets\n")
    a(
        f"{len(registry)} packages, {sum(len(p.resources) for p in registry)} resources, {total_rows:,} data rows, "
        f"{len(depts)} departments.\n"
    )
    a("| # | department | package (`name`) | title | domain | open | resources (rows) |")
    a("|---|---|---|---|---|---|---|")
    for i, p in enumerate(registry, start=1):
        rs = ", ".join(
            f"{r.name} [{r.fmt}{'' if r.fmt in ('txt', 'geojson') else ', ' + schema_kind(r)}]"
            + (f" ({r.row_count:,})" if r.row_count else "")
            for r in p.resources
        )
        a(
            f"| {i} | {p.dept} {DEPARTMENTS[p.dept][0]} | `{p.name}` | {p.title} | {p.domain} | {p.open_class} | {rs} |"
        )
    a("")
    a("Packages per domain: " + ", ".join(f"{k} {DOMAINS[k]} {by_domain.get(k, 0)}" for k in DOMAINS) + ".\n")
    a("Departments: " + ", ".join(f"`{d}` {DEPARTMENTS[d][0]}" for d in depts) + ".\n")
    a("## Notes for search and API tests\n")
    a("* 停车场: `jtw/shanghai-public-parking-lots` (schema `parking-lot`, 820 rows; many 浦东新区 lots with")
    a("  `total_spaces` > 500), `jtw/pudong-public-parking-lots-2023` (same schema, 浦东新区 only),")
    a(
        "  `jtw/shanghai-on-street-parking-berths` (道路停车泊位) and `fgw/shanghai-ev-charging-stations` (充电桩)."
    )
    a("* Resources with more than 20,000 rows: `sthjj/shanghai-air-quality-hourly` (20,640 rows) and")
    a(
        "  `swj/hydrological-station-water-levels` / `water-levels` (21,168 rows); `scjgj/food-safety-inspections-2024`"
    )
    a("  has 5,000 rows.")
    a(
        "* Same schema, different year or district: `parking-lot` (全市 2024 / 浦东 2023), `construction-project` (2023 / 2024),"
    )
    a(
        "  `water-quality` and `land-transaction` (two yearly resources in one package), `school` (schools / kindergartens),"
    )
    a("  `medical-institution`, `elderly-care`, `social-organization`.")
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------------------------
# --check: validate everything with frictionless
# --------------------------------------------------------------------------------------------

ALLOWED_KEYS = {
    "name",
    "title",
    "description",
    "keywords",
    "licenses",
    "version",
    "created",
    "domain",
    "publisher",
    "update_frequency",
    "open_class",
    "temporal_coverage",
    "spatial_coverage",
    "contact",
    "resources",
}


def resolve_schema(folder: Path, ref: Any) -> dict[str, Any]:
    if isinstance(ref, dict):
        return ref
    if "/" not in ref and not ref.endswith(".json"):
        return json.loads((SCHEMAS_DIR / f"{ref}.json").read_text(encoding="utf-8"))
    target = (folder / ref).resolve()
    assert folder.resolve() in target.parents, f"schema path leaves the package: {ref}"
    return json.loads(target.read_text(encoding="utf-8"))


def check(registry: list[Pkg]) -> int:
    from frictionless import Resource, Schema

    problems: list[str] = []
    for path in sorted(SCHEMAS_DIR.glob("*.json")):
        desc = json.loads(path.read_text(encoding="utf-8"))
        rep = Schema.validate_descriptor(desc)
        if not rep.valid or desc.get("name") != path.stem:
            problems.append(f"schema {path.name}: {rep.flatten(['type', 'note'])}")
    names: dict[str, int] = {}
    total_rows = 0
    for p in registry:
        desc = json.loads((p.folder / "datapackage.json").read_text(encoding="utf-8"))
        unknown = set(desc) - ALLOWED_KEYS
        if any(not k.startswith("x_") for k in unknown):
            problems.append(f"{p.name}: unexpected keys {sorted(unknown)}")
        if not re.fullmatch(r"[a-z0-9-]+", desc["name"]) or desc["name"] in names:
            problems.append(f"{p.name}: bad or duplicate name")
        names[desc["name"]] = 1
        if DOMAIN_BY_TITLE.get(desc["domain"], desc["domain"]) not in DOMAINS:
            problems.append(f"{p.name}: unknown domain {desc['domain']}")
        rnames = [r["name"] for r in desc["resources"]]
        if len(set(rnames)) != len(rnames):
            problems.append(f"{p.name}: duplicate resource names")
        for rd, res in zip(desc["resources"], p.resources):
            file = p.folder / rd["path"]
            label = f"{p.dept}/{p.name}/{rd['name']}"
            expected = set()
            for e in res.errors:
                if e.expect:
                    expected.add(
                        (res.row_number(e.index), e.field if e.kind != "duplicate_pk" else "", e.expect)
                    )
            if "schema" not in rd:
                r = Resource.from_descriptor(
                    {"name": rd["name"], "path": rd["path"], "format": rd["format"]}, basepath=str(p.folder)
                )
                rep = r.validate()
                if not rep.valid:
                    problems.append(f"{label}: {rep.flatten(['type', 'note'])}")
                print(f"  ok   {label} ({rd['format']}, non-tabular, {file.stat().st_size:,} bytes)")
                continue
            schema = resolve_schema(p.folder, rd["schema"])
            if rd["format"] == "json":
                objs = json.loads(file.read_text(encoding="utf-8"))
                fields = [f["name"] for f in schema["fields"]]
                data = [fields] + [[o.get(f) for f in fields] for o in objs]
                r = Resource(data=data, schema=Schema.from_descriptor(schema))
            else:
                rdesc = {k: rd[k] for k in ("name", "path", "format", "encoding", "dialect") if k in rd}
                rdesc["schema"] = schema
                r = Resource.from_descriptor(rdesc, basepath=str(p.folder))
            rep = r.validate()
            rows = rep.tasks[0].stats.get("rows") or 0
            total_rows += rows
            actual = {
                (row, fld or "", typ) for row, fld, typ in rep.flatten(["rowNumber", "fieldName", "type"])
            }
            actual = {
                (row, "" if typ in ("extra-cell", "primary-key") else fld, typ) for row, fld, typ in actual
            }
            expected = {
                (row, "" if typ in ("extra-cell", "primary-key") else fld, typ) for row, fld, typ in expected
            }
            status = "ok  " if actual == expected else "FAIL"
            if actual != expected:
                problems.append(f"{label}: expected {sorted(expected)} got {sorted(actual)[:10]}")
            if rows != res_rows(res):
                problems.append(f"{label}: {rows} rows, expected {res_rows(res)}")
            note = f", errors as documented: {sorted(actual)}" if actual else ""
            print(f"  {status} {label} ({rd['format']}, {rows:,} rows{note})")
            if rd["format"] == "csv" and "encoding" not in rd:
                raw = file.read_bytes()
                probe = Resource.from_descriptor(
                    {"name": "probe", "path": rd["path"]}, basepath=str(p.folder)
                )
                probe.infer()
                try:
                    raw.decode("utf-8")
                    problems.append(f"{label}: undeclared-encoding file unexpectedly decodes as UTF-8")
                except UnicodeDecodeError:
                    pass
                try:
                    raw.decode("gb2312")
                    gb2312 = "decodes"
                except UnicodeDecodeError:
                    gb2312 = "fails"
                text = raw.decode("gb18030")
                first = text.splitlines()[1]
                print(
                    f"       undeclared encoding: frictionless detects {probe.encoding!r}; gb2312 {gb2312}; "
                    f"gb18030 ok, first row: {first[:60]}…"
                )
                if probe.encoding not in ("gb18030", "gbk"):
                    problems.append(f"{label}: frictionless detected {probe.encoding}")
    size = sum(f.stat().st_size for f in HERE.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
    by_domain: dict[str, int] = {}
    for p in registry:
        by_domain[p.domain_code] = by_domain.get(p.domain_code, 0) + 1
    print(
        f"\npackages {len(registry)}, resources {sum(len(p.resources) for p in registry)}, "
        f"departments {len({p.dept for p in registry})}, tabular rows {total_rows:,}, size {size / 1e6:.2f} MB"
    )
    print("per domain: " + ", ".join(f"{k} {by_domain.get(k, 0)}" for k in DOMAINS))
    print(
        "open classes: "
        + ", ".join(
            f"{c} {sum(1 for p in registry if p.open_class == c)}" for c in ("open", "conditional", "closed")
        )
    )
    if min(by_domain.get(k, 0) for k in DOMAINS) < 3:
        problems.append("a domain has fewer than 3 packages")
    if size > 15_000_000:
        problems.append("sample_data is larger than 15 MB")
    for prob in problems:
        print("PROBLEM:", prob)
    return 1 if problems else 0


_ROWS_CACHE: dict[int, int] = {}


def res_rows(res: Res) -> int:
    if id(res) not in _ROWS_CACHE:
        _ROWS_CACHE[id(res)] = len(res.rows_fn()) if res.rows_fn else 0
    return _ROWS_CACHE[id(res)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="validate the generated packages with frictionless")
    args = ap.parse_args()
    registry = build_registry()
    if args.check:
        return check(registry)
    generate(registry)
    print(f"wrote {len(registry)} packages to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
