"""The account pages end to end with TestClient (one client, one cookie jar, per person): register, log in and
out, CSRF refusals, login throttling, and the whole 有条件开放 flow — register → apply → a reviewer of another
department sees nothing → the department's reviewer approves → the browser session downloads → a key made on
/account reads rows → the grant is revoked → 403 again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from catalog import db
from catalog.accounts.throttle import LoginThrottle
from catalog.datasets import stats as download_stats
from catalog.models import AccessApplication, Account, utcnow
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal import sessions
from portal.app import create_app
from tests.support.accounts import PASSWORD, account, cheap_hashing
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package

NAME = "web-conditional"
OPEN = "web-open"
SECRET = "SECRETROW9"
DOWNLOAD = f"/api/v1/datasets/{NAME}/resources/table/download?format=csv"
ROWS = f"/api/v1/datasets/{NAME}/resources/table/rows"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path, monkeypatch, pg_database_url):
    cheap_hashing(monkeypatch)
    monkeypatch.setenv("ODP_LOGIN_MAX_FAILURES_ACCOUNT", "3")
    monkeypatch.setenv("ODP_LOGIN_MAX_FAILURES_IP", "6")
    monkeypatch.setenv("ODP_PUBLIC_SAMPLE_ROWS", "1")
    monkeypatch.setattr("portal.web.accounts.logins", LoginThrottle())  # fresh counters per test
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    rows = [(1, "PUBLIC1", "浦东新区", 1), (2, SECRET, "浦东新区", 2)]
    write_package(folder, NAME, csv=csv_text(rows), open_class="conditional")
    write_package(folder, OPEN, csv=csv_text(rows), open_class="open")
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        slug = session.exec(text("SELECT d.name FROM department d JOIN dataset s ON s.department_id = d.id "
                                 "WHERE s.name = :n").bindparams(n=NAME)).scalar_one()
        session.exec(text("INSERT INTO department (name, title) VALUES ('other-dept', '其他部门')"))
        account(session, settings, "ours@example.org", Role.reviewer, (slug,))
        account(session, settings, "theirs@example.org", Role.reviewer, ("other-dept",))
        account(session, settings, "admin@example.org", Role.admin)
        session.commit()
    application = create_app()
    application.state.settings = settings
    yield application
    download_stats.discard_pending()  # counts of this catalog must not reach the next one
    release(settings, pg_database_url)


def browser(app) -> TestClient:
    """A person with a browser: a cookie jar of its own."""
    return TestClient(app, follow_redirects=False)


def token(client: TestClient, path: str = "/login") -> str:
    found = TOKEN.search(client.get(path).text)
    assert found, path
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD):
    return client.post("/login", data={"csrf_token": token(client), "email": email, "password": password})


def register(client: TestClient, email: str, name: str = "张三", password: str = PASSWORD):
    return client.post("/register", data={"csrf_token": token(client, "/register"), "email": email,
                                          "name": name, "password": password})


def count_accounts(app, email: str) -> int:
    with Session(db.get_engine(app.state.settings)) as session:
        return len(session.exec(select(Account).where(Account.email == email)).all())


def test_register_login_logout(app):
    person = browser(app)
    first = register(person, "New@Example.org")
    assert first.status_code == 303 and first.headers["location"] == "/login?done=registered"
    again = register(browser(app), "new@example.org", password="another password")
    assert (again.status_code, again.headers["location"]) == (first.status_code, first.headers["location"])
    assert count_accounts(app, "new@example.org") == 1
    assert "注册请求已受理" in person.get("/login?done=registered").text
    short = register(browser(app), "short@example.org", password="short")
    assert short.status_code == 422 and "8 characters" in short.text

    wrong = login(person, "new@example.org", "wrong password!")
    unknown = login(browser(app), "nobody@example.org", "wrong password!")
    assert wrong.status_code == unknown.status_code == 401
    assert "邮箱或密码不正确" in wrong.text and "邮箱或密码不正确" in unknown.text
    assert person.get("/account").headers["location"] == "/login?next=/account"

    done = login(person, "new@example.org")
    assert done.status_code == 303 and done.headers["location"] == "/account"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" not in cookie
    page = person.get("/account")
    assert page.status_code == 200 and "new@example.org" in page.text and page.headers["cache-control"] == "no-store"

    out = person.post("/logout", data={"csrf_token": token(person, "/account")})
    assert out.status_code == 303
    assert person.get("/account").status_code == 303


def test_secure_cookie_when_the_portal_is_https(app, monkeypatch):
    monkeypatch.setattr(app.state.settings, "public_url", "https://data.example.gov.cn")
    from catalog.config import get_settings

    monkeypatch.setattr(get_settings(), "public_url", "https://data.example.gov.cn")
    assert "Secure" in browser(app).get("/login").headers["set-cookie"]


def test_every_post_without_the_csrf_token_is_refused(app):
    person = browser(app)
    login(person, "ours@example.org")
    good = token(person, "/account")
    posts = {"/login": {"email": "ours@example.org", "password": PASSWORD},
             "/register": {"email": "x@example.org", "name": "x", "password": PASSWORD},
             "/logout": {}, "/account/keys": {"name": "k"},
             f"/dataset/{NAME}/apply": {"purpose": "p", "scenario": "s", "days": "5", "accept_agreement": "yes"},
             "/review/1/approve": {}, "/review/1/reject": {"reason": "r"}, "/review/1/revoke": {"reason": "r"}}
    other = token(browser(app))  # a real token, of another session
    for path, form in posts.items():
        for bad in ({}, {"csrf_token": "forged"}, {"csrf_token": other}):
            response = person.post(path, data=form | bad)
            assert response.status_code == 403, (path, bad)
            assert "CSRF" in response.text
    assert person.get("/account").status_code == 200  # still logged in: nothing above took effect
    assert person.post("/account/keys", data={"name": "k", "csrf_token": good}).status_code == 201


def test_a_tampered_session_cookie_is_anonymous(app):
    person = browser(app)
    login(person, "ours@example.org")
    value = person.cookies.get(sessions.COOKIE)
    person.cookies.clear()
    person.cookies.set(sessions.COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert person.get("/account").status_code == 303


def test_login_is_throttled_per_account_and_per_ip(app):
    person = browser(app)
    for _ in range(3):
        assert login(person, "ours@example.org", "wrong password!").status_code == 401
    refused = login(person, "ours@example.org")  # the right password, too late
    assert refused.status_code == 429 and "登录失败次数过多" in refused.text
    assert login(person, "theirs@example.org").status_code == 303  # another account from the same IP
    for _ in range(3):
        login(browser(app), "nobody@example.org", "wrong password!")  # 6 failures from this IP now
    assert login(browser(app), "admin@example.org").status_code == 429


def test_login_never_redirects_off_site(app):
    person = browser(app)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = person.post("/login", data={"csrf_token": token(person), "email": "ours@example.org",
                                               "password": PASSWORD, "next": target})
        assert response.headers["location"] == "/account", target
        person.post("/logout", data={"csrf_token": token(person)})


def test_the_api_accepts_the_session_and_wants_its_csrf_header_for_changes(app):
    person = browser(app)
    assert person.post("/api/v1/keys", json={"name": "s"}).status_code == 401
    login(person, "ours@example.org")
    assert person.get("/api/v1/keys").status_code == 200
    refused = person.post("/api/v1/keys", json={"name": "s"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', person.get("/account").text).group(1)
    made = person.post("/api/v1/keys", json={"name": "s"}, headers={"X-CSRF-Token": meta})
    assert made.status_code == 201 and made.json()["key"].startswith("odp_")


def test_the_whole_flow(app):
    applicant, ours, theirs = browser(app), browser(app), browser(app)
    register(applicant, "dev@example.org", name="开发者")
    login(applicant, "dev@example.org")

    page = applicant.get(f"/dataset/{NAME}")
    assert f'href="/dataset/{NAME}/apply"' in page.text and SECRET not in page.text
    assert applicant.get(DOWNLOAD).status_code == 403
    assert browser(app).get(f"/dataset/{NAME}/apply").headers["location"] == f"/login?next=/dataset/{NAME}/apply"
    assert applicant.get("/dataset/no-such-dataset/apply").status_code == 404
    form = applicant.get(f"/dataset/{NAME}/apply")
    assert form.status_code == 200 and "数据利用协议" in form.text
    fields = {"csrf_token": token(applicant, f"/dataset/{NAME}/apply"), "purpose": "交通研究<script>",
              "scenario": "停车需求分析", "organization": "某大学", "days": "60"}
    unaccepted = applicant.post(f"/dataset/{NAME}/apply", data=fields)
    assert unaccepted.status_code == 422 and "agreement" in unaccepted.text
    assert "交通研究&lt;script&gt;" in unaccepted.text  # the form comes back filled in, escaped
    too_long = applicant.post(f"/dataset/{NAME}/apply", data=fields | {"days": "400", "accept_agreement": "yes"})
    assert too_long.status_code == 422
    applied = applicant.post(f"/dataset/{NAME}/apply", data=fields | {"accept_agreement": "yes"})
    assert applied.status_code == 303 and applied.headers["location"] == "/account?done=applied"
    assert "待审核" in applicant.get("/account").text
    assert applicant.get("/review").status_code == 403  # a user is no reviewer
    twice = applicant.post(f"/dataset/{NAME}/apply", data=fields | {"accept_agreement": "yes"})
    assert twice.status_code == 409
    on_open = applicant.post(f"/dataset/{OPEN}/apply", data=fields | {"accept_agreement": "yes"})
    assert on_open.status_code == 409

    with Session(db.get_engine(app.state.settings)) as session:
        app_id = session.exec(select(AccessApplication.id)).one()
    login(theirs, "theirs@example.org")
    their_queue = theirs.get("/review").text
    assert "dev@example.org" not in their_queue
    assert "审核部门：其他部门" in their_queue  # the department as people read it, not its slug
    refused = theirs.post(f"/review/{app_id}/approve", data={"csrf_token": token(theirs, "/account")})
    assert refused.status_code == 404

    login(ours, "ours@example.org")
    queue = ours.get("/review").text
    assert "dev@example.org" in queue and "交通研究&lt;script&gt;" in queue and "<script>" not in queue
    longer = ours.post(f"/review/{app_id}/approve", data={"csrf_token": token(ours, "/review"), "days": "90"})
    assert longer.status_code == 422  # more than was asked
    approved = ours.post(f"/review/{app_id}/approve", data={"csrf_token": token(ours, "/review"), "days": "20"})
    assert approved.status_code == 303

    download = applicant.get(DOWNLOAD)  # the browser session, no key
    assert download.status_code == 200 and SECRET in download.text
    assert "/resources/table/download" in applicant.get(f"/dataset/{NAME}").text
    mine = applicant.get("/account").text
    assert "已批准" in mine and 'class="expiring"' in mine  # 20 days < the 30-day warning
    made = applicant.post("/account/keys", data={"csrf_token": token(applicant, "/account"), "name": "脚本"})
    key = re.search(r'<code class="secret" id="new-key">(odp_[^<]+)</code>', made.text).group(1)
    assert key not in applicant.get("/account").text  # shown once
    assert SECRET in browser(app).get(ROWS, headers={"X-API-Key": key}).text
    assert browser(app).get(DOWNLOAD).status_code == 403  # anonymous still refused

    revoked = ours.post(f"/review/{app_id}/revoke", data={"csrf_token": token(ours, "/review"), "reason": "到期"})
    assert revoked.status_code == 303
    assert applicant.get(DOWNLOAD).status_code == 403
    assert browser(app).get(ROWS, headers={"X-API-Key": key}).status_code == 403
    assert "已撤销" in applicant.get("/account").text


def test_the_review_queue_marks_overdue_and_is_oldest_first(app):
    for email in ("first@example.org", "second@example.org"):
        person = browser(app)
        register(person, email)
        login(person, email)
        assert person.post(f"/dataset/{NAME}/apply", data={
            "csrf_token": token(person), "purpose": "p", "scenario": "s", "days": "5",
            "accept_agreement": "yes"}).status_code == 303
    admin = browser(app)
    login(admin, "admin@example.org")
    page = admin.get("/review").text
    assert "badge-overdue" not in page and page.index("first@example.org") < page.index("second@example.org")
    with Session(db.get_engine(app.state.settings)) as session:
        second = session.exec(select(AccessApplication).order_by(AccessApplication.id.desc())).first()
        second.created = utcnow() - timedelta(days=14)  # at least 10 working days, whatever today is
        session.add(second)
        session.commit()
        second_id = second.id
    page = admin.get("/review").text
    assert page.index("second@example.org") < page.index("first@example.org")  # oldest first
    assert page.count("badge-overdue") == 1
    assert f'<article class="review-item overdue" id="application-{second_id}">' in page


def test_key_form_refuses_bad_days_and_revokes(app):
    person = browser(app)
    login(person, "ours@example.org")
    assert person.post("/account/keys", data={"csrf_token": token(person, "/account"), "name": "k",
                                              "days": "soon"}).status_code == 422
    made = person.post("/account/keys", data={"csrf_token": token(person, "/account"), "name": "k", "days": "7"})
    key_id = re.search(r'action="/account/keys/(\d+)/revoke"', made.text).group(1)
    other = browser(app)
    login(other, "theirs@example.org")
    assert other.post(f"/account/keys/{key_id}/revoke", data={"csrf_token": token(other, "/account")}
                      ).status_code == 404
    assert person.post(f"/account/keys/{key_id}/revoke", data={"csrf_token": token(person, "/account")}
                       ).status_code == 303
    assert "已撤销" in person.get("/account").text


def test_privacy_page(app):
    page = browser(app).get("/privacy")
    assert page.status_code == 200 and "审计日志" in page.text and "12 小时" in page.text
