"""Usage statistics: requests and bytes of every account's keys (and browser session) per UTC day and dataset
(``UsageDay``), and downloads, API calls and bytes of every dataset per day, by everyone, anonymous callers
included (``DatasetUsageDay``).

Recording follows ``catalog/datasets/stats.py``: the request path only appends one tuple to an in-process deque
(:func:`record` — no lock, no database, and the dataset as the request *named* it, never looked up there). A
daemon thread adds the tuples up every ``FLUSH_SECONDS``, resolves the dataset names in one query, and writes one
transaction of upserts (``requests = requests + n``), so any number of processes count into the same rows, on
SQLite and PostgreSQL alike. :func:`flush_all` runs at exit and when the app shuts down; tests and the pages that
show usage call :func:`flush` first, so what this process counted is there at once (other processes' counts
within ``FLUSH_SECONDS``). Counts are advisory: tuples still in memory when a process is killed are lost.

What is counted (by ``portal/ratelimit.py``): every answered JSON-API and CKAN-API request of an account — its
key, or its browser session as key 0 — with the body bytes actually sent; a request answered with data about one
dataset (its metadata, rows, downloads, ``package_show``, ``datastore_search`` …) is attributed to that dataset.
Anonymous requests only count in the dataset figures. Reads: an account's usage by key, day and dataset
(:func:`account_usage`), and a department's (:func:`department_usage`) for its reviewers, every department for
admins.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from catalog.config import Settings, get_settings
from catalog.db import _engine_for, upsert_insert  # _engine_for: the engine (and pool) the catalog uses
from catalog.models import (
    AccessApplication,
    Account,
    ApiKey,
    Dataset,
    DatasetUsageDay,
    Department,
    UsageDay,
)
from catalog.vocabulary import Role

from . import users

# "resumed": a download's later part (a Range not from byte 0) — its bytes count, it is not another download
Kind = Literal["download", "resumed", "api"]
# A dataset as a request named it, resolved to an id only when the batch is written:
# ("name", dataset name) | ("package", CKAN package id or name) | ("resource", CKAN resource id).
DatasetRef = tuple[str, str]
DAYS = 30  # what the account page, GET /api/v1/usage and /review/usage show
FLUSH_SECONDS = 5.0
SESSION_KEY = 0  # key_id of a browser session's requests
NO_DATASET = 0  # dataset_id of requests about no one dataset (searches, lists, keys …)

log = logging.getLogger(__name__)

clock = time.time  # tests move it: the day a request is counted on is the UTC day of clock()

# database URL -> events (day, account_id or 0, key_id or 0, dataset ref or None, kind, bytes) not yet written
Event = tuple[date, int, int, DatasetRef | None, Kind, int]
_pending: dict[str, deque[Event]] = {}
_engine_urls: dict[str, str] = {}  # that key -> the URL as configured (the engine cache's key)
_flusher: threading.Thread | None = None
_start_lock = threading.Lock()
_flush_lock = threading.Lock()  # one flush of a URL at a time: the flusher thread, shutdown and readers


def dataset_named(name: str) -> DatasetRef:
    return ("name", name)


def ckan_package(value: str) -> DatasetRef:
    return ("package", value)


def ckan_resource(value: str) -> DatasetRef:
    return ("resource", value)


def today() -> date:
    return datetime.fromtimestamp(clock(), UTC).date()


@lru_cache(maxsize=64)
def _key(url: str) -> str:
    return make_url(url).render_as_string(hide_password=False)


# --- Recording (the request path) -------------------------------------------------------------------------------


def record(account_id: int | None, key_id: int | None, dataset: DatasetRef | None, kind: Kind, nbytes: int,
           settings: Settings | None = None) -> None:
    """Count one answered request (cheap: an append to a deque). ``account_id`` None: anonymous, counted only
    for its dataset; ``key_id`` None: the account's browser session."""
    if account_id is None and dataset is None:
        return  # an anonymous request about no dataset: nothing to count
    events = _events_for(settings or get_settings())
    events.append((today(), account_id or 0, SESSION_KEY if key_id is None else key_id, dataset, kind, nbytes))
    if _flusher is None:
        _start_flusher()


_last: tuple[Settings, deque[Event]] | None = None  # the settings last seen and their queue (no path resolving)


def _events_for(settings: Settings) -> deque[Event]:
    global _last
    last = _last
    if last is not None and last[0] is settings:
        return last[1]
    configured = settings.effective_database_url  # resolves the data dir: not on every request
    url = _key(configured)
    events = _pending.get(url)
    if events is None:
        _engine_urls.setdefault(url, configured)
        events = _pending.setdefault(url, deque())
    _last = (settings, events)
    return events


def _start_flusher() -> None:
    global _flusher
    with _start_lock:
        if _flusher is None:
            _flusher = threading.Thread(target=_flush_forever, name="odp-usage-stats", daemon=True)
            _flusher.start()
            atexit.register(flush_all)


def _flush_forever() -> None:
    stop = threading.Event()
    while not stop.wait(FLUSH_SECONDS):
        flush_all()


def flush_all() -> None:
    """Write every pending event of this process, whatever its database (the flusher, exit, app shutdown)."""
    for url in list(_pending):
        try:
            _flush_url(url)
        except Exception:
            log.exception("usage counts could not be written to the catalog DB")


def flush(settings: Settings | None = None) -> int:
    """Write this process's pending events for the configured DB now; returns how many requests they were."""
    return _flush_url(_key((settings or get_settings()).effective_database_url))


@contextmanager
def held() -> Iterator[None]:
    """No flush starts while inside (tests: a database copied as a template must have no connection)."""
    with _flush_lock:
        yield


def discard_pending() -> None:
    """Forget unflushed events (tests: a new catalog DB at the same URL must start from zero); waits for a flush
    under way, so none writes into the new one."""
    with _flush_lock:
        for events in _pending.values():
            events.clear()


def _drain(url: str) -> dict[tuple[date, int, int, DatasetRef | None, Kind], list[int]]:
    events = _pending.get(url)
    tally: dict[tuple[date, int, int, DatasetRef | None, Kind], list[int]] = {}
    while events:
        try:
            day, account_id, key_id, ref, kind, nbytes = events.popleft()
        except IndexError:
            break
        row = tally.setdefault((day, account_id, key_id, ref, kind), [0, 0])
        row[0] += 1
        row[1] += nbytes
    return tally


def _resolve(session: Session, refs: set[DatasetRef]) -> dict[DatasetRef, int]:
    """Dataset ids of the refs (0 for one that names no dataset)."""
    from catalog.ckan.ids import looks_like_uuid, package_name_for_id, resource_key_for_id

    name_of: dict[DatasetRef, str | None] = {}
    for ref in refs:
        what, value = ref
        if what == "name":
            name_of[ref] = value
        elif what == "package":
            name_of[ref] = package_name_for_id(session, value) if looks_like_uuid(value) else value
        else:
            found = resource_key_for_id(session, value)
            name_of[ref] = found[0] if found else None
    names = sorted({n for n in name_of.values() if n})
    ids: dict[str, int] = {}
    for start in range(0, len(names), 500):
        rows = session.exec(select(Dataset.name, Dataset.id).where(col(Dataset.name).in_(names[start:start + 500])))
        ids.update({name: dataset_id for name, dataset_id in rows.all()})
    return {ref: ids.get(name or "", NO_DATASET) for ref, name in name_of.items()}


def _flush_url(url: str) -> int:
    with _flush_lock:
        tally = _drain(url)
        if not tally:
            return 0
        engine = _engine_for(_engine_urls.get(url, url))
        with Session(engine) as session:
            dataset_ids = _resolve(session, {ref for (_, _, _, ref, _) in tally if ref is not None})
            per_key: dict[tuple[date, int, int, int], list[int]] = {}
            per_dataset: dict[tuple[date, int], list[int]] = {}
            for (day, account_id, key_id, ref, kind), (n, nbytes) in tally.items():
                dataset_id = dataset_ids.get(ref, NO_DATASET) if ref is not None else NO_DATASET
                if account_id:
                    row = per_key.setdefault((day, account_id, key_id, dataset_id), [0, 0])
                    row[0] += n
                    row[1] += nbytes
                if dataset_id:
                    counts = per_dataset.setdefault((day, dataset_id), [0, 0, 0])
                    if kind != "resumed":
                        counts[0 if kind == "download" else 1] += n
                    counts[2] += nbytes
            for (day, account_id, key_id, dataset_id), (n, nbytes) in sorted(per_key.items()):  # sorted: no deadlocks
                stmt = upsert_insert(engine, UsageDay).values(day=day, account_id=account_id, key_id=key_id,
                                                              dataset_id=dataset_id, requests=n, bytes=nbytes)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["day", "account_id", "key_id", "dataset_id"],
                    set_={"requests": UsageDay.requests + stmt.excluded.requests,
                          "bytes": UsageDay.bytes + stmt.excluded.bytes})
                session.exec(stmt)  # type: ignore[call-overload]
            for (day, dataset_id), (downloads, api_calls, nbytes) in sorted(per_dataset.items()):
                stmt = upsert_insert(engine, DatasetUsageDay).values(day=day, dataset_id=dataset_id,
                                                                     downloads=downloads, api_calls=api_calls,
                                                                     bytes=nbytes)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["day", "dataset_id"],
                    set_={"downloads": DatasetUsageDay.downloads + stmt.excluded.downloads,
                          "api_calls": DatasetUsageDay.api_calls + stmt.excluded.api_calls,
                          "bytes": DatasetUsageDay.bytes + stmt.excluded.bytes})
                session.exec(stmt)  # type: ignore[call-overload]
            session.commit()
        return sum(n for n, _ in tally.values())


# --- Reading --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayUsage:
    day: date
    requests: int
    bytes: int


@dataclass(frozen=True)
class DatasetTotal:
    dataset_id: int
    name: str
    title: str
    requests: int
    bytes: int


@dataclass(frozen=True)
class KeyUsage:
    """One key's (or the browser session's) usage over the window."""

    key_id: int  # SESSION_KEY (0): the browser session
    days: list[DayUsage]  # every day of the window, oldest first, zeros included
    datasets: list[DatasetTotal]  # most requests first; requests about no one dataset are in the totals only

    @property
    def requests(self) -> int:
        return sum(d.requests for d in self.days)

    @property
    def bytes(self) -> int:
        return sum(d.bytes for d in self.days)


def window(days: int = DAYS, until: date | None = None) -> tuple[date, date]:
    """The first and last day (UTC, both included) of the last ``days`` days."""
    last = until or today()
    return last - timedelta(days=days - 1), last


def _every_day(since: date, until: date) -> list[date]:
    return [since + timedelta(days=i) for i in range((until - since).days + 1)]


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def account_usage(session: Session, account_id: int, *, days: int = DAYS, until: date | None = None
                  ) -> dict[int, KeyUsage]:
    """key id → its usage in the last ``days`` days (today included): every key of the account (revoked ones
    too) and ``SESSION_KEY``, the browser session, each even without usage. Only ever this account's rows."""
    since, last = window(days, until)
    in_window = (UsageDay.account_id == account_id, col(UsageDay.day) >= since, col(UsageDay.day) <= last)
    per_day: dict[tuple[int, date], list[int]] = {}
    for key_id, day, requests, nbytes in session.exec(
            select(UsageDay.key_id, UsageDay.day, func.sum(UsageDay.requests), func.sum(UsageDay.bytes))
            .where(*in_window).group_by(UsageDay.key_id, UsageDay.day)).all():
        per_day[(key_id, _as_date(day))] = [int(requests or 0), int(nbytes or 0)]
    per_dataset: dict[int, list[tuple[int, int, int]]] = {}
    for key_id, dataset_id, requests, nbytes in session.exec(
            select(UsageDay.key_id, UsageDay.dataset_id, func.sum(UsageDay.requests), func.sum(UsageDay.bytes))
            .where(*in_window, UsageDay.dataset_id != NO_DATASET)
            .group_by(UsageDay.key_id, UsageDay.dataset_id)).all():
        per_dataset.setdefault(key_id, []).append((dataset_id, int(requests or 0), int(nbytes or 0)))
    names = _dataset_names(session, {d for rows in per_dataset.values() for d, _, _ in rows})
    key_ids = [SESSION_KEY, *session.exec(select(ApiKey.id).where(ApiKey.account_id == account_id)
                                          .order_by(col(ApiKey.id))).all()]
    key_ids += sorted({k for k, _ in per_day} - set(key_ids))  # a deleted key's rows stay countable
    calendar = _every_day(since, last)
    result = {}
    for key_id in key_ids:
        series = [DayUsage(day, *per_day.get((key_id, day), (0, 0))) for day in calendar]
        totals = [DatasetTotal(d, *names.get(d, ("", "")), r, b) for d, r, b in per_dataset.get(key_id, [])]
        totals.sort(key=lambda t: (-t.requests, -t.bytes, t.name))
        result[key_id] = KeyUsage(key_id, series, totals)  # type: ignore[index]
    return result


def _dataset_names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.exec(select(Dataset.id, Dataset.name, Dataset.title).where(col(Dataset.id).in_(ids))).all()
    return {dataset_id: (name, title) for dataset_id, name, title in rows}


# --- A department's view (reviewers: their departments; admins: all) -----------------------------------------


@dataclass(frozen=True)
class DatasetDay:
    day: date
    downloads: int
    api_calls: int
    bytes: int


@dataclass(frozen=True)
class DepartmentDataset:
    dataset_id: int
    name: str
    title: str
    department: str  # its title
    downloads: int
    api_calls: int
    bytes: int
    accounts: int  # distinct accounts that used it (anonymous callers are not counted here)


@dataclass(frozen=True)
class UserUsage:
    """One account's key (or browser session) on the department's datasets."""

    account_id: int
    account_name: str
    organization: str  # from its applications for these datasets, "" when it never applied
    key_id: int
    key_prefix: str | None  # None: the browser session
    datasets: list[str]  # titles, most used first
    requests: int
    bytes: int


@dataclass(frozen=True)
class DepartmentUsage:
    since: date
    until: date
    departments: list[str] | None  # their titles; None: every department (an admin)
    trend: list[DatasetDay]  # every day of the window, oldest first: all callers, anonymous included
    datasets: list[DepartmentDataset]  # those with any use, most downloads and calls first
    users: list[UserUsage]  # most requests first, at most USERS_SHOWN
    more_users: int  # how many more there were


USERS_SHOWN = 200


def may_see_department_usage(account: Account) -> bool:
    return account.role in (Role.reviewer, Role.admin)


def department_usage(session: Session, actor: Account, *, days: int = DAYS, until: date | None = None
                     ) -> DepartmentUsage:
    """Usage of the datasets of ``actor``'s departments (an admin: every dataset; anyone else: none) over the
    last ``days`` days. Never a row of a dataset outside them, and no request about no dataset."""
    since, last = window(days, until)
    scope = select(Dataset.id)
    departments: list[str] | None = None
    if actor.role != Role.admin:
        ids = users.department_ids(session, actor.id) if actor.role == Role.reviewer else set()  # type: ignore[arg-type]
        scope = scope.where(col(Dataset.department_id).in_(ids or {-1}))
        departments = list(session.exec(select(Department.title).where(col(Department.id).in_(ids or {-1}))
                                        .order_by(col(Department.title))).all())
    in_window = (col(DatasetUsageDay.day) >= since, col(DatasetUsageDay.day) <= last,
                 col(DatasetUsageDay.dataset_id).in_(scope))
    by_day = {_as_date(day): (int(dl or 0), int(api or 0), int(nb or 0)) for day, dl, api, nb in session.exec(
        select(DatasetUsageDay.day, func.sum(DatasetUsageDay.downloads), func.sum(DatasetUsageDay.api_calls),
               func.sum(DatasetUsageDay.bytes)).where(*in_window).group_by(DatasetUsageDay.day)).all()}
    trend = [DatasetDay(day, *by_day.get(day, (0, 0, 0))) for day in _every_day(since, last)]

    used_in_window = (col(UsageDay.day) >= since, col(UsageDay.day) <= last, col(UsageDay.dataset_id).in_(scope))
    accounts_per_dataset = dict(session.exec(
        select(UsageDay.dataset_id, func.count(func.distinct(UsageDay.account_id)))
        .where(*used_in_window).group_by(UsageDay.dataset_id)).all())
    per_dataset = session.exec(
        select(DatasetUsageDay.dataset_id, func.sum(DatasetUsageDay.downloads), func.sum(DatasetUsageDay.api_calls),
               func.sum(DatasetUsageDay.bytes)).where(*in_window).group_by(DatasetUsageDay.dataset_id)).all()
    labels = {dataset_id: (name, title, department) for dataset_id, name, title, department in session.exec(
        select(Dataset.id, Dataset.name, Dataset.title, Department.title)
        .join(Department, col(Department.id) == col(Dataset.department_id))
        .where(col(Dataset.id).in_({d for d, *_ in per_dataset} | set(accounts_per_dataset) or {-1}))).all()}
    datasets = [DepartmentDataset(d, *labels.get(d, ("", "", "")), int(dl or 0), int(api or 0), int(nb or 0),
                                  int(accounts_per_dataset.get(d, 0))) for d, dl, api, nb in per_dataset]
    datasets.sort(key=lambda x: (-(x.downloads + x.api_calls), -x.bytes, x.name))

    per_user: dict[tuple[int, int], dict[int, list[int]]] = {}
    for account_id, key_id, dataset_id, requests, nbytes in session.exec(
            select(UsageDay.account_id, UsageDay.key_id, UsageDay.dataset_id, func.sum(UsageDay.requests),
                   func.sum(UsageDay.bytes)).where(*used_in_window)
            .group_by(UsageDay.account_id, UsageDay.key_id, UsageDay.dataset_id)).all():
        per_user.setdefault((account_id, key_id), {})[dataset_id] = [int(requests or 0), int(nbytes or 0)]
    ranked = sorted(per_user.items(), key=lambda item: (-sum(r for r, _ in item[1].values()), item[0]))
    shown = ranked[:USERS_SHOWN]
    account_ids = {a for (a, _), _ in shown}
    people = {a.id: a for a in session.exec(select(Account).where(col(Account.id).in_(account_ids or {-1})))}
    prefixes = dict(session.exec(select(ApiKey.id, ApiKey.prefix).where(
        col(ApiKey.id).in_({k for (_, k), _ in shown if k != SESSION_KEY} or {-1}))).all())
    organizations = _organizations(session, account_ids, scope)
    titles = {d: label[1] for d, label in labels.items()}
    found_users = []
    for (account_id, key_id), used in shown:
        person = people.get(account_id)
        name = "（已注销的账户）" if person is None or person.deleted is not None else person.name
        order = sorted(used.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
        found_users.append(UserUsage(
            account_id, name, organizations.get(account_id, ""), key_id,
            None if key_id == SESSION_KEY else prefixes.get(key_id, "?"),
            [titles.get(d, "") for d, _ in order], sum(r for r, _ in used.values()), sum(b for _, b in used.values())))
    return DepartmentUsage(since, last, departments, trend, datasets, found_users, len(ranked) - len(shown))


def _organizations(session: Session, account_ids: set[int], scope) -> dict[int, str]:
    """Each account's organization as its latest application for one of the scope's datasets names it."""
    if not account_ids:
        return {}
    rows = session.exec(
        select(AccessApplication.account_id, AccessApplication.organization)
        .where(col(AccessApplication.account_id).in_(account_ids), col(AccessApplication.dataset_id).in_(scope),
               AccessApplication.organization != "")
        .order_by(col(AccessApplication.created), col(AccessApplication.id))).all()
    return dict(rows)  # the latest wins
