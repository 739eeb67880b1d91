"""Timeliness (及时更新率): is a dataset's data as fresh as its declared update frequency promises?

A dataset is *on time* while the time since its last real data change is at most one declared period plus a
grace (``ODP_TIMELINESS_GRACE_RATIO`` of the period, at least one day); after that it is *late by N days*,
counted from the day the update was due (what a citizen reads as "due on …"), not from the end of the grace.

The decision a reader would question: the last *real* data change is the creation of a resource version whose
bytes (sha256) differ from the version before it — never a re-harvest of the same bytes (which makes no version)
nor a new version made only by a changed schema or dialect (same sha256). A publisher that re-uploads the same
file every month is not "updated monthly".

Everything takes ``now`` from the caller (an injectable clock), so tests run over a fake clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from catalog.models import Resource, ResourceVersion, utcnow
from catalog.vocabulary import ResourceState

Clock = Callable[[], datetime]
DAY = timedelta(days=1)

#: The period each regular update frequency (catalog/vocabulary.py UPDATE_FREQUENCIES) promises. 实时
#: (real time) data published as files must change at least daily; 不定期 promises nothing, so it is absent.
PERIODS: dict[str, timedelta] = {
    "实时": DAY,
    "每日": DAY,
    "每周": timedelta(days=7),
    "每月": timedelta(days=31),
    "每季度": timedelta(days=92),
    "每半年": timedelta(days=183),
    "每年": timedelta(days=366),
}


class TimelinessStatus(StrEnum):
    on_time = "on_time"
    late = "late"
    no_frequency = "no_frequency"  # none declared, or 不定期: cannot be late, cannot be counted on time
    no_data = "no_data"  # a regular frequency, but no data file yet


STATUS_LABELS = {TimelinessStatus.on_time: "按时更新", TimelinessStatus.late: "更新滞后",
                 TimelinessStatus.no_frequency: "未声明固定更新频率", TimelinessStatus.no_data: "暂无数据文件"}


@dataclass(frozen=True)
class Timeliness:
    status: TimelinessStatus
    frequency: str | None
    last_change: datetime | None
    due: datetime | None  # when the next update was expected
    deadline: datetime | None  # due + grace: on time until then
    late_days: int = 0

    @property
    def assessed(self) -> bool:
        """Counted in a 及时更新率 (on time or late); datasets without a regular frequency or data are not."""
        return self.status in (TimelinessStatus.on_time, TimelinessStatus.late)

    @property
    def label(self) -> str:
        if self.status == TimelinessStatus.late:
            return f"滞后 {self.late_days} 天"
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict[str, object]:
        return {"status": self.status.value, "label": self.label, "frequency": self.frequency,
                "last_change": self.last_change.isoformat() if self.last_change else None,
                "due": self.due.isoformat() if self.due else None,
                "deadline": self.deadline.isoformat() if self.deadline else None, "late_days": self.late_days}


def grace(period: timedelta, ratio: float) -> timedelta:
    """The grace after a due date: ``ratio`` of the period, rounded to whole days, at least one day."""
    return max(DAY, timedelta(days=round(period / DAY * ratio)))


def deadline_of(frequency: str | None, last_change: datetime | None, grace_ratio: float) -> datetime | None:
    """Until when the data counts as on time; None when it never can (no regular frequency, no data)."""
    period = PERIODS.get(frequency or "")
    if period is None or last_change is None:
        return None
    return _aware(last_change) + period + grace(period, grace_ratio)


def assess(frequency: str | None, last_change: datetime | None, now: datetime, grace_ratio: float) -> Timeliness:
    """The timeliness of data last changed at ``last_change`` under ``frequency``, seen at ``now``."""
    period = PERIODS.get(frequency or "")
    if period is None:
        return Timeliness(TimelinessStatus.no_frequency, frequency, last_change, None, None)
    if last_change is None:
        return Timeliness(TimelinessStatus.no_data, frequency, None, None, None)
    last_change = _aware(last_change)
    due = last_change + period
    deadline = due + grace(period, grace_ratio)
    now = _aware(now)
    if now <= deadline:
        return Timeliness(TimelinessStatus.on_time, frequency, last_change, due, deadline)
    return Timeliness(TimelinessStatus.late, frequency, last_change, due, deadline, late_days=(now - due).days)


def on_time_rate(items: Iterable[Timeliness]) -> dict[str, object]:
    """The 及时更新率 of some datasets: on time / assessed (those with a regular frequency and data)."""
    assessed = [t for t in items if t.assessed]
    on_time = sum(1 for t in assessed if t.status == TimelinessStatus.on_time)
    return {"on_time": on_time, "late": len(assessed) - on_time, "assessed": len(assessed),
            "on_time_rate": round(on_time / len(assessed), 4) if assessed else None}


def last_data_changes(session: Session, dataset_ids: Iterable[int]) -> dict[int, datetime]:
    """dataset id -> when its data last really changed: the newest version, over its active resources, whose
    sha256 differs from the version before it of the same resource. Datasets without versions are absent."""
    ids = list(dict.fromkeys(dataset_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Resource.dataset_id, ResourceVersion.resource_id, ResourceVersion.sha256, ResourceVersion.created)
        .join(Resource, col(Resource.id) == ResourceVersion.resource_id)
        .where(col(Resource.dataset_id).in_(ids), Resource.state == ResourceState.active)
        .order_by(col(ResourceVersion.resource_id), col(ResourceVersion.id))
    ).all()
    changes: dict[int, datetime] = {}
    previous: dict[int, str] = {}  # resource id -> sha256 of its previous version
    for dataset_id, resource_id, sha256, created in rows:
        if previous.get(resource_id) != sha256:
            created = _aware(created)
            if dataset_id not in changes or created > changes[dataset_id]:
                changes[dataset_id] = created
        previous[resource_id] = sha256
    return changes


def system_clock() -> datetime:
    return utcnow()


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were written as UTC."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
