"""What an operator checks after harvests (/admin/harvest, admins only): every source with its latest job, the
recent jobs, each failed item with its reason, the datasets the personal-information policy blocks (with the
harvest's message naming kind and column), and the datasets whose tables fail validation, by department.

Read-only, and unlike the public figures it covers every active dataset whatever its open class — closed
(非开放) ones included: an operator must see what a citizen must not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from catalog.jobs import job_status_label, recent_jobs
from catalog.models import Dataset, Department, HarvestJob, HarvestSource, Resource, ResourceVersion
from catalog.privacy import blocked_datasets
from catalog.privacy.policy import block_messages
from catalog.vocabulary import OPEN_CLASSES, DatasetState, ResourceState, ValidationStatus

RECENT_JOBS = 20


@dataclass
class SourceRow:
    source: HarvestSource
    last_job: HarvestJob | None
    status: str  # the latest job's, as `odp jobs` shows it; "never" without a job
    datasets: int  # active datasets it publishes


@dataclass
class InvalidDataset:
    name: str
    title: str
    open_class: str
    tables: list[dict[str, Any]]  # {"resource", "status", "errors", "rows"}


@dataclass
class DepartmentFailures:
    department: Department
    datasets: list[InvalidDataset] = field(default_factory=list)


@dataclass
class Overview:
    sources: list[SourceRow]
    jobs: list[tuple[HarvestJob, HarvestSource, str]]  # job, its source, its status label
    failures: list[dict[str, Any]]  # failed items of the recent jobs: job, source, item, message
    blocked: list[tuple[Dataset, list[str]]]  # a blocked dataset and the messages naming kind and column
    invalid: list[DepartmentFailures]


def overview(session: Session) -> Overview:
    jobs = recent_jobs(session, RECENT_JOBS)
    return Overview(
        sources=sources(session),
        jobs=[(job, source, job_status_label(job)) for job, source in jobs],
        failures=[{"job": job.id, "source": source.url, "time": job.finished or job.started,
                   "item": error.get("item"), "message": error.get("message")}
                  for job, source in jobs for error in job.errors or []],
        blocked=[(ds, block_messages(session, ds)) for ds in blocked_datasets(session)],
        invalid=validation_failures(session),
    )


def sources(session: Session) -> list[SourceRow]:
    counts = dict(session.exec(
        select(Dataset.source_id, func.count())
        .where(Dataset.state == DatasetState.active).group_by(col(Dataset.source_id))
    ).all())
    rows = session.exec(
        select(HarvestSource, HarvestJob)
        .join(HarvestJob, col(HarvestSource.last_job_id) == HarvestJob.id, isouter=True)
        .order_by(col(HarvestSource.url))
    ).all()
    return [SourceRow(source, job, job_status_label(job) if job else "never", int(counts.get(source.id, 0)))
            for source, job in rows]


def validation_failures(session: Session) -> list[DepartmentFailures]:
    """Active datasets with a current table that is invalid or unreadable, grouped by department (by title)."""
    rows = session.exec(
        select(Department, Dataset, Resource.name, ResourceVersion)
        .join(Dataset, col(Dataset.department_id) == Department.id)
        .join(Resource, col(Resource.dataset_id) == Dataset.id)
        .join(ResourceVersion, col(Resource.current_version_id) == ResourceVersion.id)
        .where(Dataset.state == DatasetState.active, Resource.state == ResourceState.active,
               col(ResourceVersion.validation_status).in_([ValidationStatus.invalid, ValidationStatus.error]))
        .order_by(col(Department.title), col(Dataset.name), col(Resource.position))
    ).all()
    grouped: dict[int, DepartmentFailures] = {}
    datasets: dict[int, InvalidDataset] = {}
    order: defaultdict[int, list[int]] = defaultdict(list)
    for department, dataset, resource, version in rows:
        grouped.setdefault(department.id, DepartmentFailures(department))
        if dataset.id not in datasets:
            datasets[dataset.id] = InvalidDataset(dataset.name, dataset.title, OPEN_CLASSES[dataset.open_class], [])
            order[department.id].append(dataset.id)
        report = version.validation_report or {}
        datasets[dataset.id].tables.append({"resource": resource, "status": version.validation_status,
                                            "errors": int(report.get("error_count") or 0),
                                            "rows": version.row_count})
    for dept_id, group in grouped.items():
        group.datasets = [datasets[i] for i in order[dept_id]]
    return list(grouped.values())
