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
    DigestLog,
    _text_digests,
    canonical,
    canonical_number,
    digests,
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


@pytest.mark.parametrize("keys", [["x", "y", "x", None, "x", "z", "y"], [10, 11, 10, None, 10, 12, 11]])
def test_repeats_point_at_the_most_recent_earlier_row_and_keep_16_bytes_a_row(keys):
    log = DigestLog()
    log.add(pa.array(keys[:4]), np.array([2, 3, 4, 5]))
    log.add(pa.array(keys[4:]), np.array([6, 7, 8]))
    kept = sum(a.nbytes for a in log._digests) + sum(a.nbytes for a in log._rows)
    assert kept == BYTES_PER_ROW * 6  # the null is not a value: not kept
    assert log.repeats() == {4: 2, 6: 4, 8: 3}


def test_rows_logged_out_of_order_still_match_the_most_recent_earlier_row():
    log = DigestLog()
    log.add(pa.array(["a", "b"]), np.array([9, 10]))
    log.add(pa.array(["a", "a"]), np.array([4, 12]))  # a row of another width, logged after its batch
    assert log.repeats() == {9: 4, 12: 9}


def test_a_spilled_log_finds_the_same_repeats(tmp_path):
    r = random.Random(5)
    batches = [[r.choice(["a", "b", "黄", "", "ab"]) + str(r.randint(0, 300)) if r.random() < 0.95 else None
                for _ in range(500)] for _ in range(6)]
    kept, spilled = DigestLog(), DigestLog(spill_dir=tmp_path, spill_pairs=700)
    for i, batch in enumerate(batches):
        for log in (kept, spilled):
            log.add(pa.array(batch, pa.string()), np.arange(2 + i * 500, 2 + (i + 1) * 500))
    assert spilled._files is not None
    assert spilled.repeats() == kept.repeats() and kept.repeats()
    spilled.close()


def test_text_digests_are_equal_exactly_for_equal_texts_here():
    r = random.Random(3)
    texts = ["".join(r.choice("ab\x00黄") for _ in range(r.randint(0, 5))) for _ in range(5000)]
    found = _text_digests(pa.array(["offset", *texts]).slice(1)).tolist()
    assert found == _text_digests(pa.array(texts, pa.large_string())).tolist()
    assert len(set(found)) == len(set(texts))  # no collision among these (collisions are caught anyway)


def test_a_digest_collision_falls_back_instead_of_reporting_a_repeat(tmp_path, settings, monkeypatch):
    def colliding(keys, rows):  # every value gets the same digest
        present = np.asarray(pc.is_valid(keys).to_numpy(zero_copy_only=False), dtype=bool)
        return np.zeros(int(present.sum()), dtype=np.uint64), rows[present]

    monkeypatch.setattr(fastpath, "digests", colliding)
    path = tmp_path / "t.csv"
    path.write_text("id,n\n1,a\n2,b\n", encoding="utf-8")
    schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"unique": True}}, {"name": "n"}]}
    with pytest.raises(fastpath.Fallback, match="collision"):
        fastpath.ingest_csv(path, encoding="utf-8", schema=schema, dialect=None, store=LocalFileStore(tmp_path / "s"),
                            settings=settings)
    # with a real digest the same table is valid
    monkeypatch.setattr(fastpath, "digests", digests)
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
    assert path.stat().st_size > 4 << 20  # several batches
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
