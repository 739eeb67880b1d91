"""Usage statistics (catalog/accounts/usage.py) and the download-bytes quota's counting (catalog/accounts/limits.py):
events recorded in memory and written in batches that add up, the dataset named by a request resolved when
written (names, CKAN package and resource ids), an account's last 30 days per key, day and dataset — never
another's — and a department's view for its reviewers only; the bytes grammar of ODP_RATE_LIMITS, and the quota
counted in the process and in the real Redis, shared by two limiters, starting again the next day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pydantic
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from catalog import db
from catalog.accounts import applications, keys, usage
from catalog.accounts.limits import (
    Limit,
    LimitSyntaxError,
    MemoryCounter,
    PrincipalKind,
    RateLimiter,
    RedisCounter,
    format_bytes,
    parse_bytes,
    parse_limits,
    parse_rate_limits,
)
from catalog.ckan import ids as ckan_ids
from catalog.ckan.ids import package_id, resource_id
from catalog.config import Settings
from catalog.models import Account, DatasetUsageDay, UsageDay
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.accounts import account, cheap_hashing, granted
from tests.support.packages import write_package

REDIS_URL = "redis://127.0.0.1:6379/0"
DAY = 86_400
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- The grammar ------------------------------------------------------------------------------------------------


def test_parse_bytes_quotas():
    limits = parse_rate_limits("anonymous=60/minute; key=600/minute; anonymous-download-bytes=1GB/day;"
                               " key-download-bytes = 10GiB / day;")
    assert limits.requests == {PrincipalKind.anonymous: Limit(60, 60), PrincipalKind.key: Limit(600, 60)}
    assert limits.download_bytes == {PrincipalKind.anonymous: Limit(10**9, DAY),
                                     PrincipalKind.key: Limit(10 * 2**30, DAY)}
    assert parse_limits("anonymous-download-bytes=1GB/day") == {}  # request limits only
    assert not parse_rate_limits("") and parse_rate_limits("key-download-bytes=1MB/hour")
    assert [parse_bytes(t) for t in ("4096", "1KB", "1kib", "1.5GB", "500 MB", "2TiB")] == [
        4096, 1000, 1024, 1_500_000_000, 500_000_000, 2 * 2**40]
    for bad in ("anonymous-download-bytes=1GB", "robot-download-bytes=1GB/day", "key-download-bytes=0GB/day",
                "key-download-bytes=1PB/day", "key-download-bytes=-1MB/day", "key-download-bytes=1GB/week",
                "key-download-bytes=1GB/day;key-download-bytes=2GB/day", "key-download=1GB/day", "key=1GB/day",
                "anonymous-download-bytes=GB/day"):
        with pytest.raises(LimitSyntaxError):
            parse_rate_limits(bad)
    assert [format_bytes(n) for n in (1, 999, 10**9, 10 * 2**30, 1_500_000_000, 1536, 1_234_567)] == [
        "1B", "999B", "1GB", "10GiB", "1.5GB", "1.5KiB", "1.2MB"]


def test_the_setting_takes_the_bytes_form(monkeypatch):
    monkeypatch.setenv("ODP_RATE_LIMITS", "anonymous=60/minute;anonymous-download-bytes=1GB/day")
    assert parse_rate_limits(Settings().rate_limits).download_bytes[PrincipalKind.anonymous].count == 10**9
    for bad in ("anonymous-download-bytes=1GB", "key-download-bytes=1XB/day"):
        monkeypatch.setenv("ODP_RATE_LIMITS", bad)
        with pytest.raises(pydantic.ValidationError):
            Settings()


# --- The quota's counting ---------------------------------------------------------------------------------------


def quota_walk(counter) -> None:
    """1000 bytes a day per principal, anonymous per IP; used up, then the next UTC day starts again."""
    clock = Clock(NOON)
    counter.clock = clock
    limiter = RateLimiter({}, counter, {PrincipalKind.anonymous: Limit(1000, DAY)})
    assert limiter.bytes_left(PrincipalKind.key, "key1") is None  # no key quota configured
    left = limiter.bytes_left(PrincipalKind.anonymous, "10.0.0.1")
    assert (left.allowed, left.remaining, left.reset) == (True, 1000, DAY // 2)
    limiter.add_bytes(PrincipalKind.anonymous, "10.0.0.1", 600)
    assert limiter.bytes_left(PrincipalKind.anonymous, "10.0.0.1").remaining == 400
    limiter.add_bytes(PrincipalKind.anonymous, "10.0.0.1", 600)  # a download that started under the quota
    left = limiter.bytes_left(PrincipalKind.anonymous, "10.0.0.1")
    assert (left.allowed, left.remaining) == (False, 0)
    assert limiter.bytes_left(PrincipalKind.anonymous, "10.0.0.2").remaining == 1000  # another IP
    clock.now += DAY // 2  # midnight UTC
    assert limiter.bytes_left(PrincipalKind.anonymous, "10.0.0.1").remaining == 1000


def test_the_bytes_quota_in_the_process():
    quota_walk(MemoryCounter())


@pytest.fixture
def redis_prefix():
    import redis

    prefix = f"odp-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    found = list(client.scan_iter(f"{prefix}:*"))
    if found:
        client.delete(*found)


def test_the_bytes_quota_in_redis_is_shared_and_expires(redis_prefix):
    import redis

    quota_walk(RedisCounter(REDIS_URL, redis_prefix))
    clock = Clock(NOON)
    one, two = (RedisCounter(REDIS_URL, redis_prefix, clock) for _ in range(2))  # two workers, one Redis
    quota = {PrincipalKind.key: Limit(1000, DAY)}
    RateLimiter({}, one, quota).add_bytes(PrincipalKind.key, "key7", 900)
    assert RateLimiter({}, two, quota).bytes_left(PrincipalKind.key, "key7").remaining == 100
    client = redis.Redis.from_url(REDIS_URL)
    stored = list(client.scan_iter(f"{redis_prefix}:rl:download-bytes:*"))
    assert stored and all(0 < client.ttl(k) <= DAY + 1 for k in stored)


def test_an_unreachable_redis_lets_downloads_through():
    counter = RedisCounter("redis://127.0.0.1:1/0", "odp-test-down")
    limiter = RateLimiter({}, counter, {PrincipalKind.key: Limit(1, DAY)})
    limiter.add_bytes(PrincipalKind.key, "key1", 10)
    assert limiter.bytes_left(PrincipalKind.key, "key1").allowed


# --- Recording and reading -------------------------------------------------------------------------------------


@pytest.fixture
def catalog(settings, tmp_path, monkeypatch):
    """Datasets of two departments, a reviewer of each, an admin and two users (ids in a dict)."""
    cheap_hashing(monkeypatch)
    folder = tmp_path / "packages"
    folder.mkdir()
    dept_a, dept_b = {"name": "use-dept-a", "title": "甲部门"}, {"name": "use-dept-b", "title": "乙部门"}
    write_package(folder, "use-a", publisher=dept_a)
    write_package(folder, "use-a-conditional", publisher=dept_a, open_class="conditional")
    write_package(folder, "use-b", publisher=dept_b)
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    usage.discard_pending()
    ckan_ids._MAPS.clear()  # its uuid maps are per URL: on PostgreSQL an earlier test's catalog had this one
    with Session(db.get_engine(settings)) as session:
        ids = {name: session.exec(text("SELECT id FROM dataset WHERE name = :n").bindparams(n=name)).scalar_one()
               for name in ("use-a", "use-a-conditional", "use-b")}
        people = {
            "user": account(session, settings, "user@example.org"),
            "other": account(session, settings, "other@example.org"),
            "rev_a": account(session, settings, "ra@example.org", Role.reviewer, ("use-dept-a",)),
            "rev_b": account(session, settings, "rb@example.org", Role.reviewer, ("use-dept-b",)),
            "admin": account(session, settings, "admin@example.org", Role.admin),
        }
        granted(session, settings, people["user"], "use-a-conditional")
        session.commit()
        ids |= {who: person.id for who, person in people.items()}
    yield ids
    usage.discard_pending()


def rows(settings, model):
    with Session(db.get_engine(settings)) as session:
        return session.exec(select(model)).all()


def test_events_are_added_up_and_written_in_batches(settings, catalog, monkeypatch):
    monkeypatch.setattr(usage, "clock", lambda: NOON)
    user, a, b = catalog["user"], catalog["use-a"], catalog["use-b"]
    usage.record(user, 5, usage.dataset_named("use-a"), "download", 1000)
    usage.record(user, 5, usage.dataset_named("use-a"), "api", 200)
    usage.record(user, 5, usage.ckan_package(package_id("use-b")), "api", 50)  # a CKAN package id
    usage.record(user, 5, usage.ckan_package("use-b"), "api", 50)  # … or its name
    usage.record(user, 5, usage.ckan_resource(resource_id("use-a", "table")), "api", 30)
    usage.record(user, 5, None, "api", 7)  # a search: about no one dataset
    usage.record(user, None, usage.dataset_named("use-a"), "download", 1000)  # the browser session
    usage.record(None, None, usage.dataset_named("use-b"), "download", 400)  # anonymous
    usage.record(None, None, None, "api", 99)  # anonymous, no dataset: not counted at all
    usage.record(user, 5, usage.dataset_named("no-such-dataset"), "api", 3)  # counted, but for no dataset
    usage.record(user, 5, usage.dataset_named("use-a"), "resumed", 500)  # a download's later part: bytes only
    assert rows(settings, UsageDay) == []  # nothing is written on the request path
    assert usage.flush(settings) == 10
    day = date(2026, 3, 10)
    per_key = {(r.key_id, r.dataset_id): (r.day, r.account_id, r.requests, r.bytes) for r in rows(settings, UsageDay)}
    assert per_key == {(5, a): (day, user, 4, 1730), (5, b): (day, user, 2, 100), (5, 0): (day, user, 2, 10),
                       (0, a): (day, user, 1, 1000)}
    per_dataset = {r.dataset_id: (r.day, r.downloads, r.api_calls, r.bytes) for r in rows(settings, DatasetUsageDay)}
    assert per_dataset == {a: (day, 2, 2, 2730), b: (day, 1, 2, 500)}
    usage.record(user, 5, usage.dataset_named("use-a"), "download", 1)  # the next batch adds to the same rows
    usage.record(None, None, usage.dataset_named("use-a"), "api", 1)
    assert usage.flush(settings) == 2 and usage.flush(settings) == 0
    assert {(r.key_id, r.dataset_id): r.requests for r in rows(settings, UsageDay)}[(5, a)] == 5
    assert {r.dataset_id: (r.downloads, r.api_calls, r.bytes) for r in rows(settings, DatasetUsageDay)}[a] == (
        3, 3, 2732)


def test_an_accounts_last_30_days_by_key_day_and_dataset(settings, catalog, monkeypatch):
    with Session(db.get_engine(settings)) as session:
        person = session.get(Account, catalog["user"])
        laptop = keys.create_key(session, person, "laptop", settings).row
        spare = keys.create_key(session, person, "spare", settings).row
        session.commit()
        session.refresh(laptop)
        session.refresh(spare)
    clock = Clock(NOON)
    monkeypatch.setattr(usage, "clock", clock)
    for days_ago, n in ((0, 3), (1, 1), (29, 2), (30, 5), (45, 1)):  # 30 and 45 days ago: outside the window
        clock.now = NOON - days_ago * DAY
        for _ in range(n):
            usage.record(catalog["user"], laptop.id, usage.dataset_named("use-a"), "api", 100)
    clock.now = NOON
    usage.record(catalog["user"], laptop.id, None, "api", 5)
    usage.record(catalog["user"], None, usage.dataset_named("use-b"), "download", 70)
    usage.record(catalog["other"], 999, usage.dataset_named("use-a"), "api", 10**6)  # another account
    usage.flush(settings)
    with Session(db.get_engine(settings)) as session:
        found = usage.account_usage(session, catalog["user"], until=date(2026, 3, 10))
    assert set(found) == {usage.SESSION_KEY, laptop.id, spare.id}  # 999 is not this account's key
    series = found[laptop.id].days
    assert len(series) == 30 and series[0].day == date(2026, 2, 9) and series[-1].day == date(2026, 3, 10)
    assert [(d.requests, d.bytes) for d in series if d.requests] == [(2, 200), (1, 100), (4, 305)]
    assert (found[laptop.id].requests, found[laptop.id].bytes) == (7, 605)
    assert [(t.name, t.requests, t.bytes) for t in found[laptop.id].datasets] == [("use-a", 6, 600)]
    assert found[spare.id].requests == 0 and len(found[spare.id].days) == 30
    session_use = found[usage.SESSION_KEY]
    assert (session_use.requests, session_use.bytes, [t.name for t in session_use.datasets]) == (1, 70, ["use-b"])


def test_a_department_sees_only_its_own_datasets(settings, catalog, monkeypatch):
    monkeypatch.setattr(usage, "clock", lambda: NOON)
    with Session(db.get_engine(settings)) as session:
        person = session.get(Account, catalog["user"])
        script = keys.create_key(session, person, "script", settings).row
        session.commit()
        session.refresh(script)
    usage.record(catalog["user"], script.id, usage.dataset_named("use-a-conditional"), "download", 5000)
    usage.record(catalog["user"], script.id, usage.dataset_named("use-a"), "api", 100)
    usage.record(catalog["user"], script.id, None, "api", 100)  # no dataset: in no department's view
    usage.record(catalog["other"], None, usage.dataset_named("use-b"), "api", 300)
    usage.record(None, None, usage.dataset_named("use-b"), "download", 2000)
    usage.flush(settings)
    with Session(db.get_engine(settings)) as session:
        def view(who):
            return usage.department_usage(session, session.get(Account, catalog[who]), until=date(2026, 3, 10))

        mine = view("rev_a")
        assert mine.departments == ["甲部门"]
        assert [(d.name, d.downloads, d.api_calls, d.bytes, d.accounts) for d in mine.datasets] == [
            ("use-a-conditional", 1, 0, 5000, 1), ("use-a", 0, 1, 100, 1)]
        (user,) = mine.users
        assert (user.account_name, user.organization, user.key_prefix, user.requests, user.bytes) == (
            "user", "某大学", script.prefix, 2, 5100)  # the organization of its application
        assert user.datasets == ["use-a-conditional 停车场信息", "use-a 停车场信息"]
        assert sum(d.downloads for d in mine.trend) == 1 and len(mine.trend) == 30
        assert mine.trend[-1].bytes == 5100

        theirs = view("rev_b")
        assert [d.name for d in theirs.datasets] == ["use-b"] and theirs.datasets[0].downloads == 1
        assert [(u.account_name, u.key_prefix, u.organization) for u in theirs.users] == [("other", None, "")]
        assert "use-a" not in str(theirs) and script.prefix not in str(theirs)

        everything = view("admin")
        assert everything.departments is None
        assert {d.name for d in everything.datasets} == {"use-a", "use-a-conditional", "use-b"}
        nothing = view("user")  # not a reviewer: no department
        assert nothing.datasets == [] and nothing.users == [] and sum(d.bytes for d in nothing.trend) == 0


def test_a_reviewer_without_departments_sees_nothing(settings, catalog, monkeypatch):
    monkeypatch.setattr(usage, "clock", lambda: NOON)
    usage.record(catalog["user"], None, usage.dataset_named("use-a"), "api", 1)
    usage.flush(settings)
    with Session(db.get_engine(settings)) as session:
        loner = account(session, settings, "loner@example.org", Role.reviewer)
        session.commit()
        found = usage.department_usage(session, session.get(Account, loner.id), until=date(2026, 3, 10))
    assert found.departments == [] and found.datasets == [] and found.users == []


def test_the_window_is_utc_days():
    assert usage.window(30, date(2026, 3, 10)) == (date(2026, 2, 9), date(2026, 3, 10))
    assert usage.window(1, date(2026, 3, 10)) == (date(2026, 3, 10), date(2026, 3, 10))


def test_an_application_organization_for_another_department_is_not_shown(settings, catalog, monkeypatch):
    """The organization comes from applications for the viewer's datasets only."""
    monkeypatch.setattr(usage, "clock", lambda: NOON)
    with Session(db.get_engine(settings)) as session:
        other = session.get(Account, catalog["other"])
        applications.apply(session, other, "use-a-conditional", settings, purpose="p", scenario="s",
                           organization="甲的合作单位", days=10, accept_agreement=True)
        session.commit()
    usage.record(catalog["other"], None, usage.dataset_named("use-b"), "api", 1)
    usage.flush(settings)
    with Session(db.get_engine(settings)) as session:
        theirs = usage.department_usage(session, session.get(Account, catalog["rev_b"]), until=date(2026, 3, 10))
    assert [u.organization for u in theirs.users] == [""]
