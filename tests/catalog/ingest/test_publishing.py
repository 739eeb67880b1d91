"""Publishing with the fast path: a valid CSV is validated and converted in one read (the report says
``validator: fast``), anything else goes through frictionless as before, ODP_VALIDATOR=frictionless forces
frictionless, and a failure inside the fast path never fails the harvest."""

from __future__ import annotations

import openpyxl
import pyarrow.parquet as pq

from catalog.config import Validator
from catalog.datasets import publishing
from catalog.ingest import fastpath
from catalog.storage import LocalFileStore
from catalog.validation import validate_table
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.packages import ROWS, csv_text, write_package
from tests.support.tables import current_version, harvest


def _rows(settings, version):
    table = pq.read_table(LocalFileStore(settings.files_dir).path(version.parquet_path))
    return table.to_pylist()


def test_a_valid_csv_takes_the_fast_path(settings, packages):
    write_package(packages, "parking")
    harvest(settings, packages)
    version, _ = current_version(settings, "parking", "table")
    assert version.validation_report["validator"] == "fast"
    assert (version.validation_status, version.row_count) == ("valid", 3)
    assert [r["name"] for r in _rows(settings, version)] == [r[1] for r in ROWS]
    assert [r["_row"] for r in _rows(settings, version)] == [2, 3, 4]


def test_an_invalid_csv_is_reported_by_the_fast_path_as_frictionless_would(settings, packages):
    write_package(packages, "parking", csv=csv_text([*ROWS, (4, "虹口足球场停车场", "虹口区", "很多")]))
    harvest(settings, packages)
    version, _ = current_version(settings, "parking", "table")
    report = version.validation_report
    assert report["validator"] == "fast"
    assert version.validation_status == "invalid"
    assert report["errors_by_type"] == {"type-error": 1}
    assert report["errors"][0]["row"] == 5 and report["errors"][0]["cell"] == "很多"
    assert [r["_row"] for r in _rows(settings, version)] == [2, 3, 4, 5]  # converted all the same

    reference = validate_table(LocalFileStore(settings.files_dir).path(version.stored_path), fmt="csv",
                               encoding=version.encoding, schema=version.table_schema, settings=settings)
    assert reference.report["validator"] == "frictionless"
    ours = {k: v for k, v in report.items() if k != "validator"}
    assert ours == {k: v for k, v in reference.report.items() if k != "validator"}


def test_reject_invalid_refuses_a_table_the_fast_path_finds_invalid(settings, packages, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("frictionless was not needed")

    monkeypatch.setattr(settings, "reject_invalid", True)
    monkeypatch.setattr(publishing, "run_with_budget", lambda task, budget, *args: task(*args))
    monkeypatch.setattr(publishing, "validate_table", never)
    write_package(packages, "parking", csv=csv_text([*ROWS, (4, "虹口足球场停车场", "虹口区", "很多")]))
    result = run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    assert result.tally.added == 0 and result.tally.failed == 1
    assert "failed validation (type-error ×1)" in result.tally.errors[0]["message"]


def test_the_setting_forces_frictionless(settings, packages, monkeypatch):
    monkeypatch.setattr(settings, "validator", Validator.frictionless)
    monkeypatch.setattr(publishing, "run_with_budget", lambda task, budget, *args: task(*args))
    write_package(packages, "parking")
    harvest(settings, packages)
    version, _ = current_version(settings, "parking", "table")
    assert version.validation_report["validator"] == "frictionless"
    assert version.validation_status == "valid" and version.parquet_path


def test_a_fast_path_failure_falls_back_and_never_fails_the_harvest(settings, packages, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("simulated disk failure")

    monkeypatch.setattr(fastpath, "store_parquet_file", broken)
    monkeypatch.setattr(publishing, "run_with_budget", lambda task, budget, *args: task(*args))
    write_package(packages, "parking")
    assert harvest(settings, packages).tally.added == 1
    version, _ = current_version(settings, "parking", "table")
    assert version.validation_report["validator"] == "frictionless"
    assert version.validation_status == "valid" and version.parquet_path
    assert [p for p in settings.files_dir.rglob("*") if p.name.startswith(".incoming-")] == []


def test_a_workbook_with_a_title_row_takes_the_fast_path(settings, packages):
    pkg = write_package(packages, "parking", resource={"path": "data/table.xlsx", "format": "xlsx",
                                                       "dialect": {"headerRows": [3]}})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年停车场名录"])
    sheet.append([])
    sheet.append(["id", "name", "district", "total_spaces"])
    for row in [*ROWS, (4, "虹口足球场停车场", "虹口区", "很多")]:
        sheet.append(list(row))
    book.save(pkg / "data" / "table.xlsx")
    harvest(settings, packages)
    version, _ = current_version(settings, "parking", "table")
    report = version.validation_report
    assert report["validator"] == "fast" and version.validation_status == "invalid"
    assert report["errors_by_type"] == {"type-error": 1} and report["errors"][0]["row"] == 7
    assert [r["_row"] for r in _rows(settings, version)] == [4, 5, 6, 7]
    assert [r["total_spaces"] for r in _rows(settings, version)] == [620, 450, 300, None]
