"""Security headers of the pages: a strict Content-Security-Policy (no inline script or style, nothing
from other origins) and friends. The JSON API under /api is left alone (its docs page loads its own assets).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.api.errors import nul_parameter

# JSON-LD <script type="application/ld+json"> blocks are data, never executed, so script-src 'self' is enough.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class SecurityHeadersMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware), so streamed responses pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_api_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in PAGE_HEADERS if h[0] not in have)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RefuseNulInPages:
    """A page request with a NUL character in its path or query string gets the 400 page, as the JSON API
    answers 400: PostgreSQL text cannot hold a NUL, so any lookup with it would fail inside the driver."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        where = None
        if scope["type"] == "http" and not is_api_path(scope.get("path", "")):
            where = nul_parameter(scope)
        if where is None:
            await self.app(scope, receive, send)
            return
        from .errors import error_page  # the error pages render templates; imported when needed

        response = error_page(Request(scope), 400, message=f"请求中含有无效的空字符 (%00)：{where}。")
        await response(scope, receive, send)
