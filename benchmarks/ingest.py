"""Validate + Parquet of one large CSV: frictionless (validation, then a second read for Parquet) against the
one-read fast path (catalog/ingest/fastpath.py), timed in the same run. Writes the '## Ingest' section of
docs/benchmarks.md.

    .venv/bin/python benchmarks/ingest.py --rows 1000000

The table has 8 columns (integer id unique + primary key, two strings with required/enum, integer with
minimum/maximum, number, boolean, date, a string with a pattern) and is valid, so the fast path answers
alone; the report and the Parquet rows of both paths are compared before any figure is written.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from report import cpu_model, replace_section

from catalog.config import Settings
from catalog.ingest.fastpath import ingest_csv
from catalog.storage import FileStore
from catalog.tables.parquet import write_parquet
from catalog.validation import validate_table

DISTRICTS = ["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "浦东新区"]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "name", "type": "string", "constraints": {"required": True, "maxLength": 40}},
        {"name": "district", "type": "string", "constraints": {"enum": DISTRICTS}},
        {"name": "spaces", "type": "integer", "constraints": {"minimum": 0, "maximum": 100000}},
        {"name": "fee", "type": "number"},
        {"name": "open", "type": "boolean"},
        {"name": "since", "type": "date"},
        {"name": "code", "type": "string", "constraints": {"pattern": "[A-Z]{2}[0-9]{4}"}},
    ],
    "primaryKey": ["id"],
}


def write_table(path: Path, rows: int) -> None:
    r = random.Random(18)
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(f["name"] for f in SCHEMA["fields"]) + "\n")
        for i in range(1, rows + 1):
            out.write(
                f"{i},停车场{i % 9973},{DISTRICTS[i % 8]},{r.randint(0, 3000)},{r.randint(0, 5000) / 100},"
                f"{'true' if i % 3 else 'false'},20{i % 25:02d}-{i % 12 + 1:02d}-{i % 28 + 1:02d},"
                f"{'ABCDEFGH'[i % 8]}{'XYZ'[i % 3]}{i % 10000:04d}\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        table = folder / "table.csv"
        write_table(table, args.rows)
        store = FileStore(folder / "store")

        start = time.perf_counter()
        fast = ingest_csv(table, encoding="utf-8", schema=SCHEMA, dialect=None, store=store)
        fast_s = time.perf_counter() - start
        fast_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        start = time.perf_counter()
        reference = validate_table(table, fmt="csv", encoding="utf-8", schema=SCHEMA, settings=settings)
        validated_s = time.perf_counter() - start
        expected = folder / "reference.parquet"
        write_parquet(table, expected, fmt="csv", encoding="utf-8", schema=reference.schema)
        slow_s = time.perf_counter() - start

        same_report = {k: v for k, v in fast.outcome.report.items() if k != "validator"} == {
            k: v for k, v in reference.report.items() if k != "validator"}
        same_rows = pq.read_table(store.path(fast.parquet_path)).equals(pq.read_table(expected))
        if not (same_report and same_rows):
            sys.exit(f"the two paths disagree (report equal: {same_report}, Parquet equal: {same_rows})")

    load = os.getloadavg()
    lines = [
        "## Ingest",
        "",
        (f"`benchmarks/ingest.py --rows {args.rows}` on {date.today().isoformat()}, {cpu_model()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
        "(a shared machine: other work was running)."),
        "",
        (f"A valid {args.rows:,}-row, 8-column CSV (unique primary key, required, enum, min/max, pattern, number, "
        "boolean, date). Validate + Parquet, the same stored report and Parquet rows from both paths:"),
        "",
        "| path | seconds | rows/s |",
        "|---|---|---|",
        (f"| frictionless: validate ({validated_s:.1f} s), then a second read for Parquet | {slow_s:.1f} | "
        f"{args.rows / slow_s:,.0f} |"),
        f"| fast path: one read (catalog/ingest/fastpath.py) | {fast_s:.1f} | {args.rows / fast_s:,.0f} |",
        "",
        f"Speed-up ×{slow_s / fast_s:.0f}; peak RSS of the process after the fast path: {fast_rss:,.0f} MB.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        replace_section("## Ingest", text)


if __name__ == "__main__":
    main()
