"""The search index converges on the catalog: batch commits during a harvest, every gap filled at its end,
gaps reported by `odp jobs`, markers set by `odp reindex`."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from catalog.config import get_settings
from catalog.datasets.publishing import publish_dataset
from catalog.db import session_scope
from catalog.search import indexing
from catalog.search.indexing import get_search_backend, index_gaps
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.cli import app
from tests.support.packages import write_package

runner = CliRunner()


class SearchWatcher:
    """A progress callback that asks search, as each item is done, how many datasets it finds."""

    def __init__(self, settings):
        self.settings = settings
        self.seen: list[int] = []

    def begin(self, total: int) -> None:
        pass

    def item_done(self, item, outcome, message=None) -> None:
        self.seen.append(get_search_backend(self.settings).doc_count())


def harvest_watched(settings, packages, monkeypatch, commit_seconds: float) -> list[int]:
    monkeypatch.setenv("ODP_INDEX_COMMIT_SECONDS", str(commit_seconds))
    get_settings.cache_clear()
    current = get_settings()
    for i in range(4):
        write_package(packages, f"pkg-{i}")
    watcher = SearchWatcher(current)
    run_harvest(DataPackageHarvester(packages, current), settings=current, progress=watcher)
    assert get_search_backend(current).doc_count() == 4
    return watcher.seen


def test_search_finds_datasets_while_the_harvest_runs(settings, packages, monkeypatch):
    assert harvest_watched(settings, packages, monkeypatch, commit_seconds=0.001) == [1, 2, 3, 4]


def test_with_a_long_commit_interval_search_waits_for_the_end(settings, packages, monkeypatch):
    # The converse of the test above: what it sees comes from the batch commits, not from the end.
    assert harvest_watched(settings, packages, monkeypatch, commit_seconds=3600) == [0, 0, 0, 0]


def published_without_indexing(settings, packages) -> None:
    """What a harvest killed between its catalog and index commits leaves: a dataset only the DB knows."""
    write_package(packages, "orphan")
    harvester = DataPackageHarvester(packages, settings)
    with harvester.open() as items, session_scope(settings) as session:
        [item] = list(items)
        publish_dataset(session, harvester.fetch(item), store=None, settings=settings)


def test_the_next_harvest_indexes_what_an_earlier_one_left_out(settings, packages, tmp_path):
    published_without_indexing(settings, packages)
    with session_scope(settings) as session:
        assert index_gaps(session, settings) == ["orphan"]
    other = tmp_path / "other"
    write_package(other, "another")
    run_harvest(DataPackageHarvester(other, settings), settings=settings)  # another source, even
    with session_scope(settings) as session:
        assert index_gaps(session, settings) == []
    assert get_search_backend(settings).doc_count() == 2


def test_a_deleted_index_is_refilled_by_an_unchanged_harvest(settings, packages):
    write_package(packages, "parking-a")
    write_package(packages, "parking-b")
    run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    indexing._BACKENDS.clear()
    shutil.rmtree(settings.index_dir)
    result = run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    assert result.tally.unchanged == 2
    assert get_search_backend(settings).doc_count() == 2


def test_odp_jobs_reports_gaps_and_odp_reindex_closes_them(settings, packages):
    published_without_indexing(settings, packages)
    shown = runner.invoke(app, ["jobs"], catch_exceptions=False)
    assert "1 datasets not indexed yet (orphan)" in shown.output
    assert runner.invoke(app, ["reindex"], catch_exceptions=False).exit_code == 0
    shown = runner.invoke(app, ["jobs"], catch_exceptions=False)
    assert "every dataset indexed" in shown.output
