"""/admin/search-log and `odp synonyms`: an admin sees the searches that found nothing, each searched again now,
and adds a synonym group that makes the next search find the dataset — no reindex. Others never see the log."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from catalog import db
from catalog.search import synonym_additions, zero_hits
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from portal.cli import app as odp
from tests.support.accounts import account, cheap_hashing, logged_in
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
GAP = "冰淇淋摊位"  # a word nobody's dataset uses: finds nothing until a synonym group maps it


@pytest.fixture
def app(tmp_path, monkeypatch, pg_database_url):
    cheap_hashing(monkeypatch)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    write_package(folder, "market-stalls", title="临时集市摊点名录", csv=csv_text([(1, "A", "浦东新区", 1)]))
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        account(session, settings, "admin@example.org", Role.admin)
        account(session, settings, "user@example.org")
        session.commit()
    zero_hits.flush()
    application = create_app()
    yield application, settings
    zero_hits.flush()
    release(settings, pg_database_url)


def count(client: TestClient, q: str) -> int:
    return client.get("/api/v1/search", params={"q": q}).json()["count"]


def test_only_admins_see_the_log(app):
    application, _ = app
    anonymous = TestClient(application, follow_redirects=False)
    assert anonymous.get("/admin/search-log").headers["location"].startswith("/login")
    user = logged_in(application, "user@example.org")
    assert user.get("/admin/search-log").status_code == 403
    refused = user.post("/admin/search-log/synonyms", data={"csrf_token": TOKEN.search(
        user.get("/account").text).group(1), "words": f"{GAP}, 集市摊点"})
    assert refused.status_code == 403
    assert synonym_additions.admin_groups(app[1]) == []


def test_a_gap_becomes_a_hit_with_one_synonym_group(app):
    application, settings = app
    admin = logged_in(application, "admin@example.org")
    for _ in range(3):
        assert count(admin, GAP) == 0
    assert count(admin, "<script>alert(1)</script>") == 0  # user text, shown escaped
    page = admin.get("/admin/search-log")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    row = re.search(rf"<td><a [^>]*>{GAP}</a></td>\s*<td class=\"num\">(\d+)</td>\s*<td class=\"num\"><strong>0", page.text)
    assert row and row.group(1) == "3"
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text

    csrf = TOKEN.search(page.text).group(1)
    assert admin.post("/admin/search-log/synonyms", data={"words": f"{GAP} 集市摊点"}).status_code == 403  # no CSRF
    added = admin.post("/admin/search-log/synonyms", data={"csrf_token": csrf, "words": f"{GAP}, 集市摊点"})
    assert added.status_code == 303
    assert count(admin, GAP) == 1  # the next search, no reindex
    after = admin.get("/admin/search-log").text
    assert "已能找到" in after and "集市摊点" in after
    assert settings.admin_synonyms_file.read_text(encoding="utf-8").splitlines() == [f"{GAP.lower()}, 集市摊点"]


def test_bad_groups_are_refused_with_a_reason(app):
    application, settings = app
    admin = logged_in(application, "admin@example.org")
    csrf = TOKEN.search(admin.get("/admin/search-log").text).group(1)
    for words, reason in (("一个词", "2 到 20"), ("甲, 乙#注释", "#"), ("甲, " + "长" * 41, "40")):
        answer = admin.post("/admin/search-log/synonyms", data={"csrf_token": csrf, "words": words})
        assert answer.status_code == 400 and reason in answer.text
    assert not settings.admin_synonyms_file.exists()


def test_the_cli_adds_and_lists_groups(app):
    application, _ = app
    runner = CliRunner()
    result = runner.invoke(odp, ["synonyms", "add", GAP, "集市摊点"])
    assert result.exit_code == 0, result.output
    assert GAP in runner.invoke(odp, ["synonyms", "list"]).output
    assert runner.invoke(odp, ["synonyms", "add", "孤词"]).exit_code == 2
    assert count(TestClient(application), GAP) == 1
