"""Download throughput with the files on the local disk and in an S3 store.

    .venv/bin/python benchmarks/storage.py [--mb 128] [--write]

One catalog of two datasets (a non-tabular file of N MB of random bytes, and a 200,000-row CSV table) is harvested
twice: into a local files folder, and into an S3 bucket (``ODP_FILES_URL``). The S3 server is **moto's server
mode on loopback** (a Python process keeping objects in memory), not a real S3: it measures the portal's S3 path
(s3fs requests, the streaming response), not what MinIO, Ceph RGW or a cloud S3 would deliver, which serve
far faster than moto and over a real network. Each catalog is served by one uvicorn worker; one keep-alive client
on loopback measures:

* the whole original (`/download`), best and median of 3, in MB/s;
* 1 MiB ranges at random offsets (`Range: bytes=…`), p50 and p95 of 50;
* with S3 only: the presigned redirect (``ODP_S3_PRESIGNED_DOWNLOADS``), the client following it to the bucket;
* a rows query (filter + sort, 100 rows) on the table: the first one (DuckDB reading the Parquet file from the
  disk, or from the bucket through s3fs), then p50 and p95 of 100 once the in-memory copy is loaded (a table of
  ODP_ROWS_HOT_MIN_ROWS rows or more gets one; with an S3 store, every queried table does).

``--write`` replaces the "## File store: local disk and S3" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from report import replace_section
from rows import free_port, machine, percentile, start_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECTION = "## File store: local disk and S3"
BUCKET, ACCESS, SECRET = "odp-bench", "bench-access", "bench-secret"
DISTRICTS = ("黄浦区", "徐汇区", "长宁区", "静安区", "浦东新区", "闵行区")
SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "district", "type": "string"},
                     {"name": "spaces", "type": "integer"}]}


def write_packages(folder: Path, megabytes: int, rows: int) -> None:
    blob = folder / "bench-archive"
    (blob / "data").mkdir(parents=True)
    with open(blob / "data" / "archive.bin", "wb") as out:
        out.writelines(os.urandom(1024 * 1024) for _ in range(megabytes))
    table = folder / "bench-table"
    (table / "data").mkdir(parents=True)
    rnd = random.Random(3)
    with open(table / "data" / "table.csv", "w", encoding="utf-8") as out:
        out.write("id,district,spaces\n")
        out.writelines(f"{i},{rnd.choice(DISTRICTS)},{rnd.randint(1, 2000)}\n" for i in range(1, rows + 1))
    common = {"description": "benchmark", "domain": "transport", "open_class": "open",
              "publisher": {"name": "jtw", "title": "上海市交通委员会"}}
    (blob / "datapackage.json").write_text(json.dumps({**common, "name": "bench-archive", "title": "归档文件",
        "resources": [{"name": "archive", "path": "data/archive.bin", "format": "bin"}]}), encoding="utf-8")
    (table / "datapackage.json").write_text(json.dumps({**common, "name": "bench-table", "title": "停车场", "resources": [
        {"name": "table", "path": "data/table.csv", "format": "csv", "schema": SCHEMA}]}), encoding="utf-8")


def start_moto(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("moto did not start")


def harvest(env: dict[str, str], packages: Path) -> None:
    subprocess.run([str(Path(sys.executable).parent / "odp"), "harvest", str(packages)], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def measure(base: str, size: int, presigned: bool = False) -> dict[str, float]:
    download = f"{base}/api/v1/datasets/bench-archive/resources/archive/download"
    rows = f"{base}/api/v1/datasets/bench-table/resources/table/rows"
    rnd = random.Random(11)
    figures: dict[str, float] = {}
    with httpx.Client(timeout=300, follow_redirects=True) as client:
        speeds = []
        for _ in range(3):
            started = time.perf_counter()
            got = 0
            with client.stream("GET", download) as response:
                response.raise_for_status()
                for chunk in response.iter_bytes(1024 * 1024):
                    got += len(chunk)
            assert got == size, (got, size)
            speeds.append(size / 1e6 / (time.perf_counter() - started))
        figures["best"], figures["median"] = max(speeds), statistics.median(speeds)
        if presigned:
            return figures
        ranges = []
        for _ in range(50):
            start = rnd.randrange(0, size - (1 << 20))
            began = time.perf_counter()
            response = client.get(download, headers={"Range": f"bytes={start}-{start + (1 << 20) - 1}"})
            assert response.status_code == 206 and len(response.content) == 1 << 20
            ranges.append((time.perf_counter() - began) * 1000)
        figures["range_p50"], figures["range_p95"] = percentile(ranges, 50), percentile(ranges, 95)
        began = time.perf_counter()
        assert client.get(rows, params={"district": DISTRICTS[0], "_sort_desc": "spaces"}).status_code == 200
        figures["rows_first"] = (time.perf_counter() - began) * 1000
        time.sleep(3)  # the in-memory copy loads in the background
        queries = []
        for _ in range(100):
            params = {"district": rnd.choice(DISTRICTS), "spaces__gt": rnd.choice([100, 500, 1500]),
                      "_sort_desc": "spaces", "_size": 100}
            began = time.perf_counter()
            assert client.get(rows, params=params).status_code == 200
            queries.append((time.perf_counter() - began) * 1000)
        figures["rows_p50"], figures["rows_p95"] = percentile(queries, 50), percentile(queries, 95)
    return figures


def serve_and_measure(env: dict[str, str], size: int, presigned: bool = False) -> dict[str, float]:
    port = free_port()
    server = start_server(port, env)
    try:
        return measure(f"http://127.0.0.1:{port}", size, presigned)
    finally:
        server.terminate()
        server.wait()


def report(mb: int, rows: int, local: dict, s3: dict, presigned: dict) -> str:
    load = os.getloadavg()
    return f"""{SECTION}

`python benchmarks/storage.py --write` on {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}: {machine()}; load
average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min) when it finished. A {mb} MB file and a
{rows:,}-row table, harvested once into a local files folder and once into an S3 bucket, each served by one uvicorn
worker and measured over HTTP on loopback by one keep-alive client.

**The S3 server is moto's server mode on loopback, not a real S3**: one Python process holding the objects in
memory. The S3 figures measure the portal's own S3 path (s3fs ranged GETs, the streamed response) with moto as the
bottleneck; MinIO, Ceph RGW or a cloud S3 serve much faster than moto, but over a real network, so production
figures depend on the store and the network between it and the API nodes.

| measure | local disk | S3 (moto, streamed) | S3 (moto, presigned redirect) |
|---|---|---|---|
| whole file download, best / median of 3 | {local['best']:.0f} / {local['median']:.0f} MB/s | {s3['best']:.0f} / {s3['median']:.0f} MB/s | {presigned['best']:.0f} / {presigned['median']:.0f} MB/s |
| 1 MiB range at a random offset, p50 / p95 of 50 | {local['range_p50']:.1f} / {local['range_p95']:.1f} ms | {s3['range_p50']:.1f} / {s3['range_p95']:.1f} ms | — |
| rows query (filter + sort, 100 rows), the first (from Parquet) | {local['rows_first']:.0f} ms | {s3['rows_first']:.0f} ms | — |
| the same, p50 / p95 of 100 (in-memory copy) | {local['rows_p50']:.1f} / {local['rows_p95']:.1f} ms | {s3['rows_p50']:.1f} / {s3['rows_p95']:.1f} ms | — |

With S3 the portal streams an original from one GET per download (one per range of a Range request), passing
1 MiB chunks on as they arrive, or, with `ODP_S3_PRESIGNED_DOWNLOADS=true`, answers 307 to a presigned URL and the
client downloads from the store itself (the API node then carries no file bytes at all). The 1 MiB range figure
is moto's: it reads and copies the whole object (here 128 MB) to answer every ranged GET, which a real S3 does not. The rows engine reads the Parquet file through s3fs
(DuckDB's `register_filesystem`) for the first query of a table, then from an in-memory copy (bounded by
`ODP_ROWS_HOT_BYTES`), which every queried table gets when the files are in S3.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=128)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="odp-bench-storage-") as scratch:
        root = Path(scratch)
        write_packages(root / "packages", args.mb, args.rows)
        size = args.mb * 1024 * 1024
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("ODP_")}
        local_env = {**base_env, "ODP_DATA_DIR": str(root / "local")}
        harvest(local_env, root / "packages")
        local = serve_and_measure(local_env, size)
        print("local", local, flush=True)

        moto_port = free_port()
        moto = start_moto(moto_port)
        try:
            endpoint = f"http://127.0.0.1:{moto_port}"
            import boto3

            boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS, aws_secret_access_key=SECRET,
                         region_name="us-east-1").create_bucket(Bucket=BUCKET)
            s3_env = {**base_env, "ODP_DATA_DIR": str(root / "s3"), "ODP_FILES_URL": f"s3://{BUCKET}/files",
                      "ODP_S3_ENDPOINT_URL": endpoint, "ODP_S3_ACCESS_KEY": ACCESS, "ODP_S3_SECRET_KEY": SECRET,
                      "ODP_S3_REGION": "us-east-1"}
            harvest(s3_env, root / "packages")
            s3 = serve_and_measure(s3_env, size)
            print("s3", s3, flush=True)
            presigned = serve_and_measure({**s3_env, "ODP_S3_PRESIGNED_DOWNLOADS": "true"}, size, presigned=True)
            print("presigned", presigned, flush=True)
        finally:
            moto.terminate()
            moto.wait()
    text = report(args.mb, args.rows, local, s3, presigned)
    print(text)
    if args.write:
        replace_section(SECTION, text)


if __name__ == "__main__":
    main()
