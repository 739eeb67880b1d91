"""Everything the portal keeps about one account, as JSON-ready data (个人信息保护法: the right to a copy).

Profile, API keys (name, visible prefix, times — never a key or its hash), applications, grants, the account's
usage rows (``UsageDay``) and its audit events, the password-reset links issued for it (times only — never a
token or its hash), and what it posted: ratings, comments, data requests and votes, error reports, reuses
(with the datasets they name), the datasets it follows, and the notifications it was sent. ``/account/export`` and ``GET /api/v1/account/export`` answer exactly this.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from catalog.models import (
    AccessApplication,
    Account,
    Comment,
    DataRequest,
    DataRequestVote,
    Dataset,
    DatasetFollow,
    DatasetRating,
    ErrorReport,
    Notification,
    Reuse,
    ReuseDataset,
    UsageDay,
    utcnow,
)

from . import audit, grants, keys, resets, totp, users

MAX_EVENTS = 100_000


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def account_export(session: Session, account: Account) -> dict[str, Any]:
    assert account.id is not None
    applications = list(session.exec(select(AccessApplication).where(AccessApplication.account_id == account.id)
                                     .order_by(col(AccessApplication.id))))
    held = grants.grants_of(session, account.id)
    usage = list(session.exec(select(UsageDay).where(UsageDay.account_id == account.id)
                              .order_by(col(UsageDay.day), col(UsageDay.key_id), col(UsageDay.dataset_id))))
    events = audit.events(session, account_id=account.id, limit=MAX_EVENTS)
    posted = _posted(session, account.id)
    reuse_ids = [r.id for r in posted["reuses"]]
    used = list(session.exec(select(ReuseDataset).where(col(ReuseDataset.reuse_id).in_(reuse_ids)))) if reuse_ids else []
    dataset_ids = ({a.dataset_id for a in applications} | {g.dataset_id for g in held}
                   | {u.dataset_id for u in usage} | {e.dataset_id for e in events if e.dataset_id is not None}
                   | {u.dataset_id for u in used} | {row.dataset_id for rows in posted.values() for row in rows
                      if getattr(row, "dataset_id", None) is not None})
    names = {row[0]: row[1] for row in session.exec(
        select(Dataset.id, Dataset.name).where(col(Dataset.id).in_(dataset_ids)))} if dataset_ids else {}
    return {
        "exported": _iso(utcnow()),
        "profile": {
            "id": account.id, "email": account.email, "name": account.name, "role": str(account.role),
            "created": _iso(account.created), "departments": users.department_slugs(session, account.id),
            "totp_enabled": totp.enabled(account), "deleted": _iso(account.deleted),
        },
        "keys": [{"id": k.id, "name": k.name, "prefix": k.prefix, "created": _iso(k.created),
                  "expires": _iso(k.expires), "revoked": _iso(k.revoked), "last_used": _iso(k.last_used)}
                 for k in keys.list_keys(session, account.id)],
        "applications": [{"id": a.id, "dataset": names.get(a.dataset_id), "purpose": a.purpose,
                          "scenario": a.scenario, "organization": a.organization, "days": a.days,
                          "status": str(a.status), "created": _iso(a.created), "decided": _iso(a.decided),
                          "reason": a.reason} for a in applications],
        "grants": [{"id": g.id, "application_id": g.application_id, "dataset": names.get(g.dataset_id),
                    "starts": _iso(g.starts), "expires": _iso(g.expires), "revoked": _iso(g.revoked)}
                   for g in held],
        "usage": [{"day": _iso(u.day), "key_id": u.key_id or None, "dataset": names.get(u.dataset_id),
                   "requests": u.requests, "bytes": u.bytes} for u in usage],
        "password_resets": [{"created": _iso(r.created), "expires": _iso(r.expires), "used": _iso(r.used)}
                            for r in resets.links_of(session, account.id)],
        "audit_events": [{"time": _iso(e.time), "event": e.event, "key_prefix": e.key_prefix,
                          "dataset": names.get(e.dataset_id), "route": e.route, "bytes": e.bytes, "ip": e.ip,
                          "detail": e.detail} for e in events],
        "ratings": [{"dataset": names.get(r.dataset_id), "stars": r.stars, "updated": _iso(r.updated)}
                    for r in posted["ratings"]],
        "comments": [{"id": c.id, "dataset": names.get(c.dataset_id), "request_id": c.request_id,
                      "reply_to": c.reply_to, "body": c.body, "official": c.official, "created": _iso(c.created),
                      "hidden": _iso(c.hidden), "hidden_reason": c.hidden_reason} for c in posted["comments"]],
        "data_requests": [{"id": r.id, "title": r.title, "description": r.description, "purpose": r.purpose,
                           "domain": r.domain_code, "status": r.status, "answer": r.answer,
                           "created": _iso(r.created), "hidden": _iso(r.hidden)} for r in posted["requests"]],
        "votes": [{"request_id": v.request_id, "created": _iso(v.created)} for v in posted["votes"]],
        "error_reports": [{"id": i.id, "dataset": names.get(i.dataset_id), "kind": i.kind, "body": i.body,
                           "row": i.row, "field": i.field, "status": i.status, "answer": i.answer,
                           "created": _iso(i.created)} for i in posted["issues"]],
        "reuses": [{"id": r.id, "kind": r.kind, "title": r.title, "url": r.url, "description": r.description,
                    "image": r.image, "created": _iso(r.created), "approved": _iso(r.approved),
                    "datasets": [names.get(u.dataset_id) for u in used if u.reuse_id == r.id]}
                   for r in posted["reuses"]],
        "follows": [{"dataset": names.get(f.dataset_id), "created": _iso(f.created)} for f in posted["follows"]],
        "notifications": [{"kind": n.kind, "message": n.message, "link": n.link, "created": _iso(n.created)}
                          for n in posted["notifications"]],
    }


def _posted(session: Session, account_id: int) -> dict[str, list]:
    """What the account wrote or was sent in the community features, each kind oldest first."""
    def rows(model, order) -> list:
        return list(session.exec(select(model).where(model.account_id == account_id).order_by(order)))

    return {"ratings": rows(DatasetRating, col(DatasetRating.updated)),
            "comments": rows(Comment, col(Comment.id)),
            "requests": rows(DataRequest, col(DataRequest.id)),
            "votes": rows(DataRequestVote, col(DataRequestVote.created)),
            "issues": rows(ErrorReport, col(ErrorReport.id)),
            "reuses": rows(Reuse, col(Reuse.id)),
            "follows": rows(DatasetFollow, col(DatasetFollow.created)),
            "notifications": rows(Notification, col(Notification.id))}
