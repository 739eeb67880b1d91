"""Test fixtures: a fresh data dir and catalog DB per test, on SQLite or, when ODP_TEST_DATABASE_URL is set,
on PostgreSQL (a database of its own per test run, so parallel runs never collide); and one sample catalog,
harvested from sample_data/ once per run, for the tests that only read it.

The PostgreSQL pass runs only the tests that touch the database: those using ``settings``, ``pg_database_url``
or ``sample_catalog`` (directly or through another fixture). Every other test has already run in the SQLite pass
and would only run again unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalog import db
from catalog.config import Settings
from tests.support.catalog import (
    PG_URL,
    SampleCatalog,
    create_database,
    discard_sample,
    drop_database,
    fresh_settings,
    harvest_sample,
    release,
    use_catalog,
)

DATABASE_FIXTURES = {"settings", "pg_database_url", "sample_catalog"}


def pytest_report_header(config: pytest.Config) -> str:
    return f"catalog database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (per test)'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, keep only the tests whose fixtures reach the catalog database — except those marked
    ``sqlite_only``: they use a catalog to run something else (the docs' shell examples), and the database under
    it adds nothing but minutes."""
    if not PG_URL:
        return
    keep = [item for item in items if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
            and item.get_closest_marker("sqlite_only") is None]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str | None]:
    """A throw-away PostgreSQL database for this test run, dropped at the end."""
    if not PG_URL:
        yield None
        return
    url = create_database()
    yield url
    db._engine_for.cache_clear()
    drop_database(url)


@pytest.fixture(scope="session")
def sample_catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleCatalog]:
    """sample_data/ harvested (twice: the second run must change nothing) once per run. Read-only."""
    catalog = harvest_sample(tmp_path_factory.mktemp("sample-catalog") / "var")
    yield catalog
    discard_sample(catalog)


@pytest.fixture(scope="module")
def sample_client(sample_catalog: SampleCatalog) -> Iterator[TestClient]:
    """The portal over the sample catalog, for one test module. Read-only: no downloads, no harvests."""
    from portal.app import create_app

    with use_catalog(sample_catalog.settings), TestClient(create_app()) as client:
        yield client


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_database_url: str | None) -> Iterator[Settings]:
    """Settings pointing at a fresh data dir (and a clean catalog DB) for one test."""
    current = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    yield current
    release(current, pg_database_url)


@pytest.fixture
def packages(tmp_path: Path) -> Path:
    """An empty folder to write data packages into."""
    folder = tmp_path / "packages"
    folder.mkdir()
    return folder
