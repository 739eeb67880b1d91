"""The citizen pages. Each route parses its request, asks the catalog, and renders one template."""

from __future__ import annotations

from collections.abc import Callable
from math import ceil
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from catalog import access
from catalog.access import public_validation_report
from catalog.community import ratings, requests, reuses
from catalog.contests import works as contest_works
from catalog.datasets.queries import (
    DatasetWithdrawn,
    datasets_using_schema,
    get_dataset,
    get_department,
    get_published_dataset,
    most_downloaded,
    portal_totals,
    published_department_counts,
    published_directory,
    published_domain_counts,
)
from catalog.privacy.notice import personal_data_notice
from catalog.schemas import get_schema, list_schemas
from catalog.search.base import SearchQuery
from catalog.search.service import search_catalog
from catalog.tables.preview import masked_preview, preview_table
from catalog.validation_messages import explain_report, field_titles
from catalog.vocabulary import DOMAINS, OPEN_CLASSES, UPDATE_FREQUENCIES, resolve_domain

from ..deps import PrincipalDep, SearchDep, SessionDep, SettingsDep
from .charts import bar_chart
from .community import dataset_panel
from .errors import error_page
from .jsonld import dataset_jsonld
from .links import dataset_api_url, dataset_page_url, downloads_for, rows_url, sample_url
from .search_state import FACETS, PAGE_SIZE, SORTS, SearchState, facet_groups
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

LIST_SIZE = 20
HOME_LIST = 6
RESOURCES_PER_PAGE = 10  # resources (with their previews, fields, quality and versions) on one dataset page


def _page(request: Request) -> int:
    try:
        return min(max(int(request.query_params.get("page", "1")), 1), 10_000)
    except ValueError:
        return 1


def _pages(total: int, size: int) -> int:
    return max(ceil(total / size), 1)


def _page_link(base: str) -> Callable[[int], str]:
    return lambda page: base if page == 1 else f"{base}?page={page}"


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/")
def home(request: Request, session: SessionDep, backend: SearchDep) -> Response:
    keywords = search_catalog(session, backend, SearchQuery(size=0, facets=["keywords"], facet_limit=12))
    return _render(request, "home.html", {
        "domains": published_domain_counts(session),
        "newest": published_directory(session, size=HOME_LIST).rows,
        "popular": most_downloaded(session, HOME_LIST),
        "hot_keywords": keywords.facets.get("keywords", []),
        "departments": published_department_counts(session),
        "totals": portal_totals(session),
        "schema_count": len(list_schemas()),
    })


@router.get("/search")
def search(request: Request, session: SessionDep, backend: SearchDep) -> Response:
    state = SearchState.from_params(request.query_params)
    query = SearchQuery(q=state.q, filters=state.filters, sort=state.sort, page=state.page, size=PAGE_SIZE,
                        facets=list(FACETS), facet_limit=30)
    result = search_catalog(session, backend, query)
    labels = {"domain": {d.code: d.name for d in DOMAINS}, "open_class": OPEN_CLASSES}
    groups = facet_groups(state, result.facets, labels)
    suggestions: dict[str, Any] = {}
    if result.count == 0:  # the empty state: what would have matched, and what people look for
        everything = search_catalog(session, backend, SearchQuery(size=0, facets=["keywords"], facet_limit=12))
        suggestions["keywords"] = everything.facets.get("keywords", [])
        suggestions["domains"] = published_domain_counts(session)
        if state.filters:
            unfiltered = search_catalog(session, backend, SearchQuery(q=state.q, size=0, facets=[]))
            suggestions["without_filters"] = unfiltered.count
    pages = _pages(result.count, PAGE_SIZE)
    active = [(FACETS[g.name], link) for g in groups for link in g.links if link.active]
    return _render(request, "search.html", {
        "state": state, "result": result, "groups": groups, "active": active, "sorts": SORTS,
        "pages": pages, "page_size": PAGE_SIZE, "suggestions": suggestions,
        # stars of this page's hits, read from the database now (never from the search index)
        "ratings": ratings.summaries(session, [h.dataset.id for h in result.hits]),
    })


@router.get("/dataset/{name}")
def dataset(name: str, request: Request, session: SessionDep, settings: SettingsDep,
            principal: PrincipalDep) -> Response:
    try:
        view = get_published_dataset(session, name)
    except DatasetWithdrawn:
        return error_page(request, 410, extra={"withdrawn": get_dataset(session, name)})
    ds = view.dataset
    allowed = access.decide(ds, principal, sample_rows=settings.public_sample_rows)  # the template's access facts
    # A package may have hundreds of resources: the page shows RESOURCES_PER_PAGE of them, and reads previews,
    # reports and download links for those only. The JSON API lists them all.
    pages = _pages(len(view.resources), RESOURCES_PER_PAGE)
    page = min(_page(request), pages)
    shown = view.resources[(page - 1) * RESOURCES_PER_PAGE:page * RESOURCES_PER_PAGE]
    # ?rows_in=RESOURCE&rows_q=TEXT: that table's preview shows the first rows of the whole table holding the
    # text — for readers of the data only (a conditional table's public sample is its first rows, nothing else).
    rows_in, rows_q = request.query_params.get("rows_in"), (request.query_params.get("rows_q") or "")[:200]
    tables = []
    for res in shown:
        searched = rows_q.strip() if allowed.data_readable and rows_in == res.resource.name else None
        preview = (masked_preview(
                       preview_table(res.current, res.resource.format, limit=allowed.sample_rows, settings=settings,
                                     search=searched or None),
                       access.masked_sample_columns(ds, res.current.pii_report, principal))
                   if res.current else None)
        if preview is not None:
            tables.append({"resource": res, "preview": preview, "search": searched or None,
                           "chart": None if searched else bar_chart(preview)})
    readable = allowed.data_readable
    base = settings.public_base_url  # never the request's Host header
    first_table = next((t["resource"].resource.name for t in tables), None)
    page_url = dataset_page_url(ds.name)
    return _render(request, "dataset.html", {
        "view": view,
        "ds": ds,
        "resources": shown,
        "resource_page": page,
        "resource_offset": (page - 1) * RESOURCES_PER_PAGE,
        "resource_pages": pages,
        "resource_page_link": lambda p: f"{page_url}?page={p}#resources" if p > 1 else f"{page_url}#resources",
        "formats": list(dict.fromkeys((r.resource.format or "文件").upper() for r in view.resources)),
        "tables": tables,
        "preview_rows": allowed.sample_rows,
        "access": allowed,
        "data_readable": readable,
        "reports": {r.resource.name: explain_report(  # in Chinese; the original message only if readable
                        public_validation_report(r.current.validation_report, data_readable=readable),
                        field_titles(r.current.table_schema)) or {} for r in shown if r.current},
        "downloads": {r.resource.name: downloads_for(ds.name, r) for r in shown},
        "row_count": sum(r.current.row_count or 0 for r in view.resources if r.current),
        "jsonld": dataset_jsonld(view, base, templates.env.globals["site_name"], resources=shown),
        "base": base,
        "api_url": dataset_api_url(ds.name),
        "first_table": first_table,
        "rows_url": rows_url(ds.name, first_table) if first_table else None,
        "sample_url": sample_url(ds.name, first_table) if first_table else None,
        "search_word": (ds.keywords or [view.domain.name])[0],
        "contest_works": contest_works.used_in(session, ds.id),  # accepted works of published contests
        "pii": personal_data_notice(view, principal),  # published with personal data: its columns, sample masked?
        "reuses": reuses.submitted(session, principal, dataset=ds.name),  # approved; contest works listed above
        "community": dataset_panel(request, settings, session, ds),  # stars, comments, 纠错 (portal/web/community.py)
    })


@router.get("/domain/{code}")
def domain(code: str, request: Request, session: SessionDep) -> Response:
    info = resolve_domain(code)
    if info is None:
        return error_page(request, 404, message=f"没有名为“{code}”的数据领域。")
    if info.code != code:  # /domain/道路交通 → /domain/transport
        return RedirectResponse(f"/domain/{info.code}", status_code=301)
    page = _page(request)
    listing = published_directory(session, domains=[info.code], page=page, size=LIST_SIZE)
    return _render(request, "listing.html", {
        "kind": "domain", "heading": info.name, "subheading": info.name_en, "listing": listing,
        "page": page, "pages": _pages(listing.total, LIST_SIZE), "base_url": f"/domain/{info.code}",
        "page_link": _page_link(f"/domain/{info.code}"), "page_size": LIST_SIZE,
        "search_url": f"/search?domain={info.code}", "domains": published_domain_counts(session),
        "current_domain": info.code,
    })


@router.get("/department/{name}")
def department(name: str, request: Request, session: SessionDep) -> Response:
    dept = get_department(session, name)
    if dept is None:
        return error_page(request, 404, message="没有这个数据提供部门。")
    page = _page(request)
    listing = published_directory(session, departments=[dept.name], page=page, size=LIST_SIZE)
    return _render(request, "listing.html", {
        "kind": "department", "heading": dept.title, "subheading": dept.title_en or "", "listing": listing,
        "page": page, "pages": _pages(listing.total, LIST_SIZE), "base_url": f"/department/{dept.name}",
        "page_link": _page_link(f"/department/{dept.name}"), "page_size": LIST_SIZE,
        "search_url": f"/search?department={dept.name}", "domains": [], "current_domain": None,
        "response": requests.response_time(session, dept.name),  # its scorecard: how it answers data requests
    })


@router.get("/departments")
def departments(request: Request, session: SessionDep) -> Response:
    rows = published_department_counts(session)
    return _render(request, "departments.html", {"departments": rows, "total": sum(c for _, c in rows)})


@router.get("/schemas")
def schemas(request: Request) -> Response:
    return _render(request, "schemas.html", {"schemas": list_schemas()})


@router.get("/schemas/{name}")
def schema(name: str, request: Request, session: SessionDep) -> Response:
    published = get_schema(name)  # SchemaNotFound → the 404 page
    return _render(request, "schema.html", {
        "schema": published, "users": datasets_using_schema(session, published.name),
        "api_url": f"/api/v1/schemas/{published.name}",
    })


@router.get("/about")
def about(request: Request, settings: SettingsDep) -> Response:
    return _render(request, "about.html", {
        "open_classes": OPEN_CLASSES, "frequencies": UPDATE_FREQUENCIES, "domains": DOMAINS,
        "base": settings.public_base_url,
    })

