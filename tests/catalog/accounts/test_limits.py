"""Rate-limit counting (catalog/accounts/limits.py): the setting's syntax, fixed windows in the process and in the
real Redis at 127.0.0.1:6379, both checked against a brute-force count of the same hits."""

from __future__ import annotations

import uuid

import pydantic
import pytest

from catalog.accounts.limits import (
    Limit,
    LimitSyntaxError,
    MemoryCounter,
    PrincipalKind,
    RateLimiter,
    RedisCounter,
    parse_limits,
)
from catalog.config import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_parse_limits():
    assert parse_limits("") == {}
    assert parse_limits(" anonymous = 60/minute ; key=600/minute; ") == {
        PrincipalKind.anonymous: Limit(60, 60), PrincipalKind.key: Limit(600, 60)}
    assert parse_limits("key=5/day") == {PrincipalKind.key: Limit(5, 86_400)}
    assert str(Limit(5, 3600)) == "5/hour"
    for bad in ("anonymous=60", "robot=1/minute", "key=0/second", "key=-1/hour", "key=1/week",
                "key=1/minute;key=2/minute", "anonymous=1.5/second"):
        with pytest.raises(LimitSyntaxError):
            parse_limits(bad)


def test_the_setting_refuses_what_the_parser_refuses(monkeypatch):
    monkeypatch.setenv("ODP_RATE_LIMITS", "anonymous=60/minute;key=600/minute")
    assert parse_limits(Settings().rate_limits)[PrincipalKind.key] == Limit(600, 60)
    for bad in ("anonymous=60", "robot=1/minute", "key=0/second", "key=1/week"):
        monkeypatch.setenv("ODP_RATE_LIMITS", bad)
        with pytest.raises(pydantic.ValidationError):
            Settings()


def brute_force(hits: list[tuple[float, str]], limit: Limit) -> list[bool]:
    """Allowed or not, for each hit: at most ``limit.count`` per bucket and window (floor(t / period))."""
    seen: dict[tuple[str, int], int] = {}
    allowed = []
    for t, bucket in hits:
        key = (bucket, int(t // limit.period))
        seen[key] = seen.get(key, 0) + 1
        allowed.append(seen[key] <= limit.count)
    return allowed


HITS = [(1_000_000.0 + i * 0.37, "ab"[i % 3 == 0]) for i in range(200)]  # ~74 s, two buckets, window edges


TEN_SECONDS = Limit(7, 10)


def run(counter_of, hits=HITS, limit=TEN_SECONDS):
    clock = Clock(0)
    counter = counter_of(clock)
    verdicts = []
    for t, bucket in hits:
        clock.now = t
        verdicts.append(counter.hit(bucket, limit))
    return verdicts


def test_memory_counter_matches_a_brute_force_count():
    verdicts = run(lambda clock: MemoryCounter(clock))
    assert [v.allowed for v in verdicts] == brute_force(HITS, Limit(7, 10))
    first = verdicts[0]  # t = 1_000_000.0, the start of a 10 s window
    assert (first.limit, first.remaining, first.reset) == (7, 6, 10)
    assert all(1 <= v.reset <= 10 and 0 <= v.remaining <= 6 for v in verdicts)


@pytest.fixture
def redis_prefix():
    import redis

    prefix = f"odp-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_redis_counter_matches_a_brute_force_count_and_expires_its_keys(redis_prefix):
    import redis

    verdicts = run(lambda clock: RedisCounter(REDIS_URL, redis_prefix, clock))
    assert [v.allowed for v in verdicts] == brute_force(HITS, Limit(7, 10))
    assert [v.remaining for v in verdicts] == [v.remaining for v in run(lambda clock: MemoryCounter(clock))]
    client = redis.Redis.from_url(REDIS_URL)
    stored = list(client.scan_iter(f"{redis_prefix}:*"))
    assert stored and all(0 < client.ttl(key) <= 11 for key in stored)  # no counter lives forever


def test_an_unreachable_redis_lets_requests_through():
    counter = RedisCounter("redis://127.0.0.1:1/0", "odp-test-down")  # nothing listens on port 1
    assert all(counter.hit("a", Limit(1, 60)).allowed for _ in range(3))


def test_limiter_counts_only_the_kinds_it_limits():
    limiter = RateLimiter({PrincipalKind.anonymous: Limit(2, 86_400)}, MemoryCounter())
    assert limiter.check(PrincipalKind.key, "key1") is None
    assert [limiter.check(PrincipalKind.anonymous, "10.0.0.1").allowed for _ in range(3)] == [True, True, False]
    assert limiter.check(PrincipalKind.anonymous, "10.0.0.2").allowed  # another IP, another counter
