"""Embedded search backend: a Whoosh index with the jieba tokenizer, queried with numpy.

Whoosh stores the index (segments, postings with positions, stored fields, one per-document column) and
provides the write lock and atomic commits. Query evaluation does not go through Whoosh's collectors,
which score and facet one document at a time in Python and are far too slow at 100,000 documents.
Instead, for each *reader generation* (a commit), the backend loads per-document arrays once — facet
value ids, modified time, downloads, names — and per query it

1. reads the postings of each query token in each text field as whole numpy blocks and computes BM25
   scores vectorised (field boosts in :data:`FIELD_BOOSTS`); phrases use Whoosh's positional matcher;
2. ANDs the clause masks with the live-document mask and the filter masks;
3. counts facets with ``numpy.bincount`` over the matching documents;
4. sorts with precomputed orders (modified / title / downloads) or a partial sort of the scores;
5. loads stored title and description only for the hits of the page, to highlight them.

Withdrawn and closed (非开放) datasets are never indexed: indexing one removes it.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.index import LockError
from whoosh.query import Or, Phrase
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length
from whoosh.writing import CLEAR

from .base import (
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
from .highlight import highlight
from .query import Clause, parse_query
from .tokenizer import ITEM_SEPARATOR, ChineseAnalyzer

_log = logging.getLogger(__name__)

#: Text fields and their score weights.
FIELD_BOOSTS: dict[str, float] = {
    "title": 4.0,
    "keywords": 2.5,
    "domain": 1.5,
    "department": 1.5,
    "description": 1.0,
    "resources": 1.0,
    "fields": 0.6,
}
BM25_K1 = 1.2
BM25_B = 0.75
DESCRIPTION_SNIPPET_CHARS = 160
INDEX_NAME = "MAIN"

# The per-document record kept in the ``meta`` column, in this order (lists joined with _LIST_SEP).
_REC_SEP = "\x1e"
_LIST_SEP = "\x1f"
_NO_MODIFIED = -(2**62)
_SINGLE_FACETS = tuple(f for f in FACET_NAMES if f not in MULTI_VALUED_FACETS)
_MULTI_FACETS = tuple(f for f in FACET_NAMES if f in MULTI_VALUED_FACETS)
_BYTE_TO_LENGTH = np.array([byte_to_length(i) or 0 for i in range(256)], dtype=np.float32)


def make_schema() -> Schema:
    analyzer = ChineseAnalyzer()
    text = {f: TEXT(analyzer=analyzer, phrase=True, stored=f in ("title", "description")) for f in FIELD_BOOSTS}
    return Schema(name=ID(stored=True, unique=True), meta=COLUMN(VarBytesColumn()), **text)


# --------------------------------------------------------------------------------------------- documents


def _clean(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace(_REC_SEP, " ").replace(_LIST_SEP, " ").strip()


def _clean_list(values: Iterable[Any] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        c = _clean(v)
        if c and c not in out:
            out.append(c)
    return out


def _timestamp_ms(value: datetime | None) -> int:
    if value is None:
        return _NO_MODIFIED
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp() * 1000)


def _join_items(values: Iterable[str]) -> str:
    return ITEM_SEPARATOR.join(v for v in values if v)


def document_fields(doc: SearchDocument) -> dict[str, Any]:
    """The Whoosh field values for one document."""
    formats = [f.upper() for f in _clean_list(doc.formats)]
    keywords = _clean_list(doc.keywords)
    record = _REC_SEP.join(
        [
            _clean(doc.name),
            _clean(doc.title),
            _clean(doc.domain_code),
            _clean(doc.department_name),
            _LIST_SEP.join(formats),
            _clean(doc.open_class),
            _clean(doc.update_frequency),
            _LIST_SEP.join(keywords),
            str(_timestamp_ms(doc.modified)),
            str(int(doc.downloads or 0)),
        ]
    )
    return {
        "name": doc.name,
        "meta": record.encode("utf-8"),
        "title": doc.title or "",
        "description": doc.description or "",
        "keywords": _join_items(keywords),
        "domain": _join_items([doc.domain_name or "", doc.domain_code or ""]),
        "department": _join_items([doc.department_title or "", doc.department_name or ""]),
        "resources": _join_items(list(doc.resource_names or []) + formats),
        "fields": _join_items(doc.field_texts or []),
    }


# ------------------------------------------------------------------------------------ per-segment arrays


class _Vocab:
    """Facet value <-> small int id, append-only, shared by all segments of one backend."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.values: list[str] = []
        self._rank: np.ndarray | None = None

    def id(self, value: str) -> int:
        i = self.ids.get(value)
        if i is None:
            i = self.ids[value] = len(self.values)
            self.values.append(value)
            self._rank = None
        return i

    def rank(self) -> np.ndarray:
        """rank[id] = position of the value in sorted order (for tie-breaking facet counts)."""
        if self._rank is None or len(self._rank) != len(self.values):
            order = sorted(range(len(self.values)), key=self.values.__getitem__)
            rank = np.empty(len(self.values), dtype=np.int64)
            rank[order] = np.arange(len(self.values))
            self._rank = rank
        return self._rank


class _SegmentData:
    """Arrays for one Whoosh segment (segments are immutable apart from deletions)."""

    def __init__(self, segreader: Any, vocabs: dict[str, _Vocab]) -> None:
        n = segreader.doc_count_all()
        self.n = n
        self.names: list[str] = [""] * n
        self.titles: list[str] = [""] * n
        self.has_record = np.zeros(n, dtype=bool)
        self.single = {f: np.full(n, -1, dtype=np.int32) for f in _SINGLE_FACETS}
        multi_docs: dict[str, list[int]] = {f: [] for f in _MULTI_FACETS}
        multi_vals: dict[str, list[int]] = {f: [] for f in _MULTI_FACETS}
        modified = np.full(n, _NO_MODIFIED, dtype=np.int64)
        downloads = np.zeros(n, dtype=np.int64)
        vid = {f: vocabs[f].id for f in FACET_NAMES}
        dom, dep, ocl, upd = (self.single[f] for f in ("domain", "department", "open_class", "update_frequency"))
        fdocs, fvals = multi_docs["format"], multi_vals["format"]
        kdocs, kvals = multi_docs["keywords"], multi_vals["keywords"]
        if n:
            for i, raw in enumerate(segreader.column_reader("meta", translate=False)):
                if not raw:
                    continue
                rec = raw.decode("utf-8").split(_REC_SEP)
                if len(rec) != 10:
                    continue
                self.has_record[i] = True
                self.names[i] = rec[0]
                self.titles[i] = rec[1]
                if rec[2]:
                    dom[i] = vid["domain"](rec[2])
                if rec[3]:
                    dep[i] = vid["department"](rec[3])
                if rec[4]:
                    for v in rec[4].split(_LIST_SEP):
                        fdocs.append(i)
                        fvals.append(vid["format"](v))
                if rec[5]:
                    ocl[i] = vid["open_class"](rec[5])
                if rec[6]:
                    upd[i] = vid["update_frequency"](rec[6])
                if rec[7]:
                    for v in rec[7].split(_LIST_SEP):
                        kdocs.append(i)
                        kvals.append(vid["keywords"](v))
                modified[i] = int(rec[8])
                downloads[i] = int(rec[9])
        self.multi = {
            f: (np.array(multi_docs[f], dtype=np.int32), np.array(multi_vals[f], dtype=np.int32))
            for f in _MULTI_FACETS
        }
        self.modified = modified
        self.downloads = downloads
        self._lengths: dict[str, np.ndarray] = {}

    def lengths(self, segreader: Any, fieldname: str) -> np.ndarray:
        arr = self._lengths.get(fieldname)
        if arr is None:
            arr = self._lengths[fieldname] = _field_lengths(segreader, fieldname, self.n)
        return arr


def _field_lengths(segreader: Any, fieldname: str, n: int) -> np.ndarray:
    """Token count of ``fieldname`` for every document of a segment (Whoosh stores it as one byte)."""
    try:  # fast path: the raw length column of the W3 codec
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        creader = segreader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        out = np.zeros(n, dtype=np.float32)
        if creader is not None:
            count = min(creader._count, n)
            raw = creader._dbfile.get(creader._basepos, count)
            out[:count] = _BYTE_TO_LENGTH[np.frombuffer(raw, dtype=np.uint8)]
        return out
    except Exception:  # noqa: BLE001 - any other codec: the slow, public way
        return np.array([segreader.doc_field_length(d, fieldname, 0) or 0 for d in range(n)], dtype=np.float32)


def _drain_postings(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """All (docnum, term frequency) of a term's postings in one segment, ignoring deletions."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher

    while isinstance(matcher, FilterMatcher):  # deletions are applied later, with the live mask
        matcher = matcher.child
    if type(matcher) is W3LeafMatcher:
        try:
            return _drain_w3(matcher)
        except Exception:  # noqa: BLE001 - internals changed: fall through to the public API
            matcher.reset()
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)


def _drain_w3(m: Any) -> tuple[np.ndarray, np.ndarray]:
    # A W3 posting list is a chain of blocks; each block is a pickled (delta-coded ids, weights, values).
    id_parts: list[np.ndarray] = []
    w_parts: list[np.ndarray] = []
    while True:
        if m._data is None:
            m._read_data()
        ids, weights = m._data[0], m._data[1]
        n = m._blocklength
        id_parts.append(np.cumsum(np.array(ids, dtype=np.int64)))
        if weights is None:
            w_parts.append(np.ones(n, dtype=np.float32))
        elif isinstance(weights, float):
            w_parts.append(np.full(n, weights, dtype=np.float32))
        else:
            w_parts.append(np.array(weights, dtype=np.float32))
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    if len(id_parts) == 1:
        return id_parts[0], w_parts[0]
    return np.concatenate(id_parts), np.concatenate(w_parts)


# ------------------------------------------------------------------------------------- reader snapshot


class _Snapshot:
    """Everything derived from one reader generation."""

    def __init__(self, ix: Any, reader: Any, cache: dict[str, _SegmentData], vocabs: dict[str, _Vocab]):
        self.reader = reader
        self.searcher = Searcher(reader, fromindex=ix)
        self.generation = reader.generation()
        leaves = [(r, o) for r, o in reader.leaf_readers() if getattr(r, "segment", lambda: None)() is not None]
        self.leaves: list[tuple[Any, _SegmentData, int]] = []
        live_parts, names, titles = [], [], []
        for segreader, offset in leaves:
            segid = segreader.segment().segment_id()
            data = cache.get(segid)
            if data is None:
                data = cache[segid] = _SegmentData(segreader, vocabs)
            self.leaves.append((segreader, data, offset))
            live = data.has_record.copy()
            if segreader.has_deletions():
                deleted = np.fromiter(segreader.deleted_docs_set, dtype=np.int64)
                live[deleted[deleted < data.n]] = False
            live_parts.append(live)
            names.extend(data.names)
            titles.extend(data.titles)
        datas = [d for _, d, _ in self.leaves]
        offsets = [o for _, _, o in self.leaves]
        self.n = sum(d.n for d in datas)

        def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        self.live = cat(live_parts, bool)
        self.names = names
        self.titles = titles
        self.single = {f: cat([d.single[f] for d in datas], np.int32) for f in _SINGLE_FACETS}
        self.multi = {
            f: (
                cat([d.multi[f][0] + o for d, o in zip(datas, offsets)], np.int32),
                cat([d.multi[f][1] for d in datas], np.int32),
            )
            for f in _MULTI_FACETS
        }
        self.modified = cat([d.modified for d in datas], np.int64)
        self.downloads = cat([d.downloads for d in datas], np.int64)
        self.doc_count = int(np.count_nonzero(self.live))
        self._orders: dict[str, np.ndarray] = {}
        self._rank_modified: np.ndarray | None = None
        self._avg: dict[str, float] = {}
        self._df: dict[tuple[str, str], int] = {}

    def close(self) -> None:
        self.searcher.close()

    # sort orders over all documents, computed on first use
    def order(self, mode: str) -> np.ndarray:
        order = self._orders.get(mode)
        if order is None:
            name_rank = self._rank_of(self.names)
            if mode == "modified":
                order = np.lexsort((name_rank, -self.modified))
            elif mode == "downloads":
                order = np.lexsort((name_rank, -self.modified, -self.downloads))
            elif mode == "title":
                order = np.lexsort((name_rank, self._rank_of(self.titles)))
            else:
                raise ValueError(mode)
            self._orders[mode] = order
        return order

    @staticmethod
    def _rank_of(values: list[str]) -> np.ndarray:
        if not values:
            return np.zeros(0, dtype=np.int64)
        order = np.argsort(np.array(values, dtype=str), kind="stable")
        rank = np.empty(len(values), dtype=np.int64)
        rank[order] = np.arange(len(values))
        return rank

    def rank_modified(self) -> np.ndarray:
        if self._rank_modified is None:
            order = self.order("modified")
            rank = np.empty(self.n, dtype=np.int64)
            rank[order] = np.arange(self.n)
            self._rank_modified = rank
        return self._rank_modified

    def avg_length(self, fieldname: str) -> float:
        avg = self._avg.get(fieldname)
        if avg is None:
            total = self.reader.field_length(fieldname)
            avg = self._avg[fieldname] = max(total / max(self.reader.doc_count_all(), 1), 1.0)
        return avg

    def doc_frequency(self, fieldname: str, term: str) -> int:
        key = (fieldname, term)
        df = self._df.get(key)
        if df is None:
            df = self._df[key] = self.reader.doc_frequency(fieldname, term)
        return df


# ---------------------------------------------------------------------------------------------- backend


class WhooshBackend:
    """Search backend on a Whoosh index directory (created if missing).

    One writer at a time: a writer waits up to ``lock_timeout`` seconds for the index write lock, then
    raises :class:`IndexLockedError`. Any number of processes may search; each search sees the latest
    commit. An instance is safe to share between threads (searches are serialised per instance).
    """

    def __init__(self, index_dir: str | Path, lock_timeout: float = 30.0, writer_limitmb: int = 256) -> None:
        self.index_dir = Path(index_dir)
        self.lock_timeout = lock_timeout
        self.writer_limitmb = writer_limitmb
        self.schema = make_schema()
        self._lock = threading.RLock()
        self._segments: dict[str, _SegmentData] = {}
        self._vocabs = {f: _Vocab() for f in FACET_NAMES}
        self._snapshot: _Snapshot | None = None
        self._ix = self._open_or_create()

    # -- index lifecycle

    def _open_or_create(self) -> Any:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        if whoosh_index.exists_in(str(self.index_dir), indexname=INDEX_NAME):
            return whoosh_index.open_dir(str(self.index_dir), indexname=INDEX_NAME)
        from whoosh.filedb.filestore import FileStorage
        from whoosh.util.filelock import try_for

        storage = FileStorage(str(self.index_dir))
        lock = storage.lock(f"{INDEX_NAME}_WRITELOCK")
        if not try_for(lock.acquire, timeout=self.lock_timeout, delay=0.05):
            raise self._locked_error()
        try:
            if whoosh_index.exists_in(str(self.index_dir), indexname=INDEX_NAME):
                return whoosh_index.open_dir(str(self.index_dir), indexname=INDEX_NAME)
            return storage.create_index(self.schema, indexname=INDEX_NAME)
        finally:
            lock.release()

    def _locked_error(self) -> IndexLockedError:
        return IndexLockedError(
            f"search index {self.index_dir} is locked by another writer; gave up after waiting "
            f"{self.lock_timeout:g} s (is an `odp reindex` or a harvest still running?)"
        )

    def _schema_is_current(self, schema: Schema) -> bool:
        return sorted(schema.names()) == sorted(self.schema.names())

    def _writer(self) -> Any:
        try:
            return self._ix.writer(timeout=self.lock_timeout, delay=0.05, limitmb=self.writer_limitmb)
        except LockError:
            raise self._locked_error() from None

    def close(self) -> None:
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.close()
                self._snapshot = None
            self._segments.clear()

    def __enter__(self) -> WhooshBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing

    def index_documents(self, docs: Iterable[SearchDocument]) -> None:
        batch: dict[str, SearchDocument] = {}
        for doc in docs:
            batch[doc.name] = doc  # the last version of a name in the batch wins
        if not batch:
            return
        writer = self._writer()
        try:
            self._require_current_schema(writer)
            for doc in batch.values():
                if doc.searchable:
                    writer.update_document(**document_fields(doc))
                else:
                    writer.delete_by_term("name", doc.name)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def remove(self, names: Iterable[str]) -> None:
        unique = list(dict.fromkeys(names))
        if not unique:
            return
        writer = self._writer()
        try:
            self._require_current_schema(writer)
            for name in unique:
                writer.delete_by_term("name", name)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, docs: Iterable[SearchDocument]) -> None:
        writer = self._writer()
        try:
            writer.schema = self.schema  # a rebuild also upgrades an index made by an older version
            seen: set[str] = set()
            for doc in docs:
                if doc.name in seen:
                    _log.warning("rebuild: duplicate dataset name %r ignored", doc.name)
                    continue
                seen.add(doc.name)
                if doc.searchable:
                    writer.add_document(**document_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)

    def _require_current_schema(self, writer: Any) -> None:
        if not self._schema_is_current(writer.schema):
            raise SearchError(f"search index {self.index_dir} was built by an older version: run `odp reindex`")

    # -- reading

    def _current(self) -> _Snapshot:
        """The snapshot of the latest commit (reopened when another writer committed)."""
        snap = self._snapshot
        if snap is not None and snap.generation == self._ix.latest_generation():
            return snap
        reader = self._ix.reader()
        if not self._schema_is_current(reader.schema):
            reader.close()
            raise SearchError(f"search index {self.index_dir} was built by an older version: run `odp reindex`")
        new = _Snapshot(self._ix, reader, self._segments, self._vocabs)
        live_ids = {id(d) for _, d, _ in new.leaves}
        for segid in [s for s, d in self._segments.items() if id(d) not in live_ids]:
            del self._segments[segid]
        self._snapshot = new
        if snap is not None:
            snap.close()
        return new

    def doc_count(self) -> int:
        with self._lock:
            return self._current().doc_count

    def search(self, query: SearchQuery) -> SearchResult:
        query.validate()
        with self._lock:
            snap = self._current()
            return self._search(snap, query)

    def _search(self, snap: _Snapshot, query: SearchQuery) -> SearchResult:
        parsed = parse_query(query.q)
        mask = snap.live.copy()
        for key, values in query.filters.items():
            if values:
                mask &= self._filter_mask(snap, key, values)
        scores: np.ndarray | None = None
        if not parsed.is_empty and mask.any():
            scores, matched = self._match(snap, parsed.clauses, parsed.scoring_terms)
            mask &= matched
        count = int(np.count_nonzero(mask))
        facets = {f: self._facet(snap, f, mask, query.facet_limit) for f in query.facets}
        start = (query.page - 1) * query.size
        page = self._page(snap, mask, scores, query.sort, start, start + query.size) if query.size else []
        terms = parsed.highlight_terms
        hits = []
        for docnum in page:
            stored = snap.reader.stored_fields(int(docnum))
            hits.append(
                SearchHit(
                    name=snap.names[docnum],
                    score=float(scores[docnum]) if scores is not None else 0.0,
                    highlights={
                        "title": highlight(stored.get("title", ""), terms),
                        "description": highlight(
                            stored.get("description", ""), terms, max_chars=DESCRIPTION_SNIPPET_CHARS
                        ),
                    },
                )
            )
        return SearchResult(count=count, hits=hits, facets=facets)

    # -- query evaluation

    def _filter_mask(self, snap: _Snapshot, key: str, values: list[str]) -> np.ndarray:
        vocab = self._vocabs[key]
        ids = [vocab.ids[v] for v in dict.fromkeys(values) if v in vocab.ids]
        allowed = np.zeros(len(vocab.values) + 1, dtype=bool)
        allowed[np.array(ids, dtype=np.int64) + 1] = True
        if key in MULTI_VALUED_FACETS:
            docs, vals = snap.multi[key]
            out = np.zeros(snap.n, dtype=bool)
            out[docs[allowed[vals + 1]]] = True
            return out
        return allowed[snap.single[key] + 1]

    def _match(
        self, snap: _Snapshot, clauses: list[Clause], scoring_terms: list[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores of all documents, and the mask of documents satisfying every clause."""
        n_docs = max(snap.reader.doc_count(), 1)
        scores = np.zeros(snap.n, dtype=np.float64)
        term_masks: dict[str, np.ndarray] = {}
        required = {c.terms[0] for c in clauses if not c.is_phrase}
        for term in scoring_terms:
            present = np.zeros(snap.n, dtype=bool) if term in required else None
            for fieldname, boost in FIELD_BOOSTS.items():
                df = snap.doc_frequency(fieldname, term)
                if not df:
                    continue
                idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
                avg = snap.avg_length(fieldname)
                for segreader, data, offset in snap.leaves:
                    try:
                        matcher = segreader.postings(fieldname, term)
                    except Exception:  # noqa: BLE001 - term not in this segment
                        continue
                    ids, tf = _drain_postings(matcher)
                    if not len(ids):
                        continue
                    lengths = data.lengths(segreader, fieldname)[ids]
                    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths / avg)
                    scores[ids + offset] += boost * idf * tf * (BM25_K1 + 1.0) / (tf + norm)
                    if present is not None:
                        present[ids + offset] = True
            if present is not None:
                term_masks[term] = present
        matched = np.ones(snap.n, dtype=bool)
        for clause in clauses:
            if clause.is_phrase:
                matched &= self._phrase_mask(snap, clause.terms)
            else:
                matched &= term_masks.get(clause.terms[0], np.zeros(snap.n, dtype=bool))
        return scores, matched

    def _phrase_mask(self, snap: _Snapshot, terms: tuple[str, ...]) -> np.ndarray:
        out = np.zeros(snap.n, dtype=bool)
        q = Or([Phrase(f, list(terms)) for f in FIELD_BOOSTS])
        docnums = list(snap.searcher.docs_for_query(q))
        if docnums:
            out[np.array(docnums, dtype=np.int64)] = True
        return out

    def _facet(self, snap: _Snapshot, facet: str, mask: np.ndarray, limit: int) -> list[FacetValue]:
        vocab = self._vocabs[facet]
        size = len(vocab.values)
        if facet in MULTI_VALUED_FACETS:
            docs, vals = snap.multi[facet]
            counts = np.bincount(vals[mask[docs]], minlength=size)
        else:
            col = snap.single[facet][mask]
            counts = np.bincount(col[col >= 0], minlength=size)
        nz = np.flatnonzero(counts)
        if not len(nz) or limit == 0:
            return []
        order = np.lexsort((vocab.rank()[nz], -counts[nz]))[:limit]
        return [FacetValue(vocab.values[i], int(counts[i])) for i in nz[order]]

    def _page(
        self, snap: _Snapshot, mask: np.ndarray, scores: np.ndarray | None, sort: str, start: int, end: int
    ) -> list[int]:
        if sort == "relevance" and scores is None:
            sort = "modified"
        if sort != "relevance":
            order = snap.order(sort)
            return order[mask[order]][start:end].tolist()
        cand = np.flatnonzero(mask)
        if start >= len(cand):
            return []
        s = scores[cand]
        if len(cand) > 4 * end:
            # keep only candidates scoring at least the end-th best (ties included), then sort those
            kth = np.partition(s, len(s) - end)[len(s) - end]
            keep = s >= kth
            cand, s = cand[keep], s[keep]
        order = np.lexsort((snap.rank_modified()[cand], -s))
        return cand[order][start:end].tolist()
