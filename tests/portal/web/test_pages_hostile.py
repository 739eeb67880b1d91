"""The citizen pages over hostile or broken harvested metadata: HTML and script in titles stay text, bad cells are
marked, a withdrawn dataset is a 410 page and a closed one a 404. A catalog of its own (it harvests and
withdraws), through TestClient."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from fastapi.testclient import TestClient

from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package
from tests.support.pages import Page, assert_every_page_renders, assert_well_formed, get_page

XSS_TITLE = '<script>alert("title")</script>停车</script><b>粗体</b>'
XSS_DESCRIPTION = '<img src=x onerror="alert(1)"> 描述 </textarea><a href="javascript:alert(2)">链接</a>'


@pytest.fixture(scope="module")
def site(tmp_path_factory, pg_database_url):
    """A catalog of its own (it harvests and withdraws): hostile metadata, bad cells, a withdrawn and a closed
    dataset."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("pages")
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        extra = root / "extra"
        extra.mkdir()
        write_package(extra, "hostile-metadata", title=XSS_TITLE, description=XSS_DESCRIPTION,
                      keywords=['"><script>alert(3)</script>', "停车"],
                      contact={"name": "<i>联系人</i>", "email": "a@b.cn\"><script>x</script>"})
        write_package(extra, "bad-cells", title="含有错误单元格的停车场", csv=csv_text([(1, "甲停车场", "黄浦区", "很多"),
                                                                         (2, "乙停车场", "徐汇区", 30)]))
        write_package(extra, "soon-withdrawn", title="即将撤回的停车数据")
        write_package(extra, "closed-internal", title="内部停车数据", open_class="closed")
        assert run_harvest(DataPackageHarvester(extra, settings), settings=settings).tally.added == 4
        shutil.rmtree(extra / "soon-withdrawn")
        assert run_harvest(DataPackageHarvester(extra, settings), settings=settings).tally.withdrawn == 1
        with TestClient(create_app()) as client:
            yield settings, client
        release(settings, pg_database_url)


@pytest.fixture(scope="module")
def hostile(site) -> TestClient:
    return site[1]


def test_every_page_of_the_hostile_catalog_renders(site):
    assert_every_page_renders(*site, 2)  # hostile-metadata and bad-cells


def test_invalid_cells_show_the_validation_report_and_are_marked_in_the_preview(hostile):
    response = hostile.get("/dataset/bad-cells")
    page = Page(response.text)
    assert "校验发现问题" in page.plain and "类型错误" in page.plain
    marked = re.findall(r'<td class="type-integer cell-error" title="[^"]+">([^<]*)<', response.text)
    assert marked == ["很多"]


def test_withdrawn_dataset_is_a_410_page_and_closed_is_404(hostile):
    gone = get_page(hostile, "/dataset/soon-withdrawn", status=410)
    assert "数据集已撤回" in gone.plain and "即将撤回的停车数据" in gone.plain
    closed = get_page(hostile, "/dataset/closed-internal", status=404)
    assert "页面不存在" in closed.plain and "内部停车数据" not in closed.plain
    assert "内部停车数据" not in get_page(hostile, "/search?q=停车").plain


def test_harvested_html_and_script_are_shown_as_text(hostile):
    response = hostile.get("/dataset/hostile-metadata")
    assert response.status_code == 200
    html = response.text
    assert "<script>alert" not in html and "<img" not in html and "<b>粗体" not in html
    assert "<i>联系人" not in html and "javascript:alert" not in [a.get("href") for a in Page(html).all("a")]
    page = Page(html)
    assert_well_formed(page)
    assert XSS_TITLE in page.plain  # shown, as text
    assert '<img src=x onerror="alert(1)">' in page.plain
    (_, data), = page.scripts
    assert "</script" not in data.lower() and "\\u003c/script\\u003e" in data
    assert json.loads(data)["name"] == XSS_TITLE


def test_hostile_titles_are_escaped_in_listings_and_search(hostile):
    for url in ("/search?q=停车", "/search?q=粗体", "/department/jtw", "/domain/transport"):
        html = hostile.get(url).text
        assert "<script>alert" not in html and "<b>粗体" not in html, url
        assert "&lt;script&gt;" in html, url
    assert "<title>&lt;script&gt;" in hostile.get("/dataset/hostile-metadata").text


def test_the_api_keeps_its_json_errors(hostile):
    assert hostile.get("/api/v1/nothing").json()["error"]["code"] == "not_found"
    assert hostile.get("/api/v1/datasets/closed-internal").json()["error"]["code"] == "not_found"
    gone = hostile.get("/api/v1/datasets/soon-withdrawn")
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "withdrawn"
    bad = hostile.get("/api/v1/search", params={"size": 5000})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_parameter"


def test_a_nul_character_in_a_form_is_a_400_page_not_a_crash(settings):
    """PostgreSQL text cannot hold NUL: a posted form carrying one (%00) is refused before any handler reads it,
    like a NUL in the path or query string."""
    import re

    from fastapi.testclient import TestClient

    from portal.app import create_app

    client = TestClient(create_app(), follow_redirects=False)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/register").text).group(1)
    for form in ({"csrf_token": csrf, "email": "a@example.org", "name": "张三\x00", "password": "x" * 12},
                 {"csrf_token": csrf, "email": "a\x00@example.org", "password": "x" * 12}):
        answer = client.post("/register", data=form)
        assert answer.status_code == 400 and "空字符" in answer.text
    fine = client.post("/register", data={"csrf_token": csrf, "email": "b@example.org", "name": "李四",
                                          "password": "correct horse battery"})
    assert fine.status_code == 303  # the same form without NUL goes through
