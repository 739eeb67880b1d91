"""A generated corpus of small CSV tables, clean and broken, for the differential test of the fast path.

Each case is a table (header + rows) with its Table Schema, written in one of the encodings we accept, with
zero, one or two defects from ``DEFECTS`` applied. Deterministic (seeded), so a failure names a case that can
be regenerated.
"""

from __future__ import annotations

import codecs
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

# One field of each kind the fast path supports, plus kinds and properties it must leave to frictionless.
FIELDS: list[tuple[dict[str, Any], Any]] = [
    ({"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
     lambda r, i: str(i + 1)),
    ({"name": "名称", "type": "string", "constraints": {"required": True, "maxLength": 12}},
     lambda r, i: r.choice(["人民广场停车场", "Pudong lot", "静安寺", "a,b", 'say "hi"', "two\nlines", " pad "])),
    ({"name": "district", "type": "string", "constraints": {"enum": ["黄浦区", "浦东新区", "静安区"]}},
     lambda r, i: r.choice(["黄浦区", "浦东新区", "静安区"])),
    ({"name": "code", "type": "string", "constraints": {"pattern": "[A-Z]{2}\\d{3}", "minLength": 5}},
     lambda r, i: r.choice("ABCXYZ") + r.choice("ABC") + str(r.randint(100, 999))),
    ({"name": "spaces", "type": "integer", "constraints": {"minimum": 0, "maximum": 5000}},
     lambda r, i: r.choice([str(r.randint(0, 5000)), "１２０", "0", "5000", ""])),
    ({"name": "fee", "type": "number", "constraints": {"minimum": 0}},
     lambda r, i: r.choice([f"{r.uniform(0, 50):.2f}", "３.５", "10", "0.5", ""])),
    ({"name": "open", "type": "boolean"}, lambda r, i: r.choice(["true", "false", "True", "0", "1"])),
    ({"name": "since", "type": "date", "constraints": {"minimum": "2000-01-01"}},
     lambda r, i: f"20{r.randint(0, 24):02d}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"),
    ({"name": "opened", "type": "date", "format": "%Y/%m/%d"},
     lambda r, i: f"19{r.randint(50, 99)}/{r.randint(1, 12):02d}/{r.randint(1, 28):02d}"),
    ({"name": "year", "type": "year"}, lambda r, i: str(r.randint(1990, 2024))),  # falls back (type)
    ({"name": "at", "type": "datetime"}, lambda r, i: "2024-05-01T08:00:00"),  # falls back (type)
    ({"name": "ratio", "type": "number", "groupChar": ","}, lambda r, i: "1,234.5"),  # falls back (groupChar)
]

# Defects: each turns a row (or the header, or the file) into something frictionless reports or reads oddly.
DEFECTS = [
    "empty-line", "blank-row", "short-row", "long-row", "duplicate-key", "type-integer", "type-number",
    "type-boolean", "type-date", "impossible-date", "missing-required", "enum", "pattern", "min", "max",
    "max-length", "min-length", "label-wrong", "label-duplicate", "label-blank", "label-missing", "label-extra",
    "integer-spaces", "integer-plus", "number-exponent", "number-underscore", "number-nan", "circled-digit",
    "quote-inside", "quote-after", "missing-na", "trailing-empty-lines", "semicolon", "date-single-digit",
    "number-at-bound", "huge-integer",
]


@dataclass
class Case:
    name: str
    schema: dict[str, Any] | None
    header: list[str]
    rows: list[list[str]]
    encoding: str = "utf-8"
    delimiter: str = ","
    trailer: str = ""
    defects: list[str] = field(default_factory=list)

    def data(self) -> bytes:
        def quote(cell: str) -> str:
            if cell.startswith("\x00raw:"):  # written as it is, quotes and all (a deliberately odd cell)
                return cell[5:]
            if any(ch in cell for ch in (self.delimiter, '"', "\n", "\r")):
                return '"' + cell.replace('"', '""') + '"'
            return cell

        lines = [self.delimiter.join(quote(c) for c in row) if row != ["\x00empty"] else ""
                 for row in [self.header, *self.rows]]
        text = "\n".join(lines) + "\n" + self.trailer
        if self.encoding == "utf-8-sig":
            return codecs.BOM_UTF8 + text.encode("utf-8")
        return text.encode(self.encoding)


def _apply(case: Case, defect: str, r: random.Random) -> None:
    fields = case.schema["fields"] if case.schema else []
    row = r.randrange(len(case.rows))

    def column(kind: str, constraint: str | None = None) -> int | None:
        hits = [i for i, f in enumerate(fields) if f.get("type") == kind
                and (constraint is None or constraint in f.get("constraints", {}))]
        return r.choice(hits) if hits else None

    def put(index: int | None, value: str) -> None:
        if index is not None:
            case.rows[row][index] = value

    width = len(case.header)
    match defect:
        case "empty-line":
            case.rows.insert(row, ["\x00empty"])
        case "blank-row":
            case.rows.insert(row, [""] * width)
        case "short-row":
            case.rows[row] = case.rows[row][:-1]
        case "long-row":
            case.rows[row] = [*case.rows[row], "extra"]
        case "duplicate-key":
            case.rows.append(list(case.rows[row]))
        case "type-integer":
            put(column("integer"), "很多")
        case "type-number":
            put(column("number"), "n/a")
        case "type-boolean":
            put(column("boolean"), "yes")
        case "type-date":
            put(column("date"), "01.02.2024")
        case "impossible-date":
            # year 0: pyarrow's strptime reads it, Python's datetime does not (no random draw: the corpus stays)
            put(column("date", "minimum"), "2023-02-30" if len(case.rows) % 2 else "0000-01-01")
        case "missing-required":
            put(column("string", "required"), "")
        case "enum":
            put(column("string", "enum"), "外省")
        case "pattern":
            put(column("string", "pattern"), r.choice(["ab123", "AB12", "AB１２３", "AB123\n"]))
        case "min":
            put(column("integer", "minimum"), "-1")
        case "max":
            put(column("integer", "maximum"), "5001")
        case "max-length":
            put(column("string", "maxLength"), "很长很长很长很长很长很长很长")
        case "min-length":
            put(column("string", "minLength"), "A1")
        case "label-wrong":
            case.header[r.randrange(width)] = "别名"
        case "label-duplicate" if width > 1:
            case.header[1] = case.header[0]
        case "label-blank":
            case.header[r.randrange(width)] = ""
        case "label-missing" if width > 1:
            case.header.pop()
            case.rows = [rw[:-1] for rw in case.rows]
        case "label-extra":
            case.header.append("备注")
            case.rows = [[*rw, "x"] for rw in case.rows]
        case "integer-spaces":
            put(column("integer"), " 12 ")
        case "integer-plus":
            put(column("integer"), "+12")
        case "number-exponent":
            put(column("number"), "1e2")
        case "number-underscore":
            put(column("number"), "1_000")
        case "number-nan":
            put(column("number"), r.choice(["NaN", "-Infinity"]))
        case "circled-digit":
            put(column("integer"), "①")
        case "quote-inside":
            put(column("string"), '\x00raw:ab"cd')
        case "quote-after":
            put(column("string"), '\x00raw:"ab"cd')
        case "missing-na":
            case.schema = {**(case.schema or {}), "missingValues": ["", "NA"]} if case.schema else None
            put(column("integer"), "NA")
        case "trailing-empty-lines":
            case.trailer = "\n\n"
        case "semicolon":
            case.delimiter = ";"
        case "date-single-digit":
            put(column("date"), "2024-1-5")
        case "number-at-bound":
            put(column("number", "minimum"), "0.0")
        case "huge-integer":
            put(column("integer"), "9" * 25)


def generate(count: int, seed: int = 18) -> list[Case]:
    r = random.Random(seed)
    cases = []
    for n in range(count):
        chosen = [FIELDS[0], *r.sample(FIELDS[1:9], r.randint(1, 5))]
        if r.random() < 0.1:
            chosen.append(r.choice(FIELDS[9:]))
        schema: dict[str, Any] | None = {"fields": [dict(f) for f, _ in chosen]}
        if r.random() < 0.3:
            schema["primaryKey"] = ["id"]
        if n % 2:  # half the cases: a pattern RE2 runs (catalog/ingest/patterns.py); the others' \d stays on re
            for field in schema["fields"]:
                if "pattern" in field.get("constraints", {}):
                    field["constraints"] = {**field["constraints"], "pattern": "[A-Z]{2}[0-9]{3}"}
        header = [f["name"] for f, _ in chosen]
        rows = [[make(r, i) for _, make in chosen] for i in range(r.randint(1, 25))]
        encoding = r.choice(["utf-8", "utf-8", "utf-8-sig", "gb18030"])
        case = Case(name=f"case-{n:03d}", schema=schema, header=header, rows=rows, encoding=encoding)
        # a third of the cases are clean, the rest carry one or two defects
        for defect in r.sample(DEFECTS, r.choice([0, 1, 1, 2])):
            _apply(case, defect, r)
            case.defects.append(defect)
        if r.random() < 0.08:
            case.schema = None  # frictionless infers one (the fast path uses the same inference)
        cases.append(case)
    return cases


# XLSX and JSON variants of the same cases: the cells typed as a workbook or a JSON document would hold them.

_PLAIN_INT = re.compile(r"^-?[0-9]{1,15}$")
_PLAIN_NUMBER = re.compile(r"^-?[0-9]{1,10}\.[0-9]{1,6}$")


def _typed_cell(text: str, kind: str | None, r: random.Random, fmt: str) -> Any:
    """The cell as a workbook or JSON writer would store it: numbers as numbers, booleans and dates (XLSX)
    sometimes as such, empty text as an empty cell (or kept as "" — both happen in real files)."""
    if text == "":
        return None if r.random() < 0.7 else ""
    if kind in ("integer", "number") and _PLAIN_INT.match(text) and r.random() < 0.8:
        return int(text)
    if kind == "number" and _PLAIN_NUMBER.match(text) and r.random() < 0.8:
        return float(text)  # JSON: written as a number, read back by ijson as a Decimal
    if kind == "boolean" and text in ("true", "false") and r.random() < 0.5:
        return text == "true"
    if kind == "date" and fmt == "xlsx" and re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text) and r.random() < 0.3:
        try:
            return datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            return text
    if kind == "string" and r.random() < 0.02:
        return r.randint(1, 99_999)  # a number in a string field: a type error for frictionless
    return text


def _kinds(case: Case) -> list[str | None]:
    by_name = {f["name"]: f.get("type", "string") for f in (case.schema or {}).get("fields", [])}
    return [by_name.get(label) for label in case.header]


def write_xlsx(case: Case, path: Path, r: random.Random) -> dict[str, Any] | None:
    """Write the case as a workbook; a third get a title and a blank row above the header (dialect
    ``headerRows: [3]``). Returns the dialect."""
    book = openpyxl.Workbook()
    sheet = book.active
    dialect = None
    if r.random() < 0.35:
        sheet.append([f"{case.name} 数据表（标题行）"])
        sheet.append([])
        dialect = {"headerRows": [3]}
    sheet.append(list(case.header))
    kinds = _kinds(case)
    for row in case.rows:
        if row == ["\x00empty"]:
            sheet.append([])
            continue
        cells = [c.removeprefix("\x00raw:") for c in row]
        sheet.append([_typed_cell(c, kinds[i] if i < len(kinds) else None, r, "xlsx")
                      for i, c in enumerate(cells)])
    book.save(path)
    return dialect


def write_json(case: Case, path: Path, r: random.Random) -> None:
    """Write the case as a JSON array of objects (keyed by the header; a short row lacks its last keys, a long
    row gets an extra key), or, for a quarter, as an array of arrays with the header first."""
    kinds = _kinds(case)
    rows = [[] if row == ["\x00empty"] else [c.removeprefix("\x00raw:") for c in row]
            for row in case.rows]
    typed = [[_typed_cell(c, kinds[i] if i < len(kinds) else None, r, "json") for i, c in enumerate(row)]
             for row in rows]
    if r.random() < 0.25:
        document: Any = [list(case.header), *typed]
    else:
        keys = [h if h else f"col{i}" for i, h in enumerate(case.header)]
        document = [{(keys[i] if i < len(keys) else f"extra{i}"): v for i, v in enumerate(row)} for row in typed]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
