"""Full-text search with facets."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from catalog.community import ratings
from catalog.quality.rubric import lowest_score
from catalog.search.base import SearchQuery
from catalog.search.service import search_catalog
from catalog.search.suggest import suggest as suggest_prefix

from ...deps import ClockDep, SearchDep, SessionDep, SettingsDep
from ..errors import ApiError
from ..models import (
    QualityBrief,
    RatingSummary,
    SearchResponse,
    SuggestionPublic,
    SuggestResponse,
    error_responses,
)
from ..serializers import facet, search_hit

router = APIRouter(tags=["search 搜索"])

FACETS_SHOWN = ["domain", "department", "format", "open_class", "update_frequency", "keywords"]


@router.get("/search", summary="Search datasets (Chinese full text) with facet counts",
            response_model=SearchResponse, responses=error_responses(400, 422))
def search(
    session: SessionDep,
    backend: SearchDep,
    now: ClockDep,
    q: Annotated[str, Query(max_length=256, description="Words to find; \"quoted text\" is a phrase")] = "",
    domain: Annotated[list[str] | None, Query(description="Domain code; repeat for several (OR)")] = None,
    department: Annotated[list[str] | None, Query(description="Department slug; repeat for several")] = None,
    format: Annotated[list[str] | None, Query(description="Resource format, e.g. CSV")] = None,
    open_class: Annotated[list[Literal["open", "conditional"]] | None, Query()] = None,
    update_frequency: Annotated[list[str] | None, Query(description="更新频度, e.g. 每月")] = None,
    keywords: Annotated[list[str] | None, Query(description="关键字")] = None,
    sort: Annotated[Literal["relevance", "modified", "title", "downloads", "quality"],
                    Query(description="quality: highest quality score first")] = "relevance",
    min_score: Annotated[int | None, Query(ge=0, le=100, description="Only datasets scoring at least this")] = None,
    grade: Annotated[Literal["优", "良", "中", "差"] | None,
                     Query(description="Only datasets of this grade or better (优 ≥ 85, 良 ≥ 70, 中 ≥ 60)")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=0, le=100)] = 20,
) -> SearchResponse:
    filters = {
        key: [v.upper() if key == "format" else v for v in values]
        for key, values in (("domain", domain), ("department", department), ("format", format),
                            ("open_class", open_class), ("update_frequency", update_frequency),
                            ("keywords", keywords))
        if values
    }
    query = SearchQuery(q=q, filters=filters, sort=sort, page=page, size=size, facets=FACETS_SHOWN)
    lowest = max((v for v in (min_score, lowest_score(grade) if grade else None) if v is not None), default=None)
    try:
        result = search_catalog(session, backend, query, min_score=lowest, now=now)
    except ValueError as exc:
        raise ApiError(422, "invalid_parameter", str(exc)) from exc
    # Ratings of this page of hits, one query: read at query time, never stored in the search index.
    rated = ratings.summaries(session, [h.dataset.id for h in result.hits])  # type: ignore[misc]
    hits = [search_hit(h) for h in result.hits]
    for hit, found in zip(hits, result.hits, strict=True):
        hit.rating = RatingSummary(**rated.get(found.dataset.id, ratings.NONE).as_json())  # type: ignore[arg-type]
        if found.quality is not None:
            hit.quality = QualityBrief(score=found.quality.score, grade=found.quality.grade)
    return SearchResponse(
        count=result.count,
        page=page,
        size=size,
        results=hits,
        facets={name: [facet(f) for f in values] for name, values in result.facets.items()},
        suggestion=result.suggestion,
        corrected=result.corrected,
    )


@router.get("/suggest", summary="Search-as-you-type: titles, keywords and departments starting with q",
            response_model=SuggestResponse, responses=error_responses(400, 422))
def suggest(
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=64, description="What was typed: characters, pinyin or initials")] = "",
    size: Annotated[int, Query(ge=1, le=20)] = 8,
) -> SuggestResponse:
    found = suggest_prefix(session, q, size, settings.suggest_refresh_seconds)
    return SuggestResponse(suggestions=[SuggestionPublic(text=s.text, kind=s.kind, name=s.name) for s in found])
