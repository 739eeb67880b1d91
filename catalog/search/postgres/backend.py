"""Search backend on PostgreSQL full-text search: the index lives in the catalog database, so any number of API
nodes share it (``ODP_SEARCH_BACKEND=postgres``).

It keeps the Whoosh backend's contract *and its answers*: the same tokens (jieba, in Python; see
:mod:`.rows`), the same required clauses and phrases (:mod:`catalog.search.query`), the same query expansion
(synonyms, pinyin and initials, typo corrections, in the same order and with the same weights), the same
disjunctive facet counts and sorts, and the same BM25 scores. PostgreSQL's ``ts_rank`` is not BM25 and would
rank differently, so BM25 is computed in SQL from what the tables keep: each token's frequency per field
(``tf``), the field lengths, the document frequencies (``searchterm``) and the average lengths
(``searchstate``). How a query runs:

1. the query's tokens become ``tsquery`` conditions on the GIN-indexed ``tsvector`` (a phrase is
   ``a <-> b``); a token found in a domain's or department's label matches that value's datasets through the
   value's lexeme in the same ``tsvector`` (one GIN condition: ``'信用' | '<domain lexeme>'``);
2. each expansion of a word (a synonym, a pinyin reading) is tried with an ``EXISTS``, exactly when the Whoosh
   backend tries it, and only the ones that find something join the final condition and score;
3. a text query reads its matched rows once, into a materialized CTE with their BM25 score, and one statement
   takes from it the count and the single-valued facets (``GROUPING SETS``, each facet counted with its own
   filter left out: ``count(*) FILTER (WHERE …)``), each multi-valued facet (unnested) and the page (``ORDER
   BY`` the score, or modified, title, downloads, ``LIMIT``/``OFFSET``); without text, the count and facets
   are separate queries and the page follows the listing's index;
4. the page's titles and descriptions are read for its rows and highlighted in Python, as in the Whoosh
   backend. An index whose rows have another layout (:data:`~.rows.LAYOUT`) is refused until rebuilt.

Writers hold a transaction-scoped advisory lock (one writer at a time, like Whoosh's write lock); a commit
bumps ``searchstate.generation`` and readers drop their cached statistics when it moves.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Self

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, ProgrammingError

from catalog.search.base import (
    FACET_NAMES,
    MULTI_VALUED_FACETS,
    FacetValue,
    IndexLockedError,
    SearchDocument,
    SearchError,
    SearchHit,
    SearchQuery,
    SearchResult,
)
from catalog.search.expand import PINYIN_WEIGHT, SYNONYM_WEIGHT, Vocabulary, fold, synonyms
from catalog.search.highlight import highlight
from catalog.search.postgres.rows import (
    COLUMNS,
    FIELDS,
    LAYOUT,
    MAX_LEXEME_BYTES,
    DocumentRow,
    _lexeme,
    document_row,
    facet_lexeme,
)
from catalog.search.query import Clause, ParsedQuery, parse_query
from catalog.search.ranking import (
    BM25_B,
    BM25_K1,
    DESCRIPTION_SNIPPET_CHARS,
    FEW_HITS,
    FIELD_BOOSTS,
    LABEL_BOOSTS,
    MAX_EXPANDED_WORDS,
    MAX_REWRITE_TRIES,
    VOCABULARY_FIELDS,
    bm25_idf,
)
from catalog.search.tokenizer import terms

#: the advisory lock of the index's one writer (any constant: it only has to differ from other locks)
WRITE_LOCK_KEY = 0x0D9_5EA2C4
UNDEFINED_TABLE = "42P01"
_QUOTES = '"“”「」『』'
_SINGLE_FACETS = tuple(f for f in FACET_NAMES if f not in MULTI_VALUED_FACETS)


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql", "postgres:"))


class _Params:
    """Bound parameters of one search: SQL text only ever holds ``%(pN)s`` placeholders and numbers."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        key = f"p{len(self.values)}"
        self.values[key] = value
        return f"%({key})s"


@dataclass
class _State:
    """One generation of the index: its statistics, and what readers derived from them (dropped when a writer
    commits)."""

    index_id: str
    generation: int
    doc_count: int
    field_lengths: list[int]
    layout: int  # what the rows' tsvectors hold (rows.LAYOUT)
    df: dict[tuple[str, int], int] = field(default_factory=dict)
    df_known: set[str] = field(default_factory=set)
    label_df: dict[tuple[str, tuple[str, ...]], int] = field(default_factory=dict)
    labels: dict[str, list[tuple[str, frozenset[str]]]] | None = None
    vocabulary: Vocabulary | None = None
    #: the count and facets of the whole listing (no text, no filter), by (facets, limit): the browse page's
    #: question, and the one that reads every row
    listing: dict[tuple[tuple[str, ...], int], tuple[int, dict[str, list[FacetValue]]]] = field(default_factory=dict)

    def avg_length(self, i: int) -> float:
        return max(self.field_lengths[i] / max(self.doc_count, 1), 1.0)


@dataclass
class _FacetPlan:
    """Which rows the count and the facets read (``rows_condition``), the condition of a result (``every``:
    the text and every filter) and of each facet's values (``own``: every filter but the facet's own)."""

    rows_condition: str
    every: str
    own: dict[str, str]
    single: list[str]
    multi: list[str]


#: the page's order for each sort (``score`` is the BM25 expression's column)
_ORDER = {
    "relevance": "score DESC, d.modified DESC, d.name",
    "modified": "d.modified DESC, d.name",
    "downloads": "d.downloads DESC, d.modified DESC, d.name",
    "title": "d.title_key, d.title, d.modified DESC, d.name",
}
#: what a text query's matched rows keep for the count, the facets, the filters and the page
_MATCHED_COLUMNS = (
    "name", "modified", "downloads", "title_key", "title", "domain", "department", "open_class",
    "update_frequency", "formats", "keywords",
)


@dataclass
class _Match:
    """A query (or one expansion of it) as SQL: the score expression (None: the query matches everything)
    and the condition."""

    score: str | None
    condition: str
    empty_words: list[str] = field(default_factory=list)
    marks: frozenset[str] = frozenset()


class PostgresBackend:
    """Search backend on the ``searchdocument`` tables of a PostgreSQL catalog database (see the module
    docstring). Writers wait up to ``lock_timeout`` seconds for the index's write lock, then raise
    :class:`IndexLockedError`. An instance may be shared by threads; each search uses its own connection."""

    def __init__(
        self, engine: Engine, lock_timeout: float = 30.0, synonyms_file: Any = None
    ) -> None:
        if engine.dialect.name != "postgresql":
            raise SearchError(
                "ODP_SEARCH_BACKEND=postgres needs the catalog database in PostgreSQL (ODP_DATABASE_URL="
                "postgresql+psycopg://…); this catalog is in "
                f"{engine.dialect.name}: unset ODP_SEARCH_BACKEND to use the embedded Whoosh index"
            )
        self.engine = engine
        self.lock_timeout = lock_timeout
        self.synonyms_file = synonyms_file  # an admin's synonym groups, on top of the shipped ones
        self._state: _State | None = None
        self._state_lock = threading.Lock()

    def close(self) -> None:
        self._state = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connections

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) == UNDEFINED_TABLE:
                raise SearchError("the search tables are missing: run `odp db upgrade`") from exc
            raise

    @contextmanager
    def _writer(self) -> Iterator[tuple[Connection, list[int], int]]:
        """A transaction holding the write lock, with the index's field lengths and document count."""
        with self._connection() as conn, conn.begin():
            deadline = time.monotonic() + self.lock_timeout
            while not conn.exec_driver_sql("SELECT pg_try_advisory_xact_lock(%(k)s)", {"k": WRITE_LOCK_KEY}).scalar():
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"the search index is locked by another writer; gave up after waiting {self.lock_timeout:g}"
                        " s (is an `odp reindex` or a harvest still running?)"
                    )
                time.sleep(0.05)
            self._ensure_state(conn)
            row = conn.exec_driver_sql("SELECT field_lengths, doc_count FROM searchstate WHERE id = 1").one()
            yield conn, list(row[0]), int(row[1])

    @staticmethod
    def _ensure_state(conn: Connection) -> None:
        conn.exec_driver_sql(
            "INSERT INTO searchstate (id, index_id, generation, doc_count, field_lengths, layout) "
            "VALUES (1, md5(random()::text || clock_timestamp()::text), 0, 0, %(zeros)s, %(layout)s) "
            "ON CONFLICT (id) DO NOTHING",
            {"zeros": json.dumps([0] * len(FIELDS)), "layout": LAYOUT},  # a new index is empty: of this layout
        )

    def index_id(self) -> str:
        """The random id of this index (made with its first write): a marker of another id is stale."""
        with self._connection() as conn, conn.begin():
            self._ensure_state(conn)
            return str(conn.exec_driver_sql("SELECT index_id FROM searchstate WHERE id = 1").scalar_one())

    # -- writing

    def index_documents(self, docs: Iterable[SearchDocument]) -> None:
        batch: dict[str, SearchDocument] = {}
        for doc in docs:
            batch[doc.name] = doc  # the last version of a name in the batch wins
        if batch:
            self._replace(list(batch), [document_row(d) for d in batch.values() if d.searchable])

    def remove(self, names: Iterable[str]) -> None:
        unique = list(dict.fromkeys(names))
        if unique:
            self._replace(unique, [])

    def _replace(self, names: list[str], rows: list[DocumentRow]) -> None:
        with self._writer() as (conn, lengths, count):
            removed = conn.exec_driver_sql(
                "DELETE FROM searchdocument WHERE name = ANY(%(names)s) RETURNING tf, lengths", {"names": names}
            ).all()
            _copy_documents(conn, rows)
            df: Counter[tuple[str, int]] = Counter()
            for tf, old_lengths in removed:
                _count_terms(df, tf, -1)
                lengths = [a - b for a, b in zip(lengths, old_lengths, strict=True)]
            for row in rows:
                _count_terms(df, row.tf, 1)
                lengths = [a + b for a, b in zip(lengths, row.lengths, strict=True)]
            changed = [(t, f, n) for (t, f), n in df.items() if n]
            if changed:
                conn.exec_driver_sql(
                    "INSERT INTO searchterm (term, field, df) "
                    "SELECT * FROM unnest(%(t)s::text[], %(f)s::smallint[], %(n)s::int[]) "
                    "ON CONFLICT (term, field) DO UPDATE SET df = searchterm.df + EXCLUDED.df",
                    {"t": [c[0] for c in changed], "f": [c[1] for c in changed], "n": [c[2] for c in changed]},
                )
                gone = sorted({t for t, _, n in changed if n < 0})
                if gone:
                    conn.exec_driver_sql("DELETE FROM searchterm WHERE term = ANY(%(t)s) AND df <= 0", {"t": gone})
            _save_labels(conn, rows)
            _commit_state(conn, count - len(removed) + len(rows), lengths)
            if not count:  # the index was empty: every row it now holds is of this layout
                conn.exec_driver_sql("UPDATE searchstate SET layout = %(l)s WHERE id = 1", {"l": LAYOUT})

    def rebuild(self, docs: Iterable[SearchDocument]) -> None:
        with self._writer() as (conn, _lengths, _count):
            for table in ("searchdocument", "searchterm", "searchlabel"):
                conn.exec_driver_sql(f"DELETE FROM {table}")
            df: Counter[tuple[str, int]] = Counter()
            lengths = [0] * len(FIELDS)
            labels: dict[tuple[str, str], DocumentRow] = {}
            count = 0
            seen: set[str] = set()
            cursor = conn.connection.driver_connection.cursor()
            with cursor.copy(f"COPY searchdocument ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for doc in docs:
                    if doc.name in seen:
                        continue  # the first of a duplicated name wins, as in the Whoosh backend's rebuild
                    seen.add(doc.name)
                    if not doc.searchable:
                        continue
                    row = document_row(doc)
                    copy.write_row(row.values)
                    _count_terms(df, row.tf, 1)
                    lengths = [a + b for a, b in zip(lengths, row.lengths, strict=True)]
                    for facet, value, _label in row.labels:
                        labels[(facet, value)] = row
                    count += 1
            with cursor.copy("COPY searchterm (term, field, df) FROM STDIN") as copy:
                for (term, i), n in df.items():
                    copy.write_row((term, i, n))
            _save_labels(conn, list(labels.values()))
            _commit_state(conn, count, lengths)
            conn.exec_driver_sql("UPDATE searchstate SET layout = %(l)s WHERE id = 1", {"l": LAYOUT})
            for index in ("terms", "formats", "keywords"):  # move the GIN pending lists into the indexes now
                conn.exec_driver_sql(f"SELECT gin_clean_pending_list('ix_searchdocument_{index}')")
            conn.exec_driver_sql("ANALYZE searchdocument, searchterm")

    # -- reading

    def _current(self, conn: Connection) -> _State:
        row = conn.exec_driver_sql(
            "SELECT index_id, generation, doc_count, field_lengths, layout FROM searchstate WHERE id = 1"
        ).first()
        index_id, generation, doc_count, lengths, layout = (
            row if row is not None else ("", -1, 0, [0] * len(FIELDS), LAYOUT)
        )

        with self._state_lock:
            state = self._state
            # the id too: tables emptied and refilled (a restored backup) may count generations again from 0
            if state is None or (state.index_id, state.generation) != (index_id, generation):
                state = self._state = _State(index_id, int(generation), int(doc_count), list(lengths), int(layout))
        return state

    def doc_count(self) -> int:
        with self._connection() as conn:
            return self._current(conn).doc_count

    def search(self, query: SearchQuery) -> SearchResult:
        query.validate()
        try:
            with self._connection() as conn:
                state = self._current(conn)
                if state.layout != LAYOUT and state.doc_count:
                    raise SearchError(
                        f"the search index was written by an older version of odp (layout {state.layout}, this "
                        f"version reads layout {LAYOUT}): run `odp reindex` to rebuild it"
                    )
                return _Search(self, conn, state, query).run()
        except DBAPIError as exc:
            raise SearchError(f"search failed in the database: {type(exc.orig).__name__}") from exc


def _count_terms(df: Counter[tuple[str, int]], tf: dict[str, list[int]], sign: int) -> None:
    for term, counts in tf.items():
        for i, n in enumerate(counts):
            if n:
                df[(term, i)] += sign


def _copy_documents(conn: Connection, rows: list[DocumentRow]) -> None:
    if not rows:
        return
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY searchdocument ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row.values)


def _save_labels(conn: Connection, rows: list[DocumentRow]) -> None:
    labels = {(facet, value): label for row in rows for facet, value, label in row.labels}
    if labels:
        conn.exec_driver_sql(
            "INSERT INTO searchlabel (facet, value, label) "
            "SELECT * FROM unnest(%(f)s::text[], %(v)s::text[], %(l)s::text[]) "
            "ON CONFLICT (facet, value) DO UPDATE SET label = EXCLUDED.label",
            {"f": [k[0] for k in labels], "v": [k[1] for k in labels], "l": list(labels.values())},
        )


def _commit_state(conn: Connection, count: int, lengths: list[int]) -> None:
    conn.exec_driver_sql(
        "UPDATE searchstate SET generation = generation + 1, doc_count = %(n)s, field_lengths = %(l)s WHERE id = 1",
        {"n": count, "l": json.dumps(lengths)},
    )


def _tsquery(terms_: tuple[str, ...]) -> str:
    return " <-> ".join(_lexeme(t) for t in terms_)


class _Search:
    """One search: the Whoosh backend's ``_search`` with SQL conditions where it has numpy masks."""

    def __init__(self, backend: PostgresBackend, conn: Connection, state: _State, query: SearchQuery) -> None:
        self.backend = backend
        self.conn = conn
        self.state = state
        self.query = query
        self.p = _Params()
        self.tf_columns: dict[str, str] = {}
        self.tf_sql: list[str] = []

    def _scalar(self, sql: str) -> Any:
        return self.conn.exec_driver_sql(sql, self.p.values).scalar()

    def _exists(self, condition: str) -> bool:
        return bool(self._scalar(f"SELECT EXISTS (SELECT 1 FROM searchdocument d WHERE {condition})"))

    def run(self) -> SearchResult:
        query = self.query
        text = fold(query.q or "")
        if text.strip():
            # The planner prices matching a tsvector like comparing two numbers, while each row's tsvector is
            # a detoasted kilobyte or more: left alone it scans the table for results that the GIN index finds
            # in a millisecond. Only for this search's transaction (the connection is rolled back after it).
            self.conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        filters = {key: self._filter(key, values) for key, values in query.filters.items() if values}
        filtered = " AND ".join(filters.values()) or "TRUE"
        match = self._expanded(text)
        suggestion: str | None = None
        corrected = False
        if match.score is not None and match.empty_words:
            count = self._scalar(f"SELECT count(*) FROM searchdocument d WHERE ({filtered}) AND ({match.condition})")
            if count < FEW_HITS:
                fixed = self._correction(filtered, text, match.empty_words)
                if fixed is not None:
                    suggestion = fixed[0]
                    if count == 0:
                        match = fixed[1]
                        corrected = True
        text_condition = match.condition if match.score is not None else "TRUE"
        if match.score is not None:
            count, facets, hits = self._one_pass(match, filters)
            return SearchResult(count=count, hits=hits, facets=facets, suggestion=suggestion, corrected=corrected)
        if text_condition == "TRUE" and not filters:
            key = (tuple(query.facets), query.facet_limit)
            if key not in self.state.listing:
                self.state.listing[key] = self._count_and_facets(text_condition, filters)
            count, facets = self.state.listing[key]
        else:
            count, facets = self._count_and_facets(text_condition, filters)
        hits = self._page(match, f"({text_condition}) AND ({filtered})") if query.size else []
        return SearchResult(count=count, hits=hits, facets=facets, suggestion=suggestion, corrected=corrected)

    # -- filters, facets, page

    def _filter(self, key: str, values: list[str]) -> str:
        if key == "format":  # formats are indexed upper-case
            values = [v.upper() for v in values]
        wanted = [v for v in dict.fromkeys(values) if v]
        if key in MULTI_VALUED_FACETS:
            return f"d.{key_column(key)} ?| {self.p(wanted)}::text[]"
        return f"d.{key} = ANY({self.p(wanted)}::text[])"

    def _one_pass(
        self, match: _Match, filters: dict[str, str]
    ) -> tuple[int, dict[str, list[FacetValue]], list[SearchHit]]:
        """A text query's count, facets and page from one read of its matched rows: they are gathered once
        (GIN, heap, the terms' frequencies out of TOAST for the score) into a materialized CTE, which the
        count and facets (the queries of :meth:`_count_and_facets`) and the page then read."""
        query = self.query
        plan = self._facet_plan(match.condition, filters)
        every = " AND ".join(filters.values()) or "TRUE"
        source = f"searchdocument d WHERE {plan.rows_condition}"
        if self.tf_sql:  # the terms' frequencies taken out of `tf` once per row (OFFSET 0 keeps the subquery)
            source = f"(SELECT d.*, {', '.join(self.tf_sql)} FROM {source} OFFSET 0) AS d"
        kept = ", ".join(f"d.{c}" for c in _MATCHED_COLUMNS)
        single_sql, multi_sql = self._facet_sql(plan, "matched d", "TRUE")
        grouped = ", ".join(["g.grouped", *(f"g.{f}" for f in plan.single), "g.n", *(f"g.n_{f}" for f in plan.single)])
        selects = [f"(SELECT json_agg(json_build_array({grouped})) FROM ({single_sql}) g)"]
        selects += [
            f"(SELECT json_agg(json_build_array(g.v, g.n) ORDER BY g.n DESC, g.v COLLATE \"C\") FROM ({sql}) g)"
            for sql in multi_sql.values()
        ]
        page_sql = "SELECT '[]'::json"
        if query.size:
            start = (query.page - 1) * query.size
            order = _ORDER[self._sort(match)]
            page_sql = (
                f"SELECT json_agg(json_build_array(d.name, d.score) ORDER BY {order}) FROM (SELECT * FROM matched d "
                f"WHERE {every} ORDER BY {order} LIMIT {int(query.size)} OFFSET {int(start)}) d"
            )
        row = self.conn.exec_driver_sql(
            f"WITH matched AS MATERIALIZED (SELECT {kept}, ({match.score})::float8 AS score FROM {source}) "
            f"SELECT {', '.join(selects)}, ({page_sql})",
            self.p.values,
        ).one()
        total, values = self._single_values(plan, [tuple(r) for r in row[0] or []])
        for facet, found in zip(multi_sql, row[1:-1], strict=True):
            values[facet] = [FacetValue(v, int(n)) for v, n in found or []]
        page = [(name, float(score)) for name, score in row[-1] or []]
        return total, self._ordered_facets(values), self._hits(match, page)

    def _count_and_facets(self, text_condition: str, filters: dict[str, str]) -> tuple[int, dict[str, list[FacetValue]]]:
        """The result count and the facets: each facet with a filter counted without its own filter."""
        plan = self._facet_plan(text_condition, filters)
        single_sql, multi_sql = self._facet_sql(plan, "searchdocument d", plan.rows_condition)
        total, values = self._single_values(plan, self.conn.exec_driver_sql(single_sql, self.p.values).all())
        for facet, sql in multi_sql.items():
            values[facet] = [FacetValue(v, int(n)) for v, n in self.conn.exec_driver_sql(sql, self.p.values).all()]
        return total, self._ordered_facets(values)

    def _facet_plan(self, text_condition: str, filters: dict[str, str]) -> _FacetPlan:
        wanted = [f for f in self.query.facets if f in FACET_NAMES]
        every = " AND ".join(filters.values()) or "TRUE"
        own = {f: " AND ".join(c for k, c in filters.items() if k != f) or "TRUE" for f in wanted}
        rows_condition = text_condition
        if filters:  # the rows of the count or of some facet
            needed = dict.fromkeys([every, *own.values()])
            rows_condition = f"({text_condition}) AND ({' OR '.join(f'({c})' for c in needed)})"
        single = [f for f in _SINGLE_FACETS if f in wanted]
        multi = [f for f in wanted if f in MULTI_VALUED_FACETS]
        return _FacetPlan(rows_condition, every, own, single, multi)

    def _facet_sql(self, plan: _FacetPlan, source: str, condition: str) -> tuple[str, dict[str, str]]:
        """The SQL of the count with the single-valued facets, and of each multi-valued facet, over ``source``."""
        own = plan.own
        single = plan.single
        counts = ", ".join(
            [f"count(*) FILTER (WHERE {plan.every}) AS n"]
            + [f"count(*) FILTER (WHERE {own[f]}) AS n_{f}" for f in single]
        )
        if not single:
            single_sql = f"SELECT 0 AS grouped, {counts} FROM {source} WHERE {condition}"
        else:  # one pass: the count (grouping set ()) and each facet's values (grouping set (d.facet))
            columns = ", ".join(f"d.{f}" for f in single)
            sets = ", ".join(["()"] + [f"(d.{f})" for f in single])
            single_sql = (
                f"SELECT GROUPING({columns}) AS grouped, {columns}, {counts} FROM {source} WHERE {condition} "
                f"GROUP BY GROUPING SETS ({sets})"
            )
        multi_sql = {}
        for facet in plan.multi:
            column = key_column(facet)
            multi_sql[facet] = (
                f"SELECT v, count(*) FILTER (WHERE {own[facet]}) AS n FROM {source} "
                f"CROSS JOIN LATERAL jsonb_array_elements_text(d.{column}) AS v WHERE {condition} "
                f"GROUP BY v HAVING count(*) FILTER (WHERE {own[facet]}) > 0 "
                f"ORDER BY n DESC, v COLLATE \"C\" LIMIT {int(self.query.facet_limit)}"
            )
        return single_sql, multi_sql

    @staticmethod
    def _single_values(plan: _FacetPlan, rows: list[Any]) -> tuple[int, dict[str, list[FacetValue]]]:
        """The count and the single-valued facets' values out of the grouped rows of :meth:`_facet_sql`."""
        single = plan.single
        values: dict[str, list[FacetValue]] = {f: [] for f in single}
        if not single:
            return (int(rows[0][1]) if rows else 0), values
        total = 0
        width = len(single)
        everything = (1 << width) - 1  # GROUPING's bit of a column is 1 when the set leaves it out
        for row in rows:
            if row[0] == everything:
                total = int(row[1 + width])
                continue
            for i, facet in enumerate(single):
                if row[0] == everything ^ (1 << (width - 1 - i)):
                    value, n = row[1 + i], int(row[2 + width + i])
                    if value and n:
                        values[facet].append(FacetValue(value, n))
        return total, values

    def _ordered_facets(self, values: dict[str, list[FacetValue]]) -> dict[str, list[FacetValue]]:
        query = self.query
        facets = {}
        for facet in query.facets:
            ordered = sorted(values.get(facet, []), key=lambda fv: (-fv.count, fv.value))
            facets[facet] = ordered[: query.facet_limit]
        return facets

    def _sort(self, match: _Match) -> str:
        sort = self.query.sort
        return "modified" if sort == "relevance" and match.score is None else sort

    def _page(self, match: _Match, condition: str) -> list[SearchHit]:
        """The page of a query without text (the listing, filters only): in the order of an index, if any."""
        query = self.query
        score = match.score if match.score is not None else "0"
        start = (query.page - 1) * query.size
        rows = self.conn.exec_driver_sql(
            f"SELECT d.name, ({score})::float8 AS score FROM searchdocument d WHERE {condition} "
            f"ORDER BY {_ORDER[self._sort(match)]} LIMIT {int(query.size)} OFFSET {int(start)}",
            self.p.values,
        ).all()
        return self._hits(match, [(name, float(score)) for name, score in rows])

    def _hits(self, match: _Match, page: list[tuple[str, float]]) -> list[SearchHit]:
        """The page's hits, their titles and descriptions highlighted (read for the page's rows only)."""
        if not self.query.highlight:
            return [SearchHit(name, score, {}) for name, score in page]
        stored = {
            name: (title, description)
            for name, title, description in self.conn.exec_driver_sql(
                "SELECT name, title, description FROM searchdocument WHERE name = ANY(%(names)s)",
                {"names": [name for name, _ in page]},
            ).all()
        } if page else {}
        hits = []
        for name, score in page:
            title, description = stored.get(name, ("", ""))
            hits.append(SearchHit(name, score, {
                "title": highlight(title or "", match.marks),
                "description": highlight(description or "", match.marks, max_chars=DESCRIPTION_SNIPPET_CHARS),
            }))
        return hits

    # -- query expansion (the Whoosh backend's _expanded_match, _found_whole and _correction)

    def _expanded(self, text: str) -> _Match:
        plain = parse_query(text)
        everything = _Match(None, "TRUE")
        if plain.is_empty and not text.strip():
            return everything
        if any(c in text for c in _QUOTES):  # phrases are taken literally
            if plain.is_empty:
                return everything
            score, condition = self._match(plain.clauses, plain.scoring_terms)
            return _Match(score, condition, [], frozenset(plain.highlight_terms))
        words = text.split()[:MAX_EXPANDED_WORDS]
        vocab = self._vocabulary() if any(w.isascii() for w in words) else None
        joined = "".join(words).lower()
        if len(words) > 1 and joined.isalpha() and joined.isascii() and vocab and vocab.pinyin_terms(joined):
            words = [joined]  # "ting che chang"
        dictionary = synonyms(self.backend.synonyms_file)
        scores: list[str] = []
        conditions: list[str] = []
        marks: set[str] = set()
        empty: list[str] = []
        any_clause = False
        for word in words:
            alts: list[tuple[str, float]] = [(word, 1.0)]
            alts += [(s, SYNONYM_WEIGHT) for s in dictionary.of(word)]
            if vocab is not None:
                alts += [(t, PINYIN_WEIGHT) for t in vocab.pinyin_terms(word)]
            group: list[str] = []
            exact_found = False
            for i, (alt, weight) in enumerate(alts):
                if exact_found:  # expansions only stand in for a word that finds nothing as typed
                    break
                parsed = parse_query(alt)
                if parsed.is_empty:
                    continue
                any_clause = True
                alt_score, alt_condition = self._match(parsed.clauses, parsed.scoring_terms)
                if not self._exists(alt_condition):
                    continue
                if i == 0:
                    exact_found = self._found_whole(alt, parsed, alt_condition)
                scores.append(f"CASE WHEN {alt_condition} THEN {weight!r} * ({alt_score}) ELSE 0 END")
                group.append(alt_condition)
                if len(group) == 1:
                    alone = f"{weight!r} * ({alt_score})"  # the condition holds for every result row
                marks.update(parsed.highlight_terms)
            if not group and not exact_found:
                empty.append(word)
            if len(group) == 1:
                scores[-1] = alone
            conditions.append("(" + " OR ".join(f"({c})" for c in group) + ")" if group else "FALSE")
        if not any_clause:
            return everything
        return _Match(" + ".join(scores) or "0", " AND ".join(conditions) or "TRUE", empty, frozenset(marks))

    def _found_whole(self, word: str, parsed: ParsedQuery, word_condition: str) -> bool:
        """Whether documents hold ``word`` as written (its tokens together), not just its parts scattered."""
        if len(parsed.clauses) < 2 or any(c.is_phrase for c in parsed.clauses):
            return True
        phrase = parse_query(f'"{word}"')
        if phrase.is_empty:
            return True
        _, whole = self._match(phrase.clauses, [])
        return self._exists(f"({whole}) AND ({word_condition})")

    def _correction(self, filtered: str, text: str, empty_words: list[str]) -> tuple[str, _Match] | None:
        vocab = self._vocabulary()
        fixed = text
        for word in empty_words:
            for rewrite in vocab.rewrites(word)[:MAX_REWRITE_TRIES]:
                trial = self._expanded(rewrite)
                if trial.score is not None and self._exists(f"({filtered}) AND ({trial.condition})"):
                    fixed = fixed.replace(word, rewrite)
                    break
        if fixed == text:
            return None
        result = self._expanded(fixed)
        return (fixed, result) if self._exists(f"({filtered}) AND ({result.condition})") else None

    # -- BM25 and clause conditions

    def _match(self, clauses: list[Clause], scoring_terms: list[str]) -> tuple[str, str]:
        """The BM25 score expression of ``scoring_terms`` and the condition that every clause holds."""
        state = self.state
        n_docs = max(state.doc_count, 1)
        df = self._doc_frequencies(scoring_terms)
        required = {c.terms[0] for c in clauses if not c.is_phrase}
        parts: list[str] = []
        present: dict[str, str] = {}
        for term in scoring_terms:
            lexemes: list[str] = []  # any of them in the row's tsvector: the row holds the term (or its label)
            found: list[str] = []  # other conditions that make the row hold it
            tf = None
            for i, name in enumerate(FIELDS):
                n = df.get((term, i), 0)
                if not n:
                    continue
                if tf is None:
                    tf = self._tf_column(term)
                    lexemes.append(term)
                weight = FIELD_BOOSTS[name] * bm25_idf(n_docs, n) * (BM25_K1 + 1.0)
                norm = BM25_K1 * BM25_B / state.avg_length(i)
                t = f"coalesce((d.{tf} ->> {i})::float8, 0)"
                parts.append(f"{weight!r} * {t} / ({t} + {BM25_K1 * (1.0 - BM25_B)!r} + {norm!r} * d.len_{name})")
            for facet, boost in LABEL_BOOSTS.items():
                values = self._label_values(facet, term)
                if not values:
                    continue
                n = self._label_df(facet, values)
                if not n:
                    continue
                matches = f"d.{facet} = ANY({self.p(values)}::text[])"
                parts.append(f"CASE WHEN {matches} THEN {boost * bm25_idf(n_docs, n)!r} ELSE 0 END")
                for value in values:
                    lexeme = facet_lexeme(facet, value)
                    if len(lexeme.encode("utf-8")) <= MAX_LEXEME_BYTES:
                        lexemes.append(lexeme)
                    else:  # too long to be in the tsvector (see rows.py)
                        found.append(f"d.{facet} = {self.p(value)}")
            if lexemes:  # one GIN condition for the word and every label holding it
                found.insert(0, f"d.terms @@ {self.p(' | '.join(map(_lexeme, lexemes)))}::tsquery")
            if term in required:
                present[term] = "(" + " OR ".join(found) + ")" if found else "FALSE"
        conditions = []
        for clause in clauses:
            if clause.is_phrase:
                conditions.append(f"d.terms @@ {self.p(_tsquery(clause.terms))}::tsquery")
            else:
                term = clause.terms[0]
                conditions.append(present.get(term) or f"d.terms @@ {self.p(_tsquery((term,)))}::tsquery")
        return " + ".join(parts) or "0", " AND ".join(conditions) or "TRUE"

    def _tf_column(self, term: str) -> str:
        """The column of the page query's inner select holding the term's frequencies (``tf -> term``): taken
        from the row's ``tf`` once, not once for each use in the score (each use would decompress ``tf``)."""
        column = self.tf_columns.get(term)
        if column is None:
            column = self.tf_columns[term] = f"tf{len(self.tf_columns)}"
            self.tf_sql.append(f"d.tf -> {self.p(term)} AS {column}")
        return column

    def _doc_frequencies(self, wanted: list[str]) -> dict[tuple[str, int], int]:
        state = self.state
        missing = [t for t in wanted if t not in state.df_known]
        if missing:
            for term, i, n in self.conn.exec_driver_sql(
                "SELECT term, field, df FROM searchterm WHERE term = ANY(%(t)s)", {"t": missing}
            ).all():
                state.df[(term, int(i))] = int(n)
            state.df_known.update(missing)
        return state.df

    def _labels(self) -> dict[str, list[tuple[str, frozenset[str]]]]:
        state = self.state
        if state.labels is None:
            labels: dict[str, list[tuple[str, frozenset[str]]]] = {f: [] for f in LABEL_BOOSTS}
            for facet, value, label in self.conn.exec_driver_sql(
                "SELECT facet, value, label FROM searchlabel ORDER BY facet, value"
            ).all():
                if facet in labels:
                    labels[facet].append((value, frozenset(terms(label))))
            state.labels = labels
        return state.labels

    def _label_values(self, facet: str, term: str) -> list[str]:
        return [value for value, words in self._labels()[facet] if term in words]

    def _label_df(self, facet: str, values: list[str]) -> int:
        key = (facet, tuple(values))
        n = self.state.label_df.get(key)
        if n is None:
            n = self.state.label_df[key] = int(self.conn.exec_driver_sql(
                f"SELECT count(*) FROM searchdocument WHERE {facet} = ANY(%(v)s::text[])", {"v": values}
            ).scalar_one())
        return n

    def _vocabulary(self) -> Vocabulary:
        """The index's terms (title, keywords, resources, department and domain labels) for pinyin and typo
        lookups, built once per generation."""
        state = self.state
        if state.vocabulary is None:
            fields = [FIELDS.index(f) for f in VOCABULARY_FIELDS]
            df: dict[str, int] = dict(
                self.conn.exec_driver_sql(
                    "SELECT term, sum(df)::int FROM searchterm WHERE field = ANY(%(f)s) GROUP BY term", {"f": fields}
                ).all()
            )
            for facet in LABEL_BOOSTS:
                for _value, words in self._labels()[facet]:
                    for word in words:
                        df[word] = df.get(word, 0) + 1
            state.vocabulary = Vocabulary(df)
        return state.vocabulary


def key_column(facet: str) -> str:
    """The column of a multi-valued facet (``format`` → ``formats``)."""
    return {"format": "formats", "keywords": "keywords"}[facet]
