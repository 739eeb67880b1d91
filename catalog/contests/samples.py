"""An entry's public sample as CSV: the first N rows of the pinned version, or — with a seed — N rows drawn at
random, the same N every time (``random.Random(seed)`` over the row positions, so neither DuckDB's sampling nor
its thread count decides which rows). N is the organizer's choice, capped by ``catalog/access.py`` for
有条件开放 data at the portal's public sample (``ODP_PUBLIC_SAMPLE_ROWS``).

The rows are selected by their ``_row`` number and written by the same CSV export as every other download
(catalog/tables/exports.py), so values look the same as in the full data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pyarrow.parquet as pq

from catalog import access
from catalog.config import Settings
from catalog.tables.exports import csv_chunks
from catalog.tables.parquet import ROW_COLUMN
from catalog.tables.query import Column, Filter, RowsQuery, Table, TableUnavailable

from .entries import EntryView
from .errors import ContestError, not_found


def sample_size(view: EntryView, settings: Settings) -> int:
    return access.contest_sample_rows(view.dataset, view.entry.sample_rows, settings.public_sample_rows)


def row_numbers(table: Table, count: int, seed: int | None) -> list[int]:
    """The ``_row`` numbers of the sample, in table order."""
    rows = pq.read_table(table.parquet, columns=[ROW_COLUMN], filesystem=table.filesystem).column(ROW_COLUMN).to_pylist()
    if seed is None or count >= len(rows):
        return rows[:count]
    picked = random.Random(seed).sample(range(len(rows)), count)
    return [rows[i] for i in sorted(picked)]


def sample_csv(view: EntryView, settings: Settings) -> Iterator[bytes]:
    """The sample as streamed UTF-8 CSV (header first); refused when the entry has no public sample or is not
    a table."""
    count = sample_size(view, settings)
    if count <= 0:
        raise not_found(f"entry {view.id} has no public sample")
    try:
        table = Table.for_version(view.version, settings)
    except TableUnavailable as exc:
        raise ContestError(409, "not_available", f"entry {view.id}: {exc}") from exc
    numbers = row_numbers(table, count, view.entry.sample_seed)
    picked = Filter(Column(ROW_COLUMN, "integer"), "in", numbers or [-1])
    # public: personal-data columns of data anyone may not read are masked, as on the dataset's own sample
    return csv_chunks(table, RowsQuery(filters=[picked]),
                      masked=access.masked_sample_columns(view.dataset, view.version.pii_report))
