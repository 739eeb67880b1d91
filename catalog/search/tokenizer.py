"""Chinese-aware tokenizer for Whoosh, built on jieba.

Why not ``jieba.analyse.ChineseAnalyzer``: it sets each token's *position* to its character offset (so
phrase queries never match) and drops one-character non-Chinese tokens (so "PM2.5" loses its "5").

This tokenizer:

* splits the text into runs of CJK characters and runs of Latin letters/digits (``pm2.5``, ``2024-01-01``,
  ``gb/t``); everything else (spaces, punctuation) only separates tokens;
* segments CJK runs with jieba (HMM on) and, like jieba's "search" mode, adds the dictionary 2- and 3-grams
  each word contains (``停车场`` → ``停车`` ``车场`` ``停车场``), so a query for part of a long word matches;
* emits Latin/digit runs lowercased, plus their parts when they contain separators
  (``pm2.5`` → ``pm2`` ``5`` and ``pm2.5``);
* folds full-width ASCII to half-width and traditional characters to simplified (OpenCC's character table),
  one character for one, so character offsets stay right for highlighting;
* drops stop words (的 了 和 与 及 等 …, a few English ones);
* numbers positions sequentially: the *finest* tokens of a word (those containing no other token: 停车,
  车场) get positions 0, 1, 2 …; a token containing finer ones (停车场, pm2.5) is overlaid on the position
  of its first part, like a synonym. A phrase is matched on its finest tokens, which are consecutive in
  the document exactly when the text is ("停车场信息" finds 上海市公共停车场信息);
* leaves a gap of :data:`POSITION_GAP` positions at :data:`ITEM_SEPARATOR`, which the index puts between
  the items of a list (keywords, resource names), so a phrase never spans two items.

Changing the stop list or the dictionary words changes how text is indexed: run ``odp reindex`` after.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh.analysis import Token, Tokenizer

ITEM_SEPARATOR = "\u2029"  # PARAGRAPH SEPARATOR: joins list items in one field
POSITION_GAP = 100


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: Function words and the like. Only whole tokens are stopped: 和平, 以及 etc. are separate words.
STOP_WORDS: frozenset[str] = frozenset(
    _words(
        "的 地 得 了 着 过 和 与 及 或 等 等等 以及 及其 并 并且 而 而且 或者 以 于 对 对于 从 由 向 在 是 为 被 把 将 "
        "之 其 其中 该 此 这 那 这些 那些 这个 那个 也 都 又 就 还 即 则 但 但是 如 如果 因为 所以 以上 以下 之一 "
        "个 们 我 你 他 她 它 我们 你们 他们 有 无 没有 不 很 更 最 已 已经 可 可以 能 会 要 让 使 给 按 按照 通过 根据 "
        "a an and are as at be by for from in into is it its of on or that the this to was were with"
    )
)

#: Words jieba's default dictionary lacks or splits badly for government data. A dictionary word keeps its
#: 2/3-gram parts as extra tokens, so adding a word never makes its parts unsearchable -- but a part is a
#: token only if it is itself a dictionary word, hence the district short names (闵行 finds 闵行区).
DOMAIN_WORDS: tuple[str, ...] = _words(
    # 16 districts of Shanghai, their short names, some well-known areas
    "黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 闵行区 宝山区 嘉定区 浦东新区 金山区 松江区 青浦区 奉贤区 崇明区 "
    "黄浦 徐汇 长宁 静安 普陀 虹口 杨浦 闵行 宝山 嘉定 浦东 金山 松江 青浦 奉贤 崇明 "
    "临港新片区 临港 陆家嘴 张江 虹桥 "
    # transport
    "停车场 公共停车场 停车位 泊位 充电桩 充电站 公交线路 公交站点 轨道交通 地铁站 出租车 网约车 共享单车 "
    "交通流量 交通事故 路况 高架道路 非机动车 "
    # health, livelihood
    "养老机构 养老院 长者照护之家 社区卫生服务中心 医疗机构 三级医院 二级医院 定点医院 药店 发热门诊 核酸检测 "
    "疫苗接种 献血点 便民服务 菜市场 一网通办 "
    # education, culture
    "幼儿园 中小学 义务教育 高等院校 职业院校 托育机构 图书馆 博物馆 美术馆 文物保护单位 体育场馆 健身步道 公共文化 "
    # environment, city
    "空气质量 空气质量指数 水质 地表水 噪声 垃圾分类 湿垃圾 干垃圾 可回收物 绿地 公园 林地 河道 排水 建设工地 "
    "保障性住房 旧区改造 房屋征收 "
    # economy, credit, safety
    "营业执照 市场主体 统一社会信用代码 行政许可 行政处罚 信用信息 失信被执行人 食品安全 抽检 监督抽检 不合格 "
    "特种设备 安全生产 消防 应急避难场所 公共数据 数据开放 实时 经纬度 坐标"
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# One alternative per kind of run: CJK, or letters/digits possibly joined by . - _ + / (pm2.5, gb/t, 1-2).
_RUN_RE = re.compile(rf"([{_CJK}]+)|([0-9A-Za-z]+(?:[._+/\-][0-9A-Za-z]+)*)")
_LATIN_SPLIT_RE = re.compile(r"[0-9A-Za-z]+")
# Full-width ASCII (！ … ～) → ASCII, ideographic space → space: same length, offsets unchanged.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20


def _traditional_to_simplified() -> dict[int, int]:
    """OpenCC's character table (traditional → its first simplified form), one character for one, so the fold
    keeps every offset. Documents and queries pass through the same tokenizer, so 停車場 in a title and 停车场
    in a query (or the other way round) give the same terms."""
    import opencc

    table: dict[int, int] = {}
    path = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = ord(target)
    return table


_FOLD.update(_traditional_to_simplified())
MAX_TOKEN_CHARS = 64
_CACHE_MAX_ENTRIES = 200_000

_log = logging.getLogger(__name__)
_jieba_lock = threading.Lock()
_jieba_dt: Any = None
_cache_dir: Path | None = None

# (term, startchar, endchar, position increment) for each token of a string.
Seg = tuple[str, int, int, int]


def fold(text: str) -> str:
    """Full-width ASCII to ASCII and traditional to simplified characters, same length (offsets into the result
    are offsets into ``text``)."""
    return text.translate(_FOLD)


def configure(cache_dir: str | os.PathLike[str] | None = None) -> None:
    """Set where jieba keeps its dictionary cache (default: ``$TMPDIR/odp-jieba``). Call before first use."""
    global _cache_dir
    _cache_dir = Path(cache_dir) if cache_dir is not None else None


def _writable_dir(preferred: Path | None) -> str:
    for candidate in (preferred, Path(tempfile.gettempdir()) / f"odp-jieba-{os.getuid()}"):
        if candidate is None:
            continue
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return str(candidate)
        except OSError:
            continue
    return tempfile.mkdtemp(prefix="odp-jieba-")


def get_jieba() -> Any:
    """Our own initialised ``jieba.Tokenizer`` (not the global one), quiet, with :data:`DOMAIN_WORDS`."""
    global _jieba_dt
    if _jieba_dt is not None:
        return _jieba_dt
    with _jieba_lock:
        if _jieba_dt is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" on stderr
            dt = jieba.Tokenizer()
            dt.tmp_dir = _writable_dir(_cache_dir)
            dt.cache_file = "odp-jieba.cache"
            dt.initialize()
            for word in DOMAIN_WORDS:
                dt.add_word(word)
            _jieba_dt = dt
    return _jieba_dt


def _emit_word(parts: list[tuple[str, int, int]], out: list[Seg]) -> None:
    """Emit one word's tokens: the finest ones advance the position; a token containing a finer one is
    overlaid (increment 0) on the position of the first finest token starting at or after it."""
    if len(parts) == 1:
        out.append((parts[0][0], parts[0][1], parts[0][2], 1))
        return
    finest: list[tuple[str, int, int]] = []
    overlays: list[tuple[str, int, int]] = []
    for p in parts:
        width = p[2] - p[1]
        if any(q[2] - q[1] < width and p[1] <= q[1] and q[2] <= p[2] for q in parts):
            overlays.append(p)
        else:
            finest.append(p)
    finest.sort(key=lambda p: (p[1], p[2]))
    attached: dict[int, list[tuple[str, int, int]]] = {}
    for o in overlays:
        j = next((i for i, f in enumerate(finest) if f[1] >= o[1]), len(finest) - 1)
        attached.setdefault(j, []).append(o)
    for i, (text, s, e) in enumerate(finest):
        out.append((text, s, e, 1))
        for o in attached.get(i, ()):
            out.append((o[0], o[1], o[2], 0))


def _segment_cjk_run(run: str) -> list[Seg]:
    """Tokens of one run of CJK characters, offsets relative to the run."""
    dt = get_jieba()
    freq = dt.FREQ
    out: list[Seg] = []
    start = 0
    for w in dt.cut(run, HMM=True):
        n = len(w)
        if n <= 2:
            if w not in STOP_WORDS:
                out.append((w, start, start + n, 1))
            start += n
            continue
        parts = []
        for i in range(n - 1):
            g = w[i : i + 2]
            if freq.get(g) and g not in STOP_WORDS:
                parts.append((g, start + i, start + i + 2))
        if n > 3:
            for i in range(n - 2):
                g = w[i : i + 3]
                if freq.get(g) and g not in STOP_WORDS:
                    parts.append((g, start + i, start + i + 3))
        if w not in STOP_WORDS:
            parts.append((w, start, start + n))
        if parts:
            _emit_word(parts, out)
        start += n
    return out


_RUN_CACHE_MAX_CHARS = 24
_run_cache: dict[str, list[Seg]] = {}


def _segment_cjk(run: str, base: int, out: list[Seg]) -> None:
    # Short runs (titles, clauses, field names, place names) repeat a lot: memoise them.
    if len(run) <= _RUN_CACHE_MAX_CHARS:
        segs = _run_cache.get(run)
        if segs is None:
            if len(_run_cache) >= _CACHE_MAX_ENTRIES:
                _run_cache.clear()
            segs = _run_cache[run] = _segment_cjk_run(run)
    else:
        segs = _segment_cjk_run(run)
    if base:
        out.extend([(t, s + base, e + base, inc) for t, s, e, inc in segs])
    else:
        out.extend(segs)


def _segment_latin(run: str, base: int, out: list[Seg]) -> None:
    low = run.lower()[:MAX_TOKEN_CHARS]
    pieces = [(m.group(), base + m.start(), base + m.end()) for m in _LATIN_SPLIT_RE.finditer(low)]
    if len(pieces) == 1:
        if low not in STOP_WORDS:
            out.append((low, base, base + len(low), 1))
        return
    parts = [p for p in pieces if p[0] not in STOP_WORDS]
    parts.append((low, base, base + len(low)))
    _emit_word(parts, out)


def _segment_uncached(text: str) -> list[Seg]:
    out: list[Seg] = []
    folded = fold(text)
    offset = 0
    items = folded.split(ITEM_SEPARATOR) if ITEM_SEPARATOR in folded else (folded,)
    for k, item in enumerate(items):
        first = len(out)
        for m in _RUN_RE.finditer(item):
            if m.group(1):
                _segment_cjk(m.group(1), offset + m.start(), out)
            else:
                _segment_latin(m.group(2), offset + m.start(), out)
        if k and len(out) > first:
            t = out[first]
            out[first] = (t[0], t[1], t[2], POSITION_GAP + 1)
        offset += len(item) + 1
    return out


_CACHE_MAX_CHARS = 48
_cache: dict[str, list[Seg]] = {}


def segment(text: str) -> list[Seg]:
    """Tokens of ``text`` as (term, startchar, endchar, position increment), in position order.

    Short strings (titles, keywords, field names, department names…) repeat across datasets, so their
    segmentation is memoised.
    """
    if len(text) > _CACHE_MAX_CHARS:
        return _segment_uncached(text)
    hit = _cache.get(text)
    if hit is None:
        if len(_cache) >= _CACHE_MAX_ENTRIES:
            _cache.clear()
        hit = _cache[text] = _segment_uncached(text)
    return hit


def terms(text: str) -> list[str]:
    """Just the token texts, in order (handy in tests and the query parser)."""
    return [s[0] for s in segment(text)]


class JiebaTokenizer(Tokenizer):
    """A Whoosh tokenizer (and complete analyzer: it lowercases and stops words itself)."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        pos = start_pos - 1
        for text, s, e, inc in segment(value):
            t.text = text
            t.boost = 1.0
            if keeporiginal:
                t.original = text
            t.stopped = False
            if positions:
                pos += inc
                t.pos = pos
            if chars:
                t.startchar = start_char + s
                t.endchar = start_char + e
            yield t


def ChineseAnalyzer() -> JiebaTokenizer:
    """The analyzer used by every text field of the search index."""
    return JiebaTokenizer()
