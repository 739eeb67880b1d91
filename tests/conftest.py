"""Test fixtures: a fresh data dir and catalog DB per test, on SQLite or, when ODP_TEST_DATABASE_URL is set,
on PostgreSQL (a database of its own per test run, so parallel runs never collide)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from catalog import db
from catalog.config import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"
PG_URL = os.environ.get("ODP_TEST_DATABASE_URL")


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


def fresh_settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch, pg_database_url: str | None) -> Settings:
    """Point the settings at ``data_dir`` and an empty catalog DB."""
    monkeypatch.setenv("ODP_DATA_DIR", str(data_dir))
    if pg_database_url:
        monkeypatch.setenv("ODP_DATABASE_URL", pg_database_url)
        SQLModel.metadata.drop_all(db._engine_for(pg_database_url))
    else:
        monkeypatch.delenv("ODP_DATABASE_URL", raising=False)
    monkeypatch.delenv("ODP_REJECT_INVALID", raising=False)
    get_settings.cache_clear()
    current = get_settings()
    db.init_db(current)
    return current


def release(current: Settings, pg_database_url: str | None) -> None:
    get_settings.cache_clear()
    if not pg_database_url:
        db._engine_for(current.effective_database_url).dispose()


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


def copy_sample(name_glob: str, dest: Path) -> list[Path]:
    """Copy sample packages whose folder matches ``name_glob`` into ``dest``."""
    copied = []
    for descriptor in sorted(SAMPLE_DATA.rglob("datapackage.json")):
        if descriptor.parent.match(name_glob):
            target = dest / descriptor.parent.name
            shutil.copytree(descriptor.parent, target)
            copied.append(target)
    return copied
