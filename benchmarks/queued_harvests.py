"""Queued harvest throughput: the same sources harvested by 1 and by 2 ``odp worker`` processes.

    python benchmarks/queued_harvests.py [--sources 4] [--datasets 500] [--workers 1 2] [--write]

``--sources`` loopback CKAN sites (benchmarks/harvest.py's stub, each in its own process, with datasets numbered
apart so no two sites share one) of ``--datasets`` datasets each (metadata and one small CSV with its Table
Schema) are queued with ``odp harvest URL --queue``; then N workers run in burst mode (each exits when the
queue is empty) over a fresh PostgreSQL database (127.0.0.1:5432) and Redis (127.0.0.1:6379), as in the scaled
topology. The figure is the wall time from the workers' start to the last one's exit, and datasets per
second over all sources. One harvest job runs on one worker, so a second worker helps when several sources
are due at once, not within one source (``--workers`` of a source's options does that, per harvest).
``--write`` replaces the "## Queued harvests" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import redis
from harvest import machine, serve_site
from report import replace_section
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECTION = "## Queued harvests"
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


def start_sites(sources: int, datasets: int) -> tuple[list[str], list[multiprocessing.Process]]:
    ready: multiprocessing.Queue = multiprocessing.Queue()
    sites = []
    for n in range(sources):
        site = multiprocessing.Process(target=serve_site, args=(datasets, True, ready, n * datasets), daemon=True)
        site.start()
        sites.append(site)
    return [f"http://127.0.0.1:{ready.get(timeout=30)}" for _ in sites], sites


def fresh_database() -> str:
    name = f"odp_bench_queue_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(url: str) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def drop_queue(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    queue = f"{prefix}-harvests"
    jobs = {m.split(b":")[0] for r in ("finished", "failed", "wip") for m in client.zrange(f"rq:{r}:{queue}", 0, -1)}
    keys = [f"rq:job:{j.decode()}" for j in jobs] + [f"rq:results:{j.decode()}" for j in jobs]
    keys += list(client.scan_iter(f"*{prefix}*"))
    if keys:
        client.delete(*keys)


def run(urls: list[str], workers: int) -> float:
    """Seconds from the workers' start to the last exit, all of ``urls`` queued first."""
    database, prefix = fresh_database(), f"bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="odp-bench-queue-") as data_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODP_")} | {
            "ODP_DATA_DIR": data_dir, "ODP_DATABASE_URL": database, "ODP_SECRET_KEY": "benchmark-secret",
            "ODP_REDIS_URL": REDIS_URL, "ODP_REDIS_PREFIX": prefix, "NO_PROXY": "127.0.0.1",
        }
        try:
            for url in urls:
                subprocess.run([str(BIN / "odp"), "harvest", url, "--queue"], env=env, cwd=ROOT, check=True,
                               capture_output=True)
            started = time.perf_counter()
            procs = [subprocess.Popen([str(BIN / "odp"), "worker", "--burst", "--no-scheduler"], env=env, cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
            for proc in procs:
                proc.wait()
            seconds = time.perf_counter() - started
            check = subprocess.run([str(BIN / "odp"), "jobs", "--json"], env=env, cwd=ROOT, check=True,
                                   capture_output=True, text=True).stdout
            if check.count('"status": "finished"') != len(urls):
                raise SystemExit(f"not every harvest finished:\n{check[:3000]}")
            return seconds
        finally:
            drop_database(database)
            drop_queue(prefix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=4)
    parser.add_argument("--datasets", type=int, default=500, help="datasets per source")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    where = machine()
    urls, sites = start_sites(args.sources, args.datasets)
    total = args.sources * args.datasets
    lines = []
    try:
        for workers in args.workers:
            seconds = run(urls, workers)
            line = f"| {workers} | {args.sources} × {args.datasets} | {seconds:.1f} s | {total / seconds:.0f} |"
            print(line, flush=True)
            lines.append(line)
    finally:
        for site in sites:
            site.terminate()
    end_load = os.getloadavg()[0]
    text_ = "\n".join([
        SECTION, "",
        (f"`python benchmarks/queued_harvests.py --sources {args.sources} --datasets {args.datasets}`, {date.today()};"
         f" {where}, {end_load:.1f} at the end. Each source is a loopback CKAN site (one small CSV with its Table"
         " Schema per dataset); all are queued, then the workers run in burst mode over PostgreSQL and Redis on the"
         " same machine. Wall time from the workers' start to the last exit."), "",
        "| workers | sources × datasets | wall time | datasets/s |",
        "|---:|---|---:|---:|",
        *lines, "",
        ("One harvest runs on one worker: a second worker takes the next source, so it helps when several sources"
         " are due at once. On a machine whose cores are already busy the second worker has little to run on."),
    ])
    print(text_)
    if args.write:
        replace_section(SECTION, text_)


if __name__ == "__main__":
    main()
