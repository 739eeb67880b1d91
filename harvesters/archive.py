"""Safe extraction of harvested zip archives: no path escapes, no links, no zip bombs, no damaged members.

Everything that can go wrong with the archive itself is an ``UnsafeArchive`` with a message naming the
member: the zip is the harvest source, so the job fails with that message rather than a traceback. A
damaged member (a wrong CRC, truncated or corrupt deflate data, an unsupported or encrypted entry) is
only found while reading it, so reading is where it is caught.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from catalog.config import Settings

# Ratios are only meaningful for big members: a small file of repeated bytes compresses 1000:1 innocently.
_RATIO_MIN_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024


class UnsafeArchive(ValueError):
    pass


# What zipfile raises for a member it cannot read back: BadZipFile ("Bad CRC-32"), zlib.error and EOFError
# for corrupt or truncated data, NotImplementedError for an unknown compression, RuntimeError when encrypted.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def _safe_member_path(name: str) -> PurePosixPath:
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or (posix.parts and ":" in posix.parts[0]) or ".." in posix.parts:
        raise UnsafeArchive(f"archive member '{name}' would be written outside the archive folder")
    return posix


def extract_zip(archive: Path, dest: Path, settings: Settings) -> None:
    """Extract ``archive`` into ``dest`` or raise UnsafeArchive before anything dangerous is written."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise UnsafeArchive(f"{archive.name} is not a readable zip archive: {exc}") from exc
    with zf:
        members = zf.infolist()
        if len(members) > settings.max_archive_members:
            raise UnsafeArchive(
                f"{archive.name} has {len(members):,} members, above the limit of "
                f"{settings.max_archive_members:,}"
            )
        total = 0
        for info in members:
            _safe_member_path(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeArchive(f"archive member '{info.filename}' is a symbolic link; links are refused")
            total += info.file_size
            if info.file_size > settings.max_file_bytes:
                raise UnsafeArchive(
                    f"archive member '{info.filename}' is {info.file_size:,} bytes, above the "
                    f"file limit of {settings.max_file_bytes:,}"
                )
            if info.file_size >= _RATIO_MIN_BYTES and info.file_size > settings.max_archive_ratio * max(
                info.compress_size, 1
            ):
                raise UnsafeArchive(
                    f"archive member '{info.filename}' expands {info.file_size / max(info.compress_size, 1):,.0f}"
                    f" times (limit {settings.max_archive_ratio}): refused as a zip bomb"
                )
        if total > settings.max_archive_bytes:
            raise UnsafeArchive(
                f"{archive.name} would expand to {total:,} bytes, above the limit of "
                f"{settings.max_archive_bytes:,}: refused as a zip bomb"
            )
        written = 0
        for info in members:
            target = dest.joinpath(*_safe_member_path(info.filename).parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                written = _extract_member(zf, info, target, written, settings)
            except _DAMAGED as exc:
                raise UnsafeArchive(
                    f"archive member '{info.filename}' is damaged and cannot be read ({exc}); "
                    f"{archive.name} cannot be harvested, make the zip again"
                ) from exc


def _extract_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, written: int, settings: Settings
) -> int:
    """Copy one member out; return the archive's running total of bytes written."""
    # Declared sizes can lie: count what really comes out and stop at the declared size.
    with zf.open(info) as src, open(target, "wb") as out:
        member_bytes = 0
        while chunk := src.read(_CHUNK):
            member_bytes += len(chunk)
            written += len(chunk)
            if member_bytes > info.file_size or written > settings.max_archive_bytes:
                raise UnsafeArchive(
                    f"archive member '{info.filename}' expands beyond its declared size: refused as a zip bomb"
                )
            out.write(chunk)
    return written
