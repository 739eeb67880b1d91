"""Rate limits and quotas (``ODP_RATE_LIMITS``): how many API requests a principal may make per second, minute,
hour or day, and how many bytes it may download per day.

``ODP_RATE_LIMITS`` is a list of ``WHAT=AMOUNT/PERIOD`` joined by ``;``:

* ``anonymous=60/minute``, ``key=600/minute`` — API requests (``AMOUNT`` a whole number);
* ``anonymous-download-bytes=1GB/day``, ``key-download-bytes=10GB/day`` — body bytes of downloads (``AMOUNT`` a
  number with a unit: ``B``, decimal ``KB``/``MB``/``GB``/``TB`` or binary ``KiB``/``MiB``/``GiB``/``TiB``).

``anonymous`` is counted per client IP, ``key`` per API key (a browser session per account).

A limit is a **fixed window**: the counter of a principal for the current window (its start a multiple of the
period since the epoch, so a ``day`` is a UTC day) is increased by each request, or by each download's bytes as
they are sent; over the limit, the request is refused until the window ends. Why fixed and not sliding: one atomic
increment per request, the same in a process and in Redis, and a reset time every client can be told
(``X-RateLimit-Reset``, ``Retry-After``). The price — up to twice the limit across a window edge — is what most
API gateways accept.

Counters live in the process (:class:`MemoryCounter`, the default) or in Redis (:class:`RedisCounter`, when
``ODP_REDIS_URL`` is set), so a limit holds across ``odp serve --workers N`` and across nodes. In Redis one Lua
script increments and sets the expiry atomically, so a crash between the two cannot leave a counter that never
expires. If Redis cannot be reached the request is let through (and logged): a limit is a protection, not a reason
for the portal to fail.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol

log = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}
BYTE_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
              "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
_UNIT_NAMES = {"KIB": "KiB", "MIB": "MiB", "GIB": "GiB", "TIB": "TiB"}
DOWNLOAD_BYTES = "-download-bytes"  # what follows a principal kind in a bytes quota's name
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$")


class PrincipalKind(StrEnum):
    anonymous = "anonymous"  # counted per client IP
    key = "key"  # counted per API key (or per account, for a browser session)


@dataclass(frozen=True)
class Limit:
    count: int  # requests, or bytes for a download-bytes quota
    period: int  # seconds

    @property
    def period_name(self) -> str:
        return next(n for n, s in PERIODS.items() if s == self.period)

    def __str__(self) -> str:
        return f"{self.count}/{self.period_name}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends (at least 1)


@dataclass(frozen=True)
class RateLimits:
    """What ``ODP_RATE_LIMITS`` says: request limits and download-bytes quotas, each per principal kind."""

    requests: dict[PrincipalKind, Limit] = field(default_factory=dict)
    download_bytes: dict[PrincipalKind, Limit] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.requests or self.download_bytes)


class LimitSyntaxError(ValueError):
    """``ODP_RATE_LIMITS`` is not ``WHAT=AMOUNT/PERIOD`` joined by ``;``."""


def format_bytes(count: int) -> str:
    """A byte count as people write it: ``2GB``, ``1.5GB``, ``10GiB``, ``999B`` — the largest unit that states it
    exactly with at most one decimal (decimal units first), else the largest decimal unit rounded (``1.2MB``)."""
    for units in (("TB", "GB", "MB", "KB"), ("TIB", "GIB", "MIB", "KIB")):
        unit = next((u for u in units if count >= BYTE_UNITS[u]), None)
        if unit is not None and count * 10 % BYTE_UNITS[unit] == 0:
            return f"{count / BYTE_UNITS[unit]:.1f}".removesuffix(".0") + _UNIT_NAMES.get(unit, unit)
    unit = next((u for u in ("TB", "GB", "MB", "KB") if count >= BYTE_UNITS[u]), None)
    return f"{count / BYTE_UNITS[unit]:.1f}".removesuffix(".0") + unit if unit else f"{count}B"


def parse_bytes(text: str) -> int:
    """``"10GB"`` → 10_000_000_000, ``"1.5GiB"``, ``"500MB"``, ``"4096"`` (bytes); ValueError otherwise."""
    found = _AMOUNT.match(text.strip())
    unit = (found.group(2) or "B").upper() if found else ""
    if not found or unit not in BYTE_UNITS:
        raise ValueError(f"{text!r} is not an amount of bytes (e.g. 1GB, 500MB, 2GiB)")
    try:
        count = int(Decimal(found.group(1)) * BYTE_UNITS[unit])
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"{text!r} is not an amount of bytes") from exc
    if count < 1:
        raise ValueError(f"{text!r} is less than one byte")
    return count


_SYNTAX = ("is not WHAT=AMOUNT/PERIOD (WHAT anonymous or key for requests, anonymous-download-bytes or "
           "key-download-bytes for bytes; PERIOD second, minute, hour or day; e.g. anonymous=60/minute, "
           "key-download-bytes=10GB/day)")


def parse_rate_limits(text: str) -> RateLimits:
    """``"anonymous=60/minute;key=600/minute;anonymous-download-bytes=1GB/day"`` → the request limits and the
    download-bytes quotas; empty text → none at all."""
    limits = RateLimits()
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        what, _, rate = (s.strip() for s in part.partition("="))
        amount, _, period = (s.strip() for s in rate.partition("/"))
        who = what.removesuffix(DOWNLOAD_BYTES)
        if who not in PrincipalKind.__members__ or period not in PERIODS:
            raise LimitSyntaxError(f"{part!r} {_SYNTAX}")
        if what.endswith(DOWNLOAD_BYTES):
            try:
                count = parse_bytes(amount)
            except ValueError as exc:
                raise LimitSyntaxError(f"{part!r}: {exc}") from exc
            table = limits.download_bytes
        else:
            if not amount.isdigit() or int(amount) < 1:
                raise LimitSyntaxError(f"{part!r} {_SYNTAX}")
            count, table = int(amount), limits.requests
        if PrincipalKind(who) in table:
            raise LimitSyntaxError(f"{what!r} is limited twice")
        table[PrincipalKind(who)] = Limit(count, PERIODS[period])
    return limits


def parse_limits(text: str) -> dict[PrincipalKind, Limit]:
    """The request limits of ``text`` (``"anonymous=60/minute;key=600/minute"``); its bytes quotas are checked
    but left out (:func:`parse_rate_limits` has both)."""
    return parse_rate_limits(text).requests


class Counter(Protocol):
    clock: object

    def hit(self, bucket: str, limit: Limit) -> Verdict:
        """Count one request of ``bucket`` in its current window and say whether it is within ``limit``."""
        ...

    def add(self, bucket: str, limit: Limit, amount: int) -> Verdict:
        """Add ``amount`` (bytes) to ``bucket``'s current window; the verdict on the new total."""
        ...

    def peek(self, bucket: str, limit: Limit) -> Verdict:
        """The current window's count, unchanged: allowed while something is left of ``limit``."""
        ...


def _window(limit: Limit, now: float) -> tuple[int, int]:
    """The window's number and the seconds until it ends (at least 1)."""
    number = int(now // limit.period)
    return number, max(1, int((number + 1) * limit.period - now + 0.999))


def _verdict(count: int, limit: Limit, reset: int) -> Verdict:
    return Verdict(count <= limit.count, limit.count, max(0, limit.count - count), reset)


def _left(count: int, limit: Limit, reset: int) -> Verdict:
    return Verdict(count < limit.count, limit.count, max(0, limit.count - count), reset)


class MemoryCounter:
    """Counters in this process: exact for one worker; with N workers each counts on its own (use Redis)."""

    def __init__(self, clock=time.time) -> None:
        self._counts: dict[tuple[str, int, int], int] = {}
        self._lock = threading.Lock()
        self.clock = clock  # tests move it

    def hit(self, bucket: str, limit: Limit) -> Verdict:
        return self.add(bucket, limit, 1)

    def add(self, bucket: str, limit: Limit, amount: int) -> Verdict:
        number, reset = _window(limit, self.clock())
        key = (bucket, limit.period, number)
        with self._lock:
            count = self._counts[key] = self._counts.get(key, 0) + amount
            if len(self._counts) > 100_000:  # drop windows that are over
                self._prune()
        return _verdict(count, limit, reset)

    def peek(self, bucket: str, limit: Limit) -> Verdict:
        number, reset = _window(limit, self.clock())
        return _left(self._counts.get((bucket, limit.period, number), 0), limit, reset)

    def _prune(self) -> None:
        now = self.clock()
        for key in [k for k in self._counts if k[2] < int(now // k[1])]:
            del self._counts[key]


# INCRBY and, when the key has no expiry yet (its window's first hit), EXPIRE — atomically; returns the new count.
_INCR_EXPIRE = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisCounter:
    """Counters in Redis, shared by every worker and node; keys ``PREFIX:rl:BUCKET:PERIOD:WINDOW``."""

    def __init__(self, url: str, prefix: str, clock=time.time) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_INCR_EXPIRE)
        self._prefix = prefix
        self.clock = clock  # tests move it

    def _key(self, bucket: str, limit: Limit, number: int) -> str:
        return f"{self._prefix}:rl:{bucket}:{limit.period}:{number}"

    def hit(self, bucket: str, limit: Limit) -> Verdict:
        return self.add(bucket, limit, 1)

    def add(self, bucket: str, limit: Limit, amount: int) -> Verdict:
        import redis

        number, reset = _window(limit, self.clock())
        try:
            count = int(self._script(keys=[self._key(bucket, limit, number)], args=[limit.period + 1, amount]))
        except redis.RedisError as exc:  # fail open: a limit protects the portal, it must not break it
            log.warning("rate limit not counted, Redis unreachable: %s", exc)
            return Verdict(True, limit.count, limit.count, reset)
        return _verdict(count, limit, reset)

    def peek(self, bucket: str, limit: Limit) -> Verdict:
        import redis

        number, reset = _window(limit, self.clock())
        try:
            stored = self._redis.get(self._key(bucket, limit, number))
        except redis.RedisError as exc:
            log.warning("quota not checked, Redis unreachable: %s", exc)
            return Verdict(True, limit.count, limit.count, reset)
        return _left(int(stored or 0), limit, reset)


def counter_for(redis_url: str | None, prefix: str) -> Counter:
    return RedisCounter(redis_url, prefix) if redis_url else MemoryCounter()


@dataclass
class RateLimiter:
    """The configured limits and quotas, and where they are counted."""

    limits: dict[PrincipalKind, Limit]  # requests
    counter: Counter
    download_bytes: dict[PrincipalKind, Limit] = field(default_factory=dict)

    def check(self, kind: PrincipalKind, who: str) -> Verdict | None:
        """Count one request of principal ``who`` (an IP, or ``key:ID``); None when ``kind`` has no limit."""
        limit = self.limits.get(kind)
        return None if limit is None else self.counter.hit(f"{kind.value}:{who}", limit)

    def bytes_left(self, kind: PrincipalKind, who: str) -> Verdict | None:
        """What is left of ``who``'s download-bytes quota in this window (nothing counted); None: no quota."""
        limit = self.download_bytes.get(kind)
        return None if limit is None else self.counter.peek(f"download-bytes:{kind.value}:{who}", limit)

    def add_bytes(self, kind: PrincipalKind, who: str, amount: int) -> None:
        """Count ``amount`` downloaded bytes of ``who`` against its quota (no-op without one)."""
        limit = self.download_bytes.get(kind)
        if limit is not None and amount > 0:
            self.counter.add(f"download-bytes:{kind.value}:{who}", limit, amount)
