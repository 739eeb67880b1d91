"""A Whoosh codec whose posting blocks numpy can read without unpickling every posting.

Whoosh's default W3 codec stores each block of postings as a pickled, zlib-compressed tuple ``(ids,
weights, values)`` where ``ids`` and ``weights`` are tuples of Python numbers and ``values`` (the encoded
positions) a tuple of one ``bytes`` object per posting. Reading a block therefore creates a few hundred
Python objects; at 100,000 datasets a common term has tens of thousands of postings per field, and
decoding them dominated query time.

:class:`OdpCodec` keeps the W3 file layout, term index and block headers, and changes only the block
payload: ids are little-endian uint32 deltas, weights little-endian float32 (or ``None`` when all are 1),
values one concatenated ``bytes`` plus a uint32 length array. Whoosh's own matchers (phrase queries) still
work through :class:`OdpLeafMatcher`; :func:`read_block_arrays` gives the search backend whole blocks as
numpy arrays.

Segments remember the codec that wrote them, so an index may mix W3 and Odp segments; the backend reads
both. Writers of this package always use :class:`OdpCodec`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ListMatcher

_U4 = np.dtype("<u4")
_F4 = np.dtype("<f4")


class OdpPostingsWriter(W3PostingsWriter):
    def _mini_ids(self) -> Any:
        if self._byteids:
            return super()._mini_ids()
        ids = np.asarray(self._ids, dtype=np.int64)
        return np.diff(ids, prepend=0).astype(_U4).tobytes()

    def _mini_weights(self) -> Any:
        weights = np.asarray(self._weights, dtype=np.float32)
        if bool(np.all(weights == 1.0)):
            return None
        return weights.astype(_F4).tobytes()

    def _mini_values(self) -> Any:
        fixedsize = self._format.fixed_value_size()
        values = self._values
        if fixedsize is None or fixedsize < 0:
            lengths = np.fromiter((len(v) for v in values), dtype=_U4, count=len(values))
            return (lengths.tobytes(), b"".join(values))
        if fixedsize == 0:
            return None
        return b"".join(values)


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

    def __init__(self, blocklimit: int = 256, compression: int = 1, inlinelimit: int = 1) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

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

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return OdpLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def read_block_arrays(m: OdpLeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """All (docnum, weight) of the posting list behind a fresh :class:`OdpLeafMatcher`, as arrays."""
    id_parts: list[np.ndarray] = []
    w_parts: list[np.ndarray] = []
    while True:
        if m._data is None:
            m._read_data()
        ids, weights = m._data[0], m._data[1]
        id_parts.append(np.cumsum(np.frombuffer(ids, dtype=_U4), dtype=np.int64))
        if weights is None:
            w_parts.append(np.ones(m._blocklength, dtype=np.float32))
        else:
            w_parts.append(np.frombuffer(weights, dtype=_F4).astype(np.float32))
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    if len(id_parts) == 1:
        return id_parts[0], w_parts[0]
    return np.concatenate(id_parts), np.concatenate(w_parts)
