"""Dependencies shared by every HTTP layer: the JSON API (``api/``), the pages (``web/``) and the CKAN API (``ckan/``).

They live at the top of ``portal/``, not inside ``api/``, so the pages and the CKAN layer depend on the portal,
never on a sibling layer. Written in FastAPI's ``Annotated`` style (as in the full-stack FastAPI template): a route
names what it needs by type (``session: SessionDep``) and FastAPI opens and closes it around the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from catalog.accounts import principals
from catalog.accounts.principals import AccountPrincipal
from catalog.config import Settings, get_settings
from catalog.db import session_scope
from catalog.models import utcnow
from catalog.search.base import SearchBackend
from catalog.search.indexing import get_search_backend


def _session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
"""The portal's settings (``ODP_`` environment), read once per process."""

SessionDep = Annotated[Session, Depends(_session)]
"""A catalog database session for one request, closed when the response is sent."""

SearchDep = Annotated[SearchBackend, Depends(lambda: get_search_backend())]
"""The search backend of the configured index (Whoosh by default); API workers only read it."""


# --- Who is asking ------------------------------------------------------------------------------------------

CKAN_PATHS = ("/api/3/action/", "/api/action/")


def presented_key(request: Request) -> str | None:
    """The API key the request carries, if any: ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``; on the
    CKAN Action API also CKAN's plain ``Authorization: KEY`` (what ``ckanapi -a KEY`` sends) and
    ``X-CKAN-API-Key: KEY``."""
    authorization = request.headers.get("authorization", "").strip()
    scheme, _, rest = authorization.partition(" ")
    if scheme.lower() == "bearer" and rest.strip():
        return rest.strip()
    if request.headers.get("x-api-key"):
        return request.headers["x-api-key"].strip()
    if request.url.path.startswith(CKAN_PATHS):
        if request.headers.get("x-ckan-api-key"):
            return request.headers["x-ckan-api-key"].strip()
        if authorization and " " not in authorization:
            return authorization
    return None


class InvalidApiKey(Exception):
    """A key was presented and is unknown, revoked or expired: 401 ``invalid_api_key`` (never anonymous)."""


class CsrfRefused(Exception):
    """A call that changes something, authenticated by the browser session, without its CSRF token: 403."""


def resolve_principal(request: Request, session: Session, settings: Settings) -> AccountPrincipal | None:
    """The request's principal: its API key's account, else its web session's account (``portal/sessions.py``),
    else anonymous. Raises :class:`InvalidApiKey`, and :class:`CsrfRefused` for a session-authenticated call
    that changes something (not GET/HEAD/OPTIONS) without the session's ``X-CSRF-Token``."""
    from . import sessions as web_sessions

    key = presented_key(request)
    if key is None:
        account = web_sessions.account_of(request, settings, session)
        if account is None:
            return None
        if request.method not in web_sessions.SAFE_METHODS and not web_sessions.csrf_ok(
                request, settings, request.headers.get(web_sessions.CSRF_HEADER)):
            raise CsrfRefused("a call made with the browser session needs its X-CSRF-Token header")
        found = principals.for_account(session, account)
        request.state.principal = found
        return found
    found = principals.for_key(session, key, settings)
    if found is None:
        raise InvalidApiKey("the API key is unknown, revoked or expired")
    request.state.principal = found
    return found


def _principal(request: Request, session: SessionDep, settings: SettingsDep) -> AccountPrincipal | None:
    from .api.errors import ApiError

    try:
        return resolve_principal(request, session, settings)
    except InvalidApiKey as exc:
        from .ratelimit import count_invalid_key  # (ratelimit builds on this module)

        count_invalid_key(request)  # over the anonymous limit: 429 instead of the 401
        raise ApiError(401, "invalid_api_key", str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc
    except CsrfRefused as exc:
        raise ApiError(403, "csrf_failed", str(exc)) from exc


PrincipalDep = Annotated[AccountPrincipal | None, Depends(_principal)]
"""Who asks (``None``: anonymous): an API key's account or the browser session's; a bad, revoked or expired key
is a 401 ``invalid_api_key``."""


# --- What time it is ----------------------------------------------------------------------------------------


def clock() -> datetime:
    """Now (UTC). Timeliness and quality scores read the time through ``ClockDep`` only, so a test puts the whole
    portal on a fake clock with ``app.dependency_overrides[clock]``."""
    return utcnow()


ClockDep = Annotated[datetime, Depends(clock)]
