"""Bytes for each file the generator writes: CSV (UTF-8, BOM or GBK), XLSX, JSON, and the two descriptors.

XLSX is the hard part of byte-identical output: openpyxl stamps the current time into the zip entries and into
``docProps/core.xml``. ``xlsx_bytes`` pins the document properties and ``fixed_zip`` rewrites the archive with
``FIXED_ZIP_TIME`` entries and ``FIXED_DOC_TIME`` created/modified stamps, so the file depends on the rows only.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from .common import FIXED_DOC_TIME, FIXED_ZIP_TIME, load_schema, to_fullwidth
from .model import XLSX_MT, Pkg, Res, SchemaRef
from .reference import DEPARTMENTS


def resolve_inline(schema: SchemaRef) -> dict[str, Any]:
    if isinstance(schema, str):
        return load_schema(schema)
    if isinstance(schema, tuple):
        return schema[2]
    return schema


def apply_errors(res: Res, fields: list[str], rows: list[dict[str, Any]]) -> list[list[Any]]:
    rows = [dict(r) for r in rows]
    extra: dict[int, Any] = {}
    for e in res.errors:
        if e.kind == "set":
            rows[e.index][e.field] = e.value
        elif e.kind == "duplicate_pk":
            rows[e.index][e.field] = rows[e.source_index][e.field]
        elif e.kind == "fullwidth":
            rows[e.index][e.field] = to_fullwidth(str(rows[e.index][e.field]))
            e.value = rows[e.index][e.field]
        elif e.kind == "extra_cell":
            extra[e.index] = e.value
    out = []
    for i, r in enumerate(rows):
        assert list(r) == fields, (res.name, list(r), fields)
        line = [r[f] for f in fields]
        if i in extra:
            line.append(extra[i])
        out.append(line)
    return out


def cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def csv_bytes(fields: list[str], lines: list[list[Any]], encoding: str, bom: bool) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields)
    for line in lines:
        w.writerow([cell_text(v) for v in line])
    data = buf.getvalue().encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom else data


def typed(v: Any, ftype: str) -> Any:
    """Value for XLSX/JSON cells: real booleans, numbers stay numbers, empty strings become null."""
    if v == "" or v is None:
        return None
    if ftype == "boolean" and v in ("true", "false"):
        return v == "true"
    return v


def fixed_zip(raw: bytes) -> bytes:
    """Rewrite an OOXML zip with fixed entry timestamps and fixed core document properties."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", rf"\g<1>{FIXED_DOC_TIME}\g<2>", text
                )
                text = re.sub(
                    r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rf"\g<1>{FIXED_DOC_TIME}\g<2>",
                    text,
                )
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zi.create_system = 0
            dst.writestr(zi, data, compresslevel=6)
    return out.getvalue()


def xlsx_bytes(res: Res, schema: dict[str, Any], fields: list[str], lines: list[list[Any]]) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = res.sheet
    if res.xlsx_title:
        ws.append([res.xlsx_title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(fields))
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        ws.append([])
    ws.append(fields)
    for line in lines:
        ws.append(
            [typed(v, types.get(fields[i], "string")) if i < len(fields) else v for i, v in enumerate(line)]
        )
    fixed = dt.datetime(2024, 12, 31, 1, 0, 0)
    wb.properties.creator = DEPARTMENTS["whlyj"][0] if res.xlsx_title else "上海市公共数据开放平台"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.lastModifiedBy = None
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def json_bytes(schema: dict[str, Any], fields: list[str], lines: list[list[Any]]) -> bytes:
    types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    objs = [{f: typed(v, types[f]) for f, v in zip(fields, line)} for line in lines]
    return (json.dumps(objs, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def resource_descriptor(res: Res) -> dict[str, Any]:
    d: dict[str, Any] = {"name": res.name, "title": res.title, "path": res.path, "format": res.fmt}
    if res.description:
        d["description"] = res.description
    d["mediatype"] = (
        res.mediatype or {"csv": "text/csv", "xlsx": XLSX_MT, "json": "application/json"}[res.fmt]
    )
    if res.fmt != "xlsx" and res.declare_encoding and res.encoding:
        d["encoding"] = res.encoding
    if res.schema is not None:
        d["schema"] = res.schema[1] if isinstance(res.schema, tuple) else res.schema
    if res.xlsx_title:
        d["dialect"] = {"headerRows": [3]}
    return d


def package_descriptor(p: Pkg) -> dict[str, Any]:
    title, title_en = DEPARTMENTS[p.dept]
    d: dict[str, Any] = {
        "name": p.name,
        "title": p.title,
        "description": p.description,
        "keywords": p.keywords,
        "licenses": [p.license],
        "version": p.version,
        "created": p.created,
        "domain": p.domain,
        "publisher": {"name": p.dept, "title": title, "title_en": title_en},
        "update_frequency": p.update,
        "open_class": p.open_class,
        "temporal_coverage": p.temporal,
        "spatial_coverage": p.spatial,
        "contact": {
            "name": "数据开放联系人",
            "email": f"data@{p.dept}.sh.gov.cn",
            "phone": f"021-{23110000 + sum(ord(c) for c in p.dept) * 7 % 9999:08d}",
        },
    }
    d.update(p.extra)
    d["resources"] = [resource_descriptor(r) for r in p.resources]
    return d
