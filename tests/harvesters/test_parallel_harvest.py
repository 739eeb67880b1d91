"""``odp harvest --workers N``: the same catalog as one worker, failures still alone.

The oracle is the one-worker harvest of the same packages into a fresh catalog: every row of the catalog
(datasets, departments, resources, versions with their validation reports; timestamps aside), the bytes of
every stored file and Parquet, the job's counts and messages, and what search finds must be equal.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import select
from typer.testing import CliRunner

from catalog.config import Settings
from catalog.db import session_scope
from catalog.models import Dataset, Department, HarvestJob, Resource, ResourceVersion
from catalog.search.base import SearchQuery
from catalog.search.indexing import get_search_backend
from catalog.storage import LocalFileStore
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.catalog import copy_sample, fresh_settings, release
from tests.support.hostile import backtracking_pattern
from tests.support.packages import PARKING_SCHEMA, csv_text, write_package


def _corpus(folder: Path) -> None:
    """Sample packages (CSV and XLSX, valid and not) and generated ones: valid tables the fast path takes,
    invalid ones frictionless reports, identical files in several packages (stored at once by two workers),
    refused metadata, a broken descriptor, and two items publishing the same dataset name."""
    copy_sample("shanghai-*", folder)
    for i in range(8):
        rows = [(n, f"停车场 {n}", "浦东新区", 100 + n) for n in range(1, 20 + i)]
        write_package(folder, f"gen-valid-{i}", csv=csv_text(rows))
    for i in range(3):
        write_package(folder, f"gen-same-bytes-{i}")  # the same CSV three times
    write_package(folder, "gen-type-error", csv=csv_text([(1, "a", "b", "many"), (2, "c", "d", 3)]))
    write_package(folder, "gen-duplicate-key", csv=csv_text([(1, "a", "b", 1), (1, "c", "d", 3)]))
    write_package(folder, "gen-bad-domain", domain="nowhere")
    bad = folder / "gen-broken-descriptor"
    bad.mkdir()
    (bad / "datapackage.json").write_text("{not json", encoding="utf-8")
    for side in ("a", "b"):  # two items, one dataset name: the second updates what the first published
        write_package(folder / f"twice-{side}", "gen-twice", csv=csv_text([(1, side, "x", 1)]))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        # a validation report's elapsed seconds, a personal-information scan's time
        return {k: _plain(v) for k, v in value.items() if k not in ("time", "scanned")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return None if isinstance(value, datetime) else value


def _file_digest(store: LocalFileStore, relpath: str | None) -> str | None:
    return hashlib.sha256(store.path(relpath).read_bytes()).hexdigest() if relpath else None


def _snapshot(settings: Settings, result: Any) -> dict[str, Any]:
    store = LocalFileStore(settings.files_dir)
    with session_scope(settings) as session:
        rows = {
            model.__name__: [_plain(r.model_dump()) for r in session.exec(select(model).order_by(model.id))]
            for model in (Dataset, Department, Resource)
        }
        versions = []
        for version in session.exec(select(ResourceVersion).order_by(ResourceVersion.id)):
            row = _plain(version.model_dump())
            row["stored_bytes"] = _file_digest(store, version.stored_path)
            row["parquet_bytes"] = _file_digest(store, version.parquet_path)
            versions.append(row)
        job = session.get(HarvestJob, result.job.id)
        job_row = (job.status, job.added, job.updated, job.unchanged, job.withdrawn, job.failed, job.message)
    found = get_search_backend(settings).search(SearchQuery(q="停车场", size=100))
    return {
        **rows,
        "versions": versions,
        "job": job_row,
        "tally": result.tally.as_dict(),
        "errors": result.tally.errors,
        "outcomes": result.outcomes,
        "search": (found.count, sorted(h.name for h in found.hits)),
    }


def _harvest_twice(folder: Path, settings: Settings, workers: int) -> list[dict[str, Any]]:
    """A first harvest, then a second after one package changed (updated / unchanged outcomes)."""
    first = run_harvest(DataPackageHarvester(folder, settings), settings=settings, workers=workers)
    snapshots = [_snapshot(settings, first)]
    write_package(folder, "gen-valid-0", csv=csv_text([(9, "新", "黄浦区", 9)]))
    second = run_harvest(DataPackageHarvester(folder, settings), settings=settings, workers=workers)
    snapshots.append(_snapshot(settings, second))
    return snapshots


def test_two_workers_give_the_catalog_one_worker_gives(settings, tmp_path, monkeypatch, pg_database_url):
    serial_folder, parallel_folder = tmp_path / "serial", tmp_path / "parallel"
    _corpus(serial_folder)
    _corpus(parallel_folder)
    serial = _harvest_twice(serial_folder, settings, workers=1)
    # A fresh catalog (on PostgreSQL: the same database, emptied) for the parallel run.
    parallel_settings = fresh_settings(tmp_path / "var-parallel", monkeypatch, pg_database_url)
    try:
        parallel = _harvest_twice(parallel_folder, parallel_settings, workers=2)
    finally:
        release(parallel_settings, pg_database_url)

    first = serial[0]
    assert first["tally"]["failed"] >= 2 and first["tally"]["added"] > 20, first["errors"]
    assert {"valid", "invalid"} <= {v["validation_status"] for v in first["versions"]}
    assert all(v["parquet_bytes"] for v in first["versions"] if v["validation_status"] == "valid")
    assert serial[1]["tally"]["updated"] == 3  # gen-valid-0, and gen-twice twice (a, then b again)
    for one, two in zip(serial, parallel, strict=True):
        for key in one:
            assert json.dumps(two[key], sort_keys=True, default=str) == json.dumps(
                one[key], sort_keys=True, default=str
            ), key


def test_a_hanging_item_fails_alone_with_two_workers(settings, packages, monkeypatch):
    monkeypatch.setenv("ODP_ITEM_TIMEOUT", "3")
    from catalog.config import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    write_package(packages, "aa-before")
    backtracking_pattern(packages, "bb-hangs")
    for i in range(4):  # published by the other worker while one hangs, then by a replaced one
        write_package(packages, f"cc-after-{i}", csv=csv_text([(i, "x", "y", i)]))
    (packages / "dd-broken").mkdir()
    (packages / "dd-broken" / "datapackage.json").write_text("[]", encoding="utf-8")
    result = run_harvest(DataPackageHarvester(packages, settings), settings=settings, workers=2)
    assert result.job.status == "finished"
    assert (result.tally.added, result.tally.failed) == (5, 2), result.tally.errors
    by_item = {e["item"].split("/")[0]: e["message"] for e in result.tally.errors}
    assert "took longer than ODP_ITEM_TIMEOUT=3s" in by_item["bb-hangs"]
    assert "dd-broken" in by_item
    assert list(result.outcomes) == sorted(result.outcomes)  # reported in item order
    with session_scope(settings) as session:
        states = dict(session.exec(select(Dataset.name, Dataset.state)).all())
    assert set(states) == {"aa-before", *(f"cc-after-{i}" for i in range(4))}


def test_two_parallel_harvests_at_once(settings, tmp_path):
    """Two harvests of two workers each in one process: each one's task group is its own."""
    folders = []
    for side in ("east", "west"):
        for i in range(5):
            write_package(tmp_path / side, f"{side}-{i}", csv=csv_text([(i, side, "x", i)]))
        folders.append(tmp_path / side)
    results, errors = {}, []

    def harvest(folder: Path) -> None:
        try:
            results[folder.name] = run_harvest(DataPackageHarvester(folder, settings), settings=settings, workers=2)
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=harvest, args=(f,)) for f in folders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert [(r.job.status, r.tally.added, r.tally.failed) for r in results.values()] == [("finished", 5, 0)] * 2


def test_cli_workers_option(settings, packages):
    from portal.cli import app

    for i in range(3):
        write_package(packages, f"cli-{i}", resource={"schema": PARKING_SCHEMA})
    outcome = CliRunner().invoke(app, ["harvest", str(packages), "--workers", "2"])
    assert outcome.exit_code == 0, outcome.output
    with session_scope(settings) as session:
        assert len(session.exec(select(Dataset)).all()) == 3
    refused = CliRunner().invoke(app, ["harvest", str(packages), "--workers", "0"])
    assert refused.exit_code == 2


def test_sigterm_stops_a_parallel_harvest_and_its_workers(settings, packages):
    """Both workers busy on items that would hang for a minute: SIGTERM ends the harvest at once (their
    tasks are cancelled, the workers killed) and marks the job failed, as with one worker."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from catalog.models import HarvestJob

    for name in ("hangs-1", "hangs-2", "hangs-3"):
        backtracking_pattern(packages, name)
    marker = f"odp-parallel-test-{os.getpid()}-{time.time_ns()}"  # inherited by the fork server and workers
    env = {**os.environ, "ODP_ITEM_TIMEOUT": "600", "ODP_TEST_MARKER": marker}
    odp = str(Path(sys.executable).with_name("odp"))
    proc = subprocess.Popen([odp, "harvest", str(packages), "--workers", "2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            with session_scope(settings) as session:
                if session.exec(select(HarvestJob)).first() is not None:
                    break
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the harvest never started its job"
            time.sleep(0.05)
        time.sleep(2)  # let both workers start on their items
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)  # far less than ODP_ITEM_TIMEOUT: the tasks were cancelled
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signal.SIGTERM, output
    with session_scope(settings) as session:
        [job] = session.exec(select(HarvestJob)).all()
    assert job.status == "failed" and job.message == "stopped by SIGTERM"
    left = time.monotonic() + 30  # the fork server and the killed workers go once their parent has gone
    while _marked_processes(marker) and time.monotonic() < left:
        time.sleep(0.2)
    assert not _marked_processes(marker)


def _marked_processes(marker: str) -> list[int]:
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def test_a_ckan_harvest_with_two_workers_keeps_each_items_files_until_it_is_published(settings, tmp_path):
    """The CKAN harvester downloads ahead and deletes an item's files once the loop releases it: with two
    workers several fetched items are in flight, and each must still find its own bytes."""
    from harvesters.ckan import CkanHarvester
    from tests.harvesters.test_ckan import PortalB
    from tests.support.servers import portal_server

    b = PortalB(tmp_path)
    for i in range(6):
        write_package(b.packages, f"remote-{i}", csv=csv_text([(n, f"场 {i}", "区", n) for n in range(1, 3 + i)]))
    b.harvest()
    with portal_server(b.env) as url:
        harvester = CkanHarvester(url, settings)
        result = run_harvest(harvester, settings=settings, workers=2)
    assert result.tally.as_dict()["added"] == 6 and not result.tally.errors, result.tally.errors
    assert not harvester._done  # every item's downloads released
    store = LocalFileStore(settings.files_dir)
    with session_scope(settings) as session:
        for i in range(6):
            [version] = session.exec(
                select(ResourceVersion).join(Resource, ResourceVersion.resource_id == Resource.id)
                .join(Dataset, Resource.dataset_id == Dataset.id).where(Dataset.name == f"remote-{i}")
            ).all()
            original = (b.packages / f"remote-{i}" / "data" / "table.csv").read_bytes()
            assert store.path(version.stored_path).read_bytes() == original
            assert version.validation_status == "valid"
