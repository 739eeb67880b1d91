"""``odp reindex`` and ``odp parquet``: rebuild what is derived from the catalog DB and the file store.

Neither holds anything the catalog does not: the search index is rebuilt from the datasets, the Parquet files from
the stored original files. ``parquet`` imports its builder inside the command so that the other commands start
without loading DuckDB and Arrow.
"""

from __future__ import annotations

from typing import Annotated

import typer

from catalog.datasets.queries import DatasetNotFound, get_dataset
from catalog.search.indexing import index_location, reindex_all

from .console import console, fail
from .context import catalog


def reindex(ctx: typer.Context) -> None:
    """Rebuild the search index from the catalog DB."""
    opened = catalog(ctx)
    with console.status("重建索引 rebuilding the search index…"), opened.session() as session:
        count = reindex_all(session)
    console.print(f"indexed [bold]{count}[/] searchable datasets into {index_location(opened.settings)}")


def parquet(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Only this dataset")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild the files that exist too")] = False,
) -> None:
    """(Re)build the typed Parquet files of tabular resources (for the rows API and conversions)."""
    from catalog.tables.parquet import rebuild_parquet

    with console.status("转换 building Parquet files…"), catalog(ctx).session() as session:
        if name is not None:
            try:  # a mistyped name is an error, not "built 0"
                get_dataset(session, name)
            except DatasetNotFound as exc:
                raise fail(str(exc)) from exc
        counts = rebuild_parquet(session, dataset=name, force=force)
    console.print(f"built [bold]{counts['built']}[/], failed {counts['failed']}, "
                  f"up to date {counts['skipped']}, unreadable {counts['unreadable']}")
    if counts["failed"]:
        raise typer.Exit(1)
