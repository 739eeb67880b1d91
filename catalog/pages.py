"""Read-side questions only the web pages ask: totals, most downloaded, one department, a schema's users.

Same visibility rules as ``queries``: closed (非开放) and withdrawn datasets are counted and listed nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from .models import Dataset, Department, Domain, DownloadCount, Resource, ResourceVersion
from .queries import dataset_formats


@dataclass(frozen=True)
class PortalTotals:
    datasets: int
    departments: int
    resources: int
    rows: int  # records in the current versions of all published tables


def _published():
    return (Dataset.state == "active") & (Dataset.open_class != "closed")


def portal_totals(session: Session) -> PortalTotals:
    datasets, departments = session.exec(
        select(func.count(Dataset.id), func.count(func.distinct(Dataset.department_id))).where(_published())
    ).one()
    resources, rows = session.exec(
        select(func.count(Resource.id), func.coalesce(func.sum(ResourceVersion.row_count), 0))
        .select_from(Resource)
        .join(Dataset, Resource.dataset_id == Dataset.id)
        .outerjoin(ResourceVersion, Resource.current_version_id == ResourceVersion.id)
        .where(_published(), Resource.state == "active")
    ).one()
    return PortalTotals(datasets=datasets, departments=departments, resources=resources, rows=int(rows))


def get_department(session: Session, name: str) -> Department | None:
    return session.exec(select(Department).where(Department.name == name)).first()


def datasets_using_schema(session: Session, schema_name: str) -> list[tuple[Dataset, Domain, Department]]:
    """Published datasets whose current tables reference the published schema ``schema_name``."""
    ids = select(Resource.dataset_id).join(
        ResourceVersion, Resource.current_version_id == ResourceVersion.id
    ).where(ResourceVersion.schema_ref == schema_name, Resource.state == "active")
    return list(
        session.exec(
            select(Dataset, Domain, Department)
            .join(Domain, Dataset.domain_code == Domain.code)
            .join(Department, Dataset.department_id == Department.id)
            .where(_published(), Dataset.id.in_(ids))
            .order_by(Domain.order, Dataset.name)
        ).all()
    )


@dataclass(frozen=True)
class PopularDataset:
    dataset: Dataset
    domain: Domain
    department: Department
    formats: list[str]
    downloads: int


def most_downloaded(session: Session, limit: int = 6) -> list[PopularDataset]:
    """Published datasets with the most downloads (counts as flushed by ``download_stats``); none downloaded
    yet gives an empty list rather than an arbitrary one."""
    total = func.sum(DownloadCount.downloads)
    rows = session.exec(
        select(Dataset, Domain, Department, total)
        .join(DownloadCount, DownloadCount.dataset_id == Dataset.id)
        .join(Domain, Dataset.domain_code == Domain.code)
        .join(Department, Dataset.department_id == Department.id)
        .where(_published())
        .group_by(Dataset.id, Domain.code, Department.id)
        .having(total > 0)
        .order_by(total.desc(), Dataset.name)
        .limit(limit)
    ).all()
    formats = dataset_formats(session, [ds.id for ds, *_ in rows])
    return [PopularDataset(ds, dom, dept, formats.get(ds.id, []), int(n)) for ds, dom, dept, n in rows]
