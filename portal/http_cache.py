"""``ETag``, ``Cache-Control`` and ``Vary`` on the metadata answers (the JSON API, the CKAN Action API, the
exports: the paths of ``http_cors.CORS_PATHS``), and ``If-None-Match`` → 304.

* a GET answered 200 without an ``ETag`` of its own, in one piece, gets a weak ``ETag``: a hash of its body
  (weak, because the bytes on the wire may be gzip-compressed). A request whose ``If-None-Match`` names it
  gets 304 with no body. A streamed answer (``data.json``, the conversions) is never held in memory for a
  hash: it has no ETag. Answers with their own validator (the downloads) keep it;
* an answer that depends on who asks — the request presents a session cookie or an API key, or its route reads
  the principal (``PrincipalDep``, the CKAN actions) — gets ``Vary: Authorization, Cookie`` and
  ``Cache-Control: private`` (a shared cache must never hand one caller's answer to another; a route's own
  ``public`` becomes ``private``). Any other metadata answer is ``public, max-age=60`` unless its route said
  otherwise: fresh for a minute, then revalidated with the ``ETag`` (a harvest shows within a minute);
* a page (any other path) answered to a request with credentials, or setting a cookie, gets the same
  ``Vary``/``private``, so no shared cache keeps a logged-in page.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .deps import CKAN_PATHS, _principal
from .http_compression import presents_credentials
from .http_cors import is_cors_path

PUBLIC = "public, max-age=60"
PRIVATE = "private, max-age=0, must-revalidate"
VARY = "Authorization, Cookie"
_READS_PRINCIPAL: dict[int, bool] = {}  # id(route) → reads_principal(route): routes live as long as the app


def reads_principal(route) -> bool:
    """The route asks who is calling (``PrincipalDep`` among its own dependencies, not only its router's rate
    limit), so its answer may differ by caller."""
    if id(route) not in _READS_PRINCIPAL:
        _READS_PRINCIPAL[id(route)] = _reads_principal(route)
    return _READS_PRINCIPAL[id(route)]


def _reads_principal(route) -> bool:
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return False
    router_level = {getattr(d, "dependency", None) for d in getattr(route, "dependencies", [])}

    def walk(dep) -> bool:
        for sub in dep.dependencies:
            if sub.call in router_level:
                continue
            if sub.call is _principal or walk(sub):
                return True
        return False

    return walk(dependant)


def _etag(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


class CacheHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        metadata = is_cors_path(scope["path"])
        credentials = presents_credentials(request)
        held: dict[str, Message] = {}

        def personal(start: Message) -> bool:
            route = scope.get("route")
            return (credentials or "set-cookie" in Headers(raw=start.get("headers", []))
                    or (metadata and (reads_principal(route) or scope["path"].startswith(CKAN_PATHS))))

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=message.setdefault("headers", []))
                private = personal(message)
                if private:
                    headers.add_vary_header(VARY)
                    cache = headers.get("cache-control", "")
                    if not cache or "public" in cache:
                        headers["Cache-Control"] = PRIVATE if not cache else cache.replace("public", "private")
                if not metadata:
                    await send(message)
                    return
                if "cache-control" not in headers and 200 <= message["status"] < 300:
                    headers["Cache-Control"] = PUBLIC
                if scope["method"] == "GET" and message["status"] == 200 and "etag" not in headers:
                    held["start"] = message  # the ETag is the body's: wait for it
                    return
                await send(message)
                return
            start = held.pop("start", None)
            if start is None:
                await send(message)
                return
            if message["type"] != "http.response.body" or message.get("more_body", False):
                await send(start)  # streamed (data.json, conversions): sent as it comes, without an ETag
                await send(message)
                return
            body = message.get("body", b"")
            etag = _etag(body)
            headers = MutableHeaders(raw=start["headers"])
            headers["ETag"] = etag
            if _matches(request.get("if-none-match", ""), etag):
                kept = [(k, v) for k, v in start["headers"]
                        if k.lower() not in (b"content-length", b"content-type")]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(start)
            await send(message)

        await self.app(scope, receive, send_wrapper)


NOT_MODIFIED = {"description": "Not modified: If-None-Match named the answer's ETag (no body)",
                "headers": {"ETag": {"description": "The answer's validator", "schema": {"type": "string"}}}}


def document_not_modified(app) -> None:
    """Declare the 304 this layer answers on every GET of the OpenAPI document (``/api/v1/openapi.json``), so
    a client generated from it (and schemathesis) knows it."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for item in schema.get("paths", {}).values():
            if "get" in item:
                item["get"].setdefault("responses", {}).setdefault("304", NOT_MODIFIED)
        return schema

    app.openapi = openapi
