"""The personal-information gate end to end: the scan at harvest (fast path and frictionless fallback), the policy
(block, flag, 有条件开放), masking of the public sample, a clean harvest publishing again, and ``odp pii-scan``.

The route-by-route proof that a blocked dataset is out of every listing and data route is in
tests/portal/test_access_routes.py (its ``acc-pii`` dataset); the sample data's packages in
tests/sample_data/test_sample_data.py. All personal data here is synthetic (tests/support/pii.py).
"""

from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog import db
from catalog.config import get_settings
from catalog.datasets import stats as download_stats
from catalog.ingest.fastpath import ingest_table
from catalog.models import Dataset, Department
from catalog.privacy import blocked_datasets
from catalog.privacy.columns import ColumnMeta
from catalog.privacy.policy import for_review
from catalog.privacy.scan import TableScan, scan_parquet
from catalog.storage import LocalFileStore
from portal.app import create_app
from portal.cli import app as odp_app
from tests.support.packages import write_package
from tests.support.pages import assert_well_formed, get_page
from tests.support.pii import PII_SCHEMA, id_numbers, masked, pii_csv, pii_resource
from tests.support.tables import harvest

ROWS = 40
NAME = "pii-test"


def write_pii(packages, *, masked_ids: bool = False, **metadata) -> None:
    write_package(packages, NAME, csv=pii_csv(ROWS, masked_ids=masked_ids), resource=pii_resource(), **metadata)


def set_policy(monkeypatch, policy: str):
    monkeypatch.setenv("ODP_PII_POLICY", policy)
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def client(settings):
    with TestClient(create_app()) as test_client:
        yield test_client
    download_stats.discard_pending()


def dataset_row(settings) -> Dataset:
    with Session(db.get_engine(settings)) as session:
        return session.exec(select(Dataset).where(Dataset.name == NAME)).one()


def raw_ids_in(text: str) -> list[str]:
    return [number for number in id_numbers(ROWS) if number in text]


def listed(client: TestClient) -> bool:
    names = {d["name"] for d in client.get("/api/v1/datasets", params={"size": 100}).json()["results"]}
    hits = {h["name"] for h in client.get("/api/v1/search", params={"q": "停车场"}).json()["results"]}
    assert (NAME in names) == (NAME in hits)  # the directory (SQL) and the index agree
    return NAME in names


def odp(*args: str):
    return CliRunner().invoke(odp_app, list(args), catch_exceptions=False)


# --- The scan ---------------------------------------------------------------------------------------------


def test_the_fast_path_and_the_parquet_scan_report_the_same(settings, packages, tmp_path):
    """The fast path scans the batches it validates; the fallback scans the Parquet file: same findings."""
    write_pii(packages)
    store = LocalFileStore(tmp_path / "files")
    fast = ingest_table(packages / NAME / "data" / "table.csv", fmt="csv", encoding="utf-8", schema=PII_SCHEMA,
                        dialect=None, store=store, settings=settings)
    assert fast.outcome.report["validator"] == "fast"
    from_parquet = scan_parquet(store.path(fast.parquet_path), PII_SCHEMA)
    for report in (fast.pii_report, from_parquet):
        assert report["rows"] == ROWS
        flagged = {c["column"]: c for c in report["columns"] if c["flagged"]}
        assert set(flagged) == {"id_number", "name"}
        ids = flagged["id_number"]
        assert (ids["kind"], ids["rows"], ids["estimated"]) == ("resident_id", ROWS, False)
        assert ids["examples"] == [masked(n) for n in id_numbers(3)]  # masked, never raw
    assert not raw_ids_in(json.dumps(fast.pii_report))
    fast.pii_report.pop("scanned"), from_parquet.pop("scanned")  # the time of the scan
    assert fast.pii_report == from_parquet


def test_a_long_table_is_sampled_and_its_count_estimated():
    """Fed in batches past twice the limit, the kept rows halve; the sample stays uniform even over a periodic
    table (a stride of 4, 8, 16 … would see only the "待补充" rows here), and the count is estimated from the
    share. 5,000 rows: every fifth empty; of the others, three of every four hold an ID."""
    numbers = id_numbers(5000)
    cells = [None if i % 5 == 0 else (numbers[i] if i % 4 else "待补充") for i in range(5000)]
    scan = TableScan([ColumnMeta("id_number", "身份证号")], limit=200)
    for start in range(0, 5000, 700):
        scan.feed([pa.array(cells[start:start + 700], pa.string())])
    assert scan.rows == 5000 and scan.level >= 4 and scan._kept_rows <= 400
    again = TableScan([ColumnMeta("id_number", "身份证号")], limit=200)
    again.feed([pa.array(cells, pa.string())])  # other batch sizes, the same rows kept: a rescan agrees
    assert again._table().equals(scan._table())
    (column,) = scan.report()["columns"]
    truth = sum(1 for i in range(5000) if i % 5 and i % 4)
    assert column["flagged"] and column["estimated"]
    assert abs(column["rows"] - truth) <= truth * 0.1


# --- The policy -------------------------------------------------------------------------------------------


def test_block_keeps_an_open_dataset_unpublished_until_a_clean_harvest(settings, packages, client):
    write_pii(packages)
    write_package(packages, "clean-neighbour")
    first = harvest(settings, packages)  # asserts no failure: the block is not one
    assert [b["dataset"] for b in first.tally.blocked] == [NAME]
    assert first.tally.blocked[0]["message"] == (
        f"PII: 姓名 in column name ({ROWS} rows); PII: 身份证号 in column id_number ({ROWS} rows)")
    assert dataset_row(settings).pii_status == "blocked"
    assert not listed(client) and client.get(f"/dataset/{NAME}").status_code == 404
    assert client.get("/api/v1/datasets/clean-neighbour").status_code == 200
    with Session(db.get_engine(settings)) as session:
        jtw = session.exec(select(Department).where(Department.name == "jtw")).one()
        assert [d.name for d in blocked_datasets(session)] == [NAME]
        assert [d.name for d in blocked_datasets(session, jtw.id)] == [NAME]
        assert [d.name for d in blocked_datasets(session, "jtw")] == [NAME]
        assert blocked_datasets(session, "no-such-department") == []
        (row,) = for_review(session, {jtw.id})
        assert row.status == "blocked" and [c.column for c in row.columns] == ["name", "id_number"]
    write_pii(packages, masked_ids=True)  # the department masks the IDs; names alone are not personal data here
    again = harvest(settings, packages)
    assert again.tally.blocked == [] and again.outcomes[f"{NAME}/datapackage.json"] == "updated"
    assert dataset_row(settings).pii_status == "clean"
    assert listed(client) and client.get(f"/api/v1/datasets/{NAME}").json()["pii"] is None


def test_the_harvest_command_reports_the_block_and_exits_0(settings, packages):
    write_pii(packages)
    result = odp("harvest", str(packages), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["failed"], summary["blocked"]) == (1, 0, 1)
    assert summary["blocked_datasets"][0]["dataset"] == NAME
    table = odp("harvest", str(packages))
    assert table.exit_code == 0 and "blocked (PII)" in table.output and "id_number" in table.output
    jobs = json.loads(odp("jobs", "--json").stdout)["jobs"]
    assert jobs[0]["blocked"][0]["dataset"] == NAME


def test_flag_publishes_an_open_dataset_with_a_visible_warning(settings, packages, client, monkeypatch):
    flag = set_policy(monkeypatch, "flag")
    write_pii(packages)
    assert harvest(flag, packages).tally.blocked == []
    assert dataset_row(settings).pii_status == "flagged" and listed(client)
    pii = client.get(f"/api/v1/datasets/{NAME}").json()["pii"]
    assert pii["status"] == "flagged" and not pii["sample_masked"]  # open data: the sample is the data
    assert [(c["column"], c["kind"], c["rows"]) for c in pii["columns"]] == [
        ("name", "person_name", ROWS), ("id_number", "resident_id", ROWS)]
    assert not raw_ids_in(json.dumps(pii))
    assert_well_formed(get_page(client, f"/dataset/{NAME}"))
    page = client.get(f"/dataset/{NAME}").text
    assert "个人信息警告" in page and "id_number" in page


def test_conditional_data_is_published_flagged_and_its_public_sample_masked(settings, packages, client):
    write_pii(packages, open_class="conditional")
    assert harvest(settings, packages).tally.blocked == []
    assert dataset_row(settings).pii_status == "flagged" and listed(client)
    assert client.get(f"/api/v1/datasets/{NAME}").json()["pii"]["sample_masked"] is True
    sample = client.get(f"/api/v1/datasets/{NAME}/resources/table/sample").json()
    assert sample["rows"] and not raw_ids_in(json.dumps(sample, ensure_ascii=False))
    first = sample["rows"][0]
    assert first["id_number"] == masked(id_numbers(1)[0]) and first["name"].endswith("*")
    assert first["district"] == "浦东新区"  # other columns as published
    assert_well_formed(get_page(client, f"/dataset/{NAME}"))
    page = client.get(f"/dataset/{NAME}").text
    assert not raw_ids_in(page) and masked(id_numbers(1)[0]) in page and "公开样例已脱敏" in page
    with Session(db.get_engine(settings)) as session:
        assert blocked_datasets(session) == []
        assert [(r.name, r.status) for r in for_review(session)] == [(NAME, "flagged")]


def test_pii_scan_applies_a_changed_policy_and_updates_search(settings, packages, client, monkeypatch):
    write_pii(packages)
    harvest(settings, packages)
    assert not listed(client)
    set_policy(monkeypatch, "flag")
    result = odp("pii-scan", "--json")
    assert result.exit_code == 0, result.output
    (scanned,) = json.loads(result.stdout)["datasets"]
    assert (scanned["before"], scanned["after"]) == ("blocked", "flagged")
    assert f"PII: 身份证号 in column id_number ({ROWS} rows)" in scanned["messages"]
    assert listed(client)  # published again, and searchable: the rescan re-indexed it
    set_policy(monkeypatch, "block")
    one = odp("pii-scan", NAME)
    assert one.exit_code == 0 and "未发布" in one.output and "id_number" in one.output
    assert not listed(client)
    missing = odp("pii-scan", "no-such-dataset")
    assert missing.exit_code == 1 and "no active dataset named 'no-such-dataset'" in missing.output


def test_a_contest_sample_of_conditional_data_masks_the_flagged_columns(settings, packages, monkeypatch):
    """A contest's public sample is as public as the dataset's own: the same columns masked."""
    from catalog.contests import contests, entries, samples
    from catalog.vocabulary import Role
    from tests.support.accounts import account, cheap_hashing

    cheap_hashing(monkeypatch)
    write_pii(packages, open_class="conditional")
    harvest(settings, packages)
    with Session(db.get_engine(settings)) as session:
        organizer = account(session, settings, "org@example.org", Role.organizer)
        contest = contests.create(session, organizer, contests.parse_spec({"slug": "pii", "title": "测试大赛"}))
        contests.publish(session, organizer, contest)
        (entry,) = entries.add(session, organizer, contest, NAME, sample_rows=5)
        (view,) = [v for v in entries.package(session, contest) if v.id == entry.id]
        text = b"".join(samples.sample_csv(view, settings)).decode()
    sample = list(csv.DictReader(io.StringIO(text)))
    assert [row["id_number"] for row in sample] == [masked(n) for n in id_numbers(5)]
    assert all(row["name"].endswith("**") and row["district"] == "浦东新区" for row in sample)
    assert not raw_ids_in(text)


def test_reviewers_see_their_departments_blocked_and_flagged_datasets(settings, packages, monkeypatch):
    """/review names the blocked dataset (its name is for reviewers only) and the flagged conditional one, with
    masked examples; a reviewer of another department sees neither."""
    import re

    from catalog.vocabulary import Role
    from tests.support.accounts import PASSWORD, account, cheap_hashing

    cheap_hashing(monkeypatch)
    write_pii(packages)  # open: blocked
    write_package(packages, "pii-conditional", csv=pii_csv(ROWS), resource=pii_resource(), open_class="conditional")
    write_package(packages, "pii-elsewhere", csv=pii_csv(ROWS), resource=pii_resource(),
                  publisher={"name": "gaj", "title": "上海市公安局"})
    harvest(get_settings(), packages)
    with Session(db.get_engine(settings)) as session:
        account(session, settings, "ours@example.org", Role.reviewer, departments=("jtw",))
        account(session, settings, "theirs@example.org", Role.reviewer, departments=("gaj",))
        session.commit()

    def review_page(email: str) -> str:
        client = TestClient(create_app())
        form = client.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        client.post("/login", data={"csrf_token": csrf, "email": email, "password": PASSWORD})
        return client.get("/review").text

    ours, theirs = review_page("ours@example.org"), review_page("theirs@example.org")
    assert f"<code>{NAME}</code>" in ours and "未发布" in ours
    assert 'href="/dataset/pii-conditional"' in ours and "样例已脱敏" in ours
    assert masked(id_numbers(1)[0]) in ours and not raw_ids_in(ours)
    assert NAME not in theirs and "pii-conditional" not in theirs and "<code>pii-elsewhere</code>" in theirs
    download_stats.discard_pending()


def test_a_workbook_with_mobiles_typed_as_numbers_is_scanned_on_the_fast_path(settings, tmp_path):
    """A spreadsheet stores mobile numbers as numbers even in a text column: the scan reads those cells too."""
    import openpyxl

    schema = {"fields": [{"name": "name", "type": "string", "title": "联系人"},
                         {"name": "mobile", "type": "string", "title": "手机"}]}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "mobile"])
    for i in range(30):
        sheet.append([f"联系人{i}", 13800000000 + i * 7919])  # numbers, not text
    path = tmp_path / "contacts.xlsx"
    book.save(path)
    result = ingest_table(path, fmt="xlsx", encoding=None, schema=schema, dialect=None,
                          store=LocalFileStore(tmp_path / "files"), settings=settings)
    assert result.outcome.report["validator"] == "fast"
    (mobile,) = [c for c in result.pii_report["columns"] if c["column"] == "mobile"]
    assert (mobile["kind"], mobile["flagged"], mobile["rows"]) == ("mobile", True, 30)
