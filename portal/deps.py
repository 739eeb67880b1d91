"""Dependencies shared by every HTTP layer: the JSON API (``api/``), the pages (``web/``) and the CKAN API (``ckan/``).

They live at the top of ``portal/``, not inside ``api/``, so the pages and the CKAN layer depend on the portal,
never on a sibling layer. Written in FastAPI's ``Annotated`` style (as in the full-stack FastAPI template): a route
names what it needs by type (``session: SessionDep``) and FastAPI opens and closes it around the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from catalog.config import Settings, get_settings
from catalog.db import session_scope
from catalog.search.base import SearchBackend
from catalog.search.indexing import get_search_backend


def _session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
"""The portal's settings (``ODP_`` environment), read once per process."""

SessionDep = Annotated[Session, Depends(_session)]
"""A catalog database session for one request, closed when the response is sent."""

SearchDep = Annotated[SearchBackend, Depends(lambda: get_search_backend())]
"""The search backend of the configured index (Whoosh by default); API workers only read it."""
