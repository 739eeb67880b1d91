"""``odp worker``: run queued harvests (and the schedule) on this machine; start any number, anywhere.

Each worker takes one harvest at a time from the Redis queue (harvesters/queue.py says why RQ, and how a
worker killed mid-harvest has its job finished by another); its scheduler thread enqueues due sources
(catalog/schedules.py: exactly once across all workers). SIGTERM lets the running harvest finish first
(RQ's warm shutdown); a second SIGTERM, or SIGKILL, leaves the job to be retried elsewhere.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer

from catalog.config import ConfigurationError, check_scaled_mode
from harvesters.queue import QueueUnavailable, make_worker, redis_connection, start_scheduler

from .console import console, fail
from .context import catalog


def worker(
    ctx: typer.Context,
    scheduler: Annotated[bool, typer.Option(help="Also enqueue due scheduled sources (safe on every worker)")] = True,
    burst: Annotated[bool, typer.Option("--burst", help="Run what is queued now, then exit")] = False,
    name: Annotated[str | None, typer.Option(help="This worker's name in Redis (default: host and pid)")] = None,
) -> None:
    """Run queued and scheduled harvests (needs ODP_REDIS_URL)."""
    settings = catalog(ctx).settings
    try:
        check_scaled_mode(settings)
    except ConfigurationError as exc:
        raise fail(str(exc), code=2) from None
    catalog(ctx).open()
    try:
        connection = redis_connection(settings)
        connection.ping()
    except QueueUnavailable as exc:
        raise fail(str(exc), code=2) from exc
    except Exception as exc:
        raise fail(f"cannot reach Redis at ODP_REDIS_URL: {exc}", code=2) from exc
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = threading.Event()
    if scheduler:  # on a connection of its own: RQ sets the worker's socket timeouts for its blocking reads
        start_scheduler(settings, redis_connection(settings), stop)
    rq_worker = make_worker(settings, connection, name=name)
    console.print(f"worker {rq_worker.name} on queue {rq_worker.queue_names()[0]}"
                  + (" with the scheduler" if scheduler else ""), highlight=False)
    try:
        rq_worker.work(burst=burst, with_scheduler=False)
    finally:
        stop.set()
