"""Works (成果): what a team built with the data — title, summary, a URL (the app or its repository), an optional
screenshot and the datasets it used. A work is a reuse of those datasets linked to the contest: the organizer's
acceptance is its approval for the public showcase (成果展示), and an award (一等奖, …) may be marked on it.
Each dataset page counts the accepted works that used it ("used in N contest works").

Screenshots are checked by their first bytes (PNG, JPEG or WebP; the name or the declared type are not trusted)
and size (at most ``MAX_SCREENSHOT_BYTES``), and stored once by their sha256 as ``contest-works/<sha256>.<ext>``: in
the data dir, or in the S3 file store when one is configured (so every API node shows them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, func, select

from catalog.config import Settings
from catalog.models import (
    Contest,
    ContestEntry,
    ContestTeam,
    ContestWork,
    ContestWorkDataset,
    Dataset,
    utcnow,
)
from catalog.storage import FileStore, media_store, write_once

from . import teams
from .contests import Actor, aware, may_manage, require_manager
from .errors import ContestError, invalid, not_found

MAX_SCREENSHOT_BYTES = 2 * 1024 * 1024
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def image_type(data: bytes) -> str | None:
    """The screenshot's extension from its first bytes, or None when it is no PNG, JPEG or WebP."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


SCREENSHOTS = "contest-works"


def screenshot_relpath(name: str) -> str:
    return f"{SCREENSHOTS}/{name}"


def store_screenshot(data: bytes, settings: Settings) -> str:
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise invalid(f"the screenshot is larger than {MAX_SCREENSHOT_BYTES // (1024 * 1024)} MiB")
    kind = image_type(data)
    if kind is None:
        raise invalid("the screenshot must be a PNG, JPEG or WebP image")
    name = f"{hashlib.sha256(data).hexdigest()}.{kind}"
    write_once(media_store(settings), screenshot_relpath(name), data)
    return name


def screenshot_file(work: ContestWork, settings: Settings) -> tuple[FileStore, str, str] | None:
    """The store holding the screenshot, its relpath there and its media type, for the pages that show it."""
    if not work.screenshot:
        return None
    store, relpath = media_store(settings), screenshot_relpath(work.screenshot)
    kind = work.screenshot.rsplit(".", 1)[-1]
    return (store, relpath, IMAGE_TYPES[kind]) if kind in IMAGE_TYPES and store.exists(relpath) else None


def check_url(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise invalid("url must be an http(s) address of the app or its repository") from None
    if (parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 1000
            or any(c.isspace() or ord(c) < 32 for c in url)):
        raise invalid("url must be an http(s) address of the app or its repository")
    return url


def package_datasets(session: Session, contest: Contest, names: list[str]) -> list[Dataset]:
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    in_package = {d.name: d for d in session.exec(select(Dataset).where(col(Dataset.id).in_(
        select(ContestEntry.dataset_id).where(ContestEntry.contest_id == contest.id))))}
    unknown = [n for n in wanted if n not in in_package]
    if unknown:
        raise invalid(f"not datasets of this contest's package: {', '.join(unknown)[:300]}")
    return [in_package[n] for n in wanted]


def submit(session: Session, contest: Contest, account_id: int, settings: Settings, *, title: str, summary: str,
           url: str, datasets: list[str], screenshot: bytes | None = None) -> ContestWork:
    """A team member submits the team's work (waiting for the organizer's acceptance)."""
    member = teams.membership(session, contest, account_id)
    if member is None:
        raise ContestError(403, "contest_not_member", "works are submitted by members of a team of this contest")
    title = title.strip()
    if not title or len(title) > 300:
        raise invalid("a title of 1–300 characters is needed")
    if len(summary) > 5000:
        raise invalid("the summary is longer than 5000 characters")
    if "\x00" in title + summary:
        raise invalid("the title and summary may not hold a NUL character")
    work = ContestWork(contest_id=contest.id, team_id=member.team_id, submitted_by=account_id, title=title,  # type: ignore[arg-type]
                       summary=summary.strip(), url=check_url(url),
                       screenshot=store_screenshot(screenshot, settings) if screenshot else None)
    return _with_datasets(session, work, package_datasets(session, contest, datasets))


def _with_datasets(session: Session, work: ContestWork, datasets: list[Dataset]) -> ContestWork:
    session.add(work)
    session.flush()
    for dataset in datasets:
        session.add(ContestWorkDataset(work_id=work.id, dataset_id=dataset.id))  # type: ignore[arg-type]
    session.flush()
    return work


def accept(session: Session, actor: Actor, contest: Contest, work_id: int, award: str | None = None) -> ContestWork:
    """The organizer accepts a work for the showcase, and marks its award (None keeps the award as it is,
    "" clears it)."""
    require_manager(actor, contest)
    work = session.get(ContestWork, work_id)
    if work is None or work.contest_id != contest.id:
        raise not_found(f"contest '{contest.slug}' has no work {work_id}")
    if award is not None and len(award.strip()) > 100:
        raise invalid("an award is at most 100 characters")
    work.accepted = work.accepted or utcnow()
    if award is not None:
        work.award = award.strip() or None
    session.add(work)
    session.flush()
    return work


@dataclass
class WorkView:
    work: ContestWork
    team: str
    datasets: list[str]

    def as_json(self) -> dict[str, Any]:
        w = self.work
        return {"id": w.id, "team": self.team, "title": w.title, "summary": w.summary, "url": w.url,
                "datasets": self.datasets, "screenshot": bool(w.screenshot), "accepted": w.accepted is not None,
                "award": w.award, "created": aware(w.created).isoformat()}


def listed(session: Session, contest: Contest, viewer: Actor | None = None) -> list[WorkView]:
    """The showcase: accepted works for everyone; the organizer sees every work, a member also its team's."""
    query = select(ContestWork, ContestTeam.name).join(ContestTeam, col(ContestTeam.id) == ContestWork.team_id) \
        .where(ContestWork.contest_id == contest.id)
    if not may_manage(viewer, contest):
        member = teams.membership(session, contest, viewer.id) if viewer is not None else None
        accepted = col(ContestWork.accepted).is_not(None)
        query = query.where(accepted | (col(ContestWork.team_id) == member.team_id) if member else accepted)
    found = list(session.exec(query.order_by(col(ContestWork.award).is_(None), col(ContestWork.created),
                                             col(ContestWork.id))))
    names: dict[int, list[str]] = {}
    if found:
        rows = session.exec(select(ContestWorkDataset.work_id, Dataset.name)
                            .join(Dataset, col(Dataset.id) == ContestWorkDataset.dataset_id)
                            .where(col(ContestWorkDataset.work_id).in_([w.id for w, _ in found]))
                            .order_by(Dataset.name))
        for work_id, name in rows:
            names.setdefault(work_id, []).append(name)
    return [WorkView(work, team, names.get(work.id, [])) for work, team in found]  # type: ignore[arg-type]


def find(session: Session, contest: Contest, work_id: int, viewer: Actor | None = None) -> WorkView:
    for view in listed(session, contest, viewer):
        if view.work.id == work_id:
            return view
    raise not_found(f"contest '{contest.slug}' has no work {work_id}")


@dataclass(frozen=True)
class Reuse:
    """An accepted contest work that used a dataset, for the dataset page's "used in N contest works"."""

    contest_slug: str
    contest_title: str
    work_id: int
    title: str
    url: str
    award: str | None


def used_in(session: Session, dataset_id: int) -> list[Reuse]:
    """Accepted works of published contests that used the dataset, newest first."""
    query = (select(Contest.slug, Contest.title, ContestWork.id, ContestWork.title, ContestWork.url,
                    ContestWork.award)
             .join(ContestWork, col(ContestWork.contest_id) == Contest.id)
             .join(ContestWorkDataset, col(ContestWorkDataset.work_id) == ContestWork.id)
             .where(ContestWorkDataset.dataset_id == dataset_id, col(ContestWork.accepted).is_not(None),
                    col(Contest.published).is_not(None))
             .order_by(col(ContestWork.created).desc(), col(ContestWork.id).desc()))
    return [Reuse(*row) for row in session.exec(query)]


def used_in_count(session: Session, dataset_id: int) -> int:
    query = (select(func.count()).select_from(ContestWorkDataset)
             .join(ContestWork, col(ContestWork.id) == ContestWorkDataset.work_id)
             .join(Contest, col(Contest.id) == ContestWork.contest_id)
             .where(ContestWorkDataset.dataset_id == dataset_id, col(ContestWork.accepted).is_not(None),
                    col(Contest.published).is_not(None)))
    return session.exec(query).one()
