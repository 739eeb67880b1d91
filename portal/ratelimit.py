"""The HTTP side of rate limits (the counting is ``catalog/accounts/limits.py``): which requests are counted, as
whom, and what the client is told.

Counted: the JSON API (``/api/v1``) and the CKAN Action API (``/api/3/action``), through a router dependency —
never the web pages, so normal browsing is not throttled. A request is counted as its principal: an API key (or a
logged-in account) under the ``key`` limit, anyone else per client IP under ``anonymous``. The dependency asks the
same ``PrincipalDep`` the routes ask, and FastAPI resolves it once per request, so the key is looked up once.

With no ``ODP_RATE_LIMITS`` nothing is installed at all: no dependency, no header, no cost. With limits, every
counted answer carries ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (added on the way out by a small ASGI
middleware, so error answers carry them too), and a request over its limit gets 429 ``rate_limited`` with
``Retry-After``.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.accounts.limits import PrincipalKind, RateLimiter, Verdict, counter_for, parse_limits
from catalog.config import Settings

from .api.errors import ApiError
from .deps import PrincipalDep

STATE_KEY = "rate_limit"


def install_rate_limits(app: FastAPI, settings: Settings) -> list:
    """Set up the limiter of ``settings`` on ``app``; the dependencies a counted router takes ([] without limits)."""
    limits = parse_limits(settings.rate_limits)
    if not limits:
        return []
    app.state.rate_limiter = RateLimiter(limits, counter_for(settings.redis_url, settings.redis_prefix))
    app.add_middleware(RateLimitHeaders)
    return [Depends(_count_request)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _count_request(request: Request, principal: PrincipalDep) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    if principal is None:
        verdict = limiter.check(PrincipalKind.anonymous, client_ip(request))
    else:  # a key counts on its own; a browser session on its account
        verdict = limiter.check(PrincipalKind.key, f"key{principal.key_id}" if principal.key_id is not None
                                else f"account{principal.id}")
    if verdict is None:
        return
    request.state.rate_limit = verdict
    if not verdict.allowed:
        raise ApiError(429, "rate_limited",
                       f"more than {verdict.limit} requests in this window; retry in {verdict.reset} s",
                       headers={"Retry-After": str(verdict.reset)})


def limit_headers(verdict: Verdict) -> list[tuple[bytes, bytes]]:
    return [(b"x-ratelimit-limit", str(verdict.limit).encode()),
            (b"x-ratelimit-remaining", str(verdict.remaining).encode()),
            (b"x-ratelimit-reset", str(verdict.reset).encode())]


class RateLimitHeaders:
    """Adds the ``X-RateLimit-*`` headers of the request's verdict to its answer, whatever the answer is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                verdict = scope.get("state", {}).get(STATE_KEY)
                if verdict is not None:
                    message["headers"] = [*message.get("headers", []), *limit_headers(verdict)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
