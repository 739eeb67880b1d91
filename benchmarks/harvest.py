"""CKAN harvest benchmark: harvest N datasets (metadata plus one small CSV each) from a loopback CKAN site.

    python benchmarks/harvest.py [--datasets 20000] [--workers 1 2] [--no-schema] [--database-url URL] [--write]

A stub CKAN site in its own process generates the packages deterministically, page by page (``package_search``
with ``rows``/``start``, as CKAN answers it), and serves each dataset's CSV (5 rows, 4 columns, ~250 bytes,
different bytes for every dataset). By default each resource carries its Table Schema the way
ckanext-validation publishes it (and this portal's CKAN API does); ``--no-schema`` leaves it out, so every
table's schema is inferred. The harvest runs as ``odp harvest URL`` in a child process on a fresh data dir;
wall time (start-up and the final search index update included) and the child's peak RSS are measured.
A second, incremental run (nothing changed) is timed too. ``--workers 1 2`` repeats all of it (on a fresh
data dir each time) with ``odp harvest --workers 1`` and then ``--workers 2``. ``--write`` replaces the "## CKAN harvest"
section of docs/benchmarks.md with the figures.

Targets: ≥ 100 datasets/s (issue 6), raised to ≥ 150 datasets/s over 20,000 datasets by issue 18; peak RSS ≤ 400 MB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import shutil
import sys
import tempfile
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from report import BENCHMARKS_DOC as DOC
from report import cpu_model, replace_section, timed_command

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECTION = "## CKAN harvest"
TARGET_RATE, TARGET_RSS_MB = 150, 400
MODIFIED = "2024-06-01T00:00:00Z"

DOMAINS = [
    "economy",
    "environment",
    "education-technology",
    "transport",
    "social-development",
    "public-safety",
    "culture-leisure",
    "health",
    "livelihood",
    "institutions",
    "urban-construction",
    "credit",
]
DISTRICTS = [
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
]
TOPICS = [
    "公共停车场",
    "充电桩",
    "公交站点",
    "医疗机构",
    "养老机构",
    "幼儿园",
    "公园绿地",
    "空气质量监测",
    "菜市场",
    "体育场馆",
    "图书馆",
    "应急避难场所",
    "企业信用",
    "建设工程",
    "文物保护单位",
    "社区服务中心",
]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "title": "编号"},
        {"name": "name", "type": "string", "title": "名称"},
        {"name": "district", "type": "string", "title": "所属区"},
        {"name": "capacity", "type": "integer", "title": "规模"},
    ]
}


# --- the loopback CKAN site -----------------------------------------------------------------------------


def package_id(i: int) -> str:
    return f"{i:08x}-0000-4000-8000-000000000000"  # sorts like i, as ``sort=id asc`` needs


def csv_bytes(i: int) -> bytes:
    rows = [
        f"{i * 10 + k},{DISTRICTS[(i + k) % 16]}{TOPICS[i % 16]}{k}号,{DISTRICTS[(i + k) % 16]},{(i * 7 + k) % 900}"
        for k in range(5)
    ]
    return ("id,name,district,capacity\n" + "\n".join(rows) + "\n").encode()


def package(i: int, base: str, with_schema: bool) -> dict[str, Any]:
    district, topic, domain = DISTRICTS[i % 16], TOPICS[i % 16], DOMAINS[i % 12]
    org = f"dept-{i % 40:02d}"
    resource_dict: dict[str, Any] = {
        "id": f"{i:08x}-1111-4000-8000-000000000000",
        "package_id": package_id(i),
        "name": f"{topic}清单",
        "description": "",
        "format": "CSV",
        "mimetype": "text/csv",
        "url": f"{base}/files/{i}.csv",
        "url_type": "upload",
        "position": 0,
        "state": "active",
        "size": len(csv_bytes(i)),
        "created": "2024-01-01T00:00:00.000000",
        "last_modified": "2024-01-01T00:00:00.000000",
    }
    if with_schema:
        resource_dict["schema"] = SCHEMA
    return {
        "id": package_id(i),
        "name": f"bench-{i:05d}",
        "title": f"{district}{topic}信息（{i}）",
        "notes": f"{district}范围内{topic}的名称、位置和规模，按月更新。",
        "state": "active",
        "type": "dataset",
        "private": False,
        "license_id": "CC-BY-4.0",
        "license_title": "知识共享署名 4.0",
        "metadata_created": "2024-01-01T00:00:00.000000",
        "metadata_modified": MODIFIED.removesuffix("Z"),
        "organization": {
            "id": f"org-{i % 40}",
            "name": org,
            "title": f"上海市第{i % 40 + 1}委办局",
            "type": "organization",
            "is_organization": True,
        },
        "owner_org": f"org-{i % 40}",
        "groups": [{"name": domain, "title": domain, "id": f"group-{domain}"}],
        "tags": [{"name": topic, "display_name": topic}, {"name": district, "display_name": district}],
        "extras": [{"key": "update_frequency", "value": "每月"}],
        "resources": [resource_dict],
        "num_resources": 1,
        "num_tags": 2,
    }


def serve_site(count: int, with_schema: bool, ready: Any, first: int = 0) -> None:
    """Serve ``count`` packages, numbered from ``first`` (sites with different ``first`` share no dataset)."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if url.path.startswith("/files/"):
                return self._send(csv_bytes(int(url.path[7:].removesuffix(".csv"))), "text/csv")
            if url.path.endswith("/package_search"):
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                start, rows = int(params.get("start", 0)), min(int(params.get("rows", 10)), 1000)
                since = re.search(r"metadata_modified:\[(\S+) TO", params.get("fq", ""))
                total = 0 if since and since.group(1) > MODIFIED else count  # every package: MODIFIED
                numbers = range(first + start, first + min(start + rows, total))
                if params.get("fl"):
                    results = [{"id": package_id(i)} for i in numbers]
                else:
                    results = [package(i, base, with_schema) for i in numbers]
                body = {
                    "help": "",
                    "success": True,
                    "result": {"count": total, "results": results, "facets": {}, "search_facets": {}},
                }
                return self._send(json.dumps(body, ensure_ascii=False).encode(), "application/json")
            return self._send(b"not found", "text/plain", 404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ready.put(server.server_address[1])
    server.serve_forever()


# --- measuring ------------------------------------------------------------------------------------------


def run_harvest(url: str, env: dict[str, str], workers: int = 1) -> tuple[float, float, str]:
    """Wall seconds, the child's peak RSS in MB and its output, for one ``odp harvest``."""
    seconds, rss, code, output = timed_command([str(BIN / "odp"), "harvest", url, "--workers", str(workers)],
                                               env, ROOT)
    if code != 0:
        raise SystemExit(f"odp harvest failed ({code}):\n{output[-3000:]}")
    return seconds, rss, output


def counts(output: str) -> str:
    row = [line for line in output.splitlines() if re.match(r"^│\s+\d", line)]
    return " ".join(row[-1].split()) if row else "?"


def machine() -> str:
    cpu = cpu_model()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}; "
        f"load average {load:.1f} at the start"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=20_000)
    parser.add_argument(
        "--no-schema", action="store_true", help="resources without a Table Schema (inferred)"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="odp harvest --workers, one run each")
    parser.add_argument("--database-url", help="catalog DB (default: SQLite in a temp data dir; emptied "
                        "between runs by the caller)")
    parser.add_argument("--write", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()

    ready: Any = multiprocessing.Queue()
    site = multiprocessing.Process(
        target=serve_site, args=(args.datasets, not args.no_schema, ready), daemon=True
    )
    site.start()
    url = f"http://127.0.0.1:{ready.get(timeout=30)}"
    header = machine()
    runs = []  # (workers, seconds, rss, again, rss2)
    try:
        for workers in args.workers:
            data_dir = Path(tempfile.mkdtemp(prefix="odp-bench-harvest-"))
            env = {k: v for k, v in os.environ.items() if not k.startswith("ODP_")} | {
                "ODP_DATA_DIR": str(data_dir / "var")
            }
            if args.database_url:
                env["ODP_DATABASE_URL"] = args.database_url
            try:
                print(f"harvesting {args.datasets:,} datasets from {url} into {data_dir}, --workers {workers} …",
                      flush=True)
                seconds, rss, out = run_harvest(url, env, workers)
                print(f"full run: {seconds:.1f} s, {args.datasets / seconds:.1f} datasets/s, peak RSS {rss:.0f} MB "
                      f"({counts(out)})", flush=True)
                again, rss2, out2 = run_harvest(url, env, workers)
                print(f"incremental run, nothing changed: {again:.1f} s, peak RSS {rss2:.0f} MB ({counts(out2)})",
                      flush=True)
                runs.append((workers, seconds, rss, again, rss2))
            finally:
                shutil.rmtree(data_dir, ignore_errors=True)
    finally:
        site.terminate()
        site.join(timeout=10)
    end_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    verdict = lambda ok: "met" if ok else "**missed**"
    db = "PostgreSQL" if args.database_url else "SQLite"
    schema = (
        "without Table Schemas (inferred)"
        if args.no_schema
        else "with Table Schemas (ckanext-validation style)"
    )
    rows = "\n".join(
        f"| full harvest, `--workers {w}` | {sec:.1f} s → {args.datasets / sec:.1f} datasets/s | "
        f"≥ {TARGET_RATE} datasets/s | {verdict(args.datasets / sec >= TARGET_RATE)} |\n"
        f"| peak RSS of the harvest process, `--workers {w}` | {r:.0f} MB | "
        f"≤ {TARGET_RSS_MB} MB | {verdict(r <= TARGET_RSS_MB)} |\n"
        f"| second run, nothing changed, `--workers {w}` | {a:.1f} s, peak RSS {r2:.0f} MB | — | |"
        for w, sec, r, a, r2 in runs
    )
    workers_arg = " --workers " + " ".join(map(str, args.workers)) if args.workers != [1] else ""
    text = f"""{SECTION}

`python benchmarks/harvest.py --datasets {args.datasets}{workers_arg}{" --no-schema" if args.no_schema else ""}` \
— {date.today()}, {header}, {end_load:.1f} at the end (the machine is shared with other work, so figures vary \
between runs); catalog on {db}.

{args.datasets:,} datasets, one ~250-byte CSV each, {schema}, served by a loopback CKAN stub in its own process;
`odp harvest URL --workers N` timed end to end in a child process, on a fresh data dir for each N (start-up,
downloads, validation, Parquet, catalog and search index).

| measure | result | target | |
|---|---|---|---|
{rows}
"""
    print(text)
    if args.write:
        replace_section(SECTION, text)
        print(f"wrote the {SECTION!r} section of {DOC}")


if __name__ == "__main__":
    main()
