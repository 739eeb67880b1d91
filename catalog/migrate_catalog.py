"""Moving the catalog database of an embedded installation (SQLite) into PostgreSQL: ``odp migrate-catalog``.

Why a copy through the models rather than a dump or pgloader: both databases hold the same schema at the same
revision (the Alembic revisions build it on either), so every table is read from SQLite and written to
PostgreSQL through SQLAlchemy's own column types — JSON stays JSON, SQLite's naive times become aware UTC,
booleans stay booleans — in foreign-key order, in batches, in one transaction (a failed copy leaves the target
as it was). Then each table's id sequence is moved past its largest id, or the next row PostgreSQL numbers
would collide with a copied one. The target must hold no catalog yet (no source, dataset or account): a copy
into a live catalog would merge two histories.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, Table, delete, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from catalog import migrations
from catalog.config import Settings
from catalog.db import get_engine, init_db

EMPTY_TARGET_TABLES = ("harvestsource", "dataset", "account")


class CatalogMigrationError(Exception):
    """The copy cannot start (the message says why); nothing was written."""


def migrate_catalog(source: Settings, target: Settings, batch: int = 1000) -> dict[str, int]:
    """Copy every table of ``source``'s SQLite catalog into ``target``'s empty PostgreSQL one; rows per table."""
    if not source.effective_database_url.startswith("sqlite"):
        raise CatalogMigrationError("the catalog to copy from must be an SQLite file (the embedded catalog)")
    if target.effective_database_url.startswith("sqlite") or not target.scaled_mode:
        raise CatalogMigrationError("ODP_DATABASE_URL must name the PostgreSQL database to copy into")
    found = migrations.current_revision(source)
    if found != migrations.head():
        raise CatalogMigrationError(f"the SQLite catalog is at revision {found}, not {migrations.head()}: "
                                    "run `odp db upgrade` on it first")
    init_db(target)  # the schema at head, and the 12 domains (replaced by the copy's own)
    copied: dict[str, int] = {}
    with get_engine(source).connect() as reading, get_engine(target).begin() as writing:
        for name in EMPTY_TARGET_TABLES:
            if writing.execute(select(func.count()).select_from(SQLModel.metadata.tables[name])).scalar_one():
                raise CatalogMigrationError(f"the PostgreSQL catalog already holds data ({name}): copy into an "
                                            "empty database")
        for table in reversed(SQLModel.metadata.sorted_tables):
            writing.execute(delete(table))
        for table in SQLModel.metadata.sorted_tables:
            copied[table.name] = _copy_table(table, reading, writing, batch)
            _advance_sequence(table, writing)
    return copied


def _copy_table(table: Table, reading: Connection, writing: Connection, batch: int) -> int:
    rows = reading.execute(select(table)).mappings()
    count = 0
    while chunk := rows.fetchmany(batch):
        writing.execute(insert(table), [_aware(dict(row)) for row in chunk])
        count += len(chunk)
    return count


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    """SQLite hands back naive UTC times; PostgreSQL would read them in its session's time zone."""
    return {key: value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value
            for key, value in row.items()}


def _advance_sequence(table: Table, writing: Connection) -> None:
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, Integer) or keys[0].autoincrement is False:
        return
    sequence = writing.execute(text("SELECT pg_get_serial_sequence(:table, :column)"),
                               {"table": table.name, "column": keys[0].name}).scalar_one()
    if sequence is None:  # an integer key numbered by the application, not by PostgreSQL
        return
    largest = writing.execute(select(func.max(keys[0]))).scalar_one()
    writing.execute(text("SELECT setval(:sequence, :value, :called)"),
                    {"sequence": sequence, "value": largest or 1, "called": largest is not None})
