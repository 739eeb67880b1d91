"""The file store: content-addressed, immutable files ``ab/cdef…<ext>`` named by the sha256 of their bytes, in a
local folder (the embedded default, ``$ODP_DATA_DIR/files``) or in an S3-compatible bucket
(``ODP_FILES_URL=s3://bucket/prefix``, catalog/s3store.py). Originals and their Parquet files live here.

:class:`FileStore` is the one interface both implement; :func:`open_store` picks one from the settings. Work on
a file (hashing, validating, converting) always happens on a local copy: a store's :meth:`FileStore.scratch_dir`
is where temporaries are made, and a finished one is handed in with :meth:`FileStore.add_file`. Readers ask for
:meth:`FileStore.local_path` (a file on this machine, or None), :meth:`FileStore.open` (a seekable stream) or
:meth:`FileStore.local_copy` (a local file for as long as a ``with`` block lasts).

In the local store a file is written once to a temporary name and renamed into place, so a reader never sees
half a file and the same bytes are stored once however many versions point at them.

A process killed mid-write leaves its temporary file behind (``.incoming-*`` in the store's scratch dir, from
here and from the Parquet builder; ``.building-*`` under the cache, from the export builder).
``remove_stale_temporaries`` deletes them when a harvest starts, but only those untouched for longer than
the item time budget: a file that young may belong to a harvest or export still running in another process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from catalog.config import Settings

CHUNK = 1024 * 1024
TEMPORARY_PREFIXES = (".incoming-", ".building-")


class FileTooLarge(ValueError):
    pass


class StoredFileMissing(FileNotFoundError):
    """A file the catalog points at is not in the store."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    relpath: str  # relative to the store root, with forward slashes
    local: Path | None = None  # where the same bytes can be read on this machine right now


def sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def relpath_for(sha256: str, suffix: str = "") -> str:
    """Where a file with these bytes lives in any store: ``ab/cdef….ext`` (an odd suffix is dropped)."""
    suffix = suffix.lower() if suffix and len(suffix) <= 10 and suffix[1:].isalnum() else ""
    return f"{sha256[:2]}/{sha256[2:]}{suffix}"


class FileStore(ABC):
    """Content-addressed files, put once and never changed: the interface of the local and the S3 store."""

    description: str  # for messages: the folder or s3://bucket/prefix, never a secret

    def relpath_for(self, sha256: str, suffix: str = "") -> str:
        return relpath_for(sha256, suffix)

    @abstractmethod
    def scratch_dir(self) -> Path:
        """A local folder (created if need be) for temporaries that end in :meth:`add_file`."""

    @abstractmethod
    def put(self, source: Path, max_bytes: int | None = None) -> StoredFile:
        """Copy ``source`` into the store (hashing it); return where it is."""

    @abstractmethod
    def add_file(self, finished: Path, suffix: str) -> str:
        """Take a finished temporary file (in :meth:`scratch_dir`) into the store; it is gone afterwards.
        Returns its relpath."""

    @abstractmethod
    def copy_in(self, source: Path, relpath: str) -> bool:
        """Copy a local file to ``relpath`` (a name from another store) unless a file of that name and size is
        there already; True when it copied. The size is checked after the copy."""

    @abstractmethod
    def exists(self, relpath: str) -> bool: ...

    @abstractmethod
    def size(self, relpath: str) -> int:
        """The file's size in bytes, without reading it; :class:`StoredFileMissing` when it is not there."""

    @abstractmethod
    def open(self, relpath: str, *, size: int | None = None, streamed: bool = False) -> IO[bytes]:
        """The file for reading (seekable); :class:`StoredFileMissing` when it is not there. For a remote store,
        ``size`` (when known) saves a request, and ``streamed`` reads from one response per position (for a reader
        that reads front to back after each seek: a download)."""

    @abstractmethod
    def walk(self) -> Iterator[tuple[str, int]]:
        """Every stored file: (relpath, size), temporaries left out."""

    def local_path(self, relpath: str) -> Path | None:
        """The file on this machine's disk, or None when the store is remote."""
        return None

    @abstractmethod
    def parquet_location(self, relpath: str) -> str:
        """What DuckDB and pyarrow read for a stored Parquet file (with :attr:`filesystem`)."""

    @abstractmethod
    def check(self) -> None:
        """Raise unless the store can be read (the readiness probe, ``/readyz``)."""

    def presigned_url(self, relpath: str, seconds: int, *, filename_header: str | None = None,
                      media_type: str | None = None) -> str | None:
        """A URL that serves the file without the portal for ``seconds``; None where the store has none."""
        return None

    def root_location(self) -> str | None:
        """Everything DuckDB may read in a remote store (a location prefix); None for a local one."""
        return None

    @property
    def filesystem(self) -> Any:
        """The fsspec filesystem that reads :meth:`parquet_location`; None for local paths."""
        return None

    @contextmanager
    def local_copy(self, relpath: str) -> Iterator[Path]:
        """A local file with the stored bytes, for the ``with`` block (a download for a remote store)."""
        local = self.local_path(relpath)
        if local is not None:
            if not local.is_file():
                raise StoredFileMissing(relpath)
            yield local
            return
        fd, name = tempfile.mkstemp(dir=self.scratch_dir(), prefix=".incoming-", suffix=Path(relpath).suffix)
        try:
            with os.fdopen(fd, "wb") as out, self.open(relpath) as src:
                shutil.copyfileobj(src, out, CHUNK)
            yield Path(name)
        finally:
            Path(name).unlink(missing_ok=True)


class LocalFileStore(FileStore):
    """The embedded default: a folder on this machine's disk."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.description = str(self.root)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LocalFileStore) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def local_path(self, relpath: str) -> Path:
        return self.root / relpath

    def parquet_location(self, relpath: str) -> str:
        return str(self.root / relpath)

    def scratch_dir(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def check(self) -> None:
        if not self.root.is_dir():
            raise FileNotFoundError("no file store directory")
        if not os.access(self.root, os.R_OK | os.X_OK):
            raise PermissionError("the file store is not readable")

    def put(self, source: Path, max_bytes: int | None = None) -> StoredFile:
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=self.scratch_dir(), prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise FileTooLarge(f"{source.name} is larger than the limit of {max_bytes:,} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            rel = self._place(Path(tmp_name), self.relpath_for(sha, Path(source).suffix))
            return StoredFile(sha, size, rel, self.root / rel)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def add_file(self, finished: Path, suffix: str) -> str:
        digest, _ = sha256_of(finished)
        return self._place(finished, self.relpath_for(digest, suffix))

    def _place(self, tmp: Path, rel: str) -> str:
        final = self.root / rel
        if final.exists():
            tmp.unlink()
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o444)  # immutable by convention and by mode
            os.replace(tmp, final)
        return rel

    def copy_in(self, source: Path, relpath: str) -> bool:
        final = self.root / relpath
        if final.is_file() and final.stat().st_size == source.stat().st_size:
            return False
        fd, tmp_name = tempfile.mkstemp(dir=self.scratch_dir(), prefix=".incoming-")
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, CHUNK)
        final.unlink(missing_ok=True)  # a damaged copy of an earlier run (read-only, so replaced, not rewritten)
        self._place(Path(tmp_name), relpath)
        return True

    def exists(self, relpath: str) -> bool:
        return (self.root / relpath).is_file()

    def size(self, relpath: str) -> int:
        try:
            return (self.root / relpath).stat().st_size
        except FileNotFoundError:
            raise StoredFileMissing(relpath) from None

    def open(self, relpath: str, *, size: int | None = None, streamed: bool = False) -> IO[bytes]:
        try:
            return open(self.root / relpath, "rb")
        except FileNotFoundError:
            raise StoredFileMissing(relpath) from None

    def walk(self) -> Iterator[tuple[str, int]]:
        if not self.root.is_dir():
            return
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    yield f"{folder.name}/{path.name}", path.stat().st_size


def open_store(settings: Settings) -> FileStore:
    """The store the settings name: ``ODP_FILES_URL`` (s3://bucket/prefix), else the data dir's files folder."""
    if settings.files_url:
        from catalog.s3store import S3FileStore  # the S3 client is loaded only where it is used

        return S3FileStore.from_settings(settings)
    return LocalFileStore(settings.files_dir)


def media_store(settings: Settings) -> FileStore:
    """Where small files users upload live (contest works' screenshots, reuse images), each as ``<folder>/<name>``:
    the S3 store when ODP_FILES_URL names one (so every API node serves them), else the data dir."""
    return open_store(settings) if settings.files_url else LocalFileStore(settings.data_dir)


def write_once(store: FileStore, relpath: str, data: bytes) -> None:
    """Store small ``data`` (already named by its hash) at ``relpath`` once: written to a temporary file and moved
    into place (renamed, or uploaded), so a reader never sees half a file; an existing file is kept as it is."""
    if store.exists(relpath):
        return
    handle, temporary = tempfile.mkstemp(dir=store.scratch_dir(), prefix=".incoming-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        store.copy_in(Path(temporary), relpath)
    finally:
        Path(temporary).unlink(missing_ok=True)


def remove_stale_temporaries(settings: Settings) -> list[Path]:
    """Delete temporary files that killed processes left behind, older than ``settings.item_timeout``
    seconds; return what was removed. The file store's root and the cache are the places they are made."""
    cutoff = time.time() - settings.item_timeout
    candidates = [*_temporaries(settings.files_dir.glob(".*"))]  # never a walk of the whole store
    cache = settings.data_dir / "cache"
    if cache.is_dir():
        candidates += _temporaries(cache.rglob(".*"))
    removed = []
    for path in candidates:
        try:
            if path.lstat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # its owner finished (renamed or removed it) a moment ago
            continue
    return removed


def _temporaries(paths: Iterable[Path]) -> list[Path]:
    return [p for p in paths if p.name.startswith(TEMPORARY_PREFIXES) and not p.is_dir()]
