"""Killable worker processes for the slow per-item work of a harvest (store, validate, convert).

Why a process and not a thread: frictionless checks a schema ``pattern`` with Python's backtracking ``re``,
and a pattern like ``(a+)+$`` against ``aaaa…!`` runs for ever inside one C call that no thread can
interrupt. Only killing the process that runs it gives the harvest back. So every task runs in a pool of
persistent workers (a harvest publishes tens of datasets a second: a new process per resource would cost
more than the work), and a task that overruns its budget has its worker killed and replaced while the
harvest fails that item alone (:class:`ItemTimeout`).

The pool is ``pebble.ProcessPool`` (per-task timeout that kills the worker) over a *forkserver* context:
the harvest process holds database connections, an index writer and threads, none of which a forked child
may inherit. Tasks take and return plain data (paths, dicts, dataclasses of them) and must be module-level
functions. ``worker_pool(size)`` is shared per process, so ``odp harvest --workers N`` can reuse it.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import ParamSpec, TypeVar

from pebble import ProcessExpired, ProcessPool

P = ParamSpec("P")
T = TypeVar("T")


class ItemTimeout(Exception):
    """A task took longer than its budget; its worker was killed (the message is for the harvest report)."""


class WorkerDied(Exception):
    """The worker process died while running a task (killed from outside, out of memory, a crash)."""


def machine_cores() -> int:
    """The cores this process may run on: ``odp harvest``'s default number of workers."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_POOLS: dict[int, ProcessPool] = {}
_GUARD = threading.Lock()


def _context(preload: list[str]) -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The fork server imports these once; every worker (and each replacement of a killed one) is forked
    # from it with them loaded, instead of importing frictionless and pyarrow again. Only effective before
    # the fork server starts.
    context.set_forkserver_preload(preload)
    return context


def worker_pool(size: int = 1, preload: list[str] | None = None) -> ProcessPool:
    """The process's pool of ``size`` persistent workers, started on first use; ``preload`` names modules
    its workers start with (the tasks' modules)."""
    with _GUARD:
        pool = _POOLS.get(size)
        if pool is None or not pool.active:
            pool = ProcessPool(max_workers=size, context=_context(preload or []))
            _POOLS[size] = pool
        return pool


def run_with_budget(
    task: Callable[P, T], budget: float, *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run ``task(*args, **kwargs)`` in a worker; raise :class:`ItemTimeout` after ``budget`` seconds.

    Exceptions raised by the task come back as they are (they must pickle)."""
    future = worker_pool(preload=[task.__module__]).submit(task, max(budget, 0.001), *args, **kwargs)
    return _outcome(future, budget)


class TaskGroup:
    """The tasks one parallel harvest runs at once, in the shared pool of ``size`` workers.

    Several threads of the harvest call :meth:`run` at the same time (one item each). :meth:`cancel` (the
    harvest is stopping: SIGTERM, an error outside any item) kills the workers running this group's tasks —
    and no other harvest's — and refuses new ones, so no worker outlives the job it worked for."""

    def __init__(self, size: int):
        self.size = size
        self._running: set[Future] = set()
        self._lock = threading.Lock()
        self._cancelled = False

    def run(self, task: Callable[P, T], budget: float, *args: P.args, **kwargs: P.kwargs) -> T:
        """As :func:`run_with_budget`, in this group's pool; raise CancelledError once the group is cancelled."""
        with self._lock:
            if self._cancelled:
                raise CancelledError("the harvest is stopping")
            pool = worker_pool(self.size, preload=[task.__module__])
            future = pool.submit(task, max(budget, 0.001), *args, **kwargs)
            self._running.add(future)
        try:
            return _outcome(future, budget)
        finally:
            with self._lock:
                self._running.discard(future)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            running = list(self._running)
        for future in running:
            future.cancel()  # a running pebble task: its worker is killed and replaced


def _outcome(future: Future, budget: float) -> T:
    try:
        return future.result()
    except FutureTimeout:
        raise ItemTimeout(f"took longer than {budget:g} s") from None
    except ProcessExpired as exc:
        raise WorkerDied(f"the worker process died ({exc})") from None
    except BaseException:
        future.cancel()  # interrupted (SIGTERM, Ctrl-C): stop the task's worker too
        raise


@atexit.register
def stop_workers() -> None:
    """Stop every pool of this process (their workers are killed, not waited for)."""
    with _GUARD:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.stop()
        pool.join(timeout=5)
