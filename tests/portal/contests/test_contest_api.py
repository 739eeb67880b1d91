"""The contest API (/api/v1/contests) end to end on a small catalog (SQLite and PostgreSQL): the organizer's and a
team's journey, window and membership enforcement on every contest route, the department's consent, the package
zip checked by ``frictionless validate``, the download log and its CSV, works and the showcase, pinning across a
re-harvest."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from catalog import db
from catalog.contests import consents
from catalog.models import Account, AuditEvent, Contest, utcnow
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.accounts import account, cheap_hashing, new_key
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package

API = "/api/v1/contests"
OPEN, CONDITIONAL, MOVING = "ct-open", "ct-conditional", "ct-moving"
ROWS = [(i, f"R{i:03d}", "浦东新区", i) for i in range(1, 31)]
KEYS: dict[str, str] = {}
STATE: dict[str, object] = {}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(scope="module")
def client(tmp_path_factory, pg_database_url):
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("contests")
        cheap_hashing(monkeypatch)
        monkeypatch.setenv("ODP_PUBLIC_SAMPLE_ROWS", "4")
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        folder = root / "packages"
        folder.mkdir()
        write_package(folder, OPEN, csv=csv_text(ROWS))
        write_package(folder, CONDITIONAL, csv=csv_text(ROWS), open_class="conditional")
        write_package(folder, MOVING, csv=csv_text(ROWS[:5]))
        assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
        with Session(db.get_engine(settings)) as session:
            for name, role, departments in (("org", Role.organizer, ()), ("alice", Role.user, ()),
                                            ("bob", Role.user, ()), ("carol", Role.user, ()),
                                            ("dave", Role.user, ()), ("rev", Role.reviewer, ("jtw",))):
                KEYS[name] = new_key(session, settings, account(session, settings, f"{name}@example.org", role,
                                                                 departments))
            session.commit()
        STATE.update(settings=settings, folder=folder)
        with TestClient(create_app()) as test_client:
            yield test_client
        release(settings, pg_database_url)


def as_(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[who]}"}


def new_contest(client: TestClient, slug: str, **fields) -> dict:
    body = {"slug": slug, "title": f"{slug} 大赛", "theme": "智慧交通", **fields}
    created = client.post(API, json=body, headers=as_("org"))
    assert created.status_code == 201, created.text
    for dataset in (OPEN, CONDITIONAL):
        added = client.post(f"{API}/{slug}/entries", json={"dataset": dataset, "sample_rows": 10},
                            headers=as_("org"))
        assert added.status_code == 201, added.text
    assert client.post(f"{API}/{slug}/publish", headers=as_("org")).status_code == 200
    return client.get(f"{API}/{slug}").json()


def team_up(client: TestClient, slug: str, members=("alice", "bob"), accept=True) -> dict:
    team = client.post(f"{API}/{slug}/teams", json={"name": f"{slug}队"}, headers=as_(members[0]))
    assert team.status_code == 201, team.text
    for member in members[1:]:
        joined = client.post(f"{API}/{slug}/teams/join", json={"join_code": team.json()["join_code"]},
                             headers=as_(member))
        assert joined.status_code == 200, joined.text
    if accept:
        for member in members:
            assert client.post(f"{API}/{slug}/agreement", headers=as_(member)).status_code == 200
    return team.json()


def entry_ids(detail: dict) -> dict[str, int]:
    return {e["dataset"]: e["id"] for e in detail["entries"]}


def set_times(slug: str, **moments) -> None:
    with Session(db.get_engine(STATE["settings"])) as session:
        contest = session.exec(select(Contest).where(Contest.slug == slug)).one()
        for key, value in moments.items():
            setattr(contest, key, value)
        session.add(contest)
        session.commit()


def approve_consent(slug: str) -> None:
    with Session(db.get_engine(STATE["settings"])) as session:
        reviewer = session.exec(select(Account).where(Account.email == "rev@example.org")).one()
        (pending,) = [c for c in consents.visible(session, reviewer) if c.status == "pending"
                      and session.get(Contest, c.contest_id).slug == slug]
        consents.approve(session, reviewer, pending.id)
        session.commit()


def original_bytes(dataset: str) -> bytes:
    return (STATE["folder"] / dataset / "data" / "table.csv").read_bytes()


def error_code(response) -> str:
    return response.json()["error"]["code"]


# --- The journey --------------------------------------------------------------------------------------------


def test_the_organizers_and_a_teams_journey(client, tmp_path):
    detail = new_contest(client, "journey")
    assert detail["state"] == "open" and detail["team_min"] == 1 and detail["team_max"] == 5
    assert {e["dataset"]: e["status"] for e in detail["entries"]} == {OPEN: "ready", CONDITIONAL: "pending"}
    assert all(e["version"] and e["sha256"] for e in detail["entries"])
    assert "journey" in [c["slug"] for c in client.get(API).json()]
    ids = entry_ids(detail)

    team_up(client, "journey", accept=False)
    bundle = client.get(f"{API}/journey/bundle.zip", headers=as_("alice"))
    assert bundle.status_code == 403 and error_code(bundle) == "contest_agreement_required"
    for member in ("alice", "bob"):
        accepted = client.post(f"{API}/journey/agreement", headers=as_(member))
        assert accepted.status_code == 200 and accepted.json()["agreement_accepted"]
    me = client.get(f"{API}/journey", headers=as_("alice")).json()["membership"]
    assert me["members"] == 2 and me["team"] == "journey队"

    original = client.get(f"{API}/journey/entries/{ids[OPEN]}/download", headers=as_("alice"))
    assert original.status_code == 200 and original.content == original_bytes(OPEN)
    converted = client.get(f"{API}/journey/entries/{ids[OPEN]}/download", params={"format": "csv"},
                           headers=as_("bob"))
    assert converted.status_code == 200 and len(list(csv.DictReader(io.StringIO(converted.text)))) == len(ROWS)
    pending = client.get(f"{API}/journey/entries/{ids[CONDITIONAL]}/download", headers=as_("alice"))
    assert pending.status_code == 403 and error_code(pending) == "contest_consent_pending"

    first = client.get(f"{API}/journey/bundle.zip", headers=as_("alice"))
    assert first.status_code == 200 and first.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(first.content)) as archive:
        package = json.loads(archive.read("datapackage.json"))
        assert [r["name"] for r in package["resources"]] == [f"{OPEN}--table"]  # not the pending entry
    approve_consent("journey")
    second = client.get(f"{API}/journey/bundle.zip", headers=as_("bob"))
    path = tmp_path / "journey.zip"
    path.write_bytes(second.content)
    with zipfile.ZipFile(path) as archive:
        package = json.loads(archive.read("datapackage.json"))
        for resource in package["resources"]:
            data = archive.read(resource["path"])
            assert resource["bytes"] == len(data) and resource["hash"].startswith("sha256:")
            assert data == original_bytes(resource["name"].split("--")[0])
    assert {"name", "title", "version", "created", "licenses", "sources", "contributors"} <= set(package)
    assert package["name"] == "journey" and package["licenses"][0]["title"] == "大赛数据利用协议"
    assert len(package["resources"]) == 2
    assert_frictionless_valid(path, tmp_path)

    report = client.get(f"{API}/journey/downloads", headers=as_("org"))
    assert report.status_code == 200
    lines = {(r["member"], r["dataset"]): r for r in report.json()}
    assert lines[("alice@example.org", OPEN)]["downloads"] == 2  # the entry, then in the first zip
    assert lines[("bob@example.org", CONDITIONAL)]["downloads"] == 1
    assert lines[("alice@example.org", OPEN)]["bytes"] == 2 * len(original_bytes(OPEN))
    assert ("alice@example.org", CONDITIONAL) not in lines
    with Session(db.get_engine(STATE["settings"])) as session:  # conditional reads are audited like grant reads
        audited = session.exec(select(AuditEvent).where(AuditEvent.event == "data_read")).all()
        assert [e.detail for e in audited if "journey" in (e.detail or "")] == [
            f"contest journey, entry {ids[CONDITIONAL]}, bundle"]
    table = client.get(f"{API}/journey/downloads.csv", headers=as_("org"))
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert table.status_code == 200 and len(rows) == len(lines) and rows[0]["team"] == "journey队"
    for who in ("alice", "carol"):
        assert client.get(f"{API}/journey/downloads", headers=as_(who)).status_code == 403

    work = client.post(f"{API}/journey/works", headers=as_("bob"), json={
        "title": "停车助手", "summary": "实时空位", "url": "https://example.org/parking", "datasets": [OPEN],
        "screenshot": base64.b64encode(PNG).decode()})
    assert work.status_code == 201, work.text
    assert work.json()["screenshot"] and not work.json()["accepted"]
    assert client.get(f"{API}/journey/works").json() == []  # the showcase waits for the organizer
    assert len(client.get(f"{API}/journey/works", headers=as_("alice")).json()) == 1  # its own team sees it
    accepted = client.post(f"{API}/journey/works/{work.json()['id']}/accept", json={"award": "一等奖"},
                           headers=as_("org"))
    assert accepted.status_code == 200 and accepted.json()["award"] == "一等奖"
    (shown,) = client.get(f"{API}/journey/works").json()
    assert shown["title"] == "停车助手" and shown["datasets"] == [OPEN] and shown["team"] == "journey队"

    set_times("journey", data_closes=utcnow() - timedelta(seconds=1),
              registration_closes=utcnow() - timedelta(seconds=2))
    closed = client.get(f"{API}/journey/bundle.zip", headers=as_("alice"))
    assert closed.status_code == 403 and error_code(closed) == "contest_data_closed"
    assert "数据销毁承诺" in closed.json()["error"]["message"]
    assert "数据销毁承诺" in client.get(f"{API}/journey", headers=as_("alice")).json()["notice"]
    assert client.get(f"{API}/journey").json()["state"] == "finished"


def assert_frictionless_valid(path: Path, tmp_path: Path) -> None:
    """``frictionless validate`` on the zip as downloaded, and on the package extracted from it."""
    frictionless = str(Path(sys.executable).with_name("frictionless"))
    run = subprocess.run([frictionless, "validate", "--json", str(path)], capture_output=True, text=True, check=False,
                         timeout=120)
    report = json.loads(run.stdout)
    assert report["valid"], run.stdout[:2000]
    folder = tmp_path / "extracted"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    run = subprocess.run([frictionless, "validate", "--json", str(folder / "datapackage.json")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert json.loads(run.stdout)["valid"], run.stdout[:2000]


def test_an_invalid_bundle_is_caught_by_frictionless(client, tmp_path):
    """The oracle can fail: a zip whose file no longer matches its declared hash is reported invalid."""
    detail = new_contest(client, "tamper")
    team_up(client, "tamper", members=("carol",))
    path = tmp_path / "tamper.zip"
    path.write_bytes(client.get(f"{API}/tamper/bundle.zip", headers=as_("carol")).content)
    with zipfile.ZipFile(path) as archive:
        names = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    data_path = next(n for n in names if n.startswith("data/"))
    names[data_path] = names[data_path].replace(b"R001", b"X001")
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    run = subprocess.run([str(Path(sys.executable).with_name("frictionless")), "validate", "--json", str(path)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert not json.loads(run.stdout)["valid"]
    assert entry_ids(detail)


# --- Samples and drafts -------------------------------------------------------------------------------------


def test_samples_are_public_and_capped_for_conditional_data(client):
    ids = entry_ids(new_contest(client, "samples"))
    open_sample = client.get(f"{API}/samples/entries/{ids[OPEN]}/sample")
    assert open_sample.status_code == 200 and open_sample.headers["content-type"].startswith("text/csv")
    assert [r["name"] for r in csv.DictReader(io.StringIO(open_sample.text))] == [f"R{i:03d}" for i in range(1, 11)]
    conditional = client.get(f"{API}/samples/entries/{ids[CONDITIONAL]}/sample")
    assert len(list(csv.DictReader(io.StringIO(conditional.text)))) == 4  # ODP_PUBLIC_SAMPLE_ROWS
    assert client.get(f"{API}/samples/entries/999999/sample").status_code == 404
    (sample_only,) = client.post(f"{API}/samples/entries", json={"dataset": MOVING, "sample_rows": 3, "full": False},
                                 headers=as_("org")).json()
    assert sample_only["full"] is False and sample_only["status"] == "ready"
    team_up(client, "samples", members=("dave",))
    public = client.get(f"{API}/samples/entries/{sample_only['id']}/sample")
    assert len(list(csv.DictReader(io.StringIO(public.text)))) == 3
    refused = client.get(f"{API}/samples/entries/{sample_only['id']}/download", headers=as_("dave"))
    assert refused.status_code == 403 and error_code(refused) == "contest_full_not_offered"
    assert client.get(f"{API}/samples/entries/{ids[OPEN]}/download", headers=as_("dave")).status_code == 200
    with zipfile.ZipFile(io.BytesIO(client.get(f"{API}/samples/bundle.zip", headers=as_("dave")).content)) as archive:
        names = [r["name"] for r in json.loads(archive.read("datapackage.json"))["resources"]]
    assert names == [f"{OPEN}--table"]  # neither the sample-only entry nor the one waiting for consent


def test_a_draft_is_known_only_to_its_organizer(client):
    assert client.post(API, json={"slug": "draft", "title": "草稿"}, headers=as_("org")).status_code == 201
    assert client.get(f"{API}/draft", headers=as_("org")).status_code == 200
    for headers in ({}, as_("alice")):
        assert client.get(f"{API}/draft", headers=headers).status_code == 404
        assert "draft" not in [c["slug"] for c in client.get(API, headers=headers).json()]
    refused = client.post(API, json={"slug": "mine", "title": "T"}, headers=as_("alice"))
    assert refused.status_code == 403 and error_code(refused) == "organizer_required"
    assert client.post(API, json={"slug": "draft", "title": "again"}, headers=as_("org")).status_code == 409
    assert client.post(API, json={"slug": "x y", "title": "T"}, headers=as_("org")).status_code == 422
    assert client.post(f"{API}/draft/publish", headers=as_("alice")).status_code == 404


# --- Enforcement on every route -----------------------------------------------------------------------------


def test_every_contest_route_enforces_membership_and_windows(client):
    ids = entry_ids(new_contest(client, "guard"))
    approve_consent("guard")
    team = team_up(client, "guard", members=("dave",), accept=False)
    entry = f"{API}/guard/entries/{ids[OPEN]}"
    member_data = [f"{entry}/download", f"{entry}/download?format=parquet", f"{API}/guard/bundle.zip"]
    organizer_only = [f"{API}/guard/downloads", f"{API}/guard/downloads.csv"]
    for url in member_data + organizer_only:
        assert client.get(url).status_code == 401, url
        assert error_code(client.get(url)) == "login_required", url
    for url in member_data:
        refused = client.get(url, headers=as_("carol"))
        assert refused.status_code == 403 and error_code(refused) == "contest_not_member", url
        refused = client.get(url, headers=as_("dave"))
        assert refused.status_code == 403 and error_code(refused) == "contest_agreement_required", url
    for url in organizer_only:
        refused = client.get(url, headers=as_("dave"))
        assert refused.status_code == 403 and error_code(refused) == "contest_organizer_only", url
        assert client.get(url, headers=as_("org")).status_code == 200, url
    assert client.post(f"{API}/guard/agreement", headers=as_("dave")).status_code == 200
    for url in member_data:
        assert client.get(url, headers=as_("dave")).status_code == 200, url
    # Writes need an account and the right role or membership.
    writes = [(f"{API}/guard/entries", {"dataset": MOVING}), (f"{API}/guard/publish", None),
              (f"{API}/guard/teams", {"name": "新队"}), (f"{API}/guard/teams/join", {"join_code": team["join_code"]}),
              (f"{API}/guard/agreement", None),
              (f"{API}/guard/works", {"title": "T", "url": "https://example.org", "datasets": []})]
    for url, body in writes:
        assert client.post(url, json=body).status_code == 401, url
    for url, body in writes[:2]:
        refused = client.post(url, json=body, headers=as_("carol"))
        assert refused.status_code == 403 and error_code(refused) == "contest_organizer_only", url
    for url, body in writes[4:]:
        refused = client.post(url, json=body, headers=as_("carol"))
        assert refused.status_code == 403 and error_code(refused) == "contest_not_member", url
    # The data window: not yet open, then closed.
    set_times("guard", data_opens=utcnow() + timedelta(days=1), data_closes=utcnow() + timedelta(days=2))
    for url in member_data:
        refused = client.get(url, headers=as_("dave"))
        assert refused.status_code == 403 and error_code(refused) == "contest_data_closed", url
    set_times("guard", data_opens=utcnow() - timedelta(days=2), data_closes=utcnow() - timedelta(days=1))
    for url in member_data:
        refused = client.get(url, headers=as_("dave"))
        assert error_code(refused) == "contest_data_closed" and "数据销毁承诺" in refused.json()["error"]["message"]
    # Registration closed: teams are locked.
    set_times("guard", registration_closes=utcnow() - timedelta(seconds=1))
    for url, body in writes[2:4]:
        refused = client.post(url, json=body, headers=as_("carol"))
        assert refused.status_code == 403 and error_code(refused) == "contest_registration_closed", url
    # Public routes stay public.
    for url in (API, f"{API}/guard", f"{API}/guard/works", f"{entry}/sample"):
        assert client.get(url).status_code == 200, url
    for url in (f"{API}/nope", f"{API}/nope/works", f"{API}/nope/bundle.zip", f"{API}/nope/entries/1/sample"):
        assert client.get(url, headers=as_("dave")).status_code == 404, url


def test_team_size_is_enforced_over_the_api(client):
    new_contest(client, "small", team_max=2)
    team = team_up(client, "small", members=("alice", "bob"), accept=False)
    full = client.post(f"{API}/small/teams/join", json={"join_code": team["join_code"]}, headers=as_("carol"))
    assert full.status_code == 409 and error_code(full) == "contest_team_full"
    twice = client.post(f"{API}/small/teams", json={"name": "另一队"}, headers=as_("alice"))
    assert twice.status_code == 409 and error_code(twice) == "contest_already_in_team"


# --- Pinning ------------------------------------------------------------------------------------------------


def test_the_contest_keeps_the_old_bytes_after_a_reharvest(client):
    created = client.post(API, json={"slug": "pinned", "title": "T"}, headers=as_("org"))
    assert created.status_code == 201
    (entry,) = client.post(f"{API}/pinned/entries", json={"dataset": MOVING}, headers=as_("org")).json()
    client.post(f"{API}/pinned/publish", headers=as_("org"))
    team_up(client, "pinned", members=("carol",))
    old = original_bytes(MOVING)
    settings, folder = STATE["settings"], STATE["folder"]
    write_package(folder, MOVING, csv=csv_text(ROWS[5:12]))
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.updated == 1
    url = f"{API}/pinned/entries/{entry['id']}/download"
    assert client.get(url, headers=as_("carol")).content == old
    portal = client.get(f"/api/v1/datasets/{MOVING}/resources/table/download")
    assert portal.content == original_bytes(MOVING) != old
    repinned = client.post(f"{API}/pinned/entries/{entry['id']}/repin", headers=as_("org"))
    assert repinned.status_code == 200 and repinned.json()["version"] != entry["version"]
    assert client.get(url, headers=as_("carol")).content == original_bytes(MOVING)


# --- Hostile input -------------------------------------------------------------------------------------------


def test_hostile_input_is_refused_in_the_error_shape_never_a_500(client):
    new_contest(client, "hostile")
    team_up(client, "hostile", members=("dave",))
    nul = "a\x00b"
    calls = [
        (API, {"slug": "ok-slug", "title": nul}, "org"),
        (API, {"slug": "ok-slug", "title": "T", "data_opens": "9999-12-31T23:59:59-12:00"}, "org"),
        (API, {"slug": "ok-slug", "title": "T", "registration_opens": "2015-02-30"}, "org"),
        (API, {"slug": "ok-slug", "title": "T", "team_max": 0}, "org"),
        (API, {"slug": "ok-slug", "title": "T", "surprise": 1}, "org"),
        (f"{API}/hostile/entries", {"dataset": nul}, "org"),
        (f"{API}/hostile/entries", {"dataset": OPEN, "sample_rows": 10**9}, "org"),
        (f"{API}/hostile/teams/join", {"join_code": nul}, "alice"),
        (f"{API}/hostile/works", {"title": "T", "summary": nul, "url": "https://example.org"}, "dave"),
        (f"{API}/hostile/works", {"title": "T", "url": "http://[::1"}, "dave"),
        (f"{API}/hostile/works", {"title": "T", "url": "https://example.org", "datasets": [nul]}, "dave"),
        (f"{API}/hostile/works", {"title": "T", "url": "https://example.org", "screenshot": "not base64!"}, "dave"),
        (f"{API}/hostile/entries/{2**40}/repin", None, "org"),
        (f"{API}/hostile/works/{2**40}/accept", {"award": "x"}, "org"),
    ]
    for url, body, who in calls:
        response = client.post(url, json=body, headers=as_(who))
        assert 400 <= response.status_code < 500, (url, body, response.status_code, response.text[:300])
        assert set(response.json()["error"]) >= {"code", "message"}, (url, body)
    for url in (f"{API}/hostile/entries/{2**40}/sample", f"{API}/hostile/entries/{2**40}/download",
                f"{API}/hostile/entries/1/download?format=pdf"):
        response = client.get(url, headers=as_("dave"))
        assert response.status_code == 422 and response.json()["error"]["code"], url
