"""The first rows of a stored table, for the dataset page's preview and chart.

Read by the rows engine (DuckDB over the version's Parquet file, what the rows API serves) when the version
has one, else straight from the stored original with frictionless (the reader validation uses). Cells the
validation report flags keep their raw text and the report's message (these rows are public anyway).
Versions never change, so previews are cached by version.

How many rows are public is one setting, ``public_sample_rows`` (``ODP_PUBLIC_SAMPLE_ROWS``): the page's
preview and the API's ``/sample`` both read it, so they never disagree on how much of a 有条件开放 table is public.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from frictionless import Resource

from catalog.config import Settings, get_settings
from catalog.models import ResourceVersion
from catalog.privacy.findings import PiiKind
from catalog.privacy.masking import mask_value
from catalog.storage import FileStore, StoredFileMissing, open_store
from catalog.validation import is_tabular
from catalog.vocabulary import ValidationStatus


@dataclass(frozen=True)
class PreviewField:
    name: str
    title: str
    type: str


@dataclass(frozen=True)
class PreviewCell:
    value: Any  # typed value (None when empty or not readable as its type)
    text: str  # what the page shows
    error: str | None = None  # the validation message when the cell breaks the schema


@dataclass(frozen=True)
class TablePreview:
    fields: list[PreviewField]
    rows: list[list[PreviewCell]] = field(default_factory=list)
    error: str | None = None  # the table could not be read at all

    def column(self, name: str) -> list[Any]:
        index = [f.name for f in self.fields].index(name)
        return [row[index].value for row in self.rows]


def preview_table(
    version: ResourceVersion, fmt: str | None, *, limit: int | None = None, settings: Settings | None = None,
    search: str | None = None,
) -> TablePreview | None:
    """The first ``limit`` rows (default: the public sample size) of a version's table; None when the
    resource is not a table. With ``search``, the first ``limit`` rows of the whole table where a text column
    contains it (the rows API's ``_search``): for callers who may read the data only."""
    if version.validation_status == ValidationStatus.not_tabular or not is_tabular(fmt):
        return None
    settings = settings or get_settings()
    limit = settings.public_sample_rows if limit is None else limit
    if search is not None:
        return _searched(version, settings, limit, search)
    if version.parquet_path:
        from_engine = _from_rows_engine(version, settings, limit)
        if from_engine is not None:
            return from_engine
    return _read(
        open_store(settings),
        version.stored_path,
        (fmt or "").lower(),
        version.encoding,
        json.dumps(version.dialect, sort_keys=True) if version.dialect else None,
        json.dumps(version.table_schema, sort_keys=True) if version.table_schema else None,
        limit,
    )


def masked_preview(preview: TablePreview | None, columns: Mapping[str, PiiKind]) -> TablePreview | None:
    """The preview with the given columns masked (catalog/privacy/masking.py), as a copy: previews are cached."""
    if preview is None or not columns:
        return preview
    names = [f.name for f in preview.fields]
    kinds = [columns.get(name) for name in names]
    rows = [[cell if kind is None or cell.text == "" else _masked_cell(cell, kind) for cell, kind in zip(row, kinds,
                                                                                                        strict=False)]
            for row in preview.rows]
    return TablePreview(fields=preview.fields, rows=rows, error=preview.error)


def _masked_cell(cell: PreviewCell, kind: PiiKind) -> PreviewCell:
    text = mask_value(cell.text, kind)
    return PreviewCell(value=text, text=text, error=None)  # the report's message may quote the cell


_ENGINE_CACHE: dict[tuple[str, int | None, int], TablePreview] = {}


def _searched(version: ResourceVersion, settings: Settings, limit: int, search: str) -> TablePreview:
    """Matching rows from the rows engine; a bad search or a table without Parquet is the preview's ``error``."""
    from catalog.tables.engine import RowsTimeout, fetch_rows
    from catalog.tables.query import RowsError, Table, TableUnavailable, parse_query

    try:
        table = Table.for_version(version, settings)
        query = parse_query(table, [("_search", search)], max_size=max(limit, 1))
        query.size = max(limit, 1)
        page = fetch_rows(table, query)
    except (RowsError, RowsTimeout, TableUnavailable) as exc:
        return TablePreview(fields=[], error=str(exc))
    fields = [PreviewField(c.name, c.title or c.name, c.type) for c in table.columns]
    return TablePreview(fields=fields, rows=[[_cell(row.get(f.name), kind=f.type) for f in fields]
                                             for row in page.rows])


def _from_rows_engine(version: ResourceVersion, settings: Settings, limit: int) -> TablePreview | None:
    key = (f"{open_store(settings).description}/{version.parquet_path or ''}", version.id, limit)
    if key in _ENGINE_CACHE:
        return _ENGINE_CACHE[key]
    from catalog.tables.engine import fetch_rows
    from catalog.tables.parquet import ROW_COLUMN
    from catalog.tables.query import Column, RowsQuery, Table

    try:
        table = Table.for_version(version, settings)
        page = fetch_rows(table, RowsQuery(fields=[*table.columns, Column(ROW_COLUMN, "integer")], size=limit))
    except Exception:  # noqa: BLE001 - a missing or broken Parquet file: read the original instead
        return None
    # The Parquet copy holds null where a cell broke its type; the report has the raw text and the reason.
    errors = {
        (e.get("row"), e.get("field")): (e.get("cell"), e.get("message"))
        for e in (version.validation_report or {}).get("errors", [])
    }
    fields = [PreviewField(c.name, c.title or c.name, c.type) for c in table.columns]
    preview = TablePreview(fields=fields, rows=[
        [_cell(row.get(f.name), *errors.get((row.get(ROW_COLUMN), f.name), (None, None)), kind=f.type)
         for f in fields]
        for row in page.rows
    ])
    if len(_ENGINE_CACHE) >= 256:
        _ENGINE_CACHE.clear()
    _ENGINE_CACHE[key] = preview
    return preview


@lru_cache(maxsize=128)
def _read(store: FileStore, relpath: str, fmt: str, encoding: str | None, dialect: str | None, schema: str | None,
          limit: int) -> TablePreview:
    try:
        with store.local_copy(relpath) as stored:
            return _read_file(stored, fmt, encoding, dialect, schema, limit)
    except StoredFileMissing:
        return TablePreview(fields=[], error="the stored file of this version is missing")


def _read_file(stored: Path, fmt: str, encoding: str | None, dialect: str | None, schema: str | None,
               limit: int) -> TablePreview:
    descriptor: dict[str, Any] = {"name": "preview", "type": "table", "path": stored.name, "format": fmt}
    if encoding and fmt not in ("xlsx", "xls"):
        descriptor["encoding"] = encoding
    if dialect:
        descriptor["dialect"] = json.loads(dialect)
    if schema:
        descriptor["schema"] = json.loads(schema)
    try:
        resource = Resource.from_descriptor(descriptor, basepath=str(stored.parent))
        rows = []
        with resource:
            fields = [
                PreviewField(f.name, f.title or f.name, f.type) for f in resource.schema.fields
            ]
            for row in resource.row_stream:
                bad = {e.field_name: (e.cell, e.message) for e in row.errors if getattr(e, "field_name", None)}
                rows.append([_cell(row.get(f.name), *bad.get(f.name, (None, None))) for f in fields])
                if len(rows) >= limit:
                    break
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes a message on the page
        message = getattr(getattr(exc, "error", None), "message", None) or str(exc)
        return TablePreview(fields=[], error=message)
    return TablePreview(fields=fields, rows=rows)


def _cell(value: Any, raw: Any = None, error: str | None = None, kind: str = "") -> PreviewCell:
    if error is not None:
        return PreviewCell(None, "" if raw is None else str(raw), error)
    if kind == "datetime" and isinstance(value, str):  # the rows engine hands back ISO text
        return PreviewCell(value, value.replace("T", " "))
    return PreviewCell(value, format_value(value))


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
