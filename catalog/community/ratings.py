"""Star ratings (1–5) of datasets: one per account and dataset (posting again replaces it). Averages are read
from the database when asked — for one dataset, or for a page of search hits in one query — and never written
into the search index, so a rating shows at once and a re-index never loses one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from catalog.models import Account, DatasetRating, utcnow

from .datasets import shown
from .errors import invalid


@dataclass(frozen=True)
class RatingSummary:
    average: float | None  # None: no rating yet
    count: int

    def as_json(self) -> dict[str, float | int | None]:
        return {"average": self.average, "count": self.count}


NONE = RatingSummary(None, 0)


def rate(session: Session, account: Account, name: str, stars: int) -> RatingSummary:
    """Set the account's rating of the dataset (replacing its earlier one); the dataset's new summary."""
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise invalid("stars must be a whole number from 1 to 5")
    dataset = shown(session, name)
    row = session.get(DatasetRating, (dataset.id, account.id))
    if row is None:
        row = DatasetRating(dataset_id=dataset.id, account_id=account.id, stars=stars)  # type: ignore[arg-type]
    row.stars, row.updated = stars, utcnow()
    session.add(row)
    session.flush()
    return summaries(session, [dataset.id])[dataset.id]  # type: ignore[index]


def summary(session: Session, name: str) -> RatingSummary:
    dataset = shown(session, name)
    return summaries(session, [dataset.id]).get(dataset.id, NONE)  # type: ignore[arg-type]


def mine(session: Session, account_id: int, name: str) -> int | None:
    row = session.get(DatasetRating, (shown(session, name).id, account_id))
    return row.stars if row else None


def summaries(session: Session, dataset_ids: Iterable[int]) -> dict[int, RatingSummary]:
    """Average and count of each dataset, in one query; datasets without ratings are absent."""
    ids = list(dict.fromkeys(dataset_ids))
    if not ids:
        return {}
    query = (select(DatasetRating.dataset_id, func.avg(DatasetRating.stars), func.count())
             .where(col(DatasetRating.dataset_id).in_(ids)).group_by(col(DatasetRating.dataset_id)))
    return {dataset_id: RatingSummary(round(float(average), 2), int(count))
            for dataset_id, average, count in session.exec(query)}
