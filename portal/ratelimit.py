"""The HTTP side of rate limits, download-bytes quotas and usage statistics (the counting is
``catalog/accounts/limits.py`` and ``catalog/accounts/usage.py``): which requests are counted, as whom, and what
the client is told.

Counted: the JSON API (``/api/v1``) and the CKAN Action API (``/api/3/action``) — never the web pages, so normal
browsing is neither throttled nor in the usage figures. Two pieces do it:

* a **router dependency** learns who asks: on ``/api/v1`` the same ``PrincipalDep`` the routes ask (FastAPI
  resolves it once per request, so the key is looked up once), on the CKAN API the API key only (what CKAN's own
  actions honour). It checks the request limit (``anonymous`` per client IP, ``key`` per API key or logged-in
  account) and, before a download starts, that the principal has something left of its download-bytes quota;
* a small **ASGI middleware** watches the answer go out: it adds ``X-RateLimit-Limit``/``-Remaining``/``-Reset``
  (error answers too), refuses a download whose ``Content-Length`` is more than the quota has left (before a
  byte of it is sent), counts the body bytes actually sent — streamed bodies as they stream — against the
  quota, and finally hands one tuple to ``usage.record`` (an append to a deque: no database on the request path).

Without ``ODP_RATE_LIMITS`` there is no limit, quota or header — only the usage counting. A request over its limit
gets 429 ``rate_limited`` with ``Retry-After``; so does a download over the daily bytes quota, with a message that
says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl

import anyio
from fastapi import Depends, FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.accounts import principals, usage
from catalog.accounts.limits import (
    Limit,
    PrincipalKind,
    RateLimiter,
    Verdict,
    counter_for,
    format_bytes,
    parse_rate_limits,
)
from catalog.config import Settings, get_settings
from catalog.db import session_scope

from .api.errors import ApiError, error_response
from .deps import CKAN_PATHS, PrincipalDep, presented_key
from .http_methods import is_head

STATE_KEY = "rate_limit"  # the request limit's verdict, for the headers
ACCOUNTING_KEY = "accounting"  # who asks and what (an Accounting), for the quota and the usage figures
API_PATHS = "/api/v1/"
COUNTED_PATHS = (API_PATHS, *CKAN_PATHS)
# CKAN actions about one dataset, and the parameters that name it: (package or resource id, parameter names).
CKAN_DATASET_ACTIONS = {"package_show": ("package", ("id", "name")), "resource_show": ("resource", ("id",)),
                        "datastore_search": ("resource", ("resource_id", "id"))}
CAPTURED_BODY = 64 * 1024  # of a CKAN POST, read for the dataset it names; more is not looked at
QUOTA_BATCH = 4 * 1024 * 1024  # streamed bytes are added to the quota counter in batches of this much

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CountedDependencies:
    api: list  # for the /api/v1 router
    ckan: list  # for the CKAN Action API's router


@dataclass(frozen=True)
class Accounting:
    """What the dependency learned about one request."""

    account_id: int | None  # None: anonymous
    key_id: int | None  # None: anonymous, or the account's browser session
    kind: PrincipalKind
    who: str  # the counter's name for the principal: an IP, key<ID> or account<ID>
    download: bool  # the download route: counted against the download-bytes quota
    resumed: bool  # a download's later part (a Range not from byte 0): not another download in the counts
    dataset: usage.DatasetRef | None  # the dataset the path names (/api/v1/datasets/{name}…)
    ckan_action: str | None  # on the CKAN API: the action


def install_rate_limits(app: FastAPI, settings: Settings) -> CountedDependencies:
    """Set up the limits of ``settings`` (``app.state.rate_limiter``, None without any), the middleware and the
    usage flush at shutdown; the dependencies the counted routers take."""
    limits = parse_rate_limits(settings.rate_limits)
    app.state.rate_limiter = RateLimiter(limits.requests, counter_for(settings.redis_url, settings.redis_prefix),
                                         limits.download_bytes) if limits else None
    app.add_middleware(RequestAccounting)
    app.router.add_event_handler("shutdown", usage.flush_all)
    return CountedDependencies(api=[Depends(_count_api_request)], ckan=[Depends(_count_ckan_request)])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _count_api_request(request: Request, principal: PrincipalDep) -> None:
    _count(request, principal)


def _count_ckan_request(request: Request) -> None:
    key = presented_key(request)
    principal = None
    if key is not None:  # CKAN's actions take a key, never the browser session: so is it counted
        settings = get_settings()
        with session_scope(settings) as session:
            principal = principals.for_key(session, key, settings)
        if principal is None:  # the action refuses it in CKAN's envelope, counted against the caller's IP
            count_invalid_key(request)
            return
    _count(request, principal)


def count_invalid_key(request: Request) -> None:
    """A request with a bad key is refused (401) but counted first, under ``anonymous`` for its client IP: a flood
    of made-up keys is throttled like any anonymous caller (429 once over), never free."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    verdict = limiter.check(PrincipalKind.anonymous, client_ip(request)) if limiter is not None else None
    if verdict is not None:
        request.state.rate_limit = verdict
        if not verdict.allowed:
            raise ApiError(429, "rate_limited",
                           f"more than {verdict.limit} requests in this window; retry in {verdict.reset} s",
                           headers={"Retry-After": str(verdict.reset)})


def _count(request: Request, principal: principals.AccountPrincipal | None) -> None:
    path = request.url.path
    template = getattr(request.scope.get("route"), "path", "")
    in_api = path.startswith(API_PATHS)
    name = request.path_params.get("name")
    if principal is None:  # anonymous: per client IP
        kind, who, account_id, key_id = PrincipalKind.anonymous, client_ip(request), None, None
    else:  # a key counts on its own; a browser session on its account
        kind, account_id, key_id = PrincipalKind.key, principal.id, principal.key_id
        who = f"key{principal.key_id}" if principal.key_id is not None else f"account{principal.id}"
    download = in_api and template.endswith("/download")
    http_range = request.headers.get("range", "").replace(" ", "") if download else ""
    accounting = Accounting(
        account_id, key_id, kind, who, download, bool(http_range) and not http_range.startswith("bytes=0-"),
        usage.dataset_named(name) if in_api and name and path.startswith(API_PATHS + "datasets/") else None,
        None if in_api else name)
    request.state.accounting = accounting
    limiter: RateLimiter | None = request.app.state.rate_limiter
    if limiter is None:
        return
    verdict = limiter.check(kind, who)
    if verdict is not None:
        request.state.rate_limit = verdict
        if not verdict.allowed:
            raise ApiError(429, "rate_limited",
                           f"more than {verdict.limit} requests in this window; retry in {verdict.reset} s",
                           headers={"Retry-After": str(verdict.reset)})
    if download and request.method == "GET" and not is_head(request):  # a HEAD sends no body: never over quota
        left = limiter.bytes_left(kind, who)
        if left is not None and left.remaining <= 0:
            raise ApiError(429, "rate_limited", quota_message(limiter.download_bytes[kind], left, None),
                           headers={"Retry-After": str(left.reset)})


def quota_message(limit: Limit, left: Verdict, size: int | None) -> str:
    daily = limit.period_name == "day"
    used = format_bytes(limit.count - left.remaining) if left.remaining < limit.count else "0B"
    this = f"this download is {format_bytes(size)}; " if size is not None else ""
    return (f"over the {'daily ' if daily else ''}download-bytes quota ({format_bytes(limit.count)} per "
            f"{limit.period_name}; {used} downloaded {'today' if daily else 'in this ' + limit.period_name}, "
            f"{format_bytes(left.remaining)} left): {this}retry in {left.reset} s, when the quota starts again")


def limit_headers(verdict: Verdict) -> list[tuple[bytes, bytes]]:
    return [(b"x-ratelimit-limit", str(verdict.limit).encode()),
            (b"x-ratelimit-remaining", str(verdict.remaining).encode()),
            (b"x-ratelimit-reset", str(verdict.reset).encode())]


class OverQuota(Exception):
    """Raised from ``send`` when a download's ``Content-Length`` is more than its quota has left: it stops the
    response before its first byte, and the middleware answers 429 instead."""

    def __init__(self, message: str, reset: int) -> None:
        super().__init__(message)
        self.message, self.reset = message, reset


def _over_quota(exc: BaseException) -> OverQuota | None:
    if isinstance(exc, OverQuota):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _over_quota(inner)
            if found is not None:
                return found
    return None


class RequestAccounting:
    """Headers, the bytes quota and the usage record of each counted request (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(COUNTED_PATHS):
            await self.app(scope, receive, send)
            return
        answer = _Answer(scope, send)
        if scope["method"] == "POST" and not scope["path"].startswith(API_PATHS):
            receive = answer.capturing(receive)
        try:
            await self.app(scope, receive, answer.send)
        except Exception as exc:
            refused = _over_quota(exc)
            if refused is None or answer.status is not None:
                raise
            await error_response(429, "rate_limited", refused.message,
                                 headers={"Retry-After": str(refused.reset)})(scope, receive, answer.send)
        finally:
            answer.finish()
            if answer.quota_bytes:
                with anyio.CancelScope(shield=True):  # a client that went away was still sent what it was sent
                    await answer.report()


class _Answer:
    """One counted request's answer on its way out."""

    def __init__(self, scope: Scope, send: Send) -> None:
        self.scope, self._send = scope, send
        self.status: int | None = None
        self.sent = 0  # body bytes sent
        self.quota_bytes = 0  # of those, not yet added to the quota counter
        self.quota = False  # this answer is a download counted against a quota
        self.body = bytearray()  # the start of a CKAN POST's body
        self.length: int | None = None  # a quota-counted download's Content-Length, when it has one
        self.headers: list = []

    def accounting(self) -> Accounting | None:
        return self.scope.get("state", {}).get(ACCOUNTING_KEY)

    def limiter(self) -> RateLimiter | None:
        app = self.scope.get("app")
        return getattr(app.state, "rate_limiter", None) if app is not None else None

    def capturing(self, receive: Receive) -> Receive:
        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(self.body) < CAPTURED_BODY:
                self.body += message.get("body", b"")[: CAPTURED_BODY - len(self.body)]
            return message

        return receive_and_keep

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            await self._start(message)
        await self._send(message)
        if kind == "http.response.body":
            await self._count(len(message.get("body", b"")))
        elif kind == "http.response.pathsend":  # the server sends the file itself: its whole length
            await self._count(_content_length(self.headers) or 0)

    async def _start(self, message: Message) -> None:
        headers = message.get("headers", [])
        verdict = self.scope.get("state", {}).get(STATE_KEY)
        if verdict is not None:
            message["headers"] = headers = [*headers, *limit_headers(verdict)]
        self.status = message["status"]
        self.headers = headers
        accounting, limiter = self.accounting(), self.limiter()
        if (accounting is None or limiter is None or not accounting.download or not 200 <= self.status < 300
                or accounting.kind not in limiter.download_bytes or is_head(self.scope)):  # a HEAD sends no body
            return
        self.length = _content_length(headers)
        if self.length:
            left = await anyio.to_thread.run_sync(limiter.bytes_left, accounting.kind, accounting.who)
            if left is not None and self.length > left.remaining:
                self.status = None  # nothing went out: the middleware answers instead
                raise OverQuota(quota_message(limiter.download_bytes[accounting.kind], left, self.length), left.reset)
        self.quota = True  # its body bytes count against the quota as they are sent

    async def _count(self, n: int) -> None:
        self.sent += n
        if self.quota:
            self.quota_bytes += n
            if self.quota_bytes >= QUOTA_BATCH:
                await self.report()

    async def report(self) -> None:
        """Add the bytes sent since the last report to the quota counter."""
        accounting, limiter = self.accounting(), self.limiter()
        amount, self.quota_bytes = self.quota_bytes, 0
        if accounting is not None and limiter is not None and amount:
            await anyio.to_thread.run_sync(limiter.add_bytes, accounting.kind, accounting.who, amount)

    def finish(self) -> None:
        """Hand the request to the usage counts (an append to a queue)."""
        try:
            accounting = self.accounting()
            if accounting is None:  # refused before anyone was known (a bad key), or no such route
                return
            dataset = None
            if self.status is not None and self.status < 400:
                dataset = accounting.dataset or self._ckan_dataset(accounting.ckan_action)
            kind = "api" if not accounting.download else "resumed" if accounting.resumed else "download"
            usage.record(accounting.account_id, accounting.key_id, dataset, kind, self.sent)
        except Exception:  # counting must never fail an answer
            log.exception("usage of a request could not be counted")

    def _ckan_dataset(self, action: str | None) -> usage.DatasetRef | None:
        if action not in CKAN_DATASET_ACTIONS:
            return None
        kind, names = CKAN_DATASET_ACTIONS[action]
        params = _ckan_params(self.scope, bytes(self.body))
        value = next((str(params[n]) for n in names if isinstance(params.get(n), (str, int)) and params[n] != ""),
                     None)
        if value is None:
            return None
        return usage.ckan_package(value) if kind == "package" else usage.ckan_resource(value)


def _content_length(headers: list) -> int | None:
    return next((int(v) for k, v in headers if k.lower() == b"content-length" and v.isdigit()), None)


def _ckan_params(scope: Scope, body: bytes) -> dict:
    """The action's parameters as far as they name a dataset: the query string (GET), a JSON body or a form."""
    if scope["method"] != "POST":
        return dict(parse_qsl(scope.get("query_string", b"").decode("utf-8", errors="replace"),
                              keep_blank_values=True))
    text = body.decode("utf-8", errors="replace")
    try:
        found = json.loads(text)
        return found if isinstance(found, dict) else {}
    except ValueError:
        pass
    items = parse_qsl(text, keep_blank_values=True)
    if len(items) == 1 and items[0][0].lstrip().startswith("{"):  # old clients: the JSON dict as the only key
        try:
            found = json.loads(items[0][0])
            return found if isinstance(found, dict) else {}
        except ValueError:
            return {}
    return dict(items)
