"""The zero-hit log: what is counted, how texts are normalized, the file merge, and ``odp search-log``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from catalog.db import session_scope
from catalog.search import SearchQuery, zero_hits
from catalog.search.base import SearchResult
from catalog.search.service import search_catalog
from portal.cli import app


class CountingBackend:
    """A backend whose every search finds ``count`` datasets (and shows none of them)."""

    def __init__(self, count: int) -> None:
        self.count = count

    def search(self, query: SearchQuery) -> SearchResult:
        return SearchResult(count=self.count, hits=[], facets={})


@pytest.fixture(autouse=True)
def _no_leftovers():
    zero_hits.flush()
    yield
    zero_hits.flush()


@pytest.mark.parametrize(("typed", "counted"), [
    ("  空气质量  ", "空气质量"),
    ("Air   Quality\t指数", "air quality 指数"),
    ("ＰＭ２．５ 监测", "pm2.5 监测"),  # NFKC: full-width Latin and digits
    ("停车\u3000场", "停车 场"),  # an ideographic space is whitespace too
    ("x" * 300, "x" * zero_hits.MAX_QUERY_CHARS),
])
def test_normalize(typed, counted):
    assert zero_hits.normalize(typed) == counted


def test_only_query_texts_that_find_nothing_are_counted(settings):
    with session_scope(settings) as session:
        search_catalog(session, CountingBackend(0), SearchQuery(q="地 铁"))
        search_catalog(session, CountingBackend(0), SearchQuery(q="  地\u3000铁 "))
        search_catalog(session, CountingBackend(0), SearchQuery(q="ＸＹＺ"))
        search_catalog(session, CountingBackend(3), SearchQuery(q="停车场"))  # found something
        search_catalog(session, CountingBackend(0), SearchQuery(q="   "))  # blank: the whole catalog
        search_catalog(session, CountingBackend(0), SearchQuery(q="停车场", filters={"domain": ["transport"]}))
    assert zero_hits.pending(settings.data_dir) == {"地 铁": 2, "xyz": 1}


def test_flush_merges_into_the_file_in_the_data_dir(settings):
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # on PostgreSQL nothing else has made it
    path = settings.data_dir / "search-log.json"
    path.write_text(json.dumps({"queries": {"地 铁": 5, "旧词": 1}}), encoding="utf-8")
    zero_hits.record("地 铁")
    zero_hits.record("新词")
    zero_hits.flush()
    assert json.loads(path.read_text(encoding="utf-8")) == {"queries": {"地 铁": 6, "新词": 1, "旧词": 1}}
    assert zero_hits.pending(settings.data_dir) == {}
    zero_hits.flush()  # nothing pending: the file stays as it is
    assert zero_hits.top(2, settings.data_dir) == [("地 铁", 6), ("新词", 1)]
    assert not list(settings.data_dir.glob("*.tmp"))


def test_the_log_holds_no_personal_data(settings):
    zero_hits.record("养老院")
    zero_hits.flush()
    assert json.loads((settings.data_dir / "search-log.json").read_text(encoding="utf-8")) == {
        "queries": {"养老院": 1}
    }


def test_a_broken_file_counts_nothing_and_is_replaced(settings):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "search-log.json").write_text("not json", encoding="utf-8")
    assert zero_hits.top(5, settings.data_dir) == []
    zero_hits.record("幼儿园")
    zero_hits.flush()
    assert zero_hits.top(5, settings.data_dir) == [("幼儿园", 1)]


def test_cli_prints_the_top_ones(settings):
    runner = CliRunner()
    empty = runner.invoke(app, ["search-log"], catch_exceptions=False)
    assert empty.exit_code == 0
    assert "no zero-hit searches" in empty.output
    for text, n in (("kongqi", 3), ("地铁站", 12), ("小区", 1), ("养老", 3)):
        for _ in range(n):
            zero_hits.record(text)
    zero_hits.flush()
    result = runner.invoke(app, ["search-log", "--top", "3"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.splitlines() == ["12  地铁站", " 3  kongqi", " 3  养老"]
