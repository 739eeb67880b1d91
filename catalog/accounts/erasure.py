"""Deleting an account at its owner's request (个人信息保护法: the right to erasure).

The owner proves it is them (the password again, and a current TOTP code when two-factor login is on). Then, in
one transaction: every API key is revoked, every live grant revoked, pending applications withdrawn (status
``revoked``, reason 申请人已注销账户) as are approved ones whose grant is thereby revoked, open password-reset
links closed, department bindings and followed datasets dropped. The personal fields are blanked — email
``deleted-<id>@invalid``, name 已注销用户, an unusable password hash, no TOTP secret — the row is marked
``deleted`` and every session ends.

The row itself stays, and so do applications, grants, usage counts and the audit log: they record who read
which 有条件开放 data, which providing departments must be able to show. They now point at an account id that no
longer names anyone. The email is free to register again (it is unique, and no longer this row's).
"""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from catalog.config import Settings
from catalog.models import (
    AccessApplication,
    AccessGrant,
    Account,
    AccountDepartment,
    ApiKey,
    DatasetFollow,
    PasswordReset,
    utcnow,
)
from catalog.vocabulary import ApplicationStatus, Role

from . import audit, totp, users

DELETED_NAME = "已注销用户"
UNUSABLE_HASH = "!deleted"  # no hasher recognizes it; users.password_matches never tries a deleted account's
WITHDRAWN = "申请人已注销账户"


class ErasureRefused(ValueError):
    """The password (or TOTP code) did not prove that the owner asks: nothing changed."""


def deleted_email(account_id: int) -> str:
    return f"deleted-{account_id}@invalid"


def delete_account(session: Session, account: Account, settings: Settings, *, password: str,
                   code: str = "") -> None:
    """Delete the account (flushed, not committed), after checking the password and, if on, a TOTP code."""
    assert account.id is not None
    if account.deleted is not None:
        raise ErasureRefused("账户已注销。")
    if not users.password_matches(account, password, settings):
        raise ErasureRefused("密码不正确。")
    if totp.enabled(account) and not totp.check(session, account, code, settings):
        raise ErasureRefused("两步验证码不正确或已使用过。")
    now = utcnow()
    revoked_keys = _revoke_keys(session, account.id, now)
    revoked_grants = _revoke_grants(session, account.id, now)
    withdrawn = _withdraw_applications(session, account.id, revoked_grants, now)
    for link in session.exec(select(PasswordReset).where(PasswordReset.account_id == account.id,
                                                         col(PasswordReset.used).is_(None))):
        link.used = now
        session.add(link)
    session.exec(delete(AccountDepartment).where(col(AccountDepartment.account_id) == account.id))
    session.exec(delete(DatasetFollow).where(col(DatasetFollow.account_id) == account.id))  # read by no one now
    account.email, account.name, account.password_hash = deleted_email(account.id), DELETED_NAME, UNUSABLE_HASH
    account.totp_secret, account.totp_last_step, account.role, account.deleted = None, None, Role.user, now
    users.end_sessions(session, account)
    audit.record(session, audit.Event.account_deleted, account_id=account.id,
                 detail=f"keys revoked {revoked_keys}, grants revoked {len(revoked_grants)}, "
                        f"applications withdrawn {withdrawn}")
    session.flush()


def _revoke_keys(session: Session, account_id: int, now) -> int:
    rows = list(session.exec(select(ApiKey).where(ApiKey.account_id == account_id, col(ApiKey.revoked).is_(None))))
    for row in rows:
        row.revoked = now
        session.add(row)
    return len(rows)


def _revoke_grants(session: Session, account_id: int, now) -> set[int]:
    """Revoke the account's unrevoked grants; the ids of their applications."""
    rows = list(session.exec(select(AccessGrant).where(AccessGrant.account_id == account_id,
                                                       col(AccessGrant.revoked).is_(None))))
    for row in rows:
        row.revoked = now
        session.add(row)
    return {row.application_id for row in rows}


def _withdraw_applications(session: Session, account_id: int, granted: set[int], now) -> int:
    rows = [row for row in session.exec(select(AccessApplication).where(AccessApplication.account_id == account_id))
            if row.status == ApplicationStatus.pending
            or (row.status == ApplicationStatus.approved and row.id in granted)]
    for row in rows:
        row.status, row.reason, row.decided = ApplicationStatus.revoked, WITHDRAWN, now
        session.add(row)
    return len(rows)
