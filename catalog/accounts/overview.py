"""What the account and review pages show, gathered in one place so the routes hold no logic: an account's keys,
its own applications and its grants (live or not, and whether one expires soon enough to renew), and a
reviewer's queue — pending applications of its departments (an admin: all), oldest first, with the working days
each has waited and whether it is past ``ODP_REVIEW_WORKING_DAYS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from catalog.config import Settings
from catalog.models import AccessApplication, AccessGrant, Account, ApiKey, Dataset, utcnow
from catalog.vocabulary import ApplicationStatus, Role

from . import applications, grants, keys, users


@dataclass(frozen=True)
class KeyRow:
    key: ApiKey
    usable: bool


@dataclass(frozen=True)
class ApplicationRow:
    application: AccessApplication
    dataset_name: str
    dataset_title: str
    grant: AccessGrant | None


@dataclass(frozen=True)
class GrantRow:
    grant: AccessGrant
    dataset_name: str
    dataset_title: str
    live: bool
    expiring_soon: bool  # live, and expires within ODP_GRANT_EXPIRY_WARNING_DAYS: time to apply again


@dataclass(frozen=True)
class AccountOverview:
    account: Account
    departments: list[str]
    keys: list[KeyRow]
    applications: list[ApplicationRow]  # newest first
    grants: list[GrantRow]  # soonest expiry first
    may_review: bool


@dataclass(frozen=True)
class QueueRow:
    application: AccessApplication
    dataset_name: str
    dataset_title: str
    applicant_email: str
    applicant_name: str
    working_days_waiting: int
    overdue: bool


def _datasets(session: Session, ids: set[int]) -> dict[int, Dataset]:
    if not ids:
        return {}
    return {d.id: d for d in session.exec(select(Dataset).where(col(Dataset.id).in_(ids)))}  # type: ignore[misc]


def account_overview(session: Session, account: Account, settings: Settings,
                     now: datetime | None = None) -> AccountOverview:
    now = now or utcnow()
    assert account.id is not None
    own = list(session.exec(select(AccessApplication).where(AccessApplication.account_id == account.id)
                            .order_by(col(AccessApplication.created).desc(), col(AccessApplication.id).desc())))
    held = grants.grants_of(session, account.id)
    found = _datasets(session, {a.dataset_id for a in own} | {g.dataset_id for g in held})
    by_application = {g.application_id: g for g in held}
    soon = now + timedelta(days=settings.grant_expiry_warning_days)

    def names(dataset_id: int) -> tuple[str, str]:
        dataset = found.get(dataset_id)
        return (dataset.name, dataset.title) if dataset else ("", "")

    return AccountOverview(
        account=account,
        departments=users.department_slugs(session, account.id),
        keys=[KeyRow(k, keys.usable(k)) for k in keys.list_keys(session, account.id)],
        applications=[ApplicationRow(a, *names(a.dataset_id), by_application.get(a.id)) for a in own],  # type: ignore[arg-type]
        grants=[GrantRow(g, *names(g.dataset_id), grants.is_live(g, now),
                         grants.is_live(g, now) and grants.aware(g.expires) <= soon) for g in held],
        may_review=account.role in (Role.reviewer, Role.admin),
    )


def review_queue(session: Session, actor: Account, settings: Settings, now: datetime | None = None) -> list[QueueRow]:
    """Pending applications the actor may decide — its departments' (an admin: all; anyone else: none), never
    merely its own — oldest first."""
    now = now or utcnow()
    pending = [a for a in applications.visible(session, actor, ApplicationStatus.pending)
               if applications.may_review(session, actor, a)]
    found = _datasets(session, {a.dataset_id for a in pending})
    people = {a.id: a for a in session.exec(select(Account).where(
        col(Account.id).in_({a.account_id for a in pending} or {-1})))}
    rows = []
    for application in pending:
        dataset, person = found.get(application.dataset_id), people.get(application.account_id)
        waited = grants.working_days_between(application.created, now, settings)
        rows.append(QueueRow(application, dataset.name if dataset else "", dataset.title if dataset else "",
                             person.email if person else "", person.name if person else "", waited,
                             waited > settings.review_working_days))
    return rows


def decided_by_reviewer(session: Session, actor: Account, limit: int = 50) -> list[ApplicationRow]:
    """Recently decided applications the actor may act on (approved ones can still be revoked), newest first."""
    decided = [a for a in applications.visible(session, actor) if a.status != ApplicationStatus.pending
               and applications.may_review(session, actor, a)]
    decided.sort(key=lambda a: (grants.aware(a.decided or a.created), a.id or 0), reverse=True)
    decided = decided[:limit]
    found = _datasets(session, {a.dataset_id for a in decided})
    return [ApplicationRow(a, found[a.dataset_id].name if a.dataset_id in found else "",
                           found[a.dataset_id].title if a.dataset_id in found else "",
                           applications.grant_of(session, a.id)) for a in decided]  # type: ignore[arg-type]


def agreement_text(settings: Settings) -> str:
    """The portal's default data-use agreement (kept for callers of the first release; see agreements.py)."""
    from .agreements import portal_default

    return portal_default(settings)
