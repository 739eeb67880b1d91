"""Validate + Parquet of large tables: frictionless (validation, then a second read for Parquet) against the
one-read fast path (catalog/ingest/fastpath.py), timed in the same run. Writes the '## Ingest' section of
docs/benchmarks.md.

    .venv/bin/python benchmarks/ingest.py --rows 1000000

The table has 8 columns (integer id unique + primary key, two strings with required/enum, integer with
minimum/maximum, number, boolean, date, a string with a pattern). Three runs: the valid CSV, the same CSV with
one row in 1,000 broken (type, enum, repeated key, missing required cell — the fast path writes the report), and
its first 100,000 rows as a workbook with a title row. The report and the Parquet rows of both paths are compared
before any figure is written.
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
from catalog.ingest.fastpath import ingest_table
from catalog.storage import LocalFileStore
from catalog.tables.parquet import write_parquet
from catalog.validation import validate_table

NOTE = (
    "The XLSX run is bound by openpyxl's parse, which both paths share (the fast path reads workbooks through "
    "frictionless's own cell stream); what it saves there is frictionless's per-cell validation and the second "
    "read. The peak RSS includes about 155 MB of imported libraries (pyarrow, DuckDB, frictionless, openpyxl), "
    "Arrow's batches and the unique/primary-key digests (16 bytes a row)."
)
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


def break_table(source: Path, dest: Path, every: int) -> None:
    """The same table with one row in ``every`` broken: a type error, a value off its constraint, a repeated
    id (unique and primary key), a missing required cell — in turn."""
    with source.open(encoding="utf-8") as rows, dest.open("w", encoding="utf-8") as out:
        out.write(next(rows))
        for i, line in enumerate(rows, start=1):
            if i % every == 0:
                cells = line.rstrip("\n").split(",")
                kind = (i // every) % 4
                if kind == 0:
                    cells[3] = "很多"
                elif kind == 1:
                    cells[2] = "外省"
                elif kind == 2:
                    cells[0] = str(i - 1)
                else:
                    cells[1] = ""
                line = ",".join(cells) + "\n"
            out.write(line)


def write_workbook(source: Path, dest: Path, rows: int) -> None:
    """The first ``rows`` rows as a workbook with a title row and a blank row above the header (cells typed
    as a spreadsheet holds them: numbers as numbers, the rest as text)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["2024年停车场名录（基准测试）"])
    sheet.append([])
    with source.open(encoding="utf-8") as lines:
        sheet.append(next(lines).rstrip("\n").split(","))
        for _, line in zip(range(rows), lines, strict=False):
            cells: list = line.rstrip("\n").split(",")
            cells[0], cells[3], cells[4] = int(cells[0]), int(cells[3]), float(cells[4])
            sheet.append(cells)
    book.save(dest)


def measure_fast(table: Path, fmt: str, dialect, store: LocalFileStore, settings: Settings):
    start = time.perf_counter()
    fast = ingest_table(table, fmt=fmt, encoding="utf-8" if fmt == "csv" else None, schema=SCHEMA,
                        dialect=dialect, store=store, settings=settings)
    return fast, time.perf_counter() - start


def measure_frictionless(table: Path, fmt: str, dialect, fast, store: LocalFileStore, settings: Settings):
    encoding = "utf-8" if fmt == "csv" else None
    start = time.perf_counter()
    reference = validate_table(table, fmt=fmt, encoding=encoding, schema=SCHEMA, dialect=dialect,
                               settings=settings)
    validated_s = time.perf_counter() - start
    expected = table.parent / f"{table.stem}.reference.parquet"
    write_parquet(table, expected, fmt=fmt, encoding=encoding, schema=reference.schema, dialect=dialect)
    slow_s = time.perf_counter() - start
    same_report = {k: v for k, v in fast.outcome.report.items() if k != "validator"} == {
        k: v for k, v in reference.report.items() if k != "validator"}
    same_rows = pq.read_table(store.path(fast.parquet_path)).equals(pq.read_table(expected))
    if not (same_report and same_rows):
        sys.exit(f"{table.name}: the two paths disagree (report equal: {same_report}, Parquet equal: {same_rows})")
    return reference, validated_s, slow_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--broken-every", type=int, default=1000, help="one broken row in N (the invalid table)")
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        table = folder / "table.csv"
        write_table(table, args.rows)
        broken = folder / "broken.csv"
        break_table(table, broken, args.broken_every)
        workbook = folder / "table.xlsx"
        write_workbook(table, workbook, args.xlsx_rows)
        store = LocalFileStore(folder / "store")
        title = {"headerRows": [3]}

        # the fast runs first, so the peak RSS read after them is theirs
        runs = {"valid": measure_fast(table, "csv", None, store, settings),
                "invalid": measure_fast(broken, "csv", None, store, settings),
                "xlsx": measure_fast(workbook, "xlsx", title, store, settings)}
        fast_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        slow = {"valid": measure_frictionless(table, "csv", None, runs["valid"][0], store, settings),
                "invalid": measure_frictionless(broken, "csv", None, runs["invalid"][0], store, settings),
                "xlsx": measure_frictionless(workbook, "xlsx", title, runs["xlsx"][0], store, settings)}

    load = os.getloadavg()
    invalid_report = slow["invalid"][0].report
    counts = ", ".join(f"{k} ×{v:,}" for k, v in sorted(invalid_report["errors_by_type"].items()))
    labels = {
        "valid": f"valid CSV, {args.rows:,} rows",
        "invalid": f"invalid CSV, {args.rows:,} rows ({counts})",
        "xlsx": f"valid XLSX with a title row, {args.xlsx_rows:,} rows",
    }
    lines = [
        "## Ingest",
        "",
        (f"`benchmarks/ingest.py --rows {args.rows}` on {date.today().isoformat()}, {cpu_model()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
        "(a shared machine: other work was running)."),
        "",
        ("An 8-column table (unique primary key, required, enum, min/max, pattern, number, boolean, date). "
         "Validate + Parquet; both paths give the same stored report (valid or not, every error) and the same "
         "Parquet rows, checked before any figure is written. frictionless: validate, then a second read for "
         "Parquet; fast path: one read (catalog/ingest/fastpath.py)."),
        "",
        "| table | frictionless s (validate) | rows/s | fast path s | rows/s | speed-up |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in labels.items():
        rows = args.xlsx_rows if key == "xlsx" else args.rows
        fast_s = runs[key][1]
        _, validated_s, slow_s = slow[key]
        lines.append(f"| {label} | {slow_s:.1f} ({validated_s:.1f}) | {rows / slow_s:,.0f} | {fast_s:.1f} | "
                     f"{rows / fast_s:,.0f} | ×{slow_s / fast_s:.0f} |")
    lines += ["", f"Peak RSS of the process after the three fast runs: {fast_rss:,.0f} MB.", "", NOTE]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        replace_section("## Ingest", text)


if __name__ == "__main__":
    main()
