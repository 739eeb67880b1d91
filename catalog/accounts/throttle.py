"""Login throttling: failed logins counted per account (email) and per client IP over a sliding window
(``ODP_LOGIN_WINDOW_SECONDS``); past ``ODP_LOGIN_MAX_FAILURES_ACCOUNT`` / ``ODP_LOGIN_MAX_FAILURES_IP`` failures
every login attempt for that email or from that IP is refused until old failures leave the window — a correct
password included, so guessing cannot continue. A wrong TOTP code, and a wrong password re-entered to delete an
account, count as failed logins too. An unknown email is counted like a known one, so throttling tells nothing
about which emails are registered.

Where the counters live: in this process by default (one set per worker), in Redis when ``ODP_REDIS_URL`` is set
(``ODP_REDIS_PREFIX:login:…``), so ``odp serve --workers N`` and several nodes share them and N workers do not
give an attacker N times the guesses. In Redis each name is a sorted set of failure times (a sliding window like
the in-process deque; the rate limits' fixed-window counters of ``limits.py`` count every request and cannot be
read without counting, which a throttle that counts only failures needs). Names are SHA-256 digests, so Redis
holds no email or IP in clear. If Redis cannot be reached the process's own counters are used (and a warning
logged): a login keeps its throttle, only no longer shared.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Protocol

from catalog.config import Settings

log = logging.getLogger(__name__)

MAX_TRACKED = 100_000  # counters kept before stale ones are swept


class FailureStore(Protocol):
    def recent(self, name: str, window: float) -> int:
        """Failures of ``name`` within the last ``window`` seconds."""
        ...

    def add(self, names: tuple[str, ...], window: float) -> None:
        """One failure now for each name."""
        ...

    def clear(self, name: str) -> None:
        ...


class MemoryFailures:
    """Failure times per name in this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, name: str, window: float, now: float) -> int:
        times = self._failures.get(name)
        if not times:
            return 0
        while times and times[0] <= now - window:
            times.popleft()
        if not times:
            del self._failures[name]
            return 0
        return len(times)

    def recent(self, name: str, window: float) -> int:
        with self._lock:
            return self._recent(name, window, self._clock())

    def add(self, names: tuple[str, ...], window: float) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > MAX_TRACKED:  # many distinct emails: drop what left the window
                for name in list(self._failures):
                    self._recent(name, window, now)
            for name in names:
                self._failures[name].append(now)

    def clear(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


class RedisFailures:
    """Failure times per name in Redis (a sorted set each, expiring with the window), shared by every worker."""

    def __init__(self, url: str, prefix: str, clock: Callable[[], float] = time.time) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._prefix = prefix
        self._clock = clock

    def _key(self, name: str) -> str:
        return f"{self._prefix}:login:{hashlib.sha256(name.encode()).hexdigest()}"

    def recent(self, name: str, window: float) -> int:
        now = self._clock()
        return int(self._redis.zcount(self._key(name), f"({now - window}", "+inf"))

    def add(self, names: tuple[str, ...], window: float) -> None:
        now = self._clock()
        pipe = self._redis.pipeline(transaction=True)
        for name in names:
            key = self._key(name)
            pipe.zremrangebyscore(key, "-inf", now - window)
            pipe.zadd(key, {f"{now:.6f}:{secrets.token_hex(4)}": now})  # distinct members: two failures, two marks
            pipe.expire(key, int(window) + 1)
        pipe.execute()

    def clear(self, name: str) -> None:
        self._redis.delete(self._key(name))


class LoginThrottle:
    """The login counters: in this process, or in Redis when the settings name one (chosen per call, so a test
    or a worker with another ``ODP_REDIS_URL`` gets its own)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._memory = MemoryFailures(clock)
        self._redis: dict[tuple[str, str], RedisFailures] = {}
        self._lock = threading.Lock()

    def _store(self, settings: Settings) -> FailureStore:
        if not settings.redis_url:
            return self._memory
        where = (settings.redis_url, settings.redis_prefix)
        with self._lock:
            if where not in self._redis:
                self._redis[where] = RedisFailures(*where)
            return self._redis[where]

    def _each(self, settings: Settings, action: Callable[[FailureStore], object]):
        """Run ``action`` on the settings' store; on a Redis failure, on this process's counters instead."""
        store = self._store(settings)
        if store is self._memory:
            return action(store)
        import redis

        try:
            return action(store)
        except redis.RedisError as exc:
            log.warning("login throttle counted in this process only, Redis unreachable: %s", exc)
            return action(self._memory)

    def blocked(self, email: str, ip: str, settings: Settings) -> bool:
        """Whether a login for this email from this IP is refused now."""
        window = settings.login_window_seconds
        return bool(self._each(settings, lambda store: (
            store.recent(_account(email), window) >= settings.login_max_failures_account
            or store.recent(_ip(ip), window) >= settings.login_max_failures_ip)))

    def failed(self, email: str, ip: str, settings: Settings) -> None:
        self._each(settings, lambda store: store.add((_account(email), _ip(ip)), settings.login_window_seconds))

    def succeeded(self, email: str, settings: Settings | None = None) -> None:
        """A successful login clears the account's failures (the IP's stay)."""
        if settings is None:
            self._memory.clear(_account(email))
        else:
            self._each(settings, lambda store: store.clear(_account(email)))


def _account(email: str) -> str:
    return "a:" + email.strip().lower()


def _ip(ip: str) -> str:
    return "i:" + ip


logins = LoginThrottle()
"""The process's login counters (the web login route uses this one)."""
