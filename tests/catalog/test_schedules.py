"""Harvest schedules: names and cron expressions, due runs claimed once whoever asks, pause and resume."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from catalog import schedules
from catalog.db import session_scope
from catalog.jobs import get_or_create_source

T = datetime(2026, 3, 5, 5, 30, tzinfo=UTC)  # a Thursday


@pytest.mark.parametrize(("schedule", "expected"), [
    ("hourly", datetime(2026, 3, 5, 6, tzinfo=UTC)),
    ("daily", datetime(2026, 3, 6, tzinfo=UTC)),
    ("DAILY", datetime(2026, 3, 6, tzinfo=UTC)),
    ("weekly", datetime(2026, 3, 9, tzinfo=UTC)),
    ("monthly", datetime(2026, 4, 1, tzinfo=UTC)),
    ("30 2 * * *", datetime(2026, 3, 6, 2, 30, tzinfo=UTC)),
    ("*/20  *  * * *", datetime(2026, 3, 5, 5, 40, tzinfo=UTC)),
])
def test_a_schedule_is_a_name_or_a_cron_expression_in_utc(schedule, expected):
    assert schedules.next_run_after(schedule, T) == expected


@pytest.mark.parametrize("schedule", ["sometimes", "61 * * * *", "* * * *", "0 0 * * * *", ""])
def test_anything_else_is_refused_with_the_forms_named(schedule):
    with pytest.raises(schedules.ScheduleError, match="hourly, daily"):
        schedules.next_run_after(schedule, T)


def test_a_due_run_is_claimed_once_however_many_schedulers_ask(settings):
    with session_scope(settings) as session:
        source = get_or_create_source(session, "ckan", "https://data.example.gov.cn")
        schedules.set_schedule(session, source, "hourly", options={"organization": "jtw"}, now=T)
    assert _claims(settings, at=datetime(2026, 3, 5, 5, 59, tzinfo=UTC)) == []  # not due yet
    due = datetime(2026, 3, 5, 6, 0, 1, tzinfo=UTC)
    claims: list[schedules.DueRun] = []
    start = threading.Barrier(6)

    def scheduler() -> None:
        start.wait()
        claims.extend(_claims(settings, at=due))

    threads = [threading.Thread(target=scheduler) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [(c.url, c.kind, c.options, c.due) for c in claims] == [
        ("https://data.example.gov.cn", "ckan", {"organization": "jtw"}, datetime(2026, 3, 5, 6, tzinfo=UTC))]
    with session_scope(settings) as session:
        (_, entry), = schedules.scheduled_sources(session)
        assert schedules._aware(entry.next_run) == datetime(2026, 3, 5, 7, tzinfo=UTC)  # moved on by one period


def test_missed_runs_are_run_once_and_a_paused_source_not_at_all(settings):
    with session_scope(settings) as session:
        source = get_or_create_source(session, "dcat", "https://data.example.gov.cn/catalog.ttl")
        schedules.set_schedule(session, source, "hourly", now=T)
    a_day_later = datetime(2026, 3, 6, 5, 30, tzinfo=UTC)
    assert len(_claims(settings, at=a_day_later)) == 1  # 24 missed runs: one harvest brings the source up to date
    assert _claims(settings, at=a_day_later) == []
    with session_scope(settings) as session:
        source = get_or_create_source(session, "dcat", "https://data.example.gov.cn/catalog.ttl")
        schedules.set_paused(session, source, True)
    assert _claims(settings, at=datetime(2026, 3, 9, tzinfo=UTC)) == []
    with session_scope(settings) as session:
        source = get_or_create_source(session, "dcat", "https://data.example.gov.cn/catalog.ttl")
        entry = schedules.set_paused(session, source, False, now=datetime(2026, 3, 9, 0, 10, tzinfo=UTC))
        assert schedules._aware(entry.next_run) == datetime(2026, 3, 9, 1, tzinfo=UTC)  # no make-up runs
        assert schedules.remove_schedule(session, source) and not schedules.remove_schedule(session, source)


def _claims(settings, at: datetime) -> list[schedules.DueRun]:
    with session_scope(settings) as session:
        return schedules.claim_due_runs(session, at)
