"""The personal-information policy (``ODP_PII_POLICY``): from the scans of a dataset's current tables and its open
class, its ``pii_status`` — which catalog/access.py reads, so a blocked dataset leaves every listing, search,
export, feed and data route at once, without a route knowing why.

Why the status is stored on the dataset rather than worked out on each request from the setting: listings are SQL
(``access.listed_clause``) and the search index holds only listed datasets; both must agree with the page routes,
and a stored column is the one fact all three read. The policy is applied where the facts change — each harvest
of the dataset and ``odp pii-scan`` (run it after changing ``ODP_PII_POLICY``).

| open class | unmasked personal data | ``block`` (default) | ``flag`` |
|---|---|---|---|
| open (无条件开放) | yes | ``blocked``: not published | ``flagged``: published with a warning |
| conditional (有条件开放) | yes | ``flagged``: published, flagged for reviewers, public sample masked | same |
| any | no | ``clean`` | ``clean`` |
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from catalog import access
from catalog.config import PiiPolicy, Settings, get_settings
from catalog.models import Dataset, Department, Resource, ResourceVersion
from catalog.privacy.scan import flagged_columns, message
from catalog.vocabulary import DatasetState, PiiStatus, ResourceState


@dataclass(frozen=True)
class FlaggedColumn:
    """A column of a dataset's current table that counts as personal data (masked examples only)."""

    resource: str
    column: str
    kind: str
    label: str
    rows: int
    estimated: bool
    examples: tuple[str, ...]

    @property
    def message(self) -> str:
        return message({"kind": self.kind, "column": self.column, "rows": self.rows, "estimated": self.estimated})

    def as_dict(self) -> dict[str, Any]:
        return {"resource": self.resource, "column": self.column, "kind": self.kind, "label": self.label,
                "rows": self.rows, "estimated": self.estimated, "examples": list(self.examples),
                "message": self.message}


def status_for(dataset: Dataset, has_personal_data: bool, policy: PiiPolicy) -> PiiStatus:
    if not has_personal_data:
        return PiiStatus.clean
    if access.blocked_by_pii_policy(dataset, has_personal_data, policy):
        return PiiStatus.blocked
    return PiiStatus.flagged


def flagged_of(reports: Iterable[tuple[str, dict[str, Any] | None]]) -> list[FlaggedColumn]:
    """The flagged columns of (resource name, stored scan) pairs, in their order."""
    return [
        FlaggedColumn(resource, c["column"], c["kind"], c.get("label", c["kind"]), int(c.get("rows", 0)),
                      bool(c.get("estimated")), tuple(c.get("examples", ())))
        for resource, report in reports
        for c in flagged_columns(report)
    ]


def flagged_in(session: Session, dataset_id: int) -> list[FlaggedColumn]:
    """The flagged columns of the dataset's current tables (active resources, current versions), in order."""
    rows = session.exec(
        select(Resource.name, ResourceVersion.pii_report)
        .join(ResourceVersion, Resource.current_version_id == ResourceVersion.id)
        .where(Resource.dataset_id == dataset_id, Resource.state == ResourceState.active)
        .order_by(Resource.position, Resource.id)
    ).all()
    return flagged_of(rows)


def published_flags(dataset: Dataset, reports: Iterable[tuple[str, dict[str, Any] | None]]) -> list[FlaggedColumn]:
    """The flagged columns a published dataset shows as its warning (its ``pii_status`` is ``flagged``), from
    the (resource name, stored scan) pairs of its current tables; none for a clean one."""
    if dataset.pii_status != PiiStatus.flagged:
        return []
    return flagged_of(reports)


def apply_policy(
    session: Session, dataset: Dataset, settings: Settings | None = None,
    scans: Iterable[tuple[str, dict[str, Any] | None]] | None = None,
) -> PiiStatus:
    """Set the dataset's ``pii_status`` from its current tables' scans (the caller commits). A later harvest whose
    data is clean makes it ``clean`` again, and so published. ``scans``: (resource name, stored scan) of its
    current tables when the caller has them at hand (publishing), else they are read."""
    settings = settings or get_settings()
    assert dataset.id is not None
    flagged = flagged_of(scans) if scans is not None else flagged_in(session, dataset.id)
    status = status_for(dataset, bool(flagged), settings.pii_policy)
    if dataset.pii_status != status:
        dataset.pii_status = status
        session.add(dataset)
    return status


def block_messages(session: Session, dataset: Dataset) -> list[str]:
    """One line per flagged column, e.g. ``PII: 身份证号 in column id_number (60 rows)``."""
    assert dataset.id is not None
    return [column.message for column in flagged_in(session, dataset.id)]


def blocked_reports(session: Session, names: Iterable[str]) -> dict[str, list[str]]:
    """name -> messages, for those of the datasets called ``names`` the policy blocks now (a harvest's summary;
    one query for the lot, the messages only for the blocked ones)."""
    names = list(names)
    if not names:
        return {}
    blocked = session.exec(
        select(Dataset).where(col(Dataset.name).in_(names), Dataset.pii_status == PiiStatus.blocked)
    ).all()
    return {dataset.name: block_messages(session, dataset) for dataset in blocked}


def blocked_datasets(session: Session, department: str | int | None = None) -> list[Dataset]:
    """The datasets the PII policy keeps unpublished now: active datasets whose ``pii_status`` is ``blocked``
    (open datasets with unmasked personal data under ``ODP_PII_POLICY=block``), ordered by name.

    ``department`` narrows to one department: an ``int`` is its id, a ``str`` its name (the slug, e.g. ``"gaj"``,
    as in ``/department/{name}``); an unknown department gives an empty list. The names of blocked datasets are
    for reviewers and admins: public pages show at most their count.
    """
    query = select(Dataset).where(Dataset.pii_status == PiiStatus.blocked, Dataset.state == DatasetState.active)
    if isinstance(department, int):
        query = query.where(Dataset.department_id == department)
    elif department is not None:
        query = query.join(Department, Dataset.department_id == Department.id).where(Department.name == department)
    return list(session.exec(query.order_by(Dataset.name)).all())


@dataclass(frozen=True)
class ReviewRow:
    """A dataset with personal data in its tables, as a department's reviewers see it on /review."""

    name: str
    title: str
    department: str
    status: PiiStatus
    open_class: str
    columns: list[FlaggedColumn]


def for_review(session: Session, department_ids: set[int] | None = None) -> list[ReviewRow]:
    """Active datasets that are blocked or flagged — of the given departments (None: all, for an admin) — with
    their flagged columns: blocked ones first, then by name."""
    query = (select(Dataset, Department.title).join(Department, Dataset.department_id == Department.id)
             .where(Dataset.state == DatasetState.active, Dataset.pii_status != PiiStatus.clean))
    if department_ids is not None:
        query = query.where(Dataset.department_id.in_(department_ids or {-1}))  # type: ignore[attr-defined]
    rows = [ReviewRow(d.name, d.title, title, PiiStatus(d.pii_status), d.open_class, flagged_in(session, d.id))
            for d, title in session.exec(query).all()]
    return sorted(rows, key=lambda row: (row.status != PiiStatus.blocked, row.name))
