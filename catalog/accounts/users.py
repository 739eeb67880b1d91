"""Accounts and roles. Passwords are hashed with Argon2 (pwdlib + argon2-cffi), its cost two settings
(``ODP_PASSWORD_TIME_COST``, ``ODP_PASSWORD_MEMORY_KIB``) so tests run it cheap. Argon2 is for logins only: the
API path checks keys by a keyed hash (``keys.py``), a microsecond operation, never by Argon2.

Authentication answers the same way, in about the same time, whether an email is unknown or its password is
wrong (a dummy hash is verified for unknown emails), so no answer tells whether an email is registered.
"""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session, col, delete, select

from catalog.config import Settings
from catalog.models import Account, AccountDepartment, Department
from catalog.vocabulary import Role

from . import audit

MIN_PASSWORD = 8


class AccountError(ValueError):
    """A refused account change, with a message for the person who asked."""


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib),))


def hasher(settings: Settings) -> PasswordHash:
    return _hasher(settings.password_time_cost, settings.password_memory_kib)


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash("not a password of anyone")


def normal_email(email: str) -> str:
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or len(email) > 254 or any(c.isspace() for c in email):
        raise AccountError("not a valid email address")
    return email


def by_email(session: Session, email: str) -> Account | None:
    try:
        return session.exec(select(Account).where(Account.email == normal_email(email))).first()
    except AccountError:
        return None


def create_account(session: Session, email: str, name: str, password: str, settings: Settings, *,
                   role: Role = Role.user, departments: list[str] | tuple[str, ...] = ()) -> Account:
    """A new account (flushed, not committed). Refuses a taken email: callers facing the public (``/register``)
    must not repeat that refusal verbatim."""
    email = normal_email(email)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if not name.strip():
        raise AccountError("a name is needed")
    if by_email(session, email) is not None:
        raise AccountError("an account with this email already exists")
    account = Account(email=email, name=name.strip()[:200], password_hash=hasher(settings).hash(password), role=role)
    session.add(account)
    session.flush()
    _bind_departments(session, account, departments)
    audit.record(session, audit.Event.account_created, account_id=account.id, detail=role.value)
    return account


def register(session: Session, email: str, name: str, password: str, settings: Settings) -> Account | None:
    """Self-registration (``/register``): a new ``user`` account, or None when the email is taken — after
    spending the same Argon2 work, so neither the answer nor its time tells that the email is registered.
    Other refusals (a bad email, a short password, no name) raise :class:`AccountError` as usual."""
    normal = normal_email(email)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if not name.strip():
        raise AccountError("a name is needed")
    if by_email(session, normal) is not None:
        hasher(settings).hash(password)
        return None
    return create_account(session, normal, name, password, settings)


def authenticate(session: Session, email: str, password: str, settings: Settings) -> Account | None:
    account = by_email(session, email)
    return account if account is not None and password_matches(account, password, settings) else None


def password_matches(account: Account | None, password: str, settings: Settings) -> bool:
    """Whether ``password`` is the account's. A missing or deleted account spends the same Argon2 work on a
    dummy hash and answers no (a deleted account's hash is unusable on purpose)."""
    if account is None or account.deleted is not None:
        hasher(settings).verify(password, _dummy_hash(settings.password_time_cost, settings.password_memory_kib))
        return False
    return hasher(settings).verify(password, account.password_hash)


def set_password(session: Session, account: Account, password: str, settings: Settings) -> None:
    """A new password (≥ ``MIN_PASSWORD`` characters); it ends every session of the account (its fingerprint)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    account.password_hash = hasher(settings).hash(password)
    end_sessions(session, account)


def end_sessions(session: Session, account: Account) -> None:
    """End every web session of the account, in every browser (copied cookies too): the session fingerprint
    includes ``session_epoch`` (portal/sessions.py)."""
    account.session_epoch = (account.session_epoch or 0) + 1
    session.add(account)


def set_role(session: Session, email: str, role: Role, departments: list[str] | tuple[str, ...] = ()) -> Account:
    account = by_email(session, email)
    if account is None:
        raise AccountError(f"no account with email {email!r}")
    account.role = role
    session.exec(delete(AccountDepartment).where(col(AccountDepartment.account_id) == account.id))
    _bind_departments(session, account, departments)
    session.add(account)
    audit.record(session, audit.Event.role_changed, account_id=account.id,
                 detail=" ".join([role.value, *departments]))
    return account


def _bind_departments(session: Session, account: Account, slugs: list[str] | tuple[str, ...]) -> None:
    if slugs and account.role not in (Role.reviewer, Role.admin):
        raise AccountError("only reviewers (and admins) are bound to departments")
    for slug in dict.fromkeys(slugs):
        department = session.exec(select(Department).where(Department.name == slug)).first()
        if department is None:
            raise AccountError(f"no department named {slug!r}")
        session.add(AccountDepartment(account_id=account.id, department_id=department.id))  # type: ignore[arg-type]
    session.flush()


def department_ids(session: Session, account_id: int) -> set[int]:
    query = select(AccountDepartment.department_id).where(AccountDepartment.account_id == account_id)
    return set(session.exec(query))


def department_slugs(session: Session, account_id: int) -> list[str]:
    query = (select(Department.name).join(AccountDepartment, col(AccountDepartment.department_id) == Department.id)
             .where(AccountDepartment.account_id == account_id).order_by(Department.name))
    return list(session.exec(query))


def department_titles(session: Session, account_id: int) -> list[str]:
    """The reviewer's departments as people read them (中文名), in slug order like :func:`department_slugs`."""
    query = (select(Department.title).join(AccountDepartment, col(AccountDepartment.department_id) == Department.id)
             .where(AccountDepartment.account_id == account_id).order_by(Department.name))
    return list(session.exec(query))


def list_accounts(session: Session) -> list[Account]:
    return list(session.exec(select(Account).order_by(col(Account.id))))
