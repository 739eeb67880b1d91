"""Bounded downloads of remote files for harvesters: http(s) only, timeouts, retries with back-off, a size
limit and a total time limit, written to a local file.

A harvested URL is untrusted: other schemes are refused, redirects are followed only to http(s), the size
is checked against ``Content-Length`` and again while the bytes arrive, and a slow server cannot hold a
harvest for longer than the time limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from .base import ItemError

CHUNK = 256 * 1024
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class DownloadLimits:
    max_bytes: int
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    total_seconds: float = 600.0  # one file, all attempts included
    attempts: int = 3
    backoff: float = 0.5  # seconds before the 2nd attempt; doubles after each


def check_url(url: str) -> str:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ItemError(f"'{url[:200]}' is not an http(s) URL: only http and https files are harvested")
    return url


def url_filename(url: str, fallback: str) -> str:
    """The last path segment of a URL, as a plain file name (never a path)."""
    name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if c not in '/\\:\0').strip(". ")
    return name[:200] or fallback


def new_client(limits: DownloadLimits, user_agent: str) -> httpx.Client:
    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    return httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5,
                        headers={"User-Agent": user_agent}, event_hooks={"request": [_http_only]})


def _http_only(request: httpx.Request) -> None:
    # Also applies to every redirect hop.
    if request.url.scheme not in ("http", "https"):
        raise ItemError(f"a redirect to '{request.url}' was refused: only http(s) is followed")


def download(client: httpx.Client, url: str, dest: Path, limits: DownloadLimits) -> int:
    """Fetch ``url`` into ``dest``; return its size. Raises ItemError with a reason a publisher can act on."""
    check_url(url)
    deadline = time.monotonic() + limits.total_seconds
    delay = limits.backoff
    for attempt in range(1, limits.attempts + 1):
        try:
            return _attempt(client, url, dest, limits, deadline)
        except _Retryable as exc:
            last = exc
            wait = min(exc.retry_after if exc.retry_after is not None else delay, 30.0)
            if attempt == limits.attempts or time.monotonic() + wait > deadline:
                break
            time.sleep(wait)
            delay *= 2
    raise ItemError(f"could not download {url[:200]} after {attempt} attempt(s): {last}")


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _attempt(client: httpx.Client, url: str, dest: Path, limits: DownloadLimits, deadline: float) -> int:
    try:
        with client.stream("GET", url) as response:
            if response.status_code in RETRY_STATUSES:
                raise _Retryable(f"HTTP {response.status_code}", _retry_after(response))
            if response.status_code >= 400:
                raise ItemError(f"{url[:200]} answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise ItemError(f"{url[:200]} is {int(declared):,} bytes, above the limit of {limits.max_bytes:,}")
            size = 0
            with open(dest, "wb") as out:
                for chunk in response.iter_bytes(CHUNK):
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise ItemError(f"{url[:200]} is larger than the limit of {limits.max_bytes:,} bytes")
                    if time.monotonic() > deadline:
                        raise ItemError(f"{url[:200]} took longer than {limits.total_seconds:g} s to download")
                    out.write(chunk)
            return size
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise ItemError(f"{url[:200]}: {type(exc).__name__}: {exc}") from exc
