"""Helpers to give a test its own catalog: settings pointing at a fresh data dir and an empty catalog DB
(SQLite per test, or the run's PostgreSQL database), and copies of sample packages.

Also the one session-wide catalog harvested from ``sample_data/`` (``harvest_sample``), shared by every test that
only reads it: on PostgreSQL it lives in a throw-away database of its own, because the per-test ``settings``
fixture empties the run's database before each test. A test that must write to it works on ``copy_catalog``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from catalog import db
from catalog.config import Settings, get_settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DATA = ROOT / "sample_data"
PG_URL = os.environ.get("ODP_TEST_DATABASE_URL")
TEST_SECRET_KEY = "test-server-secret-shared-by-every-node"  # a PostgreSQL catalog is in scaled mode

if TYPE_CHECKING:
    from harvesters.base import HarvestResult


def create_database(template: str | None = None) -> str:
    """A new, uniquely named PostgreSQL database next to ``PG_URL`` (a copy of ``template`` when given)."""
    admin_url = make_url(PG_URL)
    name = f"odp_test_{uuid.uuid4().hex[:10]}"
    clause = f' TEMPLATE "{make_url(template).database}"' if template else ""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    db._engine_for(url).dispose()
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def fresh_settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch, pg_database_url: str | None) -> Settings:
    """Point the settings at ``data_dir`` and an empty catalog DB."""
    from catalog.accounts import usage

    usage.discard_pending()  # usage counted against an earlier catalog (on PostgreSQL: the same URL) is not ours
    monkeypatch.setenv("ODP_DATA_DIR", str(data_dir))
    if pg_database_url:
        monkeypatch.setenv("ODP_DATABASE_URL", pg_database_url)
        monkeypatch.setenv("ODP_SECRET_KEY", TEST_SECRET_KEY)  # scaled mode: required (catalog/config.py)
        SQLModel.metadata.drop_all(db._engine_for(pg_database_url))
        db.drop_schema_version(db._engine_for(pg_database_url))
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


def copy_sample(name_glob: str, dest: Path) -> list[Path]:
    """Copy sample packages whose folder matches ``name_glob`` into ``dest``."""
    copied = []
    for descriptor in sorted(SAMPLE_DATA.rglob("datapackage.json")):
        if descriptor.parent.match(name_glob):
            target = dest / descriptor.parent.name
            shutil.copytree(descriptor.parent, target)
            copied.append(target)
    return copied



@dataclass(frozen=True)
class SampleCatalog:
    """The sample data harvested twice into one data dir and DB: ``first`` filled it, ``second`` (over the same
    folder) changed nothing. Read it through ``settings`` or a client; never write to it."""

    settings: Settings
    database_url: str | None  # None: SQLite in the data dir
    first: HarvestResult
    second: HarvestResult


def harvest_sample(data_dir: Path) -> SampleCatalog:
    """Harvest ``sample_data/`` into ``data_dir`` (and a PostgreSQL database of its own when the run uses one)."""
    from harvesters.base import run_harvest
    from harvesters.datapackage import DataPackageHarvester

    database_url = create_database() if PG_URL else None
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = fresh_settings(data_dir, monkeypatch, database_url)
        first = run_harvest(DataPackageHarvester(SAMPLE_DATA, settings), settings=settings)
        second = run_harvest(DataPackageHarvester(SAMPLE_DATA, settings), settings=settings)
        get_settings.cache_clear()
    return SampleCatalog(settings, database_url, first, second)


def discard_sample(catalog: SampleCatalog) -> None:
    db._engine_for(catalog.settings.effective_database_url).dispose()
    if catalog.database_url:
        drop_database(catalog.database_url)


@contextmanager
def use_catalog(current: Settings) -> Iterator[Settings]:
    """Point the process's settings (``get_settings``, hence the app) at ``current`` for a while."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("ODP_DATA_DIR", str(current.data_dir))
        if current.database_url:
            monkeypatch.setenv("ODP_DATABASE_URL", current.database_url)
            monkeypatch.setenv("ODP_SECRET_KEY", TEST_SECRET_KEY)
        else:
            monkeypatch.delenv("ODP_DATABASE_URL", raising=False)
        monkeypatch.delenv("ODP_REJECT_INVALID", raising=False)
        get_settings.cache_clear()
        try:
            yield get_settings()
        finally:
            get_settings.cache_clear()


@contextmanager
def copy_catalog(catalog: SampleCatalog, data_dir: Path) -> Iterator[Settings]:
    """Settings for a private copy of the sample catalog (its data dir, and its database on PostgreSQL), for a
    test that writes; the copy is dropped afterwards."""
    shutil.copytree(catalog.settings.data_dir, data_dir)
    database_url = None
    if catalog.database_url:
        from catalog.accounts import usage

        with usage.held():  # no usage flush may connect to it meanwhile
            db._engine_for(catalog.database_url).dispose()  # a template database must have no open connections
            database_url = create_database(template=catalog.database_url)
    copy = catalog.settings.model_copy(update={"data_dir": data_dir, "database_url": database_url})
    try:
        yield copy
    finally:
        db._engine_for(copy.effective_database_url).dispose()
        if database_url:
            drop_database(database_url)
