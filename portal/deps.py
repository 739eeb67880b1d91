"""Dependencies shared by the API routes (FastAPI ``Annotated`` style)."""

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
SessionDep = Annotated[Session, Depends(_session)]
SearchDep = Annotated[SearchBackend, Depends(lambda: get_search_backend())]
