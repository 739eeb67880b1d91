"""Per-department data-use agreements (who sets them, what an application's audit event records, that a harvest
keeps them) and the "grant expired" sweep (once per grant, with an injected clock, with two sweepers at once)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from catalog import db
from catalog.accounts import agreements, applications, audit, grants
from catalog.models import AccessGrant, AuditEvent, Dataset, Department, utcnow
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.accounts import account, cheap_hashing, granted
from tests.support.packages import csv_text, write_package

CONDITIONAL, OTHER = "agr-conditional", "agr-other"
OTHER_DEPARTMENT = {"name": "wsjkw", "title": "上海市卫生健康委员会"}


@pytest.fixture
def catalog(tmp_path, monkeypatch, pg_database_url):
    from tests.support.catalog import fresh_settings, release

    cheap_hashing(monkeypatch)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    write_package(folder, CONDITIONAL, csv=csv_text([(1, "A", "浦东新区", 1)]), open_class="conditional")
    write_package(folder, OTHER, csv=csv_text([(1, "B", "浦东新区", 1)]), open_class="conditional",
                  publisher=OTHER_DEPARTMENT)
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        yield settings, session, folder
    release(settings, pg_database_url)


def dataset(session: Session, name: str) -> Dataset:
    return session.exec(select(Dataset).where(Dataset.name == name)).one()


def created_events(session: Session) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.event == "application_created")
                             .order_by(AuditEvent.id)))


# --- agreements ---------------------------------------------------------------------------------------------


def test_a_department_text_replaces_the_default_for_its_datasets_only(catalog):
    settings, session, _ = catalog
    default = agreements.portal_default(settings)
    ours, theirs = dataset(session, CONDITIONAL), dataset(session, OTHER)
    assert agreements.for_dataset(session, ours, settings) == default
    agreements.set_agreement(session, "jtw", "交通委协议\r\n第一条 仅限研究。\n")
    assert agreements.for_dataset(session, ours, settings) == "交通委协议\n第一条 仅限研究。"
    assert agreements.for_dataset(session, theirs, settings) == default
    shown = agreements.shown_for(session, ours, settings)
    assert shown.department_title == "上海市交通委员会" and shown.sha256 == agreements.digest(shown.text)
    assert agreements.shown_for(session, theirs, settings).department_title is None
    agreements.set_agreement(session, "jtw", None)
    assert agreements.for_dataset(session, ours, settings) == default


def test_refusals(catalog):
    _, session, _ = catalog
    for slug, text in (("nope", "x"), ("jtw", "  \n "), ("jtw", "字" * (agreements.MAX_CHARS + 1))):
        with pytest.raises(agreements.AgreementError):
            agreements.set_agreement(session, slug, text)
    assert session.exec(select(Department).where(Department.name == "jtw")).one().agreement is None


def test_the_audit_event_records_the_hash_of_the_text_accepted(catalog):
    settings, session, _ = catalog
    applicant = account(session, settings, "a@example.org")
    first = agreements.digest(agreements.portal_default(settings))
    applications.apply(session, applicant, CONDITIONAL, settings, purpose="p", scenario="s", organization="",
                       days=5, accept_agreement=True, agreement_sha256=first)
    agreements.set_agreement(session, "jtw", "新协议")
    # the form still shows the old text: refused, nothing recorded under the new text's hash
    with pytest.raises(applications.AgreementChanged) as refused:
        applications.apply(session, account(session, settings, "b@example.org"), CONDITIONAL, settings,
                           purpose="p", scenario="s", organization="", days=5, accept_agreement=True,
                           agreement_sha256=first)
    assert refused.value.status == 409
    applications.apply(session, applicant, OTHER, settings, purpose="p", scenario="s", organization="", days=5,
                       accept_agreement=True)  # the API sends no hash: the current text is recorded
    session.commit()
    details = [e.detail for e in created_events(session)]
    assert len(details) == 2
    assert details[0].endswith(f"agreement sha256 {first}")
    assert details[1].endswith(f"agreement sha256 {first}")  # the other department still has the default
    changed = applications.apply(session, account(session, settings, "c@example.org"), CONDITIONAL, settings,
                                 purpose="p", scenario="s", organization="", days=5, accept_agreement=True,
                                 agreement_sha256=agreements.digest("新协议"))
    session.commit()
    assert created_events(session)[-1].detail == (
        f"application {changed.id}; agreement sha256 {agreements.digest('新协议')}") != details[0]


def test_a_reharvest_keeps_the_agreement(catalog):
    settings, session, folder = catalog
    agreements.set_agreement(session, "jtw", "交通委协议")
    session.commit()
    write_package(folder, CONDITIONAL, csv=csv_text([(1, "A", "浦东新区", 2)]), open_class="conditional",
                  publisher={"name": "jtw", "title": "上海市交通委员会（新名称）"})
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.updated >= 1
    session.expire_all()
    department = session.exec(select(Department).where(Department.name == "jtw")).one()
    assert department.title == "上海市交通委员会（新名称）" and department.agreement == "交通委协议"


# --- the "grant expired" sweep ------------------------------------------------------------------------------


def expired_events(session: Session) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.event == audit.Event.grant_expired)))


def test_each_expired_grant_is_logged_once_at_the_sweep_after_its_expiry(catalog):
    settings, session, _ = catalog
    alice, bob = account(session, settings, "alice@example.org"), account(session, settings, "bob@example.org")
    short = granted(session, settings, alice, CONDITIONAL, days=3)
    long = granted(session, settings, bob, CONDITIONAL, days=10)
    session.commit()
    now = utcnow()
    assert grants.log_expired_grants(session, now + timedelta(days=2)) == 0
    assert grants.log_expired_grants(session, now + timedelta(days=4)) == 1
    session.commit()
    assert grants.log_expired_grants(session, now + timedelta(days=5)) == 0  # already logged
    (event,) = expired_events(session)
    assert (event.account_id, event.dataset_id) == (alice.id, dataset(session, CONDITIONAL).id)
    assert f"(application {short})" in event.detail
    assert grants.aware(event.time) == now + timedelta(days=4)  # the sweep's (injected) time
    assert grants.log_expired_grants(session, now + timedelta(days=11)) == 1
    session.commit()
    assert [f"(application {long})" in e.detail for e in expired_events(session)] == [False, True]
    marks = session.exec(select(AccessGrant.expiry_logged).order_by(AccessGrant.id)).all()
    assert [grants.aware(m) for m in marks] == [now + timedelta(days=4), now + timedelta(days=11)]


def test_a_grant_revoked_before_expiry_did_not_expire_but_one_revoked_after_did(catalog):
    settings, session, _ = catalog
    early = granted(session, settings, account(session, settings, "e@example.org"), CONDITIONAL, days=3)
    late = granted(session, settings, account(session, settings, "l@example.org"), CONDITIONAL, days=3)
    now = utcnow()
    for application_id, revoked in ((early, now + timedelta(days=1)), (late, now + timedelta(days=5))):
        grant = applications.grant_of(session, application_id)
        grant.revoked = revoked
        session.add(grant)
    session.commit()
    assert grants.log_expired_grants(session, now + timedelta(days=6)) == 1
    session.commit()
    (event,) = expired_events(session)
    assert f"(application {late})" in event.detail


def test_a_sweeper_that_read_the_grant_before_another_marked_it_writes_nothing(catalog):
    settings, session, _ = catalog
    application_id = granted(session, settings, account(session, settings, "x@example.org"), CONDITIONAL, days=1)
    session.commit()
    grant_id = applications.grant_of(session, application_id).id
    later = utcnow() + timedelta(days=2)
    with Session(db.get_engine(settings)) as other:
        assert grants.claim_expiry(other, grant_id, later)  # the first sweeper wins and commits
        other.commit()
    assert not grants.claim_expiry(session, grant_id, later)  # the second one's UPDATE finds it marked


def test_two_concurrent_sweepers_log_each_grant_once(catalog):
    settings, session, _ = catalog
    ids = [granted(session, settings, account(session, settings, f"p{i}@example.org"), CONDITIONAL, days=1)
           for i in range(6)]
    session.commit()
    later, start, counts, errors = utcnow() + timedelta(days=2), threading.Barrier(2), [], []

    def sweep() -> None:
        try:
            with Session(db.get_engine(settings)) as own:
                start.wait(timeout=10)
                counts.append(grants.log_expired_grants(own, later))
                own.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and sum(counts) == len(ids)
    events = expired_events(session)
    assert len(events) == len(ids) and len({e.detail for e in events}) == len(ids)


def test_the_background_sweeper_runs_only_when_asked_under_pytest(catalog, monkeypatch):
    from catalog.accounts import sweeper
    from catalog.config import Settings

    settings, session, _ = catalog
    assert not sweeper.wanted(settings)  # the default 60 s, but a test did not ask
    assert sweeper.start(settings) is None
    monkeypatch.setenv("ODP_GRANT_SWEEP_SECONDS", "0")
    assert not sweeper.wanted(Settings())
    monkeypatch.setenv("ODP_GRANT_SWEEP_SECONDS", "0.05")
    asked = Settings()
    assert sweeper.wanted(asked)
    application_id = granted(session, settings, account(session, settings, "z@example.org"), CONDITIONAL, days=1)
    grant = applications.grant_of(session, application_id)
    grant.expires = utcnow() - timedelta(seconds=1)
    session.add(grant)
    session.commit()
    thread = sweeper.start(asked)
    try:
        assert thread is not None and sweeper.start(asked) is thread  # one per process and catalog
        for _ in range(200):  # polled, not timed: the thread sweeps every 0.05 s
            session.expire_all()
            if expired_events(session):
                break
            threading.Event().wait(0.05)
        (event,) = expired_events(session)
        assert f"(application {application_id})" in event.detail
    finally:
        sweeper.stop(asked)
    assert not thread.is_alive()
