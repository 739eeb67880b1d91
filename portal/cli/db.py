"""``odp db``: the catalog database's schema version — which revision it is at, and upgrading it in place.

The only commands that open an older catalog: every other command refuses one (``CatalogOutOfDate``) and names
``odp db upgrade``. The work is ``catalog.migrations``; this module only prints.
"""

from __future__ import annotations

import typer

from catalog import migrations

from .console import console
from .context import catalog

app = typer.Typer(
    help="The catalog database's schema: show its revision, upgrade an older catalog in place.",
    no_args_is_help=True,
)


@app.command()
def current(ctx: typer.Context) -> None:
    """Show the catalog's schema revision and whether it is the latest."""
    console.print(migrations.describe(catalog(ctx).settings), soft_wrap=True)


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Bring the catalog to the current schema in place (back up the data dir or database first)."""
    result = migrations.upgrade(catalog(ctx).settings)
    if result.before is None:
        console.print(f"new catalog created at {result.after} (head)")
    elif not result.applied:
        console.print(f"already at {result.after} (head); nothing to do")
    if result.stamped:
        console.print(f"un-versioned catalog: its tables match {result.stamped}; recorded as {result.stamped}")
    if result.applied:
        console.print(f"upgraded {result.before} → {result.after}: applied {', '.join(result.applied)}")
    if result.reindexed is not None:
        console.print(f"rebuilt the search index: {result.reindexed} searchable datasets")
    if result.parquet is not None:
        console.print("rebuilt the Parquet files: " + ", ".join(f"{k} {v}" for k, v in result.parquet.items()))
    catalog(ctx).open()  # the 12 domains, as on every start
