"""Search backends for tests that run against both: the embedded Whoosh index in a temporary folder, and the
PostgreSQL backend on the run's throw-away database (PostgreSQL pass only).

``BACKENDS`` parametrizes a fixture; :func:`open_backend` skips the PostgreSQL case on the SQLite pass and the
Whoosh case on the PostgreSQL pass (the SQLite pass has run it already, and would only run again unchanged).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import SQLModel

import catalog.search.postgres.tables  # noqa: F401  (registers the search tables)
from catalog import db
from catalog.search.postgres.backend import PostgresBackend
from catalog.search.whoosh.backend import WhooshBackend
from tests.support.catalog import PG_URL

BACKENDS = ["whoosh", "postgres"]
SEARCH_TABLES = ("searchdocument", "searchterm", "searchlabel", "searchstate")


def empty_postgres_backend(database_url: str, **kwargs: object) -> PostgresBackend:
    """A PostgreSQL backend over empty search tables in ``database_url`` (created when missing)."""
    engine = db._engine_for(database_url)
    SQLModel.metadata.create_all(engine, tables=[SQLModel.metadata.tables[t] for t in SEARCH_TABLES])
    with engine.begin() as conn:
        for table in SEARCH_TABLES:
            conn.exec_driver_sql(f"DELETE FROM {table}")
    return PostgresBackend(engine, **kwargs)  # type: ignore[arg-type]


def open_backend(kind: str, tmp_path: Path, pg_database_url: str | None, **kwargs: object):
    if kind == "postgres":
        if not pg_database_url:
            pytest.skip("the PostgreSQL backend runs in the PostgreSQL pass")
        return empty_postgres_backend(pg_database_url, **kwargs)
    if PG_URL:
        pytest.skip("the Whoosh backend ran in the SQLite pass")
    return WhooshBackend(tmp_path / "index", **kwargs)  # type: ignore[arg-type]
