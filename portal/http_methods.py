"""HEAD on every GET route, and ``Allow`` on every 405.

FastAPI's routes accept only the methods they are declared with, so ``HEAD`` (what ``curl -I``, link checkers,
uptime probes and DuckDB's HTTP reader send first) was a 405 everywhere, and the JSON and HTML error handlers
dropped the ``Allow`` header Starlette puts on its 405. This ASGI middleware fixes both for the whole app:

* a ``HEAD`` request is routed as the ``GET`` it stands for (``scope["method"]`` becomes ``GET``; ``is_head``
  tells a route it is really a HEAD), so its status and headers are GET's; the body is never sent. A streamed
  answer stops at its first chunk (its generator is not run to the end). Routes whose GET would do real work
  before the first byte — the downloads — ask ``is_head`` and answer with the headers only: a file's
  ``Content-Length``, ``ETag`` and ``Accept-Ranges`` come from its ``stat``, never from reading it;
* a 405 answer gets ``Allow``: every method of every route whose path matches (``HEAD`` with ``GET``).
"""

from __future__ import annotations

import re

from starlette.routing import Mount, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEAD_KEY = "odp.head"  # in the scope: this GET is a HEAD request


def is_head(scope_or_request) -> bool:
    """True when the request was a HEAD (routed as GET by ``HeadAndAllow``)."""
    scope = getattr(scope_or_request, "scope", scope_or_request)
    return bool(scope.get(HEAD_KEY))


def route_table(app) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """(full path regex, methods) of every route of ``app``, through the routers FastAPI keeps as included
    branches; built once per app."""
    table = getattr(app.state, "odp_route_table", None) if hasattr(app, "state") else None
    if table is None:
        table = [(compile_path(path)[0], methods) for path, methods in _walk(app.router.routes)]
        app.state.odp_route_table = table
    return table


def _walk(routes, prefix: str = ""):
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
        elif isinstance(route, Mount):  # static files: read-only
            yield prefix + route.path.rstrip("/") + "/{path:path}", frozenset({"GET", "HEAD"})
        elif getattr(route, "path", None) is not None:
            yield prefix + route.path, frozenset(getattr(route, "methods", None) or ())


def allowed_methods(app, path: str) -> list[str]:
    """Every method some route of ``app`` answers at ``path`` (HEAD wherever GET is), in a stable order."""
    methods: set[str] = set()
    if app is not None:
        for regex, route_methods in route_table(app):
            if regex.match(path):
                methods |= route_methods
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m))


_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class _HeadAnswered(Exception):
    """Raised into a streaming body once a HEAD answer's headers are out: nothing more is wanted of it."""


class HeadAndAllow:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = dict(scope, method="GET")
            scope[HEAD_KEY] = True
        state = {"started": False, "done": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 405:
                    message = _with_allow(message, allowed_methods(scope.get("app"), scope["path"]))
                state["started"] = True
                await send(message)
                return
            if message["type"] == "http.response.body" and head:
                if state["done"]:
                    raise _HeadAnswered
                state["done"] = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                if message.get("more_body", False):
                    raise _HeadAnswered  # stop a streamed body: the client asked for its headers only
                return
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except _HeadAnswered:
            pass


def _with_allow(message: Message, methods: list[str]) -> Message:
    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
    headers.append((b"allow", ", ".join(methods).encode("latin-1")))
    return {**message, "headers": headers}
