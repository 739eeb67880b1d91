"""Catalog exports at scale: `/catalog.ttl` page by page and the streamed `/data.json` of N datasets.

    .venv/bin/python benchmarks/exports.py [--datasets 100000] [--write]

A synthetic catalog of N listed datasets (40 departments, the 12 domains, one CSV resource with a current version
each, every tenth dataset 有条件开放) is written straight into a temporary SQLite catalog with bulk inserts (a
harvest of 100,000 packages would take an hour and measure the harvester, not the exports). A real server
(uvicorn, one process) then serves it on a free loopback port:

* every page of `/catalog.ttl?page=K` (``ODP_CATALOG_PAGE_SIZE``, default 100) is fetched in order; per page the
  time, and the server's resident memory (VmRSS of its process) after the page;
* `/data.json` is read as a stream while a thread samples the server's VmRSS every 20 ms.

"Flat memory" is the server's RSS after the last page against after the tenth (the first pages warm caches up),
and the peak during `/data.json` against the RSS before it. ``--write`` replaces the "## Catalog exports at
scale" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from report import replace_section
from rows import free_port, machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECTION = "## Catalog exports at scale"
BATCH = 5000
DISTRICTS = ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区",
             "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区")
TOPICS = ("公共停车场", "空气质量监测", "公交线路", "医疗机构", "幼儿园", "充电桩", "养老机构", "体育场馆",
          "图书馆", "菜市场", "垃圾分类", "历史建筑", "道路养护", "河道水质", "企业信用", "人口统计")


def build_catalog(data_dir: Path, count: int) -> float:
    """N datasets with one resource and version each, inserted in batches; returns the seconds it took."""
    os.environ["ODP_DATA_DIR"] = str(data_dir)
    os.environ.pop("ODP_DATABASE_URL", None)
    from sqlalchemy import insert

    from catalog import db
    from catalog.config import get_settings
    from catalog.models import Dataset, Department, Resource, ResourceVersion
    from catalog.vocabulary import DOMAINS

    get_settings.cache_clear()
    settings = get_settings()
    db.init_db(settings)
    engine = db.get_engine(settings)
    started = time.perf_counter()
    domains = [d.code for d in DOMAINS]
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(insert(Department), [
            {"id": i, "name": f"dept-{i:02d}", "title": f"上海市第{i}委办局", "title_en": f"Bureau {i}"}
            for i in range(1, 41)])
    for start in range(1, count + 1, BATCH):
        ids = range(start, min(start + BATCH, count + 1))
        datasets, resources, versions = [], [], []
        for i in ids:
            title = f"{DISTRICTS[i % len(DISTRICTS)]}{TOPICS[i % len(TOPICS)]}信息（第{i}号）"
            digest = hashlib.sha256(str(i).encode()).hexdigest()
            datasets.append({
                "id": i, "name": f"bench-dataset-{i:06d}", "title": title,
                "description": f"{title}，按月更新，含名称、地址、所属区和数量等字段。",
                "domain_code": domains[i % len(domains)], "department_id": 1 + i % 40,
                "keywords": [TOPICS[i % len(TOPICS)], DISTRICTS[i % len(DISTRICTS)]],
                "update_frequency": "每月", "open_class": "conditional" if i % 10 == 0 else "open",
                "license_id": "CC-BY-4.0", "version": "1.0", "spatial_coverage": "上海市",
                "contact": {"email": f"open{i % 40}@example.gov.cn"},
                "first_published": now - timedelta(days=i % 900), "modified": now - timedelta(minutes=i),
                "last_harvested": now, "state": "active"})
            resources.append({"id": i, "dataset_id": i, "name": "table", "title": title, "format": "csv",
                              "media_type": "text/csv", "position": 0, "state": "active",
                              "current_version_id": i})
            versions.append({"id": i, "resource_id": i, "sha256": digest, "size": 1000 + i % 5000,
                             "stored_path": f"{digest[:2]}/{digest}", "original_filename": "table.csv",
                             "encoding": "utf-8", "row_count": 20 + i % 300, "validation_status": "valid",
                             "fingerprint": digest, "created": now})
        with engine.begin() as connection:
            connection.execute(insert(Dataset), datasets)
            connection.execute(insert(Resource), resources)
            connection.execute(insert(ResourceVersion), versions)
    return time.perf_counter() - started


def rss_mb(pid: int) -> float:
    match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    return int(match.group(1)) / 1024 if match else float("nan")


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "portal.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/catalog.ttl", timeout=30).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def walk_pages(base: str, pid: int) -> dict[str, float]:
    first = httpx.get(f"{base}/catalog.ttl", timeout=120)
    last = int(re.search(r"hydra:lastPage \"[^\"]*page=(\d+)\"", first.text).group(1))
    times, rss = [], []
    for page in range(1, last + 1):
        started = time.perf_counter()
        answer = httpx.get(f"{base}/catalog.ttl", params={"page": page}, timeout=120)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200 and "dcat:Dataset" in answer.text, (page, answer.status_code)
        rss.append(rss_mb(pid))
    ordered = sorted(times)
    return {"pages": last, "total_s": sum(times) / 1000, "p50_ms": statistics.median(times),
            "p95_ms": ordered[int(0.95 * (len(ordered) - 1))], "max_ms": ordered[-1],
            "rss_page10": rss[min(9, len(rss) - 1)], "rss_last": rss[-1], "rss_peak": max(rss)}


def stream_data_json(base: str, pid: int) -> dict[str, float]:
    before = rss_mb(pid)
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, size = time.perf_counter(), 0
    first_byte = None
    with httpx.stream("GET", f"{base}/data.json", timeout=600) as answer:
        for chunk in answer.iter_bytes():
            first_byte = first_byte or time.perf_counter() - started
            size += len(chunk)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return {"seconds": elapsed, "first_byte_s": first_byte or elapsed, "mb": size / 1e6,
            "rss_before": before, "rss_peak": peak[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "var"
        built = build_catalog(data_dir, args.datasets)
        print(f"catalog of {args.datasets:,} datasets built in {built:.1f} s", flush=True)
        port = free_port()
        env = {**os.environ, "ODP_DATA_DIR": str(data_dir), "ODP_PUBLIC_URL": f"http://127.0.0.1:{port}"}
        server = start_server(port, env)
        try:
            base = f"http://127.0.0.1:{port}"
            start_rss = rss_mb(server.pid)
            pages = walk_pages(base, server.pid)
            print(f"/catalog.ttl: {pages}", flush=True)
            data = stream_data_json(base, server.pid)
            print(f"/data.json: {data}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = f"""{SECTION}

`.venv/bin/python benchmarks/exports.py --datasets {args.datasets}` on {datetime.now(UTC):%Y-%m-%d %H:%M UTC}:
{machine()}; load average {os.getloadavg()[0]:.1f} at the end (the machine is shared). A synthetic catalog of
{args.datasets:,} listed datasets (one CSV resource each, every tenth 有条件开放) in SQLite, served by one uvicorn
process; the server's resident memory (VmRSS) read after each page and every 20 ms during `/data.json`.

| export | figure |
|---|---|
| `/catalog.ttl`, {pages['pages']:,} pages of 100 | {pages['total_s']:.1f} s in all; p50 {pages['p50_ms']:.0f} ms, p95 {pages['p95_ms']:.0f} ms, max {pages['max_ms']:.0f} ms per page |
| server RSS while paging | {start_rss:.0f} MB at start, {pages['rss_page10']:.0f} MB after page 10, {pages['rss_last']:.0f} MB after the last page (peak {pages['rss_peak']:.0f} MB) |
| `/data.json`, streamed | {data['mb']:.0f} MB in {data['seconds']:.1f} s, first byte after {data['first_byte_s']:.2f} s |
| server RSS during `/data.json` | {data['rss_before']:.0f} MB before, peak {data['rss_peak']:.0f} MB |
"""
    print(text)
    if args.write:
        replace_section(SECTION, text)


if __name__ == "__main__":
    main()
