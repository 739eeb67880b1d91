"""The HTTP layer around every answer, in one place (each piece is a module of its own):

* ``http_cors``: CORS on the APIs and the exports (``ODP_CORS_ORIGINS``), preflights answered;
* ``http_methods``: HEAD on every GET route, ``Allow`` on every 405;
* ``http_compression``: gzip for text answers (never files, ranges, or answers that may hold a secret: BREACH);
* ``http_cache``: ``ETag``/``Cache-Control``/``Vary`` on the metadata answers, ``If-None-Match`` → 304.

``install_http_headers`` adds them as ASGI middleware, outermost, after the pages' and the rate limits' own.
"""

from __future__ import annotations

from fastapi import FastAPI

from catalog.config import Settings

from .http_cache import CacheHeaders, document_not_modified
from .http_compression import Compression
from .http_cors import PublicCors, parse_origins
from .http_methods import HeadAndAllow


def install_http_headers(app: FastAPI, settings: Settings) -> None:
    # The last added is the outermost. From the outside in: CORS (a preflight is answered before anything else,
    # and every answer, 304 and 405 included, gets its headers), HEAD and Allow, gzip (of the body the ETag was
    # taken of: a HEAD gets GET's compressed headers), ETags.
    app.add_middleware(CacheHeaders)
    app.add_middleware(Compression)
    app.add_middleware(HeadAndAllow)
    app.add_middleware(PublicCors, origins=parse_origins(settings.cors_origins))
    document_not_modified(app)  # the 304s in /api/v1/openapi.json
