"""The PostgreSQL backend answers as the Whoosh backend (issue 20): over the sample catalog, every query of the
search quality set (quality_queries.json) and a few more (an empty q, a phrase, stop words only, spaced pinyin),
each alone, with a domain filter and with a format filter, sorted by relevance (and, for some, by title,
downloads and modified). Per query: the same count, the same facet counts, the same suggestion, and a top-10
overlap of at least 0.9 (the rule the issue sets; today the two agree exactly, scores included).

Both indexes are built from the same documents by ``rebuild``. PostgreSQL pass only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from catalog import db
from catalog.search import SearchQuery, WhooshBackend
from catalog.search.indexing import catalog_documents
from tests.support.search_backends import empty_postgres_backend

QUERIES = [q["q"] for q in json.loads(Path(__file__).with_name("quality_queries.json").read_text("utf-8"))["queries"]]
QUERIES += ["", '"公共停车场"', "的 了", "ting che chang", "停车场 2023", "上海市"]
OTHER_SORTS = ["", "停车场", "数据", "公园"]
TOP = 10
MIN_OVERLAP = 0.9


@pytest.fixture(scope="module")
def backends(sample_catalog, pg_database_url, tmp_path_factory):
    if not pg_database_url:
        pytest.skip("the PostgreSQL backend runs in the PostgreSQL pass")
    with Session(db.get_engine(sample_catalog.settings)) as session:
        docs = list(catalog_documents(session, sample_catalog.settings))
    whoosh = WhooshBackend(tmp_path_factory.mktemp("agree") / "index")
    whoosh.rebuild(docs)
    postgres = empty_postgres_backend(pg_database_url)
    postgres.rebuild(docs)
    assert postgres.doc_count() == whoosh.doc_count() > 40
    yield whoosh, postgres, docs
    whoosh.close()


def overlap(a: list[str], b: list[str]) -> float:
    a, b = a[:TOP], b[:TOP]
    return len(set(a) & set(b)) / max(len(a), len(b)) if a or b else 1.0


def disagreements(backends, query: SearchQuery) -> list[str]:
    whoosh, postgres, _ = backends
    w, p = whoosh.search(query), postgres.search(query)
    wn, pn = [h.name for h in w.hits], [h.name for h in p.hits]
    label = f"{query.q!r} {query.filters or ''} {query.sort}"
    out = []
    if w.count != p.count:
        out.append(f"{label}: count {w.count} (whoosh) != {p.count} (postgres)")
    if w.facets != p.facets:
        out.append(f"{label}: facets differ")
    if (w.suggestion, w.corrected) != (p.suggestion, p.corrected):
        out.append(f"{label}: suggestion {w.suggestion!r} != {p.suggestion!r}")
    if overlap(wn, pn) < MIN_OVERLAP:
        out.append(f"{label}: top {TOP} overlap {overlap(wn, pn):.2f}: {wn} != {pn}")
    return out


def test_the_backends_agree_on_every_query(backends):
    whoosh, _, _ = backends
    failures = []
    for q in QUERIES:
        first = whoosh.search(SearchQuery(q=q, size=1, facets=["domain"]))
        domain = first.facets["domain"][0].value if first.facets["domain"] else "transport"
        for filters in ({}, {"domain": [domain]}, {"format": ["CSV", "XLSX"]}):
            failures += disagreements(backends, SearchQuery(q=q, filters=filters, size=TOP))
    for q in OTHER_SORTS:
        for sort in ("title", "downloads", "modified"):
            failures += disagreements(backends, SearchQuery(q=q, sort=sort, size=TOP, page=2))
    assert not failures, "\n".join(failures)


def test_the_oracle_can_fail(backends):
    """A different index (one dataset left out of the PostgreSQL one) is caught."""
    whoosh, postgres, docs = backends
    name = whoosh.search(SearchQuery(q="停车场", size=1)).hits[0].name
    postgres.remove([name])
    try:
        assert disagreements(backends, SearchQuery(q="停车场", size=TOP))
    finally:
        postgres.rebuild(docs)
