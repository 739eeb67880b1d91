"""Grants: what an approved application gives — its account reads one dataset's data until ``expires``, unless
revoked. A grant is live when ``revoked`` is empty and ``expires`` is in the future; the set of live grants is
read per request (``principals.py``), so revocation and expiry take effect with the next request.

Working days (for "decided within 5 working days") are Monday–Friday minus ``ODP_HOLIDAYS``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from catalog.config import Settings
from catalog.models import AccessGrant, utcnow


def live_dataset_ids(session: Session, account_id: int, now: datetime | None = None) -> frozenset[int]:
    now = now or utcnow()
    query = select(AccessGrant.dataset_id).where(
        AccessGrant.account_id == account_id, col(AccessGrant.revoked).is_(None), col(AccessGrant.expires) > now)
    return frozenset(session.exec(query))


def grants_of(session: Session, account_id: int) -> list[AccessGrant]:
    query = select(AccessGrant).where(AccessGrant.account_id == account_id).order_by(col(AccessGrant.expires))
    return list(session.exec(query))


def is_live(grant: AccessGrant, now: datetime | None = None) -> bool:
    return grant.revoked is None and aware(grant.expires) > (now or utcnow())


def aware(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back naive."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def holidays(settings: Settings) -> set[date]:
    found = set()
    for part in settings.holidays.split(","):
        if part.strip():
            found.add(date.fromisoformat(part.strip()))
    return found


def working_days_between(start: datetime, end: datetime, settings: Settings) -> int:
    """Whole working days from ``start``'s date (exclusive) to ``end``'s date (inclusive)."""
    off = holidays(settings)
    day, last, count = aware(start).date(), aware(end).date(), 0
    while day < last:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            count += 1
    return count
