"""The catalog an ``odp`` command works on: its settings and its sessions, opened once per run.

The ``odp`` callback puts one :class:`CatalogContext` on typer's context before any command runs; a command asks
it for ``settings`` or a ``session()``. Opening is lazy on purpose: click runs the callback before it parses the
command's own arguments, so opening eagerly there would create the database for ``odp validate --help`` or
``odp schemas`` (which never touch it), and ``odp serve`` must settle ``ODP_PUBLIC_URL`` before the settings are
read. The first ``session()`` (or ``open()``) creates missing tables and the 12 domains; later ones only connect.
When that first open creates the embedded catalog (no ``catalog.db`` in the data dir yet), it says where, on
stderr: ``odp`` run outside the project would otherwise leave an empty ``./var`` behind without a word.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import typer
from sqlmodel import Session

from catalog.config import Settings, get_settings
from catalog.db import CatalogOutOfDate, init_db, session_scope
from catalog.search.base import SearchError
from catalog.search.indexing import check_search_backend

from .console import err, fail


class CatalogContext:
    """Settings and a session factory for one run of ``odp``."""

    def __init__(self) -> None:
        self._opened = False

    @property
    def settings(self) -> Settings:
        """The ``ODP_`` settings (cached per process; ``odp serve`` may refresh them first)."""
        return get_settings()

    def open(self) -> None:
        """Create missing tables and the 12 domains, once per run (``init_db``)."""
        if not self._opened:
            settings = self.settings
            created = settings.database_url is None and not (settings.data_dir / "catalog.db").exists()
            try:
                check_search_backend(settings)
                init_db(settings)
            except (CatalogOutOfDate, SearchError) as exc:  # one line saying what to do, exit 1
                raise fail(str(exc)) from None
            self._opened = True
            if created:
                err.print(f"created a new catalog in {settings.data_dir.resolve()} "
                          "(ODP_DATA_DIR chooses another)", soft_wrap=True, highlight=False)

    def session(self) -> AbstractContextManager[Session]:
        """A session on the opened catalog, closed when the ``with`` block ends."""
        self.open()
        return session_scope(self.settings)


def catalog(ctx: typer.Context) -> CatalogContext:
    """The :class:`CatalogContext` the ``odp`` callback opened for this run."""
    return ctx.ensure_object(CatalogContext)
