"""The catalog the ``odp`` callback hands to every command (portal/cli/context.py): opened once, and only when a
command needs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from catalog import models
from catalog.config import get_settings
from portal.cli import context
from portal.cli.context import CatalogContext
from tests.support.catalog import release


@pytest.fixture
def unopened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data dir that does not exist yet, on the embedded (SQLite) catalog."""
    data_dir = tmp_path / "var"
    monkeypatch.setenv("ODP_DATA_DIR", str(data_dir))
    monkeypatch.delenv("ODP_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield data_dir
    release(get_settings(), None)


def test_commands_that_do_not_read_the_catalog_leave_it_unopened(unopened, odp):
    assert odp("schemas").exit_code == 0
    for command in ("harvest", "validate", "datasets", "show", "jobs", "reindex", "parquet", "serve", "summary"):
        assert odp(command, "--help").exit_code == 0
    assert not unopened.exists()  # the callback ran every time, and created nothing


def test_the_first_session_opens_the_catalog_and_later_ones_only_connect(unopened, monkeypatch):
    opened = []
    monkeypatch.setattr(context, "init_db", lambda settings: opened.append(settings))
    ctx = CatalogContext()
    for _ in range(3):
        with ctx.session():
            pass
    assert len(opened) == 1 and opened[0] is get_settings()


def test_a_command_finds_the_catalog_created_with_its_domains(unopened, odp):
    assert odp("summary").exit_code == 0
    with CatalogContext().session() as session:
        assert len(session.exec(select(models.Domain)).all()) == 12
