"""Harvest a DCAT catalog (DCAT-AP in Turtle, RDF/XML or JSON-LD, paged with Hydra) or a DCAT-US ``data.json``.

Gather reads the whole catalog, page after page (``hydra:nextPage``/``hydra:next``, at most
``MAX_PAGES``), each page a bounded download (harvesters/remote.py). Every ``dcat:Dataset`` becomes one item,
identified by its IRI (``data.json``: its ``identifier``). After a successful run the next one downloads and
imports only the datasets whose ``dct:modified`` is newer than that run (a catalog document cannot be asked
for changes only), and every identifier the catalog still lists keeps its dataset: those it no longer lists
are withdrawn.

Mapping (docs/harvesting.md, "DCAT catalogs"): ``dct:publisher`` → department (its IRI's last segment, or a
slug of its name), ``dcat:theme`` → domain (one of our ``/domain/{code}`` concepts, a domain's code or 中文名,
else an EU data theme mapped back, else ``--default-domain``), ``dct:accessRights`` → open class (PUBLIC open,
RESTRICTED conditional, NON_PUBLIC/anything else unknown fails the dataset), ``dct:accrualPeriodicity`` →
更新频度. One distribution per resource: distributions sharing a download URL apart from its query are one
resource in several formats, and the original (no query) is taken. A ``spdx:checksum`` sha256 is checked.
A dataset without any ``downloadURL`` (e.g. 有条件开放) is imported metadata-only.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from catalog.config import Settings, get_settings
from catalog.datasets.inputs import DatasetInput, PublisherInput, ResourceInput
from catalog.db import session_scope
from catalog.exports.datajson import ISO_FREQUENCIES
from catalog.exports.dcat import EU_FREQUENCIES, EU_THEMES
from catalog.jobs import last_successful_start
from catalog.vocabulary import OpenClass, resolve_domain

from .base import HarvestError, HarvestItem, ItemError
from .remote import DownloadLimits, check_url, download, new_client, url_filename

USER_AGENT = "odp-harvester/0.1 (+dcat)"
MAX_PAGES = 10_000  # a catalog whose pages never end (or loop) fails instead of running forever
CLOCK_MARGIN = timedelta(minutes=10)
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCAT_VERSION = URIRef(str(DCAT) + "version")
EU = "http://publications.europa.eu/resource/authority/"
ACCESS_RIGHTS = {"PUBLIC": OpenClass.open, "RESTRICTED": OpenClass.conditional, "NON_PUBLIC": OpenClass.closed}
ACCESS_LEVELS = {"public": OpenClass.open, "restricted public": OpenClass.conditional,
                 "non-public": OpenClass.closed}
THEME_DOMAINS: dict[str, str] = {}  # an EU theme → the first of our domains matched to it (ECON → economy)
for _code, _theme in EU_THEMES.items():
    THEME_DOMAINS.setdefault(_theme, _code)
FREQUENCIES = {code: ours for ours, code in EU_FREQUENCIES.items()}
ISO_TO_OURS = {iso: ours for ours, iso in ISO_FREQUENCIES.items()}
RDF_SUFFIXES = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld", ".n3": "n3", ".nt": "nt"}
RDF_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
             "application/n-triples": "nt", "text/n3": "n3"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
_RESOURCE_PATH = re.compile(r"/resources/([^/]+)/download$")


def _last_segment(iri: str) -> str:
    return urlsplit(iri).path.rstrip("/").rsplit("/", 1)[-1]


def slug_of(text: str, prefix: str) -> str:
    """A catalog name for a thing known only by a title: its ASCII slug, else a stable hash of the title."""
    ascii_slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:90]
    if _NAME.match(ascii_slug):
        return ascii_slug
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def _time(value: Any) -> str | None:
    if not value:
        return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return text
    return parsed.isoformat()


def _aware(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class DcatHarvester:
    kind = "dcat"

    def __init__(self, url: str, settings: Settings | None = None, *, default_domain: str | None = None,
                 full: bool = False, limits: DownloadLimits | None = None):
        try:
            self.source_url = check_url(url.strip())
        except ItemError as exc:
            raise HarvestError(str(exc)) from exc
        self.settings = settings or get_settings()
        if default_domain is not None and resolve_domain(default_domain) is None:
            raise HarvestError(f"--default-domain '{default_domain}' is not one of the 12 domains")
        self.default_domain = resolve_domain(default_domain).code if default_domain else None
        self.full = full
        self.limits = limits or DownloadLimits(max_bytes=self.settings.max_file_bytes)
        self.incremental = False
        self.since: datetime | None = None
        self._records: dict[str, dict[str, Any]] = {}
        self._all: list[str] = []
        self._files: dict[str, list[Path]] = {}
        self._tmp: Path | None = None
        self._client: httpx.Client | None = None
        self._count = 0

    # --- gather -----------------------------------------------------------------------------------------

    @contextmanager
    def open(self) -> Iterator[list[HarvestItem]]:
        if not self.full:
            with session_scope(self.settings) as session:
                last = last_successful_start(session, self.source_url)
            self.since = last - CLOCK_MARGIN if last else None
        self._tmp = Path(tempfile.mkdtemp(prefix="odp-dcat-"))
        self._client = new_client(self.limits, USER_AGENT)
        try:
            records = self._read_catalog()
            self._all = [r["identifier"] for r in records]
            self.incremental = self.since is not None
            items = []
            for record in records:
                modified = _aware(record.get("modified"))
                if self.since is not None and modified is not None and modified < self.since:
                    continue  # unchanged since the last run; still listed, so kept
                self._records[record["identifier"]] = record
                items.append(HarvestItem(identifier=record["identifier"], label=record.get("name") or
                                         record["identifier"]))
            yield items
        finally:
            self._client.close()
            self._records.clear()
            shutil.rmtree(self._tmp, ignore_errors=True)

    def source_identifiers(self) -> list[str]:
        return list(self._all)

    def _get(self, url: str) -> bytes:
        """One catalog page, within the download limits."""
        assert self._tmp is not None and self._client is not None
        dest = self._tmp / f"page-{self._count}"
        self._count += 1
        try:
            download(self._client, url, dest, self.limits)
        except ItemError as exc:
            raise HarvestError(f"cannot read the catalog: {exc}") from exc
        data = dest.read_bytes()
        dest.unlink()
        return data

    def _read_catalog(self) -> list[dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        url: str | None = self.source_url
        seen: set[str] = set()
        while url is not None:
            if url in seen or len(seen) >= MAX_PAGES:
                raise HarvestError(f"the catalog's pages loop or exceed {MAX_PAGES} pages (at {url[:200]})")
            seen.add(url)
            data = self._get(url)
            doc = _json_or_none(data)
            if isinstance(doc, dict) and isinstance(doc.get("dataset"), list) and "@graph" not in doc:
                for raw in doc["dataset"]:
                    record = datajson_record(raw)
                    if record is not None:
                        records.setdefault(record["identifier"], record)
                url = None  # data.json is one document
                continue
            graph = Graph()
            fmt = "json-ld" if doc is not None else _rdf_format(url, data)
            try:
                graph.parse(data=data, format=fmt, publicID=url)
            except Exception as exc:  # any parser error: the page is unreadable
                raise HarvestError(f"cannot parse {url[:200]} as {fmt}: {type(exc).__name__}: {exc}") from exc
            for node in graph.subjects(RDF.type, DCAT.Dataset):
                if isinstance(node, URIRef):
                    records.setdefault(str(node), rdf_record(graph, node))
            nxt = next((o for p in (HYDRA.nextPage, HYDRA.next) for o in graph.objects(None, p)), None)
            url = urljoin(url, str(nxt)) if nxt is not None else None
        return list(records.values())

    # --- fetch ------------------------------------------------------------------------------------------

    def fetch(self, item: HarvestItem) -> DatasetInput:
        record = self._records.pop(item.identifier)
        open_class = record["open_class"]
        if isinstance(open_class, ItemError):
            raise open_class
        resources: list[ResourceInput] = []
        paths = self._files.setdefault(item.identifier, [])
        names: set[str] = set()
        for index, dist in enumerate(_one_per_resource(record["distributions"])):
            assert self._tmp is not None and self._client is not None
            url = dist["download_url"]
            original = url_filename(url, f"resource-{index}")
            suffix = Path(original).suffix if Path(original).suffix[1:].isalnum() else ""
            dest = self._tmp / f"{self._count}-{index}{suffix.lower()}"
            self._count += 1
            paths.append(dest)
            download(self._client, url, dest, self.limits)
            if dist.get("sha256"):
                actual = hashlib.sha256(dest.read_bytes()).hexdigest()
                if actual != dist["sha256"].lower():
                    raise ItemError(f"{url[:200]}: sha256 {actual} differs from the catalog's {dist['sha256']}")
            name = dist["name"] if dist["name"] and dist["name"] not in names else f"resource-{index}"
            names.add(name)
            fmt = (dist.get("format") or Path(original).suffix.lstrip(".")).lower() or None
            resources.append(ResourceInput(
                name=name, path=dest, title=dist.get("title"), description=dist.get("description"),
                format=fmt, media_type=dist.get("media_type"), original_filename=original))
        domain = self._domain(record["themes"])
        if not record["publisher_title"]:
            raise ItemError("the dataset has no dct:publisher (publisher), so no department (部门) to publish it under")
        return DatasetInput(
            name=record["name"], title=record["title"], description=record.get("description") or "",
            domain=domain,
            publisher=PublisherInput(name=record["publisher_name"], title=record["publisher_title"],
                                     title_en=record.get("publisher_title_en")),
            keywords=record["keywords"], licenses=record["licenses"], version=record.get("version"),
            created=_time(record.get("issued")), update_frequency=record.get("frequency"),
            open_class=open_class, temporal_coverage=record.get("temporal"),
            spatial_coverage=record.get("spatial"), contact=record.get("contact"),
            extras={"dcat_identifier": record["identifier"]} | (
                {"landing_page": record["landing_page"]} if record.get("landing_page") else {}),
            resources=resources,
        )

    def release(self, item: HarvestItem) -> None:
        for path in self._files.pop(item.identifier, []):
            path.unlink(missing_ok=True)

    def _domain(self, themes: list[str]) -> str:
        for theme in themes:  # our own concepts (or a domain's code / 中文名) first
            domain = resolve_domain(_last_segment(theme)) or resolve_domain(theme)
            if domain is not None:
                return domain.code
        for theme in themes:
            if theme.startswith(EU + "data-theme/") and _last_segment(theme) in THEME_DOMAINS:
                return THEME_DOMAINS[_last_segment(theme)]
        if self.default_domain:
            return self.default_domain
        raise ItemError("cannot tell the dataset's domain: no dcat:theme names one of the 12 domains or an EU "
                        "data theme; use --default-domain")


def _one_per_resource(distributions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Distributions with a download URL, one per resource: those whose URLs differ only in the query are
    one resource's formats, and the one without a query (the original) is kept."""
    chosen: dict[str, dict[str, Any]] = {}
    for dist in distributions:
        url = dist.get("download_url")
        if not url:
            continue
        key = url.split("?", 1)[0].split("#", 1)[0]
        if key not in chosen or ("?" in chosen[key]["download_url"] and "?" not in url):
            chosen[key] = dist
    return list(chosen.values())


def _json_or_none(data: bytes) -> Any:
    if data.lstrip()[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _rdf_format(url: str, data: bytes) -> str:
    suffix = Path(urlsplit(url).path).suffix.lower()
    if suffix in RDF_SUFFIXES:
        return RDF_SUFFIXES[suffix]
    return "xml" if data.lstrip().startswith(b"<") else "turtle"


def _resource_name(node_or_url: str | None, download_url: str | None) -> str | None:
    fragment = urlsplit(node_or_url or "").fragment.lower()
    if _SLUG.match(fragment) and fragment not in (".", ".."):
        return fragment
    match = _RESOURCE_PATH.search(urlsplit(download_url or "").path)
    if match and _SLUG.match(match.group(1).lower()):
        return match.group(1).lower()
    stem = Path(url_filename(download_url or "", "")).stem.lower()
    stem = re.sub(r"[^a-z0-9_.-]+", "-", stem).strip("-.")[:100]
    return stem if _SLUG.match(stem) else None


def _dataset_name(identifier: str | None, iri: str) -> str:
    for candidate in (identifier, _last_segment(iri)):
        text = str(candidate or "").strip().lower()
        if _NAME.match(text):
            return text
    return slug_of(iri, "dataset")


def _open_class(value: str | None, table: dict[str, str]) -> str | ItemError:
    if value is None:
        return OpenClass.open
    key = _last_segment(value) if "://" in value else value.strip().lower()
    if key in table and table[key] != OpenClass.closed:
        return table[key]
    return ItemError(f"access rights '{value[:100]}' are not public or restricted: not harvested, rather than "
                     "published as open")


def rdf_record(graph: Graph, node: URIRef) -> dict[str, Any]:
    """One ``dcat:Dataset`` of a graph as a plain record (the same shape as :func:`datajson_record`)."""

    def one(subject: Any, predicate: URIRef, lang: str | None = "zh") -> str | None:
        values = list(graph.objects(subject, predicate))
        if lang:
            values.sort(key=lambda v: not (isinstance(v, Literal) and v.language == lang))
        return str(values[0]) if values else None

    publisher = graph.value(node, DCTERMS.publisher)
    publisher_title = one(publisher, FOAF.name) if publisher is not None else None
    title_en = next((str(v) for v in graph.objects(publisher, FOAF.name)
                     if isinstance(v, Literal) and v.language == "en"), None) if publisher is not None else None
    publisher_name = _last_segment(str(publisher)) if isinstance(publisher, URIRef) else ""
    if not _NAME.match(publisher_name):
        publisher_name = slug_of(publisher_title or "", "dept")
    period = graph.value(node, DCTERMS.temporal)
    start = one(period, DCAT.startDate) if period is not None else None
    end = one(period, DCAT.endDate) if period is not None else None
    place = graph.value(node, DCTERMS.spatial)
    card = graph.value(node, DCAT.contactPoint)
    contact = {}
    if card is not None:
        contact = {"name": one(card, VCARD.fn), "email": (one(card, VCARD.hasEmail) or "").removeprefix("mailto:"),
                   "phone": one(card, VCARD.hasTelephone)}
    distributions, licenses = [], []
    for dist in graph.objects(node, DCAT.distribution):
        checksum = graph.value(dist, SPDX.checksum)
        sha256 = None
        if checksum is not None and str(graph.value(checksum, SPDX.algorithm) or "").endswith("sha256"):
            sha256 = one(checksum, SPDX.checksumValue)
        download_url = one(dist, DCAT.downloadURL)
        fmt = one(dist, DCTERMS["format"])
        media = one(dist, DCAT.mediaType)
        license_node = graph.value(dist, DCTERMS.license)
        if license_node is not None and not licenses:
            title = one(license_node, DCTERMS.title)
            path = str(license_node) if isinstance(license_node, URIRef) else None
            licenses = [{k: v for k, v in {"name": title or path, "title": title, "path": path}.items() if v}]
        distributions.append({
            "name": _resource_name(str(dist), download_url), "download_url": download_url,
            "title": one(dist, DCTERMS.title), "description": one(dist, DCTERMS.description),
            "format": _last_segment(fmt).lower() if fmt and "://" in fmt else (fmt or "").lower() or None,
            "media_type": media.split("/media-types/", 1)[-1] if media else None, "sha256": sha256})
    frequency = one(node, DCTERMS.accrualPeriodicity)
    access = one(node, DCTERMS.accessRights)
    return {
        "identifier": str(node),
        "name": _dataset_name(one(node, DCTERMS.identifier), str(node)),
        "title": one(node, DCTERMS.title) or _last_segment(str(node)),
        "description": one(node, DCTERMS.description),
        "keywords": sorted({str(v) for v in graph.objects(node, DCAT.keyword)}),
        "themes": [str(t) for t in graph.objects(node, DCAT.theme)]
        + [str(v) for t in graph.objects(node, DCAT.theme) for v in graph.objects(t, SKOS.notation)],
        "publisher_name": publisher_name, "publisher_title": publisher_title, "publisher_title_en": title_en,
        "issued": one(node, DCTERMS.issued), "modified": one(node, DCTERMS.modified),
        "version": one(node, DCAT_VERSION),
        "frequency": FREQUENCIES.get(_last_segment(frequency)) if frequency else None,
        "open_class": _open_class(access, ACCESS_RIGHTS),
        "temporal": f"{start}/{end}" if start and end else start,
        "spatial": one(place, SKOS.prefLabel) if place is not None else None,
        "contact": {k: v for k, v in contact.items() if v} or None,
        "landing_page": one(node, DCAT.landingPage),
        "licenses": licenses, "distributions": distributions,
    }


def datajson_record(raw: Any) -> dict[str, Any] | None:
    """One ``data.json`` dataset as a plain record; None when it has no identifier."""
    if not isinstance(raw, dict) or not str(raw.get("identifier") or "").strip():
        return None
    identifier = str(raw["identifier"]).strip()
    publisher = raw.get("publisher") if isinstance(raw.get("publisher"), dict) else {}
    publisher_title = str(publisher.get("name") or "").strip() or None
    publisher_iri = str(publisher.get("@id") or "")
    publisher_name = _last_segment(publisher_iri) if publisher_iri else ""
    if not _NAME.match(publisher_name):
        publisher_name = slug_of(publisher_title or "", "dept")
    contact = raw.get("contactPoint") if isinstance(raw.get("contactPoint"), dict) else {}
    contact = {"name": contact.get("fn"), "email": str(contact.get("hasEmail") or "").removeprefix("mailto:")}
    distributions = []
    for dist in raw.get("distribution") or []:
        if not isinstance(dist, dict):
            continue
        url = str(dist.get("downloadURL") or "").strip() or None
        distributions.append({
            "name": _resource_name(None, url), "download_url": url, "title": dist.get("title"),
            "description": dist.get("description"), "format": str(dist.get("format") or "").lower() or None,
            "media_type": dist.get("mediaType"), "sha256": None})
    themes = raw.get("theme") if isinstance(raw.get("theme"), list) else [raw.get("theme")]
    keywords = raw.get("keyword") if isinstance(raw.get("keyword"), list) else []
    license_url = str(raw.get("license") or "") or None
    frequency = str(raw.get("accrualPeriodicity") or "") or None
    return {
        "identifier": identifier,
        "name": _dataset_name(None, identifier),
        "title": str(raw.get("title") or identifier),
        "description": raw.get("description"),
        "keywords": sorted({str(k) for k in keywords}),
        "themes": [str(t) for t in themes if t],
        "publisher_name": publisher_name, "publisher_title": publisher_title, "publisher_title_en": None,
        "issued": raw.get("issued"), "modified": raw.get("modified"),
        "version": str(raw["version"]) if raw.get("version") else None,
        "frequency": ISO_TO_OURS.get(frequency) if frequency else None,
        "open_class": _open_class(str(raw.get("accessLevel") or "public"), ACCESS_LEVELS),
        "temporal": raw.get("temporal"), "spatial": raw.get("spatial") if isinstance(raw.get("spatial"), str)
        else None,
        "contact": {k: str(v) for k, v in contact.items() if v} or None,
        "landing_page": raw.get("landingPage"),
        "licenses": [{"name": license_url, "path": license_url}] if license_url else [],
        "distributions": distributions,
    }
