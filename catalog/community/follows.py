"""Following datasets, and the changes a follower sees: new versions of the dataset's files, data requests
answered with it (published), and error reports on it answered by the department.

The changes are derived when read, from the rows that record them (``resourceversion``, ``datarequest``,
``errorreport``), rather than written as one notification per follower at harvest time: a harvest stays one
transaction per dataset whatever the number of followers, and a follower sees the same list as the dataset's Atom
feed. Personal notifications (your request or report was answered) stay in notifications.py; /account shows both.
Only listed datasets (catalog/access.py) have changes shown: a withdrawn or closed one drops out of both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from catalog import access
from catalog.models import (
    Account,
    DataRequest,
    Dataset,
    DatasetFollow,
    ErrorReport,
    Resource,
    ResourceVersion,
)

from .datasets import shown
from .issues import STATUS_LABELS as ISSUE_LABELS
from .issues import IssueStatus
from .requests import STATUS_LABELS as REQUEST_LABELS
from .requests import RequestStatus

SHOWN = 50


@dataclass(frozen=True)
class Change:
    dataset: str  # name
    dataset_title: str
    kind: str  # version | request_answered | issue_answered
    title: str
    link: str  # a path of this site
    time: datetime
    key: str  # stable, for the feed entry's id

    def as_json(self) -> dict[str, str]:
        return {"dataset": self.dataset, "dataset_title": self.dataset_title, "kind": self.kind,
                "title": self.title, "link": self.link, "time": _utc(self.time).isoformat()}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite hands back naive UTC


def follow(session: Session, account: Account, name: str) -> DatasetFollow:
    """Follow the dataset (again: nothing changes)."""
    dataset = shown(session, name)
    row = session.get(DatasetFollow, (dataset.id, account.id))
    if row is None:
        row = DatasetFollow(dataset_id=dataset.id, account_id=account.id)  # type: ignore[arg-type]
        session.add(row)
        session.flush()
    return row


def unfollow(session: Session, account: Account, name: str) -> None:
    row = session.get(DatasetFollow, (shown(session, name).id, account.id))
    if row is not None:
        session.delete(row)
        session.flush()


def following(session: Session, account_id: int, name: str) -> bool:
    return session.exec(select(DatasetFollow).join(Dataset, col(Dataset.id) == DatasetFollow.dataset_id)
                        .where(DatasetFollow.account_id == account_id, Dataset.name == name)).first() is not None


def followed(session: Session, account_id: int) -> list[Dataset]:
    """The listed datasets the account follows, by title."""
    return list(session.exec(select(Dataset).join(DatasetFollow, col(DatasetFollow.dataset_id) == Dataset.id)
                             .where(DatasetFollow.account_id == account_id, access.listed_clause())
                             .order_by(Dataset.title)))


def changes(session: Session, datasets: list[Dataset], *, since: dict[str, datetime] | None = None,
            limit: int = SHOWN) -> list[Change]:
    """The datasets' changes, newest first (after ``since[dataset name]`` when given)."""
    by_id = {d.id: d for d in datasets}
    if not by_id:
        return []
    found: list[Change] = []
    versions = session.exec(select(ResourceVersion, Resource).join(Resource, col(Resource.id) ==
                                                                   ResourceVersion.resource_id)
                            .where(col(Resource.dataset_id).in_(by_id))
                            .order_by(col(ResourceVersion.created).desc()).limit(limit * 2))
    for version, resource in versions:
        ds = by_id[resource.dataset_id]
        found.append(Change(ds.name, ds.title, "version", f"「{resource.title or resource.name}」有新版本",
                            f"/dataset/{ds.name}", version.created, f"version/{version.id}"))
    answered = session.exec(select(DataRequest).where(col(DataRequest.dataset_id).in_(by_id),
                                                      col(DataRequest.hidden).is_(None),
                                                      DataRequest.status == RequestStatus.published.value)
                            .order_by(col(DataRequest.answered).desc()).limit(limit))
    for request in answered:
        ds = by_id[request.dataset_id]  # type: ignore[index]
        found.append(Change(ds.name, ds.title, "request_answered",
                            f"数据需求「{request.title}」{REQUEST_LABELS[RequestStatus.published]}",
                            f"/requests/{request.id}", request.answered, f"request/{request.id}"))  # type: ignore[arg-type]
    reports = session.exec(select(ErrorReport).where(col(ErrorReport.dataset_id).in_(by_id),
                                                     col(ErrorReport.answered).is_not(None))
                           .order_by(col(ErrorReport.answered).desc()).limit(limit))
    for report in reports:  # the report's text is its author's and the department's: only its outcome is public
        ds = by_id[report.dataset_id]
        found.append(Change(ds.name, ds.title, "issue_answered",
                            f"一条纠错报告已处理：{ISSUE_LABELS[IssueStatus(report.status)]}",
                            f"/dataset/{ds.name}", report.answered, f"issue/{report.id}"))  # type: ignore[arg-type]
    if since:
        found = [c for c in found if _utc(c.time) > _utc(since[c.dataset])]
    return sorted(found, key=lambda c: _utc(c.time), reverse=True)[:limit]


def of_dataset(session: Session, name: str, limit: int = SHOWN) -> tuple[Dataset, list[Change]]:
    """A listed dataset's changes, for its Atom feed (404/410 like its page otherwise)."""
    dataset = shown(session, name)
    return dataset, changes(session, [dataset], limit=limit)


def updates(session: Session, account_id: int, limit: int = SHOWN) -> list[Change]:
    """What changed in the account's followed datasets since it followed each, newest first."""
    rows = list(session.exec(select(Dataset, DatasetFollow.created)
                             .join(DatasetFollow, col(DatasetFollow.dataset_id) == Dataset.id)
                             .where(DatasetFollow.account_id == account_id, access.listed_clause())))
    since = {d.name: created for d, created in rows}
    return changes(session, [d for d, _ in rows], since=since, limit=limit)
