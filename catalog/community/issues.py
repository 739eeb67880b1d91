"""Error reports on datasets (数据纠错): a registered user reports a wrong value, outdated data, a broken file,
personal data seen, or something else, optionally at a row and field. The department's reviewers (and admins)
see a dataset's reports and answer them (open → confirmed, fixed or rejected); the reporter sees its own and is
notified of each answer. They go to the department's /review queue (the pages)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from catalog.accounts import users
from catalog.config import Settings
from catalog.models import Account, Dataset, ErrorReport, utcnow
from catalog.vocabulary import Role

from . import moderation, notifications
from .datasets import shown
from .errors import invalid, not_found


class IssueKind(StrEnum):
    wrong_value = "wrong_value"
    outdated = "outdated"
    broken_file = "broken_file"
    personal_data = "personal_data"
    other = "other"


class IssueStatus(StrEnum):
    open = "open"
    confirmed = "confirmed"
    fixed = "fixed"
    rejected = "rejected"


KIND_LABELS = {IssueKind.wrong_value: "数据错误", IssueKind.outdated: "数据过期", IssueKind.broken_file: "文件损坏",
               IssueKind.personal_data: "含个人信息", IssueKind.other: "其他"}
STATUS_LABELS = {IssueStatus.open: "待处理", IssueStatus.confirmed: "已确认", IssueStatus.fixed: "已修正",
                 IssueStatus.rejected: "不予采纳"}
MAX_FIELD = 200


def report(session: Session, settings: Settings, account: Account, name: str, *, kind: str, body: str,
           row: int | None = None, field: str | None = None) -> ErrorReport:
    dataset = shown(session, name)
    try:
        chosen = IssueKind(kind)
    except ValueError:
        raise invalid("kind must be wrong_value, outdated, broken_file, personal_data or other") from None
    body = moderation.check_text("body", body, moderation.MAX_BODY)
    field = moderation.check_text("field", field, MAX_FIELD, required=False) or None
    if row is not None and not 1 <= row <= 2**31 - 1:
        raise invalid("row must be a row number from 1")
    moderation.screen(settings, account, body, field)
    issue = ErrorReport(dataset_id=dataset.id, account_id=account.id, kind=chosen.value, body=body,  # type: ignore[arg-type]
                        row=row, field=field)
    session.add(issue)
    session.flush()
    return issue


def listing(session: Session, actor: Account, name: str) -> list[ErrorReport]:
    """All of the dataset's reports for its moderators; a reporter's own for everyone else."""
    dataset = shown(session, name)
    query = select(ErrorReport).where(ErrorReport.dataset_id == dataset.id)
    if not moderation.may_moderate(session, actor, dataset.department_id):
        query = query.where(ErrorReport.account_id == actor.id)
    return list(session.exec(query.order_by(col(ErrorReport.created).desc(), col(ErrorReport.id).desc())))


def answer(session: Session, actor: Account, issue_id: int, *, status: str, message: str) -> ErrorReport:
    issue = session.get(ErrorReport, issue_id)
    dataset = session.get(Dataset, issue.dataset_id) if issue is not None else None
    if issue is None or dataset is None:
        raise not_found(f"no error report {issue_id}")
    shown(session, dataset.name)
    moderation.require_moderator(session, actor, dataset.department_id, f"error report {issue_id}")
    try:
        chosen = IssueStatus(status)
    except ValueError:
        raise invalid("status must be open, confirmed, fixed or rejected") from None
    message = moderation.check_text("message", message, moderation.MAX_BODY, required=False)
    issue.status, issue.answer, issue.answered, issue.answered_by = chosen.value, message, utcnow(), actor.id
    session.add(issue)
    notifications.notify(session, issue.account_id, notifications.ISSUE_ANSWERED,
                         f"您对数据集「{dataset.title}」的纠错报告：{STATUS_LABELS[chosen]}", f"/dataset/{dataset.name}")
    session.flush()
    return issue


def as_json(session: Session, issue: ErrorReport) -> dict[str, Any]:
    dataset = session.get(Dataset, issue.dataset_id)
    kind, status = IssueKind(issue.kind), IssueStatus(issue.status)
    return {"id": issue.id, "dataset": dataset.name if dataset else None, "kind": kind.value,
            "kind_label": KIND_LABELS[kind], "body": issue.body, "row": issue.row, "field": issue.field,
            "status": status.value, "status_label": STATUS_LABELS[status], "answer": issue.answer,
            "answered": issue.answered.isoformat() if issue.answered else None,
            "reporter": moderation.author_name(session.get(Account, issue.account_id)),
            "created": issue.created.isoformat()}


def queue(session: Session, actor: Account, *, open_only: bool = True) -> list[ErrorReport]:
    """The /review queue: reports on the datasets of the actor's departments (every dataset for an admin), oldest
    first; only open ones unless asked."""
    query = select(ErrorReport).join(Dataset, col(Dataset.id) == ErrorReport.dataset_id)
    if actor.role != Role.admin:
        departments = users.department_ids(session, actor.id) if actor.role == Role.reviewer else set()  # type: ignore[arg-type]
        query = query.where(col(Dataset.department_id).in_(departments or {-1}))
    if open_only:
        query = query.where(ErrorReport.status == IssueStatus.open.value)
    return list(session.exec(query.order_by(col(ErrorReport.created), col(ErrorReport.id))))
