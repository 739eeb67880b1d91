"""The zero-hit log: which query texts find nothing, counted to grow the synonym dictionary.

``search_catalog`` calls :func:`record` when a query's text finds nothing (no filters, nothing after the typo
correction either). Only the normalized text is kept (trimmed, NFKC, lower-cased, whitespace collapsed, at most
``MAX_QUERY_CHARS`` characters) with its count: no address, no account, no time of day. Counts live in the
process, per data dir (the one configured when the query ran), and are merged into
``<data dir>/search-log.json`` by :func:`flush`: at most every ``FLUSH_SECONDS`` from :func:`record`, and when
the process exits. The merge holds an exclusive lock on
``search-log.json.lock`` and replaces the file atomically, so several workers never lose each other's counts.
``odp search-log`` reads the file (:func:`top`).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import threading
import time
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.config import get_settings

if TYPE_CHECKING:
    from catalog.search.base import SearchBackend

FILE_NAME = "search-log.json"
MAX_QUERY_CHARS = 100
MAX_ENTRIES = 10_000  # the file keeps the most frequent ones; a flood of random texts cannot grow it forever
FLUSH_SECONDS = 60.0

_WHITESPACE = re.compile(r"\s+")
_lock = threading.Lock()
_pending: dict[Path, Counter[str]] = {}  # log file -> counts not yet merged into it
_last_flush = time.monotonic()


def normalize(q: str) -> str:
    """The form a query is counted under: NFKC (full-width Latin and digits become ASCII), lower case, one space."""
    text = unicodedata.normalize("NFKC", q).lower()
    return _WHITESPACE.sub(" ", text).strip()[:MAX_QUERY_CHARS].strip()


def log_path(data_dir: Path | None = None) -> Path:
    return (data_dir if data_dir is not None else get_settings().data_dir) / FILE_NAME


def record(q: str) -> None:
    """Count one query text that found nothing (blank text is not counted)."""
    text = normalize(q)
    if not text:
        return
    path = log_path()
    with _lock:
        _pending.setdefault(path, Counter())[text] += 1
        due = time.monotonic() - _last_flush >= FLUSH_SECONDS
    if due:
        flush()


def pending(data_dir: Path | None = None) -> dict[str, int]:
    """The counts not yet flushed for a data dir (for tests and diagnostics)."""
    with _lock:
        return dict(_pending.get(log_path(data_dir), {}))


def flush() -> None:
    """Merge the in-process counts into their log files and clear them."""
    global _last_flush
    with _lock:
        batches = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    for path, counts in batches.items():
        _merge(path, counts)


def _merge(path: Path, counts: Counter[str]) -> None:
    """Add ``counts`` to the file at ``path``; a failed write keeps them for the next flush."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _file_lock(path):
            merged = Counter(read(path))
            merged.update(counts)
            kept = dict(sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ENTRIES])
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"queries": kept}, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, path)
    except OSError:
        with _lock:
            _pending.setdefault(path, Counter()).update(counts)


def read(path: Path) -> dict[str, int]:
    """The counts in a log file; a missing or unreadable file counts nothing."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): int(v) for k, v in data.get("queries", {}).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def top(n: int = 20, data_dir: Path | None = None) -> list[tuple[str, int]]:
    """The ``n`` most frequent zero-hit queries of the log file, most frequent first (ties alphabetically)."""
    counts = read(log_path(data_dir))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


@dataclass(frozen=True)
class ZeroHitRow:
    text: str
    count: int  # how often it found nothing
    finds_now: int  # what it finds today (synonyms or datasets added since): 0 = still a gap


def review(backend: SearchBackend, n: int = 50, data_dir: Path | None = None) -> list[ZeroHitRow]:
    """The top ``n`` zero-hit texts, each searched again now (through the backend, so not counted again)."""
    from catalog.search.base import SearchQuery

    return [ZeroHitRow(text, count, backend.search(SearchQuery(q=text, size=1, facets=[], highlight=False)).count)
            for text, count in top(n, data_dir)]


@contextmanager
def _file_lock(path: Path):
    lock = path.with_name(path.name + ".lock")
    with open(lock, "a") as handle:
        try:
            import fcntl
        except ImportError:  # no fcntl (Windows): one writer is assumed
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


atexit.register(flush)  # _merge swallows OSError: an exiting process never fails over its log
