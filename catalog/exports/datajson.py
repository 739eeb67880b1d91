"""``/data.json``: the catalog in DCAT-US 1.1 (Project Open Data) form, the non-federal profile (no
``bureauCode``/``programCode``). Open datasets are ``accessLevel: public`` with download URLs; conditional
ones ``restricted public`` with ``rights`` saying how to apply and only an ``accessURL`` (the dataset page).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .dcat import EU_FREQUENCIES
from .records import CONVERSIONS, Entry, Urls

#: ISO 8601 ``accrualPeriodicity`` of DCAT-US for our update frequencies (``irregular`` for 不定期).
ISO_FREQUENCIES = {"实时": "R/PT1S", "每日": "R/P1D", "每周": "R/P1W", "每月": "R/P1M", "每季度": "R/P3M",
                   "每半年": "R/P6M", "每年": "R/P1Y", "不定期": "irregular"}
assert set(ISO_FREQUENCIES) == set(EU_FREQUENCIES)
CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
RESTRICTED_RIGHTS = "有条件开放：数据需经申请批准后获取，元数据和样例数据公开。"


def dataset_json(entry: Entry, urls: Urls) -> dict[str, Any]:
    ds, dept = entry.dataset, entry.department
    contact = ds.contact or {}
    email = str(contact.get("email") or "").strip()
    doc: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": urls.dataset(ds.name),
        "title": ds.title,
        "description": ds.description or ds.title,
        "keyword": list(ds.keywords or []) or [entry.domain.name],
        "modified": ds.modified.isoformat(),
        "issued": (ds.created or ds.first_published).isoformat(),
        "publisher": {"@type": "org:Organization", "name": dept.title},
        "contactPoint": {"@type": "vcard:Contact", "fn": str(contact.get("name") or dept.title)}
        | ({"hasEmail": f"mailto:{email}"} if email else {}),
        "accessLevel": "public" if entry.data_readable else "restricted public",
        "landingPage": urls.dataset(ds.name),
        "language": ["zh-CN"],
        "theme": [entry.domain.name],
        "describedBy": urls.datapackage(ds.name) if entry.data_readable else None,
        "describedByType": "application/json" if entry.data_readable else None,
    }
    doc = {k: v for k, v in doc.items() if v is not None}
    if not entry.data_readable:
        doc["rights"] = RESTRICTED_RIGHTS
    license_url = next((str(lic["path"]) for lic in ds.licenses or []
                        if str(lic.get("path") or "").startswith(("http://", "https://"))), None)
    if license_url:
        doc["license"] = license_url
    if ds.update_frequency in ISO_FREQUENCIES:
        doc["accrualPeriodicity"] = ISO_FREQUENCIES[ds.update_frequency]
    if ds.temporal_coverage and "/" in ds.temporal_coverage:
        doc["temporal"] = ds.temporal_coverage.strip()
    if ds.spatial_coverage:
        doc["spatial"] = ds.spatial_coverage
    if ds.version:
        doc["version"] = ds.version
    distributions = []
    for res in entry.resources:
        resource, current = res.resource, res.current
        base = {"@type": "dcat:Distribution", "title": resource.title or resource.name}
        if resource.description:
            base["description"] = resource.description
        if current is not None and current.schema_ref:
            base["conformsTo"] = urls.schema(current.schema_ref)
        if not entry.data_readable or current is None:
            distributions.append(base | {"accessURL": urls.dataset(ds.name)})
            continue
        media = resource.media_type or "application/octet-stream"
        distributions.append(base | {"downloadURL": urls.download(ds.name, resource.name), "mediaType": media,
                                     "format": (resource.format or "").upper() or "FILE"})
        if current.parquet_path:
            for fmt, (media_type, query) in CONVERSIONS.items():
                if fmt != (resource.format or "").lower():
                    distributions.append(base | {"title": f"{base['title']}（{fmt.upper()}）",
                                                 "downloadURL": urls.download(ds.name, resource.name, query),
                                                 "mediaType": media_type, "format": fmt.upper()})
    if distributions:
        doc["distribution"] = distributions
    return doc


def _catalog_head(urls: Urls) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "@id": f"{urls.base}/data.json",
        "@type": "dcat:Catalog",
        "conformsTo": SCHEMA,
        "describedBy": f"{SCHEMA}/catalog.json",
    }


def catalog_json(entries: Iterator[Entry], urls: Urls) -> dict[str, Any]:
    return {**_catalog_head(urls), "dataset": [dataset_json(entry, urls) for entry in entries]}


def catalog_json_chunks(entries: Iterator[Entry], urls: Urls) -> Iterator[str]:
    """The same document as :func:`catalog_json`, as text pieces of one dataset each: a catalog of any size is
    sent with the memory of one batch of datasets (data.json has no paging of its own)."""
    head = json.dumps(_catalog_head(urls), ensure_ascii=False)
    yield head[:-1] + ', "dataset": ['
    for number, entry in enumerate(entries):
        yield ("," if number else "") + json.dumps(dataset_json(entry, urls), ensure_ascii=False)
    yield "]}"
