"""Download statistics: how often each resource was downloaded and its rows API called.

The hot path only appends an event to an in-process deque (atomic in CPython: no lock, no database). A daemon
thread adds the events up every ``FLUSH_SECONDS`` and writes them in one transaction of upserts
(``downloads = downloads + n``), so any number of API processes can count into one table, on SQLite and
PostgreSQL alike. Reads add the events this process has not flushed yet, so a download shows at once here and
within ``FLUSH_SECONDS`` everywhere. Counts are advisory: events still in memory when a process is killed are lost.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter, deque
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from catalog.config import Settings, get_settings
from catalog.db import _engine_for, upsert_insert  # _engine_for: the engine (and pool) the catalog uses
from catalog.models import Dataset, DownloadCount

Kind = Literal["download", "api"]
FLUSH_SECONDS = 5.0

log = logging.getLogger(__name__)

# database URL -> events (dataset_id, resource_id, kind) not yet written there
_pending: dict[str, deque[tuple[int, int, Kind]]] = {}
_engine_urls: dict[str, str] = {}  # that key -> the URL as configured (the engine cache's key)
_flusher: threading.Thread | None = None
_start_lock = threading.Lock()


@lru_cache(maxsize=64)
def _key(url: str) -> str:
    return make_url(url).render_as_string(hide_password=False)


def _session_key(session: Session) -> str:
    return _key(session.get_bind().engine.url.render_as_string(hide_password=False))


def record(dataset_id: int, resource_id: int, kind: Kind, settings: Settings | None = None) -> None:
    """Count one download or rows-API call (cheap: an append to a deque)."""
    configured = (settings or get_settings()).effective_database_url
    url = _key(configured)
    events = _pending.get(url)
    if events is None:
        _engine_urls.setdefault(url, configured)
        events = _pending.setdefault(url, deque())
    events.append((dataset_id, resource_id, kind))
    if _flusher is None:
        _start_flusher()


def _start_flusher() -> None:
    global _flusher
    with _start_lock:
        if _flusher is None:
            _flusher = threading.Thread(target=_flush_forever, name="odp-download-stats", daemon=True)
            _flusher.start()
            atexit.register(flush_all)


def _flush_forever() -> None:
    stop = threading.Event()
    while not stop.wait(FLUSH_SECONDS):
        flush_all()


def flush_all() -> None:
    for url in list(_pending):
        try:
            _flush_url(url)
        except Exception:
            log.exception("download counts could not be written to the catalog DB")


def flush(settings: Settings | None = None) -> int:
    """Write this process's pending events for the configured DB now; returns how many."""
    return _flush_url(_key((settings or get_settings()).effective_database_url))


def _drain(url: str) -> Counter[tuple[int, int, Kind]]:
    events = _pending.get(url)
    tally: Counter[tuple[int, int, Kind]] = Counter()
    while events:
        try:
            tally[events.popleft()] += 1
        except IndexError:
            break
    return tally


def _flush_url(url: str) -> int:
    tally = _drain(url)
    if not tally:
        return 0
    per_resource: dict[int, list[int]] = {}
    for (dataset_id, resource_id, kind), n in tally.items():
        row = per_resource.setdefault(resource_id, [dataset_id, 0, 0])
        row[1 if kind == "download" else 2] += n
    engine = _engine_for(_engine_urls.get(url, url))
    with Session(engine) as session:
        for resource_id, (dataset_id, downloads, api_calls) in sorted(per_resource.items()):
            stmt = upsert_insert(engine, DownloadCount).values(
                resource_id=resource_id, dataset_id=dataset_id, downloads=downloads, api_calls=api_calls
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["resource_id"],
                set_={
                    "downloads": DownloadCount.downloads + stmt.excluded.downloads,
                    "api_calls": DownloadCount.api_calls + stmt.excluded.api_calls,
                },
            )
            session.exec(stmt)  # type: ignore[call-overload]
        session.commit()
    return sum(tally.values())


def discard_pending() -> None:
    """Forget unflushed events (tests: a new catalog DB at the same URL must start from zero)."""
    for events in _pending.values():
        events.clear()


def _pending_counts(url: str) -> Counter[tuple[int, Kind]]:
    counts: Counter[tuple[int, Kind]] = Counter()
    events = _pending.get(url)
    if events:
        for _, resource_id, kind in list(events):
            counts[(resource_id, kind)] += 1
    return counts


def resource_counts(session: Session, resource_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """resource id -> {"downloads": n, "api_calls": m}, flushed and pending."""
    ids = list(resource_ids)
    counts = {rid: {"downloads": 0, "api_calls": 0} for rid in ids}
    if not ids:
        return counts
    for row in session.exec(select(DownloadCount).where(DownloadCount.resource_id.in_(ids))).all():
        counts[row.resource_id] = {"downloads": row.downloads, "api_calls": row.api_calls}
    for (rid, kind), n in _pending_counts(_session_key(session)).items():
        if rid in counts:
            counts[rid]["downloads" if kind == "download" else "api_calls"] += n
    return counts


def dataset_downloads(dataset: Dataset) -> int:
    """All downloads of a dataset's resources, read through the session the dataset was loaded in."""
    session = object_session(dataset)
    if session is None or dataset.id is None:
        return 0
    return datasets_downloads(session, [dataset.id])[dataset.id]


def datasets_downloads(session: Session, dataset_ids: Iterable[int]) -> dict[int, int]:
    """dataset id -> all downloads of its resources, flushed and pending, in one query."""
    counts = dict.fromkeys(dataset_ids, 0)
    if not counts:
        return counts
    for dataset_id, flushed in session.exec(
        select(DownloadCount.dataset_id, func.coalesce(func.sum(DownloadCount.downloads), 0))
        .where(DownloadCount.dataset_id.in_(list(counts)))
        .group_by(DownloadCount.dataset_id)
    ).all():
        counts[dataset_id] += int(flushed)
    events = _pending.get(_session_key(session))
    for dataset_id, _, kind in list(events) if events else ():
        if kind == "download" and dataset_id in counts:
            counts[dataset_id] += 1
    return counts
