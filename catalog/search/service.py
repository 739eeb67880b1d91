"""Catalog search: the backend's hits and facet values joined with the catalog's records and labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from catalog import access
from catalog.datasets.queries import dataset_formats, labelled_datasets
from catalog.models import Dataset, Department, Domain, utcnow
from catalog.quality import scores as quality_scores
from catalog.quality.scores import Scored
from catalog.search import zero_hits
from catalog.search.base import SearchBackend, SearchHit, SearchQuery
from catalog.vocabulary import OPEN_CLASSES


@dataclass
class FacetCount:
    value: str
    label: str
    count: int


@dataclass
class CatalogHit:
    hit: SearchHit
    dataset: Dataset
    domain: Domain
    department: Department
    formats: list[str]
    quality: Scored | None = None  # its quality score now


@dataclass
class CatalogSearchResult:
    count: int
    hits: list[CatalogHit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None  # the corrected query ("您是不是要找"), applied or offered
    corrected: bool = False  # the hits are those of ``suggestion``: the query as typed found nothing


def search_catalog(session: Session, backend: SearchBackend, query: SearchQuery, *, min_score: int | None = None,
                   now: datetime | None = None) -> CatalogSearchResult:
    """Search, join the hits with the catalog, and score them. ``sort="quality"`` and ``min_score`` read every
    listed dataset's score now (catalog/quality/scores.py: never indexed, it changes with the clock)."""
    now = now or utcnow()
    if query.sort == "quality" or min_score is not None:
        ranking = quality_scores.current_scores(session, now)
        query.ranking = {name: float(score) for name, score in ranking.items()}
        if min_score is not None:
            query.only = frozenset(name for name, score in ranking.items() if score >= min_score)
    query.validate()
    result = backend.search(query)
    if result.count == 0 and query.q.strip() and not query.filters:
        zero_hits.record(query.q)  # the text itself finds nothing (a filtered zero is narrowing, not a gap)
    names = [h.name for h in result.hits]
    rows = {
        ds.name: (ds, dom, dept)
        for ds, dom, dept in session.exec(
            labelled_datasets().where(Dataset.name.in_(names), access.listed_clause())
        ).all()
    } if names else {}
    formats = dataset_formats(session, [ds.id for ds, _, _ in rows.values()])
    ids = [ds.id for ds, _, _ in rows.values()]
    quality = {s.dataset.name: s for s in quality_scores.scored(session, where=col(Dataset.id).in_(ids), now=now)} \
        if ids else {}
    hits = [
        CatalogHit(h, *rows[h.name], formats.get(rows[h.name][0].id, []), quality.get(h.name))
        for h in result.hits
        if h.name in rows  # an index a moment behind the DB never shows what the DB no longer publishes
    ]
    return CatalogSearchResult(
        count=result.count,
        hits=hits,
        facets=_labelled(session, result.facets),
        suggestion=result.suggestion,
        corrected=result.corrected,
    )


def _labelled(session: Session, facets: dict) -> dict[str, list[FacetCount]]:
    labels: dict[str, dict[str, str]] = {
        "open_class": OPEN_CLASSES,
        "domain": dict(session.exec(select(Domain.code, Domain.name)).all()),
    }
    if facets.get("department"):
        wanted = [v.value for v in facets["department"]]
        labels["department"] = dict(
            session.exec(select(Department.name, Department.title).where(Department.name.in_(wanted))).all()
        )
    return {
        name: [FacetCount(v.value, labels.get(name, {}).get(v.value, v.value), v.count) for v in values]
        for name, values in facets.items()
    }
