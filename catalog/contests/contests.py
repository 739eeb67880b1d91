"""A contest: its texts, windows and team sizes (the contest JSON of issue 13), its states, and publishing.

The contest JSON — API body and ``--from-json`` file alike — is ``{"slug", "title", "theme", "description",
"rules", "agreement", "registration_opens", "registration_closes", "data_opens", "data_closes", "team_min",
"team_max"}``. Times are ISO 8601 (a time without an offset is UTC); an omitted window means "open from now,
closing in 30 days"; ``team_min``/``team_max`` default to 1/5. An empty agreement gets the portal's text, which
carries the deletion pledge (数据销毁承诺) teams are reminded of when the data window closes.

A contest is a draft until published: only its organizer and admins see a draft (everyone else is told it does
not exist). Its state is read from the clock: ``draft``; ``upcoming`` before registration opens; ``open`` while
registration is; ``running`` after that until the data window closes; ``finished`` after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlmodel import Session, col, select

from catalog.models import Account, Contest, ContestTeam, utcnow
from catalog.vocabulary import Role

from .errors import ContestError, invalid, not_found

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,99}$")
DEFAULT_DAYS = 30
TEAM_MIN, TEAM_MAX, TEAM_LIMIT = 1, 5, 50
YEARS = (1990, 2999)  # far enough for any contest, and room for "+ 30 days" without overflowing
FIELDS = ("slug", "title", "theme", "description", "rules", "agreement", "registration_opens",
          "registration_closes", "data_opens", "data_closes", "team_min", "team_max")
WINDOWS = ("registration_opens", "registration_closes", "data_opens", "data_closes")

DEFAULT_AGREEMENT = (
    "数据利用协议：参赛团队仅可将大赛数据用于本次大赛的作品开发，不得向第三方提供、转让或公开发布原始数据，"
    "不得尝试识别个人身份。数据销毁承诺：数据使用期结束后，团队全体成员应删除已下载的全部大赛数据及其副本。"
)


class ContestState(StrEnum):
    draft = "draft"
    upcoming = "upcoming"
    open = "open"
    running = "running"
    finished = "finished"


STATE_LABELS = {ContestState.draft: "草稿", ContestState.upcoming: "即将开始", ContestState.open: "报名中",
                ContestState.running: "进行中", ContestState.finished: "已结束"}


class Actor(Protocol):
    """Who acts: an ``Account`` or a request's principal (both have an id and a role)."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class ContestSpec:
    """A checked contest JSON."""

    slug: str
    title: str
    theme: str
    description: str
    rules: str
    agreement: str
    registration_opens: datetime
    registration_closes: datetime
    data_opens: datetime
    data_closes: datetime
    team_min: int
    team_max: int


def aware(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back naive."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _time(value: Any, key: str) -> datetime:
    if isinstance(value, datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        raise invalid(f"{key} must be an ISO 8601 time")
    try:
        moment = aware(datetime.fromisoformat(value.strip())).astimezone(UTC)  # SQLite keeps no offset
    except (ValueError, OverflowError):
        raise invalid(f"{key}: {value[:40]!r} is not an ISO 8601 time") from None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise invalid(f"{key}: the year must be from {YEARS[0]} to {YEARS[1]}")
    return moment


def _text(data: dict[str, Any], key: str, limit: int, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise invalid(f"{key} must be a string")
    if "\x00" in value:
        raise invalid(f"{key} holds a NUL character")
    value = value.strip()
    if len(value) > limit:
        raise invalid(f"{key} is longer than {limit} characters")
    return value


def _team_size(data: dict[str, Any], key: str, default: int) -> int:
    value = data.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= TEAM_LIMIT:
        raise invalid(f"{key} must be a whole number from 1 to {TEAM_LIMIT}")
    return value


def parse_spec(data: dict[str, Any], *, now: datetime | None = None) -> ContestSpec:
    """The contest JSON, checked; unknown keys are refused so a misspelt window is not silently defaulted."""
    if not isinstance(data, dict):
        raise invalid("a contest is a JSON object")
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise invalid(f"unknown contest fields: {', '.join(sorted(unknown))}; the fields are {', '.join(FIELDS)}")
    now = (now or utcnow()).replace(microsecond=0)
    slug = _text(data, "slug", 100)
    if not SLUG.match(slug):
        raise invalid("slug: 2–100 characters, lower-case letters, digits and '-', starting with a letter or digit")
    title = _text(data, "title", 300)
    if not title:
        raise invalid("a title is needed")
    times = {key: _time(data[key], key) if data.get(key) is not None else None for key in WINDOWS}
    registration_opens = times["registration_opens"] or now
    registration_closes = times["registration_closes"] or registration_opens + timedelta(days=DEFAULT_DAYS)
    data_opens = times["data_opens"] or now
    data_closes = times["data_closes"] or data_opens + timedelta(days=DEFAULT_DAYS)
    if registration_closes <= registration_opens:
        raise invalid("registration_closes must be after registration_opens")
    if data_closes <= data_opens:
        raise invalid("data_closes must be after data_opens")
    team_min, team_max = _team_size(data, "team_min", TEAM_MIN), _team_size(data, "team_max", TEAM_MAX)
    if team_min > team_max:
        raise invalid("team_min must not be larger than team_max")
    return ContestSpec(
        slug=slug, title=title, theme=_text(data, "theme", 200), description=_text(data, "description", 20_000),
        rules=_text(data, "rules", 20_000), agreement=_text(data, "agreement", 20_000) or DEFAULT_AGREEMENT,
        registration_opens=registration_opens, registration_closes=registration_closes, data_opens=data_opens,
        data_closes=data_closes, team_min=team_min, team_max=team_max)


def is_organizer(actor: Actor) -> bool:
    return actor.role in (Role.organizer, Role.admin)


def may_manage(actor: Actor | None, contest: Contest) -> bool:
    """The contest's own organizer, or an admin."""
    return actor is not None and (actor.role == Role.admin or actor.id == contest.organizer_id)


def create(session: Session, organizer: Account, spec: ContestSpec) -> Contest:
    """A new draft contest (flushed). Only organizers and admins organize."""
    if not is_organizer(organizer):
        raise ContestError(403, "organizer_required", "creating a contest needs the organizer (or admin) role")
    if session.exec(select(Contest.id).where(Contest.slug == spec.slug)).first() is not None:
        raise ContestError(409, "conflict", f"a contest named '{spec.slug}' already exists")
    contest = Contest(organizer_id=organizer.id, **spec.__dict__)  # type: ignore[arg-type]
    session.add(contest)
    session.flush()
    return contest


def publish(session: Session, actor: Actor, contest: Contest) -> Contest:
    """Make the contest public (idempotent: a second publish keeps the first time)."""
    require_manager(actor, contest)
    if contest.published is None:
        contest.published = utcnow()
        session.add(contest)
        session.flush()
    return contest


def require_manager(actor: Actor | None, contest: Contest) -> None:
    if actor is None:
        raise ContestError(401, "login_required", "this needs an account (an API key or a login)")
    if not may_manage(actor, contest):
        raise ContestError(403, "contest_organizer_only", f"only the organizer of '{contest.slug}' may do this")


def find(session: Session, slug: str, viewer: Actor | None = None) -> Contest:
    """The contest; a draft only for its organizer and admins (for everyone else it does not exist)."""
    contest = session.exec(select(Contest).where(Contest.slug == slug)).first()
    if contest is None or (contest.published is None and not may_manage(viewer, contest)):
        raise not_found(f"no contest named '{slug}'")
    return contest


def listed(session: Session, viewer: Actor | None = None) -> list[Contest]:
    """Published contests, newest data window first, and the viewer's own drafts (an admin: every draft)."""
    query = select(Contest)
    if viewer is None:
        query = query.where(col(Contest.published).is_not(None))
    elif viewer.role != Role.admin:
        query = query.where(col(Contest.published).is_not(None) | (col(Contest.organizer_id) == viewer.id))
    return list(session.exec(query.order_by(col(Contest.data_opens).desc(), col(Contest.id).desc())))


def state(contest: Contest, now: datetime | None = None) -> ContestState:
    now = now or utcnow()
    if contest.published is None:
        return ContestState.draft
    if now < aware(contest.registration_opens):
        return ContestState.upcoming
    if now < aware(contest.registration_closes):
        return ContestState.open
    if now < aware(contest.data_closes):
        return ContestState.running
    return ContestState.finished


def registration_open(contest: Contest, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (contest.published is not None
            and aware(contest.registration_opens) <= now < aware(contest.registration_closes))


def data_open(contest: Contest, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return contest.published is not None and aware(contest.data_opens) <= now < aware(contest.data_closes)


def data_closed_for_good(contest: Contest, now: datetime | None = None) -> bool:
    return aware(contest.data_closes) <= (now or utcnow())


def team_count(session: Session, contest: Contest) -> int:
    return len(list(session.exec(select(ContestTeam.id).where(ContestTeam.contest_id == contest.id))))


def as_json(contest: Contest) -> dict[str, Any]:
    """The contest JSON (the same keys a ``--from-json`` file takes), times in ISO 8601 UTC."""
    data: dict[str, Any] = {key: getattr(contest, key) for key in FIELDS}
    for key in WINDOWS:
        data[key] = aware(data[key]).isoformat()
    return data
