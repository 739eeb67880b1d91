"""Web sessions and CSRF tokens, shared by the pages (``web/``) and the JSON API (``deps.py``).

A session is a signed cookie (itsdangerous, keyed with the server secret of ``catalog/accounts/keys.py`` under a
salt of its own): ``{"a": account id or absent, "c": CSRF token, "f": password fingerprint}``. It is HttpOnly,
SameSite=Lax, ``Secure`` when ``ODP_PUBLIC_URL`` is https, and lasts ``ODP_SESSION_HOURS``. Nothing of it is
stored server-side (no table): logging out removes the cookie, and changing the password (its fingerprint) or
the server secret ends every session of the account.

Every visitor who opens a form gets a session with a CSRF token (anonymous ones too, for /login and /register);
every POST of the pages must send it back in the ``csrf_token`` field, and a JSON API call authenticated by the
session (not by a key) that changes something must send it in the ``X-CSRF-Token`` header. Logging in issues a
new token (no session fixation).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
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


@dataclass
class WebSession:
    """One request's session: the account id (None: anonymous) and the CSRF token. ``changed`` marks that the
    cookie must be (re)written on the response."""

    account_id: int | None = None
    csrf: str = ""
    fingerprint: str = ""
    changed: bool = field(default=False, compare=False)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(server_secret(settings), salt=SALT)


def password_fingerprint(account: Account, settings: Settings) -> str:
    """A short keyed digest of the password hash: a new password ends the account's sessions."""
    return hmac.new(server_secret(settings), account.password_hash.encode(), hashlib.sha256).hexdigest()[:16]


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
            found = WebSession(account_id if isinstance(account_id, int) else None, data["c"], str(data.get("f", "")))
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
    if account is None or not hmac.compare_digest(web.fingerprint, password_fingerprint(account, settings)):
        return None
    return account


def log_in(request: Request, account: Account, settings: Settings) -> WebSession:
    """Bind the session to the account, with a new CSRF token."""
    web = WebSession(account.id, secrets.token_urlsafe(32), password_fingerprint(account, settings), changed=True)
    request.state.web_session = web
    return web


def log_out(request: Request) -> None:
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
        response.set_cookie(COOKIE, _serializer(settings).dumps(payload), max_age=settings.session_hours * 3600,
                            path="/", httponly=True, samesite="lax",
                            secure=settings.public_base_url.startswith("https://"))
    return response
