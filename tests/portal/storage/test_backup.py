"""``odp backup PATH`` / ``odp restore PATH`` on the embedded default: a backup taken while the portal serves
reads, restored into a fresh data dir (a directory and a .tar), serves the same datasets, rows, downloads, search
results and API keys; a non-empty data dir is refused without --force. SQLite only: the scaled setup is backed up
with pg_dump and a bucket sync."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from catalog import db
from catalog.config import get_settings
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from portal.cli import app as odp
from tests.support.accounts import account, cheap_hashing, new_key
from tests.support.catalog import use_catalog
from tests.support.packages import csv_text, write_package

pytestmark = pytest.mark.sqlite_only
ROWS = [(i, f"停车场{i}", "静安区", i * 2) for i in range(1, 31)]
NAMES = ("keep-a", "keep-b", "keep-c")
DOWNLOAD = "/api/v1/datasets/keep-a/resources/table/download"
ROWS_URL = "/api/v1/datasets/keep-a/resources/table/rows"


def snapshot(client: TestClient, key: str) -> dict:
    """What a visitor and a developer see of the catalog."""
    return {
        "datasets": sorted(d["name"] for d in client.get("/api/v1/datasets").json()["results"]),
        "rows": client.get(ROWS_URL, params={"_sort": "total_spaces", "_total": 1}).json(),
        "download": client.get(DOWNLOAD).content,
        "search": client.get("/api/v1/search", params={"q": "停车场"}).json()["count"],
        "key": client.get("/api/v1/keys", headers={"Authorization": f"Bearer {key}"}).status_code,
    }


def test_a_backup_taken_while_serving_restores_the_same_portal(settings, tmp_path, monkeypatch):
    cheap_hashing(monkeypatch)
    folder = tmp_path / "packages"
    for name in NAMES:
        write_package(folder, name, csv=csv_text(ROWS))
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.added == len(NAMES)
    with Session(db.get_engine(settings)) as session:
        key = new_key(session, settings, account(session, settings, "dev@example.org", Role.user))
        session.commit()

    runner = CliRunner()
    served, failures, done = [], [], threading.Event()
    with TestClient(create_app()) as client:
        before = snapshot(client, key)
        assert before["key"] == 200 and before["rows"]["total"] == len(ROWS)

        def read_while_backing_up() -> None:
            while not done.is_set():
                answer = client.get(ROWS_URL, params={"_size": 5})
                (served if answer.status_code == 200 else failures).append(answer.status_code)

        reader = threading.Thread(target=read_while_backing_up)
        reader.start()
        try:
            as_dir = runner.invoke(odp, ["backup", str(tmp_path / "backup")])
            as_tar = runner.invoke(odp, ["backup", str(tmp_path / "backup.tar")])
        finally:
            done.set()
            reader.join()
    assert as_dir.exit_code == 0, as_dir.output
    assert as_tar.exit_code == 0, as_tar.output
    assert served and not failures
    assert not (tmp_path / "backup" / "index").exists()  # rebuilt on restore, never copied

    again = runner.invoke(odp, ["backup", str(tmp_path / "backup")])
    assert again.exit_code == 1 and "not empty" in again.output

    for name, source in (("from-dir", tmp_path / "backup"), ("from-tar", tmp_path / "backup.tar")):
        restored_dir = tmp_path / name / "var"
        monkeypatch.setenv("ODP_DATA_DIR", str(restored_dir))
        get_settings.cache_clear()
        restored = runner.invoke(odp, ["restore", str(source)])
        assert restored.exit_code == 0, restored.output
        assert "indexed 3 searchable datasets" in restored.output
        with use_catalog(get_settings()), TestClient(create_app()) as client:
            assert snapshot(client, key) == before
        refused = runner.invoke(odp, ["restore", str(source)])
        assert refused.exit_code == 1 and "--force" in refused.output
        forced = runner.invoke(odp, ["restore", str(source), "--force"])
        assert forced.exit_code == 0, forced.output


def test_a_backup_is_refused_for_the_scaled_setup(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("ODP_FILES_URL", "s3://somewhere/files")
    get_settings.cache_clear()
    result = CliRunner().invoke(odp, ["backup", str(tmp_path / "b")])
    assert result.exit_code == 1 and "bucket" in result.output
    bad = CliRunner().invoke(odp, ["restore", str(tmp_path)])
    assert bad.exit_code == 1
