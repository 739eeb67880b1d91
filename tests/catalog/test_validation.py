"""Validation with frictionless: encodings (UTF-8 first, then GB18030), XLSX title rows, reports."""

from __future__ import annotations

import codecs

import openpyxl
import pytest

from catalog.datasets.queries import get_dataset
from catalog.db import session_scope
from catalog.encoding import detect_encoding, normalize_encoding
from catalog.validation import validate_table
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.packages import PARKING_SCHEMA, ROWS, csv_text, write_package

GBK_ROWS = ROWS + [(4, "虹口足球场停车场", "虹口区", "很多")]  # one deliberate type error, in Chinese


def harvest_one(settings, packages, name):
    result = run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    assert result.tally.failed == 0, result.tally.errors
    with session_scope(settings) as session:
        return get_dataset(session, name).resources[0].current


@pytest.mark.parametrize("declared", ["gbk", "GB2312", None])
def test_gbk_csv_is_read_as_gb18030_whether_declared_or_not(settings, packages, declared):
    resource = {"encoding": declared} if declared else {}
    write_package(packages, "gbk-parking", csv=csv_text(GBK_ROWS).encode("gbk"), resource=resource)
    version = harvest_one(settings, packages, "gbk-parking")
    assert version.encoding == "gb18030"
    assert version.row_count == 4
    report = version.validation_report
    assert report["errors_by_type"] == {"type-error": 1}
    error = report["errors"][0]
    # The Chinese cell came through intact: the file was decoded, not mangled.
    assert (error["row"], error["field"], error["cell"]) == (5, "total_spaces", "很多")


def test_utf8_with_bom_has_a_clean_first_header(settings, packages):
    write_package(packages, "bom-parking", csv=codecs.BOM_UTF8 + csv_text().encode("utf-8"))
    version = harvest_one(settings, packages, "bom-parking")
    assert version.encoding == "utf-8-sig"
    assert version.validation_status == "valid" and version.row_count == 3


def test_xlsx_with_a_title_row_uses_the_package_dialect(settings, packages):
    pkg = write_package(
        packages,
        "scenic-spots",
        resource={
            "path": "data/spots.xlsx",
            "format": "xlsx",
            "dialect": {"headerRows": [3]},
            "schema": {
                "fields": [
                    {"name": "id", "type": "integer"},
                    {"name": "name", "type": "string"},
                    {
                        "name": "level",
                        "type": "string",
                        "constraints": {"enum": ["5A", "4A", "3A", "2A", "1A"]},
                    },
                ]
            },
        },
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年上海市A级旅游景区名录"])
    ws.append([])
    ws.append(["id", "name", "level"])
    for row in (
        [1, "东方明珠广播电视塔", "5A"],
        [2, "豫园", "4A"],
        [3, "上海野生动物园", "5A"],
        [4, "某景区", "6A"],
    ):
        ws.append(row)
    wb.save(pkg / "data" / "spots.xlsx")
    version = harvest_one(settings, packages, "scenic-spots")
    assert version.encoding is None
    assert version.row_count == 4
    assert version.validation_report["errors_by_type"] == {"constraint-error": 1}
    assert version.validation_report["errors"][0]["cell"] == "6A"


def test_xlsx_title_row_without_dialect_is_reported_not_crashed(settings, packages):
    pkg = write_package(
        packages,
        "scenic-raw",
        resource={
            "path": "data/spots.xlsx",
            "format": "xlsx",
            "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]},
        },
    )
    wb = openpyxl.Workbook()
    wb.active.append(["2024年上海市A级旅游景区名录"])
    wb.active.append(["id", "name"])
    wb.active.append([1, "豫园"])
    wb.save(pkg / "data" / "spots.xlsx")
    version = harvest_one(settings, packages, "scenic-raw")
    assert version.validation_status in ("invalid", "error")
    assert version.validation_report["error_count"] >= 1


def test_full_width_digits_in_numeric_fields_are_accepted(settings, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("id,name,district,total_spaces\n１,甲,黄浦区,４５０\n", encoding="utf-8")
    outcome = validate_table(table, fmt="csv", encoding="utf-8", schema=PARKING_SCHEMA, settings=settings)
    assert outcome.status == "valid", outcome.report


def test_unreadable_table_is_status_error(settings, tmp_path):
    table = tmp_path / "t.xlsx"
    table.write_bytes(b"this is not a spreadsheet")
    outcome = validate_table(table, fmt="xlsx", encoding=None, schema=PARKING_SCHEMA, settings=settings)
    assert outcome.status == "error"
    assert outcome.report["errors"][0]["message"]


def test_report_keeps_the_first_errors_and_counts_all(settings, tmp_path):
    table = tmp_path / "t.csv"
    rows = [(i, "停车场", "黄浦区", "未知") for i in range(1, 251)]
    table.write_text(csv_text(rows), encoding="utf-8")
    outcome = validate_table(table, fmt="csv", encoding="utf-8", schema=PARKING_SCHEMA, settings=settings)
    assert outcome.report["error_count"] == 250
    assert outcome.report["errors_by_type"] == {"type-error": 250}
    assert len(outcome.report["errors"]) == settings.report_error_limit == 100
    assert outcome.row_count == 250


def test_encoding_detection_prefers_utf8_and_maps_gbk_to_gb18030(tmp_path):
    utf8 = tmp_path / "u.csv"
    utf8.write_text("名称\n浦东\n", encoding="utf-8")
    gbk = tmp_path / "g.csv"
    gbk.write_bytes("名称\n浦东新区停车场\n".encode("gbk"))
    bom = tmp_path / "b.csv"
    bom.write_bytes(codecs.BOM_UTF8 + "名称\n".encode())
    assert detect_encoding(utf8) == "utf-8"
    assert detect_encoding(gbk) == "gb18030"
    assert detect_encoding(bom) == "utf-8-sig"
    assert detect_encoding(bom, declared="utf-8") == "utf-8-sig"
    assert detect_encoding(gbk, declared="GBK") == "gb18030"
    assert [normalize_encoding(n) for n in ("gb2312", "GBK", "cp936", "UTF8")] == ["gb18030"] * 3 + ["utf-8"]
