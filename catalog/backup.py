"""``odp backup PATH`` / ``odp restore PATH``: a consistent copy of an embedded installation (SQLite catalog and
the data dir's folders), as a directory or a ``.tar`` file.

Consistent, while the portal serves and even while a harvest writes: the catalog is copied first, with SQLite's
online backup API (a snapshot of one transaction, never a copy of a file mid-write), and the files after it.
Stored files are immutable and written before the transaction that points at them commits, so every file the
snapshot names is already there; files a later transaction added come along harmlessly.

What goes in: ``catalog.db`` (the snapshot), the file store (``files/``), and everything else the data dir keeps
that is not derived: the secret key (API keys and sessions stay valid), an admin's synonym groups, contest works'
screenshots. What stays out: the search index (rebuilt on restore: it is derived from the catalog, and rebuilding
is how a restore knows it matches), caches, locks and temporaries. The scaled setup (PostgreSQL, S3) is backed up
with the tools of those services (``pg_dump``, a bucket sync), not with this.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from catalog.config import Settings
from catalog.db import get_engine
from catalog.storage import TEMPORARY_PREFIXES

MANIFEST = "odp-backup.json"
CATALOG = "catalog.db"
LEFT_OUT = {"index", "cache", ".catalog-write.lock", CATALOG, f"{CATALOG}-wal", f"{CATALOG}-shm",
            f"{CATALOG}-journal"}
FORMAT = 1


class BackupError(RuntimeError):
    """The backup or restore cannot be done as asked; the message says why and what to do."""


@dataclass
class BackupSummary:
    path: Path
    files: int
    bytes: int


def check_embedded(settings: Settings) -> None:
    if settings.database_url:
        raise BackupError("odp backup/restore is for the embedded SQLite catalog; back up PostgreSQL with pg_dump")
    if settings.files_url:
        raise BackupError(f"the files are in {settings.files_url}: back the bucket up with its own tools (a bucket "
                          "sync), and the catalog with this command only when it is SQLite")


def backup(settings: Settings, target: Path) -> BackupSummary:
    """Write a backup of the data dir to ``target``: a new directory, or a ``.tar`` file."""
    check_embedded(settings)
    source = settings.data_dir / CATALOG
    if not source.is_file():
        raise BackupError(f"there is no catalog in {settings.data_dir} to back up")
    if target.exists() and (target.is_file() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not empty: choose a new path")
    with tempfile.TemporaryDirectory(prefix="odp-backup-") as scratch:
        snapshot = Path(scratch) / CATALOG
        _snapshot(source, snapshot)
        members = [(snapshot, CATALOG), *_data_files(settings.data_dir)]
        sizes = {name: path.stat().st_size for path, name in members}
        manifest = {"format": FORMAT, "created": datetime.now(UTC).isoformat(timespec="seconds"),
                    "files": len(sizes), "bytes": sum(sizes.values()),
                    "search_index": "not included: rebuilt by odp restore", "sizes": sizes}
        (Path(scratch) / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        members.append((Path(scratch) / MANIFEST, MANIFEST))
        if target.suffix == ".tar":
            _write_tar(target, members)
        else:
            _write_directory(target, members)
    return BackupSummary(target, manifest["files"], manifest["bytes"])


def restore(settings: Settings, source: Path, *, force: bool = False) -> BackupSummary:
    """Put a backup into the data dir (refused when it holds anything, unless ``force``). The caller rebuilds the
    search index afterwards."""
    check_embedded(settings)
    data_dir = settings.data_dir
    if data_dir.exists() and any(data_dir.iterdir()) and not force:
        raise BackupError(f"{data_dir} is not empty: restore into an empty data dir, or add --force to replace "
                          "its catalog and files")
    with _opened(source) as folder:
        sizes: dict[str, int] = _manifest(folder)["sizes"]
        damaged = [name for name, size in sizes.items()
                   if not (folder / name).is_file() or (folder / name).stat().st_size != size]
        if damaged:  # checked before anything in the data dir is touched
            raise BackupError(f"the backup is incomplete or damaged: {len(damaged)} files are missing or of another "
                              f"size, e.g. {damaged[0]}")
        data_dir.mkdir(parents=True, exist_ok=True)
        if force:
            _clear(settings)
        for name in sizes:
            dest = data_dir / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / name, dest)
    return BackupSummary(data_dir, len(sizes), sum(sizes.values()))


def _snapshot(source: Path, dest: Path) -> None:
    """SQLite's online backup of the live catalog: one consistent state, whatever writers do meanwhile."""
    live = sqlite3.connect(source)
    copy = sqlite3.connect(dest)
    try:
        live.backup(copy)
    finally:
        copy.close()
        live.close()


def _data_files(data_dir: Path) -> Iterator[tuple[Path, str]]:
    """Every file of the data dir that goes into a backup, with its name there."""
    for top in sorted(data_dir.iterdir()):
        if top.name in LEFT_OUT or top.name.startswith(TEMPORARY_PREFIXES):
            continue
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in paths:
            if not path.name.startswith(TEMPORARY_PREFIXES) and not path.is_symlink():
                yield path, path.relative_to(data_dir).as_posix()


def _write_directory(target: Path, members: list[tuple[Path, str]]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path, name in members:
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)


def _write_tar(target: Path, members: list[tuple[Path, str]]) -> None:
    partial = target.with_name(f".{target.name}.partial")
    try:
        with tarfile.open(partial, "w") as archive:
            for path, name in members:
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, target)  # a tar that is there is complete
    finally:
        partial.unlink(missing_ok=True)


class _opened:
    """A backup as a folder: itself, or a ``.tar`` extracted (safely: no member leaves the folder) to a temporary."""

    def __init__(self, source: Path):
        self.source, self.scratch = source, None

    def __enter__(self) -> Path:
        if self.source.is_dir():
            return self.source
        if not self.source.is_file():
            raise BackupError(f"there is no backup at {self.source}")
        if not tarfile.is_tarfile(self.source):
            raise BackupError(f"{self.source} is neither a backup directory nor a .tar file")
        self.scratch = tempfile.TemporaryDirectory(prefix="odp-restore-")
        with tarfile.open(self.source) as archive:
            archive.extractall(self.scratch.name, filter="data")
        return Path(self.scratch.name)

    def __exit__(self, *exc: object) -> None:
        if self.scratch is not None:
            self.scratch.cleanup()


def _manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"no {MANIFEST} in the backup: it is not one `odp backup` wrote") from None
    if manifest.get("format") != FORMAT or CATALOG not in manifest.get("sizes", {}):
        raise BackupError("the backup's format is not one this version reads, or it has no catalog")
    for name in manifest["sizes"]:
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
            raise BackupError(f"the backup names a file outside the data dir ({name[:100]!r}): refused")
    return manifest


def _clear(settings: Settings) -> None:
    """Remove what a restore replaces: everything in the data dir but the search index (the restore rebuilds it
    in place, so a process that has it open keeps a valid handle)."""
    get_engine(settings).dispose()  # pooled connections of this process to the catalog about to be replaced
    for entry in settings.data_dir.iterdir():
        if entry.name == "index":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
