"""The apply page and the department's data-use agreement: the page shows the department's text (escaped) or the
portal default, posts the hash of what it showed, and a form whose text was changed in between is shown again
with the new text (409) instead of being recorded under a text the applicant never saw. /account and /review
write the pending "grant expired" audit events when they render."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from catalog import db
from catalog.accounts import agreements
from catalog.models import AccessGrant, AuditEvent, utcnow
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.accounts import PASSWORD, account, cheap_hashing, granted
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package

NAME = "agreement-conditional"
FIELD = re.compile(r'name="(csrf_token|agreement_sha256)" value="([^"]+)"')


@pytest.fixture
def site(tmp_path, monkeypatch, pg_database_url):
    cheap_hashing(monkeypatch)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    write_package(folder, NAME, csv=csv_text([(1, "A", "浦东新区", 1)]), open_class="conditional")
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        account(session, settings, "applicant@example.org")
        account(session, settings, "rev@example.org", Role.reviewer, ("jtw",))
        session.commit()
    yield settings, create_app()
    release(settings, pg_database_url)


def logged_in(app, email: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    csrf = FIELD.search(client.get("/login").text).group(2)
    assert client.post("/login", data={"csrf_token": csrf, "email": email, "password": PASSWORD}).status_code == 303
    return client


def form_fields(page: str) -> dict[str, str]:
    return dict(FIELD.findall(page))


def set_agreement(settings, text: str | None) -> None:
    with Session(db.get_engine(settings)) as session:
        agreements.set_agreement(session, "jtw", text)
        session.commit()


def created_details(settings) -> list[str]:
    with Session(db.get_engine(settings)) as session:
        return list(session.exec(select(AuditEvent.detail).where(AuditEvent.event == "application_created")))


def test_the_page_shows_the_departments_text_and_a_stale_form_is_shown_again(site):
    settings, app = site
    client = logged_in(app, "applicant@example.org")
    default = client.get(f"/dataset/{NAME}/apply").text
    assert "门户通用协议" in default
    set_agreement(settings, "交通委协议<script>alert(1)</script>\n第二条 仅限研究。")
    page = client.get(f"/dataset/{NAME}/apply").text
    assert "由提供部门（上海市交通委员会）制定" in page and "<p>第二条 仅限研究。</p>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    shown = form_fields(page)
    assert shown["agreement_sha256"] == agreements.digest("交通委协议<script>alert(1)</script>\n第二条 仅限研究。")

    set_agreement(settings, "交通委协议（修订）")  # changed while the form was open
    body = {"purpose": "研究", "scenario": "分析", "organization": "", "days": "30", "accept_agreement": "yes"}
    stale = client.post(f"/dataset/{NAME}/apply", data=body | shown)
    assert stale.status_code == 409 and "已更新《数据利用协议》" in stale.text and "交通委协议（修订）" in stale.text
    assert created_details(settings) == []
    accepted = client.post(f"/dataset/{NAME}/apply", data=body | form_fields(stale.text))
    assert accepted.status_code == 303
    (detail,) = created_details(settings)
    assert detail.endswith(f"agreement sha256 {agreements.digest('交通委协议（修订）')}")


def test_account_and_review_pages_log_expired_grants(site):
    settings, app = site
    with Session(db.get_engine(settings)) as session:
        who = account(session, settings, "holder@example.org")
        granted(session, settings, who, NAME, days=1)
        grant = session.exec(select(AccessGrant)).one()
        grant.expires = utcnow() - timedelta(minutes=1)
        session.add(grant)
        session.commit()

    def expired() -> int:
        with Session(db.get_engine(settings)) as session:
            return len(session.exec(select(AuditEvent).where(AuditEvent.event == "grant_expired")).all())

    assert expired() == 0
    assert logged_in(app, "rev@example.org").get("/review").status_code == 200
    assert expired() == 1
    page = logged_in(app, "holder@example.org").get("/account")
    assert page.status_code == 200 and "已到期" in page.text
    assert expired() == 1  # once per grant
