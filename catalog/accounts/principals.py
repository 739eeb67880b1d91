"""Who is asking: anonymous (``None``), an account (its browser session) or an API key (acting as its account).
A principal carries the ids of the datasets its account holds a live grant on — read fresh for each request —
and ``catalog/access.py`` asks only that."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from catalog.config import Settings
from catalog.models import Account
from catalog.vocabulary import Role

from . import grants, keys


@dataclass(frozen=True)
class AccountPrincipal:
    id: int  # the account's id
    email: str
    role: Role
    granted: frozenset[int]  # dataset ids with a live grant
    key_id: int | None = None
    key_prefix: str | None = None


def for_account(session: Session, account: Account, *, key_id: int | None = None,
                key_prefix: str | None = None) -> AccountPrincipal:
    assert account.id is not None
    return AccountPrincipal(account.id, account.email, Role(account.role), grants.live_dataset_ids(session, account.id),
                            key_id, key_prefix)


def for_key(session: Session, key: str, settings: Settings) -> AccountPrincipal | None:
    """The principal of a live API key, or None for an unknown, revoked or expired one."""
    row = keys.find_key(session, key, settings)
    account = session.get(Account, row.account_id) if row is not None else None
    if row is None or account is None:
        return None
    return for_account(session, account, key_id=row.id, key_prefix=row.prefix)
