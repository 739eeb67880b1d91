"""Grants: what an approved application gives — its account reads one dataset's data until ``expires``, unless
revoked. A grant is live when ``revoked`` is empty and ``expires`` is in the future; the set of live grants is
read per request (``principals.py``), so revocation and expiry take effect with the next request.

Working days (for "decided within 5 working days") are Monday–Friday minus ``ODP_HOLIDAYS``.

Expiry needs no action to take effect, but it is recorded: :func:`log_expired_grants` writes one ``grant_expired``
audit event per grant whose ``expires`` has passed, marking it (``expiry_logged``) in the same transaction. It is
run by ``odp audit`` before printing, when /account or /review renders, and by each portal process every
``ODP_GRANT_SWEEP_SECONDS`` (``sweeper.py``). Several sweepers may run at once (processes, nodes): each grant is
claimed with a conditional ``UPDATE … WHERE expiry_logged IS NULL`` and only the sweeper whose update changed the
row writes the event, so the event is written once whoever wins.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from catalog.config import Settings
from catalog.models import AccessGrant, utcnow

from . import audit


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


def log_expired_grants(session: Session, now: datetime | None = None) -> int:
    """Write a ``grant_expired`` audit event for each grant that has expired and has none yet; return how many.
    A grant revoked before its expiry did not expire (its revocation is logged); one revoked after it did. The
    caller commits: the mark and the event are one transaction, so a failed commit leaves both undone."""
    now = now or utcnow()
    due = select(AccessGrant.id, AccessGrant.account_id, AccessGrant.dataset_id, AccessGrant.application_id,
                 AccessGrant.expires).where(
        col(AccessGrant.expiry_logged).is_(None), col(AccessGrant.expires) <= now,
        or_(col(AccessGrant.revoked).is_(None), col(AccessGrant.revoked) > col(AccessGrant.expires)),
    ).order_by(col(AccessGrant.expires), col(AccessGrant.id))
    logged = 0
    for grant_id, account_id, dataset_id, application_id, expires in session.exec(due).all():
        if claim_expiry(session, grant_id, now):
            event = audit.record(session, audit.Event.grant_expired, account_id=account_id, dataset_id=dataset_id,
                                 detail=f"grant {grant_id} (application {application_id}) expired "
                                        f"{aware(expires):%Y-%m-%dT%H:%M:%S}Z")
            event.time = now
            logged += 1
    session.flush()
    return logged


def claim_expiry(session: Session, grant_id: int, now: datetime) -> bool:
    """Mark the grant's expiry as logged unless another sweeper already did: True when this call marked it. On
    PostgreSQL a second sweeper's UPDATE waits for the first one's transaction and then finds the row marked; on
    SQLite the write lock serializes them the same way."""
    claimed = session.execute(  # type: ignore[call-overload]
        update(AccessGrant).where(col(AccessGrant.id) == grant_id, col(AccessGrant.expiry_logged).is_(None))
        .values(expiry_logged=now).execution_options(synchronize_session=False))
    return claimed.rowcount == 1
