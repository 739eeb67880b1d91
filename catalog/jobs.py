"""Harvest sources and the job records that say what each run did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from .db import serialized_write
from .models import HarvestJob, HarvestSource, utcnow

COUNTERS = ("added", "updated", "unchanged", "withdrawn", "failed")


@dataclass
class JobTally:
    """Running counts of a harvest; written to the job row when it finishes."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def fail(self, item: str, message: str) -> None:
        self.failed += 1
        self.errors.append({"item": item, "message": message})

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTERS}


@serialized_write
def get_or_create_source(session: Session, kind: str, url: str, title: str | None = None) -> HarvestSource:
    source = session.exec(select(HarvestSource).where(HarvestSource.url == url)).first()
    if source is None:
        source = HarvestSource(kind=kind, url=url, title=title)
        session.add(source)
        session.commit()
        session.refresh(source)
    return source


@serialized_write
def start_job(session: Session, source: HarvestSource) -> HarvestJob:
    # A job left "running" by a killed process would otherwise stay stuck forever (CKAN's classic failure).
    for stale in session.exec(
        select(HarvestJob).where(HarvestJob.source_id == source.id, HarvestJob.status == "running")
    ):
        stale.status = "failed"
        stale.message = "interrupted: the harvest process stopped before the job finished"
        stale.finished = utcnow()
        session.add(stale)
    job = HarvestJob(source_id=source.id, status="running")
    session.add(job)
    session.commit()
    session.refresh(job)
    source.last_job_id = job.id
    session.add(source)
    session.commit()
    return job


@serialized_write
def finish_job(
    session: Session,
    job: HarvestJob,
    tally: JobTally,
    *,
    status: str = "finished",
    message: str | None = None,
) -> HarvestJob:
    for name, value in tally.as_dict().items():
        setattr(job, name, value)
    job.errors = tally.errors or None
    job.status = status
    job.message = message
    job.finished = utcnow()
    session.add(job)
    session.commit()
    return job


def recent_jobs(session: Session, limit: int = 20) -> list[tuple[HarvestJob, HarvestSource]]:
    rows = session.exec(
        select(HarvestJob, HarvestSource)
        .join(HarvestSource, HarvestJob.source_id == HarvestSource.id)
        .order_by(HarvestJob.id.desc())
        .limit(limit)
    ).all()
    return [(job, source) for job, source in rows]


def last_successful_start(session: Session, source_url: str) -> datetime | None:
    """When the newest job of this source that finished without failures started (aware UTC), or None.

    An incremental harvest asks its source for what changed since then: everything older was imported by
    that job or an earlier one. A job with failed items does not count, so those items are tried again.
    """
    started = session.exec(
        select(HarvestJob.started)
        .join(HarvestSource, HarvestJob.source_id == HarvestSource.id)
        .where(HarvestSource.url == source_url, HarvestJob.status == "finished", HarvestJob.failed == 0)
        .order_by(HarvestJob.id.desc())
        .limit(1)
    ).first()
    if started is not None and started.tzinfo is None:  # SQLite hands back naive UTC
        started = started.replace(tzinfo=UTC)
    return started
