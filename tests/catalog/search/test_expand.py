"""Query expansion (catalog/search/expand.py) and its use by the Whoosh backend: edit distances against a
brute-force oracle, typo corrections and rewrites over a hand-made vocabulary, did-you-mean on a small index,
and an admin's synonym file taking effect without a reindex."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.search import SearchBackend, SearchQuery, WhooshBackend
from catalog.search.expand import Vocabulary, edit_distance, synonyms
from catalog.search.indexing import get_search_backend
from tests.catalog.search.test_search import make_doc
from tests.support.search_backends import BACKENDS, open_backend


def reference_distance(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook full table (no limit, no early exit)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i, j in itertools.product(range(1, len(a) + 1), range(1, len(b) + 1)):
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
        if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
            d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_edit_distance_agrees_with_the_full_table():
    rng = random.Random(15)
    for _ in range(3000):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        limit = rng.randint(0, 3)
        assert edit_distance(a, b, limit) == min(reference_distance(a, b), limit + 1), (a, b, limit)


VOCAB = Vocabulary(
    {
        "律师": 5, "事务": 3, "事务所": 3, "事物": 1, "空气质量": 4, "kindergartens": 2, "parking": 6,
        "停车场": 5, "停车": 6, "车场": 5, "garden": 1,
    }
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("空气只量", "空气质量"),  # one character replaced
        ("空气质", "空气质量"),  # one added
        ("parkin", "parking"),  # dropped
        ("praking", "parking"),  # swapped
        ("kindergarden", "kindergartens"),  # two edits, 12 letters
        ("kindergartenss", "kindergartens"),
        ("garde", "garden"),
        ("gardxnz", None),  # two edits but only 7 letters: one edit allowed
        ("tingchechnag", "tingchechang"),  # against the pinyin of 停车场
        ("停车", None),  # two characters are never corrected
    ],
)
def test_correct(typed, meant):
    assert VOCAB.correct(typed) == meant


def test_rewrites_correct_a_piece_of_a_longer_word():
    # 律师事物所 is cut 律师 / 事物 / 所: no index term is one edit from the whole, but 事物所 is one from 事务所
    assert VOCAB.correct("律师事物所") is None
    assert VOCAB.rewrites("律师事物所") == ["律师事务所"]
    assert VOCAB.rewrites("空气只量") == ["空气质量"]
    assert VOCAB.rewrites("乌鲁木齐") == []


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path: Path, pg_database_url):
    b = open_backend(request.param, tmp_path, pg_database_url)
    b.index_documents(
        [
            make_doc("air", "上海市空气质量实时数据", keywords=["空气质量", "PM2.5"]),
            make_doc("law", "上海市律师事务所名录", keywords=["律师事务所", "律师"]),
            make_doc("kids", "上海市幼儿园名录", resource_names=["shanghai-kindergartens"]),
            make_doc("metro", "上海市轨道交通客流", keywords=["轨道交通"]),
        ]
    )
    return b


def search(backend: SearchBackend, q: str, **kw: object):
    return backend.search(SearchQuery(q=q, facets=[], **kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "meant", "name"),
    [("空气只量", "空气质量", "air"), ("律师事物所", "律师事务所", "law"), ("kindergarden", "kindergartens", "kids")],
)
def test_a_query_finding_nothing_is_corrected(backend, typed, meant, name):
    result = search(backend, typed)
    assert (result.suggestion, result.corrected) == (meant, True)
    assert [h.name for h in result.hits] == [name]


def test_exact_queries_carry_no_suggestion(backend):
    result = search(backend, "空气质量")
    assert (result.suggestion, result.corrected, result.count) == (None, False, 1)


def test_no_correction_when_the_correction_finds_nothing_either(backend):
    result = search(backend, "空气只量", filters={"domain": ["transport"]})
    assert (result.suggestion, result.corrected, result.count) == (None, False, 0)
    result = search(backend, "乌鲁木齐")
    assert (result.suggestion, result.corrected, result.count) == (None, False, 0)


def test_an_admin_synonym_file_takes_effect_without_reindex(tmp_path, backend):
    extra = tmp_path / "synonyms.txt"
    backend.synonyms_file = extra
    assert search(backend, "城轨线网").count == 0
    extra.write_text("# our own words\n轨道交通, 城轨线网\n", encoding="utf-8")
    assert [h.name for h in search(backend, "城轨线网").hits] == ["metro"]
    assert "城轨线网" in synonyms(extra).of("轨道交通")
    extra.write_text("", encoding="utf-8")
    assert search(backend, "城轨线网").count == 0


def test_the_setting_names_the_admin_file(tmp_path):
    extra = tmp_path / "ours.txt"
    extra.write_text("轨道交通 城轨线网\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "var", search_synonyms_file=extra)
    backend = get_search_backend(settings)
    backend.index_documents([make_doc("metro", "上海市轨道交通客流", keywords=["轨道交通"])])
    assert [h.name for h in search(backend, "城轨线网").hits] == ["metro"]
    assert get_search_backend(settings.model_copy(update={"search_synonyms_file": None})) is backend
    assert search(backend, "城轨线网").count == 0


def test_a_document_in_traditional_characters_is_found_in_simplified_and_highlighted_as_written(tmp_path):
    """Folding happens in the tokenizer, so documents are folded like queries: a title written 停車場 is found by
    停车场 (and by 停車場), and the highlight marks the characters as the publisher wrote them."""
    backend = WhooshBackend(tmp_path / "index")
    backend.index_documents([make_doc("tw-parking", "臺北路公共停車場資料", keywords=["停車位"]),
                             make_doc("other", "上海市公园名录")])
    for q in ("停车场", "停車場", "停车位", "台北路"):
        assert [h.name for h in search(backend, q).hits] == ["tw-parking"], q
        assert search(backend, q).suggestion is None  # found as typed, not by a correction
    hit = search(backend, "停车场").hits[0]
    assert "停車場" in str(hit.highlights) and "停车场" not in str(hit.highlights)
    # The oracle can fail: a word the document does not hold still finds nothing.
    assert search(backend, "图书馆").count == 0
