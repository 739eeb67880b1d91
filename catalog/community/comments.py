"""Comments on datasets and on data requests, in threads one level deep: a reply to a reply joins its parent's
thread. A comment by a moderator of the item (a reviewer of its department, or an admin) is marked official (the
department's answer). Moderators hide comments: a hidden comment is kept, with who hid it and why, and no
longer shown (its replies are hidden with it from the thread)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from catalog.config import Settings
from catalog.models import Account, Comment, DataRequest, Dataset, utcnow

from . import moderation
from .datasets import shown
from .errors import invalid, not_found


def _department(session: Session, comment: Comment) -> int | None:
    if comment.dataset_id is not None:
        dataset = session.get(Dataset, comment.dataset_id)
        return dataset.department_id if dataset else None
    request = session.get(DataRequest, comment.request_id)
    return request.department_id if request else None


def post(session: Session, settings: Settings, account: Account, body: str, *, dataset: Dataset | None = None,
         request: DataRequest | None = None, reply_to: int | None = None) -> Comment:
    """A new comment on the dataset or the request (exactly one of them)."""
    assert (dataset is None) != (request is None)
    body = moderation.check_text("body", body, moderation.MAX_BODY)
    comment = Comment(account_id=account.id, body=body, dataset_id=dataset.id if dataset else None,  # type: ignore[arg-type]
                      request_id=request.id if request else None)
    if reply_to is not None:
        parent = session.get(Comment, reply_to)
        if (parent is None or parent.hidden is not None or parent.dataset_id != comment.dataset_id
                or parent.request_id != comment.request_id):
            raise invalid(f"reply_to: no comment {reply_to} in this thread")
        comment.reply_to = parent.reply_to or parent.id  # one level: a reply to a reply joins the thread
    department = dataset.department_id if dataset else request.department_id  # type: ignore[union-attr]
    comment.official = moderation.may_moderate(session, account, department)
    moderation.screen(settings, account, body)
    session.add(comment)
    session.flush()
    return comment


def on_dataset(session: Session, settings: Settings, account: Account, name: str, body: str,
               reply_to: int | None = None) -> Comment:
    return post(session, settings, account, body, dataset=shown(session, name), reply_to=reply_to)


def thread(session: Session, *, dataset_id: int | None = None, request_id: int | None = None) -> list[dict[str, Any]]:
    """Shown comments, oldest first, each with its shown replies."""
    where = Comment.dataset_id == dataset_id if dataset_id is not None else Comment.request_id == request_id
    rows = list(session.exec(select(Comment, Account).join(Account, col(Account.id) == Comment.account_id)
                             .where(where, col(Comment.hidden).is_(None))
                             .order_by(col(Comment.created), col(Comment.id))))
    tops: dict[int, dict[str, Any]] = {}
    for comment, author in rows:
        if comment.reply_to is None:
            tops[comment.id] = as_json(comment, author) | {"replies": []}  # type: ignore[index]
    for comment, author in rows:
        if comment.reply_to in tops:
            tops[comment.reply_to]["replies"].append(as_json(comment, author))  # type: ignore[index]
    return list(tops.values())


def as_json(comment: Comment, author: Account | None) -> dict[str, Any]:
    return {"id": comment.id, "body": comment.body, "author": moderation.author_name(author),
            "official": comment.official, "reply_to": comment.reply_to, "created": comment.created.isoformat()}


def hide(session: Session, actor: Account, comment_id: int, reason: str) -> Comment:
    """A moderator hides the comment (kept, with the reason)."""
    reason = moderation.check_text("reason", reason, moderation.MAX_REASON)
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise not_found(f"no comment {comment_id}")
    if comment.dataset_id is not None:
        dataset = session.get(Dataset, comment.dataset_id)
        shown(session, dataset.name)  # type: ignore[union-attr]
    moderation.require_moderator(session, actor, _department(session, comment), f"comment {comment_id}")
    if comment.hidden is None:
        comment.hidden, comment.hidden_by, comment.hidden_reason = utcnow(), actor.id, reason
        session.add(comment)
    return comment
