"""Accounts, keys, applications, grants and the audit log, on the catalog alone (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from catalog import access, db
from catalog.accounts import applications, audit, grants, keys, principals, users
from catalog.config import get_settings
from catalog.models import AccessApplication, Dataset
from catalog.vocabulary import ApplicationStatus, Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.accounts import PASSWORD, account, admin, cheap_hashing, expire_grant, granted, new_key
from tests.support.packages import csv_text, write_package

OPEN, CONDITIONAL = "acct-open", "acct-conditional"


@pytest.fixture
def catalog(tmp_path, monkeypatch, pg_database_url):
    from tests.support.catalog import fresh_settings, release

    cheap_hashing(monkeypatch)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    for name, open_class in ((OPEN, "open"), (CONDITIONAL, "conditional")):
        write_package(folder, name, csv=csv_text([(1, "A", "浦东新区", 1)]), open_class=open_class)
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        yield settings, session
    release(settings, pg_database_url)


def dataset(session: Session, name: str) -> Dataset:
    return session.exec(select(Dataset).where(Dataset.name == name)).one()


def test_passwords_are_argon2_and_authentication_does_not_tell_emails_apart(catalog):
    settings, session = catalog
    person = account(session, settings, "Alice@Example.org")
    assert person.email == "alice@example.org" and person.password_hash.startswith("$argon2id$")
    assert "m=64," in person.password_hash and "t=1," in person.password_hash  # the cost is the setting
    assert users.authenticate(session, "ALICE@example.org", PASSWORD, settings).id == person.id
    assert users.authenticate(session, "alice@example.org", "wrong password", settings) is None
    assert users.authenticate(session, "nobody@example.org", PASSWORD, settings) is None
    with pytest.raises(users.AccountError):
        account(session, settings, "alice@example.org")
    with pytest.raises(users.AccountError):
        users.create_account(session, "b@example.org", "B", "short", settings)


def test_roles_and_departments(catalog):
    settings, session = catalog
    department = dataset(session, CONDITIONAL).department_id
    slug = session.exec(text("SELECT name FROM department WHERE id = :i").bindparams(i=department)).scalar_one()
    reviewer = account(session, settings, "r@example.org", Role.reviewer, (slug,))
    assert users.department_ids(session, reviewer.id) == {department}
    with pytest.raises(users.AccountError):
        account(session, settings, "u@example.org", Role.user, (slug,))  # users have no departments
    users.set_role(session, "r@example.org", Role.user)
    assert users.department_ids(session, reviewer.id) == set() and reviewer.role == Role.user
    assert [e.event for e in audit.events(session, account_id=reviewer.id)] == ["account_created", "role_changed"]


def test_keys_are_stored_as_keyed_hashes_only(catalog):
    settings, session = catalog
    person = account(session, settings, "k@example.org")
    made = keys.create_key(session, person, "laptop", settings, days=10)
    session.commit()
    assert made.key.startswith("odp_") and len(made.key) >= 4 + 43
    assert made.row.prefix == made.key[:12] and made.row.key_hash != made.key
    dump = "\n".join(str(row) for table in ("apikey", "auditevent", "account")
                     for row in session.exec(text(f"SELECT * FROM {table}")))
    assert made.key not in dump and made.key[12:] not in dump and made.row.prefix in dump
    # generated on first use, into the data dir of an embedded catalog (a shared one has ODP_SECRET_KEY)
    assert (settings.data_dir / "secret_key").is_file() == (not settings.scaled_mode)
    found = keys.find_key(session, made.key, settings)
    assert found is not None and found.id == made.row.id and found.last_used is not None
    assert keys.find_key(session, made.key + "x", settings) is None
    assert keys.revoke_key(session, person.id + 999, made.row.id) is None  # not another account's key
    keys.revoke_key(session, person.id, made.row.id)
    session.commit()
    assert keys.find_key(session, made.key, settings) is None


def test_a_changed_secret_invalidates_keys(catalog, monkeypatch):
    settings, session = catalog
    key = new_key(session, settings, account(session, settings, "s@example.org"))
    session.commit()
    monkeypatch.setenv("ODP_SECRET_KEY", "another secret")
    get_settings.cache_clear()
    assert keys.find_key(session, key, get_settings()) is None
    assert keys.find_key(session, key, settings) is not None


def test_application_flow_gives_and_takes_a_grant(catalog):
    settings, session = catalog
    person = account(session, settings, "a@example.org")
    target = dataset(session, CONDITIONAL)
    assert not access.data_readable(target, principals.for_account(session, person))
    with pytest.raises(applications.Conflict):  # open data needs no application
        applications.apply(session, person, OPEN, settings, purpose="p", scenario="s", organization="o", days=1,
                           accept_agreement=True)
    with pytest.raises(applications.NotFound):
        applications.apply(session, person, "no-such", settings, purpose="p", scenario="s", organization="o",
                           days=1, accept_agreement=True)
    for days, accept in ((30, False), (0, True), (366, True)):
        with pytest.raises(applications.ApplicationError):
            applications.apply(session, person, CONDITIONAL, settings, purpose="p", scenario="s",
                               organization="o", days=days, accept_agreement=accept)
    first = applications.apply(session, person, CONDITIONAL, settings, purpose="p", scenario="s",
                               organization="o", days=30, accept_agreement=True)
    with pytest.raises(applications.Conflict):  # one pending per account and dataset
        applications.apply(session, person, CONDITIONAL, settings, purpose="p", scenario="s",
                           organization="o", days=30, accept_agreement=True)
    with pytest.raises(applications.NotFound):  # a user cannot decide
        applications.approve(session, person, first.id)
    boss = admin(session, settings)
    with pytest.raises(applications.ApplicationError):
        applications.approve(session, boss, first.id, days=31)  # never longer than asked
    applications.approve(session, boss, first.id, days=10)
    session.commit()
    grant = applications.grant_of(session, first.id)
    assert grant is not None and (grants.aware(grant.expires) - grants.aware(grant.starts)).days == 10
    assert access.data_readable(target, principals.for_account(session, person))
    assert not access.data_readable(target, principals.for_account(session, boss))  # admins need a grant too
    applications.revoke(session, boss, first.id, "misuse")
    session.commit()
    assert first.status == ApplicationStatus.revoked
    assert not access.data_readable(target, principals.for_account(session, person))
    events = [e.event for e in audit.events(session, dataset_id=target.id)]
    assert events == ["application_created", "application_approved", "application_revoked"]


def test_an_expired_grant_reads_nothing(catalog):
    settings, session = catalog
    person = account(session, settings, "e@example.org")
    application = granted(session, settings, person, CONDITIONAL)
    session.commit()
    assert dataset(session, CONDITIONAL).id in principals.for_account(session, person).granted
    expire_grant(session, application)
    session.commit()
    assert principals.for_account(session, person).granted == frozenset()


def test_reviewers_see_and_decide_their_departments_only(catalog):
    settings, session = catalog
    person = account(session, settings, "p@example.org")
    pending = applications.apply(session, person, CONDITIONAL, settings, purpose="p", scenario="s",
                                 organization="o", days=5, accept_agreement=True)
    own_slug = session.exec(text("SELECT name FROM department WHERE id = :i").bindparams(
        i=dataset(session, CONDITIONAL).department_id)).scalar_one()
    session.exec(text("INSERT INTO department (name, title) VALUES ('other-dept', '其他部门')"))
    ours = account(session, settings, "ours@example.org", Role.reviewer, (own_slug,))
    theirs = account(session, settings, "theirs@example.org", Role.reviewer, ("other-dept",))
    assert [a.id for a in applications.visible(session, ours, ApplicationStatus.pending)] == [pending.id]
    assert applications.visible(session, theirs) == []
    assert [a.id for a in applications.visible(session, person)] == [pending.id]
    with pytest.raises(applications.NotFound):  # not 403: no existence leak
        applications.reject(session, theirs, pending.id, "no")
    with pytest.raises(applications.ApplicationError):
        applications.reject(session, ours, pending.id, "  ")
    applications.reject(session, ours, pending.id, "用途不明确")
    assert session.get(AccessApplication, pending.id).status == ApplicationStatus.rejected


def test_working_days_skip_weekends_and_holidays(monkeypatch, tmp_path):
    monkeypatch.setenv("ODP_HOLIDAYS", "2025-10-01, 2025-10-02")
    monkeypatch.setenv("ODP_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    settings = get_settings()
    friday = datetime(2025, 9, 26, 10, tzinfo=UTC)
    assert grants.working_days_between(friday, friday + timedelta(days=3), settings) == 1  # Sat, Sun, Mon
    assert grants.working_days_between(friday, friday + timedelta(days=7), settings) == 3  # Mon, Tue, Fri
    assert grants.working_days_between(friday, friday, settings) == 0
    get_settings.cache_clear()
