"""Downloads: original bytes with ETag/Last-Modified/Range and a Chinese filename, every conversion equal to the
original data (UTF-8 CSV, GBK CSV, XLSX with a title row), conditional data refused, and counted downloads."""

from __future__ import annotations

import csv
import io
import json
import re
from contextlib import ExitStack
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import openpyxl
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from catalog.datasets import stats as download_stats
from catalog.db import session_scope
from catalog.models import DownloadCount
from catalog.search.indexing import reindex_all
from catalog.storage import LocalFileStore
from catalog.tables.parquet import ROW_COLUMN
from portal.app import create_app
from tests.support.catalog import copy_sample
from tests.support.packages import csv_text, write_package
from tests.support.tables import current_version, harvest, reference_rows

PARKING = "/api/v1/datasets/shanghai-public-parking-lots/resources/parking-lots"

SOURCES = [  # (sample folder, dataset, resource): UTF-8 CSV, GBK CSV with 是/否 booleans, XLSX with a title row
    ("jtw/shanghai-public-parking-lots", "shanghai-public-parking-lots", "parking-lots"),
    ("mzj/elderly-care-institutions", "elderly-care-institutions", "elderly-care"),
    ("whlyj/a-level-scenic-spots", "a-level-scenic-spots", "scenic-spots"),
    ("jtw/shanghai-bus-routes", "shanghai-bus-routes", "bus-routes"),  # time fields
]


@pytest.fixture(autouse=True)
def _no_stray_counts():
    download_stats.discard_pending()
    yield
    download_stats.discard_pending()


@pytest.fixture
def harvested(settings, packages):
    """Harvest some sample packages, then hand out an API client."""
    with ExitStack() as stack:

        def make(*folders: str) -> TestClient:
            for folder in folders:
                copy_sample(folder, packages)
            harvest(settings, packages)
            return stack.enter_context(TestClient(create_app()))

        yield make


@pytest.fixture
def samples(harvested):
    return harvested(SOURCES[0][0], "fgw/dishonest-entities-list")  # open CSV, and 有条件开放 data


def url(dataset: str, resource: str) -> str:
    return f"/api/v1/datasets/{dataset}/resources/{resource}/download"


# --- The original file ----------------------------------------------------------------------------------


def test_original_bytes_with_validators_and_a_chinese_filename(settings, samples):
    version, _ = current_version(settings, "shanghai-public-parking-lots", "parking-lots")
    original = LocalFileStore(settings.files_dir).path(version.stored_path).read_bytes()
    response = samples.get(PARKING + "/download")
    assert response.status_code == 200
    assert response.content == original
    assert response.headers["content-length"] == str(len(original))
    assert response.headers["etag"] == f'"{version.sha256}"'
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    modified = datetime.strptime(response.headers["last-modified"], "%a, %d %b %Y %H:%M:%S GMT")
    assert abs((modified - version.created.replace(tzinfo=None)).total_seconds()) < 1
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="parking-lots.csv"; ')
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
    assert unquote(encoded, encoding="utf-8") == "公共停车场（库）清单.csv"
    assert disposition.isascii()  # the header itself stays ASCII (RFC 5987 percent-encoding)


def test_range_requests_return_the_right_bytes(settings, samples):
    version, _ = current_version(settings, "shanghai-public-parking-lots", "parking-lots")
    original = LocalFileStore(settings.files_dir).path(version.stored_path).read_bytes()
    size = len(original)
    for header, start, end in (("bytes=0-99", 0, 99), ("bytes=1000-2047", 1000, 2047),
                               (f"bytes={size - 10}-", size - 10, size - 1), ("bytes=-25", size - 25, size - 1)):
        response = samples.get(PARKING + "/download", headers={"Range": header})
        assert response.status_code == 206, header
        assert response.content == original[start:end + 1]
        assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert response.headers["content-length"] == str(end - start + 1)
    too_far = samples.get(PARKING + "/download", headers={"Range": f"bytes={size + 5}-"})
    assert too_far.status_code == 416
    stale = samples.get(PARKING + "/download", headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200 and stale.content == original  # If-Range mismatch: the whole file
    fresh = samples.get(PARKING + "/download", headers={"Range": "bytes=0-9", "If-Range": f'"{version.sha256}"'})
    assert fresh.status_code == 206 and fresh.content == original[:10]


def test_if_none_match_gives_304(settings, samples):
    etag = samples.get(PARKING + "/download").headers["etag"]
    response = samples.get(PARKING + "/download", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""


def test_old_versions_stay_downloadable(settings, packages):
    write_package(packages, "parking")
    harvest(settings, packages)
    old, _ = current_version(settings, "parking", "table")
    write_package(packages, "parking", csv=csv_text() + "4,新停车场,静安区,99\n")
    harvest(settings, packages)
    new, _ = current_version(settings, "parking", "table")
    assert new.id != old.id
    base = url("parking", "table")
    with TestClient(create_app()) as client:
        assert client.get(base).content.decode().endswith("4,新停车场,静安区,99\n")
        previous = client.get(base, params={"version": old.id})
        assert previous.content.decode() == csv_text()
        assert previous.headers["etag"] == f'"{old.sha256}"'
        old_csv = client.get(base, params={"version": old.id, "format": "csv"}).content.decode()
        assert len(old_csv.splitlines()) == 4  # header + 3 rows of the old version
        missing = client.get(base, params={"version": 99999})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


# --- Conversions equal the original data ----------------------------------------------------------------


def _parse(value: Any, kind: str) -> Any:
    """A text value of a CSV/JSON export back to the type the Parquet holds."""
    if value is None or value == "":
        return None
    if kind in ("integer", "year"):
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else {"true": True, "false": False}[value]
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    return value


def _expected(settings, dataset: str, resource: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    version, fmt = current_version(settings, dataset, resource)
    rows = reference_rows(settings, version, fmt)
    for row in rows:
        del row[ROW_COLUMN]
    return rows, {f["name"]: f.get("type", "string") for f in version.table_schema["fields"]}


@pytest.mark.parametrize(("sample", "dataset", "resource"), SOURCES, ids=[s[2] for s in SOURCES])
def test_csv_export_equals_the_original(settings, harvested, sample, dataset, resource):
    client = harvested(sample)
    expected, types = _expected(settings, dataset, resource)
    response = client.get(url(dataset, resource), params={"format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(f'attachment; filename="{resource}.csv"')
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    assert reader.fieldnames == list(types)
    got = [{k: _parse(v, types[k]) for k, v in row.items()} for row in reader]
    assert got == expected


@pytest.mark.parametrize(("sample", "dataset", "resource"), SOURCES, ids=[s[2] for s in SOURCES])
def test_json_lines_and_array_exports_equal_the_original(settings, harvested, sample, dataset, resource):
    client = harvested(sample)
    expected, types = _expected(settings, dataset, resource)
    lines = client.get(url(dataset, resource), params={"format": "json"})
    assert lines.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in lines.content.decode().splitlines()]
    array = client.get(url(dataset, resource), params={"format": "json", "array": "1"})
    assert array.headers["content-type"].startswith("application/json")
    assert json.loads(array.content) == records
    assert [list(r) for r in records] == [list(types)] * len(records)
    assert [{k: _parse(v, types[k]) for k, v in r.items()} for r in records] == expected


@pytest.mark.parametrize(("sample", "dataset", "resource"), SOURCES, ids=[s[2] for s in SOURCES])
def test_xlsx_export_equals_the_original(settings, harvested, sample, dataset, resource):
    client = harvested(sample)
    expected, types = _expected(settings, dataset, resource)
    response = client.get(url(dataset, resource), params={"format": "xlsx", "header": "name"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(types)

    def cell(value: Any, kind: str) -> Any:
        if value is None:
            return None
        if kind == "date":
            return value.date()
        if kind == "time":
            return value if isinstance(value, time) else value.time()
        if kind == "number":
            return float(value)
        return value

    got = [{k: cell(v, types[k]) for k, v in zip(types, row, strict=True)} for row in values[1:]]
    assert got == expected


@pytest.mark.parametrize(("sample", "dataset", "resource"), SOURCES, ids=[s[2] for s in SOURCES])
def test_parquet_export_equals_the_original(settings, harvested, sample, dataset, resource):
    client = harvested(sample)
    expected, types = _expected(settings, dataset, resource)
    response = client.get(url(dataset, resource), params={"format": "parquet"})
    assert response.status_code == 200
    table = pq.read_table(io.BytesIO(response.content))
    assert table.column_names == list(types)  # no internal _row column
    assert table.to_pylist() == expected
    again = client.get(url(dataset, resource), params={"format": "parquet"})
    assert again.content == response.content and again.headers["etag"] == response.headers["etag"]
    partial = client.get(url(dataset, resource), params={"format": "parquet"}, headers={"Range": "bytes=0-3"})
    assert partial.status_code == 206 and partial.content == b"PAR1"


def test_csv_bom_for_excel(harvested):
    response = harvested("mzj/elderly-care-institutions").get(url("elderly-care-institutions", "elderly-care"), params={"format": "csv", "bom": "1"})
    assert response.content.startswith(b"\xef\xbb\xbf\"id\"")
    text = response.content.decode("utf-8-sig")
    assert "医养结合" not in text.splitlines()[0]  # header = field names
    assert "养老" in text  # GB18030 source, UTF-8 out


def test_conversions_of_a_non_table_are_refused(settings, packages):
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    with TestClient(create_app()) as client:
        base = url("shanghai-public-parking-lots", "data-dictionary")
        assert client.get(base).status_code == 200  # the original text file
        response = client.get(base, params={"format": "csv"})
        assert response.status_code == 409 and response.json()["error"]["code"] == "not_available"
        bad = client.get(base, params={"format": "exe"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_parameter"


# --- Visibility -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [None, "csv", "json", "xlsx", "parquet"])
def test_conditional_data_is_403_and_not_sent(settings, samples, fmt):
    response = samples.get(url("dishonest-entities-list", "dishonest-entities"),
                           params={"format": fmt} if fmt else None)
    assert response.status_code == 403
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == "access_requires_grant"
    assert "有条件开放" in body["error"]["message"]
    version, _ = current_version(settings, "dishonest-entities-list", "dishonest-entities")
    first_row = LocalFileStore(settings.files_dir).path(version.stored_path).read_text("utf-8").splitlines()[1]
    assert first_row.split(",")[1] not in response.text


def test_closed_is_404_and_withdrawn_is_410(settings, packages):
    write_package(packages, "open-one")
    write_package(packages, "closed-one", open_class="closed")
    harvest(settings, packages)
    with TestClient(create_app()) as client:
        assert client.get(url("closed-one", "table")).status_code == 404
        assert client.get(url("open-one", "nope")).status_code == 404
        (packages / "open-one" / "datapackage.json").unlink()
        harvest(settings, packages)
        gone = client.get(url("open-one", "table"), params={"format": "csv"})
        assert gone.status_code == 410 and gone.json()["error"]["code"] == "withdrawn"


# --- Download statistics --------------------------------------------------------------------------------


def _counts(client: TestClient, dataset: str) -> tuple[int, int, dict[str, tuple[int, int]]]:
    body = client.get(f"/api/v1/datasets/{dataset}").json()
    per_resource = {r["name"]: (r["downloads"], r["api_calls"]) for r in body["resources"]}
    return body["downloads"], body["api_calls"], per_resource


def test_counts_increase_with_downloads_and_rows_calls(settings, samples, monkeypatch):
    # The background writer would flush part of the events whenever its 5 s tick falls inside the test (it
    # looks flush_all up on each tick): this test flushes by hand, to see one batch.
    monkeypatch.setattr(download_stats, "flush_all", lambda: None)
    assert _counts(samples, "shanghai-public-parking-lots") == (0, 0, {"parking-lots": (0, 0),
                                                                       "data-dictionary": (0, 0)})
    samples.get(PARKING + "/download")
    samples.get(PARKING + "/download", params={"format": "csv"})
    samples.get(PARKING + "/download", headers={"Range": "bytes=100-199"})  # a resumed download: not counted
    samples.get("/api/v1/datasets/shanghai-public-parking-lots/resources/data-dictionary/download")
    samples.get(PARKING + "/rows", params={"district": "浦东新区"})
    samples.get(PARKING + "/rows.csv")
    samples.get(PARKING + "/rows", params={"nope": "1"})  # refused: not counted
    samples.get(PARKING + "/sample")  # metadata, not counted
    assert _counts(samples, "shanghai-public-parking-lots") == (3, 2, {"parking-lots": (2, 2),
                                                                       "data-dictionary": (1, 0)})
    # Written in one batch; another process (a fresh pending queue) then reads the same numbers.
    assert download_stats.flush(settings) == 5
    download_stats.discard_pending()
    assert _counts(samples, "shanghai-public-parking-lots")[:2] == (3, 2)
    samples.get(PARKING + "/download", params={"format": "json"})
    assert _counts(samples, "shanghai-public-parking-lots")[0] == 4  # flushed + pending
    download_stats.flush(settings)
    with session_scope(settings) as session:
        stored = {c.resource_id: (c.downloads, c.api_calls) for c in session.exec(select(DownloadCount))}
    assert sorted(stored.values()) == [(1, 0), (3, 2)]


def test_refused_downloads_are_not_counted(settings, samples):
    samples.get(url("dishonest-entities-list", "dishonest-entities"))
    assert _counts(samples, "dishonest-entities-list")[:2] == (0, 0)


def test_downloads_feed_the_search_sort(settings, harvested):
    samples = harvested("whlyj/a-level-scenic-spots", "mzj/elderly-care-institutions", "jtw/shanghai-bus-routes")
    for _ in range(3):
        samples.get(url("a-level-scenic-spots", "scenic-spots"))
    samples.get(url("elderly-care-institutions", "elderly-care"))
    download_stats.flush(settings)
    with session_scope(settings) as session:
        reindex_all(session, settings)
    names = [r["name"] for r in samples.get("/api/v1/search", params={"sort": "downloads"}).json()["results"]]
    assert names[:2] == ["a-level-scenic-spots", "elderly-care-institutions"]


def test_flushes_from_many_threads_add_up(settings, samples):
    import threading

    version_ids = _resource_ids(settings)
    dataset_id, resource_id = version_ids

    def hammer():
        for _ in range(200):
            download_stats.record(dataset_id, resource_id, "download", settings)

    threads = [threading.Thread(target=hammer) for _ in range(4)] + [
        threading.Thread(target=lambda: [download_stats.flush(settings) for _ in range(20)])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    download_stats.flush(settings)
    with session_scope(settings) as session:
        assert session.get(DownloadCount, resource_id).downloads == 800


def _resource_ids(settings) -> tuple[int, int]:
    from catalog.models import Dataset, Resource

    with session_scope(settings) as session:
        dataset = session.exec(select(Dataset).where(Dataset.name == "shanghai-public-parking-lots")).one()
        resource = session.exec(select(Resource).where(Resource.dataset_id == dataset.id)).first()
        return dataset.id, resource.id


def test_stats_survive_a_missing_database(tmp_path):
    """A flush to a database that is gone logs and drops its batch; it never raises into a request."""
    download_stats.record(1, 1, "download", _Fake(f"sqlite:///{Path(tmp_path) / 'nope' / 'x.db'}"))
    download_stats.flush_all()


class _Fake:
    def __init__(self, url: str):
        self.effective_database_url = url


def test_every_type_converts_in_every_format(settings, packages):
    from tests.support.tables import ALL_TYPES, ALL_TYPES_CSV

    write_package(packages, "all-types", csv=ALL_TYPES_CSV, resource={"schema": ALL_TYPES})
    harvest(settings, packages)
    expected, types = _expected(settings, "all-types", "table")
    base = url("all-types", "table")
    with TestClient(create_app()) as client:
        text = client.get(base, params={"format": "csv"}).content.decode()
        assert text.splitlines()[1] == (
            '1,12.5,true,2024-05-01,"2024-05-01T08:30:00","08:30:00",2024,"2024-05","上海","121.4,31.2"')
        records = list(csv.DictReader(io.StringIO(text)))
        assert [{k: _parse(v, types[k]) for k, v in r.items()} for r in records] == expected
        lines = client.get(base, params={"format": "json"}).content.decode().splitlines()
        assert json.loads(lines[0]) == {"id": 1, "amount": 12.5, "open": True, "day": "2024-05-01",
                                        "moment": "2024-05-01T08:30:00", "clock": "08:30:00", "year": 2024,
                                        "month": "2024-05", "note": "上海", "place": "121.4,31.2"}
        assert [{k: _parse(v, types[k]) for k, v in json.loads(line).items()} for line in lines] == expected
        table = pq.read_table(io.BytesIO(client.get(base, params={"format": "parquet"}).content))
        assert table.to_pylist() == expected
        workbook = client.get(base, params={"format": "xlsx", "header": "name"}).content
        sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
        first = [c.value for c in sheet[2]]
        assert first[:7] == [1, 12.5, True, datetime(2024, 5, 1), datetime(2024, 5, 1, 8, 30), time(8, 30), 2024]
        assert sheet.max_row == len(expected) + 1
