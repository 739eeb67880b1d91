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
    PreparedDataset,
    commit_dataset,
    metadata_warnings,
    prepare_versions,
    publish_dataset,
    read_current,
    withdraw_missing,
)
from catalog.db import init_db, session_scope
from catalog.jobs import JobTally, finish_job, get_or_create_source, start_job
from catalog.models import HarvestJob, HarvestSource
from catalog.privacy.policy import block_report
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

                def finish(item: HarvestItem, publish: Callable[[], tuple[DatasetInput, Change]]) -> None:
                    """Commit one item (or record its failure) — always in item order, in this thread."""
                    message = None
                    try:
                        data, outcome = publish()
                        name = data.name
                        seen[item.identifier] = name
                        for warning in metadata_warnings(data):
                            tally.warn(item.identifier, warning)
                            logger.warning("%s: %s", item.identifier, warning)
                        blocked = block_report(session, name)
                        if blocked is not None:  # stored, not published: a policy outcome, not a failure
                            tally.block(item.identifier, name, blocked)
                            logger.warning("%s: blocked: %s", item.identifier, "; ".join(blocked))
                        if outcome != "unchanged":
                            feed.add(name)
                        tally.count(outcome)
                    except Exception as exc:  # noqa: BLE001 - one broken item never ends the harvest
                        session.rollback()
                        outcome = "failed"
                        message = item_failure_message(exc)
                        tally.fail(item.identifier, message)
                    finally:
                        _release(harvester, item)
                    result.outcomes[item.identifier] = outcome
                    feed.commit_if_due()  # after every item: what is pending never waits for a change
                    progress.item_done(item, outcome, message)

                if workers == 1:
                    for item in items:
                        seen[item.identifier] = None
                        finish(item, lambda item=item: _publish_now(harvester, item, session, source, store, settings))
                else:
                    with _ParallelPublisher(workers, harvester, session, source, store, settings) as parallel:
                        for item in items:
                            seen[item.identifier] = None
                            parallel.submit(item)
                            while parallel.full():
                                finish(*parallel.next_done())
                        while parallel.pending():
                            finish(*parallel.next_done())
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


def _publish_now(
    harvester: Harvester, item: HarvestItem, session: Session, source: HarvestSource, store: FileStore,
    settings: Settings,
) -> tuple[DatasetInput, Change]:
    data = harvester.fetch(item)
    outcome = publish_dataset(session, data, source=source, identifier=item.identifier, store=store,
                              settings=settings)
    return data, outcome


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

    def __init__(
        self, size: int, harvester: Harvester, session: Session, source: HarvestSource, store: FileStore,
        settings: Settings,
    ):
        self.size, self.harvester, self.session = size, harvester, session
        self.source, self.store, self.settings = source, store, settings
        self.tasks = TaskGroup(size)
        self.threads = ThreadPoolExecutor(size, thread_name_prefix="odp-publish")
        self.window: deque[tuple[HarvestItem, Callable[[], tuple[DatasetInput, Change]]]] = deque()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.tasks.cancel()  # nothing is running by now after a normal end; after an early one, stop it
        self.threads.shutdown(wait=True, cancel_futures=True)

    def submit(self, item: HarvestItem) -> None:
        try:
            data = self.harvester.fetch(item)
            pending = read_current(self.session, data, self.settings)
        except Exception as exc:  # noqa: BLE001 - failed alone, reported in its turn
            self.session.rollback()
            self.window.append((item, _raiser(exc)))
            return
        future = self.threads.submit(prepare_versions, pending, self.store, self.settings, self.tasks)
        self.window.append((item, lambda: self._commit(item, future)))

    def _commit(self, item: HarvestItem, future: Future[PreparedDataset]) -> tuple[DatasetInput, Change]:
        prepared = future.result()
        outcome = commit_dataset(self.session, prepared, source=self.source, identifier=item.identifier,
                                 store=self.store, settings=self.settings)
        return prepared.data, outcome

    def full(self) -> bool:
        return len(self.window) >= 2 * self.size

    def pending(self) -> bool:
        return bool(self.window)

    def next_done(self) -> tuple[HarvestItem, Callable[[], tuple[DatasetInput, Change]]]:
        return self.window.popleft()


def _raiser(exc: Exception) -> Callable[[], tuple[DatasetInput, Change]]:
    def publish() -> tuple[DatasetInput, Change]:
        raise exc

    return publish


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
