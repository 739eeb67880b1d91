"""The keys and applications API end to end: a key made over the API, an application, a reviewer of another
department (404), approval, data served, revocation (403 again)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from catalog import db
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.accounts import account, cheap_hashing, new_key
from tests.support.packages import csv_text, write_package

NAME = "api-conditional"
ROWS = f"/api/v1/datasets/{NAME}/resources/table/rows"


@pytest.fixture
def client(tmp_path, monkeypatch, pg_database_url):
    from tests.support.catalog import fresh_settings, release

    cheap_hashing(monkeypatch)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    write_package(folder, NAME, csv=csv_text([(1, "SECRET1", "浦东新区", 1)]), open_class="conditional")
    write_package(folder, "api-open", csv=csv_text([(1, "A", "浦东新区", 1)]), open_class="open")
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        slug = session.exec(text("SELECT d.name FROM department d JOIN dataset s ON s.department_id = d.id "
                                 "WHERE s.name = :n").bindparams(n=NAME)).scalar_one()
        session.exec(text("INSERT INTO department (name, title) VALUES ('other-dept', '其他')"))
        keys = {"user": new_key(session, settings, account(session, settings, "u@example.org")),
                "ours": new_key(session, settings, account(session, settings, "o@example.org", Role.reviewer, (slug,))),
                "theirs": new_key(session, settings,
                                  account(session, settings, "t@example.org", Role.reviewer, ("other-dept",)))}
        session.commit()
    with TestClient(create_app()) as test_client:
        test_client.keys = keys
        yield test_client
    release(settings, pg_database_url)


def as_(client, who):
    return {"Authorization": f"Bearer {client.keys[who]}"}


def test_keys_over_the_api(client):
    assert client.get("/api/v1/keys").status_code == 401
    made = client.post("/api/v1/keys", json={"name": "laptop", "days": 30}, headers=as_(client, "user"))
    assert made.status_code == 201 and made.json()["key"].startswith("odp_")
    listed = client.get("/api/v1/keys", headers={"X-API-Key": made.json()["key"]}).json()
    assert {k["name"] for k in listed} == {"test", "laptop"} and all("key" not in k for k in listed)
    assert client.delete(f"/api/v1/keys/{made.json()['id']}", headers=as_(client, "ours")).status_code == 404
    assert client.delete(f"/api/v1/keys/{made.json()['id']}", headers=as_(client, "user")).json()["revoked"]
    assert client.get("/api/v1/keys", headers={"X-API-Key": made.json()["key"]}).status_code == 401


def test_apply_review_read_revoke(client):
    body = {"purpose": "研究", "scenario": "分析", "organization": "大学", "days": 30, "accept_agreement": True}
    assert client.post(f"/api/v1/datasets/{NAME}/applications", json=body).status_code == 401
    assert client.post("/api/v1/datasets/api-open/applications", json=body, headers=as_(client, "user")
                       ).status_code == 409
    assert client.post("/api/v1/datasets/nope/applications", json=body, headers=as_(client, "user")
                       ).status_code == 404
    made = client.post(f"/api/v1/datasets/{NAME}/applications", json=body, headers=as_(client, "user"))
    assert made.status_code == 201 and made.json()["status"] == "pending"
    assert client.post(f"/api/v1/datasets/{NAME}/applications", json=body, headers=as_(client, "user")
                       ).status_code == 409
    app_id = made.json()["id"]
    assert client.get("/api/v1/applications?status=pending", headers=as_(client, "theirs")).json() == []
    assert [a["id"] for a in client.get("/api/v1/applications?status=pending", headers=as_(client, "ours")).json()
            ] == [app_id]
    assert client.post(f"/api/v1/applications/{app_id}/approve", json={}, headers=as_(client, "theirs")
                       ).status_code == 404
    assert client.get(ROWS, headers=as_(client, "user")).status_code == 403
    approved = client.post(f"/api/v1/applications/{app_id}/approve", json={"days": 7}, headers=as_(client, "ours"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["grant_expires"]
    served = client.get(ROWS, headers=as_(client, "user"))
    assert served.status_code == 200 and "SECRET1" in served.text
    assert client.get(ROWS, headers=as_(client, "ours")).status_code == 403  # the reviewer holds no grant
    revoked = client.post(f"/api/v1/applications/{app_id}/revoke", json={"reason": "滥用"},
                          headers=as_(client, "ours"))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    refused = client.get(ROWS, headers=as_(client, "user"))
    assert refused.status_code == 403 and "SECRET1" not in refused.text


def test_the_agreement_is_read_before_applying_and_its_hash_kept(client):
    """GET …/agreement shows the text an application accepts; an application sending that text's hash is kept
    with it; one sending a stale hash (the department changed its text meanwhile) is refused."""
    from catalog.accounts import agreements

    shown = client.get(f"/api/v1/datasets/{NAME}/agreement")
    assert shown.status_code == 200
    first = shown.json()
    assert first["own"] is False and first["sha256"] == agreements.digest(first["text"]) and first["department"]
    assert first["required"] is True
    assert client.get("/api/v1/datasets/api-open/agreement").json()["required"] is False  # open: none needed
    assert client.get("/api/v1/datasets/nope/agreement").status_code == 404

    body = {"purpose": "研究", "scenario": "分析", "organization": "大学", "days": 30, "accept_agreement": True}
    from catalog.config import get_settings

    with Session(db.get_engine(get_settings())) as session:
        agreements.set_agreement(session, first["department"], "本部门的专门协议：数据仅用于研究。")
        session.commit()
    changed = client.get(f"/api/v1/datasets/{NAME}/agreement").json()
    assert changed["own"] is True and changed["sha256"] != first["sha256"]
    stale = client.post(f"/api/v1/datasets/{NAME}/applications", json=body | {"agreement_sha256": first["sha256"]},
                        headers=as_(client, "user"))
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "agreement_changed"
    made = client.post(f"/api/v1/datasets/{NAME}/applications", json=body | {"agreement_sha256": changed["sha256"]},
                       headers=as_(client, "user"))
    assert made.status_code == 201 and made.json()["agreement_sha256"] == changed["sha256"]
    assert client.post(f"/api/v1/datasets/{NAME}/applications", json=body | {"agreement_sha256": "xyz"},
                       headers=as_(client, "ours")).status_code == 422  # not a sha256: refused before anything


def test_reviewers_without_totp_cannot_decide_when_the_portal_requires_it(client, monkeypatch):
    body = {"purpose": "研究", "scenario": "分析", "organization": "大学", "days": 30, "accept_agreement": True}
    app_id = client.post(f"/api/v1/datasets/{NAME}/applications", json=body, headers=as_(client, "user")).json()["id"]
    from catalog.config import get_settings

    monkeypatch.setattr(get_settings(), "require_totp_for_reviewers", True)
    refused = client.post(f"/api/v1/applications/{app_id}/approve", json={}, headers=as_(client, "ours"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "totp_required"
    monkeypatch.setattr(get_settings(), "require_totp_for_reviewers", False)
    assert client.post(f"/api/v1/applications/{app_id}/approve", json={}, headers=as_(client, "ours")
                       ).status_code == 200


def test_nul_characters_in_bodies_are_refused_not_crashes(client):
    """PostgreSQL text cannot hold NUL: every text field of the account bodies refuses it with a 422."""
    body = {"purpose": "研究\x00", "scenario": "分析", "organization": "大学", "days": 30, "accept_agreement": True}
    for path, payload in ((f"/api/v1/datasets/{NAME}/applications", body),
                          (f"/api/v1/datasets/{NAME}/applications", body | {"purpose": "研究", "organization": "\x00"}),
                          ("/api/v1/keys", {"name": "laptop\x00"})):
        answer = client.post(path, json=payload, headers=as_(client, "user"))
        assert answer.status_code == 422 and "NUL" in answer.text, (path, answer.text)
    made = client.post(f"/api/v1/datasets/{NAME}/applications", json=body | {"purpose": "研究"},
                       headers=as_(client, "user")).json()
    for decision in ("reject", "revoke"):
        answer = client.post(f"/api/v1/applications/{made['id']}/{decision}", json={"reason": "理由\x00"},
                             headers=as_(client, "ours"))
        assert answer.status_code == 422 and "NUL" in answer.text
