"""What the exports read: listed datasets with their domain, department and current resources, page by page
(one query for the page, one for its resources), so a catalog of any size is written in bounded memory.

Also the portal's URLs, built here from the public base URL (the catalog layer may not import the pages').
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlmodel import Session, func, select

from catalog import access
from catalog.datasets.queries import labelled_datasets
from catalog.models import Dataset, Department, Domain, Resource, ResourceVersion
from catalog.vocabulary import ResourceState

#: Conversions served for a table that has a typed Parquet copy: format -> (media type, extra query).
CONVERSIONS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv", "format=csv"),
    "json": ("application/json", "format=json&array=1"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "format=xlsx"),
    "parquet": ("application/vnd.apache.parquet", "format=parquet"),
}


@dataclass
class ResourceEntry:
    resource: Resource
    current: ResourceVersion | None


@dataclass
class Entry:
    """One listed dataset as the exports describe it."""

    dataset: Dataset
    domain: Domain
    department: Department
    resources: list[ResourceEntry] = field(default_factory=list)

    @property
    def data_readable(self) -> bool:
        return access.data_readable(self.dataset)


class Urls:
    """Absolute URLs of the portal, all from one base (``Settings.public_base_url``)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    @staticmethod
    def seg(value: str) -> str:
        return quote(value, safe="")

    def home(self) -> str:
        return f"{self.base}/"

    def catalog(self) -> str:
        return f"{self.base}/catalog"

    def catalog_page(self, suffix: str, page: int) -> str:
        return f"{self.base}/catalog.{suffix}?page={page}"

    def dataset(self, name: str) -> str:
        return f"{self.base}/dataset/{self.seg(name)}"

    def dataset_api(self, name: str) -> str:
        return f"{self.base}/api/v1/datasets/{self.seg(name)}"

    def datapackage(self, name: str) -> str:
        return f"{self.dataset_api(name)}/datapackage.json"

    def resource(self, name: str, resource: str) -> str:
        return f"{self.dataset_api(name)}/resources/{self.seg(resource)}"

    def download(self, name: str, resource: str, query: str = "") -> str:
        return f"{self.resource(name, resource)}/download" + (f"?{query}" if query else "")

    def domain(self, code: str) -> str:
        return f"{self.base}/domain/{self.seg(code)}"

    def domains(self) -> str:
        return f"{self.base}/catalog#domains"

    def department(self, name: str) -> str:
        return f"{self.base}/department/{self.seg(name)}"

    def schema(self, name: str) -> str:
        return f"{self.base}/schemas/{self.seg(name)}.json"

    def api(self) -> str:
        return f"{self.base}/api/v1"

    def openapi(self) -> str:
        return f"{self.base}/api/v1/openapi.json"


def _base_query():
    return (
        labelled_datasets()
        .where(access.listed_clause())
    )


def count_listed(session: Session, *, domain: str | None = None, department: str | None = None) -> int:
    query = select(func.count()).select_from(Dataset).join(Department, Dataset.department_id == Department.id)
    query = query.where(access.listed_clause())
    if domain:
        query = query.where(Dataset.domain_code == domain)
    if department:
        query = query.where(Department.name == department)
    return int(session.exec(query).one())


def listed_page(session: Session, *, offset: int, limit: int, newest_first: bool = False,
                domain: str | None = None, department: str | None = None,
                with_resources: bool = True) -> list[Entry]:
    """Listed datasets ``offset``..``offset+limit`` (by id, or newest ``modified`` first) with their resources."""
    query = _base_query()
    if domain:
        query = query.where(Dataset.domain_code == domain)
    if department:
        query = query.where(Department.name == department)
    order = (Dataset.modified.desc(), Dataset.id) if newest_first else (Dataset.id,)
    rows = session.exec(query.order_by(*order).offset(offset).limit(limit)).all()
    entries = [Entry(ds, dom, dept) for ds, dom, dept in rows]
    if with_resources and entries:
        _attach_resources(session, entries)
    return entries


def iter_listed(session: Session, *, batch: int = 500, with_resources: bool = False) -> Iterator[Entry]:
    """Every listed dataset, by id, ``batch`` at a time (keyset paging: flat memory at any size)."""
    last = 0
    while True:
        rows = session.exec(_base_query().where(Dataset.id > last).order_by(Dataset.id).limit(batch)).all()
        if not rows:
            return
        entries = [Entry(ds, dom, dept) for ds, dom, dept in rows]
        if with_resources:
            _attach_resources(session, entries)
        yield from entries
        last = rows[-1][0].id
        session.expunge_all()


def listed_entry(session: Session, name: str) -> Entry:
    """One dataset whose metadata may be shown: raises ``DatasetNotFound`` (closed or unknown) or
    ``DatasetWithdrawn``, as every single-dataset route does."""
    row = session.exec(
        labelled_datasets()
        .where(Dataset.name == name)
    ).first()
    if row is None:
        raise access.DatasetNotFound(f"no dataset named '{name}'")
    access.require_metadata(row[0], name=name)
    entry = Entry(*row)
    _attach_resources(session, [entry])
    return entry


def _attach_resources(session: Session, entries: list[Entry]) -> None:
    by_id = {e.dataset.id: e for e in entries}
    rows = session.exec(
        select(Resource, ResourceVersion)
        .outerjoin(ResourceVersion, Resource.current_version_id == ResourceVersion.id)
        .where(Resource.dataset_id.in_(list(by_id)), Resource.state == ResourceState.active)
        .order_by(Resource.dataset_id, Resource.position)
    ).all()
    for res, version in rows:
        by_id[res.dataset_id].resources.append(ResourceEntry(res, version))
