"""Usage statistics and the download-bytes quota over HTTP, after real requests: a key's and a browser session's
requests and bytes (``GET /api/v1/usage``, the ``/account`` charts), anonymous callers counted for datasets only,
another person's usage never shown, a reviewer seeing only its departments' usage on ``/review/usage``; and the
daily bytes quota refusing the download that would go over (429 ``rate_limited`` with ``Retry-After``), letting
the next UTC day's through (the clock injected, no sleeping), in the process and shared by two apps through the
real Redis."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from catalog import db
from catalog.accounts import usage
from catalog.accounts.limits import PrincipalKind
from catalog.ckan import ids as ckan_ids
from catalog.ckan.ids import resource_id
from catalog.config import get_settings
from catalog.datasets import stats as download_stats
from catalog.models import DatasetUsageDay, UsageDay
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.accounts import PASSWORD, account, cheap_hashing, granted, new_key
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package

REDIS_URL = "redis://127.0.0.1:6379/0"
A, A_CONDITIONAL, B = "web-use-a", "web-use-a-cond", "web-use-b"
DEPT_A, DEPT_B = {"name": "use-dept-a", "title": "甲部门"}, {"name": "use-dept-b", "title": "乙部门"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC).timestamp()
DAY = 86_400


def download(name: str, fmt: str = "") -> str:
    return f"/api/v1/datasets/{name}/resources/table/download" + (f"?format={fmt}" if fmt else "")


def rows(name: str) -> str:
    return f"/api/v1/datasets/{name}/resources/table/rows"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def portal(tmp_path, monkeypatch, pg_database_url):
    """Three datasets (A and A-conditional of department A, B of department B); users 'one' and 'two' with a key
    each ('one' holds a grant on A-conditional), a reviewer of each department and an admin. ``portal.app(...)``
    makes an app with the given ODP_RATE_LIMITS (and Redis)."""
    cheap_hashing(monkeypatch)
    monkeypatch.delenv("ODP_RATE_LIMITS", raising=False)
    monkeypatch.delenv("ODP_REDIS_URL", raising=False)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    table = csv_text([(i, f"停车场{i}", "浦东新区", i * 10) for i in range(1, 40)])
    write_package(folder, A, csv=table, publisher=DEPT_A)
    write_package(folder, A_CONDITIONAL, csv=table, publisher=DEPT_A, open_class="conditional")
    write_package(folder, B, csv=table, publisher=DEPT_B)
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        one = account(session, settings, "one@example.org")
        keys = {"one": new_key(session, settings, one, "脚本一"),
                "two": new_key(session, settings, account(session, settings, "two@example.org"), "脚本二")}
        granted(session, settings, one, A_CONDITIONAL)  # organization 某大学
        account(session, settings, "ra@example.org", Role.reviewer, (DEPT_A["name"],))
        account(session, settings, "rb@example.org", Role.reviewer, (DEPT_B["name"],))
        session.commit()
    usage.discard_pending()
    ckan_ids._MAPS.clear()  # its uuid maps are per URL: on PostgreSQL an earlier test's catalog had this one

    class Portal:
        size = len(table.encode())  # the original file's bytes

        def __init__(self) -> None:
            self.settings, self.keys = settings, keys

        def app(self, limits: str | None = None, redis_prefix: str | None = None) -> TestClient:
            if limits:
                monkeypatch.setenv("ODP_RATE_LIMITS", limits)
            if redis_prefix:
                monkeypatch.setenv("ODP_REDIS_URL", REDIS_URL)
                monkeypatch.setenv("ODP_REDIS_PREFIX", redis_prefix)
            get_settings.cache_clear()
            return TestClient(create_app(), follow_redirects=False)

        def as_(self, who: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {self.keys[who]}"}

    yield Portal()
    usage.discard_pending()
    download_stats.discard_pending()
    release(settings, pg_database_url)


def login(client: TestClient, email: str) -> None:
    form = TOKEN.search(client.get("/login").text).group(1)
    answer = client.post("/login", data={"csrf_token": form, "email": email, "password": PASSWORD})
    assert answer.status_code == 303, answer.text


def stored(settings, model) -> list:
    usage.flush(settings)
    with Session(db.get_engine(settings)) as session:
        return list(session.exec(select(model)).all())


def today_of(series: dict) -> dict:
    assert len(series["days"]) == 30
    return series["days"][-1]


def test_a_keys_requests_and_bytes(portal):
    client = portal.app()
    key = portal.keys["one"]
    answers = [
        client.get(rows(A), params={"_size": 5}, headers=portal.as_("one")),
        client.get(download(A), headers=portal.as_("one")),  # the original: Content-Length
        client.get(download(A, "csv"), headers={"X-API-Key": key}),  # streamed
        client.get("/api/v1/datasets/" + A, headers=portal.as_("one")),  # metadata
        client.get("/api/v1/datasets", headers=portal.as_("one")),  # about no one dataset
        client.post("/api/3/action/datastore_search", json={"resource_id": resource_id(A, "table"), "limit": 2},
                    headers={"Authorization": key}),  # what ckanapi -a KEY sends
        client.get("/api/3/action/package_show", params={"id": B}, headers={"X-CKAN-API-Key": key}),
    ]
    assert [a.status_code for a in answers] == [200] * 7
    sizes = [len(a.content) for a in answers]
    assert sizes[1] == portal.size
    found = client.get("/api/v1/usage", headers=portal.as_("one"))
    assert found.status_code == 200
    body = found.json()
    (mine,) = body["keys"]
    assert (mine["name"], mine["prefix"]) == ("脚本一", key[:12]) and key not in found.text
    assert today_of(mine) == {"day": body["until"], "requests": 7, "bytes": sum(sizes)}
    assert (mine["requests"], mine["bytes"]) == (7, sum(sizes))
    assert {d["dataset"]: (d["requests"], d["bytes"]) for d in mine["datasets"]} == {
        A: (5, sum(sizes[:4]) + sizes[5]), B: (1, sizes[6])}
    assert body["session"]["requests"] == 0 and body["session"]["datasets"] == []
    per_dataset = {r.dataset_id: (r.downloads, r.api_calls, r.bytes) for r in stored(portal.settings, DatasetUsageDay)}
    assert sorted(per_dataset.values()) == [(0, 1, sizes[6]), (2, 3, sum(sizes[:4]) + sizes[5])]


def test_a_browser_sessions_usage_and_the_account_charts(portal):
    person = portal.app()
    login(person, "one@example.org")
    data = person.get(download(A_CONDITIONAL, "csv"))  # with the grant, through the session
    assert data.status_code == 200
    assert person.get(rows(B), headers=portal.as_("one")).status_code == 200  # and with the key
    body = person.get("/api/v1/usage").json()  # the session answers for its own account too
    assert (body["session"]["requests"], body["session"]["bytes"]) == (1, len(data.content))
    assert [d["dataset"] for d in body["session"]["datasets"]] == [A_CONDITIONAL]
    assert body["keys"][0]["requests"] == 1
    page = person.get("/account")
    assert page.status_code == 200
    text = page.text
    assert "使用情况（近 30 天）" in text and text.count('class="bar-chart day-chart"') == 4  # key + session, x2
    assert "浏览器登录会话" in text and f"{portal.keys['one'][:12]}…" in text
    assert "近 30 天每日请求数" in text and "近 30 天每日流量" in text and "<rect" in text


def test_anonymous_requests_count_for_datasets_only(portal):
    client = portal.app()
    answers = [client.get(download(B)), client.get(rows(B)), client.get("/api/v1/datasets"),
               client.get(download(A_CONDITIONAL))]  # refused: 403, no dataset counted
    assert [a.status_code for a in answers] == [200, 200, 200, 403]
    assert stored(portal.settings, UsageDay) == []
    (only,) = stored(portal.settings, DatasetUsageDay)
    assert (only.downloads, only.api_calls, only.bytes) == (1, 1, len(answers[0].content) + len(answers[1].content))
    assert client.get("/api/v1/usage").status_code == 401


def test_another_persons_usage_is_never_shown(portal):
    client = portal.app()
    for _ in range(3):
        assert client.get(rows(A), headers=portal.as_("one")).status_code == 200
    theirs = client.get("/api/v1/usage", headers=portal.as_("two"))
    (key,) = theirs.json()["keys"]
    assert key["name"] == "脚本二" and key["requests"] == 0 and key["datasets"] == []
    assert portal.keys["one"][:12] not in theirs.text and A not in theirs.text
    two = portal.app()
    login(two, "two@example.org")
    page = two.get("/account").text
    assert portal.keys["one"][:12] not in page and "脚本一" not in page


def test_a_reviewer_sees_only_its_departments_usage(portal):
    client = portal.app()
    assert client.get(download(A_CONDITIONAL), headers=portal.as_("one")).status_code == 200
    assert client.get(rows(B), headers=portal.as_("two")).status_code == 200
    assert client.get(download(B)).status_code == 200  # anonymous: in the trend and totals only
    prefix_one, prefix_two = portal.keys["one"][:12], portal.keys["two"][:12]

    ours = portal.app()
    login(ours, "ra@example.org")
    assert 'href="/review/usage"' in ours.get("/review").text
    page = ours.get("/review/usage")
    assert page.status_code == 200
    assert "甲部门" in page.text and f"{A_CONDITIONAL} 停车场信息" in page.text
    assert "one" in page.text and "某大学" in page.text and prefix_one in page.text
    assert f"{B} 停车场信息" not in page.text and prefix_two not in page.text and "乙部门" not in page.text
    assert page.text.count('class="bar-chart day-chart"') == 2

    theirs = portal.app()
    login(theirs, "rb@example.org")
    page = theirs.get("/review/usage").text
    assert f"{B} 停车场信息" in page and prefix_two in page
    assert A_CONDITIONAL not in page and prefix_one not in page and "某大学" not in page

    admin = portal.app()
    login(admin, "admin@example.org")  # made by granted()
    page = admin.get("/review/usage").text
    assert "全部部门" in page and A_CONDITIONAL in page and f"{B} 停车场信息" in page

    user = portal.app()
    login(user, "one@example.org")
    assert user.get("/review/usage").status_code == 403
    assert portal.app().get("/review/usage").headers["location"].startswith("/login")


def test_the_daily_bytes_quota_refuses_the_download_that_would_go_over(portal):
    size = portal.size
    client = portal.app(f"anonymous-download-bytes={2 * size + 1}B/day;key-download-bytes={10 * size}B/day")
    clock = Clock(NOON)
    client.app.state.rate_limiter.counter.clock = clock
    first, second = client.get(download(A)), client.get(download(A))
    assert (first.status_code, second.status_code) == (200, 200)
    assert "x-ratelimit-limit" not in first.headers  # no request limit configured
    third = client.get(download(A))  # 2 × size sent, 1 byte left: this one would go over
    assert third.status_code == 429 and third.headers["retry-after"] == str(DAY // 2)
    error = third.json()["error"]
    assert error["code"] == "rate_limited" and "daily download-bytes quota" in error["message"]
    assert "停车场" not in third.text  # not a byte of the data
    assert client.get(download(A), headers=portal.as_("one")).status_code == 200  # a key has its own quota
    assert client.get(rows(A)).status_code == 200  # the quota is for downloads, not API reads

    streamed = client.get(download(A, "csv"))  # no Content-Length: starts, since 1 byte is left
    assert streamed.status_code == 200 and "停车场" in streamed.text, (streamed.headers, streamed.text)
    refused = client.get(download(A, "csv"))  # now used up: refused before anything is converted
    assert refused.status_code == 429 and "daily download-bytes quota" in refused.json()["error"]["message"]

    clock.now += DAY // 2  # the next UTC day
    limiter = client.app.state.rate_limiter
    assert limiter.bytes_left(PrincipalKind.anonymous, "testclient").remaining == 2 * size + 1
    assert client.get(download(A)).status_code == 200
    assert client.get(download(A), headers={"Range": "bytes=0-9"}).status_code == 206  # charged its 10 bytes
    resumed = client.get(download(A), headers={"Range": "bytes=10-19"})  # the same download, resumed
    assert resumed.status_code == 206
    assert limiter.bytes_left(PrincipalKind.anonymous, "testclient").remaining == size + 1 - 20
    per_dataset = {r.dataset_id: r.downloads for r in stored(portal.settings, DatasetUsageDay)}
    assert list(per_dataset.values()) == [6]  # the refused ones are not downloads, nor is a resumed one


@pytest.fixture
def redis_prefix():
    import redis

    prefix = f"odp-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    found = list(client.scan_iter(f"{prefix}:*"))
    if found:
        client.delete(*found)


def test_a_head_request_is_never_refused_or_charged_by_the_bytes_quota(portal):
    """HEAD sends no body (curl -I, link checkers, DuckDB's first request): neither refused nor counted."""
    size = portal.size
    client = portal.app(f"anonymous-download-bytes={size - 1}B/day")  # less than one file
    client.app.state.rate_limiter.counter.clock = Clock(NOON)
    for _ in range(3):
        head = client.head(download(A))
        assert head.status_code == 200 and int(head.headers["content-length"]) == size and not head.content
    limiter = client.app.state.rate_limiter
    assert limiter.bytes_left(PrincipalKind.anonymous, "testclient").remaining == size - 1
    assert client.get(download(A)).status_code == 429  # the GET itself would go over


def test_two_apps_share_the_bytes_quota_through_redis(portal, redis_prefix):
    import redis

    limits = f"anonymous-download-bytes={portal.size}B/day"
    one, two = portal.app(limits, redis_prefix), portal.app(limits, redis_prefix)  # two workers
    clock = Clock(NOON)
    for client in (one, two):
        client.app.state.rate_limiter.counter.clock = clock
    assert one.get(download(B)).status_code == 200
    refused = two.get(download(B))
    assert refused.status_code == 429 and refused.headers["retry-after"] == str(DAY // 2)
    (counter,) = redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}:rl:download-bytes:anonymous:*")
    assert int(redis.Redis.from_url(REDIS_URL).get(counter)) == portal.size
    clock.now += DAY
    assert two.get(download(B)).status_code == 200
