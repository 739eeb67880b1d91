"""Rows and downloads benchmark: a 1,000,000-row parking table, harvested through the normal path, served by
uvicorn on loopback and measured over HTTP.

    python benchmarks/rows.py [--rows 1000000] [--queries 200] [--exports 3] [--write]

It writes a deterministic data package (the published ``parking-lot`` schema: 8 columns), harvests it into a
temporary data dir (frictionless validation, content-addressed store, Parquet), starts ``uvicorn`` on a free
loopback port and measures, with one keep-alive HTTP client:

* a filtered + sorted 100-row query (``district=…&total_spaces__gt=…&_sort_desc=total_spaces``), p50/p95 over
  ``--queries`` requests with varied districts and thresholds, after the first (cold) one;
* a full CSV export of every row (``/download?format=csv``), time to the last byte, best and median of ``--exports``;
* the original-file download rate (``/download``), best and median of ``--exports``.

Every request loop is bounded; the server is stopped at the end. ``--write`` replaces the
"## Rows and downloads" section of docs/benchmarks.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from report import cpu_model, replace_section

DISTRICTS = ["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区",
             "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区"]
KINDS = ["公共停车场", "地下停车库", "立体停车库", "P+R停车场", "商业综合体停车库", "医院停车场"]
ROADS = ["世纪大道", "南京西路", "淮海中路", "张杨路", "浦东南路", "漕溪北路", "延安西路", "四平路", "沪闵路"]
TARGETS = {"query_p95_ms": 50.0, "export_s": 3.0, "download_mb_s": 300.0}
SECTION = "## Rows and downloads"


def write_package(folder: Path, rows: int) -> Path:
    """A data package with one CSV of ``rows`` parking lots (valid against the published schema)."""
    rnd = random.Random(20241231)
    pkg = folder / "benchmark-parking-lots"
    (pkg / "data").mkdir(parents=True)
    with open(pkg / "data" / "parking-lots.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["id", "name", "district", "address", "longitude", "latitude", "total_spaces", "hourly_fee"])
        for i in range(rows):
            district = DISTRICTS[rnd.randrange(16)]
            out.writerow([
                f"P310{i:07d}", f"{district[:2]}{rnd.choice(KINDS)}{i % 997}号", district,
                f"{district}{rnd.choice(ROADS)}{rnd.randint(1, 2000)}号",
                round(rnd.uniform(120.9, 121.95), 6), round(rnd.uniform(30.7, 31.85), 6),
                rnd.randint(20, 3000), rnd.choice([0, 5, 8, 10, 12, 15, 20]),
            ])
    descriptor = {
        "name": "benchmark-parking-lots", "title": "基准测试：上海市公共停车场（库）信息",
        "description": "1,000,000 行合成停车场数据，仅用于性能测试。", "keywords": ["停车场"],
        "domain": "transport", "publisher": {"name": "jtw", "title": "上海市交通委员会"},
        "update_frequency": "每月", "open_class": "open",
        "resources": [{"name": "parking-lots", "title": "公共停车场（库）清单", "path": "data/parking-lots.csv",
                       "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": "parking-lot"}],
    }
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return pkg


def harvest(folder: Path) -> float:
    from catalog.config import get_settings
    from harvesters.base import run_harvest
    from harvesters.datapackage import DataPackageHarvester

    get_settings.cache_clear()
    settings = get_settings()
    started = time.perf_counter()
    result = run_harvest(DataPackageHarvester(folder, settings), settings=settings)
    if result.tally.added != 1:
        raise SystemExit(f"harvest failed: {result.job.errors or result.job.message}")
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "portal.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/domains", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(base: str, queries: int, exports: int, size: int) -> dict[str, float]:
    resource = f"{base}/api/v1/datasets/benchmark-parking-lots/resources/parking-lots"
    rnd = random.Random(7)
    figures: dict[str, float] = {}
    with httpx.Client(timeout=120) as client:
        def query() -> float:
            params = {"district": rnd.choice(DISTRICTS), "total_spaces__gt": rnd.choice([300, 500, 800, 1500]),
                      "_sort_desc": "total_spaces", "_size": 100}
            started = time.perf_counter()
            response = client.get(f"{resource}/rows", params=params)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200 and len(response.json()["rows"]) == 100, response.text[:200]
            return elapsed * 1000

        figures["query_cold_ms"] = query()  # from Parquet; the in-memory copy loads in the background
        warm_until = time.monotonic() + 10  # a bounded warm-up: the copy of 1M rows takes a few seconds
        for _ in range(500):
            if time.monotonic() > warm_until:
                break
            query()
            time.sleep(0.05)
        timings = [query() for _ in range(queries)]
        figures["query_p50_ms"] = statistics.median(timings)
        figures["query_p95_ms"] = percentile(timings, 95)

        def download(params: dict[str, str]) -> tuple[float, int]:
            started = time.perf_counter()
            total = 0
            with client.stream("GET", f"{resource}/download", params=params) as response:
                assert response.status_code == 200
                for chunk in response.iter_raw(1 << 20):
                    total += len(chunk)
            return time.perf_counter() - started, total

        runs = [download({"format": "csv"}) for _ in range(exports)]
        figures["export_best_s"] = min(t for t, _ in runs)
        figures["export_median_s"] = statistics.median(t for t, _ in runs)
        figures["export_mb"] = runs[0][1] / 1e6
        runs = [download({}) for _ in range(exports)]
        assert all(n == size for _, n in runs)
        figures["download_best_mb_s"] = size / 1e6 / min(t for t, _ in runs)
        figures["download_median_mb_s"] = size / 1e6 / statistics.median(t for t, _ in runs)
    return figures


def machine() -> str:
    return (f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def report(rows: int, harvest_s: float, file_mb: float, f: dict[str, float], queries: int, exports: int) -> str:
    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"""{SECTION}

`python benchmarks/rows.py --write` on {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}: {machine()}; load
average {load:.1f} when it finished. A {rows:,}-row table of 8 columns (the `parking-lot` schema, {file_mb:.0f} MB
of CSV) harvested through the normal path in {harvest_s:.0f} s (frictionless validation + Parquet), then served
by one uvicorn worker and measured over HTTP on loopback with one keep-alive client.

| measure | result | target | |
|---|---|---|---|
| filtered + sorted 100-row query (`district=…&total_spaces__gt=…&_sort_desc=total_spaces`), {queries} requests | p50 {f["query_p50_ms"]:.1f} ms, p95 {f["query_p95_ms"]:.1f} ms | p95 ≤ 50 ms | {verdict(f["query_p95_ms"] <= TARGETS["query_p95_ms"])} |
| the same, first request (from Parquet, before the in-memory copy is ready) | {f["query_cold_ms"]:.0f} ms | — | |
| full CSV export of all rows (`/download?format=csv`, {f["export_mb"]:.0f} MB), best / median of {exports} | {f["export_best_s"]:.2f} s / {f["export_median_s"]:.2f} s | ≤ 3 s | {verdict(f["export_best_s"] <= TARGETS["export_s"])} |
| original file download (`/download`), best / median of {exports} | {f["download_best_mb_s"]:.0f} / {f["download_median_mb_s"]:.0f} MB/s | ≥ 300 MB/s | {verdict(f["download_best_mb_s"] >= TARGETS["download_mb_s"])} |

How the figures are reached: the first query of a table with 100,000+ rows loads an in-memory Arrow copy of
its Parquet file in the background (answered from Parquet meanwhile: the "first request" line). Later queries
run in two steps: DuckDB finds the positions of the 100 rows using only the filtered and sorted columns
(所属区-like text dictionary-encoded), then Arrow takes those rows. Exports stream Arrow batches from the Parquet
file through pyarrow's CSV writer, converting the next batch while the last one is sent. Original files are
sent in 1 MiB reads. The machine is shared with other work (see the load average), so figures vary between runs.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--exports", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write the figures into docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="odp-rows-bench-"))
    env = {**os.environ, "ODP_DATA_DIR": str(work / "var")}
    env.pop("ODP_DATABASE_URL", None)
    os.environ.update({"ODP_DATA_DIR": env["ODP_DATA_DIR"]})
    os.environ.pop("ODP_DATABASE_URL", None)
    server = None
    try:
        print(f"writing {args.rows:,} rows …", flush=True)
        pkg = write_package(work / "packages", args.rows)
        size = (pkg / "data" / "parking-lots.csv").stat().st_size
        print(f"harvesting {size / 1e6:.0f} MB …", flush=True)
        harvest_s = harvest(work / "packages")
        print(f"harvested in {harvest_s:.1f} s; starting the server …", flush=True)
        port = free_port()
        server = start_server(port, env)
        figures = measure(f"http://127.0.0.1:{port}", args.queries, args.exports, size)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    text = report(args.rows, harvest_s, size / 1e6, figures, args.queries, args.exports)
    print(text)
    if args.write:
        replace_section(SECTION, text)
        print("wrote docs/benchmarks.md")


if __name__ == "__main__":
    main()
