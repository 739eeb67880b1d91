"""How long personal records are kept: ``odp audit prune`` deletes audit events older than
``ODP_AUDIT_RETENTION_DAYS`` (they hold client IPs) and per-key usage days older than
``ODP_USAGE_RETENTION_DAYS``. Unset, nothing is pruned — the default, since the audit log is the record of who read
which 有条件开放 data and a portal decides for itself how long it must keep it. This is the one place that deletes
audit events; nothing updates them. Per-dataset totals (``DatasetUsageDay``) name no one and are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete

from catalog.config import Settings
from catalog.models import AuditEvent, UsageDay, utcnow


@dataclass(frozen=True)
class Pruned:
    audit_events: int
    usage_days: int


def prune(session: Session, settings: Settings, now: datetime | None = None) -> Pruned:
    """Delete what is past its retention (flushed, not committed); how many rows went."""
    now = now or utcnow()
    events = days = 0
    if settings.audit_retention_days:
        cutoff = now - timedelta(days=settings.audit_retention_days)
        events = session.exec(delete(AuditEvent).where(col(AuditEvent.time) < cutoff)).rowcount
    if settings.usage_retention_days:
        first_kept = (now - timedelta(days=settings.usage_retention_days)).date()
        days = session.exec(delete(UsageDay).where(col(UsageDay.day) < first_kept)).rowcount
    return Pruned(events, days)
