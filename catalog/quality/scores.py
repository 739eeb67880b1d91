"""Quality scores where they are read: one dataset with its breakdown, or every listed dataset's score for
search (sort and minimum score), scorecards and /stats.

The decision a reader would question — *why not put the score in the search index?* A score holds timeliness,
which changes with the clock and not with any harvest: an indexed score would be wrong the day a dataset falls
late, until something reindexed it. So a harvest stores only what it decides (``DatasetQuality``: the points of
every other check and the time of the last real data change, written in the dataset's own publish transaction),
and the score is finished at read time with the clock — exact to the second, no reindex, no nightly job. The
cost is one small query over the listed datasets (two integers and a date each) when a search sorts or filters
by score, the way ratings are joined from the database (catalog/community/ratings.py). A dataset without a
stored row (a catalog upgraded to 0009 and not harvested since) is scored from its facts on the spot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from catalog import access
from catalog.config import Settings, get_settings
from catalog.models import Dataset, DatasetQuality, utcnow
from catalog.quality import facts as quality_facts
from catalog.quality.rubric import TIMELINESS_POINTS, Quality, base_points, grade_of, score
from catalog.quality.timeliness import Timeliness, TimelinessStatus, assess


@dataclass(frozen=True)
class Scored:
    """A dataset's score now, without the breakdown: what lists and aggregates need."""

    dataset: Dataset
    score: int
    grade: str
    timeliness: Timeliness


def quality_of(session: Session, dataset: Dataset, now: datetime | None = None,
               settings: Settings | None = None) -> Quality:
    """The dataset's score now with every check (the dataset page and the API), from its current facts."""
    settings = settings or get_settings()
    found = quality_facts.gather(session, [dataset])[dataset.id]  # type: ignore[index]
    timeliness = assess(found.update_frequency, found.last_change, now or utcnow(), settings.timeliness_grace_ratio)
    return score(found, timeliness)


def refresh(session: Session, datasets: Sequence[Dataset]) -> None:
    """Store what a harvest decides of these datasets' scores (in the caller's transaction)."""
    found_facts = quality_facts.gather(session, datasets)
    stored = {row.dataset_id: row for row in session.exec(
        select(DatasetQuality).where(col(DatasetQuality.dataset_id).in_(list(found_facts))))}
    for dataset_id, found in found_facts.items():
        row = stored.get(dataset_id) or DatasetQuality(dataset_id=dataset_id, base_points=0)
        row.base_points, row.last_change, row.computed = base_points(found), found.last_change, utcnow()
        session.add(row)
    session.flush()


def refresh_all(session: Session) -> int:
    """Store the scores of every dataset (``odp quality refresh``): how many."""
    datasets = session.exec(select(Dataset)).all()
    for start in range(0, len(datasets), 500):
        refresh(session, datasets[start:start + 500])
    return len(datasets)


def needs_refresh(session: Session, dataset: Dataset) -> bool:
    return dataset.id is None or session.get(DatasetQuality, dataset.id) is None


def scored(session: Session, *, where=None, now: datetime | None = None,
           settings: Settings | None = None) -> list[Scored]:
    """Every listed dataset (narrowed by ``where``, a clause over Dataset) with its score now."""
    settings = settings or get_settings()
    now = now or utcnow()
    query = (select(Dataset, DatasetQuality)
             .join(DatasetQuality, col(DatasetQuality.dataset_id) == Dataset.id, isouter=True)
             .where(access.listed_clause()))
    if where is not None:
        query = query.where(where)
    rows = session.exec(query.order_by(col(Dataset.name))).all()
    missing = [ds for ds, stored in rows if stored is None]
    computed = quality_facts.gather(session, missing) if missing else {}
    out = []
    for ds, stored in rows:
        if stored is not None:
            points, last_change = stored.base_points, stored.last_change
        else:
            found = computed[ds.id]  # type: ignore[index]
            points, last_change = base_points(found), found.last_change
        timeliness = assess(ds.update_frequency, last_change, now, settings.timeliness_grace_ratio)
        total = points + (TIMELINESS_POINTS if timeliness.status == TimelinessStatus.on_time else 0)
        out.append(Scored(ds, total, grade_of(total), timeliness))
    return out


def current_scores(session: Session, now: datetime | None = None,
                   settings: Settings | None = None) -> dict[str, int]:
    """dataset name -> score now, for every listed dataset (search's sort and minimum score)."""
    return {s.dataset.name: s.score for s in scored(session, now=now, settings=settings)}
