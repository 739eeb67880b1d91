"""Moving an embedded installation's files into the configured S3 store (``odp migrate-storage``).

Every file of the local folder is checked against its name before it leaves (a content-addressed name is the
sha256 of the bytes, so a damaged file is refused, never copied), uploaded unless the bucket already holds an
object of that name and size (so a second run, or a run after an interrupted one, copies only what is missing),
and its size in the bucket compared with the local one afterwards; ``read_back`` also downloads each uploaded
object and hashes it again. At the end, every file a resource version points at must be in the bucket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlmodel import Session, select

from catalog.community.images import IMAGES
from catalog.contests.works import SCREENSHOTS
from catalog.models import ResourceVersion
from catalog.storage import CHUNK, FileStore, LocalFileStore, StoredFileMissing, sha256_of


class MigrationError(RuntimeError):
    """The copy cannot be trusted: a damaged local file, or an upload that came out different."""


@dataclass
class MigrationReport:
    copied: int = 0
    present: int = 0  # already in the target with the same size (an earlier run)
    bytes_copied: int = 0
    missing: list[str] = field(default_factory=list)  # files the catalog points at that are in neither store


MEDIA = (SCREENSHOTS, IMAGES)  # folders of the data dir that an S3 store keeps under the same names


def planned(source: LocalFileStore, data_dir: Path | None = None) -> list[tuple[str, int]]:
    """What a migration will look at: (relpath, size) of every local file, and of every file users uploaded in the
    ``data_dir``'s media folders (contest works' screenshots, reuse images: ``<folder>/<name>`` in the S3 store)."""
    files = list(source.walk())
    for folder in MEDIA if data_dir is not None else ():
        if (data_dir / folder).is_dir():
            files += [(f"{folder}/{p.name}", p.stat().st_size) for p in sorted((data_dir / folder).iterdir())
                      if p.is_file() and not p.name.startswith(".")]
    return files


def migrate_files(source: LocalFileStore, target: FileStore, files: list[tuple[str, int]], *,
                  read_back: bool = False, advance: Callable[[int], None] = lambda n: None,
                  data_dir: Path | None = None) -> MigrationReport:
    """Copy ``files`` from the local store (and the data dir's media folders) into ``target``; ``advance(bytes)``
    after each file."""
    report = MigrationReport()
    for relpath, size in files:
        media = relpath.split("/", 1)[0] in MEDIA
        local = data_dir / relpath if media and data_dir is not None else source.path(relpath)
        _check_name(local, relpath)
        if target.copy_in(local, relpath):
            report.copied += 1
            report.bytes_copied += size
            if read_back and _digest_in(target, relpath) != _expected_digest(relpath):
                raise MigrationError(f"{relpath}: the copy in {target.description} has other bytes than the original")
        else:
            report.present += 1
        advance(size)
    return report


def referenced_missing(session: Session, target: FileStore) -> list[str]:
    """Files that resource versions point at and the target does not hold."""
    wanted: set[str] = set()
    for stored, parquet in session.exec(select(ResourceVersion.stored_path, ResourceVersion.parquet_path)):
        wanted.update(p for p in (stored, parquet) if p)
    present = {relpath for relpath, _ in target.walk()}
    return sorted(wanted - present)


def _expected_digest(relpath: str) -> str:
    """The sha256 a file's name promises: ``ab/cdef….ext`` in the store, ``contest-works/abcdef….ext`` for media."""
    path = PurePosixPath(relpath)
    stem = path.name.split(".", 1)[0]
    return stem if path.parent.name in MEDIA else path.parent.name + stem


def _check_name(local: Path, relpath: str) -> None:
    digest, _ = sha256_of(local)
    if digest != _expected_digest(relpath):
        raise MigrationError(f"{relpath}: the local file's sha256 is {digest}, not its name; the file is damaged "
                             "(restore it from a backup, or run `odp parquet --force` for a Parquet file)")


def _digest_in(store: FileStore, relpath: str) -> str:
    digest = hashlib.sha256()
    try:
        with store.open(relpath) as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    except StoredFileMissing:
        return ""
    return digest.hexdigest()
