"""The ingest benchmarks' table: an 8-column CSV (integer id unique + primary key, two strings with
required/maxLength/enum, integer with minimum/maximum, number, boolean, date, a string with a pattern), a copy with
one row in N broken, and a workbook of its first rows with a title row. Used by benchmarks/validate.py (frictionless
against the fast path, which writes the '## Ingest' section of docs/benchmarks.md) and benchmarks/privacy.py.
"""

from __future__ import annotations

import random
from pathlib import Path

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
