"""Helpers to give a test its own catalog: settings pointing at a fresh data dir and an empty catalog DB
(SQLite per test, or the run's PostgreSQL database), and copies of sample packages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from catalog import db
from catalog.config import Settings, get_settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DATA = ROOT / "sample_data"
PG_URL = os.environ.get("ODP_TEST_DATABASE_URL")


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


def copy_sample(name_glob: str, dest: Path) -> list[Path]:
    """Copy sample packages whose folder matches ``name_glob`` into ``dest``."""
    copied = []
    for descriptor in sorted(SAMPLE_DATA.rglob("datapackage.json")):
        if descriptor.parent.match(name_glob):
            target = dest / descriptor.parent.name
            shutil.copytree(descriptor.parent, target)
            copied.append(target)
    return copied

