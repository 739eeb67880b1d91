"""The citizen pages (server-rendered HTML) over the harvested sample data, through TestClient."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from catalog.db import session_scope
from catalog.models import Dataset, Department
from catalog.schemas import list_schemas
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.catalog import SAMPLE_DATA, fresh_settings, release
from tests.support.packages import csv_text, write_package

XSS_TITLE = '<script>alert("title")</script>停车</script><b>粗体</b>'
XSS_DESCRIPTION = '<img src=x onerror="alert(1)"> 描述 </textarea><a href="javascript:alert(2)">链接</a>'
METADATA_LABELS = ["数据领域", "数据提供方", "更新频度", "开放属性", "关键字", "首次发布", "更新日期", "记录条数",
                   "许可", "时空范围", "联系方式"]


class Page(HTMLParser):
    """The tags, attributes and text of a page, enough to check structure without a browser."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))
        else:
            self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def links(self, css_class: str | None = None) -> list[str]:
        return [a["href"] or "" for a in self.all("a") if css_class is None or css_class in (a.get("class") or "")]

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


@pytest.fixture(scope="module")
def site(tmp_path_factory, pg_database_url):
    """The sample data, plus a second source with hostile metadata, a withdrawn and a closed dataset."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("pages")
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        first = run_harvest(DataPackageHarvester(SAMPLE_DATA, settings), settings=settings)
        assert first.tally.failed == 0, first.tally.errors
        extra = root / "extra"
        extra.mkdir()
        write_package(extra, "hostile-metadata", title=XSS_TITLE, description=XSS_DESCRIPTION,
                      keywords=['"><script>alert(3)</script>', "停车"],
                      contact={"name": "<i>联系人</i>", "email": "a@b.cn\"><script>x</script>"})
        write_package(extra, "bad-cells", title="含有错误单元格的停车场", csv=csv_text([(1, "甲停车场", "黄浦区", "很多"),
                                                                         (2, "乙停车场", "徐汇区", 30)]))
        write_package(extra, "soon-withdrawn", title="即将撤回的停车数据")
        write_package(extra, "closed-internal", title="内部停车数据", open_class="closed")
        run_harvest(DataPackageHarvester(extra, settings), settings=settings)
        shutil.rmtree(extra / "soon-withdrawn")
        run_harvest(DataPackageHarvester(extra, settings), settings=settings)
        with TestClient(create_app()) as client:
            yield settings, client
        release(settings, pg_database_url)


@pytest.fixture(scope="module")
def client(site) -> TestClient:
    return site[1]


def get_page(client: TestClient, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in response.headers
    assert response.text.startswith("<!doctype html>\n<html lang=\"zh-CN\">")
    return Page(response.text)


def assert_well_formed(page: Page) -> None:
    """One h1, headings never skip a level, no inline handlers, the only scripts are JSON-LD data."""
    headings = [int(t[1]) for t, _ in page.tags if re.fullmatch(r"h[1-6]", t)]
    assert headings.count(1) == 1, headings
    for before, after in itertools.pairwise(headings):
        assert after <= before + 1, headings
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
    assert all(attrs.get("type") == "application/ld+json" for attrs, _ in page.scripts)
    for attrs in page.all("input"):
        if attrs.get("type") not in ("hidden", "submit"):
            assert attrs.get("id") and page.all("label", **{"for": attrs["id"]}), attrs


# --- Every page renders ---------------------------------------------------------------------------------


def test_every_page_of_the_sample_catalog_renders(site):
    settings, client = site
    with session_scope(settings) as session:
        datasets = session.exec(
            select(Dataset.name).where(Dataset.state == "active", Dataset.open_class != "closed")
        ).all()
        departments = session.exec(select(Department.name)).all()
    urls = ["/", "/search", "/search?q=停车", "/departments", "/schemas", "/about"]
    urls += [f"/dataset/{name}" for name in datasets]
    urls += [f"/department/{name}" for name in departments]
    urls += [f"/domain/{code}" for code in ("economy", "transport", "credit", "health")]
    urls += [f"/schemas/{s.name}" for s in list_schemas()]
    assert len(datasets) >= 40
    for url in urls:
        assert_well_formed(get_page(client, url))


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


def test_invalid_cells_show_the_validation_report_and_are_marked_in_the_preview(client):
    response = client.get("/dataset/bad-cells")
    page = Page(response.text)
    assert "校验发现问题" in page.plain and "类型不符" in page.plain
    marked = re.findall(r'<td class="type-integer cell-error" title="[^"]+">([^<]*)<', response.text)
    assert marked == ["很多"]
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


def test_withdrawn_dataset_is_a_410_page_and_closed_is_404(client):
    gone = get_page(client, "/dataset/soon-withdrawn", status=410)
    assert "数据集已撤回" in gone.plain and "即将撤回的停车数据" in gone.plain
    closed = get_page(client, "/dataset/closed-internal", status=404)
    assert "页面不存在" in closed.plain and "内部停车数据" not in closed.plain
    assert "内部停车数据" not in get_page(client, "/search?q=停车").plain


# --- Hostile metadata -----------------------------------------------------------------------------------


def test_harvested_html_and_script_are_shown_as_text(client):
    response = client.get("/dataset/hostile-metadata")
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


def test_hostile_titles_are_escaped_in_listings_and_search(client):
    for url in ("/search?q=停车", "/search?q=粗体", "/department/jtw", "/domain/transport"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<b>粗体" not in html, url
        assert "&lt;script&gt;" in html, url
    assert "<title>&lt;script&gt;" in client.get("/dataset/hostile-metadata").text


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


def test_the_api_keeps_its_json_errors(client):
    assert client.get("/api/v1/nothing").json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/datasets/closed-internal").json()["error"]["code"] == "not_found"
    gone = client.get("/api/v1/datasets/soon-withdrawn")
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "withdrawn"
    bad = client.get("/api/v1/search", params={"size": 5000})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_parameter"


def test_server_errors_are_a_chinese_page_and_stay_plain_on_the_api(site):
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
