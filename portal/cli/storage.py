"""``odp migrate-storage``, ``odp migrate-catalog``, ``odp backup PATH`` and ``odp restore PATH``: moving and keeping
the files and the catalog of an installation (the work is in catalog/migrate_storage.py, catalog/migrate_catalog.py
and catalog/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from catalog import backup as backups
from catalog.migrate_catalog import CatalogMigrationError
from catalog.migrate_catalog import migrate_catalog as copy_catalog
from catalog.migrate_storage import MigrationError, migrate_files, planned, referenced_missing
from catalog.search.indexing import reindex_all
from catalog.storage import LocalFileStore, open_store

from .console import console, fail
from .context import catalog
from .serve import describe_database


def migrate_storage(
    ctx: typer.Context,
    source: Annotated[Path | None, typer.Option(
        "--from", help="The local files folder to copy (default: the data dir's files folder)")] = None,
    read_back: Annotated[bool, typer.Option(
        help="Download every uploaded file again and compare its sha256 (slower; sizes are always compared)")] = False,
    reindex: Annotated[bool, typer.Option(help="Rebuild the search index in the configured backend afterwards")] = True,
) -> None:
    """Copy the local files folder (and uploaded screenshots and images) into the S3 store of ODP_FILES_URL, then
    rebuild the search index (idempotent: a second run copies only what is missing)."""
    opened = catalog(ctx)
    settings = opened.settings
    if not settings.files_url:
        raise fail("ODP_FILES_URL is not set: name the S3 store to copy the files into (s3://bucket/prefix)")
    local = LocalFileStore(source or settings.files_dir)
    if not local.root.is_dir():
        raise fail(f"no files folder at {local.root}")
    target = open_store(settings)
    files = planned(local, settings.data_dir)
    with Progress(TextColumn("[bold]迁移 copying files"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  TimeRemainingColumn(), console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task("", total=sum(size for _, size in files))
        try:
            report = migrate_files(local, target, files, read_back=read_back, data_dir=settings.data_dir,
                                   advance=lambda n: bar.update(task, advance=n))
        except MigrationError as exc:
            raise fail(str(exc)) from None
    console.print(f"{target.description}: copied {report.copied} files ({report.bytes_copied:,} bytes), "
                  f"{report.present} already there", highlight=False)
    with opened.session() as session:
        missing = referenced_missing(session, target)
    if missing:
        raise fail(f"{len(missing)} files the catalog points at are in neither store, e.g. {missing[0]} "
                   "(`odp parquet` rebuilds missing Parquet files)")
    if reindex:
        with console.status("重建索引 rebuilding the search index…"), opened.session() as session:
            count = reindex_all(session)
        console.print(f"indexed {count} searchable datasets")


def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A new directory, or a file name ending in .tar")],
) -> None:
    """Back up the embedded installation (SQLite catalog snapshot, files, secret key) while it serves."""
    settings = catalog(ctx).settings
    try:
        with console.status("备份 backing up…"):
            summary = backups.backup(settings, path)
    except backups.BackupError as exc:
        raise fail(str(exc)) from None
    console.print(f"backed up {summary.files} files ({summary.bytes:,} bytes) to {summary.path}", highlight=False)


def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A directory or .tar file that `odp backup` wrote")],
    force: Annotated[bool, typer.Option(help="Replace the catalog and files of a data dir that is not empty")] = False,
) -> None:
    """Restore a backup into the data dir (stop the portal first), then rebuild the search index."""
    opened = catalog(ctx)
    try:
        summary = backups.restore(opened.settings, path, force=force)
    except backups.BackupError as exc:
        raise fail(str(exc)) from None
    console.print(f"restored {summary.files} files ({summary.bytes:,} bytes) into {summary.path}", highlight=False)
    with console.status("重建索引 rebuilding the search index…"), opened.session() as session:
        count = reindex_all(session)
    console.print(f"indexed {count} searchable datasets")


def migrate_catalog(
    ctx: typer.Context,
    source: Annotated[Path, typer.Option(
        "--from", help="The embedded installation's data dir (its catalog.db is copied)")],
) -> None:
    """Copy an embedded SQLite catalog into the empty PostgreSQL database of ODP_DATABASE_URL (every table, in
    one transaction); then `odp migrate-storage` moves the files and builds the search index."""
    target = catalog(ctx).settings
    if not (source / "catalog.db").is_file():
        raise fail(f"no catalog.db in {source}")
    embedded = target.model_copy(update={"data_dir": source, "database_url": None})
    try:
        with console.status("迁移 copying the catalog…"):
            copied = copy_catalog(embedded, target)
    except CatalogMigrationError as exc:
        raise fail(str(exc)) from None
    console.print(f"copied {sum(copied.values()):,} rows of {len(copied)} tables into "
                  f"{describe_database(target.effective_database_url)}", highlight=False)
