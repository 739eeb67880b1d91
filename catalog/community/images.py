"""Images of reuses (应用/成果): what a user uploads is never stored as given. It is decoded with Pillow, bounded
(bytes, then pixels read from the header before any decoding, so a decompression bomb is refused cheaply),
scaled down to ``MAX_SIDE`` and re-encoded — PNG when it has transparency, else JPEG — with no metadata (EXIF
with a phone's GPS position, XMP, ICC comments are dropped by re-encoding without them). The stored file is named
by the sha256 of the re-encoded bytes as ``reuse-images/<name>`` (in the data dir, or in the S3 file store when one
is configured), so the name in the database says
nothing the uploader chose."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageOps, UnidentifiedImageError

from catalog.config import Settings
from catalog.storage import FileStore, media_store, write_once

from .errors import invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000; more is refused before decoding
MAX_SIDE = 1600
FORMATS = {"png": "image/png", "jpg": "image/jpeg"}  # what is stored
READABLE = ("PNG", "JPEG", "GIF", "WEBP")  # what is decoded: no TIFF, PSD, EPS… (less parser surface)


IMAGES = "reuse-images"  # the folder in the data dir, or the prefix in an S3 store (catalog/storage.py media_store)


def reencode(data: bytes) -> tuple[bytes, str]:
    """The upload as clean PNG or JPEG bytes and their extension; 422 for what is not a bounded image."""
    if not data:
        raise invalid("image: the file is empty")
    if len(data) > MAX_BYTES:
        raise invalid(f"image: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        with Image.open(io.BytesIO(data), formats=READABLE) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise invalid(f"image: {width}×{height} pixels is more than {MAX_PIXELS:,}")
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep the photo's orientation once EXIF is gone
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise invalid("image: not a PNG, JPEG, GIF or WebP image Pillow can read") from None
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    transparent = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info)
    out = io.BytesIO()
    if transparent:
        upright.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    upright.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpg"


def store(data: bytes, settings: Settings) -> str:
    """Re-encode and store the upload; its file name."""
    clean, extension = reencode(data)
    name = f"{hashlib.sha256(clean).hexdigest()}.{extension}"
    write_once(media_store(settings), f"{IMAGES}/{name}", clean)
    return name


def stored(name: str | None, settings: Settings) -> tuple[FileStore, str, str] | None:
    """The store holding the image, its relpath there and its media type, if there is one."""
    if not name:
        return None
    store, relpath = media_store(settings), f"{IMAGES}/{name}"
    media = FORMATS.get(name.rsplit(".", 1)[-1])
    return (store, relpath, media) if media and store.exists(relpath) else None
