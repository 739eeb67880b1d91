"""Notifications for an account: its data request or error report was answered. Shown on /account (the pages)
and by ``GET /api/v1/notifications``."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from catalog.models import Notification, utcnow

REQUEST_ANSWERED = "request_answered"
ISSUE_ANSWERED = "issue_answered"
SHOWN = 100


def notify(session: Session, account_id: int, kind: str, message: str, link: str = "") -> Notification:
    row = Notification(account_id=account_id, kind=kind, message=message, link=link)
    session.add(row)
    return row


def recent(session: Session, account_id: int, *, unread_only: bool = False) -> list[Notification]:
    query = select(Notification).where(Notification.account_id == account_id)
    if unread_only:
        query = query.where(col(Notification.read).is_(None))
    return list(session.exec(query.order_by(col(Notification.created).desc(), col(Notification.id).desc())
                             .limit(SHOWN)))


def mark_read(session: Session, account_id: int) -> int:
    """Mark every unread notification of the account read; how many were."""
    rows = recent(session, account_id, unread_only=True)
    now = utcnow()
    for row in rows:
        row.read = now
        session.add(row)
    return len(rows)


def as_json(row: Notification) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "message": row.message, "link": row.link,
            "created": row.created.isoformat(), "read": row.read.isoformat() if row.read else None}
