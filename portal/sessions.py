"""Web sessions and CSRF tokens, shared by the pages (``web/``) and the JSON API (``deps.py``).

A session is a signed cookie (itsdangerous, keyed with the server secret of ``catalog/accounts/keys.py`` under a
salt of its own): ``{"a": account id or absent, "c": CSRF token, "f": fingerprint}``. It is HttpOnly,
SameSite=Lax, ``Secure`` when ``ODP_PUBLIC_URL`` is https, and lasts ``ODP_SESSION_HOURS``. Nothing of it is
stored server-side (no table); the fingerprint is a keyed digest of the account's password hash *and* its
``session_epoch``, so logging out (which adds one to the epoch), a new password or a new server secret ends every
session of the account — a copied cookie included, not only the browser's own.

Between the password and the TOTP code of a two-factor login the cookie holds ``"p"`` (account id, fingerprint,
time) instead of ``"a"``: that half-logged-in state names no account to :func:`account_of`, so it reads nothing an
anonymous visitor could not; it only lets :func:`second_factor_account` find whom the code is for, for
``SECOND_FACTOR_SECONDS``.

Every visitor who opens a form gets a session with a CSRF token (anonymous ones too, for /login and /register);
every POST of the pages must send it back in the ``csrf_token`` field, and a JSON API call authenticated by the
session (not by a key) that changes something must send it in the ``X-CSRF-Token`` header. Logging in issues a
new token (no session fixation).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from catalog.accounts.keys import server_secret
from catalog.config import Settings
from catalog.models import Account

COOKIE = "odp_session"
SALT = "odp-web-session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECOND_FACTOR_SECONDS = 300  # between a right password and its TOTP code


@dataclass
class WebSession:
    """One request's session: the account id (None: anonymous) and the CSRF token. ``changed`` marks that the
    cookie must be (re)written on the response."""

    account_id: int | None = None
    csrf: str = ""
    fingerprint: str = ""
    # {"a": account id, "f": fingerprint, "t": time}: a right password waiting for its TOTP code (no access)
    pending: dict | None = None
    changed: bool = field(default=False, compare=False)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(server_secret(settings), salt=SALT)


def password_fingerprint(account: Account, settings: Settings) -> str:
    """A short keyed digest of the password hash and the session epoch: a new password, or a logout (the epoch
    goes up by one), ends every session of the account."""
    material = f"{account.password_hash}\x00{account.session_epoch or 0}".encode()
    return hmac.new(server_secret(settings), material, hashlib.sha256).hexdigest()[:16]


def read(request: Request, settings: Settings) -> WebSession:
    """The request's session (cached on the request), or a fresh anonymous one with a new CSRF token."""
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    found = WebSession()
    raw = request.cookies.get(COOKIE)
    if raw and len(raw) < 4096:
        try:
            data = _serializer(settings).loads(raw, max_age=settings.session_hours * 3600)
        except BadSignature:  # also SignatureExpired
            data = None
        if isinstance(data, dict) and isinstance(data.get("c"), str) and data["c"]:
            account_id = data.get("a")
            pending = data.get("p") if isinstance(data.get("p"), dict) else None
            found = WebSession(account_id if isinstance(account_id, int) else None, data["c"], str(data.get("f", "")),
                               pending)
    if not found.csrf:
        found.csrf, found.changed = secrets.token_urlsafe(32), True
    request.state.web_session = found
    return found


def account_of(request: Request, settings: Settings, session_db) -> Account | None:
    """The logged-in account, if the session names one whose password is unchanged since the login."""
    web = read(request, settings)
    if web.account_id is None:
        return None
    account = session_db.get(Account, web.account_id)
    if account is None or account.deleted is not None or not hmac.compare_digest(
            web.fingerprint, password_fingerprint(account, settings)):
        return None
    return account


def log_in(request: Request, account: Account, settings: Settings) -> WebSession:
    """Bind the session to the account, with a new CSRF token."""
    web = WebSession(account.id, secrets.token_urlsafe(32), password_fingerprint(account, settings), changed=True)
    request.state.web_session = web
    return web


def await_second_factor(request: Request, account: Account, settings: Settings) -> WebSession:
    """The password was right and the account has TOTP on: remember whom the code is for — no account access
    yet (``account_id`` stays empty), and a new CSRF token as for a login."""
    pending = {"a": account.id, "f": password_fingerprint(account, settings), "t": int(time.time())}
    web = WebSession(None, secrets.token_urlsafe(32), "", pending, changed=True)
    request.state.web_session = web
    return web


def second_factor_account(request: Request, settings: Settings, session_db) -> Account | None:
    """The account whose password was given in this session within ``SECOND_FACTOR_SECONDS`` and still waits for
    its TOTP code; None when there is none, it is too old, or the account's password or epoch changed since."""
    pending = read(request, settings).pending
    if not pending or not isinstance(pending.get("a"), int) or not isinstance(pending.get("t"), int):
        return None
    if not 0 <= time.time() - pending["t"] <= SECOND_FACTOR_SECONDS:
        return None
    account = session_db.get(Account, pending["a"])
    if account is None or account.deleted is not None or not hmac.compare_digest(
            str(pending.get("f", "")), password_fingerprint(account, settings)):
        return None
    return account


def log_out(request: Request) -> None:
    """Forget the account in this browser (the caller ends its other sessions by raising the epoch)."""
    request.state.web_session = WebSession(None, secrets.token_urlsafe(32), "", changed=True)


def csrf_ok(request: Request, settings: Settings, presented: str | None) -> bool:
    expected = read(request, settings).csrf
    return bool(presented) and hmac.compare_digest(str(presented).encode(), expected.encode())


def save(request: Request, response: Response, settings: Settings) -> Response:
    """Write the session cookie on the response when the session changed (or is new)."""
    web = getattr(request.state, "web_session", None)
    if web is not None and web.changed:
        payload: dict = {"c": web.csrf}
        if web.account_id is not None:
            payload |= {"a": web.account_id, "f": web.fingerprint}
        elif web.pending:
            payload["p"] = web.pending
        response.set_cookie(COOKIE, _serializer(settings).dumps(payload), max_age=settings.session_hours * 3600,
                            path="/", httponly=True, samesite="lax",
                            secure=settings.public_base_url.startswith("https://"))
    return response
