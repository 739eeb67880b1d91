"""Data requests (数据需求): a registered user asks for data that is not open yet; others upvote once each and
comment; the department's reviewers (or an admin) answer — accepted, planned (with a date), published (linked to
the dataset) or declined (with a reason) — and the requester is notified. A request without a suggested
department is answered by an admin. Hidden requests (moderation) are kept and not shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, func, select

from catalog import access
from catalog.accounts import users
from catalog.config import Settings
from catalog.models import Account, DataRequest, DataRequestVote, Dataset, Department, Domain, utcnow
from catalog.vocabulary import Role

from . import comments, moderation, notifications
from .errors import invalid, not_found


class RequestStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    planned = "planned"
    published = "published"
    declined = "declined"


STATUS_LABELS = {RequestStatus.open: "待答复", RequestStatus.accepted: "已受理", RequestStatus.planned: "计划开放",
                 RequestStatus.published: "已开放", RequestStatus.declined: "暂不开放"}
ANSWERS = (RequestStatus.accepted, RequestStatus.planned, RequestStatus.published, RequestStatus.declined)
SORTS = ("votes", "new")


def _department(session: Session, slug: str | None) -> Department | None:
    if not slug:
        return None
    found = session.exec(select(Department).where(Department.name == slug)).first()
    if found is None:
        raise invalid(f"department: no department '{slug}'")
    return found


def create(session: Session, account: Account, *, title: str, description: str, domain: str,
           department: str | None = None, purpose: str | None = None, settings: Settings | None = None) -> DataRequest:
    title = moderation.check_text("title", title, moderation.MAX_TITLE)
    description = moderation.check_text("description", description, moderation.MAX_BODY)
    purpose = moderation.check_text("purpose", purpose, moderation.MAX_BODY, required=False)
    if session.get(Domain, domain) is None:
        raise invalid(f"domain: no domain '{domain}'")
    found = _department(session, department)
    if settings is not None:
        moderation.screen(settings, account, title, description, purpose)
    row = DataRequest(account_id=account.id, title=title, description=description, domain_code=domain,  # type: ignore[arg-type]
                      department_id=found.id if found else None, purpose=purpose)
    session.add(row)
    session.flush()
    return row


def find(session: Session, request_id: int) -> DataRequest:
    row = session.get(DataRequest, request_id)
    if row is None or row.hidden is not None:
        raise not_found(f"no data request {request_id}")
    return row


@dataclass(frozen=True)
class Listing:
    count: int
    rows: list[DataRequest]
    votes: dict[int, int]


def vote_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    query = (select(DataRequestVote.request_id, func.count()).where(col(DataRequestVote.request_id).in_(ids))
             .group_by(col(DataRequestVote.request_id)))
    return {request_id: int(count) for request_id, count in session.exec(query)}


def listing(session: Session, *, domain: str | None = None, department: str | None = None,
            status: RequestStatus | None = None, sort: str = "new", page: int = 1, size: int = 20) -> Listing:
    votes = (select(DataRequestVote.request_id, func.count().label("n")).group_by(col(DataRequestVote.request_id))
             .subquery())
    query = select(DataRequest).outerjoin(votes, votes.c.request_id == DataRequest.id).where(
        col(DataRequest.hidden).is_(None))
    if domain:
        query = query.where(DataRequest.domain_code == domain)
    if department:
        query = query.where(DataRequest.department_id == select(Department.id).where(
            Department.name == department).scalar_subquery())
    if status is not None:
        query = query.where(DataRequest.status == status.value)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    newest = (col(DataRequest.created).desc(), col(DataRequest.id).desc())
    order = (func.coalesce(votes.c.n, 0).desc(), *newest) if sort == "votes" else newest
    rows = list(session.exec(query.order_by(*order).offset((page - 1) * size).limit(size)))
    return Listing(int(total), rows, vote_counts(session, [r.id for r in rows]))  # type: ignore[misc]


def vote(session: Session, account: Account, request_id: int) -> int:
    """Upvote once: repeating it changes nothing. The request's vote count."""
    row = find(session, request_id)
    if session.get(DataRequestVote, (row.id, account.id)) is None:
        session.add(DataRequestVote(request_id=row.id, account_id=account.id))  # type: ignore[arg-type]
        session.flush()
    return vote_counts(session, [row.id]).get(row.id, 0)  # type: ignore[list-item,arg-type]


def comment(session: Session, settings: Settings, account: Account, request_id: int, body: str,
            reply_to: int | None = None) -> Any:
    return comments.post(session, settings, account, body, request=find(session, request_id), reply_to=reply_to)


def answer(session: Session, actor: Account, request_id: int, *, status: str, message: str,
           dataset: str | None = None, planned_date: date | None = None) -> DataRequest:
    """The department's answer; the requester is notified."""
    row = find(session, request_id)
    moderation.require_moderator(session, actor, row.department_id, f"data request {request_id}")
    try:
        chosen = RequestStatus(status)
    except ValueError:
        chosen = None
    if chosen not in ANSWERS:
        raise invalid("status must be accepted, planned, published or declined")
    required = chosen is RequestStatus.declined
    message = moderation.check_text("message", message, moderation.MAX_BODY, required=required)
    linked: Dataset | None = None
    if chosen is RequestStatus.published:
        linked = session.exec(select(Dataset).where(Dataset.name == (dataset or ""))).first()
        if linked is None or not access.listed(linked):
            raise invalid("published: name the dataset that answers the request (dataset, a listed dataset)")
    if chosen is RequestStatus.planned and planned_date is None:
        raise invalid("planned: give the planned_date (YYYY-MM-DD)")
    row.status, row.answer, row.answered, row.answered_by = chosen.value, message, utcnow(), actor.id
    row.dataset_id = linked.id if linked else None
    row.planned_date = planned_date if chosen is RequestStatus.planned else None
    session.add(row)
    text = f"您的数据需求「{row.title}」已答复：{STATUS_LABELS[chosen]}"
    if linked is not None:
        text += f"（数据集 {linked.name}）"
    notifications.notify(session, row.account_id, notifications.REQUEST_ANSWERED, text, f"/requests/{row.id}")
    session.flush()
    return row


def hide(session: Session, actor: Account, request_id: int, reason: str) -> DataRequest:
    reason = moderation.check_text("reason", reason, moderation.MAX_REASON)
    row = find(session, request_id)
    moderation.require_moderator(session, actor, row.department_id, f"data request {request_id}")
    row.hidden, row.hidden_by, row.hidden_reason = utcnow(), actor.id, reason
    session.add(row)
    return row


def as_json(session: Session, row: DataRequest, votes: int | None = None, *,
            with_comments: bool = False) -> dict[str, Any]:
    department = session.get(Department, row.department_id) if row.department_id else None
    linked = session.get(Dataset, row.dataset_id) if row.dataset_id else None
    status = RequestStatus(row.status)
    answered = None
    if row.answered is not None:
        answered = {"message": row.answer or "", "answered": row.answered.isoformat(),
                    "dataset": linked.name if linked is not None and access.listed(linked) else None,
                    "planned_date": row.planned_date.isoformat() if row.planned_date else None}
    body: dict[str, Any] = {
        "id": row.id, "title": row.title, "description": row.description, "domain": row.domain_code,
        "department": department.name if department else None, "purpose": row.purpose,
        "status": status.value, "status_label": STATUS_LABELS[status],
        "votes": vote_counts(session, [row.id]).get(row.id, 0) if votes is None else votes,  # type: ignore[list-item,arg-type]
        "answer": answered, "author": moderation.author_name(session.get(Account, row.account_id)),
        "created": row.created.isoformat(), "url": f"/api/v1/requests/{row.id}",
    }
    if with_comments:
        body["comments"] = comments.thread(session, request_id=row.id)
    return body


def queue(session: Session, actor: Account) -> list[DataRequest]:
    """The /review queue: unanswered, shown requests addressed to the actor's departments (an admin: every one,
    those without a department included), oldest first."""
    query = select(DataRequest).where(col(DataRequest.hidden).is_(None), DataRequest.status == RequestStatus.open.value)
    if actor.role != Role.admin:
        departments = users.department_ids(session, actor.id) if actor.role == Role.reviewer else set()  # type: ignore[arg-type]
        query = query.where(col(DataRequest.department_id).in_(departments or {-1}))
    return list(session.exec(query.order_by(col(DataRequest.created), col(DataRequest.id))))


@dataclass(frozen=True)
class ResponseTime:
    """How a department answers its requests: how many it got, answered, and the mean days to the (latest) answer
    (for its scorecard page)."""

    department: str
    requests: int
    answered: int
    mean_days: float | None


def response_times(session: Session, department: str | None = None) -> list[ResponseTime]:
    """Per department with requests (or the one named): counts and mean days from asking to the (latest)
    answer."""
    query = (select(Department.name, DataRequest.created, DataRequest.answered)
             .join(Department, col(Department.id) == DataRequest.department_id)
             .where(col(DataRequest.hidden).is_(None)))
    rows = session.exec(query.where(Department.name == department) if department else query)
    seen: dict[str, list[float | None]] = {}
    for name, created, answered in rows:
        days = (answered - created).total_seconds() / 86_400 if answered is not None else None
        seen.setdefault(name, []).append(days)
    result = []
    for name, values in sorted(seen.items()):
        done = [v for v in values if v is not None]
        result.append(ResponseTime(name, len(values), len(done), round(sum(done) / len(done), 2) if done else None))
    return result


def response_time(session: Session, department: str) -> ResponseTime | None:
    """The department's figures for its scorecard (its page); None before its first request."""
    found = response_times(session, department)
    return found[0] if found else None
