"""What the generator knows about a package: ``Pkg`` (a package), ``Res`` (a resource), ``Err`` (a deliberate error).

Department modules build these; ``generate.py`` writes them, ``readme.py`` documents them and ``check.py``
validates the written files against them. Deliberate errors are data, not code paths, so the README table and
the ``--check`` expectations come from the same ``Err`` objects and cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .reference import DOMAIN_BY_TITLE, LICENSE_CC_BY

SchemaRef = Any  # str (published name) | dict (inline) | ("relative", path, dict)


class Err:
    """A deliberate error injected into a resource (documented in README.md, checked by --check)."""

    def __init__(
        self,
        kind: str,
        index: int,
        field: str,
        value: Any = None,
        note: str = "",
        expect: str | None = None,
        source_index: int | None = None,
    ):
        self.kind = kind  # set | duplicate_pk | extra_cell | fullwidth
        self.index = index  # 0-based data row index
        self.field = field
        self.value = value
        self.note = note
        self.expect = expect  # expected frictionless error type (None: frictionless accepts the value)
        self.source_index = source_index


class Res:
    def __init__(
        self,
        name: str,
        title: str,
        path: str,
        rows: Callable[[], list[dict[str, Any]]] | None,
        schema: SchemaRef = None,
        fmt: str = "csv",
        encoding: str | None = "utf-8",
        bom: bool = False,
        declare_encoding: bool = True,
        xlsx_title: str | None = None,
        sheet: str = "Sheet1",
        errors: list[Err] | None = None,
        content: Callable[[], bytes] | None = None,
        mediatype: str | None = None,
        description: str | None = None,
    ):
        self.name, self.title, self.path, self.rows_fn, self.schema = name, title, path, rows, schema
        self.fmt, self.encoding, self.bom, self.declare_encoding = fmt, encoding, bom, declare_encoding
        self.xlsx_title, self.sheet, self.errors = xlsx_title, sheet, errors or []
        self.content, self.mediatype, self.description = content, mediatype, description
        self.row_count = 0

    @property
    def header_row(self) -> int:
        return 3 if self.xlsx_title else 1

    def row_number(self, index: int) -> int:
        return self.header_row + 1 + index


class Pkg:
    def __init__(
        self,
        dept: str,
        name: str,
        title: str,
        domain: str,
        description: str,
        keywords: list[str],
        resources: list[Res],
        *,
        update: str,
        temporal: str,
        created: str,
        open_class: str = "open",
        version: str = "1.0.0",
        spatial: str = "上海市",
        license: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        self.dept, self.name, self.title, self.domain = dept, name, title, domain
        self.description, self.keywords, self.resources = description, keywords, resources
        self.update, self.temporal, self.created, self.open_class = update, temporal, created, open_class
        self.version, self.spatial, self.license, self.extra = (
            version,
            spatial,
            license or LICENSE_CC_BY,
            extra or {},
        )

    @property
    def folder(self) -> Path:
        """The package folder relative to the output root: ``<department>/<dataset>``."""
        return Path(self.dept) / self.name

    @property
    def domain_code(self) -> str:
        return DOMAIN_BY_TITLE.get(self.domain, self.domain)


XLSX_MT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
