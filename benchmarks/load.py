"""Mixed load benchmark: `odp serve --workers 2` on loopback under wrk, idle, loaded, and loaded during a harvest.

    make bench-deps            # wrk, a Debian package, installed only when missing
    .venv/bin/python benchmarks/load.py [--duration 60] [--connections 50] [--write]

It harvests sample_data/ into a temporary ODP_DATA_DIR, starts ``odp serve --workers 2`` on a free 127.0.0.1
port and builds the request mix from the catalog itself (its datasets, their resources and keywords):
search pages and ``/api/v1/search`` with Chinese keywords (percent-encoded), dataset pages and
``/api/v1/datasets/{name}``, the rows API with a filter and ``_size``, ``rows.csv`` with the same filter,
original-file downloads, and CKAN ``package_search``/``package_show``. Every URL is requested once first (a
pre-flight that also warms the workers up); any that does not answer 2xx/3xx is reported and left out of the mix.

Three phases, each run by wrk with ``benchmarks/load_mix.lua`` (which cycles through the mix and prints the
figures as JSON): *idle* (1 connection), *loaded* (``--connections``, ``--duration``), and *loaded + harvest*
(the same while ``odp harvest`` imports new datasets into the same catalog from the loopback CKAN stub of
benchmarks/harvest.py, stopped at the end of the phase). wrk, not a Python client, generates the load because the
machine has 2 cores and the load generator must leave them to the server: wrk's own CPU time is reported.

Figures: requests/s, p50/p95/p99/max latency, non-2xx/3xx responses and socket errors per phase, the ratios to
idle, the server's CPU use and the 1-minute load average at the start of each phase (the machine is shared).
Everything is bounded by wrk's ``-d`` and timeouts; the server and the harvest are stopped in ``finally``.
``--write`` replaces the "## Mixed load" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from harvest import serve_site
from report import replace_section
from rich.console import Console
from rich.table import Table
from rows import free_port, machine

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LUA = Path(__file__).resolve().parent / "load_mix.lua"
SECTION = "## Mixed load"
WRK_MISSING = "wrk is not installed: run `make bench-deps` (it runs `apt-get install wrk`, with sudo when not root)"
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)\b")
REPEAT = 20  # URLs in the mix per unit of weight
# (kind, weight): the share of the mix, roughly what a portal serves — pages and search first, then the APIs
KINDS = [
    ("search page", 3),
    ("search API", 2),
    ("dataset page", 3),
    ("dataset API", 2),
    ("rows API (filter, _size=20)", 2),
    ("rows.csv (filter)", 1),
    ("original file download", 1),
    ("CKAN package_search", 1),
    ("CKAN package_show", 1),
]
console = Console(width=None if sys.stdout.isatty() else 160)  # the phase table is wide


# --- the catalog, the server and the harvest -----------------------------------------------------------


def odp_env(data_dir: Path) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ODP_")} | {"ODP_DATA_DIR": str(data_dir)}


def build_catalog(env: dict[str, str]) -> None:
    done = subprocess.run([str(BIN / "odp"), "harvest", "sample_data"], check=False, cwd=ROOT, env=env,
                          timeout=900, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"odp harvest sample_data failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def start_group(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A child in its own process group (the server's workers, the harvest's pool), output to ``log``."""
    with open(log, "w") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop_group(proc: subprocess.Popen | None, grace: float = 15) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)
    except ProcessLookupError:
        pass


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    server = start_group([str(BIN / "odp"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                         env, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/domains", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_group(server)
    raise SystemExit(f"the server did not answer within 90 s:\n{log.read_text()[-2000:]}")


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of the live processes of a process group (from /proc; Linux only)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_errors(log: Path) -> list[str]:
    """The exception lines of the tracebacks the server logged (its errors under load), most frequent first."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    found = [line.strip()[:160] for line in lines if EXCEPTION_LINE.match(line)]
    return [f"{found.count(e)}× {e}" for e in sorted(set(found), key=found.count, reverse=True)]


def dataset_count(base: str) -> int:
    return httpx.get(f"{base}/api/v1/datasets", params={"size": 1}, timeout=30).json()["count"]


# --- the request mix -------------------------------------------------------------------------------------


def filter_of(client: httpx.Client, rows_url: str, schema: dict[str, Any]) -> dict[str, str] | None:
    """A realistic equality filter: a column with an enum in its schema, else 所属区, else the second text column;
    the value is the first row's."""
    first = client.get(rows_url, params={"_size": 1}).json()
    if not first.get("rows"):
        return None
    fields = schema.get("fields", [])
    text = [f["name"] for f in fields if f.get("type", "string") == "string"]
    enums = [f["name"] for f in fields if f.get("constraints", {}).get("enum")]
    candidates = enums + (["district"] if "district" in text else []) + text[1:2]
    for name in candidates:
        if first["rows"][0].get(name) not in (None, ""):
            return {name: str(first["rows"][0][name])}
    return None


def catalog_targets(base: str) -> tuple[list[str], list[str], list[tuple[str, str, dict[str, str]]]]:
    """Dataset names, their keywords (the search queries) and (dataset, table, filter) of open tables."""
    names, queries, tables = [], [], []
    with httpx.Client(base_url=base, timeout=30) as client:
        for summary in client.get("/api/v1/datasets", params={"size": 1000}).json()["results"]:
            detail = client.get(f"/api/v1/datasets/{summary['name']}").json()
            names.append(detail["name"])
            queries += [k for k in detail.get("keywords", []) if k not in queries]
            if detail["open_class"] != "open":
                continue
            for res in detail["resources"]:
                if res.get("schema") and res.get("row_count"):
                    url = f"/api/v1/datasets/{detail['name']}/resources/{res['name']}/rows"
                    where = filter_of(client, url, res["schema"])
                    if where:
                        tables.append((detail["name"], res["name"], where))
                    break
    return names, queries, tables


def build_mix(names: list[str], queries: list[str], tables: list[tuple[str, str, dict[str, str]]]) -> list[tuple[str, str]]:
    def q(i: int) -> str:
        return quote(queries[i % len(queries)])

    def table(i: int) -> tuple[str, str, str]:
        name, res, where = tables[i % len(tables)]
        return name, res, urlencode(where)

    makers = {
        "search page": lambda i: f"/search?q={q(i)}",
        "search API": lambda i: f"/api/v1/search?q={q(i + 7)}",
        "dataset page": lambda i: f"/dataset/{names[i % len(names)]}",
        "dataset API": lambda i: f"/api/v1/datasets/{names[(i + 11) % len(names)]}",
        "rows API (filter, _size=20)": lambda i: "/api/v1/datasets/{}/resources/{}/rows?{}&_size=20".format(*table(i)),
        "rows.csv (filter)": lambda i: "/api/v1/datasets/{}/resources/{}/rows.csv?{}".format(*table(i + 5)),
        "original file download": lambda i: "/api/v1/datasets/{}/resources/{}/download".format(*table(i + 9)[:2]),
        "CKAN package_search": lambda i: f"/api/3/action/package_search?q={q(i + 13)}&rows=10",
        "CKAN package_show": lambda i: f"/api/3/action/package_show?id={names[(i + 17) % len(names)]}",
    }
    mix = [(kind, makers[kind](i)) for kind, weight in KINDS for i in range(weight * REPEAT)]
    random.Random(20261201).shuffle(mix)
    return mix


@dataclass
class KindCheck:
    urls: int = 0
    failed: list[str] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)


def preflight(base: str, mix: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict[str, KindCheck]]:
    """Request every URL once, one at a time: the mix keeps those answering 2xx/3xx."""
    checks: dict[str, KindCheck] = {kind: KindCheck() for kind, _ in KINDS}
    kept = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for kind, path in mix:
            started = time.perf_counter()
            status = client.get(path).status_code
            check = checks[kind]
            check.urls += 1
            check.ms.append((time.perf_counter() - started) * 1000)
            if status < 400:
                kept.append((kind, path))
            else:
                check.failed.append(f"{status} {path}")
    return kept, checks


# --- wrk -------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    connections: int
    seconds: int
    load_avg: float
    figures: dict[str, Any]
    server_cpu: float
    wrk_cpu: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.figures["requests"] / (self.figures["duration_us"] / 1e6)

    def ms(self, key: str) -> float:
        return self.figures[key] / 1000

    @property
    def socket_errors(self) -> str:
        f = self.figures
        return f"{f['connect']}/{f['read']}/{f['write']}/{f['timeout']}"


def run_phase(name: str, base: str, paths: Path, connections: int, seconds: int, threads: int,
              server: subprocess.Popen) -> Phase:
    load_avg = os.getloadavg()[0]
    console.print(f"[bold]{name}[/]: {connections} connection(s), {seconds} s, load average {load_avg:.2f} …")
    cpu_before = group_cpu_seconds(server.pid)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(LUA), base, "--", str(paths)],
        check=False, capture_output=True, text=True, timeout=seconds + 60,
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = group_cpu_seconds(server.pid) - cpu_before
    lines = [line for line in done.stdout.splitlines() if line.startswith("LOADJSON ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    figures = json.loads(lines[-1].removeprefix("LOADJSON "))
    wrk_cpu = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    return Phase(name, connections, seconds, load_avg, figures, server_cpu, wrk_cpu)


def harvest_phase(base: str, paths: Path, args: argparse.Namespace, env: dict[str, str], work: Path,
                  server: subprocess.Popen) -> Phase:
    """The loaded phase again while ``odp harvest`` adds new datasets from the loopback CKAN stub."""
    ready: Any = multiprocessing.Queue()
    site = multiprocessing.Process(target=serve_site, args=(args.harvest_datasets, True, ready), daemon=True)
    site.start()
    harvest = None
    try:
        url = f"http://127.0.0.1:{ready.get(timeout=30)}"
        before = dataset_count(base)
        harvest = start_group([str(BIN / "odp"), "harvest", url], env, work / "harvest.log")
        time.sleep(5)  # start-up and the first page, so the phase measures a harvest at work
        phase = run_phase("loaded + harvest", base, paths, args.connections, args.duration, args.threads, server)
        still_running = harvest.poll() is None
        stop_group(harvest)
        added = dataset_count(base) - before
        phase.note = (f"`odp harvest` of the CKAN stub published {added:,} new datasets in the phase and the 5 s "
                      f"before it ({added / (args.duration + 5):.1f}/s)"
                      f"{'' if still_running else ', and finished before its end'}")
        return phase
    finally:
        stop_group(harvest)
        site.terminate()
        site.join(timeout=10)


# --- the report ------------------------------------------------------------------------------------------


def revision() -> str:
    """The commit measured, with "-dirty" when the working tree had uncommitted changes."""
    done = subprocess.run(["git", "describe", "--always", "--dirty"], check=False, cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    return done.stdout.strip() or "unknown"


def ratio(value: float, idle: float) -> str:
    return f"×{value / idle:.1f}" if idle else "—"


def show(phases: list[Phase], checks: dict[str, KindCheck], errors: list[str]) -> None:
    table = Table(title="mixed load on odp serve --workers 2 (wrk)")
    for column in ["phase", "load avg", "conns", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
                   "non-2xx/3xx", "socket errors c/r/w/t", "server CPU", "wrk CPU"]:
        table.add_column(column, justify="right")
    for p in phases:
        table.add_row(p.name, f"{p.load_avg:.2f}", str(p.connections), f"{p.figures['requests']:,}", f"{p.rate:.1f}",
                      f"{p.ms('p50_us'):.1f}", f"{p.ms('p95_us'):.1f}", f"{p.ms('p99_us'):.1f}",
                      f"{p.ms('max_us'):.0f}", str(p.figures["status"]), p.socket_errors,
                      f"{p.server_cpu / p.seconds:.0%}", f"{p.wrk_cpu / p.seconds:.0%}")
    console.print(table)
    for p in phases:
        if p.note:
            console.print(f"{p.name}: {p.note}")
    for kind, check in checks.items():
        if check.failed:
            console.print(f"[red]left out of the mix ({kind}):[/] " + "; ".join(check.failed[:5]))
    console.print(f"server log: {'; '.join(errors) if errors else 'no exception'}")


def report(phases: list[Phase], checks: dict[str, KindCheck], errors: list[str], datasets: int, command: str,
           started: str) -> str:
    idle = phases[0]
    rows = "\n".join(
        f"| {p.name} | {p.load_avg:.2f} | {p.connections} | {p.seconds} s | {p.figures['requests']:,} | "
        f"{p.rate:.1f} | {p.ms('p50_us'):.1f} / {p.ms('p95_us'):.1f} / {p.ms('p99_us'):.1f} / {p.ms('max_us'):.0f} | "
        f"{p.figures['status']} | {p.socket_errors} | {p.server_cpu / p.seconds:.0%} | {p.wrk_cpu / p.seconds:.0%} | "
        + ("—" if p is idle else f"req/s {ratio(p.rate, idle.rate)}, p50 {ratio(p.ms('p50_us'), idle.ms('p50_us'))}, "
           f"p99 {ratio(p.ms('p99_us'), idle.ms('p99_us'))}") + " |"
        for p in phases
    )
    total = sum(c.urls for c in checks.values())
    kinds = "\n".join(
        f"| {kind} | {c.urls / total:.0%} | {statistics.median(c.ms):.0f} ms | "
        f"{', '.join(c.failed[:3]) if c.failed else '—'} |"
        for kind, c in checks.items() if c.urls
    )
    notes = "".join(f"\n* {p.name}: {p.note}." for p in phases if p.note)
    notes += f"\n* exceptions in the server's log: {'; '.join(f'`{e}`' for e in errors) if errors else 'none'}."
    return f"""{SECTION}

How to run: `make bench-deps && .venv/bin/python benchmarks/load.py --write` (wrk is a Debian package).

`{command}` on {started} (code at {revision()}):
{machine()}. The catalog is sample_data/ ({datasets} datasets) harvested into a temporary data dir and served by `odp serve --workers 2` on 127.0.0.1; the load is generated by wrk
(one thread, `benchmarks/load_mix.lua`) cycling through {total} URLs taken from the catalog, in this mix:

| request | share | one request alone (pre-flight median) | left out (not 2xx/3xx alone) |
|---|---:|---:|---|
{kinds}

| phase | load avg at start | connections | duration | requests | req/s | p50 / p95 / p99 / max ms | non-2xx/3xx | socket errors connect/read/write/timeout | server CPU | wrk CPU | vs idle |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
{rows}
{notes}

*Server CPU* is the CPU time of the server's processes over the phase (200 % is both cores), *wrk CPU* the
load generator's. *Load avg* is the machine's 1-minute load average when the phase started: the 2 cores are
shared with other work, so these figures are noisy and move by tens of percent between runs; compare phases of
the same run, not runs.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of each loaded phase")
    parser.add_argument("--idle-duration", type=int, default=15, help="seconds of the idle phase (1 connection)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--harvest-datasets", type=int, default=5000,
                        help="size of the CKAN stub harvested during the last phase (it is stopped at the end)")
    parser.add_argument("--no-harvest", action="store_true", help="skip the phase with a concurrent harvest")
    parser.add_argument("--write", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_MISSING)

    command = "python benchmarks/load.py " + " ".join(sys.argv[1:])
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    work = Path(tempfile.mkdtemp(prefix="odp-load-bench-"))
    env = odp_env(work / "var")
    server = None
    try:
        console.print(f"harvesting sample_data into {work} …")
        build_catalog(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, work / "serve.log")
        names, queries, tables = catalog_targets(base)
        mix, checks = preflight(base, build_mix(names, queries, tables))
        console.print(f"{len(mix)} URLs in the mix ({len(names)} datasets, {len(queries)} keywords, "
                      f"{len(tables)} open tables); server on {base}")
        paths = work / "paths.txt"
        paths.write_text("".join(f"{path}\n" for _, path in mix), encoding="utf-8")
        phases = [run_phase("idle", base, paths, 1, args.idle_duration, 1, server)]
        phases.append(run_phase("loaded", base, paths, args.connections, args.duration, args.threads, server))
        if not args.no_harvest:
            phases.append(harvest_phase(base, paths, args, env, work, server))
    finally:
        stop_group(server)
        errors = server_errors(work / "serve.log")
        shutil.rmtree(work, ignore_errors=True)
    show(phases, checks, errors)
    text = report(phases, checks, errors, len(names), command.strip(), started)
    if args.write:
        replace_section(SECTION, text)
        console.print(f"wrote the {SECTION!r} section of docs/benchmarks.md")
    else:
        print(text)


if __name__ == "__main__":
    main()
