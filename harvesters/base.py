"""The harvest loop shared by every source kind: gather → fetch → import, one dataset at a time.

A harvester says what its source holds (``gather``) and turns one item into a ``DatasetInput`` (``fetch``);
this loop publishes each into the catalog, keeps failures to their own item, withdraws what disappeared,
and writes the job record.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from sqlmodel import Session

from catalog.config import Settings, get_settings
from catalog.db import init_db, session_scope
from catalog.indexing import sync_index
from catalog.inputs import DatasetInput
from catalog.jobs import JobTally, finish_job, get_or_create_source, start_job
from catalog.models import HarvestJob
from catalog.publishing import CatalogError, publish_dataset, withdraw_missing
from catalog.search.base import SearchError
from catalog.storage import FileStore, FileTooLarge, remove_stale_temporaries


class HarvestError(Exception):
    """The source as a whole could not be read (nothing is withdrawn when this happens)."""


class ItemError(Exception):
    """One item of the source is broken; the message is for the publisher."""


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
    harvester: Harvester, *, settings: Settings | None = None, progress: Progress | None = None
) -> HarvestResult:
    settings = settings or get_settings()
    progress = progress or _Silent()
    init_db(settings)
    store = FileStore(settings.files_dir)
    remove_stale_temporaries(settings)  # left by killed runs; never files young enough to be in flight
    with session_scope(settings) as session:
        source = get_or_create_source(session, harvester.kind, harvester.source_url)
        job = start_job(session, source)
        tally = JobTally()
        result = HarvestResult(job=job, tally=tally)
        try:
            with harvester.open() as items:
                progress.begin(len(items))
                seen: dict[str, str | None] = {}
                changed: set[str] = set()
                for item in items:
                    seen[item.identifier] = None
                    try:
                        data = harvester.fetch(item)
                        outcome = publish_dataset(
                            session,
                            data,
                            source=source,
                            identifier=item.identifier,
                            store=store,
                            settings=settings,
                        )
                        seen[item.identifier] = data.name
                        if outcome != "unchanged":
                            changed.add(data.name)
                        tally.count(outcome)
                        progress.item_done(item, outcome)
                    except Exception as exc:  # noqa: BLE001 - one broken item never ends the harvest
                        session.rollback()
                        outcome = "failed"
                        message = item_failure_message(exc)
                        tally.fail(item.identifier, message)
                        progress.item_done(item, outcome, message)
                    result.outcomes[item.identifier] = outcome
                listed = _still_listed(harvester, seen)
                if listed is not None:
                    result.withdrawn = withdraw_missing(session, source, listed, settings)
                tally.withdrawn = len(result.withdrawn)
                index_message = _update_index(session, changed | set(result.withdrawn), settings)
        except HarvestError as exc:
            finish_job(session, job, tally, status="failed", message=str(exc))
            return result
        except BaseException as exc:
            finish_job(session, job, tally, status="failed", message=f"{type(exc).__name__}: {exc}")
            raise
        finish_job(session, job, tally, message=index_message)
    return result


def _still_listed(harvester: Harvester, seen: dict[str, str | None]) -> dict[str, str | None] | None:
    """What the source still has: the items gathered; after an incremental gather (only what changed),
    those plus every identifier the source still lists, kept as they are; None when it cannot tell."""
    if not getattr(harvester, "incremental", False):
        return seen
    identifiers = getattr(harvester, "source_identifiers", lambda: None)()
    if identifiers is None:
        return None
    listed = dict(seen)
    for identifier in identifiers:
        listed.setdefault(identifier, None)
    return listed


def _update_index(session: Session, names: set[str], settings: Settings) -> str | None:
    """Index what this job changed, in one writer commit. The catalog is already committed, so a busy
    index is reported on the job (``odp reindex`` repairs it) rather than failing the harvest."""
    try:
        sync_index(session, names, settings)
    except SearchError as exc:
        return f"search index not updated ({exc}); run `odp reindex`"
    return None
