"""Bring a catalog database to the current schema: Alembic revisions, and how a catalog learns its own.

A catalog is in one of four states, told apart by its ``alembic_version`` table:

- *new* (none of the catalog's tables): created at the latest revision by ``create_all`` and stamped, with no
  migration run — the models are the truth, and a test proves ``upgrade head`` builds the same schema;
- *current* (``alembic_version`` holds the head): nothing to do; ``catalog.db.init_db`` checks this on every
  start by reading the one row, without loading Alembic's environment;
- *behind* (an older revision) or *un-versioned* (tables but no ``alembic_version``: made by the first
  release, or by code before migrations existed): ``odp db upgrade`` brings it forward in place. An
  un-versioned catalog is stamped by inspection first (it has the revision-2 tables → 0002, else 0001).

Revisions live in ``versions/`` and are written by hand. Each may set ``needs_reindex`` or
``needs_parquet_rebuild`` when it changes what the search index or the Parquet files hold; :func:`upgrade`
then rebuilds them after the schema change, so no upgrade needs a new harvest. Alembic is configured here in
code (no alembic.ini): the migrations run on a connection this module opens from ``Settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

import catalog.models  # registers the tables that create_at_head creates
import catalog.search.postgres.tables  # noqa: F401  (and the PostgreSQL search backend's tables)
from catalog.config import Settings, get_settings

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"
# What tells the un-versioned catalogs apart: the tables each revision added.
REVISION_TABLES = {"0002": ("harvestjobprocess", "indexeddataset"), "0001": ("dataset",)}


@dataclass
class UpgradeResult:
    before: str | None  # revision found (after stamping an un-versioned catalog), None for a new catalog
    after: str
    applied: list[str] = field(default_factory=list)
    stamped: str | None = None  # the revision an un-versioned catalog was found to be at
    reindexed: int | None = None  # datasets in the rebuilt index, when a revision asked for it
    parquet: dict[str, int] | None = None  # counts of the Parquet rebuild, when a revision asked for it


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


@cache
def head() -> str:
    """The latest revision id (computed once per process)."""
    return scripts().get_current_head() or ""


def is_known(revision: str) -> bool:
    return any(script.revision == revision for script in scripts().walk_revisions())


def read_revision(connection: Connection) -> str | None:
    """The catalog's revision as stored in ``alembic_version`` (None when it has no such table)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def inspect_revision(connection: Connection) -> str | None:
    """The revision an un-versioned catalog's tables match; None for a database without catalog tables."""
    tables = set(inspect(connection).get_table_names())
    for revision, needed in REVISION_TABLES.items():  # newest first
        if tables.issuperset(needed):
            return revision
    return None


def create_at_head(connection: Connection) -> None:
    """Create a new catalog's tables from the models and record it as being at the latest revision."""
    SQLModel.metadata.create_all(connection)
    stamp(connection, head())


def stamp(connection: Connection, revision: str) -> None:
    MigrationContext.configure(connection).stamp(scripts(), revision)


def _engine(settings: Settings | None):
    from catalog.db import get_engine  # catalog.db imports this module

    return get_engine(settings)


def current_revision(settings: Settings | None = None) -> str | None:
    """The catalog's stored revision; None when it is new or un-versioned (see :func:`describe`)."""
    with _engine(settings).connect() as connection:
        return read_revision(connection)


def describe(settings: Settings | None = None) -> str:
    """One line for ``odp db current``: the revision and whether it is the latest."""
    with _engine(settings).connect() as connection:
        revision = read_revision(connection)
        if revision is None:
            found = inspect_revision(connection)
            if found is None:
                return f"new catalog (no tables yet); it will be created at {head()} (head)"
            return f"un-versioned catalog, its tables match {found}; `odp db upgrade` brings it to {head()}"
    return f"{revision} (head)" if revision == head() else f"{revision}, behind {head()} (head)"


def is_current(settings: Settings | None = None) -> bool:
    return current_revision(settings) == head()


def pending(revision: str) -> list[str]:
    """Revision ids after ``revision`` up to head, oldest first."""
    return [script.revision for script in reversed(list(scripts().iterate_revisions(head(), revision)))]


def upgrade(settings: Settings | None = None) -> UpgradeResult:
    """Bring the catalog to the latest revision in place (stamping an un-versioned one by inspection first),
    then rebuild the search index or the Parquet files if an applied revision asks for it."""
    from catalog.db import write_lock

    settings = settings or get_settings()
    with write_lock(settings), _engine(settings).begin() as connection:
        result = _upgrade_schema(connection)
    _rebuild_derived(settings, result)
    return result


def _upgrade_schema(connection: Connection) -> UpgradeResult:
    before = read_revision(connection)
    stamped = None
    if before is None:
        before = stamped = inspect_revision(connection)
        if before is None:
            create_at_head(connection)
            return UpgradeResult(before=None, after=head())
        stamp(connection, before)
    applied = pending(before)
    if applied:
        command.upgrade(alembic_config(connection), "head")
    return UpgradeResult(before=before, after=head(), applied=applied, stamped=stamped)


def _rebuild_derived(settings: Settings, result: UpgradeResult) -> None:
    revisions = [scripts().get_revision(revision).module for revision in result.applied]
    if any(getattr(module, "needs_reindex", False) for module in revisions):
        from catalog.search.indexing import reindex_all

        with Session(_engine(settings)) as session:
            result.reindexed = reindex_all(session, settings)
    if any(getattr(module, "needs_parquet_rebuild", False) for module in revisions):
        from catalog.tables.parquet import rebuild_parquet

        with Session(_engine(settings)) as session:
            result.parquet = rebuild_parquet(session, force=True, settings=settings)


__all__ = ["UpgradeResult", "current_revision", "describe", "head", "is_current", "upgrade"]
