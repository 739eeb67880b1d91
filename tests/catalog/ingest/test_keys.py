"""Unique and primary-key checks in bounded memory (catalog/ingest/keys.py): canonical keys equal exactly when
frictionless's typed values are equal, repeats point at the most recent earlier row, 16 bytes kept per row, and a
2,000,000-row table gets its planted repeats reported at the right rows."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from catalog.ingest import fastpath
from catalog.ingest.fastpath import ingest_csv
from catalog.ingest.keys import (
    BYTES_PER_ROW,
    SMALL_TABLE_BYTES,
    DigestLog,
    canonical,
    canonical_number,
    duckdb_hasher,
    python_hasher,
    tuple_key,
)
from catalog.storage import LocalFileStore


def test_canonical_number_text_equals_the_decimal_it_reads_as():
    r = random.Random(7)
    texts = ["0", "-0", "-0.0", "007", "0.50", "10", "100.000", "-12.340", "5000", "0.000001"]
    for _ in range(2000):
        whole = "".join(r.choice("0123456789") for _ in range(r.randint(1, 6)))
        frac = "".join(r.choice("0012345") for _ in range(r.randint(0, 5)))
        texts.append(r.choice(["", "-"]) + whole + (f".{frac}" if frac else ""))
    vectorized = canonical_number(pa.array(texts)).to_pylist()
    assert vectorized == [canonical(Decimal(t), "") for t in texts]
    # one text per Decimal value: equal texts exactly when the Decimals are equal ("0.50" and "0.5", "-0" and "0")
    by_value: dict[Decimal, set[str]] = {}
    for text, key in zip(texts, vectorized, strict=True):
        by_value.setdefault(Decimal(text), set()).add(key)
    assert all(len(keys) == 1 for keys in by_value.values())
    assert len({next(iter(k)) for k in by_value.values()}) == len(by_value)


def test_a_nan_never_repeats_and_tuples_keep_their_nulls():
    assert canonical(Decimal("NaN"), "3") != canonical(Decimal("NaN"), "4")
    keys = tuple_key([pa.array(["a", None, None, "a"]), pa.array([None, "a", None, None])]).to_pylist()
    assert keys[0] == keys[3] and keys[0] != keys[1] and keys[2] is None


@pytest.mark.parametrize("hasher", [python_hasher, duckdb_hasher])
def test_repeats_point_at_the_most_recent_earlier_row_and_keep_16_bytes_a_row(hasher):
    log = DigestLog(hasher)
    log.add(pa.array(["x", "y", "x", None]), np.array([2, 3, 4, 5]))
    log.add(pa.array(["x", "z", "y"]), np.array([6, 7, 8]))
    assert log.repeats() == {4: 2, 6: 4, 8: 3}
    kept = sum(a.nbytes for a in log._digests) + sum(a.nbytes for a in log._rows)
    assert kept == BYTES_PER_ROW * 6  # the null is not a value: not kept


def test_a_digest_collision_falls_back_instead_of_reporting_a_repeat(tmp_path, settings, monkeypatch):
    def colliding(keys, rows):  # every value gets the same digest
        present = np.asarray(pc.is_valid(keys).to_numpy(zero_copy_only=False), dtype=bool)
        return np.zeros(int(present.sum()), dtype=np.uint64), rows[present]

    monkeypatch.setattr(fastpath, "hasher_for", lambda size: colliding)
    path = tmp_path / "t.csv"
    path.write_text("id,n\n1,a\n2,b\n", encoding="utf-8")
    schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"unique": True}}, {"name": "n"}]}
    with pytest.raises(fastpath.Fallback, match="collision"):
        fastpath.ingest_csv(path, encoding="utf-8", schema=schema, dialect=None, store=LocalFileStore(tmp_path / "s"),
                            settings=settings)
    # with a real digest the same table is valid
    monkeypatch.setattr(fastpath, "hasher_for", lambda size: python_hasher)
    fast = fastpath.ingest_csv(path, encoding="utf-8", schema=schema, dialect=None,
                               store=LocalFileStore(tmp_path / "s"), settings=settings)
    assert fast.outcome.report["valid"]


def test_two_million_rows_with_planted_repeats(tmp_path, settings):
    rows = 2_000_000
    ids = np.arange(1, rows + 1)
    codes = np.char.add("C", ids.astype(str))
    planted = {1_500_000: 17, 1_999_999: 1_234_567}  # row index → the index whose values it repeats
    for at, source in planted.items():
        ids[at], codes[at] = ids[source], codes[source]
    path = tmp_path / "big.csv"
    table = pa.table({"id": pa.array(ids), "code": pa.array(codes.tolist())})
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))
    assert path.stat().st_size > SMALL_TABLE_BYTES  # DuckDB's digests (the small tables of the corpus: Python's)
    schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"unique": True}},
                         {"name": "code", "type": "string"}],
              "primaryKey": ["code"]}
    fast = ingest_csv(path, encoding="utf-8", schema=schema, dialect=None, store=LocalFileStore(tmp_path / "store"),
                      settings=settings)
    report = fast.outcome.report
    assert report["row_count"] == rows
    assert report["errors_by_type"] == {"unique-error": 2, "primary-key": 2}
    # row numbers: the header is row 1, so the row at index i is row i + 2
    found = [(e["type"], e["row"], e["message"].rsplit(" ", 1)[-1]) for e in report["errors"]]
    expected = []
    for at, source in sorted(planted.items()):
        expected += [("unique-error", at + 2, str(source + 2)), ("primary-key", at + 2, str(source + 2))]
    assert found == expected
