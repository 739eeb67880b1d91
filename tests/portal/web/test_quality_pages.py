"""The quality pages: the score and its dimension chart on the dataset page, the quality sort and grade filter of
/search, /stats with the ranking and the rubric, a department's scorecard (blocked names for its reviewers and
admins only), and /admin/harvest for admins only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from portal.app import create_app
from tests.support.accounts import cheap_hashing, logged_in
from tests.support.catalog import fresh_settings, release
from tests.support.pages import assert_well_formed, get_page
from tests.support.quality import ADMIN, BLOCKED, CLOSED, JTW_REVIEWER, MZJ_REVIEWER, USER, WITHDRAWN, build


def test_dataset_page_shows_score_chart_and_checks(sample_client):
    page = get_page(sample_client, "/dataset/urban-parks")
    assert_well_formed(page)
    text = page.plain
    assert "质量 79 分 · 良" in text and "评分明细（14/17 项通过）" in text
    assert "质量评分 79 分（良）：各维度得分" in text  # the chart's title
    assert "描述 78 字" in text and "1 处错误 / 600 行" in text  # what failed, and why
    assert page.all("svg") and "0/15" in text  # validity: 0 of 15 points, drawn as an empty bar


def test_search_page_sorts_by_quality_and_filters_by_grade(sample_client):
    page = get_page(sample_client, "/search?sort=quality&grade=优")
    assert_well_formed(page)
    text = page.plain
    assert "质量等级：优（85 分及以上）" in text and "质量 76 分" not in text
    assert "共找到 39 个数据集" in text
    assert "/search?sort=quality" in page.links()  # the chip removes the grade, keeps the sort
    bad = get_page(sample_client, "/search?grade=甲&sort=nonsense")  # lenient: ignored, never an error
    assert "已选条件" not in bad.plain


def test_stats_page(sample_client):
    page = get_page(sample_client, "/stats")
    assert_well_formed(page)
    text = page.plain
    assert "部门排名" in text and "质量评分规则" in text and "描述不少于 100 字" in text
    assert "/department/zjw/scorecard" in page.links()
    assert BLOCKED not in text and CLOSED not in text


def test_scorecard_page(sample_client):
    page = get_page(sample_client, "/department/jtw/scorecard")
    assert_well_formed(page)
    assert "上海市交通委员会：数据质量成绩单" in page.plain
    assert "/dataset/shanghai-bus-routes#quality-score" in page.links()
    assert get_page(sample_client, "/department/no-such/scorecard", status=404)


@pytest.fixture
def quality_app(tmp_path, monkeypatch, pg_database_url):
    cheap_hashing(monkeypatch)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    build(settings, tmp_path / "packages")
    yield create_app()
    release(settings, pg_database_url)


@pytest.mark.parametrize(("who", "sees"), [(None, False), (USER, False), (JTW_REVIEWER, False),
                                           (MZJ_REVIEWER, True), (ADMIN, True)])
def test_scorecard_names_blocked_datasets_to_reviewers_and_admins_only(quality_app, who, sees):
    client = logged_in(quality_app, who) if who else TestClient(quality_app)
    response = client.get("/department/mzj/scorecard")
    assert response.status_code == 200
    assert (BLOCKED in response.text) is sees
    assert ("仅本部门审核员和管理员可见" in response.text) is sees
    assert WITHDRAWN not in response.text


def test_admin_harvest_is_for_admins_only(quality_app):
    anonymous = TestClient(quality_app, follow_redirects=False).get("/admin/harvest")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/admin/harvest"
    for email in (USER, MZJ_REVIEWER):
        assert logged_in(quality_app, email).get("/admin/harvest").status_code == 403
    response = logged_in(quality_app, ADMIN).get("/admin/harvest")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    page = get_page(logged_in(quality_app, ADMIN), "/admin/harvest")
    text = page.plain
    assert "broken" in text and "no-such-domain" in text  # the failed item with its reason
    assert BLOCKED in text and "PII: 身份证号 in column id_number (60 rows)" in text
    assert "finished" in text  # the source's latest job
