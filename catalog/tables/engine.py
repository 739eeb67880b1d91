"""The rows engine: a query's rows read by DuckDB from the table's Parquet file, or from an in-memory copy.

``catalog.tables.query`` parses the request and ``catalog.tables.sql`` writes its SQL; this module runs it. One
DuckDB per data dir, sandboxed to that dir; one cursor per query, interrupted when its time is up
(``ODP_ROWS_TIME_LIMIT`` for a page, ``ODP_EXPORT_TIME_LIMIT`` for a whole export). Big tables that are being
queried get an Arrow copy in memory (see ``_Database``), bounded by ``ODP_ROWS_HOT_MIN_ROWS`` and
``ODP_ROWS_HOT_BYTES``; exports always stream from the Parquet file, batch by batch.

Limits are read from the settings when a query runs (``get_settings()``), not when this module is imported, so
a changed environment (a test, a restarted server) takes effect without patching anything here.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from catalog.config import get_settings
from catalog.storage import FileStore
from catalog.tables.parquet import ROW_COLUMN
from catalog.tables.query import Column, RowsError, RowsQuery, Table, encode_token, jsonable
from catalog.tables.sql import export_select, order, quote, where

EXPORT_BATCH_ROWS = 100_000
log = logging.getLogger(__name__)


class RowsTimeout(Exception):
    """The query ran past its time limit."""


@dataclass
class RowsPage:
    fields: list[Column]
    rows: list[dict[str, Any]]
    next: str | None
    total: int | None = None


# --- DuckDB ---------------------------------------------------------------------------------------------

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
    integers), then Arrow takes just those rows. Only tables of ``ODP_ROWS_HOT_MIN_ROWS`` rows or more get a
    copy (smaller ones answer from Parquet in a few milliseconds; with an S3 file store, where each Parquet read
    costs round trips to the bucket, every queried table does); the least recently used copies are dropped
    beyond ``ODP_ROWS_HOT_BYTES`` per process. Copies of immutable files are never stale.
    """

    def __init__(self, data_dir: Path, store: FileStore | None = None):
        spill = data_dir / "cache" / "duckdb"
        spill.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                                 "autoload_known_extensions": False})
        con.execute(f"SET temp_directory = '{_literal(spill)}'")
        con.execute(f"SET memory_limit = '{_literal(get_settings().duckdb_memory_limit)}'")
        con.execute("SET parquet_metadata_cache = true")  # files are content-addressed: never stale
        allowed = [data_dir]
        if store is not None and store.filesystem is not None:  # an S3 store: read through its fsspec client
            con.register_filesystem(store.filesystem)
            allowed.append(store.root_location())
        con.execute(f"SET allowed_directories = [{', '.join(repr_sql(a) for a in allowed)}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        self.con = con
        self.lock = threading.Lock()
        self.hot: OrderedDict[Path | str, _Hot] = OrderedDict()
        self.loading: set[Path | str] = set()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    def source(self, table: Table) -> _Source:
        """The hot copy when there is one, else the Parquet file (and start loading a copy if it is big)."""
        with self.lock:
            hot = self.hot.get(table.parquet)
            if hot is not None:
                self.hot.move_to_end(table.parquet)
                return _Source(quote(hot.name), [], hot)
            # From an S3 store every Parquet read costs round trips: there every queried table gets a copy.
            least = get_settings().rows_hot_min_rows if table.filesystem is None else 0
            start = table.rows >= least and table.parquet not in self.loading
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
            meta = pq.read_metadata(table.parquet, filesystem=table.filesystem)
            estimate = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            budget = get_settings().rows_hot_bytes
            if estimate > budget:
                return False
            data = pq.read_table(table.parquet, filesystem=table.filesystem).combine_chunks()
            columns = []
            for column in data.columns:
                if pa.types.is_string(column.type) and pc.count_distinct(column).as_py() * 10 <= len(column):
                    column = pc.dictionary_encode(column)
                columns.append(column)
            columns.append(pa.array(range(data.num_rows), pa.int64()))
            data = pa.Table.from_arrays(columns, names=[*data.column_names, POSITION]).combine_chunks()
            hot = _Hot("hot_" + table.stem, data, data.nbytes)
            with self.lock:
                self.hot[table.parquet] = hot
                while sum(h.nbytes for h in self.hot.values()) > budget:
                    self.hot.popitem(last=False)  # queries that hold it finish with it
            return True
        except Exception:  # any failure (a disk, an S3 store, Arrow) leaves queries on Parquet
            log.warning("could not load %s into memory; it is queried from Parquet", table.parquet, exc_info=True)
            return False
        finally:
            with self.lock:
                self.loading.discard(table.parquet)


_DATABASES: OrderedDict[tuple[Path, str | None], _Database] = OrderedDict()
_DATABASES_LOCK = threading.Lock()
_MAX_DATABASES = 4  # a server has one data dir; a test run has many, each DuckDB with its own threads


def _database_for(data_dir: Path, store: FileStore | None = None) -> _Database:
    """The DuckDB of a data dir (and of its S3 file store, when the files are remote)."""
    remote = store if store is not None and store.filesystem is not None else None
    key = (data_dir.resolve(), remote.description if remote is not None else None)
    with _DATABASES_LOCK:
        db = _DATABASES.get(key)
        if db is None:
            db = _DATABASES[key] = _Database(key[0], remote)
            while len(_DATABASES) > _MAX_DATABASES:
                _, old = _DATABASES.popitem(last=False)
                with contextlib.suppress(duckdb.Error):
                    old.con.close()
        _DATABASES.move_to_end(key)
        return db


def _database(data_dir: Path, store: FileStore | None = None) -> duckdb.DuckDBPyConnection:
    """A new cursor on the data dir's DuckDB (cursors are cheap; one per query, each interruptible)."""
    return _database_for(data_dir, store).cursor()


def warm(table: Table) -> bool:
    """Load a table's in-memory copy now (benchmarks, tests); True when queries will use it."""
    db = _database_for(table.data_dir, table.store)
    with db.lock:
        db.loading.add(table.parquet)
    return db.load(table)


def _literal(text: Path | str) -> str:
    return str(text).replace("'", "''")


def repr_sql(text: Path | str) -> str:
    """A SQL string literal (for settings, which take no bound parameters)."""
    return f"'{_literal(text)}'"


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
    db = _database_for(table.data_dir, table.store)
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
    return {n: jsonable(v) for n, v in zip(names, values, strict=False)}


def fetch_rows(table: Table, query: RowsQuery, *, time_limit: float | None = None) -> RowsPage:
    """One page of rows (and the token of the next page, if there is one); default limit ODP_ROWS_TIME_LIMIT."""
    time_limit = get_settings().rows_time_limit if time_limit is None else time_limit
    fields = query.fields or list(table.columns)
    names = [c.name for c in fields]
    keys = [quote(query.sort.name) if query.sort else "NULL", quote(ROW_COLUMN)]
    clause, params = where(query, keyset=True)

    def work(cursor: duckdb.DuckDBPyConnection, source: _Source) -> tuple[list[tuple[Any, ...]], int | None]:
        # From a hot copy: positions first, then whole rows by position (see _Database).
        selected = [quote(POSITION)] if source.hot else [quote(n) for n in names]
        sql = f"SELECT {', '.join(selected + keys)} FROM {source.sql}{clause}{order(query)} LIMIT ?"
        found = cursor.execute(sql, [*source.params, *params, query.size + 1]).fetchall()
        if source.hot:
            taken = source.hot.data.select(names).take([r[0] for r in found[: query.size]])
            values = list(zip(*(taken.column(i).to_pylist() for i in range(len(names))), strict=True))
            found = [(*v, *r[1:]) for v, r in zip(values, found, strict=False)] + found[query.size:]
        total = None
        if query.total:
            clause_all, params_all = where(query, keyset=False)
            count_sql = f"SELECT count(*) FROM {source.sql}{clause_all}"
            total = cursor.execute(count_sql, [*source.params, *params_all]).fetchone()[0]
        return found, total

    rows, total = _run(table, time_limit, work)
    more = len(rows) > query.size
    rows = rows[: query.size]
    token = encode_token(query, rows[-1][-2], rows[-1][-1]) if more and rows else None
    width = len(names)
    return RowsPage(fields=fields, rows=[_row_dict(names, r[:width]) for r in rows], next=token, total=total)


def count_rows(table: Table, query: RowsQuery, *, time_limit: float | None = None) -> int:
    """How many rows match the query's filters; default limit ODP_ROWS_TIME_LIMIT."""
    time_limit = get_settings().rows_time_limit if time_limit is None else time_limit
    clause, params = where(query, keyset=False)

    def work(cursor: duckdb.DuckDBPyConnection, source: _Source) -> int:
        return cursor.execute(f"SELECT count(*) FROM {source.sql}{clause}", [*source.params, *params]).fetchone()[0]

    return _run(table, time_limit, work)


def _export_sql(table: Table, query: RowsQuery, expressions: list[str] | None) -> tuple[str, list[Any]]:
    """The whole selection, from the Parquet file, capped at ODP_EXPORT_MAX_ROWS rows."""
    return export_select(table, query, expressions, "read_parquet(?)", get_settings().export_max_rows)


def stream_batches(table: Table, query: RowsQuery, expressions: list[str] | None = None, *,
                   batch_rows: int = EXPORT_BATCH_ROWS,
                   time_limit: float | None = None) -> Iterator[pa.RecordBatch]:
    """Every selected row as Arrow record batches, pulled one at a time (bounded memory); default limit
    ODP_EXPORT_TIME_LIMIT for the whole stream."""
    time_limit = get_settings().export_time_limit if time_limit is None else time_limit
    # Exports always read the Parquet file: a hot copy could be dropped halfway through a long stream.
    sql, params = _export_sql(table, query, expressions)
    cursor = _database(table.data_dir, table.store)
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
            *, time_limit: float | None = None) -> None:
    """DuckDB's COPY of the selection into ``dest`` (a path under the data dir); default limit
    ODP_EXPORT_TIME_LIMIT."""
    time_limit = get_settings().export_time_limit if time_limit is None else time_limit
    sql, params = _export_sql(table, query, expressions)
    cursor = _database(table.data_dir, table.store)
    try:
        with _limited(cursor, time_limit):
            cursor.execute(f"COPY ({sql}) TO '{_literal(dest)}' ({options})", [str(table.parquet), *params])
    finally:
        cursor.close()
