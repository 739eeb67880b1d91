"""The rows API: filtered, sorted, keyset-paged rows of a table (JSON), the same selection as streamed CSV,
and a few public sample rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from catalog import access
from catalog.datasets import stats as download_stats
from catalog.privacy.masking import mask_rows
from catalog.tables.engine import RowsTimeout, fetch_rows
from catalog.tables.exports import FORMATS, csv_chunks, prefetch
from catalog.tables.query import RowsError, RowsQuery, parse_query

from ...deps import PrincipalDep, SessionDep, SettingsDep
from ..models import RowsPage, error_responses, file_responses
from ..serializers import rows_page
from .downloads import (
    RESOURCE_PATH,
    content_disposition,
    published_resource,
    require_open,
    rows_error,
    table_of,
)

router = APIRouter(tags=["rows 数据接口"])

_ROUTE_ONLY = {"_version", "_bom"}  # read by the route, not filters
_NOT_FOR_CSV = {"_size", "_next", "_total"}  # rows.csv is the whole selection

# Documented here for the OpenAPI page; the values themselves are read by catalog.tables.query.parse_query, which
# also takes the column filters (col=value, col__gt=…) that no signature can list.
_Sort = Annotated[str | None, Query(alias="_sort", description="Sort by this column, ascending")]
_SortDesc = Annotated[str | None, Query(alias="_sort_desc", description="Sort by this column, descending")]
_Fields = Annotated[str | None, Query(alias="_fields", description="Columns to return, comma-separated")]
_Version = Annotated[int | None, Query(alias="_version", ge=1, description="A version id (default: current)")]
_Search = Annotated[str | None, Query(alias="_search", min_length=1, max_length=100, description=(
    "Rows where any text column contains this text (ignoring case and full-width forms)"))]


def _params(request: Request, drop: set[str]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query_params.multi_items() if k not in drop]


@router.get(f"{RESOURCE_PATH}/rows", summary="Rows of a table: filters, sort, fields, keyset paging",
            response_model=RowsPage, response_model_exclude_unset=True,  # `total` only when counted
            responses=error_responses(400, 401, 403, 404, 409, 410, 422, 503))
def rows(
    name: str,
    resource: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    _sort: _Sort = None,
    _sort_desc: _SortDesc = None,
    _fields: _Fields = None,
    _search: _Search = None,
    _size: Annotated[int | None, Query(alias="_size", ge=1, description=(  # the bound: ODP_ROWS_MAX_SIZE
        "Rows per page (default ODP_ROWS_DEFAULT_SIZE, 100; at most ODP_ROWS_MAX_SIZE, 5000)"))] = None,
    _next: Annotated[str | None, Query(alias="_next", description="The `next` token of the previous page")] = None,
    _total: Annotated[bool, Query(alias="_total", description="1: also count all matching rows")] = False,
    _version: _Version = None,
) -> RowsPage:
    found = published_resource(session, name, resource, _version)
    require_open(found, principal, request, session, settings)
    table = table_of(found, settings)
    try:
        query = parse_query(table, _params(request, _ROUTE_ONLY))
        page = fetch_rows(table, query)
    except (RowsError, RowsTimeout) as exc:
        raise rows_error(exc) from exc
    download_stats.record(found.dataset_id, found.resource_id, "api", settings)
    return rows_page(page, request.url)


@router.get(f"{RESOURCE_PATH}/rows.csv", summary="All rows matching the filters, as streamed CSV",
            response_class=StreamingResponse,
            responses=file_responses({"text/csv": "The matching rows as UTF-8 CSV, a header row first"})
            | error_responses(400, 401, 403, 404, 409, 410, 422))
def rows_csv(
    name: str,
    resource: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    _sort: _Sort = None,
    _sort_desc: _SortDesc = None,
    _fields: _Fields = None,
    _search: _Search = None,
    _bom: Annotated[bool, Query(alias="_bom", description="1: start with a UTF-8 BOM (for Excel)")] = False,
    _version: _Version = None,
) -> StreamingResponse:
    found = published_resource(session, name, resource, _version)
    require_open(found, principal, request, session, settings)
    table = table_of(found, settings)
    try:
        query = parse_query(table, _params(request, _ROUTE_ONLY | _NOT_FOR_CSV))
    except RowsError as exc:
        raise rows_error(exc) from exc
    download_stats.record(found.dataset_id, found.resource_id, "api", settings)
    headers = {"Content-Disposition": content_disposition(found, "csv")}
    chunks = prefetch(csv_chunks(table, query, bom=_bom))
    return StreamingResponse(chunks, media_type=FORMATS["csv"].media_type, headers=headers)


@router.get(f"{RESOURCE_PATH}/sample",
            summary="The first rows, as many as the page preview shows (public, also for 有条件开放 data)",
            response_model=RowsPage, response_model_exclude_unset=True,
            responses=error_responses(400, 404, 409, 410, 422, 503))
def sample(name: str, resource: str, session: SessionDep, settings: SettingsDep,
           request: Request) -> RowsPage:
    found = published_resource(session, name, resource)
    table = table_of(found, settings)
    try:
        shown = access.public_sample_rows(found.view.dataset, settings.public_sample_rows)  # ODP_PUBLIC_SAMPLE_ROWS
        page = fetch_rows(table, RowsQuery(size=shown))
    except (RowsError, RowsTimeout) as exc:
        raise rows_error(exc) from exc
    page.rows = mask_rows(page.rows, access.masked_sample_columns(found.view.dataset, found.version.pii_report))
    page.next = None  # a sample never pages on
    return rows_page(page, request.url)
