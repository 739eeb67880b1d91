"""Account security through the pages, the API and the command line (SQLite and PostgreSQL): logout ends every
session (a copied cookie too), TOTP two-factor login (setup, the code step, replay and throttling, the reviewers'
requirement), one-time password-reset links (/admin/users and ``odp users reset-link``), ``odp users reset-totp``,
account export (page and API) and deletion."""

from __future__ import annotations

import json
import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog import db
from catalog.accounts import totp, usage
from catalog.accounts.throttle import LoginThrottle
from catalog.datasets import stats as download_stats
from catalog.models import AccessGrant, Account, ApiKey, AuditEvent, PasswordReset
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal import sessions
from portal.app import create_app
from portal.cli import app as cli_app
from tests.support.accounts import PASSWORD, account, granted, new_key
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package

NAME = "sec-web-conditional"
ROWS = f"/api/v1/datasets/{NAME}/resources/table/rows"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
SETUP = re.compile(r'name="setup" value="([^"]+)"')
LINK = re.compile(r'id="reset-link">([^<]+)<')
BAD_LINK = "这个重设密码链接无效"


@pytest.fixture
def app(tmp_path, monkeypatch, pg_database_url):
    from tests.support.accounts import cheap_hashing

    cheap_hashing(monkeypatch)
    monkeypatch.setenv("ODP_LOGIN_MAX_FAILURES_ACCOUNT", "3")
    monkeypatch.setenv("ODP_LOGIN_MAX_FAILURES_IP", "50")
    throttle = LoginThrottle()  # fresh counters per test, shared by the password and the code step
    monkeypatch.setattr("portal.web.accounts.logins", throttle)
    monkeypatch.setattr("portal.web.account_security.logins", throttle)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    write_package(folder, NAME, csv=csv_text([(1, "A", "浦东新区", 1)]), open_class="conditional")
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        slug = session.exec(text("SELECT d.name FROM department d JOIN dataset s ON s.department_id = d.id "
                                 "WHERE s.name = :n").bindparams(n=NAME)).scalar_one()
        account(session, settings, "user@example.org")
        account(session, settings, "other@example.org")
        account(session, settings, "rev@example.org", Role.reviewer, (slug,))
        account(session, settings, "admin@example.org", Role.admin)
        session.commit()
    application = create_app()
    application.state.settings = settings
    yield application
    download_stats.discard_pending()
    release(settings, pg_database_url)


@pytest.fixture
def clock(monkeypatch):
    """The server's TOTP clock, moved by the test (``clock[0] += 30``: the next step)."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(totp, "clock", lambda: now[0])
    return now


def browser(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def token(client: TestClient, path: str = "/login") -> str:
    found = TOKEN.search(client.get(path).text)
    assert found, path
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD):
    return client.post("/login", data={"csrf_token": token(client), "email": email, "password": password})


def db_session(app) -> Session:
    return Session(db.get_engine(app.state.settings))


def find(app, email: str) -> Account:
    with db_session(app) as session:
        return session.exec(select(Account).where(Account.email == email)).one()


def events(app, name: str) -> list[AuditEvent]:
    with db_session(app) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.event == name)))


def turn_on_totp(client: TestClient, clock) -> str:
    """Set up TOTP on /account/security as the logged-in person; the secret."""
    page = client.get("/account/security")
    assert page.status_code == 200 and "<svg" in page.text
    secret = SECRET.search(page.text).group(1)
    done = client.post("/account/security/totp/enable", data={
        "csrf_token": token(client, "/account/security"), "setup": SETUP.search(page.text).group(1),
        "code": pyotp.TOTP(secret).at(clock[0])})
    assert done.status_code == 303 and done.headers["location"] == "/account/security?done=totp_on"
    return secret


def code_step(client: TestClient, code: str):
    return client.post("/login/totp", data={"csrf_token": token(client, "/login/totp"), "code": code,
                                            "next": "/account"})


# --- Logout ---------------------------------------------------------------------------------------------------


def test_logout_ends_every_session_of_the_account_copied_cookies_included(app):
    person, thief, other = browser(app), browser(app), browser(app)
    assert login(person, "user@example.org").status_code == 303
    login(other, "other@example.org")
    thief.cookies.set(sessions.COOKIE, person.cookies.get(sessions.COOKIE))  # a copied cookie
    assert thief.get("/account").status_code == 200
    out = person.post("/logout", data={"csrf_token": token(person, "/account")})
    assert out.headers["location"] == "/login?done=logged_out"
    assert "退出登录会结束此账号的所有会话" in person.get(out.headers["location"]).text
    assert person.get("/account").status_code == 303
    assert thief.get("/account").status_code == 303  # the copy is dead too
    assert thief.get("/api/v1/keys").status_code == 401
    assert other.get("/account").status_code == 200  # another account's session is untouched
    assert login(person, "user@example.org").status_code == 303 and person.get("/account").status_code == 200
    assert "退出登录会结束此账号的所有会话" in person.get("/account/security").text


# --- TOTP -----------------------------------------------------------------------------------------------------


def test_totp_login_asks_for_a_code_after_the_password(app, clock):
    person = browser(app)
    login(person, "user@example.org")
    secret = turn_on_totp(person, clock)
    assert person.get("/account").status_code == 200  # this browser stays logged in
    with db_session(app) as session:
        stored = session.exec(select(Account.totp_secret).where(Account.email == "user@example.org")).one()
    assert stored and secret not in stored
    assert [e.account_id for e in events(app, "totp_enabled")] == [find(app, "user@example.org").id]

    again = browser(app)
    first = login(again, "user@example.org")
    assert first.status_code == 303 and first.headers["location"] == "/login/totp?next=/account"
    # Half logged in: no account page, no API, no session fingerprint in the cookie.
    assert again.get("/account").status_code == 303 and again.get("/api/v1/keys").status_code == 401
    assert "两步验证" in again.get("/login/totp").text
    clock[0] += 30
    replayed = code_step(again, pyotp.TOTP(secret).at(clock[0] - 30))  # the code that turned it on
    assert replayed.status_code == 401 and "验证码不正确或已经用过" in replayed.text
    good = pyotp.TOTP(secret).at(clock[0])
    done = code_step(again, good)
    assert done.status_code == 303 and done.headers["location"] == "/account"
    assert again.get("/account").status_code == 200

    third = browser(app)
    login(third, "user@example.org")
    assert code_step(third, good).status_code == 401  # a code works once
    assert third.get("/account").status_code == 303
    assert browser(app).get("/login/totp").headers["location"].startswith("/login")  # no password given


def test_wrong_codes_are_throttled_like_wrong_passwords(app, clock):
    person = browser(app)
    login(person, "user@example.org")
    secret = turn_on_totp(person, clock)
    clock[0] += 30
    guesser = browser(app)
    login(guesser, "user@example.org")
    right = pyotp.TOTP(secret).at(clock[0])
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(3):
        assert code_step(guesser, wrong).status_code == 401
    refused = code_step(guesser, right)  # the right code, too late
    assert refused.status_code == 429 and "尝试次数过多" in refused.text
    assert guesser.get("/account").status_code == 303
    assert login(browser(app), "user@example.org").status_code == 429  # the password step is throttled too


def test_turning_totp_off_needs_a_current_code_and_an_admin_can_clear_it(app, clock):
    person = browser(app)
    login(person, "user@example.org")
    secret = turn_on_totp(person, clock)
    off = "/account/security/totp/disable"
    refused = person.post(off, data={"csrf_token": token(person, "/account/security"),
                                     "code": pyotp.TOTP(secret).at(clock[0])})  # already used
    assert refused.status_code == 422 and totp.enabled(find(app, "user@example.org"))
    assert person.post(off, data={"code": pyotp.TOTP(secret).at(clock[0] + 30)}).status_code == 403  # no CSRF
    clock[0] += 30
    done = person.post(off, data={"csrf_token": token(person, "/account/security"),
                                  "code": pyotp.TOTP(secret).at(clock[0])})
    assert done.status_code == 303 and not totp.enabled(find(app, "user@example.org"))

    turn_on_totp(person, clock)
    runner = CliRunner()
    cleared = runner.invoke(cli_app, ["users", "reset-totp", "user@example.org"], catch_exceptions=False)
    assert cleared.exit_code == 0 and "TOTP cleared" in cleared.output
    assert not totp.enabled(find(app, "user@example.org"))
    assert login(browser(app), "user@example.org").headers["location"] == "/account"  # the password alone
    again = runner.invoke(cli_app, ["users", "reset-totp", "user@example.org"])
    assert again.exit_code == 1 and "no TOTP" in again.output
    assert runner.invoke(cli_app, ["users", "reset-totp", "nobody@example.org"]).exit_code == 1
    assert [e.account_id for e in events(app, "totp_reset")] == [find(app, "user@example.org").id]


def test_reviewers_can_be_required_to_set_up_totp_before_reviewing(app, clock, monkeypatch):
    reviewer = browser(app)
    login(reviewer, "rev@example.org")
    assert reviewer.get("/review").status_code == 200  # the default: not required
    monkeypatch.setattr(app.state.settings, "require_totp_for_reviewers", True)
    from catalog.config import get_settings

    monkeypatch.setattr(get_settings(), "require_totp_for_reviewers", True)
    sent = reviewer.get("/review")
    assert sent.status_code == 303 and sent.headers["location"] == "/account/security?required=1"
    assert "要求审核人员和管理员开启两步验证" in reviewer.get(sent.headers["location"]).text
    assert reviewer.post("/review/1/approve", data={"csrf_token": token(reviewer, "/account/security")}
                         ).headers["location"] == "/account/security?required=1"
    user = browser(app)
    login(user, "user@example.org")
    assert user.get("/review").status_code == 403  # users are refused as before
    turn_on_totp(reviewer, clock)
    assert reviewer.get("/review").status_code == 200


# --- Password-reset links -----------------------------------------------------------------------------------


def test_an_admin_issues_a_reset_link_on_the_web_and_it_works_once(app):
    admin, person, stranger = browser(app), browser(app), browser(app)
    login(admin, "admin@example.org")
    login(person, "user@example.org")
    assert person.get("/admin/users").status_code == 403
    assert browser(app).get("/admin/users").headers["location"] == "/login?next=/admin/users"
    page = admin.get("/admin/users")
    assert page.status_code == 200 and "user@example.org" in page.text and "未开启" in page.text
    target = find(app, "user@example.org").id
    assert admin.post(f"/admin/users/{target}/reset-link", data={"hours": "2"}).status_code == 403  # no CSRF
    assert person.post(f"/admin/users/{target}/reset-link",
                       data={"csrf_token": token(person, "/account")}).status_code == 403  # not an admin
    issued = admin.post(f"/admin/users/{target}/reset-link",
                        data={"csrf_token": token(admin, "/admin/users"), "hours": "2"})
    assert issued.status_code == 201
    url = LINK.search(issued.text).group(1)
    settings = app.state.settings
    assert url.startswith(f"{settings.public_base_url}/reset/")
    path = url.removeprefix(settings.public_base_url)
    assert url not in admin.get("/admin/users").text  # shown once
    with db_session(app) as session:
        stored = "\n".join(str(row) for row in session.exec(text("SELECT * FROM passwordreset")))
    assert path.rsplit("/", 1)[1] not in stored

    form = stranger.get(path)
    assert form.status_code == 200 and "设置新密码" in form.text
    csrf = TOKEN.search(form.text).group(1)
    assert stranger.post(path, data={"password": "a brand new password",
                                     "password_again": "a brand new password"}).status_code == 403
    mismatch = stranger.post(path, data={"csrf_token": csrf, "password": "a brand new password",
                                         "password_again": "another new password"})
    assert mismatch.status_code == 422 and "不一致" in mismatch.text
    done = stranger.post(path, data={"csrf_token": csrf, "password": "a brand new password",
                                     "password_again": "a brand new password"})
    assert done.status_code == 200 and "密码已重设" in done.text
    assert person.get("/account").status_code == 303  # the old sessions ended
    assert login(browser(app), "user@example.org").status_code == 401
    assert login(browser(app), "user@example.org", "a brand new password").status_code == 303

    used = stranger.get(path)
    assert used.status_code == 404 and BAD_LINK in used.text
    again = stranger.post(path, data={"csrf_token": token(stranger, "/login"), "password": "third password!",
                                      "password_again": "third password!"})
    assert again.status_code == 404 and login(browser(app), "user@example.org", "third password!").status_code == 401
    unknown = stranger.get("/reset/" + "x" * 43)
    assert unknown.status_code == 404 and unknown.text == used.text  # unknown and used look the same
    [event] = events(app, "password_reset")
    assert event.account_id == target and event.ip


def test_the_command_line_prints_a_link_that_expires(app):
    runner = CliRunner()
    made = runner.invoke(cli_app, ["users", "reset-link", "user@example.org", "--hours", "1"],
                         catch_exceptions=False)
    assert made.exit_code == 0, made.output
    url = made.stdout.strip().splitlines()[-1]
    settings = app.state.settings
    assert url.startswith(f"{settings.public_base_url}/reset/")
    assert runner.invoke(cli_app, ["users", "reset-link", "nobody@example.org"]).exit_code == 1
    assert runner.invoke(cli_app, ["users", "reset-link", "user@example.org", "--hours", "0"]).exit_code == 1
    path = url.removeprefix(settings.public_base_url)
    assert browser(app).get(path).status_code == 200
    with db_session(app) as session:  # an hour and a second later
        for row in session.exec(select(PasswordReset)):
            row.expires = row.created - (row.expires - row.created) / 3600
            session.add(row)
        session.commit()
    expired = browser(app).get(path)
    assert expired.status_code == 404 and BAD_LINK in expired.text


# --- Export and delete -------------------------------------------------------------------------------------


def test_the_export_is_the_same_on_the_page_and_the_api_and_holds_no_secret(app, monkeypatch):
    # The three exports below are compared whole: the usage flusher (every 5 s, a thread of this process) must
    # not write the first request's count between them, as it did on a busy machine.
    monkeypatch.setattr(usage, "flush_all", lambda: None)
    with db_session(app) as session:
        person = session.exec(select(Account).where(Account.email == "user@example.org")).one()
        key = new_key(session, app.state.settings, person, "laptop")
        granted(session, app.state.settings, person, NAME)
        session.commit()
    from_api = browser(app).get("/api/v1/account/export", headers={"Authorization": f"Bearer {key}"}).json()
    page_client = browser(app)  # (after the key's first use: its last_used is in every copy below)
    assert page_client.get("/account/export").headers["location"] == "/login?next=/account/export"
    login(page_client, "user@example.org")
    download = page_client.get("/account/export")
    assert download.status_code == 200 and download.headers["content-type"].startswith("application/json")
    assert "attachment" in download.headers["content-disposition"]
    assert download.headers["cache-control"] == "no-store"
    from_page = download.json()
    from_session = page_client.get("/api/v1/account/export").json()
    for found in (from_api, from_session):
        assert found | {"exported": None} == from_page | {"exported": None}
    assert from_page["profile"]["email"] == "user@example.org"
    assert [k["name"] for k in from_page["keys"]] == ["laptop"] and from_page["grants"][0]["dataset"] == NAME
    assert {"account_created", "key_created", "application_created"} <= {e["event"] for e in from_page["audit_events"]}
    with db_session(app) as session:
        hashes = [row for row in session.exec(select(ApiKey.key_hash))]
        password_hash = session.exec(select(Account.password_hash).where(Account.email == "user@example.org")).one()
    body = download.text
    assert key not in body and password_hash not in body and not any(h in body for h in hashes)
    anonymous = browser(app).get("/api/v1/account/export")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "login_required"


def test_deleting_an_account_needs_the_password_and_leaves_others_alone(app, clock):
    with db_session(app) as session:
        person = session.exec(select(Account).where(Account.email == "user@example.org")).one()
        other = session.exec(select(Account).where(Account.email == "other@example.org")).one()
        key, other_key = new_key(session, app.state.settings, person), new_key(session, app.state.settings, other)
        granted(session, app.state.settings, person, NAME)
        granted(session, app.state.settings, other, NAME)
        person_id = person.id
        session.commit()
    owner, copy, other_browser = browser(app), browser(app), browser(app)
    login(owner, "user@example.org")
    login(other_browser, "other@example.org")
    copy.cookies.set(sessions.COOKIE, owner.cookies.get(sessions.COOKIE))
    assert browser(app).get(ROWS, headers={"X-API-Key": key}).status_code == 200
    form = {"password": PASSWORD, "confirm": "yes"}
    assert owner.post("/account/delete", data=form).status_code == 403  # no CSRF
    wrong = owner.post("/account/delete", data=form | {"csrf_token": token(owner, "/account/security"),
                                                         "password": "not my password"})
    assert wrong.status_code == 403 and "密码不正确" in wrong.text
    unconfirmed = owner.post("/account/delete", data={"csrf_token": token(owner, "/account/security"),
                                                      "password": PASSWORD})
    assert unconfirmed.status_code == 422
    assert find(app, "user@example.org").deleted is None  # nothing happened yet

    done = owner.post("/account/delete", data=form | {"csrf_token": token(owner, "/account/security")})
    assert done.status_code == 200 and "账户已注销" in done.text
    assert owner.get("/account").status_code == 303 and copy.get("/account").status_code == 303
    assert login(browser(app), "user@example.org").status_code == 401
    assert browser(app).get(ROWS, headers={"X-API-Key": key}).status_code == 401
    with db_session(app) as session:
        gone = session.get(Account, person_id)
        assert gone.email == f"deleted-{person_id}@invalid" and gone.name == "已注销用户"
        assert session.exec(select(AccessGrant).where(AccessGrant.account_id == person_id)).one().revoked
    [event] = events(app, "account_deleted")
    assert event.account_id == person_id and "user@example.org" not in (event.detail or "")
    # Others are unaffected: their session, key and grant still work.
    assert other_browser.get("/account").status_code == 200
    assert browser(app).get(ROWS, headers={"X-API-Key": other_key}).status_code == 200
    # The email registers again, as a new account.
    newcomer = browser(app)
    registered = newcomer.post("/register", data={"csrf_token": token(newcomer, "/register"),
                                                  "email": "user@example.org", "name": "新用户",
                                                  "password": "another password"})
    assert registered.status_code == 303
    assert login(newcomer, "user@example.org", "another password").status_code == 303
    assert find(app, "user@example.org").id != person_id
    assert json.loads(newcomer.get("/account/export").text)["grants"] == []  # nothing of the old account


def test_deleting_with_totp_on_needs_a_code(app, clock):
    owner = browser(app)
    login(owner, "user@example.org")
    secret = turn_on_totp(owner, clock)
    page = owner.get("/account/security")
    assert 'name="code"' in page.text.split('action="/account/delete"')[1]
    form = {"password": PASSWORD, "confirm": "yes"}
    refused = owner.post("/account/delete", data=form | {"csrf_token": token(owner, "/account/security"),
                                                           "code": pyotp.TOTP(secret).at(clock[0])})  # used
    assert refused.status_code == 403 and find(app, "user@example.org").deleted is None
    clock[0] += 30
    done = owner.post("/account/delete", data=form | {"csrf_token": token(owner, "/account/security"),
                                                        "code": pyotp.TOTP(secret).at(clock[0])})
    assert done.status_code == 200


def test_the_privacy_page_states_the_retention_settings(app, monkeypatch):
    from catalog.config import get_settings

    page = browser(app).get("/privacy").text
    assert "长期保存" in page and "导出" in page and "注销" in page and "正在建设中" not in page
    monkeypatch.setattr(get_settings(), "audit_retention_days", 400)
    monkeypatch.setattr(get_settings(), "usage_retention_days", 90)
    page = browser(app).get("/privacy").text
    assert "保存 <strong>400 天</strong>" in page and "保存 <strong>90 天</strong>" in page and "长期保存" not in page


def test_failed_logins_in_two_workers_add_up_in_redis(app, monkeypatch):
    import uuid

    import redis

    from catalog.config import get_settings

    prefix = f"odp-test-{uuid.uuid4().hex}"
    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:6379/0")
    monkeypatch.setattr(get_settings(), "redis_prefix", prefix)
    workers = (LoginThrottle(), LoginThrottle())  # each process has its own object; Redis is what they share
    try:
        for attempt in range(3):  # ODP_LOGIN_MAX_FAILURES_ACCOUNT=3, alternating between the workers
            monkeypatch.setattr("portal.web.accounts.logins", workers[attempt % 2])
            assert login(browser(app), "user@example.org", "wrong password!").status_code == 401
        monkeypatch.setattr("portal.web.accounts.logins", workers[1])
        assert login(browser(app), "user@example.org").status_code == 429  # neither worker alone saw 3
        assert login(browser(app), "other@example.org").status_code == 303
    finally:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def test_reset_tokens_never_reach_the_access_log(app, caplog):
    import logging

    access = logging.getLogger("uvicorn.access")
    assert any(type(f).__name__ == "RedactResetTokens" for f in access.filters)  # installed by create_app
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/reset/SECRETTOKEN123", "1.1", 200)
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/account?x=1", "1.1", 200)
    assert "SECRETTOKEN123" not in caplog.text and '"GET /reset/… HTTP/1.1" 200' in caplog.text
    assert '"GET /account?x=1 HTTP/1.1" 200' in caplog.text
