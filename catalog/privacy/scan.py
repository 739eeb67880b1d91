"""The personal-information scan of one table, fed batch by batch: the harvest's fast path hands it the same Arrow
batches it validates and writes to Parquet (no second read of the file); a table that went through frictionless,
and ``odp pii-scan``, feed it the batches of the version's Parquet file.

The one decision a reader would question: the scan looks at a sample, not at every cell. The column decision
(columns.py) is a share of matching cells, and 10,000 cells (arrays.MAX_SAMPLED_VALUES) give that share within
about a point whatever the table's size. A streaming read does not know the table's length in advance, so each
row position gets a fixed pseudo-random hash and a row is kept while its hash is below a threshold that halves
whenever the kept rows pass twice the limit (about half of them go, the rest are still a uniform sample).
A stride (every n-th row) would be simpler but aliases with periodic tables — every fourth row a blank, every
other row a landline — and could miss a column entirely. Per batch this is one hash and one ``take``; the
detectors then run once, on at most 20,000 rows — which is why the scan costs a 1,000,000-row harvest little.
Row counts in the report are exact when every row was examined and estimated from the share otherwise
(``estimated`` says which).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from catalog.privacy.arrays import MAX_SAMPLED_VALUES, StringValues
from catalog.privacy.columns import ColumnMeta, scan_table
from catalog.privacy.findings import ColumnFinding, PiiKind

#: Bumped when the rules change, so a stored report says which rules made it.
RULES_VERSION = 1


def metas_of(table_schema: dict[str, Any] | None) -> list[ColumnMeta]:
    """Column names, titles and descriptions from a Table Schema (the hints of the column decision)."""
    fields = (table_schema or {}).get("fields") or []
    return [ColumnMeta(str(f.get("name", "")), f.get("title"), f.get("description")) for f in fields
            if isinstance(f, dict)]


def _as_text(values: StringValues) -> pa.Array | pa.ChunkedArray | None:
    """Strings as they are; integers as their digits (a mobile typed ``integer`` is still a mobile); other types
    (numbers, dates, booleans) cannot hold the kinds looked for and are skipped."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return values
    if pa.types.is_integer(kind):
        return pc.cast(values, pa.string())
    return None


def row_hashes(first: int, count: int) -> np.ndarray:
    """A fixed pseudo-random 64-bit number per row position (splitmix64's mixer): which rows the sample keeps
    depends on nothing but their positions, so a rescan keeps the same rows."""
    with np.errstate(over="ignore"):
        z = np.arange(first, first + count, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class TableScan:
    """Feed the columns of each batch in the order of ``metas``; :meth:`report` gives the stored result."""

    def __init__(self, metas: Sequence[ColumnMeta], *, limit: int = MAX_SAMPLED_VALUES):
        self.metas = list(metas)
        self.limit = limit
        self.level = 0  # rows are kept when their hash is below 2**64 >> level: all of them at level 0
        self.rows = 0  # rows fed
        self._kept: list[tuple[pa.Table, np.ndarray]] = []  # kept rows, with their hashes
        self._kept_rows = 0

    def _threshold(self) -> np.uint64:
        return np.uint64((1 << 64) - 1 >> self.level)

    def feed(self, columns: Sequence[StringValues]) -> None:
        if not columns:
            return
        length = len(columns[0])
        hashes = row_hashes(self.rows, length)
        self.rows += length
        names, arrays = [], []
        for meta, values in zip(self.metas, columns, strict=False):
            text = _as_text(values)
            if text is not None:
                names.append(meta.name)
                arrays.append(text)
        if not arrays or not length:
            return
        taken = pa.table(arrays, names=names)
        if self.level:
            keep = hashes <= self._threshold()
            taken, hashes = taken.take(pa.array(np.flatnonzero(keep))), hashes[keep]
        self._kept.append((taken, hashes))
        self._kept_rows += taken.num_rows
        while self._kept_rows > 2 * self.limit:
            self._halve()

    def _halve(self) -> None:
        # One more bit of the hash must be zero: about half of the kept rows stay, still a uniform sample.
        self.level += 1
        threshold = self._threshold()
        kept = []
        for table, hashes in self._kept:
            keep = hashes <= threshold
            kept.append((table.take(pa.array(np.flatnonzero(keep))), hashes[keep]))
        self._kept = kept
        self._kept_rows = sum(table.num_rows for table, _ in kept)

    def _table(self) -> pa.Table:
        if len(self._kept) == 1:
            return self._kept[0][0]
        return pa.concat_tables([table for table, _ in self._kept], promote_options="permissive")

    def findings(self) -> list[ColumnFinding]:
        if not self._kept:
            return []
        return scan_table(self._table(), self.metas, limit=self.limit)

    def report(self) -> dict[str, Any]:
        """What is stored with the version: the columns where anything matched, flagged or not (a reviewer sees
        why a column was or was not taken as personal data), each with masked examples only."""
        sampled = self._kept_rows
        columns = [self._column(f, sampled) for f in self.findings() if f.kind is not None]
        return {
            "rules": RULES_VERSION,
            "scanned": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": self.rows,
            "sampled_rows": min(sampled, self.rows),
            "columns": columns,
        }

    def _column(self, finding: ColumnFinding, sampled: int) -> dict[str, Any]:
        kind = finding.kind
        assert kind is not None
        # Every row kept and every non-empty cell examined: the count is the table's, not an estimate.
        complete = self.level == 0 and finding.examined == _present(self._table(), finding.column)
        rows = finding.matched if complete else round(finding.share * _present_estimate(self, finding.column))
        return {
            "column": finding.column,
            "kind": kind.value,
            "label": kind.label,
            "flagged": finding.flagged,
            "examined": finding.examined,
            "matched": finding.matched,
            "rows": rows,
            "estimated": not complete,
            "hinted": finding.hinted,
            "reason": finding.reason,
            "examples": list(finding.examples),
        }


def _present(table: pa.Table, column: str) -> int:
    """Non-empty cells of a kept column."""
    values = table.column(column)
    filled = pc.and_(pc.is_valid(values), pc.not_equal(pc.utf8_trim_whitespace(values), ""))
    return int(pc.sum(pc.fill_null(filled, False)).as_py() or 0)


def _present_estimate(scan: TableScan, column: str) -> float:
    table = scan._table()
    return _present(table, column) / max(table.num_rows, 1) * scan.rows


def scan_batches(batches: Iterable[pa.RecordBatch], metas: Sequence[ColumnMeta]) -> dict[str, Any]:
    scan = TableScan(metas)
    for batch in batches:
        by_name = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
        scan.feed([by_name.get(meta.name, pa.nulls(batch.num_rows, pa.string())) for meta in metas])
    return scan.report()


def scan_parquet(path: Path, table_schema: dict[str, Any] | None) -> dict[str, Any]:
    """The scan of a version's Parquet file (frictionless-validated tables, rescans), read batch by batch."""
    metas = metas_of(table_schema)
    parquet = pq.ParquetFile(path)
    present = set(parquet.schema_arrow.names)
    metas = [meta for meta in metas if meta.name in present]
    return scan_batches(parquet.iter_batches(batch_size=65_536, columns=[m.name for m in metas]), metas)


def flagged_columns(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The columns of a stored report that count as personal data."""
    return [c for c in (report or {}).get("columns", []) if c.get("flagged")]


def message(column: dict[str, Any]) -> str:
    """``PII: 身份证号 in column id_number (60 rows)`` — the harvest report's line for one flagged column."""
    label = PiiKind(column["kind"]).label if column.get("kind") in PiiKind.__members__ else column.get("kind")
    about = "about " if column.get("estimated") else ""
    return f"PII: {label} in column {column['column']} ({about}{column['rows']:,} rows)"
