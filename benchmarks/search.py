"""Search benchmark: synthetic Chinese government catalogs of N datasets, reindexed and queried.

    python benchmarks/search.py --sizes 10000 100000 [--rounds 5] [--write]

For each N it generates a deterministic synthetic catalog (12 domains, ~40 departments, titles built from
区名 + 主题 + 类型, descriptions of 2-4 sentences drawing words from a ~3,000-word government-data vocabulary
with a Zipf-like distribution), rebuilds a fresh index (``WhooshBackend.rebuild``) and reports the indexing
rate, then times ~30 realistic queries (and one filtered query), each asking for three facets (domain,
department, format). Every query runs once to warm up, then ``--rounds`` times; p50/p95 are over all
timed runs. ``--write`` replaces the "## Search" section of docs/benchmarks.md with the figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import cpu_model, replace_section

from catalog.search import SearchBackend, SearchDocument, SearchQuery, WhooshBackend
from catalog.search.suggest import Suggestion, SuggestTable

# ------------------------------------------------------------------------------------------ vocabulary


def _words(text: str) -> list[str]:
    return text.split()


DISTRICTS = [
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
]
STREETS = _words(
    "南京东路 外滩 瑞金二路 打浦桥 淮海中路 豫园 老西门 五里桥 半淞园路 小东门 天平路 湖南路 枫林路 长桥 田林 "
    "虹梅路 康健新村 徐家汇 凌云路 龙华 斜土路 华泾镇 华阳路 江苏路 新华路 周家桥 天山路 仙霞新村 虹桥 程家桥 "
    "北新泾 新泾镇 江宁路 石门二路 南京西路 静安寺 曹家渡 天目西路 北站 宝山路 芷江西路 共和新路 大宁路 彭浦新村 "
    "临汾路 彭浦镇 曹杨新村 长风新村 长寿路 甘泉路 石泉路 宜川路 万里 真如镇 长征镇 桃浦镇 欧阳路 曲阳路 广中路 "
    "嘉兴路 凉城新村 四川北路 北外滩 江湾镇 定海路 平凉路 江浦路 四平路 控江路 长白新村 延吉新村 殷行 大桥 五角场 "
    "新江湾城 长海路 江川路 古美 新虹 浦锦 莘庄镇 七宝镇 颛桥镇 华漕镇 虹桥镇 梅陇镇 吴泾镇 马桥镇 浦江镇 友谊路 "
    "吴淞 张庙 罗店镇 大场镇 杨行镇 月浦镇 罗泾镇 顾村镇 高境镇 庙行镇 淞南镇 新城路 真新 南翔镇 安亭镇 马陆镇 "
    "徐行镇 华亭镇 外冈镇 江桥镇 菊园新区 嘉定工业区 潍坊新村 陆家嘴 周家渡 塘桥 上钢新村 南码头路 沪东新村 "
    "金杨新村 洋泾 浦兴路 东明路 花木 川沙新镇 高桥镇 北蔡镇 合庆镇 唐镇 曹路镇 金桥镇 高行镇 高东镇 张江镇 三林镇 "
    "惠南镇 周浦镇 新场镇 大团镇 康桥镇 航头镇 祝桥镇 泥城镇 宣桥镇 书院镇 万祥镇 老港镇 南汇新城镇 石化 朱泾镇 "
    "枫泾镇 张堰镇 亭林镇 吕巷镇 廊下镇 金山卫镇 漕泾镇 山阳镇 岳阳 永丰 方松 中山 广富林 九里亭 泗泾镇 佘山镇 "
    "车墩镇 新桥镇 洞泾镇 九亭镇 泖港镇 石湖荡镇 新浜镇 叶榭镇 小昆山镇 夏阳 盈浦 香花桥 朱家角镇 练塘镇 金泽镇 "
    "赵巷镇 徐泾镇 华新镇 重固镇 白鹤镇 西渡 奉浦 金海 南桥镇 奉城镇 庄行镇 金汇镇 四团镇 青村镇 柘林镇 海湾镇 "
    "城桥镇 堡镇 新河镇 庙镇 竖新镇 向化镇 三星镇 港沿镇 中兴镇 陈家镇 绿华镇 港西镇 建设镇 新海镇 东平镇 长兴镇 "
    "新村乡 横沙乡"
)

# code, 名称, topics (主题) used in titles and keywords
DOMAINS: list[tuple[str, str, list[str]]] = [
    (
        "economy",
        "经济建设",
        _words(
            "企业登记 市场主体 外商投资 招商引资 工业园区 产业项目 进出口 财政预算 政府采购 国有资产 "
            "商业网点 消费券 专精特新企业 高新技术企业 固定资产投资 地区生产总值 电子商务 会展活动 金融机构 中小企业融资"
        ),
    ),
    (
        "environment",
        "资源环境",
        _words(
            "空气质量 PM2.5浓度 水质监测 地表水 饮用水水源地 噪声监测 垃圾分类 湿垃圾 可回收物 "
            "污染源 排污许可 环境影响评价 绿地 公园 林地 河道 湿地 土壤污染 碳排放 生态保护红线 危险废物"
        ),
    ),
    (
        "education-technology",
        "教育科技",
        _words(
            "幼儿园 中小学 义务教育 高等院校 职业院校 托育机构 学区划分 招生计划 "
            "教育收费 科研项目 科技企业 专利授权 技术合同 孵化器 实验室 科普基地 人才公寓 终身教育 校外培训机构"
        ),
    ),
    (
        "transport",
        "道路交通",
        _words(
            "公共停车场 停车场 停车位 实时泊位 充电桩 充电站 公交线路 公交站点 轨道交通 地铁站 "
            "出租车 网约车 共享单车 交通流量 交通事故 道路施工 高架道路 路况 非机动车 客运站 港口码头 航班"
        ),
    ),
    (
        "social-development",
        "社会发展",
        _words(
            "人口统计 户籍人口 常住人口 就业 失业登记 社会保险 最低工资 劳动仲裁 "
            "婚姻登记 殡葬服务 慈善组织 志愿服务 社区服务 退役军人 残疾人服务 民族宗教 人才引进 居住证"
        ),
    ),
    (
        "public-safety",
        "公共安全",
        _words(
            "消防 消防站 应急避难场所 安全生产 特种设备 危险化学品 地震监测 防汛 防台 "
            "治安 交通违法 110警情 食品安全 食品抽检 监督抽检 药品抽检 不合格产品 突发事件 气象预警"
        ),
    ),
    (
        "culture-leisure",
        "文化休闲",
        _words(
            "图书馆 博物馆 美术馆 文化馆 文物保护单位 非物质文化遗产 旅游景点 A级景区 "
            "星级饭店 旅行社 体育场馆 健身步道 公共文化 演出场所 电影院 文创园区 历史建筑 展览活动"
        ),
    ),
    (
        "health",
        "卫生健康",
        _words(
            "医院 三级医院 二级医院 社区卫生服务中心 医疗机构 发热门诊 核酸检测 疫苗接种 "
            "献血点 药店 执业医师 医保定点 急救站 妇幼保健 传染病 健康体检 家庭医生 护理院"
        ),
    ),
    (
        "livelihood",
        "民生服务",
        _words(
            "养老机构 养老院 长者照护之家 社区食堂 助餐点 菜市场 便民服务 一网通办 "
            "办事指南 政务服务中心 住房公积金 保障性住房 公共租赁住房 水电燃气 供水 燃气 邮政网点 快递网点"
        ),
    ),
    (
        "institutions",
        "机构团体",
        _words(
            "社会团体 民办非企业单位 基金会 事业单位 行业协会 律师事务所 公证机构 "
            "司法鉴定机构 会计师事务所 宗教活动场所 人民调解组织 工会 共青团 妇联"
        ),
    ),
    (
        "urban-construction",
        "城市建设",
        _words(
            "建设工地 建设工程 施工许可 房屋征收 旧区改造 城市更新 规划许可 土地出让 "
            "房地产项目 商品房预售 物业服务企业 排水设施 道路桥梁 地下管线 路灯 户外广告 架空线入地"
        ),
    ),
    (
        "credit",
        "信用服务",
        _words(
            "信用信息 统一社会信用代码 行政许可 行政处罚 失信被执行人 守信激励 信用承诺 "
            "重大税收违法 经营异常名录 严重违法失信 信用修复 红黑名单 企业信用评价"
        ),
    ),
]

DEPARTMENTS: list[tuple[str, str, str]] = [  # slug, title, main domain
    ("fgw", "上海市发展和改革委员会", "economy"),
    ("jxw", "上海市经济和信息化委员会", "economy"),
    ("swc", "上海市商务委员会", "economy"),
    ("czj", "上海市财政局", "economy"),
    ("gzw", "上海市国有资产监督管理委员会", "economy"),
    ("jrj", "上海市地方金融监督管理局", "economy"),
    ("tjj", "上海市统计局", "social-development"),
    ("sthjj", "上海市生态环境局", "environment"),
    ("lhsrj", "上海市绿化和市容管理局", "environment"),
    ("swj", "上海市水务局", "environment"),
    ("qxj", "上海市气象局", "environment"),
    ("jw", "上海市教育委员会", "education-technology"),
    ("kw", "上海市科学技术委员会", "education-technology"),
    ("zscqj", "上海市知识产权局", "education-technology"),
    ("jtw", "上海市交通委员会", "transport"),
    ("dtjt", "上海申通地铁集团有限公司", "transport"),
    ("gajjz", "上海市公安局交通警察总队", "transport"),
    ("rsj", "上海市人力资源和社会保障局", "social-development"),
    ("mzj", "上海市民政局", "livelihood"),
    ("tyjrj", "上海市退役军人事务局", "social-development"),
    ("mzzj", "上海市民族和宗教事务委员会", "social-development"),
    ("gaj", "上海市公安局", "public-safety"),
    ("yjglj", "上海市应急管理局", "public-safety"),
    ("xfjy", "上海市消防救援总队", "public-safety"),
    ("dzj", "上海市地震局", "public-safety"),
    ("scjgj", "上海市市场监督管理局", "credit"),
    ("ypjgj", "上海市药品监督管理局", "public-safety"),
    ("whlyj", "上海市文化和旅游局", "culture-leisure"),
    ("tyj", "上海市体育局", "culture-leisure"),
    ("wwj", "上海市文物局", "culture-leisure"),
    ("wsjkw", "上海市卫生健康委员会", "health"),
    ("ybj", "上海市医疗保障局", "health"),
    ("fgj", "上海市房屋管理局", "livelihood"),
    ("gjj", "上海市住房公积金管理中心", "livelihood"),
    ("dsjzx", "上海市大数据中心", "livelihood"),
    ("sfj", "上海市司法局", "institutions"),
    ("stj", "上海市社会团体管理局", "institutions"),
    ("zjw", "上海市住房和城乡建设管理委员会", "urban-construction"),
    ("ghzyj", "上海市规划和自然资源局", "urban-construction"),
    ("xyb", "上海市公共信用信息服务中心", "credit"),
    ("sws", "国家税务总局上海市税务局", "credit"),
]

TITLE_TYPES = _words(
    "信息 名录 数据 统计 目录 一览表 实时数据 年度统计 月度报表 分布 基本信息 名单 情况 查询 清单 数据接口 "
    "位置信息 监测数据 公示信息 汇总表"
)
ATTRIBUTES = _words(
    "名称 地址 所属区 所属街道 经度 纬度 坐标 联系电话 负责人 开放时间 服务内容 收费标准 许可证号 统一社会信用代码 "
    "登记日期 有效期 统计日期 统计年度 监测时间 监测点位 数量 面积 床位数 泊位数 等级 类别 状态 备注 邮政编码 "
    "网址 建成年份 运营单位 主管部门 批准文号 处罚决定书文号 处罚事由 处罚结果 抽检结果 检测项目 标准值 实测值 "
    "浓度 指数 人数 金额 增长率 占比"
)
FREQUENCIES = ["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期"]
FREQ_WEIGHTS = [8, 10, 6, 22, 14, 5, 25, 10]
FORMATS = ["CSV", "XLSX", "JSON", "XML", "PDF", "SHP", "API"]
FORMAT_WEIGHTS = [40, 30, 15, 5, 4, 2, 4]

PREFIXES = _words(
    "公共 城市 社区 农村 重点 区级 市级 基层 综合 专项 年度 季度 月度 在线 智慧 数字 绿色 安全 应急 民生 "
    "公益 便民 标准化 规范化 精细化 网格化 一体化 信息化 智能 新型 示范 试点 特色 优质 普惠 区域 跨区 "
    "全市 本市 地方 国家级"
)
NOUNS = _words(
    "服务 设施 项目 机构 企业 场所 站点 许可 检查 监测 统计 管理 平台 系统 网络 资源 工程 规划 政策 标准 "
    "指标 报告 档案 台账 名单 信息 数据 事项 业务 窗口 网点 中心 基地 园区 街区 社区 道路 车辆 人员 单位 "
    "资金 补贴 费用 价格 质量 安全 风险 隐患 事件 投诉 咨询 预约 登记 备案 审批 核查 执法 处罚 考核 评价 "
    "评估 培训 宣传 保障 救助 帮扶 就业 教育 医疗 养老 托育 住房 交通 环境 能源 水务 绿化 市容 文化 体育 "
    "旅游 商务 金融 科技 人才"
)
VERBS = _words(
    "包含 记录 汇总 反映 展示 提供 发布 公开 统计 整理 收录 涵盖 描述 更新 采集 共享 核实 标注 归集 维护"
)
CONNECTORS = ["为", "可用于", "便于", "支持", "用于", "有助于", "面向", "服务于"]
USES = _words(
    "市民查询 出行规划 城市治理 科学研究 商业分析 应用开发 政策研究 社会监督 公共服务优化 数据创新应用 "
    "精准施策 风险预警 资源配置 便民服务"
)


def build_vocabulary() -> list[str]:
    """~3,000 government-data words: real terms plus prefix+noun compounds, deterministically shuffled."""
    words: list[str] = []
    for _, name, topics in DOMAINS:
        words.append(name)
        words.extend(topics)
    words.extend(ATTRIBUTES + NOUNS + VERBS + USES + DISTRICTS + STREETS + TITLE_TYPES)
    words.extend(d[1].removeprefix("上海市") for d in DEPARTMENTS)
    words.extend(p + n for p in PREFIXES for n in NOUNS)
    seen: dict[str, None] = dict.fromkeys(w for w in words if w)
    vocab = list(seen)
    random.Random(7).shuffle(vocab)
    return vocab


class CatalogGenerator:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.vocab = build_vocabulary()
        ranks = np.arange(1, len(self.vocab) + 1, dtype=np.float64)
        weights = 1.0 / ranks**1.07  # Zipf-like
        self.word_cdf = np.cumsum(weights / weights.sum())
        self.domain_depts: dict[str, list[tuple[str, str, str]]] = {}
        for dep in DEPARTMENTS:
            self.domain_depts.setdefault(dep[2], []).append(dep)
        self.base_time = datetime(2024, 12, 31, tzinfo=UTC)

    def _zipf_words(self, k: int) -> list[str]:
        idx = np.searchsorted(self.word_cdf, self.np_rng.random(k) * self.word_cdf[-1])
        return [self.vocab[min(i, len(self.vocab) - 1)] for i in idx]

    def _sentence(self) -> str:
        words = self._zipf_words(self.rng.randint(6, 16))
        out = []
        for i, w in enumerate(words):
            out.append(w)
            if i < len(words) - 1:
                r = self.rng.random()
                out.append(
                    "、" if r < 0.15 else "的" if r < 0.3 else "和" if r < 0.36 else "，" if r < 0.42 else ""
                )
        return "".join(out) + "。"

    def document(self, i: int) -> SearchDocument:
        rng = self.rng
        code, dname, topics = DOMAINS[i % len(DOMAINS)] if rng.random() < 0.3 else rng.choice(DOMAINS)
        if rng.random() < 0.8 and code in self.domain_depts:
            dep = rng.choice(self.domain_depts[code])
        else:
            dep = rng.choice(DEPARTMENTS)
        topic = rng.choice(topics)
        place = rng.choice(DISTRICTS) if rng.random() < 0.55 else rng.choice(["上海市", "全市", "本市", ""])
        if place in DISTRICTS and rng.random() < 0.25:
            place += rng.choice(STREETS)
        year = f"{rng.randint(2015, 2024)}年" if rng.random() < 0.3 else ""
        title = f"{place}{year}{topic}{rng.choice(TITLE_TYPES)}"
        attrs = rng.sample(ATTRIBUTES, rng.randint(3, 6))
        sentences = [
            f"本数据集{rng.choice(VERBS)}{place or '本市'}{topic}的{'、'.join(attrs[:-1])}和{attrs[-1]}等信息。"
        ]
        for _ in range(rng.randint(0, 2)):
            sentences.append(self._sentence())
        if rng.random() < 0.5:
            sentences.append(
                f"数据由{dep[1]}{rng.choice(['提供', '发布', '归集', '维护'])}，"
                f"{rng.choice(CONNECTORS)}{rng.choice(USES)}。"
            )
        if rng.random() < 0.2:
            sentences.insert(
                1,
                f"截至{rng.randint(2019, 2024)}年{rng.randint(1, 12)}月，共收录{rng.randint(10, 99999)}条记录。",
            )
        if code == "environment" and rng.random() < 0.4:
            sentences.append(
                f"监测指标包括PM2.5、PM10、臭氧和二氧化氮，{rng.choice(['每小时', '每日'])}发布。"
            )
        description = "".join(sentences[:4])
        formats = sorted(set(rng.choices(FORMATS, FORMAT_WEIGHTS, k=rng.randint(1, 3))))
        keywords = list(dict.fromkeys([topic] + rng.sample(topics, 2) + self._zipf_words(rng.randint(0, 2))))
        fields = rng.sample(ATTRIBUTES, rng.randint(5, 14))
        r = rng.random()
        open_class = "open" if r < 0.72 else "conditional" if r < 0.95 else "closed"
        return SearchDocument(
            name=f"ds-{i:07d}",
            title=title,
            description=description,
            keywords=keywords,
            domain_code=code,
            domain_name=dname,
            department_name=dep[0],
            department_title=dep[1],
            formats=formats,
            open_class=open_class,
            update_frequency=rng.choices(FREQUENCIES, FREQ_WEIGHTS)[0],
            resource_names=[
                f"{title}{s}"
                for s in rng.sample(["", "（全量）", "（增量）", "数据接口", "附件"], rng.randint(1, 2))
            ],
            field_texts=fields + [f"{f}说明" for f in fields[:2]],
            state="withdrawn" if rng.random() < 0.03 else "active",
            modified=self.base_time - timedelta(minutes=rng.randint(0, 6 * 365 * 24 * 60)),
            downloads=int(self.np_rng.zipf(1.6)) if rng.random() < 0.9 else 0,
        )

    def documents(self, n: int) -> Iterator[SearchDocument]:
        for i in range(n):
            yield self.document(i)


QUERIES = [
    "停车场",
    "空气质量",
    "医院",
    "学校 浦东新区",
    "养老",
    "充电桩",
    "2024",
    "PM2.5",
    "食品 抽检",
    "公交线路",
    "垃圾分类",
    "幼儿园",
    "企业 信用",
    "行政处罚",
    "地铁站",
    "图书馆",
    "体育场馆",
    "菜市场",
    "水质 监测",
    "交通事故",
    "社区卫生服务中心",
    "闵行区 养老机构",
    "营业执照",
    "实时 泊位",
    "公园 绿地",
    "消防",
    "博物馆",
    "就业",
    "人口统计",
    '"公共停车场"',
    "",
]
#: Queries that need the query-time expansion (catalog/search/expand.py): pinyin, spaced pinyin, initials, a typo,
#: traditional characters, a synonym, a paraphrase, mixed Latin + pinyin.
EXPANSION_QUERIES = ["tingchechang", "ting che chang", "tcc", "kongqizhiliang", "空气只量", "停車場", "地铁",
                     "新能源车充电", "pm2.5 jiance", "yiyuan", "gjjt", "幼儿园 pudong", "yanglaojigou", "充电设施"]
#: Prefixes typed into the search box, one keystroke at a time (search-as-you-type, catalog/search/suggest.py).
SUGGEST_PREFIXES = ["停", "停车", "停车场", "t", "ti", "tin", "ting", "tingche", "tcc", "k", "kong", "空气",
                    "浦东", "pudong", "gj", "医", "yl", "幼儿", "y", "2024", "上海市"]
FACETS = ["domain", "department", "format"]
FILTER_CASE = ("停车场", {"domain": ["transport"], "format": ["CSV", "XLSX"]})


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the reindex workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(np.array(values), p))


def run(n: int, rounds: int, workdir: Path) -> dict[str, float]:
    index_dir = workdir / f"index-{n}"
    shutil.rmtree(index_dir, ignore_errors=True)
    backend = WhooshBackend(index_dir)
    gen = CatalogGenerator()
    t0 = time.perf_counter()
    docs = list(gen.documents(n))
    t_gen = time.perf_counter() - t0
    gc.collect()
    load_before = os.getloadavg()[0]
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    backend.rebuild(docs)
    t_index = time.perf_counter() - t0
    cpu_index = _cpu_seconds() - cpu0
    t0 = time.perf_counter()
    suggestions = suggest_table(docs)
    t_suggest_build = time.perf_counter() - t0
    del docs
    t0 = time.perf_counter()
    indexed = backend.doc_count()  # first read: opens the reader and loads the per-document arrays
    t_open = time.perf_counter() - t0

    timed = time_queries(backend, rounds)
    suggest_timings = []
    for _ in range(rounds * 10):
        for prefix in SUGGEST_PREFIXES:
            t0 = time.perf_counter()
            suggestions.lookup(prefix, 8)
            suggest_timings.append((time.perf_counter() - t0) * 1000)
    load_after = os.getloadavg()[0]
    backend.close()
    size_mb = sum(f.stat().st_size for f in index_dir.iterdir()) / 1e6
    shutil.rmtree(index_dir, ignore_errors=True)
    return {
        "n": n,
        "indexed": indexed,
        "gen_s": t_gen,
        "index_s": t_index,
        "index_cpu_s": cpu_index,
        "load": max(load_before, load_after),
        "rate": n / t_index,
        "open_ms": t_open * 1000,
        "size_mb": size_mb,
        **timed,
        "suggest_build_s": t_suggest_build,
        "suggest_keys": len(suggestions.keys),
        "suggest_p50": percentile(suggest_timings, 50),
        "suggest_p95": percentile(suggest_timings, 95),
    }


def time_queries(backend: SearchBackend, rounds: int) -> dict[str, float]:
    """Latencies of the query mix (:data:`QUERIES` and the filtered case, then :data:`EXPANSION_QUERIES`), each
    asking for the :data:`FACETS`: one warm-up run per query, then ``rounds`` timed runs."""
    cases = [SearchQuery(q=q, facets=FACETS) for q in QUERIES]
    cases.append(SearchQuery(q=FILTER_CASE[0], filters=FILTER_CASE[1], facets=FACETS))
    first: list[float] = []
    hits: list[int] = []
    for case in cases:  # warm-up, also the "first time this query is seen" latency
        t0 = time.perf_counter()
        res = backend.search(case)
        first.append((time.perf_counter() - t0) * 1000)
        hits.append(res.count)
    timings: list[float] = []
    for _ in range(rounds):
        for case in cases:
            t0 = time.perf_counter()
            backend.search(case)
            timings.append((time.perf_counter() - t0) * 1000)
    expansion_cases = [SearchQuery(q=q, facets=FACETS) for q in EXPANSION_QUERIES]
    expansion_first, expansion_hits, expansion_timings = [], [], []
    for case in expansion_cases:  # the first one also builds the pinyin vocabulary of the index
        t0 = time.perf_counter()
        expansion_hits.append(backend.search(case).count)
        expansion_first.append((time.perf_counter() - t0) * 1000)
    for _ in range(rounds):
        for case in expansion_cases:
            t0 = time.perf_counter()
            backend.search(case)
            expansion_timings.append((time.perf_counter() - t0) * 1000)
    filt = [t for i, t in enumerate(timings) if i % len(cases) == len(cases) - 1]
    return {
        "p50": percentile(timings, 50),
        "p95": percentile(timings, 95),
        "max": max(timings),
        "first_p50": percentile(first, 50),
        "filter_p50": percentile(filt, 50),
        "median_hits": statistics.median(hits),
        "max_hits": max(hits),
        "queries": len(cases),
        "rounds": rounds,
        "exp_first_max": max(expansion_first),
        "exp_p50": percentile(expansion_timings, 50),
        "exp_p95": percentile(expansion_timings, 95),
        "exp_zero": sum(1 for h in expansion_hits if h == 0),
    }


def suggest_table(docs: list[SearchDocument]) -> SuggestTable:
    """The search-as-you-type table of these datasets, built as ``catalog/search/suggest.py`` builds it from the
    catalog (listed datasets, their keywords and departments, downloads as popularity)."""
    keyword_pop: dict[str, int] = {}
    department_pop: dict[tuple[str, str], int] = {}
    entries: list[tuple[Suggestion, int]] = []
    for doc in docs:
        if not doc.searchable:
            continue
        entries.append((Suggestion(doc.title, "dataset", doc.name), doc.downloads))
        for kw in dict.fromkeys(doc.keywords):
            keyword_pop[kw] = keyword_pop.get(kw, 0) + doc.downloads + 1
        key = (doc.department_name, doc.department_title)
        department_pop[key] = department_pop.get(key, 0) + doc.downloads + 1
    entries += [(Suggestion(kw, "keyword", kw), pop) for kw, pop in keyword_pop.items()]
    entries += [(Suggestion(title, "department", slug), pop) for (slug, title), pop in department_pop.items()]
    return SuggestTable(entries)


def machine() -> str:
    return f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()} ({platform.system()})"


def table(results: list[dict[str, float]]) -> str:
    head = (
        "| N datasets | indexed (searchable) | reindex | docs/s | reindex CPU | index size | first open | "
        "search p50 | search p95 | max | filtered p50 | median hits | load avg |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = "".join(
        f"| {r['n']:,} | {r['indexed']:,} | {r['index_s']:.1f} s | {r['rate']:,.0f} | {r['index_cpu_s']:.0f} s | "
        f"{r['size_mb']:.0f} MB | {r['open_ms']:.0f} ms | {r['p50']:.1f} ms | {r['p95']:.1f} ms | "
        f"{r['max']:.1f} ms | {r['filter_p50']:.1f} ms | {r['median_hits']:,.0f} | {r['load']:.1f} |\n"
        for r in results
    )
    expansion = (
        "\n| N datasets | expanded search p50 | expanded search p95 | first expanded query | zero-hit expanded "
        "queries | suggest table build | suggest keys | suggest p50 | suggest p95 |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        + "".join(
            f"| {r['n']:,} | {r['exp_p50']:.1f} ms | {r['exp_p95']:.1f} ms | {r['exp_first_max']:.0f} ms | "
            f"{r['exp_zero']} of {len(EXPANSION_QUERIES)} | {r['suggest_build_s']:.1f} s | {r['suggest_keys']:,} | "
            f"{r['suggest_p50']:.3f} ms | {r['suggest_p95']:.3f} ms |\n"
            for r in results
        )
    )
    return head + rows + expansion


def write_section(results: list[dict[str, float]], path: Path, notes: str = "") -> None:
    r0 = results[0]
    sizes = " ".join(str(int(r["n"])) for r in results)
    section = (
        "## Search\n\n"
        f"Measured {datetime.now().strftime('%Y-%m-%d')} on {machine()} with "
        f"`python benchmarks/search.py --sizes {sizes} --rounds {int(r0['rounds'])} --write`.\n\n"
        f"Synthetic catalogs: 12 domains, {len(DEPARTMENTS)} departments, titles from 区名 + 主题 + 类型, "
        f"descriptions of 2-4 sentences drawing on a {len(build_vocabulary()):,}-word government-data "
        "vocabulary with a Zipf-like distribution; ~5% closed and ~3% withdrawn datasets are not indexed. "
        "*Reindex* is `WhooshBackend.rebuild` of all datasets into a fresh index, jieba segmentation "
        "included (wall time; *reindex CPU* adds up the parent and its worker processes). *Search* is the "
        f"latency of {int(r0['queries'])} queries — 30 realistic ones (an empty q and a phrase among them) "
        "and one with two filters — each returning 20 highlighted hits and three facets (domain, "
        f"department, format), over {int(r0['rounds'])} rounds after one warm-up round. *First open* is "
        "loading the per-document arrays after the rebuild's commit. *Load avg* is the machine's 1-minute "
        "load average (the highest seen before and after): other processes share the 2 cores.\n\n"
        f"*Expanded search* times {len(EXPANSION_QUERIES)} queries that only the query-time expansion answers "
        f"({', '.join(EXPANSION_QUERIES)}) with the same facets, over the same rounds; *first expanded query* "
        "is the slowest first run of one of them (the first builds the index's pinyin vocabulary). *Suggest* "
        "builds the search-as-you-type table from the same datasets (listed ones, their keywords and "
        f"departments) and looks up {len(SUGGEST_PREFIXES)} prefixes typed a keystroke at a time (characters, "
        "pinyin, initials), 8 suggestions each, 10× the rounds.\n\n"
        + table(results)
        + "\nTargets: search p95 ≤ 20 ms at 10,000 and ≤ 100 ms at 100,000; reindex of 100,000 ≤ 120 s; "
        "expanded search p95 ≤ 50 ms and suggest p95 ≤ 10 ms at 100,000.\n"
        + (f"\n{notes}\n" if notes else "")
    )
    replace_section("## Search", section, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--write", action="store_true", help="update the Search section of docs/benchmarks.md"
    )
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--notes", default="", help="a sentence to add under the table (with --write)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="odp-search-bench-"))
    results = []
    for n in args.sizes:
        print(f"N={n:,}: generating, indexing, querying…", file=sys.stderr, flush=True)
        results.append(run(n, args.rounds, workdir))
    print(f"machine: {machine()}")
    print(table(results))
    if args.write:
        write_section(results, ROOT / "docs" / "benchmarks.md", args.notes)
        print("updated docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
