"""The harvest loop shared by every source kind: gather → fetch → import, one dataset at a time.

A harvester says what its source holds (``gather``) and turns one item into a ``DatasetInput`` (``fetch``);
this loop publishes each into the catalog, keeps failures to their own item, withdraws what disappeared,
and writes the job record.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol, Self

from sqlmodel import Session

from catalog.config import Settings, get_settings
from catalog.datasets.inputs import DatasetInput
from catalog.datasets.publishing import (
    CatalogError,
    Change,
    PendingDataset,
    PreparedDataset,
    commit_datasets,
    metadata_warnings,
    prepare_versions,
    read_current,
    withdraw_missing,
)
from catalog.db import init_db, session_scope
from catalog.jobs import JobTally, finish_job, get_or_create_source, start_job
from catalog.models import HarvestJob, HarvestSource
from catalog.privacy.policy import blocked_reports
from catalog.search.base import SearchError
from catalog.search.indexing import converge_index, sync_index
from catalog.storage import FileStore, FileTooLarge, open_store, remove_stale_temporaries
from catalog.vocabulary import JobStatus
from catalog.workers import TaskGroup

logger = logging.getLogger(__name__)

EMPTY_SOURCE_WARNING = ("the source lists no packages at all: nothing was withdrawn (an empty or unreachable "
                        "source is not taken for the withdrawal of everything it published)")


class HarvestError(Exception):
    """The source as a whole could not be read (nothing is withdrawn when this happens)."""


class ItemError(Exception):
    """One item of the source is broken; the message is for the publisher."""


class HarvestStopped(BaseException):
    """The harvest was told to stop (SIGTERM): the job is failed with this message, then it propagates.
    A BaseException, so that no per-item ``except Exception`` swallows it."""


@dataclass(frozen=True)
class HarvestItem:
    identifier: str  # stable within the source (a relative path, a remote id)
    label: str  # what to show in progress output


class Harvester(Protocol):
    kind: str
    source_url: str

    def open(self) -> AbstractContextManager[list[HarvestItem]]:
        """Gather: list the source's items (may raise HarvestError). Any sized iterable will do, so a
        remote source can be read page by page."""

    def fetch(self, item: HarvestItem) -> DatasetInput:
        """Fetch one item into a DatasetInput with local files (may raise ItemError)."""

    # Optional, for incremental gathers (only what changed since the last run): ``incremental = True``
    # after open(), and ``source_identifiers()`` returns every identifier the source still lists, or None
    # if it cannot tell (then nothing is withdrawn).


class Progress(Protocol):
    def begin(self, total: int) -> None: ...
    def item_done(self, item: HarvestItem, outcome: str, message: str | None = None) -> None: ...


class _Silent:
    def begin(self, total: int) -> None:
        pass

    def item_done(self, item: HarvestItem, outcome: str, message: str | None = None) -> None:
        pass


@dataclass
class HarvestResult:
    job: HarvestJob
    tally: JobTally
    outcomes: dict[str, str] = field(default_factory=dict)  # identifier -> added/updated/unchanged/failed
    withdrawn: list[str] = field(default_factory=list)


# What a publisher can act on: the message alone. Anything else in one item (a malformed descriptor that
# trips a TypeError deep in a library, a RecursionError, a bad zip member) also fails that item only, with
# the exception's type named so that a real bug is still visible in the report.
EXPECTED_ITEM_FAILURES = (ItemError, CatalogError, FileTooLarge, OSError, ValueError, UnicodeError)


def item_failure_message(exc: Exception) -> str:
    if isinstance(exc, EXPECTED_ITEM_FAILURES) and str(exc):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:2000]


def run_harvest(
    harvester: Harvester,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    queue_job_id: str | None = None,
) -> HarvestResult:
    """Harvest one source. ``workers`` > 1 stores, validates and converts that many items at once (see
    :class:`_ParallelPublisher`); the catalog ends the same as with one. ``queue_job_id``: the queue job this
    run is an attempt of (harvesters/queue.py), so a retry fails the job its killed attempt left running."""
    settings = settings or get_settings()
    progress = progress or _Silent()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    init_db(settings)
    store = open_store(settings)
    remove_stale_temporaries(settings)  # left by killed runs; never files young enough to be in flight
    with session_scope(settings) as session:
        claim = getattr(harvester, "claim_source", None)
        if claim is not None:  # a folder harvester may be part of a registered source (harvest one package again)
            claim(session)
        source = get_or_create_source(session, harvester.kind, harvester.source_url)
        tally = JobTally()
        job: HarvestJob | None = None
        try:
            job = start_job(session, source, queue_job_id=queue_job_id)
            result = HarvestResult(job=job, tally=tally)
            with harvester.open() as items:
                progress.begin(len(items))
                seen: dict[str, str | None] = {}
                feed = _IndexFeed(session, settings)

                def settle(done: list[tuple[HarvestItem, DatasetInput | None, Change | Exception]]) -> None:
                    """Report a committed batch, in item order: counts, warnings, blocks, the index feed."""
                    names = [data.name for _, data, change in done if data is not None and isinstance(change, str)]
                    blocked = blocked_reports(session, names)
                    for item, data, change in done:
                        message = None
                        if isinstance(change, Exception):
                            outcome, message = "failed", item_failure_message(change)
                            tally.fail(item.identifier, message)
                        else:
                            assert data is not None
                            outcome, name = change, data.name
                            seen[item.identifier] = name
                            for warning in metadata_warnings(data):
                                tally.warn(item.identifier, warning)
                                logger.warning("%s: %s", item.identifier, warning)
                            if name in blocked:  # stored, not published: a policy outcome, not a failure
                                tally.block(item.identifier, name, blocked[name])
                                logger.warning("%s: blocked: %s", item.identifier, "; ".join(blocked[name]))
                            if outcome != "unchanged":
                                feed.add(name)
                            tally.count(outcome)
                        _release(harvester, item)
                        result.outcomes[item.identifier] = outcome
                        feed.commit_if_due()  # after every item: what is pending never waits for a change
                        progress.item_done(item, outcome, message)

                batches = _Batches(session, source, store, settings, settle)
                if workers == 1:
                    for item in items:
                        seen[item.identifier] = None
                        batches.add(item, _prepare_now(harvester, item, session, store, settings))
                    batches.flush()
                else:
                    with _ParallelPublisher(workers, harvester, session, store, settings) as parallel:
                        for item in items:
                            seen[item.identifier] = None
                            parallel.submit(item)
                            while parallel.full():
                                batches.add(*parallel.next_done())
                        while parallel.pending():
                            batches.add(*parallel.next_done())
                        batches.flush()  # before the pool closes: a commit may still build a version in it
                listed = _still_listed(harvester, seen)
                if listed is not None and not listed:
                    # A source that lists nothing at all is far likelier an unmounted folder, an emptied
                    # directory or a site answering badly than a publisher withdrawing everything: keep them.
                    tally.warn(harvester.source_url, EMPTY_SOURCE_WARNING)
                    logger.warning("%s: %s", harvester.source_url, EMPTY_SOURCE_WARNING)
                elif listed is not None:
                    result.withdrawn = withdraw_missing(session, source, listed, settings)
                tally.withdrawn = len(result.withdrawn)
                index_message = feed.converge()
        except HarvestError as exc:
            finish_job(session, job, tally, status=JobStatus.failed, message=str(exc))
            return result
        except BaseException as exc:
            session.rollback()
            if job is not None:  # None: stopped before the job was recorded
                message = str(exc) if isinstance(exc, HarvestStopped) else f"{type(exc).__name__}: {exc}"
                finish_job(session, job, tally, status=JobStatus.failed, message=message)
            raise
        finish_job(session, job, tally, message=index_message)
    return result


Ready = PreparedDataset | Exception  # an item ready to commit, or why it failed before its commit


def _fetch_current(
    harvester: Harvester, item: HarvestItem, session: Session, settings: Settings
) -> PendingDataset | Exception:
    """Step 1 of one item, in the session's thread: fetch it and read what the catalog holds of it (or why
    that failed: the item fails alone, reported in its turn)."""
    try:
        return read_current(session, harvester.fetch(item), settings)
    except Exception as exc:  # noqa: BLE001 - failed alone, reported in its turn
        session.rollback()
        return exc


def _prepare_now(
    harvester: Harvester, item: HarvestItem, session: Session, store: FileStore, settings: Settings
) -> Ready:
    """Steps 1 and 2 of one item in this thread (``--workers 1``): build its new versions in a worker process."""
    pending = _fetch_current(harvester, item, session, settings)
    if isinstance(pending, Exception):
        return pending
    try:
        return prepare_versions(pending, store, settings)
    except Exception as exc:  # noqa: BLE001 - failed alone, reported in its turn
        return exc


class _Batches:
    """Prepared items wait here for their write transaction: ``ODP_COMMIT_BATCH_ITEMS`` of them, or what arrived
    within ``ODP_COMMIT_BATCH_SECONDS`` of the first, are committed together (:func:`commit_datasets`; a failure still costs its
    own item only), then reported in item order (``settle``). A batch is never held open while an item is
    validated: only prepared items wait, and the transaction lasts as long as their writes."""

    def __init__(
        self, session: Session, source: HarvestSource, store: FileStore, settings: Settings,
        settle: Callable[[list[tuple[HarvestItem, DatasetInput | None, Change | Exception]]], None],
    ):
        self.session, self.source, self.store, self.settings, self.settle = session, source, store, settings, settle
        self.waiting: list[tuple[HarvestItem, Ready]] = []
        self.first = 0.0

    def add(self, item: HarvestItem, ready: Ready) -> None:
        if not self.waiting:
            self.first = time.monotonic()
        self.waiting.append((item, ready))
        full = len(self.waiting) >= self.settings.commit_batch_items
        if full or time.monotonic() - self.first >= self.settings.commit_batch_seconds:
            self.flush()

    def flush(self) -> None:
        waiting, self.waiting = self.waiting, []
        batch = [(ready, item.identifier) for item, ready in waiting if not isinstance(ready, Exception)]
        changes = iter(commit_datasets(self.session, batch, source=self.source, store=self.store,
                                       settings=self.settings) if batch else [])
        self.settle([
            (item, None, ready) if isinstance(ready, Exception) else (item, ready.data, next(changes))
            for item, ready in waiting
        ])


def _release(harvester: Harvester, item: HarvestItem) -> None:
    """Tell the harvester the item is done with, so it may delete its downloaded files (optional hook)."""
    release = getattr(harvester, "release", None)
    if release is not None:
        release(item)


class _ParallelPublisher:
    """``odp harvest --workers N``: the slow part of up to N items at once, the catalog writes in order.

    In this (the session's) thread, for each item in turn: fetch it and check its metadata and read its
    current versions (:func:`read_current`). Then a thread of N runs :func:`prepare_versions` — hash,
    store, validate, convert, in a worker process of a pool of N (``TaskGroup``), each item within its own
    ``ODP_ITEM_TIMEOUT`` counted from when its thread starts it. The loop keeps up to 2 N items fetched
    ahead and commits them **in item order** (:func:`commit_dataset`, one transaction per dataset, in this
    thread), so dataset ids, job counts and the index feed come out as with one worker. A failure at any
    step fails that item alone. Leaving early (SIGTERM, an error outside every item) kills this harvest's
    running worker tasks and drops the queued ones.
    """

    def __init__(self, size: int, harvester: Harvester, session: Session, store: FileStore, settings: Settings):
        self.size, self.harvester, self.session = size, harvester, session
        self.store, self.settings = store, settings
        self.tasks = TaskGroup(size)
        self.threads = ThreadPoolExecutor(size, thread_name_prefix="odp-publish")
        self.window: deque[tuple[HarvestItem, Future[PreparedDataset] | Exception]] = deque()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.tasks.cancel()  # nothing is running by now after a normal end; after an early one, stop it
        self.threads.shutdown(wait=True, cancel_futures=True)

    def submit(self, item: HarvestItem) -> None:
        pending = _fetch_current(self.harvester, item, self.session, self.settings)
        if isinstance(pending, Exception):
            self.window.append((item, pending))
            return
        self.window.append((item, self.threads.submit(prepare_versions, pending, self.store, self.settings,
                                                      self.tasks)))

    def full(self) -> bool:
        return len(self.window) >= 2 * self.size

    def pending(self) -> bool:
        return bool(self.window)

    def next_done(self) -> tuple[HarvestItem, Ready]:
        """The oldest item, once its versions are built (or it failed)."""
        item, pending = self.window.popleft()
        if isinstance(pending, Exception):
            return item, pending
        try:
            return item, pending.result()
        except Exception as exc:  # noqa: BLE001 - failed alone
            return item, exc


def _still_listed(harvester: Harvester, seen: dict[str, str | None]) -> dict[str, str | None] | None:
    """What the source still has: the items gathered; after an incremental gather (only what changed),
    those plus every identifier the source still lists, kept as they are; None when it cannot tell (or when
    only part of the source was gathered: ``partial``, one package harvested again)."""
    if getattr(harvester, "partial", False):
        return None
    if not getattr(harvester, "incremental", False):
        return seen
    identifiers = getattr(harvester, "source_identifiers", lambda: None)()
    if identifiers is None:
        return None
    listed = dict(seen)
    for identifier in identifiers:
        listed.setdefault(identifier, None)
    return listed


class _IndexFeed:
    """Keeps search close behind the catalog during a harvest, and whole after it.

    What the job changed is indexed in commits at least every ``settings.index_commit_seconds`` (checked
    after each item), so search lags the catalog by seconds, not by the whole harvest. At the end,
    ``converge_index`` indexes every dataset the index is missing or holds an old version of — this job's
    rest, its withdrawals, and whatever a killed earlier run left out. The catalog is already committed, so a
    busy index is reported on the job rather than failing the harvest; the next harvest fills the gap.
    """

    def __init__(self, session: Session, settings: Settings):
        self.session, self.settings = session, settings
        self.pending: set[str] = set()
        self.last_commit = time.monotonic()
        self.problem: str | None = None

    def add(self, name: str) -> None:
        self.pending.add(name)

    def commit_if_due(self) -> None:
        if self.pending and time.monotonic() - self.last_commit >= self.settings.index_commit_seconds:
            self._commit(lambda: sync_index(self.session, self.pending, self.settings))

    def converge(self) -> str | None:
        self.problem = None  # a failed commit during the run is repaired here, or reported again
        self._commit(lambda: converge_index(self.session, self.settings))
        return self.problem

    def _commit(self, step: Callable[[], object]) -> None:
        try:
            step()
        except SearchError as exc:
            self.problem = f"search index not updated ({exc}); the next harvest or `odp reindex` fills it"
        self.pending.clear()
        self.last_commit = time.monotonic()
