"""Catalog objects → the JSON shapes the API documents (docs/api.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import object_session

from catalog.datasets.queries import DatasetView, ResourceView
from catalog.datasets.stats import resource_counts
from catalog.disclosure import data_readable, public_validation_report
from catalog.models import Dataset, Department, Domain, ResourceVersion
from catalog.vocabulary import OPEN_CLASSES

FIRST_ERRORS = 10


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def domain_ref(domain: Domain) -> dict[str, Any]:
    return {"code": domain.code, "name": domain.name}


def department_ref(dept: Department) -> dict[str, Any]:
    return {"name": dept.name, "title": dept.title}


def dataset_summary(ds: Dataset, domain: Domain, dept: Department, formats: list[str]) -> dict[str, Any]:
    return {
        "name": ds.name,
        "title": ds.title,
        "description": ds.description,
        "domain": domain_ref(domain),
        "department": department_ref(dept),
        "keywords": ds.keywords or [],
        "formats": formats,
        "open_class": ds.open_class,
        "update_frequency": ds.update_frequency,
        "modified": iso(ds.modified),
        "first_published": iso(ds.first_published),
        "url": f"/api/v1/datasets/{ds.name}",
    }


def _validation(version: ResourceVersion, readable: bool) -> dict[str, Any]:
    report = public_validation_report(version.validation_report, data_readable=readable) or {}
    return {
        "status": version.validation_status,
        "error_count": report.get("error_count", 0),
        "errors_by_type": report.get("errors_by_type", {}),
        "errors": report.get("errors", [])[:FIRST_ERRORS],
    }


def _version(version: ResourceVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "sha256": version.sha256,
        "size": version.size,
        "row_count": version.row_count,
        "validation_status": version.validation_status,
        "created": iso(version.created),
    }


def resource_detail(res: ResourceView, counts: dict[str, int] | None = None, *, readable: bool) -> dict[str, Any]:
    """One resource; ``readable``: whether the caller may read its data (else errors lose their cells)."""
    cur = res.current
    return {
        "name": res.resource.name,
        "title": res.resource.title,
        "description": res.resource.description,
        "format": (res.resource.format or "").upper() or None,
        "media_type": res.resource.media_type,
        "size": cur.size if cur else None,
        "row_count": cur.row_count if cur else None,
        "sha256": cur.sha256 if cur else None,
        "encoding": cur.encoding if cur else None,
        "schema": cur.table_schema if cur else None,
        "schema_ref": cur.schema_ref if cur else None,
        "validation": _validation(cur, readable) if cur else None,
        "current_version": cur.id if cur else None,
        "versions": [_version(v) for v in res.versions],
        "downloads": (counts or {}).get("downloads", 0),
        "api_calls": (counts or {}).get("api_calls", 0),
    }


def dataset_detail(view: DatasetView) -> dict[str, Any]:
    ds = view.dataset
    session = object_session(ds)  # the request's session the view was read with
    counts = resource_counts(session, [r.resource.id for r in view.resources]) if session else {}
    readable = data_readable(ds)
    resources = [resource_detail(r, counts.get(r.resource.id), readable=readable) for r in view.resources]
    formats = list(dict.fromkeys(r["format"] or "OTHER" for r in resources))
    rows = [r["row_count"] for r in resources if r["row_count"] is not None]
    return dataset_summary(ds, view.domain, view.department, formats) | {
        "domain": {"code": view.domain.code, "name": view.domain.name, "name_en": view.domain.name_en},
        "department": {"name": view.department.name, "title": view.department.title,
                       "title_en": view.department.title_en},
        "open_class_label": OPEN_CLASSES.get(ds.open_class, ds.open_class),
        "license_id": ds.license_id,
        "licenses": ds.licenses or [],
        "version": ds.version,
        "temporal_coverage": ds.temporal_coverage,
        "spatial_coverage": ds.spatial_coverage,
        "contact": ds.contact,
        "extras": ds.extras or {},
        "created": iso(ds.created),
        "state": ds.state,
        "validation_status": view.validation_status,
        "row_count": sum(rows) if rows else None,
        "downloads": sum(r["downloads"] for r in resources),
        "api_calls": sum(r["api_calls"] for r in resources),
        "resources": resources,
    }
