"""The HTTP layer (portal/http_headers.py): HEAD on every GET route of the route table, Allow on every 405, CORS,
compression, ETags and cache headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.datasets import stats as download_stats
from portal.http_methods import _walk
from tests.support.catalog import copy_catalog, use_catalog

# Headers that may differ between two answers to the same request (a clock, a per-answer nonce or counter).
VOLATILE = {"date", "set-cookie", "x-ratelimit-remaining", "x-ratelimit-reset", "content-security-policy",
            "x-request-id"}


@pytest.fixture(scope="module")
def app(sample_catalog, tmp_path_factory) -> Iterator[Any]:
    from portal.app import create_app

    with copy_catalog(sample_catalog, tmp_path_factory.mktemp("http") / "var") as copy, use_catalog(copy):
        yield create_app()
        download_stats.discard_pending()


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def anonymous(request):
    """Each test starts without the cookies an earlier page set (a session cookie makes answers private)."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.clear()


@pytest.fixture(scope="module")
def values(client) -> dict[str, str]:
    """A real value for each path placeholder, so most routes answer 200 (the others: HEAD must still match)."""
    datasets = client.get("/api/v1/datasets", params={"size": 100}).json()["results"]
    dataset = next(d for d in datasets if d.get("open_class", "open") == "open")
    detail = client.get(f"/api/v1/datasets/{dataset['name']}").json()
    domain = client.get("/api/v1/domains").json()[0]
    return {"name": dataset["name"], "resource": detail["resources"][0]["name"],
            "code": str(domain.get("code") or domain.get("name")), "path:path": "portal.css"}


def get_paths(app, values) -> list[str]:
    paths = []
    for path, methods in _walk(app.router.routes):
        if "GET" not in methods and "/static" not in path:
            continue
        paths.append(re.sub(r"{([^}]*)}", lambda m: values.get(m.group(1), "no-such-thing"), path))
    return sorted(set(paths))


def comparable(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in VOLATILE}


def test_head_is_get_without_the_body_on_every_get_route(app, client, values):
    paths = get_paths(app, values)
    assert len(paths) > 50  # the whole route table, not a sample of it
    answered = 0
    for path in paths:
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        expected, seen = comparable(got.headers), comparable(head.headers)
        if "etag" in expected and client.get(path).headers.get("etag") != expected["etag"]:
            expected.pop("etag"), seen.pop("etag")  # a body that differs each time (RDF blank nodes): no fixed tag
        assert seen == expected, path
        answered += got.status_code == 200
    assert answered > 30  # most routes were reached with real values, not only their 404s


def test_a_download_head_gives_its_length_etag_and_ranges(client, values):
    url = f"/api/v1/datasets/{values['name']}/resources/{values['resource']}/download"
    got = client.get(url)
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["accept-ranges"] == "bytes"


def test_a_download_head_is_not_counted_as_a_download(client, values, monkeypatch):
    recorded = []
    monkeypatch.setattr(download_stats, "record", lambda *args, **kwargs: recorded.append(args))
    url = f"/api/v1/datasets/{values['name']}/resources/{values['resource']}/download"
    for params in ({}, {"format": "csv"}, {"format": "json"}):
        assert client.head(url, params=params).status_code == 200
    assert recorded == []
    client.get(url, params={"format": "csv"})
    assert len(recorded) == 1


def test_a_streamed_head_does_not_run_its_stream(client, values, monkeypatch):
    from portal.api.routes import downloads

    ran = []

    def never(*args, **kwargs):
        ran.append(args)
        return iter(())

    monkeypatch.setattr(downloads, "csv_chunks", never)
    url = f"/api/v1/datasets/{values['name']}/resources/{values['resource']}/download?format=csv"
    head = client.head(url)
    assert head.status_code == 200 and head.headers["content-type"].startswith("text/csv")
    assert "content-disposition" in head.headers
    assert ran == []


@pytest.mark.parametrize(("path", "wrong", "allowed"), [
    ("/api/v1/datasets", "PUT", {"GET", "HEAD"}),
    ("/api/v1/keys", "PATCH", {"GET", "HEAD", "POST"}),  # two routes at one path: both methods listed
    ("/api/3/action/package_list", "DELETE", {"GET", "HEAD", "POST"}),
    ("/catalog.ttl", "POST", {"GET", "HEAD"}),
    ("/data.json", "DELETE", {"GET", "HEAD"}),
    ("/", "POST", {"GET", "HEAD"}),
    ("/login", "PUT", {"GET", "HEAD", "POST"}),
    ("/static/portal.css", "POST", {"GET", "HEAD"}),
])
def test_a_wrong_method_is_405_with_allow(client, path, wrong, allowed):
    answer = client.request(wrong, path)
    assert answer.status_code == 405
    assert set(answer.headers["allow"].replace(" ", "").split(",")) == allowed


def test_every_route_answers_405_with_allow_to_a_method_it_lacks(app, client, values):
    for path in get_paths(app, values):
        answer = client.request("PUT", path)
        if answer.status_code == 404:  # a placeholder with no real value: no route is reached
            continue
        assert answer.status_code == 405, path
        assert "GET" in answer.headers["allow"] and "HEAD" in answer.headers["allow"], path


# --- CORS ---------------------------------------------------------------------------------------------------

ORIGIN = "https://app.example.org"
CORS_PATHS = ["/api/v1/datasets", "/api/3/action/package_list", "/catalog.ttl", "/data.json", "/sitemap.xml",
              "/feeds/datasets.atom"]


@pytest.mark.parametrize("path", CORS_PATHS)
def test_the_apis_and_exports_allow_any_origin_without_credentials(client, path):
    answer = client.get(path, headers={"Origin": ORIGIN})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers


def test_dataset_exports_and_schema_json_get_cors(client, values):
    for path in (f"/dataset/{values['name']}.jsonld", f"/dataset/{values['name']}.ttl"):
        assert client.get(path, headers={"Origin": ORIGIN}).headers["access-control-allow-origin"] == "*"
    schemas = client.get("/api/v1/schemas").json()
    if schemas:
        path = f"/schemas/{schemas[0]['name']}.json"
        assert client.get(path, headers={"Origin": ORIGIN}).headers["access-control-allow-origin"] == "*"


def test_pages_get_no_cors(client):
    for path in ("/", "/search", "/login"):
        assert "access-control-allow-origin" not in client.get(path, headers={"Origin": ORIGIN}).headers


def test_a_preflight_is_answered(client):
    answer = client.options("/api/v1/datasets", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "GET" in answer.headers["access-control-allow-methods"]
    assert "authorization" in answer.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in answer.headers


def test_an_options_without_preflight_is_405_with_allow(client):
    answer = client.options("/api/v1/datasets")
    assert answer.status_code == 405 and "GET" in answer.headers["allow"]


def test_listed_origins_only(sample_catalog, monkeypatch):
    from portal.app import create_app

    monkeypatch.setenv("ODP_CORS_ORIGINS", f"{ORIGIN}, https://other.example.org/")
    with use_catalog(sample_catalog.settings), TestClient(create_app()) as listed:
        ok = listed.get("/api/v1/domains", headers={"Origin": ORIGIN})
        assert ok.headers["access-control-allow-origin"] == ORIGIN
        assert "origin" in ok.headers["vary"].lower()
        other = listed.get("/api/v1/domains", headers={"Origin": "https://evil.example.net"})
        assert "access-control-allow-origin" not in other.headers
        refused = listed.options("/api/v1/domains", headers={"Origin": "https://evil.example.net",
                                                             "Access-Control-Request-Method": "GET"})
        assert refused.status_code == 400
        assert "access-control-allow-credentials" not in ok.headers


def test_cors_can_be_switched_off(sample_catalog, monkeypatch):
    from portal.app import create_app

    monkeypatch.setenv("ODP_CORS_ORIGINS", "")
    with use_catalog(sample_catalog.settings), TestClient(create_app()) as off:
        assert "access-control-allow-origin" not in off.get("/api/v1/domains", headers={"Origin": ORIGIN}).headers


# --- Compression --------------------------------------------------------------------------------------------

GZIP = {"Accept-Encoding": "gzip"}


def _raw(client, path, headers, method="GET"):
    """The answer as sent (httpx would decode gzip and drop the header otherwise): status, headers, raw body."""
    with client.stream(method, path, headers=headers) as answer:
        return answer.status_code, answer.headers, b"".join(answer.iter_raw())


@pytest.mark.parametrize("path", ["/api/v1/datasets", "/", "/data.json", "/catalog.ttl"])
def test_text_answers_are_gzipped_when_asked(client, path):
    import gzip

    status, headers, body = _raw(client, path, GZIP)
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower()
    plain = _raw(client, path, {"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain[1]
    assert len(body) < len(plain[2])
    assert gzip.decompress(body)[:200] == plain[2][:200]


def test_files_ranges_and_binary_formats_are_not_gzipped(client, values):
    base = f"/api/v1/datasets/{values['name']}/resources/{values['resource']}/download"
    for path, extra in ((base, {}), (base, {"Range": "bytes=0-99"}), (f"{base}?format=xlsx", {}),
                        (f"{base}?format=parquet", {}), ("/static/portal.css", {})):
        status, headers, _ = _raw(client, path, GZIP | extra)
        assert status in (200, 206), path
        assert "content-encoding" not in headers, (path, extra)


def test_streamed_csv_is_gzipped_and_its_head_says_so(client, values):
    import gzip

    path = f"/api/v1/datasets/{values['name']}/resources/{values['resource']}/download?format=csv"
    status, headers, body = _raw(client, path, GZIP)
    assert status == 200 and headers["content-encoding"] == "gzip" and "content-length" not in headers
    assert gzip.decompress(body).decode().splitlines()[0]
    head = _raw(client, path, GZIP, method="HEAD")
    assert head[1]["content-encoding"] == "gzip" and head[2] == b""


def test_breach_no_gzip_with_credentials_a_set_cookie_or_a_reflected_query(client):
    assert "content-encoding" not in _raw(client, "/api/v1/datasets", GZIP | {"X-API-Key": "odp_nothing"})[1]
    assert "content-encoding" not in _raw(client, "/", GZIP | {"Cookie": "odp_session=x"})[1]
    assert "content-encoding" not in _raw(client, "/search?q=%E4%BA%A4%E9%80%9A", GZIP)[1]
    assert _raw(client, "/api/v1/search?q=%E4%BA%A4%E9%80%9A", GZIP)[1]["content-encoding"] == "gzip"
    login = _raw(client, "/login", GZIP)  # a form with a CSRF token: a new session's cookie goes with it
    assert "csrf_token" in login[2].decode() and "content-encoding" not in login[1]
    assert "content-encoding" not in _raw(client, "/", GZIP)[1]  # the browser now sends that cookie


# --- ETag, Cache-Control, Vary ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/datasets", "/api/v1/domains", "/sitemap.xml", "/api/3/action/package_list",
                                  "/feeds/datasets.atom", "/api/v1/openapi.json"])
def test_metadata_has_an_etag_and_if_none_match_is_304(client, path):
    first = client.get(path)
    etag = first.headers["etag"]
    assert first.headers["cache-control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_a_dataset_etag_and_public_cache(client, values):
    path = f"/api/v1/datasets/{values['name']}"
    answer = client.get(path)
    assert answer.headers["cache-control"].startswith("public")
    assert client.get(path, headers={"If-None-Match": answer.headers["etag"]}).status_code == 304
    assert client.head(path, headers={"If-None-Match": answer.headers["etag"]}).status_code == 304


def test_an_answer_to_a_caller_is_private_and_varies(client, values):
    keyed = client.get("/api/v1/domains", headers={"Authorization": "Bearer odp_nothing"})
    assert keyed.headers["cache-control"].startswith("private")
    assert {"authorization", "cookie"} <= {v.strip().lower() for v in keyed.headers["vary"].split(",")}


def test_a_route_that_reads_the_principal_is_private_even_anonymous(client, values):
    url = f"/api/v1/datasets/{values['name']}/resources/{values['resource']}/download"
    answer = client.get(url)
    assert answer.headers["cache-control"].startswith("private")
    assert "authorization" in answer.headers["vary"].lower()
    assert client.get("/api/v1/domains").headers["cache-control"].startswith("public")


def test_a_logged_in_page_is_private(client):
    page = client.get("/", headers={"Cookie": "odp_session=x"})
    assert page.headers["cache-control"].startswith("private") and "cookie" in page.headers["vary"].lower()
