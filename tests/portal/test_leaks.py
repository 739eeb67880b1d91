"""Leaks closed by the hardening issue: cells of 有条件开放 tables in validation errors, absolute URLs built from
the request's Host header, two different public sample sizes, ``javascript:`` links in harvested metadata, and
a dataset page that grows with every resource. One catalog is harvested for the module; each check has an open
twin or a configured value that proves it could fail."""

from __future__ import annotations

import json
import os
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from catalog.config import get_settings
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from portal.cli import app as cli_app
from portal.cli.serve import _default_public_url
from tests.support.catalog import fresh_settings, release
from tests.support.packages import write_package

SECRET = "SECRETCELL80"  # a type error in row 80 of the data (frictionless row 81: the header is row 1)
SECRET_PATTERN = "SECRETPATTERN42"  # a pattern-constraint error in row 42 (row 43)
SCHEMA = {"fields": [
    {"name": "id", "type": "string"},
    {"name": "n", "type": "integer"},
    {"name": "secret", "type": "string", "constraints": {"pattern": "^ok[0-9]+$"}},
]}
PUBLIC_URL = "https://data.example.gov.cn"
EVIL = "evil.example.com"
SAMPLE_ROWS = 7  # not the default (20), so the setting is seen to be honoured
MANY = 25  # resources of one package: three pages of ten


def leaky_csv() -> str:
    rows = ["id,n,secret"]
    for i in range(1, 101):
        n = SECRET if i == 80 else str(i)
        secret = SECRET_PATTERN if i == 42 else f"ok{i}"
        rows.append(f"r{i},{n},{secret}")
    return "\n".join(rows) + "\n"


def write_many(folder, name: str) -> None:
    pkg = write_package(folder, name, title="资源很多的数据集")
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [
        {"name": f"part-{i:02d}", "title": f"分表{i:02d}", "path": "data/table.csv", "format": "csv",
         "schema": descriptor["resources"][0]["schema"]}
        for i in range(1, MANY + 1)
    ]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory, pg_database_url):
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("leaks")
        monkeypatch.setenv("ODP_PUBLIC_URL", PUBLIC_URL + "/")
        monkeypatch.setenv("ODP_PUBLIC_SAMPLE_ROWS", str(SAMPLE_ROWS))
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        folder = root / "packages"
        folder.mkdir()
        for name, open_class in (("leaky-conditional", "conditional"), ("leaky-open", "open")):
            write_package(folder, name, csv=leaky_csv(), resource={"schema": SCHEMA}, open_class=open_class,
                          keywords=["泄露测试"])
        write_package(folder, "hostile-links", title="链接测试",
                      licenses=[{"name": "evil", "title": "恶意许可", "path": " JaVa\tScript:alert(1)"},
                                {"name": "cc-by-4.0", "title": "CC BY 4.0",
                                 "path": "https://creativecommons.org/licenses/by/4.0/"}],
                      contact={"name": "联系人", "email": "javascript:alert(2)//@x.cn", "url": "javascript:alert(3)"})
        write_package(folder, "good-links", title="正常链接",
                      contact={"name": "联系人", "email": "data@example.gov.cn", "url": "https://example.gov.cn/"})
        write_many(folder, "many-resources")
        result = run_harvest(DataPackageHarvester(folder, settings), settings=settings)
        assert result.tally.failed == 0, result.tally.errors
        with TestClient(create_app(), headers={"Host": EVIL}) as client:
            yield client
        release(settings, pg_database_url)


# --- L1: no conditional cells in validation errors ------------------------------------------------------


def ckan(client: TestClient, action: str, **params) -> str:
    response = client.get(f"/api/3/action/{action}", params=params)
    assert response.status_code == 200, response.text[:300]
    return response.text


def every_output(client: TestClient, name: str) -> dict[str, str]:
    """Everything that shows a dataset's validation report, as text."""
    package = json.loads(ckan(client, "package_show", id=name))["result"]
    runner = CliRunner()
    return {
        "api": client.get(f"/api/v1/datasets/{name}").text,
        "page": client.get(f"/dataset/{name}").text,
        "package_show": json.dumps(package, ensure_ascii=False),
        "resource_show": ckan(client, "resource_show", id=package["resources"][0]["id"]),
        "package_search": ckan(client, "package_search", q="泄露测试"),
        "odp validate": runner.invoke(cli_app, ["validate", name], env={"COLUMNS": "400"}).output,
        "odp validate --json": runner.invoke(cli_app, ["validate", name, "--json"]).output,
    }


def test_conditional_cells_appear_in_no_output_but_row_field_and_type_do(site):
    for where, text in every_output(site, "leaky-conditional").items():
        assert SECRET not in text and SECRET_PATTERN not in text, where
    (resource,) = site.get("/api/v1/datasets/leaky-conditional").json()["resources"]
    errors = resource["validation"]["errors"]
    assert [(e["type"], e["row"], e["field"]) for e in errors] == [("constraint-error", 43, "secret"),
                                                                   ("type-error", 81, "n")]
    assert all("cell" not in e and f'row {e["row"]}, field "{e["field"]}"' in e["message"] for e in errors)
    assert resource["validation"]["errors_by_type"] == {"constraint-error": 1, "type-error": 1}
    page = site.get("/dataset/leaky-conditional").text
    quality = page[page.index('id="quality"'):page.index('id="versions"')]
    assert "<td>81</td><td>n</td>" in quality and "类型错误" in quality and "不满足约束" in quality
    report = json.loads(CliRunner().invoke(cli_app, ["validate", "leaky-conditional", "--json"]).output)
    assert [(e["row"], e["field"]) for e in report["table"]["errors"]] == [(43, "secret"), (81, "n")]


def test_open_cells_are_still_shown(site):
    outputs = every_output(site, "leaky-open")
    for where in ("api", "page", "odp validate", "odp validate --json"):
        assert SECRET in outputs[where] and SECRET_PATTERN in outputs[where], where
    errors = site.get("/api/v1/datasets/leaky-open").json()["resources"][0]["validation"]["errors"]
    assert {e["cell"] for e in errors} == {SECRET, SECRET_PATTERN}


# --- Absolute URLs from ODP_PUBLIC_URL, never from Host -------------------------------------------------


def test_no_url_is_built_from_the_host_header(site):
    package = json.loads(ckan(site, "package_show", id="leaky-open"))
    page = site.get("/dataset/leaky-open").text
    jsonld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL).group(1))
    texts = [json.dumps(package), page, site.get("/about").text, ckan(site, "site_read"),
             site.get("/api/3/action/no_such_action_show").text, site.get("/api/3/nowhere").text]
    for text in texts:
        assert EVIL not in text
    url = f"{PUBLIC_URL}/api/v1/datasets/leaky-open/resources/table/download"
    assert package["result"]["resources"][0]["url"] == url
    assert package["help"].startswith(f"{PUBLIC_URL}/api/3/action/help_show")
    assert jsonld["@id"] == f"{PUBLIC_URL}/dataset/leaky-open"
    assert any(d["contentUrl"].startswith(url) for d in jsonld["distribution"])
    assert f"curl '{PUBLIC_URL}/api/v1/datasets/leaky-open'" in page


def test_serve_defaults_the_public_url_to_the_bind_address(capsys):
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setenv("ODP_PUBLIC_URL", "")
            get_settings.cache_clear()
            assert _default_public_url("::1", 8123) == "http://[::1]:8123"
            assert os.environ["ODP_PUBLIC_URL"] == "http://[::1]:8123"  # uvicorn's workers inherit it
            monkeypatch.setenv("ODP_PUBLIC_URL", "")
            get_settings.cache_clear()
            assert _default_public_url("0.0.0.0", 80) == "http://0.0.0.0:80"
            assert "set ODP_PUBLIC_URL" in capsys.readouterr().err
            monkeypatch.setenv("ODP_PUBLIC_URL", "https://kept.example.org")
            get_settings.cache_clear()
            assert _default_public_url("127.0.0.1", 8000) == "https://kept.example.org"
    finally:
        get_settings.cache_clear()


# --- One public sample size -----------------------------------------------------------------------------


def test_page_preview_and_sample_show_the_same_configured_rows(site):
    sample = site.get("/api/v1/datasets/leaky-conditional/resources/table/sample")
    assert sample.status_code == 200
    assert [r["id"] for r in sample.json()["rows"]] == [f"r{i}" for i in range(1, SAMPLE_ROWS + 1)]
    page = site.get("/dataset/leaky-conditional").text
    preview = page[page.index('id="preview"'):page.index('id="fields"')]
    body = preview[preview.index("<tbody>"):preview.index("</tbody>")]
    assert body.count("<tr>") == SAMPLE_ROWS
    assert f"前 {SAMPLE_ROWS} 行样例数据" in page
    assert f">r{SAMPLE_ROWS}<" in body and f">r{SAMPLE_ROWS + 1}<" not in body


# --- Links in metadata, and a page that does not grow with every resource -----------------------------


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_only_http_and_mailto_links_from_metadata(site):
    page = site.get("/dataset/hostile-links").text
    links = [h.lower() for h in hrefs(page)]
    assert not [h for h in links if "script" in h], links
    assert "https://creativecommons.org/licenses/by/4.0/" in links
    info = page[page.index('id="info"'):page.index('id="resources"')]
    assert "javascript:alert(2)//@x.cn" in info and "javascript:alert(3)" in info  # shown as text
    good = hrefs(site.get("/dataset/good-links").text)
    assert "mailto:data@example.gov.cn" in good and "https://example.gov.cn/" in good


def test_dataset_page_lists_ten_resources_a_page(site):
    first = site.get("/dataset/many-resources").text
    third = site.get("/dataset/many-resources?page=3").text
    beyond = site.get("/dataset/many-resources?page=99").text

    def shown(html: str) -> list[str]:
        section = html[html.index('id="resources"'):html.index("</section>", html.index('id="resources"'))]
        return re.findall(r"<h3>(分表\d\d)</h3>", section)

    def previews(html: str) -> int:
        return html[html.index('id="preview"'):html.index('id="fields"')].count("<table")

    assert shown(first) == [f"分表{i:02d}" for i in range(1, 11)] and previews(first) == 10
    assert shown(third) == [f"分表{i:02d}" for i in range(21, 26)] and previews(third) == 5
    assert shown(beyond) == shown(third)
    assert "/dataset/many-resources?page=2#resources" in hrefs(first)
    assert "分表11" not in first and "分表01" not in third  # versions and quality are paged too
    assert len(site.get("/api/v1/datasets/many-resources").json()["resources"]) == MANY  # the API lists all
