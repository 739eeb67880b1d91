"""catalog/community/ on its own (SQLite and PostgreSQL): one rating per user and the averages of a page of hits in
one query, threads and official replies, data requests (votes, answers, notifications), error reports, and the
moderation every post goes through (NUL, lengths, the word filter, the posting limit)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from catalog import db
from catalog.access import DatasetNotFound, DatasetWithdrawn
from catalog.community import comments, issues, moderation, notifications, ratings, requests
from catalog.community.errors import CommunityError
from catalog.models import Comment, Dataset, Department, Notification
from catalog.vocabulary import DatasetState, OpenClass, Role
from tests.support.accounts import account, cheap_hashing


@pytest.fixture
def session(settings, monkeypatch):
    cheap_hashing(monkeypatch)
    with Session(db.init_db(settings)) as session:
        for slug in ("jtw", "gaj"):
            session.add(Department(name=slug, title=f"{slug} 委办局"))
        session.flush()
        departments = {d.name: d.id for d in session.exec(select(Department))}
        for name, dept, open_class, state in (("open-a", "jtw", OpenClass.open, DatasetState.active),
                                              ("open-b", "jtw", OpenClass.open, DatasetState.active),
                                              ("police", "gaj", OpenClass.conditional, DatasetState.active),
                                              ("closed", "jtw", OpenClass.closed, DatasetState.active),
                                              ("gone", "jtw", OpenClass.open, DatasetState.withdrawn)):
            session.add(Dataset(name=name, title=f"{name} 数据", domain_code="transport",
                                department_id=departments[dept], open_class=open_class, state=state))
        session.flush()
        yield session


def people(session, settings):
    return {name: account(session, settings, f"{name}@example.org", role, departments)
            for name, role, departments in (("alice", Role.user, ()), ("bob", Role.user, ()),
                                            ("rev", Role.reviewer, ("jtw",)), ("cop", Role.reviewer, ("gaj",)),
                                            ("root", Role.admin, ()))}


def test_one_rating_per_user_and_a_page_of_averages_in_one_query(session, settings):
    who = people(session, settings)
    assert ratings.rate(session, who["alice"], "open-a", 5) == ratings.RatingSummary(5.0, 1)
    assert ratings.rate(session, who["alice"], "open-a", 2) == ratings.RatingSummary(2.0, 1)  # replaced
    assert ratings.rate(session, who["bob"], "open-a", 5) == ratings.RatingSummary(3.5, 2)
    ratings.rate(session, who["bob"], "open-b", 4)
    with pytest.raises(CommunityError) as refused:
        ratings.rate(session, who["bob"], "open-b", 6)
    assert refused.value.status == 422
    ids = {d.name: d.id for d in session.exec(select(Dataset))}
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])
    event.listen(session.get_bind(), "before_cursor_execute", listen)
    try:
        found = ratings.summaries(session, [ids["open-a"], ids["open-b"], ids["police"]])
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listen)
    assert len(statements) == 1
    assert found == {ids["open-a"]: ratings.RatingSummary(3.5, 2), ids["open-b"]: ratings.RatingSummary(4.0, 1)}
    assert ratings.mine(session, who["alice"].id, "open-a") == 2
    with pytest.raises(DatasetNotFound):
        ratings.rate(session, who["alice"], "closed", 3)
    with pytest.raises(DatasetWithdrawn):
        ratings.summary(session, "gone")


def test_threads_official_replies_and_hiding(session, settings):
    who = people(session, settings)
    first = comments.on_dataset(session, settings, who["alice"], "open-a", "<script>alert(1)</script> 数据有误？")
    reply = comments.on_dataset(session, settings, who["rev"], "open-a", "已核实，下月更新", reply_to=first.id)
    deeper = comments.on_dataset(session, settings, who["bob"], "open-a", "谢谢", reply_to=reply.id)
    stranger = comments.on_dataset(session, settings, who["cop"], "open-a", "别的部门的审核员", reply_to=first.id)
    assert (reply.official, deeper.official, stranger.official) == (True, False, False)
    assert deeper.reply_to == first.id  # one level: a reply to a reply joins the thread
    thread = comments.thread(session, dataset_id=first.dataset_id)
    assert [c["body"] for c in thread] == ["<script>alert(1)</script> 数据有误？"]  # stored as given
    assert [r["id"] for r in thread[0]["replies"]] == [reply.id, deeper.id, stranger.id]
    other = comments.on_dataset(session, settings, who["alice"], "open-b", "另一个")
    with pytest.raises(CommunityError, match="no comment"):
        comments.on_dataset(session, settings, who["bob"], "open-a", "跨线程", reply_to=other.id)
    for actor, status in (("bob", 403), ("cop", 404)):
        with pytest.raises(CommunityError) as refused:
            comments.hide(session, who[actor], stranger.id, "无关")
        assert refused.value.status == status
    comments.hide(session, who["rev"], stranger.id, "与数据无关")
    kept = session.get(Comment, stranger.id)
    assert kept.hidden and kept.hidden_reason == "与数据无关" and kept.hidden_by == who["rev"].id
    assert [r["id"] for r in comments.thread(session, dataset_id=first.dataset_id)[0]["replies"]] == [
        reply.id, deeper.id]
    comments.hide(session, who["root"], first.id, "整理")
    assert comments.thread(session, dataset_id=first.dataset_id) == []


def test_requests_votes_answers_and_notifications(session, settings):
    who = people(session, settings)
    asked = requests.create(session, who["alice"], title="公交到站", description="实时到站", domain="transport",
                            department="jtw", settings=settings)
    other = requests.create(session, who["bob"], title="户籍统计", description="按区", domain="transport",
                            department="gaj", settings=settings)
    assert [r.id for r in requests.queue(session, who["rev"])] == [asked.id]
    assert [r.id for r in requests.queue(session, who["root"])] == [asked.id, other.id]
    assert requests.queue(session, who["alice"]) == []
    for voter in ("alice", "bob", "bob"):
        requests.vote(session, who[voter], other.id)
    assert requests.vote(session, who["bob"], asked.id) == 1
    assert [r.id for r in requests.listing(session, sort="votes").rows] == [other.id, asked.id]
    assert [r.id for r in requests.listing(session, sort="new").rows] == [other.id, asked.id]
    assert [r.id for r in requests.listing(session, department="jtw").rows] == [asked.id]
    with pytest.raises(CommunityError) as refused:
        requests.create(session, who["alice"], title="x", description="y", domain="nowhere")
    assert refused.value.status == 422
    for actor, status in (("alice", 403), ("cop", 404)):
        with pytest.raises(CommunityError) as refused:
            requests.answer(session, who[actor], asked.id, status="accepted", message="")
        assert refused.value.status == status
    with pytest.raises(CommunityError, match="planned_date"):
        requests.answer(session, who["rev"], asked.id, status="planned", message="")
    with pytest.raises(CommunityError, match="dataset"):
        requests.answer(session, who["rev"], asked.id, status="published", message="", dataset="closed")
    with pytest.raises(CommunityError, match="message"):
        requests.answer(session, who["rev"], asked.id, status="declined", message=" ")
    requests.answer(session, who["rev"], asked.id, status="planned", message="计划中", planned_date=date(2027, 3, 1))
    done = requests.answer(session, who["rev"], asked.id, status="published", message="已开放", dataset="open-a")
    shown = requests.as_json(session, done, with_comments=True)
    assert shown["status"] == "published" and shown["answer"]["dataset"] == "open-a"
    assert shown["answer"]["planned_date"] is None and shown["votes"] == 1
    assert [n.kind for n in notifications.recent(session, who["alice"].id)] == [notifications.REQUEST_ANSWERED] * 2
    assert "已开放" in notifications.recent(session, who["alice"].id)[0].message
    assert notifications.recent(session, who["bob"].id) == []
    assert notifications.mark_read(session, who["alice"].id) == 2
    assert notifications.recent(session, who["alice"].id, unread_only=True) == []
    assert requests.queue(session, who["rev"]) == []  # answered: out of the queue
    times = {t.department: t for t in requests.response_times(session)}
    assert (times["jtw"].requests, times["jtw"].answered) == (1, 1) and times["jtw"].mean_days >= 0
    assert (times["gaj"].requests, times["gaj"].answered, times["gaj"].mean_days) == (1, 0, None)
    requests.hide(session, who["cop"], other.id, "重复")
    assert [r.id for r in requests.listing(session).rows] == [asked.id]
    with pytest.raises(CommunityError):
        requests.find(session, other.id)


def test_error_reports_go_to_the_department_and_answers_notify(session, settings):
    who = people(session, settings)
    mine = issues.report(session, settings, who["alice"], "open-a", kind="wrong_value", body="第3行数值错", row=3,
                         field="容量")
    theirs = issues.report(session, settings, who["bob"], "open-a", kind="personal_data", body="含手机号")
    with pytest.raises(CommunityError):
        issues.report(session, settings, who["bob"], "open-a", kind="typo", body="x")
    assert [i.id for i in issues.listing(session, who["alice"], "open-a")] == [mine.id]
    assert {i.id for i in issues.listing(session, who["rev"], "open-a")} == {mine.id, theirs.id}
    assert [i.id for i in issues.listing(session, who["cop"], "open-a")] == []  # another department's reviewer
    with pytest.raises(CommunityError) as refused:
        issues.answer(session, who["cop"], mine.id, status="fixed", message="")
    assert refused.value.status == 404
    police = issues.report(session, settings, who["alice"], "police", kind="outdated", body="2019年的数据")
    assert [i.id for i in issues.queue(session, who["rev"])] == [mine.id, theirs.id]
    assert [i.id for i in issues.queue(session, who["cop"])] == [police.id]
    assert [i.id for i in issues.queue(session, who["root"])] == [mine.id, theirs.id, police.id]
    assert issues.queue(session, who["alice"]) == []
    issues.answer(session, who["rev"], mine.id, status="fixed", message="已修正")
    assert [i.id for i in issues.queue(session, who["rev"])] == [theirs.id]
    assert [i.id for i in issues.queue(session, who["rev"], open_only=False)] == [mine.id, theirs.id]
    assert issues.as_json(session, mine)["status"] == "fixed"
    assert [n.kind for n in notifications.recent(session, who["alice"].id)] == [notifications.ISSUE_ANSWERED]
    assert list(session.exec(select(Notification).where(Notification.account_id == who["bob"].id))) == []


def test_text_checks_word_filter_and_post_limit(session, settings, tmp_path):
    who = people(session, settings)
    for body, message in (("a\x00b", "NUL"), ("   ", "empty"), ("长" * (moderation.MAX_BODY + 1), "longer")):
        with pytest.raises(CommunityError, match=message) as refused:
            comments.on_dataset(session, settings, who["alice"], "open-a", body)
        assert refused.value.status == 422
    words = tmp_path / "words.txt"
    words.write_text("# 注释\n违禁词\nSpam\n", encoding="utf-8")
    filtered = settings.model_copy(update={"word_filter_file": words, "post_limit": "2/hour"})
    with pytest.raises(CommunityError) as refused:
        comments.on_dataset(session, filtered, who["alice"], "open-a", "这是SPAM广告")
    assert (refused.value.status, refused.value.code) == (422, "word_filtered")
    with pytest.raises(CommunityError):
        requests.create(session, who["alice"], title="含违禁词", description="x", domain="transport", settings=filtered)
    moderation._counters.clear()
    comments.on_dataset(session, filtered, who["bob"], "open-a", "一")
    issues.report(session, filtered, who["bob"], "open-a", kind="other", body="二")
    with pytest.raises(CommunityError) as refused:
        comments.on_dataset(session, filtered, who["bob"], "open-a", "三")
    assert (refused.value.status, refused.value.code) == (429, "rate_limited")
    assert int(refused.value.headers["Retry-After"]) >= 1
    comments.on_dataset(session, filtered, who["alice"], "open-a", "别人的额度")  # per account
    assert moderation.parse_post_limit("") is None
    with pytest.raises(ValueError):
        moderation.parse_post_limit("20/fortnight")


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_prefix():
    import redis

    prefix = f"odp-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    found = list(client.scan_iter(f"{prefix}:*"))
    if found:
        client.delete(*found)


def test_the_post_limit_is_counted_in_redis_when_configured(session, settings, redis_prefix):
    """With ODP_REDIS_URL the posts of an account are counted in Redis (shared by every worker): a second process
    sees the same count."""
    import redis

    who = people(session, settings)
    shared = settings.model_copy(update={"redis_url": REDIS_URL, "redis_prefix": redis_prefix, "post_limit": "2/day"})
    comments.on_dataset(session, shared, who["alice"], "open-a", "一")
    (key,) = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}:rl:post:{who['alice'].id}:*"))
    redis.Redis.from_url(REDIS_URL).incr(key)  # another worker's post
    with pytest.raises(CommunityError) as refused:
        comments.on_dataset(session, shared, who["alice"], "open-a", "三")
    assert refused.value.status == 429
