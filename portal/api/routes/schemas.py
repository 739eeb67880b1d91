"""The published Table Schemas (数据标准)."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.schemas import get_schema, list_schemas

from ..models import SchemaSummary, TableSchemaPublic, error_responses
from ..serializers import schema_summary, table_schema

router = APIRouter(tags=["schemas 数据标准"])


@router.get("/schemas", summary="The published Table Schemas",
            response_model=list[SchemaSummary], responses=error_responses(400))
def schemas() -> list[SchemaSummary]:
    return [schema_summary(s) for s in list_schemas()]


@router.get("/schemas/{name}", summary="One published Table Schema (the Frictionless descriptor)",
            response_model=TableSchemaPublic, responses=error_responses(400, 404, 422))
def schema(name: str) -> TableSchemaPublic:
    return table_schema(get_schema(name))
