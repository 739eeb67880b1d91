"""Catalog objects → the API's response models (portal/api/models.py), whose JSON docs/api.md documents."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import object_session
from starlette.datastructures import URL

from catalog.access import data_readable, public_validation_report
from catalog.datasets.queries import DatasetView, ResourceView
from catalog.datasets.stats import resource_counts
from catalog.models import Dataset, Department, Domain, ResourceVersion
from catalog.privacy.notice import personal_data_notice
from catalog.schemas import PublishedSchema
from catalog.search.service import CatalogHit, FacetCount
from catalog.tables.engine import RowsPage as TablePage
from catalog.vocabulary import OPEN_CLASSES

from .models import (
    DatasetDetail,
    DatasetSummary,
    DepartmentNamed,
    DepartmentPublic,
    DepartmentRef,
    DomainNamed,
    DomainPublic,
    DomainRef,
    FacetPublic,
    FieldPublic,
    PiiColumnPublic,
    PiiPublic,
    ResourcePublic,
    RowsPage,
    SchemaSummary,
    SearchHitPublic,
    TableSchemaPublic,
    ValidationReportPublic,
    VersionPublic,
)

FIRST_ERRORS = 10


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def domain_ref(domain: Domain) -> DomainRef:
    return DomainRef(code=domain.code, name=domain.name)


def department_ref(dept: Department) -> DepartmentRef:
    return DepartmentRef(name=dept.name, title=dept.title)


def domain_public(domain: Domain, dataset_count: int) -> DomainPublic:
    return DomainPublic(code=domain.code, name=domain.name, name_en=domain.name_en, dataset_count=dataset_count)


def department_public(dept: Department, dataset_count: int) -> DepartmentPublic:
    return DepartmentPublic(name=dept.name, title=dept.title, title_en=dept.title_en, dataset_count=dataset_count)


def _summary_fields(ds: Dataset, domain: Domain, dept: Department, formats: list[str]) -> dict:
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


def dataset_summary(ds: Dataset, domain: Domain, dept: Department, formats: list[str]) -> DatasetSummary:
    return DatasetSummary(**_summary_fields(ds, domain, dept, formats))


def search_hit(found: CatalogHit) -> SearchHitPublic:
    return SearchHitPublic(**_summary_fields(found.dataset, found.domain, found.department, found.formats),
                           highlights=found.hit.highlights, score=round(found.hit.score, 4))


def facet(count: FacetCount) -> FacetPublic:
    return FacetPublic(value=count.value, label=count.label, count=count.count)


def _validation(version: ResourceVersion, readable: bool) -> ValidationReportPublic:
    report = public_validation_report(version.validation_report, data_readable=readable) or {}
    return ValidationReportPublic(
        status=version.validation_status,
        error_count=report.get("error_count", 0),
        errors_by_type=report.get("errors_by_type", {}),
        errors=report.get("errors", [])[:FIRST_ERRORS],
    )


def _version(version: ResourceVersion) -> VersionPublic:
    return VersionPublic(
        id=version.id,
        sha256=version.sha256,
        size=version.size,
        row_count=version.row_count,
        validation_status=version.validation_status,
        created=iso(version.created),
    )


def resource_detail(res: ResourceView, counts: dict[str, int] | None = None, *, readable: bool) -> ResourcePublic:
    """One resource; ``readable``: whether the caller may read its data (else errors lose their cells)."""
    cur = res.current
    return ResourcePublic(
        name=res.resource.name,
        title=res.resource.title,
        description=res.resource.description,
        format=(res.resource.format or "").upper() or None,
        media_type=res.resource.media_type,
        size=cur.size if cur else None,
        row_count=cur.row_count if cur else None,
        sha256=cur.sha256 if cur else None,
        encoding=cur.encoding if cur else None,
        table_schema=cur.table_schema if cur else None,
        schema_ref=cur.schema_ref if cur else None,
        validation=_validation(cur, readable) if cur else None,
        current_version=cur.id if cur else None,
        versions=[_version(v) for v in res.versions],
        downloads=(counts or {}).get("downloads", 0),
        api_calls=(counts or {}).get("api_calls", 0),
    )


def dataset_detail(view: DatasetView) -> DatasetDetail:
    ds = view.dataset
    session = object_session(ds)  # the request's session the view was read with
    counts = resource_counts(session, [r.resource.id for r in view.resources]) if session else {}
    readable = data_readable(ds)
    resources = [resource_detail(r, counts.get(r.resource.id), readable=readable) for r in view.resources]
    formats = list(dict.fromkeys(r.format or "OTHER" for r in resources))
    rows = [r.row_count for r in resources if r.row_count is not None]
    return DatasetDetail(**_summary_fields(ds, view.domain, view.department, formats) | {
        "domain": DomainNamed(code=view.domain.code, name=view.domain.name, name_en=view.domain.name_en),
        "department": DepartmentNamed(name=view.department.name, title=view.department.title,
                                      title_en=view.department.title_en),
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
        "downloads": sum(r.downloads for r in resources),
        "api_calls": sum(r.api_calls for r in resources),
        "resources": resources,
        "pii": pii_notice(view),
    })


def pii_notice(view: DatasetView) -> PiiPublic | None:
    """The warning of a dataset published with personal data in its tables (None when clean)."""
    notice = personal_data_notice(view)
    if notice is None:
        return None
    return PiiPublic(status=notice.status, sample_masked=notice.sample_masked,
                     columns=[PiiColumnPublic(**column.as_dict()) for column in notice.columns])


def schema_summary(published: PublishedSchema) -> SchemaSummary:
    return SchemaSummary(name=published.name, title=published.title, description=published.description,
                         field_count=len(published.fields), url=f"/api/v1/schemas/{published.name}")


def table_schema(published: PublishedSchema) -> TableSchemaPublic:
    return TableSchemaPublic(name=published.name, title=published.title, description=published.description,
                             table_schema=published.descriptor)


def rows_page(page: TablePage, url: URL) -> RowsPage:
    """A page of rows; ``url`` is the request's, whose query the ``next_url`` repeats with the next token.
    ``total`` is left unset (so left out of the JSON) unless it was counted."""
    next_url = None
    if page.next:
        following = url.include_query_params(_next=page.next)
        next_url = f"{following.path}?{following.query}"
    counted = {"total": page.total} if page.total is not None else {}
    return RowsPage(fields=[FieldPublic(**c.public()) for c in page.fields], rows=page.rows, next=page.next,
                    next_url=next_url, **counted)
