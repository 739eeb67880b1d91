"""Parquet materialization: typed by the Table Schema, equal to what frictionless reads from the original
(CSV, GBK, XLSX with a title row, JSON, full-width digits), rebuilt only when needed, never failing a harvest."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from catalog.config import Validator
from catalog.datasets import publishing
from catalog.db import session_scope
from catalog.models import ResourceVersion
from catalog.storage import LocalFileStore
from catalog.tables import parquet as parquet_module
from catalog.tables.parquet import ROW_COLUMN, iter_batches, rebuild_parquet
from portal.cli import app
from tests.support.catalog import copy_sample
from tests.support.packages import write_package
from tests.support.tables import ALL_TYPES, ALL_TYPES_CSV, current_version, harvest, reference_rows


def parquet_rows(settings, version: ResourceVersion) -> list[dict[str, Any]]:
    return pq.read_table(LocalFileStore(settings.files_dir).path(version.parquet_path)).to_pylist()


# --- Sample data: every reader path ----------------------------------------------------------------------

SAMPLES = [
    ("jtw/shanghai-public-parking-lots", "shanghai-public-parking-lots", "parking-lots"),  # UTF-8 CSV
    ("jtw/shanghai-on-street-parking-berths", "shanghai-on-street-parking-berths", "on-street-parking"),  # BOM
    ("mzj/elderly-care-institutions", "elderly-care-institutions", "elderly-care"),  # GBK, 是/否 booleans
    ("zjw/construction-permits-2023", "construction-permits-2023", "construction-permits-2023"),  # GBK, undeclared
    ("whlyj/a-level-scenic-spots", "a-level-scenic-spots", "scenic-spots"),  # XLSX, headerRows [3]
    ("jw/shanghai-kindergartens", "shanghai-kindergartens", "kindergartens"),  # XLSX
    ("tjj/main-economic-indicators-monthly", "main-economic-indicators-monthly", "indicators"),  # １００.９
    ("whlyj/museums-and-exhibitions", "museums-and-exhibitions", "exhibitions-2024"),  # JSON array
    ("tyj/public-sports-venues", "public-sports-venues", "sports-venues"),  # a type error
    ("lhsr/urban-parks", "urban-parks", "parks"),  # an extra cell
    ("jtw/shanghai-bus-routes", "shanghai-bus-routes", "bus-routes"),  # time fields
]


@pytest.mark.parametrize(("sample", "dataset", "resource"), SAMPLES, ids=[s[2] for s in SAMPLES])
def test_parquet_equals_what_frictionless_reads_from_the_original(settings, packages, sample, dataset, resource):
    copy_sample(sample, packages)
    harvest(settings, packages)
    version, fmt = current_version(settings, dataset, resource)
    assert version.parquet_path and version.parquet_error is None
    assert version.parquet_path.endswith(".parquet")
    got = parquet_rows(settings, version)
    assert len(got) == version.row_count
    assert got == reference_rows(settings, version, fmt)


def test_types_follow_the_table_schema(settings, packages):
    copy_sample("mzj/elderly-care-institutions", packages)
    harvest(settings, packages)
    version, _ = current_version(settings, "elderly-care-institutions", "elderly-care")
    schema = pq.read_schema(LocalFileStore(settings.files_dir).path(version.parquet_path))
    assert schema.field("beds").type == pa.int64()
    assert schema.field("monthly_fee_min").type == pa.float64()
    assert schema.field("medical_integration").type == pa.bool_()  # trueValues 是 / falseValues 否
    assert schema.field("name").type == pa.string()
    assert schema.field(ROW_COLUMN).type == pa.int64()
    rows = parquet_rows(settings, version)
    assert {r["medical_integration"] for r in rows} == {True, False}
    assert any("区" in r["district"] for r in rows)  # GB18030 decoded


def test_full_width_digits_are_numbers(settings, packages):
    copy_sample("tjj/main-economic-indicators-monthly", packages)
    harvest(settings, packages)
    version, _ = current_version(settings, "main-economic-indicators-monthly", "indicators")
    by_row = {r[ROW_COLUMN]: r for r in parquet_rows(settings, version)}
    assert by_row[9]["value"] == pytest.approx(100.9)
    assert by_row[242]["yoy_growth"] == pytest.approx(-3.5)
    assert by_row[352]["cumulative_value"] == pytest.approx(41567.59)


def test_a_value_that_fails_its_type_is_null(settings, packages):
    copy_sample("tyj/public-sports-venues", packages)
    harvest(settings, packages)
    version, _ = current_version(settings, "public-sports-venues", "sports-venues")
    assert version.validation_status == "invalid"
    by_row = {r[ROW_COLUMN]: r for r in parquet_rows(settings, version)}
    assert by_row[243]["area_sqm"] is None  # '约5000' in an integer column
    assert by_row[244]["area_sqm"] is not None


def test_every_type_and_failures_become_null(settings, packages):
    write_package(packages, "all-types", csv=ALL_TYPES_CSV, resource={"schema": ALL_TYPES})
    harvest(settings, packages)
    version, fmt = current_version(settings, "all-types", "table")
    got = parquet_rows(settings, version)
    assert got == reference_rows(settings, version, fmt)
    first, second, third, fourth = got
    assert first["id"] == 1 and first["amount"] == 12.5 and first["year"] == 2024  # NFKC
    assert str(first["day"]) == "2024-05-01" and first["moment"] == datetime(2024, 5, 1, 8, 30)
    assert second["moment"] == datetime(2024, 5, 1, 8, 30)  # 00:30Z is 08:30 in Beijing
    assert second["day"] is None and second["clock"] is None and second["month"] is None  # type errors
    assert second["note"] is None  # '-' is a missing value here
    assert third["amount"] is None  # NaN is no number JSON can carry
    assert third["note"] == " 空格 "  # strings are kept as published
    assert fourth["id"] is None  # beyond int64
    assert fourth["note"] == '逗号,引号"'
    schema = pq.read_schema(LocalFileStore(settings.files_dir).path(version.parquet_path))
    assert [str(schema.field(n).type) for n in ("day", "moment", "clock", "month")] == [
        "date32[day]", "timestamp[us]", "time64[us]", "string"]


def test_streaming_in_small_batches_gives_the_same_table(settings, packages):
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    version, fmt = current_version(settings, "shanghai-public-parking-lots", "parking-lots")
    path = LocalFileStore(settings.files_dir).path(version.stored_path)
    batches = list(iter_batches(path, fmt=fmt, encoding=version.encoding, schema=version.table_schema,
                                batch_rows=37))
    assert len(batches) == math.ceil(version.row_count / 37)
    assert max(b.num_rows for b in batches) == 37
    assert pa.Table.from_batches(batches).to_pylist() == parquet_rows(settings, version)


# --- Lifecycle -------------------------------------------------------------------------------------------


def test_unchanged_reharvest_builds_nothing(settings, packages, monkeypatch):
    write_package(packages, "parking")
    harvest(settings, packages)
    before, _ = current_version(settings, "parking", "table")

    def must_not_run(*args, **kwargs):
        raise AssertionError("an unchanged resource was converted again")

    monkeypatch.setattr(publishing, "build_parquet", must_not_run)
    assert harvest(settings, packages).tally.unchanged == 1
    after, _ = current_version(settings, "parking", "table")
    assert (after.id, after.parquet_path) == (before.id, before.parquet_path)


def test_a_conversion_failure_never_fails_the_harvest(settings, packages, monkeypatch):
    def broken(*args, **kwargs):
        raise pa.ArrowInvalid("simulated conversion failure")

    monkeypatch.setattr(parquet_module, "write_parquet", broken)
    # The conversion runs in a worker process, which does not see the patch: run it here instead.
    monkeypatch.setattr(publishing, "run_with_budget", lambda task, budget, *args: task(*args))
    monkeypatch.setattr(settings, "validator", Validator.frictionless)  # the path that calls write_parquet
    write_package(packages, "parking")
    result = harvest(settings, packages)
    assert result.tally.added == 1
    version, _ = current_version(settings, "parking", "table")
    assert version.parquet_path is None
    assert "simulated conversion failure" in version.parquet_error
    assert version.validation_status == "valid"  # the original is still catalogued and valid
    leftovers = [p for p in settings.files_dir.rglob("*") if p.name.startswith(".incoming-")]
    assert leftovers == []


def test_rebuild_makes_missing_files_again(settings, packages):
    write_package(packages, "parking")
    write_package(packages, "other")
    harvest(settings, packages)
    version, _ = current_version(settings, "parking", "table")
    expected = parquet_rows(settings, version)
    stored = LocalFileStore(settings.files_dir).path(version.parquet_path)
    stored.chmod(0o644)
    stored.unlink()
    with session_scope(settings) as session:
        assert rebuild_parquet(session, settings=settings) == {"built": 1, "failed": 0, "skipped": 1,
                                                                "unreadable": 0}
        assert rebuild_parquet(session, dataset="other", force=True, settings=settings)["built"] == 1
    version, _ = current_version(settings, "parking", "table")
    assert parquet_rows(settings, version) == expected


def test_odp_parquet_command(settings, packages):
    write_package(packages, "parking")
    harvest(settings, packages)
    result = CliRunner().invoke(app, ["parquet", "--force"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "built 1" in result.output


def test_numbers_read_like_frictionless_decimals(settings, packages):
    csv = "id,name,district,total_spaces\n1,甲,黄浦区,+7\n2,乙,黄浦区, 8 \n3,丙,黄浦区,9.0\n"
    write_package(packages, "odd-numbers", csv=csv)
    harvest(settings, packages)
    version, fmt = current_version(settings, "odd-numbers", "table")
    got = [r["total_spaces"] for r in parquet_rows(settings, version)]
    assert got == [r["total_spaces"] for r in reference_rows(settings, version, fmt)]
    assert got == [7, 8, None]  # int() takes '+7' and ' 8 ' but not '9.0'
