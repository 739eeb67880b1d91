"""Search backend: Chinese tokenizer, matching, ranking, filters, facets, sorting, paging, highlighting,
visibility, index maintenance and locking. Each test builds its own index under tmp_path; the tests of the
``backend`` fixture run against the PostgreSQL backend too (in the PostgreSQL pass)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from catalog.search import (
    FACET_NAMES,
    IndexLockedError,
    SearchBackend,
    SearchDocument,
    SearchQuery,
    WhooshBackend,
)
from catalog.search.query import parse_query
from catalog.search.tokenizer import segment, terms
from catalog.search.whoosh import backend as whoosh_backend
from catalog.search.whoosh import parallel
from tests.support.search_backends import BACKENDS, open_backend

T0 = datetime(2024, 6, 1, tzinfo=UTC)


def make_doc(name: str, title: str, **kw: object) -> SearchDocument:
    defaults: dict[str, object] = {
        "description": "",
        "keywords": [],
        "domain_code": "livelihood",
        "domain_name": "民生服务",
        "department_name": "mzj",
        "department_title": "上海市民政局",
        "formats": ["CSV"],
        "open_class": "open",
        "update_frequency": "每月",
        "resource_names": [],
        "field_texts": [],
        "modified": T0,
        "downloads": 0,
    }
    defaults.update(kw)
    return SearchDocument(name=name, title=title, **defaults)  # type: ignore[arg-type]


CORPUS = [
    make_doc(
        "parking",
        "上海市公共停车场信息",
        description="全市公共停车场的名称、地址、泊位数量和收费标准，数据每日更新。",
        keywords=["停车场", "泊位", "交通"],
        domain_code="transport",
        domain_name="道路交通",
        department_name="jtw",
        department_title="上海市交通委员会",
        formats=["CSV", "XLSX", "API"],
        update_frequency="每日",
        resource_names=["上海市公共停车场信息（全量）"],
        field_texts=["停车场名称", "地址", "泊位数"],
        modified=T0 - timedelta(days=3),
        downloads=500,
    ),
    make_doc(
        "pudong-parking",
        "浦东新区公共停车场实时泊位信息",
        description="浦东新区各公共停车场实时空余泊位。",
        keywords=["停车场", "实时"],
        domain_code="transport",
        domain_name="道路交通",
        department_name="jtw",
        department_title="上海市交通委员会",
        formats=["JSON", "API"],
        update_frequency="实时",
        modified=T0 - timedelta(days=1),
        downloads=120,
    ),
    make_doc(
        "road-works",
        "道路施工计划",
        description="施工路段禁止停车，请提前绕行。",
        keywords=["施工"],
        domain_code="transport",
        domain_name="道路交通",
        department_name="jtw",
        department_title="上海市交通委员会",
        formats=["XLSX"],
        modified=T0 - timedelta(days=10),
        downloads=40,
    ),
    make_doc(
        "bike-parking",
        "公共自行车租赁点",
        description="公共自行车租赁点位置，部分站点设在停车场附近。",
        keywords=["自行车"],
        domain_code="transport",
        domain_name="道路交通",
        department_name="jtw",
        department_title="上海市交通委员会",
        formats=["CSV"],
        modified=T0 - timedelta(days=30),
        downloads=7,
    ),
    make_doc(
        "air",
        "空气质量指数（AQI）实时数据",
        description="各监测站PM2.5、PM10和臭氧浓度，2024年起每小时发布。",
        keywords=["空气质量", "PM2.5"],
        domain_code="environment",
        domain_name="资源环境",
        department_name="sthjj",
        department_title="上海市生态环境局",
        formats=["JSON", "CSV"],
        update_frequency="实时",
        modified=T0,
        downloads=900,
    ),
    make_doc(
        "water",
        "地表水水质监测",
        description="主要河流断面水质类别，2023年度统计。",
        keywords=["水质", "监测"],
        domain_code="environment",
        domain_name="资源环境",
        department_name="sthjj",
        department_title="上海市生态环境局",
        formats=["XLSX"],
        update_frequency="每年",
        modified=T0 - timedelta(days=60),
        downloads=35,
    ),
    make_doc(
        "elderly",
        "闵行区养老机构名录",
        description="闵行区养老院和长者照护之家的地址、床位数与联系电话。",
        keywords=["养老", "养老机构"],
        formats=["CSV", "PDF"],
        modified=T0 - timedelta(days=5),
        downloads=300,
    ),
    make_doc(
        "schools",
        "浦东新区中小学名录",
        description="浦东新区公办和民办中小学学校名称、地址。",
        keywords=["学校", "教育"],
        domain_code="education-technology",
        domain_name="教育科技",
        department_name="jw",
        department_title="上海市教育委员会",
        formats=["CSV"],
        update_frequency="每年",
        modified=T0 - timedelta(days=90),
        downloads=300,
    ),
    make_doc(
        "food",
        "食品安全监督抽检结果",
        description="2024年食品监督抽检合格与不合格产品信息。",
        keywords=["食品安全", "抽检"],
        domain_code="public-safety",
        domain_name="公共安全",
        department_name="scjgj",
        department_title="上海市市场监督管理局",
        formats=["XLSX", "CSV"],
        open_class="conditional",
        update_frequency="每季度",
        modified=T0 - timedelta(days=15),
        downloads=65,
    ),
    make_doc(
        "xss",
        "<script>alert(1)</script>充电桩分布",
        description="全市公共充电桩位置 <b>bold</b> & 数量。",
        keywords=["充电桩"],
        domain_code="transport",
        domain_name="道路交通",
        department_name="jtw",
        department_title="上海市交通委员会",
        formats=["CSV"],
        modified=T0 - timedelta(days=2),
        downloads=10,
    ),
    make_doc(
        "closed-parking",
        "停车场内部管理数据",
        description="非开放的停车场数据。",
        keywords=["停车场"],
        domain_code="transport",
        domain_name="道路交通",
        department_name="jtw",
        department_title="上海市交通委员会",
        formats=["CSV"],
        open_class="closed",
        modified=T0 + timedelta(days=1),
        downloads=10_000,
    ),
    make_doc(
        "withdrawn-parking",
        "停车场历史收费标准",
        description="已撤回的停车场数据。",
        keywords=["停车场"],
        domain_code="transport",
        domain_name="道路交通",
        department_name="jtw",
        department_title="上海市交通委员会",
        formats=["PDF"],
        state="withdrawn",
        modified=T0 + timedelta(days=2),
        downloads=20_000,
    ),
]
VISIBLE = [d for d in CORPUS if d.state == "active" and d.open_class != "closed"]
HIDDEN_NAMES = {"closed-parking", "withdrawn-parking"}


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path, pg_database_url):
    """The corpus in each backend (tests/support/search_backends.py: the PostgreSQL one in its own pass)."""
    b = open_backend(request.param, tmp_path, pg_database_url, lock_timeout=5)
    # two commits, so searches span two segments (Whoosh) and statistics are updated, not rebuilt (PostgreSQL)
    b.index_documents(CORPUS[:6])
    b.index_documents(CORPUS[6:])
    yield b
    b.close()


def names(result) -> list[str]:
    return [h.name for h in result.hits]


def all_names(b: SearchBackend, **kw) -> list[str]:
    return names(b.search(SearchQuery(size=1000, **kw)))


def facet_values(doc: SearchDocument, facet: str) -> list[str]:
    return {
        "domain": [doc.domain_code],
        "department": [doc.department_name],
        "format": [f.upper() for f in doc.formats],
        "open_class": [doc.open_class],
        "update_frequency": [doc.update_frequency],
        "keywords": list(doc.keywords),
    }[facet]


# ------------------------------------------------------------------------------------------- tokenizer


def test_tokenizer_keeps_digits_latin_and_lowercases():
    toks = terms("2024年PM2.5监测数据")
    assert "2024" in toks
    assert "pm2.5" in toks and "5" in toks
    assert "监测" in toks and "数据" in toks
    assert terms("Ｓｈａｎｇｈａｉ Open Data") == ["shanghai", "open", "data"]  # full-width folded


def test_tokenizer_stop_words_and_punctuation_are_dropped():
    assert terms("的 了 和 与 及 等，。！？") == []
    assert "的" not in terms("上海市的公共停车场")


def test_tokenizer_positions_are_sequential_over_finest_tokens():
    segs = segment("上海市公共停车场信息")
    finest = [s for s in segs if s[3]]
    assert [s[0] for s in finest] == ["上海", "海市", "公共", "停车", "车场", "信息"]
    assert all(s[3] == 1 for s in finest)  # consecutive positions
    overlays = {s[0] for s in segs if not s[3]}
    assert {"上海市", "停车场"} <= overlays  # compounds share the position of their first part


def test_tokenizer_character_offsets_point_at_the_token():
    text = "浦东新区公共停车场"
    for term, start, end, _ in segment(text):
        assert text[start:end] == term


def test_query_parser_has_no_syntax_beyond_words_and_quotes():
    parsed = parse_query('title:停车场 OR "公共停车场" (')
    flat = [t for c in parsed.clauses for t in c.terms]
    assert "title" in flat  # plain word, not a field name
    assert "or" not in flat  # English stop word
    assert any(c.is_phrase and c.terms == ("公共", "停车", "车场") for c in parsed.clauses)


# ------------------------------------------------------------------------------------------- matching


def test_chinese_word_finds_and_ranks_the_dataset_about_it(backend):
    result = backend.search(SearchQuery(q="停车场"))
    got = names(result)
    assert got[0] in {"parking", "pudong-parking"}
    assert "parking" in got[:2]
    # "road-works" only says 禁止停车 in passing: not a match for 停车场
    assert "road-works" not in got
    # "bike-parking" mentions 停车场 once in its description: found, but ranked below both parking sets
    assert got.index("bike-parking") > got.index("parking")
    assert got.index("bike-parking") > got.index("pudong-parking")
    # the passing mention of 停车 is found by 停车, ranked below the datasets about parking
    got = names(backend.search(SearchQuery(q="停车")))
    assert got.index("road-works") > got.index("parking")


def test_all_words_must_match(backend):
    assert all_names(backend, q="学校 浦东新区") == ["schools"]
    assert set(all_names(backend, q="浦东新区")) == {"schools", "pudong-parking"}
    assert all_names(backend, q="食品 抽检") == ["food"]
    assert all_names(backend, q="停车场 不存在的词") == []


def test_part_of_a_long_word_matches(backend):
    assert "elderly" in all_names(backend, q="闵行")
    assert "elderly" in all_names(backend, q="养老")
    assert "air" in all_names(backend, q="空气")


def test_phrase_query(backend):
    assert set(all_names(backend, q='"公共停车场"')) == {"parking", "pudong-parking"}
    assert all_names(backend, q="“停车场信息”") == ["parking"]
    # 公共 and 停车场 both occur in bike-parking, but not as the phrase
    assert "bike-parking" in all_names(backend, q="公共 停车场")
    assert "bike-parking" not in all_names(backend, q='"公共停车场"')
    assert all_names(backend, q='"停车场公共"') == []


def test_digits_and_latin_are_searchable(backend):
    assert all_names(backend, q="PM2.5") == ["air"]
    assert all_names(backend, q="pm2.5") == ["air"]
    assert set(all_names(backend, q="2024")) == {"air", "food"}
    assert all_names(backend, q="AQI") == ["air"]


def test_department_and_domain_names_are_searchable(backend):
    assert set(all_names(backend, q="生态环境局")) == {"air", "water"}
    assert set(all_names(backend, q="资源环境")) == {"air", "water"}
    assert "schools" in all_names(backend, q="教育委员会")


@pytest.mark.parametrize(
    "q",
    [
        '"AND OR ( title:',
        "title:停车场 AND (",
        "*",
        "?",
        "停车场*",
        "[a TO z]",
        "a:b:c",
        "NOT",
        '"',
        "“",
        "「未闭合",
        "\\",
        "\x00\x1e\x1f\u2029",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "停车场 " * 200,
        "𠀀𠀁 emoji 🚗",
        "   ",
    ],
)
def test_garbage_queries_do_not_raise(backend, q):
    result = backend.search(SearchQuery(q=q))
    assert result.count >= 0
    assert not HIDDEN_NAMES & set(names(result))


def test_query_without_searchable_terms_lists_everything(backend):
    assert backend.search(SearchQuery(q="的 了")).count == len(VISIBLE)


# ------------------------------------------------------------------------------------------- visibility


def test_withdrawn_and_closed_are_never_returned(backend):
    for q in ["", "停车场", "停车场 历史", "内部管理", "撤回"]:
        result = backend.search(SearchQuery(q=q, size=1000))
        assert not HIDDEN_NAMES & set(names(result)), q
        for facet in result.facets.values():
            assert all(fv.value != "closed" for fv in facet)
    assert backend.search(SearchQuery(filters={"open_class": ["closed"]})).count == 0
    assert backend.doc_count() == len(VISIBLE)
    # an active dataset that gets withdrawn disappears
    withdrawn = make_doc("parking", "上海市公共停车场信息", state="withdrawn")
    backend.index_documents([withdrawn])
    assert "parking" not in all_names(backend, q="停车场")
    assert backend.doc_count() == len(VISIBLE) - 1


def test_empty_query_lists_everything_newest_first_with_facets(backend):
    result = backend.search(SearchQuery(size=1000))
    assert result.count == len(VISIBLE)
    expected = [d.name for d in sorted(VISIBLE, key=lambda d: d.modified, reverse=True)]
    assert names(result) == expected
    assert set(result.facets) == set(FACET_NAMES)
    assert all(h.score == 0.0 for h in result.hits)


# ------------------------------------------------------------------------------------------- filters and facets


def brute_force(b: SearchBackend, q: str, filters: dict[str, list[str]]) -> list[SearchDocument]:
    """The visible docs matching q (by the backend's text matching) and the filters (by hand)."""
    matched = set(all_names(b, q=q))
    out = []
    for d in VISIBLE:
        if d.name not in matched:
            continue
        if all(set(facet_values(d, k)) & set(v) for k, v in filters.items() if v):
            out.append(d)
    return out


@pytest.mark.parametrize(
    "filters",
    [
        {"domain": ["transport"]},
        {"domain": ["transport", "environment"]},  # OR within a key
        {"format": ["CSV"]},
        {"format": ["CSV", "PDF"]},
        {"domain": ["transport"], "format": ["XLSX"]},  # AND across keys
        {"domain": ["environment"], "update_frequency": ["实时", "每年"], "format": ["JSON", "XLSX"]},
        {"keywords": ["停车场"]},
        {"department": ["jtw"], "keywords": ["停车场", "充电桩"]},
        {"open_class": ["conditional"]},
        {"domain": ["no-such-domain"]},
    ],
)
def test_filters_or_within_and_across(backend, filters):
    expected = {d.name for d in brute_force(backend, "", filters)}
    got = all_names(backend, filters=filters)
    assert set(got) == expected
    assert len(got) == len(expected)


@pytest.mark.parametrize("q", ["", "停车场", "监测", "浦东新区"])
@pytest.mark.parametrize("filters", [{}, {"domain": ["transport"]}, {"format": ["CSV", "JSON"]}])
def test_facet_counts_equal_brute_force(backend, q, filters):
    result = backend.search(SearchQuery(q=q, filters=filters, size=0))
    docs = brute_force(backend, q, filters)
    assert result.count == len(docs)
    for facet in FACET_NAMES:
        if facet in filters:
            continue  # counted without its own filter: test_facet_counts_are_disjunctive
        expected = Counter(v for d in docs for v in facet_values(d, facet))
        got = {fv.value: fv.count for fv in result.facets[facet]}
        assert got == dict(expected), facet
        order = [(-fv.count, fv.value) for fv in result.facets[facet]]
        assert order == sorted(order), facet


@pytest.mark.parametrize("q", ["", "停车场", "监测"])
@pytest.mark.parametrize(
    "filters",
    [
        {"domain": ["transport"]},
        {"domain": ["transport", "environment"]},
        {"format": ["CSV", "JSON"], "domain": ["transport"]},
        {"keywords": ["停车场"], "department": ["jtw"]},
        {"domain": ["environment"], "update_frequency": ["实时", "每年"], "format": ["JSON", "XLSX"]},
        {"domain": ["no-such-domain"]},
    ],
)
def test_facet_counts_are_disjunctive(backend, q, filters):
    """A facet with a filter is counted as if its own filter were removed (the others stay): selecting
    道路交通 still shows what each other domain would give."""
    result = backend.search(SearchQuery(q=q, filters=filters, size=0))
    assert result.count == len(brute_force(backend, q, filters))
    for facet in FACET_NAMES:
        others = {k: v for k, v in filters.items() if k != facet}
        docs = brute_force(backend, q, others)
        expected = Counter(v for d in docs for v in facet_values(d, facet))
        got = {fv.value: fv.count for fv in result.facets[facet]}
        assert got == dict(expected), facet


def test_a_selected_domain_still_shows_the_other_domains(backend):
    alone = {fv.value: fv.count for fv in backend.search(SearchQuery(size=0)).facets["domain"]}
    selected = backend.search(SearchQuery(filters={"domain": ["transport"]}, size=0))
    assert {fv.value: fv.count for fv in selected.facets["domain"]} == alone
    assert len(alone) > 1 and selected.count == alone["transport"]


def test_facet_limit_and_selection(backend):
    result = backend.search(SearchQuery(facets=["keywords", "format"], facet_limit=2))
    assert set(result.facets) == {"keywords", "format"}
    assert len(result.facets["keywords"]) == 2
    assert result.facets["format"][0].value == "CSV"  # the most common format
    assert result.facets["keywords"][0].value == "停车场"  # 2 visible datasets


# ------------------------------------------------------------------------------------------- sorting, paging


def test_sorting_modes(backend):
    by_modified = all_names(backend, sort="modified")
    assert by_modified == [d.name for d in sorted(VISIBLE, key=lambda d: d.modified, reverse=True)]
    by_title = all_names(backend, sort="title")
    by_pinyin = sorted(VISIBLE, key=lambda d: (whoosh_backend.title_sort_key(d.title), d.title, d.name))
    assert by_title == [d.name for d in by_pinyin]
    by_downloads = all_names(backend, sort="downloads")
    # ties (300 downloads) are broken by modified desc
    expected = sorted(VISIBLE, key=lambda d: (-d.downloads, -d.modified.timestamp()))
    assert by_downloads == [d.name for d in expected]
    # sorting applies to query results too
    assert all_names(backend, q="停车场", sort="downloads") == ["parking", "pudong-parking", "bike-parking"]
    scores = [h.score for h in backend.search(SearchQuery(q="停车场", size=100)).hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_title_sort_is_pinyin_order_not_code_point(tmp_path):
    # code points: 北 U+5317 < 城 U+57CE < 安 U+5B89; pinyin: an < bei < cheng
    docs = [make_doc("b", "北外滩公共停车场"), make_doc("c", "城市道路养护"), make_doc("a", "安全生产许可")]
    assert sorted(d.title for d in docs) == ["北外滩公共停车场", "城市道路养护", "安全生产许可"]
    b = WhooshBackend(tmp_path / "index", lock_timeout=5)
    try:
        b.index_documents(docs)
        assert all_names(b, sort="title") == ["a", "b", "c"]
        b.index_documents([make_doc("z", "长宁区公共停车场"), make_doc("x", "西安路"), make_doc("y", "先锋")])
        # a phrase reading (长宁 chang, not zhang) and syllable boundaries (xi an before xian)
        assert all_names(b, sort="title") == ["a", "b", "z", "c", "x", "y"]
    finally:
        b.close()


def test_title_sort_key():
    key = whoosh_backend.title_sort_key
    assert key("停车场") == "ting2che1chang3"
    assert key("PM2.5监测") == "pm2.5jian1ce4"
    assert key("闵行区银行") == "min0hang0qu0yin0hang0"
    assert key("长宁") < key("西安") < key("先") < key("长期")  # 长期: 长 alone reads zhang3 (a known limit)


def test_paging(backend):
    full = all_names(backend, sort="title")
    pages = []
    for page in range(1, 5):
        result = backend.search(SearchQuery(sort="title", page=page, size=3))
        assert result.count == len(VISIBLE)
        pages.extend(names(result))
    assert pages == full
    assert backend.search(SearchQuery(page=100, size=3)).hits == []
    q_full = all_names(backend, q="停车场")
    assert names(backend.search(SearchQuery(q="停车场", page=2, size=1))) == q_full[1:2]


def test_format_filter_ignores_case(backend):
    assert set(all_names(backend, filters={"format": ["pdf"]})) == {"elderly"}


def test_hits_without_highlights(backend):
    result = backend.search(SearchQuery(q="停车场", highlight=False, size=100))
    assert names(result) == all_names(backend, q="停车场")
    assert all(h.highlights == {} and h.score > 0 for h in result.hits)


def test_invalid_parameters_raise_value_error(backend):
    for bad in [
        SearchQuery(sort="random"),
        SearchQuery(page=0),
        SearchQuery(size=-1),
        SearchQuery(filters={"colour": ["red"]}),
        SearchQuery(facets=["colour"]),
    ]:
        with pytest.raises(ValueError):
            backend.search(bad)


# ------------------------------------------------------------------------------------------- highlighting


def test_highlights_mark_matches_and_escape_html(backend):
    hit = backend.search(SearchQuery(q="充电桩")).hits[0]
    assert hit.name == "xss"
    title = hit.highlights["title"]
    assert "<script>" not in title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title
    assert "<mark>充电桩</mark>" in title
    description = hit.highlights["description"]
    assert "<b>" not in description and "&lt;b&gt;bold&lt;/b&gt; &amp;" in description
    hit = backend.search(SearchQuery(q="停车场")).hits[0]
    assert "<mark>停车场</mark>" in hit.highlights["title"]
    # Latin terms are marked case-insensitively, as whole words
    air = backend.search(SearchQuery(q="pm2.5")).hits[0]
    assert "<mark>PM2.5</mark>" in air.highlights["description"]


def test_long_description_snippet_starts_near_the_match(tmp_path):
    b = WhooshBackend(tmp_path / "ix")
    text = "无关的开头内容。" * 40 + "这里提到充电桩的位置。" + "结尾。" * 100
    b.index_documents([make_doc("long", "标题", description=text)])
    snippet = b.search(SearchQuery(q="充电桩")).hits[0].highlights["description"]
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>充电桩</mark>" in snippet
    assert len(snippet) < 250


# ------------------------------------------------------------------------------------------- maintenance


def test_index_documents_replaces_by_name(backend):
    backend.index_documents([make_doc("water", "黄浦江水文站点", keywords=["水文"], formats=["SHP"])])
    assert all_names(backend, q="地表水") == []
    assert all_names(backend, q="水文") == ["water"]
    assert backend.doc_count() == len(VISIBLE)
    result = backend.search(SearchQuery(filters={"format": ["SHP"]}))
    assert names(result) == ["water"]


def test_remove(backend):
    backend.remove(["air", "water", "no-such-dataset"])
    assert backend.doc_count() == len(VISIBLE) - 2
    assert all_names(backend, q="监测") == []
    assert backend.search(SearchQuery(filters={"domain": ["environment"]})).count == 0
    assert "environment" not in {fv.value for fv in backend.search(SearchQuery()).facets["domain"]}
    backend.remove([])  # no-op


def test_rebuild_replaces_the_whole_index(backend):
    backend.rebuild([make_doc("only", "唯一的数据集", keywords=["唯一"]), CORPUS[-1]])
    assert backend.doc_count() == 1
    assert all_names(backend) == ["only"]
    assert all_names(backend, q="停车场") == []
    backend.rebuild([])
    assert backend.doc_count() == 0
    assert backend.search(SearchQuery(q="停车场")).count == 0


def test_parallel_rebuild_gives_the_same_results(tmp_path, monkeypatch):
    docs = [
        make_doc(
            f"d{i:03d}", f"{['浦东新区', '闵行区', '静安区'][i % 3]}公共停车场信息{i}", keywords=[f"k{i % 5}"]
        )
        for i in range(120)
    ] + CORPUS
    monkeypatch.setattr(whoosh_backend, "PARALLEL_MIN_DOCS", 20)
    monkeypatch.setattr(parallel, "BATCH_SIZE", 10)
    calls = []

    def recording_rebuild(*args, **kwargs):
        calls.append(args[-1])
        return parallel.parallel_rebuild(*args, **kwargs)

    monkeypatch.setattr(whoosh_backend, "parallel_rebuild", recording_rebuild)
    one = WhooshBackend(tmp_path / "serial", index_procs=1)
    one.rebuild(docs)
    assert calls == []  # one process: the serial path
    two = WhooshBackend(tmp_path / "parallel", index_procs=2)
    two.rebuild(iter(docs))
    assert calls == [2]  # two worker processes
    # One segment per worker that got batches: a busy machine may let one worker take them all.
    assert 1 <= len(two._ix.reader().leaf_readers()) <= 2
    for q in ["", "停车场", '"公共停车场"', "闵行区", "k3"]:
        a = one.search(SearchQuery(q=q, size=1000))
        b = two.search(SearchQuery(q=q, size=1000))
        assert a.count == b.count > 0
        assert sorted(names(a)) == sorted(names(b))
        assert a.facets == b.facets
        assert [round(h.score, 6) for h in a.hits] == [round(h.score, 6) for h in b.hits]


def test_parallel_rebuild_without_fork(tmp_path, monkeypatch):
    # what a threaded server process does: fresh worker processes that import everything themselves
    import multiprocessing

    monkeypatch.setattr(whoosh_backend, "PARALLEL_MIN_DOCS", 5)
    monkeypatch.setattr(parallel, "BATCH_SIZE", 5)
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    monkeypatch.setattr(parallel, "_context", lambda: multiprocessing.get_context(method))
    b = WhooshBackend(tmp_path / "ix", index_procs=2)
    b.rebuild(CORPUS)
    assert b.doc_count() == len(VISIBLE)
    assert set(all_names(b, q="停车场")) == {"parking", "pudong-parking", "bike-parking"}


def test_a_failing_document_source_leaves_the_index_unchanged(backend, monkeypatch):
    monkeypatch.setattr(whoosh_backend, "PARALLEL_MIN_DOCS", 5)

    def source():
        yield from (make_doc(f"x{i}", f"数据集{i}") for i in range(30))
        raise RuntimeError("database went away")

    for procs in (1, 2):
        backend.index_procs = procs
        with pytest.raises(RuntimeError):
            backend.rebuild(source())
        assert backend.doc_count() == len(VISIBLE)
        assert "parking" in all_names(backend, q="停车场")


def test_many_small_commits_are_merged_correctly(tmp_path):
    b = WhooshBackend(tmp_path / "ix")
    for d in CORPUS:  # one commit per dataset: Whoosh merges the small segments as it goes
        b.index_documents([d])
    b.index_documents([CORPUS[0], CORPUS[4]])  # updates: deletions in merged segments
    assert len(b._ix.reader().leaf_readers()) < len(CORPUS)
    reference = WhooshBackend(tmp_path / "ref")
    reference.rebuild(CORPUS)
    for q in ["", "停车场", '"公共停车场"', "PM2.5", "浦东新区"]:
        a = reference.search(SearchQuery(q=q, size=100))
        got = b.search(SearchQuery(q=q, size=100))
        assert names(got) == names(a)
        assert got.facets == a.facets


def test_readers_see_the_latest_commit(tmp_path):
    reader = WhooshBackend(tmp_path / "ix")
    writer = WhooshBackend(tmp_path / "ix")
    assert reader.search(SearchQuery(q="停车场")).count == 0
    writer.index_documents([CORPUS[0]])
    assert names(reader.search(SearchQuery(q="停车场"))) == ["parking"]
    writer.remove(["parking"])
    assert reader.search(SearchQuery(q="停车场")).count == 0


def test_segments_written_by_whooshs_default_codec_are_searchable(tmp_path):
    b = WhooshBackend(tmp_path / "ix")
    w = b._ix.writer()  # Whoosh's own codec and pickled positions format
    for d in CORPUS[:3]:
        w.add_document(**whoosh_backend.document_fields(d))
    w.commit()
    b.index_documents(CORPUS[3:6])  # plus one segment of ours
    assert set(all_names(b, q="停车场")) == {"parking", "pudong-parking", "bike-parking"}
    assert set(all_names(b, q='"公共停车场"')) == {"parking", "pudong-parking"}
    assert all_names(b, q="PM2.5") == ["air"]


def test_backend_satisfies_the_protocol(tmp_path):
    assert isinstance(WhooshBackend(tmp_path / "ix"), SearchBackend)


# ------------------------------------------------------------------------------------------- locking


def test_second_writer_times_out_with_a_clear_error(tmp_path):
    holder = WhooshBackend(tmp_path / "ix")
    waiter = WhooshBackend(tmp_path / "ix", lock_timeout=0.5)
    lock = holder._writer()  # holds the index write lock
    try:
        started = time.monotonic()
        with pytest.raises(IndexLockedError, match="locked by another writer"):
            waiter.index_documents([CORPUS[0]])
        assert time.monotonic() - started >= 0.4  # it waited for the lock
        with pytest.raises(IndexLockedError):
            waiter.rebuild([CORPUS[0]])
        with pytest.raises(IndexLockedError):
            waiter.remove(["parking"])
    finally:
        lock.cancel()
    waiter.index_documents([CORPUS[0]])  # lock released: works
    assert waiter.doc_count() == 1


def test_second_writer_waits_for_the_lock(tmp_path):
    holder = WhooshBackend(tmp_path / "ix")
    waiter = WhooshBackend(tmp_path / "ix", lock_timeout=10)
    lock = holder._writer()
    timer = threading.Timer(0.3, lock.cancel)
    timer.start()
    try:
        waiter.index_documents([CORPUS[0]])  # blocks until the first writer lets go
    finally:
        timer.join()
    assert waiter.doc_count() == 1
