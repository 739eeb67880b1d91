"""A Whoosh codec whose posting blocks numpy can read without unpickling every posting.

Whoosh's default W3 codec stores each block of postings as a pickled, zlib-compressed tuple ``(ids,
weights, values)`` where ``ids`` and ``weights`` are tuples of Python numbers and ``values`` (the encoded
positions) a tuple of one ``bytes`` object per posting. Reading a block therefore creates a few hundred
Python objects; at 100,000 datasets a common term has tens of thousands of postings per field, and
decoding them dominated query time.

:class:`OdpCodec` keeps the W3 file layout, term index and block headers, and changes only the block
payload: ids are little-endian uint32 deltas, weights little-endian float32 (or ``None`` when all are 1),
values one concatenated ``bytes`` plus a uint32 length array. With :class:`OdpPositions` (positions as
little-endian uint32, no pickle) a whole block's positions are one numpy array too, so phrase queries can
be checked vectorised. Whoosh's own matchers still work through :class:`OdpLeafMatcher`;
:func:`read_postings` gives the search backend whole posting lists as numpy arrays.

Segments remember the codec that wrote them, so an index may mix W3 and Odp segments; the backend reads
both. Writers of this package always use :class:`OdpCodec`.
"""

from __future__ import annotations

import struct
from array import array
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter
from whoosh.formats import Positions
from whoosh.matching import ListMatcher
from whoosh.writing import SegmentWriter

_U4 = np.dtype("<u4")
_F4 = np.dtype("<f4")


_ONE_POSITION: dict[int, bytes] = {}


def encode_positions(positions: list[int]) -> bytes:
    """:class:`OdpPositions` value of a posting (memoised for the usual single position)."""
    if len(positions) == 1:
        p = positions[0]
        code = _ONE_POSITION.get(p)
        if code is None:
            code = _ONE_POSITION[p] = struct.pack("<I", p)
        return code
    return struct.pack(f"<{len(positions)}I", *positions)


class OdpPositions(Positions):
    """Whoosh's ``Positions`` format, with each posting's positions stored as little-endian uint32."""

    def encode(self, poslist: list[int]) -> bytes:
        return encode_positions(list(poslist))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return list(struct.unpack(f"<{len(valuestring) // 4}I", valuestring))

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


class OdpPostingsWriter(W3PostingsWriter):
    def add_posting(self, id_: int, weight: float, vbytes: bytes, length: int | None = None) -> None:
        # W3's version, without its per-posting type assertions and length bookkeeping
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        self._maxweight = max(self._maxweight, weight)
        if vbytes:
            self._values.append(vbytes)

    def add_postings_list(self, docs: list[int], weights: list[float], values: list[bytes]) -> None:
        """All postings of the current term at once (the last block stays buffered for
        ``finish_postings``, as with ``add_posting``)."""
        limit = self._blocklimit
        for start in range(0, len(docs), limit):
            if self._ids:
                self._write_block()
            end = start + limit
            self._ids = array("I", docs[start:end])
            self._weights = array("f", weights[start:end])
            self._values = [v for v in values[start:end] if v]
            self._maxweight = max(self._weights)
            self._minlength = None
            self._maxlength = 0

    def _mini_ids(self) -> Any:
        if self._byteids:
            return super()._mini_ids()
        ids = self._ids
        n = len(ids)
        if n > 32:
            return np.diff(np.asarray(ids, dtype=np.int64), prepend=0).astype(_U4).tobytes()
        deltas = [ids[0]] + [ids[i] - ids[i - 1] for i in range(1, n)]
        return struct.pack(f"<{n}I", *deltas)

    def _mini_weights(self) -> Any:
        weights = self._weights
        if all(w == 1.0 for w in weights):
            return None
        return struct.pack(f"<{len(weights)}f", *weights)

    def _mini_values(self) -> Any:
        fixedsize = self._format.fixed_value_size()
        values = self._values
        if fixedsize is None or fixedsize < 0:
            return (struct.pack(f"<{len(values)}I", *map(len, values)), b"".join(values))
        if fixedsize == 0:
            return None
        return b"".join(values)


class OdpFieldWriter(W3FieldWriter):
    def add_term_lists(self, schema: Any, pool: TermListPool) -> None:
        """Write everything a :class:`TermListPool` collected: fields and terms in order, each posting list
        in whole blocks."""
        for fieldname in sorted(pool.fields):
            self.start_field(fieldname, schema[fieldname])
            postwriter = self._postwriter
            for tbytes, docs, weights, values in pool.term_lists(fieldname):
                self.start_term(tbytes)
                postwriter.add_postings_list(docs, weights, values)
                self.finish_term()
            self.finish_field()

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        # The base FieldWriter's loop, minus its per-posting order checks and field length look-ups
        # (our codec keeps no length stats). Items arrive sorted from Whoosh's posting pool.
        lastfn = None
        lasttext = None
        add = None
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lasttext is not None:
                    self.finish_term()
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                add = self._postwriter.add_posting
                lastfn = fieldname
                lasttext = None
            if docnum == -1:  # a spelling word (this package uses none)
                continue
            if btext != lasttext:
                if lasttext is not None:
                    self.finish_term()
                self.start_term(btext)
                lasttext = btext
            add(docnum, weight, value if value is not None else b"")
        if lasttext is not None:
            self.finish_term()
        if lastfn is not None:
            self.finish_field()


class OdpLeafMatcher(W3LeafMatcher):
    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        if not self._byteids:
            ids = np.cumsum(np.frombuffer(ids, dtype=_U4), dtype=np.int64).tolist()
        self._ids = ids

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if weights is None:
            self._weights = [1.0] * self._blocklength
        else:
            self._weights = np.frombuffer(weights, dtype=_F4).tolist()

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        fixedsize = self._fixedsize
        vs = self._data[2]
        if fixedsize is None or fixedsize < 0:
            lengths, blob = vs
            ends = np.cumsum(np.frombuffer(lengths, dtype=_U4), dtype=np.int64).tolist()
            starts = [0, *ends[:-1]]
            self._values = [blob[s:e] for s, e in zip(starts, ends, strict=True)]
        elif fixedsize == 0:
            self._values = (None,) * self._blocklength
        else:
            self._values = tuple(vs[i : i + fixedsize] for i in range(0, len(vs), fixedsize))


class OdpCodec(W3Codec):
    """W3 with numpy-friendly posting blocks (see the module docstring)."""

    # Whoosh reads every posting's field length back at commit time only to keep per-block length
    # bounds for its own scorers' block skipping, which this package does not use.
    length_stats = False

    def __init__(self, blocklimit: int = 256, compression: int = 1, inlinelimit: int = 1) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return OdpFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors: keep W3's format
            return super().postings_writer(dbfile, byteids=True)
        return OdpPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return OdpLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class Postings:
    """One term's posting list in one segment: docnums (ascending), weights (term frequencies) and, when
    asked for, each posting's number of positions and all positions concatenated."""

    __slots__ = ("counts", "ids", "positions", "weights")

    def __init__(
        self, ids: np.ndarray, weights: np.ndarray, counts: np.ndarray | None, positions: np.ndarray | None
    ) -> None:
        self.ids = ids
        self.weights = weights
        self.counts = counts
        self.positions = positions


def read_postings(m: OdpLeafMatcher, with_positions: bool = False) -> Postings:
    """Read the whole posting list behind a fresh :class:`OdpLeafMatcher` into numpy arrays.

    ``with_positions`` requires the field's format to be :class:`OdpPositions`.
    """
    id_parts: list[np.ndarray] = []
    w_parts: list[np.ndarray] = []
    c_parts: list[np.ndarray] = []
    p_parts: list[np.ndarray] = []
    while True:
        if m._data is None:
            m._read_data()
        ids, weights, values = m._data
        id_parts.append(np.cumsum(np.frombuffer(ids, dtype=_U4), dtype=np.int64))
        if weights is None:
            w_parts.append(np.ones(m._blocklength, dtype=np.float32))
        else:
            w_parts.append(np.frombuffer(weights, dtype=_F4).astype(np.float32))
        if with_positions:
            lengths, blob = values
            c_parts.append(np.frombuffer(lengths, dtype=_U4) // 4)
            p_parts.append(np.frombuffer(blob, dtype=_U4))
        if m._lastblock:
            break
        m._goto(m._nextoffset)

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    if not with_positions:
        return Postings(cat(id_parts), cat(w_parts), None, None)
    return Postings(cat(id_parts), cat(w_parts), cat(c_parts).astype(np.int64), cat(p_parts).astype(np.int64))


def phrase_docs(postings: list[Postings]) -> np.ndarray:
    """Docnums where the terms occur at consecutive positions, in order (one posting list per term)."""
    if not postings or any(p.positions is None or not len(p.ids) for p in postings):
        return np.zeros(0, dtype=np.int64)
    shift = 1 << 24  # positions are far below this
    keys = []
    for p in postings:
        keys.append(np.repeat(p.ids, p.counts) * shift + p.positions)
    cand = keys[0]
    for i, other in enumerate(keys[1:], start=1):
        cand = cand[np.isin(cand + i, other)]
        if not len(cand):
            break
    return np.unique(cand // shift)


class TermListPool:
    """Stands in for Whoosh's ``PostingPool`` in our writers.

    Whoosh's pool collects one ``(field, term, docnum, weight, value)`` tuple per posting, sorts them all
    at commit time (spilling sorted runs to disk when large) and feeds them one by one to the field
    writer. Documents arrive in docnum order, so grouping postings per field and term as they come
    already gives each posting list in order: the commit only sorts the terms, and writes each list in
    whole blocks (:meth:`OdpFieldWriter.add_term_lists`). Everything stays in memory (about 50 bytes a
    posting), which is fine for catalogs of a few hundred thousand datasets per writer.
    """

    def __init__(self) -> None:
        # field -> term -> [docnums, weights, values, in_order]
        self.fields: dict[str, dict[bytes, list[Any]]] = {}
        self.fieldnames: set[str] = set()

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, tbytes, docnum, weight, value = item
        if docnum < 0:  # Whoosh's marker for spelling words, which this package does not use
            return
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        entry = terms.get(tbytes)
        if entry is None:
            terms[tbytes] = [[docnum], [weight], [value or b""], True]
        else:
            docs = entry[0]
            if docnum <= docs[-1]:
                entry[3] = False
            docs.append(docnum)
            entry[1].append(weight)
            entry[2].append(value or b"")

    def term_lists(self, fieldname: str) -> list[tuple[bytes, list[int], list[float], list[bytes]]]:
        """The field's terms in order, each with its postings in docnum order."""
        out = []
        for tbytes, (docs, weights, values, in_order) in sorted(self.fields[fieldname].items()):
            if not in_order:
                order = sorted(range(len(docs)), key=docs.__getitem__)
                docs = [docs[i] for i in order]
                weights = [weights[i] for i in order]
                values = [values[i] for i in order]
            out.append((tbytes, docs, weights, values))
        return out

    def iter_postings(self) -> Any:
        for fieldname in sorted(self.fields):
            for tbytes, docs, weights, values in self.term_lists(fieldname):
                for i, docnum in enumerate(docs):
                    yield fieldname, tbytes, docnum, weights[i], values[i]

    def cleanup(self) -> None:
        self.fields.clear()


class OdpSegmentWriter(SegmentWriter):
    """Whoosh's ``SegmentWriter`` with :class:`OdpCodec` and a :class:`TermListPool`."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, codec=OdpCodec(), **kwargs)
        self.pool = TermListPool()

    def _lean_ok(self) -> bool:
        schema = self.schema
        if getattr(self, "_lean_schema", None) is not schema:
            self._lean_schema = schema
            self._lean = all(not f.vector and not f.separate_spelling() for _, f in schema.items())
        return self._lean

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document`` with the postings going straight into the pool's term lists (no
        per-posting tuple or call). Boosts (``_boost`` …) and custom stored values take Whoosh's path."""
        if any(name.startswith("_") for name in fields) or not self._lean_ok():
            super().add_document(**fields)
            return
        self._check_state()
        schema = self.schema
        fieldnames = sorted(fields)
        self._check_fields(schema, fieldnames)
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        pool = self.pool
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    terms = pool.fields.get(fieldname)
                    if terms is None:
                        terms = pool.fields[fieldname] = {}
                        pool.fieldnames.add(fieldname)
                    for tbytes, freq, weight, vbytes in field.index(value):
                        length += freq
                        entry = terms.get(tbytes)
                        if entry is None:
                            terms[tbytes] = [[docnum], [weight], [vbytes or b""], True]
                        else:
                            docs = entry[0]
                            if docnum <= docs[-1]:
                                entry[3] = False
                            docs.append(docnum)
                            entry[1].append(weight)
                            entry[2].append(vbytes or b"")
                    if not field.scorable:
                        length = 0
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        self.fieldwriter.add_term_lists(self.schema, self.pool)
        self.fieldwriter.close()


def segment_writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """A writer for ``ix`` (``kwargs``: Whoosh's ``timeout``, ``delay``, ``_lk`` …)."""
    return OdpSegmentWriter(ix, **kwargs)
