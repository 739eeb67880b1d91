"""The OpenAPI document at /api/v1/openapi.json is the truth: every response the API sends has a status, a
content type and a body its operation declares.

schemathesis generates requests for every /api/v1 operation from the document itself and checks each answer
against it. Random names would only ever meet 404s, so most generated ``{name}``/``{resource}`` pairs are
steered onto the sample catalog's real ones (open, conditional, tables in every source format), and the rest
stay random. The run is bounded and repeatable: a fixed number of examples per operation, derandomized, no
deadline. It downloads (which counts) and converts (which caches), so it runs on a private copy of the sample
catalog.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog.datasets import stats as download_stats
from tests.support.catalog import copy_catalog, use_catalog

API = "/api/v1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_app(sample_catalog, tmp_path_factory) -> Iterator[Any]:
    from portal.app import create_app

    with copy_catalog(sample_catalog, tmp_path_factory.mktemp("openapi") / "var") as copy, use_catalog(copy):
        yield create_app()
        download_stats.flush(copy)  # before the copy's database is dropped (PostgreSQL), not at exit


@pytest.fixture(scope="module")
def spec(api_app) -> dict[str, Any]:
    return TestClient(api_app).get(f"{API}/openapi.json").json()


def _real_resources(app: Any) -> list[dict[str, str]]:
    """Every (dataset, resource) of the catalog, as path parameters."""
    client = TestClient(app)
    names = [d["name"] for d in client.get(f"{API}/datasets", params={"size": 1000}).json()["results"]]
    return [{"name": name, "resource": r["name"]} for name in names
            for r in client.get(f"{API}/datasets/{name}").json()["resources"]]


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_asgi(f"{API}/openapi.json", api_app)


@pytest.fixture(scope="module")
def real_parameters(api_app) -> dict[str, list[dict[str, str]]]:
    """Path parameters that name something in the catalog, by the placeholder set of a path."""
    resources = _real_resources(api_app)
    schemas = [{"name": s["name"]} for s in TestClient(api_app).get(f"{API}/schemas").json()]
    datasets = [dict(p) for p in {(("name", r["name"]),) for r in resources}]
    return {"resource": resources, "schema": schemas, "dataset": datasets}


def _cases(operation: Any, real: list[dict[str, str]]) -> st.SearchStrategy:
    """Positive and negative cases; three in four with real path parameters when the path has any."""
    generated = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))
    if not real:
        return generated
    steered = st.sampled_from(real).flatmap(lambda known: operation.as_strategy(path_parameters=known))
    return st.one_of(generated, steered, steered, steered)


def _placeholders(path: str) -> str:
    if "{resource}" in path:
        return "resource"
    if path.startswith("/schemas/"):
        return "schema"
    return "dataset" if "{name}" in path else ""


OPERATIONS = [  # every /api/v1 operation (test_every_operation_is_listed_here keeps this whole)
    "/domains", "/departments", "/datasets", "/datasets/{name}", "/search", "/schemas", "/schemas/{name}",
    "/datasets/{name}/resources/{resource}/download", "/datasets/{name}/resources/{resource}/rows",
    "/datasets/{name}/resources/{resource}/rows.csv", "/datasets/{name}/resources/{resource}/sample",
    "/datasets/{name}/datapackage.json", "/suggest", "/datasets/{name}/agreement",
]


# Operations that need an account (keys, applications): without credentials schemathesis meets their 401s
# and 422s, which must be declared like every other answer.
ACCOUNT_OPERATIONS = [
    ("GET", "/keys"), ("POST", "/keys"), ("DELETE", "/keys/{key_id}"), ("GET", "/applications"),
    ("POST", "/datasets/{name}/applications"), ("POST", "/applications/{application_id}/approve"),
    ("POST", "/applications/{application_id}/reject"), ("POST", "/applications/{application_id}/revoke"),
    ("GET", "/account/export"), ("GET", "/usage"),
]
# The contest operations (portal/api/routes/contests.py): keyed (METHOD, path) like the account operations.
CONTEST_OPERATIONS = [
    ("GET", "/contests"), ("POST", "/contests"), ("GET", "/contests/{slug}"), ("POST", "/contests/{slug}/entries"),
    ("POST", "/contests/{slug}/entries/{entry}/repin"), ("POST", "/contests/{slug}/publish"),
    ("POST", "/contests/{slug}/teams"), ("POST", "/contests/{slug}/teams/join"),
    ("POST", "/contests/{slug}/agreement"), ("GET", "/contests/{slug}/entries/{entry}/sample"),
    ("GET", "/contests/{slug}/entries/{entry}/download"), ("GET", "/contests/{slug}/bundle.zip"),
    ("GET", "/contests/{slug}/downloads"), ("GET", "/contests/{slug}/downloads.csv"),
    ("POST", "/contests/{slug}/works"), ("GET", "/contests/{slug}/works"),
    ("POST", "/contests/{slug}/works/{work_id}/accept"),
]
# The community operations (portal/api/routes/community.py): ratings, comments, requests, error reports.
COMMUNITY_OPERATIONS = [
    ("GET", "/datasets/{name}/ratings"), ("POST", "/datasets/{name}/ratings"), ("GET", "/datasets/{name}/comments"),
    ("POST", "/datasets/{name}/comments"), ("POST", "/comments/{comment_id}/hide"), ("POST", "/requests"),
    ("GET", "/requests"), ("GET", "/requests/{request_id}"), ("POST", "/requests/{request_id}/votes"),
    ("POST", "/requests/{request_id}/comments"), ("POST", "/requests/{request_id}/answer"),
    ("POST", "/requests/{request_id}/hide"), ("POST", "/datasets/{name}/issues"), ("GET", "/datasets/{name}/issues"),
    ("POST", "/issues/{issue_id}/answer"), ("GET", "/notifications"), ("POST", "/notifications/read"),
    ("POST", "/reuses"), ("POST", "/reuses/{reuse_id}/image"), ("POST", "/reuses/{reuse_id}/approve"),
    ("GET", "/reuses"), ("GET", "/reuses/{reuse_id}"), ("POST", "/datasets/{name}/follow"),
    ("DELETE", "/datasets/{name}/follow"), ("GET", "/follows"),
]
ALL_OPERATIONS = ([("GET", path) for path in OPERATIONS] + ACCOUNT_OPERATIONS + CONTEST_OPERATIONS
                  + COMMUNITY_OPERATIONS)


@pytest.mark.parametrize(("method", "path"), ALL_OPERATIONS, ids=[f"{m} {p}" for m, p in ALL_OPERATIONS])
def test_every_response_is_what_the_document_declares(api_schema, real_parameters, method, path):
    operation = api_schema[API + path][method]
    real = real_parameters.get(_placeholders(path), [])

    @settings(max_examples=50, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=_cases(operation, real))
    def answers_as_declared(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    answers_as_declared()


# --- The document itself ----------------------------------------------------------------------------------

NAMED = {  # operation → the component schema its 2xx answer is (of its items, for a list)
    ("GET", "/keys"): "ApiKeyPublic",
    ("POST", "/keys"): "ApiKeyCreated",
    ("DELETE", "/keys/{key_id}"): "ApiKeyPublic",
    ("GET", "/applications"): "ApplicationPublic",
    "/datasets/{name}/agreement": "AgreementPublic",
    ("POST", "/datasets/{name}/applications"): "ApplicationPublic",
    ("POST", "/applications/{application_id}/approve"): "ApplicationPublic",
    ("POST", "/applications/{application_id}/reject"): "ApplicationPublic",
    ("POST", "/applications/{application_id}/revoke"): "ApplicationPublic",
    ("GET", "/account/export"): "AccountExport",
    ("GET", "/usage"): "UsageResponse",
    "/domains": "DomainPublic",
    "/departments": "DepartmentPublic",
    "/datasets": "DirectoryPage",
    "/datasets/{name}": "DatasetDetail",
    "/search": "SearchResponse",
    "/suggest": "SuggestResponse",
    "/schemas": "SchemaSummary",
    "/schemas/{name}": "TableSchemaPublic",
    "/datasets/{name}/resources/{resource}/rows": "RowsPage",
    "/datasets/{name}/resources/{resource}/sample": "RowsPage",
    "/datasets/{name}/datapackage.json": "DataPackage",
    ("GET", "/contests"): "ContestPublic",
    ("POST", "/contests"): "ContestDetail",
    ("GET", "/contests/{slug}"): "ContestDetail",
    ("POST", "/contests/{slug}/entries"): "EntryPublic",
    ("POST", "/contests/{slug}/entries/{entry}/repin"): "EntryPublic",
    ("POST", "/contests/{slug}/publish"): "ContestDetail",
    ("POST", "/contests/{slug}/teams"): "TeamCreated",
    ("POST", "/contests/{slug}/teams/join"): "TeamCreated",
    ("POST", "/contests/{slug}/agreement"): "MembershipPublic",
    ("GET", "/contests/{slug}/downloads"): "DownloadLinePublic",
    ("POST", "/contests/{slug}/works"): "WorkPublic",
    ("GET", "/contests/{slug}/works"): "WorkPublic",
    ("POST", "/contests/{slug}/works/{work_id}/accept"): "WorkPublic",
    ("GET", "/datasets/{name}/ratings"): "RatingPublic",
    ("POST", "/datasets/{name}/ratings"): "RatingPublic",
    ("GET", "/datasets/{name}/comments"): "CommentThread",
    ("POST", "/datasets/{name}/comments"): "CommentPublic",
    ("POST", "/comments/{comment_id}/hide"): "HiddenPublic",
    ("POST", "/requests"): "DataRequestDetail",
    ("GET", "/requests"): "DataRequestPage",
    ("GET", "/requests/{request_id}"): "DataRequestDetail",
    ("POST", "/requests/{request_id}/votes"): "VotePublic",
    ("POST", "/requests/{request_id}/comments"): "CommentPublic",
    ("POST", "/requests/{request_id}/answer"): "DataRequestDetail",
    ("POST", "/requests/{request_id}/hide"): "HiddenPublic",
    ("POST", "/datasets/{name}/issues"): "IssuePublic",
    ("GET", "/datasets/{name}/issues"): "IssuePublic",
    ("POST", "/issues/{issue_id}/answer"): "IssuePublic",
    ("GET", "/notifications"): "NotificationPublic",
    ("POST", "/notifications/read"): "NotificationPublic",
    ("POST", "/reuses"): "ReusePublic",
    ("POST", "/reuses/{reuse_id}/image"): "ReusePublic",
    ("POST", "/reuses/{reuse_id}/approve"): "ReusePublic",
    ("GET", "/reuses"): "ReusePage",
    ("GET", "/reuses/{reuse_id}"): "ReusePublic",
    ("POST", "/datasets/{name}/follow"): "FollowPublic",
    ("DELETE", "/datasets/{name}/follow"): "FollowPublic",
    ("GET", "/follows"): "DatasetChangePublic",
}
FILES = {  # operation → media types of its 2xx answer (bytes, no JSON model)
    "/datasets/{name}/resources/{resource}/download": {"*/*", "text/csv", "application/x-ndjson",
                                                      "application/json",
                                                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                                      "application/vnd.apache.parquet", "application/geo+json"},
    "/datasets/{name}/resources/{resource}/rows.csv": {"text/csv"},
    ("GET", "/contests/{slug}/entries/{entry}/sample"): {"text/csv"},
    ("GET", "/contests/{slug}/entries/{entry}/download"): {
        "*/*", "text/csv", "application/x-ndjson", "application/vnd.apache.parquet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ("GET", "/contests/{slug}/bundle.zip"): {"application/zip"},
    ("GET", "/contests/{slug}/downloads.csv"): {"text/csv"},
}


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str | tuple[str, str], dict[str, Any]]]:
    """Each /api/v1 operation, keyed as NAMED and FILES are: the path of a GET, (METHOD, path) otherwise and
    for the account operations."""
    accounts = {path for _, path in ACCOUNT_OPERATIONS + CONTEST_OPERATIONS + COMMUNITY_OPERATIONS}
    for path, item in spec["paths"].items():
        if path.startswith(f"{API}/"):
            for method, operation in item.items():
                short = path.removeprefix(API)
                plain = method == "get" and short not in accounts
                yield (short if plain else (method.upper(), short)), operation


def _success(operation: dict[str, Any]) -> dict[str, Any]:
    return next(answer for status, answer in operation["responses"].items() if status.startswith("2"))


def _ref(schema: dict[str, Any]) -> str | None:
    target = schema.get("items", schema).get("$ref", "")
    return target.removeprefix("#/components/schemas/") or None


def test_every_operation_is_listed_here(spec):
    listed = set(OPERATIONS) | set(ACCOUNT_OPERATIONS) | set(CONTEST_OPERATIONS) | set(COMMUNITY_OPERATIONS)
    assert {key for key, _ in _operations(spec)} == set(NAMED) | set(FILES) == listed


def test_each_json_answer_is_a_named_component(spec):
    components = spec["components"]["schemas"]
    for path, operation in _operations(spec):
        if path in NAMED:
            content = _success(operation)["content"]
            assert list(content) == ["application/json"], path
            assert _ref(content["application/json"]["schema"]) == NAMED[path], path
            assert NAMED[path] in components
        else:
            assert set(_success(operation)["content"]) == FILES[path], path


def test_every_error_is_the_one_error_shape(spec):
    assert spec["components"]["schemas"]["ErrorResponse"]["properties"]["error"]["$ref"].endswith("/ErrorBody")
    assert set(spec["components"]["schemas"]["ErrorBody"]["required"]) == {"code", "message"}
    assert "HTTPValidationError" not in json.dumps(spec)  # FastAPI's default 422, never sent by this API
    for path, operation in _operations(spec):
        errors = {status: answer for status, answer in operation["responses"].items() if int(status) >= 400}
        assert "400" in errors, path  # a NUL character is refused on every path
        if operation.get("parameters"):
            assert "422" in errors, path
        for status, answer in errors.items():
            assert _ref(answer["content"]["application/json"]["schema"]) == "ErrorResponse", (path, status)


def test_the_models_are_what_is_sent(api_app, spec):
    """An answer of each kind validates against its named component, keys and all (required = sent)."""
    client = TestClient(api_app)
    components = spec["components"]["schemas"]
    answers = {
        "DatasetDetail": client.get(f"{API}/datasets/shanghai-public-parking-lots").json(),
        "SearchResponse": client.get(f"{API}/search", params={"q": "停车场"}).json(),
        "RowsPage": client.get(f"{API}/datasets/shanghai-public-parking-lots/resources/parking-lots/rows",
                               params={"_size": 2}).json(),
        "ErrorResponse": client.get(f"{API}/datasets/nope").json(),
    }
    for name, body in answers.items():
        declared = set(components[name]["properties"])
        assert set(body) <= declared and set(components[name].get("required", [])) <= set(body), name


# --- HTTP layer: 405 with Allow, 304 declared (portal/http_methods.py, portal/http_cache.py) ----------------

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _concrete(path: str, real: dict[str, list[dict[str, str]]]) -> str:
    known = (real.get(_placeholders(path.removeprefix(API))) or [{}])[0]
    return re.sub(r"{([^}]+)}", lambda m: known.get(m.group(1), "1"), path)


def test_an_undocumented_method_is_405_with_allow(api_app, spec, real_parameters):
    """What schemathesis's unsupported-method check asks, on every path of the document: each method the path
    does not declare is 405, and its Allow lists exactly the declared ones (HEAD with GET)."""
    client = TestClient(api_app)
    for path, item in spec["paths"].items():
        declared = {method.upper() for method in item if method.upper() in METHODS}
        expected = declared | ({"HEAD"} if "GET" in declared else set())
        url = _concrete(path, real_parameters)
        for method in set(METHODS) - declared:
            answer = client.request(method, url)
            assert answer.status_code == 405, (method, path, answer.status_code)
            assert set(answer.headers["allow"].replace(" ", "").split(",")) == expected, (method, path)


def test_a_304_is_declared_where_it_is_sent(api_app, spec, real_parameters):
    """Every GET that answers with an ETag answers If-None-Match with 304, and the document declares it."""
    client = TestClient(api_app)
    sent = 0
    for path, item in spec["paths"].items():
        if "get" not in item:
            continue
        url = _concrete(path, real_parameters)
        first = client.get(url)
        if first.status_code != 200 or "etag" not in first.headers:
            continue
        again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", path
        assert "304" in item["get"]["responses"], path
        sent += 1
    assert sent >= 10
