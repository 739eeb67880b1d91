"""The short-lived cache of API-key principals (catalog/accounts/principals.py): a busy key costs no query, a
change made in this process is seen at once, one made elsewhere within ODP_AUTH_CACHE_SECONDS."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from catalog import db
from catalog.accounts import applications, keys, principals
from catalog.models import AccessGrant, ApiKey, Dataset
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.accounts import account, admin, cheap_hashing, granted, new_key
from tests.support.packages import csv_text, write_package

CONDITIONAL = "cache-conditional"


@pytest.fixture
def catalog(tmp_path, monkeypatch, pg_database_url):
    from tests.support.catalog import fresh_settings, release

    cheap_hashing(monkeypatch)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    write_package(folder, CONDITIONAL, csv=csv_text([(1, "A", "浦东新区", 1)]), open_class="conditional")
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    principals.forget_all()
    with Session(db.get_engine(settings)) as session:
        yield settings, session
    principals.forget_all()
    release(settings, pg_database_url)


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(principals, "_clock", lambda: now[0])
    return now


def count_queries(settings):
    engine = db.get_engine(settings)
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(engine, "before_cursor_execute", note)


def dataset_id(session: Session) -> int:
    return session.exec(select(Dataset.id).where(Dataset.name == CONDITIONAL)).one()


def test_a_busy_key_is_looked_up_once_per_ttl(catalog, clock):
    settings, session = catalog
    person = account(session, settings, "busy@example.org")
    key = new_key(session, settings, person)
    session.commit()
    first = principals.for_key(session, key, settings)
    seen, stop = count_queries(settings)
    try:
        again = principals.for_key(session, key, settings)
        assert seen == [] and again == first  # no query at all
        clock[0] += settings.auth_cache_seconds + 0.1
        assert principals.for_key(session, key, settings) == first
        assert seen, "after the TTL the key is read again"
    finally:
        stop()


def test_changes_made_in_this_process_are_seen_at_once(catalog, clock):
    settings, session = catalog
    person = account(session, settings, "here@example.org")
    key = new_key(session, settings, person)
    session.commit()
    assert principals.for_key(session, key, settings).granted == frozenset()
    application_id = granted(session, settings, person, CONDITIONAL)
    session.commit()
    assert principals.for_key(session, key, settings).granted == {dataset_id(session)}  # approval: no wait
    applications.revoke(session, admin(session, settings), application_id, "到期前收回")
    session.commit()
    assert principals.for_key(session, key, settings).granted == frozenset()
    row = session.exec(select(ApiKey).where(ApiKey.account_id == person.id)).one()
    keys.revoke_key(session, person.id, row.id)
    session.commit()
    assert principals.for_key(session, key, settings) is None


def test_changes_made_elsewhere_are_seen_within_the_ttl(catalog, clock):
    """A write that bypasses this process's sessions (another worker, the CLI): at most the TTL late."""
    settings, session = catalog
    person = account(session, settings, "elsewhere@example.org")
    key = new_key(session, settings, person)
    granted(session, settings, person, CONDITIONAL)
    session.commit()
    assert principals.for_key(session, key, settings).granted == {dataset_id(session)}
    with db.get_engine(settings).begin() as connection:  # not an ORM flush: the cache cannot know
        connection.execute(text("UPDATE accessgrant SET revoked = CURRENT_TIMESTAMP"))
        connection.execute(text("UPDATE apikey SET revoked = CURRENT_TIMESTAMP"))
    session.expire_all()
    assert principals.for_key(session, key, settings).granted == {dataset_id(session)}  # still cached
    clock[0] += settings.auth_cache_seconds + 0.1
    assert principals.for_key(session, key, settings) is None


def test_ttl_zero_reads_every_time(catalog, clock, monkeypatch):
    settings, session = catalog
    settings = settings.model_copy(update={"auth_cache_seconds": 0})
    person = account(session, settings, "zero@example.org")
    key = new_key(session, settings, person)
    session.commit()
    principals.for_key(session, key, settings)
    seen, stop = count_queries(settings)
    try:
        principals.for_key(session, key, settings)
        assert seen
    finally:
        stop()


def test_an_unknown_key_is_not_a_query_flood_either(catalog, clock):
    settings, session = catalog
    assert principals.for_key(session, "odp_" + "x" * 43, settings) is None
    seen, stop = count_queries(settings)
    try:
        assert principals.for_key(session, "odp_" + "x" * 43, settings) is None
        assert seen == []
    finally:
        stop()
    assert session.exec(select(AccessGrant)).all() == []
