"""Reuses (应用/成果): apps, articles and visualizations built with the portal's datasets. A registered user
submits one (title, URL, description, kind, the datasets it used, an optional image); an admin approves it
before it is shown. Dataset pages list their approved reuses, and ``/reuses`` lists them all.

Contest works are reuses too, derived rather than copied: an accepted work of a published contest
(catalog/contests/works.py) *is* approved — the organizer's acceptance is the approval — and is read from
``contestwork`` each time, linked to its contest. A copy would have to follow every later change of the work
(award, withdrawal of the contest) and could drift; the derived view cannot.

Every listing names only the datasets the viewer may see (``catalog/access.py``): a reuse of a dataset that was
withdrawn or closed since stays listed, without that dataset; filtering by such a dataset finds nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from catalog import access
from catalog.access import Principal
from catalog.config import Settings
from catalog.contests import works as contest_works
from catalog.contests.errors import ContestError
from catalog.models import (
    Account,
    Contest,
    ContestTeam,
    ContestWork,
    ContestWorkDataset,
    Dataset,
    Reuse,
    ReuseDataset,
    utcnow,
)
from catalog.vocabulary import Role

from . import images, moderation
from .errors import forbidden, invalid, not_found

MAX_DATASETS = 20


class ReuseKind(StrEnum):
    app = "app"
    article = "article"
    visualization = "visualization"
    other = "other"


KIND_LABELS = {ReuseKind.app: "应用", ReuseKind.article: "文章", ReuseKind.visualization: "可视化",
               ReuseKind.other: "其他"}
CONTEST_KIND = "contest"  # the kind a contest work is listed under
CONTEST_LABEL = "竞赛作品"


@dataclass(frozen=True)
class ReuseView:
    """One reuse as shown: a submitted one (``id`` set) or a contest work (``contest`` set)."""

    kind: str
    title: str
    url: str
    description: str
    author: str
    created: datetime
    datasets: list[tuple[str, str]] = field(default_factory=list)  # (name, title) the viewer may see
    id: int | None = None
    approved: bool = True
    image_url: str | None = None
    contest: tuple[str, str] | None = None  # (slug, title)
    work_id: int | None = None
    award: str | None = None

    @property
    def kind_label(self) -> str:
        return CONTEST_LABEL if self.kind == CONTEST_KIND else KIND_LABELS[ReuseKind(self.kind)]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "kind_label": self.kind_label, "title": self.title,
                "url": self.url, "description": self.description, "author": self.author,
                "datasets": [name for name, _ in self.datasets], "approved": self.approved,
                "image": self.image_url, "created": _aware(self.created).isoformat(),
                "contest": ({"slug": self.contest[0], "title": self.contest[1], "work": self.work_id,
                             "award": self.award} if self.contest else None)}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _kind(kind: str | None) -> ReuseKind:
    try:
        return ReuseKind(kind or ReuseKind.app)
    except ValueError:
        raise invalid("kind must be app, article, visualization or other") from None


def _url(url: str) -> str:
    try:
        return contest_works.check_url(url)  # the same rule as a contest work's URL
    except ContestError:
        raise invalid("url must be an http(s) address of the app or article") from None


def _datasets(session: Session, account: Account, names: list[str]) -> list[Dataset]:
    wanted = list(dict.fromkeys(n.strip() for n in names if isinstance(n, str) and n.strip()))
    if not wanted:
        raise invalid("datasets: name at least one dataset the reuse used")
    if len(wanted) > MAX_DATASETS:
        raise invalid(f"datasets: at most {MAX_DATASETS}")
    found = {d.name: d for d in session.exec(select(Dataset).where(col(Dataset.name).in_(wanted)))}
    unknown = [n for n in wanted if n not in found or not access.listed(found[n], account)]
    if unknown:
        raise invalid(f"datasets: no listed dataset named {', '.join(unknown)[:300]}")
    return [found[n] for n in wanted]


def submit(session: Session, settings: Settings, account: Account, *, title: str, url: str, description: str,
           datasets: list[str], kind: str | None = None, image: bytes | None = None) -> Reuse:
    """A new reuse, waiting for an admin's approval."""
    title = moderation.check_text("title", title, moderation.MAX_TITLE)
    description = moderation.check_text("description", description, moderation.MAX_BODY)
    reuse = Reuse(account_id=account.id, kind=_kind(kind).value, title=title, url=_url(url),  # type: ignore[arg-type]
                  description=description)
    used = _datasets(session, account, datasets)
    moderation.screen(settings, account, title, description)
    reuse.image = images.store(image, settings) if image else None
    session.add(reuse)
    session.flush()
    for dataset in used:
        session.add(ReuseDataset(reuse_id=reuse.id, dataset_id=dataset.id))  # type: ignore[arg-type]
    session.flush()
    return reuse


def _get(session: Session, reuse_id: int) -> Reuse:
    reuse = session.get(Reuse, reuse_id)
    if reuse is None:
        raise not_found(f"no reuse {reuse_id}")
    return reuse


def may_see(reuse: Reuse, viewer: Account | None) -> bool:
    """Approved: everyone; pending: its submitter and admins."""
    return reuse.approved is not None or (viewer is not None and (
        viewer.id == reuse.account_id or viewer.role == Role.admin))


def approve(session: Session, actor: Account, reuse_id: int) -> Reuse:
    """An admin approves the reuse: from now on it is listed."""
    if actor.role != Role.admin:
        raise forbidden("only an admin approves reuses")
    reuse = _get(session, reuse_id)
    if reuse.approved is None:
        reuse.approved, reuse.approved_by = utcnow(), actor.id
        session.add(reuse)
        session.flush()
    return reuse


def set_image(session: Session, settings: Settings, actor: Account, reuse_id: int, data: bytes) -> Reuse:
    """The submitter (or an admin) adds or replaces the reuse's image."""
    reuse = _get(session, reuse_id)
    if actor.id != reuse.account_id and actor.role != Role.admin:
        if not may_see(reuse, actor):
            raise not_found(f"no reuse {reuse_id}")
        raise forbidden("only the reuse's submitter or an admin changes its image")
    reuse.image = images.store(data, settings)
    session.add(reuse)
    session.flush()
    return reuse


def image_of(session: Session, settings: Settings, reuse_id: int, viewer: Account | None) -> tuple[Any, str, str]:
    """The store, relpath and media type of a reuse's image, for a viewer who may see the reuse."""
    reuse = session.get(Reuse, reuse_id)
    found = images.stored(reuse.image, settings) if reuse is not None and may_see(reuse, viewer) else None
    if found is None:
        raise not_found(f"reuse {reuse_id} has no image")
    return found


# --- Reading --------------------------------------------------------------------------------------------------


def _dataset_id(session: Session, name: str | None, principal: Principal | None) -> int | None:
    """The id of the named dataset if the viewer may see it listed; -1 (matches nothing) if not."""
    if not name:
        return None
    dataset = session.exec(select(Dataset).where(Dataset.name == name)).first()
    return dataset.id if dataset is not None and access.listed(dataset, principal) else -1  # type: ignore[return-value]


def _shown_datasets(session: Session, link, owner, ids: list[int], principal: Principal | None) -> dict[int, list]:
    """owner id → [(name, title)] of the listed datasets it used, by title."""
    if not ids:
        return {}
    rows = session.exec(select(owner, Dataset.name, Dataset.title).join(Dataset, col(Dataset.id) == link.dataset_id)
                        .where(col(owner).in_(ids), access.listed_clause(principal)).order_by(Dataset.title))
    found: dict[int, list] = {}
    for owner_id, name, title in rows:
        found.setdefault(owner_id, []).append((name, title))
    return found


def submitted(session: Session, principal: Principal | None, *, dataset: str | None = None,
              kind: str | None = None, approved: bool = True, account_id: int | None = None) -> list[ReuseView]:
    """Submitted reuses, newest first: approved ones (or the pending ones, for the admins' queue)."""
    query = select(Reuse, Account).join(Account, col(Account.id) == Reuse.account_id)
    query = query.where(col(Reuse.approved).is_not(None) if approved else col(Reuse.approved).is_(None))
    if account_id is not None:
        query = query.where(Reuse.account_id == account_id)
    if kind:
        query = query.where(Reuse.kind == kind)
    dataset_id = _dataset_id(session, dataset, principal)
    if dataset_id is not None:
        query = query.where(col(Reuse.id).in_(select(ReuseDataset.reuse_id).where(
            ReuseDataset.dataset_id == dataset_id)))
    found = list(session.exec(query.order_by(col(Reuse.created).desc(), col(Reuse.id).desc())))
    names = _shown_datasets(session, ReuseDataset, ReuseDataset.reuse_id, [r.id for r, _ in found], principal)  # type: ignore[misc]
    return [ReuseView(kind=r.kind, title=r.title, url=r.url, description=r.description,
                      author=moderation.author_name(a), created=r.created, datasets=names.get(r.id, []),  # type: ignore[arg-type]
                      id=r.id, approved=r.approved is not None,
                      image_url=f"/reuses/{r.id}/image" if r.image else None) for r, a in found]


def from_contests(session: Session, principal: Principal | None, *, dataset: str | None = None) -> list[ReuseView]:
    """Accepted works of published contests, as reuses linked to their contest, newest first."""
    query = (select(ContestWork, Contest.slug, Contest.title, ContestTeam.name)
             .join(Contest, col(Contest.id) == ContestWork.contest_id)
             .join(ContestTeam, col(ContestTeam.id) == ContestWork.team_id)
             .where(col(ContestWork.accepted).is_not(None), col(Contest.published).is_not(None)))
    dataset_id = _dataset_id(session, dataset, principal)
    if dataset_id is not None:
        query = query.where(col(ContestWork.id).in_(select(ContestWorkDataset.work_id).where(
            ContestWorkDataset.dataset_id == dataset_id)))
    found = list(session.exec(query.order_by(col(ContestWork.accepted).desc(), col(ContestWork.id).desc())))
    names = _shown_datasets(session, ContestWorkDataset, ContestWorkDataset.work_id,
                            [w.id for w, *_ in found], principal)  # type: ignore[misc]
    return [ReuseView(kind=CONTEST_KIND, title=w.title, url=w.url, description=w.summary, author=team,
                      created=w.accepted or w.created, datasets=names.get(w.id, []),  # type: ignore[arg-type]
                      image_url=f"/contest/{slug}/works/{w.id}/screenshot" if w.screenshot else None,
                      contest=(slug, title), work_id=w.id, award=w.award) for w, slug, title, team in found]


def listing(session: Session, principal: Principal | None, *, dataset: str | None = None,
            kind: str | None = None) -> list[ReuseView]:
    """Everything shown as a reuse — approved submissions and accepted contest works — newest first; ``kind``
    one of ReuseKind or ``contest``."""
    if kind and kind != CONTEST_KIND:
        _kind(kind)
    own = [] if kind == CONTEST_KIND else submitted(session, principal, dataset=dataset, kind=kind or None)
    works = from_contests(session, principal, dataset=dataset) if kind in (None, "", CONTEST_KIND) else []
    return sorted(own + works, key=lambda v: _aware(v.created), reverse=True)


def find(session: Session, reuse_id: int, viewer: Account | None) -> ReuseView:
    reuse = session.get(Reuse, reuse_id)
    if reuse is None or not may_see(reuse, viewer):
        raise not_found(f"no reuse {reuse_id}")
    approved = reuse.approved is not None
    for view in submitted(session, viewer, approved=approved, account_id=reuse.account_id):
        if view.id == reuse_id:
            return view
    raise not_found(f"no reuse {reuse_id}")  # pragma: no cover - the row was just read


def kind_choices() -> dict[str, str]:
    return {k.value: label for k, label in KIND_LABELS.items()} | {CONTEST_KIND: CONTEST_LABEL}

