"""CKAN's ``datastore_search`` answered by the rows engine (DuckDB over the version's Parquet file).

``filters`` (a value or a list of values per column), ``fields``, ``sort`` (one column), ``limit`` and
``offset`` become a rows-engine query; ``q`` (text found in any column, or ``{column: text}``) is a
case-insensitive substring match. Records carry ``_id``: the row's number in the original file (the one
validation reports use).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any

from catalog.tables.engine import count_rows, stream_batches
from catalog.tables.parquet import ROW_COLUMN
from catalog.tables.query import Column, Filter, RowsError, RowsQuery, Table, parse_value
from catalog.tables.sql import quote

DEFAULT_LIMIT = 100
MAX_LIMIT = 32_000  # CKAN's default ckan.datastore.search.rows_max
SCAN_SECONDS = 10.0  # a ``q`` over all columns is a scan; it stops here
ID_FIELD = "_id"

# Table Schema types -> the datastore (PostgreSQL) type names CKAN clients know.
DATASTORE_TYPES = {
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "year": "int",
}


class DatastoreError(ValueError):
    """A request the datastore cannot answer (CKAN's "Validation Error"); the message names the parameter."""


@dataclass
class DatastoreQuery:
    filters: dict[str, Any] = field(default_factory=dict)
    q: str | dict[str, str] | None = None
    fields: list[str] | None = None
    sort: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    include_total: bool = True


@dataclass
class DatastoreResult:
    fields: list[dict[str, Any]]
    records: list[dict[str, Any]]
    total: int | None


def field_info(column: Column) -> dict[str, Any]:
    info: dict[str, Any] = {"id": column.name, "type": DATASTORE_TYPES.get(column.type, "text")}
    if column.title:
        info["info"] = {"label": column.title}
    return info


def _column(table: Table, name: str, what: str) -> Column:
    try:
        return table.column(name)
    except RowsError as exc:
        raise DatastoreError(f"{what}: {exc}") from exc


def _typed(column: Column, value: Any) -> Any:
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    try:
        return parse_value(column, text)
    except RowsError as exc:
        raise DatastoreError(f"filters: {exc}") from exc


def _rows_query(table: Table, query: DatastoreQuery) -> RowsQuery:
    filters = []
    for name, value in query.filters.items():
        column = _column(table, name, "filters")
        if isinstance(value, list):
            filters.append(Filter(column, "in", [_typed(column, v) for v in value]))
        else:
            filters.append(Filter(column, "exact", _typed(column, value)))
    if isinstance(query.q, dict):
        for name, text in query.q.items():
            filters.append(Filter(_column(table, name, "q"), "contains", str(text)))
    sort, desc = None, False
    if query.sort:
        keys = [k.split() for k in query.sort.split(",") if k.strip()]
        if len(keys) > 1:
            raise DatastoreError("sort: this datastore sorts by one column (e.g. 'total_spaces desc')")
        words = keys[0]
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise DatastoreError(f"sort: cannot read {query.sort!r}; use 'column' or 'column desc'")
        if words[0].strip('"') != ID_FIELD:  # _id order is the file's order: the default
            sort = _column(table, words[0].strip('"'), "sort")
        desc = len(words) == 2 and words[1].lower() == "desc"
    return RowsQuery(filters=filters, sort=sort, desc=desc)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date, time_of_day)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def datastore_search(table: Table, query: DatastoreQuery) -> DatastoreResult:
    if not 0 <= query.limit <= MAX_LIMIT:
        raise DatastoreError(f"limit: must be between 0 and {MAX_LIMIT}")
    if query.offset < 0:
        raise DatastoreError("offset: must be a natural number")
    wanted = query.fields or [ID_FIELD, *table.names]
    columns = [_column(table, n, "fields") for n in wanted if n != ID_FIELD]
    rows_query = _rows_query(table, query)
    names = [ID_FIELD, *(c.name for c in columns)]
    # Aliased, so a column both shown and scanned by ``q`` stays two distinct batch columns.
    expressions = [f"{quote(name)} AS {quote(f'__f{i}')}"
                   for i, name in enumerate([ROW_COLUMN, *(c.name for c in columns)])]
    needle = query.q.casefold() if isinstance(query.q, str) and query.q.strip() else None
    # A text search over every column checks the cells itself, so it reads them all.
    scan_columns = [f"{quote(c)} AS {quote(f'__q{i}')}" for i, c in enumerate(table.names)] if needle else []
    records: list[dict[str, Any]] = []
    matched = 0
    end = query.offset + query.limit
    deadline = time.monotonic() + SCAN_SECONDS
    with_id = ID_FIELD in wanted
    batches = stream_batches(table, rows_query, expressions + scan_columns, batch_rows=max(1000, min(end, 50_000)))
    try:
        for batch in batches:
            if needle is None and matched + batch.num_rows <= query.offset:
                matched += batch.num_rows  # a whole batch before the offset: skipped unread
                continue
            columns_py = batch.to_pydict()
            keys = list(columns_py)
            for i in range(batch.num_rows):
                if needle is not None:
                    cells = (columns_py[k][i] for k in keys[len(expressions):])
                    if not any(c is not None and needle in str(c).casefold() for c in cells):
                        continue
                if query.offset <= matched < end:
                    record = {n: _jsonable(columns_py[k][i]) for n, k in zip(names, keys, strict=False)}
                    if not with_id:
                        del record[ID_FIELD]
                    records.append(record)
                matched += 1
            if matched >= end and not (needle and query.include_total):
                break
            if needle and time.monotonic() > deadline:
                raise DatastoreError(f"q: the text search took longer than {SCAN_SECONDS:g} s; add filters")
    except RowsError as exc:
        raise DatastoreError(str(exc)) from exc
    finally:
        batches.close()  # ends the DuckDB cursor even when we stopped early
    total = None
    if query.include_total:
        total = matched if needle else count_rows(table, rows_query)
    fields = [{"id": ID_FIELD, "type": "int"}] + [field_info(c) for c in columns]
    if query.fields:
        fields = [f for f in fields if f["id"] in wanted]
    return DatastoreResult(fields=fields, records=records, total=total)
