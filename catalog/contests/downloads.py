"""The contest's download log: one row per full-data download by a team member — an entry on its own
(``via`` entry) or each entry of the package zip (``via`` bundle) — with the bytes sent. The organizer's report
adds them up per team, member and entry: downloads, bytes, first and last time; also as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from catalog import access
from catalog.accounts import audit
from catalog.config import Settings
from catalog.db import session_scope
from catalog.models import Account, Contest, ContestDownload, ContestEntry, ContestTeam, Dataset, Resource

from .contests import aware
from .entries import EntryView

VIA_ENTRY, VIA_BUNDLE = "entry", "bundle"
CSV_HEADER = ("team", "member", "entry", "dataset", "resource", "downloads", "bytes", "first", "last")


def record(session: Session, contest: Contest, team_id: int, account_id: int, views: list[EntryView], via: str,
           sent: int | None = None) -> None:
    """Log one download of each entry (committed by the caller): ``sent`` bytes, or by default the size of each
    entry's pinned file (a zip's entries, an original file). A 有条件开放 entry's read also goes into the audit log,
    as every read of conditional data does."""
    for view in views:
        size = view.version.size if sent is None else sent
        session.add(ContestDownload(contest_id=contest.id, team_id=team_id, account_id=account_id,  # type: ignore[arg-type]
                                    entry_id=view.id, via=via, bytes=size))
        if access.contest_needs_consent(view.dataset):
            audit.record(session, audit.Event.data_read, account_id=account_id, dataset_id=view.dataset.id,
                         route=f"/api/v1/contests/{contest.slug}", bytes=size,
                         detail=f"contest {contest.slug}, entry {view.id}, {via}")
    session.flush()


def counted(chunks: Iterator[bytes], contest: Contest, team_id: int, account_id: int, view: EntryView,
            settings: Settings) -> Iterator[bytes]:
    """A streamed conversion, logged when it ends (or is cut off) with the bytes actually sent."""
    sent = 0
    try:
        for chunk in chunks:
            sent += len(chunk)
            yield chunk
    finally:
        with session_scope(settings) as session:
            record(session, contest, team_id, account_id, [view], VIA_ENTRY, sent)
            session.commit()


@dataclass(frozen=True)
class DownloadLine:
    team: str
    member: str  # the member's email
    entry: int
    dataset: str
    resource: str
    downloads: int
    bytes: int
    first: datetime
    last: datetime

    def as_json(self) -> dict:
        return {"team": self.team, "member": self.member, "entry": self.entry, "dataset": self.dataset,
                "resource": self.resource, "downloads": self.downloads, "bytes": self.bytes,
                "first": aware(self.first).isoformat(), "last": aware(self.last).isoformat()}


def report(session: Session, contest: Contest) -> list[DownloadLine]:
    """Per team, member and entry: how often, how many bytes, first and last time; by team, member, entry."""
    query = (select(ContestTeam.name, Account.email, ContestEntry.id, Dataset.name, Resource.name,
                    func.count(col(ContestDownload.id)), func.sum(ContestDownload.bytes),
                    func.min(ContestDownload.time), func.max(ContestDownload.time))
             .join(ContestTeam, col(ContestTeam.id) == ContestDownload.team_id)
             .join(Account, col(Account.id) == ContestDownload.account_id)
             .join(ContestEntry, col(ContestEntry.id) == ContestDownload.entry_id)
             .join(Dataset, col(Dataset.id) == ContestEntry.dataset_id)
             .join(Resource, col(Resource.id) == ContestEntry.resource_id)
             .where(ContestDownload.contest_id == contest.id)
             .group_by(ContestTeam.name, Account.email, ContestEntry.id, Dataset.name, Resource.name)
             .order_by(ContestTeam.name, Account.email, ContestEntry.id))
    return [DownloadLine(team, email, entry, dataset, resource, int(count), int(total or 0), first, last)
            for team, email, entry, dataset, resource, count, total, first, last in session.exec(query)]


def as_csv(lines: list[DownloadLine]) -> str:
    """The report as CSV (UTF-8, header row first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        row = line.as_json()
        writer.writerow([_cell(row[key]) for key in CSV_HEADER])
    return out.getvalue()


def _cell(value: object) -> object:
    """Team names are typed by teams: one starting like a formula is quoted so a spreadsheet shows it as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
