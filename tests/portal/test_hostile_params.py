"""Hostile parameters never make a 500: deep JSON nesting, extreme datetime offsets, Solr date math past the
calendar, integers past 64 bits, lone surrogates, NUL bytes, very long and negative values — each answered with
a 4xx in the API's own error shape (``{"error": {"code", "message"}}``, or CKAN's envelope on the Action API)
and a message that names what was wrong.

The reproductions of issue 9 (item 10) come first, one test each; then one sweep sends every hostile value to
every query parameter of the rows, search, directory and CKAN endpoints. One small catalog (a package shaped
like the sample water-level data, with a datetime column, but 40 rows) is harvested once for the module and
served in-process, so a server-side exception fails the test with its traceback.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from catalog.ckan.ids import resource_id
from catalog.datasets import stats as download_stats
from catalog.json_input import MAX_DEPTH
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.catalog import fresh_settings, release
from tests.support.packages import write_package

DATASET = "hydrological-station-water-levels"
RESOURCE = "water-levels"
SCHEMA = {"fields": [  # the published water-level schema's columns (schemas/water-level.json)
    {"name": "station_code", "type": "string"},
    {"name": "observed_at", "type": "datetime"},
    {"name": "water_level_m", "type": "number"},
    {"name": "rainfall_mm", "type": "number"},
]}
CSV = "station_code,observed_at,water_level_m,rainfall_mm\n" + "".join(
    f"6340{2800 + i % 4},2024-06-20T{i % 24:02d}:00:00,{3 + i / 100:.2f},{i % 3}.5\n" for i in range(40))
RESOURCE_ID = resource_id(DATASET, RESOURCE)
ROWS = f"/api/v1/datasets/{DATASET}/resources/{RESOURCE}/rows"
ROWS_CSV = ROWS + ".csv"
DOWNLOAD = f"/api/v1/datasets/{DATASET}/resources/{RESOURCE}/download"
CKAN = "/api/3/action/"

DEEP = "[" * 2000 + "]" * 2000
DEEP_OBJECT = '{"a":' * 2000 + "1" + "}" * 2000
EARLIEST = "0001-01-01T00:00:00+14:00"  # before year 1 in UTC
LATEST = "9999-12-31T23:59:59-14:00"  # after year 9999 in UTC and in Beijing time
HUGE = "99999999999999999999"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, pg_database_url: str | None) -> Iterator[TestClient]:
    """The portal over one harvested package (open, with a datetime column)."""
    root = tmp_path_factory.mktemp("hostile")
    packages = root / "packages"
    write_package(packages, DATASET, csv=CSV, resource={"name": RESOURCE, "schema": SCHEMA})
    with pytest.MonkeyPatch.context() as mp:
        settings = fresh_settings(root / "var", mp, pg_database_url)
        result = run_harvest(DataPackageHarvester(packages, settings), settings=settings)
        assert result.tally.added == 1, result.tally.errors
        with TestClient(create_app()) as test_client:
            yield test_client
        download_stats.discard_pending()
        release(settings, pg_database_url)


def api_error(response: httpx.Response, status: int | None = None) -> str:
    """The message of a JSON API error answer (after checking its shape and status); fails otherwise."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if status is not None:
        assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and error["code"] and error["message"], error
    return error["message"]


def ckan_error(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """The ``error`` of a CKAN error envelope with CKAN's status and ``__type``; fails otherwise."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert body["success"] is False and body["help"], body
    assert body["error"]["__type"] == kind, body
    return body["error"]


def token(payload: Any) -> str:
    """A ``_next`` token as the rows API encodes them (urlsafe base64 of JSON, unpadded)."""
    raw = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- I1: nested JSON --------------------------------------------------------------------------------------


def test_deeply_nested_json_in_rows_filters_and_tokens_is_a_422(client):
    message = api_error(client.get(ROWS, params={"station_code__in": DEEP}), 422)
    assert "station_code__in" in message and f"{MAX_DEPTH} levels" in message
    message = api_error(client.get(ROWS_CSV, params={"station_code__in": DEEP}), 422)
    assert "station_code__in" in message
    message = api_error(client.get(ROWS, params={"_next": token(DEEP)}), 422)
    assert "_next" in message
    message = api_error(client.get(ROWS, params={"_next": token(["observed_at", False, DEEP_OBJECT, 1]),
                                                  "_sort": "observed_at"}), 422)
    assert "_next" in message


def test_a_shallow_json_array_still_filters(client):
    """The depth bound refuses only nesting: a plain array (one level) still works as before."""
    first = client.get(ROWS, params={"_size": 1}).json()["rows"][0]
    found = client.get(ROWS, params={"station_code__in": json.dumps([first["station_code"], "x,y"]),
                                     "_size": 5}).json()["rows"]
    assert found and {r["station_code"] for r in found} == {first["station_code"]}


@pytest.mark.parametrize("param", ["filters", "fields", "q", "facet.field", "fq_list", "organizations"])
def test_deeply_nested_json_in_ckan_parameters_is_refused(client, param):
    action = {"filters": "datastore_search", "fields": "datastore_search", "q": "datastore_search",
              "organizations": "organization_list"}.get(param, "package_search")
    params = {param: DEEP if param != "q" else "{" + DEEP_OBJECT[1:]}
    if action == "datastore_search":
        params["resource_id"] = RESOURCE_ID
    response = client.get(CKAN + action, params=params)
    error = ckan_error(response, 409, "Validation Error")
    assert f"{MAX_DEPTH} levels" in json.dumps(error[param], ensure_ascii=False), error


def test_deeply_nested_ckan_post_body_is_a_400(client):
    response = client.post(CKAN + "package_search", content='{"q":' + DEEP + "}",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "JSON Error" in response.json() and f"{MAX_DEPTH} levels" in response.json()


# --- I2: datetimes past the calendar --------------------------------------------------------------------


@pytest.mark.parametrize("moment", [EARLIEST, LATEST])
def test_extreme_datetime_offsets_are_a_422(client, moment):
    for url, params in [
        (ROWS, {"observed_at__gte": moment}),
        (ROWS, {"observed_at": moment}),
        (ROWS, {"observed_at__in": f"2024-06-20T01:00:00,{moment}"}),
        (ROWS, {"observed_at__in": json.dumps([moment])}),
        (ROWS_CSV, {"observed_at__lt": moment}),
    ]:
        message = api_error(client.get(url, params=params), 422)
        assert moment in message and "out of range" in message, (params, message)
    forged = {"_sort": "observed_at", "_next": token(["observed_at", False, moment, 3])}
    assert "_next" in api_error(client.get(ROWS, params=forged), 422)


def test_extreme_datetime_filters_in_datastore_search_are_a_409(client):
    response = client.get(CKAN + "datastore_search", params={
        "resource_id": RESOURCE_ID, "filters": json.dumps({"observed_at": EARLIEST})})
    assert "out of range" in ckan_error(response, 409, "Validation Error")["filters"][0]


# --- I3: Solr date math past the calendar ----------------------------------------------------------------


@pytest.mark.parametrize("where,query", [
    ("fq", "metadata_modified:[NOW-99999999999DAYS TO *]"),
    ("fq", "metadata_modified:[* TO NOW+99999999999YEARS]"),
    ("fq", "metadata_created:NOW-99999999999HOURS"),
    ("q", "metadata_modified:[NOW-99999999999DAYS TO *]"),
    ("q", "metadata_modified:[NOW+99999999999YEARS TO *]"),
])
def test_date_math_past_the_calendar_is_a_search_query_error(client, where, query):
    error = ckan_error(client.get(CKAN + "package_search", params={where: query}), 400, "Search Query Error")
    assert "out of range" in error["message"], error


def test_date_math_within_the_calendar_still_works(client):
    found = client.get(CKAN + "package_search", params={"fq": "metadata_modified:[NOW-100YEARS TO NOW+1DAY]"})
    assert found.json()["result"]["count"] == 1


# --- I4: integers past 64 bits ------------------------------------------------------------------------


@pytest.mark.parametrize("param", ["offset", "limit"])
@pytest.mark.parametrize("value", [HUGE, "-" + HUGE])
def test_huge_package_list_paging_is_a_validation_error(client, param, value):
    error = ckan_error(client.get(CKAN + "package_list", params={param: value}), 409, "Validation Error")
    assert error[param], error


def test_largest_64_bit_offset_is_an_empty_page(client):
    response = client.get(CKAN + "package_list", params={"offset": str(2**63 - 1), "limit": str(2**63 - 1)})
    assert response.status_code == 200 and response.json()["result"] == []


# --- Lone surrogates ----------------------------------------------------------------------------------


def test_lone_surrogate_in_a_json_filter_is_a_clear_422(client):
    message = api_error(client.get(ROWS, params={"station_code__in": '["\\ud800"]'}), 422)
    assert "surrogate" in message and "station_code__in" in message
    assert "duckdb" not in message.lower() and "invalid input" not in message.lower()


def test_lone_surrogate_in_ckan_json_is_refused(client):
    response = client.get(CKAN + "datastore_search", params={
        "resource_id": RESOURCE_ID, "filters": '{"station_code": "\\udfff"}'})
    assert "surrogate" in ckan_error(response, 409, "Validation Error")["filters"][0]
    body = client.post(CKAN + "package_search", content='{"q": "\\ud800"}',
                       headers={"Content-Type": "application/json"})
    assert body.status_code == 400 and "surrogate" in body.json()


# --- NUL characters (PostgreSQL text cannot hold them) -------------------------------------------------


def test_nul_in_a_parameter_or_path_is_a_400_naming_it(client):
    assert "'department'" in api_error(client.get("/api/v1/datasets", params={"department": "a\x00b"}), 400)
    assert "'keywords'" in api_error(client.get("/api/v1/search", params={"keywords": "\x00"}), 400)
    assert "path" in api_error(client.get("/api/v1/datasets/a%00b"), 400)
    assert client.get("/api/v1/datasets", params={"department": "a%00b"}).status_code == 200  # text, not NUL


def test_nul_in_a_ckan_parameter_is_a_validation_error(client):
    error = ckan_error(client.get(CKAN + "package_show", params={"id": "a\x00b"}), 409, "Validation Error")
    assert "NUL" in error["id"][0]
    body = client.post(CKAN + "package_show", json={"id": "a\x00b"})
    assert body.status_code == 400 and "NUL" in body.json()


def test_a_recursion_error_is_a_400_as_a_last_resort(client, monkeypatch):
    from portal.api.routes import rows as rows_route

    def too_deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(rows_route, "parse_query", too_deep)
    assert "nests too deeply" in api_error(client.get(ROWS), 400)


# --- Range headers on downloads ---------------------------------------------------------------------


@pytest.mark.parametrize("header", ["bytes", "items=0-1", "bytes=x-y", "bytes=5-1"])
def test_malformed_range_is_a_json_400(client, header):
    assert "Range" in api_error(client.get(DOWNLOAD, headers={"Range": header}), 400)


def test_unsatisfiable_range_is_a_json_416_with_the_size(client):
    size = len(client.get(DOWNLOAD).content)
    response = client.get(DOWNLOAD, headers={"Range": f"bytes={size + 10}-"})
    assert str(size) in api_error(response, 416)
    assert response.headers["content-range"] == f"bytes */{size}"
    part = client.get(DOWNLOAD, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and len(part.content) == 10  # a good range still works


# --- The sweep --------------------------------------------------------------------------------------------

HOSTILE = [
    DEEP,
    DEEP_OBJECT,
    "[" * 2000,  # unbalanced
    HUGE,
    "9223372036854775808",  # 2**63
    "1e999",
    "-1",
    EARLIEST,
    LATEST,
    "metadata_modified:[NOW+99999999999YEARS TO *]",
    '["\\ud800"]',
    '{"station_code": "\\udc00"}',
    "a\x00b",
    "x" * 20_000,
    "停" * 3000,
    "NOT " * 900 + "x",
    "!" * 3000 + "x",
    "(" * 30 + "x" + ")" * 30,
    "",
]

ROWS_PARAMS = ["_sort", "_sort_desc", "_fields", "_size", "_next", "_total", "_version", "station_code",
               "station_code__in", "station_code__contains", "station_code__startswith", "observed_at",
               "observed_at__gte", "observed_at__in", "observed_at__isnull", "water_level_m__lt", "rainfall_mm",
               "rainfall_mm__in", "_bogus", "no_such_column__gt"]
SEARCH_PARAMS = ["q", "domain", "department", "format", "open_class", "update_frequency", "keywords", "sort",
                 "page", "size"]
DATASETS_PARAMS = ["domain", "department", "page", "size"]
CKAN_PARAMS = {
    "package_search": ["q", "fq", "fq_list", "sort", "rows", "start", "facet", "facet.field", "facet.limit",
                       "facet.mincount", "fl", "include_private"],
    "package_list": ["limit", "offset"],
    "datastore_search": ["resource_id", "filters", "q", "fields", "sort", "limit", "offset", "include_total",
                         "records_format", "distinct"],
    "package_show": ["id"],
}
# Typed values for POSTed JSON bodies: what a query string cannot carry.
HOSTILE_JSON = [json.loads("[" * 30 + "]" * 30), 10**20, -1, 1e308, {"a": {"b": [1]}}, "\ud800", "a\x00b",
                [None, {"x": 1}]]

CASES = (
    [("rows", p) for p in ROWS_PARAMS]
    + [("rows.csv", p) for p in ROWS_PARAMS if p not in ("_size", "_next", "_total")]  # rows.csv drops those
    + [("search", p) for p in SEARCH_PARAMS]
    + [("datasets", p) for p in DATASETS_PARAMS]
    + [(f"ckan:{a}", p) for a, params in CKAN_PARAMS.items() for p in params]
)


def _check_api(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        api_error(response)


def _check_ckan(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:300]
    body = response.json()
    if response.status_code >= 400:
        # CKAN's envelope, or (unreadable requests) the bare string CKAN answers with.
        assert isinstance(body, str) and body.startswith("Bad request - ") or (
            body["success"] is False and body["error"]["__type"]), body
    else:
        assert body["success"] is True


def _send(client: TestClient, endpoint: str, param: str, value: Any, *, post: bool = False) -> httpx.Response:
    if endpoint.startswith("ckan:"):
        action = endpoint.removeprefix("ckan:")
        base: dict[str, Any] = {}
        if action == "datastore_search" and param != "resource_id":
            base["resource_id"] = RESOURCE_ID
        if action == "package_show" and param != "id":
            base["id"] = DATASET
        if post:
            body = json.dumps(base | {param: value})
            return client.post(CKAN + action, content=body, headers={"Content-Type": "application/json"})
        return client.get(CKAN + action, params=base | {param: value})
    url = {"rows": ROWS, "rows.csv": ROWS_CSV, "search": "/api/v1/search", "datasets": "/api/v1/datasets"}[endpoint]
    return client.get(url, params={param: value})


@pytest.mark.parametrize("endpoint,param", CASES, ids=[f"{e}-{p}" for e, p in CASES])
def test_no_hostile_value_makes_a_500(client, endpoint, param):
    check = _check_ckan if endpoint.startswith("ckan:") else _check_api
    failures = []
    sent = [(v, False) for v in HOSTILE]
    if endpoint.startswith("ckan:"):
        sent += [(v, True) for v in HOSTILE_JSON]
    for value, post in sent:
        try:
            check(_send(client, endpoint, param, value, post=post))
        except Exception as exc:  # noqa: BLE001 - collect every failing value, then report them together
            failures.append(f"{'POST ' if post else ''}{param}={str(value)[:40]!r}: {type(exc).__name__}: "
                            f"{str(exc)[:200]}")
    assert not failures, "\n".join(failures)


# --- Pages: the same hostile values in the web portal's parameters --------------------------------------

PAGES = {
    "/search": ["q", "domain", "department", "format", "open_class", "update_frequency", "keywords", "sort",
                "page"],
    f"/dataset/{DATASET}": ["page"],
    "/domain/transport": ["page"],
    "/departments": ["page"],
}


@pytest.mark.parametrize("path", list(PAGES))
def test_no_hostile_value_makes_a_500_page(client, path):
    failures = []
    for param in PAGES[path]:
        for value in HOSTILE:
            response = client.get(path, params={param: value})
            if response.status_code >= 500 or "text/html" not in response.headers["content-type"]:
                failures.append(f"{param}={value[:40]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("url", ["/dataset/a%00b", "/department/a%00b", "/schemas/a%00b", "/search?q=a%00b"])
def test_nul_in_a_page_request_is_the_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400 and "text/html" in response.headers["content-type"]
    assert "%00" in response.text and "content-security-policy" in response.headers
