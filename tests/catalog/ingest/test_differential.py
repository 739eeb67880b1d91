"""The fast path against frictionless, the reference: over a generated corpus of clean and broken CSVs (and the
sample tables), whenever the fast path answers, its stored report, schema and Parquet equal what frictionless
validation and today's Parquet conversion give on the same file; whenever frictionless finds anything wrong,
the fast path falls back."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from catalog.encoding import detect_encoding
from catalog.ingest.fastpath import Fallback, ingest_csv
from catalog.storage import FileStore
from catalog.tables.parquet import write_parquet
from catalog.validation import validate_table
from catalog.vocabulary import ValidationStatus
from tests.catalog.ingest.corpus import DEFECTS, generate

CASES = 260
SAMPLES = sorted((Path(__file__).resolve().parents[3] / "sample_data").rglob("*.csv"))


def _both(path: Path, schema, settings, tmp_path: Path):
    """frictionless's outcome and the fast path's result (or the Fallback) for one file."""
    encoding = detect_encoding(path, None)
    reference = validate_table(path, fmt="csv", encoding=encoding, schema=schema, settings=settings)
    store = FileStore(tmp_path / "store")
    try:
        fast = ingest_csv(path, encoding=encoding, schema=schema, dialect=None, store=store)
    except Fallback as exc:
        return reference, exc, store, encoding
    return reference, fast, store, encoding


def _assert_equal(reference, fast, store, path, encoding, tmp_path, label):
    assert reference.status == ValidationStatus.valid, f"{label}: fast path said valid, frictionless {reference.report}"
    ours = {k: v for k, v in fast.outcome.report.items() if k != "validator"}
    theirs = {k: v for k, v in reference.report.items() if k != "validator"}
    assert ours == theirs, label
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
        _assert_equal(reference, fast, store, path, encoding, tmp_path, label)
    assert defects_seen == set(DEFECTS)
    # The comparison means something only if the fast path answers often, in every encoding.
    assert taken["fast"] >= CASES // 5, taken
    assert all(taken[f"fast-{e}"] > 0 for e in ("utf-8", "utf-8-sig", "gb18030")), taken
    assert taken["fallback"] >= CASES // 3, taken


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_fast_path_equals_frictionless_on_the_sample_tables(settings, tmp_path, path):
    schema_file = None  # the sample packages' schemas are applied by the harvest tests; here: inferred
    reference, fast, store, encoding = _both(path, schema_file, settings, tmp_path)
    if isinstance(fast, Fallback):
        assert reference.status != ValidationStatus.valid or str(fast), path
        return
    _assert_equal(reference, fast, store, path, encoding, tmp_path, path.name)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("id,n\n1,a\n1,b\n", "unique"),
        ("id,n\n1,a\n\n2,b\n", "empty line"),
        ("id,n\n1,a\n2\n", "another width"),
        ("id,n\n1,a\n,b\n", "required"),
        ("id,name\n1,a\n", "label errors"),
        ("id,n\n1,a\nx,b\n", "plain integer"),
    ],
)
def test_fast_path_falls_back_and_says_why(tmp_path, text, reason):
    schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
                         {"name": "n", "type": "string"}]}
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Fallback, match=reason):
        ingest_csv(path, encoding="utf-8", schema=schema, dialect=None, store=FileStore(tmp_path / "store"))
