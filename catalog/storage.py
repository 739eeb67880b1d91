"""Content-addressed, immutable file store: ``files/ab/cdef…<ext>`` named by the sha256 of the bytes.

A file is written once to a temporary name and renamed into place, so a reader never sees half a file and
the same bytes are stored once however many versions point at them.

A process killed mid-write leaves its temporary file behind (``.incoming-*`` in the store's root, from
here and from the Parquet builder; ``.building-*`` under the cache, from the export builder).
``remove_stale_temporaries`` deletes them when a harvest starts, but only those untouched for longer than
the item time budget: a file that young may belong to a harvest or export still running in another process.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from catalog.config import Settings

CHUNK = 1024 * 1024
TEMPORARY_PREFIXES = (".incoming-", ".building-")


class FileTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    relpath: str  # relative to the store root, with forward slashes


def sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class FileStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def relpath_for(self, sha256: str, suffix: str = "") -> str:
        suffix = suffix.lower() if suffix and len(suffix) <= 10 and suffix[1:].isalnum() else ""
        return f"{sha256[:2]}/{sha256[2:]}{suffix}"

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def put(self, source: Path, max_bytes: int | None = None) -> StoredFile:
        """Copy ``source`` into the store (hashing while copying); return where it is."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise FileTooLarge(f"{source.name} is larger than the limit of {max_bytes:,} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            rel = self.relpath_for(sha, Path(source).suffix)
            final = self.root / rel
            if final.exists():
                os.unlink(tmp_name)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp_name, 0o444)  # immutable by convention and by mode
                os.replace(tmp_name, final)
            return StoredFile(sha, size, rel)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def exists(self, relpath: str) -> bool:
        return (self.root / relpath).is_file()


def write_once(folder: Path, name: str, data: bytes) -> Path:
    """Store small ``data`` (already named by its hash) as ``folder/name`` once: written to a temporary name and
    renamed into place, so a reader never sees half a file; an existing file is kept as it is."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.is_file():
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    return target


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
