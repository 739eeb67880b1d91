"""Timeliness over a fake clock: on time, late by N days, no declared frequency, no data; and the last real data
change — a version with new bytes, never a re-harvest of the same bytes nor a schema-only new version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from catalog.db import session_scope
from catalog.models import Dataset, ResourceVersion
from catalog.quality.scores import quality_of
from catalog.quality.timeliness import TimelinessStatus, assess, grace, last_data_changes, on_time_rate
from tests.support.packages import PARKING_SCHEMA, ROWS, csv_text, write_package
from tests.support.tables import harvest

CHANGED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(("frequency", "days", "grace_days"), [
    ("实时", 1, 1), ("每日", 1, 1), ("每周", 7, 2), ("每月", 31, 8), ("每季度", 92, 23), ("每半年", 183, 46),
    ("每年", 366, 92),
])
def test_on_time_until_the_period_plus_grace_then_late_by_days_since_due(frequency, days, grace_days):
    assert grace(timedelta(days=days), 0.25) == timedelta(days=grace_days)
    deadline = CHANGED + timedelta(days=days + grace_days)
    on_time = assess(frequency, CHANGED, deadline, 0.25)
    assert (on_time.status, on_time.late_days, on_time.deadline) == (TimelinessStatus.on_time, 0, deadline)
    late = assess(frequency, CHANGED, deadline + timedelta(seconds=1), 0.25)
    assert late.status == TimelinessStatus.late
    assert late.late_days == grace_days  # counted from the due date, not from the end of the grace
    assert late.due == CHANGED + timedelta(days=days)
    assert assess(frequency, CHANGED, deadline + 10 * DAY, 0.25).late_days == grace_days + 10
    assert assess(frequency, CHANGED, deadline + 10 * DAY, 0.25).label == f"滞后 {grace_days + 10} 天"


def test_grace_ratio_zero_still_leaves_a_day():
    assert assess("每月", CHANGED, CHANGED + 32 * DAY, 0.0).status == TimelinessStatus.on_time
    assert assess("每月", CHANGED, CHANGED + 32 * DAY + DAY, 0.0).late_days == 2


@pytest.mark.parametrize("frequency", [None, "", "不定期"])
def test_no_regular_frequency_is_never_on_time_nor_late(frequency):
    found = assess(frequency, CHANGED, CHANGED + 1000 * DAY, 0.25)
    assert (found.status, found.late_days, found.assessed) == (TimelinessStatus.no_frequency, 0, False)


def test_no_data_is_not_assessed():
    found = assess("每月", None, CHANGED, 0.25)
    assert (found.status, found.assessed) == (TimelinessStatus.no_data, False)


def test_on_time_rate_counts_assessed_datasets_only():
    items = [assess("每月", CHANGED, CHANGED + 5 * DAY, 0.25), assess("每月", CHANGED, CHANGED + 50 * DAY, 0.25),
             assess("每周", CHANGED, CHANGED + 5 * DAY, 0.25), assess("不定期", CHANGED, CHANGED, 0.25)]
    assert on_time_rate(items) == {"on_time": 2, "late": 1, "assessed": 3, "on_time_rate": 0.6667}
    assert on_time_rate([])["on_time_rate"] is None


def _versions(settings, name: str) -> list[ResourceVersion]:
    with session_scope(settings) as session:
        return list(session.exec(select(ResourceVersion).order_by(ResourceVersion.id)).all())


def _set_created(settings, version_id: int, when: datetime) -> None:
    with session_scope(settings) as session:
        version = session.get(ResourceVersion, version_id)
        version.created = when
        session.add(version)
        session.commit()


def _last_change(settings, name: str) -> datetime | None:
    with session_scope(settings) as session:
        dataset = session.exec(select(Dataset).where(Dataset.name == name)).one()
        return last_data_changes(session, [dataset.id]).get(dataset.id)


def test_only_new_bytes_are_a_data_change(settings, packages):
    write_package(packages, "lots")
    harvest(settings, packages)
    [first] = _versions(settings, "lots")
    _set_created(settings, first.id, CHANGED)  # as if harvested on 1 March
    harvest(settings, packages)  # the same bytes again: no new version
    assert _last_change(settings, "lots") == CHANGED

    described = {**PARKING_SCHEMA, "fields": [{**f, "description": "说明"} for f in PARKING_SCHEMA["fields"]]}
    write_package(packages, "lots", resource={"schema": described})  # same bytes, new schema: a new version
    harvest(settings, packages)
    versions = _versions(settings, "lots")
    assert len(versions) == 2 and versions[0].sha256 == versions[1].sha256
    assert _last_change(settings, "lots") == CHANGED  # not a change of the data

    write_package(packages, "lots", csv=csv_text([*ROWS, (4, "新开停车场", "静安区", 100)]),
                  resource={"schema": described})
    harvest(settings, packages)
    newest = _versions(settings, "lots")[-1]
    assert _last_change(settings, "lots") == newest.created.replace(tzinfo=newest.created.tzinfo or UTC) > CHANGED


def test_a_dataset_falls_late_on_the_fake_clock_and_loses_its_timeliness_points(settings, packages):
    write_package(packages, "lots")
    harvest(settings, packages)
    [first] = _versions(settings, "lots")
    _set_created(settings, first.id, CHANGED)
    with session_scope(settings) as session:
        dataset = session.exec(select(Dataset).where(Dataset.name == "lots")).one()
        on_time = quality_of(session, dataset, CHANGED + 39 * DAY, settings)
        late = quality_of(session, dataset, CHANGED + 45 * DAY, settings)
    assert on_time.timeliness.status == TimelinessStatus.on_time
    assert (late.timeliness.status, late.timeliness.late_days) == (TimelinessStatus.late, 14)
    assert on_time.score - late.score == 10
    assert [c.passed for c in late.checks if c.id == "timeliness.on_time"] == [False]
    assert {c.id for c in on_time.checks if not c.passed} == {c.id for c in late.checks if not c.passed} - {
        "timeliness.on_time"}


def test_without_a_declared_frequency(settings, packages):
    write_package(packages, "lots", update_frequency=None)
    harvest(settings, packages)
    with session_scope(settings) as session:
        dataset = session.exec(select(Dataset).where(Dataset.name == "lots")).one()
        quality = quality_of(session, dataset, CHANGED + 1000 * DAY, settings)
    assert quality.timeliness.status == TimelinessStatus.no_frequency
    failed = {c.id for c in quality.checks if not c.passed}
    assert {"timeliness.on_time", "reusability.frequency"} <= failed
