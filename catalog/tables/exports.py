"""Conversions of a table (its Parquet file, by DuckDB) into the download formats.

CSV and JSON (JSON Lines, or one JSON array) are streamed batch by batch, so an export of any size starts at
once and holds one batch in memory. XLSX and Parquet are files by nature: they are written once per version
into ``$ODP_DATA_DIR/cache/exports`` (versions never change, so neither do their conversions) and served from
there. Values are written in one normal form whatever the source looked like: ISO dates and times
(``2024-05-01``, ``2024-05-01T08:30:00``), ``true``/``false``, numbers as numbers, empty cells as empty/null.
"""

from __future__ import annotations

import codecs
import io
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Full, Queue
from typing import Any

import pyarrow.csv as pcsv
import xlsxwriter

from catalog.tables.engine import copy_to, count_rows, stream_batches
from catalog.tables.query import Column, RowsError, RowsQuery, Table
from catalog.tables.sql import quote

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row


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


def _text_expressions(columns: list[Column]) -> list[str]:
    return [f"{_text(c)} AS {quote(c.name)}" for c in columns]


def _fields(table: Table, query: RowsQuery) -> list[Column]:
    return query.fields or list(table.columns)


def csv_chunks(table: Table, query: RowsQuery, *, bom: bool = False) -> Iterator[bytes]:
    """The selection as UTF-8 CSV (header = field names), one chunk per batch; a BOM first for Excel."""
    if bom:
        yield codecs.BOM_UTF8
    columns = _fields(table, query)
    header = True
    for batch in stream_batches(table, query, _text_expressions(columns)):
        buf = io.BytesIO()
        pcsv.write_csv(batch, buf, pcsv.WriteOptions(include_header=header, quoting_style="needed"))
        header = False
        yield buf.getvalue()
    if header:  # no rows at all: still a header line
        yield (",".join(_csv_cell(c.name) for c in columns) + "\n").encode()


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def json_chunks(table: Table, query: RowsQuery, *, array: bool = False) -> Iterator[bytes]:
    """The selection as JSON Lines (one object per line) or, with ``array``, as one JSON array of objects."""
    expression = [f"to_json(struct_pack({_struct(_fields(table, query))}))"]
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


def _struct(columns: list[Column]) -> str:
    return ", ".join(f"{quote(c.name)} := {_text(c)}" for c in columns)


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


def export_file(table: Table, query: RowsQuery, fmt: str, cache_dir: Path) -> Path:
    """The whole table as an XLSX or Parquet file, made once and kept in ``cache_dir``."""
    if fmt not in ("xlsx", "parquet"):
        raise ValueError(f"{fmt} is streamed, not cached")
    if query.narrowed:
        raise ValueError("only whole tables are cached")
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / f"{table.parquet.stem}.{fmt}"
    if final.is_file():
        return final
    fd, name = tempfile.mkstemp(dir=cache_dir, prefix=".building-", suffix=f".{fmt}")
    os.close(fd)
    tmp = Path(name)
    try:
        if fmt == "parquet":
            copy_to(table, query, tmp, "FORMAT parquet, COMPRESSION zstd")
        else:
            write_xlsx(table, query, tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    return final


def write_xlsx(table: Table, query: RowsQuery, dest: Path) -> None:
    """One sheet: a header row of field names, then the rows with real Excel numbers, dates and booleans."""
    if count_rows(table, query) > XLSX_MAX_ROWS:
        raise RowsError(f"more than {XLSX_MAX_ROWS:,} rows do not fit in an Excel sheet; download CSV instead")
    columns = _fields(table, query)
    workbook = xlsxwriter.Workbook(str(dest), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    try:
        sheet = workbook.add_worksheet("data")
        formats = {
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "time": workbook.add_format({"num_format": "hh:mm:ss"}),
        }
        bold = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, [c.name for c in columns], bold)
        row_index = 1
        for batch in stream_batches(table, query):
            data = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for values in zip(*data, strict=True):
                for col_index, (column, value) in enumerate(zip(columns, values, strict=True)):
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
    finally:
        workbook.close()
