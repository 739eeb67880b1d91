"""Queued harvests in tests: ``odp worker`` subprocesses on a Redis prefix of their own, removed afterwards.

Workers run with a short lease (``ODP_WORKER_LEASE_SECONDS``), so that the job of a worker killed with SIGKILL
is handed to another within seconds, and a scheduler that looks every second.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.support.servers import BIN, ROOT

REDIS_URL = "redis://127.0.0.1:6379/0"
LEASE_SECONDS = 3


def queue_env(env: dict[str, str], prefix: str) -> dict[str, str]:
    return env | {"ODP_REDIS_URL": REDIS_URL, "ODP_REDIS_PREFIX": prefix,
                  "ODP_WORKER_LEASE_SECONDS": str(LEASE_SECONDS), "ODP_SCHEDULER_SECONDS": "1"}


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A fresh prefix; afterwards its keys, its queue's registries and their jobs are deleted."""
    prefix = f"odp-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    queue = f"{prefix}-harvests"
    job_ids = set(client.lrange(f"rq:queue:{queue}", 0, -1))
    for registry in ("wip", "finished", "failed", "scheduled", "deferred", "canceled"):
        job_ids |= {member.split(b":")[0] for member in client.zrange(f"rq:{registry}:{queue}", 0, -1)}
    keys = [f"rq:job:{job.decode()}" for job in job_ids] + [f"rq:results:{job.decode()}" for job in job_ids]
    keys += [key for key in client.scan_iter(f"*{prefix}*")]
    if keys:
        client.delete(*keys)


@contextmanager
def worker_process(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen]:
    """``odp worker`` in a subprocess (its output in ``log``); stopped at the end unless already dead."""
    with open(log, "ab") as out:
        proc = subprocess.Popen([str(BIN / "odp"), "worker", *args], env=env, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.05) -> object:
    """Poll ``condition`` until it returns something true; AssertionError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)
