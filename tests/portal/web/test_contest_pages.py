"""The contest pages with TestClient (one cookie jar per person; SQLite and PostgreSQL): /contests, /contest/{slug},
its showcase, the work form and the organizer's pages, for an anonymous visitor, a team member, a non-member and
the organizer; every form refused without its CSRF token; hostile text shown escaped; the dataset page's
"用于 N 个竞赛作品"."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from catalog import db
from catalog.accounts.throttle import LoginThrottle
from catalog.datasets import stats as download_stats
from catalog.models import Contest, ContestConsent, ContestTeam, ContestWork, utcnow
from catalog.vocabulary import ApplicationStatus, Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.accounts import PASSWORD, account, cheap_hashing
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package
from tests.support.pages import Page, assert_well_formed, get_page

OPEN, CONDITIONAL, MOVING = "cp-open", "cp-conditional", "cp-moving"
ROWS = [(i, f"ROW{i:03d}", "浦东新区", i) for i in range(1, 21)]
PUBLIC_SAMPLE = 2  # ODP_PUBLIC_SAMPLE_ROWS: the cap on a conditional entry's sample
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
JOIN_CODE = re.compile(r'<code class="join-code">([A-Z0-9]+)</code>')
STATE: dict = {}


@pytest.fixture(scope="module")
def app(tmp_path_factory, pg_database_url):
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("contest-pages")
        cheap_hashing(monkeypatch)
        monkeypatch.setenv("ODP_PUBLIC_SAMPLE_ROWS", str(PUBLIC_SAMPLE))
        monkeypatch.setattr("portal.web.accounts.logins", LoginThrottle())
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        folder = root / "packages"
        folder.mkdir()
        write_package(folder, OPEN, csv=csv_text(ROWS))
        write_package(folder, CONDITIONAL, csv=csv_text(ROWS), open_class="conditional")
        write_package(folder, MOVING, csv=csv_text(ROWS[:3]))
        assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
        with Session(db.get_engine(settings)) as session:
            session.exec(text("INSERT INTO department (name, title) VALUES ('other-dept', '其他部门')"))
            for name, role, departments in (("org", Role.organizer, ()), ("other-org", Role.organizer, ()),
                                            ("alice", Role.user, ()), ("bob", Role.user, ()),
                                            ("carol", Role.user, ()), ("rev", Role.reviewer, ("jtw",)),
                                            ("other-rev", Role.reviewer, ("other-dept",))):
                account(session, settings, f"{name}@example.org", role, departments)
            session.commit()
        STATE.update(settings=settings, folder=folder)
        application = create_app()
        application.state.settings = settings
        yield application
        download_stats.discard_pending()
        release(settings, pg_database_url)


def person(app, who: str | None = None) -> TestClient:
    """A browser of its own (cookie jar), logged in as ``who@example.org`` unless None."""
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


def post(client: TestClient, path: str, form_page: str, data: dict | None = None, **kwargs):
    return client.post(path, data={"csrf_token": token(client, form_page), **(data or {})}, **kwargs)


def page(client: TestClient, path: str, status: int = 200) -> Page:
    answer = client.get(path)
    assert answer.status_code == status, (path, answer.status_code, answer.text[:300])
    return Page(answer.text)


def create_contest(org: TestClient, slug: str, title: str = "智慧交通大赛", **fields) -> None:
    created = post(org, "/contests/new", "/contests/new", {"slug": slug, "title": title, "theme": "智慧交通",
                                                           "rules": "团队 1–5 人", **fields})
    assert created.status_code == 303 and created.headers["location"] == f"/contest/{slug}/manage?done=created"
    for dataset in (OPEN, CONDITIONAL):
        added = post(org, f"/contest/{slug}/manage/entries", f"/contest/{slug}/manage",
                     {"dataset": dataset, "sample_rows": "10", "full": "yes"})
        assert added.status_code == 303, added.text[:300]


def publish(org: TestClient, slug: str) -> None:
    answer = post(org, f"/contest/{slug}/manage/publish", f"/contest/{slug}/manage")
    assert answer.status_code == 303


def entry_ids(slug: str) -> dict[str, int]:
    detail = TestClient(STATE["app"]).get(f"/api/v1/contests/{slug}").json()
    return {e["dataset"]: e["id"] for e in detail["entries"]}


def team_up(app, slug: str, members=("alice", "bob"), name: str = "畅行者") -> dict[str, TestClient]:
    clients = {who: person(app, who) for who in members}
    first = clients[members[0]]
    created = post(first, f"/contest/{slug}/teams", f"/contest/{slug}", {"name": name})
    assert created.status_code == 303, created.text[:300]
    shown = first.get(created.headers["location"])
    code = JOIN_CODE.search(shown.text)
    assert code, "the team's join code is shown to its creator"
    for who in members[1:]:
        joined = post(clients[who], f"/contest/{slug}/join", f"/contest/{slug}", {"join_code": code.group(1)})
        assert joined.status_code == 303, joined.text[:300]
    return clients


def accept(client: TestClient, slug: str):
    return post(client, f"/contest/{slug}/agreement", f"/contest/{slug}", {"accept": "yes"})


def set_times(slug: str, **moments) -> None:
    with Session(db.get_engine(STATE["settings"])) as session:
        contest = session.exec(select(Contest).where(Contest.slug == slug)).one()
        for key, value in moments.items():
            setattr(contest, key, value)
        session.add(contest)
        session.commit()


@pytest.fixture(scope="module", autouse=True)
def _remember_app(app):
    STATE["app"] = app


# --- The board and the contest page, per visitor ----------------------------------------------------------------


def test_a_draft_is_the_organizers_until_published(app):
    org, anonymous, other = person(app, "org"), person(app), person(app, "other-org")
    create_contest(org, "draft-pages", title="草稿大赛")
    assert "草稿大赛" in page(org, "/contests").plain
    assert "草稿大赛" not in page(anonymous, "/contests").plain
    page(anonymous, "/contest/draft-pages", 404)
    page(other, "/contest/draft-pages/manage", 404)
    publish(org, "draft-pages")
    board = page(anonymous, "/contests")
    assert "草稿大赛" in board.plain and "/contest/draft-pages" in board.links()
    assert "参赛队伍 0 支" in board.plain and "智慧交通" in board.plain
    assert "报名中" in board.plain


def test_the_contest_page_for_an_anonymous_visitor(app):
    org, anonymous = person(app, "org"), person(app)
    create_contest(org, "public-pages")
    publish(org, "public-pages")
    shown = page(anonymous, "/contest/public-pages")
    text = shown.plain
    assert "智慧交通" in text and "团队 1–5 人" in text and "登录后报名" in text
    assert "待部门审核" in text and "可下载" in text  # the conditional entry waits for its department
    assert "泊位数" in text and "total_spaces" in text  # the field lists
    assert "ROW001" in text and "ROW005" in text and "ROW006" not in text  # five rows of the open sample
    ids = entry_ids("public-pages")
    links = shown.links()
    assert f"/api/v1/contests/public-pages/entries/{ids[OPEN]}/sample" in links
    assert not [link for link in links if link.endswith(("/download", "/bundle.zip"))]
    assert "/contest/public-pages/showcase" in links
    # The conditional entry's sample obeys the public-sample cap: two rows in its table, not three
    section = anonymous.get("/contest/public-pages").text
    conditional = section[section.index(f'id="entry-{ids[CONDITIONAL]}"'):]
    assert f"前 {PUBLIC_SAMPLE} 行" in conditional and "ROW003" not in conditional
    page(anonymous, "/contest/public-pages/manage", 303)  # to the login
    page(anonymous, "/contest/public-pages/submit", 303)


def test_a_team_registers_accepts_downloads_and_a_non_member_gets_nothing(app):
    org = person(app, "org")
    create_contest(org, "team-pages")
    publish(org, "team-pages")
    clients = team_up(app, "team-pages")
    alice, bob, carol = clients["alice"], clients["bob"], person(app, "carol")
    ids = entry_ids("team-pages")
    # before the agreement: its text and a checkbox, no download link
    before = page(alice, "/contest/team-pages")
    assert "数据销毁承诺" in before.plain and before.all("input", type="checkbox", name="accept")
    assert not [link for link in before.links() if link.endswith("/bundle.zip")]
    refused = post(alice, "/contest/team-pages/agreement", "/contest/team-pages")  # the box not ticked
    assert refused.status_code == 422 and "请勾选" in refused.text
    for client in (alice, bob):
        assert accept(client, "team-pages").status_code == 303
    after = page(alice, "/contest/team-pages")
    links = after.links()
    assert "/api/v1/contests/team-pages/bundle.zip" in links
    assert f"/api/v1/contests/team-pages/entries/{ids[OPEN]}/download" in links
    assert f"/api/v1/contests/team-pages/entries/{ids[CONDITIONAL]}/download" not in links  # 待部门审核
    assert "畅行者" in after.plain and "已同意协议" in after.plain
    # the links work with the browser session: the pinned original, and the zip listing the open entry
    original = (STATE["folder"] / OPEN / "data" / "table.csv").read_bytes()
    assert alice.get(f"/api/v1/contests/team-pages/entries/{ids[OPEN]}/download").content == original
    bundle = alice.get("/api/v1/contests/team-pages/bundle.zip")
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as package:
        descriptor = json.loads(package.read("datapackage.json"))
    assert [r["path"] for r in descriptor["resources"]] == [f"data/{OPEN}--table.csv"]
    # a non-member: the forms to join, no data links, and the API refuses the zip
    other = page(carol, "/contest/team-pages")
    assert other.all("input", name="join_code") and other.all("input", name="name")
    assert not [link for link in other.links() if link.endswith(("/download", "/bundle.zip"))]
    assert carol.get("/api/v1/contests/team-pages/bundle.zip").status_code == 403
    page(carol, "/contest/team-pages/submit", 403)
    page(carol, "/contest/team-pages/manage", 403)
    # the organizer's download log shows alice's two downloads of the open entry, and the CSV link
    manage = page(org, "/contest/team-pages/manage")
    assert "alice@example.org" in manage.plain and "bob@example.org" not in manage.plain.split("下载记录")[1]
    assert "/api/v1/contests/team-pages/downloads.csv" in manage.links()
    report = org.get("/api/v1/contests/team-pages/downloads.csv").text
    assert "alice@example.org" in report


def test_a_second_team_and_a_wrong_code_are_refused_on_the_page(app):
    org = person(app, "org")
    create_contest(org, "refusals")
    publish(org, "refusals")
    clients = team_up(app, "refusals", members=("alice",))
    again = post(clients["alice"], "/contest/refusals/teams", "/contest/refusals", {"name": "第二队"})
    assert again.status_code == 409 and "already in a team" in again.text
    carol = person(app, "carol")
    wrong = post(carol, "/contest/refusals/join", "/contest/refusals", {"join_code": "NOPE2345"})
    assert wrong.status_code == 404 and "join code" in wrong.text


def test_the_data_window_closes_with_the_deletion_pledge(app):
    org = person(app, "org")
    create_contest(org, "closing")
    publish(org, "closing")
    clients = team_up(app, "closing", members=("alice",))
    accept(clients["alice"], "closing")
    assert "/api/v1/contests/closing/bundle.zip" in page(clients["alice"], "/contest/closing").links()
    now = utcnow()
    set_times("closing", registration_opens=now - timedelta(days=9), registration_closes=now - timedelta(days=5),
              data_opens=now - timedelta(days=9), data_closes=now - timedelta(days=1))
    closed = page(clients["alice"], "/contest/closing")
    assert "数据使用期已结束" in closed.plain and "数据销毁承诺" in closed.plain
    assert not [link for link in closed.links() if link.endswith(("/download", "/bundle.zip"))]
    assert "已结束" in page(person(app), "/contests").plain
    assert "报名已截止" in page(person(app, "carol"), "/contest/closing").plain


def test_the_department_consents_on_review_contests_and_the_team_gets_the_entry(app):
    org = person(app, "org")
    create_contest(org, "consented", title="同意测试大赛")
    publish(org, "consented")
    clients = team_up(app, "consented", members=("alice",))
    accept(clients["alice"], "consented")
    ids = entry_ids("consented")
    link = f"/api/v1/contests/consented/entries/{ids[CONDITIONAL]}/download"
    assert link not in page(clients["alice"], "/contest/consented").links()
    page(person(app), "/review/contests", 303)  # to the login
    page(clients["alice"], "/review/contests", 403)
    assert "同意测试大赛" not in page(person(app, "other-rev"), "/review/contests").plain  # another department
    rev = person(app, "rev")
    review = page(rev, "/review")  # the reviewers' page says how many wait (this one and any earlier test's), and where
    with Session(db.get_engine(STATE["settings"])) as session:
        waiting = len(session.exec(select(ContestConsent.id).where(
            ContestConsent.status == ApplicationStatus.pending)).all())
    assert waiting >= 1 and "/review/contests" in review.links() and f" {waiting} 条待审核" in review.plain
    queue = page(rev, "/review/contests")
    assert "同意测试大赛" in queue.plain and "org@example.org" in queue.plain
    with Session(db.get_engine(STATE["settings"])) as session:
        consent_id = session.exec(select(ContestConsent.id).join(Contest, Contest.id == ContestConsent.contest_id)
                                  .where(Contest.slug == "consented")).one()
    form = f"/review/contests/{consent_id}/approve"
    assert form in [f["action"] for f in queue.all("form")]
    assert rev.post(form, data={}).status_code == 403  # no CSRF token
    assert link not in page(clients["alice"], "/contest/consented").links()
    stranger = post(person(app, "other-rev"), form, "/account")
    assert stranger.status_code == 404  # another department's request does not exist for them
    approved = post(rev, form, "/review/contests")
    assert approved.status_code == 303 and approved.headers["location"] == "/review/contests?decided=approved"
    shown = page(clients["alice"], "/contest/consented")
    assert link in shown.links() and "待部门审核" not in shown.plain
    assert clients["alice"].get(link).status_code == 200
    assert_well_formed(get_page(rev, "/review/contests"))  # with the approved request's revoke form
    no_reason = post(rev, f"/review/contests/{consent_id}/revoke", "/review/contests", {"reason": " "})
    assert no_reason.status_code == 422
    revoked = post(rev, f"/review/contests/{consent_id}/revoke", "/review/contests", {"reason": "项目调整"})
    assert revoked.status_code == 303
    assert link not in page(clients["alice"], "/contest/consented").links()
    assert clients["alice"].get(link).status_code == 403
    assert "项目调整" in page(rev, "/review/contests").plain


# --- Works, the showcase, the dataset page --------------------------------------------------------------------


def test_a_work_is_submitted_accepted_and_shown(app):
    org = person(app, "org")
    create_contest(org, "works-pages")
    publish(org, "works-pages")
    alice = team_up(app, "works-pages", members=("alice",))["alice"]
    form = page(alice, "/contest/works-pages/submit")
    assert form.all("input", type="checkbox", name="datasets", value=OPEN)
    bad = alice.post("/contest/works-pages/submit", data={
        "csrf_token": token(alice, "/contest/works-pages/submit"), "title": "坏截图", "url": "https://example.org/a",
        "datasets": [OPEN]}, files={"screenshot": ("shot.png", b"GIF89a not a png", "image/png")})
    assert bad.status_code == 422 and "PNG, JPEG or WebP" in bad.text and 'value="坏截图"' in bad.text
    made = alice.post("/contest/works-pages/submit", data={
        "csrf_token": token(alice, "/contest/works-pages/submit"), "title": "停车助手", "summary": "找车位",
        "url": "https://example.org/parking", "datasets": [OPEN]},
        files={"screenshot": ("shot.png", PNG, "image/png")})
    assert made.status_code == 303, made.text[:300]
    assert "待组织者审核" in page(alice, "/contest/works-pages/submit").plain
    anonymous = person(app)
    assert "停车助手" not in page(anonymous, "/contest/works-pages/showcase").plain  # not accepted yet
    assert not page(anonymous, f"/dataset/{OPEN}").all("section", id="contest-works")
    with Session(db.get_engine(STATE["settings"])) as session:
        work_id = session.exec(select(ContestWork.id).where(ContestWork.title == "停车助手")).one()
    screenshot = f"/contest/works-pages/works/{work_id}/screenshot"
    assert anonymous.get(screenshot).status_code == 404  # not shown before acceptance
    own = alice.get(screenshot)
    assert own.content == PNG and "no-store" in own.headers["cache-control"]  # its team sees it, uncached
    manage = page(org, "/contest/works-pages/manage")
    assert "停车助手" in manage.plain and "待审核" in manage.plain
    accepted = post(org, f"/contest/works-pages/manage/works/{work_id}/accept", "/contest/works-pages/manage",
                    {"award": "一等奖"})
    assert accepted.status_code == 303
    showcase = page(anonymous, "/contest/works-pages/showcase")
    assert "停车助手" in showcase.plain and "一等奖" in showcase.plain and "畅行者" in showcase.plain
    assert "https://example.org/parking" in showcase.links() and f"/dataset/{OPEN}" in showcase.links()
    assert showcase.all("img", src=screenshot)
    shot = TestClient(app).get(screenshot)  # no cookie at all: a shared cache may keep it
    assert shot.content == PNG and shot.headers["content-type"] == "image/png"
    assert shot.headers["cache-control"].startswith("public")
    # a visitor with a session cookie (every page view sets one, for its CSRF token) gets it private
    assert anonymous.get(screenshot).headers["cache-control"].startswith("private")
    dataset = page(anonymous, f"/dataset/{OPEN}")
    assert re.search(r"用于 \d+ 个竞赛作品", dataset.plain)
    assert f"/contest/works-pages/showcase#work-{work_id}" in dataset.links()
    assert not page(anonymous, f"/dataset/{CONDITIONAL}").all("section", id="contest-works")


# --- The organizer's pages --------------------------------------------------------------------------------------


def test_only_organizers_create_and_only_the_contests_organizer_manages(app):
    page(person(app), "/contests/new", 303)
    page(person(app, "alice"), "/contests/new", 403)
    assert page(person(app, "org"), "/contests/new").all("input", name="slug")
    org = person(app, "org")
    create_contest(org, "managed")
    page(person(app, "other-org"), "/contest/managed/manage", 404)  # a draft: someone else's, unknown
    publish(org, "managed")
    page(person(app, "other-org"), "/contest/managed/manage", 403)
    other = person(app, "other-org")
    refused = post(other, "/contest/managed/manage/publish", "/contests/new")
    assert refused.status_code == 403
    taken = post(org, "/contests/new", "/contests/new", {"slug": "managed", "title": "同名"})
    assert taken.status_code == 409 and 'value="同名"' in taken.text
    bad_time = post(org, "/contests/new", "/contests/new", {"slug": "bad-time", "title": "时间",
                                                            "data_opens": "2026-05-01T00:00",
                                                            "data_closes": "2026-04-01T00:00"})
    assert bad_time.status_code == 422 and "data_closes must be after data_opens" in bad_time.text


def test_form_times_are_beijing_time(app):
    org = person(app, "org")
    made = post(org, "/contests/new", "/contests/new", {
        "slug": "beijing-time", "title": "时间", "registration_opens": "2026-03-01T08:00",
        "registration_closes": "2026-03-31T08:00", "data_opens": "2026-03-01T08:00",
        "data_closes": "2026-04-30T08:00", "team_min": "2", "team_max": "3"})
    assert made.status_code == 303
    detail = org.get("/api/v1/contests/beijing-time").json()
    assert detail["registration_opens"] == "2026-03-01T00:00:00+00:00"
    assert (detail["team_min"], detail["team_max"]) == (2, 3)


def test_unknown_entry_and_repin_refusals_show_the_manage_page(app):
    org = person(app, "org")
    create_contest(org, "curating")
    unknown = post(org, "/contest/curating/manage/entries", "/contest/curating/manage", {"dataset": "no-such"})
    assert unknown.status_code == 404 and "no dataset named" in unknown.text
    twice = post(org, "/contest/curating/manage/entries", "/contest/curating/manage", {"dataset": OPEN})
    assert twice.status_code == 409
    entry = entry_ids_as(org, "curating")[OPEN]
    same = post(org, f"/contest/curating/manage/entries/{entry}/repin", "/contest/curating/manage")
    assert same.status_code == 409 and "already pinned" in same.text
    huge = post(org, f"/contest/curating/manage/entries/{2**40}/repin", "/contest/curating/manage")
    assert huge.status_code in (400, 404, 422)


def test_a_new_version_is_shown_and_repinned_from_the_manage_page(app):
    org = person(app, "org")
    create_contest(org, "repin-pages")
    added = post(org, "/contest/repin-pages/manage/entries", "/contest/repin-pages/manage",
                 {"dataset": MOVING, "full": "yes"})
    assert added.status_code == 303
    publish(org, "repin-pages")
    alice = team_up(app, "repin-pages", members=("alice",))["alice"]
    accept(alice, "repin-pages")
    entry = entry_ids("repin-pages")[MOVING]
    assert "有新版本" not in page(org, "/contest/repin-pages/manage").plain
    old = (STATE["folder"] / MOVING / "data" / "table.csv").read_bytes()
    write_package(STATE["folder"], MOVING, csv=csv_text(ROWS[:4]))  # the publisher adds a row
    settings = STATE["settings"]
    assert run_harvest(DataPackageHarvester(STATE["folder"], settings), settings=settings).tally.failed == 0
    download = f"/api/v1/contests/repin-pages/entries/{entry}/download"
    assert alice.get(download).content == old  # pinned: the contest still hands out the old version
    manage = page(org, "/contest/repin-pages/manage")
    repin_form = f"/contest/repin-pages/manage/entries/{entry}/repin"
    assert "有新版本" in manage.plain and repin_form in [f["action"] for f in manage.all("form")]
    moved = post(org, repin_form, "/contest/repin-pages/manage")
    assert moved.status_code == 303 and moved.headers["location"].endswith("done=repinned")
    after = page(org, "/contest/repin-pages/manage")
    assert "有新版本" not in after.plain and "已记录 1 次版本更新" in after.plain
    assert alice.get(download).content == (STATE["folder"] / MOVING / "data" / "table.csv").read_bytes() != old


def entry_ids_as(client: TestClient, slug: str) -> dict[str, int]:
    return {e["dataset"]: e["id"] for e in client.get(f"/api/v1/contests/{slug}").json()["entries"]}


# --- CSRF and escaping ------------------------------------------------------------------------------------------


def test_every_form_is_refused_without_its_csrf_token(app):
    org = person(app, "org")
    create_contest(org, "csrf-pages")
    publish(org, "csrf-pages")
    alice = team_up(app, "csrf-pages", members=("alice",))["alice"]
    carol = person(app, "carol")
    entry = entry_ids("csrf-pages")[OPEN]
    forms = [(org, "/contests/new", {"slug": "csrf-new", "title": "x"}),
             (org, "/contest/csrf-pages/manage/entries", {"dataset": OPEN}),
             (org, "/contest/csrf-pages/manage/publish", {}),
             (org, f"/contest/csrf-pages/manage/entries/{entry}/repin", {}),
             (org, "/contest/csrf-pages/manage/works/1/accept", {"award": "x"}),
             (carol, "/contest/csrf-pages/teams", {"name": "无令牌队"}),
             (carol, "/contest/csrf-pages/join", {"join_code": "AAAA2222"}),
             (alice, "/contest/csrf-pages/agreement", {"accept": "yes"}),
             (alice, "/contest/csrf-pages/submit", {"title": "无令牌", "url": "https://example.org"})]
    for client, path, data in forms:
        for sent in (data, data | {"csrf_token": "forged"}):
            answer = client.post(path, data=sent)
            assert answer.status_code == 403 and "CSRF" in answer.text, path
    with Session(db.get_engine(STATE["settings"])) as session:
        assert session.exec(select(Contest).where(Contest.slug == "csrf-new")).first() is None
        assert session.exec(select(ContestTeam).where(ContestTeam.name == "无令牌队")).first() is None
        assert session.exec(select(ContestWork).where(ContestWork.title == "无令牌")).first() is None
    assert "尚未同意协议" in page(alice, "/contest/csrf-pages").plain


def test_hostile_text_is_escaped_everywhere(app):
    org = person(app, "org")
    create_contest(org, "hostile", title=HOSTILE, description=HOSTILE, rules=HOSTILE, agreement=HOSTILE)
    publish(org, "hostile")
    alice = team_up(app, "hostile", members=("alice",), name=HOSTILE[:90])["alice"]
    accept(alice, "hostile")
    made = alice.post("/contest/hostile/submit", data={
        "csrf_token": token(alice, "/contest/hostile/submit"), "title": HOSTILE, "summary": HOSTILE,
        "url": "https://example.org/x?q=<b>", "datasets": [OPEN]},
        files={"screenshot": ("", b"", "application/octet-stream")})  # what a browser sends with no file chosen
    assert made.status_code == 303, made.text[:300]
    with Session(db.get_engine(STATE["settings"])) as session:
        work = session.exec(select(ContestWork).join(Contest, Contest.id == ContestWork.contest_id)
                            .where(Contest.slug == "hostile")).one()
        work_id = work.id
        assert work.screenshot is None  # the empty file field is no screenshot
    post(org, f"/contest/hostile/manage/works/{work_id}/accept", "/contest/hostile/manage", {"award": HOSTILE[:90]})
    for client, path in ((person(app), "/contests"), (alice, "/contest/hostile"), (org, "/contest/hostile/manage"),
                         (person(app), "/contest/hostile/showcase"), (alice, "/contest/hostile/submit"),
                         (person(app), f"/dataset/{OPEN}"), (person(app, "rev"), "/review/contests")):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert" in html, path


def test_every_contest_page_is_well_formed(app):
    """One h1, no skipped heading level, no inline script or style, every input labelled — for each viewer."""
    org = person(app, "org")
    create_contest(org, "well-formed")
    publish(org, "well-formed")
    alice = team_up(app, "well-formed", members=("alice",))["alice"]
    made = alice.post("/contest/well-formed/submit", data={
        "csrf_token": token(alice, "/contest/well-formed/submit"), "title": "作品", "url": "https://example.org",
        "datasets": [OPEN]}, files={"screenshot": ("shot.png", PNG, "image/png")})
    assert made.status_code == 303
    anonymous, carol, rev = person(app), person(app, "carol"), person(app, "rev")
    for client, url in ((anonymous, "/contests"), (org, "/contests"), (anonymous, "/contest/well-formed"),
                        (carol, "/contest/well-formed"), (alice, "/contest/well-formed"),
                        (org, "/contest/well-formed"), (anonymous, "/contest/well-formed/showcase"),
                        (alice, "/contest/well-formed/submit"), (org, "/contests/new"),
                        (org, "/contest/well-formed/manage"), (rev, "/review/contests")):
        assert_well_formed(get_page(client, url))
    accept(alice, "well-formed")
    assert_well_formed(get_page(alice, "/contest/well-formed"))
