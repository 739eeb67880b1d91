"""Write the whole sample tree: every package of the registry, then README.md, under one output folder.

The department folders are removed first, so a dataset dropped from the registry disappears from disk too;
nothing else in the output folder (the generator itself, for one) is touched. README.md is written last because
it reports the row counts the writers just produced.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .model import Pkg
from .readme import readme
from .reference import DEPARTMENTS
from .writers import (
    apply_errors,
    csv_bytes,
    json_bytes,
    package_descriptor,
    resolve_inline,
    write_bytes,
    xlsx_bytes,
)


def generate(registry: list[Pkg], out: Path) -> None:
    """Write every package of ``registry`` and README.md under ``out``, replacing the department folders."""
    for child in sorted(out.iterdir()):
        if child.is_dir() and child.name in DEPARTMENTS:
            shutil.rmtree(child)
    for p in registry:
        for res in p.resources:
            target = out / p.folder / res.path
            if res.content is not None:
                write_bytes(target, res.content())
                continue
            schema = resolve_inline(res.schema)
            fields = [f["name"] for f in schema["fields"]]
            rows = res.rows_fn()
            lines = apply_errors(res, fields, rows)
            res.row_count = len(lines)
            if res.fmt == "csv":
                data = csv_bytes(fields, lines, res.encoding or "utf-8", res.bom)
            elif res.fmt == "xlsx":
                data = xlsx_bytes(res, schema, fields, lines)
            else:
                data = json_bytes(schema, fields, lines)
            write_bytes(target, data)
            if isinstance(res.schema, tuple):
                write_bytes(
                    out / p.folder / res.schema[1],
                    (json.dumps(res.schema[2], ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
                )
        write_bytes(
            out / p.folder / "datapackage.json",
            (json.dumps(package_descriptor(p), ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        )
    (out / "README.md").write_text(readme(registry), encoding="utf-8")
