"""The grant-expiry sweeper: a daemon thread per portal process that runs ``grants.log_expired_grants`` every
``ODP_GRANT_SWEEP_SECONDS`` (default 60; 0 turns it off), so a ``grant_expired`` audit event appears within a
minute of the expiry even when nobody opens /account, /review or runs ``odp audit``.

Each process of ``odp serve --workers N`` (and each node) runs its own; the sweep claims each grant with a
conditional UPDATE, so they never log one twice. Tests do not start it (a test's catalog is thrown away while a
sweeper would still hold its URL) unless they set ``ODP_GRANT_SWEEP_SECONDS`` themselves.
"""

from __future__ import annotations

import logging
import os
import threading

from sqlmodel import Session

from catalog.config import Settings
from catalog.db import _engine_for  # the engine (and pool) the catalog uses

from . import grants

log = logging.getLogger(__name__)

_started: dict[str, tuple[threading.Thread, threading.Event]] = {}  # database URL -> its sweeper, its stop
_lock = threading.Lock()


def wanted(settings: Settings) -> bool:
    """On unless ``ODP_GRANT_SWEEP_SECONDS`` is 0; under pytest only when a test set it explicitly."""
    if settings.grant_sweep_seconds <= 0:
        return False
    return "grant_sweep_seconds" in settings.model_fields_set or "PYTEST_CURRENT_TEST" not in os.environ


def start(settings: Settings) -> threading.Thread | None:
    """Start this process's sweeper for the settings' catalog (once; later calls return the running one)."""
    if not wanted(settings):
        return None
    url = settings.effective_database_url
    with _lock:
        if url not in _started:
            stop = threading.Event()
            thread = threading.Thread(target=_sweep_forever, args=(url, settings.grant_sweep_seconds, stop),
                                      name="odp-grant-sweeper", daemon=True)
            thread.start()
            _started[url] = (thread, stop)
        return _started[url][0]


def stop(settings: Settings, timeout: float = 10) -> None:
    """Stop this process's sweeper for the settings' catalog (a test that started one)."""
    with _lock:
        running = _started.pop(settings.effective_database_url, None)
    if running is not None:
        running[1].set()
        running[0].join(timeout)


def sweep_once(url: str) -> int:
    """One sweep in a transaction of its own; returns the events written."""
    with Session(_engine_for(url)) as session:
        logged = grants.log_expired_grants(session)
        session.commit()
        return logged


def _sweep_forever(url: str, seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        try:
            sweep_once(url)
        except Exception:  # a database hiccup must not end the thread: the next sweep catches up
            log.exception("grant expiry sweep failed")
