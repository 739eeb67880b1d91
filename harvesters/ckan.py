"""Harvest a CKAN site (CKAN 2.x, or any portal speaking its Action API, this one included) with ckanapi.

Gather pages through ``package_search`` (``rows=1000``, ``sort=id asc``), so only one page of packages is in
memory at a time. After a successful run, the next one asks only for what changed since
(``fq=metadata_modified:[<last run> TO *]``) and lists the ids the source still has (``fl=id``) to withdraw
the datasets it deleted. Resource files are downloaded over http(s) only, within size and time limits,
a few at a time ahead of the import; each dataset is then published in one transaction.

Mapping: organization → department (部门), groups / tags / a ``--domain-map`` file → one of the 12 domains
(else ``--default-domain``), our own extras (update frequency, open class, coverage) back to their fields,
other extras kept. Datasets are identified by their CKAN id. See docs/ckan.md.

The open class fails closed: the ``open_class`` extra is read in English or Chinese, any case; a value we do
not know fails that package (its files are not even downloaded) instead of publishing it openly, and a
``"private": true`` package is never open.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import (
    CKANAPIError,
    NotAuthorized,
    NotFound,
    SearchError,
    SearchQueryError,
    ValidationError,
)

from catalog.config import Settings, get_settings
from catalog.datasets.inputs import DatasetInput, PublisherInput, ResourceInput
from catalog.db import session_scope
from catalog.jobs import last_successful_start
from catalog.vocabulary import UPDATE_FREQUENCIES, OpenClass, resolve_domain

from .base import HarvestError, HarvestItem, ItemError
from .remote import DownloadLimits, check_url, download, new_client, url_filename

PAGE_ROWS = 1000
USER_AGENT = "odp-harvester/0.1 (+ckanapi)"
# The source's clock and ours may differ; ask for a little more than strictly changed since the last run.
CLOCK_MARGIN = timedelta(minutes=10)
API_ATTEMPTS = 4

# The catalog's resource-name rule (catalog/datasets/publishing.py), with a letter or digit first.
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")

# Our own extras (as this portal's CKAN API exports them), mapped back to catalog fields.
MAPPED_EXTRAS = ("domain", "update_frequency", "open_class", "temporal_coverage", "spatial_coverage", "created",
                 "contact_phone")
# The ``open_class`` extra, trimmed and lower-cased, → our open class. Anything else fails the package.
OPEN_CLASS_VALUES = {
    "open": OpenClass.open, "无条件开放": OpenClass.open,
    "conditional": OpenClass.conditional, "有条件开放": OpenClass.conditional, "restricted": OpenClass.conditional,
    "closed": OpenClass.closed, "非开放": OpenClass.closed, "private": OpenClass.closed,
    "non-public": OpenClass.closed,
}
FREQUENCIES = {
    "realtime": "实时", "continuous": "实时", "daily": "每日", "weekly": "每周", "monthly": "每月",
    "quarterly": "每季度", "semiannual": "每半年", "biannual": "每半年", "annual": "每年", "yearly": "每年",
    "irregular": "不定期", "irregularly": "不定期",
}


def load_domain_map(path: Path) -> dict[str, str]:
    """A JSON object mapping CKAN group names, tags or organization names to domain codes (or 中文名)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise HarvestError(f"cannot read the domain map {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise HarvestError(f"the domain map {path} must be a JSON object {{\"ckan name\": \"domain\"}}")
    mapping = {}
    for key, value in raw.items():
        domain = resolve_domain(str(value))
        if domain is None:
            raise HarvestError(f"the domain map {path} maps '{key}' to '{value}', which is not one of the 12 domains")
        mapping[str(key)] = domain.code
    return mapping


def normalize_site_url(url: str) -> str:
    url = url.strip().rstrip("/")
    for suffix in ("/api/3/action", "/api/action", "/api/3", "/api"):
        url = url.removesuffix(suffix)
    return url


def _ckan_time(value: str | None) -> str | None:
    """CKAN's timestamps are UTC without a zone; say so (the catalog reads zone-less times as Beijing time)."""
    if not value:
        return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return text  # the catalog reports it as the package's problem
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def _extra_value(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class CkanHarvester:
    kind = "ckan"

    def __init__(
        self,
        url: str,
        settings: Settings | None = None,
        *,
        organization: str | None = None,
        domain_map: dict[str, str] | None = None,
        default_domain: str | None = None,
        full: bool = False,
        download_workers: int = 8,
        limits: DownloadLimits | None = None,
        sleep: Callable[[float], object] = time.sleep,
    ):
        self.site_url = normalize_site_url(url)
        check_url(self.site_url)
        self.settings = settings or get_settings()
        self.organization = organization
        self.domain_map = domain_map or {}
        if default_domain is not None and resolve_domain(default_domain) is None:
            raise HarvestError(f"--default-domain '{default_domain}' is not one of the 12 domains")
        self.default_domain = resolve_domain(default_domain).code if default_domain else None
        self.full = full
        self.download_workers = max(1, download_workers)
        self.limits = limits or DownloadLimits(max_bytes=self.settings.max_file_bytes)
        self._sleep = sleep  # the wait between API retries (1 s, 2 s, 4 s); tests pass a recorder instead
        # One source per site and organization filter: harvesting org X must not withdraw org Y's datasets.
        self.source_url = self.site_url + (f"/organization/{organization}" if organization else "")
        self.incremental = False  # set by open(): True when only changes since the last run are gathered
        self.since: datetime | None = None
        self._api = RemoteCKAN(self.site_url, user_agent=USER_AGENT, get_only=True)
        self._packages: dict[str, dict[str, Any]] = {}
        self._downloads: dict[str, Future[list[tuple[dict[str, Any], Path, str]]]] = {}
        self._tmp: Path | None = None
        self._done: dict[str, list[Path]] = {}  # item identifier -> its downloaded files, until release()
        self._numbers = itertools.count()
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self.total = 0

    # --- the API ----------------------------------------------------------------------------------------

    def _call(self, action: str, data: dict[str, Any]) -> Any:
        """One Action API call, retried with back-off on network errors and server failures."""
        delay = 1.0
        for attempt in range(1, API_ATTEMPTS + 1):
            try:
                return self._api.call_action(action, data, requests_kwargs={"timeout": (10, 120)})
            except (NotFound, NotAuthorized, ValidationError, SearchQueryError, SearchError) as exc:
                raise HarvestError(f"{self.site_url} refused {action}: {type(exc).__name__}: {exc}") from exc
            except (requests.RequestException, CKANAPIError) as exc:
                if attempt == API_ATTEMPTS:
                    raise HarvestError(
                        f"{self.site_url} did not answer {action} after {attempt} attempts: {str(exc)[:300]}"
                    ) from exc
                self._sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _filters(self) -> list[str]:
        return [f'organization:"{self.organization}"'] if self.organization else []

    def _pages(self, fq: list[str], **extra: Any) -> Iterator[dict[str, Any]]:
        """Every package matching ``fq``, a page at a time, each once (pages can shift while we read)."""
        start, seen = 0, set()
        while True:
            data = {"rows": PAGE_ROWS, "start": start, "sort": "id asc", "fq": " ".join(fq) or "*:*"} | extra
            page = self._call("package_search", data)
            results = page.get("results") or []
            if start == 0:
                self.total = int(page.get("count") or 0)
            for pkg in results:
                if isinstance(pkg, dict) and pkg.get("id") and pkg["id"] not in seen:
                    seen.add(pkg["id"])
                    yield pkg
            start += len(results)
            if not results or start >= int(page.get("count") or 0):
                return

    # --- gather -----------------------------------------------------------------------------------------

    @contextmanager
    def open(self) -> Iterator[_Listing]:
        if not self.full:
            with session_scope(self.settings) as session:
                last = last_successful_start(session, self.source_url)
            self.since = last - CLOCK_MARGIN if last else None
        self.incremental = self.since is not None
        fq = self._filters()
        if self.since is not None:
            fq.append(f"metadata_modified:[{self.since.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ} TO *]")
        self._tmp = Path(tempfile.mkdtemp(prefix="odp-ckan-"))
        pool = ThreadPoolExecutor(self.download_workers, thread_name_prefix="odp-ckan-download")
        try:
            packages = self._pages(fq)
            first = next(packages, None)  # reads the first page: the count, and whether the site answers
            yield _Listing(self, pool, first, packages)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            for client in self._clients:
                client.close()
            self._clients.clear()
            self._downloads.clear()
            self._packages.clear()
            shutil.rmtree(self._tmp, ignore_errors=True)

    def source_identifiers(self) -> list[str]:
        """Every package id the source still lists (the incremental run's basis for withdrawals)."""
        return [pkg["id"] for pkg in self._pages(self._filters(), fl="id")]

    # --- fetch ------------------------------------------------------------------------------------------

    def _schedule(self, pool: ThreadPoolExecutor, pkg: dict[str, Any]) -> HarvestItem:
        item = HarvestItem(identifier=str(pkg["id"]), label=str(pkg.get("name") or pkg["id"]))
        self._packages[item.identifier] = pkg
        self._downloads[item.identifier] = pool.submit(self._download_files, pkg)
        return item

    def _client(self) -> httpx.Client:
        """One HTTP client per download thread, kept for the run (a client per file costs a TLS context)."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = new_client(self.limits, USER_AGENT)
            self._clients.append(client)
        return client

    def _download_files(self, pkg: dict[str, Any]) -> list[tuple[dict[str, Any], Path, str]]:
        assert self._tmp is not None
        try:
            open_class_of(pkg, package_extras(pkg))
        except ItemError:
            return []  # the package fails in to_input; its data is not fetched first
        number = next(self._numbers)
        files = []
        for index, res in enumerate(r for r in pkg.get("resources") or [] if isinstance(r, dict)):
            url = str(res.get("url") or "").strip()
            if not url:
                continue  # a link-less resource (e.g. 有条件开放 data): metadata only, no file to keep
            original = url_filename(url, f"resource-{index}")
            suffix = Path(original).suffix if Path(original).suffix[1:].isalnum() else ""
            dest = self._tmp / f"{number}-{index}{suffix.lower()}"
            files.append((res, dest, original))
            download(self._client(), url, dest, self.limits)
        return files

    def fetch(self, item: HarvestItem) -> DatasetInput:
        pkg = self._packages.pop(item.identifier)
        files = self._downloads.pop(item.identifier).result()
        self._done[item.identifier] = [path for _, path, _ in files]
        return self.to_input(pkg, files)

    def release(self, item: HarvestItem) -> None:
        """The loop has published (or failed) the item: its downloaded files can go. With ``--workers N``
        several fetched items are in flight at once, so files are kept until then, not until the next fetch."""
        for done in self._done.pop(item.identifier, []):
            done.unlink(missing_ok=True)

    # --- mapping ----------------------------------------------------------------------------------------

    def _domain(self, pkg: dict[str, Any], extras: dict[str, Any]) -> str:
        org = pkg.get("organization") or {}
        candidates = [extras.get("domain")]
        for group in pkg.get("groups") or []:
            if isinstance(group, dict):
                candidates += [group.get("name"), group.get("title"), group.get("display_name")]
        candidates += [t.get("name") for t in pkg.get("tags") or [] if isinstance(t, dict)]
        candidates += [org.get("name"), org.get("title")] if isinstance(org, dict) else []
        for value in candidates:
            if not value or not isinstance(value, str):
                continue
            if value in self.domain_map:
                return self.domain_map[value]
            domain = resolve_domain(value)
            if domain is not None:
                return domain.code
        if self.default_domain:
            return self.default_domain
        raise ItemError(
            "cannot tell the dataset's domain: no extra, group or tag names one of the 12 domains "
            "and no --domain-map entry matches; use --domain-map or --default-domain"
        )

    def to_input(self, pkg: dict[str, Any], files: list[tuple[dict[str, Any], Path, str]]) -> DatasetInput:
        """A CKAN package dict and its downloaded files as the catalog's input."""
        extras = package_extras(pkg)
        open_class = open_class_of(pkg, extras)
        org = pkg.get("organization")
        if not isinstance(org, dict) or not org.get("name"):
            raise ItemError("the package has no organization, so no department (部门) to publish it under")
        frequency = str(extras.get("update_frequency") or extras.get("frequency") or "").strip() or None
        if frequency and frequency not in UPDATE_FREQUENCIES:
            frequency = FREQUENCIES.get(frequency.lower(), frequency)
        contact = {
            "name": pkg.get("maintainer") or pkg.get("author"),
            "email": pkg.get("maintainer_email") or pkg.get("author_email"),
            "phone": extras.get("contact_phone"),
        }
        kept = {k: _extra_value(v) for k, v in extras.items() if k not in MAPPED_EXTRAS}
        kept["ckan_id"] = pkg.get("id")
        kept["ckan_url"] = f"{self.site_url}/dataset/{pkg.get('name')}"
        if pkg.get("url"):
            kept.setdefault("homepage", pkg["url"])
        licence = {"name": pkg.get("license_id"), "title": pkg.get("license_title"), "path": pkg.get("license_url")}
        return DatasetInput(
            name=str(pkg.get("name") or ""),
            title=str(pkg.get("title") or pkg.get("name") or ""),
            description=str(pkg.get("notes") or ""),
            domain=self._domain(pkg, extras),
            publisher=PublisherInput(
                name=str(org["name"]),
                title=str(org.get("title") or org.get("display_name") or org["name"]),
                title_en=org.get("title_en") or None,
            ),
            keywords=[str(t.get("display_name") or t.get("name")) for t in pkg.get("tags") or []
                      if isinstance(t, dict) and (t.get("name") or t.get("display_name"))],
            licenses=[{k: v for k, v in licence.items() if v}] if pkg.get("license_id") else [],
            version=str(pkg["version"]) if pkg.get("version") else None,
            created=_ckan_time(extras.get("created") or pkg.get("metadata_created")),
            update_frequency=frequency,
            open_class=open_class,
            temporal_coverage=extras.get("temporal_coverage") or None,
            spatial_coverage=extras.get("spatial_coverage") or None,
            contact={k: str(v) for k, v in contact.items() if v} or None,
            extras=kept,
            resources=self._resources(files),
        )

    def _resources(self, files: list[tuple[dict[str, Any], Path, str]]) -> list[ResourceInput]:
        out: list[ResourceInput] = []
        names: set[str] = set()
        for res, path, original in files:
            # Our portal exports its resource names; any other CKAN's resource is known by its id.
            name = str(res.get("resource_name") or "")
            if not _SLUG.match(name) or name in names:
                name = str(res.get("id") or "").lower()
            if not _SLUG.match(name) or name in names:  # an id that is no usable name either
                name = f"resource-{len(out)}"
            names.add(name)
            fmt = str(res.get("format") or "").strip().lower().lstrip(".")
            if "/" in fmt:  # a media type given as the format
                fmt = fmt.rsplit("/", 1)[-1]
            out.append(ResourceInput(
                name=name,
                path=path,
                title=str(res.get("name") or "") or None,
                description=str(res.get("description") or "") or None,
                format=fmt or None,
                media_type=res.get("mimetype") or None,
                encoding=str(res.get("encoding") or "") or None,
                schema=_table_schema(res.get("schema")),
                original_filename=original,
            ))
        return out


def package_extras(pkg: dict[str, Any]) -> dict[str, Any]:
    """A package's extras as a dict, without empty values."""
    return {
        str(e.get("key")): e.get("value")
        for e in pkg.get("extras") or []
        if isinstance(e, dict) and e.get("key") and e.get("value") not in (None, "")
    }


def open_class_of(pkg: dict[str, Any], extras: dict[str, Any]) -> str:
    """The package's open class from its ``open_class`` extra and ``private`` flag, failing closed: an unknown
    value fails the package (ItemError); no extra means open, unless the package is private (then closed)."""
    declared = None
    if "open_class" in extras:
        value = str(extras["open_class"])
        declared = OPEN_CLASS_VALUES.get(re.sub(r"[\s_]+", "-", value.strip()).lower())
        if declared is None:
            raise ItemError(
                f"open_class '{value[:100]}' is not a known open class (open/无条件开放, "
                "conditional/有条件开放/restricted, closed/非开放/private/non-public): not harvested, "
                "rather than published as open"
            )
    if str(pkg.get("private")).strip().lower() == "true":
        return OpenClass.closed if declared in (None, OpenClass.open) else declared
    return declared or OpenClass.open


def _table_schema(value: Any) -> dict[str, Any] | None:
    """A resource's Table Schema as ckanext-validation publishes it (an object or its JSON text); a schema
    given by URL is not fetched (the table is then validated against an inferred one)."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict) and isinstance(value.get("fields"), list) and value["fields"]:
        return value
    return None


class _Listing:
    """The gathered packages: sized by the source's count, read page by page, with each package's files
    downloading a few items ahead of the import."""

    def __init__(self, harvester: CkanHarvester, pool: ThreadPoolExecutor, first: dict[str, Any] | None,
                 rest: Iterator[dict[str, Any]]):
        self.harvester, self.pool, self.first, self.rest = harvester, pool, first, rest

    def __len__(self) -> int:
        return getattr(self.harvester, "total", 0)

    def __iter__(self) -> Iterator[HarvestItem]:
        if self.first is None:
            return
        ahead = 2 * self.harvester.download_workers
        pending: deque[HarvestItem] = deque([self.harvester._schedule(self.pool, self.first)])
        for pkg in self.rest:
            pending.append(self.harvester._schedule(self.pool, pkg))
            if len(pending) > ahead:
                yield pending.popleft()
        while pending:
            yield pending.popleft()
