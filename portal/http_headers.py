"""The HTTP layer around every answer, in one place (each piece is a module of its own):

* ``http_methods``: HEAD on every GET route, ``Allow`` on every 405.

``install_http_headers`` adds them as ASGI middleware, outermost, after the pages' and the rate limits' own.
"""

from __future__ import annotations

from fastapi import FastAPI

from catalog.config import Settings

from .http_methods import HeadAndAllow


def install_http_headers(app: FastAPI, settings: Settings) -> None:
    # Added last = outermost: what it does applies to every answer, the error pages and 429s included.
    app.add_middleware(HeadAndAllow)
