"""Queued harvests: RQ on Redis carries harvest runs to ``odp worker`` processes on any number of machines.

Why RQ: the portal already runs Redis for shared rate limits and login throttles, so the queue adds a library,
not a service; an RQ job is a function and its arguments, which is all a harvest run is; and RQ retries a job
whose worker died (its lease in the started-job registry expires and the maintenance pass requeues it while
retries are left). A PostgreSQL queue would spare Redis, but the embedded default needs neither and the scaled
one has both; Celery brings a broker abstraction and a beat process we do not need.

How a killed worker's run ends the same as an uninterrupted one:

* Each worker runs one harvest at a time in its own process (:class:`LeasedWorker`, an RQ ``SimpleWorker``:
  no forked work horse that could outlive a SIGKILLed parent and harvest on beside the retry). A thread
  renews the job's lease every third of ``ODP_WORKER_LEASE_SECONDS``; SIGKILL stops the renewals, and after
  the lease runs out any worker's maintenance pass (every lease, under RQ's maintenance lock) requeues it.
* A harvest publishes one dataset per transaction, files content-addressed and written before the commit that
  references them (catalog/datasets/publishing.py). The killed run's open transaction dies with its
  connection; what it committed is ``unchanged`` to the retry, the rest is published by it; versions are
  keyed by content, so nothing is stored twice. The retry's end-of-run pass indexes what search is missing.
* The killed run's harvest job, left ``running``, is failed as *abandoned* by the retry, which carries the
  same queue job id (catalog/jobs.py): the queue gives a job to one worker at a time, so its previous holder
  is gone, on whatever host it ran.

The scheduler (:func:`run_scheduler_pass`) runs in every worker; catalog/schedules.py makes each due run
enqueued exactly once however many run it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.exceptions import LockError
from rq import Queue, Retry, SimpleWorker, get_current_job
from rq.job import Job

from catalog.config import Settings, get_settings
from catalog.db import session_scope
from catalog.schedules import claim_due_runs
from catalog.workers import machine_cores
from harvesters.base import run_harvest
from harvesters.sources import build_harvester

logger = logging.getLogger(__name__)


class QueueUnavailable(Exception):
    """Queued harvests need ``ODP_REDIS_URL`` (the message says so)."""


def redis_connection(settings: Settings) -> Redis:
    if not settings.redis_url:
        raise QueueUnavailable("queued harvests need Redis: set ODP_REDIS_URL (e.g. redis://127.0.0.1:6379/0); "
                               "without it `odp harvest` runs the harvest in this process")
    return Redis.from_url(settings.redis_url)


def harvest_queue(settings: Settings, connection: Redis | None = None) -> Queue:
    """This portal's harvest queue (its name carries ``ODP_REDIS_PREFIX``, so portals may share a Redis)."""
    return Queue(f"{settings.redis_prefix}-harvests", connection=connection or redis_connection(settings))


def enqueue_harvest(
    settings: Settings, kind: str, location: str, options: dict[str, Any] | None = None,
    *, connection: Redis | None = None, description: str | None = None,
) -> Job:
    """Put one harvest run on the queue; a worker runs it (see the module docstring for retries)."""
    build_harvester(kind, location, settings, options)  # a bad kind or option fails here, not on a worker
    return harvest_queue(settings, connection).enqueue(
        run_queued_harvest, kind, location, options or {},
        job_timeout=int(settings.harvest_job_timeout),
        retry=Retry(max=settings.harvest_retries) if settings.harvest_retries else None,
        result_ttl=7 * 24 * 3600, failure_ttl=30 * 24 * 3600,
        description=description or f"harvest {kind} {location}",
    )


def run_queued_harvest(kind: str, location: str, options: dict[str, Any]) -> dict[str, Any]:
    """What a worker runs: one harvest, as ``odp harvest`` would, recorded under the queue job's id."""
    settings = get_settings()
    job = get_current_job()
    harvester = build_harvester(kind, location, settings, options)
    result = run_harvest(harvester, settings=settings, workers=int(options.get("workers") or machine_cores()),
                         queue_job_id=job.id if job else None)
    return {"harvest_job": result.job.id, "status": str(result.job.status), **result.tally.as_dict(),
            "message": result.job.message}


@dataclass(frozen=True)
class Enqueued:
    source_url: str
    queue_job_id: str


def run_scheduler_pass(settings: Settings, connection: Redis) -> list[Enqueued]:
    """Enqueue every due scheduled source, once across all schedulers (catalog/schedules.py). The Redis lock
    only keeps the other schedulers from querying at the same moment; correctness is the claim's."""
    lock = connection.lock(f"{settings.redis_prefix}:scheduler", timeout=60, blocking=False)
    if not lock.acquire():
        return []
    try:
        with session_scope(settings) as session:
            due = claim_due_runs(session)
        enqueued = []
        for run in due:
            job = enqueue_harvest(settings, run.kind, run.url, run.options, connection=connection,
                                  description=f"scheduled harvest {run.kind} {run.url} (due {run.due:%Y-%m-%d %H:%M})")
            logger.info("scheduled harvest of %s enqueued as %s", run.url, job.id)
            enqueued.append(Enqueued(run.url, job.id))
        return enqueued
    finally:
        with contextlib.suppress(LockError):  # expired meanwhile: another scheduler may hold it now
            lock.release()


class LeasedWorker(SimpleWorker):
    """An RQ worker that runs each job in its own process and holds it on a short, renewed lease.

    RQ's default lease is the job timeout plus a minute, renewed by a forked horse's monitor; here there is
    no horse (see the module docstring), so a thread renews the lease while the job runs. A worker killed
    with SIGKILL stops renewing; its job is requeued one lease later."""

    lease_seconds = 60

    def get_heartbeat_ttl(self, job: Job) -> int:
        return self.lease_seconds

    def execute_job(self, job: Job, queue: Queue) -> None:
        stop = threading.Event()
        renewer = threading.Thread(target=self._renew_lease, args=(job, stop), name="odp-lease", daemon=True)
        renewer.start()
        try:
            super().execute_job(job, queue)
        finally:
            stop.set()
            renewer.join()

    def _renew_lease(self, job: Job, stop: threading.Event) -> None:
        while not stop.wait(max(self.lease_seconds / 3, 0.5)):
            try:
                self.maintain_heartbeats(job)
            except Exception:
                logger.warning("could not renew the lease of job %s", job.id, exc_info=True)


def start_scheduler(settings: Settings, connection: Redis, stop: threading.Event) -> threading.Thread:
    """Run :func:`run_scheduler_pass` every ``ODP_SCHEDULER_SECONDS`` in a background thread until ``stop``."""

    def loop() -> None:
        while True:
            try:
                run_scheduler_pass(settings, connection)
            except Exception:
                logger.exception("scheduler pass failed")
            if stop.wait(settings.scheduler_seconds):
                return

    thread = threading.Thread(target=loop, name="odp-scheduler", daemon=True)
    thread.start()
    return thread


def make_worker(settings: Settings, connection: Redis, name: str | None = None) -> LeasedWorker:
    lease = int(settings.worker_lease_seconds)
    worker = LeasedWorker(
        [harvest_queue(settings, connection)], connection=connection, name=name,
        # Idle workers wake every few seconds to run maintenance, which requeues jobs whose lease ran out.
        worker_ttl=max(lease, 5) + 15, maintenance_interval=lease, job_monitoring_interval=max(lease // 3, 1),
    )
    worker.lease_seconds = lease
    return worker
