"""Login throttling: failed logins counted per account (email) and per client IP over a sliding window
(``ODP_LOGIN_WINDOW_SECONDS``); past ``ODP_LOGIN_MAX_FAILURES_ACCOUNT`` / ``ODP_LOGIN_MAX_FAILURES_IP`` failures
every login attempt for that email or from that IP is refused until old failures leave the window — a correct
password included, so guessing cannot continue. The counters live in this process (one per worker); an unknown
email is counted like a known one, so throttling tells nothing about which emails are registered.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from catalog.config import Settings

MAX_TRACKED = 100_000  # counters kept before stale ones are swept


class LoginThrottle:
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

    def blocked(self, email: str, ip: str, settings: Settings) -> bool:
        """Whether a login for this email from this IP is refused now."""
        now, window = self._clock(), settings.login_window_seconds
        with self._lock:
            return (self._recent("a:" + email.strip().lower(), window, now) >= settings.login_max_failures_account
                    or self._recent("i:" + ip, window, now) >= settings.login_max_failures_ip)

    def failed(self, email: str, ip: str, settings: Settings) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > MAX_TRACKED:  # many distinct emails: drop what left the window
                for name in list(self._failures):
                    self._recent(name, settings.login_window_seconds, now)
            self._failures["a:" + email.strip().lower()].append(now)
            self._failures["i:" + ip].append(now)

    def succeeded(self, email: str) -> None:
        """A successful login clears the account's failures (the IP's stay)."""
        with self._lock:
            self._failures.pop("a:" + email.strip().lower(), None)


logins = LoginThrottle()
"""The process's login counters (the web login route uses this one)."""
