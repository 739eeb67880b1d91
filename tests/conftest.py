"""Test fixtures: a fresh data dir and catalog DB per test, on SQLite or, when ODP_TEST_DATABASE_URL is set,
on PostgreSQL (a database of its own per test run, so parallel runs never collide)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from catalog import db
from catalog.config import Settings
from tests.support.catalog import PG_URL, fresh_settings, release


def pytest_report_header(config: pytest.Config) -> str:
    return f"catalog database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (per test)'}"


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str | None]:
    """A throw-away PostgreSQL database for this test run, dropped at the end."""
    if not PG_URL:
        yield None
        return
    admin_url = make_url(PG_URL)
    name = f"odp_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    db._engine_for.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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

