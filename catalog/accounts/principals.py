"""Who is asking: anonymous (``None``), an account (its browser session) or an API key (acting as its account).
A principal carries the ids of the datasets its account holds a live grant on, and ``catalog/access.py`` asks
only that.

An API key's principal is reused for ``ODP_AUTH_CACHE_SECONDS`` (default 2, at most 5: the issue's bound on how
late a revocation may take effect), so a busy client's requests cost a dictionary lookup, not three queries.
Every flush in this process that writes an account, a key, an application or a grant empties the cache, so a
change made here (revoking in the portal, approving on /review) is seen by the next request; a change made by
another process (another worker, the CLI) is seen once the entry ages out.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import event, inspect
from sqlmodel import Session

from catalog.config import Settings
from catalog.models import AccessApplication, AccessGrant, Account, ApiKey
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
    ttl = settings.auth_cache_seconds
    if ttl <= 0 or not key.startswith(keys.KEY_PREFIX) or len(key) > 200:
        return _read_key(session, key, settings)
    digest = keys.key_hash(key, settings)
    now = _clock()
    with _lock:
        hit = _cache.get(digest)
        generation = _generation
    if hit is not None and hit[0] > now:
        return hit[1]
    found = _read_key(session, key, settings)
    with _lock:
        if generation == _generation:  # nothing was written meanwhile: the answer is still current
            _cache[digest] = (now + ttl, found)
            if len(_cache) > MAX_ENTRIES:  # a flood of distinct keys: forget the oldest half
                for stale in list(_cache)[: MAX_ENTRIES // 2]:
                    del _cache[stale]
    return found


def _read_key(session: Session, key: str, settings: Settings) -> AccountPrincipal | None:
    row = keys.find_key(session, key, settings)
    account = session.get(Account, row.account_id) if row is not None else None
    if row is None or account is None:
        return None
    return for_account(session, account, key_id=row.id, key_prefix=row.prefix)


# --- The short-lived cache of key principals -----------------------------------------------------------------

MAX_ENTRIES = 10_000
_clock = time.monotonic  # tests move it
_lock = threading.Lock()
_cache: dict[str, tuple[float, AccountPrincipal | None]] = {}  # key hash → (valid until, principal or None)
_generation = 0
_WATCHED = (Account, ApiKey, AccessApplication, AccessGrant)


def forget_all() -> None:
    """Empty the cache: something an answer depended on was written."""
    global _generation
    with _lock:
        _generation += 1
        _cache.clear()


def _changes_access(row: object, *, dirty: bool) -> bool:
    if not isinstance(row, _WATCHED):
        return False
    if dirty and isinstance(row, ApiKey):  # a key's last-used time (written once a minute) changes no answer
        state = inspect(row)
        return any(attr.history.has_changes() for attr in state.attrs if attr.key != "last_used")
    return True


@event.listens_for(Session, "after_flush")
def _forget_on_write(session: Session, _context) -> None:
    if (any(_changes_access(row, dirty=False) for row in (*session.new, *session.deleted))
            or any(_changes_access(row, dirty=True) for row in session.dirty)):
        forget_all()


@event.listens_for(Session, "do_orm_execute")
def _forget_on_bulk_write(state) -> None:
    """``session.execute(update(ApiKey)…)`` changes rows without flushing objects: it empties the cache too."""
    if (state.is_update or state.is_delete) and any(
            mapper.class_ in _WATCHED for mapper in state.all_mappers):
        forget_all()
