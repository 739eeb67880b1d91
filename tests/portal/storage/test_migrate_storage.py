"""``odp migrate-storage``: an embedded installation's files copied into an S3 bucket (moto's server on loopback),
resumable and idempotent, damaged files refused; afterwards the portal serves the same bytes and rows from the
bucket. SQLite and PostgreSQL."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from catalog.config import get_settings
from catalog.contests import works
from catalog.migrate_storage import migrate_files, planned
from catalog.models import ContestWork
from catalog.storage import LocalFileStore, open_store
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from portal.cli import app as odp
from tests.support.packages import csv_text, write_package
from tests.support.s3 import s3_server

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40
ROWS = [(i, f"停车场{i}", "徐汇区", i) for i in range(1, 21)]


@pytest.fixture
def embedded(settings, tmp_path):
    folder = tmp_path / "packages"
    for name in ("move-a", "move-b"):
        write_package(folder, name, csv=csv_text(ROWS if name == "move-a" else ROWS[:3]))
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.added == 2
    return settings


def test_files_move_to_the_bucket_resumably_and_the_portal_serves_them(embedded, monkeypatch):
    local = LocalFileStore(embedded.files_dir)
    screenshot = works.store_screenshot(PNG, embedded)  # a contest work's image, in the data dir
    files = planned(local, embedded.data_dir)
    assert len(files) == 5  # two originals, two Parquet files, the screenshot
    assert f"{works.SCREENSHOTS}/{screenshot}" in dict(files)
    with s3_server() as server:
        server.use(monkeypatch, "moved")
        get_settings.cache_clear()
        target = open_store(get_settings())
        first = migrate_files(local, target, files[:1])  # an interrupted run got this far
        assert (first.copied, first.present) == (1, 0)

        runner = CliRunner()
        resumed = runner.invoke(odp, ["migrate-storage"])
        assert resumed.exit_code == 0, resumed.output
        assert "copied 4 files" in resumed.output and "1 already there" in resumed.output
        assert "indexed 2 searchable datasets" in resumed.output
        assert server.objects("moved/") == {f"moved/{relpath}": size for relpath, size in files}
        again = runner.invoke(odp, ["migrate-storage", "--read-back"])
        assert again.exit_code == 0 and "copied 0 files" in again.output and "5 already there" in again.output

        original = (embedded.data_dir.parent / "packages" / "move-a" / "data" / "table.csv").read_bytes()
        shutil.rmtree(embedded.files_dir)  # from now on the bucket is the only copy
        with TestClient(create_app()) as client:
            download = client.get("/api/v1/datasets/move-a/resources/table/download")
            assert download.status_code == 200 and download.content == original
            rows = client.get("/api/v1/datasets/move-a/resources/table/rows", params={"_total": 1}).json()
            assert rows["total"] == len(ROWS)
            assert client.get("/api/v1/search", params={"q": "停车场"}).json()["count"] == 2
        assert works.screenshot_file(ContestWork(screenshot=screenshot), get_settings())[0] == target


def test_a_damaged_local_file_is_refused_never_copied(embedded, monkeypatch, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(embedded.files_dir, damaged)
    relpath, _ = planned(LocalFileStore(damaged))[0]
    (damaged / relpath).chmod(0o644)
    (damaged / relpath).write_bytes(b"not what the name says")
    with s3_server() as server:
        server.use(monkeypatch, "damaged")
        get_settings.cache_clear()
        result = CliRunner().invoke(odp, ["migrate-storage", "--from", str(damaged)])
        assert result.exit_code == 1 and "damaged" in result.output
        assert f"damaged/{relpath}" not in server.objects()


def test_it_needs_an_s3_store(embedded):
    result = CliRunner().invoke(odp, ["migrate-storage"])
    assert result.exit_code == 1 and "ODP_FILES_URL is not set" in result.output
