"""The citizen pages (server-rendered HTML) over the session's sample catalog, read-only, through TestClient.
Hostile and broken metadata, which need harvests of their own, are in test_pages_hostile.py."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from portal.app import create_app
from tests.support.pages import Page, assert_every_page_renders, assert_well_formed, get_page

METADATA_LABELS = ["数据领域", "数据提供方", "更新频度", "开放属性", "关键字", "首次发布", "更新日期", "记录条数",
                   "许可", "时空范围", "联系方式"]


@pytest.fixture(scope="module")
def client(sample_client) -> TestClient:
    """The portal over the session's sample catalog (read-only)."""
    return sample_client


# --- Every page renders ---------------------------------------------------------------------------------


def test_every_page_of_the_sample_catalog_renders(sample_catalog, client):
    assert_every_page_renders(sample_catalog.settings, client, 40)


def test_home_shows_search_domains_with_counts_newest_departments_and_totals(client):
    page = get_page(client, "/")
    forms = page.all("form", action="/search", method="get")
    assert forms and page.all("input", name="q", type="search")
    domains = client.get("/api/v1/domains").json()
    tiles = page.links("domain-tile")
    assert tiles == [f"/domain/{d['code']}" for d in domains]
    for d in domains:
        assert f"{d['name']} {d['dataset_count']} 个数据集" in page.plain
    assert "最新数据" in page.plain and "下载最多" in page.plain and "提供部门" in page.plain
    published = client.get("/api/v1/search", params={"size": 0}).json()["count"]
    assert f"数据集 {published}" in page.plain
    assert len(page.links("domain-tile")) == 12
    assert any(href.startswith("/department/") for href in page.links())


# --- Search ---------------------------------------------------------------------------------------------


def test_search_shows_highlighted_results_and_facets(client):
    response = client.get("/search", params={"q": "停车"})
    assert "<mark>停车</mark>" in response.text
    page = Page(response.text)
    results = [href for href in page.links() if href.startswith("/dataset/")]
    assert "/dataset/shanghai-public-parking-lots" in results[:4]
    headings = [text for text in ("数据领域", "提供部门", "数据格式", "开放属性", "更新频度") if text in page.plain]
    assert len(headings) == 5
    assert page.all("input", name="q", value="停车")


def test_a_facet_link_narrows_the_results_to_its_count_and_can_be_removed(client):
    page = Page(client.get("/search", params={"q": "停车"}).text)
    facet = next(a for a in page.all("a") if "facet-link" in (a.get("class") or "")
                 and "domain=transport" in (a.get("href") or ""))
    href = facet["href"]
    assert parse_qs(urlsplit(href).query) == {"q": ["停车"], "domain": ["transport"]}
    expected = client.get("/api/v1/search", params={"q": "停车", "domain": "transport", "size": 0}).json()["count"]
    narrowed = get_page(client, href)
    assert f"共找到 {expected} 个数据集" in narrowed.plain
    active = [a for a in narrowed.all("a") if a.get("aria-current") == "true" and "facet-link" in (a.get("class") or "")]
    assert [parse_qs(urlsplit(a["href"]).query) for a in active] == [{"q": ["停车"]}]  # unticking removes it
    chips = narrowed.links("chip-remove")
    assert chips == ["/search?q=%E5%81%9C%E8%BD%A6"]
    assert "数据领域：道路交通" in narrowed.plain
    assert narrowed.links("clear-all") == ["/search?q=%E5%81%9C%E8%BD%A6"]


def test_filters_combine_and_every_facet_count_matches_its_link(client):
    page = Page(client.get("/search", params={"open_class": "conditional"}).text)
    for href in page.links("facet-link")[:12]:
        query = parse_qs(urlsplit(href).query)
        api = client.get("/api/v1/search", params={**query, "size": 0}).json()["count"]
        assert f"共找到 {api} 个数据集" in get_page(client, href).plain, href


def test_sort_and_pagination_are_links(client):
    page = get_page(client, "/search")
    sorts = {href for href in page.links() if "sort=" in href}
    assert {"/search?sort=modified", "/search?sort=title", "/search?sort=downloads"} <= sorts
    total = client.get("/api/v1/search", params={"size": 0}).json()["count"]
    assert total > 20
    assert "/search?page=2" in page.links()
    second = get_page(client, "/search?page=2&sort=title")
    assert second.all("a", **{"aria-current": "page", "href": "/search?sort=title&page=2"})
    titles = client.get("/api/v1/search", params={"sort": "title", "page": 2, "size": 10}).json()["results"]
    hrefs = [h for h in second.links() if h.startswith("/dataset/")]
    assert hrefs[: len(titles)] == [f"/dataset/{r['name']}" for r in titles][: len(hrefs)]


def test_empty_search_offers_suggestions(client):
    page = get_page(client, "/search?q=完全不存在的词语zzqx")
    assert "共找到 0 个数据集" in page.plain and "没有找到" in page.plain
    assert any(href.startswith("/search?q=") for href in page.links("chip"))
    assert any(href.startswith("/domain/") for href in page.links("chip"))
    filtered = get_page(client, "/search?q=停车&domain=credit")
    assert "去掉筛选条件后有" in filtered.plain


@pytest.mark.parametrize("query", ["page=abc", "page=-4", "sort=random", "open_class=closed", "q=" + "长" * 400,
                                   "page=99999", "domain=nope&format=xyz", 'q="AND OR ( title:'])
def test_odd_search_parameters_still_give_a_page(client, query):
    get_page(client, f"/search?{query}")


# --- Dataset pages --------------------------------------------------------------------------------------


def test_dataset_page_shows_metadata_preview_chart_fields_quality_versions_and_api(client):
    response = client.get("/dataset/shanghai-public-parking-lots")
    page = Page(response.text)
    assert_well_formed(page)
    text = page.plain
    assert "上海市公共停车场（库）信息" in text
    for label in METADATA_LABELS:
        assert page.all("th", scope="row") and label in text, label
    assert "上海市交通委员会" in text and "道路交通" in text and "每月" in text and "知识共享署名 4.0 国际许可协议" in text
    assert "820" in text  # 记录条数
    preview = re.search(r'<table class="data-table">.*?</table>', response.text, re.DOTALL).group(0)
    assert preview.count("<tr>") == 21  # header + the first 20 rows
    assert "人民广场地下停车库" in preview
    assert "<svg" in response.text and 'role="img"' in response.text and "泊位总数" in text
    assert "停车场编号" in text and "<code>total_spaces</code>" in response.text and "整数" in text
    assert "校验通过" in text and "全部 820 行均符合数据标准" in text
    assert "版本历史" in text and "当前" in text
    api = "/api/v1/datasets/shanghai-public-parking-lots/resources/parking-lots"
    assert f"{api}/download?format=csv" in page.links()
    assert f"{api}/download?format=xlsx" in page.links()
    assert f"{api}/download" in page.links()  # the stored original
    assert "curl -G" in text and f"{api}/rows" in text and f"{api}/download?format=csv" in text


def test_dataset_jsonld_describes_the_dataset(client):
    page = get_page(client, "/dataset/shanghai-public-parking-lots")
    (_, data), = page.scripts
    doc = json.loads(data)
    assert doc["@type"] == "Dataset" and doc["name"] == "上海市公共停车场（库）信息"
    assert doc["publisher"]["name"] == "上海市交通委员会"
    assert doc["license"].startswith("https://creativecommons.org/")
    assert any(d["contentUrl"].endswith("/download?format=csv") for d in doc["distribution"])


def test_the_sample_datas_invalid_table_names_its_bad_cell(client):
    sports = get_page(client, "/dataset/public-sports-venues").plain
    assert "area_sqm" in sports and "约5000" in sports and "243" in sports


def test_conditional_dataset_shows_fields_and_sample_rows_but_no_downloads(client):
    response = client.get("/dataset/key-pollutant-discharge-units")
    page = Page(response.text)
    assert "有条件开放：如何获取数据" in page.plain
    assert '<table class="data-table">' in response.text and "字段说明" in page.plain
    assert not [href for href in page.links() if "/download" in href]
    (_, data), = page.scripts
    assert "distribution" not in json.loads(data)


# --- Other pages ----------------------------------------------------------------------------------------


def test_domain_department_and_schema_pages(client):
    transport = get_page(client, "/domain/transport")
    count = {d["code"]: d["dataset_count"] for d in client.get("/api/v1/domains").json()}["transport"]
    assert f"共开放 {count} 个数据集" in transport.plain
    assert client.get("/domain/道路交通", follow_redirects=False).headers["location"] == "/domain/transport"
    get_page(client, "/domain/nowhere", status=404)
    departments = get_page(client, "/departments")
    assert "/department/jtw" in departments.links() and "上海市交通委员会" in departments.plain
    get_page(client, "/department/no-such-department", status=404)
    schema = get_page(client, "/schemas/parking-lot")
    assert "total_spaces" in schema.plain and "/dataset/shanghai-public-parking-lots" in schema.links()
    assert "/schemas/parking-lot" in get_page(client, "/schemas").links()
    get_page(client, "/schemas/no-such-schema", status=404)
    about = get_page(client, "/about")
    assert "无条件开放" in about.plain and "有条件开放" in about.plain and "curl" in about.plain


def test_unknown_pages_are_chinese_404_pages(client):
    page = get_page(client, "/no/such/page", status=404)
    assert "页面不存在" in page.plain and "/" in page.links()


def test_csp_and_security_headers_on_pages_not_on_the_api(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in client.get("/api/v1/domains").headers
    css = client.get(Page(client.get("/").text).all("link", rel="stylesheet")[0]["href"])
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_server_errors_are_a_chinese_page_and_stay_plain_on_the_api(sample_client):  # the sample catalog's settings
    app = create_app()

    def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/v1/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
        assert page.status_code == 500 and "服务器出错了" in page.text
        api = client.get("/api/v1/boom")
        assert api.status_code == 500 and api.text == "Internal Server Error"


def test_the_preview_searches_the_whole_table_for_readers_of_the_data(client):
    """A search box above an open table's preview finds rows anywhere in the table (the rows API's _search); a
    有条件开放 table has no box and ignores the parameters: its public sample stays its first rows."""
    page = client.get("/dataset/shanghai-public-parking-lots")
    assert 'name="rows_q"' in page.text and "在全表中查找" in page.text
    found = client.get("/dataset/shanghai-public-parking-lots",
                       params={"rows_in": "parking-lots", "rows_q": "迪士尼"}).text
    assert "含“迪士尼”的前 1 行" in found and "上海迪士尼度假区停车场" in found
    nothing = client.get("/dataset/shanghai-public-parking-lots",
                         params={"rows_in": "parking-lots", "rows_q": "<b>不存在的停车场</b>"}).text
    assert "（没有找到）" in nothing and "<b>不存在" not in nothing and "&lt;b&gt;不存在" in nothing

    conditional = "/dataset/key-pollutant-discharge-units"
    plain = client.get(conditional).text
    assert 'name="rows_q"' not in plain
    last_unit = "上海华远实业有限公司"  # a row far past the public sample: a search must not bring it up
    searched = client.get(conditional, params={"rows_in": "pollutant-units", "rows_q": last_unit}).text
    assert searched.count(last_unit) == plain.count(last_unit) and "含“" not in searched
