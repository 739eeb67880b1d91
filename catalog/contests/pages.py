"""What the contest web pages (portal/web/contests.py) show, gathered from the other contest modules so that the
routes only render: the board of contests by state, the package with small sample tables, the visitor's place in
the contest (team, agreement, what they may download now), the organizer's form of a new contest, and the
reviewers' queue of contest consents.

Nothing here decides access: the seat and the entries go through ``gate.py`` (hence ``catalog/access.py``) exactly
as the API's routes do, and the sample rows are those of ``samples.sample_csv`` (capped by the policy).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlmodel import Session

from catalog.accounts import principals
from catalog.config import Settings
from catalog.models import Account, Contest, ContestConsent, ContestMember, Dataset

from . import consents, contests, entries, gate, samples, teams
from .contests import ContestSpec, ContestState
from .errors import ContestError, invalid

SAMPLE_PREVIEW_ROWS = 5  # rows of each entry's public sample shown on the contest page
SHANGHAI = timezone(timedelta(hours=8))  # the form's times are 北京时间, as the pages show them
BOARD_GROUPS = (("open", "报名中", (ContestState.upcoming, ContestState.open)),
                ("running", "进行中", (ContestState.running,)),
                ("finished", "已结束", (ContestState.finished,)),
                ("draft", "草稿（仅组织者可见）", (ContestState.draft,)))


@dataclass
class ContestCard:
    contest: Contest
    state: ContestState
    state_label: str
    teams: int


@dataclass
class BoardGroup:
    key: str
    label: str
    cards: list[ContestCard]


def board(session: Session, viewer: Account | None) -> list[BoardGroup]:
    """The contests the viewer may see, grouped: open for registration (or about to be), running (the data
    window), finished, and the viewer's own drafts. Empty groups are left out."""
    cards = []
    for contest in contests.listed(session, viewer):
        state = contests.state(contest)
        cards.append(ContestCard(contest, state, contests.STATE_LABELS[state], contests.team_count(session, contest)))
    groups = [BoardGroup(key, label, [c for c in cards if c.state in states]) for key, label, states in BOARD_GROUPS]
    return [g for g in groups if g.cards]


@dataclass
class SamplePreview:
    header: list[str]
    rows: list[list[str]]
    size: int  # rows in the whole public sample (the CSV link's)


def _lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Decoded lines (endings kept, so csv can join quoted line breaks) of a UTF-8 byte stream."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = ""
    for chunk in chunks:
        parts = (pending + decoder.decode(chunk)).splitlines(keepends=True)
        pending = parts.pop() if parts and not parts[-1].endswith("\n") else ""  # a line still being sent
        yield from parts
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def sample_preview(view: entries.EntryView, settings: Settings, limit: int = SAMPLE_PREVIEW_ROWS,
                   ) -> SamplePreview | None:
    """The first ``limit`` rows of the entry's public sample (the same rows the sample CSV starts with), or None
    when it has none or its table cannot be read."""
    size = samples.sample_size(view, settings)
    try:
        chunks = samples.sample_csv(view, settings)
    except ContestError:
        return None
    lines = _lines(chunks)
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        rows = [row for _, row in zip(range(min(limit, size)), reader, strict=False)]
    finally:
        close = getattr(chunks, "close", None)
        if close:
            close()
    return SamplePreview(header, rows, size) if header else None


@dataclass
class PackageLine:
    view: entries.EntryView
    status_label: str
    fields: list[dict]
    sample: SamplePreview | None
    downloadable: bool  # the visitor may download its full data now


@dataclass
class Seat:
    """The visitor's place in the contest: the team, its members, the visitor's own membership, and — when the
    policy refuses the package now — why (the gate's message)."""

    team: teams.TeamView
    member: ContestMember
    refusal: ContestError | None
    notice: str | None  # the deletion-pledge reminder once the data window has closed
    downloadable_ids: set[int] = field(default_factory=set)

    @property
    def may_download(self) -> bool:
        return self.refusal is None and bool(self.downloadable_ids)


def seat(session: Session, contest: Contest, account: Account | None) -> Seat | None:
    """The visitor's team and what the access policy lets them take now (None: not in a team)."""
    if account is None:
        return None
    member = teams.membership(session, contest, account.id)  # type: ignore[arg-type]
    if member is None:
        return None
    team = next(t for t in teams.teams(session, contest) if t.team.id == member.team_id)
    refusal = None
    try:
        gate.require_seat(session, contest, principals.for_account(session, account))
    except ContestError as exc:
        refusal = exc
    notice = gate.PLEDGE_REMINDER if contests.data_closed_for_good(contest) else None
    ready = {v.id for v in gate.downloadable(entries.package(session, contest))} if refusal is None else set()
    return Seat(team, member, refusal, notice, ready)


def package(session: Session, contest: Contest, settings: Settings, seated: Seat | None, *,
            with_samples: bool = True) -> list[PackageLine]:
    """The package as the contest page lists it: every shown entry with its status, fields and sample rows."""
    lines = []
    for view in entries.shown(entries.package(session, contest)):
        schema = view.version.table_schema or {}
        lines.append(PackageLine(
            view, entries.STATUS_LABELS[view.status], list(schema.get("fields") or []),
            sample_preview(view, settings) if with_samples else None,
            seated is not None and view.id in seated.downloadable_ids))
    return lines


def _local_time(value: str, key: str) -> str | None:
    """A form's time (``datetime-local``: no offset, 北京时间) as ISO 8601 with its offset; blank → None."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(f"{key}: {value[:40]!r} is not a time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).isoformat()


def _whole(value: str, key: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise invalid(f"{key} must be a whole number")
    return int(value)


def spec_from_form(form: dict[str, str]) -> ContestSpec:
    """The new-contest form as a checked contest JSON: times typed as 北京时间, blank fields left to the
    contest's defaults (windows open from now for 30 days, teams of 1–5)."""
    data: dict = {key: form.get(key, "") for key in ("slug", "title", "theme", "description", "rules", "agreement")}
    for key in contests.WINDOWS:
        data[key] = _local_time(form.get(key, ""), key)
    for key in ("team_min", "team_max"):
        data[key] = _whole(form.get(key, ""), key)
    return contests.parse_spec({k: v for k, v in data.items() if v is not None})



@dataclass
class ConsentLine:
    """A contest's request for a department's consent, with what the reviewer needs to decide it."""

    consent: ContestConsent
    contest: Contest
    dataset: Dataset
    requester: Account | None
    full_entries: int  # the contest's entries of the dataset that offer full data


def consent_queue(session: Session, reviewer: Account) -> list[ConsentLine]:
    """Every contest consent the reviewer decides (their departments'; an admin: all), oldest first."""
    lines = []
    for consent in consents.visible(session, reviewer):
        contest = session.get(Contest, consent.contest_id)
        dataset = session.get(Dataset, consent.dataset_id)
        if contest is None or dataset is None:
            continue
        full = sum(1 for v in entries.package(session, contest) if v.dataset.id == dataset.id and v.entry.full)
        requester = session.get(Account, consent.requested_by) if consent.requested_by else None
        lines.append(ConsentLine(consent, contest, dataset, requester, full))
    return lines
