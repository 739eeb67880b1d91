"""The fast path: one streaming read of a CSV into Arrow batches that both proves the table valid and writes its
Parquet file.

frictionless stays the reference. The fast path is *sound by construction*: it only ever concludes "valid" —
when every check below passes on every row, where each check accepts a cell only if frictionless certainly
accepts it too. Anything else (an error found, a cell it cannot decide, a schema feature or dialect it does
not support) makes it answer :class:`Fallback` with the reason, and the caller runs the frictionless
validation and the Parquet conversion of :mod:`catalog.tables.parquet` as before. So the stored report of a
table is always frictionless's (valid with its row count, or frictionless's own errors), and the differential
test (tests/catalog/ingest/test_differential.py) checks exactly that, report and Parquet, over a generated
corpus of clean and broken tables.

What is decided here, column by column, vectorized (pyarrow.compute):

- the CSV dialect and the header come from frictionless itself (it opens the file and sniffs a sample: the
  same delimiter and labels its validation would use); labels must equal the field names, in order;
- cells are read by ``pyarrow.csv`` as strings with that delimiter; a row of another width, a row of missing
  values only (frictionless: ``blank-row``) or an empty line makes the table fall back;
- missingValues (schema or field) → null; ``required``; types ``string`` (default format), ``integer`` and
  ``number`` (plain decimal notation, ASCII or full-width digits, no groupChar/decimalChar/bareNumber),
  ``boolean`` (trueValues/falseValues), ``date`` (default format or one made of ``%Y``, ``%m``, ``%d`` and
  literal characters, two-digit month and day);
- constraints ``minimum``/``maximum`` (integer, number, date), ``minLength``/``maxLength``/``pattern``/``enum``
  (string fields; ``pattern`` with Python's ``re``, the way frictionless compiles it, on each batch's distinct
  values), ``unique`` and the ``primaryKey`` (over the whole table).

``unique`` and primary-key columns are kept (as Arrow arrays) until the end of the table; every other column is
written to Parquet batch by batch, so memory stays bounded by the batch size plus those key columns.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from frictionless import Schema
from frictionless.formats import CsvControl

from catalog.config import Settings, Validator
from catalog.storage import FileStore
from catalog.tables.parquet import ROW_COLUMN, arrow_schema, store_parquet_file
from catalog.validation import ValidationOutcome, table_resource
from catalog.vocabulary import ValidationStatus

BLOCK_BYTES = 4 << 20  # bytes pyarrow reads per batch (about 50,000 rows of a typical table)
ENCODINGS = {"utf-8", "utf-8-sig", "gb18030"}
_FIELD_KEYS = {"name", "type", "format", "title", "description", "constraints", "missingValues", "trueValues",
               "falseValues", "example", "rdfType"}
_SCHEMA_KEYS = {"fields", "primaryKey", "missingValues", "name", "title", "description", "$schema", "profile"}
_CONSTRAINTS = {
    "string": {"required", "unique", "minLength", "maxLength", "pattern", "enum"},
    "integer": {"required", "unique", "minimum", "maximum"},
    "number": {"required", "unique", "minimum", "maximum"},
    "date": {"required", "unique", "minimum", "maximum"},
    "boolean": {"required"},
}
_DIGITS = "[0-9\uff10-\uff19]"  # ASCII and full-width: int()/Decimal() read both, NFKC maps one to the other
_INTEGER = f"^-?{_DIGITS}{{1,18}}$"
_NUMBER = f"^-?{_DIGITS}{{1,15}}(?:\\.{_DIGITS}{{1,15}})?$"
_DATE_PARTS = {"%Y": "[0-9]{4}", "%m": "(?:0[1-9]|1[0-2])", "%d": "(?:0[1-9]|[12][0-9]|3[01])"}
_NUMBER_MARGIN = 1e-9  # a number this close to its bound is left to frictionless (Decimal vs float)


log = logging.getLogger(__name__)


class Fallback(Exception):
    """The fast path cannot decide this table as frictionless would; the message says why."""


@dataclass
class FastResult:
    outcome: ValidationOutcome
    parquet_path: str  # relative path in the file store


def _check(condition: bool, reason: str) -> None:
    if not condition:
        raise Fallback(reason)


def _date_regex(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            part = fmt[i:i + 2]
            _check(part in _DATE_PARTS, f"date format {fmt!r}")
            out.append(_DATE_PARTS[part])
            i += 2
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return "^" + "".join(out) + "$"


class _Column:
    """One field: raw strings of a batch → the typed Arrow array, or :class:`Fallback` if any cell is not
    certainly valid."""

    def __init__(self, field: Any, descriptor: dict[str, Any], schema_missing: list[str]):
        self.name = field.name
        self.kind = field.type
        _check(self.kind in _CONSTRAINTS, f"field '{self.name}' of type {self.kind}")
        _check(set(descriptor) <= _FIELD_KEYS, f"field '{self.name}' has {sorted(set(descriptor) - _FIELD_KEYS)}")
        self.format = descriptor.get("format", "default")
        _check(self.kind in ("date", "boolean") or self.format == "default",
               f"field '{self.name}' has format {self.format}")
        self.constraints = dict(field.constraints or {})
        extra = set(self.constraints) - _CONSTRAINTS[self.kind]
        _check(not extra, f"field '{self.name}' has constraints {sorted(extra)}")
        missing = field.missing_values if field.has_defined("missing_values") else schema_missing
        self.missing = pa.array(sorted(set(missing)), pa.string())
        self.type = arrow_schema({"fields": [descriptor]}).field(0).type
        reader = field.create_value_reader()
        self.bounds = {k: reader(self.constraints[k]) for k in ("minimum", "maximum") if k in self.constraints}
        _check(all(v is not None for v in self.bounds.values()), f"field '{self.name}' has an unreadable bound")
        self.pattern = re.compile(f"^{self.constraints['pattern']}$") if "pattern" in self.constraints else None
        self.enum = None
        if "enum" in self.constraints:
            _check(all(isinstance(v, str) for v in self.constraints["enum"]), f"field '{self.name}' enum")
            self.enum = pa.array(self.constraints["enum"], pa.string())
        if self.kind == "boolean":
            self.true_values = pa.array(list(field.true_values), pa.string())
            self.false_values = pa.array(list(field.false_values), pa.string())
        if self.kind == "date":
            self.date_format = "%Y-%m-%d" if self.format == "default" else self.format
            self.date_regex = _date_regex(self.date_format)

    def __call__(self, raw: pa.Array) -> pa.Array:
        present = pc.if_else(pc.is_in(raw, value_set=self.missing), pa.scalar(None, pa.string()), raw)
        if self.constraints.get("required"):
            _check(present.null_count == 0, f"a required cell of '{self.name}' is missing")
        typed = self._typed(present)
        self._constrain(present, typed)
        return typed

    def _all(self, mask: pa.Array, reason: str) -> None:
        # null (a missing cell) counts as passing: frictionless skips missing cells for these checks
        _check(pc.all(pc.fill_null(mask, True)).as_py() is not False, f"{reason} in '{self.name}'")

    def _typed(self, present: pa.Array) -> pa.Array:
        if self.kind == "string":
            return present
        if self.kind == "boolean":
            self._all(pc.or_(pc.is_in(present, value_set=self.true_values),
                             pc.is_in(present, value_set=self.false_values)), "a non-boolean cell")
            return pc.if_else(pc.is_valid(present), pc.is_in(present, value_set=self.true_values),
                              pa.scalar(None, pa.bool_()))
        if self.kind == "date":
            self._all(pc.match_substring_regex(present, self.date_regex), "a date cell off its format")
            stamps = pc.strptime(present, format=self.date_format, unit="s", error_is_null=True)
            # pyarrow's strptime rolls 2024-02-30 over to March: the date must print back as it was written
            again = pc.strftime(stamps, format=self.date_format)
            self._all(pc.equal(again, present), "an impossible date")
            return stamps.cast(pa.date32())
        pattern = _INTEGER if self.kind == "integer" else _NUMBER
        self._all(pc.match_substring_regex(present, pattern), f"a cell that is not a plain {self.kind}")
        return pc.cast(pc.utf8_normalize(present, form="NFKC"), self.type)

    def _constrain(self, present: pa.Array, typed: pa.Array) -> None:
        c = self.constraints
        if "minLength" in c:
            self._all(pc.greater_equal(pc.utf8_length(present), c["minLength"]), "a cell under minLength")
        if "maxLength" in c:
            self._all(pc.less_equal(pc.utf8_length(present), c["maxLength"]), "a cell over maxLength")
        if self.enum is not None:
            self._all(pc.is_in(present, value_set=self.enum), "a cell outside the enum")
        if self.pattern is not None:
            for value in pc.unique(present.drop_null()).to_pylist():
                _check(self.pattern.match(value) is not None, f"a cell not matching the pattern of '{self.name}'")
        for key, bound in self.bounds.items():
            if self.kind == "number":
                margin = _NUMBER_MARGIN * max(1.0, abs(float(bound)))
                low, high = (float(bound) + margin, None) if key == "minimum" else (None, float(bound) - margin)
                mask = pc.greater_equal(typed, low) if low is not None else pc.less_equal(typed, high)
            else:
                scalar = pa.scalar(bound, self.type) if isinstance(bound, (int, date)) else None
                _check(scalar is not None, f"bound of '{self.name}'")
                mask = pc.greater_equal(typed, scalar) if key == "minimum" else pc.less_equal(typed, scalar)
            self._all(mask, f"a cell beyond its {key}")


def _open(path: Path, fmt: str, encoding: str | None, schema: dict[str, Any] | None,
          dialect: dict[str, Any] | None) -> tuple[dict[str, Any], list[str], CsvControl]:
    """frictionless opens the file (a sample): its dialect, labels, and the schema (inferred if none)."""
    resource = table_resource(path, fmt=fmt, encoding=encoding, schema=schema, dialect=dialect)
    with resource:
        _check(resource.header.valid, "the header has label errors")
        _check(list(resource.dialect.header_rows) == [1] and not resource.dialect.comment_char
               and not resource.dialect.comment_rows and resource.dialect.header,
               "a dialect with other header rows or comments")
        return resource.schema.to_descriptor(), list(resource.labels), CsvControl.from_dialect(resource.dialect)


def _reader(path: Path, encoding: str, control: CsvControl, labels: list[str], bad_rows: list[int]) -> Any:
    _check(control.quote_char == '"' and control.double_quote and control.escape_char is None
           and not control.skip_initial_space and control.null_sequence is None and len(control.delimiter) == 1,
           "a CSV dialect other than quoted fields with a one-character delimiter")

    def invalid(row: Any) -> str:
        bad_rows.append(row.number or 0)
        return "skip"

    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(encoding="utf8" if encoding == "utf-8" else encoding,
                                       block_size=BLOCK_BYTES, use_threads=False),
        parse_options=pacsv.ParseOptions(delimiter=control.delimiter, quote_char='"', double_quote=True,
                                         newlines_in_values=True, ignore_empty_lines=False,
                                         invalid_row_handler=invalid),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(labels, pa.string()), strings_can_be_null=False,
                                             quoted_strings_can_be_null=False, null_values=[],
                                             check_utf8=True, auto_dict_encode=False),
    )


def ingest_csv(path: Path, *, encoding: str | None, schema: dict[str, Any] | None,
               dialect: dict[str, Any] | None, store: FileStore) -> FastResult:
    """Validate the CSV at ``path`` and write its Parquet file into the store in one read, or raise
    :class:`Fallback`. Returns the outcome (always valid) and the stored Parquet path."""
    _check(encoding in ENCODINGS, f"encoding {encoding}")
    used, labels, control = _open(path, "csv", encoding, schema, dialect)
    _check(set(used) <= _SCHEMA_KEYS and "foreignKeys" not in used, "a schema property it does not check")
    fields_desc = used.get("fields", [])
    _check(bool(fields_desc) and labels == [f["name"] for f in fields_desc], "labels differ from the field names")
    _check(all(f["name"] != ROW_COLUMN for f in fields_desc), f"a field named '{ROW_COLUMN}'")
    fschema = Schema.from_descriptor(used)  # its fields give frictionless's own value readers and defaults
    columns = [_Column(f, d, list(fschema.missing_values)) for f, d in zip(fschema.fields, fields_desc, strict=True)]
    key_names = [name for name in (used.get("primaryKey") or [])]
    if isinstance(used.get("primaryKey"), str):
        key_names = [used["primaryKey"]]
    _check(all(k in labels for k in key_names), "a primary key naming no field")
    keep = {c.name for c in columns if c.constraints.get("unique")} | set(key_names)
    kept: dict[str, list[pa.Array]] = {name: [] for name in keep}

    target = arrow_schema(used)
    bad_rows: list[int] = []
    store.root.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=store.root, prefix=".incoming-", suffix=".parquet")
    os.close(fd)
    tmp = Path(name)
    rows = 0
    try:
        try:
            reader = _reader(path, encoding or "utf-8", control, labels, bad_rows)
        except (pa.ArrowInvalid, UnicodeError) as exc:
            raise Fallback(f"pyarrow cannot read it: {exc}") from None
        _check(reader.schema.names == labels, "pyarrow reads other labels than frictionless")
        with pq.ParquetWriter(tmp, target, compression="zstd") as writer:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except (pa.ArrowInvalid, UnicodeError) as exc:
                    raise Fallback(f"pyarrow cannot read it: {exc}") from None
                _check(not bad_rows, "a row of another width or an empty line")
                empty = pc.equal(batch.column(0), "")
                for i in range(1, batch.num_columns):
                    empty = pc.and_(empty, pc.equal(batch.column(i), ""))
                _check(not pc.any(empty).as_py(), "an empty line or a row of empty cells")
                typed = [column(batch.column(i)) for i, column in enumerate(columns)]
                blank = pc.and_kleene(*[pc.is_null(a) for a in typed[:2]]) if len(typed) > 1 else pc.is_null(typed[0])
                for extra in typed[2:]:
                    blank = pc.and_kleene(blank, pc.is_null(extra))
                _check(not pc.any(blank).as_py(), "a blank row")
                numbers = pa.array(range(rows + 2, rows + 2 + batch.num_rows), pa.int64())
                writer.write_batch(pa.RecordBatch.from_arrays([*typed, numbers], schema=target))
                for column, array in zip(columns, typed, strict=True):
                    if column.name in kept:
                        kept[column.name].append(array)
                rows += batch.num_rows
        _check(not bad_rows, "a row of another width or an empty line")
        _check(rows > 0, "no data rows")
        _unique(columns, kept, key_names)
        relpath = store_parquet_file(store, tmp)
    finally:
        if tmp.exists():
            tmp.unlink()
    report = {"valid": True, "row_count": rows, "error_count": 0, "errors_by_type": {}, "errors": [],
              "truncated": False, "encoding": encoding, "validator": "fast"}
    outcome = ValidationOutcome(status=ValidationStatus.valid, row_count=rows, report=report, schema=used)
    return FastResult(outcome=outcome, parquet_path=relpath)


def _unique(columns: list[_Column], kept: dict[str, list[pa.Array]], key_names: list[str]) -> None:
    for column in columns:
        if column.constraints.get("unique"):
            values = pa.chunked_array(kept[column.name], column.type).drop_null()
            _check(pc.count_distinct(values).as_py() == len(values), f"a repeated value in unique '{column.name}'")
    if key_names:
        parts = []
        for name in key_names:
            values = pa.chunked_array(kept[name], next(c.type for c in columns if c.name == name))
            _check(values.null_count == 0, f"a missing primary-key cell in '{name}'")
            parts.append(pc.cast(values, pa.string()))
        # Joined as text: two different keys can only collide into a false duplicate (→ frictionless decides).
        joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
        _check(pc.count_distinct(joined).as_py() == len(joined), "a repeated primary key")


def try_fast_path(path: Path, *, fmt: str | None, encoding: str | None, schema: dict[str, Any] | None,
                  dialect: dict[str, Any] | None, store: FileStore, settings: Settings) -> FastResult | None:
    """The fast path's answer for one stored table, or None when the caller must use frictionless (the
    setting says so, the format is not CSV, or the fast path falls back)."""
    if settings.validator != Validator.fast or (fmt or "").lower() != "csv":
        return None
    try:
        return ingest_csv(path, encoding=encoding, schema=schema, dialect=dialect, store=store)
    except Fallback as exc:
        log.debug("fast path falls back to frictionless for %s: %s", path.name, exc)
    except Exception:  # a reader/Arrow/disk failure: the frictionless path decides and records it
        log.warning("fast path failed on %s; using frictionless", path.name, exc_info=True)
    return None
