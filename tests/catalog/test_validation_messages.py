"""Validation errors in Chinese (catalog/validation_messages.py): every frictionless error type has a Chinese
name, the errors the validator produces are explained from their schema-made parts, never from the cell, and the
dataset page and ``odp validate`` show them (the English original only to those who may read the data)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import frictionless.errors
import pytest
from fastapi.testclient import TestClient

from catalog.access import public_validation_report
from catalog.validation import validate_table
from catalog.validation_messages import ERROR_TYPES, error_name, explain, explain_report, type_name
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.packages import ROWS, csv_text, write_package

ENGLISH = re.compile(r"\b(?:Row|row|cell|Cell|error|Error|field|position|constraint|type is)\b")
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "title": "编号"},
        {"name": "name", "type": "string", "title": "名称", "constraints": {"required": True}},
        {"name": "spaces", "type": "integer", "title": "泊位数", "constraints": {"minimum": 0, "maximum": 5000}},
        {"name": "code", "type": "string", "constraints": {"pattern": "[A-Z]+", "maxLength": 4}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["路内", "路外"]}},
        {"name": "plate", "type": "string", "constraints": {"unique": True}},
    ],
    "primaryKey": ["id"],
}


def frictionless_types() -> set[str]:
    return {
        cls.type for _, cls in inspect.getmembers(frictionless.errors, inspect.isclass)
        if isinstance(getattr(cls, "type", None), str)
    }


def test_every_frictionless_error_type_has_a_chinese_name():
    missing = frictionless_types() - set(ERROR_TYPES)
    assert not missing
    for error_type in frictionless_types():
        name, meaning = ERROR_TYPES[error_type]
        assert name and meaning and not re.search(r"[A-Za-z]{3,}", name), error_type
    assert type_name("no-such-type") == "其他问题"


def validated(tmp_path: Path, text: str, schema=SCHEMA, encoding: str | None = "utf-8") -> list[dict]:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return validate_table(path, fmt="csv", encoding=encoding, schema=schema).report["errors"]


ROW_ERRORS = (
    "id,name,spaces,code,kind,plate\n"
    "1,甲,10,AB,路内,沪A1\n"
    "1,乙,x-SECRET,AB,路外,沪A2\n"  # repeated key, type error
    "2,,-3,ab,室内,沪A1\n"  # required, minimum, pattern, enum, unique
    "3,丙,9999,ABCDEFG,路内,沪A3\n"  # maximum, maxLength
    ",,,,,\n"  # blank row
    "4,丁,5\n"  # missing cells
    "5,戊,5,AB,路内,沪A5,extra\n"  # extra cell
)


def test_row_errors_are_explained_from_the_schema(tmp_path):
    errors = validated(tmp_path, ROW_ERRORS)
    names = {error_name(e) for e in errors}
    assert {"主键重复", "类型错误", "必填项缺失", "超出取值范围", "格式不符", "不在可选值中", "重复值",
            "长度不符", "空行", "缺少单元格", "列数不符"} <= names
    titles = {"spaces": "泊位数", "name": "名称"}
    by_kind = {error_name(e) + str(e["row"]): explain(e, titles) for e in errors}
    assert by_kind["类型错误3"] == "第 3 行，字段“泊位数”（spaces），类型错误：应为整数。"
    assert by_kind["主键重复3"] == "第 3 行，主键重复：这一行的主键与前面某一行相同（与第 2 行相同）。"
    assert by_kind["必填项缺失4"] == "第 4 行，字段“名称”（name），必填项缺失：该字段为必填项，不能为空。"
    assert by_kind["超出取值范围4"].endswith("不能小于 0。") and by_kind["超出取值范围5"].endswith("不能大于 5000。")
    assert "必须符合格式 [A-Z]+" in by_kind["格式不符4"] and "长度不能超过 4" in by_kind["长度不符5"]
    assert "只能取" in by_kind["不在可选值中4"] and "路内" in by_kind["不在可选值中4"]
    for error in errors:
        sentence = explain(error, titles)
        assert not ENGLISH.search(sentence), sentence
        assert "SECRET" not in sentence and "室内" not in sentence and "ab," not in sentence  # never the cell


def test_header_and_file_errors_are_explained(tmp_path):
    header = validated(tmp_path, "id,nom,spaces,spaces\n1,甲,1,2\n", schema={"fields": [
        {"name": "id", "type": "integer"}, {"name": "name", "type": "string"}, {"name": "spaces", "type": "integer"}]})
    assert {error_name(e) for e in header} == {"表头错误"}
    assert all("表头" in explain(e) for e in header)
    unreadable = validated(tmp_path, b"id,name\n1,\xff\xfe\xfa\n", schema=None)
    assert unreadable and all(not ENGLISH.search(explain(e)) for e in unreadable)
    assert {error_name(e) for e in unreadable} <= {"编码错误", "无法读取", "格式不符"}


def test_a_withheld_report_is_explained_without_its_cells(tmp_path):
    (tmp_path / "t.csv").write_text(ROW_ERRORS, encoding="utf-8")
    report = validate_table(tmp_path / "t.csv", fmt="csv", encoding="utf-8", schema=SCHEMA).report
    withheld = explain_report(public_validation_report(report, data_readable=False), {"spaces": "泊位数"})
    assert "SECRET" not in str(withheld)
    typed = next(e for e in withheld["errors"] if e["type"] == "type-error")
    assert typed["explanation"] == "第 3 行，字段“泊位数”（spaces），类型错误：单元格的值不是该字段要求的数据类型。"
    readable = explain_report(public_validation_report(report, data_readable=True))
    assert "SECRET" in next(e for e in readable["errors"] if e["type"] == "type-error")["message"]  # kept for readers
    assert readable["errors_by_type_zh"]["主键重复"] == report["errors_by_type"]["primary-key"]


def test_a_cell_that_imitates_a_note_is_not_taken_for_it():
    error = {"type": "constraint-error", "row": 2, "field": "n",
             "message": 'The cell ": constraint "minimum" is "LEAK" in row" in row at position "2" and field "n" '
                        'at position "1" does not conform to a constraint: constraint "maximum" is "10"'}
    assert explain(error) == "第 2 行，字段“n”，超出取值范围：不能大于 10。"


@pytest.fixture
def harvested(settings, packages):
    bad = csv_text(ROWS + [(9, "某停车场", "黄浦区", "SECRETCELL")])
    write_package(packages, "open-bad", csv=bad)
    write_package(packages, "cond-bad", csv=bad, open_class="conditional")
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.failed == 0
    return settings


def test_the_dataset_page_explains_errors_in_chinese(harvested):
    from portal.app import create_app

    app = create_app()
    app.state.settings = harvested
    with TestClient(app) as client:
        open_page = client.get("/dataset/open-bad").text
        cond_page = client.get("/dataset/cond-bad").text
    quality = open_page[open_page.index('id="quality"'):open_page.index('id="versions"')]
    assert "第 5 行，字段“泊位数”（total_spaces），类型错误：应为整数。" in quality
    assert "说明（英文）" not in quality and "原文：Type error" in quality  # the original for those who may read
    hidden = cond_page[cond_page.index('id="quality"'):cond_page.index('id="versions"')]
    assert "类型错误" in hidden and "原文" not in hidden and "SECRETCELL" not in hidden


def test_odp_validate_explains_errors_in_chinese(harvested):
    from typer.testing import CliRunner

    from portal.cli import app

    runner = CliRunner()
    shown = runner.invoke(app, ["validate", "open-bad"])
    assert shown.exit_code == 1
    assert "第 5 行，字段“泊位数”（total_spaces），类型错误：应为整数。" in shown.output and "SECRETCELL" in shown.output
    withheld = runner.invoke(app, ["validate", "cond-bad"])
    assert "类型错误" in withheld.output and "SECRETCELL" not in withheld.output
    as_json = runner.invoke(app, ["validate", "cond-bad", "--json"])
    assert '"name_zh": "类型错误"' in as_json.output and "SECRETCELL" not in as_json.output
