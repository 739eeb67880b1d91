"""Duplicate detection for ``unique`` columns and the primary key in bounded memory.

frictionless keeps every typed value of a unique column (and every primary-key tuple) in a dict until the end of
the table. Here each value is reduced to a canonical text (equal exactly when frictionless's typed values are
equal: ``1.50`` and ``1.5`` are one Decimal) and hashed by DuckDB to an 8-byte digest; the digest and the row
number (8 bytes) are all that is kept: **16 bytes per row per unique column or primary key**, in numpy arrays,
whatever the width of the values (about 40 bytes a row for a moment during the final sort: 160 MB for 10 M
rows with one unique column, where frictionless's dict holds the values themselves). At the end one sort by (digest, row) puts equal values side by side, and each
repeat's match is the row just before it — the most recent earlier row with that value, which is what
frictionless's dict reports ("the same as in the row at position …").

The digest is DuckDB's ``hash`` (vectorized) for large tables; for small ones (below ``SMALL_TABLE_BYTES`` on
disk) Python's own ``hash`` of the text, which costs nothing to start — a DuckDB query costs milliseconds, which
would dominate a harvest of thousands of small tables. One table uses one of the two throughout.

Equal digests are only *candidates*: the caller re-reads those rows and compares frictionless's own typed
values, so a hash collision cannot produce a false error (it would make the table fall back instead).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BYTES_PER_ROW = 16  # uint64 digest + int64 row number, per unique column or primary key
SMALL_TABLE_BYTES = 4 << 20  # below this, Python's hash; above, DuckDB's

Hasher = Callable[[pa.Array, np.ndarray], tuple[np.ndarray, np.ndarray]]
_duckdb: duckdb.DuckDBPyConnection | None = None
_duckdb_lock = threading.Lock()


def python_hasher(keys: pa.Array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(digests, rows) of the non-null keys, by Python's string hash (stable within the process)."""
    present = np.asarray(pc.is_valid(keys).to_numpy(zero_copy_only=False), dtype=bool)
    texts = keys.filter(pa.array(present)).to_pylist()
    digests = np.fromiter((hash(t) for t in texts), dtype=np.int64, count=len(texts)).view(np.uint64)
    return digests, rows[present]


def duckdb_hasher(keys: pa.Array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(digests, rows) of the non-null keys, by DuckDB's vectorized hash (one connection per process)."""
    global _duckdb
    batch_keys = pa.table({"k": keys, "r": pa.array(rows, pa.int64())})  # noqa: F841 - DuckDB scans it by name
    with _duckdb_lock:
        if _duckdb is None:
            _duckdb = duckdb.connect(config={"threads": 1})
        result = _duckdb.sql("SELECT hash(k) AS h, r FROM batch_keys WHERE k IS NOT NULL").to_arrow_table()
    order = np.argsort(result.column("r").to_numpy())  # DuckDB may answer out of order
    return result.column("h").to_numpy()[order], result.column("r").to_numpy()[order]


def hasher_for(size: int) -> Hasher:
    return python_hasher if size < SMALL_TABLE_BYTES else duckdb_hasher


def canonical_number(text: pa.Array) -> pa.Array:
    """Plain decimal texts (NFKC-normalized) → the canonical text of their Decimal value (no leading zeros, no
    trailing fractional zeros, ``-0`` → ``0``): the same as :func:`canonical` of frictionless's Decimal."""
    out = pc.replace_substring_regex(text, r"^(-?)0+([0-9])", r"\1\2")
    out = pc.replace_substring_regex(out, r"(\.[0-9]*?)0+$", r"\1")
    out = pc.replace_substring_regex(out, r"\.$", "")
    return pc.replace_substring_regex(out, r"^-0$", "0")


class Unhashable(Exception):
    """A value frictionless itself could not keep in its dict (a signalling NaN)."""


def canonical(value: Any, token: str) -> str | None:
    """frictionless's typed value → its canonical text; ``token`` makes a NaN unequal to everything (a Decimal
    NaN never equals itself, so frictionless never reports it as a repeat)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        if value.is_snan():
            raise Unhashable("a signalling NaN")
        if value.is_nan():
            return f"\x00nan\x00{token}"
        if value == 0:
            return "0"
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def tuple_key(parts: list[pa.Array]) -> pa.Array:
    """Several canonical columns → one text per row (null where every part is null: not a key). Equal tuples
    give equal texts; unequal ones can only collide into a candidate the caller then rejects."""
    marked = [pc.if_else(pc.is_null(p), pa.scalar("\x00"), pc.binary_join_element_wise("\x01", p, ""))
              for p in parts]
    joined = marked[0] if len(marked) == 1 else pc.binary_join_element_wise(*marked, "\x1f")
    every_null = pc.is_null(parts[0])
    for p in parts[1:]:
        every_null = pc.and_(every_null, pc.is_null(p))
    return pc.if_else(every_null, pa.scalar(None, pa.string()), joined)


class DigestLog:
    """The (digest, row) pairs of one unique column or of the primary key, batch by batch."""

    def __init__(self, hasher: Hasher):
        self._hash = hasher
        self._digests: list[np.ndarray] = []
        self._rows: list[np.ndarray] = []

    def add(self, keys: pa.Array, rows: np.ndarray) -> None:
        digests, kept = self._hash(keys, np.asarray(rows, dtype=np.int64))
        self._digests.append(digests)
        self._rows.append(kept)

    def repeats(self) -> dict[int, int]:
        """Candidate repeats: row → the most recent earlier row with the same digest."""
        if not self._digests:
            return {}
        digests = np.concatenate(self._digests)
        rows = np.concatenate(self._rows)
        self._digests, self._rows = [digests], [rows]
        order = np.argsort(digests, kind="stable")  # rows are increasing already: ties stay in row order
        digests, rows = digests[order], rows[order]
        same = digests[1:] == digests[:-1]
        return dict(zip(rows[1:][same].tolist(), rows[:-1][same].tolist(), strict=True))
