"""Conversions of a table (its Parquet file, by DuckDB) into the download formats.

CSV and JSON (JSON Lines, or one JSON array) are streamed batch by batch, so an export of any size starts at
once and holds one batch in memory. XLSX and Parquet are files by nature: they are written once per version
into ``$ODP_DATA_DIR/cache/exports`` (versions never change, so neither do their conversions) and served from
there. Values are written in one normal form whatever the source looked like: ISO dates and times
(``2024-05-01``, ``2024-05-01T08:30:00``), ``true``/``false``, numbers as numbers, empty cells as empty/null.

The header row (CSV, XLSX), the keys (JSON) and the column names (Parquet) are the field names (``header=name``,
the machine default) or their Chinese titles (``header=title``, the default of XLSX, which people open). A
workbook's sheet is named after the resource's title and a second sheet 字段说明 describes the fields; a cell that
broke its type (null in the Parquet copy) is written with its original text, filled and commented with the
Chinese explanation, for the errors the validation report keeps.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from queue import Full, Queue
from typing import Any, Literal

import pyarrow.csv as pcsv
import xlsxwriter

from catalog.models import ResourceVersion
from catalog.privacy.findings import PiiKind
from catalog.privacy.masking import mask_batch
from catalog.tables.engine import copy_to, count_rows, stream_batches
from catalog.tables.query import Column, RowsError, RowsQuery, Table
from catalog.tables.sql import quote
from catalog.validation_messages import explain

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
FIELDS_SHEET = "字段说明"
SHEET_NAME_CHARS = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")

Header = Literal["name", "title"]


def default_header(fmt: str) -> Header:
    """``title`` for XLSX (people open it), ``name`` for the machine formats."""
    return "title" if fmt == "xlsx" else "name"


def header_labels(columns: list[Column], header: Header) -> list[str]:
    """What heads each column: its name, or its title (the name where it has none; ``标题（name）`` where two
    columns share a title, so every label stays unique)."""
    if header == "name":
        return [c.name for c in columns]
    titles = [(c.title or "").strip() or c.name for c in columns]
    seen: dict[str, int] = {}
    for title in titles:
        seen[title] = seen.get(title, 0) + 1
    labels = [f"{t}（{c.name}）" if seen[t] > 1 and t != c.name else t for t, c in zip(titles, columns, strict=True)]
    return labels if len(set(labels)) == len(labels) else [c.name for c in columns]


def sheet_name(title: str) -> str:
    """A resource title as an Excel sheet name: no []:*?/\\, at most 31 characters, not quoted, not 字段说明."""
    name = _SHEET_FORBIDDEN.sub("_", title).strip().strip("'")[:SHEET_NAME_CHARS].strip() or "data"
    return "data" if name.casefold() in (FIELDS_SHEET, "history") else name


@dataclass(frozen=True)
class WorkbookNotes:
    """What an XLSX says besides the rows: the sheet's title, the schema's fields (字段说明), and the cells the
    validation report flags — (source row, field) -> (the original text, the Chinese explanation)."""

    title: str = "data"
    fields: list[dict[str, Any]] = field(default_factory=list)
    flagged: dict[tuple[int, str], tuple[Any, str]] = field(default_factory=dict)


def workbook_notes(version: ResourceVersion, title: str) -> WorkbookNotes:
    """The notes of one version's workbook, from its stored schema and validation report."""
    fields = [f for f in (version.table_schema or {}).get("fields") or [] if isinstance(f, dict)]
    titles = {f["name"]: f["title"] for f in fields if isinstance(f.get("name"), str) and isinstance(f.get("title"), str)}
    flagged = {
        (e["row"], e["field"]): (e.get("cell"), explain(e, titles))
        for e in (version.validation_report or {}).get("errors") or []
        if isinstance(e, dict) and isinstance(e.get("row"), int) and isinstance(e.get("field"), str)
    }
    return WorkbookNotes(title=title, fields=fields, flagged=flagged)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str


FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", "csv"),
    "jsonl": ExportFormat("jsonl", "application/x-ndjson; charset=utf-8", "jsonl"),
    "json": ExportFormat("json", "application/json; charset=utf-8", "json"),
    "xlsx": ExportFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "parquet": ExportFormat("parquet", "application/vnd.apache.parquet", "parquet"),
    "geojson": ExportFormat("geojson", "application/geo+json", "geojson"),
}


def prefetch(chunks: Iterator[bytes], depth: int = 2) -> Iterator[bytes]:
    """Make the next chunks in a thread while the current one is sent: converting and sending overlap.

    At most ``depth`` chunks wait in memory; when the consumer stops early (the client went away), the
    producer stops at its next chunk and the underlying query is closed."""
    queue: Queue[tuple[str, Any]] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        queue.put(("chunk", chunk), timeout=0.5)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
            queue.put(("error", exc))
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()

    worker = threading.Thread(target=produce, name="odp-export", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "chunk":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        while not queue.empty():  # unblock a producer waiting to put
            queue.get_nowait()


def _text(column: Column) -> str:
    """The column as it is written into text formats: times without microseconds when they have none (as
    DuckDB prints them), timestamps in ISO 8601 with a 'T'; everything else as it is."""
    name = quote(column.name)
    if column.type == "datetime":
        return f"replace(CAST({name} AS VARCHAR), ' ', 'T')"
    if column.type == "time":
        return f"CAST({name} AS VARCHAR)"
    return name


def _text_expressions(columns: list[Column], labels: list[str]) -> list[str]:
    return [f"{_text(c)} AS {quote(label)}" for c, label in zip(columns, labels, strict=True)]


def _fields(table: Table, query: RowsQuery) -> list[Column]:
    return query.fields or list(table.columns)


def csv_chunks(table: Table, query: RowsQuery, *, bom: bool = False, header: Header = "name",
               masked: Mapping[str, PiiKind] | None = None) -> Iterator[bytes]:
    """The selection as UTF-8 CSV (header = field names or titles), one chunk per batch; a BOM first for Excel.
    ``masked`` columns (by field name) are written masked: a public sample of a table with personal data."""
    if bom:
        yield codecs.BOM_UTF8
    columns = _fields(table, query)
    labels = header_labels(columns, header)
    by_label = {label: masked[c.name] for c, label in zip(columns, labels, strict=True) if c.name in (masked or {})}
    first = True
    for batch in stream_batches(table, query, _text_expressions(columns, labels)):
        batch = mask_batch(batch, by_label)
        buf = io.BytesIO()
        pcsv.write_csv(batch, buf, pcsv.WriteOptions(include_header=first, quoting_style="needed"))
        first = False
        yield buf.getvalue()
    if first:  # no rows at all: still a header line
        yield (",".join(_csv_cell(label) for label in labels) + "\n").encode()


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def json_chunks(table: Table, query: RowsQuery, *, array: bool = False, header: Header = "name") -> Iterator[bytes]:
    """The selection as JSON Lines (one object per line) or, with ``array``, as one JSON array of objects; the
    keys are the field names or (``header=title``) their titles."""
    expression = [f"to_json(struct_pack({_struct(_fields(table, query), header)}))"]
    first = True
    if array:
        yield b"["
    for batch in stream_batches(table, query, expression):
        lines = batch.column(0).to_pylist()
        if not lines:
            continue
        if array:
            yield (("\n" if first else ",\n") + ",\n".join(lines)).encode()
        else:
            yield ("\n".join(lines) + "\n").encode()
        first = False
    if array:
        yield b"\n]\n" if not first else b"]\n"


def _struct(columns: list[Column], header: Header = "name") -> str:
    labels = header_labels(columns, header)
    return ", ".join(f"{quote(label)} := {_text(c)}" for c, label in zip(columns, labels, strict=True))


# --- GeoJSON: tables with a latitude and a longitude field ----------------------------------------------

LATITUDE_NAMES = ("latitude", "lat", "纬度", "wgs84_lat", "y_wgs84")
LONGITUDE_NAMES = ("longitude", "lon", "lng", "long", "经度", "wgs84_lon", "wgs84_lng", "x_wgs84")
_NUMERIC = ("number", "integer")


def _named(columns: list[Column], names: tuple[str, ...]) -> Column | None:
    for wanted in names:
        for column in columns:
            if column.type in _NUMERIC and wanted in (column.name.strip().lower(), (column.title or "").strip()):
                return column
    return None


def geo_columns(table: Table) -> tuple[Column, Column] | None:
    """The table's (latitude, longitude) number fields, found by name (or 中文 title 纬度/经度); None if either
    is missing."""
    columns = list(table.columns)
    latitude, longitude = _named(columns, LATITUDE_NAMES), _named(columns, LONGITUDE_NAMES)
    return (latitude, longitude) if latitude and longitude else None


def geojson_chunks(table: Table, query: RowsQuery) -> Iterator[bytes]:
    """The selection as one GeoJSON FeatureCollection (RFC 7946): a Point per row from its longitude and
    latitude (WGS 84), every field as a property; a row whose coordinates are missing or out of range gets a
    null geometry rather than a wrong point."""
    found = geo_columns(table)
    if found is None:
        raise RowsError("the table has no numeric latitude and longitude fields, so it has no GeoJSON form")
    lat, lon = (quote(c.name) for c in found)
    point = (f"CASE WHEN {lat} BETWEEN -90 AND 90 AND {lon} BETWEEN -180 AND 180 THEN "
             f"'{{\"type\":\"Point\",\"coordinates\":[' || CAST(CAST({lon} AS DOUBLE) AS VARCHAR) || ',' || "
             f"CAST(CAST({lat} AS DOUBLE) AS VARCHAR) || ']}}' ELSE 'null' END")
    feature = (f"'{{\"type\":\"Feature\",\"geometry\":' || {point} || ',\"properties\":' || "
               f"CAST(to_json(struct_pack({_struct(_fields(table, query))})) AS VARCHAR) || '}}'")
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for batch in stream_batches(table, query, [feature]):
        features = batch.column(0).to_pylist()
        if features:
            yield (("\n" if first else ",\n") + ",\n".join(features)).encode()
            first = False
    yield b"]}\n"


def export_file(table: Table, query: RowsQuery, fmt: str, cache_dir: Path, *, header: Header | None = None,
                notes: WorkbookNotes | None = None) -> Path:
    """The whole table as an XLSX or Parquet file, made once per header choice and kept in ``cache_dir``."""
    if fmt not in ("xlsx", "parquet"):
        raise ValueError(f"{fmt} is streamed, not cached")
    if query.narrowed:
        raise ValueError("only whole tables are cached")
    header = header or default_header(fmt)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # One file per header choice. Workbooks carry a layout version in their name: those made before the titled
    # sheet and 字段说明 (named <stem>.xlsx) are never served again.
    variant = {"xlsx": f".{header}.v2", "parquet": "" if header == "name" else f".{header}"}[fmt]
    final = cache_dir / f"{table.stem}{variant}.{fmt}"
    if final.is_file():
        return final
    fd, name = tempfile.mkstemp(dir=cache_dir, prefix=".building-", suffix=f".{fmt}")
    os.close(fd)
    tmp = Path(name)
    try:
        if fmt == "parquet":
            columns = _fields(table, query)
            renamed = None if header == "name" else [
                f"{quote(c.name)} AS {quote(label)}"
                for c, label in zip(columns, header_labels(columns, header), strict=True)
            ]
            copy_to(table, query, tmp, "FORMAT parquet, COMPRESSION zstd", renamed)
        else:
            write_xlsx(table, query, tmp, header=header, notes=notes or WorkbookNotes())
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    return final


def write_xlsx(table: Table, query: RowsQuery, dest: Path, *, header: Header = "title",
               notes: WorkbookNotes | None = None) -> None:
    """The rows on a sheet named after the resource (a header row of names or titles, then real Excel numbers,
    dates and booleans; flagged cells filled and commented), and the sheet 字段说明 describing the fields."""
    from catalog.tables.parquet import ROW_COLUMN  # the source row number, which the report's errors name

    notes = notes or WorkbookNotes()
    if count_rows(table, query) > XLSX_MAX_ROWS:
        raise RowsError(f"more than {XLSX_MAX_ROWS:,} rows do not fit in an Excel sheet; download CSV instead")
    columns = _fields(table, query)
    expressions = [quote(c.name) for c in columns] + [quote(ROW_COLUMN)]
    workbook = xlsxwriter.Workbook(str(dest), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    try:
        sheet = workbook.add_worksheet(sheet_name(notes.title))
        formats = {
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "time": workbook.add_format({"num_format": "hh:mm:ss"}),
        }
        flagged_format = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        bold = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, header_labels(columns, header), bold)
        sheet.freeze_panes(1, 0)
        row_index = 1
        for batch in stream_batches(table, query, expressions):
            data = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for *values, source_row in zip(*data, strict=True):
                for col_index, (column, value) in enumerate(zip(columns, values, strict=True)):
                    flag = notes.flagged.get((source_row, column.name))
                    if flag is not None:  # broke its type or a constraint: its original text, marked
                        original, explanation = flag
                        shown = value if value is not None else ("" if original is None else str(original))
                        sheet.write(row_index, col_index, shown, flagged_format)
                        sheet.write_comment(row_index, col_index, explanation)
                        continue
                    if value is None:
                        continue
                    cell_format = formats.get(column.type)
                    if cell_format is not None:
                        sheet.write_datetime(row_index, col_index, value, cell_format)
                    elif isinstance(value, str):
                        sheet.write_string(row_index, col_index, value)
                    else:
                        sheet.write(row_index, col_index, value)
                row_index += 1
        _write_fields_sheet(workbook.add_worksheet(FIELDS_SHEET), columns, notes.fields, bold)
    finally:
        workbook.close()


def _write_fields_sheet(sheet: Any, columns: list[Column], fields: list[dict[str, Any]], bold: Any) -> None:
    """字段说明: one row per column — name, title, type, description, constraints (as JSON)."""
    described = {f.get("name"): f for f in fields}
    sheet.write_row(0, 0, ["字段名 name", "标题 title", "类型 type", "说明 description", "约束 constraints"], bold)
    for index, column in enumerate(columns, start=1):
        spec = described.get(column.name, {})
        constraints = spec.get("constraints")
        sheet.write_row(index, 0, [
            column.name,
            column.title or "",
            column.type,
            str(spec.get("description") or ""),
            json.dumps(constraints, ensure_ascii=False) if constraints else "",
        ])
    sheet.set_column(0, 1, 20)
    sheet.set_column(3, 4, 40)
