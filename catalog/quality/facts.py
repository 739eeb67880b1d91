"""The facts a quality score reads, gathered from the catalog for many datasets in three queries (datasets,
their active resources with current versions, their version history for the last real data change)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, col, select

from catalog.models import Dataset, Resource, ResourceVersion
from catalog.quality.rubric import DatasetFacts, TableFacts
from catalog.quality.timeliness import last_data_changes
from catalog.vocabulary import OpenClass, ResourceState, ValidationStatus


def gather(session: Session, datasets: Sequence[Dataset]) -> dict[int, DatasetFacts]:
    """dataset id -> its facts."""
    ids = [ds.id for ds in datasets if ds.id is not None]
    rows = session.exec(
        select(Resource, ResourceVersion)
        .join(ResourceVersion, col(Resource.current_version_id) == ResourceVersion.id, isouter=True)
        .where(col(Resource.dataset_id).in_(ids), Resource.state == ResourceState.active)
    ).all() if ids else []
    resources: dict[int, list[tuple[Resource, ResourceVersion | None]]] = defaultdict(list)
    for resource, version in rows:
        resources[resource.dataset_id].append((resource, version))
    changes = last_data_changes(session, ids)
    return {ds.id: _facts(ds, resources.get(ds.id, []), changes.get(ds.id))  # type: ignore[misc]
            for ds in datasets if ds.id is not None}


def _facts(ds: Dataset, resources: list[tuple[Resource, ResourceVersion | None]], last_change) -> DatasetFacts:
    stored = [(r, v) for r, v in resources if v is not None]
    return DatasetFacts(
        description=ds.description or "",
        keywords=list(ds.keywords or []),
        domain_code=ds.domain_code,
        spatial_coverage=ds.spatial_coverage,
        temporal_coverage=ds.temporal_coverage,
        open_class=OpenClass(ds.open_class),
        formats=[(r.format or "").lower() for r, _ in stored],
        resources=len(resources),
        stored=len(stored),
        tables=[_table(v) for _, v in stored if ValidationStatus(v.validation_status) != ValidationStatus.not_tabular],
        license_id=ds.license_id,
        contact=ds.contact,
        update_frequency=ds.update_frequency,
        last_change=last_change,
    )


def _table(version: ResourceVersion) -> TableFacts:
    report = version.validation_report or {}
    schema = version.table_schema or {}
    return TableFacts(
        status=ValidationStatus(version.validation_status),
        rows=int(version.row_count or report.get("row_count") or 0),
        errors=int(report.get("error_count") or 0),
        schema_ref=version.schema_ref,
        fields=[f for f in schema.get("fields") or [] if isinstance(f, dict)],
        has_parquet=bool(version.parquet_path),
    )
