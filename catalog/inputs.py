"""What a harvester hands to the catalog: plain data, already fetched to local files.

Harvesters build these from their sources (a data package, a CKAN package, a DCAT record); the catalog
checks the values and decides what changed. Nothing here touches the DB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    open_class: str = "open"
    temporal_coverage: str | None = None
    spatial_coverage: str | None = None
    contact: dict[str, Any] | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    resources: list[ResourceInput] = field(default_factory=list)
