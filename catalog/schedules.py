"""Harvest schedules: which registered sources are harvested again, when, and who enqueues each run.

A schedule is ``hourly``, ``daily`` (00:00 UTC) or a five-field cron expression, read in UTC (croniter, the
library RQ's own cron uses). Each schedule row holds its next due time. Several schedulers may run at once
(one in every ``odp worker``); a due run is *claimed* by moving ``next_run`` forward with a compare-and-set
``UPDATE … WHERE next_run = <the value read>``: the database lets exactly one of them change the row, and
only the one whose update counted enqueues. No clock or lock has to be trusted for that; the Redis lock the
scheduler also takes (harvesters/queue.py) only spares the others the wasted query.

A run missed while no scheduler ran (every worker down for a day) is run once when one comes back, not once
per missed period: a harvest brings a source up to date whatever it missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from croniter import croniter
from sqlalchemy import update
from sqlmodel import Session, select

from catalog.db import serialized_write
from catalog.models import HarvestSchedule, HarvestSource, utcnow

NAMED = {"hourly": "0 * * * *", "daily": "0 0 * * *", "weekly": "0 0 * * 1", "monthly": "0 0 1 * *"}


class ScheduleError(ValueError):
    """A schedule that is neither a known name nor a valid five-field cron expression."""


def cron_expression(schedule: str) -> str:
    """The cron expression of a schedule (a name or an expression); ScheduleError if it is neither."""
    text = " ".join(schedule.split())
    expression = NAMED.get(text.lower(), text)
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ScheduleError(f"'{schedule}' is not a schedule: use {', '.join(NAMED)} or a five-field cron "
                            "expression such as '30 2 * * *' (02:30 UTC every day)")
    return expression


def next_run_after(schedule: str, moment: datetime) -> datetime:
    """The first due time of ``schedule`` strictly after ``moment`` (aware UTC)."""
    return croniter(cron_expression(schedule), _aware(moment)).get_next(datetime).astimezone(UTC)


@serialized_write
def set_schedule(
    session: Session, source: HarvestSource, schedule: str, *, options: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> HarvestSchedule:
    """Give a source a schedule (or a new one); its next run is the schedule's next due time."""
    next_run = next_run_after(schedule, now or utcnow())
    entry = session.get(HarvestSchedule, source.id) or HarvestSchedule(source_id=source.id, schedule=schedule,
                                                                       next_run=next_run)
    entry.schedule, entry.next_run, entry.options = " ".join(schedule.split()), next_run, options or None
    session.add(entry)
    session.commit()
    session.refresh(entry)
    return entry


@serialized_write
def set_paused(session: Session, source: HarvestSource, paused: bool, *, now: datetime | None = None) -> HarvestSchedule:
    """Pause or resume a source's schedule; a resumed one is next due at its next time from now (the runs
    missed while paused are not made up)."""
    entry = session.get(HarvestSchedule, source.id)
    if entry is None:
        raise ScheduleError(f"{source.url} has no schedule")
    entry.paused = paused
    if not paused:
        entry.next_run = next_run_after(entry.schedule, now or utcnow())
    session.add(entry)
    session.commit()
    session.refresh(entry)
    return entry


@serialized_write
def remove_schedule(session: Session, source: HarvestSource) -> bool:
    """Stop harvesting a source on a schedule (its datasets and jobs stay); False if it had none."""
    entry = session.get(HarvestSchedule, source.id)
    if entry is None:
        return False
    session.delete(entry)
    session.commit()
    return True


@dataclass(frozen=True)
class DueRun:
    """A run the caller has claimed and must enqueue."""

    source_id: int
    kind: str
    url: str
    options: dict[str, Any]
    due: datetime


@serialized_write
def claim_due_runs(session: Session, now: datetime | None = None) -> list[DueRun]:
    """Claim every unpaused schedule due at ``now``: move each one's ``next_run`` on, once, for all callers.

    Returns only the runs this caller claimed (see the module docstring); each is committed on its own, so
    a claim made is never lost to a later row's failure."""
    now = _aware(now or utcnow())
    rows = session.exec(
        select(HarvestSchedule, HarvestSource)
        .join(HarvestSource, HarvestSource.id == HarvestSchedule.source_id)
        .where(HarvestSchedule.paused == False, HarvestSchedule.next_run <= now)
        .order_by(HarvestSchedule.next_run)
    ).all()
    claimed = []
    for entry, source in rows:
        seen = entry.next_run
        moved = session.execute(
            update(HarvestSchedule)
            .where(HarvestSchedule.source_id == entry.source_id, HarvestSchedule.next_run == seen)
            .values(next_run=next_run_after(entry.schedule, now), last_enqueued=now)
        )
        session.commit()
        if moved.rowcount == 1:
            claimed.append(DueRun(source.id, source.kind, source.url, dict(entry.options or {}), _aware(seen)))
    session.expire_all()
    return claimed


def scheduled_sources(session: Session) -> list[tuple[HarvestSource, HarvestSchedule | None]]:
    """Every registered source with its schedule (None: harvested only when asked), oldest first."""
    rows = session.exec(
        select(HarvestSource, HarvestSchedule)
        .join(HarvestSchedule, HarvestSchedule.source_id == HarvestSource.id, isouter=True)
        .order_by(HarvestSource.id)
    ).all()
    return [(source, entry) for source, entry in rows]


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
