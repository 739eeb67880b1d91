"""Read-side loading for the CKAN Action API: published datasets with their resources in a few queries
(a page of 1,000 packages must not cost thousands of queries), organizations, groups and tags.

Only what the public may see is returned: active, non-closed datasets; departments and tags of those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, true
from sqlmodel import Session, select

from catalog.ckan.ids import group_id, organization_name_for_id, package_name_for_id, resource_key_for_id
from catalog.ckan.search import keyword_values, published
from catalog.datasets.queries import labelled_datasets
from catalog.models import Dataset, Department, Domain, Resource, ResourceVersion
from catalog.vocabulary import ResourceState, resolve_domain


class NotFound(LookupError):
    """No published object with that id or name (CKAN's "Not Found Error")."""


@dataclass
class ResourceRecord:
    resource: Resource
    current: ResourceVersion | None
    created: datetime | None  # when its first version was catalogued


@dataclass
class PackageRecord:
    dataset: Dataset
    domain: Domain
    department: Department
    resources: list[ResourceRecord] = field(default_factory=list)


def load_packages(session: Session, dataset_ids: list[int]) -> list[PackageRecord]:
    """Published datasets by id, in the given order, with their active resources and current versions."""
    if not dataset_ids:
        return []
    rows = session.exec(
        labelled_datasets()
        .where(Dataset.id.in_(dataset_ids), published())
    ).all()
    records = {ds.id: PackageRecord(ds, dom, dept) for ds, dom, dept in rows}
    resources = session.exec(
        select(Resource)
        .where(Resource.dataset_id.in_(list(records)), Resource.state == ResourceState.active)
        .order_by(Resource.dataset_id, Resource.position, Resource.id)
    ).all()
    version_ids = [r.current_version_id for r in resources if r.current_version_id]
    versions = (
        {v.id: v for v in session.exec(select(ResourceVersion).where(ResourceVersion.id.in_(version_ids))).all()}
        if version_ids else {}
    )
    first_created = dict(
        session.exec(
            select(ResourceVersion.resource_id, func.min(ResourceVersion.created))
            .where(ResourceVersion.resource_id.in_([r.id for r in resources]))
            .group_by(ResourceVersion.resource_id)
        ).all()
    ) if resources else {}
    for res in resources:
        records[res.dataset_id].resources.append(
            ResourceRecord(res, versions.get(res.current_version_id), first_created.get(res.id))
        )
    return [records[i] for i in dataset_ids if i in records]


def find_package(session: Session, id_or_name: str) -> PackageRecord:
    """A published dataset by name or package UUID."""
    name = id_or_name
    dataset_id = session.exec(select(Dataset.id).where(Dataset.name == name, published())).first()
    if dataset_id is None and (name := package_name_for_id(session, id_or_name)):
        dataset_id = session.exec(select(Dataset.id).where(Dataset.name == name, published())).first()
    if dataset_id is None:
        raise NotFound(f"no dataset with id or name '{id_or_name}'")
    return load_packages(session, [dataset_id])[0]


def find_resource(session: Session, resource_uuid: str) -> tuple[PackageRecord, ResourceRecord]:
    """A resource of a published dataset by its UUID."""
    key = resource_key_for_id(session, resource_uuid)
    if key is not None:
        try:
            package = find_package(session, key[0])
        except NotFound:
            package = None
        for res in package.resources if package else []:
            if res.resource.name == key[1]:
                return package, res
    raise NotFound(f"no resource with id '{resource_uuid}'")


def package_names(session: Session, limit: int | None = None, offset: int = 0) -> list[str]:
    query = select(Dataset.name).where(published()).order_by(Dataset.name).offset(offset)
    return list(session.exec(query.limit(limit) if limit is not None else query).all())


@dataclass
class OrganizationRecord:
    department: Department
    package_count: int


def organizations(session: Session) -> list[OrganizationRecord]:
    """Departments that publish at least one dataset."""
    rows = session.exec(
        select(Department, func.count(Dataset.id))
        .join(Dataset, Dataset.department_id == Department.id)
        .where(published())
        .group_by(Department.id)
    ).all()
    return [OrganizationRecord(dept, count) for dept, count in rows]


def find_organization(session: Session, id_or_name: str) -> OrganizationRecord:
    name = organization_name_for_id(session, id_or_name) or id_or_name
    for org in organizations(session):
        if org.department.name == name:
            return org
    raise NotFound(f"no organization with id or name '{id_or_name}'")


@dataclass
class GroupRecord:
    domain: Domain
    package_count: int


def groups(session: Session) -> list[GroupRecord]:
    """All 12 domains, in their fixed order, with their published dataset counts."""
    counts = dict(
        session.exec(select(Dataset.domain_code, func.count()).where(published()).group_by(Dataset.domain_code)).all()
    )
    return [GroupRecord(d, counts.get(d.code, 0)) for d in session.exec(select(Domain).order_by(Domain.order)).all()]


def find_group(session: Session, id_or_name: str) -> GroupRecord:
    info = resolve_domain(id_or_name)
    for group in groups(session):
        if (info and group.domain.code == info.code) or group_id(group.domain.code) == id_or_name:
            return group
    raise NotFound(f"no group with id or name '{id_or_name}'")


def tags(session: Session, contains: str | None = None) -> list[tuple[str, int]]:
    """Keywords of published datasets with their dataset counts, by name."""
    value = keyword_values(session.get_bind().dialect.name)
    query = (
        select(value.c.value, func.count(Dataset.id))
        .select_from(Dataset)
        .join(value, true())
        .where(published())
        .group_by(value.c.value)
    )
    rows = [(str(v), int(n)) for v, n in session.exec(query).all() if v not in (None, "")]
    if contains:
        needle = contains.lower()
        rows = [(v, n) for v, n in rows if needle in v.lower()]
    return sorted(rows)
