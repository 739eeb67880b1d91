"""The scaled deployment on loopback (PostgreSQL pass only): two ``odp serve`` nodes and two ``odp worker``s, each
with a data dir of its own, over one PostgreSQL catalog (and its search tables, ``ODP_SEARCH_BACKEND=postgres``),
one Redis and one S3 bucket (moto's server on loopback, tests/support/s3.py).

A scheduled data-package source is harvested by a worker; the worker holding the job is killed with SIGKILL in
the middle of it and the other finishes it, leaving a catalog with every dataset once; both API nodes answer
the same search results, downloads and rows at once, share one rate-limit counter, and when one node is
killed the other keeps answering. No node's data dir holds files or a search index: a node needs nothing
another one has. A node without ODP_SECRET_KEY refuses to start.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from rq import Worker
from sqlalchemy import func
from sqlmodel import select

from catalog.db import session_scope
from catalog.jobs import job_status_label
from catalog.models import Dataset, HarvestJob, HarvestSchedule, Resource, ResourceVersion
from catalog.vocabulary import JobStatus
from harvesters.queue import harvest_queue, redis_connection
from tests.support.catalog import copy_sample
from tests.support.queue import LEASE_SECONDS, REDIS_URL, queue_env, redis_prefix, wait_until, worker_process
from tests.support.s3 import ACCESS_KEY, REGION, SECRET_KEY, s3_server
from tests.support.servers import BIN, ROOT, env_for, free_port, odp

PARKING = "/api/v1/datasets/shanghai-public-parking-lots/resources/parking-lots"


@contextmanager
def api_node(env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``odp serve`` on a free loopback port; yields its URL and process once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "ab") as out:
        proc = subprocess.Popen([str(BIN / "odp"), "serve", "--port", str(port)], env=env | {"ODP_PUBLIC_URL": url},
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: proc.poll() is not None or _answers(url), 60, f"the API node on port {port}", 0.2)
        assert proc.poll() is None, log.read_text()
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_two_api_nodes_and_two_workers_share_one_catalog(settings, pg_database_url, packages, tmp_path):
    if not pg_database_url:
        pytest.skip("the scaled deployment runs in the PostgreSQL pass")
    for department in ("jtw", "mzj", "scjgj", "tjj"):
        copy_sample(f"{department}/*", packages)
    total = len(list(packages.rglob("datapackage.json")))
    with redis_prefix() as prefix, s3_server() as s3, ExitStack() as stack:
        # one commit per dataset (batches could publish past the "mid-harvest" window in one go)
        env = queue_env(env_for(settings.data_dir, settings.database_url), prefix) | {"ODP_COMMIT_BATCH_ITEMS": "1"}
        env |= {"ODP_RATE_LIMITS": "anonymous=1000/minute", "ODP_SEARCH_BACKEND": "postgres",
                "ODP_FILES_URL": f"s3://{s3.bucket}/portal", "ODP_S3_ENDPOINT_URL": s3.endpoint_url,
                "ODP_S3_ACCESS_KEY": ACCESS_KEY, "ODP_S3_SECRET_KEY": SECRET_KEY, "ODP_S3_REGION": REGION}
        own = {name: tmp_path / name / "var" for name in ("node1", "node2", "worker1", "worker2")}
        refused = odp("serve", "--port", str(free_port()), env={k: v for k, v in env.items() if k != "ODP_SECRET_KEY"})
        assert refused.returncode == 2 and "ODP_SECRET_KEY must be set" in refused.stderr

        added = odp("sources", "add", str(packages), "--schedule", "daily", env=env)
        assert added.returncode == 0, added.stderr
        nodes = [stack.enter_context(api_node(env | {"ODP_DATA_DIR": str(own[f"node{i}"])}, tmp_path / f"node{i}.log"))
                 for i in (1, 2)]
        workers = {f"{prefix}-w{i}": stack.enter_context(
            worker_process(env | {"ODP_DATA_DIR": str(own[f"worker{i}"])}, tmp_path / f"worker{i}.log",
                           "--name", f"{prefix}-w{i}")) for i in (1, 2)}
        _make_due(settings)  # the daily run comes due now; one of the workers' schedulers enqueues it

        wait_until(lambda: 2 <= _count(settings, Dataset) < total - 5, 120, "a worker to be mid-harvest")
        holder = _worker_holding_the_job(settings, prefix)
        workers[holder].send_signal(signal.SIGKILL)
        workers[holder].wait()
        finished = wait_until(lambda: _job(settings, JobStatus.finished), 120 + 4 * LEASE_SECONDS,
                              "the other worker to finish the harvest")

        with session_scope(settings) as session:
            jobs = session.exec(select(HarvestJob).order_by(HarvestJob.id)).all()
            assert [job_status_label(job) for job in jobs] == ["failed (abandoned)", "finished"]
            assert finished.failed == 0 and finished.added + finished.unchanged == total
            names = session.exec(select(Dataset.name)).all()
            assert len(names) == len(set(names)) == total
            assert _count(settings, ResourceVersion) == _count(settings, Resource)  # nothing stored twice
        assert len(harvest_queue(settings.model_copy(update={"redis_url": REDIS_URL, "redis_prefix": prefix}))) == 0
        with session_scope(settings) as session:
            stored = {v.stored_path for v in session.exec(select(ResourceVersion)).all()}
        assert stored <= {key.removeprefix("portal/") for key in s3.objects("portal/")}  # every file in the bucket

        (first, first_proc), (second, _) = nodes
        answers = [_what_a_client_sees(url) for url in (first, second)]
        assert answers[0] == answers[1]
        assert answers[0]["search"]["count"] >= 1 and answers[0]["rows"]
        remaining = [int(httpx.get(f"{url}/api/v1/datasets", timeout=10).headers["x-ratelimit-remaining"])
                     for url in (first, second, first)]
        assert remaining[0] > remaining[1] > remaining[2]  # one counter, in Redis, for both nodes

        first_proc.send_signal(signal.SIGKILL)
        first_proc.wait()
        assert _what_a_client_sees(second) == answers[1]  # the other node answers as before
        for data_dir in own.values():  # nothing in any node's data dir that another node would need
            assert not (data_dir / "files").exists() and not (data_dir / "index").exists()
            assert not (data_dir / "secret_key").exists()


def _make_due(settings) -> None:
    with session_scope(settings) as session:
        entry = session.exec(select(HarvestSchedule)).one()
        entry.next_run = entry.next_run.replace(year=2020)
        session.add(entry)
        session.commit()


def _worker_holding_the_job(settings, prefix: str) -> str:
    connection = redis_connection(settings.model_copy(update={"redis_url": REDIS_URL, "redis_prefix": prefix}))
    busy = [w.name for w in Worker.all(connection=connection) if w.name.startswith(prefix) and w.get_current_job_id()]
    assert len(busy) == 1, busy
    return busy[0]


def _what_a_client_sees(url: str) -> dict:
    with httpx.Client(base_url=url, timeout=30) as client:
        search = client.get("/api/v1/search", params={"q": "停车", "size": 50}).json()
        download = client.get(f"{PARKING}/download")
        rows = client.get(f"{PARKING}/rows", params={"_size": 20}).json()
    assert download.status_code == 200
    return {"search": {"count": search["count"], "facets": search["facets"],
                       "names": [hit["name"] for hit in search["results"]]},
            "download": hashlib.sha256(download.content).hexdigest(), "rows": rows["rows"]}


def _count(settings, model) -> int:
    with session_scope(settings) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _job(settings, status: JobStatus) -> HarvestJob | None:
    with session_scope(settings) as session:
        return session.exec(select(HarvestJob).where(HarvestJob.status == status)).first()
