"""The rows API's query-string vocabulary, parsed in one place (as Datasette's ``filters.py``).

``col=value``, ``col__ne/gt/gte/lt/lte/in/contains/startswith/isnull``, ``_sort`` / ``_sort_desc``, ``_fields``,
``_size`` and an opaque ``_next`` token, ``_total=1``, and ``_search=text`` (rows where any text column contains
it, case-insensitively). Column names are checked
against the Table Schema here, so everything after parsing (``catalog.tables.sql``, ``catalog.tables.engine``)
only ever sees names of real columns; values are typed by the column's type here, so they reach the database as
bound parameters of the right type — user text never becomes SQL.

Why values are typed before the query rather than cast in SQL: a bad value (``total_spaces__gt=很多``) is a 422
with a message naming the column, not a DuckDB conversion error halfway through a scan.
"""

from __future__ import annotations

import base64
import json
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any

from catalog import json_input
from catalog.config import Settings, get_settings
from catalog.models import ResourceVersion
from catalog.storage import FileStore, open_store
from catalog.tables.parquet import BEIJING

OPERATORS = ("exact", "ne", "gt", "gte", "lt", "lte", "in", "contains", "startswith", "isnull")
RESERVED = ("_sort", "_sort_desc", "_fields", "_size", "_next", "_total", "_search")
MAX_SEARCH_CHARS = 100
_TRUE = {"1", "true", "yes", "是"}
_FALSE = {"0", "false", "no", "否"}
# A RowsQuery built in code pages by the setting's default; parse_query reads the configured ODP_ROWS_DEFAULT_SIZE.
DEFAULT_SIZE: int = Settings.model_fields["rows_default_size"].default


class RowsError(ValueError):
    """A bad rows request (unknown column or operator, a value of the wrong type, a bad token): 422."""


class TableUnavailable(LookupError):
    """The version has no Parquet file (not tabular, or its conversion failed); the message says why."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the Table Schema type
    title: str | None = None
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()

    def public(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "title": self.title}


@dataclass(frozen=True)
class Table:
    """A version's Parquet file and its columns (from the Table Schema, in order).

    ``parquet`` is a local path, or an ``s3://`` location read through ``store.filesystem`` (an S3 file store)."""

    parquet: Path | str
    columns: tuple[Column, ...]
    data_dir: Path
    rows: int = 0
    store: FileStore | None = field(default=None, compare=False)

    @property
    def stem(self) -> str:
        """The Parquet file's name without its extension: its sha256, a stable name for what is made of it."""
        return PurePosixPath(str(self.parquet)).stem

    @property
    def filesystem(self) -> Any:
        """What pyarrow reads ``parquet`` with: an fsspec filesystem, or None for a local path."""
        return self.store.filesystem if self.store is not None else None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise RowsError(f"unknown column '{name}'; the columns are: {', '.join(self.names)}")

    @classmethod
    def for_version(cls, version: ResourceVersion, settings: Settings) -> Table:
        if not version.parquet_path:
            reason = version.parquet_error or "the resource is not a table"
            raise TableUnavailable(f"no row data for this resource: {reason}")
        store = open_store(settings)
        if not _stored(store, version.parquet_path):
            raise TableUnavailable("the table's Parquet file is missing; run `odp parquet` to rebuild it")
        columns = tuple(
            Column(
                name=f["name"],
                type=f.get("type") or "string",
                title=f.get("title"),
                true_values=tuple(f.get("trueValues", ())),
                false_values=tuple(f.get("falseValues", ())),
            )
            for f in (version.table_schema or {}).get("fields", [])
        )
        local = store.local_path(version.parquet_path)
        return cls(parquet=local if local is not None else store.parquet_location(version.parquet_path),
                   columns=columns, data_dir=settings.data_dir, rows=version.row_count or 0, store=store)


_SEEN_REMOTE: set[tuple[str, str]] = set()  # (store, relpath) found in a remote store: immutable, so still there


def _stored(store: FileStore, relpath: str) -> bool:
    """Is the file in the store? A remote answer of yes is remembered (one HEAD request per file and process)."""
    if store.local_path(relpath) is not None:
        return store.exists(relpath)
    key = (store.description, relpath)
    if key not in _SEEN_REMOTE:
        if not store.exists(relpath):
            return False
        _SEEN_REMOTE.add(key)
    return True


@dataclass(frozen=True)
class Filter:
    column: Column
    op: str
    value: Any  # typed; a list for ``in``; a bool for ``isnull``


@dataclass
class RowsQuery:
    filters: list[Filter] = field(default_factory=list)
    sort: Column | None = None
    desc: bool = False
    fields: list[Column] | None = None  # None: all columns
    size: int = DEFAULT_SIZE
    after: tuple[Any, int] | None = None  # (sort value, _row) of the last row of the previous page
    total: bool = False
    search: str | None = None  # _search: lower-cased text that some text column must contain
    search_columns: list[Column] = field(default_factory=list)  # the table's text columns

    @property
    def narrowed(self) -> bool:
        """Anything that makes the answer other than the whole table as stored."""
        return bool(self.filters or self.fields or self.sort or self.search)


# --- Typed values ---------------------------------------------------------------------------------------


def parse_value(column: Column, text: str) -> Any:
    """A filter value typed by its column, or RowsError."""
    kind = column.type
    try:
        if kind in ("integer", "year"):
            value = int(unicodedata.normalize("NFKC", text).strip())
            if not -(2**63) <= value < 2**63:
                raise ValueError
            return value
        if kind == "number":
            number = float(unicodedata.normalize("NFKC", text).strip())
            if not math.isfinite(number):
                raise ValueError
            return number
        if kind == "boolean":
            low = text.strip().lower()
            if text in column.true_values or low in _TRUE:
                return True
            if text in column.false_values or low in _FALSE:
                return False
            raise ValueError
        if kind == "date":
            return date.fromisoformat(text.strip())
        if kind == "datetime":
            return _beijing_datetime(column, text)
        if kind == "time":
            return time.fromisoformat(text.strip()).replace(tzinfo=None)
    except RowsError:
        raise
    except ValueError:
        raise RowsError(f"{column.name}: '{text}' is not a valid {kind}") from None
    return text


def _beijing_datetime(column: Column, text: str) -> datetime:
    """A datetime as Beijing wall-clock time (how the Parquet file stores it); one whose offset moves it
    past year 1 or 9999 (``0001-01-01T00:00:00+14:00``) cannot be compared and is refused."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(BEIJING).replace(tzinfo=None)
    except OverflowError:
        raise RowsError(f"{column.name}: '{text}' is out of range: in Beijing time (UTC+8) it falls before "
                        "year 1 or after year 9999") from None


# --- Parsing the query string ---------------------------------------------------------------------------


def _flag(name: str, text: str) -> bool:
    low = text.strip().lower()
    if low in _TRUE or low == "":
        return True
    if low in _FALSE:
        return False
    raise RowsError(f"{name}: '{text}' should be 1 or 0")


def _filter(table: Table, key: str, text: str) -> Filter:
    if key in table.names:
        column, op = table.column(key), "exact"
    elif "__" in key:
        name, op = key.rsplit("__", 1)
        column = table.column(name)
        if op not in OPERATORS:
            raise RowsError(f"unknown operator '__{op}' in '{key}'; use one of: {', '.join(OPERATORS)}")
    elif key.startswith("_"):
        raise RowsError(f"unknown parameter '{key}'; use one of: {', '.join(RESERVED)} or a column filter")
    else:
        table.column(key)  # raises: unknown column
        raise AssertionError
    if op == "isnull":
        return Filter(column, op, _flag(key, text))
    if op in ("contains", "startswith"):
        return Filter(column, op, text)
    if op == "in":
        items = _list_value(key, text)
        if not items:
            raise RowsError(f"{key}: give at least one value")
        return Filter(column, op, [parse_value(column, item) for item in items])
    return Filter(column, op, parse_value(column, text))


def _search(table: Table, query: RowsQuery, text: str) -> None:
    """``_search``: the text (trimmed, NFKC, lower case) that one of the table's text columns must contain."""
    needle = unicodedata.normalize("NFKC", text).strip().lower()
    if query.search is not None:
        raise RowsError("give _search once")
    if not needle or len(needle) > MAX_SEARCH_CHARS:
        raise RowsError(f"_search: give 1 to {MAX_SEARCH_CHARS} characters")
    columns = [c for c in table.columns if c.type == "string"]
    if not columns:
        raise RowsError("_search: this table has no text columns; filter a column instead")
    query.search, query.search_columns = needle, columns


def _list_value(key: str, text: str) -> list[str]:
    """``a,b,c``, or a JSON array when values hold commas: ``["a,1","b"]``."""
    if text.lstrip().startswith("["):
        try:
            items = json_input.loads(text)
        except json_input.JSONInputError as exc:
            raise RowsError(f"{key}: not a usable JSON array: {exc}") from None
        if not isinstance(items, list) or any(isinstance(i, (dict, list)) for i in items):
            raise RowsError(f"{key}: a JSON array of plain values is expected")
        return ["" if i is None else str(i) for i in items]
    return [item for item in text.split(",")]


def parse_query(table: Table, params: Iterable[tuple[str, str]], *, max_size: int | None = None) -> RowsQuery:
    """Turn query-string pairs into a RowsQuery, or raise RowsError with a message for the user.

    ``_size`` defaults to ``ODP_ROWS_DEFAULT_SIZE`` and may not pass ``max_size`` (default ``ODP_ROWS_MAX_SIZE``).
    """
    settings = get_settings()
    if max_size is None:
        max_size = settings.rows_max_size
    query = RowsQuery(size=settings.rows_default_size)
    token: str | None = None
    for key, text in params:
        if key in ("_sort", "_sort_desc"):
            if query.sort is not None:
                raise RowsError("give one of _sort or _sort_desc, once")
            query.sort, query.desc = table.column(text), key == "_sort_desc"
        elif key == "_fields":
            names = [n.strip() for n in text.split(",") if n.strip()]
            if not names:
                raise RowsError("_fields: name at least one column")
            query.fields = [table.column(n) for n in dict.fromkeys(names)]
        elif key == "_size":
            try:
                query.size = int(text)
            except ValueError:
                raise RowsError(f"_size: '{text}' is not a number") from None
            if not 1 <= query.size <= max_size:
                raise RowsError(f"_size must be between 1 and {max_size}")
        elif key == "_next":
            token = text
        elif key == "_total":
            query.total = _flag(key, text)
        elif key == "_search":
            _search(table, query, text)
        else:
            query.filters.append(_filter(table, key, text))
    if token:
        query.after = decode_token(table, query, token)
    return query


# --- Keyset tokens --------------------------------------------------------------------------------------
# A token is the sort column, its direction and the (sort value, _row) of the last row served, base64 JSON.
# It is decoded here, with the query, because its value is typed by the sort column like any filter value.


def jsonable(value: Any) -> Any:
    """A cell as JSON has it: dates and times as ISO text."""
    return value.isoformat() if isinstance(value, (date, datetime, time)) else value


def encode_token(query: RowsQuery, value: Any, row: int) -> str:
    payload = [query.sort.name if query.sort else None, query.desc, jsonable(value), row]
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(table: Table, query: RowsQuery, token: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        sort, desc, value, row = json_input.loads(raw)
        if not isinstance(row, int) or isinstance(row, bool) or not 0 <= row < 2**63:
            raise TypeError(row)
    except (ValueError, TypeError):
        raise RowsError("_next: not a token this API gave out") from None
    if sort != (query.sort.name if query.sort else None) or desc != query.desc:
        raise RowsError("_next: the token belongs to a different sort order; keep _sort as it was")
    if value is not None and query.sort is not None:
        if isinstance(value, (dict, list, bool)) and query.sort.type != "boolean":
            raise RowsError("_next: not a token this API gave out")
        try:
            value = parse_value(query.sort, value if isinstance(value, str) else json.dumps(value))
        except RowsError:
            raise RowsError("_next: not a token this API gave out") from None
    return value, row
