"""Two harvests at once: neither corrupts the catalog or the search index."""

from __future__ import annotations

import threading

from catalog.search.base import SearchQuery
from catalog.search.indexing import get_search_backend
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.packages import write_package


def test_two_concurrent_harvests_both_complete_and_index_everything(settings, tmp_path):
    folders = []
    for side in ("east", "west"):
        folder = tmp_path / side
        for i in range(6):
            write_package(folder, f"{side}-parking-{i}", title=f"{side} 停车场 {i}")
        folders.append(folder)
    results = {}
    errors = []

    def harvest(folder):
        try:
            results[folder.name] = run_harvest(DataPackageHarvester(folder, settings), settings=settings)
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=harvest, args=(f,)) for f in folders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    for result in results.values():
        assert result.job.status == "finished", result.job.message
        assert (result.tally.added, result.tally.failed) == (6, 0), result.tally.errors
        assert result.job.message is None  # the index was updated, not skipped
    found = get_search_backend(settings).search(SearchQuery(q="停车场", size=50))
    assert found.count == 12
    assert {h.name for h in found.hits} == {f"{s}-parking-{i}" for s in ("east", "west") for i in range(6)}
