"""Hostile data packages: each one fails alone, early, with a message its publisher can act on, and the
harvest around it goes on (issue 9, items 5 and 7). The corpus itself is built in tests/support/hostile.py."""

from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from catalog.datasets.inputs import DatasetInput, PublisherInput, ResourceInput
from catalog.datasets.publishing import InvalidMetadata, check_metadata, parse_datetime
from catalog.db import session_scope
from catalog.models import Dataset
from catalog.search.base import SearchQuery
from catalog.search.indexing import get_search_backend
from catalog.storage import remove_stale_temporaries
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.cli import app
from tests.support.hostile import CASES, CORPUS_SETTINGS, GOOD, HostileCase, build_corpus, nested_descriptor
from tests.support.packages import write_package

# What item_failure_message makes of an exception nobody anticipated: "TypeError: …", "RecursionError: …".
UNANTICIPATED = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception|Overflow)\b")


def harvest(folder: Path, settings):
    settings = settings.model_copy(update=CORPUS_SETTINGS)
    return run_harvest(DataPackageHarvester(folder, settings), settings=settings)


def errors_by_item(result) -> dict[str, str]:
    return {e["item"]: e["message"] for e in result.tally.errors}


def search_and_database_counts(settings) -> tuple[int, int]:
    with session_scope(settings) as session:
        listed = session.exec(
            select(func.count()).select_from(Dataset).where(
                Dataset.state == "active", Dataset.open_class != "closed"
            )
        ).one()
    return get_search_backend(settings).search(SearchQuery(size=0)).count, listed


@pytest.mark.parametrize("case", CASES, ids=[c.folder for c in CASES])
def test_each_hostile_package_fails_alone_with_a_clear_message(settings, packages, case: HostileCase):
    built = build_corpus(packages, [case])
    result = harvest(packages, settings)
    assert result.job.status == "finished"
    assert result.tally.added == len(GOOD)
    [(item, message)] = errors_by_item(result).items()
    assert built[item] is case
    assert case.expect in message
    assert not UNANTICIPATED.match(message), message


def test_hostile_corpus_harvested_as_one_folder(settings, packages):
    built = build_corpus(packages)
    result = harvest(packages, settings)
    assert result.job.status == "finished"
    failures = errors_by_item(result)
    assert set(failures) == set(built)  # every bad package failed, alone; no good one did
    for item, case in built.items():
        assert case.expect in failures[item], (item, failures[item])
        assert not UNANTICIPATED.match(failures[item]), failures[item]
    assert {f"{g}/datapackage.json": "added" for g in GOOD}.items() <= result.outcomes.items()
    searched, in_database = search_and_database_counts(settings)
    assert searched == in_database == len(GOOD)
    again = harvest(packages, settings)  # and a re-run says the same, without touching the good ones
    assert (again.tally.unchanged, again.tally.failed) == (len(GOOD), len(built))


def test_nesting_is_refused_just_past_the_bound_and_accepted_at_it(settings, packages):
    nested_descriptor(packages, "depth-63", depth=63)  # the object holding "x" is level 1
    nested_descriptor(packages, "depth-64", depth=64)
    result = harvest(packages, settings)
    assert result.outcomes == {"depth-63/datapackage.json": "added", "depth-64/datapackage.json": "failed"}
    assert "deeper than 64 levels" in errors_by_item(result)["depth-64/datapackage.json"]


def test_created_out_of_range_is_a_value_error_not_an_overflow():
    with pytest.raises(ValueError, match="outside years 1-9999"):
        parse_datetime("0001-01-01T00:00:00+14:00")
    with pytest.raises(ValueError, match="outside years 1-9999"):
        parse_datetime("9999-12-31T23:59:59-14:00")
    assert parse_datetime("0001-01-02T00:00:00+14:00").year == 1  # inside the range: still accepted


def _input(tmp_path: Path, resources: list[ResourceInput], **changes) -> DatasetInput:
    fields = {
        "name": "parking", "title": "停车场", "domain": "transport",
        "publisher": PublisherInput("jtw", "上海市交通委员会"), "resources": resources,
    }
    return DatasetInput(**(fields | changes))


@pytest.mark.parametrize("name", ["table", "a.b-c_d", "0", "x" * 100, "2024.csv"])
def test_data_package_resource_names_pass_the_catalog(settings, tmp_path, name):
    check_metadata(_input(tmp_path, [ResourceInput(name, tmp_path / "t.csv")]), settings)


@pytest.mark.parametrize(
    "name", ["", ".", "..", "../../x", "表/<script>", "Table", "a b", "x" * 101, "a/b", "a\\b", "ok\n"]
)
def test_other_resource_names_are_refused_by_the_catalog_for_every_harvester(settings, tmp_path, name):
    data = _input(tmp_path, [ResourceInput(name, tmp_path / "t.csv")])
    with pytest.raises(InvalidMetadata, match="must be 1-100 characters of a-z, 0-9, '.', '-' or '_'"):
        check_metadata(data, settings)


def test_resource_cap_and_wrong_types_are_refused_by_the_catalog(settings, tmp_path):
    capped = settings.model_copy(update={"max_resources_per_package": 2})
    three = [ResourceInput(f"t{i}", tmp_path / "t.csv") for i in range(3)]
    with pytest.raises(InvalidMetadata, match="3 resources, above the limit of 2"):
        check_metadata(_input(tmp_path, three), capped)
    check_metadata(_input(tmp_path, three[:2]), capped)
    with pytest.raises(InvalidMetadata, match="'keywords' must be a list of strings"):
        check_metadata(_input(tmp_path, three[:1], keywords=5), settings)
    with pytest.raises(InvalidMetadata, match="resource #1: 'schema' must be an object"):
        check_metadata(_input(tmp_path, [ResourceInput("t", tmp_path / "t.csv", schema="abc")]), settings)


def _lying_zip(packages: Path, archive: Path) -> Path:
    """A zip of good packages whose data member claims fewer bytes than it holds (read back: Bad CRC-32)."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(packages.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(packages).as_posix())
    raw = bytearray(archive.read_bytes())
    central = raw.find(b"PK\x01\x02")  # the central directory entries; the file name starts at byte 46
    while not raw[central + 46 :].startswith(b"good-a/data/table.csv"):
        central = raw.find(b"PK\x01\x02", central + 4)
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size: 10 bytes
    archive.write_bytes(bytes(raw))
    return archive


def test_zip_with_a_member_lying_about_its_size_fails_the_job_clearly(settings, packages, tmp_path):
    write_package(packages, "good-a")
    archive = _lying_zip(packages, tmp_path / "liar.zip")
    result = run_harvest(DataPackageHarvester(archive, settings), settings=settings)
    assert result.job.status == "failed"
    assert "archive member 'good-a/data/table.csv' is damaged" in result.job.message
    assert "Bad CRC-32" in result.job.message
    cli = CliRunner().invoke(app, ["harvest", str(archive)], catch_exceptions=False)  # no traceback
    assert cli.exit_code != 0 and "is damaged and cannot be read" in cli.output.replace("\n", "")


def _age(path: Path, seconds: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"half a file")
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_harvest_removes_only_stale_temporary_files(settings, packages):
    budget = settings.item_timeout
    files, exports = settings.files_dir, settings.data_dir / "cache" / "exports"
    stale = [_age(files / ".incoming-abc", budget + 60), _age(exports / ".building-x.xlsx", budget + 60),
             _age(files / ".incoming-def.parquet", budget + 60)]
    in_flight = [_age(files / ".incoming-new", budget - 60), _age(exports / ".building-y.parquet", 0)]
    kept = [_age(files / "ab" / ".incoming-not-at-the-root", budget + 60),  # only where they are made
            _age(files / "ab" / "cdef.csv", budget + 60), _age(exports / "abc.xlsx", budget + 60)]
    write_package(packages, "good-a")
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.added == 1
    assert [p.exists() for p in stale] == [False] * 3
    assert all(p.exists() for p in in_flight + kept)
    assert remove_stale_temporaries(settings) == []  # nothing left to remove


def test_sample_descriptor_nesting_and_names_stay_accepted(settings, packages):
    write_package(packages, "nested-ok", x_nested=[{"a": [{"b": [[1]]}]}] * 3,
                  resource={"name": "table.2024-v1_final"})
    result = harvest(packages, settings)
    assert result.outcomes == {"nested-ok/datapackage.json": "added"}
