"""``?header=title|name`` on table downloads: Chinese field titles as the header row (the default of XLSX, whose
sheet is named after the resource and comes with a 字段说明 sheet), names for the machine formats; cells that
broke their type are marked in the workbook; the cached XLSX and Parquet files are kept per header choice."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from catalog.datasets import stats as download_stats
from catalog.tables.exports import header_labels, sheet_name
from catalog.tables.query import Column
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.packages import PARKING_SCHEMA, ROWS, csv_text, write_package

TITLE = "停车场[2024]: 泊位/汇总*信息?——一个超过三十一个字符的很长很长很长的资源标题"
SCHEMA = {
    **PARKING_SCHEMA,
    "fields": [
        *PARKING_SCHEMA["fields"][:3],
        {"name": "total_spaces", "type": "integer", "title": "泊位数", "description": "对外开放的泊位总数",
         "constraints": {"minimum": 0}},
    ],
}
URL = "/api/v1/datasets/parking/resources/table/download"


@pytest.fixture
def client(settings, packages):
    write_package(packages, "parking", csv=csv_text(ROWS + [(9, "某停车场", "黄浦区", "很多")]),
                  resource={"schema": SCHEMA, "title": TITLE})
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.failed == 0
    with TestClient(create_app()) as test_client:
        yield test_client
    download_stats.discard_pending()


def get(client: TestClient, **params: str):
    response = client.get(URL, params=params)
    assert response.status_code == 200, response.text
    return response


def test_xlsx_has_titles_a_titled_sheet_and_the_fields_sheet(client):
    workbook = pd.read_excel(io.BytesIO(get(client, format="xlsx").content), sheet_name=None)
    data_sheet, fields_sheet = list(workbook)
    assert data_sheet == sheet_name(TITLE) and len(data_sheet) <= 31
    assert not set("[]:*?/\\") & set(data_sheet) and data_sheet.startswith("停车场_2024__ 泊位_汇总_信息_")
    rows = workbook[data_sheet]
    assert list(rows.columns) == ["编号", "名称", "所属区", "泊位数"]
    assert rows["名称"].tolist() == ["陆家嘴中心停车场", "人民广场地下停车库", "徐家汇公共停车场", "某停车场"]
    assert fields_sheet == "字段说明"
    fields = workbook["字段说明"].fillna("")
    assert list(fields.columns) == ["字段名 name", "标题 title", "类型 type", "说明 description", "约束 constraints"]
    spaces = fields[fields["字段名 name"] == "total_spaces"].iloc[0].tolist()
    assert spaces == ["total_spaces", "泊位数", "integer", "对外开放的泊位总数", '{"minimum": 0}']
    assert fields["字段名 name"].tolist() == ["id", "name", "district", "total_spaces"]


def test_a_cell_that_broke_its_type_is_marked_not_blank(client):
    sheet = openpyxl.load_workbook(io.BytesIO(get(client, format="xlsx").content)).worksheets[0]
    bad = sheet.cell(row=5, column=4)  # the 4th data row, 泊位数
    assert bad.value == "很多"
    assert bad.fill.fgColor.rgb.endswith("FFC7CE")
    assert bad.comment is not None and "类型错误：应为整数" in bad.comment.text
    good = sheet.cell(row=2, column=4)
    assert good.value == 620 and good.comment is None and not good.fill.fgColor.rgb.endswith("FFC7CE")


def test_header_name_and_title_for_every_format_each_cached_apart(client):
    by_name = pd.read_excel(io.BytesIO(get(client, format="xlsx", header="name").content), sheet_name=0)
    assert list(by_name.columns) == ["id", "name", "district", "total_spaces"]
    by_title = pd.read_excel(io.BytesIO(get(client, format="xlsx").content), sheet_name=0)
    assert list(by_title.columns) == ["编号", "名称", "所属区", "泊位数"]  # not the cached header=name file
    assert get(client, format="xlsx").headers["etag"] != get(client, format="xlsx", header="name").headers["etag"]

    assert next(csv.reader(io.StringIO(get(client, format="csv").text))) == ["id", "name", "district",
                                                                                   "total_spaces"]
    titled = list(csv.DictReader(io.StringIO(get(client, format="csv", header="title").text)))
    assert titled[0] == {"编号": "1", "名称": "陆家嘴中心停车场", "所属区": "浦东新区", "泊位数": "620"}
    assert json.loads(get(client, format="json").text.splitlines()[0])["total_spaces"] == 620
    assert json.loads(get(client, format="json", header="title").text.splitlines()[0])["泊位数"] == 620
    assert pq.read_table(io.BytesIO(get(client, format="parquet").content)).column_names == [
        "id", "name", "district", "total_spaces"]
    titled_parquet = pq.read_table(io.BytesIO(get(client, format="parquet", header="title").content))
    assert titled_parquet.column_names == ["编号", "名称", "所属区", "泊位数"]
    assert titled_parquet.column("泊位数").to_pylist() == [620, 450, 300, None]
    assert pq.read_table(io.BytesIO(get(client, format="parquet").content)).column_names[0] == "id"  # still


def test_an_unknown_header_choice_is_422(client):
    response = client.get(URL, params={"format": "csv", "header": "chinese"})
    assert response.status_code == 422


def test_labels_stay_unique_and_sheet_names_legal():
    columns = [Column("a", "string", "名称"), Column("b", "string", "名称"), Column("c", "string", None)]
    assert header_labels(columns, "title") == ["名称（a）", "名称（b）", "c"]
    assert header_labels(columns, "name") == ["a", "b", "c"]
    assert sheet_name("'引号'") == "引号" and sheet_name("字段说明") == "data" and sheet_name("[]") == "__"
    assert len(sheet_name("长" * 40)) == 31
