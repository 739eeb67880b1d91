"""The published Table Schemas (数据标准)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from catalog.schemas import get_schema, list_schemas

router = APIRouter(tags=["schemas 数据标准"])


@router.get("/schemas", summary="The published Table Schemas")
def schemas() -> list[dict[str, Any]]:
    return [
        {"name": s.name, "title": s.title, "description": s.description, "field_count": len(s.fields),
         "url": f"/api/v1/schemas/{s.name}"}
        for s in list_schemas()
    ]


@router.get("/schemas/{name}", summary="One published Table Schema (the Frictionless descriptor)")
def schema(name: str) -> dict[str, Any]:
    published = get_schema(name)
    return {"name": published.name, "title": published.title, "description": published.description,
            "schema": published.descriptor}
