"""The community API end to end (SQLite and PostgreSQL): ratings in the dataset JSON and search hits, comments and
official replies, hiding, data requests (filters, sorts, one vote per user, answers, notifications), error reports,
and every refusal — anonymous posting, a session without its CSRF header, another department's reviewer, closed
and withdrawn datasets, NUL, lengths, the word filter and the posting limit."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from catalog import db
from catalog.community import moderation
from catalog.config import get_settings
from catalog.models import Comment, Dataset
from catalog.vocabulary import DatasetState, Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.accounts import PASSWORD, account, cheap_hashing, new_key
from tests.support.catalog import fresh_settings, release
from tests.support.packages import write_package

API = "/api/v1"
OPEN, CONDITIONAL, CLOSED, GONE, POLICE = "cm-open", "cm-conditional", "cm-closed", "cm-gone", "cm-police"
KEYS: dict[str, str] = {}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def client(tmp_path_factory, pg_database_url):
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("community")
        cheap_hashing(monkeypatch)
        words = root / "words.txt"
        words.write_text("违禁词\n", encoding="utf-8")
        monkeypatch.setenv("ODP_WORD_FILTER_FILE", str(words))
        monkeypatch.setenv("ODP_POST_LIMIT", "1000/hour")
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        folder = root / "packages"
        folder.mkdir()
        write_package(folder, OPEN)
        write_package(folder, CONDITIONAL, open_class="conditional")
        write_package(folder, CLOSED, open_class="closed")
        write_package(folder, GONE)
        write_package(folder, POLICE, publisher={"name": "gaj", "title": "上海市公安局"})
        assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
        with Session(db.get_engine(settings)) as session:
            gone = session.exec(select(Dataset).where(Dataset.name == GONE)).one()
            gone.state = DatasetState.withdrawn
            session.add(gone)
            for name, role, departments in (("alice", Role.user, ()), ("bob", Role.user, ()),
                                            ("rev", Role.reviewer, ("jtw",)), ("cop", Role.reviewer, ("gaj",)),
                                            ("root", Role.admin, ())):
                KEYS[name] = new_key(session, settings, account(session, settings, f"{name}@example.org", role,
                                                                 departments))
            session.commit()
        with TestClient(create_app()) as test_client:
            yield test_client
        release(settings, pg_database_url)


def as_(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[who]}"}


def test_ratings_one_per_user_in_the_dataset_json_and_search_hits(client):
    assert client.get(f"{API}/datasets/{OPEN}/ratings").json() == {"average": None, "count": 0, "mine": None}
    assert client.post(f"{API}/datasets/{OPEN}/ratings", json={"stars": 5}).status_code == 401
    assert client.post(f"{API}/datasets/{OPEN}/ratings", json={"stars": 1}, headers=as_("alice")).json()["count"] == 1
    assert client.post(f"{API}/datasets/{OPEN}/ratings", json={"stars": 4}, headers=as_("alice")).json() == {
        "average": 4.0, "count": 1, "mine": 4}  # replaced, not added
    client.post(f"{API}/datasets/{OPEN}/ratings", json={"stars": 5}, headers=as_("bob"))
    assert client.get(f"{API}/datasets/{OPEN}/ratings", headers=as_("bob")).json() == {
        "average": 4.5, "count": 2, "mine": 5}
    for stars in (0, 6, "five"):
        refused = client.post(f"{API}/datasets/{OPEN}/ratings", json={"stars": stars}, headers=as_("bob"))
        assert refused.status_code == 422
    assert client.get(f"{API}/datasets/{OPEN}").json()["rating"] == {"average": 4.5, "count": 2}
    assert client.get(f"{API}/datasets/{POLICE}").json()["rating"] == {"average": None, "count": 0}
    hits = {h["name"]: h["rating"] for h in client.get(f"{API}/search", params={"size": 50}).json()["results"]}
    assert hits[OPEN] == {"average": 4.5, "count": 2} and hits[POLICE] == {"average": None, "count": 0}


def test_closed_is_not_found_and_withdrawn_is_gone_for_reading_and_posting(client):
    for path in ("ratings", "comments", "issues"):
        assert client.get(f"{API}/datasets/{CLOSED}/{path}").status_code == 404
        assert client.get(f"{API}/datasets/{GONE}/{path}").status_code == 410
        assert client.get(f"{API}/datasets/nope/{path}").status_code == 404
    for path, body in (("ratings", {"stars": 3}), ("comments", {"body": "x"}),
                       ("issues", {"kind": "other", "body": "x"})):
        assert client.post(f"{API}/datasets/{CLOSED}/{path}", json=body, headers=as_("alice")).status_code == 404
        assert client.post(f"{API}/datasets/{GONE}/{path}", json=body, headers=as_("alice")).status_code == 410
        assert client.post(f"{API}/datasets/{OPEN}/{path}", json=body).status_code == 401
    assert client.get(f"{API}/datasets/{CONDITIONAL}/comments").status_code == 200


def test_comments_threads_official_replies_and_hiding(client):
    xss = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><b>"
    first = client.post(f"{API}/datasets/{OPEN}/comments", json={"body": xss}, headers=as_("alice"))
    assert first.status_code == 201 and first.json()["body"] == xss and not first.json()["official"]
    cid = first.json()["id"]
    official = client.post(f"{API}/datasets/{OPEN}/comments", json={"body": "已核实", "reply_to": cid},
                           headers=as_("rev")).json()
    stranger = client.post(f"{API}/datasets/{OPEN}/comments", json={"body": "路过", "reply_to": cid},
                           headers=as_("cop")).json()
    assert official["official"] and not stranger["official"] and official["reply_to"] == cid
    thread = client.get(f"{API}/datasets/{OPEN}/comments").json()
    mine = next(t for t in thread if t["id"] == cid)
    assert mine["body"] == xss and mine["author"] == "alice" and [r["id"] for r in mine["replies"]] == [
        official["id"], stranger["id"]]
    assert "email" not in str(thread) and "@example.org" not in str(thread)
    bad_reply = client.post(f"{API}/datasets/{POLICE}/comments", json={"body": "x", "reply_to": cid},
                            headers=as_("bob"))
    assert bad_reply.status_code == 422
    hide = f"{API}/comments/{stranger['id']}/hide"
    assert client.post(hide, json={"reason": "无关"}).status_code == 401
    assert client.post(hide, json={"reason": "无关"}, headers=as_("bob")).status_code == 403
    assert client.post(hide, json={"reason": "无关"}, headers=as_("cop")).status_code == 404
    assert client.post(hide, json={"reason": ""}, headers=as_("rev")).status_code == 422
    assert client.post(hide, json={"reason": "与数据无关"}, headers=as_("rev")).json() == {
        "id": stranger["id"], "hidden": True}
    replies = next(t for t in client.get(f"{API}/datasets/{OPEN}/comments").json() if t["id"] == cid)["replies"]
    assert [r["id"] for r in replies] == [official["id"]]
    with Session(db.get_engine(get_settings())) as session:
        kept = session.get(Comment, stranger["id"])
        assert kept.hidden_reason == "与数据无关" and kept.body == "路过"  # kept for the record


def test_a_data_request_from_asking_to_published(client):
    asked = client.post(f"{API}/requests", json={"title": "<b>公交到站</b>", "description": "各线路实时到站",
                                                 "domain": "transport", "department": "jtw", "purpose": "出行应用"},
                        headers=as_("alice"))
    assert asked.status_code == 201, asked.text
    request = asked.json()
    rid = request["id"]
    assert (request["status"], request["votes"], request["answer"], request["comments"]) == ("open", 0, None, [])
    assert request["title"] == "<b>公交到站</b>"
    other = client.post(f"{API}/requests", json={"title": "户籍人口", "description": "按区", "domain": "transport",
                                                 "department": "gaj"}, headers=as_("bob")).json()
    assert client.post(f"{API}/requests", json={"title": "x", "description": "y", "domain": "transport"}
                       ).status_code == 401
    for bad in ({"title": "x", "description": "y", "domain": "nowhere"},
                {"title": "x", "description": "y", "domain": "transport", "department": "nowhere"},
                {"title": "", "description": "y", "domain": "transport"},
                {"title": "x" * 201, "description": "y", "domain": "transport"}):
        assert client.post(f"{API}/requests", json=bad, headers=as_("alice")).status_code == 422, bad
    for voter in ("alice", "bob", "bob", "rev"):
        voted = client.post(f"{API}/requests/{other['id']}/votes", headers=as_(voter))
        assert voted.status_code == 200
    assert voted.json() == {"id": other["id"], "votes": 3}  # bob's second vote changed nothing
    assert client.post(f"{API}/requests/{rid}/votes").status_code == 401
    listed = client.get(f"{API}/requests", params={"sort": "votes"}).json()
    assert [r["id"] for r in listed["results"]][:2] == [other["id"], rid] and listed["count"] >= 2
    assert [r["id"] for r in client.get(f"{API}/requests", params={"department": "gaj"}).json()["results"]] == [
        other["id"]]
    assert client.get(f"{API}/requests", params={"status": "published"}).json()["count"] == 0
    assert client.get(f"{API}/requests", params={"sort": "oldest"}).status_code == 422
    said = client.post(f"{API}/requests/{rid}/comments", json={"body": "我也需要"}, headers=as_("bob"))
    assert said.status_code == 201
    answer = f"{API}/requests/{rid}/answer"
    published = {"status": "published", "message": "已开放", "dataset": OPEN}
    assert client.post(answer, json=published, headers=as_("alice")).status_code == 403
    assert client.post(answer, json=published, headers=as_("cop")).status_code == 404
    assert client.post(answer, json={"status": "planned", "message": ""}, headers=as_("rev")).status_code == 422
    assert client.post(answer, json={**published, "dataset": CLOSED}, headers=as_("rev")).status_code == 422
    assert client.post(answer, json={"status": "declined", "message": ""}, headers=as_("rev")).status_code == 422
    planned = client.post(answer, json={"status": "planned", "message": "计划", "planned_date": "2027-03-01"},
                          headers=as_("rev"))
    assert planned.json()["answer"]["planned_date"] == "2027-03-01"
    done = client.post(answer, json=published, headers=as_("rev"))
    assert done.status_code == 200, done.text
    shown = client.get(f"{API}/requests/{rid}").json()
    assert shown["status"] == "published" and shown["answer"]["dataset"] == OPEN
    assert [c["body"] for c in shown["comments"]] == ["我也需要"]
    assert client.get(f"{API}/notifications").status_code == 401
    told = client.get(f"{API}/notifications", headers=as_("alice")).json()
    assert [n["kind"] for n in told] == ["request_answered", "request_answered"] and "已开放" in told[0]["message"]
    assert client.get(f"{API}/notifications", headers=as_("bob")).json() == []
    assert all(n["read"] for n in client.post(f"{API}/notifications/read", headers=as_("alice")).json())
    assert client.get(f"{API}/notifications", params={"unread": True}, headers=as_("alice")).json() == []
    hidden = client.post(f"{API}/requests/{other['id']}/hide", json={"reason": "重复"}, headers=as_("root"))
    assert hidden.status_code == 200
    assert client.get(f"{API}/requests/{other['id']}").status_code == 404
    assert client.get(f"{API}/requests/999999").status_code == 404


def test_error_reports_for_the_department_and_the_reporter(client):
    made = client.post(f"{API}/datasets/{OPEN}/issues", json={"kind": "wrong_value", "body": "第2行容量不对",
                                                            "row": 2, "field": "容量"}, headers=as_("alice"))
    assert made.status_code == 201 and made.json()["status"] == "open"
    client.post(f"{API}/datasets/{OPEN}/issues", json={"kind": "personal_data", "body": "有手机号"},
                headers=as_("bob"))
    assert client.post(f"{API}/datasets/{OPEN}/issues", json={"kind": "typo", "body": "x"},
                       headers=as_("bob")).status_code == 422
    assert client.get(f"{API}/datasets/{OPEN}/issues").status_code == 401
    assert [i["reporter"] for i in client.get(f"{API}/datasets/{OPEN}/issues", headers=as_("alice")).json()] == [
        "alice"]
    assert len(client.get(f"{API}/datasets/{OPEN}/issues", headers=as_("rev")).json()) == 2
    assert len(client.get(f"{API}/datasets/{OPEN}/issues", headers=as_("root")).json()) == 2
    assert client.get(f"{API}/datasets/{OPEN}/issues", headers=as_("cop")).json() == []
    answer = f"{API}/issues/{made.json()['id']}/answer"
    assert client.post(answer, json={"status": "fixed", "message": "改了"}, headers=as_("cop")).status_code == 404
    assert client.post(answer, json={"status": "fixed", "message": "改了"}, headers=as_("bob")).status_code == 403
    assert client.post(answer, json={"status": "done", "message": ""}, headers=as_("rev")).status_code == 422
    fixed = client.post(answer, json={"status": "fixed", "message": "已修正"}, headers=as_("rev"))
    assert fixed.json()["status"] == "fixed" and fixed.json()["answer"] == "已修正"
    told = client.get(f"{API}/notifications", params={"unread": True}, headers=as_("alice")).json()
    assert [n["kind"] for n in told] == ["issue_answered"]


def test_posts_refuse_nul_long_text_and_filtered_words(client):
    for body in ({"body": "a\x00b"}, {"body": "长" * 5001}, {"body": ""}):
        refused = client.post(f"{API}/datasets/{OPEN}/comments", json=body, headers=as_("bob"))
        assert refused.status_code == 422 and "error" in refused.json()
    filtered = client.post(f"{API}/datasets/{OPEN}/comments", json={"body": "含违禁词的评论"}, headers=as_("bob"))
    assert filtered.status_code == 422 and filtered.json()["error"]["code"] == "word_filtered"
    assert "违禁" not in filtered.json()["error"]["message"]  # the message does not repeat the word
    refused = client.post(f"{API}/requests", json={"title": "违禁词", "description": "x", "domain": "transport"},
                          headers=as_("bob"))
    assert refused.status_code == 422


def test_the_posting_limit_answers_429_per_account(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "post_limit", "2/hour")
    moderation._counters.clear()
    for _ in range(2):
        assert client.post(f"{API}/datasets/{OPEN}/comments", json={"body": "一"}, headers=as_("root")).status_code == 201
    refused = client.post(f"{API}/datasets/{OPEN}/issues", json={"kind": "other", "body": "三"}, headers=as_("root"))
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    assert client.post(f"{API}/datasets/{OPEN}/ratings", json={"stars": 3}, headers=as_("root")).status_code == 200
    assert client.post(f"{API}/datasets/{OPEN}/comments", json={"body": "一"}, headers=as_("cop")).status_code == 201
    moderation._counters.clear()


def test_a_session_posts_with_its_csrf_header(client):
    person = TestClient(client.app, follow_redirects=False)
    form = TOKEN.search(person.get("/login").text).group(1)
    assert person.post("/login", data={"csrf_token": form, "email": "bob@example.org",
                                       "password": PASSWORD}).status_code == 303
    refused = person.post(f"{API}/datasets/{OPEN}/comments", json={"body": "会话"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', person.get("/account").text).group(1)
    made = person.post(f"{API}/datasets/{OPEN}/comments", json={"body": "会话"}, headers={"X-CSRF-Token": meta})
    assert made.status_code == 201 and made.json()["author"] == "bob"
