"""Parquet materialization: one typed Parquet file per tabular resource version, for the rows API and
conversions (DuckDB reads it).

Rows are read exactly as the validator reads them — frictionless's cell stream with the version's format,
encoding and dialect (XLSX ``headerRows`` included) — and typed by the version's Table Schema: integer → int64,
number → float64, boolean (``trueValues``/``falseValues``) → bool, date → date32, datetime → timestamp (aware
values become Beijing wall-clock time), time → time64, year → int64, everything else → string. A value that fails
its type becomes null (frictionless lists it in the validation report); numeric cells are NFKC-normalized first,
so full-width digits (``１００.９``) read as numbers. The extra ``_row`` column holds frictionless's row number (the
one validation reports use): unique and increasing, it is the rows API's tiebreaker for keyset paging.

Conversion streams in batches of ``BATCH_ROWS`` rows, so memory stays bounded however large the file. The result
is content-addressed in the file store (``ab/cdef….parquet``) like the originals, and re-derivable from them.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from frictionless import Resource
from sqlmodel import Session, select

from catalog.config import Settings, get_settings
from catalog.models import Dataset, ResourceVersion
from catalog.models import Resource as CatalogResource
from catalog.storage import FileStore, open_store
from catalog.validation import is_tabular
from catalog.vocabulary import ValidationStatus

ROW_COLUMN = "_row"
BATCH_ROWS = 65_536
BEIJING = ZoneInfo("Asia/Shanghai")

_ARROW_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "time": pa.time64("us"),
    "year": pa.int64(),
}
_NUMERIC = {"integer", "number", "year"}
# Plain decimal notation: what the vectorized path casts; anything else goes through frictionless's reader.
_FAST_PATTERN = {
    "integer": r"^-?[0-9]{1,18}$",
    "number": r"^-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$",
}
_INT64 = (-(2**63), 2**63 - 1)
_MISS = object()


class ParquetError(Exception):
    """The table could not be converted; the message is stored on the version."""


def arrow_type(field_type: str | None) -> pa.DataType:
    return _ARROW_TYPES.get(field_type or "string", pa.string())


def arrow_schema(table_schema: dict[str, Any]) -> pa.Schema:
    fields = [pa.field(f["name"], arrow_type(f.get("type"))) for f in table_schema.get("fields", [])]
    return pa.schema([*fields, pa.field(ROW_COLUMN, pa.int64(), nullable=False)])


def _nfkc(cell: Any) -> Any:
    return unicodedata.normalize("NFKC", cell).strip() if isinstance(cell, str) else cell


def _python_value(kind: str) -> Callable[[Any], Any]:
    """What frictionless's value reader returns → the Python value Arrow stores for this field type."""

    def integer(v: Any) -> Any:
        return v if isinstance(v, int) and not isinstance(v, bool) and _INT64[0] <= v <= _INT64[1] else None

    def number(v: Any) -> Any:
        if isinstance(v, bool):
            return None
        try:
            f = float(v)
        except (TypeError, ValueError, OverflowError):
            return None
        return f if math.isfinite(f) else None  # NaN/Infinity are not JSON: stored as null

    def timestamp(v: Any) -> Any:
        if not isinstance(v, datetime):
            return None
        return v.astimezone(BEIJING).replace(tzinfo=None) if v.tzinfo else v

    def clock(v: Any) -> Any:
        return v.replace(tzinfo=None) if isinstance(v, time) else None

    def day(v: Any) -> Any:
        return v.date() if isinstance(v, datetime) else v if isinstance(v, date) else None

    def yearmonth(v: Any) -> Any:
        return f"{v[0]:04d}-{v[1]:02d}"

    def structured(v: Any) -> Any:
        return json.dumps(v, ensure_ascii=False)

    return {
        "integer": integer,
        "year": integer,
        "number": number,
        "boolean": lambda v: v if isinstance(v, bool) else None,
        "date": day,
        "datetime": timestamp,
        "time": clock,
        "yearmonth": yearmonth,
        "object": structured,
        "array": structured,
    }.get(kind, lambda v: v if isinstance(v, str) else None)


class _ColumnTyper:
    """Turns one field's raw cells (a batch) into an Arrow array of the field's type."""

    def __init__(self, field: Any, missing_values: list[str]):
        self.kind = field.type
        self.type = arrow_type(field.type)
        self.missing = set(missing_values)
        self.missing_array = pa.array(sorted(self.missing), pa.string())
        self.reader = field.create_value_reader()
        self.to_python = _python_value(self.kind)
        self.raw_string = self.type == pa.string() and self.kind not in ("object", "array", "yearmonth")
        defaults = not any(field.has_defined(p) for p in ("bare_number", "group_char", "decimal_char"))
        self.fast = (self.kind == "string" and getattr(field, "format", "default") == "default") or (
            self.kind in _FAST_PATTERN and defaults
        )

    def __call__(self, cells: list[Any]) -> pa.Array:
        if self.fast:
            try:
                raw = pa.array(cells, pa.string())
            except (pa.ArrowTypeError, pa.ArrowInvalid):  # XLSX numbers or dates in the column
                pass
            else:
                return self._vectorized(raw)
        return self._per_cell(cells)

    def _vectorized(self, raw: pa.Array) -> pa.Array:
        present = pc.if_else(pc.is_in(raw, value_set=self.missing_array), pa.scalar(None, pa.string()), raw)
        if self.kind == "string":
            return present
        norm = pc.utf8_trim_whitespace(pc.utf8_normalize(present, form="NFKC"))
        plain = pc.match_substring_regex(norm, _FAST_PATTERN[self.kind])
        typed = pc.cast(pc.if_else(plain, norm, pa.scalar(None, pa.string())), self.type)
        if self.kind == "number":
            typed = pc.if_else(pc.is_finite(typed), typed, pa.scalar(None, self.type))
        odd = pc.and_(pc.is_valid(present), pc.invert(plain)).to_numpy(zero_copy_only=False)
        if not odd.any():
            return typed
        values = typed.to_pylist()  # rare cells (1e400, 1_000, …): frictionless's own reader decides
        strings = norm.to_pylist()
        for i in odd.nonzero()[0]:
            values[i] = self._read(strings[i])
        return pa.array(values, self.type)

    def _per_cell(self, cells: list[Any]) -> pa.Array:
        memo: dict[Any, Any] = {}
        out = []
        for cell in cells:
            try:
                value = memo.get(cell, _MISS)
            except TypeError:  # unhashable (JSON objects)
                value = _MISS
            if value is _MISS:
                value = None if cell is None or str(cell) in self.missing else self._read(cell)
                try:
                    memo[cell] = value
                except TypeError:
                    pass
            out.append(value)
        return pa.array(out, self.type)

    def _read(self, cell: Any) -> Any:
        source = _nfkc(cell) if self.kind in _NUMERIC else cell
        value = self.reader(source)
        if value is None:
            return None
        if self.raw_string and self.kind != "string":
            # geopoint, duration, any …: kept as published
            return cell if isinstance(cell, str) else json.dumps(cell, ensure_ascii=False, default=str)
        return self.to_python(value)


def _open_table(path: Path, fmt: str, encoding: str | None, schema: dict[str, Any],
                dialect: dict[str, Any] | None) -> Resource:
    # The same descriptor validation uses, so the rows here are the rows the report speaks of.
    descriptor: dict[str, Any] = {"name": "table", "type": "table", "path": path.name, "format": fmt,
                                  "schema": schema}
    if encoding and fmt not in ("xlsx", "xls"):
        descriptor["encoding"] = encoding
    if dialect:
        descriptor["dialect"] = dialect
    return Resource.from_descriptor(descriptor, basepath=str(path.parent))


def iter_batches(path: Path, *, fmt: str, encoding: str | None, schema: dict[str, Any],
                 dialect: dict[str, Any] | None = None, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """The table's rows as typed record batches (schema fields, then ``_row``)."""
    target = arrow_schema(schema)
    resource = _open_table(path, fmt.lower(), encoding, schema, dialect)
    with resource:
        fields = resource.schema.fields
        width = len(fields)
        typers = [
            _ColumnTyper(f, f.missing_values if f.has_defined("missing_values") else resource.schema.missing_values)
            for f in fields
        ]
        stream = resource.dialect.read_enumerated_content_stream(resource.cell_stream)
        numbers: list[int] = []
        rows: list[list[Any]] = []
        for number, cells in stream:
            numbers.append(number)
            rows.append(cells)
            if len(rows) >= batch_rows:
                yield _batch(rows, numbers, width, typers, target)
                numbers, rows = [], []
        if rows or not numbers:
            yield _batch(rows, numbers, width, typers, target)


def _batch(rows: list[list[Any]], numbers: list[int], width: int, typers: list[_ColumnTyper],
           target: pa.Schema) -> pa.RecordBatch:
    # Like frictionless: cells map to fields by position, short rows are padded, extra cells dropped.
    if any(len(r) != width for r in rows):
        rows = [r[:width] if len(r) >= width else [*r, *([None] * (width - len(r)))] for r in rows]
    columns = [typer([r[i] for r in rows]) for i, typer in enumerate(typers)]
    return pa.RecordBatch.from_arrays([*columns, pa.array(numbers, pa.int64())], schema=target)


def write_parquet(path: Path, dest: Path, *, fmt: str, encoding: str | None, schema: dict[str, Any],
                  dialect: dict[str, Any] | None = None) -> int:
    """Convert the table at ``path`` into the Parquet file ``dest``; return the number of rows."""
    rows = 0
    with pq.ParquetWriter(dest, arrow_schema(schema), compression="zstd") as writer:
        for batch in iter_batches(path, fmt=fmt, encoding=encoding, schema=schema, dialect=dialect):
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def store_parquet_file(store: FileStore, tmp: Path) -> str:
    """Move a finished file into the content-addressed store (as FileStore.put would, without a copy)."""
    return store.add_file(tmp, ".parquet")


def build_parquet(version: ResourceVersion, fmt: str | None, store: FileStore, original: Path | None = None) -> None:
    """(Re)build the Parquet file of one version; record its path, or why there is none, on the version.
    ``original``: a local file with the version's bytes, when the caller has one (else read from the store).

    Never raises for bad data: a table that cannot be converted keeps its original downloadable."""
    version.parquet_path = None
    version.parquet_error = None
    if not is_tabular(fmt):
        return
    if version.validation_status == ValidationStatus.error or not version.table_schema:
        version.parquet_error = "the table could not be read (see its validation report)"
        return
    if any(f.get("name") == ROW_COLUMN for f in version.table_schema.get("fields", [])):
        version.parquet_error = f"a field is named '{ROW_COLUMN}', which the rows API keeps for itself"
        return
    fd, name = tempfile.mkstemp(dir=store.scratch_dir(), prefix=".incoming-", suffix=".parquet")
    os.close(fd)
    tmp = Path(name)
    try:
        with _readable(store, version.stored_path, original) as source:
            write_parquet(source, tmp, fmt=fmt or "csv", encoding=version.encoding,
                          schema=version.table_schema, dialect=version.dialect)
        version.parquet_path = store_parquet_file(store, tmp)
    except Exception as exc:  # noqa: BLE001 - any reader/Arrow failure is the data's problem, not the harvest's
        message = getattr(getattr(exc, "error", None), "message", None) or str(exc)
        version.parquet_error = f"{type(exc).__name__}: {message}"[:2000]
    finally:
        if tmp.exists():
            tmp.unlink()


def _readable(store: FileStore, relpath: str, original: Path | None) -> AbstractContextManager[Path]:
    return nullcontext(original) if original is not None else store.local_copy(relpath)


def rebuild_parquet(session: Session, *, dataset: str | None = None, force: bool = False,
                    settings: Settings | None = None) -> dict[str, int]:
    """Build the Parquet files that are missing (all of them with ``force``) for every version of every
    tabular resource, or of one dataset's. Returns counts: built, failed, skipped (up to date), unreadable
    (tables validation could not read)."""
    settings = settings or get_settings()
    store = open_store(settings)
    query = select(ResourceVersion, CatalogResource.format).join(
        CatalogResource, ResourceVersion.resource_id == CatalogResource.id
    )
    if dataset:
        query = query.join(Dataset, CatalogResource.dataset_id == Dataset.id).where(Dataset.name == dataset)
    counts = {"built": 0, "failed": 0, "skipped": 0, "unreadable": 0}
    for version, fmt in session.exec(query.order_by(ResourceVersion.id)).all():
        if not is_tabular(fmt):
            continue
        if version.validation_status == ValidationStatus.error:  # nothing to convert; the report says why
            counts["unreadable"] += 1
            continue
        have = version.parquet_path and store.exists(version.parquet_path)
        if have and not force:
            counts["skipped"] += 1
            continue
        build_parquet(version, fmt, store)
        session.add(version)
        session.commit()
        counts["built" if version.parquet_path else "failed"] += 1
    return counts
