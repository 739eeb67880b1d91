"""sample_data/README.md, generated from the registry so the tables never disagree with the files.

The prose sections are fixed text; the format table, the deliberate-error table, the full-width cells and the
dataset list are computed from ``Pkg``/``Res``/``Err`` after the files are written (row counts included).
"""

from __future__ import annotations

from .common import FIXED_DOC_TIME
from .model import Pkg, Res
from .reference import DEPARTMENTS, DOMAINS


def schema_kind(res: Res) -> str:
    if res.schema is None:
        return "—"
    if isinstance(res.schema, str):
        return f"`{res.schema}`"
    if isinstance(res.schema, tuple):
        return f"relative `{res.schema[1]}`"
    return "inline"


def encoding_label(res: Res) -> str:
    if res.fmt == "xlsx":
        return "—"
    if res.encoding == "gbk":
        return "GBK (declared)" if res.declare_encoding else "GBK (**not declared**)"
    return "UTF-8 with BOM" if res.bom else "UTF-8"


def readme(registry: list[Pkg]) -> str:
    total_rows = sum(r.row_count for p in registry for r in p.resources)
    depts = sorted({p.dept for p in registry})
    by_domain: dict[str, int] = {}
    for p in registry:
        by_domain[p.domain_code] = by_domain.get(p.domain_code, 0) + 1
    L: list[str] = []
    a = L.append
    a("# sample_data — departmental data packages (示例数据)\n")
    a(
        "Synthetic open-data packages as Shanghai departments (委办局) would publish them. They are the harvest input for"
    )
    a(
        "`make run` and for the tests. **All rows are generated** (模拟数据): names, addresses and figures are plausible but"
    )
    a(
        "not real. Do not edit files here by hand — change the generator, `sample_data/generator/`, and regenerate.\n"
    )
    a("## Regenerate and check\n")
    a("From the project root:\n")
    a("```sh")
    a("make sample-data                                     # the same as the next line")
    a(
        ".venv/bin/python -m sample_data.generator            # rewrite every package and this README (deterministic)"
    )
    a(".venv/bin/python -m sample_data.generator --check    # validate every resource with frictionless")
    a(
        ".venv/bin/python -m sample_data.generator --output /tmp/sample  # write a copy elsewhere, e.g. to compare"
    )
    a(
        ".venv/bin/python -m pytest -q tests/sample_data/     # regenerate into a temporary folder, compare sha256"
    )
    a("```\n")
    a(
        "Output is byte-for-byte identical on every run: each dataset has its own fixed-seed `random.Random`, every"
    )
    a(
        "timestamp is fixed, and XLSX files are rewritten with fixed zip-entry times (2024-12-31 09:00:00) and fixed"
    )
    a(
        f"`dcterms:created`/`dcterms:modified` ({FIXED_DOC_TIME}). Only the standard library, openpyxl and (for `--check`)"
    )
    a(
        "frictionless are used. `--check` resolves each resource's schema, validates it with frictionless and compares"
    )
    a("the errors with the deliberate errors listed below; it exits non-zero on any difference.\n")
    a("## The generator\n")
    a("`sample_data/generator/` is a package run with `python -m sample_data.generator`:\n")
    a("* `registry.py` — the ordered list of packages (the order of the table below);")
    a(
        "* one module per department, named by its folder (`jtw.py`, `gaj.py`, …): the row generators, inline schemas"
    )
    a("  and package descriptions of that department's datasets;")
    a(
        "* `reference.py` (departments, domains, districts, roads, names), `common.py` (seeded random, addresses,"
    )
    a(
        "  companies, credit codes), `model.py` (`Pkg`, `Res`, `Err`: a package, a resource, a deliberate error);"
    )
    a(
        "* `writers.py` (CSV/GBK/XLSX/JSON bytes, descriptors), `generate.py` (writes the tree), `readme.py` (this"
    )
    a("  file), `check.py` (`--check`).\n")
    a(
        "To add a dataset: write its rows function and package function in the department's module, then list the"
    )
    a("package in `registry.py`; regenerate, and commit the new files with the generator change.\n")
    a("## Layout\n")
    a("```")
    a("sample_data/<department-slug>/<dataset-name>/datapackage.json")
    a("sample_data/<department-slug>/<dataset-name>/data/<file>.csv|.xlsx|.json|.geojson")
    a(
        "sample_data/<department-slug>/<dataset-name>/schema/<name>.json     (only where a relative schema path is used)"
    )
    a(
        "sample_data/<department-slug>/<dataset-name>/docs/<file>.txt        (non-tabular documentation resource)"
    )
    a("```\n")
    a(
        "`datapackage.json` top-level keys: `name` (slug, unique across sample_data), `title`, `description`, `keywords`,"
    )
    a(
        "`licenses`, `version`, `created`, `domain`, `publisher` {`name`, `title`, `title_en`}, `update_frequency`"
    )
    a(
        "(实时/每日/每周/每月/每季度/每半年/每年/不定期), `open_class` (open | conditional | closed), `temporal_coverage`,"
    )
    a(
        "`spatial_coverage`, `contact` {`name`, `email`, `phone`}, `resources`. Some packages carry unknown extra keys"
    )
    a(
        "(`x_source_system`, `x_update_day`, `x_batches`) that a harvester must keep, not refuse. `domain` is normally a code"
    )
    a(
        "(`transport`); a few packages use the Chinese name instead (`道路交通`, `民生服务`, `机构团体`, `信用服务`).\n"
    )
    a(
        "Resource keys: `name` (slug unique in its package), `title`, `path` (relative to the package folder), `format`,"
    )
    a(
        "`mediatype`, `encoding` (text formats; omitted on purpose for one GBK file), `schema`, `dialect` (XLSX with a"
    )
    a("title row), `description` (non-tabular resources). `schema` takes three forms:\n")
    a(
        "* a string without `/` and without `.json` — the name of a published schema: `schemas/<name>.json` at the project root;"
    )
    a(
        "* a relative path inside the package (`schema/ancient-tree.json`) — resolve against the package folder;"
    )
    a("* an inline Table Schema object.\n")
    a("## Formats and encodings worth knowing\n")
    a("| package | resource | format | encoding / dialect |")
    a("|---|---|---|---|")
    for p in registry:
        for r in p.resources:
            special = r.fmt != "csv" or r.encoding != "utf-8" or r.bom or not r.declare_encoding
            if special:
                extra = (
                    '`"dialect": {"headerRows": [3]}` (title row 1, blank row 2, header row 3)'
                    if r.xlsx_title
                    else encoding_label(r)
                )
                if r.fmt == "json":
                    extra = "UTF-8; array of objects, inline schema"
                if r.fmt in ("txt", "geojson"):
                    extra = "UTF-8; non-tabular, no schema"
                a(f"| {p.dept}/{p.name} | {r.name} | {r.fmt} | {extra} |")
    a("")
    a('* `jtw/shanghai-on-street-parking-berths` starts with a UTF-8 BOM and declares `"encoding": "utf-8"`.')
    a('* `mzj/elderly-care-institutions` is GBK and declares `"encoding": "gbk"`.')
    a(
        "* `zjw/construction-permits-2023` is GBK and declares **no** encoding. It contains characters that are in GBK"
    )
    a(
        "  but not in GB2312 (堃, 喆, 祎, 镕 in company names), so decoding it as `gb2312` fails; decode it as `gb18030`."
    )
    a(
        '* The `elderly-care` schema declares `"trueValues": ["是"], "falseValues": ["否"]` for `medical_integration`.'
    )
    a(
        "* `gaj/road-traffic-accident-statistics` (closed) uses the Table Schema `yearmonth` type; `bus-route` uses `time`."
    )
    a("")
    a("## Deliberate errors\n")
    a(
        "Row numbers are frictionless `rowNumber`s: the physical row in the file, header = row 1 (for the XLSX with a"
    )
    a("title row the header is row 3). Every other resource is valid against its schema.\n")
    a("| package | resource | file | row | field | value | error (frictionless type) |")
    a("|---|---|---|---|---|---|---|")
    for p in registry:
        for r in p.resources:
            for e in r.errors:
                if e.kind == "fullwidth":
                    continue
                val = {
                    "set": repr(e.value) if e.value != "" else "(empty)",
                    "duplicate_pk": "(copy of an earlier key)",
                    "extra_cell": repr(e.value),
                }[e.kind]
                a(
                    f"| {p.dept}/{p.name} | {r.name} | `{r.path}` | {r.row_number(e.index)} | {e.field or '—'} | {val} | "
                    f"{e.note} (`{e.expect}`) |"
                )
    a("")
    a("### Full-width digits (全角数字)\n")
    fw = [(p, r, e) for p in registry for r in p.resources for e in r.errors if e.kind == "fullwidth"]
    if fw:
        p0, r0, _ = fw[0]
        a(
            f"`{p0.dept}/{p0.name}` resource `{r0.name}` (`{r0.path}`) has numeric cells written with full-width digits"
        )
        a(
            "(U+FF10–U+FF19) and an ASCII decimal point. DESIGN requires NFKC normalization of numeric fields. frictionless 5"
        )
        a(
            "already accepts these cells (Python's `int()`/`Decimal()` understand Unicode digits), so the resource is **valid**"
        )
        a(
            "in frictionless; DuckDB/Parquet casts and any fast path will not accept them without NFKC. Cells:\n"
        )
        a("| row | field | cell |")
        a("|---|---|---|")
        for p, r, e in fw:
            a(f"| {r.row_number(e.index)} | {e.field} | `{e.value}` |")
        a("")
    a("## frictionless 5 behaviour (checked with frictionless 5.21)\n")
    a(
        '* XLSX title row: the resource carries `"dialect": {"headerRows": [3]}`. `Resource.from_descriptor()` accepts the'
    )
    a(
        "  dict and reads the labels from row 3; the merged title cell (row 1) and the blank row 2 are skipped and data"
    )
    a(
        "  rows keep their sheet row numbers (first data row = 4). Passing a plain dict as `dialect=` to the `Resource(...)`"
    )
    a("  constructor does not work (`AttributeError: 'dict' object has no attribute 'has_control'`); use")
    a("  `Resource.from_descriptor()` or `Dialect.from_descriptor()`.")
    a(
        '* A resource whose `schema` is a published name (`"parking-lot"`) cannot be handed to frictionless as is:'
    )
    a(
        "  frictionless treats a string schema as a path/URL. Resolve it to `schemas/<name>.json` (or to the package-relative"
    )
    a("  file) first and pass the dict.")
    a(
        "* Encoding detection: without a declared encoding frictionless runs chardet over the first 10,000 bytes. For"
    )
    a(
        "  `construction-permits-2023.csv` chardet answers `GB18030` with low confidence (~0.3); frictionless then tries"
    )
    a(
        "  UTF-8, fails, and keeps `gb18030`, so the file reads correctly. A file with a UTF-8 BOM declared as `utf-8` is"
    )
    a("  read as `utf-8-sig` (the BOM does not end up in the first label).")
    a(
        "* Full-width digits: `integer`, `number` and `year` fields accept `１２３` / `１２.５` / `-３.５`; a full-width decimal"
    )
    a("  point `．` or minus `－` is a `type-error`, and `date` fields reject full-width digits.")
    a(
        "* JSON: a `.json` resource with a schema is loaded as a plain `JsonResource` (not validated as a table). With"
    )
    a(
        '  `"type": "table"` frictionless needs the `frictionless[json]` extra (ijson), which is not installed. `--check`'
    )
    a("  therefore validates `exhibitions-2024.json` by passing its rows to frictionless as inline data.")
    a(
        "* XLSX mediatype inferred by frictionless is `application/vnd.ms-excel`; the packages declare the OOXML type."
    )
    a(
        "* A duplicated single-field primary key gives one `primary-key` error (fieldName empty); if the field also had"
    )
    a(
        "  `unique: true` frictionless would add a `unique-error` as well, so primary-key fields do not set `unique`."
    )
    a("")
    a("## Datasets\n")
    a(
        f"{len(registry)} packages, {sum(len(p.resources) for p in registry)} resources, {total_rows:,} data rows, "
        f"{len(depts)} departments.\n"
    )
    a("| # | department | package (`name`) | title | domain | open | resources (rows) |")
    a("|---|---|---|---|---|---|---|")
    for i, p in enumerate(registry, start=1):
        rs = ", ".join(
            f"{r.name} [{r.fmt}{'' if r.fmt in ('txt', 'geojson') else ', ' + schema_kind(r)}]"
            + (f" ({r.row_count:,})" if r.row_count else "")
            for r in p.resources
        )
        a(
            f"| {i} | {p.dept} {DEPARTMENTS[p.dept][0]} | `{p.name}` | {p.title} | {p.domain} | {p.open_class} | {rs} |"
        )
    a("")
    a("Packages per domain: " + ", ".join(f"{k} {DOMAINS[k]} {by_domain.get(k, 0)}" for k in DOMAINS) + ".\n")
    a("Departments: " + ", ".join(f"`{d}` {DEPARTMENTS[d][0]}" for d in depts) + ".\n")
    a("## Notes for search and API tests\n")
    a("* 停车场: `jtw/shanghai-public-parking-lots` (schema `parking-lot`, 820 rows; many 浦东新区 lots with")
    a("  `total_spaces` > 500), `jtw/pudong-public-parking-lots-2023` (same schema, 浦东新区 only),")
    a(
        "  `jtw/shanghai-on-street-parking-berths` (道路停车泊位) and `fgw/shanghai-ev-charging-stations` (充电桩)."
    )
    a("* Resources with more than 20,000 rows: `sthjj/shanghai-air-quality-hourly` (20,640 rows) and")
    a(
        "  `swj/hydrological-station-water-levels` / `water-levels` (21,168 rows); `scjgj/food-safety-inspections-2024`"
    )
    a("  has 5,000 rows.")
    a(
        "* Same schema, different year or district: `parking-lot` (全市 2024 / 浦东 2023), `construction-project` (2023 / 2024),"
    )
    a(
        "  `water-quality` and `land-transaction` (two yearly resources in one package), `school` (schools / kindergartens),"
    )
    a("  `medical-institution`, `elderly-care`, `social-organization`.")
    return "\n".join(L) + "\n"
