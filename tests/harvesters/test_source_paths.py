"""Folder sources: one package harvested again as part of its registered source, and sources keyed by their
path relative to ODP_SOURCE_ROOT (a moved checkout keeps its sources; absolute keys of older catalogs still work)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from catalog.db import session_scope
from catalog.models import Dataset, HarvestSource
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.packages import ROWS, csv_text, write_package


def harvest(path: Path, settings):
    return run_harvest(DataPackageHarvester(path, settings), settings=settings)


def sources(settings) -> list[str]:
    with session_scope(settings) as session:
        return [s.url for s in session.exec(select(HarvestSource).order_by(HarvestSource.id))]


def datasets(settings) -> dict[str, tuple[str, int | None, str | None]]:
    with session_scope(settings) as session:
        return {d.name: (d.state, d.source_id, d.source_identifier) for d in session.exec(select(Dataset))}


def test_a_package_inside_a_registered_folder_is_harvested_again_as_that_source(settings, packages):
    write_package(packages, "parking-a")
    write_package(packages / "jtw", "parking-b")
    write_package(packages / "jtw", "parking-c")
    harvest(packages, settings)
    before = datasets(settings)
    write_package(packages / "jtw", "parking-b", csv=csv_text(ROWS[:2]))  # changed at the source
    write_package(packages / "jtw", "parking-c", csv=csv_text(ROWS[:1]))  # changed, but not asked for
    again = harvest(packages / "jtw" / "parking-b", settings)
    assert again.job.status == "finished"
    assert again.tally.as_dict() == {"added": 0, "updated": 1, "unchanged": 0, "withdrawn": 0, "failed": 0}
    assert list(again.outcomes) == ["jtw/parking-b/datapackage.json"]  # the identifier it had in its source
    assert sources(settings) == [str(packages)]  # no second source
    assert datasets(settings) == before  # same source, same identifiers, nothing withdrawn
    whole = harvest(packages, settings)  # parking-c was left alone: the whole source now updates it only
    assert (whole.tally.updated, whole.tally.unchanged) == (1, 2)


def test_a_descriptor_or_a_subfolder_of_several_packages(settings, packages):
    for name in ("parking-a", "parking-b"):
        write_package(packages / "jtw", name)
    write_package(packages, "parking-c")
    harvest(packages, settings)
    one = harvest(packages / "jtw" / "parking-a" / "datapackage.json", settings)
    assert list(one.outcomes) == ["jtw/parking-a/datapackage.json"] and one.tally.unchanged == 1
    folder = harvest(packages / "jtw", settings)
    assert sorted(folder.outcomes) == ["jtw/parking-a/datapackage.json", "jtw/parking-b/datapackage.json"]
    assert sources(settings) == [str(packages)] and all(s == "active" for s, _, _ in datasets(settings).values())


def test_a_package_outside_every_registered_folder_is_a_source_of_its_own(settings, packages, tmp_path):
    write_package(packages, "parking-a")
    harvest(packages, settings)
    other = tmp_path / "other"
    write_package(other, "parking-z")
    result = harvest(other / "parking-z", settings)
    assert result.tally.added == 1
    assert sources(settings) == [str(packages), str(other / "parking-z")]


def test_sources_inside_the_root_are_keyed_relative_and_survive_a_moved_checkout(settings, tmp_path):
    old_root = tmp_path / "checkout"
    write_package(old_root / "sample_data", "parking-a")
    at_old = settings.model_copy(update={"source_root": old_root})
    harvest(old_root / "sample_data", at_old)
    assert sources(settings) == ["sample_data"]
    new_root = tmp_path / "moved-checkout"
    old_root.rename(new_root)
    at_new = settings.model_copy(update={"source_root": new_root})
    again = harvest(new_root / "sample_data", at_new)
    assert again.tally.as_dict() == {"added": 0, "updated": 0, "unchanged": 1, "withdrawn": 0, "failed": 0}
    assert sources(settings) == ["sample_data"]
    part = harvest(new_root / "sample_data" / "parking-a", at_new)  # sub-paths resolve against the root too
    assert part.tally.unchanged == 1 and sources(settings) == ["sample_data"]


def test_an_absolute_key_of_an_older_catalog_is_found_and_rekeyed(settings, tmp_path):
    root = tmp_path / "checkout"
    write_package(root / "sample_data", "parking-a")
    elsewhere = settings.model_copy(update={"source_root": tmp_path / "unrelated"})
    harvest(root / "sample_data", elsewhere)  # as catalogs recorded folders before: absolute
    assert sources(settings) == [str(root / "sample_data")]
    rooted = settings.model_copy(update={"source_root": root})
    again = harvest(root / "sample_data", rooted)
    assert again.tally.unchanged == 1 and again.tally.withdrawn == 0
    assert sources(settings) == ["sample_data"]


def test_an_absolute_key_of_a_checkout_since_moved_is_adopted(settings, tmp_path):
    old_root = tmp_path / "old"
    write_package(old_root / "sample_data", "parking-a")
    harvest(old_root / "sample_data", settings.model_copy(update={"source_root": tmp_path / "unrelated"}))
    new_root = tmp_path / "new"
    old_root.rename(new_root)
    again = harvest(new_root / "sample_data", settings.model_copy(update={"source_root": new_root}))
    assert again.tally.unchanged == 1 and again.tally.failed == 0
    assert sources(settings) == ["sample_data"]
