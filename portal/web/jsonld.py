"""schema.org ``Dataset`` metadata for the dataset page's head (JSON-LD), so search engines index it.

It describes the dataset as the public sees it (anonymous, whatever the page's caller may read): downloads are
listed only when ``catalog.access`` says anonymous callers may read the data.

The template embeds it with Jinja's ``|tojson``, which escapes ``<``, ``>`` and ``&``: a harvested title
containing ``</script>`` stays inside the data block.
"""

from __future__ import annotations

from typing import Any

from catalog import access
from catalog.datasets.queries import DatasetView, ResourceView
from catalog.exports.citation import gbt7714

from .links import dataset_page_url, downloads_for, safe_href
from .templating import iso_filter


def dataset_jsonld(view: DatasetView, base_url: str, catalog_name: str,
                   resources: list[ResourceView] | None = None) -> dict[str, Any]:
    """``base_url``: the configured public URL (never the request's Host); ``resources``: those whose downloads
    are listed (the page's, default all)."""
    ds, base = view.dataset, base_url.rstrip("/")
    public_data = access.data_readable(ds)  # search engines are anonymous
    page = base + dataset_page_url(ds.name)
    doc: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": page,
        "url": page,
        "identifier": ds.name,
        "name": ds.title,
        "description": ds.description or ds.title,
        "inLanguage": "zh-CN",
        "keywords": [*(ds.keywords or []), view.domain.name],
        "isAccessibleForFree": public_data,
        "creator": {"@type": "GovernmentOrganization", "name": view.department.title},
        "publisher": {"@type": "GovernmentOrganization", "name": view.department.title},
        "includedInDataCatalog": {"@type": "DataCatalog", "name": catalog_name, "url": f"{base}/"},
        "dateModified": iso_filter(ds.modified),
        "datePublished": iso_filter(ds.first_published),
    }
    doc["citation"] = gbt7714(department=view.department.title, title=ds.title, portal=catalog_name,
                              version=ds.version, modified=ds.modified, url=page)
    if ds.created:
        doc["dateCreated"] = iso_filter(ds.created)
    if ds.version:
        doc["version"] = ds.version
    license_url = next(filter(None, (safe_href(lic.get("path")) for lic in ds.licenses or [])), None)
    if license_url or ds.license_id:
        doc["license"] = license_url or ds.license_id
    if ds.temporal_coverage:
        doc["temporalCoverage"] = ds.temporal_coverage
    if ds.spatial_coverage:
        doc["spatialCoverage"] = {"@type": "Place", "name": ds.spatial_coverage}
    if public_data:  # conditional data is not downloadable without an access grant
        doc["distribution"] = [
            {"@type": "DataDownload", "name": f"{res.resource.title or res.resource.name} · {link.label}",
             "encodingFormat": link.media_type or link.format, "contentUrl": base + link.url}
            | ({"contentSize": f"{link.size} B"} if link.size is not None else {})
            for res in (view.resources if resources is None else resources)
            for link in downloads_for(ds.name, res)
        ]
    return doc
