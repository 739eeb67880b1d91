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
        assert comparable(head.headers) == comparable(got.headers), path
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
