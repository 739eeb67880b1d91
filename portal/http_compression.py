"""gzip for text answers (JSON, HTML, CSV, XML, Turtle, …) when the client sends ``Accept-Encoding: gzip``.

Never compressed:

* file answers (they carry ``Accept-Ranges``: the original downloads, XLSX/Parquet exports, static files), range
  requests and 206s: their length and byte ranges must stay those of the file, and a HEAD of them (DuckDB's
  first request) must give the real ``Content-Length``;
* already compressed or binary formats (zip, parquet, xlsx, images): only the text types below are compressed;
* **BREACH**: an answer that may hold a secret next to text an attacker can choose is not compressed. Secrets
  (the CSRF token of a form, a new API key, an account's own data) are only ever in answers to a request that
  presents a session cookie or an API key, or in an answer that sets a cookie (a new session and its CSRF
  token); such answers are sent uncompressed. HTML with a query string (a page that reflects it) is never
  compressed either. Public answers to anonymous requests — the bulk of the traffic — are compressed.

Decided from the headers alone (before the body), so a HEAD answers the same headers as its GET: a body of a
known length under ``MINIMUM_SIZE`` stays as it is; a streamed body is compressed as it streams.
"""

from __future__ import annotations

import zlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 500  # bytes: smaller bodies gain nothing
COMPRESSIBLE = ("text/", "application/json", "application/ld+json", "application/x-ndjson", "application/xml",
                "application/rdf+xml", "application/atom+xml", "application/geo+json", "application/javascript",
                "application/problem+json", "image/svg+xml")
CREDENTIAL_HEADERS = ("cookie", "authorization", "x-api-key", "x-ckan-api-key")


def presents_credentials(headers: Headers) -> bool:
    """The request carries a session cookie or an API key (so its answer may hold a secret or the caller's own
    data)."""
    return any(headers.get(name) for name in CREDENTIAL_HEADERS)


def _compressible(start: Message, request: Headers, scope: Scope) -> bool:
    status = start["status"]
    headers = Headers(raw=start.get("headers", []))
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    length = headers.get("content-length")
    return (
        200 <= status < 300 and status not in (204, 206)
        and media_type.startswith(COMPRESSIBLE)
        and "content-encoding" not in headers
        and "accept-ranges" not in headers
        and "range" not in request
        and (length is None or int(length) >= MINIMUM_SIZE)
        and not presents_credentials(request)
        and "set-cookie" not in headers
        and not (media_type == "text/html" and scope.get("query_string"))
    )


class Compression:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        accepts = "gzip" in request.get("accept-encoding", "").lower()
        held: dict[str, Message] = {}
        compressor = None

        async def send_wrapper(message: Message) -> None:
            nonlocal compressor
            if message["type"] == "http.response.start":
                if not _compressible(message, request, scope):
                    await send(message)
                    return
                MutableHeaders(raw=message.setdefault("headers", [])).add_vary_header("Accept-Encoding")
                if not accepts:
                    await send(message)
                    return
                held["start"] = message
                compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: the gzip container
                return
            if message["type"] != "http.response.body" or compressor is None:
                await send(message)
                return
            more = message.get("more_body", False)
            data = compressor.compress(message.get("body", b""))
            if not more:
                data += compressor.flush()
            start = held.pop("start", None)
            if start is not None:
                headers = MutableHeaders(raw=start["headers"])
                headers["Content-Encoding"] = "gzip"
                if more:  # streamed: the compressed length is known only at the end
                    del headers["Content-Length"]
                else:
                    headers["Content-Length"] = str(len(data))
                await send(start)
            await send({"type": "http.response.body", "body": data, "more_body": more})

        await self.app(scope, receive, send_wrapper)
