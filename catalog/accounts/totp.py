"""TOTP two-factor login (RFC 6238: six digits, 30-second steps — what every authenticator app makes).

The secret is stored encrypted (AES-GCM) under a key derived with HKDF from the server secret
(``catalog/accounts/keys.py``), bound to the account's id, so a database dump alone yields no secret and one
account's ciphertext does not work for another. While being set up, the new secret travels in the setup form
sealed the same way (with its issue time), so nothing is written until the person proves with a first code that
their app has it.

A code is accepted within ±1 step of the server's clock (clocks drift), and **once**: the accepted step is
stored (``totp_last_step``) and only a later step is accepted afterwards — with a conditional UPDATE, so two
requests racing with the same code cannot both pass. Turning TOTP off needs a current code; an admin can clear
it from the command line (``odp users reset-totp``) for someone who lost their phone. Every change is audited.
"""

from __future__ import annotations

import base64
import hmac
import os
import time
from dataclasses import dataclass
from functools import lru_cache

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import or_, update
from sqlmodel import Session, col

from catalog.config import Settings
from catalog.models import Account
from catalog.vocabulary import Role

from . import audit, users
from .keys import server_secret

STEP = 30  # seconds
DIGITS = 6
DRIFT = 1  # steps either side of the server's
ISSUER = "开放数据门户"
SETUP_SECONDS = 1800  # a setup form older than this is refused (start again)
SEALED = "v1."
clock = time.time  # the server's time (a module attribute, so tests can move it)


class TotpError(ValueError):
    """A refused TOTP change, with a message for the person."""


@dataclass(frozen=True)
class Setup:
    """A new secret to show (QR code and text) and its sealed form for the confirming POST."""

    secret: str
    sealed: str
    uri: str
    qr_svg: str


def enabled(account: Account) -> bool:
    return bool(account.totp_secret)


def setup_required(account: Account, settings: Settings) -> bool:
    """``ODP_REQUIRE_TOTP_FOR_REVIEWERS``: a reviewer or admin without TOTP must set it up before reviewing."""
    return settings.require_totp_for_reviewers and account.role in (Role.reviewer, Role.admin) \
        and not enabled(account)


# --- Encryption of the secret -------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _derived(secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"odp totp secret v1").derive(secret)


def _seal(plain: str, context: str, settings: Settings) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_derived(server_secret(settings))).encrypt(nonce, plain.encode(), context.encode())
    return SEALED + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def _unseal(token: str | None, context: str, settings: Settings) -> str | None:
    if not token or not token.startswith(SEALED) or len(token) > 400:
        return None
    try:
        raw = base64.urlsafe_b64decode(token[len(SEALED):] + "=" * (-len(token) % 4))
        return AESGCM(_derived(server_secret(settings))).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except (ValueError, InvalidTag):
        return None


def _stored(account: Account) -> str:
    return f"account:{account.id}"


def _setup_context(account: Account) -> str:
    return f"setup:{account.id}"


# --- Codes --------------------------------------------------------------------------------------------------


def _matching_step(secret: str, code: str, after: int | None, now: float) -> int | None:
    """The step (within the drift) whose code this is, if later than ``after``; None otherwise."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp, current = pyotp.TOTP(secret, digits=DIGITS, interval=STEP), int(now // STEP)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim(session: Session, account: Account, step: int) -> bool:
    """Record ``step`` as used, unless a request got there first with the same or a later one."""
    result = session.exec(
        update(Account).where(col(Account.id) == account.id,
                              or_(col(Account.totp_last_step).is_(None), col(Account.totp_last_step) < step))
        .values(totp_last_step=step))
    session.refresh(account)
    return result.rowcount == 1


def check(session: Session, account: Account, code: str, settings: Settings, now: float | None = None) -> bool:
    """Whether ``code`` is a current code of the account's stored secret not used before; marks it used."""
    secret = _unseal(account.totp_secret, _stored(account), settings)
    if secret is None:
        return False
    step = _matching_step(secret, code, account.totp_last_step, clock() if now is None else now)
    return step is not None and _claim(session, account, step)


# --- Turning it on and off ----------------------------------------------------------------------------------


def begin_setup(account: Account, settings: Settings) -> Setup:
    """A fresh secret for the setup page; nothing is stored until :func:`enable` gets a code for it."""
    return _setup(account, pyotp.random_base32(), int(clock()), settings)


def resume_setup(account: Account, sealed: str, settings: Settings) -> Setup | None:
    """The setup form's secret again (after a mistyped code: no need to scan anew), while it is fresh."""
    opened = _open_setup(account, sealed, settings, clock())
    return _setup(account, opened[1], opened[0], settings) if opened else None


def _setup(account: Account, secret: str, issued: int, settings: Settings) -> Setup:
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP).provisioning_uri(name=account.email, issuer_name=ISSUER)
    sealed = _seal(f"{issued}:{secret}", _setup_context(account), settings)
    return Setup(secret, sealed, uri, segno.make(uri, error="m").svg_inline(scale=4, title="TOTP"))


def _open_setup(account: Account, sealed: str, settings: Settings, now: float) -> tuple[int, str] | None:
    issued, _, secret = (_unseal(sealed, _setup_context(account), settings) or "").partition(":")
    if not secret or not issued.isdigit() or not 0 <= now - int(issued) <= SETUP_SECONDS:
        return None
    return int(issued), secret


def enable(session: Session, account: Account, sealed: str, code: str, settings: Settings,
           now: float | None = None) -> None:
    """Turn TOTP on with the secret of the setup form, once ``code`` proves the app has it. Ends the account's
    other sessions (the caller logs the current browser in again)."""
    now = clock() if now is None else now
    if enabled(account):
        raise TotpError("两步验证已经开启。")
    opened = _open_setup(account, sealed, settings, now)
    if opened is None:
        raise TotpError("设置已过期，请重新扫描新的二维码。")
    secret = opened[1]
    step = _matching_step(secret, code, None, now)
    if step is None:
        raise TotpError("验证码不正确，请输入验证器应用当前显示的 6 位数字。")
    account.totp_secret, account.totp_last_step = _seal(secret, _stored(account), settings), step
    users.end_sessions(session, account)
    audit.record(session, audit.Event.totp_enabled, account_id=account.id)


def disable(session: Session, account: Account, code: str, settings: Settings, now: float | None = None) -> None:
    """Turn TOTP off; needs a current code (a stolen session alone cannot remove the second factor)."""
    if not enabled(account):
        raise TotpError("两步验证没有开启。")
    if not check(session, account, code, settings, now):
        raise TotpError("验证码不正确或已使用过。")
    _clear(session, account)
    audit.record(session, audit.Event.totp_disabled, account_id=account.id)


def reset(session: Session, account: Account) -> None:
    """An admin clears someone's TOTP (lost phone): they log in with the password alone and may set it up again."""
    _clear(session, account)
    audit.record(session, audit.Event.totp_reset, account_id=account.id, detail="odp users reset-totp")


def _clear(session: Session, account: Account) -> None:
    account.totp_secret, account.totp_last_step = None, None
    session.add(account)
