"""Read-side questions about the catalog, shared by the CLI, the API and the pages: lists, one dataset with
its resources, directory pages, totals, most downloaded, a schema's users.

Who sees what is not decided here: every listing filters with ``catalog.access.listed_clause()`` and every single
dataset goes through ``catalog.access.require_metadata()`` — closed (非开放) and withdrawn datasets are counted
and listed nowhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from catalog import access
from catalog.access import DatasetNotFound, DatasetWithdrawn  # noqa: F401 (DatasetWithdrawn: re-exported)
from catalog.models import Dataset, Department, Domain, DownloadCount, Resource, ResourceVersion
from catalog.vocabulary import DatasetState, ResourceState, ValidationStatus


@dataclass
class ResourceView:
    resource: Resource
    current: ResourceVersion | None
    versions: list[ResourceVersion] = field(default_factory=list)  # newest first


@dataclass
class DatasetView:
    dataset: Dataset
    domain: Domain
    department: Department
    resources: list[ResourceView]

    @property
    def validation_status(self) -> ValidationStatus:
        """The worst status of the dataset's current tables: error > invalid > valid > not_tabular."""
        statuses = [ValidationStatus(r.current.validation_status) for r in self.resources if r.current]
        return max(statuses, key=lambda status: status.rank, default=ValidationStatus.not_tabular)


def labelled_datasets() -> Any:
    """``select(Dataset, Domain, Department)`` joined: a dataset with the labels every listing shows."""
    return (
        select(Dataset, Domain, Department)
        .join(Domain, Dataset.domain_code == Domain.code)
        .join(Department, Dataset.department_id == Department.id)
    )


def list_datasets(
    session: Session,
    *,
    domain: str | None = None,
    department: str | None = None,
    include_withdrawn: bool = False,
) -> list[tuple[Dataset, Domain, Department]]:
    query = (
        labelled_datasets()
    )
    if domain:
        query = query.where((Domain.code == domain) | (Domain.name == domain))
    if department:
        query = query.where((Department.name == department) | (Department.title == department))
    if not include_withdrawn:
        query = query.where(Dataset.state == DatasetState.active)
    return list(session.exec(query.order_by(Domain.order, Dataset.name)).all())


def get_dataset(session: Session, name: str) -> DatasetView:
    found = get_datasets(session, [name])
    if name not in found:
        raise DatasetNotFound(f"no dataset named '{name}'")
    return found[name]


def get_datasets(session: Session, names: Iterable[str]) -> dict[str, DatasetView]:
    """name -> view (active resources in order, every version newest first) of the named datasets that exist,
    in three queries whatever their number (the search index builds its documents a batch at a time)."""
    rows = session.exec(labelled_datasets().where(col(Dataset.name).in_(list(names)))).all()
    if not rows:
        return {}
    by_id = {dataset.id: (dataset, domain, department) for dataset, domain, department in rows}
    resources = session.exec(
        select(Resource)
        .where(col(Resource.dataset_id).in_(list(by_id)), Resource.state == ResourceState.active)
        .order_by(Resource.dataset_id, Resource.position)
    ).all()
    versions: dict[int, list[ResourceVersion]] = {}
    if resources:
        for version in session.exec(
            select(ResourceVersion)
            .where(col(ResourceVersion.resource_id).in_([r.id for r in resources]))
            .order_by(col(ResourceVersion.id).desc())
        ).all():
            versions.setdefault(version.resource_id, []).append(version)
    views: dict[int, list[ResourceView]] = {dataset_id: [] for dataset_id in by_id}
    for res in resources:
        history = versions.get(res.id, [])  # type: ignore[arg-type]
        current = next((v for v in history if v.id == res.current_version_id), None)
        views[res.dataset_id].append(ResourceView(resource=res, current=current, versions=history))
    return {dataset.name: DatasetView(dataset=dataset, domain=domain, department=department,
                                      resources=views[dataset_id])
            for dataset_id, (dataset, domain, department) in by_id.items()}


def dataset_validation_statuses(session: Session) -> dict[int, str]:
    """dataset id -> worst validation status of its current tables (one query, for listings)."""
    rows = session.exec(
        select(Resource.dataset_id, ResourceVersion.validation_status)
        .join(ResourceVersion, Resource.current_version_id == ResourceVersion.id)
        .where(Resource.state == ResourceState.active)
    ).all()
    worst: dict[int, ValidationStatus] = {}
    for dataset_id, status in rows:
        status = ValidationStatus(status)
        if status.rank >= worst.get(dataset_id, ValidationStatus.not_tabular).rank:
            worst[dataset_id] = status
    return worst


@dataclass
class CatalogSummary:
    datasets_by_state: dict[str, int]
    datasets_by_domain: list[tuple[Domain, int]]  # active datasets, all 12 domains in order
    departments: int
    resources: int
    versions: int
    validation: dict[str, int]  # current versions by validation status
    open_classes: dict[str, int]
    pii: dict[str, int]  # active datasets by personal-information status (blocked: not published)


def catalog_summary(session: Session) -> CatalogSummary:
    by_state = dict(session.exec(select(Dataset.state, func.count()).group_by(Dataset.state)).all())
    per_domain = dict(
        session.exec(
            select(Dataset.domain_code, func.count())
            .where(Dataset.state == DatasetState.active)
            .group_by(Dataset.domain_code)
        ).all()
    )
    domains = session.exec(select(Domain).order_by(Domain.order)).all()
    active_departments = session.exec(
        select(func.count(func.distinct(Dataset.department_id))).where(Dataset.state == DatasetState.active)
    ).one()
    validation = Counter(
        session.exec(
            select(ResourceVersion.validation_status)
            .join(Resource, Resource.current_version_id == ResourceVersion.id)
            .join(Dataset, Resource.dataset_id == Dataset.id)
            .where(Resource.state == ResourceState.active, Dataset.state == DatasetState.active)
        ).all()
    )
    open_classes = dict(
        session.exec(
            select(Dataset.open_class, func.count())
            .where(Dataset.state == DatasetState.active)
            .group_by(Dataset.open_class)
        ).all()
    )
    return CatalogSummary(
        datasets_by_state=by_state,
        datasets_by_domain=[(d, per_domain.get(d.code, 0)) for d in domains],
        departments=active_departments,
        resources=session.exec(
            select(func.count()).select_from(Resource).where(Resource.state == ResourceState.active)
        ).one(),
        versions=session.exec(select(func.count()).select_from(ResourceVersion)).one(),
        validation=dict(validation),
        open_classes=open_classes,
        pii=dict(session.exec(select(Dataset.pii_status, func.count())
                              .where(Dataset.state == DatasetState.active).group_by(Dataset.pii_status)).all()),
    )


# --- What the public sees -------------------------------------------------------------------------------
# catalog/access.py decides: closed (非开放) datasets are published nowhere; withdrawn ones are gone from lists
# but answer "withdrawn".


def _published():
    return access.listed_clause()


def published_domain_counts(session: Session) -> list[tuple[Domain, int]]:
    counts = dict(
        session.exec(select(Dataset.domain_code, func.count()).where(_published()).group_by(Dataset.domain_code)).all()
    )
    return [(d, counts.get(d.code, 0)) for d in session.exec(select(Domain).order_by(Domain.order)).all()]


def published_department_counts(session: Session) -> list[tuple[Department, int]]:
    rows = session.exec(
        select(Department, func.count(Dataset.id))
        .join(Dataset, Dataset.department_id == Department.id)
        .where(_published())
        .group_by(Department.id)
        .order_by(func.count(Dataset.id).desc(), Department.name)
    ).all()
    return [(dept, count) for dept, count in rows]


@dataclass
class DirectoryPage:
    total: int
    rows: list[tuple[Dataset, Domain, Department, list[str]]]  # with the dataset's formats


def published_directory(
    session: Session, *, domains: list[str] | None = None, departments: list[str] | None = None,
    page: int = 1, size: int = 20,
) -> DirectoryPage:
    """Published datasets, newest first, optionally in some domains / of some departments."""
    where = _published()
    if domains:
        where &= Dataset.domain_code.in_(domains)
    if departments:
        where &= Department.name.in_(departments)
    base = (
        labelled_datasets()
        .where(where)
    )
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        base.order_by(Dataset.modified.desc(), Dataset.name).offset((page - 1) * size).limit(size)
    ).all()
    formats = dataset_formats(session, [ds.id for ds, _, _ in rows])
    return DirectoryPage(total=total, rows=[(ds, dom, dept, formats.get(ds.id, [])) for ds, dom, dept in rows])


def dataset_formats(session: Session, dataset_ids: list[int]) -> dict[int, list[str]]:
    """dataset id -> its active resources' formats, upper-case, in resource order, without repeats."""
    if not dataset_ids:
        return {}
    rows = session.exec(
        select(Resource.dataset_id, Resource.format)
        .where(Resource.dataset_id.in_(dataset_ids), Resource.state == ResourceState.active)
        .order_by(Resource.dataset_id, Resource.position)
    ).all()
    formats: dict[int, list[str]] = {}
    for dataset_id, fmt in rows:
        label = (fmt or "other").upper()
        if label not in formats.setdefault(dataset_id, []):
            formats[dataset_id].append(label)
    return formats


def get_published_dataset(session: Session, name: str) -> DatasetView:
    """A dataset as the public may see it: closed ones do not exist, withdrawn ones say so."""
    view = get_dataset(session, name)
    access.require_metadata(view.dataset, name=name)
    return view


@dataclass(frozen=True)
class PortalTotals:
    datasets: int
    departments: int
    resources: int
    rows: int  # records in the current versions of all published tables


def portal_totals(session: Session) -> PortalTotals:
    datasets, departments = session.exec(
        select(func.count(Dataset.id), func.count(func.distinct(Dataset.department_id))).where(_published())
    ).one()
    resources, rows = session.exec(
        select(func.count(Resource.id), func.coalesce(func.sum(ResourceVersion.row_count), 0))
        .select_from(Resource)
        .join(Dataset, Resource.dataset_id == Dataset.id)
        .outerjoin(ResourceVersion, Resource.current_version_id == ResourceVersion.id)
        .where(_published(), Resource.state == ResourceState.active)
    ).one()
    return PortalTotals(datasets=datasets, departments=departments, resources=resources, rows=int(rows))


def get_department(session: Session, name: str) -> Department | None:
    return session.exec(select(Department).where(Department.name == name)).first()


def datasets_using_schema(session: Session, schema_name: str) -> list[tuple[Dataset, Domain, Department]]:
    """Published datasets whose current tables reference the published schema ``schema_name``."""
    ids = select(Resource.dataset_id).join(
        ResourceVersion, Resource.current_version_id == ResourceVersion.id
    ).where(ResourceVersion.schema_ref == schema_name, Resource.state == ResourceState.active)
    return list(
        session.exec(
            labelled_datasets()
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
