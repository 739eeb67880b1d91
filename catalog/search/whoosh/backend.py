"""Embedded search backend: a Whoosh index with our jieba tokenizer, evaluated with numpy.

Whoosh stores the index (segments; postings with positions; stored title and description; one
per-document ``meta`` column) and provides the write lock and atomic commits. Queries do not go through
Whoosh's collectors, which score and facet one document at a time in Python and are far too slow at
100,000 documents. Instead, once per *reader generation* (i.e. per commit) the backend loads arrays
indexed by document number — facet value ids, modified time, downloads, names — keeping those of
unchanged segments, and per query it

1. reads each query token's posting list in each text field as whole blocks into numpy arrays and computes
   BM25 scores vectorised (weights in :data:`FIELD_BOOSTS`); phrases use Whoosh's positional matcher;
   the domain and department names are matched against the (few dozen) facet labels instead of being
   indexed per document;
2. ANDs the clause masks with the live-document mask and the filter masks;
3. counts facets with ``numpy.bincount`` over the matching documents;
4. sorts by precomputed orders (modified / title / downloads) or by a partial sort of the scores;
5. loads the stored title and description of the page's hits only, to highlight them.

Withdrawn and closed (非开放) datasets are never indexed: indexing one removes it.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any, Self

import numpy as np
from whoosh import index as whoosh_index
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.index import LockError
from whoosh.query import Phrase
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length
from whoosh.writing import CLEAR

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
from catalog.search.documents import flatten
from catalog.search.expand import (
    PINYIN_WEIGHT,
    SYNONYM_WEIGHT,
    Vocabulary,
    fold,
    synonyms,
)
from catalog.search.highlight import highlight
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
    NO_MODIFIED,
    VOCABULARY_FIELDS,
    bm25_idf,
    title_sort_key,
)
from catalog.search.tokenizer import ChineseAnalyzer, segment, terms
from catalog.search.whoosh.codec import (
    OdpLeafMatcher,
    OdpPositions,
    Postings,
    encode_positions,
    phrase_docs,
    read_postings,
    segment_writer,
)
from catalog.search.whoosh.parallel import parallel_rebuild

_log = logging.getLogger(__name__)

#: rebuild() indexes in worker processes from this many documents on
PARALLEL_MIN_DOCS = 2000
INDEX_NAME = "MAIN"
ONLY = "_only"  # the filter mask of SearchQuery.only (no facet has this name)

# The per-document record kept in the ``meta`` column (lists joined with _LIST_SEP), in this order:
_RECORD = (
    "name",
    "title",
    "domain",
    "domain_label",
    "department",
    "department_label",
    "format",
    "open_class",
    "update_frequency",
    "keywords",
    "modified",
    "downloads",
)
_REC_SEP = "\x1e"
_LIST_SEP = "\x1f"
_NO_MODIFIED = NO_MODIFIED
_SINGLE_FACETS = tuple(f for f in FACET_NAMES if f not in MULTI_VALUED_FACETS)
_MULTI_FACETS = tuple(f for f in FACET_NAMES if f in MULTI_VALUED_FACETS)
_BYTE_TO_LENGTH = np.array([byte_to_length(i) or 0 for i in range(256)], dtype=np.float32)


class ChineseText(TEXT):
    """A TEXT field (positions stored, :class:`~.tokenizer.JiebaTokenizer` analyzer) whose indexing skips
    Whoosh's per-token objects: it turns :func:`~.tokenizer.segment` output straight into postings."""

    def __init__(self, stored: bool = False) -> None:
        super().__init__(analyzer=ChineseAnalyzer(), phrase=True, stored=stored)
        self.format = OdpPositions(field_boost=1.0)

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        positions: dict[str, list[int]] = {}
        pos = -1
        for text, _start, _end, inc in segment(value):
            pos += inc
            found = positions.get(text)
            if found is None:
                positions[text] = [pos]
            else:
                found.append(pos)
        for text, found in positions.items():
            yield text.encode("utf-8"), len(found), float(len(found)), encode_positions(found)


def make_schema() -> Schema:
    text = {f: ChineseText(stored=f in ("title", "description")) for f in FIELD_BOOSTS}
    return Schema(name=ID(stored=True, unique=True), meta=COLUMN(VarBytesColumn()), **text)


# --------------------------------------------------------------------------------------------- documents


def document_fields(doc: SearchDocument) -> dict[str, Any]:
    """The Whoosh field values of one document."""
    flat = flatten(doc)
    values = {
        "name": flat.name,
        "title": flat.title,
        "domain": flat.domain,
        "domain_label": flat.domain_label,
        "department": flat.department,
        "department_label": flat.department_label,
        "format": _LIST_SEP.join(flat.formats),
        "open_class": flat.open_class,
        "update_frequency": flat.update_frequency,
        "keywords": _LIST_SEP.join(flat.keywords),
        "modified": str(flat.modified_ms),
        "downloads": str(flat.downloads),
    }
    return {"name": doc.name, "meta": _REC_SEP.join(values[k] for k in _RECORD).encode("utf-8"), **flat.texts}


# ------------------------------------------------------------------------------------ per-segment arrays


class _Vocab:
    """Facet value <-> small int id, append-only, shared by all segments of one backend. Also keeps each
    value's label (domain and department only) for matching query terms against it."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.values: list[str] = []
        self.labels: list[str] = []
        self._label_terms: list[frozenset[str] | None] = []
        self._rank: np.ndarray | None = None

    def id(self, value: str) -> int:
        i = self.ids.get(value)
        if i is None:
            i = self.ids[value] = len(self.values)
            self.values.append(value)
            self.labels.append("")
            self._label_terms.append(None)
            self._rank = None
        return i

    def set_label(self, i: int, label: str) -> None:
        if label and self.labels[i] != label:
            self.labels[i] = label
            self._label_terms[i] = None

    def ids_with_label_term(self, term: str) -> list[int]:
        out = []
        for i, label in enumerate(self.labels):
            ts = self._label_terms[i]
            if ts is None:
                ts = self._label_terms[i] = frozenset(terms(label))
            if term in ts:
                out.append(i)
        return out

    def rank(self) -> np.ndarray:
        """rank[id] = position of the value in sorted order (to break ties between facet counts)."""
        if self._rank is None or len(self._rank) != len(self.values):
            order = sorted(range(len(self.values)), key=self.values.__getitem__)
            rank = np.empty(len(self.values), dtype=np.int64)
            rank[order] = np.arange(len(self.values))
            self._rank = rank
        return self._rank


class _SegmentData:
    """Arrays for one Whoosh segment (a segment never changes, apart from its deletions)."""

    def __init__(self, segreader: Any, vocabs: dict[str, _Vocab]) -> None:
        n = segreader.doc_count_all()
        self.n = n
        self.names: list[str] = [""] * n
        self.titles: list[str] = [""] * n
        self.has_record = np.zeros(n, dtype=bool)
        single = {f: np.full(n, -1, dtype=np.int32) for f in _SINGLE_FACETS}
        multi_docs: dict[str, list[int]] = {f: [] for f in _MULTI_FACETS}
        multi_vals: dict[str, list[int]] = {f: [] for f in _MULTI_FACETS}
        modified = np.full(n, _NO_MODIFIED, dtype=np.int64)
        downloads = np.zeros(n, dtype=np.int64)
        dom_v, dep_v, fmt_v, ocl_v, upd_v, kw_v = (
            vocabs[f]
            for f in ("domain", "department", "format", "open_class", "update_frequency", "keywords")
        )
        dom, dep, ocl, upd = (single[f] for f in ("domain", "department", "open_class", "update_frequency"))
        fdocs, fvals = multi_docs["format"], multi_vals["format"]
        kdocs, kvals = multi_docs["keywords"], multi_vals["keywords"]
        nfields = len(_RECORD)
        if n:
            for i, raw in enumerate(segreader.column_reader("meta", translate=False)):
                if not raw:
                    continue
                rec = raw.decode("utf-8").split(_REC_SEP)
                if len(rec) != nfields:
                    continue
                self.has_record[i] = True
                self.names[i] = rec[0]
                self.titles[i] = rec[1]
                if rec[2]:
                    v = dom[i] = dom_v.id(rec[2])
                    dom_v.set_label(v, rec[3])
                if rec[4]:
                    v = dep[i] = dep_v.id(rec[4])
                    dep_v.set_label(v, rec[5])
                if rec[6]:
                    for value in rec[6].split(_LIST_SEP):
                        fdocs.append(i)
                        fvals.append(fmt_v.id(value))
                if rec[7]:
                    ocl[i] = ocl_v.id(rec[7])
                if rec[8]:
                    upd[i] = upd_v.id(rec[8])
                if rec[9]:
                    for value in rec[9].split(_LIST_SEP):
                        kdocs.append(i)
                        kvals.append(kw_v.id(value))
                modified[i] = int(rec[10])
                downloads[i] = int(rec[11])
        self.single = single
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
    try:  # fast path: the raw length column of Whoosh's W3 codec
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        creader = segreader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        out = np.zeros(n, dtype=np.float32)
        if creader is not None:
            count = min(creader._count, n)
            raw = creader._dbfile.get(creader._basepos, count)
            out[:count] = _BYTE_TO_LENGTH[np.frombuffer(raw, dtype=np.uint8)]
        return out
    except Exception:  # noqa: BLE001 - any other codec: the slow, public way
        lengths = [segreader.doc_field_length(d, fieldname, 0) or 0 for d in range(n)]
        return np.array(lengths, dtype=np.float32)


def _read_postings(matcher: Any, with_positions: bool) -> Postings:
    """A term's whole posting list in one segment, deleted documents included. Positions only come with
    our own codec and format; otherwise ``positions`` is None and phrases are left to Whoosh."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher

    while isinstance(matcher, FilterMatcher):  # deletions are applied later, by the live mask
        matcher = matcher.child
    if type(matcher) is OdpLeafMatcher:
        return read_postings(matcher, with_positions and isinstance(matcher.format, OdpPositions))
    if type(matcher) is W3LeafMatcher:
        try:
            return _read_w3_postings(matcher)
        except Exception:  # noqa: BLE001 - Whoosh internals changed: use the public API below
            _log.debug("fast W3 postings reader failed; using the slow one", exc_info=True)
            matcher.reset()
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return Postings(np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32), None, None)


def _read_w3_postings(m: Any) -> Postings:
    # Segments written by Whoosh's default codec: each block is a pickled (delta ids, weights, values).
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
    return Postings(np.concatenate(id_parts), np.concatenate(w_parts), None, None)


class _PostingsCache:
    """Posting lists read during one query, so a term is read once even if scored and phrase-matched."""

    def __init__(self, positional: set[str]) -> None:
        self.positional = positional
        self._cache: dict[tuple[int, str, str], Postings | None] = {}

    def get(self, segreader: Any, fieldname: str, term: str) -> Postings | None:
        key = (id(segreader), fieldname, term)
        if key in self._cache:
            return self._cache[key]
        try:
            matcher = segreader.postings(fieldname, term)
        except TermNotFound:
            postings = None
        else:
            postings = _read_postings(matcher, term in self.positional)
            if not len(postings.ids):
                postings = None
        self._cache[key] = postings
        return postings


# ------------------------------------------------------------------------------------- reader snapshot


def _cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _rank_of(values: list[str]) -> np.ndarray:
    if not values:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(np.array(values, dtype=str), kind="stable")
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    return rank


def _pinyin_rank_of(titles: list[str]) -> np.ndarray:
    """rank[doc] = position of the title in pinyin order (code point order between equal keys)."""
    order = sorted(range(len(titles)), key=lambda i: (title_sort_key(titles[i]), titles[i]))
    rank = np.empty(len(titles), dtype=np.int64)
    rank[order] = np.arange(len(titles))
    return rank


class _Snapshot:
    """Everything derived from one reader generation."""

    def __init__(self, ix: Any, reader: Any, cache: dict[str, _SegmentData], vocabs: dict[str, _Vocab]):
        self.reader = reader
        self.searcher = Searcher(reader, fromindex=ix)
        self.generation = reader.generation()
        self.leaves: list[tuple[Any, _SegmentData, int]] = []
        live_parts: list[np.ndarray] = []
        self.names: list[str] = []
        self.titles: list[str] = []
        for segreader, offset in reader.leaf_readers():
            segment = getattr(segreader, "segment", lambda: None)()
            if segment is None:  # an empty index
                continue
            segid = segment.segment_id()
            data = cache.get(segid)
            if data is None:
                data = cache[segid] = _SegmentData(segreader, vocabs)
            self.leaves.append((segreader, data, offset))
            live = data.has_record.copy()
            if segreader.has_deletions():
                deleted = np.fromiter(segreader.deleted_docs_set, dtype=np.int64)
                live[deleted[deleted < data.n]] = False
            live_parts.append(live)
            self.names.extend(data.names)
            self.titles.extend(data.titles)
        datas = [d for _, d, _ in self.leaves]
        offsets = [o for _, _, o in self.leaves]
        self.n = sum(d.n for d in datas)
        self.live = _cat(live_parts, bool)
        self.single = {f: _cat([d.single[f] for d in datas], np.int32) for f in _SINGLE_FACETS}
        self.multi = {
            f: (
                _cat([d.multi[f][0] + o for d, o in zip(datas, offsets, strict=True)], np.int32),
                _cat([d.multi[f][1] for d in datas], np.int32),
            )
            for f in _MULTI_FACETS
        }
        self.modified = _cat([d.modified for d in datas], np.int64)
        self.downloads = _cat([d.downloads for d in datas], np.int64)
        self.doc_count = int(np.count_nonzero(self.live))
        self._orders: dict[str, np.ndarray] = {}
        self._rank_modified: np.ndarray | None = None
        self._avg: dict[str, float] = {}
        self._df: dict[tuple[str, str], int] = {}
        self._live_counts: dict[str, np.ndarray] = {}

    def close(self) -> None:
        self.searcher.close()

    def order(self, mode: str) -> np.ndarray:
        """All document numbers in ``mode`` order (ties broken by modified desc, then name)."""
        order = self._orders.get(mode)
        if order is None:
            name_rank = _rank_of(self.names)
            if mode == "modified":
                order = np.lexsort((name_rank, -self.modified))
            elif mode == "downloads":
                order = np.lexsort((name_rank, -self.modified, -self.downloads))
            elif mode == "title":
                order = np.lexsort((name_rank, -self.modified, _pinyin_rank_of(self.titles)))
            else:
                raise ValueError(mode)
            self._orders[mode] = order
        return order

    def rank_modified(self) -> np.ndarray:
        if self._rank_modified is None:
            rank = np.empty(self.n, dtype=np.int64)
            rank[self.order("modified")] = np.arange(self.n)
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

    def live_counts(self, facet: str, size: int) -> np.ndarray:
        """Number of live documents per value id of a single-valued facet."""
        counts = self._live_counts.get(facet)
        if counts is None or len(counts) < size:
            col = self.single[facet][self.live]
            counts = self._live_counts[facet] = np.bincount(col[col >= 0], minlength=size)
        return counts


# ---------------------------------------------------------------------------------------------- backend


class WhooshBackend:
    """Search backend on a Whoosh index directory (created if missing).

    One writer at a time, across processes: a writer waits up to ``lock_timeout`` seconds for the index
    write lock, then raises :class:`IndexLockedError`. Any number of processes may search; every search
    sees the latest commit. An instance may be shared by threads (its searches run one at a time).
    """

    def __init__(
        self,
        index_dir: str | Path,
        lock_timeout: float = 30.0,
        index_procs: int | None = None,
        synonyms_file: str | Path | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.synonyms_file = synonyms_file  # an admin's synonym groups, on top of the shipped ones
        self.lock_timeout = lock_timeout
        self.index_procs = index_procs  # processes for rebuild(); None: one per core, at most 4
        self.schema = make_schema()
        self._lock = threading.RLock()
        self._segments: dict[str, _SegmentData] = {}
        self._vocabs = {f: _Vocab() for f in FACET_NAMES}
        self._snapshot: _Snapshot | None = None
        self._ix = self._open_or_create()

    # -- index lifecycle

    def _open_or_create(self) -> Any:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        path = str(self.index_dir)
        if whoosh_index.exists_in(path, indexname=INDEX_NAME):
            return whoosh_index.open_dir(path, indexname=INDEX_NAME)
        from whoosh.filedb.filestore import FileStorage
        from whoosh.util.filelock import try_for

        storage = FileStorage(path)
        lock = storage.lock(f"{INDEX_NAME}_WRITELOCK")
        if not try_for(lock.acquire, timeout=self.lock_timeout, delay=0.05):
            raise self._locked_error()
        try:
            if whoosh_index.exists_in(path, indexname=INDEX_NAME):  # another process was quicker
                return whoosh_index.open_dir(path, indexname=INDEX_NAME)
            return storage.create_index(self.schema, indexname=INDEX_NAME)
        finally:
            lock.release()

    def _locked_error(self) -> IndexLockedError:
        return IndexLockedError(
            f"search index {self.index_dir} is locked by another writer; gave up after waiting "
            f"{self.lock_timeout:g} s (is an `odp reindex` or a harvest still running?)"
        )

    def _outdated_error(self) -> SearchError:
        return SearchError(f"search index {self.index_dir} was built by another version: run `odp reindex`")

    def _schema_is_current(self, schema: Schema) -> bool:
        return sorted(schema.names()) == sorted(self.schema.names())

    def _writer(self) -> Any:
        try:
            return segment_writer(self._ix, timeout=self.lock_timeout, delay=0.05)
        except LockError:
            raise self._locked_error() from None

    def close(self) -> None:
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.close()
                self._snapshot = None
            self._segments.clear()

    def __enter__(self) -> Self:
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
            if not self._schema_is_current(writer.schema):
                raise self._outdated_error()
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
            if not self._schema_is_current(writer.schema):
                raise self._outdated_error()
            for name in unique:
                writer.delete_by_term("name", name)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, docs: Iterable[SearchDocument]) -> None:
        fields = self._rebuild_fields(docs)
        head = list(islice(fields, PARALLEL_MIN_DOCS))
        procs = self._index_procs()
        writer = self._writer()
        if procs > 1 and len(head) >= PARALLEL_MIN_DOCS:
            # parallel_rebuild commits, or cancels the writer and raises
            parallel_rebuild(writer, str(self.index_dir), self.schema, chain(head, fields), procs)
            return
        gc_enabled = gc.isenabled()
        gc.disable()  # the writer's pool holds millions of small lists: collecting them is wasted time
        try:
            try:
                writer.schema = self.schema  # so a rebuild also upgrades an index made by another version
                for values in chain(head, fields):
                    writer.add_document(**values)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=CLEAR)
        finally:
            if gc_enabled:
                gc.enable()

    def _rebuild_fields(self, docs: Iterable[SearchDocument]) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        for doc in docs:
            if doc.name in seen:
                _log.warning("rebuild: duplicate dataset name %r ignored", doc.name)
                continue
            seen.add(doc.name)
            if doc.searchable:
                yield document_fields(doc)

    def _index_procs(self) -> int:
        if self.index_procs is not None:
            return max(1, self.index_procs)
        return max(1, min(os.cpu_count() or 1, 4))

    # -- reading

    def _current(self) -> _Snapshot:
        """The snapshot of the latest commit (reopened when a writer has committed since)."""
        snap = self._snapshot
        if snap is not None and snap.generation == self._ix.latest_generation():
            return snap
        reader = self._ix.reader()
        if not self._schema_is_current(reader.schema):
            reader.close()
            raise self._outdated_error()
        new = _Snapshot(self._ix, reader, self._segments, self._vocabs)
        in_use = {id(d) for _, d, _ in new.leaves}
        for segid in [s for s, d in self._segments.items() if id(d) not in in_use]:
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
            return self._search(self._current(), query)

    def _search(self, snap: _Snapshot, query: SearchQuery) -> SearchResult:
        text = fold(query.q or "")
        filter_masks = {
            key: self._filter_mask(snap, key, values) for key, values in query.filters.items() if values
        }
        if query.only is not None:  # not a facet: counted in every facet's mask, like the filters of other keys
            filter_masks[ONLY] = np.fromiter((n in query.only for n in snap.names), dtype=bool, count=snap.n)
        mask = snap.live.copy()
        for selected in filter_masks.values():
            mask &= selected
        scores, matched, empty_words, marks = self._expanded_match(snap, text)
        suggestion: str | None = None
        corrected = False
        if scores is not None:
            found = mask & matched
            count = int(np.count_nonzero(found))
            if count < FEW_HITS and empty_words:
                fixed = self._correction(snap, mask, text, empty_words)
                if fixed is not None:
                    suggestion = fixed[0]
                    if count == 0:
                        scores, matched, _, marks = fixed[1]
                        corrected = True
            mask &= matched
        text_matched = matched if scores is not None else None  # None: an empty query matches everything
        count = int(np.count_nonzero(mask))
        facets = {
            f: self._facet(snap, f, self._facet_mask(snap, f, mask, filter_masks, text_matched), query.facet_limit)
            for f in query.facets
        }
        start = (query.page - 1) * query.size
        page = self._page(snap, mask, scores, query.sort, start, start + query.size, query.ranking) \
            if query.size else []
        hits = []
        for docnum in page:
            score = float(scores[docnum]) if scores is not None else 0.0
            if not query.highlight:
                hits.append(SearchHit(snap.names[docnum], score, {}))
                continue
            stored = snap.reader.stored_fields(docnum)
            title = highlight(stored.get("title", ""), marks)
            description = highlight(stored.get("description", ""), marks, max_chars=DESCRIPTION_SNIPPET_CHARS)
            hits.append(SearchHit(snap.names[docnum], score, {"title": title, "description": description}))
        return SearchResult(count=count, hits=hits, facets=facets, suggestion=suggestion, corrected=corrected)

    # -- query expansion

    def _correction(
        self, snap: _Snapshot, mask: np.ndarray, text: str, empty_words: list[str]
    ) -> tuple[str, tuple[np.ndarray | None, np.ndarray, list[str], frozenset[str]]] | None:
        """The query with its words that found nothing corrected, and its match, when that finds documents
        (within the filters): each word takes the first of its rewrites that finds something on its own."""
        vocab = self._vocabulary(snap)
        fixed = text
        for word in empty_words:
            for rewrite in vocab.rewrites(word)[:MAX_REWRITE_TRIES]:
                trial = self._expanded_match(snap, rewrite)
                if trial[0] is not None and (mask & trial[1]).any():
                    fixed = fixed.replace(word, rewrite)
                    break
        if fixed == text:
            return None
        result = self._expanded_match(snap, fixed)
        return (fixed, result) if (mask & result[1]).any() else None

    def _vocabulary(self, snap: _Snapshot) -> Vocabulary:
        """The index's terms (title, keywords, resources, department and domain labels) for pinyin and typo
        lookups, built once per reader generation."""
        vocab = getattr(snap, "vocabulary", None)
        if vocab is None:
            df: dict[str, int] = {}
            for fieldname in VOCABULARY_FIELDS:
                try:
                    for term, info in snap.reader.iter_field(fieldname):
                        word = term.decode("utf-8") if isinstance(term, bytes) else term
                        df[word] = df.get(word, 0) + info.doc_frequency()
                except TermNotFound:
                    continue
            for facet in LABEL_BOOSTS:
                for label in self._vocabs[facet].labels:
                    for word in terms(label):
                        df[word] = df.get(word, 0) + 1
            vocab = snap.vocabulary = Vocabulary(df)
        return vocab

    def _expanded_match(
        self, snap: _Snapshot, text: str
    ) -> tuple[np.ndarray | None, np.ndarray, list[str], frozenset[str]]:
        """Scores and mask of ``text`` with each word widened to its synonyms and pinyin readings; also the
        words that matched nothing even so (typo candidates) and the terms to highlight."""
        matched = np.ones(snap.n, dtype=bool)
        plain = parse_query(text)
        if plain.is_empty and not text.strip():
            return None, matched, [], frozenset()
        if any(c in text for c in '"“”「」『』'):  # phrases are taken literally
            if plain.is_empty:
                return None, matched, [], frozenset()
            scores, matched = self._match(snap, plain.clauses, plain.scoring_terms)
            return scores, matched, [], frozenset(plain.highlight_terms)
        words = text.split()[:MAX_EXPANDED_WORDS]
        vocab = self._vocabulary(snap) if any(w.isascii() for w in words) else None
        joined = "".join(words).lower()
        if len(words) > 1 and joined.isalpha() and joined.isascii() and vocab and vocab.pinyin_terms(joined):
            words = [joined]  # "ting che chang"
        dictionary = synonyms(self.synonyms_file)
        scores = np.zeros(snap.n, dtype=np.float64)
        marks: set[str] = set()
        empty: list[str] = []
        any_clause = False
        for word in words:
            alts: list[tuple[str, float]] = [(word, 1.0)]
            alts += [(s, SYNONYM_WEIGHT) for s in dictionary.of(word)]
            if vocab is not None:
                alts += [(t, PINYIN_WEIGHT) for t in vocab.pinyin_terms(word)]
            group = np.zeros(snap.n, dtype=bool)
            exact_found = False
            for i, (alt, weight) in enumerate(alts):
                if exact_found:  # expansions only stand in for a word that finds nothing as typed
                    break
                parsed = parse_query(alt)
                if parsed.is_empty:
                    continue
                any_clause = True
                alt_scores, alt_mask = self._match(snap, parsed.clauses, parsed.scoring_terms)
                if not alt_mask.any():
                    continue
                if i == 0:
                    exact_found = self._found_whole(snap, alt, parsed, alt_mask)
                scores += weight * np.where(alt_mask, alt_scores, 0.0)
                group |= alt_mask
                marks.update(parsed.highlight_terms)
            if not group.any() and not exact_found:
                empty.append(word)
            matched &= group
        if not any_clause:
            return None, np.ones(snap.n, dtype=bool), [], frozenset()
        return scores, matched, empty, frozenset(marks)

    def _found_whole(self, snap: _Snapshot, word: str, parsed: ParsedQuery, word_mask: np.ndarray) -> bool:
        """Whether documents hold ``word`` as written (its tokens together), not just its parts scattered:
        农产品市场 matching 农产品 in one field and 市场 in another does not keep its synonyms away."""
        if len(parsed.clauses) < 2 or any(c.is_phrase for c in parsed.clauses):
            return True
        phrase = parse_query(f'"{word}"')
        if phrase.is_empty:
            return True
        _, whole = self._match(snap, phrase.clauses, [])
        return bool((whole & word_mask).any())

    # -- query evaluation

    def _filter_mask(self, snap: _Snapshot, key: str, values: list[str]) -> np.ndarray:
        vocab = self._vocabs[key]
        if key == "format":  # formats are indexed upper-case
            values = [v.upper() for v in values]
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
        """BM25 scores of all documents, and the mask of the documents satisfying every clause."""
        n_docs = max(snap.doc_count, 1)
        scores = np.zeros(snap.n, dtype=np.float64)
        required = {c.terms[0] for c in clauses if not c.is_phrase}
        cache = _PostingsCache({t for c in clauses if c.is_phrase for t in c.terms})
        present_by_term: dict[str, np.ndarray] = {}
        for term in scoring_terms:
            present = np.zeros(snap.n, dtype=bool) if term in required else None
            for fieldname, boost in FIELD_BOOSTS.items():
                df = snap.doc_frequency(fieldname, term)
                if not df:
                    continue
                idf = bm25_idf(n_docs, df)
                avg = snap.avg_length(fieldname)
                for segreader, data, offset in snap.leaves:
                    postings = cache.get(segreader, fieldname, term)
                    if postings is None:
                        continue
                    ids, tf = postings.ids, postings.weights
                    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * data.lengths(segreader, fieldname)[ids] / avg)
                    if offset:
                        ids = ids + offset
                    scores[ids] += boost * idf * tf * (BM25_K1 + 1.0) / (tf + norm)
                    if present is not None:
                        present[ids] = True
            for facet, boost in LABEL_BOOSTS.items():
                vocab = self._vocabs[facet]
                vids = vocab.ids_with_label_term(term)
                if not vids:
                    continue
                df = int(snap.live_counts(facet, len(vocab.values))[vids].sum())
                if not df:
                    continue
                allowed = np.zeros(len(vocab.values) + 1, dtype=bool)
                allowed[np.array(vids, dtype=np.int64) + 1] = True
                hit = allowed[snap.single[facet] + 1]
                scores[hit] += boost * bm25_idf(n_docs, df)
                if present is not None:
                    present |= hit
            if present is not None:
                present_by_term[term] = present
        matched = np.ones(snap.n, dtype=bool)
        for clause in clauses:
            if clause.is_phrase:
                matched &= self._phrase_mask(snap, clause.terms, cache)
            else:
                matched &= present_by_term[clause.terms[0]]
        return scores, matched

    def _phrase_mask(self, snap: _Snapshot, phrase: tuple[str, ...], cache: _PostingsCache) -> np.ndarray:
        """Documents with the phrase's tokens at consecutive positions in one field."""
        out = np.zeros(snap.n, dtype=bool)
        for fieldname in FIELD_BOOSTS:
            if not all(snap.doc_frequency(fieldname, t) for t in phrase):
                continue
            for segreader, _data, offset in snap.leaves:
                postings = [cache.get(segreader, fieldname, t) for t in phrase]
                if any(p is None for p in postings):
                    continue
                if any(p.positions is None for p in postings):  # a segment of another codec
                    docnums = list(snap.searcher.docs_for_query(Phrase(fieldname, list(phrase))))
                    out[np.array(docnums, dtype=np.int64)] = True
                    break
                out[phrase_docs(postings) + offset] = True
        return out

    @staticmethod
    def _facet_mask(
        snap: _Snapshot,
        facet: str,
        mask: np.ndarray,
        filter_masks: dict[str, np.ndarray],
        matched: np.ndarray | None,
    ) -> np.ndarray:
        """The documents a facet is counted over: the results with that facet's own filter removed
        ("disjunctive" counts: with 道路交通 selected, the other domains still show what choosing them too
        would add). A facet without a filter is counted over the results themselves."""
        if facet not in filter_masks:
            return mask
        own = snap.live.copy() if matched is None else snap.live & matched
        for key, selected in filter_masks.items():
            if key != facet:
                own &= selected
        return own

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
        self, snap: _Snapshot, mask: np.ndarray, scores: np.ndarray | None, sort: str, start: int, end: int,
        ranking: dict[str, float] | None = None,
    ) -> list[int]:
        if sort == "quality":  # the caller's values, highest first; ties newest first
            values = np.fromiter(((ranking or {}).get(n, -1.0) for n in snap.names), dtype=np.float64, count=snap.n)
            cand = np.flatnonzero(mask)
            order = np.lexsort((snap.rank_modified()[cand], -values[cand]))
            return cand[order][start:end].tolist()
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
            # keep the candidates scoring at least the end-th best score (ties included), sort only those
            kth = np.partition(s, len(s) - end)[len(s) - end]
            keep = s >= kth
            cand, s = cand[keep], s[keep]
        order = np.lexsort((snap.rank_modified()[cand], -s))
        return cand[order][start:end].tolist()
