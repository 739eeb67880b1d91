"""A harvest killed with SIGKILL at several points, then a plain re-run: search finds every dataset the
catalog has, without `odp reindex`, and the killed jobs read ``failed (abandoned)``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from catalog.db import session_scope
from catalog.jobs import job_status_label
from catalog.models import Dataset, HarvestJob
from catalog.search.indexing import get_search_backend
from tests.support.packages import write_package

ODP = str(Path(sys.executable).with_name("odp"))
PACKAGES = 12
KILL_AT = (2, 6, 10)  # kill when the catalog has this many datasets


def catalog_count(settings) -> int:
    with session_scope(settings) as session:
        return session.exec(
            select(func.count()).select_from(Dataset).where(Dataset.state == "active", Dataset.open_class != "closed")
        ).one()


def search_count(settings) -> int:
    return get_search_backend(settings).doc_count() if settings.index_dir.exists() else 0


def odp_harvest(folder: Path) -> subprocess.Popen:
    # The index is committed only at the end, so a kill always leaves committed datasets unindexed; each dataset
    # is committed on its own, so the kills land between datasets.
    env = {**os.environ, "ODP_INDEX_COMMIT_SECONDS": "3600", "ODP_COMMIT_BATCH_ITEMS": "1"}
    return subprocess.Popen([ODP, "harvest", str(folder)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def kill_when_catalog_has(proc: subprocess.Popen, settings, count: int) -> None:
    deadline = time.monotonic() + 90
    while proc.poll() is None and catalog_count(settings) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_a_killed_harvest_heals_on_the_next_plain_run(settings, packages):
    for i in range(PACKAGES):
        write_package(packages, f"pkg-{i:02d}", title=f"停车场 {i:02d}")
    gaps_seen = []
    for count in KILL_AT:
        kill_when_catalog_has(odp_harvest(packages), settings, count)
        gaps_seen.append(catalog_count(settings) - search_count(settings))
    assert gaps_seen[0] > 0  # the kill did leave committed datasets out of the index

    rerun = odp_harvest(packages)
    assert rerun.wait(timeout=120) == 0

    assert catalog_count(settings) == PACKAGES
    assert search_count(settings) == PACKAGES
    with session_scope(settings) as session:
        jobs = session.exec(select(HarvestJob).order_by(HarvestJob.id)).all()
    labels = [job_status_label(job) for job in jobs]
    assert labels == ["failed (abandoned)"] * len(KILL_AT) + ["finished"]
