"""The fast path: one streaming read of a table into Arrow batches that validates it against its Table Schema —
producing the same stored report frictionless would, valid or not — and writes its Parquet file. CSV is read by
pyarrow; XLSX and JSON tables by frictionless's own cell stream (openpyxl read-only, ijson), see
catalog/ingest/cells.py, and then checked the same way.

frictionless stays the reference, and the fast path leans on it wherever exactness needs it:

- frictionless opens the file (a sample) and gives the dialect, the labels, the label errors and the schema
  (inferred the same way when none was published);
- pyarrow reads the rows of a CSV as raw strings (XLSX/JSON: the cells' text views); each column is checked
  vectorized (pyarrow.compute), and a cell counts as *proven* only if frictionless certainly accepts it (below);
- every row with a cell not proven (and every blank row, row of another width, or row whose primary-key cells
  are all missing) is read again by frictionless's own ``Row`` with frictionless's cell handlers: its errors are
  frictionless's (type-error, constraint-error, missing-cell, extra-cell, blank-row, with their notes, cells and
  messages), and so are its typed values. Most rows of most tables are proven, so this costs nothing there;
- ``unique`` and primary-key repeats are found over the whole table in bounded memory (catalog/ingest/keys.py:
  16 bytes per row per unique column or primary key, spilled to disk past 2 M rows) and replayed in
  frictionless's order (catalog/ingest/reports.py), with the error cap applied where frictionless applies it;
- the Parquet columns are the proven cells' typed arrays, with the other cells typed by the frictionless-based
  writer's own typer (catalog/tables/parquet.py), so the file holds the same rows either way.

Proven vectorized, column by column: missingValues (schema or field) → null; ``required``; types ``string``
(default format), ``integer`` and ``number`` (plain decimal notation, ASCII or full-width digits, no
groupChar/decimalChar/bareNumber), ``boolean`` (trueValues/falseValues), ``date`` (default format or one made of
``%Y``, ``%m``, ``%d`` and literal characters, two-digit month and day), ``year`` (four ASCII digits);
constraints ``minimum``/``maximum`` (integer, number, date, year), ``minLength``/``maxLength``/``pattern``/``enum``
(string fields; ``pattern`` as Python's ``re`` answers, the way frictionless compiles it: by RE2 where the two
cannot differ, see catalog/ingest/patterns.py, else by ``re`` on each batch's distinct values). Any other cell of these
types is left to frictionless's reader (spaces, ``+``, exponents, 19+ digits, NaN, a number within 1e-9 of its
bound, one-digit months …).

Falls back to frictionless (:class:`Fallback`, per resource) — the constructs where the same report cannot be
guaranteed:

- other field types (datetime, time, yearmonth, duration, geopoint, object, array, any), string formats,
  ``groupChar``/``decimalChar``/``bareNumber``, other constraints, foreign keys, a boolean primary-key field;
- missing or extra labels (frictionless then pairs a made-up ``any`` field with an extra label and drops the
  field of a missing one, while the frictionless-based Parquet writer pairs cells with the schema by position —
  the two readings differ); a CSV label with a line break;
- CSV only: a dialect other than ``"``-quoted fields with doubled quotes and a one-character delimiter; encodings
  other than UTF-8 (with or without BOM) and GB18030; header rows other than the first, comment rows;
- other formats: XLS, TSV, JSON Lines (not in the differential corpus yet);
- an empty line or a row of empty cells when ``""`` is not a missing value of every field (pyarrow reads an empty
  line as a row of empty cells, frictionless as a row of no cells: only with ``""`` missing are both blank);
- a row of another width whose number pyarrow does not know; a signalling NaN in a unique column; a digest
  collision (equal digests whose typed values differ: the rows are compared with frictionless's values before
  anything is reported); a file pyarrow cannot read; a table without data rows.

The differential test (tests/catalog/ingest/test_differential.py) checks report, schema and Parquet equality
against frictionless over a generated corpus of clean and broken tables.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import queue
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Self

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from frictionless import FrictionlessException, Schema
from frictionless.formats import CsvControl
from frictionless.table.row import Row, create_cell_handlers

from catalog.config import Settings, Validator, get_settings
from catalog.ingest.cells import FORMATS as CELL_FORMATS
from catalog.ingest.cells import read_rows, text_view
from catalog.ingest.keys import DigestLog, Unhashable, canonical, canonical_number, digests, tuple_key
from catalog.ingest.patterns import re2_equivalent
from catalog.ingest.reports import collect, row_errors, summarize
from catalog.privacy.scan import TableScan, metas_of
from catalog.storage import FileStore
from catalog.tables.parquet import ROW_COLUMN, _ColumnTyper, arrow_schema, store_parquet_file
from catalog.validation import ValidationOutcome, table_resource

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
    "year": {"required", "unique", "minimum", "maximum"},
    "boolean": {"required"},
}
_DIGITS = "[0-9\uff10-\uff19]"  # ASCII and full-width: int()/Decimal() read both, NFKC maps one to the other
_INTEGER = f"^-?{_DIGITS}{{1,18}}$"
_YEAR = "^[0-9]{4}$"  # frictionless: a text of four characters int() reads (ASCII here; the rest goes to it)
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
    pii_report: dict[str, Any] | None = None  # the personal-information scan of the same batches


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


def _re2(pattern: str) -> str | None:
    """The RE2 form of a pattern constraint, when it is certain to agree with Python's ``re`` and RE2 takes it."""
    rewritten = re2_equivalent(pattern)
    if rewritten is None:
        return None
    try:
        pc.match_substring_regex(pa.array([""], pa.string()), rewritten)
    except pa.ArrowInvalid:  # too large a program, say
        return None
    return rewritten


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of valid proleptic Gregorian dates (H. Hinnant's ``days_from_civil``)."""
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return (era * 146097 + doe - 719468).astype(np.int32)


def _value_starts(strings: pa.Array) -> np.ndarray:
    """Where each value of a string array starts in its data buffer."""
    kind = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(strings.buffers()[1], dtype=kind)
    return offsets[strings.offset:strings.offset + len(strings)].astype(np.int64)


def _date_parts(fmt: str) -> dict[str, tuple[int | None, int]]:
    """Where each part of a date format (of ``%Y``, ``%m``, ``%d`` and literal characters) starts in the UTF-8 of
    a text it matches, and the value Python's strptime gives a part the format lacks (1900, 1, 1)."""
    starts: dict[str, int] = {}
    i = at = 0
    while i < len(fmt):
        if fmt[i] == "%":
            part = fmt[i:i + 2]
            _check(part not in starts, f"date format {fmt!r} repeats {part}")
            starts[part] = at
            at += 4 if part == "%Y" else 2
            i += 2
        else:
            at += len(fmt[i].encode())
            i += 1
    defaults = {"%Y": 1900, "%m": 1, "%d": 1}
    return {part: (starts.get(part), default) for part, default in defaults.items()}


class _Column:
    """One field: raw strings of a batch → the typed Arrow array (as the reference Parquet writer types it), the
    cells it *proves* valid (a mask: every other cell goes to frictionless's own cell reader), and, for unique
    and primary-key fields, each cell's canonical key text."""

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
        self.missing_texts = set(missing)
        self.missing = pa.array(sorted(self.missing_texts), pa.string())
        self.type = arrow_schema({"fields": [descriptor]}).field(0).type
        self.typer = _ColumnTyper(field, list(missing))  # the reference writer's typer, for the cells left over
        reader = field.create_value_reader()
        self.bounds = {k: reader(self.constraints[k]) for k in ("minimum", "maximum") if k in self.constraints}
        _check(all(v is not None for v in self.bounds.values()), f"field '{self.name}' has an unreadable bound")
        self.pattern = re.compile(f"^{self.constraints['pattern']}$") if "pattern" in self.constraints else None
        self.re2 = _re2(self.constraints["pattern"]) if "pattern" in self.constraints else None
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
            self.date_parts = _date_parts(self.date_format)

    def __call__(self, raw: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
        """(typed, proven, present): ``proven`` is true where the cell is certainly valid for frictionless;
        ``typed`` is exact where proven (the caller replaces the rest); ``present`` is the text, null where
        the cell is a missing value."""
        missing = pc.is_in(raw, value_set=self.missing)
        # most columns of most batches have no missing value: then the text itself, not a copy
        present = pc.if_else(missing, pa.scalar(None, pa.string()), raw) if pc.any(missing).as_py() else raw
        proven = pc.is_valid(present) if self.constraints.get("required") else pa.repeat(True, len(raw))
        typed, readable = self._typed(present)
        proven = pc.and_(proven, pc.or_(pc.is_null(present), pc.fill_null(readable, False)))
        for passes in self._constraints(present, typed):
            proven = pc.and_(proven, pc.fill_null(passes, True))  # null (a missing cell) passes them all
        return typed, proven, present

    def _typed(self, present: pa.Array) -> tuple[pa.Array, pa.Array]:
        """The typed array (null where not readable) and where it is certainly readable."""
        if self.kind == "string":
            return present, pc.is_valid(present)
        if self.kind == "boolean":
            readable = pc.or_(pc.is_in(present, value_set=self.true_values),
                              pc.is_in(present, value_set=self.false_values))
            typed = pc.if_else(readable, pc.is_in(present, value_set=self.true_values), pa.scalar(None, pa.bool_()))
            return typed, readable
        if self.kind == "date":
            # the regex fixes every part's place in the text's bytes (ASCII digits, the same literal characters):
            # the digits are read from Arrow's buffer and the date checked in numpy, as Python's datetime checks it
            shaped = pc.fill_null(pc.match_substring_regex(present, self.date_regex), False)
            valid = np.asarray(shaped.to_numpy(zero_copy_only=False), dtype=bool)
            starts = _value_starts(present)[valid]
            data = np.frombuffer(present.buffers()[2] or b"", dtype=np.uint8)
            parts = {}
            for part, (at, default) in self.date_parts.items():
                number = np.full(len(starts), default, np.int64)
                if at is not None:
                    number[:] = 0
                    for k in range(4 if part == "%Y" else 2):
                        number = number * 10 + data[starts + at + k] - 48
                parts[part] = number
            year, month, day = parts["%Y"], parts["%m"], parts["%d"]
            leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
            length = _MONTH_DAYS[month - 1] + ((month == 2) & leap)
            ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)  # as datetime checks
            valid[valid] = ok
            days = np.zeros(len(present), np.int32)
            days[valid] = _days_from_civil(year[ok], month[ok], day[ok])
            typed = pa.array(days, pa.date32(), mask=~valid)
            readable = pa.array(valid)
            return typed, readable
        pattern = {"integer": _INTEGER, "year": _YEAR}.get(self.kind, _NUMBER)
        readable = pc.fill_null(pc.match_substring_regex(present, pattern), False)
        plain = pc.if_else(readable, present, pa.scalar(None, pa.string()))
        if not pc.all(pc.string_is_ascii(plain)).as_py():  # full-width digits: NFKC makes them ASCII
            plain = pc.utf8_normalize(plain, form="NFKC")
        return pc.cast(plain, self.type), readable

    def _constraints(self, present: pa.Array, typed: pa.Array) -> list[pa.Array]:
        c, out = self.constraints, []
        if "minLength" in c:
            out.append(pc.greater_equal(pc.utf8_length(present), c["minLength"]))
        if "maxLength" in c:
            out.append(pc.less_equal(pc.utf8_length(present), c["maxLength"]))
        if self.enum is not None:
            out.append(pc.is_in(present, value_set=self.enum))
        if self.pattern is not None:
            out.append(self._pattern(present))
        for key, bound in self.bounds.items():
            if self.kind == "number":
                margin = _NUMBER_MARGIN * max(1.0, abs(float(bound)))
                low, high = (float(bound) + margin, None) if key == "minimum" else (None, float(bound) - margin)
                out.append(pc.greater_equal(typed, low) if low is not None else pc.less_equal(typed, high))
            else:
                scalar = pa.scalar(bound, self.type) if isinstance(bound, (int, date)) and not isinstance(
                    bound, bool) else None
                _check(scalar is not None, f"bound of '{self.name}'")
                out.append(pc.greater_equal(typed, scalar) if key == "minimum" else pc.less_equal(typed, scalar))
        return out

    def _pattern(self, present: pa.Array) -> pa.Array:
        """Where the cells match the pattern as Python's ``re`` matches them: by RE2 where the two cannot differ
        (catalog/ingest/patterns.py), by ``re`` on the distinct values otherwise."""
        if self.re2 is None:
            return self._python_pattern(present)
        passes = pc.match_substring_regex(present, self.re2)
        tail = pc.fill_null(pc.ends_with(present, "\n"), False)  # Python's "$" also matches before it
        if pc.any(tail).as_py():
            passes = pc.if_else(tail, self._python_pattern(pc.if_else(tail, present, pa.scalar(None, pa.string()))),
                                passes)
        return passes

    def _python_pattern(self, present: pa.Array) -> pa.Array:
        assert self.pattern is not None
        distinct = pc.unique(present.drop_null())
        good = [v for v in distinct.to_pylist() if self.pattern.match(v) is not None]
        return pc.is_in(present, value_set=pa.array(good, pa.string()))

    def parquet(self, raw: pa.Array, typed: pa.Array, proven: pa.Array, cells: list[Any] | None) -> pa.Array:
        """The column as the reference writer stores it: proven cells vectorized, the others through its typer
        (given the cells as read, ``cells``, when ``raw`` is only their text)."""
        if pc.all(proven).as_py():
            return typed
        odd = pc.invert(proven)
        if cells is None:
            originals = pc.filter(raw, odd).to_pylist()
        else:
            originals = [cells[i] for i in np.flatnonzero(odd.to_numpy(zero_copy_only=False))]
        values = self.typer._per_cell(originals)
        return pc.replace_with_mask(typed, odd, values)

    def key(self, typed: pa.Array, present: pa.Array) -> pa.Array:
        """Keys of the proven cells (see catalog.ingest.keys): integers for integer and year fields, else the
        canonical texts."""
        if self.kind == "string":
            return present
        if self.kind == "number":
            return canonical_number(pc.utf8_normalize(pc.if_else(pc.is_valid(typed), present,
                                                                 pa.scalar(None, pa.string())), form="NFKC"))
        if self.key_type == pa.int64():
            return typed
        return pc.cast(typed, pa.string())

    @property
    def key_type(self) -> pa.DataType:
        return pa.int64() if self.kind in ("integer", "year") else pa.string()

    def cell_key(self, value: Any, number: int) -> str | int | None:
        """The key of frictionless's typed value (see :meth:`key`)."""
        if self.key_type == pa.int64() and isinstance(value, int) and not isinstance(value, bool):
            _check(-(1 << 63) <= value < (1 << 63), f"an integer key beyond 64 bits in '{self.name}'")
            return value
        _check(value is None or self.key_type == pa.string(), f"a key of '{self.name}' that is not an integer")
        return canonical(value, f"{number}")


@dataclass
class _Opened:
    schema: dict[str, Any]  # the schema used (the inferred one when none was published)
    labels: list[str]
    control: CsvControl
    header_errors: list[Any]  # frictionless's label errors, reported before the rows
    expected: list[str]  # the fields frictionless pairs with the labels


def _open(path: Path, fmt: str, encoding: str | None, schema: dict[str, Any] | None,
          dialect: dict[str, Any] | None) -> _Opened:
    """frictionless opens the file (a sample): its dialect, labels, label errors and the schema (inferred if
    none). A file frictionless cannot open (not a table, a bad workbook) is frictionless's to report."""
    try:
        resource = table_resource(path, fmt=fmt, encoding=encoding, schema=schema, dialect=dialect)
        resource.open()
    except FrictionlessException as exc:
        raise Fallback(f"frictionless cannot open it: {exc}") from None
    with resource:
        _check(resource.dialect.header, "a table without a header row")
        # pyarrow reads a CSV's header as its first line; frictionless's own cell stream (XLSX, JSON) skips
        # title rows and comment rows itself
        _check(fmt != "csv" or (list(resource.dialect.header_rows) == [1] and not resource.dialect.comment_char
                                and not resource.dialect.comment_rows),
               "a dialect with other header rows or comments")
        return _Opened(schema=resource.schema.to_descriptor(), labels=list(resource.labels),
                       control=CsvControl.from_dialect(resource.dialect), header_errors=list(resource.header.errors),
                       expected=[f.name for f in resource.header.get_expected_fields()])


@dataclass
class _Batch:
    columns: list[pa.Array]  # raw strings, one per label (for XLSX/JSON: the cells' text, see catalog.ingest.cells)
    numbers: np.ndarray  # frictionless's row number of each row (header = 1)
    ragged: list[tuple[int, list[Any]]]  # rows of another width, due before or inside this batch
    cells: list[list[Any]] | None = None  # XLSX/JSON: the cells as frictionless reads them, column by column
    opaque: list[np.ndarray] | None = None  # XLSX/JSON: cells with no text form (left to frictionless's reader)

    def texts(self) -> list[pa.Array]:
        """Every cell as text, for the personal-information scan: the text views, and ``str`` of the opaque cells
        (a workbook's mobile numbers typed as numbers in a string column are still mobile numbers)."""
        if self.opaque is None or self.cells is None:
            return self.columns
        texts = []
        for text, opaque, cells in zip(self.columns, self.opaque, self.cells, strict=True):
            if opaque.any():
                values = text.to_pylist()
                for i in np.flatnonzero(opaque).tolist():
                    values[i] = str(cells[i])
                text = pa.array(values, pa.string())
            texts.append(text)
        return texts


class _Ordinals:
    """Row number → how many data rows frictionless has read up to it (its ``rows`` stat where it stops)."""

    def __init__(self) -> None:
        self.first: int | None = None
        self.last = 0
        self.skips: list[tuple[int, int]] = []  # (first number after a gap, numbers skipped up to there)

    def feed(self, numbers: np.ndarray) -> None:
        if not len(numbers):
            return
        numbers = np.sort(numbers)
        if self.first is None:
            self.first, self.last = int(numbers[0]), int(numbers[0]) - 1
        previous = np.concatenate([[self.last], numbers[:-1]])
        skipped = self.skips[-1][1] if self.skips else 0
        for at, gap in zip(numbers[numbers - previous > 1].tolist(),
                           (numbers - previous - 1)[numbers - previous > 1].tolist(), strict=True):
            skipped += gap
            self.skips.append((at, skipped))
        self.last = int(numbers[-1])

    def __call__(self, number: int) -> int:
        skipped = max((total for at, total in self.skips if at <= number), default=0)
        return number - (self.first or 0) + 1 - skipped


def _batches(path: Path, encoding: str, control: CsvControl, width: int) -> Iterator[_Batch]:
    """The data rows as raw string columns with their row numbers; rows of another width (which pyarrow cannot
    put in a column) come aside, parsed as frictionless parses them (Python's csv with the same dialect)."""
    _check(control.quote_char == '"' and control.double_quote and control.escape_char is None
           and not control.skip_initial_space and control.null_sequence is None and len(control.delimiter) == 1,
           "a CSV dialect other than quoted fields with a one-character delimiter")
    python_dialect = control.to_python()
    ragged: list[tuple[int, list[str]]] = []
    odd_numbers: list[int] = []

    def invalid(row: Any) -> str:
        if row.number is None or row.number < 2:
            raise Fallback("pyarrow does not know the number of a row of another width")
        cells = next(csv.reader(io.StringIO(row.text, newline=""), dialect=python_dialect), [])
        ragged.append((row.number, cells))
        odd_numbers.append(row.number)
        return "skip"

    names = [f"c{i}" for i in range(width)]
    # a Python file, not the path: pyarrow then reads a block when it parses it, where from a path it reads
    # many blocks ahead (some 60 MB held for a 4 MB block)
    with path.open("rb") as file:
        try:
            reader = pacsv.open_csv(
                file,
                read_options=pacsv.ReadOptions(encoding="utf8" if encoding == "utf-8" else encoding,
                                               block_size=BLOCK_BYTES, use_threads=False, column_names=names,
                                               skip_rows=1),
                parse_options=pacsv.ParseOptions(delimiter=control.delimiter, quote_char='"', double_quote=True,
                                                 newlines_in_values=True, ignore_empty_lines=False,
                                                 invalid_row_handler=invalid),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                     null_values=[], check_utf8=True, auto_dict_encode=False),
            )
        except (pa.ArrowInvalid, UnicodeError) as exc:
            raise Fallback(f"pyarrow cannot read it: {exc}") from None
        following = 2  # the number of the next row pyarrow returns, unless it is a ragged one
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, UnicodeError) as exc:
                raise Fallback(f"pyarrow cannot read it: {exc}") from None
            numbers = np.arange(following, following + batch.num_rows, dtype=np.int64)
            for odd in sorted(n for n in odd_numbers if n >= following):
                if batch.num_rows and odd <= numbers[-1]:
                    numbers[numbers >= odd] += 1
            odd_numbers[:] = [n for n in odd_numbers if batch.num_rows == 0 or n > numbers[-1]]
            if batch.num_rows:
                following = int(numbers[-1]) + 1
                due = [r for r in ragged if r[0] <= numbers[-1]]
                ragged[:] = [r for r in ragged if r[0] > numbers[-1]]
                yield _Batch(list(batch.columns), numbers, due)
    if ragged:
        yield _Batch([pa.array([], pa.string())] * width, np.array([], np.int64), sorted(ragged))


class _Ingest:
    """One table through the fast path: state kept across batches."""

    def __init__(self, opened: _Opened, settings: Settings, encoding: str | None, spill_dir: Path | None = None):
        used = opened.schema
        self.encoding = encoding
        self.report_limit = settings.report_error_limit
        self.schema = used
        fields_desc = used.get("fields", [])
        self.fschema = Schema.from_descriptor(used)  # its fields give frictionless's own readers and defaults
        self.fields = list(self.fschema.fields)
        self.columns = [_Column(f, d, list(self.fschema.missing_values))
                        for f, d in zip(self.fields, fields_desc, strict=True)]
        self._handlers: dict[str, Any] | None = None
        key_names = used.get("primaryKey") or []
        self.key_names = [key_names] if isinstance(key_names, str) else list(key_names)
        _check(all(k in opened.expected for k in self.key_names), "a primary key naming no field")
        self.unique_names = [c.name for c in self.columns if c.constraints.get("unique")]
        self.index = {c.name: i for i, c in enumerate(self.columns)}
        _check(all(self.columns[self.index[k]].kind != "boolean" for k in self.key_names),
               "a boolean primary-key field")
        self.all_missing_blank = all("" in c.missing_texts for c in self.columns)
        self.cap = settings.validation_error_cap
        self.unique_logs = {name: DigestLog(digests, spill_dir=spill_dir) for name in self.unique_names}
        # a one-field primary key that is also unique has the same repeats: one log serves both
        self.key_shared = len(self.key_names) == 1 and self.key_names[0] in self.unique_names
        self.key_log = DigestLog(digests, spill_dir=spill_dir) if self.key_names and not self.key_shared else None
        self.error_rows: dict[int, list[Any]] = {}  # number → raw cells of each row with a cell error
        self.cell_errors = 0  # errors found cell by cell so far (frictionless stops at the cap)
        self.rows = 0
        self.ordinals = _Ordinals()
        self.target = arrow_schema(used)

    def close(self) -> None:
        for log in [*self.unique_logs.values(), *([self.key_log] if self.key_log is not None else [])]:
            log.close()

    def key_repeats(self) -> dict[int, int]:
        if self.key_shared:
            return self.unique_logs[self.key_names[0]].repeats()
        return self.key_log.repeats() if self.key_log is not None else {}

    def _key(self, keys: dict[str, pa.Array]) -> pa.Array:
        """The primary key of each row: its one field's key, or the tuple's canonical text."""
        if len(self.key_names) == 1:
            return keys[self.key_names[0]]
        return tuple_key([keys[name].cast(pa.string()) for name in self.key_names])

    @property
    def handlers(self) -> dict[str, Any]:
        # frictionless's cell handlers validate each field's metadata when built (milliseconds): only when a row
        # needs them
        if self._handlers is None:
            self._handlers = create_cell_handlers(self.fields)
        return self._handlers

    @property
    def collecting(self) -> bool:
        # past the cap, frictionless has stopped reading: later rows cannot change the report
        return not self.cap or self.cell_errors < self.cap

    def batch(self, batch: _Batch, *, csv_text: bool) -> pa.RecordBatch:
        raw, numbers = batch.columns, batch.numbers
        n = len(numbers)
        results = [column(raw[i]) for i, column in enumerate(self.columns)]
        if batch.opaque is not None:
            results = [(typed, pc.and_(ok, pa.array(~opaque)), present)
                       for (typed, ok, present), opaque in zip(results, batch.opaque, strict=True)]
        proven = pa.repeat(True, n)
        blank = pa.repeat(True, n)
        for _, ok, present in results:
            proven = pc.and_(proven, ok)
            blank = pc.and_(blank, pc.is_null(present))
        if csv_text and not self.all_missing_blank:
            # pyarrow reads an empty line as a row of empty cells; frictionless as a row of no cells
            empty = pa.repeat(True, n)
            for column in raw:
                empty = pc.and_(empty, pc.equal(column, ""))
            _check(not pc.any(empty).as_py(), "an empty line or a row of empty cells")
        suspect = pc.or_(pc.invert(proven), blank)
        if self.key_names:
            every_null = pa.repeat(True, n)
            for name in self.key_names:
                every_null = pc.and_(every_null, pc.is_null(results[self.index[name]][0]))
            suspect = pc.or_(suspect, every_null)
        odd = np.flatnonzero(suspect.to_numpy(zero_copy_only=False))
        keys = {name: self.columns[self.index[name]].key(results[self.index[name]][0], results[self.index[name]][2])
                for name in {*self.unique_names, *self.key_names}}
        if len(odd):
            keys = self._read_odd_rows(raw if batch.cells is None else batch.cells, numbers, odd, keys)
        for name, log in self.unique_logs.items():
            log.add(keys[name], numbers)
        if self.key_log is not None:
            self.key_log.add(self._key(keys), numbers)
        typed = [column.parquet(raw[i], *results[i][:2], None if batch.cells is None else batch.cells[i])
                 for i, column in enumerate(self.columns)]
        self.rows += n
        return pa.RecordBatch.from_arrays([*typed, pa.array(numbers, pa.int64())], schema=self.target)

    def _read_odd_rows(self, raw: list[pa.Array] | list[list[Any]], numbers: np.ndarray, odd: np.ndarray,
                       keys: dict[str, pa.Array]) -> dict[str, pa.Array]:
        """Rows with a cell not proven valid go through frictionless's own Row: its errors (kept with the raw
        cells for the report) and its typed values (for the keys)."""
        index = pa.array(odd)
        cells_by_row = list(zip(*[pc.take(column, index).to_pylist() if isinstance(column, pa.Array)
                                  else [column[i] for i in odd.tolist()] for column in raw], strict=True))
        replaced: dict[str, list[Any]] = {name: [] for name in keys}
        for position, cells in zip(odd.tolist(), cells_by_row, strict=True):
            number = int(numbers[position])
            values = self._read_row(list(cells), number)
            for name in keys:
                replaced[name].append(values.get(name))
        mask = np.zeros(len(numbers), dtype=bool)
        mask[odd] = True
        return {name: pc.replace_with_mask(keys[name], pa.array(mask), pa.array(replaced[name], keys[name].type))
                for name in keys}

    def _read_row(self, cells: list[Any], number: int) -> dict[str, str | int | None]:
        """Check one row with frictionless's Row; return the keys of its unique/key cells (the integer of an
        integer or year field, else the canonical text)."""
        if not self.collecting:
            return {}
        row = Row(list(cells), handlers=self.handlers, row_number=number)
        if row.errors:
            self.error_rows[number] = cells
            self.cell_errors += len(row.errors)
        try:
            return {name: self.columns[self.index[name]].cell_key(row[name], number)
                    for name in {*self.unique_names, *self.key_names}}
        except Unhashable as exc:
            raise Fallback(str(exc)) from None

    def ragged(self, rows: list[tuple[int, list[str]]]) -> pa.RecordBatch:
        """Rows of another width: always an error row (missing or extra cells); typed as the reference writer
        pads or cuts them."""
        numbers = np.array([n for n, _ in rows], np.int64)
        width = len(self.columns)
        keys: dict[str, list[Any]] = {name: [] for name in {*self.unique_names, *self.key_names}}
        for number, cells in rows:
            values = self._read_row(cells, number)
            for name, found in keys.items():
                found.append(values.get(name))
        fitted = [r[:width] if len(r) >= width else [*r, *([None] * (width - len(r)))] for _, r in rows]
        columns = [column.typer._per_cell([r[i] for r in fitted]) for i, column in enumerate(self.columns)]
        arrays = {name: pa.array(found, self.columns[self.index[name]].key_type) for name, found in keys.items()}
        for name, log in self.unique_logs.items():
            log.add(arrays[name], numbers)
        if self.key_log is not None:
            self.key_log.add(self._key(arrays), numbers)
        self.rows += len(rows)
        return pa.RecordBatch.from_arrays([*columns, pa.array(numbers, pa.int64())], schema=self.target)


def _merge(main: pa.RecordBatch, extra: pa.RecordBatch | None) -> pa.Table:
    if extra is None:
        return pa.Table.from_batches([main])
    table = pa.Table.from_batches([main, extra])
    return table.take(pc.sort_indices(table.column(ROW_COLUMN)))


def ingest_csv(path: Path, *, encoding: str | None, schema: dict[str, Any] | None,
               dialect: dict[str, Any] | None, store: FileStore, settings: Settings | None = None) -> FastResult:
    """:func:`ingest_table` for a CSV."""
    return ingest_table(path, fmt="csv", encoding=encoding, schema=schema, dialect=dialect, store=store,
                        settings=settings)


def ingest_table(path: Path, *, fmt: str, encoding: str | None, schema: dict[str, Any] | None,
                 dialect: dict[str, Any] | None, store: FileStore, settings: Settings | None = None,
                 scan: bool = True) -> FastResult:
    """Validate the table at ``path`` (CSV, XLSX or JSON) and write its Parquet file into the store in one read (a
    second, partial read only to fetch the rows of repeated unique/primary-key values), or raise
    :class:`Fallback`. Returns the outcome — frictionless's report, valid or not — the stored Parquet path and,
    unless ``scan`` is false (benchmarks only), the personal-information scan of the same batches."""
    settings = settings or get_settings()
    fmt = fmt.lower()
    _check(fmt == "csv" or fmt in CELL_FORMATS, f"format {fmt}")
    if fmt == "csv":
        _check(encoding in ENCODINGS, f"encoding {encoding}")
    opened = _open(path, fmt, encoding, schema, dialect)
    used = opened.schema
    _check(set(used) <= _SCHEMA_KEYS and "foreignKeys" not in used, "a schema property it does not check")
    fields_desc = used.get("fields", [])
    _check(bool(fields_desc) and bool(opened.labels), "no fields or no labels")
    _check(opened.expected == [f["name"] for f in fields_desc] and len(opened.labels) == len(fields_desc),
           "labels missing or extra: frictionless pairs other fields with the cells")
    _check(all(f["name"] != ROW_COLUMN for f in fields_desc), f"a field named '{ROW_COLUMN}'")
    state = _Ingest(opened, settings, encoding, store.scratch_dir())
    if fmt == "csv":
        _check(not any("\n" in label or "\r" in label for label in opened.labels), "a label with a line break")

        def source() -> Iterator[_Batch]:
            return _batches(path, encoding or "utf-8", opened.control, len(opened.labels))
    else:
        kinds = [c.kind for c in state.columns]

        def source() -> Iterator[_Batch]:
            return _cell_batches(path, fmt, encoding, used, dialect, kinds)

    fd, name = tempfile.mkstemp(dir=store.scratch_dir(), prefix=".incoming-", suffix=".parquet")
    os.close(fd)
    tmp = Path(name)
    scanner = TableScan(metas_of(used)) if scan else None
    try:
        # three stages on their own threads (pyarrow's reader, compute and Parquet writer let go of the GIL):
        # the next batch is read and the previous one written while this one is checked
        with _BackgroundWriter(tmp, state.target) as writer:
            for batch in _read_ahead(source()):
                if scanner is not None:  # the cells' text as read, before typing: a mobile typed integer too
                    scanner.feed(batch.texts())
                main = state.batch(batch, csv_text=fmt == "csv")
                extra = state.ragged(batch.ragged) if batch.ragged else None
                state.ordinals.feed(np.concatenate([batch.numbers, [n for n, _ in batch.ragged]]).astype(np.int64))
                writer.write_table(_merge(main, extra))
        _check(state.rows > 0, "no data rows")
        outcome = _report(state, source, opened)
        relpath = store_parquet_file(store, tmp)
    finally:
        state.close()
        if tmp.exists():
            tmp.unlink()
    return FastResult(outcome=outcome, parquet_path=relpath,
                      pii_report=scanner.report() if scanner is not None else None)


_DONE = object()


def _read_ahead(items: Iterator[Any], depth: int = 1) -> Iterator[Any]:
    """``items``, produced on another thread up to ``depth`` ahead; its exception is raised here."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ready.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put((_DONE, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            ready.put((_DONE, exc))

    thread = threading.Thread(target=produce, name="fastpath-read", daemon=True)
    thread.start()
    try:
        while True:
            item, error = ready.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a producer blocked on a full queue see the stop
            try:
                ready.get_nowait()
            except queue.Empty:
                thread.join(0.05)


class _BackgroundWriter:
    """A Parquet writer fed through a short queue and writing on its own thread."""

    def __init__(self, path: Path, schema: pa.Schema, depth: int = 1):
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        self._queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fastpath-write", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (table := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._writer.write_table(table)
                except BaseException as exc:  # noqa: BLE001 - raised on the caller's thread
                    self._error = exc

    def write_table(self, table: pa.Table) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(table)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join()
        self._writer.close()
        if self._error is not None and exc[0] is None:
            raise self._error


def _cell_batches(path: Path, fmt: str, encoding: str | None, schema: dict[str, Any],
                  dialect: dict[str, Any] | None, kinds: list[str]) -> Iterator[_Batch]:
    for numbers, columns, ragged in read_rows(path, fmt=fmt, encoding=encoding, schema=schema, dialect=dialect,
                                              width=len(kinds)):
        views = [text_view(cells, kind) for cells, kind in zip(columns, kinds, strict=True)]
        yield _Batch(columns=[text for text, _ in views], numbers=numbers, ragged=ragged, cells=columns,
                     opaque=[opaque for _, opaque in views])


def _report(state: _Ingest, source: Callable[[], Iterator[_Batch]], opened: _Opened) -> ValidationOutcome:
    unique_repeats = {name: log.repeats() for name, log in state.unique_logs.items()}
    key_repeats = state.key_repeats()
    if not state.collecting:  # frictionless stopped by this row: repeats after it cannot be reported
        last = max(state.error_rows)
        unique_repeats = {k: {r: m for r, m in v.items() if r <= last} for k, v in unique_repeats.items()}
        key_repeats = {r: m for r, m in key_repeats.items() if r <= last}
    wanted = {r for v in unique_repeats.values() for pair in v.items() for r in pair}
    wanted |= {r for pair in key_repeats.items() for r in pair}
    cells = dict(state.error_rows)
    missing = wanted - set(cells)
    if missing:
        cells.update(_fetch_rows(source, missing))
    _check(set(cells) >= wanted, "a repeated row could not be read again")
    _verify(state, cells, unique_repeats, key_repeats)
    numbers = sorted(set(state.error_rows) | {r for v in unique_repeats.values() for r in v} | set(key_repeats))
    rows = ((n, row_errors(cells[n], n, state.handlers, state.unique_names, state.key_names, unique_repeats,
                           key_repeats)) for n in numbers)
    errors, row_count = collect(opened.header_errors, rows, state.cap, state.rows, state.ordinals)
    return summarize(errors, row_count, state.schema, state.encoding, report_limit=state.report_limit, cap=state.cap)


def _fetch_rows(source: Callable[[], Iterator[_Batch]], numbers: set[int]) -> dict[int, list[Any]]:
    """The raw cells of the given rows, read again (the rows of repeated values that had no cell error)."""
    wanted = pa.array(sorted(numbers), pa.int64())
    found: dict[int, list[Any]] = {}
    for batch in source():
        hits = np.flatnonzero(pc.is_in(pa.array(batch.numbers), value_set=wanted).to_numpy(zero_copy_only=False))
        if len(hits):
            index = pa.array(hits)
            if batch.cells is None:
                taken = [pc.take(column, index).to_pylist() for column in batch.columns]
            else:
                taken = [[column[i] for i in hits.tolist()] for column in batch.cells]
            for position, cells in zip(hits.tolist(), zip(*taken, strict=True), strict=True):
                found[int(batch.numbers[position])] = list(cells)
        found.update((n, cells) for n, cells in batch.ragged if n in numbers)
    return found


def _verify(state: _Ingest, cells: dict[int, list[Any]], unique_repeats: dict[str, dict[int, int]],
            key_repeats: dict[int, int]) -> None:
    """Equal digests are candidates: frictionless's typed values must be equal too (else a hash collision)."""
    def values(number: int, names: list[str]) -> tuple[Any, ...]:
        row = Row(list(cells[number]), handlers=state.handlers, row_number=number)
        return tuple(row[name] for name in names)

    for name, repeats in unique_repeats.items():
        for row, match in repeats.items():
            _check(values(row, [name]) == values(match, [name]), f"a digest collision in '{name}'")
    for row, match in key_repeats.items():
        _check(values(row, state.key_names) == values(match, state.key_names), "a digest collision in the key")


def try_fast_path(path: Path, *, fmt: str | None, encoding: str | None, schema: dict[str, Any] | None,
                  dialect: dict[str, Any] | None, store: FileStore, settings: Settings) -> FastResult | None:
    """The fast path's answer for one stored table, or None when the caller must use frictionless (the
    setting says so, the format is not CSV, XLSX or JSON, or the fast path falls back)."""
    fmt = (fmt or "").lower()
    if settings.validator != Validator.fast or (fmt != "csv" and fmt not in CELL_FORMATS):
        return None
    try:
        return ingest_table(path, fmt=fmt, encoding=encoding, schema=schema, dialect=dialect, store=store,
                            settings=settings)
    except Fallback as exc:
        log.debug("fast path falls back to frictionless for %s: %s", path.name, exc)
    except Exception:  # a reader/Arrow/disk failure: the frictionless path decides and records it
        log.warning("fast path failed on %s; using frictionless", path.name, exc_info=True)
    return None
