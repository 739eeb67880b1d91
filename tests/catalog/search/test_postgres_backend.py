"""The PostgreSQL search backend in the catalog (issue 20): refused over SQLite with a clear message; on
PostgreSQL a harvest indexes into it (no Whoosh folder is made), `odp reindex` rebuilds it, `odp jobs` sees no
gap, /readyz checks it and the search API answers from it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from catalog.config import SearchBackendKind, get_settings
from catalog.db import session_scope
from catalog.search import SearchError, SearchQuery
from catalog.search.indexing import get_search_backend, index_gaps
from portal.cli import app as odp_app
from tests.support.catalog import PG_URL, copy_sample
from tests.support.tables import harvest


@pytest.fixture
def postgres_search(settings, monkeypatch):
    monkeypatch.setenv("ODP_SEARCH_BACKEND", "postgres")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.mark.skipif(bool(PG_URL), reason="the catalog is PostgreSQL in this pass")
def test_refused_over_a_sqlite_catalog(postgres_search):
    assert postgres_search.search_backend == SearchBackendKind.postgres
    with pytest.raises(SearchError, match="ODP_DATABASE_URL=postgresql"):
        get_search_backend(postgres_search)
    result = CliRunner().invoke(odp_app, ["reindex"])
    assert result.exit_code == 1
    assert "ODP_SEARCH_BACKEND=postgres" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(not PG_URL, reason="the PostgreSQL backend runs in the PostgreSQL pass")
def test_harvest_reindex_readiness_and_api_on_postgres(postgres_search, packages):
    settings = postgres_search
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    copy_sample("sthjj/*air*", packages)
    harvest(settings, packages)
    assert not (settings.index_dir / "odp-index-id").exists()  # nothing went to a Whoosh folder
    backend = get_search_backend(settings)
    assert [h.name for h in backend.search(SearchQuery(q="停车场")).hits] == ["shanghai-public-parking-lots"]
    with session_scope(settings) as session:
        assert index_gaps(session, settings) == []
    backend.rebuild([])  # emptied behind the catalog's back: `odp reindex` rebuilds it from the catalog
    assert backend.search(SearchQuery(q="停车场")).count == 0
    result = CliRunner().invoke(odp_app, ["reindex"], catch_exceptions=False)
    assert result.exit_code == 0 and "PostgreSQL search tables" in result.output
    assert backend.doc_count() == 2
    from portal.app import create_app

    with TestClient(create_app()) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["index"] == "ok"
        found = client.get("/api/v1/search", params={"q": "kongqizhiliang"}).json()
        assert [r["name"] for r in found["results"]] == ["shanghai-air-quality-hourly"]
        with backend.engine.begin() as conn:  # the tables gone: not ready, and the reason says what to do
            conn.exec_driver_sql("ALTER TABLE searchstate RENAME TO searchstate_away")
        try:
            ready = client.get("/readyz")
            assert ready.status_code == 503 and "odp db upgrade" in ready.json()["checks"]["index"]
            down = client.get("/api/v1/search", params={"q": "停车场"})
            assert down.status_code == 503 and down.json()["error"]["code"] == "search_unavailable"
        finally:
            with backend.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE searchstate_away RENAME TO searchstate")


@pytest.mark.skipif(not PG_URL, reason="the PostgreSQL backend runs in the PostgreSQL pass")
def test_an_index_of_an_older_layout_is_refused_until_rebuilt(pg_database_url):
    """Rows written before the facet values' lexemes (layout 1) would miss the datasets found through a domain's
    label: the index says so (a SearchError, the API's 503) instead of answering, until `rebuild`."""
    from catalog.search.postgres.rows import LAYOUT
    from tests.catalog.search.test_search import make_doc
    from tests.support.search_backends import empty_postgres_backend

    backend = empty_postgres_backend(pg_database_url)
    docs = [make_doc("parking", "停车场", domain_code="transport", domain_name="道路交通")]
    backend.rebuild(docs)
    assert [h.name for h in backend.search(SearchQuery(q="交通")).hits] == ["parking"]
    with backend.engine.begin() as conn:  # as revision 0012 leaves an index written before it
        conn.exec_driver_sql("UPDATE searchstate SET layout = 1, generation = generation + 1")
    with pytest.raises(SearchError, match=rf"layout 1, this version reads layout {LAYOUT}\).*odp reindex"):
        backend.search(SearchQuery(q="交通"))
    backend.rebuild(docs)
    assert [h.name for h in backend.search(SearchQuery(q="交通")).hits] == ["parking"]
    backend.rebuild([])  # an empty index of layout 1 holds no old rows: its first write makes it current
    with backend.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE searchstate SET layout = 1, generation = generation + 1")
    backend.index_documents(docs)
    assert [h.name for h in backend.search(SearchQuery(q="交通")).hits] == ["parking"]
