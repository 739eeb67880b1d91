"""The portal with its files in an S3 bucket (``ODP_FILES_URL=s3://…``), end to end against a real S3-protocol
server on loopback (moto's server mode, tests/support/s3.py): a harvest stores originals and Parquet in the
bucket and nothing in the local files folder; downloads (whole, ranges, HEAD, a presigned redirect), the rows
API, conversions (XLSX, Parquet), a contest's package zip, a work's screenshot and a reuse image are read back from
the bucket. SQLite and
PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import zipfile

import httpx
import openpyxl
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from catalog import db
from catalog.community import images
from catalog.config import get_settings
from catalog.models import Dataset, Resource, ResourceVersion
from catalog.s3store import S3FileStore
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.accounts import account, cheap_hashing, new_key
from tests.support.catalog import SAMPLE_DATA, fresh_settings, release
from tests.support.packages import csv_text, write_package
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, s3_server

ROWS = [(i, f"停车场{i:03d}", "浦东新区" if i % 3 else "黄浦区", i * 10) for i in range(1, 41)]
TABLE, WORKBOOK = "s3-parking", "shanghai-kindergartens"
DOWNLOAD = "/api/v1/datasets/{}/resources/{}/download"
STATE: dict[str, object] = {}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(scope="module")
def client(tmp_path_factory, pg_database_url):
    with s3_server() as server, pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("s3-files")
        cheap_hashing(monkeypatch)
        server.use(monkeypatch, "portal/files")
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        folder = root / "packages"
        write_package(folder, TABLE, csv=csv_text(ROWS))
        shutil.copytree(SAMPLE_DATA / "jw" / WORKBOOK, folder / WORKBOOK)
        result = run_harvest(DataPackageHarvester(folder, settings), settings=settings)
        assert result.tally.failed == 0 and result.tally.added == 2
        with Session(db.get_engine(settings)) as session:
            STATE["key"] = new_key(session, settings, account(session, settings, "team@example.org", Role.user))
            STATE["org"] = new_key(session, settings, account(session, settings, "org@example.org", Role.organizer))
            session.commit()
        STATE.update(settings=settings, folder=folder, server=server)
        with TestClient(create_app()) as test_client:
            yield test_client
        release(settings, pg_database_url)


def versions() -> dict[str, ResourceVersion]:
    with Session(db.get_engine(STATE["settings"])) as session:
        rows = session.exec(select(Dataset.name, ResourceVersion)
                            .join(Resource, Resource.dataset_id == Dataset.id)
                            .join(ResourceVersion, ResourceVersion.id == Resource.current_version_id)).all()
        return dict(rows)


def original(name: str) -> bytes:
    folder = STATE["folder"]
    return (folder / TABLE / "data" / "table.csv").read_bytes() if name == TABLE else (
        folder / WORKBOOK / "data" / "kindergartens.xlsx").read_bytes()


def test_a_harvest_stores_originals_and_parquet_in_the_bucket_and_nothing_locally(client):
    settings = STATE["settings"]
    assert settings.files_url == "s3://odp-files/portal/files"
    stored = STATE["server"].objects("portal/files/")
    for version in versions().values():
        assert stored[f"portal/files/{version.stored_path}"] == version.size
        assert version.parquet_path and f"portal/files/{version.parquet_path}" in stored
    assert not settings.files_dir.exists() or not any(settings.files_dir.rglob("*"))
    staging = settings.data_dir / "cache" / "staging"
    assert not staging.exists() or not any(staging.iterdir())  # every temporary went up to the bucket


def test_a_download_streams_the_original_with_ranges_and_head_reads_nothing(client, monkeypatch):
    version = versions()[TABLE]
    url, data = DOWNLOAD.format(TABLE, "table"), original(TABLE)
    whole = client.get(url)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["etag"] == f'"{version.sha256}"' and whole.headers["accept-ranges"] == "bytes"
    part = client.get(url, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206 and part.content == data[10:100]
    assert part.headers["content-range"] == f"bytes 10-99/{len(data)}"
    tail = client.get(url, headers={"Range": "bytes=-7"})
    assert tail.status_code == 206 and tail.content == data[-7:]
    two = client.get(url, headers={"Range": "bytes=0-3,20-23"})
    assert two.status_code == 206 and data[0:4] in two.content and data[20:24] in two.content
    past = client.get(url, headers={"Range": f"bytes={len(data) + 5}-"})
    assert past.status_code == 416 and past.json()["error"]["code"] == "range_not_satisfiable"

    def no_reading(*args, **kwargs):
        raise AssertionError("a HEAD must not read the object")

    monkeypatch.setattr(S3FileStore, "open", no_reading)
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(data)) and head.headers["etag"] == f'"{version.sha256}"'
    assert head.headers["accept-ranges"] == "bytes"


def test_presigned_downloads_redirect_to_the_bucket(client, monkeypatch):
    monkeypatch.setenv("ODP_S3_PRESIGNED_DOWNLOADS", "true")
    get_settings.cache_clear()
    try:
        answer = client.get(DOWNLOAD.format(WORKBOOK, "kindergartens"), follow_redirects=False)
    finally:
        monkeypatch.delenv("ODP_S3_PRESIGNED_DOWNLOADS")
        get_settings.cache_clear()
    assert answer.status_code == 307
    location = answer.headers["location"]
    assert location.startswith(STATE["server"].endpoint_url) and SECRET_KEY not in location
    fetched = httpx.get(location)
    assert fetched.status_code == 200 and fetched.content == original(WORKBOOK)
    assert "attachment" in fetched.headers["content-disposition"]


def test_rows_and_conversions_read_parquet_from_the_bucket(client):
    rows = client.get(f"/api/v1/datasets/{TABLE}/resources/table/rows",
                      params={"district": "黄浦区", "_sort_desc": "total_spaces", "_size": 5, "_total": 1}).json()
    expected = sorted((r for r in ROWS if r[2] == "黄浦区"), key=lambda r: -r[3])
    assert rows["total"] == len(expected)
    assert [r["id"] for r in rows["rows"]] == [r[0] for r in expected[:5]]

    workbook = client.get(DOWNLOAD.format(TABLE, "table"), params={"format": "xlsx"})
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0]
    assert sum(1 for _ in sheet.iter_rows()) == len(ROWS) + 1  # a title row, then the data
    parquet = client.get(DOWNLOAD.format(WORKBOOK, "kindergartens"), params={"format": "parquet"})
    assert parquet.status_code == 200
    assert pq.read_table(io.BytesIO(parquet.content)).num_rows == versions()[WORKBOOK].row_count > 0
    page = client.get(f"/dataset/{WORKBOOK}")
    assert page.status_code == 200  # the page's preview reads the same Parquet


def test_a_contest_package_zip_is_built_from_the_bucket(client):
    org, team = ({"Authorization": f"Bearer {STATE[k]}"} for k in ("org", "key"))
    api = "/api/v1/contests"
    assert client.post(api, json={"slug": "s3", "title": "S3 大赛", "theme": "交通"}, headers=org).status_code == 201
    assert client.post(f"{api}/s3/entries", json={"dataset": TABLE}, headers=org).status_code == 201
    assert client.post(f"{api}/s3/publish", headers=org).status_code == 200
    assert client.post(f"{api}/s3/teams", json={"name": "云存储队"}, headers=team).status_code == 201
    assert client.post(f"{api}/s3/agreement", headers=team).status_code == 200
    bundle = client.get(f"{api}/s3/bundle.zip", headers=team)
    assert bundle.status_code == 200, bundle.text
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        members = [n for n in archive.namelist() if n.endswith(".csv")]
        assert [archive.read(n) for n in members] == [original(TABLE)]

    work = client.post(f"{api}/s3/works", headers=team, json={
        "title": "停车助手", "summary": "实时空位", "url": "https://example.org/p", "datasets": [TABLE],
        "screenshot": base64.b64encode(PNG).decode()})
    assert work.status_code == 201, work.text
    assert client.post(f"{api}/s3/works/{work.json()['id']}/accept", headers=org).status_code == 200
    assert f"portal/files/contest-works/{hashlib.sha256(PNG).hexdigest()}.png" in STATE["server"].objects()
    image = client.get(f"/contest/s3/works/{work.json()['id']}/screenshot")
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
    assert not (STATE["settings"].data_dir / "contest-works").exists()


def test_the_credentials_are_never_shown(client):
    settings = STATE["settings"]
    shown = f"{settings!r} {settings} {S3FileStore.from_settings(settings)!r}"
    assert ACCESS_KEY not in shown and SECRET_KEY not in shown
    assert client.get("/readyz").json()["checks"]["files"] == "ok"


def test_reuse_images_are_kept_in_the_bucket(client):
    upload = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(upload, "PNG")
    settings = get_settings()
    name = images.store(upload.getvalue(), settings)
    assert f"portal/files/reuse-images/{name}" in STATE["server"].objects()
    store, relpath, media = images.stored(name, settings)
    with store.open(relpath) as stored:
        assert stored.read(3) == b"\xff\xd8\xff" and media == "image/jpeg"  # re-encoded: a photo becomes JPEG
    assert not (settings.data_dir / "reuse-images").exists()
