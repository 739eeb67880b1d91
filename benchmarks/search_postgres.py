"""Search on PostgreSQL: the PostgreSQL backend at 100,000 and 1,000,000 datasets, beside Whoosh in the same run.

    python benchmarks/search_postgres.py [--sizes 100000 1000000] [--whoosh-size 100000] [--rounds 5] [--write]

The catalogs are those of ``benchmarks/search.py`` (the same generator, seed and query mix: 30 realistic
queries, one with two filters, 14 that need the query-time expansion, each returning 20 highlighted hits and
three facets: domain, department, format). For each size a throw-away database is created next to
``--database-url`` (a PostgreSQL server's admin URL), the search tables are created in it, the documents are
streamed into ``PostgresBackend.rebuild`` (generation included: a million documents do not fit in memory
twice; the generator alone is timed on the first 20,000 and reported) and the query mix is timed. Whoosh is
run at ``--whoosh-size`` first, in the same process. ``--write`` replaces the "## Search on PostgreSQL"
section of docs/benchmarks.md after each size, so a long run leaves its figures even if a later size fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from report import replace_section
from search import (
    EXPANSION_QUERIES,
    FACETS,
    QUERIES,
    CatalogGenerator,
    _cpu_seconds,
    machine,
    run,
    time_queries,
)

import catalog.search.postgres.tables  # noqa: F401  (registers the search tables)
from catalog.search.postgres.backend import PostgresBackend

SEARCH_TABLES = ("searchdocument", "searchterm", "searchlabel", "searchstate")
GENERATOR_SAMPLE = 20_000


def _throwaway_database(admin_url: str) -> str:
    name = f"odp_bench_search_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def generator_ms_per_doc() -> float:
    gen = CatalogGenerator()
    t0 = time.perf_counter()
    for _ in gen.documents(GENERATOR_SAMPLE):
        pass
    return (time.perf_counter() - t0) * 1000 / GENERATOR_SAMPLE


def run_postgres(n: int, rounds: int, admin_url: str) -> dict[str, float]:
    url = _throwaway_database(admin_url)
    engine = create_engine(url)
    try:
        SQLModel.metadata.create_all(engine, tables=[SQLModel.metadata.tables[t] for t in SEARCH_TABLES])
        backend = PostgresBackend(engine, lock_timeout=5)
        load_before = os.getloadavg()[0]
        cpu0 = _cpu_seconds()
        t0 = time.perf_counter()
        backend.rebuild(CatalogGenerator().documents(n))
        t_index = time.perf_counter() - t0
        cpu_index = _cpu_seconds() - cpu0
        with engine.connect() as conn:
            size = conn.execute(text(
                "SELECT sum(pg_total_relation_size(t)) FROM unnest(CAST(:t AS regclass[])) AS t"
            ), {"t": list(SEARCH_TABLES)}).scalar_one()
        t0 = time.perf_counter()
        indexed = backend.doc_count()
        t_open = time.perf_counter() - t0
        timed = time_queries(backend, rounds)
        load_after = os.getloadavg()[0]
        return {
            "backend": "postgres", "n": n, "indexed": indexed, "index_s": t_index, "index_cpu_s": cpu_index,
            "rate": n / t_index, "size_mb": float(size) / 1e6, "open_ms": t_open * 1000,
            "load": max(load_before, load_after), **timed,
        }
    finally:
        engine.dispose()
        _drop_database(admin_url, url)


def run_replicated(template: str, factor: int, rounds: int, admin_url: str) -> dict[str, float]:
    """The PostgreSQL index of database ``template`` (built by ``rebuild``) copied ``factor`` times in SQL (names
    suffixed ``-r1`` …), its statistics scaled to match: a catalog ``factor`` times larger with the same term
    distribution, without generating and segmenting the documents again."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"odp_bench_search_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        columns = [c.name for c in SQLModel.metadata.tables["searchdocument"].columns if c.name != "id"]
        rest = ", ".join(c for c in columns if c != "name")
        with engine.begin() as conn:
            gin = conn.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'searchdocument' AND indexdef LIKE '%gin%'"
            )).all()
            for index, _ in gin:
                conn.execute(text(f"DROP INDEX {index}"))
            conn.execute(text(
                f"INSERT INTO searchdocument (name, {rest}) SELECT name || '-r' || k, {rest} "
                f"FROM searchdocument, generate_series(1, {factor - 1}) AS k"
            ))
            for _, definition in gin:
                conn.execute(text(definition))
            conn.execute(text(f"UPDATE searchterm SET df = df * {factor}"))
            conn.execute(text(
                f"UPDATE searchstate SET generation = generation + 1, doc_count = doc_count * {factor}, "
                f"field_lengths = (SELECT jsonb_agg(x::bigint * {factor}) FROM jsonb_array_elements_text(field_lengths) x)"
            ))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE searchdocument"))
            conn.execute(text("VACUUM ANALYZE searchterm"))
            size = conn.execute(text(
                "SELECT sum(pg_total_relation_size(t)) FROM unnest(CAST(:t AS regclass[])) AS t"
            ), {"t": list(SEARCH_TABLES)}).scalar_one()
        t_index = time.perf_counter() - t0
        backend = PostgresBackend(engine, lock_timeout=5)
        indexed = backend.doc_count()
        timed = time_queries(backend, rounds)
        load_after = os.getloadavg()[0]
        return {
            "backend": f"postgres (×{factor} copy)", "n": indexed, "indexed": indexed, "index_s": t_index,
            "index_cpu_s": 0.0, "rate": indexed / t_index, "size_mb": float(size) / 1e6, "open_ms": 0.0,
            "load": max(load_before, load_after), **timed,
        }
    finally:
        engine.dispose()
        _drop_database(admin_url, url)
        admin.dispose()


def table(results: list[dict], gen_ms: float) -> str:
    head = (
        "| backend | N datasets | indexed | reindex | docs/s | index size | search p50 | search p95 | max | "
        "filtered p50 | median hits | expanded p50 | expanded p95 | first expanded | load avg |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = "".join(
        f"| {r['backend']} | {r['n']:,} | {r['indexed']:,} | {r['index_s']:.0f} s | {r['rate']:,.0f} | "
        f"{r['size_mb']:,.0f} MB | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['max']:.0f} ms | "
        f"{r['filter_p50']:.1f} ms | {r['median_hits']:,.0f} | {r['exp_p50']:.1f} ms | {r['exp_p95']:.1f} ms | "
        f"{r['exp_first_max']:,.0f} ms | {r['load']:.1f} |\n"
        for r in results
    )
    return head + rows


def write_section(results: list[dict], gen_ms: float, argv: list[str], notes: str) -> None:
    rounds = int(results[0]["rounds"])
    section = (
        "## Search on PostgreSQL\n\n"
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC on {machine()}, PostgreSQL on the same machine "
        f"(127.0.0.1), with `python benchmarks/search_postgres.py {' '.join(argv)}`.\n\n"
        "The catalogs and the query mix are those of the Search section above: the synthetic datasets of "
        f"`benchmarks/search.py`, {len(QUERIES) + 1} queries ({len(QUERIES)} realistic ones, an empty q and a phrase "
        f"among them, and one with two filters) and {len(EXPANSION_QUERIES)} expanded ones (pinyin, initials, a "
        f"typo, traditional characters, synonyms), each returning 20 highlighted hits and three facets "
        f"({', '.join(FACETS)}), one warm-up run then {rounds} timed rounds; p50/p95 are over the timed runs. "
        "Whoosh ran first in the same process. *Reindex* on PostgreSQL is `PostgresBackend.rebuild` in one "
        "process (jieba segmentation, `COPY`, the GIN index, the term statistics, `ANALYZE`), the documents "
        f"generated as they stream in (the generator alone takes {gen_ms:.2f} ms a document: subtract it for "
        "the indexing rate). *Load avg* is the 1-minute load average (the higher of before and after): other "
        "processes share the 2 cores.\n\n"
        + table(results, gen_ms)
        + "\nTarget: PostgreSQL search p95 ≤ 100 ms at 1,000,000 datasets.\n"
        + (f"\n{notes}\n" if notes else "")
    )
    replace_section("## Search on PostgreSQL", section)


def add_row(row: str, note: str) -> None:
    """Add a row (and a note under the table) to the section a full run wrote."""
    path = ROOT / "docs" / "benchmarks.md"
    text_ = path.read_text(encoding="utf-8")
    head, _, tail = text_.partition("## Search on PostgreSQL")
    section, sep, rest = tail.partition("\n## ")
    lines = section.splitlines()
    last_row = max(i for i, line in enumerate(lines) if line.startswith("| "))
    lines.insert(last_row + 1, row)
    lines.insert(last_row + 2, "")
    lines.insert(last_row + 3, note)
    path.write_text(head + "## Search on PostgreSQL" + "\n".join(lines) + "\n" + sep + rest, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--whoosh-size", type=int, default=100_000, help="0: no Whoosh run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--write", action="store_true", help="update the section of docs/benchmarks.md")
    parser.add_argument("--notes", default="", help="a sentence to add under the table (with --write)")
    parser.add_argument("--replicate", metavar="DATABASE", help="only time a copy of this database's index ×factor")
    parser.add_argument("--factor", type=int, default=10)
    args = parser.parse_args(argv)
    if args.replicate:
        result = run_replicated(args.replicate, args.factor, args.rounds, args.database_url)
        row = table([result], 0.0).splitlines()[-1]
        print(row)
        if args.write:
            add_row(row, f"`python benchmarks/search_postgres.py {' '.join(argv)}` (load avg {result['load']:.1f}): "
                         + args.notes)
        return 0
    gen_ms = generator_ms_per_doc()
    results: list[dict] = []
    if args.whoosh_size:
        print(f"whoosh N={args.whoosh_size:,}…", file=sys.stderr, flush=True)
        workdir = Path(tempfile.mkdtemp(prefix="odp-search-bench-"))
        results.append({"backend": "whoosh", **run(args.whoosh_size, args.rounds, workdir)})
    for n in args.sizes:
        print(f"postgres N={n:,}…", file=sys.stderr, flush=True)
        results.append(run_postgres(n, args.rounds, args.database_url))
        print(table(results, gen_ms), flush=True)
        if args.write:
            write_section(results, gen_ms, argv, args.notes)
    print(f"machine: {machine()}")
    print(table(results, gen_ms))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
