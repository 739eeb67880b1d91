"""Sample packages of 上海市市场监督管理局 (Shanghai Administration for Market Regulation, folder
``sample_data/scjgj/``).

Packages: ``food-safety-inspections-2024``, ``enterprise-credit-information``, ``abnormal-operation-list``.

Enterprises are drawn once and cached, so the credit list and the abnormal-operation list can name the same
companies.

Each rows function draws from its own ``rng_for(<dataset>)`` stream, so packages can be generated in any order
and one dataset's change never shifts another's rows. The package functions return the descriptions;
``registry.py`` decides their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import company, person, place, rdate, rng_for, unique_name, uscc, weighted_district, zihao
from .model import Pkg, Res
from .reference import DISTRICT_INFO, DISTRICTS, SYNTHETIC_NOTE

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
        name = unique_name(seen, company(rng, TRADE_FOR[ind]), lambda ind=ind: company(rng, TRADE_FOR[ind]))
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


def food_safety_inspections_2024() -> Pkg:
    return Pkg(
        "scjgj",
        "food-safety-inspections-2024",
        "2024年上海市食品安全监督抽检结果",
        "health",
        "2024 年本市市场监管部门组织的食品安全监督抽检结果，包括样品名称、食品大类、标称生产企业、被抽样单位、"
        "抽样日期、检验结论和不合格项目。抽检结果仅对所抽样品负责。" + SYNTHETIC_NOTE,
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


def enterprise_credit_information() -> Pkg:
    return Pkg(
        "scjgj",
        "enterprise-credit-information",
        "上海市企业信用信息及分类监管结果",
        "credit",
        "本市登记企业的基础信用信息和企业信用风险分类结果（A 至 D 四类），包括统一社会信用代码、企业类型、注册资本、"
        "成立日期、行业门类和登记状态。" + SYNTHETIC_NOTE,
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


def abnormal_operation_list() -> Pkg:
    return Pkg(
        "scjgj",
        "abnormal-operation-list",
        "上海市企业经营异常名录",
        "credit",
        "被列入经营异常名录的企业，包括列入原因、列入日期、作出决定机关和移出日期。" + SYNTHETIC_NOTE,
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
