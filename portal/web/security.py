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


#: A posted form (urlencoded) is read whole to be checked only up to this size; a bigger body passes unchecked
#: (no page form is near it, and the handlers bound their fields).
FORM_CHECK_BYTES = 1 << 20


class RefuseNulInPages:
    """A page request with a NUL character in its path, query string or posted form (urlencoded ``%00``) gets
    the 400 page, as the JSON API answers 400 (and 422 for JSON bodies): PostgreSQL text cannot hold a NUL, so
    any lookup or insert with it would fail inside the driver. Multipart bodies (uploads) are left alone: a
    file may hold NUL bytes, and their text fields are checked where they are read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        where = None
        if scope["type"] == "http" and not is_api_path(scope.get("path", "")):
            where = nul_parameter(scope)
            if where is None and _is_urlencoded_form(scope):
                body, receive = await _buffered(receive)
                if body is not None and (b"%00" in body or b"\x00" in body):
                    where = "表单"
        if where is None:
            await self.app(scope, receive, send)
            return
        from .errors import error_page  # the error pages render templates; imported when needed

        response = error_page(Request(scope), 400, message=f"请求中含有无效的空字符 (%00)：{where}。")
        await response(scope, receive, send)


def _is_urlencoded_form(scope: Scope) -> bool:
    if scope.get("method") != "POST":
        return False
    content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
    return content_type.split(b";")[0].strip().lower() == b"application/x-www-form-urlencoded"


async def _buffered(receive: Receive) -> tuple[bytes | None, Receive]:
    """The whole body (None past FORM_CHECK_BYTES) and a ``receive`` that hands the same body to the app."""
    messages: list[Message] = []
    size, more = 0, True
    while more:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
        if size > FORM_CHECK_BYTES:
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return (None if size > FORM_CHECK_BYTES else body), replay
