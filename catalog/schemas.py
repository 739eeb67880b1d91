"""The published Table Schemas in ``schemas/``: one JSON file per dataset type, named by its file stem."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import get_settings

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


class SchemaNotFound(LookupError):
    pass


@dataclass(frozen=True)
class PublishedSchema:
    name: str
    descriptor: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.descriptor.get("title") or self.name)

    @property
    def description(self) -> str:
        return str(self.descriptor.get("description") or "")

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.descriptor.get("fields") or [])


def _schemas_dir(schemas_dir: Path | None) -> Path:
    return Path(schemas_dir or get_settings().schemas_dir)


def is_schema_name(value: str) -> bool:
    return bool(_NAME.match(value))


def list_schemas(schemas_dir: Path | None = None) -> list[PublishedSchema]:
    folder = _schemas_dir(schemas_dir)
    if not folder.is_dir():
        return []
    return [get_schema(p.stem, folder) for p in sorted(folder.glob("*.json"))]


def get_schema(name: str, schemas_dir: Path | None = None) -> PublishedSchema:
    if not is_schema_name(name):
        raise SchemaNotFound(f"'{name}' is not a valid schema name")
    path = _schemas_dir(schemas_dir) / f"{name}.json"
    if not path.is_file():
        raise SchemaNotFound(f"no published schema named '{name}'")
    return PublishedSchema(name, json.loads(path.read_text(encoding="utf-8")))
