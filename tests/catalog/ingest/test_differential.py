"""The fast path against frictionless, the reference: over a generated corpus of clean and broken CSVs (and the
sample tables), whenever the fast path answers — valid or not — its stored report (valid flag, row count, error
count by type, every kept error with its row, field, cell and message, truncation), schema and Parquet equal what
frictionless validation and the frictionless-based Parquet conversion give on the same file."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from catalog.encoding import detect_encoding
from catalog.ingest.fastpath import Fallback, ingest_csv, ingest_table
from catalog.storage import LocalFileStore
from catalog.tables.parquet import write_parquet
from catalog.validation import validate_table
from catalog.vocabulary import ValidationStatus
from tests.catalog.ingest.corpus import DEFECTS, generate, write_json, write_xlsx

CASES = 260
REPORTED = ("type-error", "constraint-error", "unique-error", "primary-key", "missing-cell", "extra-cell",
            "blank-row", "incorrect-label", "duplicate-label", "blank-label")
ROOT = Path(__file__).resolve().parents[3]
SAMPLES = sorted((ROOT / "sample_data").rglob("*.csv"))


def _both(path: Path, schema, settings, tmp_path: Path):
    """frictionless's outcome and the fast path's result (or the Fallback) for one file."""
    encoding = detect_encoding(path, None)
    reference = validate_table(path, fmt="csv", encoding=encoding, schema=schema, settings=settings)
    store = LocalFileStore(tmp_path / "store")
    try:
        fast = ingest_csv(path, encoding=encoding, schema=schema, dialect=None, store=store, settings=settings)
    except Fallback as exc:
        return reference, exc, store, encoding
    return reference, fast, store, encoding


def _assert_equal(reference, fast, store, path, encoding, tmp_path, label):
    ours = {k: v for k, v in fast.outcome.report.items() if k != "validator"}
    theirs = {k: v for k, v in reference.report.items() if k != "validator"}
    assert ours == theirs, label  # valid flag, row count, error count by type, every kept error, truncated
    assert fast.outcome.status == reference.status, label
    assert fast.outcome.errors_by_type == reference.errors_by_type, label
    assert fast.outcome.row_count == reference.row_count, label
    assert fast.outcome.schema == reference.schema, label
    expected = tmp_path / "reference.parquet"
    write_parquet(path, expected, fmt="csv", encoding=encoding, schema=reference.schema)
    got = pq.read_table(store.path(fast.parquet_path))
    want = pq.read_table(expected)
    assert got.schema == want.schema, label
    assert got.to_pylist() == want.to_pylist(), label


def test_fast_path_equals_frictionless_on_the_generated_corpus(settings, tmp_path):
    taken: Counter[str] = Counter()
    defects_seen: set[str] = set()
    for case in generate(CASES):
        path = tmp_path / f"{case.name}.csv"
        path.write_bytes(case.data())
        label = f"{case.name} {case.defects} {case.encoding}"
        reference, fast, store, encoding = _both(path, case.schema, settings, tmp_path)
        defects_seen.update(case.defects)
        if isinstance(fast, Fallback):
            taken["fallback"] += 1
            continue
        taken["fast"] += 1
        taken[f"fast-{encoding}"] += 1
        taken["fast-valid" if reference.status == ValidationStatus.valid else "fast-invalid"] += 1
        taken.update(f"fast-{t}" for t in reference.errors_by_type)
        _assert_equal(reference, fast, store, path, encoding, tmp_path, label)
    assert defects_seen == set(DEFECTS)
    # The comparison means something only if the fast path answers often — for broken tables too, with every
    # error type it reports — and in every encoding. (It answered for 104 of 260, the valid ones only, before
    # it wrote error reports; the rest fall back for a field type, groupChar or missing/extra labels.)
    assert taken["fast"] >= 220, taken
    assert taken["fast-valid"] >= 100 and taken["fast-invalid"] >= 100, taken
    assert all(taken[f"fast-{e}"] > 0 for e in ("utf-8", "utf-8-sig", "gb18030")), taken
    for kind in REPORTED:
        assert taken[f"fast-{kind}"] > 0, (kind, taken)
    assert taken["fallback"] > 0, taken


def _both_cells(path: Path, fmt: str, schema, dialect, settings, tmp_path: Path):
    encoding = None if fmt == "xlsx" else detect_encoding(path, None)
    reference = validate_table(path, fmt=fmt, encoding=encoding, schema=schema, dialect=dialect, settings=settings)
    store = LocalFileStore(tmp_path / "store")
    try:
        fast = ingest_table(path, fmt=fmt, encoding=encoding, schema=schema, dialect=dialect, store=store,
                            settings=settings)
    except Fallback as exc:
        return reference, exc, store, encoding
    return reference, fast, store, encoding


def _assert_equal_cells(reference, fast, store, path, fmt, encoding, dialect, tmp_path, label):
    ours = {k: v for k, v in fast.outcome.report.items() if k != "validator"}
    theirs = {k: v for k, v in reference.report.items() if k != "validator"}
    assert ours == theirs, label
    assert (fast.outcome.status, fast.outcome.row_count, fast.outcome.schema) == (
        reference.status, reference.row_count, reference.schema), label
    expected = tmp_path / "reference.parquet"
    write_parquet(path, expected, fmt=fmt, encoding=encoding, schema=reference.schema, dialect=dialect)
    got, want = pq.read_table(store.path(fast.parquet_path)), pq.read_table(expected)
    assert got.schema == want.schema, label
    assert got.to_pylist() == want.to_pylist(), label


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_fast_path_equals_frictionless_on_generated_workbooks_and_json(settings, tmp_path, fmt):
    """Half the corpus (every other case) as workbooks — a third with a title and a blank row above the header —
    and as JSON documents (arrays of objects, or of arrays), cells typed as such files hold them."""
    r = random.Random(fmt)
    taken: Counter[str] = Counter()
    for case in generate(CASES)[::2]:
        path = tmp_path / f"{case.name}.{fmt}"
        dialect = write_xlsx(case, path, r) if fmt == "xlsx" else write_json(case, path, r)
        label = f"{case.name} {case.defects} {fmt} {dialect}"
        reference, fast, store, encoding = _both_cells(path, fmt, case.schema, dialect, settings, tmp_path)
        if isinstance(fast, Fallback):
            taken["fallback"] += 1
            continue
        taken["fast"] += 1
        taken["fast-valid" if reference.status == ValidationStatus.valid else "fast-invalid"] += 1
        taken["fast-title-row" if dialect else "fast-header-first"] += 1
        taken.update(f"fast-{t}" for t in reference.errors_by_type)
        _assert_equal_cells(reference, fast, store, path, fmt, encoding, dialect, tmp_path, label)
    assert taken["fast"] >= 100 and taken["fast-valid"] >= 40 and taken["fast-invalid"] >= 40, taken
    assert taken["fast-header-first"] > 0 and (fmt == "json" or taken["fast-title-row"] > 0), taken
    for kind in ("type-error", "constraint-error", "unique-error", "primary-key", "blank-row"):
        assert taken[f"fast-{kind}"] > 0, (kind, taken)


def _sample_tables():
    for package in sorted((ROOT / "sample_data").rglob("datapackage.json")):
        for resource in json.loads(package.read_text(encoding="utf-8")).get("resources", []):
            if resource.get("format") in ("xlsx", "json"):
                yield pytest.param(package.parent, resource, id=f"{package.parent.name}/{resource['name']}")


@pytest.mark.parametrize(("folder", "resource"), list(_sample_tables()))
def test_fast_path_equals_frictionless_on_the_sample_workbooks_and_json(settings, tmp_path, folder, resource):
    schema = resource.get("schema")
    if isinstance(schema, str):
        schema = json.loads((ROOT / "schemas" / f"{schema}.json").read_text(encoding="utf-8"))
    path, fmt, dialect = folder / resource["path"], resource["format"], resource.get("dialect")
    reference, fast, store, encoding = _both_cells(path, fmt, schema, dialect, settings, tmp_path)
    assert not isinstance(fast, Fallback), fast
    _assert_equal_cells(reference, fast, store, path, fmt, encoding, dialect, tmp_path, resource["name"])


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_fast_path_equals_frictionless_on_the_sample_tables(settings, tmp_path, path):
    schema_file = None  # the sample packages' schemas are applied by the harvest tests; here: inferred
    reference, fast, store, encoding = _both(path, schema_file, settings, tmp_path)
    if isinstance(fast, Fallback):
        assert reference.status != ValidationStatus.valid or str(fast), path
        return
    _assert_equal(reference, fast, store, path, encoding, tmp_path, path.name)


SCHEMA = {"fields": [{"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
                     {"name": "n", "type": "string"}]}


@pytest.mark.parametrize(
    "text",
    [
        "id,n\n1,a\n1,b\n",  # unique
        "id,n\n1,a\n\n2,b\n",  # an empty line: a blank row
        "id,n\n1,a\n2\n3,c,d\n",  # missing and extra cells
        "id,n\n1,a\n,b\n",  # required
        "id,name\n1,a\n",  # an incorrect label
        "id,n\n1,a\nx,b\n",  # a type error
        "id,n\n1,a\n２,b\n02,c\n x,d\n2,e\n",  # full-width and leading-zero repeats, every error in one row
    ],
)
def test_fast_path_reports_what_frictionless_reports(settings, tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    reference, fast, store, encoding = _both(path, SCHEMA, settings, tmp_path)
    assert not isinstance(fast, Fallback), fast
    assert fast.outcome.report["validator"] == "fast"
    _assert_equal(reference, fast, store, path, encoding, tmp_path, text)


def test_the_error_cap_stops_where_frictionless_stops(settings, tmp_path, monkeypatch):
    # unique repeats (found at the end of the table) interleave with the cell errors of the rows
    monkeypatch.setattr(settings, "validation_error_cap", 7)
    monkeypatch.setattr(settings, "report_error_limit", 5)
    rows = ["id,n", "1,a", "1,b", "x,c", "2,d", "1,e", ",f", "2,g", "3,h", "y,i", "3,j", "4,k"]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    reference, fast, store, encoding = _both(path, SCHEMA, settings, tmp_path)
    assert not isinstance(fast, Fallback), fast
    assert reference.report["truncated"] and reference.report["row_count"] < len(rows) - 1
    _assert_equal(reference, fast, store, path, encoding, tmp_path, "cap")


def test_the_error_cap_counts_the_rows_of_a_workbook_below_its_title(settings, tmp_path, monkeypatch):
    # frictionless reports the data rows read when it stops, not the row number: the header is on row 3 here
    monkeypatch.setattr(settings, "validation_error_cap", 4)
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["标题"], [], ["id", "n"], [1, "a"], [1, "b"], ["x", "c"], [2, "d"], [None, "e"], ["y", "f"], [3, "g"]]:
        sheet.append(row)
    path = tmp_path / "t.xlsx"
    book.save(path)
    dialect = {"headerRows": [3]}
    reference, fast, store, encoding = _both_cells(path, "xlsx", SCHEMA, dialect, settings, tmp_path)
    assert not isinstance(fast, Fallback), fast
    assert reference.report["truncated"] and reference.report["row_count"] == 6  # rows 4-9
    _assert_equal_cells(reference, fast, store, path, "xlsx", encoding, dialect, tmp_path, "cap")


@pytest.mark.parametrize(
    ("text", "schema", "reason"),
    [
        ("id,n,x\n1,a,q\n", SCHEMA, "labels missing or extra"),
        ("id,n\n1,a\n", {"fields": [{"name": "id", "type": "datetime"}, {"name": "n"}]}, "datetime"),
        ("id,n\n1,a\n\n", {**SCHEMA, "missingValues": ["NA"]}, "empty line"),
        ("id,n\n1,a\n", {"fields": [{"name": "id", "type": "number", "groupChar": ","}, {"name": "n"}]},
         "groupChar"),
    ],
)
def test_fast_path_falls_back_and_says_why(tmp_path, text, schema, reason):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Fallback, match=reason):
        ingest_csv(path, encoding="utf-8", schema=schema, dialect=None, store=LocalFileStore(tmp_path / "store"))


@pytest.mark.parametrize(("name", "fmt", "data"), [
    ("features.json", "json", b'{"type": "FeatureCollection", "features": []}'),  # not a table
    ("broken.xlsx", "xlsx", b"not a workbook"),
])
def test_a_file_frictionless_cannot_open_falls_back(tmp_path, name, fmt, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(Fallback, match="frictionless cannot open it"):
        ingest_table(path, fmt=fmt, encoding=None if fmt == "xlsx" else "utf-8", schema=None, dialect=None,
                     store=LocalFileStore(tmp_path / "store"))
