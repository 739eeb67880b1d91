"""Directory endpoints: domains, departments, datasets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from catalog.datasets.queries import (
    get_published_dataset,
    published_department_counts,
    published_directory,
    published_domain_counts,
)

from ...deps import SessionDep
from ..serializers import dataset_detail, dataset_summary

router = APIRouter(tags=["directory 目录"])


@router.get("/domains", summary="The 12 domains (数据领域) with their dataset counts")
def domains(session: SessionDep) -> list[dict[str, Any]]:
    return [
        {"code": d.code, "name": d.name, "name_en": d.name_en, "dataset_count": count}
        for d, count in published_domain_counts(session)
    ]


@router.get("/departments", summary="Departments (数据提供方) that publish datasets")
def departments(session: SessionDep) -> list[dict[str, Any]]:
    return [
        {"name": d.name, "title": d.title, "title_en": d.title_en, "dataset_count": count}
        for d, count in published_department_counts(session)
    ]


@router.get("/datasets", summary="The dataset directory, newest first")
def datasets(
    session: SessionDep,
    domain: Annotated[list[str] | None, Query(description="Domain code; repeat for several")] = None,
    department: Annotated[list[str] | None, Query(description="Department slug; repeat for several")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> dict[str, Any]:
    result = published_directory(session, domains=domain, departments=department, page=page, size=size)
    return {
        "count": result.total,
        "page": page,
        "size": size,
        "results": [dataset_summary(*row) for row in result.rows],
    }


@router.get("/datasets/{name}", summary="All metadata of a dataset, with resources, versions and validation")
def dataset(name: str, session: SessionDep) -> dict[str, Any]:
    return dataset_detail(get_published_dataset(session, name))
