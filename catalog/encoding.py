"""Text encoding of harvested files: UTF-8 (with or without BOM) first, then GB18030.

GB18030 is a superset of GBK and GB2312, so any GBK/GB2312 declaration or guess is read as GB18030: the
few characters GBK lacks then decode instead of failing.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

_CHUNK = 1024 * 1024
_GB_FAMILY = {"gbk", "gb2312", "gb_2312", "gb-2312", "cp936", "ms936", "euc-cn", "gb18030", "hz"}


def normalize_encoding(name: str) -> str:
    """Canonical codec name; GBK and GB2312 become GB18030."""
    try:
        canonical = codecs.lookup(name.strip()).name
    except LookupError:
        return name.strip().lower()
    if canonical in _GB_FAMILY or name.strip().lower().replace("_", "-") in _GB_FAMILY:
        return "gb18030"
    return canonical


def _decodes_as(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def has_utf8_bom(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(3) == codecs.BOM_UTF8


def detect_encoding(path: Path, declared: str | None = None) -> str:
    """The encoding to read ``path`` with. A declared encoding wins (normalized), except that a UTF-8
    file carrying a BOM is read as ``utf-8-sig`` so the BOM never ends up in the first header."""
    if declared:
        enc = normalize_encoding(declared)
        if enc in ("utf-8", "utf-8-sig"):
            return "utf-8-sig" if has_utf8_bom(path) else "utf-8"
        return enc
    if has_utf8_bom(path):
        return "utf-8-sig"
    if _decodes_as(path, "utf-8"):
        return "utf-8"
    if _decodes_as(path, "gb18030"):
        return "gb18030"
    with open(path, "rb") as fh:
        guess = from_bytes(fh.read(_CHUNK)).best()
    return normalize_encoding(guess.encoding) if guess else "utf-8"
