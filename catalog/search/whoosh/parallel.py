"""Parallel full reindex: worker processes each write one segment, the parent commits them together.

This is what Whoosh's ``MpWriter(multisegment=True)`` does, with two differences that matter for
``odp reindex``: a worker that fails (or dies) fails the whole rebuild instead of silently dropping its
documents, and the workers write with the backend's current schema (so a rebuild upgrades an index made
by an older version).

The parent holds the index write lock for the whole rebuild; workers open the index without locking. The
parent only converts documents to field dicts and feeds them through a bounded queue, so memory stays
flat however many documents there are. Tokenizing (jieba) and Whoosh's posting work, the expensive parts,
run in the workers.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import queue
import threading
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

from catalog.search.base import SearchError

_log = logging.getLogger(__name__)

BATCH_SIZE = 250
_POLL_SECONDS = 0.5


def _worker(index_dir: str, indexname: str, schema: Any, tasks: Any, results: Any) -> None:
    try:
        from whoosh.filedb.filestore import FileStorage

        from catalog.search.tokenizer import get_jieba
        from catalog.search.whoosh.codec import segment_writer

        gc.disable()  # the pool holds millions of small lists; collecting them is wasted time here
        get_jieba()
        ix = FileStorage(index_dir).open_index(indexname)
        writer = segment_writer(ix, _lk=False)
        writer.schema = schema
        count = 0
        while True:
            batch = tasks.get()
            if batch is None:
                break
            for fields in batch:
                writer.add_document(**fields)
            count += len(batch)
        if count:
            segment = writer._finalize_segment()
        else:
            # nothing to write; not cancel(): that would delete the temporary folder all writers share
            segment = None
            writer._close_segment()
        results.put(("ok", segment, count))
    except BaseException:  # noqa: BLE001 - report everything, even KeyboardInterrupt, to the parent
        results.put(("error", traceback.format_exc(), 0))


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    # fork is fastest (the workers inherit the loaded jieba dictionary) but unsafe in a threaded process
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _batches(fields: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in fields:
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def parallel_rebuild(
    writer: Any,
    index_dir: str,
    schema: Any,
    fields: Iterable[dict[str, Any]],
    procs: int,
) -> int:
    """Index ``fields`` (Whoosh field dicts) with ``procs`` worker processes and commit the result, through
    ``writer`` (a locked ``SegmentWriter`` of the index), as the whole new content of the index. Returns
    the number of documents indexed. On any failure the index is left unchanged and the error raised."""
    ctx = _context()
    tasks = ctx.Queue(maxsize=procs * 2)
    results = ctx.Queue()
    args = (index_dir, writer.indexname, schema, tasks, results)
    workers = [
        ctx.Process(target=_worker, args=args, daemon=True, name=f"odp-reindex-{i}") for i in range(procs)
    ]
    reports: list[tuple[str, Any, int]] = []

    def receive(timeout: float) -> bool:
        try:
            report = results.get(timeout=timeout)
        except queue.Empty:
            return False
        if report[0] == "error":
            raise SearchError(f"a reindex worker failed:\n{report[1]}")
        reports.append(report)
        return True

    def check_workers() -> None:
        while receive(0.0):
            pass
        dead = [w for w in workers if not w.is_alive()]
        if dead:
            raise SearchError(f"reindex worker {dead[0].name} died (exit code {dead[0].exitcode})")

    try:
        for w in workers:
            w.start()
        for batch in _batches(iter(fields)):
            while True:
                try:
                    tasks.put(batch, timeout=_POLL_SECONDS)
                    break
                except queue.Full:
                    check_workers()
        for _ in workers:
            tasks.put(None)
        while len(reports) < len(workers):
            idle = not receive(_POLL_SECONDS)
            if idle and not any(w.is_alive() for w in workers) and not receive(1.0):
                raise SearchError("a reindex worker died without reporting")
        for w in workers:
            w.join()
    except BaseException:
        for w in workers:
            if w.is_alive():
                w.terminate()
            if w.pid is not None:
                w.join()
        writer.cancel()
        raise
    writer.schema = schema
    writer._close_segment()  # the parent's own segment stays empty
    writer._commit_toc([seg for _, seg, _ in reports if seg is not None])
    writer._finish()
    return sum(count for _, _, count in reports)
