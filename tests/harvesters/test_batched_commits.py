"""A harvest commits its prepared datasets in batches (one write transaction for many), and a dataset that fails
in its writes still fails alone: the batch is replayed one transaction per dataset."""

from __future__ import annotations

from sqlalchemy import event
from sqlmodel import select

from catalog.config import get_settings
from catalog.db import get_engine, session_scope
from catalog.models import Dataset, DatasetQuality
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.packages import write_package


def harvest(folder, monkeypatch, batch_items: int, workers: int = 1):
    monkeypatch.setenv("ODP_COMMIT_BATCH_ITEMS", str(batch_items))
    monkeypatch.setenv("ODP_COMMIT_BATCH_SECONDS", "3600")  # batches close by size (or at the end) only
    monkeypatch.setenv("ODP_INDEX_COMMIT_SECONDS", "3600")  # the index (and its markers) at the end only
    get_settings.cache_clear()
    current = get_settings()
    commits: list[int] = []
    engine = get_engine(current)

    def count(_connection) -> None:
        commits.append(1)

    event.listen(engine, "commit", count)
    try:
        result = run_harvest(DataPackageHarvester(folder, current), settings=current, workers=workers)
    finally:
        event.remove(engine, "commit", count)
    return result, len(commits), current


def test_one_batch_commits_many_datasets_at_once(settings, tmp_path, monkeypatch):
    batched, unbatched = tmp_path / "batched", tmp_path / "unbatched"
    for i in range(12):
        write_package(batched, f"pkg-{i:02d}")
        write_package(unbatched, f"one-{i:02d}")
    one_each = harvest(unbatched, monkeypatch, batch_items=1)
    together = harvest(batched, monkeypatch, batch_items=100)
    assert one_each[0].tally.added == together[0].tally.added == 12
    # One commit per dataset when batches hold one; the twelve in one commit otherwise (the job's own
    # commits — start, finish — are the same in both runs).
    assert one_each[1] - together[1] == 11
    with session_scope(together[2]) as session:
        names = session.exec(select(Dataset.name).where(Dataset.name.like("pkg-%"))).all()
        scored = session.exec(select(DatasetQuality)).all()
    assert sorted(names) == [f"pkg-{i:02d}" for i in range(12)]
    assert len(scored) == 24  # every dataset of both runs has its quality row, batched or not


def test_a_dataset_failing_in_a_batch_fails_alone(settings, tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    write_package(first, "taken")
    assert harvest(first, monkeypatch, batch_items=100)[0].tally.added == 1
    # Its name belongs to the first source: the write of "taken" fails inside the second source's batch.
    for name in ("b-before", "taken", "b-after"):
        write_package(second, name)
    result, _, current = harvest(second, monkeypatch, batch_items=100, workers=2)
    assert (result.tally.added, result.tally.failed) == (2, 1)
    assert [e["item"] for e in result.tally.errors] == ["taken/datapackage.json"]
    assert "already belongs to another harvest source" in result.tally.errors[0]["message"]
    outcomes = {item.split("/")[0]: outcome for item, outcome in result.outcomes.items()}
    assert outcomes == {"b-before": "added", "taken": "failed", "b-after": "added"}
    with session_scope(current) as session:
        rows = {d.name: d.source_identifier for d in session.exec(select(Dataset))}
    assert rows == {"taken": "taken/datapackage.json", "b-before": "b-before/datapackage.json",
                    "b-after": "b-after/datapackage.json"}
