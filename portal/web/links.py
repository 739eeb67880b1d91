"""URLs the pages link to, in one place: the JSON API (downloads, rows, metadata), and the harvested links of
a dataset's metadata (licence, contact), which are untrusted.

A harvested link becomes an ``href`` only when it is http(s) or mailto (:func:`safe_href`); anything else —
``javascript:``, ``data:``, a relative path that would resolve against our own site — is shown as escaped text.
Browsers drop tabs and newlines inside a URL and spaces around it, so the scheme is read after doing the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from catalog.datasets.queries import ResourceView

API = "/api/v1"
#: Conversions the download API serves for a table: the label a citizen sees and the query parameters.
CONVERSIONS: dict[str, tuple[str, dict[str, str]]] = {
    "csv": ("CSV", {}),
    "xlsx": ("Excel", {}),
    "json": ("JSON", {"array": "1"}),  # one JSON array: what a citizen's tools open (the API default is JSONL)
    "parquet": ("Parquet", {}),
}
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


LINK_SCHEMES = ("http", "https", "mailto")
_URL_NOISE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))  # what browsers strip around a URL
_EMAIL = re.compile(r"^[^@\s/:]+@[^@\s/]+$")


def safe_href(value: object) -> str | None:
    """``value`` as a link target when it is an absolute http(s) or mailto URL, else None (show it as text)."""
    if not isinstance(value, str):
        return None
    url = _URL_NOISE.sub("", value).strip(_C0_AND_SPACE)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or (parts.scheme.lower() != "mailto" and not parts.netloc):
        return None
    return url


def mailto_href(email: object) -> str | None:
    """A mailto link for a harvested e-mail address that looks like one, else None."""
    text = str(email or "").strip()
    return safe_href(f"mailto:{text}") if _EMAIL.match(text) else None


def _seg(value: str) -> str:
    return quote(value, safe="")


def dataset_page_url(name: str) -> str:
    return f"/dataset/{_seg(name)}"


def dataset_api_url(name: str) -> str:
    return f"{API}/datasets/{_seg(name)}"


def resource_api_url(name: str, resource: str) -> str:
    return f"{dataset_api_url(name)}/resources/{_seg(resource)}"


def download_url(name: str, resource: str, fmt: str | None = None, version: int | None = None,
                 extra: dict[str, str] | None = None) -> str:
    """The download API: ``format`` converts a table; without it the stored original is served."""
    params = {k: v for k, v in (("format", fmt), ("version", version)) if v is not None} | (extra or {})
    return f"{resource_api_url(name, resource)}/download" + (f"?{urlencode(params)}" if params else "")


def rows_url(name: str, resource: str) -> str:
    return f"{resource_api_url(name, resource)}/rows"


def sample_url(name: str, resource: str) -> str:
    """The first rows of a table, public for 有条件开放 data too."""
    return f"{resource_api_url(name, resource)}/sample"


@dataclass(frozen=True)
class DownloadLink:
    label: str
    format: str
    url: str
    media_type: str | None
    size: int | None = None  # known for the stored original only
    original: bool = False


def downloads_for(dataset_name: str, res: ResourceView) -> list[DownloadLink]:
    """What a resource can be downloaded as: its conversions when it is a readable table, and the original."""
    if res.current is None:
        return []
    name, original = res.resource.name, (res.resource.format or "").lower()
    links = []
    if res.current.parquet_path:  # conversions are made from the version's typed Parquet copy
        links = [
            DownloadLink(label, fmt, download_url(dataset_name, name, fmt, extra=extra), MEDIA_TYPES[fmt])
            for fmt, (label, extra) in CONVERSIONS.items()
        ]
    links.append(DownloadLink(
        f"原始文件（{original.upper() or '文件'}）", original, download_url(dataset_name, name),
        res.resource.media_type or MEDIA_TYPES.get(original), res.current.size, original=True,
    ))
    return links
