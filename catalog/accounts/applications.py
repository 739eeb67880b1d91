"""Applications (申请) for 有条件开放 data, and their review.

An account applies for one dataset (purpose, scenario, organization, days ≤ ``ODP_APPLICATION_MAX_DAYS``,
the data-use agreement accepted); one pending application per account and dataset. A reviewer of the providing
department — or an admin — approves (optionally for fewer days: a grant follows), rejects with a reason, or later
revokes. A reviewer asking for another department's application is told it does not exist (``NotFound``), so
no answer leaks which applications exist. Applying for open data is a conflict (it needs none); for a closed or
unknown dataset the dataset is not found.

The ``application_created`` audit event records the SHA-256 of the data-use agreement the applicant accepted —
the providing department's text or the portal default (``agreements.py``) — so a later change of that text is
traceable. A form that showed an older text (its ``agreement_sha256`` differs) is refused, never recorded under
the new text's hash.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from catalog import access
from catalog.config import Settings
from catalog.models import AccessApplication, AccessGrant, Account, Dataset, utcnow
from catalog.vocabulary import ApplicationStatus, Role

from . import agreements, audit, users


class ApplicationError(Exception):
    """Refused: ``status`` is the HTTP status the portal answers, ``code`` its machine-readable code."""

    status, code = 422, "invalid_application"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ApplicationError):
    status, code = 404, "not_found"


class Conflict(ApplicationError):
    status, code = 409, "conflict"


class AgreementChanged(Conflict):
    """The agreement the applicant was shown is no longer the department's: show the new one."""

    code = "agreement_changed"


def find_dataset(session: Session, name: str) -> Dataset:
    dataset = session.exec(select(Dataset).where(Dataset.name == name)).first()
    if dataset is None or not access.metadata_shown(dataset):
        raise NotFound(f"no dataset named '{name}'")
    return dataset


def agreement_to_accept(session: Session, dataset_name: str, settings: Settings) -> tuple[Dataset, agreements.Agreement]:
    """The agreement an application for this dataset accepts now: what ``GET …/agreement`` shows, for any dataset
    whose metadata is shown (an open one needs no application, which the caller says). Raises the policy's
    ``DatasetNotFound`` (hidden or unknown) and ``DatasetWithdrawn``, like every metadata route."""
    dataset = session.exec(select(Dataset).where(Dataset.name == dataset_name)).first()
    if dataset is None:
        raise access.DatasetNotFound(f"no dataset named '{dataset_name}'")
    access.require_metadata(dataset, name=dataset_name)
    return dataset, agreements.shown_for(session, dataset, settings)


def apply(session: Session, account: Account, dataset_name: str, settings: Settings, *, purpose: str,
          scenario: str, organization: str, days: int, accept_agreement: bool,
          agreement_sha256: str | None = None) -> AccessApplication:
    """File an application. ``agreement_sha256``: the hash of the agreement text the applicant was shown (the
    apply form sends it); when given, it must still be the dataset's agreement."""
    dataset = find_dataset(session, dataset_name)
    if access.data_readable(dataset):
        raise Conflict(f"dataset '{dataset_name}' is 无条件开放 (open): its data needs no application")
    if not accept_agreement:
        raise ApplicationError("the data-use agreement (数据利用协议) must be accepted")
    if not 1 <= days <= settings.application_max_days:
        raise ApplicationError(f"days must be between 1 and {settings.application_max_days}")
    if not purpose.strip() or not scenario.strip():
        raise ApplicationError("purpose (用途) and scenario (应用场景) are needed")
    pending = select(AccessApplication.id).where(
        AccessApplication.account_id == account.id, AccessApplication.dataset_id == dataset.id,
        AccessApplication.status == ApplicationStatus.pending)
    if session.exec(pending).first() is not None:
        raise Conflict(f"you already have a pending application for '{dataset_name}'")
    accepted = agreements.digest(agreements.for_dataset(session, dataset, settings))
    if agreement_sha256 is not None and agreement_sha256 != accepted:
        raise AgreementChanged("the data-use agreement (数据利用协议) has changed since it was shown: read and "
                               "accept the current text")
    application = AccessApplication(
        account_id=account.id, dataset_id=dataset.id, purpose=purpose.strip()[:5000],  # type: ignore[arg-type]
        scenario=scenario.strip()[:5000], organization=organization.strip()[:300], days=days,
        agreement_sha256=accepted)
    session.add(application)
    session.flush()
    audit.record(session, audit.Event.application_created, account_id=account.id, dataset_id=dataset.id,
                 detail=f"application {application.id}; agreement sha256 {accepted}")
    return application


def visible(session: Session, actor: Account, status: ApplicationStatus | None = None) -> list[AccessApplication]:
    """Own applications; a reviewer also sees its departments', an admin every one. Oldest first."""
    query = select(AccessApplication)
    if actor.role != Role.admin:
        mine = col(AccessApplication.account_id) == actor.id
        departments = users.department_ids(session, actor.id) if actor.role == Role.reviewer else set()  # type: ignore[arg-type]
        if departments:
            ours = col(AccessApplication.dataset_id).in_(
                select(Dataset.id).where(col(Dataset.department_id).in_(departments)))
            query = query.where(mine | ours)
        else:
            query = query.where(mine)
    if status is not None:
        query = query.where(AccessApplication.status == status)
    return list(session.exec(query.order_by(col(AccessApplication.created), col(AccessApplication.id))))


def for_review(session: Session, actor: Account, application_id: int) -> AccessApplication:
    """The application, if the actor may decide it (admin, or reviewer of its dataset's department)."""
    application = session.get(AccessApplication, application_id)
    if application is None or not may_review(session, actor, application):
        raise NotFound(f"no application {application_id}")
    return application


def may_review(session: Session, actor: Account, application: AccessApplication) -> bool:
    if actor.role == Role.admin:
        return True
    if actor.role != Role.reviewer:
        return False
    dataset = session.get(Dataset, application.dataset_id)
    return dataset is not None and dataset.department_id in users.department_ids(session, actor.id)  # type: ignore[arg-type]


def approve(session: Session, actor: Account, application_id: int, days: int | None = None) -> AccessApplication:
    application = _pending(session, actor, application_id)
    granted = application.days if days is None else days
    if not 1 <= granted <= application.days:
        raise ApplicationError(f"days must be between 1 and the {application.days} asked for")
    now = utcnow()
    _decide(application, actor, ApplicationStatus.approved, None, now)
    session.add(AccessGrant(application_id=application.id, account_id=application.account_id,  # type: ignore[arg-type]
                            dataset_id=application.dataset_id, starts=now, expires=now + timedelta(days=granted)))
    return _recorded(session, application, audit.Event.application_approved, actor, f"{granted} days")


def reject(session: Session, actor: Account, application_id: int, reason: str) -> AccessApplication:
    application = _pending(session, actor, application_id)
    _decide(application, actor, ApplicationStatus.rejected, _reason(reason), utcnow())
    return _recorded(session, application, audit.Event.application_rejected, actor, application.reason)


def revoke(session: Session, actor: Account, application_id: int, reason: str) -> AccessApplication:
    application = for_review(session, actor, application_id)
    if application.status != ApplicationStatus.approved:
        raise Conflict(f"application {application_id} is {application.status}, not approved")
    now = utcnow()
    _decide(application, actor, ApplicationStatus.revoked, _reason(reason), now)
    for grant in session.exec(select(AccessGrant).where(AccessGrant.application_id == application.id)):
        grant.revoked = now
        session.add(grant)
    return _recorded(session, application, audit.Event.application_revoked, actor, application.reason)


def grant_of(session: Session, application_id: int) -> AccessGrant | None:
    return session.exec(select(AccessGrant).where(AccessGrant.application_id == application_id)).first()


def _pending(session: Session, actor: Account, application_id: int) -> AccessApplication:
    application = for_review(session, actor, application_id)
    if application.status != ApplicationStatus.pending:
        raise Conflict(f"application {application_id} is already {application.status}")
    return application


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ApplicationError("a reason is needed")
    return reason.strip()[:2000]


def _decide(application: AccessApplication, actor: Account, status: ApplicationStatus, reason: str | None,
            now) -> None:
    application.status, application.reason, application.decided, application.decided_by = (
        status, reason, now, actor.id)


def _recorded(session: Session, application: AccessApplication, event: audit.Event, actor: Account,
              detail: str | None) -> AccessApplication:
    session.add(application)
    audit.record(session, event, account_id=actor.id, dataset_id=application.dataset_id,
                 detail=f"application {application.id}: {detail or ''}".strip())
    session.flush()
    return application
