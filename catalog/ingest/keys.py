"""Duplicate detection for ``unique`` columns and the primary key in bounded memory.

frictionless keeps every typed value of a unique column (and every primary-key tuple) in a dict until the end of
the table. Here each value is reduced to a key — the integer itself for an ``integer`` or ``year`` field, else a
canonical text (equal exactly when frictionless's typed values are equal: ``1.50`` and ``1.5`` are one Decimal)
— and the key to an 8-byte digest (:func:`digests`: the integer's own bits, or two polynomial hashes of the
text's UTF-8 modulo primes, vectorized in numpy); the digest and the row number (8 bytes) are all that is kept:
**16 bytes per row per unique column or primary key**, whatever the width of the values. Past ``SPILL_PAIRS``
pairs a log moves them to 16 temporary files, partitioned by digest, so a 10 M-row table keeps at most a
partition in memory when the repeats are looked for. At the end one sort by (digest, row) puts equal values side
by side, and each repeat's match is the row just before it — the most recent earlier row with that value, which
is what frictionless's dict reports ("the same as in the row at position …").

Equal digests are only *candidates*: the caller re-reads those rows and compares frictionless's own typed
values, so a hash collision cannot produce a false error (it would make the table fall back instead).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BYTES_PER_ROW = 16  # uint64 digest + int64 row number, per unique column or primary key
SPILL_PAIRS = 1 << 21  # (digest, row) pairs a log keeps in memory (32 MB) before it spills to disk
PARTITIONS = 16

Hasher = Callable[[pa.Array, np.ndarray], tuple[np.ndarray, np.ndarray]]
_PRIMES = (np.uint64(2_147_483_647), np.uint64(2_147_483_629))  # two primes below 2**31
_BASES = (np.uint64(1_000_003), np.uint64(911_382_323))
_powers: list[np.ndarray] = [np.ones(1, np.uint64), np.ones(1, np.uint64)]


def _power_table(which: int, length: int) -> np.ndarray:
    """base**i mod prime for i < length (grown by doubling, kept for the process)."""
    table = _powers[which]
    prime, base = _PRIMES[which], _BASES[which]
    while len(table) < length:
        step = np.uint64(pow(int(base), len(table), int(prime)))
        table = np.concatenate([table, table * step % prime])
    _powers[which] = table
    return table


_CHUNK_BYTES = 1 << 22  # bytes hashed at once: sums of products below 2**40 stay below 2**63


def _text_digests(keys: pa.Array) -> np.ndarray:
    """Two polynomial hashes of each text's UTF-8 bytes (plus one, so a zero byte counts), modulo two primes
    below 2**31, side by side in 64 bits."""
    n = len(keys)
    kind = np.int64 if pa.types.is_large_string(keys.type) else np.int32
    offsets = np.frombuffer(keys.buffers()[1], dtype=kind)[keys.offset:keys.offset + n + 1].astype(np.int64)
    if n and offsets[-1] - offsets[0] > _CHUNK_BYTES and n > 1:
        half = n // 2
        return np.concatenate([_text_digests(keys.slice(0, half)), _text_digests(keys.slice(half))])
    lengths = np.diff(offsets)
    base = int(offsets[0]) if n else 0
    data = np.frombuffer(keys.buffers()[2] or b"", dtype=np.uint8)[base:int(offsets[-1]) if n else 0]
    data = data.astype(np.uint64) + np.uint64(1)
    position = np.arange(len(data), dtype=np.int64) - np.repeat(offsets[:-1] - base, lengths)
    starts, ends = offsets[:-1] - base, offsets[1:] - base
    out = np.zeros(n, np.uint64)
    for which in (0, 1):
        sums = np.zeros(len(data) + 1, np.uint64)
        np.cumsum(data * _power_table(which, int(lengths.max(initial=0)))[position], out=sums[1:])
        out = (out << np.uint64(32)) | ((sums[ends] - sums[starts]) % _PRIMES[which])
    return out


def digests(keys: pa.Array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(digests, rows) of the non-null keys: an int64 key is its own digest (no collision possible), a text key
    gets :func:`_text_digests`."""
    present = np.asarray(pc.is_valid(keys).to_numpy(zero_copy_only=False), dtype=bool)
    kept = keys.filter(pa.array(present)) if not present.all() else keys
    if pa.types.is_integer(kept.type):
        values = np.asarray(kept.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
        return values.view(np.uint64), rows[present]
    return _text_digests(kept), rows[present]


def canonical_number(text: pa.Array) -> pa.Array:
    """Plain decimal texts (NFKC-normalized) → the canonical text of their Decimal value (no leading zeros, no
    trailing fractional zeros, ``-0`` → ``0``): the same as :func:`canonical` of frictionless's Decimal."""
    out = pc.replace_substring_regex(text, r"^(-?)0+([0-9])", r"\1\2")
    out = pc.replace_substring_regex(out, r"(\.[0-9]*?)0+$", r"\1")
    out = pc.replace_substring_regex(out, r"\.$", "")
    return pc.replace_substring_regex(out, r"^-0$", "0")


class Unhashable(Exception):
    """A value frictionless itself could not keep in its dict (a signalling NaN)."""


def canonical(value: Any, token: str) -> str | None:
    """frictionless's typed value → its canonical text; ``token`` makes a NaN unequal to everything (a Decimal
    NaN never equals itself, so frictionless never reports it as a repeat)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        if value.is_snan():
            raise Unhashable("a signalling NaN")
        if value.is_nan():
            return f"\x00nan\x00{token}"
        if value == 0:
            return "0"
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def tuple_key(parts: list[pa.Array]) -> pa.Array:
    """Several canonical columns → one text per row (null where every part is null: not a key). Equal tuples
    give equal texts; unequal ones can only collide into a candidate the caller then rejects."""
    marked = [pc.if_else(pc.is_null(p), pa.scalar("\x00"), pc.binary_join_element_wise("\x01", p, ""))
              for p in parts]
    joined = marked[0] if len(marked) == 1 else pc.binary_join_element_wise(*marked, "\x1f")
    every_null = pc.is_null(parts[0])
    for p in parts[1:]:
        every_null = pc.and_(every_null, pc.is_null(p))
    return pc.if_else(every_null, pa.scalar(None, pa.string()), joined)


def _partition(digests: np.ndarray) -> np.ndarray:
    """Which spill file a digest goes to: the top bits of a mixed digest (integer keys are not spread)."""
    with np.errstate(over="ignore"):
        z = (digests ^ (digests >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return ((z ^ (z >> np.uint64(31))) >> np.uint64(60)).astype(np.int64)


def _repeats(digests: np.ndarray, rows: np.ndarray) -> dict[int, int]:
    if len(rows) > 1 and np.all(rows[1:] > rows[:-1]):
        order = np.argsort(digests, kind="stable")  # ties stay in row order
    else:  # rows of another width are logged after their batch: sort by row too
        order = np.lexsort((rows, digests))
    digests, rows = digests[order], rows[order]
    same = digests[1:] == digests[:-1]
    return dict(zip(rows[1:][same].tolist(), rows[:-1][same].tolist(), strict=True))


class DigestLog:
    """The (digest, row) pairs of one unique column or of the primary key, batch by batch."""

    def __init__(self, hasher: Hasher = digests, *, spill_dir: Path | None = None, spill_pairs: int = SPILL_PAIRS):
        self._hash = hasher
        self._digests: list[np.ndarray] = []
        self._rows: list[np.ndarray] = []
        self._pairs = 0
        self._spill_dir = spill_dir
        self._spill_pairs = spill_pairs
        self._files: list[IO[bytes]] | None = None

    def add(self, keys: pa.Array, rows: np.ndarray) -> None:
        digests, kept = self._hash(keys, np.asarray(rows, dtype=np.int64))
        self._digests.append(digests)
        self._rows.append(kept)
        self._pairs += len(kept)
        if self._files is not None or self._pairs > self._spill_pairs:
            self._spill()

    def _spill(self) -> None:
        """Move the pairs kept so far to the partition files, batch by batch (no large temporary)."""
        if self._files is None:
            self._files = [tempfile.TemporaryFile(dir=self._spill_dir, prefix=".digests-")  # noqa: SIM115
                           for _ in range(PARTITIONS)]
        for digests, rows in zip(self._digests, self._rows, strict=True):
            part = _partition(digests)
            order = np.argsort(part, kind="stable")  # grouped by partition, rows still in order within each
            bounds = np.searchsorted(part[order], np.arange(PARTITIONS + 1))
            pairs = np.stack([digests[order].view(np.int64), rows[order]], axis=1)
            for p, file in enumerate(self._files):
                if bounds[p + 1] > bounds[p]:
                    file.seek(0, 2)
                    pairs[bounds[p]:bounds[p + 1]].tofile(file)
        self._digests, self._rows, self._pairs = [], [], 0

    def repeats(self) -> dict[int, int]:
        """Candidate repeats: row → the most recent earlier row with the same digest."""
        if self._files is None:
            if not self._digests:
                return {}
            return _repeats(np.concatenate(self._digests), np.concatenate(self._rows))
        if self._digests:
            self._spill()
        found: dict[int, int] = {}
        for file in self._files:
            file.seek(0)
            pairs = np.fromfile(file, dtype=np.int64).reshape(-1, 2)
            found.update(_repeats(pairs[:, 0].view(np.uint64), pairs[:, 1].copy()))
        return found

    def close(self) -> None:
        for file in self._files or []:
            file.close()
        self._files = None
