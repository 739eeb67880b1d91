"""Harvests that hang: a per-item time budget in a killable worker, a cap on indexed text, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from catalog.config import get_settings
from catalog.datasets.queries import get_dataset
from catalog.db import session_scope
from catalog.models import HarvestJob
from catalog.search.base import SearchQuery
from catalog.search.indexing import get_search_backend, search_document
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.hostile import backtracking_pattern
from tests.support.packages import write_package

ODP = str(Path(sys.executable).with_name("odp"))


def with_env(monkeypatch, **values):
    for key, value in values.items():
        monkeypatch.setenv(key, str(value))
    get_settings.cache_clear()
    return get_settings()


def test_an_item_over_its_time_budget_fails_alone_and_the_worker_is_replaced(settings, packages, monkeypatch):
    # The budget bounds every item, the good ones too: 2 s failed zz-after on a busy machine (two test workers
    # and a harvest on two cores), where a fresh worker's first item can take that long.
    settings = with_env(monkeypatch, ODP_ITEM_TIMEOUT=5)
    write_package(packages, "aa-before")
    backtracking_pattern(packages, "mm-hangs")
    write_package(packages, "zz-after")  # needs a fresh worker: the one that hung was killed
    result = run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    assert result.job.status == "finished"
    assert result.tally.added == 2 and result.tally.failed == 1
    [error] = result.tally.errors
    assert error["item"].startswith("mm-hangs")
    assert "took longer than ODP_ITEM_TIMEOUT=5s" in error["message"]
    with session_scope(settings) as session:
        assert get_dataset(session, "zz-after").resources[0].current.validation_status == "valid"


def test_indexed_text_is_capped_but_the_catalog_keeps_it_whole(settings, packages, monkeypatch):
    settings = with_env(monkeypatch, ODP_INDEX_FIELD_CHARS=100)
    text = "测" * 20_000  # one repeated character: the shape that makes jieba quadratic
    # (the title column holds 500 characters, so the long run goes into the description)
    write_package(packages, "long-text", title="标" * 400, description=text, keywords=["词" * 80] * 3)
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.added == 1
    with session_scope(settings) as session:
        view = get_dataset(session, "long-text")
        doc = search_document(view, settings)
    assert view.dataset.description == text
    assert (len(doc.title), len(doc.description), sum(map(len, doc.keywords))) == (100, 100, 100)
    hits = get_search_backend(settings).search(SearchQuery(q="测测"))
    assert [h.name for h in hits.hits] == ["long-text"]


def running_job(settings) -> HarvestJob | None:
    with session_scope(settings) as session:
        return session.exec(select(HarvestJob).where(HarvestJob.status == "running")).first()


def test_sigterm_marks_the_job_failed(settings, packages, monkeypatch):
    backtracking_pattern(packages, "hangs")  # keeps the harvest busy until the signal
    env = {**os.environ, "ODP_ITEM_TIMEOUT": "60"}
    proc = subprocess.Popen([ODP, "harvest", str(packages)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while running_job(settings) is None:
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the harvest never started its job"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signal.SIGTERM, output
    with session_scope(settings) as session:
        [job] = session.exec(select(HarvestJob)).all()
    assert job.status == "failed" and job.message == "stopped by SIGTERM"
    assert "its job is marked failed" in output


@pytest.fixture(autouse=True)
def _no_cached_settings():
    yield
    get_settings.cache_clear()


def test_a_worker_gets_the_parents_settings_not_its_environment(monkeypatch, tmp_path):
    """Workers rebuild the parent's Settings from its values — once per worker, and without reading the
    environment again (an environment that differs, as a worker's may, must not win)."""
    from catalog.config import Settings
    from catalog.datasets.publishing import _settings_from, _worker_settings

    parent = Settings(data_dir=tmp_path / "var", item_timeout=9, rate_limits="key=5/minute")
    monkeypatch.setenv("ODP_ITEM_TIMEOUT", "5")
    monkeypatch.setenv("ODP_DATA_DIR", str(tmp_path / "elsewhere"))
    _settings_from.cache_clear()
    rebuilt = _worker_settings(parent.model_dump())
    assert rebuilt == parent and rebuilt.item_timeout == 9 and rebuilt.data_dir == tmp_path / "var"
    assert _worker_settings(parent.model_dump()) is rebuilt  # built once for the same values
