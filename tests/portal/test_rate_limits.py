"""Rate limits over HTTP (portal/ratelimit.py): 429 ``rate_limited`` with ``Retry-After``, the ``X-RateLimit-*``
headers on every API answer, keys counted apart from anonymous callers, pages never throttled; and two
``odp serve --workers 2`` processes sharing one limit through the real Redis."""

from __future__ import annotations

import subprocess
import time
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from catalog import db
from catalog.config import get_settings
from portal.app import create_app
from tests.support.accounts import account, cheap_hashing, new_key
from tests.support.servers import BIN, ROOT, env_for, free_port

REDIS_URL = "redis://127.0.0.1:6379/0"
LIST = "/api/v1/datasets"


def app_with(monkeypatch, limits: str | None) -> TestClient:
    if limits is None:
        monkeypatch.delenv("ODP_RATE_LIMITS", raising=False)
    else:
        monkeypatch.setenv("ODP_RATE_LIMITS", limits)
    get_settings.cache_clear()
    return TestClient(create_app())


@pytest.fixture
def key(settings, monkeypatch):
    cheap_hashing(monkeypatch)
    get_settings.cache_clear()
    with Session(db.get_engine(settings)) as session:
        made = new_key(session, get_settings(), account(session, get_settings(), "dev@example.org"))
        session.commit()
    return made


def test_no_limits_by_default(settings, monkeypatch):
    with app_with(monkeypatch, None) as client:
        answers = [client.get(LIST) for _ in range(30)]
    assert {a.status_code for a in answers} == {200}
    assert not any("x-ratelimit-limit" in a.headers for a in answers)


def test_anonymous_limit_headers_and_429(settings, monkeypatch, key):
    with app_with(monkeypatch, "anonymous=3/day;key=5/day") as client:
        answers = [client.get(LIST) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
        assert {a.headers["x-ratelimit-limit"] for a in answers} == {"3"}
        refused = answers[-1]
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 86_400
        assert refused.headers["retry-after"] == refused.headers["x-ratelimit-reset"]
        # a key has its own counter under the key limit
        keyed = [client.get(LIST, headers={"Authorization": f"Bearer {key}"}) for _ in range(6)]
        assert [a.status_code for a in keyed] == [200] * 5 + [429]
        assert [a.headers["x-ratelimit-remaining"] for a in keyed] == ["4", "3", "2", "1", "0", "0"]
        # the CKAN API is counted as an API; the anonymous caller is still over its limit
        assert client.get("/api/3/action/site_read").status_code == 429
        # a bad key is never served as anonymous: it counts against the caller's IP, which is over its limit
        assert client.get(LIST, headers={"X-API-Key": "odp_not-a-key"}).status_code == 429
        # pages are not throttled and carry no limit headers
        pages = [client.get("/") for _ in range(5)]
        assert {p.status_code for p in pages} == {200}
        assert not any("x-ratelimit-limit" in p.headers for p in pages)


def test_a_flood_of_made_up_keys_is_throttled_like_anonymous_calls(settings, monkeypatch):
    with app_with(monkeypatch, "anonymous=3/day") as client:
        bad = [client.get(LIST, headers={"Authorization": f"Bearer odp_made-up-{i}"}) for i in range(4)]
        assert [a.status_code for a in bad] == [401, 401, 401, 429]
        assert bad[0].json()["error"]["code"] == "invalid_api_key" and bad[0].headers["x-ratelimit-remaining"] == "2"
        assert client.get(LIST).status_code == 429  # the same counter as the IP's anonymous calls
        ckan = client.get("/api/3/action/package_list", headers={"Authorization": "odp_made-up-ckan"})
        assert ckan.status_code == 429


def test_error_answers_carry_the_headers(settings, monkeypatch):
    with app_with(monkeypatch, "anonymous=10/day") as client:
        missing = client.get("/api/v1/datasets/no-such-dataset")
    assert missing.status_code == 404 and missing.headers["x-ratelimit-remaining"] == "9"


def test_only_one_principal_kind_limited(settings, monkeypatch, key):
    with app_with(monkeypatch, "anonymous=1/day") as client:
        assert client.get(LIST).status_code == 200 and client.get(LIST).status_code == 429
        keyed = [client.get(LIST, headers={"X-API-Key": key}) for _ in range(5)]
    assert {a.status_code for a in keyed} == {200} and not any("x-ratelimit-limit" in a.headers for a in keyed)


@pytest.fixture
def redis_prefix():
    import redis

    prefix = f"odp-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    found = list(client.scan_iter(f"{prefix}:*"))
    if found:
        client.delete(*found)


def test_two_workers_share_one_limit_through_redis(settings, redis_prefix, tmp_path):
    import redis

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = env_for(settings.data_dir, settings.database_url) | {
        "ODP_RATE_LIMITS": "anonymous=10/day", "ODP_REDIS_URL": REDIS_URL, "ODP_REDIS_PREFIX": redis_prefix,
        "ODP_PUBLIC_URL": url}
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([str(BIN / "odp"), "serve", "--workers", "2", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_workers(tmp_path / "serve.log", proc, 2)
        statuses = []
        for _ in range(30):  # a new connection each time: the kernel spreads them over both workers
            with httpx.Client(timeout=10) as client:
                statuses.append(client.get(url + LIST).status_code)
        assert statuses == [200] * 10 + [429] * 20  # per-process counters would let up to 20 through
        (counter,) = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}:rl:anonymous:*"))
        assert int(redis.Redis.from_url(REDIS_URL).get(counter)) == 30
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def wait_for_workers(log, proc: subprocess.Popen, workers: int, seconds: float = 120) -> None:
    """Until ``workers`` worker processes have started the app (uvicorn restarts a worker that is slow to
    answer its supervisor, so this counts completed startups, not launches)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"odp serve exited with {proc.returncode}")
        if log.read_text().count("Application startup complete") >= workers:
            return
        time.sleep(0.2)
    raise RuntimeError(f"odp serve did not start {workers} workers")
