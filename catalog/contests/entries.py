"""A contest's package: entries, each one resource pinned to the version that was current when it was added.

Later harvests change the portal, never the package: an entry keeps its version until the organizer re-pins it
explicitly (to the resource's version current then), which is recorded (``ContestRepin``). Per entry the organizer
chooses the public sample (``sample_rows`` rows, 0 for none: the first rows, or with ``sample_seed`` a seeded
random draw, the same rows every time) and whether teams get the ``full`` data. A 有条件开放 dataset with full
data asks its department's consent (consents.py); until then its entries are ``pending`` (待部门审核).

An entry as JSON: ``{"id", "dataset", "resource", "version", "sample_rows", "full", "status"}`` (and a few facts
for display: titles, bytes, sha256, the seed, when it was pinned).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, func, select

from catalog import access
from catalog.models import (
    Contest,
    ContestEntry,
    ContestRepin,
    Dataset,
    Resource,
    ResourceVersion,
    utcnow,
)
from catalog.vocabulary import ApplicationStatus, ResourceState

from . import consents
from .contests import Actor, aware, require_manager
from .errors import conflict, invalid, not_found

DEFAULT_SAMPLE_ROWS = 1000
MAX_SAMPLE_ROWS = 10_000


class EntryStatus(StrEnum):
    ready = "ready"  # teams may download it (when offered in full)
    pending = "pending"  # 待部门审核: the department has not consented yet
    rejected = "rejected"  # the department refused (or revoked) its consent
    unavailable = "unavailable"  # its dataset was since closed or withdrawn


STATUS_LABELS = {EntryStatus.ready: "可下载", EntryStatus.pending: "待部门审核", EntryStatus.rejected: "部门未同意",
                 EntryStatus.unavailable: "已下线"}


@dataclass
class EntryView:
    entry: ContestEntry
    dataset: Dataset
    resource: Resource
    version: ResourceVersion
    consent: ApplicationStatus | None  # None: no consent asked (open data, or sample only)

    @property
    def status(self) -> EntryStatus:
        if not access.metadata_shown(self.dataset):
            return EntryStatus.unavailable
        if self.entry.full and access.contest_needs_consent(self.dataset):
            if self.consent == ApplicationStatus.approved:
                return EntryStatus.ready
            return EntryStatus.pending if self.consent in (None, ApplicationStatus.pending) else EntryStatus.rejected
        return EntryStatus.ready

    @property
    def refusal(self) -> access.ContestRefusal | None:
        """What the policy says of handing this entry's full data to a seated member."""
        return access.contest_entry_refusal(self.dataset, full=self.entry.full,
                                            consented=self.consent == ApplicationStatus.approved)

    @property
    def id(self) -> int:
        return self.entry.id  # type: ignore[return-value]


def add(session: Session, actor: Actor, contest: Contest, dataset_name: str, resource_name: str | None = None, *,
        sample_rows: int = DEFAULT_SAMPLE_ROWS, sample_seed: int | None = None, full: bool = True,
        ) -> list[ContestEntry]:
    """Pin the dataset's resource (or, without ``resource_name``, every resource that has data) to its current
    version. A resource already in the package is a conflict: re-pin it instead."""
    require_manager(actor, contest)
    if not 0 <= sample_rows <= MAX_SAMPLE_ROWS:
        raise invalid(f"sample_rows must be from 0 to {MAX_SAMPLE_ROWS}")
    if sample_seed is not None and not 0 <= sample_seed <= 2**31 - 1:
        raise invalid("sample_seed must be from 0 to 2147483647")
    dataset = session.exec(select(Dataset).where(Dataset.name == dataset_name)).first()
    if dataset is None or not access.metadata_shown(dataset):
        raise not_found(f"no dataset named '{dataset_name}'")
    query = select(Resource).where(Resource.dataset_id == dataset.id, Resource.state == ResourceState.active,
                                   col(Resource.current_version_id).is_not(None))
    if resource_name is not None:
        query = query.where(Resource.name == resource_name)
    chosen = list(session.exec(query.order_by(col(Resource.position), col(Resource.id))))
    if not chosen:
        what = f"resource '{resource_name}'" if resource_name else "resource with data"
        raise not_found(f"dataset '{dataset_name}' has no {what}")
    taken = set(session.exec(select(ContestEntry.resource_id).where(ContestEntry.contest_id == contest.id)))
    if any(r.id in taken for r in chosen):
        raise conflict("conflict", f"'{dataset_name}' is already in the package; re-pin its entry to move it "
                                   "to the current version")
    position = session.exec(select(func.count()).select_from(ContestEntry)
                            .where(ContestEntry.contest_id == contest.id)).one()
    added = []
    for offset, resource in enumerate(chosen):
        entry = ContestEntry(contest_id=contest.id, dataset_id=dataset.id, resource_id=resource.id,  # type: ignore[arg-type]
                             version_id=resource.current_version_id, sample_rows=sample_rows,  # type: ignore[arg-type]
                             sample_seed=sample_seed, full=full, position=position + offset)
        session.add(entry)
        added.append(entry)
    if full and access.contest_needs_consent(dataset):
        consents.request(session, contest, dataset, actor.id)
    session.flush()
    return added


def repin(session: Session, actor: Actor, contest: Contest, entry_id: int) -> ContestRepin:
    """Move an entry to its resource's current version, and record who did it, when, from what to what."""
    require_manager(actor, contest)
    entry = _entry(session, contest, entry_id)
    resource = session.get(Resource, entry.resource_id)
    if resource is None or resource.current_version_id is None:
        raise conflict("conflict", f"entry {entry_id}: its resource has no current version")
    if resource.current_version_id == entry.version_id:
        raise conflict("conflict", f"entry {entry_id} is already pinned to the current version")
    record = ContestRepin(entry_id=entry.id, from_version_id=entry.version_id,  # type: ignore[arg-type]
                          to_version_id=resource.current_version_id, account_id=actor.id)
    entry.version_id, entry.pinned = resource.current_version_id, utcnow()
    session.add(entry)
    session.add(record)
    session.flush()
    return record


def repins(session: Session, contest: Contest) -> list[ContestRepin]:
    query = select(ContestRepin).join(ContestEntry, col(ContestEntry.id) == ContestRepin.entry_id).where(
        ContestEntry.contest_id == contest.id)
    return list(session.exec(query.order_by(col(ContestRepin.time), col(ContestRepin.id))))


def _entry(session: Session, contest: Contest, entry_id: int) -> ContestEntry:
    entry = session.get(ContestEntry, entry_id)
    if entry is None or entry.contest_id != contest.id:
        raise not_found(f"contest '{contest.slug}' has no entry {entry_id}")
    return entry


def package(session: Session, contest: Contest) -> list[EntryView]:
    """Every entry with its dataset, resource, pinned version and consent, in the order they were added."""
    query = (select(ContestEntry, Dataset, Resource, ResourceVersion)
             .join(Dataset, col(Dataset.id) == ContestEntry.dataset_id)
             .join(Resource, col(Resource.id) == ContestEntry.resource_id)
             .join(ResourceVersion, col(ResourceVersion.id) == ContestEntry.version_id)
             .where(ContestEntry.contest_id == contest.id)
             .order_by(col(ContestEntry.position), col(ContestEntry.id)))
    decided = {c.dataset_id: c.status for c in session.exec(
        select(consents.ContestConsent).where(consents.ContestConsent.contest_id == contest.id))}
    return [EntryView(entry, dataset, resource, version, decided.get(dataset.id))  # type: ignore[arg-type]
            for entry, dataset, resource, version in session.exec(query)]


def shown(views: list[EntryView]) -> list[EntryView]:
    """The entries anyone may see listed: those whose dataset is still shown on the portal."""
    return [v for v in views if access.metadata_shown(v.dataset)]


def find(session: Session, contest: Contest, entry_id: int) -> EntryView:
    for view in package(session, contest):
        if view.id == entry_id and access.metadata_shown(view.dataset):
            return view
    raise not_found(f"contest '{contest.slug}' has no entry {entry_id}")


def as_json(view: EntryView) -> dict[str, Any]:
    return {
        "id": view.id, "dataset": view.dataset.name, "resource": view.resource.name, "version": view.version.id,
        "sample_rows": view.entry.sample_rows, "full": view.entry.full, "status": view.status.value,
        "status_label": STATUS_LABELS[view.status], "sample_seed": view.entry.sample_seed,
        "dataset_title": view.dataset.title, "resource_title": view.resource.title,
        "format": (view.resource.format or "").lower() or None, "bytes": view.version.size,
        "sha256": view.version.sha256, "pinned": aware(view.entry.pinned).isoformat(),
    }
