"""The providing department's consent to hand a 有条件开放 dataset to a contest's teams.

Adding a conditional dataset to a package with full data asks its department (one ``ContestConsent`` per contest
and dataset): the sibling of an individual application (catalog/accounts/applications.py), decided by the same
people — reviewers of the dataset's department, or admins — on ``/review``, and recorded in the same audit log.
Until it is approved the entry is "待部门审核" and no team downloads it; a rejected one stays refused. A reviewer
asking for another department's consent is told it does not exist.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from catalog.accounts import audit, users
from catalog.models import Account, Contest, ContestConsent, Dataset, utcnow
from catalog.vocabulary import ApplicationStatus, Role

from .errors import conflict, invalid, not_found


def request(session: Session, contest: Contest, dataset: Dataset, requested_by: int | None) -> ContestConsent:
    """The contest's consent request for the dataset: the existing one, else a new pending one (a rejected or
    revoked request is asked again)."""
    found = consent_of(session, contest.id, dataset.id)  # type: ignore[arg-type]
    if found is not None and found.status in (ApplicationStatus.pending, ApplicationStatus.approved):
        return found
    if found is None:
        found = ContestConsent(contest_id=contest.id, dataset_id=dataset.id, requested_by=requested_by)  # type: ignore[arg-type]
    else:
        found.status, found.decided, found.decided_by, found.reason = ApplicationStatus.pending, None, None, None
        found.created = utcnow()
    session.add(found)
    session.flush()
    audit.record(session, audit.Event.application_created, account_id=requested_by, dataset_id=dataset.id,
                 detail=f"contest consent {found.id} ({contest.slug})")
    return found


def consent_of(session: Session, contest_id: int, dataset_id: int) -> ContestConsent | None:
    return session.exec(select(ContestConsent).where(
        ContestConsent.contest_id == contest_id, ContestConsent.dataset_id == dataset_id)).first()


def approved_dataset_ids(session: Session, contest_id: int) -> frozenset[int]:
    query = select(ContestConsent.dataset_id).where(
        ContestConsent.contest_id == contest_id, ContestConsent.status == ApplicationStatus.approved)
    return frozenset(session.exec(query))


def visible(session: Session, actor: Account, status: ApplicationStatus | None = None) -> list[ContestConsent]:
    """The consents the actor decides (a reviewer: its departments'; an admin: all), oldest first."""
    query = select(ContestConsent)
    if actor.role != Role.admin:
        departments = users.department_ids(session, actor.id) if actor.role == Role.reviewer else set()  # type: ignore[arg-type]
        query = query.where(col(ContestConsent.dataset_id).in_(
            select(Dataset.id).where(col(Dataset.department_id).in_(departments))))
    if status is not None:
        query = query.where(ContestConsent.status == status)
    return list(session.exec(query.order_by(col(ContestConsent.created), col(ContestConsent.id))))


def for_review(session: Session, actor: Account, consent_id: int) -> ContestConsent:
    consent = session.get(ContestConsent, consent_id)
    if consent is None or not may_review(session, actor, consent):
        raise not_found(f"no contest consent {consent_id}")
    return consent


def may_review(session: Session, actor: Account, consent: ContestConsent) -> bool:
    if actor.role == Role.admin:
        return True
    if actor.role != Role.reviewer:
        return False
    dataset = session.get(Dataset, consent.dataset_id)
    return dataset is not None and dataset.department_id in users.department_ids(session, actor.id)  # type: ignore[arg-type]


def approve(session: Session, actor: Account, consent_id: int) -> ContestConsent:
    consent = _pending(session, actor, consent_id)
    return _decide(session, consent, actor, ApplicationStatus.approved, None, audit.Event.application_approved)


def reject(session: Session, actor: Account, consent_id: int, reason: str) -> ContestConsent:
    consent = _pending(session, actor, consent_id)
    if not reason.strip():
        raise invalid("a reason is needed")
    return _decide(session, consent, actor, ApplicationStatus.rejected, reason.strip()[:2000],
                   audit.Event.application_rejected)


def revoke(session: Session, actor: Account, consent_id: int, reason: str) -> ContestConsent:
    """Withdraw an approved consent: the entry stops being downloadable with the next request."""
    consent = for_review(session, actor, consent_id)
    if consent.status != ApplicationStatus.approved:
        raise conflict("conflict", f"contest consent {consent_id} is {consent.status}, not approved")
    if not reason.strip():
        raise invalid("a reason is needed")
    return _decide(session, consent, actor, ApplicationStatus.revoked, reason.strip()[:2000],
                   audit.Event.application_revoked)


def _pending(session: Session, actor: Account, consent_id: int) -> ContestConsent:
    consent = for_review(session, actor, consent_id)
    if consent.status != ApplicationStatus.pending:
        raise conflict("conflict", f"contest consent {consent_id} is already {consent.status}")
    return consent


def _decide(session: Session, consent: ContestConsent, actor: Account, status: ApplicationStatus,
            reason: str | None, event: audit.Event) -> ContestConsent:
    consent.status, consent.reason, consent.decided, consent.decided_by = status, reason, utcnow(), actor.id
    session.add(consent)
    contest = session.get(Contest, consent.contest_id)
    audit.record(session, event, account_id=actor.id, dataset_id=consent.dataset_id,
                 detail=f"contest consent {consent.id} ({contest.slug if contest else ''}): {reason or ''}".strip())
    session.flush()
    return consent
