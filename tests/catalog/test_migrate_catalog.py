"""``odp migrate-catalog``: an embedded SQLite catalog copied into PostgreSQL keeps every row, and the copy goes
on as a catalog (new rows numbered after the copied ones). PostgreSQL pass only (it needs both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel
from typer.testing import CliRunner

from catalog import db
from catalog.config import Settings
from catalog.migrate_catalog import CatalogMigrationError, migrate_catalog
from portal.cli import app as odp_app
from tests.support.catalog import copy_sample
from tests.support.tables import harvest


def counts(settings: Settings) -> dict[str, int]:
    with db.get_engine(settings).connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in SQLModel.metadata.sorted_tables}


def test_an_embedded_catalog_moves_into_postgresql(settings, pg_database_url, packages, tmp_path):
    if not pg_database_url:
        pytest.skip("copies into PostgreSQL: the PostgreSQL pass runs it")
    copy_sample("jtw/shanghai-*", packages)
    embedded = settings.model_copy(update={"data_dir": tmp_path / "embedded", "database_url": None})
    db.init_db(embedded)
    harvest(embedded, packages)
    moved = CliRunner().invoke(odp_app, ["migrate-catalog", "--from", str(embedded.data_dir)])
    assert moved.exit_code == 0, moved.output
    before = counts(embedded)
    assert before["dataset"] == 3 and counts(settings) == before
    with db.get_engine(settings).connect() as connection:
        (started,) = connection.execute(select(SQLModel.metadata.tables["harvestjob"].c.started)).one()
    assert started.tzinfo is not None
    copy_sample("jtw/pudong-*", packages)  # the next harvest, into PostgreSQL: ids after the copied ones
    assert harvest(settings, packages).tally.added == 1
    assert counts(settings)["dataset"] == 4
    with pytest.raises(CatalogMigrationError, match="already holds data"):
        migrate_catalog(embedded, settings)  # never into a catalog that has one
    db._engine_for(embedded.effective_database_url).dispose()
