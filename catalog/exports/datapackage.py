"""A dataset as a Frictionless Data Package with absolute resource URLs, so ``frictionless validate <URL>``
checks the published files: per resource ``path`` (the original's download URL, which has no extension, so
``format``, ``mediatype`` and ``encoding`` are given), ``bytes`` and ``"hash": "sha256:<hex>"`` (for streamed
formats; workbooks carry ``checksum`` instead), ``schema`` and
``dialect``. A descriptor is metadata; for 有条件开放 datasets its paths need an access grant (``access``
says so) and ``frictionless validate`` of it is for callers who hold one."""

from __future__ import annotations

from typing import Any

from .records import Entry, Urls

#: Formats frictionless reads as a byte stream, so it checks ``bytes`` and ``hash``; others (XLSX, XLS, Parquet)
#: carry the same sha256 as ``checksum``.
STREAMED = {"csv", "tsv", "txt", "json", "jsonl", "ndjson", "geojson", "xml"}


def datapackage(entry: Entry, urls: Urls) -> dict[str, Any]:
    ds = entry.dataset
    resources = []
    for res in entry.resources:
        resource, current = res.resource, res.current
        if current is None:
            continue
        item: dict[str, Any] = {
            "name": resource.name,
            "path": urls.download(ds.name, resource.name),
            "format": (resource.format or "").lower() or None,
            "mediatype": resource.media_type,
            "title": resource.title,
            "description": resource.description,
        }
        if (resource.format or "").lower() in STREAMED:
            item |= {"bytes": current.size, "hash": f"sha256:{current.sha256}"}
        else:  # frictionless cannot count the bytes of a workbook it opens whole: a check it would always fail
            item["checksum"] = f"sha256:{current.sha256}"
        if current.table_schema:
            item["encoding"] = current.encoding or "utf-8"
            item["schema"] = current.table_schema
            if current.dialect:
                item["dialect"] = current.dialect
        elif current.encoding:
            item["encoding"] = current.encoding
        if current.schema_ref:
            item["sources"] = [{"title": "数据标准", "path": urls.schema(current.schema_ref)}]
        resources.append({k: v for k, v in item.items() if v is not None})
    descriptor: dict[str, Any] = {
        "name": ds.name,
        "title": ds.title,
        "description": ds.description or None,
        "homepage": urls.dataset(ds.name),
        "version": ds.version,
        "keywords": list(ds.keywords or []) or None,
        "licenses": [lic for lic in ds.licenses or [] if lic.get("name") or lic.get("path")] or None,
        "created": (ds.created or ds.first_published).isoformat(),
        "contributors": [{"title": entry.department.title, "role": "publisher",
                          "path": urls.department(entry.department.name)}],
        "resources": resources,
        "access": "无条件开放" if entry.data_readable else "有条件开放：数据文件需经申请批准（API 密钥）后下载",
    }
    return {k: v for k, v in descriptor.items() if v is not None}
