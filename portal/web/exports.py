"""Machine-readable catalog exports: DCAT-AP (``/catalog``, ``/catalog.ttl|.jsonld|.rdf``, per dataset
``/dataset/{name}.ttl|.jsonld|.rdf``), ``/data.json``, bare Table Schemas ``/schemas/{name}.json``,
``/sitemap.xml``, ``/robots.txt`` and Atom feeds. Each route parses its request and asks ``catalog.exports``,
which lists only what ``catalog/access.py`` lists. Included before the pages, whose ``/dataset/{name}`` and
``/schemas/{name}`` would otherwise take these suffixed paths."""

from __future__ import annotations

import json
from math import ceil

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse

from catalog.access import DatasetNotFound, DatasetWithdrawn
from catalog.community import feeds as community_feeds
from catalog.db import session_scope
from catalog.exports import datajson, dcat, feeds, sitemap
from catalog.exports.records import Urls, count_listed, iter_listed, listed_entry, listed_page
from catalog.schemas import get_schema
from catalog.vocabulary import DOMAINS, resolve_domain

from ..deps import SessionDep, SettingsDep
from .templating import templates

router = APIRouter(include_in_schema=False)

CATALOG_DESCRIPTION = "上海市各委办局公共数据的开放目录（DCAT-AP 3）。"
PUBLISHER = "开放数据门户"
ACCEPT = (("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdf"),
          ("application/json", "jsonld"), ("text/html", "html"))


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
        raise _bad(f"page must be a whole number from 1, not '{raw[:40]}'")
    return int(raw)


def _bad(message: str) -> Exception:
    return HTTPException(status_code=400, detail=message)


def _not_found(message: str) -> Exception:
    return HTTPException(status_code=404, detail=message)


def _rdf(graph, suffix: str) -> Response:
    fmt = dcat.SUFFIXES[suffix]
    return Response(dcat.serialize(graph, fmt), media_type=f"{dcat.FORMATS[fmt]}; charset=utf-8")


def _site_name() -> str:
    return str(templates.env.globals.get("site_name") or PUBLISHER)


@router.get("/catalog")
def catalog_negotiated(request: Request) -> Response:
    """Content negotiation: the DCAT serialisation the Accept header prefers (Turtle by default); a browser
    asking for HTML goes to the home page."""
    accept = request.headers.get("accept", "")
    best, best_q = "ttl", -1.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        for known, suffix in ACCEPT:
            if media.strip() == known and q > best_q:
                best, best_q = suffix, q
    query = f"?{request.url.query}" if request.url.query else ""
    target = "/" if best == "html" else f"/catalog.{best}{query}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


def _catalog(request: Request, session, settings, suffix: str) -> Response:
    page, size = _page(request), settings.catalog_page_size
    total = count_listed(session)
    last = max(ceil(total / size), 1)
    if page > last:
        raise _not_found(f"the catalog has {last} page(s)")
    entries = listed_page(session, offset=(page - 1) * size, limit=size)
    graph = dcat.catalog_page_graph(entries, Urls(settings.public_base_url), page=page, page_size=size,
                                    total=total, suffix=suffix, title=_site_name(),
                                    description=CATALOG_DESCRIPTION, publisher=PUBLISHER)
    return _rdf(graph, suffix)


@router.get("/catalog.ttl")
def catalog_ttl(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    return _catalog(request, session, settings, "ttl")


@router.get("/catalog.jsonld")
def catalog_jsonld(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    return _catalog(request, session, settings, "jsonld")


@router.get("/catalog.rdf")
def catalog_rdf(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    return _catalog(request, session, settings, "rdf")


def _dataset(session, settings, name: str, suffix: str) -> Response:
    entry = listed_entry(session, name)  # 404 closed, 410 withdrawn
    return _rdf(dcat.dataset_graph(entry, Urls(settings.public_base_url)), suffix)


@router.get("/dataset/{name}.ttl")
def dataset_ttl(name: str, session: SessionDep, settings: SettingsDep) -> Response:
    return _dataset(session, settings, name, "ttl")


@router.get("/dataset/{name}.jsonld")
def dataset_jsonld(name: str, session: SessionDep, settings: SettingsDep) -> Response:
    return _dataset(session, settings, name, "jsonld")


@router.get("/dataset/{name}.rdf")
def dataset_rdf(name: str, session: SessionDep, settings: SettingsDep) -> Response:
    return _dataset(session, settings, name, "rdf")


@router.get("/data.json")
def data_json(settings: SettingsDep) -> Response:
    urls = Urls(settings.public_base_url)

    def body():  # its own session: the response outlives the request's dependencies
        with session_scope(settings) as session:
            for chunk in datajson.catalog_json_chunks(iter_listed(session, with_resources=True), urls):
                yield chunk.encode()

    return StreamingResponse(body(), media_type="application/json")


@router.get("/schemas/{name}.json")
def bare_schema(name: str) -> Response:
    """The published Table Schema itself (what ``frictionless validate --schema`` takes)."""
    published = get_schema(name)  # SchemaNotFound -> 404
    return Response(json.dumps(published.descriptor, ensure_ascii=False, indent=2),
                    media_type="application/json")


@router.get("/sitemap.xml")
def sitemap_xml(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    base = settings.public_base_url
    urls = Urls(base)
    fixed = [(urls.home(), None), (f"{base}/departments", None), (f"{base}/schemas", None)]
    fixed += [(urls.domain(d.code), None) for d in DOMAINS]
    total = count_listed(session) + len(fixed)
    limit = sitemap.SITEMAP_LIMIT
    if "page" not in request.query_params:
        if total <= limit:
            locs = fixed + [(urls.dataset(e.dataset.name), e.dataset.modified) for e in iter_listed(session)]
            return Response(sitemap.urlset(locs), media_type="application/xml")
        return Response(sitemap.index(base, ceil(total / limit)), media_type="application/xml")
    page = _page(request)
    if page > max(ceil(total / limit), 1):
        raise _not_found("no such sitemap page")
    start = (page - 1) * limit
    head = fixed[start:start + limit]
    skip = max(start - len(fixed), 0)
    rest = listed_page(session, offset=skip, limit=limit - len(head), with_resources=False)
    locs = head + [(urls.dataset(e.dataset.name), e.dataset.modified) for e in rest]
    return Response(sitemap.urlset(locs), media_type="application/xml")


@router.get("/robots.txt")
def robots_txt(settings: SettingsDep) -> Response:
    return PlainTextResponse(sitemap.robots(settings.public_base_url))


def _feed(session, settings, *, feed_path: str, title: str, alternate: str, **where) -> Response:
    urls = Urls(settings.public_base_url)
    entries = listed_page(session, offset=0, limit=feeds.FEED_SIZE, newest_first=True, with_resources=False,
                          **where)
    body = feeds.atom(entries, urls, feed_id=settings.public_base_url + feed_path, title=title,
                      alternate=alternate)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/feeds/datasets.atom")
def feed_all(session: SessionDep, settings: SettingsDep) -> Response:
    return _feed(session, settings, feed_path="/feeds/datasets.atom", title=f"{_site_name()} · 最新数据集",
                 alternate=Urls(settings.public_base_url).home())


@router.get("/feeds/domain/{code}.atom")
def feed_domain(code: str, session: SessionDep, settings: SettingsDep) -> Response:
    domain = resolve_domain(code)
    if domain is None:
        raise _not_found(f"no domain '{code}'")
    return _feed(session, settings, feed_path=f"/feeds/domain/{Urls.seg(domain.code)}.atom",
                 title=f"{domain.name} · {_site_name()}", alternate=Urls(settings.public_base_url).domain(domain.code),
                 domain=domain.code)


@router.get("/feeds/department/{name}.atom")
def feed_department(name: str, session: SessionDep, settings: SettingsDep) -> Response:
    from catalog.datasets.queries import get_department

    department = get_department(session, name)
    if department is None or count_listed(session, department=department.name) == 0:
        raise _not_found(f"no department '{name}'")  # one with nothing listed is not named in a feed
    return _feed(session, settings, feed_path=f"/feeds/department/{Urls.seg(department.name)}.atom",
                 title=f"{department.title} · {_site_name()}",
                 alternate=Urls(settings.public_base_url).department(department.name), department=department.name)


@router.get("/feeds/dataset/{name}.atom")
def feed_dataset_changes(name: str, session: SessionDep, settings: SettingsDep) -> Response:
    """One dataset's changes: new versions, data requests answered with it, error reports answered."""
    try:
        body = community_feeds.dataset_feed(session, name, Urls(settings.public_base_url),
                                            feed_path=f"/feeds/dataset/{Urls.seg(name)}.atom", site=_site_name())
    except DatasetWithdrawn as exc:
        raise HTTPException(status_code=410, detail=str(exc)) from None
    except DatasetNotFound:
        raise _not_found(f"no dataset '{name}'") from None
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/feeds/requests.atom")
def feed_requests(session: SessionDep, settings: SettingsDep) -> Response:
    """The newest data requests (数据需求), hidden ones left out."""
    body = community_feeds.requests_feed(session, Urls(settings.public_base_url), feed_path="/feeds/requests.atom",
                                         site=_site_name())
    return Response(body, media_type="application/atom+xml; charset=utf-8")
