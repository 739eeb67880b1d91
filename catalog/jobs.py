"""Harvest sources and the job records that say what each run did.

A job is ``running`` until its process finishes it. A process killed with SIGKILL cannot, so each job also
records its process (host, pid and the pid's start time) and the next run marks a running job whose process
is gone as failed, *abandoned* — but never the job of a live concurrent harvest, nor one on another host
(whose processes this one cannot see).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from catalog.db import serialized_write
from catalog.models import (
    Dataset,
    HarvestJob,
    HarvestJobProcess,
    HarvestSource,
    QueuedHarvestJob,
    Resource,
    ResourceVersion,
    utcnow,
)
from catalog.vocabulary import DatasetState, JobStatus, ResourceState, ValidationStatus

COUNTERS = ("added", "updated", "unchanged", "withdrawn", "failed")
ABANDONED = "abandoned:"  # how the message of a job whose process died begins


@dataclass
class JobTally:
    """Running counts of a harvest; written to the job row when it finishes."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # published items with something to fix
    # Items kept unpublished by ODP_PII_POLICY=block: a policy outcome, not a failure (the harvest still succeeds).
    blocked: list[dict[str, Any]] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def fail(self, item: str, message: str) -> None:
        self.failed += 1
        self.errors.append({"item": item, "message": message})

    def warn(self, item: str, message: str) -> None:
        self.warnings.append({"item": item, "message": message})

    def block(self, item: str, dataset: str, messages: list[str]) -> None:
        self.blocked.append({"item": item, "dataset": dataset, "message": "; ".join(messages)})

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


def sources_of_kind(session: Session, kind: str) -> list[HarvestSource]:
    return list(session.exec(select(HarvestSource).where(HarvestSource.kind == kind).order_by(HarvestSource.id)))


@serialized_write
def rekey_source(session: Session, source: HarvestSource, url: str) -> HarvestSource:
    """Give a source a new key (a folder source recorded by absolute path gets its path relative to
    ``ODP_SOURCE_ROOT``); its datasets and jobs stay its own."""
    source.url = url
    session.add(source)
    session.commit()
    session.refresh(source)
    return source


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (Linux); None elsewhere or if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _process_started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), to tell a reused pid; None if unknown."""
    stat = _proc_stat(pid)
    return stat[19] if stat and len(stat) > 19 else None


def _process_alive(record: HarvestJobProcess) -> bool:
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    stat = _proc_stat(record.pid)
    if stat is None:
        return True  # no /proc to ask: trust the signal check
    started = stat[19] if len(stat) > 19 else None
    return stat[0] != "Z" and (record.process_started is None or started == record.process_started)


def _is_abandoned(session: Session, job: HarvestJob, source: HarvestSource) -> bool:
    record = session.get(HarvestJobProcess, job.id)
    if record is None:  # recorded before jobs knew their process: the old rule (same source)
        return job.source_id == source.id
    return record.host == socket.gethostname() and not _process_alive(record)


def mark_abandoned(session: Session, source: HarvestSource) -> list[HarvestJob]:
    """Fail every running job whose process is gone (uncommitted; ``start_job`` commits)."""
    abandoned = []
    for job in session.exec(select(HarvestJob).where(HarvestJob.status == JobStatus.running)).all():
        if not _is_abandoned(session, job, source):
            continue
        record = session.get(HarvestJobProcess, job.id)
        where = f" (pid {record.pid} on {record.host})" if record else ""
        job.status = JobStatus.failed
        job.message = f"{ABANDONED} the harvest process{where} stopped before the job finished"
        job.finished = utcnow()
        session.add(job)
        abandoned.append(job)
    return abandoned


def job_status_label(job: HarvestJob) -> str:
    """The status as `odp jobs` shows it: ``failed (abandoned)`` for a job whose process died."""
    if job.status == JobStatus.failed and (job.message or "").startswith(ABANDONED):
        return "failed (abandoned)"
    return job.status


def mark_retried(session: Session, queue_job_id: str) -> list[HarvestJob]:
    """Fail the running jobs of earlier attempts of queue job ``queue_job_id`` (uncommitted). The queue gives
    a job to one worker at a time: when it is handed out again, the earlier holder is gone, on any host."""
    earlier = session.exec(
        select(HarvestJob)
        .join(QueuedHarvestJob, QueuedHarvestJob.job_id == HarvestJob.id)
        .where(QueuedHarvestJob.queue_job_id == queue_job_id, HarvestJob.status == JobStatus.running)
    ).all()
    for job in earlier:
        job.status = JobStatus.failed
        job.message = f"{ABANDONED} the worker stopped before the job finished; queue job {queue_job_id} was retried"
        job.finished = utcnow()
        session.add(job)
    return list(earlier)


@serialized_write
def start_job(session: Session, source: HarvestSource, *, queue_job_id: str | None = None) -> HarvestJob:
    # A job left "running" by a killed process would otherwise stay stuck forever (CKAN's classic failure).
    if queue_job_id is not None:  # first: it knows more than the pid rule below
        mark_retried(session, queue_job_id)
    mark_abandoned(session, source)
    job = HarvestJob(source_id=source.id, status=JobStatus.running)
    session.add(job)
    session.flush()
    if queue_job_id is not None:
        session.add(QueuedHarvestJob(job_id=job.id, queue_job_id=queue_job_id))
    pid = os.getpid()
    session.add(HarvestJobProcess(job_id=job.id, host=socket.gethostname(), pid=pid,
                                  process_started=_process_started(pid)))
    source.last_job_id = job.id
    session.add(source)
    # One commit, the last statement: once the job is visible as running, the caller holds it at once and a
    # stop signal from here on fails it (harvesters/base.py), rather than leaving it running.
    session.commit()
    return job


@serialized_write
def finish_job(
    session: Session,
    job: HarvestJob,
    tally: JobTally,
    *,
    status: JobStatus = JobStatus.finished,
    message: str | None = None,
) -> HarvestJob:
    for name, value in tally.as_dict().items():
        setattr(job, name, value)
    job.errors = tally.errors or None
    job.warnings = tally.warnings or None
    job.blocked = tally.blocked or None
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
        .where(HarvestSource.url == source_url, HarvestJob.status == JobStatus.finished, HarvestJob.failed == 0)
        .order_by(HarvestJob.id.desc())
        .limit(1)
    ).first()
    if started is not None and started.tzinfo is None:  # SQLite hands back naive UTC
        started = started.replace(tzinfo=UTC)
    return started


def tables_not_valid(session: Session, source_id: int, identifiers: list[str]) -> list[tuple[str, str, str]]:
    """(dataset, resource, status) of the current tables that are invalid or unreadable, among the active
    datasets a harvest of ``source_id`` published under ``identifiers`` — what its summary counts as published
    with errors (not a failure: the data is out, with its report)."""
    found: list[tuple[str, str, str]] = []
    for start in range(0, len(identifiers), 500):  # bounded IN lists, whatever the size of the source
        found += _tables_not_valid(session, source_id, identifiers[start:start + 500])
    return sorted(found)


def _tables_not_valid(session: Session, source_id: int, identifiers: list[str]) -> list[tuple[str, str, str]]:
    rows = session.exec(
        select(Dataset.name, Resource.name, ResourceVersion.validation_status)
        .join(Resource, Resource.dataset_id == Dataset.id)
        .join(ResourceVersion, Resource.current_version_id == ResourceVersion.id)
        .where(
            Dataset.source_id == source_id,
            Dataset.state == DatasetState.active,
            Dataset.source_identifier.in_(identifiers),  # type: ignore[union-attr]
            Resource.state == ResourceState.active,
            ResourceVersion.validation_status.in_(  # type: ignore[attr-defined]
                [ValidationStatus.invalid, ValidationStatus.error]
            ),
        )
    ).all()
    return [(dataset, resource, str(status)) for dataset, resource, status in rows]
