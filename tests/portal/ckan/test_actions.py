"""The CKAN-compatible Action API, driven by the real ``ckanapi`` command line and library against the portal
served by uvicorn on a loopback port."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ckanapi import RemoteCKAN
from ckanapi.errors import NotAuthorized, NotFound, SearchQueryError, ValidationError

from catalog.ckan import query as cq
from catalog.ckan.search import solr_date
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.catalog import fresh_settings, release
from tests.support.packages import ROWS, write_package
from tests.support.servers import BIN, env_for, portal_server

HEALTH = {"name": "wsjkw", "title": "上海市卫生健康委员会"}
ENVIRONMENT = {"name": "sthjj", "title": "上海市生态环境局"}
CC_BY = [{"name": "CC-BY-4.0", "title": "知识共享署名 4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}]
PUBLISHED = ["air-quality", "cond-data", "hospitals", "parking-lots", "road-parking"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, pg_database_url: str | None) -> Iterator[str]:
    """A small catalog (open, conditional, closed and withdrawn datasets), served on a loopback port."""
    root = tmp_path_factory.mktemp("ckan-api")
    packages = root / "packages"
    with pytest.MonkeyPatch.context() as mp:
        settings = fresh_settings(root / "var", mp, pg_database_url)
        write_package(packages, "parking-lots", title="上海市公共停车场信息", keywords=["停车场", "交通"],
                      licenses=CC_BY, description="全市公共停车场（库）的位置和泊位")
        write_package(packages, "road-parking", title="道路停车泊位信息", keywords=["停车"],
                      description="道路临时停车泊位")
        write_package(packages, "hospitals", title="上海市医疗机构名录", domain="health", publisher=HEALTH,
                      keywords=["医院"], description="全市医疗机构")
        write_package(packages, "air-quality", title="空气质量实时数据", domain="environment",
                      publisher=ENVIRONMENT, keywords=["空气质量"], description="各监测站点的空气质量指数")
        write_package(packages, "cond-data", title="有条件开放的企业登记数据", open_class="conditional",
                      keywords=["企业"], description="企业登记信息")
        write_package(packages, "secret-data", title="内部停车场数据", open_class="closed")
        gone = write_package(packages, "old-parking", title="已撤回的停车场数据")
        assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.added == 7
        gone.rename(root / "old-parking")
        assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.withdrawn == 1
        with portal_server(env_for(settings.data_dir, pg_database_url)) as url:
            yield url
        release(settings, pg_database_url)


@pytest.fixture(scope="module")
def ckan(site: str) -> Iterator[RemoteCKAN]:
    with RemoteCKAN(site) as client:
        yield client


def ckanapi(*args: str, site: str) -> str:
    result = subprocess.run([str(BIN / "ckanapi"), *args, "-r", site], capture_output=True, text=True,
                            timeout=120, env=env_for(Path("/nonexistent")), check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def names(packages: list[dict]) -> list[str]:
    return sorted(p["name"] for p in packages)


# --- package_search -------------------------------------------------------------------------------------


def test_cli_package_search_finds_chinese_words_with_facets_and_fq(site):
    out = json.loads(ckanapi("action", "package_search", "q=停车", 'facet.field:["tags","organization"]',
                             "fq=-organization:wsjkw", site=site))
    assert out["count"] == 2 and names(out["results"]) == ["parking-lots", "road-parking"]
    assert out["facets"]["tags"] == {"停车场": 1, "交通": 1, "停车": 1}
    orgs = out["search_facets"]["organization"]
    assert orgs["title"] == "organization"
    assert orgs["items"] == [{"name": "jtw", "display_name": "上海市交通委员会", "count": 2}]
    assert out["sort"] == "score desc, metadata_modified desc"


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        ("organization:jtw", ["cond-data", "parking-lots", "road-parking"]),
        ("-organization:jtw", ["air-quality", "hospitals"]),
        ("groups:health", ["hospitals"]),
        ("groups:卫生健康 OR groups:environment", ["air-quality", "hospitals"]),
        ("tags:停车场", ["parking-lots"]),
        ('tags:"空气质量" AND organization:sthjj', ["air-quality"]),
        ("res_format:CSV -tags:停车", ["air-quality", "cond-data", "hospitals", "parking-lots"]),
        ("metadata_modified:[2000-01-01T00:00:00Z TO *]", PUBLISHED),
        ("metadata_modified:[NOW+1DAY TO *]", []),
        ("name:park*", ["parking-lots"]),
        ("license_id:CC-BY-4.0", ["parking-lots"]),
        ("+capacity:public +state:(active OR draft) +dataset_type:dataset", PUBLISHED),
    ],
)
def test_fq_filters(ckan, fq, expected):
    found = ckan.action.package_search(fq=fq, rows=100)
    assert names(found["results"]) == expected
    assert found["count"] == len(expected)


def test_fq_list_q_fields_and_facet_field_forms(ckan, site):
    found = ckan.action.package_search(fq_list=["organization:jtw", "tags:停车"], q="name:road*")
    assert names(found["results"]) == ["road-parking"]
    bare = httpx.get(f"{site}/api/3/action/package_search", params={"facet.field": "groups", "rows": 0}).json()
    repeated = httpx.get(f"{site}/api/3/action/package_search",
                         params=[("facet.field", "groups"), ("facet.field", "res_format"), ("rows", "0")]).json()
    assert bare["result"]["facets"]["groups"] == {"transport": 3, "health": 1, "environment": 1}
    assert repeated["result"]["facets"]["res_format"] == {"CSV": 5}
    assert bare["result"]["results"] == [] and bare["result"]["count"] == 5
    limited = ckan.action.package_search(**{"facet.field": ["groups"], "facet.limit": 1, "rows": 0})
    assert limited["facets"] == {"groups": {"transport": 3}}


def test_harvester_style_paging_visits_every_dataset_once(ckan):
    seen = []
    start = 0
    while True:
        page = ckan.action.package_search(rows=2, start=start, sort="id asc", fq="*:*")
        seen += [p["id"] for p in page["results"]]
        start += len(page["results"])
        if not page["results"]:
            break
    assert len(seen) == len(set(seen)) == 5
    assert ckan.action.package_search(rows=5000)["count"] == 5  # rows is capped at 1000, not refused


def test_sort_by_name_and_modified(ckan):
    assert [p["name"] for p in ckan.action.package_search(sort="name asc", rows=10)["results"]] == PUBLISHED
    newest = ckan.action.package_search(sort="metadata_modified desc", rows=10)["results"]
    stamps = [p["metadata_modified"] for p in newest]
    assert stamps == sorted(stamps, reverse=True)


def test_fl_returns_only_the_asked_fields(ckan):
    page = ckan.action.package_search(fl="id,name", rows=2, sort="name asc")
    assert [set(p) for p in page["results"]] == [{"id", "name"}, {"id", "name"}]


# --- dump, search, show ---------------------------------------------------------------------------------


def test_cli_dump_datasets_all_equals_the_published_catalog(site, pg_database_url):
    lines = ckanapi("dump", "datasets", "--all", "-q", "-p", "2", site=site).splitlines()
    dumped = [json.loads(line) for line in lines]
    assert names(dumped) == PUBLISHED
    assert all(p["state"] == "active" and p["type"] == "dataset" for p in dumped)


def test_cli_search_datasets_pages_through_results(site):
    lines = ckanapi("search", "datasets", "q=停车", site=site).splitlines()
    assert names([json.loads(line) for line in lines]) == ["parking-lots", "road-parking"]


def test_library_package_show_has_ckan_shape(ckan, site):
    pkg = ckan.action.package_show(id="parking-lots")
    assert pkg == ckan.action.package_show(id=pkg["id"])  # by id as well as by name
    assert len(pkg["id"]) == 36 and pkg["type"] == "dataset" and pkg["private"] is False
    assert pkg["organization"]["name"] == "jtw" and pkg["owner_org"] == pkg["organization"]["id"]
    assert pkg["groups"][0]["name"] == "transport" and pkg["groups"][0]["title"] == "道路交通"
    assert [t["name"] for t in pkg["tags"]] == ["停车场", "交通"] and pkg["num_tags"] == 2
    assert pkg["license_id"] == "CC-BY-4.0" and pkg["license_title"] == "知识共享署名 4.0" and pkg["isopen"]
    assert len(pkg["metadata_modified"]) == 26 and "T" in pkg["metadata_created"]  # microseconds, no zone
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["domain"] == "transport" and extras["open_class"] == "open" and extras["update_frequency"] == "每月"
    (res,) = pkg["resources"]
    assert pkg["num_resources"] == 1
    assert res["format"] == "CSV" and res["package_id"] == pkg["id"] and res["position"] == 0
    assert res["url"].startswith(f"{site}/api/v1/datasets/parking-lots/resources/") and res["datastore_active"]
    download = httpx.get(res["url"], timeout=30)
    assert download.status_code == 200 and len(download.content) == res["size"]
    assert res["schema"]["fields"][0]["name"] == "id"


@pytest.mark.parametrize("missing", ["no-such-dataset", "secret-data", "old-parking"])
def test_package_show_of_missing_closed_or_withdrawn_is_not_found(ckan, missing):
    with pytest.raises(NotFound):
        ckan.action.package_show(id=missing)


def test_conditional_dataset_is_listed_without_data_urls(ckan):
    pkg = ckan.action.package_show(id="cond-data")
    assert [r["url"] for r in pkg["resources"]] == [""]
    assert not pkg["resources"][0]["datastore_active"]
    with pytest.raises(NotAuthorized):
        ckan.action.datastore_search(resource_id=pkg["resources"][0]["id"])


def test_resource_show(ckan):
    res = ckan.action.package_show(id="hospitals")["resources"][0]
    assert ckan.action.resource_show(id=res["id"]) == res
    with pytest.raises(NotFound):
        ckan.action.resource_show(id="00000000-0000-0000-0000-000000000000")


def test_package_list(ckan):
    assert ckan.action.package_list() == PUBLISHED
    assert ckan.action.package_list(limit=2, offset=1) == PUBLISHED[1:3]


# --- organizations, groups, tags, status -----------------------------------------------------------------


def test_organization_list_all_fields_and_show(ckan):
    assert ckan.action.organization_list(sort="name asc") == ["jtw", "sthjj", "wsjkw"]
    orgs = {o["name"]: o for o in ckan.action.organization_list(all_fields=True)}
    assert orgs["jtw"]["package_count"] == 3 and orgs["jtw"]["title"] == "上海市交通委员会"
    assert orgs["jtw"]["is_organization"] is True and orgs["jtw"]["type"] == "organization"
    shown = ckan.action.organization_show(id=orgs["wsjkw"]["id"], include_datasets=True)
    assert shown["name"] == "wsjkw" and names(shown["packages"]) == ["hospitals"]
    with pytest.raises(NotFound):
        ckan.action.organization_show(id="nobody")


def test_groups_are_the_twelve_domains(ckan):
    groups = ckan.action.group_list()
    assert len(groups) == 12 and groups[:4] == ["economy", "environment", "education-technology", "transport"]
    health = ckan.action.group_show(id="卫生健康", include_datasets=True)
    assert health["name"] == "health" and health["package_count"] == 1
    assert names(health["packages"]) == ["hospitals"]


def test_tag_list(ckan):
    assert ckan.action.tag_list() == sorted(["停车场", "交通", "停车", "医院", "空气质量", "企业"])
    assert ckan.action.tag_list(query="停车") == ["停车", "停车场"]


def test_status_show_and_site_read(ckan, site):
    status = ckan.action.status_show()
    assert status["ckan_version"].startswith("2.") and status["site_url"] == site
    assert "datastore" in status["extensions"]
    assert ckan.action.site_read() is True


# --- datastore ------------------------------------------------------------------------------------------


def test_datastore_search(ckan):
    rid = ckan.action.package_show(id="parking-lots")["resources"][0]["id"]
    everything = ckan.action.datastore_search(resource_id=rid)
    assert everything["total"] == len(ROWS) and [r["name"] for r in everything["records"]] == [r[1] for r in ROWS]
    assert [f["id"] for f in everything["fields"]] == ["_id", "id", "name", "district", "total_spaces"]
    assert everything["fields"][4] == {"id": "total_spaces", "type": "int", "info": {"label": "泊位数"}}
    filtered = ckan.action.datastore_search(resource_id=rid, filters={"district": ["黄浦区", "徐汇区"]},
                                            sort="total_spaces desc", fields=["name", "total_spaces"])
    assert filtered["records"] == [{"name": "人民广场地下停车库", "total_spaces": 450},
                                   {"name": "徐家汇公共停车场", "total_spaces": 300}]
    page = ckan.action.datastore_search(resource_id=rid, limit=1, offset=1, sort="total_spaces")
    assert page["records"][0]["name"] == "人民广场地下停车库" and page["total"] == 3
    assert "offset=2" in page["_links"]["next"]
    found = ckan.action.datastore_search(resource_id=rid, q="陆家嘴")
    assert [r["id"] for r in found["records"]] == [1] and found["total"] == 1
    with pytest.raises(ValidationError):
        ckan.action.datastore_search(resource_id=rid, filters={"no_such_column": 1})


# --- the envelope and CKAN's errors ---------------------------------------------------------------------


def test_envelope_and_error_codes(site):
    ok = httpx.get(f"{site}/api/3/action/package_list")
    assert ok.status_code == 200 and ok.json()["success"] is True
    assert ok.json()["help"] == f"{site}/api/3/action/help_show?name=package_list"
    cases = [
        ("get", "/api/3/action/package_show", {"params": {"id": "nope"}}, 404, "Not Found Error"),
        ("get", "/api/3/action/package_search", {"params": {"rows": "many"}}, 409, "Validation Error"),
        ("get", "/api/3/action/package_show", {}, 409, "Validation Error"),
        ("get", "/api/3/action/package_search", {"params": {"fq": "organization:(jtw"}}, 400, "Search Query Error"),
        ("get", "/api/3/action/package_search", {"params": {"sort": "nonsense desc"}}, 400, "Search Query Error"),
        ("post", "/api/3/action/package_create", {"json": {"name": "x"}}, 403, "Authorization Error"),
        ("get", "/api/3/no/such/path", {}, 404, "Not Found Error"),
    ]
    for method, path, kwargs, status, kind in cases:
        response = getattr(httpx, method)(f"{site}{path}", **kwargs)
        assert response.status_code == status, (path, response.text)
        body = response.json()
        assert body["success"] is False and body["error"]["__type"] == kind, body
    assert httpx.get(f"{site}/api/3/action/package_search", params={"rows": "x"}).json()["error"]["rows"] == [
        "Invalid integer"]
    unknown = httpx.get(f"{site}/api/3/action/no_such_action")
    assert unknown.status_code == 400 and unknown.json() == "Bad request - Action name not known: no_such_action"


def test_get_post_json_and_post_form_agree(site):
    params = {"q": "停车", "rows": "1", "sort": "name asc"}
    by_get = httpx.get(f"{site}/api/action/package_search", params=params).json()["result"]
    by_json = httpx.post(f"{site}/api/3/action/package_search", json=params).json()["result"]
    by_form = httpx.post(f"{site}/api/3/action/package_search", data=params).json()["result"]
    assert by_get == by_json == by_form
    assert by_get["count"] == 2 and by_get["results"][0]["name"] == "parking-lots"


def test_library_errors_map_to_ckanapi_exceptions(ckan):
    with pytest.raises(SearchQueryError):
        ckan.action.package_search(fq="unknownfield:x")
    with pytest.raises(ValidationError):
        ckan.action.package_search(rows=-1)



# --- the query syntax, without a server -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metadata_modified:[2024-01-01T00:00:00Z TO *]",
         cq.Range("metadata_modified", "2024-01-01T00:00:00Z", None, True, True)),
        ("-organization:x groups:y", cq.And((cq.Not(cq.Term("organization", "x")), cq.Term("groups", "y")))),
        ("a OR b c", cq.Or((cq.Text("a"), cq.And((cq.Text("b"), cq.Text("c")))))),
        ("tags:(停车 OR 交通)", cq.Or((cq.Term("tags", "停车"), cq.Term("tags", "交通")))),
        ('name:"x y" && !state:deleted', cq.And((cq.Term("name", "x y", quoted=True),
                                                 cq.Not(cq.Term("state", "deleted"))))),
        ("*:*", cq.MatchAll()),
        ("", cq.MatchAll()),
    ],
)
def test_query_parser(text, expected):
    assert cq.parse(text) == expected


@pytest.mark.parametrize("bad", ['"open', "organization:", "(a", "a)", "x:[a b]", "x:[a TO b"])
def test_query_parser_refuses_what_it_cannot_read(bad):
    with pytest.raises(cq.QuerySyntaxError):
        cq.parse(bad)


def test_solr_dates():
    assert solr_date("2024-01-02T03:04:05Z").isoformat() == "2024-01-02T03:04:05+00:00"
    assert solr_date("2024-01-02T03:04:05.5+08:00").isoformat() == "2024-01-01T19:04:05.500000+00:00"
    day = solr_date("NOW/DAY")
    assert (day.hour, day.minute, day.second) == (0, 0, 0)
    assert solr_date("NOW-1DAY") < solr_date("NOW") < solr_date("NOW+1MONTH")
