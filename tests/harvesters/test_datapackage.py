"""The data-package harvester: idempotence, versions, withdrawal, failures kept to their item."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlmodel import select

from catalog.datasets.queries import get_dataset
from catalog.db import session_scope
from catalog.models import Dataset, HarvestJob, ResourceVersion
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.packages import ROWS, csv_text, write_package


def harvest(path: Path, settings):
    return run_harvest(DataPackageHarvester(path, settings), settings=settings)


def test_second_harvest_of_unchanged_folder_changes_nothing(settings, packages):
    write_package(packages, "parking-a")
    write_package(packages, "parking-b", domain="道路交通")
    first = harvest(packages, settings)
    assert first.tally.as_dict() == {"added": 2, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
    second = harvest(packages, settings)
    assert second.tally.as_dict() == {"added": 0, "updated": 0, "unchanged": 2, "withdrawn": 0, "failed": 0}
    with session_scope(settings) as session:
        assert len(session.exec(select(ResourceVersion)).all()) == 2
        jobs = session.exec(select(HarvestJob).order_by(HarvestJob.id)).all()
    assert [j.status for j in jobs] == ["finished", "finished"]
    assert (jobs[1].added, jobs[1].unchanged) == (0, 2)


def test_changed_file_makes_a_new_version_and_keeps_the_old(settings, packages):
    pkg = write_package(packages, "parking-a")
    harvest(packages, settings)
    with session_scope(settings) as session:
        old = get_dataset(session, "parking-a").resources[0].current
    (pkg / "data" / "table.csv").write_text(
        csv_text(ROWS + [(4, "新建停车场", "闵行区", 80)]), encoding="utf-8"
    )
    result = harvest(packages, settings)
    assert result.tally.updated == 1
    with session_scope(settings) as session:
        res = get_dataset(session, "parking-a").resources[0]
    assert len(res.versions) == 2
    assert res.current.id != old.id and res.current.sha256 != old.sha256
    assert res.current.row_count == 4 and old.row_count == 3
    old_file = settings.files_dir / old.stored_path
    assert old_file.read_text(encoding="utf-8") == csv_text()  # the old bytes are still there, unchanged


def test_metadata_change_is_an_update_and_unknown_keys_are_kept(settings, packages):
    write_package(packages, "parking-a", x_source_system="交通数据中台")
    harvest(packages, settings)
    write_package(packages, "parking-a", x_source_system="交通数据中台", title="新标题")
    result = harvest(packages, settings)
    assert result.tally.updated == 1
    with session_scope(settings) as session:
        ds = get_dataset(session, "parking-a").dataset
    assert ds.title == "新标题"
    assert ds.extras == {"x_source_system": "交通数据中台"}
    assert len(get_versions(settings, "parking-a")) == 1  # data did not change: no new version


def get_versions(settings, name):
    with session_scope(settings) as session:
        return [v for r in get_dataset(session, name).resources for v in r.versions]


def test_package_removed_from_source_is_withdrawn_not_deleted(settings, packages):
    write_package(packages, "parking-a")
    pkg_b = write_package(packages, "parking-b")
    harvest(packages, settings)
    moved = packages.parent / "elsewhere"
    pkg_b.rename(moved)
    result = harvest(packages, settings)
    assert result.withdrawn == ["parking-b"] and result.tally.withdrawn == 1
    with session_scope(settings) as session:
        b = session.exec(select(Dataset).where(Dataset.name == "parking-b")).one()
        assert b.state == "withdrawn"
        assert get_dataset(session, "parking-b").resources[0].current is not None  # kept
    moved.rename(pkg_b)
    back = harvest(packages, settings)
    assert back.tally.updated == 1
    with session_scope(settings) as session:
        assert session.exec(select(Dataset).where(Dataset.name == "parking-b")).one().state == "active"


def test_broken_package_fails_alone_with_a_clear_message(settings, packages):
    write_package(packages, "good-one")
    bad_json = packages / "bad-json"
    bad_json.mkdir()
    (bad_json / "datapackage.json").write_text('{"name": "bad-json", "title": ', encoding="utf-8")
    write_package(packages, "bad-domain", domain="天气")
    write_package(packages, "bad-schema", resource={"schema": "no-such-schema"})
    write_package(packages, "no-publisher", publisher=None)
    result = harvest(packages, settings)
    assert result.tally.added == 1 and result.tally.failed == 4
    messages = {e["item"]: e["message"] for e in result.tally.errors}
    assert "not valid JSON" in messages["bad-json/datapackage.json"]
    assert "domain '天气' is not one of the 12 domains" in messages["bad-domain/datapackage.json"]
    assert "no published schema named 'no-such-schema'" in messages["bad-schema/datapackage.json"]
    assert "publisher is required" in messages["no-publisher/datapackage.json"]
    with session_scope(settings) as session:
        job = session.get(HarvestJob, result.job.id)
        assert job.status == "finished" and job.failed == 4 and len(job.errors) == 4
        assert [d.name for d in session.exec(select(Dataset)).all()] == ["good-one"]


def test_a_source_that_lists_nothing_withdraws_nothing(settings, packages):
    """An emptied or unmounted folder is not the publisher withdrawing everything: the datasets stay, the job
    says why; one package gone from a source that still lists others is withdrawn as before (test above)."""
    import shutil

    write_package(packages, "parking-a")
    write_package(packages, "parking-b")
    harvest(packages, settings)
    hidden = packages.parent / "hidden"
    shutil.move(str(packages), hidden)
    packages.mkdir()
    result = harvest(packages, settings)
    assert result.withdrawn == [] and result.tally.withdrawn == 0
    assert any("lists no packages" in w["message"] for w in result.tally.warnings)
    with session_scope(settings) as session:
        assert set(session.exec(select(Dataset.state)).all()) == {"active"}


def test_a_package_that_breaks_later_is_not_withdrawn(settings, packages):
    pkg = write_package(packages, "parking-a")
    harvest(packages, settings)
    (pkg / "datapackage.json").write_text("{ not json", encoding="utf-8")
    result = harvest(packages, settings)
    assert result.tally.failed == 1 and result.withdrawn == []
    with session_scope(settings) as session:
        assert session.exec(select(Dataset)).one().state == "active"


def test_resource_path_escaping_the_package_is_refused(settings, packages, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("id,name,district,total_spaces\n1,x,y,2\n", encoding="utf-8")
    write_package(packages, "traversal", resource={"path": "../../secret.csv"})
    write_package(packages, "absolute", resource={"path": str(secret)})
    linked = write_package(packages, "symlinked", resource={"path": "data/link.csv"})
    os.symlink(secret, linked / "data" / "link.csv")
    write_package(packages, "schema-escape", resource={"schema": "../../secret.json"})
    result = harvest(packages, settings)
    assert result.tally.failed == 4 and result.tally.added == 0
    messages = {e["item"].split("/")[0]: e["message"] for e in result.tally.errors}
    assert "points outside the package folder" in messages["traversal"]
    assert "absolute path" in messages["absolute"]
    assert "points outside the package folder" in messages["symlinked"]
    assert "points outside the package folder" in messages["schema-escape"]
    assert not any(settings.files_dir.rglob("*.csv"))  # nothing of the secret was stored


def test_file_above_the_size_limit_fails_its_dataset(settings, packages):
    write_package(packages, "small")
    write_package(packages, "large", csv=csv_text() * 50)
    small_limit = settings.model_copy(update={"max_file_bytes": 1000})
    result = harvest(packages, small_limit)
    assert result.outcomes == {"large/datapackage.json": "failed", "small/datapackage.json": "added"}
    assert "above the limit of 1,000" in result.tally.errors[0]["message"]


def test_reject_invalid_refuses_the_invalid_dataset_only(settings, packages):
    write_package(packages, "valid-one")
    write_package(packages, "invalid-one", csv=csv_text(ROWS + [(9, "坏行", "黄浦区", "很多")]))
    strict = settings.model_copy(update={"reject_invalid": True})
    result = harvest(packages, strict)
    assert result.outcomes == {
        "invalid-one/datapackage.json": "failed",
        "valid-one/datapackage.json": "added",
    }
    assert "failed validation (type-error ×1)" in result.tally.errors[0]["message"]
    with session_scope(settings) as session:
        assert [d.name for d in session.exec(select(Dataset)).all()] == ["valid-one"]


def test_invalid_data_is_catalogued_with_its_report_by_default(settings, packages):
    write_package(packages, "invalid-one", csv=csv_text(ROWS + [(3, "重复编号", "黄浦区", "很多")]))
    result = harvest(packages, settings)
    assert result.tally.added == 1
    with session_scope(settings) as session:
        view = get_dataset(session, "invalid-one")
    version = view.resources[0].current
    assert view.validation_status == "invalid" and version.validation_status == "invalid"
    report = version.validation_report
    assert report["errors_by_type"] == {"type-error": 1, "primary-key": 1}
    type_error = next(e for e in report["errors"] if e["type"] == "type-error")
    assert (type_error["row"], type_error["field"], type_error["cell"]) == (5, "total_spaces", "很多")


def test_same_name_from_two_sources_is_a_conflict(settings, packages, tmp_path):
    write_package(packages, "parking-a")
    other = tmp_path / "other"
    write_package(other, "parking-a")
    harvest(packages, settings)
    result = harvest(other, settings)
    assert result.tally.failed == 1
    assert "already belongs to another harvest source" in result.tally.errors[0]["message"]


def test_single_descriptor_can_be_harvested(settings, packages):
    pkg = write_package(packages, "parking-a")
    result = harvest(pkg / "datapackage.json", settings)
    assert result.tally.added == 1


def test_missing_source_fails_the_job_and_withdraws_nothing(settings, packages):
    write_package(packages, "parking-a")
    harvest(packages, settings)
    renamed = packages.rename(packages.parent / "gone")
    result = harvest(packages, settings)
    assert result.job.status == "failed" and "does not exist" in result.job.message
    assert result.withdrawn == []
    renamed.rename(packages)


def test_a_running_job_of_a_live_process_is_left_alone(settings, packages):
    # A killed job is marked abandoned by the next run (tests/harvesters/test_crash_recovery.py kills one for real);
    # a job whose process still runs -- here this very process -- may be a concurrent harvest: kept.
    write_package(packages, "parking-a")
    first = harvest(packages, settings)
    with session_scope(settings) as session:
        job = session.get(HarvestJob, first.job.id)
        job.status = "running"
        session.add(job)
        session.commit()
    harvest(packages, settings)
    with session_scope(settings) as session:
        job = session.get(HarvestJob, first.job.id)
    assert job.status == "running"


def test_removed_resource_is_hidden_but_its_versions_kept(settings, packages):
    pkg = write_package(packages, "parking-a")
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    (pkg / "data" / "extra.csv").write_text(csv_text(), encoding="utf-8")
    descriptor["resources"].append({"name": "extra", "path": "data/extra.csv"})
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    harvest(packages, settings)
    with session_scope(settings) as session:
        extra = get_dataset(session, "parking-a").resources[1].current
    assert extra.table_schema["fields"][0]["name"] == "id"  # no schema given: frictionless inferred one
    descriptor["resources"].pop()
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    assert harvest(packages, settings).tally.updated == 1
    with session_scope(settings) as session:
        assert [r.resource.name for r in get_dataset(session, "parking-a").resources] == ["table"]
        assert session.get(ResourceVersion, extra.id) is not None
