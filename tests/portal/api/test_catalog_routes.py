"""The JSON API under /api/v1: shapes, visibility rules and errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from catalog.search.whoosh.backend import title_sort_key
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.packages import write_package

HEALTH = {"name": "wsjkw", "title": "上海市卫生健康委员会"}


@pytest.fixture
def client(settings, packages):
    write_package(packages, "parking-lots", title="上海市公共停车场信息", keywords=["停车场"])
    write_package(packages, "road-parking", title="道路停车泊位信息", keywords=["停车"],
                  description="道路临时停车泊位")
    write_package(packages, "hospitals", title="上海市医疗机构名录", domain="health", publisher=HEALTH,
                  keywords=["医院"], description="全市医疗机构")
    write_package(packages, "secret-data", title="内部停车场数据", open_class="closed")
    write_package(packages, "cond-data", title="有条件开放的企业登记数据", open_class="conditional",
                  keywords=["企业"], description="企业登记信息")
    result = run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    assert result.tally.added == 5
    with TestClient(create_app()) as c:
        yield c


def test_domains_lists_all_twelve_in_order_with_published_counts(client):
    body = client.get("/api/v1/domains").json()
    assert [d["code"] for d in body][:4] == ["economy", "environment", "education-technology", "transport"]
    assert len(body) == 12
    counts = {d["code"]: d["dataset_count"] for d in body}
    assert counts["transport"] == 3  # the closed dataset is not counted
    assert counts["health"] == 1
    assert set(body[0]) == {"code", "name", "name_en", "dataset_count"}


def test_departments_count_published_datasets(client):
    body = client.get("/api/v1/departments").json()
    assert {d["name"]: d["dataset_count"] for d in body} == {"jtw": 3, "wsjkw": 1}
    assert body[0]["title"] == "上海市交通委员会"


def test_directory_filters_and_pages(client):
    everything = client.get("/api/v1/datasets").json()
    assert everything["count"] == 4 and everything["page"] == 1
    assert "secret-data" not in {d["name"] for d in everything["results"]}
    health = client.get("/api/v1/datasets", params={"domain": "health"}).json()
    assert [d["name"] for d in health["results"]] == ["hospitals"]
    two = client.get("/api/v1/datasets", params={"domain": ["health", "transport"], "size": 2, "page": 2}).json()
    assert two["count"] == 4 and len(two["results"]) == 2
    first = everything["results"][0]
    assert set(first) >= {"name", "title", "domain", "department", "formats", "modified", "open_class"}
    assert first["formats"] == ["CSV"]


def test_dataset_detail_has_resources_versions_schema_and_validation(client):
    body = client.get("/api/v1/datasets/parking-lots").json()
    assert body["domain"] == {"code": "transport", "name": "道路交通", "name_en": "Roads and Transport"}
    assert body["validation_status"] == "valid" and body["row_count"] == 3
    res = body["resources"][0]
    assert res["format"] == "CSV" and res["row_count"] == 3 and res["size"] > 0
    assert res["schema"]["fields"][0]["name"] == "id"
    assert res["validation"]["status"] == "valid"
    assert res["versions"][0]["id"] == res["current_version"]


def test_closed_dataset_is_404_everywhere(client):
    response = client.get("/api/v1/datasets/secret-data")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "no dataset named 'secret-data'"}}
    assert client.get("/api/v1/search", params={"q": "内部"}).json()["count"] == 0


def test_withdrawn_dataset_is_410_and_gone_from_lists(settings, packages, client):
    import shutil

    shutil.rmtree(packages / "road-parking")
    run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    response = client.get("/api/v1/datasets/road-parking")
    assert response.status_code == 410 and response.json()["error"]["code"] == "withdrawn"
    assert "road-parking" not in {d["name"] for d in client.get("/api/v1/datasets").json()["results"]}
    names = {d["name"] for d in client.get("/api/v1/search", params={"q": "停车"}).json()["results"]}
    assert "road-parking" not in names and "parking-lots" in names


def test_search_returns_parking_first_with_labelled_facets(client):
    body = client.get("/api/v1/search", params={"q": "停车场"}).json()
    assert body["results"][0]["name"] == "parking-lots"
    assert "<mark>" in body["results"][0]["highlights"].get("title", "")
    assert {"domain", "department", "format", "open_class"} <= set(body["facets"])
    domain_facet = {f["value"]: f for f in body["facets"]["domain"]}
    assert domain_facet["transport"]["label"] == "道路交通"
    assert sum(f["count"] for f in body["facets"]["open_class"]) == body["count"]


def test_empty_query_lists_everything_and_filters_combine(client):
    everything = client.get("/api/v1/search").json()
    assert everything["count"] == 4
    health = client.get("/api/v1/search", params={"domain": "health"}).json()
    assert [r["name"] for r in health["results"]] == ["hospitals"]
    either = client.get("/api/v1/search", params=[("domain", "health"), ("domain", "transport")]).json()
    assert either["count"] == 4
    conditional = client.get("/api/v1/search", params={"open_class": "conditional"}).json()
    assert [r["name"] for r in conditional["results"]] == ["cond-data"]
    by_title = client.get("/api/v1/search", params={"sort": "title"}).json()
    titles = [r["title"] for r in by_title["results"]]
    assert titles == sorted(titles, key=lambda t: (title_sort_key(t), t))  # pinyin order, not code point


@pytest.mark.parametrize("params", [{"size": 1000}, {"page": 0}, {"sort": "random"}, {"open_class": "closed"},
                                     {"q": "x" * 300}])
def test_bad_search_parameters_are_422_with_the_error_shape(client, params):
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert response.json()["error"]["message"]


@pytest.mark.parametrize("q", ['"AND OR ( title:', "*", "停车场 NOT", "\\", "title:[a TO", "%00"])
def test_odd_query_text_never_breaks_search(client, q):
    response = client.get("/api/v1/search", params={"q": q})
    assert response.status_code == 200


def test_schemas_endpoints(client):
    listing = client.get("/api/v1/schemas").json()
    assert "parking-lot" in {s["name"] for s in listing}
    one = client.get("/api/v1/schemas/parking-lot").json()
    assert one["schema"]["fields"] and one["title"]
    missing = client.get("/api/v1/schemas/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_unknown_endpoint_and_openapi(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/search" in spec["paths"]
    assert client.get("/api/docs").status_code == 200
