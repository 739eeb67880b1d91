"""The read-only actions of CKAN's Action API (v3), each a thin function: read parameters, ask the catalog,
shape the answer as CKAN does. The write actions of CKAN answer "Authorization Error": this catalog is
filled by harvesting, not over this API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session

from catalog import access
from catalog.accounts import audit
from catalog.accounts.principals import AccountPrincipal
from catalog.ckan import datastore as ckan_datastore
from catalog.ckan import search as ckan_search
from catalog.ckan.datastore import DEFAULT_LIMIT, DatastoreError, DatastoreQuery
from catalog.ckan.records import (
    NotFound,
    find_group,
    find_organization,
    find_package,
    find_resource,
    groups,
    load_packages,
    organizations,
    package_names,
    tags,
)
from catalog.ckan.search import DEFAULT_FACET_LIMIT, DEFAULT_ROWS, ROWS_MAX, PackageQuery
from catalog.ckan.search import SearchQueryError as CatalogQueryError
from catalog.config import Settings
from catalog.datasets import stats as download_stats
from catalog.search.base import SearchBackend
from catalog.tables.query import Table, TableUnavailable

from . import dicts
from .errors import AuthorizationError, NotFoundError, SearchQueryError, ValidationError
from .params import boolean, integer, json_object, required, string_list

CKAN_VERSION = "2.10.4"  # the Action API generation this one follows (docs/ckan.md lists the differences)


@dataclass
class ActionContext:
    session: Session
    backend: SearchBackend
    settings: Settings
    base_url: str  # settings.public_base_url (ODP_PUBLIC_URL), for absolute links; never the request's Host
    path: str  # the request's path, for datastore _links
    principal: AccountPrincipal | None = None  # who asks (an API key's account), None: anonymous; the dicts'
    # download URLs and datastore_active follow access.data_readable for it


Action = Callable[[ActionContext, dict[str, Any]], Any]
ACTIONS: dict[str, Action] = {}

WRITE_SUFFIXES = ("_create", "_update", "_patch", "_delete", "_purge", "_upsert", "_revise", "_reorder",
                  "_clear", "_insert", "_run", "_trigger", "_submit", "_invite")
WRITE_PREFIXES = ("follow_", "unfollow_", "bulk_", "member_", "send_", "user_invite", "datastore_function")


def action(func: Action) -> Action:
    ACTIONS[func.__name__] = func
    return func


def is_write_action(name: str) -> bool:
    return name.endswith(WRITE_SUFFIXES) or name.startswith(WRITE_PREFIXES)


def _package(ctx: ActionContext, id_or_name: str) -> Any:
    try:
        return find_package(ctx.session, id_or_name)
    except NotFound as exc:
        raise NotFoundError("Dataset not found") from exc


def _packages(ctx: ActionContext, ids: list[int]) -> list[dict[str, Any]]:
    return [dicts.package_dict(p, ctx.base_url, datastore=True, principal=ctx.principal)
            for p in load_packages(ctx.session, ids)]


@action
def site_read(ctx: ActionContext, data: dict[str, Any]) -> bool:
    """Return ``True``: the site can be read."""
    return True


@action
def status_show(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """The site's version and configuration."""
    return {
        "site_title": "开放数据门户",
        "site_description": "上海市公共数据开放平台式的政府开放数据门户（CKAN 兼容 Action API）",
        "site_url": ctx.base_url,
        "ckan_version": CKAN_VERSION,
        "odp_version": "0.1.0",
        "locale_default": "zh_Hans_CN",
        "error_emails_to": None,
        "extensions": ["datastore"],
    }


@action
def help_show(ctx: ActionContext, data: dict[str, Any]) -> str:
    """The documentation of an action (``name``)."""
    name = required(data, "name")
    if name not in ACTIONS:
        raise NotFoundError(f"Action function not found: {name}")
    return (ACTIONS[name].__doc__ or "").strip()


@action
def package_list(ctx: ActionContext, data: dict[str, Any]) -> list[str]:
    """Names of all published datasets, by name; ``limit`` and ``offset`` page them."""
    limit = integer(data, "limit", -1, natural=False)
    offset = integer(data, "offset", 0, natural=True)
    return package_names(ctx.session, None if limit < 0 else limit, offset)


@action
def package_show(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """One dataset (``id``: its name or id) with its resources."""
    return dicts.package_dict(_package(ctx, required(data, "id")), ctx.base_url, datastore=True,
                              principal=ctx.principal)


@action
def package_search(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """Search datasets: ``q``, ``fq``, ``fq_list``, ``sort``, ``rows`` (at most 1000), ``start``,
    ``facet.field``, ``facet.limit``, ``facet.mincount``, ``fl``. See docs/ckan.md."""
    fq = [str(data["fq"])] if data.get("fq") else []
    query = PackageQuery(
        q=str(data.get("q") or ""),
        fq=fq + string_list(data, "fq_list"),
        sort=str(data["sort"]) if data.get("sort") else None,
        rows=min(integer(data, "rows", DEFAULT_ROWS, natural=True), ROWS_MAX),
        start=integer(data, "start", 0, natural=True),
        facet=boolean(data, "facet", True),
        facet_fields=string_list(data, "facet.field"),
        facet_limit=integer(data, "facet.limit", DEFAULT_FACET_LIMIT),
        facet_mincount=integer(data, "facet.mincount", 1, natural=True),
    )
    boolean(data, "include_private", False)  # validated like CKAN; nothing private is ever published
    fl = string_list(data, "fl", split=True)
    try:
        found = ckan_search.package_search(ctx.session, ctx.backend, query)
    except CatalogQueryError as exc:
        raise SearchQueryError(str(exc)) from exc
    if fl and not set(fl) & {"data_dict", "validated_data_dict"}:
        results = [{k: dicts.solr_fields(p).get(k) for k in fl} for p in load_packages(ctx.session, found.dataset_ids)]
    else:
        results = _packages(ctx, found.dataset_ids)
    return {
        "count": found.count,
        "sort": found.sort,
        "results": results,
        "facets": {name: {i.name: i.count for i in items} for name, items in found.facets.items()},
        "search_facets": {
            name: {
                "title": name,
                # CKAN orders the items by display name, descending
                "items": sorted(
                    ({"name": i.name, "display_name": i.display_name, "count": i.count} for i in items),
                    key=lambda item: item["display_name"], reverse=True,
                ),
            }
            for name, items in found.facets.items()
        },
    }


@action
def current_package_list_with_resources(ctx: ActionContext, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Datasets with their resources, most recently modified first; ``limit`` and ``offset``."""
    limit = min(integer(data, "limit", DEFAULT_ROWS, natural=True), ROWS_MAX)
    offset = integer(data, "offset", 0, natural=True)
    query = PackageQuery(sort="metadata_modified desc", rows=limit, start=offset, facet=False)
    return _packages(ctx, ckan_search.package_search(ctx.session, ctx.backend, query).dataset_ids)


@action
def resource_show(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """One resource (``id``)."""
    try:
        package, resource = find_resource(ctx.session, required(data, "id"))
    except NotFound as exc:
        raise NotFoundError("Resource was not found.") from exc
    return dicts.resource_dict(package, resource, ctx.base_url, datastore=True, principal=ctx.principal)


def _page(items: list[Any], data: dict[str, Any]) -> list[Any]:
    offset = integer(data, "offset", 0, natural=True)
    limit = integer(data, "limit", -1)
    return items[offset:] if limit < 0 else items[offset:offset + limit]


def _sorted(items: list[dict[str, Any]], data: dict[str, Any], default: str | None) -> list[dict[str, Any]]:
    sort = str(data.get("sort") or data.get("order_by") or default or "").strip()
    if not sort:
        return items
    words = sort.split()
    field = {"packages": "package_count"}.get(words[0], words[0])
    if field not in ("name", "title", "package_count") or (len(words) > 1 and words[1] not in ("asc", "desc")):
        raise ValidationError({"sort": [f"Cannot sort by field `{words[0]}`"]})
    desc = words[1] == "desc" if len(words) > 1 else field == "package_count"
    return sorted(items, key=lambda d: (d[field], d["name"]), reverse=desc)


def _group_or_org_list(items: list[dict[str, Any]], data: dict[str, Any], only_key: str,
                       default_sort: str | None) -> list[Any]:
    only = string_list(data, only_key) or string_list(data, "groups")
    if only:
        items = [d for d in items if d["name"] in only]
    if data.get("q"):
        needle = str(data["q"]).lower()
        items = [d for d in items if needle in d["name"].lower() or needle in d["title"].lower()]
    items = _page(_sorted(items, data, default_sort), data)
    return items if boolean(data, "all_fields", False) else [d["name"] for d in items]


@action
def organization_list(ctx: ActionContext, data: dict[str, Any]) -> list[Any]:
    """Organizations (the departments that publish): names, or dicts with ``all_fields``; ``sort``
    (``name``, ``title``, ``package_count``), ``q``, ``organizations``, ``limit``, ``offset``."""
    items = [dicts.organization_with_count(o) for o in organizations(ctx.session)]
    return _group_or_org_list(items, data, "organizations", "title asc")


@action
def group_list(ctx: ActionContext, data: dict[str, Any]) -> list[Any]:
    """Groups: the 12 domains (数据领域), in their fixed order unless ``sort`` says otherwise."""
    items = [dicts.group_with_count(g) for g in groups(ctx.session)]
    return _group_or_org_list(items, data, "groups", None)


def _with_datasets(ctx: ActionContext, found: dict[str, Any], data: dict[str, Any], fq: str) -> dict[str, Any]:
    found |= {"users": [], "extras": [], "tags": [], "groups": []}
    if boolean(data, "include_datasets", False):
        query = PackageQuery(fq=[fq], sort="metadata_modified desc", rows=ROWS_MAX, facet=False)
        found["packages"] = _packages(ctx, ckan_search.package_search(ctx.session, ctx.backend, query).dataset_ids)
    return found


@action
def organization_show(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """One organization (``id``: name or id); ``include_datasets`` adds up to 1000 of its datasets."""
    try:
        org = find_organization(ctx.session, required(data, "id"))
    except NotFound as exc:
        raise NotFoundError("Organization was not found.") from exc
    return _with_datasets(ctx, dicts.organization_with_count(org), data, f'organization:"{org.department.name}"')


@action
def group_show(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """One group (``id``: domain code, 中文名 or id); ``include_datasets`` adds up to 1000 datasets."""
    try:
        group = find_group(ctx.session, required(data, "id"))
    except NotFound as exc:
        raise NotFoundError("Group was not found.") from exc
    return _with_datasets(ctx, dicts.group_with_count(group), data, f'groups:"{group.domain.code}"')


@action
def tag_list(ctx: ActionContext, data: dict[str, Any]) -> list[Any]:
    """Tags (关键字) of published datasets: names, or dicts with ``all_fields``; ``query`` filters."""
    if data.get("vocabulary_id"):
        return []  # free tags only: no vocabularies here
    names = [name for name, _ in tags(ctx.session, str(data.get("query") or data.get("q") or "") or None)]
    if boolean(data, "all_fields", False):
        return [dicts.tag_dict(n) for n in names]
    return names


@action
def datastore_search(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """Rows of a table (``resource_id``): ``filters``, ``q``, ``fields``, ``sort``, ``limit`` (default 100),
    ``offset``, ``include_total``. Served by the rows engine; see docs/ckan.md."""
    rid = str(data.get("resource_id") or data.get("id") or "")
    if not rid:
        raise ValidationError({"resource_id": ["Missing value"]})
    if str(data.get("records_format") or "objects") != "objects":
        raise ValidationError({"records_format": ["only 'objects' is supported"]})
    if boolean(data, "distinct", False):
        raise ValidationError({"distinct": ["not supported"]})
    try:
        package, resource = find_resource(ctx.session, rid)
    except NotFound as exc:
        raise NotFoundError(f'Resource "{rid}" was not found.') from exc
    if not access.data_readable(package.dataset, ctx.principal):
        raise AuthorizationError("access_requires_grant: the rows of 有条件开放 (conditional) data need an approved"
                                 " access grant; send an API key (ckanapi -a KEY) of an account that holds one")
    if ctx.principal is not None and access.read_under_grant(package.dataset, ctx.principal):
        audit.record(ctx.session, audit.Event.data_read, account_id=ctx.principal.id,
                     key_prefix=ctx.principal.key_prefix, dataset_id=package.dataset.id, route=ctx.path)
        ctx.session.commit()
    q: Any = data.get("q")
    if isinstance(q, str) and q.lstrip().startswith("{"):
        q = json_object(data, "q")
    query = DatastoreQuery(
        filters=json_object(data, "filters") or {},
        q=q if isinstance(q, (str, dict)) else None,
        fields=string_list(data, "fields", split=True) or None,
        sort=str(data["sort"]) if data.get("sort") else None,
        limit=integer(data, "limit", DEFAULT_LIMIT, natural=True),
        offset=integer(data, "offset", 0, natural=True),
        include_total=boolean(data, "include_total", True),
    )
    try:
        if resource.current is None:
            raise TableUnavailable("no file")
        table = Table.for_version(resource.current, ctx.settings)
        result = ckan_datastore.datastore_search(table, query)
    except TableUnavailable as exc:
        raise NotFoundError(f'Resource "{rid}" was not found: it has no table data ({exc})') from exc
    except DatastoreError as exc:
        key, _, message = str(exc).partition(": ")
        raise ValidationError({key: [message]} if message else {"datastore": [str(exc)]}) from exc
    download_stats.record(package.dataset.id, resource.resource.id, "api", ctx.settings)
    given = {"filters": query.filters or None, "q": query.q, "fields": query.fields, "sort": query.sort,
             "offset": query.offset if "offset" in data else None}
    echoed = {k: v for k, v in given.items() if v not in (None, "")}
    link_args = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                 for k, v in ({"resource_id": rid} | echoed | {"limit": query.limit}).items() if k != "offset"}
    return echoed | {
        "resource_id": rid,
        "include_total": query.include_total,
        "limit": query.limit,
        "records_format": "objects",
        "total_estimation_threshold": None,
        "fields": result.fields,
        "records": result.records,
        "total": result.total,
        "total_was_estimated": False,
        "_links": {
            "start": f"{ctx.path}?{urlencode(link_args)}",
            "next": f"{ctx.path}?{urlencode(link_args | {'offset': query.offset + query.limit})}",
        },
    }
