import datetime as dt
import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pytest

from catalog.privacy import ids
from catalog.privacy.arrays import MAX_SAMPLED_VALUES
from catalog.privacy.columns import (
    HINTED_MATCH_SHARE,
    MIN_VALUES_WITHOUT_HINT,
    UNHINTED_MATCH_SHARE,
    ColumnMeta,
    flagged,
    scan_column,
    scan_table,
)
from catalog.privacy.findings import PiiKind
from catalog.privacy.hints import hinted_kinds
from tests.catalog.privacy.synthetic import card, resident_id

ROOT = Path(__file__).resolve().parents[3]
PERMITS = ROOT / "sample_data" / "zjw"


def synthetic_ids(count: int) -> list[str]:
    return [
        resident_id("310104", dt.date(1950, 1, 1) + dt.timedelta(days=97 * i % 27_000), i % 1000) for i in range(count)
    ]


def column_with_share(share: float, total: int = 200) -> list[str]:
    valid = math.ceil(share * total)
    return synthetic_ids(valid) + [f"310104********{i:04d}" for i in range(total - valid)]


def test_labelled_column_with_most_values_matching_is_flagged():
    finding = scan_column(pa.array(column_with_share(HINTED_MATCH_SHARE)), "zjhm", "证件号码")
    assert finding.flagged and finding.kind is PiiKind.resident_id and finding.hinted
    assert (finding.examined, finding.matched) == (200, 100)
    assert finding.message() == "PII: 身份证号 in column zjhm (100 rows)"


def test_labelled_column_below_half_is_not_flagged():
    finding = scan_column(pa.array(column_with_share(HINTED_MATCH_SHARE - 0.01)), "id_number")
    assert not finding.flagged and finding.kind is PiiKind.resident_id and finding.matched == 98


def test_unlabelled_column_needs_nearly_all_values():
    assert scan_column(pa.array(column_with_share(UNHINTED_MATCH_SHARE)), "code").flagged
    below = scan_column(pa.array(column_with_share(UNHINTED_MATCH_SHARE - 0.01)), "code")
    assert not below.flagged and below.share >= HINTED_MATCH_SHARE  # most values match, but no label says so


def test_unlabelled_column_needs_enough_values():
    few = pa.array(synthetic_ids(MIN_VALUES_WITHOUT_HINT - 1))
    assert not scan_column(few, "code").flagged
    assert scan_column(few, "身份证号").flagged
    assert scan_column(pa.array(synthetic_ids(MIN_VALUES_WITHOUT_HINT)), "code").flagged


def test_a_hint_supports_only_its_own_kind():
    # Half valid IDs under a phone label: neither the ID threshold without a hint nor the phone rule applies.
    finding = scan_column(pa.array(column_with_share(0.6)), "联系电话")
    assert not finding.flagged and finding.kind is PiiKind.resident_id and not finding.hinted


def test_masked_column_is_not_personal_data():
    masked = [f"3101011990****{i:04d}" for i in range(100)] + [f"138****{i:04d}" for i in range(100)]
    finding = scan_column(pa.array(masked), "身份证号")
    assert not finding.flagged and finding.matched == 0 and finding.kind is None


@pytest.mark.parametrize(
    ("values", "name", "kind"),
    [
        ([f"13{i % 10}0000{i:04d}" for i in range(50)] + ["021-63211234"] * 10, "lxdh", PiiKind.mobile),
        ([card("62", 19)] * 40 + [""] * 50, "银行卡号", PiiKind.bank_card),
        ([f"user{i}@example.cn" for i in range(30)], "邮箱", PiiKind.email),
    ],
)
def test_other_kinds(values, name, kind):
    hinted = scan_column(
        pa.array(values), name, title=None, description="联系电话" if kind is PiiKind.mobile else None
    )
    assert hinted.flagged and hinted.kind is kind
    assert hinted.examined == sum(1 for v in values if v)  # empty cells are not counted


def test_hints_read_names_titles_and_descriptions():
    assert hinted_kinds("mobilePhone") == {PiiKind.mobile}
    assert PiiKind.resident_id in hinted_kinds("ID_CARD")
    assert PiiKind.resident_id in hinted_kinds("col7", None, "申请人的公民身份号码")
    assert PiiKind.mobile not in hinted_kinds("hotel_star")
    assert PiiKind.email not in hinted_kinds("gmail_domain")
    assert (
        hinted_kinds(
            "permit_no", "施工许可证编号", "施工许可证编号，由 6 位区划代码、8 位发证日期和 4 位序号组成。"
        )
        == set()
    )


def _permit_table(year: int, encoding: str) -> pa.Table:
    path = PERMITS / f"construction-permits-{year}" / "data" / f"construction-permits-{year}.csv"
    return pv.read_csv(
        path,
        read_options=pv.ReadOptions(encoding=encoding),
        convert_options=pv.ConvertOptions(column_types={"permit_no": pa.string()}),
    )


def _schema_metas() -> list[ColumnMeta]:
    schema = json.loads((ROOT / "schemas" / "construction-project.json").read_text(encoding="utf-8"))
    return [ColumnMeta(f["name"], f.get("title"), f.get("description")) for f in schema["fields"]]


@pytest.mark.parametrize(("year", "encoding"), [(2024, "utf-8"), (2023, "gbk")])
def test_sample_permit_numbers_are_not_personal_data(year, encoding):
    table = _permit_table(year, encoding)
    permit_numbers = table.column("permit_no")
    chance_ids = pc.sum(ids.match(permit_numbers)).as_py()
    assert chance_ids >= 100  # hundreds pass the ID check by chance: the test is about them
    meta = next(m for m in _schema_metas() if m.name == "permit_no")
    assert meta.title == "施工许可证编号"
    finding = scan_column(permit_numbers, meta.name, meta.title, meta.description)
    assert not finding.flagged
    assert finding.matched == chance_ids and finding.examined == table.num_rows
    assert flagged(scan_table(table, _schema_metas())) == []


def _people_table(with_ids: bool) -> pa.Table:
    surnames = "王李张刘陈杨黄赵"
    people = [f"{surnames[i % 8]}{'小明' if i % 2 else '芳'}" for i in range(40)]
    columns = {
        "姓名": people,
        "district": ["黄浦区", "徐汇区", "杨浦区", "静安区"] * 10,
        "project_name": ["黄浦江滨江绿地改造工程"] * 40,
    }
    if with_ids:
        columns["id_number"] = synthetic_ids(40)
    return pa.table(columns)


def test_names_next_to_ids_are_personal_data():
    findings = {f.column: f for f in scan_table(_people_table(with_ids=True))}
    assert findings["id_number"].flagged
    assert findings["姓名"].flagged and findings["姓名"].kind is PiiKind.person_name
    assert findings["姓名"].matched == 40 and "id_number" in findings["姓名"].reason
    assert all(example.endswith("*") for example in findings["姓名"].examples)
    # 黄浦区 starts with a surname, but neither has a name label; a project name is no person.
    assert not findings["district"].flagged and not findings["project_name"].flagged


def test_names_alone_are_not_flagged():
    assert flagged(scan_table(_people_table(with_ids=False))) == []


def test_sample_is_bounded_and_examples_are_masked():
    numbers = synthetic_ids(MAX_SAMPLED_VALUES + 5_000)
    chunked = pa.chunked_array([numbers[:7_000], numbers[7_000:]])
    finding = scan_column(chunked, "sfzh")
    assert finding.flagged and finding.examined == finding.matched == MAX_SAMPLED_VALUES
    assert finding.examples and all("*" * 11 in example for example in finding.examples)
    assert not set(finding.examples) & set(numbers)
    assert scan_column(chunked, "sfzh", limit=500).examined == 500


def test_empty_and_non_string_columns():
    assert scan_column(pa.array([None, "", "  "]), "手机").examined == 0
    table = pa.table({"count": pa.array([13812345678] * 30, pa.int64()), "手机": ["13812345678"] * 30})
    assert [f.column for f in scan_table(table)] == ["手机"]
