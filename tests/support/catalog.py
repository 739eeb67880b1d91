"""Helpers to give a test its own catalog: settings pointing at a fresh data dir and an empty catalog DB
(SQLite per test, or the run's PostgreSQL database), and copies of sample packages.

Also the one session-wide catalog harvested from ``sample_data/`` (``harvest_sample``), shared by every test that
only reads it: on PostgreSQL it lives in a throw-away database of its own, because the per-test ``settings``
fixture empties the run's database before each test. A test that must write to it works on ``copy_catalog``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
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
    """Point the settings at ``data_dir`` and an empty catalog DB (at head, with the 12 domains, as ``init_db``
    makes a new one)."""
    from catalog.accounts import usage

    usage.discard_pending()  # usage counted against an earlier catalog (on PostgreSQL: the same URL) is not ours
    monkeypatch.setenv("ODP_DATA_DIR", str(data_dir))
    if pg_database_url:
        monkeypatch.setenv("ODP_DATABASE_URL", pg_database_url)
        monkeypatch.setenv("ODP_SECRET_KEY", TEST_SECRET_KEY)  # scaled mode: required (catalog/config.py)
    else:
        monkeypatch.delenv("ODP_DATABASE_URL", raising=False)
    monkeypatch.delenv("ODP_REJECT_INVALID", raising=False)
    get_settings.cache_clear()
    current = get_settings()
    if pg_database_url:
        rebuilt = not _empty_in_place(pg_database_url)
        db.init_db(current)
        if rebuilt:
            with db._engine_for(pg_database_url).connect() as connection:
                _FRESH_SCHEMA[pg_database_url] = _schema_fingerprint(connection)
    else:
        current.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_template(), current.data_dir / "catalog.db")
        db.init_db(current)  # finds the copy at head: only makes sure of the domains
    return current


# Creating the ~45 tables and their indexes per test costs far more than the test itself on PostgreSQL (about a
# second on a busy machine), and still a fifth of a second on SQLite; so a new SQLite catalog is a copy of one
# created once per process, and the PostgreSQL one is emptied in place while its schema is still exactly the one
# init_db created (a test that changed the schema gets it dropped and created again instead).
_FRESH_SCHEMA: dict[str, str] = {}  # database URL -> fingerprint of the schema init_db created there
_SQLITE_TEMPLATE: list[Path] = []


def _sqlite_template() -> Path:
    """A new SQLite catalog made by ``init_db`` once per process, checkpointed so that its one file is all of it."""
    if not _SQLITE_TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="odp-test-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        settings = Settings(data_dir=folder, database_url=None)
        engine = db.init_db(settings)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _SQLITE_TEMPLATE.append(folder / "catalog.db")
    return _SQLITE_TEMPLATE[0]


def _schema_fingerprint(connection) -> str:
    """Tables, columns, defaults, constraints, indexes and triggers of the public schema, and its revision."""
    from catalog import migrations

    shape = connection.exec_driver_sql("""
        SELECT md5(string_agg(item, ';' ORDER BY item)) FROM (
            SELECT c.relname::text || ':' || c.relkind::text || ':' || coalesce(a.attname::text, '') || ':'
                   || coalesce(format_type(a.atttypid, a.atttypmod), '') || ':' || coalesce(a.attnotnull::text, '')
                   || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS item
              FROM pg_class c
              LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
             WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT conrelid::regclass::text || ':' || conname::text || ':' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL
            SELECT indexrelid::regclass::text || ':' || pg_get_indexdef(indexrelid)
              FROM pg_index JOIN pg_class c ON c.oid = indrelid WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT tgrelid::regclass::text || ':' || tgname::text || ':' || pg_get_triggerdef(oid)
              FROM pg_trigger WHERE NOT tgisinternal
        ) AS items""").scalar_one()
    return f"{migrations.read_revision(connection)}:{shape}"


def _empty_in_place(url: str) -> bool:
    """Delete every row and restart every sequence if the schema is still the one init_db made; else drop the
    tables (init_db creates them again). True when emptied in place."""
    engine = db._engine_for(url)
    if url in _FRESH_SCHEMA:
        try:
            with engine.begin() as connection:
                if _schema_fingerprint(connection) == _FRESH_SCHEMA[url]:
                    sequences = connection.exec_driver_sql(
                        "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'").scalars().all()
                    statements = [f'DELETE FROM "{t.name}"' for t in reversed(SQLModel.metadata.sorted_tables)]
                    statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
                    connection.exec_driver_sql(";\n".join(statements))  # one round trip
                    return True
        except DBAPIError:  # a model table imported since, and so never created here: start afresh
            pass
    _FRESH_SCHEMA.pop(url, None)
    SQLModel.metadata.drop_all(engine)
    db.drop_schema_version(engine)
    return False


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
