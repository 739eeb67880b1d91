"""Rate limits: how many API requests a principal may make per second, minute, hour or day (``ODP_RATE_LIMITS``).

A limit is a **fixed window**: the counter of a principal for the current window (its start a multiple of the
period since the epoch) is incremented once per request; over the limit, the request is refused until the window
ends. Why fixed and not sliding: one atomic increment per request, the same in a process and in Redis, and a reset
time every client can be told (``X-RateLimit-Reset``). The price — up to twice the limit across a window edge — is
what most API gateways accept.

Counters live in the process (:class:`MemoryCounter`, the default) or in Redis (:class:`RedisCounter`, when
``ODP_REDIS_URL`` is set), so a limit holds across ``odp serve --workers N`` and across nodes. In Redis one Lua
script increments and sets the expiry atomically, so a crash between the two cannot leave a counter that never
expires. If Redis cannot be reached the request is let through (and logged): a limit is a protection, not a reason
for the portal to fail.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

log = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}


class PrincipalKind(StrEnum):
    anonymous = "anonymous"  # counted per client IP
    key = "key"  # counted per API key (or per account, for a browser session)


@dataclass(frozen=True)
class Limit:
    count: int
    period: int  # seconds

    def __str__(self) -> str:
        name = next(n for n, s in PERIODS.items() if s == self.period)
        return f"{self.count}/{name}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends (at least 1)


class LimitSyntaxError(ValueError):
    """``ODP_RATE_LIMITS`` is not ``PRINCIPAL=N/PERIOD`` joined by ``;``."""


def parse_limits(text: str) -> dict[PrincipalKind, Limit]:
    """``"anonymous=60/minute;key=600/minute"`` → a limit per principal kind; empty text → no limits."""
    limits: dict[PrincipalKind, Limit] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        who, _, rate = (s.strip() for s in part.partition("="))
        count, _, period = (s.strip() for s in rate.partition("/"))
        if who not in PrincipalKind.__members__ or period not in PERIODS or not count.isdigit() or int(count) < 1:
            raise LimitSyntaxError(f"{part!r} is not PRINCIPAL=N/PERIOD (principal anonymous or key; period "
                                   "second, minute, hour or day)")
        if PrincipalKind(who) in limits:
            raise LimitSyntaxError(f"{who!r} is limited twice")
        limits[PrincipalKind(who)] = Limit(int(count), PERIODS[period])
    return limits


class Counter(Protocol):
    def hit(self, bucket: str, limit: Limit) -> Verdict:
        """Count one request of ``bucket`` in its current window and say whether it is within ``limit``."""
        ...


def _window(limit: Limit, now: float) -> tuple[int, int]:
    """The window's number and the seconds until it ends (at least 1)."""
    number = int(now // limit.period)
    return number, max(1, int((number + 1) * limit.period - now + 0.999))


def _verdict(count: int, limit: Limit, reset: int) -> Verdict:
    return Verdict(count <= limit.count, limit.count, max(0, limit.count - count), reset)


class MemoryCounter:
    """Counters in this process: exact for one worker; with N workers each counts on its own (use Redis)."""

    def __init__(self, clock=time.time) -> None:
        self._counts: dict[tuple[str, int, int], int] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def hit(self, bucket: str, limit: Limit) -> Verdict:
        number, reset = _window(limit, self._clock())
        key = (bucket, limit.period, number)
        with self._lock:
            count = self._counts[key] = self._counts.get(key, 0) + 1
            if len(self._counts) > 100_000:  # drop windows that are over
                self._prune()
        return _verdict(count, limit, reset)

    def _prune(self) -> None:
        now = self._clock()
        for key in [k for k in self._counts if k[2] < int(now // k[1])]:
            del self._counts[key]


# INCR and, on the window's first hit, EXPIRE — atomically; returns the new count.
_INCR_EXPIRE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisCounter:
    """Counters in Redis, shared by every worker and node; keys ``PREFIX:rl:BUCKET:PERIOD:WINDOW``."""

    def __init__(self, url: str, prefix: str, clock=time.time) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_INCR_EXPIRE)
        self._prefix = prefix
        self._clock = clock

    def hit(self, bucket: str, limit: Limit) -> Verdict:
        import redis

        number, reset = _window(limit, self._clock())
        try:
            count = int(self._script(keys=[f"{self._prefix}:rl:{bucket}:{limit.period}:{number}"],
                                     args=[limit.period + 1]))
        except redis.RedisError as exc:  # fail open: a limit protects the portal, it must not break it
            log.warning("rate limit not checked, Redis unreachable: %s", exc)
            return Verdict(True, limit.count, limit.count, reset)
        return _verdict(count, limit, reset)


def counter_for(redis_url: str | None, prefix: str) -> Counter:
    return RedisCounter(redis_url, prefix) if redis_url else MemoryCounter()


@dataclass
class RateLimiter:
    """The configured limits and where they are counted."""

    limits: dict[PrincipalKind, Limit]
    counter: Counter

    def check(self, kind: PrincipalKind, who: str) -> Verdict | None:
        """Count one request of principal ``who`` (an IP, or ``key:ID``); None when ``kind`` has no limit."""
        limit = self.limits.get(kind)
        return None if limit is None else self.counter.hit(f"{kind.value}:{who}", limit)
