"""The ``odp`` command line (``odp = "portal.cli:app"``): harvest, validate and inspect the catalog.

One module per command group: ``harvest`` (harvest, jobs), ``catalog`` (validate, datasets, show, schemas,
summary), ``index`` (reindex, parquet), ``storage`` (migrate-storage, backup, restore), ``serve``, ``worker`` (queued and scheduled harvests), ``sources`` (sources and schedules), ``search_log`` (search-log), and the ``db`` group (current,
upgrade); ``console`` and ``progress`` are what they print with; ``accounts`` holds the ``users`` and ``keys`` groups and ``audit``; ``departments`` the departments' data-use agreements; ``quality`` the quality scores. The
commands are registered here, in one list, because their order is the order ``odp --help`` shows them in.

One callback runs before every command and hands it a :class:`~portal.cli.context.CatalogContext`: the settings
and a session factory that creates the catalog's tables once, on first use (why lazily: see ``context.py``).
Commands take ``ctx: typer.Context`` and ask ``catalog(ctx)``; none opens the catalog on its own.
"""

from __future__ import annotations

import typer

from . import (
    accounts,
    catalog,
    contests,
    db,
    departments,
    harvest,
    index,
    privacy,
    quality,
    search_log,
    serve,
    sources,
    storage,
    worker,
)
from .context import CatalogContext

app = typer.Typer(
    help="Open government data portal (开放数据门户) command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _open_catalog(ctx: typer.Context) -> None:
    ctx.obj = CatalogContext()


for _command in (
    harvest.harvest,
    catalog.validate,
    catalog.datasets,
    catalog.show,
    catalog.schemas,
    harvest.jobs,
    index.reindex,
    index.parquet,
    storage.migrate_storage,
    storage.migrate_catalog,
    storage.backup,
    storage.restore,
    privacy.pii_scan,
    serve.serve,
    worker.worker,
    catalog.summary,
    search_log.search_log,
):
    app.command()(_command)
app.add_typer(db.app, name="db")  # odp db current | upgrade
app.add_typer(sources.app, name="sources")  # odp sources add | list | pause | resume | remove
app.add_typer(search_log.synonyms_app, name="synonyms")  # odp synonyms add | list
app.add_typer(accounts.users_app, name="users")  # odp users create | list | set-role
app.add_typer(accounts.keys_app, name="keys")  # odp keys create
app.add_typer(accounts.audit_app, name="audit")  # odp audit [--dataset …] | odp audit prune
app.add_typer(contests.app, name="contests")  # odp contests create | add | repin | publish | list | downloads
app.add_typer(departments.app, name="departments")  # odp departments list | agreement
app.add_typer(quality.app, name="quality")  # odp quality show | refresh | stats

__all__ = ["app"]
