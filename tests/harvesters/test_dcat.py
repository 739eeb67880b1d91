"""The DCAT harvester: portal B (uvicorn on a loopback port over its own SQLite catalog) exports DCAT-AP and
data.json; this process harvests it through ``/catalog.ttl`` (Hydra pages of 2 datasets) and through
``/data.json`` into fresh catalogs and gets the same datasets, and the same bytes; a dataset withdrawn on B is
withdrawn here at the next, incremental run."""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

import harvesters.dcat as dcat_module
from catalog.datasets.queries import get_dataset
from catalog.db import session_scope
from catalog.models import HarvestSource
from harvesters.base import run_harvest
from harvesters.dcat import DcatHarvester, rdf_record
from tests.harvesters.test_ckan import ENVIRONMENT, PortalB, active_names
from tests.support.catalog import fresh_settings, release
from tests.support.packages import write_package
from tests.support.servers import env_for, odp, portal_server

NAMES = ["air-quality", "cond-data", "parking-lots", "road-parking"]


@pytest.fixture
def portal_b(tmp_path: Path) -> PortalB:
    b = PortalB(tmp_path)
    b.env["ODP_CATALOG_PAGE_SIZE"] = "2"  # 4 listed datasets: the harvester must follow hydra:nextPage
    write_package(b.packages, "parking-lots", title="上海市公共停车场信息", keywords=["停车场", "交通"],
                  temporal_coverage="2024-01-01/2024-12-31", contact={"name": "联系人", "phone": "021-1234"})
    write_package(b.packages, "road-parking", title="道路停车泊位信息", keywords=["停车"])
    write_package(b.packages, "air-quality", title="空气质量实时数据", domain="environment", publisher=ENVIRONMENT,
                  keywords=["空气质量"], update_frequency="实时")
    write_package(b.packages, "cond-data", title="有条件开放的企业登记数据", open_class="conditional")
    write_package(b.packages, "secret-data", title="内部数据", open_class="closed")
    b.harvest()
    return b


def harvest(url: str, settings, **options: Any):
    return run_harvest(DcatHarvester(url, settings, **options), settings=settings)


def snapshot(settings) -> dict[str, Any]:
    """What a harvest made of each dataset: metadata, and each resource's name, format and stored bytes."""
    out = {}
    with session_scope(settings) as session:
        for name in active_names(settings):
            view = get_dataset(session, name)
            ds = view.dataset
            files = [(r.resource.name, r.resource.format,
                      hashlib.sha256((settings.files_dir / r.current.stored_path).read_bytes()).hexdigest())
                     for r in view.resources]
            out[name] = (ds.title, view.domain.code, view.department.title, ds.open_class, ds.update_frequency,
                         sorted(ds.keywords or []), ds.temporal_coverage, files)
    return out


def b_sha256(portal_b: PortalB, name: str) -> str:
    return hashlib.sha256((portal_b.packages / name / "data" / "table.csv").read_bytes()).hexdigest()


def test_catalog_ttl_and_data_json_harvest_the_same(settings, portal_b, tmp_path, monkeypatch, pg_database_url):
    with portal_server(portal_b.env) as url:
        result = harvest(f"{url}/catalog.ttl?page=1", settings)
        assert result.job.status == "finished", result.job.message
        assert result.tally.as_dict() == {"added": 4, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
        from_ttl = snapshot(settings)
        with session_scope(settings) as session:
            view = get_dataset(session, "parking-lots")
            assert (view.department.name, view.dataset.contact) == ("jtw", {"name": "联系人", "phone": "021-1234"})
            source = session.get(HarvestSource, view.dataset.source_id)
            assert (source.kind, source.url) == ("dcat", f"{url}/catalog.ttl?page=1")
        other = fresh_settings(tmp_path / "var-json", monkeypatch, pg_database_url)  # a second, empty catalog
        try:
            result = harvest(f"{url}/data.json", other)
            assert result.job.status == "finished", result.job.message
            assert result.tally.added == 4 and result.tally.failed == 0
            from_json = snapshot(other)
        finally:
            release(other, pg_database_url)
    assert sorted(from_ttl) == NAMES  # the closed dataset is in no export
    assert from_json == from_ttl
    title, domain, department, open_class, frequency, _, _, files = from_ttl["air-quality"]
    assert (title, domain, department, open_class, frequency) == (
        "空气质量实时数据", "environment", "上海市生态环境局", "open", "实时")
    assert files == [("table", "csv", b_sha256(portal_b, "air-quality"))]  # the original, not a conversion
    assert from_ttl["parking-lots"][5:7] == (["交通", "停车场"], "2024-01-01/2024-12-31")
    assert from_ttl["cond-data"][3] == "conditional" and from_ttl["cond-data"][7] == []  # metadata only


def test_incremental_run_updates_changes_and_withdraws_deletions(settings, portal_b, monkeypatch):
    monkeypatch.setattr(dcat_module, "CLOCK_MARGIN", timedelta(0))  # one machine, one clock
    with portal_server(portal_b.env) as url:
        source = f"{url}/catalog.ttl"
        assert harvest(source, settings).tally.added == 4
        time.sleep(0.05)
        write_package(portal_b.packages, "road-parking", title="道路停车泊位信息（更新）", keywords=["停车"])
        shutil.rmtree(portal_b.packages / "air-quality")
        portal_b.harvest()  # B: one dataset changed, one withdrawn
        harvester = DcatHarvester(source, settings)
        second = run_harvest(harvester, settings=settings)
        assert harvester.incremental
        assert second.tally.as_dict() == {"added": 0, "updated": 1, "unchanged": 0, "withdrawn": 1, "failed": 0}
        assert second.withdrawn == ["air-quality"]
        third = harvest(source, settings)  # nothing changed since: nothing downloaded
        assert third.tally.as_dict() == {"added": 0, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
        full = harvest(source, settings, full=True)
        assert full.tally.as_dict() == {"added": 0, "updated": 0, "unchanged": 3, "withdrawn": 0, "failed": 0}
    assert active_names(settings) == ["cond-data", "parking-lots", "road-parking"]
    with session_scope(settings) as session:
        assert get_dataset(session, "air-quality").dataset.state == "withdrawn"
        assert get_dataset(session, "road-parking").dataset.title == "道路停车泊位信息（更新）"


def test_cli_harvests_a_dcat_catalog(portal_b, tmp_path):
    c_env = env_for(tmp_path / "c-var")
    with portal_server(portal_b.env) as url:
        result = odp("harvest", f"{url}/catalog.jsonld", "--kind", "dcat", env=c_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4" in result.stdout


TURTLE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix spdx: <http://spdx.org/rdf/terms#> .
<https://other.example/ds/1> a dcat:Dataset ; dct:title "Bus stops"@en ;
  dct:publisher [ foaf:name "交通委"@zh ] ;
  dct:accessRights <http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC> ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/SOCI> ;
  dcat:distribution [ dcat:downloadURL <https://other.example/files/Bus%20Stops.csv> ;
                      spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "ab" ] ] .
"""


def test_a_foreign_dataset_maps_fail_closed_and_by_eu_theme(settings):
    graph = Graph().parse(data=TURTLE, format="turtle")
    (node,) = graph.subjects(predicate=None, object=dcat_module.DCAT.Dataset)
    record = rdf_record(graph, node)
    assert record["name"] == "https-other-example-ds-1"  # "1" is too short for a name: the IRI's slug
    assert record["publisher_name"].startswith("dept-") and record["publisher_title"] == "交通委"
    assert isinstance(record["open_class"], Exception)  # NON_PUBLIC is never harvested as open
    (dist,) = record["distributions"]
    assert dist["sha256"] == "ab" and dist["name"] == "bus-stops"
    assert DcatHarvester("https://other.example/catalog.ttl", settings)._domain(record["themes"]) == \
        "social-development"


CSV = "编号,名称\n1,人民广场站\n2,徐家汇站\n".encode()
PAGE_1 = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix spdx: <http://spdx.org/rdf/terms#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<catalog?page=1> a hydra:PagedCollection ; hydra:next <catalog?page=2> .
<ds/bus-stops> a dcat:Dataset ; dct:identifier "bus-stops" ; dct:title "公交站点"@zh ;
  dct:modified "2024-05-01T00:00:00Z" ;
  dct:publisher <org/jtw> . <org/jtw> foaf:name "上海市交通委员会"@zh .
<ds/bus-stops> dcat:theme <http://publications.europa.eu/resource/authority/data-theme/TRAN> ;
  dcat:distribution <ds/bus-stops#stops> .
<ds/bus-stops#stops> dcat:downloadURL <files/stops.csv> ; dct:format "CSV" ;
  spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "%(sha)s" ] .
<ds/bus-stops#stops-json> dcat:downloadURL <files/stops.csv?format=json> .
<ds/bus-stops> dcat:distribution <ds/bus-stops#stops-json> .
"""
PAGE_2 = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix spdx: <http://spdx.org/rdf/terms#> .
<ds/tampered> a dcat:Dataset ; dct:title "校验和不符"@zh ; dct:publisher <org/jtw> .
<org/jtw> foaf:name "上海市交通委员会"@zh .
<ds/tampered> dcat:theme <http://publications.europa.eu/resource/authority/data-theme/TRAN> ;
  dcat:distribution [ dcat:downloadURL <files/stops.csv> ;
    spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "%(wrong)s" ] ] .
<ds/applied> a dcat:Dataset ; dct:title "需申请的数据"@zh ; dct:publisher <org/jtw> ;
  dct:accessRights <http://publications.europa.eu/resource/authority/access-right/RESTRICTED> ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/GOVE> ;
  dcat:distribution [ dcat:accessURL <ds/applied> ] .
"""


@pytest.fixture
def foreign_catalog() -> Iterator[str]:
    """A hand-written two-page DCAT catalog (relative IRIs, ``hydra:next``) and its file on a loopback port."""
    sha = hashlib.sha256(CSV).hexdigest()
    bodies = {"/catalog?page=1": PAGE_1 % {"sha": sha}, "/catalog?page=2": PAGE_2 % {"wrong": "0" * 64}}
    served: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            served.append(self.path)
            if self.path.startswith("/files/stops.csv"):
                body, kind = CSV, "text/csv"
            elif self.path in bodies:
                body, kind = bodies[self.path].encode(), "text/turtle"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/catalog?page=1"
    finally:
        server.shutdown()
        server.server_close()
    assert "/files/stops.csv?format=json" not in served  # the conversion was never downloaded


def test_a_foreign_catalog_pages_checksums_and_metadata_only(settings, foreign_catalog):
    result = harvest(foreign_catalog, settings)
    assert result.tally.as_dict() == {"added": 2, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 1}
    (error,) = result.tally.errors
    assert "differs from the catalog's" in error["message"]  # the tampered file fails alone
    with session_scope(settings) as session:
        stops = get_dataset(session, "bus-stops")
        applied = get_dataset(session, "applied")
    assert (stops.domain.code, stops.department.name, stops.department.title) == ("transport", "jtw",
                                                                                 "上海市交通委员会")
    (res,) = stops.resources
    assert (res.resource.name, res.resource.format) == ("stops", "csv")
    assert (settings.files_dir / res.current.stored_path).read_bytes() == CSV
    assert applied.dataset.open_class == "conditional" and applied.resources == []
    assert (applied.dataset.title, applied.domain.code) == ("需申请的数据", "institutions")
