"""Directory endpoints: domains, departments, datasets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from catalog.community import ratings
from catalog.datasets.queries import (
    get_published_dataset,
    published_department_counts,
    published_directory,
    published_domain_counts,
)
from catalog.quality.scores import quality_of

from ...deps import ClockDep, SessionDep, SettingsDep
from ..models import (
    DepartmentPublic,
    DirectoryPage,
    DomainPublic,
    RatingSummary,
    error_responses,
)
from ..quality_models import DatasetWithQuality, QualityPublic
from ..serializers import dataset_detail, dataset_summary, department_public, domain_public

router = APIRouter(tags=["directory 目录"])


@router.get("/domains", summary="The 12 domains (数据领域) with their dataset counts",
            response_model=list[DomainPublic], responses=error_responses(400))
def domains(session: SessionDep) -> list[DomainPublic]:
    return [domain_public(d, count) for d, count in published_domain_counts(session)]


@router.get("/departments", summary="Departments (数据提供方) that publish datasets",
            response_model=list[DepartmentPublic], responses=error_responses(400))
def departments(session: SessionDep) -> list[DepartmentPublic]:
    return [department_public(d, count) for d, count in published_department_counts(session)]


@router.get("/datasets", summary="The dataset directory, newest first",
            response_model=DirectoryPage, responses=error_responses(400, 422))
def datasets(
    session: SessionDep,
    domain: Annotated[list[str] | None, Query(description="Domain code; repeat for several")] = None,
    department: Annotated[list[str] | None, Query(description="Department slug; repeat for several")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> DirectoryPage:
    result = published_directory(session, domains=domain, departments=department, page=page, size=size)
    return DirectoryPage(count=result.total, page=page, size=size,
                         results=[dataset_summary(*row) for row in result.rows])


@router.get("/datasets/{name}",
            summary="All metadata of a dataset, with resources, versions, validation and quality score",
            response_model=DatasetWithQuality, responses=error_responses(400, 404, 410, 422))
def dataset(name: str, session: SessionDep, settings: SettingsDep, now: ClockDep) -> DatasetWithQuality:
    view = get_published_dataset(session, name)
    detail = dataset_detail(view)
    found = ratings.summaries(session, [view.dataset.id]).get(view.dataset.id, ratings.NONE)  # type: ignore[arg-type,list-item]
    detail.rating = RatingSummary(**found.as_json())
    quality = quality_of(session, view.dataset, now, settings)
    return DatasetWithQuality(**dict(detail), quality=QualityPublic.model_validate(quality.as_json()))
