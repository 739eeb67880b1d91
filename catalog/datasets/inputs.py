"""What a harvester hands to the catalog: plain data, already fetched to local files.

Harvesters build these from their sources (a data package, a CKAN package, a DCAT record); the catalog
checks the values and decides what changed. Nothing here touches the DB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.vocabulary import OpenClass


@dataclass
class PublisherInput:
    name: str  # slug
    title: str  # 中文名
    title_en: str | None = None


@dataclass
class ResourceInput:
    name: str
    path: Path  # a local, readable copy of the bytes
    title: str | None = None
    description: str | None = None
    format: str | None = None
    media_type: str | None = None
    encoding: str | None = None  # as declared by the publisher, if at all
    schema: dict[str, Any] | None = None  # resolved Table Schema descriptor
    schema_ref: str | None = None  # the published schema's name when the package referenced one
    dialect: dict[str, Any] | None = None
    original_filename: str | None = None


@dataclass
class DatasetInput:
    name: str
    title: str
    domain: str  # a domain code or its 中文名
    publisher: PublisherInput
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    licenses: list[dict[str, Any]] = field(default_factory=list)
    version: str | None = None
    created: str | None = None  # ISO 8601
    update_frequency: str | None = None
    open_class: str = OpenClass.open
    temporal_coverage: str | None = None
    spatial_coverage: str | None = None
    contact: dict[str, Any] | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    resources: list[ResourceInput] = field(default_factory=list)


_TEXT = ("name", "title", "domain", "description", "open_class")
_OPTIONAL_TEXT = ("version", "created", "update_frequency", "temporal_coverage", "spatial_coverage")
_RESOURCE_OPTIONAL_TEXT = ("title", "description", "format", "media_type", "encoding", "schema_ref")


def input_type_problems(data: DatasetInput) -> list[str]:
    """Values of the wrong type, each named. A harvester passes on what its source says; a number where a
    list belongs would otherwise fail far from here (hashing, indexing), after part of the work is done."""
    problems = [f"'{key}' must be text" for key in _TEXT if not isinstance(getattr(data, key), str)]
    problems += [
        f"'{key}' must be text" for key in _OPTIONAL_TEXT if not isinstance(getattr(data, key), str | None)
    ]
    if not _list_of(data.keywords, str):
        problems.append("'keywords' must be a list of strings")
    if not _list_of(data.licenses, dict):
        problems.append("'licenses' must be a list of objects")
    if not isinstance(data.contact, dict | None):
        problems.append("'contact' must be an object")
    if not isinstance(data.extras, dict):
        problems.append("extra properties must form an object")
    pub = data.publisher
    if not isinstance(pub, PublisherInput) or not (isinstance(pub.name, str) and isinstance(pub.title, str)):
        problems.append("publisher needs a text 'name' and 'title'")
    if not _list_of(data.resources, ResourceInput):
        return problems + ["'resources' must be a list of resources"]
    for number, res in enumerate(data.resources, start=1):
        problems += [f"resource #{number}: {p}" for p in _resource_type_problems(res)]
    return problems


def _resource_type_problems(res: ResourceInput) -> list[str]:
    problems = [] if isinstance(res.name, str) else ["'name' must be text"]
    if not isinstance(res.path, Path):
        problems.append("no local file")
    problems += [
        f"'{key}' must be text"
        for key in _RESOURCE_OPTIONAL_TEXT
        if not isinstance(getattr(res, key), str | None)
    ]
    problems += [f"'{key}' must be an object" for key in ("schema", "dialect") if not isinstance(
        getattr(res, key), dict | None
    )]
    return problems


def _list_of(value: Any, kind: type) -> bool:
    return isinstance(value, list) and all(isinstance(item, kind) for item in value)
