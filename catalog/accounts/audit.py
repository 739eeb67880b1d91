"""The audit log: append-only. This module only inserts and reads ``AuditEvent`` rows — nothing updates them, the
one delete is ``retention.py`` removing events older than ``ODP_AUDIT_RETENTION_DAYS`` (``odp audit prune``),
and ``odp audit`` prints them. Keys and passwords never reach it: a key appears by
its visible prefix only."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from catalog.models import AuditEvent


class Event(StrEnum):
    account_created = "account_created"
    role_changed = "role_changed"
    key_created = "key_created"
    key_revoked = "key_revoked"
    application_created = "application_created"
    application_approved = "application_approved"
    application_rejected = "application_rejected"
    application_revoked = "application_revoked"
    grant_expired = "grant_expired"  # written once per grant by grants.log_expired_grants
    data_read = "data_read"  # a read of 有条件开放 data under a grant
    # Account security (totp.py, resets.py, erasure.py): who, never a code, token or password.
    totp_enabled = "totp_enabled"
    totp_disabled = "totp_disabled"
    totp_reset = "totp_reset"  # cleared by an admin (odp users reset-totp)
    reset_link_issued = "reset_link_issued"
    password_reset = "password_reset"
    account_deleted = "account_deleted"


def record(session: Session, event: Event, *, account_id: int | None = None, key_prefix: str | None = None,
           dataset_id: int | None = None, route: str | None = None, bytes: int | None = None,
           ip: str | None = None, detail: str | None = None) -> AuditEvent:
    """Add one event to the session (committed with the change it records)."""
    row = AuditEvent(event=event.value, account_id=account_id, key_prefix=key_prefix, dataset_id=dataset_id,
                     route=route[:300] if route else None, bytes=bytes, ip=ip[:64] if ip else None, detail=detail)
    session.add(row)
    return row


def events(session: Session, *, dataset_id: int | None = None, account_id: int | None = None,
           since: datetime | None = None, limit: int = 10_000) -> list[AuditEvent]:
    """Events oldest first, filtered by dataset, account and time."""
    query = select(AuditEvent)
    if dataset_id is not None:
        query = query.where(AuditEvent.dataset_id == dataset_id)
    if account_id is not None:
        query = query.where(AuditEvent.account_id == account_id)
    if since is not None:
        query = query.where(col(AuditEvent.time) >= since)
    return list(session.exec(query.order_by(col(AuditEvent.time), col(AuditEvent.id)).limit(limit)))
