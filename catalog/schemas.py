"""The published Table Schemas in ``schemas/``: one JSON file per dataset type, named by its file stem."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from frictionless import Schema

from catalog.config import get_settings

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


def table_schema_problem(descriptor: Any) -> str | None:
    """What is wrong with a Table Schema descriptor, in words a publisher can act on; None when it is sound.

    Our own shape check runs first: the indexer and the Parquet builder read ``fields`` as a list of objects
    with string names, and frictionless, handed a string where a field object belongs, tries to open it as a
    file path. Only a well-shaped descriptor goes on to frictionless's own descriptor validation.
    """
    if not isinstance(descriptor, dict):
        return f"a Table Schema must be a JSON object, not {_json_type(descriptor)}"
    fields = descriptor.get("fields")
    if not isinstance(fields, list):
        return f"'fields' must be a list of field objects, not {_json_type(fields)}"
    for number, field in enumerate(fields, start=1):
        if not isinstance(field, dict):
            return f"field #{number} must be an object, not {_json_type(field)}"
        if not isinstance(field.get("name"), str) or not field["name"]:
            return f"field #{number} needs a 'name' that is a non-empty string"
    text = json.dumps(descriptor, sort_keys=True, ensure_ascii=False, default=str)
    return _cached_problem(text) if len(text) <= _CACHED_SCHEMA_CHARS else _frictionless_problem(text)


_CACHED_SCHEMA_CHARS = 100_000  # a hostile source's megabyte schemas are checked, not kept


@lru_cache(maxsize=256)
def _cached_problem(descriptor_json: str) -> str | None:
    """Cached: a harvest checks the same few schemas for every resource and every run."""
    return _frictionless_problem(descriptor_json)


def _frictionless_problem(descriptor_json: str) -> str | None:
    try:
        report = Schema.validate_descriptor(json.loads(descriptor_json))
    except Exception as exc:  # noqa: BLE001 - a descriptor frictionless cannot even inspect is refused too
        return f"frictionless cannot read it ({type(exc).__name__}: {exc})"
    if not report.valid:
        return "; ".join(str(error.note) for error in report.errors[:3])[:500]
    return None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")
