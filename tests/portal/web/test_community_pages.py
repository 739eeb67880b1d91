"""The community pages (issue 14) with TestClient, one cookie jar per person (SQLite and PostgreSQL): the dataset
page's stars, comment threads and error-report form; /requests, /requests/new, /requests/{id} with votes,
comments and the department's answer; /review/community; notifications on /account. For an anonymous visitor, a
user, the department's reviewer and another department's reviewer; every form refused without its CSRF token;
hostile text shown as text."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from catalog import db
from catalog.accounts.throttle import LoginThrottle
from catalog.datasets import stats as download_stats
from catalog.models import DataRequest, ErrorReport
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from portal.web.community import ugc_text
from tests.support.accounts import PASSWORD, account, cheap_hashing
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package
from tests.support.pages import Page, assert_well_formed

OPEN = "cm-open"
HOSTILE = ('<script>alert("x")</script><img src=x onerror=alert(1)>'
           '"><svg onload=alert(2)>\' onmouseover=\'alert(3)')
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STATE: dict = {}


@pytest.fixture(scope="module")
def app(tmp_path_factory, pg_database_url):
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("community-pages")
        cheap_hashing(monkeypatch)
        monkeypatch.setattr("portal.web.accounts.logins", LoginThrottle())
        monkeypatch.setenv("ODP_POST_LIMIT", "")
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        folder = root / "packages"
        folder.mkdir()
        write_package(folder, OPEN, csv=csv_text([(i, f"R{i}", "浦东新区", i) for i in range(1, 6)]))
        assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
        with Session(db.get_engine(settings)) as session:
            session.exec(text("INSERT INTO department (name, title) VALUES ('other-dept', '其他部门')"))
            for name, role, departments in (("alice", Role.user, ()), ("bob", Role.user, ()),
                                            ("rev", Role.reviewer, ("jtw",)),
                                            ("other-rev", Role.reviewer, ("other-dept",))):
                account(session, settings, f"{name}@example.org", role, departments)
            session.commit()
        STATE["settings"] = settings
        application = create_app()
        application.state.settings = settings
        yield application
        download_stats.discard_pending()
        release(settings, pg_database_url)


def person(app, who: str | None = None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    if who is not None:
        answer = client.post("/login", data={"csrf_token": token(client, "/login"), "email": f"{who}@example.org",
                                             "password": PASSWORD})
        assert answer.status_code == 303, answer.text[:300]
    return client


def token(client: TestClient, path: str) -> str:
    found = TOKEN.search(client.get(path).text)
    assert found, path
    return found.group(1)


def post(client: TestClient, path: str, form_page: str, data: dict | None = None):
    return client.post(path, data={"csrf_token": token(client, form_page), **(data or {})})


def page(client: TestClient, path: str, status: int = 200) -> Page:
    answer = client.get(path)
    assert answer.status_code == status, (path, answer.status_code, answer.text[:300])
    found = Page(answer.text)
    assert_well_formed(found)
    return found


def session() -> Session:
    return Session(db.get_engine(STATE["settings"]))


def new_request(client: TestClient, title: str, description: str = "需要全市公交站点数据",
                department: str = "jtw") -> int:
    made = post(client, "/requests/new", "/requests/new", {"title": title, "description": description,
                                                           "domain": "transport", "department": department})
    assert made.status_code == 303, made.text[:300]
    return int(made.headers["location"].rsplit("/", 1)[1])


def test_the_dataset_page_for_anonymous_and_logged_in(app):
    anonymous = person(app).get(f"/dataset/{OPEN}")
    assert "还没有评分" in anonymous.text and "登录</a>后可以评分" in anonymous.text
    assert 'action="/dataset/cm-open/rating"' not in anonymous.text
    assert "set-cookie" not in anonymous.headers  # the page hands an anonymous visitor no session
    alice = person(app, "alice")
    shown = page(alice, f"/dataset/{OPEN}")
    assert shown.all("form", action="/dataset/cm-open/rating") and shown.all("form", action="/dataset/cm-open/issues")


def test_one_rating_per_user_is_reflected_and_preselected(app):
    alice, bob = person(app, "alice"), person(app, "bob")
    for stars in ("2", "4"):  # alice changes her mind: still one rating
        assert post(alice, f"/dataset/{OPEN}/rating", f"/dataset/{OPEN}", {"stars": stars}).status_code == 303
    assert post(bob, f"/dataset/{OPEN}/rating", f"/dataset/{OPEN}", {"stars": "5"}).status_code == 303
    html = alice.get(f"/dataset/{OPEN}").text
    assert "平均 <strong>4.5</strong> 星 · 2 人评分" in html
    assert re.search(r'id="stars-4"[^>]*value="4" checked', html)
    assert not re.search(r'value="2" checked', html)
    refused = post(bob, f"/dataset/{OPEN}/rating", f"/dataset/{OPEN}", {"stars": "9"})
    assert refused.status_code == 422
    assert "2 人评分" in person(app).get(f"/dataset/{OPEN}").text
    page(person(app), "/search")  # well formed
    cards = person(app).get("/search").text.split('<li class="dataset-card">')  # stars joined per page of hits
    assert "评分 4.5 星（2 人）" in next(c for c in cards if f'href="/dataset/{OPEN}"' in c)


def test_comments_thread_with_official_reply_and_hiding(app):
    alice, rev, other = person(app, "alice"), person(app, "rev"), person(app, "other-rev")
    assert post(alice, f"/dataset/{OPEN}/comments", f"/dataset/{OPEN}",
                {"body": "第三行数值看起来不对 https://example.org/a?b=1&c=2"}).status_code == 303
    comment_id = int(re.search(r'name="reply_to" value="(\d+)"', alice.get(f"/dataset/{OPEN}").text).group(1))
    assert post(rev, f"/dataset/{OPEN}/comments", f"/dataset/{OPEN}",
                {"body": "已核实，下周更新", "reply_to": str(comment_id)}).status_code == 303
    html = person(app).get(f"/dataset/{OPEN}").text
    assert "已核实，下周更新" in html and "官方回复" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">' in html
    assert f'action="/comments/{comment_id}/hide"' not in alice.get(f"/dataset/{OPEN}").text
    assert f'action="/comments/{comment_id}/hide"' in rev.get(f"/dataset/{OPEN}").text
    refused = post(other, f"/comments/{comment_id}/hide", f"/dataset/{OPEN}", {"reason": "不是我的"})
    assert refused.status_code == 404
    assert post(rev, f"/comments/{comment_id}/hide", f"/dataset/{OPEN}",
                {"reason": "重复", "back": f"/dataset/{OPEN}"}).status_code == 303
    assert "第三行数值看起来不对" not in person(app).get(f"/dataset/{OPEN}").text


def test_an_error_report_reaches_the_department_queue_and_its_answer_the_reporter(app):
    alice, rev, other = person(app, "alice"), person(app, "rev"), person(app, "other-rev")
    made = post(alice, f"/dataset/{OPEN}/issues", f"/dataset/{OPEN}",
                {"kind": "wrong_value", "body": "第2行金额多了一个零", "row": "2", "field": "value"})
    assert made.status_code == 303
    with session() as db_session:
        issue = db_session.exec(select(ErrorReport).where(ErrorReport.body == "第2行金额多了一个零")).one()
    assert "第2行金额多了一个零" in alice.get(f"/dataset/{OPEN}").text  # the reporter sees its own
    assert "第2行金额多了一个零" not in person(app, "bob").get(f"/dataset/{OPEN}").text
    assert "第2行金额多了一个零" in page(rev, "/review/community").plain
    assert "第2行金额多了一个零" not in page(other, "/review/community").plain
    assert "数据纠错 <strong>" in rev.get("/review").text and 'href="/review/community"' in rev.get("/review").text
    assert post(other, f"/issues/{issue.id}/answer", "/account", {"status": "fixed"}).status_code == 404
    answered = post(rev, f"/issues/{issue.id}/answer", "/account", {"status": "fixed", "message": "已修正"})
    assert answered.status_code == 303
    assert "第2行金额多了一个零" not in rev.get("/review/community").text
    assert "纠错报告：已修正" in alice.get("/account").text


def test_requests_list_detail_vote_and_answer_published(app):
    alice, bob, rev, other = (person(app, w) for w in ("alice", "bob", "rev", "other-rev"))
    first = new_request(alice, "公交站点客流数据")
    second = new_request(bob, "停车场泊位数据")
    for _ in range(2):  # once per user: the second press changes nothing
        assert post(bob, f"/requests/{first}/vote", f"/requests/{first}").status_code == 303
    detail = page(bob, f"/requests/{first}")
    assert "您已投票" in detail.plain and not detail.all("form", action=f"/requests/{first}/vote")
    assert re.search(r'class="vote-count">1<', bob.get(f"/requests/{first}").text)
    by_votes = person(app).get("/requests?sort=votes&domain=transport").text
    assert by_votes.index("公交站点客流数据") < by_votes.index("停车场泊位数据")
    newest = person(app).get("/requests?sort=new").text
    assert newest.index("停车场泊位数据") < newest.index("公交站点客流数据")
    assert "公交站点客流数据" not in person(app).get("/requests?status=published").text
    assert "公交站点客流数据" not in person(app).get("/requests?department=other-dept").text
    assert not page(alice, f"/requests/{first}").all("form", action=f"/requests/{first}/answer")
    assert not page(other, f"/requests/{first}").all("form", action=f"/requests/{first}/answer")
    assert post(other, f"/requests/{first}/answer", f"/requests/{first}",
                {"status": "declined", "message": "no"}).status_code == 404
    assert post(alice, f"/requests/{first}/answer", f"/requests/{first}",
                {"status": "declined", "message": "no"}).status_code == 403
    assert "数据需求 <strong>" in rev.get("/review").text
    assert "公交站点客流数据" in page(rev, "/review/community").plain
    missing = post(rev, f"/requests/{first}/answer", "/review/community", {"status": "published"})
    assert missing.status_code == 422
    answered = post(rev, f"/requests/{first}/answer", "/review/community",
                    {"status": "published", "message": "已发布", "dataset": OPEN, "back": "review"})
    assert answered.status_code == 303 and answered.headers["location"].startswith("/review/community")
    scorecard = page(person(app), "/department/jtw").plain  # the department's response time
    assert "数据需求答复：共收到 2 条，已答复 1 条，平均 0" in scorecard
    shown = person(app).get(f"/requests/{first}").text
    assert "已开放" in shown and f'href="/dataset/{OPEN}"' in shown
    account_page = page(alice, "/account")
    assert "公交站点客流数据" in account_page.plain and "未读" in account_page.plain
    assert account_page.all("a", href=f"/requests/{first}")
    assert post(alice, "/account/notifications/read", "/account").status_code == 303
    assert "全部标为已读" not in alice.get("/account").text
    assert post(rev, f"/requests/{second}/hide", f"/requests/{second}", {"reason": "重复需求"}).status_code == 303
    assert person(app).get(f"/requests/{second}").status_code == 404
    assert "停车场泊位数据" not in person(app).get("/requests").text


def test_pages_for_each_visitor(app):
    anonymous = person(app)
    assert page(anonymous, "/requests").all("a", href="/requests/new")
    for path in ("/requests/new", "/review/community"):
        moved = anonymous.get(path)
        assert moved.status_code == 303 and moved.headers["location"].startswith("/login"), path
    assert person(app, "alice").get("/review/community").status_code == 403
    page(person(app, "alice"), "/requests/new")
    assert anonymous.get("/requests/999999").status_code == 404
    for path in ("/requests/99999999999", "/reuses/99999999999/image", "/requests/0", "/requests/abc",
                 "/requests?page=abc"):  # beyond int32 too: a page, never a database error
        answer = anonymous.get(path)
        assert answer.status_code in (400, 404) and "text/html" in answer.headers["content-type"], path
    assert anonymous.get("/requests?status=nonsense&sort=nonsense&page=0").status_code == 200


def test_every_form_is_refused_without_its_csrf_token(app):
    alice = person(app, "alice")
    request_id = new_request(alice, "CSRF 测试需求")
    with session() as db_session:
        assert db_session.get(DataRequest, request_id) is not None
    for path, data in ((f"/dataset/{OPEN}/rating", {"stars": "3"}), (f"/dataset/{OPEN}/comments", {"body": "x"}),
                       (f"/dataset/{OPEN}/issues", {"kind": "other", "body": "x"}), ("/comments/1/hide", {}),
                       ("/requests/new", {"title": "t", "description": "d", "domain": "transport"}),
                       (f"/requests/{request_id}/vote", {}), (f"/requests/{request_id}/comments", {"body": "x"}),
                       (f"/requests/{request_id}/answer", {"status": "accepted"}),
                       (f"/requests/{request_id}/hide", {"reason": "x"}), ("/issues/1/answer", {"status": "fixed"}),
                       ("/account/notifications/read", {})):
        assert alice.post(path, data=data).status_code == 403, path
        assert alice.post(path, data=data | {"csrf_token": "forged"}).status_code == 403, path
    assert "CSRF 测试需求" in alice.get("/requests").text
    with session() as db_session:
        assert db_session.get(DataRequest, request_id).hidden is None


def test_hostile_text_is_shown_as_text(app):
    alice = person(app, "alice")
    request_id = new_request(alice, HOSTILE, description=HOSTILE)
    assert post(alice, f"/requests/{request_id}/comments", f"/requests/{request_id}", {"body": HOSTILE}).status_code == 303
    assert post(alice, f"/dataset/{OPEN}/comments", f"/dataset/{OPEN}", {"body": HOSTILE}).status_code == 303
    for path in (f"/requests/{request_id}", "/requests", f"/dataset/{OPEN}"):
        html = alice.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<svg onload" not in html, path
        assert "&lt;script&gt;alert(" in html, path
        shown = Page(html)
        for _, attrs in shown.tags:
            assert not any(name.startswith("on") for name in attrs), (path, attrs)


def test_links_in_user_text_are_nofollow_and_cannot_break_out():
    made = str(ugc_text('看 http://a.example/x"onmouseover="alert(1) 和 <b>'))
    assert 'rel="nofollow ugc"' in made and "<b>" not in made
    assert 'onmouseover="' not in made  # the quote stays an entity, inside the href
    assert str(ugc_text("没有链接")) == "没有链接"
