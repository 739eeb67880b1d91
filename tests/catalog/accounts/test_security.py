"""Account security on the catalog alone (SQLite and PostgreSQL): TOTP (encrypted secret, one use per code,
±1 step), one-time password-reset links, account export and deletion, the session epoch, and the login throttle
in the process and in a real Redis shared by two "workers"."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from catalog import db
from catalog.accounts import applications, audit, erasure, grants, keys, principals, resets, totp, users
from catalog.accounts.export import account_export
from catalog.accounts.throttle import LoginThrottle
from catalog.config import Settings
from catalog.models import AccessApplication, Account, AuditEvent, PasswordReset, UsageDay, utcnow
from catalog.vocabulary import ApplicationStatus, Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.accounts import PASSWORD, account, cheap_hashing, granted, new_key
from tests.support.packages import csv_text, write_package

CONDITIONAL, OTHER = "sec-conditional", "sec-other"
T = 1_800_000_000.0  # a fixed moment, on a step boundary (T // 30 is whole)
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def catalog(tmp_path, monkeypatch, pg_database_url):
    from tests.support.catalog import fresh_settings, release

    cheap_hashing(monkeypatch)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    for name in (CONDITIONAL, OTHER):
        write_package(folder, name, csv=csv_text([(1, "A", "浦东新区", 1)]), open_class="conditional")
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        yield settings, session
    release(settings, pg_database_url)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The server's TOTP clock stands at T (setup forms are sealed with it); checks pass their own ``now``."""
    monkeypatch.setattr(totp, "clock", lambda: T)


def code_at(secret: str, moment: float) -> str:
    return pyotp.TOTP(secret).at(moment)


def with_totp(session: Session, settings: Settings, person: Account, at: float = T) -> str:
    """Turn TOTP on for ``person`` with a code of the step of ``at``; the secret."""
    setup = totp.begin_setup(person, settings)
    totp.enable(session, person, setup.sealed, code_at(setup.secret, at), settings, now=at)
    session.commit()
    return setup.secret


def events(session: Session, name: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.event == name)))


# --- TOTP -----------------------------------------------------------------------------------------------------


def test_the_totp_secret_is_stored_encrypted_and_only_for_its_account(catalog):
    settings, session = catalog
    alice, bob = account(session, settings, "alice@example.org"), account(session, settings, "bob@example.org")
    secret = with_totp(session, settings, alice)
    assert totp.enabled(alice) and alice.totp_secret and secret not in alice.totp_secret
    dump = "\n".join(str(row) for row in session.exec(text("SELECT * FROM account")))
    assert secret not in dump and secret.lower() not in dump.lower()
    # Alice's ciphertext copied onto Bob's row opens for nobody: it is bound to Alice's id.
    bob.totp_secret = alice.totp_secret
    session.add(bob)
    session.commit()
    assert not totp.check(session, bob, code_at(secret, T + 30), settings, now=T + 30)
    # …and under another server secret nothing opens either.
    other = settings.model_copy(update={"secret_key": "another server secret"})
    assert not totp.check(session, alice, code_at(secret, T + 30), other, now=T + 30)
    assert totp.check(session, alice, code_at(secret, T + 30), settings, now=T + 30)
    assert [e.account_id for e in events(session, "totp_enabled")] == [alice.id]


def test_a_code_is_accepted_once_and_within_one_step_either_side(catalog):
    settings, session = catalog
    alice = account(session, settings, "alice@example.org")
    secret = with_totp(session, settings, alice, at=T)  # the step of T is used by the setup
    assert not totp.check(session, alice, code_at(secret, T), settings, now=T)  # replayed
    assert not totp.check(session, alice, "000000" if code_at(secret, T + 30) != "000000" else "111111",
                          settings, now=T + 30)  # wrong
    assert not totp.check(session, alice, code_at(secret, T + 90), settings, now=T + 30)  # two steps ahead
    assert not totp.check(session, alice, "12345", settings, now=T + 30)  # not six digits
    assert totp.check(session, alice, code_at(secret, T + 60), settings, now=T + 30)  # one step ahead: drift
    assert alice.totp_last_step == int((T + 60) // 30)
    assert not totp.check(session, alice, code_at(secret, T + 60), settings, now=T + 60)  # replayed
    assert not totp.check(session, alice, code_at(secret, T + 30), settings, now=T + 60)  # older than the last
    assert totp.check(session, alice, code_at(secret, T + 60), settings, now=T + 120) is False  # 2 behind
    assert totp.check(session, alice, code_at(secret, T + 90), settings, now=T + 120)  # one step behind: drift
    session.commit()


def test_a_code_raced_by_two_sessions_is_accepted_once(catalog):
    settings, session = catalog
    alice = account(session, settings, "alice@example.org")
    secret = with_totp(session, settings, alice)
    with Session(db.get_engine(settings)) as second:
        same = second.get(Account, alice.id)
        code = code_at(secret, T + 30)
        assert totp.check(second, same, code, settings, now=T + 30)  # the other worker got there first…
        second.commit()
    assert not totp.check(session, alice, code, settings, now=T + 30)  # …so the stale copy is refused


def test_setting_up_needs_a_code_of_the_new_secret_and_a_fresh_form(catalog):
    settings, session = catalog
    alice, bob = account(session, settings, "alice@example.org"), account(session, settings, "bob@example.org")
    setup = totp.begin_setup(alice, settings)
    assert setup.secret in setup.uri and "<svg" in setup.qr_svg and setup.secret not in setup.sealed
    with pytest.raises(totp.TotpError):
        totp.enable(session, alice, setup.sealed, "000000" if code_at(setup.secret, T) != "000000" else "1" * 6,
                    settings, now=T)
    with pytest.raises(totp.TotpError):  # Alice's setup form posted by Bob
        totp.enable(session, bob, setup.sealed, code_at(setup.secret, T), settings, now=T)
    with pytest.raises(totp.TotpError):  # too old (the form is sealed with the time it was made)
        totp.enable(session, alice, setup.sealed, code_at(setup.secret, T), settings,
                    now=totp.clock() + totp.SETUP_SECONDS + 60)
    assert not totp.enabled(alice) and not totp.enabled(bob)
    resumed = totp.resume_setup(alice, setup.sealed, settings)
    assert resumed is not None and resumed.secret == setup.secret
    epoch = alice.session_epoch
    totp.enable(session, alice, setup.sealed, code_at(setup.secret, totp.clock()), settings)
    assert totp.enabled(alice) and alice.session_epoch == epoch + 1  # other sessions end


def test_turning_totp_off_needs_a_current_code_and_an_admin_can_clear_it(catalog):
    settings, session = catalog
    alice = account(session, settings, "alice@example.org")
    secret = with_totp(session, settings, alice)
    with pytest.raises(totp.TotpError):
        totp.disable(session, alice, code_at(secret, T), settings, now=T)  # the used code
    assert totp.enabled(alice)
    totp.disable(session, alice, code_at(secret, T + 30), settings, now=T + 30)
    assert not totp.enabled(alice) and alice.totp_last_step is None
    with_totp(session, settings, alice, at=T + 300)
    totp.reset(session, alice)
    session.commit()
    assert not totp.enabled(alice)
    assert [e.account_id for e in events(session, "totp_disabled")] == [alice.id]
    assert [e.account_id for e in events(session, "totp_reset")] == [alice.id]


def test_setup_is_required_of_reviewers_and_admins_only_when_the_setting_says_so(catalog):
    settings, session = catalog
    reviewer = account(session, settings, "rev@example.org", Role.admin)
    user = account(session, settings, "user@example.org")
    strict = settings.model_copy(update={"require_totp_for_reviewers": True})
    assert not totp.setup_required(reviewer, settings)
    assert totp.setup_required(reviewer, strict) and not totp.setup_required(user, strict)
    with_totp(session, settings, reviewer)
    assert not totp.setup_required(reviewer, strict)


# --- Password-reset links -----------------------------------------------------------------------------------


def test_a_reset_link_works_once_and_only_its_keyed_hash_is_stored(catalog):
    settings, session = catalog
    alice = account(session, settings, "alice@example.org")
    made = resets.issue(session, alice, settings, hours=2)
    session.commit()
    assert made.url == f"{settings.public_base_url}/reset/{made.token}" and len(made.token) >= 43
    dump = "\n".join(str(row) for row in session.exec(text("SELECT * FROM passwordreset")))
    dump += "\n".join(str(row) for row in session.exec(text("SELECT * FROM auditevent")))
    assert made.token not in dump and made.row.token_hash != keys.key_hash(made.token, settings)
    epoch = alice.session_epoch
    with pytest.raises(users.AccountError):  # a refused password leaves the link open
        resets.redeem(session, made.token, "short", settings)
    assert resets.find(session, made.token, settings) is not None
    resets.redeem(session, made.token, "a brand new password", settings, ip="192.0.2.7")
    session.commit()
    assert users.authenticate(session, "alice@example.org", "a brand new password", settings).id == alice.id
    assert users.authenticate(session, "alice@example.org", PASSWORD, settings) is None
    assert alice.session_epoch > epoch
    with pytest.raises(resets.ResetError):
        resets.redeem(session, made.token, "yet another password", settings)
    assert users.authenticate(session, "alice@example.org", "a brand new password", settings) is not None
    [event] = events(session, "password_reset")
    assert event.account_id == alice.id and event.ip == "192.0.2.7"
    assert [e.account_id for e in events(session, "reset_link_issued")] == [alice.id]


def test_expired_unknown_and_superseded_links_do_not_work(catalog):
    settings, session = catalog
    alice = account(session, settings, "alice@example.org")
    expired = resets.issue(session, alice, settings, hours=1)
    expired.row.expires = utcnow() - timedelta(seconds=1)
    session.add(expired.row)
    first, second = resets.issue(session, alice, settings), resets.issue(session, alice, settings)
    session.commit()
    for token in (expired.token, "not-a-token", "", first.token[:-1]):
        assert resets.find(session, token, settings) is None
        with pytest.raises(resets.ResetError):
            resets.redeem(session, token, "a brand new password", settings)
    resets.redeem(session, second.token, "a brand new password", settings)
    session.commit()
    assert resets.find(session, first.token, settings) is None  # a new password closes the other links
    for hours in (0, resets.MAX_HOURS + 1):
        with pytest.raises(users.AccountError):
            resets.issue(session, alice, settings, hours=hours)


# --- Export and deletion ------------------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_account_and_no_secret(catalog):
    settings, session = catalog
    alice, bob = account(session, settings, "alice@example.org"), account(session, settings, "bob@example.org")
    key = keys.create_key(session, alice, "laptop", settings)
    granted(session, settings, alice, CONDITIONAL)
    link = resets.issue(session, alice, settings)
    dataset_id = session.exec(text("SELECT id FROM dataset WHERE name = :n").bindparams(n=CONDITIONAL)).scalar_one()
    today = utcnow().date()
    session.add(UsageDay(day=today, account_id=alice.id, key_id=key.row.id, dataset_id=dataset_id, requests=7,
                         bytes=1234))
    session.add(UsageDay(day=today, account_id=bob.id, key_id=0, dataset_id=dataset_id, requests=99, bytes=1))
    secret = with_totp(session, settings, alice)
    audit.record(session, audit.Event.data_read, account_id=alice.id, key_prefix=key.row.prefix,
                 dataset_id=dataset_id, route="/rows", bytes=10, ip="198.51.100.1")
    session.commit()
    found = account_export(session, alice)
    assert found["profile"] | {"created": None} == {
        "id": alice.id, "email": "alice@example.org", "name": "alice", "role": "user", "created": None,
        "departments": [], "totp_enabled": True, "deleted": None}
    assert [(k["name"], k["prefix"]) for k in found["keys"]] == [("laptop", key.row.prefix)]
    assert [a["dataset"] for a in found["applications"]] == [CONDITIONAL]
    assert [g["dataset"] for g in found["grants"]] == [CONDITIONAL]
    assert [(u["requests"], u["bytes"], u["dataset"], u["key_id"]) for u in found["usage"]] == [
        (7, 1234, CONDITIONAL, key.row.id)]  # Bob's row is not Alice's
    assert len(found["password_resets"]) == 1
    assert {"account_created", "key_created", "application_created", "totp_enabled", "data_read",
            "reset_link_issued"} <= {e["event"] for e in found["audit_events"]}
    assert "198.51.100.1" in [e["ip"] for e in found["audit_events"]]
    dumped = json.dumps(found, ensure_ascii=False)
    for secret_text in (key.key, key.row.key_hash, alice.password_hash, alice.totp_secret, secret, link.token,
                        link.row.token_hash):
        assert secret_text not in dumped


def test_deleting_an_account_blanks_it_revokes_its_access_and_spares_others(catalog):
    from catalog.community import follows

    settings, session = catalog
    alice, bob = account(session, settings, "alice@example.org"), account(session, settings, "bob@example.org")
    alice_key, bob_key = new_key(session, settings, alice), new_key(session, settings, bob)
    granted(session, settings, alice, CONDITIONAL)
    granted(session, settings, bob, CONDITIONAL)
    pending = applications.apply(session, alice, OTHER, settings, purpose="研究", scenario="分析",
                                 organization="", days=10, accept_agreement=True)
    link = resets.issue(session, alice, settings)
    for who in (alice, bob):
        follows.follow(session, who, OTHER)
    session.commit()
    with pytest.raises(erasure.ErasureRefused):
        erasure.delete_account(session, alice, settings, password="wrong password")
    session.rollback()
    assert principals.for_key(session, alice_key, settings) is not None  # nothing changed
    alice_id, epoch = alice.id, alice.session_epoch
    erasure.delete_account(session, alice, settings, password=PASSWORD)
    session.commit()
    gone = session.get(Account, alice_id)
    assert gone.deleted is not None and gone.email == f"deleted-{alice_id}@invalid"
    assert gone.name == "已注销用户" and gone.password_hash == erasure.UNUSABLE_HASH and gone.totp_secret is None
    assert gone.session_epoch == epoch + 1
    assert users.authenticate(session, "alice@example.org", PASSWORD, settings) is None
    assert users.authenticate(session, gone.email, PASSWORD, settings) is None
    assert not users.password_matches(gone, PASSWORD, settings)
    assert principals.for_key(session, alice_key, settings) is None
    assert grants.live_dataset_ids(session, alice_id) == frozenset()
    assert session.get(AccessApplication, pending.id).status == ApplicationStatus.revoked
    assert resets.find(session, link.token, settings) is None
    assert not follows.following(session, alice_id, OTHER) and follows.following(session, bob.id, OTHER)
    bob_principal = principals.for_key(session, bob_key, settings)  # Bob is untouched
    assert bob_principal is not None and bob_principal.granted and bob.deleted is None
    [event] = events(session, "account_deleted")
    assert event.account_id == alice_id and "alice" not in (event.detail or "")
    again = account(session, settings, "alice@example.org")  # the email registers again, a new account
    assert again.id != alice_id


def test_deleting_with_totp_on_needs_a_code_too(catalog):
    settings, session = catalog
    alice = account(session, settings, "alice@example.org")
    secret = with_totp(session, settings, alice)
    with pytest.raises(erasure.ErasureRefused):
        erasure.delete_account(session, alice, settings, password=PASSWORD, code="")
    session.rollback()
    erasure.delete_account(session, alice, settings, password=PASSWORD, code=code_at(secret, T + 30))
    assert alice.deleted is not None


def test_ending_sessions_changes_the_fingerprint(catalog):
    from portal.sessions import password_fingerprint

    settings, session = catalog
    alice = account(session, settings, "alice@example.org")
    before = password_fingerprint(alice, settings)
    users.end_sessions(session, alice)
    assert password_fingerprint(alice, settings) != before
    assert session.exec(select(PasswordReset)).first() is None


# --- The login throttle --------------------------------------------------------------------------------------


def throttle_settings(**values) -> Settings:
    return Settings(login_max_failures_account=3, login_max_failures_ip=5, login_window_seconds=60, **values)


def fail(throttle: LoginThrottle, email: str, ip: str, settings: Settings, times: int) -> None:
    for _ in range(times):
        throttle.failed(email, ip, settings)


def test_the_throttle_counts_per_account_and_per_ip_in_the_process():
    now = [100.0]
    throttle, settings = LoginThrottle(clock=lambda: now[0]), throttle_settings()
    fail(throttle, "A@example.org", "10.0.0.1", settings, 2)
    assert not throttle.blocked("a@example.org", "10.0.0.9", settings)
    throttle.failed("a@example.org", "10.0.0.2", settings)
    assert throttle.blocked("a@example.org", "10.0.0.9", settings)  # the account, from any IP
    assert not throttle.blocked("b@example.org", "10.0.0.9", settings)
    fail(throttle, "c@example.org", "10.0.0.1", settings, 1)
    fail(throttle, "d@example.org", "10.0.0.1", settings, 2)
    assert throttle.blocked("new@example.org", "10.0.0.1", settings)  # the IP, for any email
    now[0] += 61
    assert not throttle.blocked("a@example.org", "10.0.0.1", settings)  # the window passed


@pytest.fixture
def redis_prefix():
    import redis

    prefix = f"odp-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_two_workers_share_the_throttle_through_redis(redis_prefix):
    import redis

    settings = throttle_settings(redis_url=REDIS_URL, redis_prefix=redis_prefix)
    first, second = LoginThrottle(), LoginThrottle()  # two processes' throttles
    fail(first, "a@example.org", "10.0.0.1", settings, 2)
    assert not second.blocked("a@example.org", "10.0.0.2", settings)
    second.failed("a@example.org", "10.0.0.2", settings)
    assert first.blocked("a@example.org", "10.0.0.3", settings) and second.blocked("a@example.org", "x", settings)
    fail(second, "b@example.org", "10.0.0.1", settings, 2)
    assert not first.blocked("c@example.org", "10.0.0.1", settings)  # 10.0.0.1: 4 failures of 5
    first.failed("c@example.org", "10.0.0.1", settings)
    assert second.blocked("d@example.org", "10.0.0.1", settings)  # the IP, for any email, in either worker
    first.succeeded("a@example.org", settings)
    assert not second.blocked("a@example.org", "10.0.0.9", settings)  # success clears the account everywhere
    stored = [key.decode() for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}:*")]
    assert stored and all("example.org" not in key and "10.0.0" not in key for key in stored)
    assert all(redis.Redis.from_url(REDIS_URL).ttl(key) > 0 for key in stored)
    # Without ODP_REDIS_URL each throttle counts alone.
    local = throttle_settings()
    fail(first, "z@example.org", "10.0.0.7", local, 3)
    assert first.blocked("z@example.org", "10.0.0.7", local) and not second.blocked("z@example.org", "1", local)


def test_an_unreachable_redis_falls_back_to_the_process_counters():
    settings = throttle_settings(redis_url="redis://127.0.0.1:1/0", redis_prefix="odp-test-down")
    throttle = LoginThrottle()
    fail(throttle, "a@example.org", "10.0.0.1", settings, 3)
    assert throttle.blocked("a@example.org", "10.0.0.2", settings)


# --- Retention: odp audit prune -------------------------------------------------------------------------------


def test_prune_deletes_only_what_is_past_its_retention(catalog, monkeypatch):
    from typer.testing import CliRunner

    from catalog.config import get_settings
    from portal.cli import app as cli_app

    settings, session = catalog
    alice = account(session, settings, "alice@example.org")
    now = utcnow()
    for age in (40, 31, 29, 0):  # days
        session.add(AuditEvent(event="data_read", account_id=alice.id, ip="198.51.100.9",
                               time=now - timedelta(days=age, minutes=1)))
        session.add(UsageDay(day=(now - timedelta(days=age)).date(), account_id=alice.id, key_id=0, dataset_id=0,
                             requests=1, bytes=1))
    session.commit()

    def counts() -> tuple[int, int]:
        session.expire_all()
        return (len(session.exec(select(AuditEvent).where(AuditEvent.ip == "198.51.100.9")).all()),
                len(session.exec(select(UsageDay)).all()))

    runner = CliRunner()
    unset = runner.invoke(cli_app, ["audit", "prune"], catch_exceptions=False)
    assert unset.exit_code == 0 and "nothing to prune" in unset.output and counts() == (4, 4)
    monkeypatch.setattr(get_settings(), "audit_retention_days", 30)
    monkeypatch.setattr(get_settings(), "usage_retention_days", 10)
    pruned = runner.invoke(cli_app, ["audit", "prune"], catch_exceptions=False)
    assert pruned.exit_code == 0 and "deleted 2 audit events and 3 usage rows" in pruned.output, pruned.output
    assert counts() == (2, 1)
    assert runner.invoke(cli_app, ["audit"], catch_exceptions=False).output.count("198.51.100.9") == 2


def test_the_export_holds_what_the_account_posted(catalog):
    """Ratings, comments, data requests and votes, error reports, reuses, follows and notifications are the
    account's data too."""
    from catalog.models import (
        Comment,
        DataRequest,
        DataRequestVote,
        DatasetFollow,
        DatasetRating,
        ErrorReport,
        Notification,
        Reuse,
        ReuseDataset,
    )

    settings, session = catalog
    alice, bob = account(session, settings, "alice@example.org"), account(session, settings, "bob@example.org")
    dataset_id, domain = session.exec(text("SELECT id, domain_code FROM dataset WHERE name = :n")
                                      .bindparams(n=CONDITIONAL)).one()
    request = DataRequest(account_id=alice.id, title="公交到站数据", domain_code=domain, description="希望开放")
    session.add_all([DatasetRating(dataset_id=dataset_id, account_id=alice.id, stars=4),
                     DatasetRating(dataset_id=dataset_id, account_id=bob.id, stars=1),
                     Comment(dataset_id=dataset_id, account_id=alice.id, body="字段说明很清楚"),
                     Comment(dataset_id=dataset_id, account_id=bob.id, body="鲍勃的评论"), request])
    session.flush()
    session.add_all([DataRequestVote(request_id=request.id, account_id=alice.id),
                     ErrorReport(dataset_id=dataset_id, account_id=alice.id, kind="outdated", body="数据过期"),
                     Notification(account_id=alice.id, kind="request_answered", message="您的需求已答复"),
                     DatasetFollow(dataset_id=dataset_id, account_id=alice.id)])
    reuse = Reuse(account_id=alice.id, title="排污地图", url="https://example.org/map", description="可视化")
    session.add(reuse)
    session.flush()
    session.add(ReuseDataset(reuse_id=reuse.id, dataset_id=dataset_id))
    session.commit()
    found = account_export(session, alice)
    assert [(r["dataset"], r["stars"]) for r in found["ratings"]] == [(CONDITIONAL, 4)]
    assert [c["body"] for c in found["comments"]] == ["字段说明很清楚"]  # not Bob's
    assert [r["title"] for r in found["data_requests"]] == ["公交到站数据"]
    assert [v["request_id"] for v in found["votes"]] == [request.id]
    assert [(i["kind"], i["dataset"]) for i in found["error_reports"]] == [("outdated", CONDITIONAL)]
    assert [n["message"] for n in found["notifications"]] == ["您的需求已答复"]
    assert [(r["title"], r["datasets"], r["approved"]) for r in found["reuses"]] == [("排污地图", [CONDITIONAL], None)]
    assert [f["dataset"] for f in found["follows"]] == [CONDITIONAL]
