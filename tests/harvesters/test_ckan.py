"""The CKAN harvester: portal A (this process) harvests portal B (uvicorn on a loopback port, its own SQLite
data dir), fully, incrementally and with deletions; a killed job is recovered; and recorded CKAN 2.9–2.11
answers, served by a loopback stub, map onto the catalog."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from sqlmodel import select

import harvesters.ckan as ckan_module
from catalog.datasets.queries import get_dataset
from catalog.db import session_scope
from catalog.models import Dataset, HarvestJob, HarvestSource, Resource, ResourceVersion
from harvesters.base import run_harvest
from harvesters.ckan import CkanHarvester
from tests.support.catalog import copy_sample
from tests.support.packages import write_package
from tests.support.servers import BIN, ROOT, StubCkan, env_for, odp, paged_search, portal_server

FIXTURES = Path(__file__).parent / "fixtures" / "ckan"
ENVIRONMENT = {"name": "sthjj", "title": "上海市生态环境局"}
SAMPLES = ["shanghai-public-parking-lots", "shanghai-kindergartens", "ancient-and-famous-trees",
           "elderly-care-institutions", "museums-and-exhibitions", "construction-permits-2023",
           "dishonest-entities-list", "road-traffic-accident-statistics"]


class PortalB:
    """The remote portal: a folder of packages, harvested into B's own SQLite catalog by `odp harvest`."""

    def __init__(self, root: Path):
        self.packages = root / "b-packages"
        self.packages.mkdir()
        self.env = env_for(root / "b-var")

    def harvest(self) -> None:
        result = odp("harvest", str(self.packages), env=self.env)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def portal_b(tmp_path: Path) -> PortalB:
    b = PortalB(tmp_path)
    write_package(b.packages, "parking-lots", title="上海市公共停车场信息", keywords=["停车场", "交通"],
                  licenses=[{"name": "CC-BY-4.0", "title": "知识共享署名 4.0"}], x_source_system="交通数据中台",
                  temporal_coverage="2024-01-01/2024-12-31", contact={"name": "联系人", "phone": "021-1234"})
    write_package(b.packages, "road-parking", title="道路停车泊位信息", keywords=["停车"])
    write_package(b.packages, "air-quality", title="空气质量实时数据", domain="environment", publisher=ENVIRONMENT,
                  keywords=["空气质量"], update_frequency="实时")
    write_package(b.packages, "cond-data", title="有条件开放的企业登记数据", open_class="conditional")
    write_package(b.packages, "secret-data", title="内部数据", open_class="closed")
    b.harvest()
    return b


def harvest(url: str, settings, **options: Any):
    return run_harvest(CkanHarvester(url, settings, **options), settings=settings)


def active_names(settings) -> list[str]:
    with session_scope(settings) as session:
        return sorted(session.exec(select(Dataset.name).where(Dataset.state == "active")).all())


def test_full_harvest_of_another_portal_maps_everything(settings, portal_b):
    with portal_server(portal_b.env) as url:
        result = harvest(url, settings)
    assert result.job.status == "finished", result.job.message
    assert result.tally.as_dict() == {"added": 4, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
    assert active_names(settings) == ["air-quality", "cond-data", "parking-lots", "road-parking"]  # no closed
    with session_scope(settings) as session:
        view = get_dataset(session, "parking-lots")
        air = get_dataset(session, "air-quality")
        cond = get_dataset(session, "cond-data")
        source = session.get(HarvestSource, view.dataset.source_id)
    ds = view.dataset
    assert (ds.title, view.domain.code, view.department.name, view.department.title) == (
        "上海市公共停车场信息", "transport", "jtw", "上海市交通委员会")
    assert ds.keywords == ["停车场", "交通"] and ds.license_id == "CC-BY-4.0" and ds.update_frequency == "每月"
    assert ds.temporal_coverage == "2024-01-01/2024-12-31" and ds.contact == {"name": "联系人", "phone": "021-1234"}
    assert ds.extras["x_source_system"] == "交通数据中台" and ds.extras["ckan_url"].endswith("/dataset/parking-lots")
    assert (air.domain.code, air.department.name, air.dataset.update_frequency) == ("environment", "sthjj", "实时")
    assert source.kind == "ckan" and source.url == url
    (res,) = view.resources
    assert res.resource.name == "table" and res.resource.format == "csv"
    assert res.current.validation_status == "valid" and res.current.row_count == 3
    assert res.current.table_schema["fields"][0]["title"] == "编号"  # B's Table Schema, not a guess
    original = (portal_b.packages / "parking-lots" / "data" / "table.csv").read_bytes()
    assert (settings.files_dir / res.current.stored_path).read_bytes() == original
    assert cond.dataset.open_class == "conditional" and cond.resources == []  # its data is not public on B


def test_incremental_run_asks_only_for_changes_and_detects_deletions(settings, portal_b, monkeypatch):
    monkeypatch.setattr(ckan_module, "CLOCK_MARGIN", timedelta(0))  # one machine, one clock
    with portal_server(portal_b.env) as url:
        first = harvest(url, settings)
        assert first.tally.added == 4
        time.sleep(0.05)
        write_package(portal_b.packages, "road-parking", title="道路停车泊位信息（更新）", keywords=["停车"])
        shutil.rmtree(portal_b.packages / "air-quality")
        portal_b.harvest()  # B: one dataset changed, one withdrawn
        harvester = CkanHarvester(url, settings)
        second = run_harvest(harvester, settings=settings)
        assert harvester.incremental and harvester.since is not None
        assert second.tally.as_dict() == {"added": 0, "updated": 1, "unchanged": 0, "withdrawn": 1, "failed": 0}
        assert second.withdrawn == ["air-quality"]
        third = harvest(url, settings)  # nothing changed since
        assert third.tally.as_dict() == {"added": 0, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
        full = harvest(url, settings, full=True)
        assert full.tally.as_dict() == {"added": 0, "updated": 0, "unchanged": 3, "withdrawn": 0, "failed": 0}
    assert active_names(settings) == ["cond-data", "parking-lots", "road-parking"]
    with session_scope(settings) as session:
        gone = get_dataset(session, "air-quality")
        assert gone.dataset.state == "withdrawn" and gone.resources[0].versions  # kept, never deleted
        assert get_dataset(session, "road-parking").dataset.title == "道路停车泊位信息（更新）"


def test_a_broken_site_fails_the_job_and_withdraws_nothing(settings, portal_b):
    with portal_server(portal_b.env) as url:
        assert harvest(url, settings).tally.added == 4
    waits: list[float] = []
    result = harvest(url, settings, full=True, sleep=waits.append)  # the server is gone now
    assert result.job.status == "failed" and "did not answer package_search after 4 attempts" in result.job.message
    assert waits == [1.0, 2.0, 4.0]  # the back-off between the four attempts, recorded instead of slept
    assert len(active_names(settings)) == 4


def test_organization_filter_is_a_source_of_its_own(settings, portal_b):
    with portal_server(portal_b.env) as url:
        env_only = harvest(url, settings, organization="sthjj")
        assert env_only.tally.added == 1 and active_names(settings) == ["air-quality"]
        everything = harvest(url, settings)
        # the names belong to the first source: air-quality is refused, not taken over
        assert (everything.tally.added, everything.tally.failed) == (3, 1)
    assert "already belongs to another harvest source" in everything.tally.errors[0]["message"]
    with session_scope(settings) as session:
        sources = session.exec(select(HarvestSource.url).order_by(HarvestSource.id)).all()
    assert sources == [f"{url}/organization/sthjj", url]


# --- a job that dies --------------------------------------------------------------------------------------


def stub_packages(count: int, base: str) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    packages, files = [], {}
    for i in range(count):
        pid = f"00000000-0000-4000-8000-{i:012d}"
        path = f"/files/ds-{i}.csv"
        files[path] = f"id,name\n{i},站点{i}\n".encode()
        packages.append({
            "id": pid, "name": f"stub-ds-{i:02d}", "title": f"测试数据 {i}", "notes": "", "state": "active",
            "metadata_modified": "2024-01-01T00:00:00.000000", "metadata_created": "2024-01-01T00:00:00.000000",
            "organization": {"name": "jtw", "title": "上海市交通委员会"}, "groups": [], "tags": [], "extras": [],
            "resources": [{"id": f"r-{i}", "name": "数据", "format": "CSV", "url": f"{base}{path}"}],
        })
    return packages, files


def test_killed_job_leaves_no_half_dataset_and_is_failed_on_the_next_start(settings, pg_database_url):
    stub = StubCkan()
    with stub.serve():
        packages, stub.files = stub_packages(12, stub.url)
        stub.actions["package_search"] = paged_search(packages)
        stub.hold = {"/files/ds-9.csv"}
        env = env_for(settings.data_dir, pg_database_url)
        proc = subprocess.Popen([str(BIN / "odp"), "harvest", stub.url, "--default-domain", "transport"],
                                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert stub.held.wait(timeout=120), "the harvest never reached the held file"
            deadline = time.monotonic() + 120
            while len(active_names(settings)) < 5 and time.monotonic() < deadline:
                time.sleep(0.1)
            proc.send_signal(signal.SIGKILL)  # dies mid-job, with downloads and imports in flight
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        with session_scope(settings) as session:
            (stuck,) = session.exec(select(HarvestJob)).all()
            assert stuck.status == "running"
            imported = session.exec(select(Dataset)).all()
            assert 5 <= len(imported) < 12
            for ds in imported:  # every dataset there is whole: its resource, version and file
                (res,) = session.exec(select(Resource).where(Resource.dataset_id == ds.id)).all()
                version = session.get(ResourceVersion, res.current_version_id)
                assert version is not None and (settings.files_dir / version.stored_path).is_file()
        stub.hold.clear()
        stub.release.set()
        result = harvest(stub.url, settings, default_domain="transport")
    assert result.job.status == "finished"
    assert result.tally.added == 12 - len(imported) and result.tally.unchanged == len(imported)
    with session_scope(settings) as session:
        jobs = session.exec(select(HarvestJob).order_by(HarvestJob.id)).all()
    assert [j.status for j in jobs] == ["failed", "finished"]
    assert jobs[0].message.startswith("abandoned:")  # its process is gone: `odp jobs` says failed (abandoned)
    assert len(active_names(settings)) == 12


# --- recorded answers of real CKAN sites ----------------------------------------------------------------


def recorded(version: str) -> list[dict[str, Any]]:
    return json.loads((FIXTURES / f"ckan-{version}-package_search.json").read_text(encoding="utf-8"))["result"][
        "results"]


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "等级", "床位数"])
    sheet.append(["瑞金医院", "三级甲等", 2100])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def recorded_site() -> Iterator[StubCkan]:
    stub = StubCkan()
    with stub.serve():
        yield stub


def serve_recorded(stub: StubCkan, version: str) -> list[dict[str, Any]]:
    packages = json.loads(json.dumps(recorded(version)).replace("https://ckan.example.org", stub.url))
    for pkg in packages:
        for res in pkg["resources"]:
            path = res["url"].removeprefix(stub.url)
            name = path.rsplit("/", 1)[-1]
            if name.endswith(".xlsx"):
                stub.files[path] = xlsx_bytes()
            elif name.endswith(".json"):
                stub.files[path] = json.dumps([{"名称": "瑞金医院", "床位数": 2100}], ensure_ascii=False).encode()
            elif name.endswith(".pdf"):
                stub.files[path] = b"%PDF-1.4\n% not really\n"
            elif name == "schools.csv":
                stub.files[path] = "school,district,students\n市实验学校,黄浦区,1200\n".encode()
            else:
                stub.files[path] = "编号,名称,区\n1,人民广场站,黄浦区\n2,徐家汇站,徐汇区\n".encode()
    stub.actions["package_search"] = paged_search(packages)
    return packages


def test_recorded_ckan_2_9_answers(settings, recorded_site, tmp_path):
    serve_recorded(recorded_site, "2.9")
    domain_map = tmp_path / "domains.json"
    domain_map.write_text(json.dumps({"environment-and-ecology": "资源环境"}), encoding="utf-8")
    result = odp("harvest", recorded_site.url, "--kind", "ckan", "--domain-map", str(domain_map),
                 "--default-domain", "economy", env=env_for(settings.data_dir, settings.database_url))
    assert result.returncode == 1, result.stdout  # one dataset failed, the others were harvested
    assert "added     bus-stops" in result.stdout and "failed    ftp-archive" in result.stdout
    assert "not an http(s) URL" in result.stdout.replace("\n", "")
    assert active_names(settings) == ["air-quality-monitoring", "bus-stops", "misc-statistics"]
    with session_scope(settings) as session:
        bus = get_dataset(session, "bus-stops")
        air = get_dataset(session, "air-quality-monitoring")
        misc = get_dataset(session, "misc-statistics")
    assert (bus.domain.code, bus.department.name, bus.department.title) == (
        "transport", "shanghai-transport", "上海市交通委员会")
    assert bus.dataset.keywords == ["公交", "交通出行"] and bus.dataset.update_frequency == "每月"
    assert bus.dataset.version == "2.1" and bus.dataset.spatial_coverage == "上海市"
    assert bus.dataset.contact == {"name": "交通数据联系人", "email": "data@jtw.example.gov.cn"}
    assert bus.dataset.licenses == [{"name": "cc-by", "title": "Creative Commons Attribution",
                                     "path": "http://www.opendefinition.org/licenses/cc-by"}]
    assert bus.dataset.created.isoformat().startswith("2020-03-02T08:15:33")  # CKAN's zone-less UTC
    assert bus.resources[0].resource.title == "公交站点清单" and bus.resources[0].current.row_count == 2
    assert air.domain.code == "environment"  # by the domain map
    assert [(r.resource.format, r.current.validation_status) for r in air.resources] == [
        ("csv", "valid"), ("pdf", "not_tabular")]
    assert misc.domain.code == "economy"  # nothing placed it: the default domain
    assert "tracking_summary" not in misc.dataset.extras


def test_recorded_ckan_2_10_answers(settings, recorded_site):
    serve_recorded(recorded_site, "2.10")
    result = harvest(recorded_site.url, settings)
    assert result.tally.as_dict() == {"added": 2, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
    with session_scope(settings) as session:
        hospitals = get_dataset(session, "hospital-directory")
        sites = get_dataset(session, "vaccination-sites")
    assert (hospitals.domain.code, hospitals.department.title) == ("health", "上海市卫生健康委员会")
    assert hospitals.dataset.update_frequency == "每季度"
    assert hospitals.dataset.extras["coverage_notes"] == {"districts": 16}  # JSON text extras decoded
    assert hospitals.dataset.extras["publisher_url"] == "https://wsjkw.example.gov.cn"
    formats = [(r.resource.format, r.current.validation_status, r.current.row_count) for r in hospitals.resources]
    assert formats == [("xlsx", "valid", 1), ("json", "valid", 1)]  # the link-only resource has no file
    assert sites.resources[0].resource.format == "csv"
    again = harvest(recorded_site.url, settings, full=True)
    assert again.tally.unchanged == 2


def test_recorded_ckan_2_11_answers(settings, recorded_site):
    serve_recorded(recorded_site, "2.11")
    result = harvest(recorded_site.url, settings)
    assert (result.tally.added, result.tally.failed) == (1, 1)
    assert "no organization" in result.tally.errors[0]["message"]
    with session_scope(settings) as session:
        schools = get_dataset(session, "schools")
    assert schools.domain.code == "education-technology" and schools.dataset.keywords == ["学校", "教育"]
    assert schools.dataset.temporal_coverage == "2024-09-01/2025-07-31"
    version = schools.resources[0].current
    assert version.table_schema["fields"][2] == {"name": "students", "type": "integer", "title": "在校生数"}
    assert version.validation_status == "valid" and version.row_count == 1


def test_sample_data_round_trip_through_the_ckan_api(settings, tmp_path):
    """Every dataset a departmental portal publishes arrives in the other portal with the same bytes: CSV,
    GBK CSV, XLSX, JSON, GeoJSON and text, open and conditional (a closed one is not published)."""
    b = PortalB(tmp_path)
    for name in SAMPLES:
        assert copy_sample(f"*/{name}", b.packages), name
    b.harvest()
    with portal_server(b.env) as url:
        result = harvest(url, settings)
        published = httpx.get(f"{url}/api/3/action/package_search", params={"rows": 1000}, timeout=60).json()
    assert result.tally.failed == 0, result.tally.errors
    b_packages = {p["name"]: p for p in published["result"]["results"]}
    assert result.tally.added == len(b_packages) == len(SAMPLES) - 1
    with session_scope(settings) as session:
        for name, pkg in b_packages.items():
            view = get_dataset(session, name)
            assert view.domain.code == next(e["value"] for e in pkg["extras"] if e["key"] == "domain")
            theirs = {r["resource_name"]: r["hash"] for r in pkg["resources"] if r["url"]}
            ours = {r.resource.name: r.current.sha256 for r in view.resources}
            assert ours == theirs, name


def test_remote_resource_names_follow_the_catalog_rule(tmp_path):
    """A remote resource is named by its exported name, else its id, else by position: whatever the remote
    site sends, the name passes the catalog's rule (1-100 of a-z 0-9 . _ -), so no package fails on it."""
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n")
    remote = [
        {"resource_name": "ok-name", "id": "x"},
        {"resource_name": "../../x", "id": "6F1C2A3B-0000-4000-8000-000000000001"},
        {"resource_name": "表/<script>", "id": "表/<script>"},
        {"resource_name": "a" * 101, "id": "b" * 101},
        {"resource_name": "ok-name", "id": ""},
    ]
    harvester = CkanHarvester("http://127.0.0.1:9", default_domain="transport")
    names = [r.name for r in harvester._resources([(res, path, "t.csv") for res in remote])]
    assert names == ["ok-name", "6f1c2a3b-0000-4000-8000-000000000001", "resource-2", "resource-3", "resource-4"]
