"""Department scorecards (/department/{name}/scorecard) and the portal's statistics (/stats): what a department
publishes and how well, in figures the pages draw and the API returns as they are.

Every figure counts listed datasets only (``access.listed_clause``): a withdrawn, closed (非开放) or PII-blocked
dataset is counted nowhere a citizen could infer it from — except ``pii_blocks``, a bare count by design (the
names go to the department's reviewers and admins only, ``blocked_names`` below). Downloads by month add up
``DatasetUsageDay`` of the listed datasets; harvest failures are the failed items of each source's latest job
(for a department: those items that name one of its datasets — a package that never published cannot be
attributed to anyone but its source).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from catalog import access
from catalog.accounts.principals import AccountPrincipal
from catalog.community.requests import response_times
from catalog.config import Settings
from catalog.models import (
    Account,
    AccountDepartment,
    Dataset,
    DatasetUsageDay,
    Department,
    Domain,
    HarvestJob,
    HarvestSource,
    Resource,
    ResourceVersion,
)
from catalog.privacy import blocked_datasets
from catalog.quality.rubric import GRADES
from catalog.quality.scores import Scored, scored
from catalog.quality.timeliness import TimelinessStatus, on_time_rate
from catalog.vocabulary import OPEN_CLASSES, ResourceState, ValidationStatus

MONTHS = 12  # downloads by month: this many months, the current one included


@dataclass(frozen=True)
class Scope:
    """What a scorecard covers: the whole portal, or one department."""

    department: Department | None = None

    def clause(self) -> Any:
        return None if self.department is None else col(Dataset.department_id) == self.department.id


def portal_stats(session: Session, now: datetime, settings: Settings) -> dict[str, Any]:
    """The /api/v1/stats document: the portal's figures and the ranking of its departments."""
    items = scored(session, now=now, settings=settings)
    out = _figures(session, Scope(), items, now)
    out["ranking"] = ranking(session, items)
    out["harvest"] = harvest_failures(session, detailed=False)
    return out


def department_scorecard(session: Session, department: Department, now: datetime, settings: Settings,
                         *, internals: bool) -> dict[str, Any]:
    """The /api/v1/departments/{name}/scorecard document; with ``internals`` (see ``may_see_internals``) the
    blocked datasets' names and the failed items' messages too."""
    scope = Scope(department)
    items = scored(session, where=scope.clause(), now=now, settings=settings)
    out = {"department": {"name": department.name, "title": department.title}}
    out |= _figures(session, scope, items, now)
    out["datasets_detail"] = [{"name": s.dataset.name, "title": s.dataset.title, "score": s.score, "grade": s.grade,
                               "timeliness": s.timeliness.as_json()} for s in items]
    out["harvest"] = harvest_failures(session, department, detailed=internals)
    mine = next(iter(response_times(session, department.name)), None)
    out["requests"] = ({"count": mine.requests, "answered": mine.answered, "mean_days": mine.mean_days}
                       if mine else {"count": 0, "answered": 0, "mean_days": None})
    if internals:
        out["blocked_datasets"] = blocked_names(session, department)
    return out


def _figures(session: Session, scope: Scope, items: list[Scored], now: datetime) -> dict[str, Any]:
    total = len(items)
    scores = [s.score for s in items]
    return {
        "datasets": total,
        "by_domain": by_domain(session, items),
        "by_open_class": [{"code": code.value, "label": OPEN_CLASSES[code],
                           "count": sum(1 for s in items if s.dataset.open_class == code)}
                          for code in access.LISTABLE_OPEN_CLASSES],
        "validation": validation(session, [s.dataset.id for s in items]),  # type: ignore[misc]
        "quality": {
            "average": round(sum(scores) / total, 1) if total else None,
            "grades": [{"grade": g, "count": sum(1 for s in items if s.grade == g)} for g, _ in GRADES],
        },
        "timeliness": on_time_rate(s.timeliness for s in items) | {
            "late_datasets": [{"name": s.dataset.name, "title": s.dataset.title, "late_days": s.timeliness.late_days,
                               "frequency": s.dataset.update_frequency}
                              for s in sorted(items, key=lambda s: -s.timeliness.late_days)
                              if s.timeliness.status == TimelinessStatus.late],
        },
        "pii_blocks": len(blocked_datasets(session, scope.department.id if scope.department else None)),
        "downloads_by_month": downloads_by_month(session, [s.dataset.id for s in items], now.date()),  # type: ignore[misc]
    }


def by_domain(session: Session, items: list[Scored]) -> list[dict[str, Any]]:
    counts = Counter(s.dataset.domain_code for s in items)
    domains = session.exec(select(Domain).order_by(col(Domain.order))).all()
    return [{"code": d.code, "name": d.name, "count": counts[d.code]} for d in domains if counts[d.code]]


def validation(session: Session, dataset_ids: list[int]) -> dict[str, Any]:
    """Tables (current versions of active resources) by validation status, and the share of datasets whose
    tables all pass (datasets without a table are not counted)."""
    rows = session.exec(
        select(Resource.dataset_id, ResourceVersion.validation_status)
        .join(ResourceVersion, col(Resource.current_version_id) == ResourceVersion.id)
        .where(col(Resource.dataset_id).in_(dataset_ids), Resource.state == ResourceState.active)
    ).all() if dataset_ids else []
    tables = [(d, ValidationStatus(s)) for d, s in rows if ValidationStatus(s) != ValidationStatus.not_tabular]
    failing = {d for d, s in tables if s != ValidationStatus.valid}
    with_tables = {d for d, _ in tables}
    return {
        "tables": len(tables),
        "valid_tables": sum(1 for _, s in tables if s == ValidationStatus.valid),
        "datasets_with_tables": len(with_tables),
        "datasets_passing": len(with_tables - failing),
        "pass_rate": round(len(with_tables - failing) / len(with_tables), 4) if with_tables else None,
    }


def _month_starts(today: date, months: int) -> list[date]:
    starts, year, month = [], today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def downloads_by_month(session: Session, dataset_ids: list[int], today: date) -> list[dict[str, Any]]:
    """Downloads and API calls per calendar month (UTC), the last ``MONTHS`` months, zeros included."""
    starts = _month_starts(today, MONTHS)
    totals: dict[str, list[int]] = {d.strftime("%Y-%m"): [0, 0] for d in starts}
    if dataset_ids:
        rows = session.exec(
            select(DatasetUsageDay.day, func.sum(DatasetUsageDay.downloads), func.sum(DatasetUsageDay.api_calls))
            .where(col(DatasetUsageDay.dataset_id).in_(dataset_ids), col(DatasetUsageDay.day) >= starts[0])
            .group_by(col(DatasetUsageDay.day))
        ).all()
        for day, downloads, api_calls in rows:
            key = day.strftime("%Y-%m")
            if key in totals:
                totals[key][0] += int(downloads or 0)
                totals[key][1] += int(api_calls or 0)
    return [{"month": month, "downloads": d, "api_calls": a} for month, (d, a) in totals.items()]


def ranking(session: Session, items: list[Scored]) -> list[dict[str, Any]]:
    """Departments by average quality score, then 及时更新率 (unassessed last), then name."""
    grouped: dict[int, list[Scored]] = defaultdict(list)
    for s in items:
        grouped[s.dataset.department_id].append(s)
    departments = {d.id: d for d in session.exec(select(Department).where(col(Department.id).in_(list(grouped))))}
    rows = []
    for dept_id, mine in grouped.items():
        rate = on_time_rate(s.timeliness for s in mine)
        rows.append({"department": departments[dept_id].name, "title": departments[dept_id].title,
                     "datasets": len(mine), "average_score": round(sum(s.score for s in mine) / len(mine), 1),
                     "on_time_rate": rate["on_time_rate"]})
    rows.sort(key=lambda r: (-r["average_score"], -(r["on_time_rate"] if r["on_time_rate"] is not None else -1),
                             r["department"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def harvest_failures(session: Session, department: Department | None = None, *, detailed: bool) -> dict[str, Any]:
    """Failed items of each source's latest job; for a department, those naming one of its datasets. The items
    and messages only when ``detailed`` (they may quote a source's paths: not for the public)."""
    latest = session.exec(
        select(HarvestJob, HarvestSource)
        .join(HarvestSource, col(HarvestSource.last_job_id) == HarvestJob.id)
    ).all()
    owned: dict[tuple[int, str], str] | None = None
    if department is not None:
        owned = {(ds.source_id, ds.source_identifier): ds.name for ds in session.exec(  # type: ignore[misc]
            select(Dataset).where(Dataset.department_id == department.id, col(Dataset.source_id).is_not(None)))}
    failures = []
    for job, source in latest:
        for error in job.errors or []:
            if owned is None or (source.id, error.get("item")) in owned:
                failures.append({"source": source.url, "item": error.get("item"), "message": error.get("message"),
                                 "job": job.id, "time": (job.finished or job.started).isoformat()})
    out: dict[str, Any] = {"sources": len(latest), "failed_items": len(failures)}
    if detailed:
        out["failures"] = failures
    return out


def may_see_internals(session: Session, who: Account | AccountPrincipal | None, department: Department) -> bool:
    """Whether an account (or an API key's principal) sees the department's blocked datasets and failure
    messages (the decision is catalog/access.py's)."""
    if who is None:
        return False
    reviews = session.get(AccountDepartment, (who.id, department.id)) is not None
    return access.department_internals_shown(who.role, reviews)


def blocked_names(session: Session, department: Department | None = None) -> list[dict[str, str]]:
    return [{"name": ds.name, "title": ds.title}
            for ds in blocked_datasets(session, department.id if department else None)]
