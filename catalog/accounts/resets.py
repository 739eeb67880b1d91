"""One-time password-reset links, issued by an admin (no e-mail server needed: the admin hands the link over).

The link is ``{ODP_PUBLIC_URL}/reset/{token}`` with ``token = secrets.token_urlsafe(32)``. Only a keyed hash of
the token is stored (HMAC-SHA256 under the server secret, in a domain of its own so a token can never pass for an
API key's hash), so the database alone cannot produce a working link. A link expires (24 hours by default) and
works once: setting the new password marks it used with a conditional UPDATE (two racing uses cannot both pass),
marks the account's other open links used too, and ends every session of the account. Unknown, used and expired
tokens are one and the same refusal to the visitor.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from catalog.config import Settings
from catalog.models import Account, PasswordReset, utcnow

from . import audit, users
from .grants import aware
from .keys import server_secret

DEFAULT_HOURS = 24
MAX_HOURS = 24 * 30


class ResetError(ValueError):
    """The link does not work (unknown, used or expired) — deliberately without saying which."""


@dataclass(frozen=True)
class NewReset:
    row: PasswordReset
    token: str  # shown once, never stored
    url: str


def token_hash(token: str, settings: Settings) -> str:
    return hmac.new(server_secret(settings), b"password-reset\x00" + token.encode(), hashlib.sha256).hexdigest()


def issue(session: Session, account: Account, settings: Settings, *, hours: int = DEFAULT_HOURS,
          issued_by: int | None = None) -> NewReset:
    """A new link for ``account`` (flushed, not committed), valid ``hours``; audited without the token."""
    if not 1 <= hours <= MAX_HOURS:
        raise users.AccountError(f"hours must be between 1 and {MAX_HOURS}")
    if account.deleted is not None:
        raise users.AccountError("the account is deleted")
    token = secrets.token_urlsafe(32)
    row = PasswordReset(account_id=account.id, token_hash=token_hash(token, settings),  # type: ignore[arg-type]
                        expires=utcnow() + timedelta(hours=hours), created_by=issued_by)
    session.add(row)
    session.flush()
    by = f" by account {issued_by}" if issued_by is not None else " on the command line"
    audit.record(session, audit.Event.reset_link_issued, account_id=account.id,
                 detail=f"valid {hours} h{by}")
    return NewReset(row, token, f"{settings.public_base_url}/reset/{token}")


def find(session: Session, token: str, settings: Settings) -> tuple[PasswordReset, Account] | None:
    """The open link this token is and its account; None for an unknown, used or expired one."""
    if not token or len(token) > 200:
        return None
    row = session.exec(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token, settings))).first()
    if row is None or row.used is not None or aware(row.expires) <= utcnow():
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.deleted is not None:
        return None
    return row, account


def redeem(session: Session, token: str, password: str, settings: Settings, ip: str | None = None) -> Account:
    """Set the new password through the link: once only. Raises :class:`ResetError` for a link that does not
    work and :class:`users.AccountError` for a password that is refused (the link stays open then)."""
    found = find(session, token, settings)
    if found is None:
        raise ResetError("link not valid")
    row, account = found
    if len(password) < users.MIN_PASSWORD:
        raise users.AccountError(f"the password needs at least {users.MIN_PASSWORD} characters")
    now = utcnow()
    claimed = session.exec(update(PasswordReset).where(col(PasswordReset.id) == row.id,
                                                          col(PasswordReset.used).is_(None)).values(used=now))
    if claimed.rowcount != 1:  # another request used it a moment ago
        raise ResetError("link not valid")
    session.exec(update(PasswordReset).where(col(PasswordReset.account_id) == account.id,
                                                col(PasswordReset.used).is_(None)).values(used=now))
    users.set_password(session, account, password, settings)
    audit.record(session, audit.Event.password_reset, account_id=account.id, ip=ip,
                 detail=f"reset link {row.id}")
    return account


def links_of(session: Session, account_id: int) -> list[PasswordReset]:
    query = select(PasswordReset).where(PasswordReset.account_id == account_id).order_by(col(PasswordReset.id))
    return list(session.exec(query))
