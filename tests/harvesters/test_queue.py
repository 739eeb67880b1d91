"""Queued harvests: ``odp sources``, ``odp harvest --queue``, ``odp worker``, and a worker killed mid-harvest.

The SIGKILL test is the promise of harvesters/queue.py: the job of a worker killed with SIGKILL in the middle
of a harvest is finished by another worker, and the catalog ends as one uninterrupted harvest leaves it —
every dataset once, every resource with one version, the files there, search whole, nothing left to change —
while the killed attempt's harvest job is failed as abandoned rather than left running.
"""

from __future__ import annotations

import json
import signal
import threading

import pytest
from rq import Queue
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from catalog.db import session_scope
from catalog.jobs import job_status_label
from catalog.models import Dataset, HarvestJob, HarvestSchedule, Resource, ResourceVersion
from catalog.search.indexing import index_gaps
from catalog.vocabulary import JobStatus
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from harvesters.queue import harvest_queue, redis_connection, run_scheduler_pass
from portal.cli import app as odp_app
from tests.support.catalog import copy_sample
from tests.support.queue import LEASE_SECONDS, queue_env, redis_prefix, wait_until, worker_process
from tests.support.servers import env_for, odp


def cli(*args: str):
    return CliRunner().invoke(odp_app, list(args), catch_exceptions=False)


@pytest.fixture
def prefix():
    with redis_prefix() as name:
        yield name


def test_sources_are_added_listed_paused_and_removed(settings, packages):
    copy_sample("jtw/*", packages)
    added = cli("sources", "add", str(packages), "--schedule", "30 2 * * *")
    assert added.exit_code == 0, added.output
    assert "30 2 * * *, next run" in added.output
    listed = json.loads(cli("sources", "list", "--json").output)["sources"]
    assert [(s["kind"], s["schedule"], s["paused"]) for s in listed] == [("datapackage", "30 2 * * *", False)]
    assert cli("sources", "pause", "1").exit_code == 0
    assert json.loads(cli("sources", "list", "--json").output)["sources"][0]["next_run"] is None
    assert "resumed, next run" in cli("sources", "resume", str(listed[0]["url"])).output
    assert cli("sources", "remove", "1").exit_code == 0
    assert json.loads(cli("sources", "list", "--json").output)["sources"][0]["schedule"] is None
    assert cli("sources", "remove", "1").exit_code == 1  # no schedule left to remove
    assert cli("sources", "pause", "9").exit_code == 1  # no such source


@pytest.mark.parametrize(("args", "message"), [
    (["https://data.example.gov.cn", "--schedule", "sometimes"], "is not a schedule"),
    (["https://data.example.gov.cn", "--kind", "csw"], "--kind must be datapackage, ckan or dcat"),
    (["ftp://data.example.gov.cn", "--kind", "dcat"], "http"),
])
def test_a_bad_source_is_refused_when_added_not_on_a_worker_at_night(settings, args, message):
    refused = CliRunner().invoke(odp_app, ["sources", "add", *args])
    assert refused.exit_code == 2 and message in refused.output
    with session_scope(settings) as session:
        assert session.exec(select(HarvestSchedule)).all() == []


def test_queueing_needs_redis_and_says_so(settings, packages, monkeypatch):
    monkeypatch.delenv("ODP_REDIS_URL", raising=False)
    refused = CliRunner().invoke(odp_app, ["harvest", str(packages), "--queue"])
    assert refused.exit_code == 2 and "ODP_REDIS_URL" in refused.output


def test_due_sources_are_enqueued_once_by_concurrent_schedulers(settings, packages, prefix):
    copy_sample("jtw/*", packages)
    assert cli("sources", "add", str(packages), "--schedule", "hourly").exit_code == 0
    with session_scope(settings) as session:
        entry = session.exec(select(HarvestSchedule)).one()
        entry.next_run = entry.next_run.replace(year=2020)  # due long ago
        session.add(entry)
        session.commit()
    current = settings.model_copy(update={"redis_url": "redis://127.0.0.1:6379/0", "redis_prefix": prefix})
    connection = redis_connection(current)
    start = threading.Barrier(4)
    enqueued: list = []

    def scheduler() -> None:
        start.wait()
        enqueued.extend(run_scheduler_pass(current, connection))

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue: Queue = harvest_queue(current, connection)
    assert len(enqueued) == 1 and queue.job_ids == [enqueued[0].queue_job_id]
    assert run_scheduler_pass(current, connection) == []  # not due again until the next hour


@pytest.mark.sqlite_only  # the multi-node test (tests/test_scaled_deployment.py) kills a worker on PostgreSQL
def test_a_worker_killed_mid_harvest_leaves_a_job_another_worker_finishes_the_same(settings, packages, prefix,
                                                                                    tmp_path):
    for department in ("jtw", "mzj", "scjgj", "tjj"):
        copy_sample(f"{department}/*", packages)
    total = len(list(packages.rglob("datapackage.json")))
    # one commit per dataset: a batch could publish past the "mid-harvest" window below in one go
    env = queue_env(env_for(settings.data_dir, settings.database_url), prefix) | {"ODP_COMMIT_BATCH_ITEMS": "1"}
    with worker_process(env, tmp_path / "first.log", "--no-scheduler") as first:
        queued = odp("harvest", str(packages), "--queue", env=env)
        assert queued.returncode == 0, queued.stderr
        wait_until(lambda: 2 <= _datasets(settings) < total - 5, 120, "the first worker to be mid-harvest")
        first.send_signal(signal.SIGKILL)
        first.wait()
    killed_at = _datasets(settings)
    assert killed_at < total
    with worker_process(env, tmp_path / "second.log", "--no-scheduler"):
        finished = wait_until(lambda: _job_with(settings, JobStatus.finished), 120 + 4 * LEASE_SECONDS,
                              "the second worker to finish the job")
    with session_scope(settings) as session:
        jobs = session.exec(select(HarvestJob).order_by(HarvestJob.id)).all()
        assert [job_status_label(job) for job in jobs] == ["failed (abandoned)", "finished"]
        assert "was retried" in jobs[0].message  # known from the queue, not from the pid (another host's)
        assert finished.failed == 0 and finished.added + finished.unchanged == total
        assert finished.unchanged >= killed_at  # what the killed attempt committed is not published again
        names = session.exec(select(Dataset.name)).all()
        assert len(names) == len(set(names)) == total
        resources = session.exec(select(func.count()).select_from(Resource)).one()
        versions = session.exec(select(ResourceVersion)).all()
        assert len(versions) == resources  # one version per resource: nothing stored twice
        assert all((settings.files_dir / v.stored_path).is_file() for v in versions)
        assert index_gaps(session) == []
    again = run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    assert (again.tally.added, again.tally.updated, again.tally.failed) == (0, 0, 0)  # nothing left half-done


def _datasets(settings) -> int:
    with session_scope(settings) as session:
        return session.exec(select(func.count()).select_from(Dataset)).one()


def _job_with(settings, status: JobStatus) -> HarvestJob | None:
    with session_scope(settings) as session:
        return session.exec(select(HarvestJob).where(HarvestJob.status == status)).first()
