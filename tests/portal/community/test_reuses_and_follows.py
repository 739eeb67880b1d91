"""Reuses (应用/成果) and follows, API and pages (SQLite and PostgreSQL): submitting (anonymous 401, bad URL, unknown
or closed datasets 422), images (re-encoded without metadata, bounded, non-images 422), approval (admins only),
listing (approved only; contest works derived from accepted works of published contests; datasets named only
when listed), escaping and rel="nofollow ugc" on the pages."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from catalog import db
from catalog.community import images
from catalog.models import (
    Account,
    Contest,
    ContestTeam,
    ContestWork,
    ContestWorkDataset,
    Dataset,
    Reuse,
    utcnow,
)
from catalog.vocabulary import DatasetState, Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.accounts import PASSWORD, account, cheap_hashing, new_key
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package
from tests.support.pages import Page, assert_well_formed

API = "/api/v1"
OPEN, OTHER, CLOSED, GONE = "ru-open", "ru-other", "ru-closed", "ru-gone"
HOSTILE = ('<script>alert("x")</script><img src=x onerror=alert(1)>'
           '"><svg onload=alert(2)>\' onmouseover=\'alert(3)')
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STATE: dict = {}


@pytest.fixture(scope="module")
def client(tmp_path_factory, pg_database_url):
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("reuses")
        cheap_hashing(monkeypatch)
        monkeypatch.setenv("ODP_POST_LIMIT", "")
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        folder = root / "packages"
        folder.mkdir()
        for name, open_class in ((OPEN, "open"), (OTHER, "open"), (CLOSED, "closed"), (GONE, "open")):
            write_package(folder, name, open_class=open_class)
        assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
        with Session(db.get_engine(settings)) as session:
            for name, role in (("alice", Role.user), ("bob", Role.user), ("root", Role.admin),
                               ("org", Role.organizer)):
                STATE[name] = new_key(session, settings, account(session, settings, f"{name}@example.org", role))
            session.commit()
        STATE["settings"], STATE["folder"] = settings, folder
        with TestClient(create_app(), follow_redirects=False) as test_client:
            yield test_client
        release(settings, pg_database_url)


def as_(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {STATE[who]}"}


def session() -> Session:
    return Session(db.get_engine(STATE["settings"]))


def login(app, who: str) -> TestClient:
    browser = TestClient(app, follow_redirects=False)
    answer = browser.post("/login", data={"csrf_token": token(browser, "/login"), "email": f"{who}@example.org",
                                          "password": PASSWORD})
    assert answer.status_code == 303
    return browser


def token(browser: TestClient, path: str) -> str:
    found = TOKEN.search(browser.get(path).text)
    assert found, path
    return found.group(1)


def png_with_metadata(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPSInfo: a latitude
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def submit(who: str, **changes) -> dict:
    body = {"title": "停车导航", "url": "https://example.org/app", "description": "实时空余泊位地图",
            "datasets": [OPEN]} | changes
    answer = TestClient.post(STATE["client"], f"{API}/reuses", json=body, headers=as_(who))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_submit_approve_and_list(client):
    STATE["client"] = client
    assert client.post(f"{API}/reuses", json={"title": "t", "url": "https://a.example", "description": "d",
                                              "datasets": [OPEN]}).status_code == 401
    for bad in ({"url": "javascript:alert(1)"}, {"datasets": []}, {"datasets": ["nope"]}, {"datasets": [CLOSED]},
                {"kind": "poster"}, {"title": ""}, {"description": "a\x00b"}):
        body = {"title": "t", "url": "https://a.example", "description": "d", "datasets": [OPEN]} | bad
        assert client.post(f"{API}/reuses", json=body, headers=as_("alice")).status_code == 422, bad
    made = submit("alice", kind="visualization", datasets=[OPEN, OTHER])
    assert made["approved"] is False and made["kind"] == "visualization"
    assert set(made["datasets"]) == {OPEN, OTHER}
    assert client.get(f"{API}/reuses").json()["count"] == 0  # approved ones only
    assert client.get(f"{API}/reuses/{made['id']}").status_code == 404  # pending: not for the public
    assert client.get(f"{API}/reuses/{made['id']}", headers=as_("alice")).status_code == 200  # its submitter
    for who in ("alice", "bob", "org"):
        assert client.post(f"{API}/reuses/{made['id']}/approve", headers=as_(who)).status_code == 403, who
    assert client.post(f"{API}/reuses/{made['id']}/approve").status_code == 401
    approved = client.post(f"{API}/reuses/{made['id']}/approve", headers=as_("root"))
    assert approved.status_code == 200 and approved.json()["approved"] is True
    assert client.post(f"{API}/reuses/999999/approve", headers=as_("root")).status_code == 404
    listed = client.get(f"{API}/reuses").json()
    assert [r["id"] for r in listed["results"]] == [made["id"]]
    assert client.get(f"{API}/reuses", params={"dataset": OTHER}).json()["count"] == 1
    assert client.get(f"{API}/reuses", params={"kind": "article"}).json()["count"] == 0
    assert client.get(f"{API}/reuses", params={"kind": "visualization"}).json()["count"] == 1
    assert client.get(f"{API}/reuses", params={"kind": "poster"}).status_code == 422
    STATE["reuse"] = made["id"]


def test_images_are_reencoded_bounded_and_refused_when_not_images(client):
    reuse = STATE["reuse"]
    upload = {"image": ("photo.jpg", png_with_metadata(), "image/jpeg")}
    assert client.post(f"{API}/reuses/{reuse}/image", files=upload, headers=as_("bob")).status_code == 403
    answer = client.post(f"{API}/reuses/{reuse}/image", files=upload, headers=as_("alice"))
    assert answer.status_code == 200 and answer.json()["image"] == f"/reuses/{reuse}/image"
    served = client.get(f"/reuses/{reuse}/image")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert b"secret description" not in served.content
    assert not Image.open(io.BytesIO(served.content)).getexif()  # no EXIF, no GPS
    tiff = io.BytesIO()
    Image.new("RGB", (10, 10)).save(tiff, "TIFF")  # an image, but not a format that is decoded
    for name, data in (("evil.png", b"<svg onload=alert(1)>"), ("empty.png", b""), ("scan.png", tiff.getvalue()),
                       ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (images.MAX_BYTES + 10))):
        refused = client.post(f"{API}/reuses/{reuse}/image", files={"image": (name, data, "image/png")},
                              headers=as_("alice"))
        assert refused.status_code == 422, name
    huge = io.BytesIO()
    Image.new("1", (9000, 9000)).save(huge, "PNG")  # small file, 81 M pixels: refused before decoding
    assert len(huge.getvalue()) < images.MAX_BYTES
    refused = client.post(f"{API}/reuses/{reuse}/image", files={"image": ("bomb.png", huge.getvalue(), "image/png")},
                          headers=as_("alice"))
    assert refused.status_code == 422 and "pixels" in refused.json()["error"]["message"]
    wide, _ = images.reencode(png_with_metadata((4000, 1000)))
    assert Image.open(io.BytesIO(wide)).size == (images.MAX_SIDE, 400)


def test_contest_works_accepted_by_the_organizer_are_reuses_of_their_contest(client):
    with session() as db_session:
        org = db_session.exec(select(Account).where(Account.email == "org@example.org")).one()
        now = utcnow()
        contest = Contest(slug="ru-contest", title="开放数据大赛", organizer_id=org.id, registration_opens=now,
                          registration_closes=now + timedelta(days=1), data_opens=now,
                          data_closes=now + timedelta(days=2), published=now)
        db_session.add(contest)
        db_session.flush()
        team = ContestTeam(contest_id=contest.id, name="换乘小队", join_code="RU-JOIN-1", created_by=org.id)
        db_session.add(team)
        db_session.flush()
        ids = {d.name: d.id for d in db_session.exec(select(Dataset))}
        for title, accepted in (("换乘助手", now), ("未采纳的作品", None)):
            work = ContestWork(contest_id=contest.id, team_id=team.id, submitted_by=org.id, title=title,
                               summary=HOSTILE, url="https://example.org/work", accepted=accepted)
            db_session.add(work)
            db_session.flush()
            for name in (OPEN, GONE):
                db_session.add(ContestWorkDataset(work_id=work.id, dataset_id=ids[name]))
        gone = db_session.exec(select(Dataset).where(Dataset.name == GONE)).one()
        gone.state = DatasetState.withdrawn  # withdrawn after the work used it
        db_session.add(gone)
        db_session.commit()
    found = client.get(f"{API}/reuses", params={"kind": "contest"}).json()["results"]
    assert [r["title"] for r in found] == ["换乘助手"]
    assert found[0]["contest"]["slug"] == "ru-contest" and found[0]["author"] == "换乘小队"
    assert found[0]["datasets"] == [OPEN]  # the withdrawn dataset is not named
    assert client.get(f"{API}/reuses", params={"dataset": GONE}).json()["count"] == 0
    assert {r["title"] for r in client.get(f"{API}/reuses", params={"dataset": OPEN}).json()["results"]} == {
        "停车导航", "换乘助手"}
    with session() as db_session:  # derived, not copied
        assert len(db_session.exec(select(Reuse)).all()) == 1


def test_reuse_pages_escape_and_mark_links_ugc(client):
    alice, root = login(client.app, "alice"), login(client.app, "root")
    assert TestClient(client.app, follow_redirects=False).get("/reuses/new").status_code == 303  # login first
    form = {"csrf_token": token(alice, "/reuses/new"), "title": HOSTILE, "url": "https://example.org/x?a=1&b=2",
            "description": HOSTILE + " https://example.org/more", "kind": "article", "datasets": f"{OPEN}，{OTHER}"}
    assert alice.post("/reuses/new", data=form | {"csrf_token": "forged"}).status_code == 403
    refused = alice.post("/reuses/new", data=form | {"url": "ftp://x"})
    assert refused.status_code == 422 and "&lt;script&gt;" in refused.text  # the form keeps the text, escaped
    made = alice.post("/reuses/new", data=form, files={"image": ("x.jpg", png_with_metadata(), "image/jpeg")})
    assert made.status_code == 303 and made.headers["location"] == "/reuses?done=submitted"
    mine = alice.get("/reuses").text
    assert "我提交的待审核作品" in mine and "待审核" in mine
    queue = root.get("/review/community").text
    pending = re.search(r'action="/reuses/(\d+)/approve"', queue)
    assert pending and "&lt;script&gt;" in queue
    assert alice.post(f"/reuses/{pending.group(1)}/approve", data={"csrf_token": token(alice, "/reuses/new")}
                      ).status_code == 403
    assert root.post(f"/reuses/{pending.group(1)}/approve",
                     data={"csrf_token": token(root, "/review/community")}).status_code == 303
    anonymous = TestClient(client.app)
    for path in ("/reuses", f"/reuses?dataset={OPEN}&kind=article", f"/dataset/{OPEN}"):
        answer = anonymous.get(path)
        assert answer.status_code == 200, path
        html = answer.text
        assert "<script>alert" not in html and "<img src=x" not in html and "<svg onload" not in html, path
        assert "&lt;script&gt;alert(" in html, path
        shown = Page(html)
        assert_well_formed(shown)
        assert shown.all("a", href="https://example.org/x?a=1&b=2", rel="nofollow ugc noopener"), path
        assert shown.all("a", href="https://example.org/more", rel="nofollow ugc"), path
    assert 'src="/reuses/' in anonymous.get("/reuses").text
    listed = anonymous.get(f"/reuses?dataset={OTHER}").text
    assert "换乘助手" not in listed and "停车导航" in listed
    assert "换乘助手" in anonymous.get("/reuses?kind=contest").text


ATOM = "{http://www.w3.org/2005/Atom}"


def atom_titles(client: TestClient, path: str) -> list[str]:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.text[:200])
    assert answer.headers["content-type"].startswith("application/atom+xml")
    return [e.findtext(f"{ATOM}title") for e in ET.fromstring(answer.content).iter(f"{ATOM}entry")]


def test_follow_a_dataset_and_see_its_changes_on_account_and_in_its_feed(client):
    assert client.post(f"{API}/datasets/{OPEN}/follow").status_code == 401
    assert client.post(f"{API}/datasets/{CLOSED}/follow", headers=as_("bob")).status_code == 404
    for _ in range(2):  # following again changes nothing
        answer = client.post(f"{API}/datasets/{OPEN}/follow", headers=as_("bob"))
        assert answer.status_code == 200 and answer.json() == {"dataset": OPEN, "following": True}
    assert client.get(f"{API}/follows", headers=as_("bob")).json() == []  # nothing new since following
    settings = STATE["settings"]
    write_package(STATE["folder"], OPEN, csv=csv_text([(1, "新版本", "黄浦区", 9)]))
    assert run_harvest(DataPackageHarvester(STATE["folder"], settings), settings=settings).tally.failed == 0
    with session() as db_session:  # the harvest brought back the dataset an earlier test withdrew by hand
        gone = db_session.exec(select(Dataset).where(Dataset.name == GONE)).one()
        gone.state = DatasetState.withdrawn
        db_session.add(gone)
        db_session.commit()
    request = client.post(f"{API}/requests", json={"title": "<b>泊位</b>需求", "description": "d",
                                                    "domain": "transport"}, headers=as_("alice")).json()
    client.post(f"{API}/requests/{request['id']}/answer", json={"status": "published", "message": "已开放",
                                                                "dataset": OPEN}, headers=as_("root"))
    kinds = [c["kind"] for c in client.get(f"{API}/follows", headers=as_("bob")).json()]
    assert sorted(kinds) == ["request_answered", "version"]
    assert client.get(f"{API}/follows", headers=as_("alice")).json() == []  # alice follows nothing
    bob = login(client.app, "bob")
    account = bob.get("/account").text
    assert "关注的数据集（1）" in account and "有新版本" in account and "&lt;b&gt;泊位&lt;/b&gt;需求" in account
    titles = atom_titles(client, f"/feeds/dataset/{OPEN}.atom")
    assert any("有新版本" in t for t in titles) and "数据需求「<b>泊位</b>需求」已开放" in titles  # XML-escaped text
    assert client.get(f"/feeds/dataset/{CLOSED}.atom").status_code == 404
    assert client.get(f"/feeds/dataset/{GONE}.atom").status_code == 410
    assert "<b>泊位</b>需求" in atom_titles(client, "/feeds/requests.atom")
    page = bob.get(f"/dataset/{OPEN}").text
    assert "取消关注" in page and f'href="/feeds/dataset/{OPEN}.atom"' in page
    form = {"csrf_token": token(bob, f"/dataset/{OPEN}"), "action": "unfollow"}
    assert bob.post(f"/dataset/{OPEN}/follow", data=form | {"csrf_token": "forged"}).status_code == 403
    assert bob.post(f"/dataset/{OPEN}/follow", data=form).status_code == 303
    assert "关注此数据集" in bob.get(f"/dataset/{OPEN}").text and "关注的数据集（0）" in bob.get("/account").text
    with session() as db_session:  # withdrawn: its changes leave the follower's list
        gone = db_session.exec(select(Dataset).where(Dataset.name == OTHER)).one()
        assert client.post(f"{API}/datasets/{OTHER}/follow", headers=as_("alice")).status_code == 200
        gone.state = DatasetState.withdrawn
        db_session.add(gone)
        db_session.commit()
    assert client.delete(f"{API}/datasets/{OPEN}/follow", headers=as_("bob")).json()["following"] is False
    assert "关注的数据集（0）" in login(client.app, "alice").get("/account").text
