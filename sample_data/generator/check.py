"""``--check``: validate every written package with frictionless and compare its errors with the deliberate ones.

A resource passes when frictionless reports exactly the errors its ``Err`` entries expect (row, field, type) and
the row count the generator produced. frictionless is imported lazily: generating needs only openpyxl.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from harvesters.datapackage import MAPPED_KEYS

from .common import SCHEMAS_DIR
from .model import Pkg, Res
from .reference import DOMAIN_BY_TITLE, DOMAINS

# The sample descriptors use only the keys the harvester maps onto catalog fields (nothing lands in extras).
ALLOWED_KEYS = MAPPED_KEYS


def resolve_schema(folder: Path, ref: Any) -> dict[str, Any]:
    if isinstance(ref, dict):
        return ref
    if "/" not in ref and not ref.endswith(".json"):
        return json.loads((SCHEMAS_DIR / f"{ref}.json").read_text(encoding="utf-8"))
    target = (folder / ref).resolve()
    assert folder.resolve() in target.parents, f"schema path leaves the package: {ref}"
    return json.loads(target.read_text(encoding="utf-8"))


def check(registry: list[Pkg], root: Path) -> int:
    """Validate the packages written under ``root``; print one line per resource, return the exit status."""
    from frictionless import Resource, Schema

    problems: list[str] = []
    for path in sorted(SCHEMAS_DIR.glob("*.json")):
        desc = json.loads(path.read_text(encoding="utf-8"))
        rep = Schema.validate_descriptor(desc)
        if not rep.valid or desc.get("name") != path.stem:
            problems.append(f"schema {path.name}: {rep.flatten(['type', 'note'])}")
    names: dict[str, int] = {}
    total_rows = 0
    for p in registry:
        desc = json.loads((root / p.folder / "datapackage.json").read_text(encoding="utf-8"))
        unknown = set(desc) - ALLOWED_KEYS
        if any(not k.startswith("x_") for k in unknown):
            problems.append(f"{p.name}: unexpected keys {sorted(unknown)}")
        if not re.fullmatch(r"[a-z0-9-]+", desc["name"]) or desc["name"] in names:
            problems.append(f"{p.name}: bad or duplicate name")
        names[desc["name"]] = 1
        if DOMAIN_BY_TITLE.get(desc["domain"], desc["domain"]) not in DOMAINS:
            problems.append(f"{p.name}: unknown domain {desc['domain']}")
        rnames = [r["name"] for r in desc["resources"]]
        if len(set(rnames)) != len(rnames):
            problems.append(f"{p.name}: duplicate resource names")
        for rd, res in zip(desc["resources"], p.resources):
            file = root / p.folder / rd["path"]
            label = f"{p.dept}/{p.name}/{rd['name']}"
            expected = set()
            for e in res.errors:
                if e.expect:
                    expected.add(
                        (res.row_number(e.index), e.field if e.kind != "duplicate_pk" else "", e.expect)
                    )
            if "schema" not in rd:
                r = Resource.from_descriptor(
                    {"name": rd["name"], "path": rd["path"], "format": rd["format"]},
                    basepath=str(root / p.folder),
                )
                rep = r.validate()
                if not rep.valid:
                    problems.append(f"{label}: {rep.flatten(['type', 'note'])}")
                print(f"  ok   {label} ({rd['format']}, non-tabular, {file.stat().st_size:,} bytes)")
                continue
            schema = resolve_schema(root / p.folder, rd["schema"])
            if rd["format"] == "json":
                objs = json.loads(file.read_text(encoding="utf-8"))
                fields = [f["name"] for f in schema["fields"]]
                data = [fields] + [[o.get(f) for f in fields] for o in objs]
                r = Resource(data=data, schema=Schema.from_descriptor(schema))
            else:
                rdesc = {k: rd[k] for k in ("name", "path", "format", "encoding", "dialect") if k in rd}
                rdesc["schema"] = schema
                r = Resource.from_descriptor(rdesc, basepath=str(root / p.folder))
            rep = r.validate()
            rows = rep.tasks[0].stats.get("rows") or 0
            total_rows += rows
            actual = {
                (row, fld or "", typ) for row, fld, typ in rep.flatten(["rowNumber", "fieldName", "type"])
            }
            actual = {
                (row, "" if typ in ("extra-cell", "primary-key") else fld, typ) for row, fld, typ in actual
            }
            expected = {
                (row, "" if typ in ("extra-cell", "primary-key") else fld, typ) for row, fld, typ in expected
            }
            status = "ok  " if actual == expected else "FAIL"
            if actual != expected:
                problems.append(f"{label}: expected {sorted(expected)} got {sorted(actual)[:10]}")
            if rows != res_rows(res):
                problems.append(f"{label}: {rows} rows, expected {res_rows(res)}")
            note = f", errors as documented: {sorted(actual)}" if actual else ""
            print(f"  {status} {label} ({rd['format']}, {rows:,} rows{note})")
            if rd["format"] == "csv" and "encoding" not in rd:
                raw = file.read_bytes()
                probe = Resource.from_descriptor(
                    {"name": "probe", "path": rd["path"]}, basepath=str(root / p.folder)
                )
                probe.infer()
                try:
                    raw.decode("utf-8")
                    problems.append(f"{label}: undeclared-encoding file unexpectedly decodes as UTF-8")
                except UnicodeDecodeError:
                    pass
                try:
                    raw.decode("gb2312")
                    gb2312 = "decodes"
                except UnicodeDecodeError:
                    gb2312 = "fails"
                text = raw.decode("gb18030")
                first = text.splitlines()[1]
                print(
                    f"       undeclared encoding: frictionless detects {probe.encoding!r}; gb2312 {gb2312}; "
                    f"gb18030 ok, first row: {first[:60]}…"
                )
                if probe.encoding not in ("gb18030", "gbk"):
                    problems.append(f"{label}: frictionless detected {probe.encoding}")
    size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
    by_domain: dict[str, int] = {}
    for p in registry:
        by_domain[p.domain_code] = by_domain.get(p.domain_code, 0) + 1
    print(
        f"\npackages {len(registry)}, resources {sum(len(p.resources) for p in registry)}, "
        f"departments {len({p.dept for p in registry})}, tabular rows {total_rows:,}, size {size / 1e6:.2f} MB"
    )
    print("per domain: " + ", ".join(f"{k} {by_domain.get(k, 0)}" for k in DOMAINS))
    print(
        "open classes: "
        + ", ".join(
            f"{c} {sum(1 for p in registry if p.open_class == c)}" for c in ("open", "conditional", "closed")
        )
    )
    if min(by_domain.get(k, 0) for k in DOMAINS) < 3:
        problems.append("a domain has fewer than 3 packages")
    if size > 15_000_000:
        problems.append("sample_data is larger than 15 MB")
    for prob in problems:
        print("PROBLEM:", prob)
    return 1 if problems else 0


_ROWS_CACHE: dict[int, int] = {}


def res_rows(res: Res) -> int:
    if id(res) not in _ROWS_CACHE:
        _ROWS_CACHE[id(res)] = len(res.rows_fn()) if res.rows_fn else 0
    return _ROWS_CACHE[id(res)]
