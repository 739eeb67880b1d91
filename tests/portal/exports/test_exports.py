"""The catalog exports over the sample catalog: DCAT-AP 3 validates against SHACL shapes written from the
specification (tests/support/dcat_ap_3_shapes.ttl), data.json against DCAT-US 1.1 (non-federal) JSON Schema
written from the specification, the Atom feeds parse, the sitemap lists every listed dataset once, the bare
Table Schemas are what frictionless reads, and Hydra paging covers every dataset exactly once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import jsonschema
import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from catalog import access
from catalog.db import session_scope
from catalog.exports.records import iter_listed
from tests.support.catalog import use_catalog

SUPPORT = Path(__file__).resolve().parents[2] / "support"
SHAPES = Graph().parse(SUPPORT / "dcat_ap_3_shapes.ttl", format="turtle")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
BASE = "http://127.0.0.1:8000"  # ODP_PUBLIC_URL is unset in the sample catalog: the default base


@pytest.fixture(scope="module")
def listed(sample_catalog):
    with use_catalog(sample_catalog.settings), session_scope() as session:
        return {e.dataset.name: access.data_readable(e.dataset) for e in iter_listed(session)}


def catalog_graph(client, suffix: str = "ttl", fmt: str = "turtle") -> tuple[Graph, int]:
    """Every page of /catalog.<suffix>, followed through hydra:nextPage, in one graph; and the page count."""
    graph, url, pages = Graph(), f"/catalog.{suffix}?page=1", 0
    while url:
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200, url
        page = Graph().parse(data=response.text, format=fmt)
        graph += page
        pages += 1
        following = list(page.objects(None, HYDRA.nextPage))
        url = str(following[0]) if following else ""
        assert pages < 100
    return graph, pages


SH = Namespace("http://www.w3.org/ns/shacl#")


def shacl(graph: Graph) -> tuple[bool, str]:
    """Whether the graph conforms (warnings allowed), and the paths of its Violations."""
    conforms, results, _ = validate(graph, shacl_graph=shapes_copy(), allow_warnings=True, advanced=True)
    violations = [r for r in results.subjects(SH.resultSeverity, SH.Violation)]
    return conforms, " ".join(sorted(str(p) for r in violations for p in results.objects(r, SH.resultPath)))


def shapes_copy() -> Graph:
    copy = Graph()
    copy += SHAPES
    return copy


def test_catalog_validates_against_dcat_ap_3_shapes(sample_client, listed):
    graph, _ = catalog_graph(sample_client)
    conforms, report = shacl(graph)
    assert conforms, report
    datasets = {str(s) for s in graph.subjects(RDF.type, DCAT.Dataset)}
    assert datasets == {f"{BASE}/dataset/{name}" for name in listed}


def test_the_shapes_can_fail(sample_client, listed):
    graph, _ = catalog_graph(sample_client)
    name = next(iter(listed))
    node = URIRef(f"{BASE}/dataset/{name}")
    graph.remove((node, DCTERMS.title, None))
    for dist in list(graph.objects(node, DCAT.distribution))[:1]:
        graph.remove((dist, DCAT.accessURL, None))
    conforms, report = shacl(graph)
    assert not conforms
    assert report.split() == ["http://purl.org/dc/terms/title", "http://www.w3.org/ns/dcat#accessURL"]


def test_paging_covers_every_dataset_once(sample_client, listed, sample_catalog, monkeypatch):
    graph, pages = catalog_graph(sample_client, "jsonld", "json-ld")
    total = len(listed)
    assert pages == max(-(-total // 100), 1)
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == total
    first = Graph().parse(data=sample_client.get("/catalog.rdf").text, format="xml")
    assert int(next(first.objects(None, HYDRA.totalItems))) == total
    assert sample_client.get(f"/catalog.ttl?page={pages + 1}").status_code == 404
    for bad in ("0", "x", "-1", "9" * 30):
        assert sample_client.get(f"/catalog.ttl?page={bad}").status_code == 400


def test_access_rights_and_download_urls_follow_the_policy(sample_client, listed):
    graph, _ = catalog_graph(sample_client)
    assert set(listed.values()) == {True, False}  # the sample has open and conditional datasets
    for name, readable in listed.items():
        node = URIRef(f"{BASE}/dataset/{name}")
        rights = {str(o) for o in graph.objects(node, DCTERMS.accessRights)}
        assert rights == {ACCESS + ("PUBLIC" if readable else "RESTRICTED")}, name
        downloads = [d for dist in graph.objects(node, DCAT.distribution) for d in graph.objects(dist, DCAT.downloadURL)]
        assert bool(downloads) == readable, name
        assert all(str(d).startswith(BASE + "/api/v1/datasets/") for d in downloads)


def test_zh_literals_and_themes(sample_client, listed):
    name = next(iter(listed))
    graph = Graph().parse(data=sample_client.get(f"/dataset/{name}.ttl").text, format="turtle")
    node = URIRef(f"{BASE}/dataset/{name}")
    title = next(graph.objects(node, DCTERMS.title))
    assert title.language == "zh"
    themes = {str(t) for t in graph.objects(node, DCAT.theme)}
    assert any(t.startswith("http://publications.europa.eu/resource/authority/data-theme/") for t in themes)
    assert any(t.startswith(f"{BASE}/domain/") for t in themes)
    for suffix, fmt in (("jsonld", "json-ld"), ("rdf", "xml")):
        other = Graph().parse(data=sample_client.get(f"/dataset/{name}.{suffix}").text, format=fmt)
        assert len(other) == len(graph)


@pytest.mark.parametrize(("accept", "target"), [
    ("text/turtle", "/catalog.ttl"), ("application/ld+json", "/catalog.jsonld"),
    ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "/catalog.rdf"), ("text/html", "/"), ("*/*", "/catalog.ttl"),
])
def test_content_negotiation(sample_client, accept, target):
    response = sample_client.get("/catalog", headers={"Accept": accept}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == target


def test_data_json_validates_against_dcat_us(sample_client, listed):
    schema = json.loads((SUPPORT / "dcat_us_1_1_non_federal.json").read_text())
    body = sample_client.get("/data.json").json()
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(body)
    by_id = {d["identifier"].rsplit("/", 1)[1]: d for d in body["dataset"]}
    assert set(by_id) == set(listed)
    for name, readable in listed.items():
        dataset = by_id[name]
        assert dataset["accessLevel"] == ("public" if readable else "restricted public")
        assert any("downloadURL" in d for d in dataset.get("distribution", [])) == readable
    broken = json.loads(json.dumps(body))
    del broken["dataset"][0]["title"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_data_json_streams_the_same_document_it_would_build(sample_client, sample_catalog):
    """The streamed /data.json is, byte for byte once parsed, the document built in memory, from datasets read in
    batches smaller than the catalog (so the pieces really join across batches)."""
    from catalog.exports import datajson
    from catalog.exports.records import Urls

    answer = sample_client.get("/data.json")
    assert answer.headers["content-type"].startswith("application/json")
    assert "content-length" not in answer.headers  # streamed, not built whole
    with use_catalog(sample_catalog.settings), session_scope() as session:
        built = datajson.catalog_json(iter_listed(session, with_resources=True), Urls(BASE))
        pieces = "".join(datajson.catalog_json_chunks(iter_listed(session, batch=7, with_resources=True), Urls(BASE)))
    assert answer.json() == built == json.loads(pieces)
    assert len(built["dataset"]) > 7


def test_feeds_parse_and_list_newest_datasets(sample_client, listed):
    feed = feedparser.parse(sample_client.get("/feeds/datasets.atom").content)
    assert not feed.bozo, feed.bozo_exception
    names = [e.link.rsplit("/", 1)[1] for e in feed.entries]
    assert names and set(names) <= set(listed) and len(names) == min(len(listed), 50)
    domain = feedparser.parse(sample_client.get("/feeds/domain/transport.atom").content)
    assert not domain.bozo and domain.entries
    assert all(e.tags[0].term == "transport" for e in domain.entries)
    dept = feedparser.parse(sample_client.get("/feeds/department/jtw.atom").content)
    assert not dept.bozo and dept.entries
    assert sample_client.get("/feeds/domain/nope.atom").status_code == 404
    assert sample_client.get("/feeds/department/nope.atom").status_code == 404


def test_sitemap_lists_every_listed_dataset_once(sample_client, listed):
    text = sample_client.get("/sitemap.xml").text
    locs = re.findall(r"<loc>([^<]+)</loc>", text)
    datasets = [loc.rsplit("/", 1)[1] for loc in locs if "/dataset/" in loc]
    assert sorted(datasets) == sorted(listed)
    robots = sample_client.get("/robots.txt").text
    assert f"Sitemap: {BASE}/sitemap.xml" in robots


def test_bare_schema_is_the_descriptor(sample_client):
    from frictionless import Schema

    from catalog.schemas import list_schemas

    published = list_schemas()[0]
    body = sample_client.get(f"/schemas/{published.name}.json").json()
    assert body == published.descriptor
    assert Schema.from_descriptor(body).field_names
    assert sample_client.get("/schemas/no-such.json").status_code == 404


def test_pages_link_their_alternates(sample_client, listed):
    name = next(iter(listed))
    page = sample_client.get(f"/dataset/{name}").text
    assert f'href="/dataset/{name}.ttl"' in page or f"/dataset/{name}.ttl" in page
    assert "application/atom+xml" in sample_client.get("/").text


@pytest.mark.parametrize("suffix", ["jsonld", "rdf", "ttl"])
def test_the_catalog_serializes_the_same_every_time(sample_client, suffix):
    """Blank nodes (contact points, licences, checksums, places, periods) are named from what they describe, so a
    page's bytes — and its ETag — do not change between requests, and a client's If-None-Match gets a 304."""
    first = sample_client.get(f"/catalog.{suffix}")
    second = sample_client.get(f"/catalog.{suffix}")
    assert first.status_code == 200 and first.content == second.content
    assert first.headers.get("etag") and first.headers["etag"] == second.headers["etag"]
    assert sample_client.get(f"/catalog.{suffix}", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
