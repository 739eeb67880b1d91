"""The rows engine: filtered, sorted, keyset-paged rows of a table, by DuckDB over its Parquet file.

Query-string vocabulary as in Datasette: ``col=value``, ``col__ne/gt/gte/lt/lte/in/contains/startswith/isnull``,
``_sort`` / ``_sort_desc``, ``_fields``, ``_size`` and an opaque ``_next`` token, ``_total=1``. Column names are
checked against the Table Schema and quoted; values are typed by the column's type and always passed as bound
parameters — user text never becomes SQL. Every query has a time limit and a row cap.

Keyset paging orders by the sort column and then by ``_row`` (frictionless's row number, unique), so pages
neither skip nor repeat rows when many rows share a sort value. Comparisons never match empty (null) cells —
``__isnull`` finds those — and nulls sort last in both directions.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import math
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from catalog import json_input
from catalog.config import Settings
from catalog.models import ResourceVersion
from catalog.tables.parquet import BEIJING, ROW_COLUMN

DEFAULT_SIZE = 100
MAX_SIZE = 5_000
TIME_LIMIT_S = 5.0  # one /rows query
EXPORT_TIME_LIMIT_S = 600.0  # one whole streamed export or conversion
EXPORT_MAX_ROWS = 50_000_000  # far above any file the harvester accepts; a cap all the same
EXPORT_BATCH_ROWS = 100_000

OPERATORS = ("exact", "ne", "gt", "gte", "lt", "lte", "in", "contains", "startswith", "isnull")
_COMPARE = {"exact": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
log = logging.getLogger(__name__)
RESERVED = ("_sort", "_sort_desc", "_fields", "_size", "_next", "_total")
_TRUE = {"1", "true", "yes", "是"}
_FALSE = {"0", "false", "no", "否"}


class RowsError(ValueError):
    """A bad rows request (unknown column or operator, a value of the wrong type, a bad token): 422."""


class RowsTimeout(Exception):
    """The query ran past its time limit."""


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
    """A version's Parquet file and its columns (from the Table Schema, in order)."""

    parquet: Path
    columns: tuple[Column, ...]
    data_dir: Path
    rows: int = 0

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
        path = settings.files_dir / version.parquet_path
        if not path.is_file():
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
        return cls(parquet=path, columns=columns, data_dir=settings.data_dir, rows=version.row_count or 0)


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


@dataclass
class RowsPage:
    fields: list[Column]
    rows: list[dict[str, Any]]
    next: str | None
    total: int | None = None


# --- Parsing the query string ---------------------------------------------------------------------------


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


def parse_query(table: Table, params: Iterable[tuple[str, str]], *, max_size: int = MAX_SIZE) -> RowsQuery:
    """Turn query-string pairs into a RowsQuery, or raise RowsError with a message for the user."""
    query = RowsQuery()
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
        else:
            query.filters.append(_filter(table, key, text))
    if token:
        query.after = decode_token(table, query, token)
    return query


# --- Keyset tokens --------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime, time)) else value


def encode_token(query: RowsQuery, value: Any, row: int) -> str:
    payload = [query.sort.name if query.sort else None, query.desc, _jsonable(value), row]
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


# --- SQL ------------------------------------------------------------------------------------------------


def quote(name: str) -> str:
    """A quoted identifier; only ever called with names that come from the Table Schema."""
    return '"' + name.replace('"', '""') + '"'


def _where(query: RowsQuery, *, keyset: bool) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for f in query.filters:
        col = quote(f.column.name)
        text_col = col if f.column.type == "string" else f"CAST({col} AS VARCHAR)"
        if f.op in _COMPARE:
            clauses.append(f"{col} {_COMPARE[f.op]} ?")
            params.append(f.value)
        elif f.op == "in":
            clauses.append(f"{col} IN ({', '.join('?' for _ in f.value)})")
            params.extend(f.value)
        elif f.op == "contains":
            clauses.append(f"contains({text_col}, ?)")
            params.append(f.value)
        elif f.op == "startswith":
            clauses.append(f"starts_with({text_col}, ?)")
            params.append(f.value)
        elif f.op == "isnull":
            clauses.append(f"{col} IS {'' if f.value else 'NOT '}NULL")
    if keyset and query.after is not None:
        value, row = query.after
        if query.sort is None:
            clauses.append(f"{quote(ROW_COLUMN)} > ?")
            params.append(row)
        elif value is None:  # already in the trailing nulls
            clauses.append(f"({quote(query.sort.name)} IS NULL AND {quote(ROW_COLUMN)} > ?)")
            params.append(row)
        else:
            col, beyond = quote(query.sort.name), "<" if query.desc else ">"
            clauses.append(f"({col} {beyond} ? OR ({col} = ? AND {quote(ROW_COLUMN)} > ?) OR {col} IS NULL)")
            params.extend([value, value, row])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _order(query: RowsQuery) -> str:
    if query.sort is None:
        return f" ORDER BY {quote(ROW_COLUMN)}"
    direction = "DESC" if query.desc else "ASC"
    return f" ORDER BY {quote(query.sort.name)} {direction} NULLS LAST, {quote(ROW_COLUMN)}"


# --- DuckDB ---------------------------------------------------------------------------------------------

HOT_MIN_ROWS = 100_000  # smaller tables answer from Parquet in a few milliseconds
HOT_BYTES = 1 << 30  # per process: in-memory copies of big tables that are being queried
POSITION = "_pos"  # a hot copy's extra column: each row's index, to take whole rows by


@dataclass(frozen=True)
class _Hot:
    name: str  # the view name the copy is registered under, per cursor
    data: pa.Table  # contiguous columns + POSITION; repetitive text dictionary-encoded
    nbytes: int


@dataclass(frozen=True)
class _Source:
    """Where a query reads from: ``read_parquet(?)`` with its path, or a hot copy (no parameters)."""

    sql: str
    params: list[Any]
    hot: _Hot | None = None


class _Database:
    """One in-memory DuckDB per data dir, allowed to read and write only under it, with its hot tables.

    A filtered, sorted query over a big Parquet file takes 100+ ms: every column of every matching row is
    decoded. So the first query of a big table loads an Arrow copy of it in the background (answered from
    Parquet meanwhile) and later ones run in two steps: DuckDB finds the matching rows' positions using only
    the filtered and sorted columns (repetitive text such as 所属区 is dictionary-encoded, so its filters compare
    integers), then Arrow takes just those rows. The least recently used copies are dropped beyond
    ``HOT_BYTES``. Copies of immutable files are never stale.
    """

    def __init__(self, data_dir: Path):
        spill = data_dir / "cache" / "duckdb"
        spill.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                                 "autoload_known_extensions": False})
        con.execute(f"SET temp_directory = '{_literal(spill)}'")
        con.execute("SET memory_limit = '2GB'")
        con.execute("SET parquet_metadata_cache = true")  # files are content-addressed: never stale
        con.execute(f"SET allowed_directories = ['{_literal(data_dir)}']")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        self.con = con
        self.lock = threading.Lock()
        self.hot: OrderedDict[Path, _Hot] = OrderedDict()
        self.loading: set[Path] = set()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    def source(self, table: Table) -> _Source:
        """The hot copy when there is one, else the Parquet file (and start loading a copy if it is big)."""
        with self.lock:
            hot = self.hot.get(table.parquet)
            if hot is not None:
                self.hot.move_to_end(table.parquet)
                return _Source(quote(hot.name), [], hot)
            start = table.rows >= HOT_MIN_ROWS and table.parquet not in self.loading
            if start:
                self.loading.add(table.parquet)
        if start:
            threading.Thread(target=self.load, args=(table,), name="odp-hot-table", daemon=True).start()
        return _Source("read_parquet(?)", [str(table.parquet)])

    def load(self, table: Table) -> bool:
        """Make the hot copy of a table (if it fits the budget); True when it is there."""
        try:
            if table.parquet in self.hot:
                return True
            if POSITION in table.names:
                return False
            meta = pq.read_metadata(table.parquet)
            estimate = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            if estimate > HOT_BYTES:
                return False
            data = pq.read_table(table.parquet).combine_chunks()
            columns = []
            for column in data.columns:
                if pa.types.is_string(column.type) and pc.count_distinct(column).as_py() * 10 <= len(column):
                    column = pc.dictionary_encode(column)
                columns.append(column)
            columns.append(pa.array(range(data.num_rows), pa.int64()))
            data = pa.Table.from_arrays(columns, names=[*data.column_names, POSITION]).combine_chunks()
            hot = _Hot("hot_" + table.parquet.stem, data, data.nbytes)
            with self.lock:
                self.hot[table.parquet] = hot
                while sum(h.nbytes for h in self.hot.values()) > HOT_BYTES:
                    self.hot.popitem(last=False)  # queries that hold it finish with it
            return True
        except (OSError, MemoryError, pa.ArrowException):
            log.warning("could not load %s into memory; it is queried from Parquet", table.parquet, exc_info=True)
            return False
        finally:
            with self.lock:
                self.loading.discard(table.parquet)


_DATABASES: OrderedDict[Path, _Database] = OrderedDict()
_DATABASES_LOCK = threading.Lock()
_MAX_DATABASES = 4  # a server has one data dir; a test run has many, each DuckDB with its own threads


def _database_for(data_dir: Path) -> _Database:
    key = data_dir.resolve()
    with _DATABASES_LOCK:
        db = _DATABASES.get(key)
        if db is None:
            db = _DATABASES[key] = _Database(key)
            while len(_DATABASES) > _MAX_DATABASES:
                _, old = _DATABASES.popitem(last=False)
                with contextlib.suppress(duckdb.Error):
                    old.con.close()
        _DATABASES.move_to_end(key)
        return db


def _database(data_dir: Path) -> duckdb.DuckDBPyConnection:
    """A new cursor on the data dir's DuckDB (cursors are cheap; one per query, each interruptible)."""
    return _database_for(data_dir).cursor()


def warm(table: Table) -> bool:
    """Load a table's in-memory copy now (benchmarks, tests); True when queries will use it."""
    db = _database_for(table.data_dir)
    with db.lock:
        db.loading.add(table.parquet)
    return db.load(table)


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


@contextmanager
def _limited(cursor: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[None]:
    """Interrupt the cursor when its time is up; DuckDB's errors become RowsTimeout / RowsError."""
    fired = threading.Event()

    def interrupt() -> None:
        fired.set()
        cursor.interrupt()

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.InterruptException:
        raise RowsTimeout(f"the query took longer than {seconds:g} s; narrow it with filters") from None
    except duckdb.Error as exc:
        if fired.is_set():
            raise RowsTimeout(f"the query took longer than {seconds:g} s; narrow it with filters") from None
        if isinstance(exc, (duckdb.ConversionException, duckdb.BinderException, duckdb.InvalidInputException)):
            raise RowsError(str(exc).splitlines()[0]) from None  # e.g. a value out of its column's range
        raise
    finally:
        timer.cancel()


def _run(table: Table, time_limit: float, work: Callable[[duckdb.DuckDBPyConnection, _Source], Any]) -> Any:
    """Run ``work(cursor, source)`` within the time limit, the hot copy (if any) visible to the cursor."""
    db = _database_for(table.data_dir)
    source = db.source(table)
    cursor = db.cursor()
    try:
        if source.hot is not None:
            cursor.register(source.hot.name, source.hot.data)  # zero-copy, for this cursor only
        with _limited(cursor, time_limit):
            return work(cursor, source)
    finally:
        cursor.close()


# --- Reading --------------------------------------------------------------------------------------------


def _row_dict(names: list[str], values: tuple[Any, ...]) -> dict[str, Any]:
    return {n: _jsonable(v) for n, v in zip(names, values, strict=False)}


def fetch_rows(table: Table, query: RowsQuery, *, time_limit: float = TIME_LIMIT_S) -> RowsPage:
    """One page of rows (and the token of the next page, if there is one)."""
    fields = query.fields or list(table.columns)
    names = [c.name for c in fields]
    keys = [quote(query.sort.name) if query.sort else "NULL", quote(ROW_COLUMN)]
    where, params = _where(query, keyset=True)

    def work(cursor: duckdb.DuckDBPyConnection, source: _Source) -> tuple[list[tuple[Any, ...]], int | None]:
        # From a hot copy: positions first, then whole rows by position (see _Database).
        selected = [quote(POSITION)] if source.hot else [quote(n) for n in names]
        sql = f"SELECT {', '.join(selected + keys)} FROM {source.sql}{where}{_order(query)} LIMIT ?"
        found = cursor.execute(sql, [*source.params, *params, query.size + 1]).fetchall()
        if source.hot:
            taken = source.hot.data.select(names).take([r[0] for r in found[: query.size]])
            values = list(zip(*(taken.column(i).to_pylist() for i in range(len(names))), strict=True))
            found = [(*v, *r[1:]) for v, r in zip(values, found, strict=False)] + found[query.size:]
        total = None
        if query.total:
            where_all, params_all = _where(query, keyset=False)
            count_sql = f"SELECT count(*) FROM {source.sql}{where_all}"
            total = cursor.execute(count_sql, [*source.params, *params_all]).fetchone()[0]
        return found, total

    rows, total = _run(table, time_limit, work)
    more = len(rows) > query.size
    rows = rows[: query.size]
    token = encode_token(query, rows[-1][-2], rows[-1][-1]) if more and rows else None
    width = len(names)
    return RowsPage(fields=fields, rows=[_row_dict(names, r[:width]) for r in rows], next=token, total=total)


def count_rows(table: Table, query: RowsQuery, *, time_limit: float = TIME_LIMIT_S) -> int:
    where, params = _where(query, keyset=False)

    def work(cursor: duckdb.DuckDBPyConnection, source: _Source) -> int:
        return cursor.execute(f"SELECT count(*) FROM {source.sql}{where}", [*source.params, *params]).fetchone()[0]

    return _run(table, time_limit, work)


def _select(table: Table, query: RowsQuery, expressions: list[str] | None, source: str) -> tuple[str, list[Any]]:
    """The SELECT of a whole export: the query's filters and order, no paging (the export row cap)."""
    columns = expressions or [quote(c.name) for c in (query.fields or table.columns)]
    where, params = _where(query, keyset=True)
    return f"SELECT {', '.join(columns)} FROM {source}{where}{_order(query)} LIMIT {EXPORT_MAX_ROWS}", params


def stream_batches(table: Table, query: RowsQuery, expressions: list[str] | None = None, *,
                   batch_rows: int = EXPORT_BATCH_ROWS,
                   time_limit: float = EXPORT_TIME_LIMIT_S) -> Iterator[pa.RecordBatch]:
    """Every selected row as Arrow record batches, pulled one at a time (bounded memory)."""
    # Exports always read the Parquet file: a hot copy could be dropped halfway through a long stream.
    sql, params = _select(table, query, expressions, "read_parquet(?)")
    cursor = _database(table.data_dir)
    try:
        with _limited(cursor, time_limit):
            relation = cursor.sql(sql, params=[str(table.parquet), *params])
            # DuckDB 2 names it to_arrow_reader, 1.x fetch_arrow_reader; either pulls one batch at a time.
            open_reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
            reader = open_reader(batch_rows)
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                yield batch
    finally:
        cursor.close()


def copy_to(table: Table, query: RowsQuery, dest: Path, options: str, expressions: list[str] | None = None,
            *, time_limit: float = EXPORT_TIME_LIMIT_S) -> None:
    """DuckDB's COPY of the selection into ``dest`` (a path under the data dir)."""
    sql, params = _select(table, query, expressions, "read_parquet(?)")
    cursor = _database(table.data_dir)
    try:
        with _limited(cursor, time_limit):
            cursor.execute(f"COPY ({sql}) TO '{_literal(dest)}' ({options})", [str(table.parquet), *params])
    finally:
        cursor.close()
