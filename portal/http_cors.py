"""CORS for the public machine-readable answers: the JSON API (``/api/v1``), the CKAN Action API (``/api/3``,
``/api/action``) and the exports (``/catalog*``, ``/data.json``, ``/dataset/{name}.ttl|jsonld|rdf``,
``/schemas/*.json``, ``/feeds/*``, ``/sitemap.xml``). The pages get none: a page is for the portal's own origin.

``ODP_CORS_ORIGINS`` is ``*`` (any origin: public data, read by anyone's web app), a comma-separated list of
origins, or empty (no CORS headers at all). Credentials are never allowed: a browser sends no cookie cross-origin
to these paths on our say-so, so ``Access-Control-Allow-Credentials`` is never sent (with ``*`` it would be
refused by browsers anyway, and with a listed origin it would let that origin act with a visitor's session). A
web app that needs a grant's data sends its API key in ``Authorization`` or ``X-API-Key``, which the preflight
allows. Starlette's ``CORSMiddleware`` answers the preflights (``OPTIONS`` with ``Access-Control-Request-Method``)
and adds the headers; this module only limits it to the paths above.
"""

from __future__ import annotations

import re

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

CORS_PATHS = re.compile(
    r"^/api/(v1|3|action)(/|$)"
    r"|^/catalog(\.(ttl|jsonld|rdf))?$"
    r"|^/data\.json$"
    r"|^/dataset/[^/]+\.(ttl|jsonld|rdf)$"
    r"|^/schemas/[^/]+\.json$"
    r"|^/feeds/"
    r"|^/sitemap\.xml$"
)
ALLOWED_METHODS = ["GET", "HEAD", "POST", "DELETE"]
ALLOWED_HEADERS = ["Authorization", "X-API-Key", "X-CKAN-API-Key", "Content-Type", "If-None-Match", "Range"]
EXPOSED_HEADERS = ["ETag", "Content-Disposition", "Content-Length", "Content-Range", "Accept-Ranges", "Link",
                   "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]


def is_cors_path(path: str) -> bool:
    return CORS_PATHS.match(path) is not None


def parse_origins(value: str) -> list[str]:
    """``ODP_CORS_ORIGINS`` as a list: ``["*"]``, the listed origins (no trailing slash), or ``[]`` (off)."""
    origins = [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
    return ["*"] if "*" in origins else origins


class PublicCors:
    """Starlette's CORS middleware on the public machine-readable paths only."""

    def __init__(self, app: ASGIApp, origins: list[str]):
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=ALLOWED_METHODS,
                                   allow_headers=ALLOWED_HEADERS, expose_headers=EXPOSED_HEADERS,
                                   allow_credentials=False, max_age=3600) if origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.cors is not None and scope["type"] == "http" and is_cors_path(scope["path"]):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
