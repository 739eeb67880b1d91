"""Engine and sessions for the catalog DB (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import fcntl
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine, select

from catalog import models
from catalog.config import Settings, get_settings
from catalog.vocabulary import DOMAINS

P = ParamSpec("P")
R = TypeVar("R")


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the harvest writer
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: the catalog stays consistent after
            # a crash, and a power cut may lose the last commits — which the next harvest simply redoes. A
            # commit per dataset then costs microseconds instead of an fsync.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(settings: Settings | None = None) -> Engine:
    settings = settings or get_settings()
    if settings.effective_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return _engine_for(settings.effective_database_url)


class CatalogOutOfDate(RuntimeError):
    """The catalog DB was made by an earlier release; ``odp db upgrade`` brings it to the current schema."""


def init_db(settings: Settings | None = None) -> Engine:
    """Open the catalog at the current schema and make sure the 12 domains exist. Safe to call on every start.

    A new, empty database is created at the latest migration; one at the latest is used as it is (a one-row
    read); an older one raises :class:`CatalogOutOfDate` instead of being changed behind the operator's back.
    """
    engine = get_engine(settings)
    _ensure_current_schema(engine, settings or get_settings())
    with Session(engine) as session:
        have = {d.code: d for d in session.exec(select(models.Domain))}
        for info in DOMAINS:
            row = have.get(info.code) or models.Domain(code=info.code, name=info.name, name_en="", order=0)
            row.name, row.name_en, row.order = info.name, info.name_en, info.order
            session.add(row)
        session.commit()
    return engine


def _ensure_current_schema(engine: Engine, settings: Settings) -> None:
    from catalog import migrations  # it opens engines through this module

    with engine.connect() as connection:
        revision = migrations.read_revision(connection)
    if revision is None:
        with write_lock(settings), engine.begin() as connection:  # one creator when two processes start
            revision = migrations.read_revision(connection)
            if revision is None and migrations.inspect_revision(connection) is None:
                migrations.create_at_head(connection)
                return
    if revision == migrations.head():
        return
    if revision is not None and not migrations.is_known(revision):
        raise CatalogOutOfDate(
            f"the catalog database is at revision {revision}, unknown to this odp (made by a newer release?)"
        )
    found = f"revision {revision}" if revision else "an un-versioned schema (made before migrations)"
    raise CatalogOutOfDate(
        f"the catalog database is at {found}, this odp needs {migrations.head()}: run `odp db upgrade`"
    )


def drop_schema_version(engine: Engine) -> None:
    """Forget the catalog's schema version (Alembic's table), which ``SQLModel.metadata.drop_all`` leaves."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


@contextmanager
def write_lock(settings: Settings | None = None) -> Iterator[None]:
    """Serialize catalog writers on SQLite (one writer at a time, waiting instead of failing).

    SQLite upgrades a reader to a writer only if no one else wrote in between, and otherwise fails at once
    ("database is locked"); an OS file lock around each write transaction makes concurrent harvests queue.
    PostgreSQL needs no such lock.
    """
    settings = settings or get_settings()
    if not settings.effective_database_url.startswith("sqlite"):
        yield
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / ".catalog-write.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def serialized_write(func: Callable[P, R]) -> Callable[P, R]:
    """Run a short catalog write under ``write_lock`` (for helpers that take no settings)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with write_lock():
            return func(*args, **kwargs)

    return wrapper


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    with Session(get_engine(settings), expire_on_commit=False) as session:
        yield session


def upsert_insert(engine: Engine, model: type) -> PgInsert | SqliteInsert:
    """An INSERT for ``model`` that can take ``.on_conflict_do_update(...)``: both databases we run on
    support it, and it is the only race-free way for concurrent writers to create-or-update one row."""
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    return insert(model)
