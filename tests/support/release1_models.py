"""The catalog tables of the first release (``catalog/models.py`` at commit 840f6a3), frozen: the fixture that
tests/catalog/test_migrations.py builds a first-release catalog from.

Copied as that release shipped it, except that the tables hang on a registry (and metadata) of their own,
``Release1Base``, so they live beside today's models in one process. Never edit the tables: they are what old
catalogs in the field hold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


class Release1Base(SQLModel, registry=registry()):
    pass


class Domain(Release1Base, table=True):
    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=40)  # 中文名
    name_en: str = Field(max_length=80)
    order: int


class Department(Release1Base, table=True):
    """A publisher (委办局)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=100)  # slug
    title: str = Field(max_length=200)  # 中文名
    title_en: str | None = Field(default=None, max_length=200)


class HarvestSource(Release1Base, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)  # datapackage | ckan | dcat
    url: str = Field(unique=True, index=True, max_length=1000)  # folder path, zip path or remote URL
    title: str | None = Field(default=None, max_length=300)
    created: datetime = Field(default_factory=utcnow)
    last_job_id: int | None = None


class Dataset(Release1Base, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=200)
    title: str = Field(max_length=500)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    domain_code: str = Field(foreign_key="domain.code", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    keywords: list[str] | None = _json()
    update_frequency: str | None = Field(default=None, max_length=20)
    open_class: str = Field(default="open", max_length=20, index=True)  # open | conditional | closed
    license_id: str | None = Field(default=None, max_length=200)
    licenses: list[dict[str, Any]] | None = _json()
    version: str | None = Field(default=None, max_length=50)
    temporal_coverage: str | None = Field(default=None, max_length=200)
    spatial_coverage: str | None = Field(default=None, max_length=200)
    contact: dict[str, Any] | None = _json()
    extras: dict[str, Any] | None = _json()  # unknown descriptor keys, kept as given
    created: datetime | None = None  # as declared by the publisher
    first_published: datetime = Field(default_factory=utcnow)  # first harvested into this catalog
    modified: datetime = Field(default_factory=utcnow, index=True)  # last change of metadata or data here
    last_harvested: datetime = Field(default_factory=utcnow)
    state: str = Field(default="active", max_length=20, index=True)  # active | withdrawn
    source_id: int | None = Field(default=None, foreign_key="harvestsource.id", index=True)
    source_identifier: str | None = Field(default=None, max_length=1000)
    metadata_hash: str | None = Field(default=None, max_length=64)  # to tell "unchanged" cheaply


class Resource(Release1Base, table=True):
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    name: str = Field(max_length=200)
    title: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, sa_column=Column(Text))
    format: str | None = Field(default=None, max_length=20)  # lower-case extension-like: csv, xlsx, json
    media_type: str | None = Field(default=None, max_length=100)
    position: int = 0
    state: str = Field(default="active", max_length=20)  # active | removed (gone from the package)
    # No FK: resource <-> version would be a cycle; the service keeps it consistent.
    current_version_id: int | None = None


class ResourceVersion(Release1Base, table=True):
    id: int | None = Field(default=None, primary_key=True)
    resource_id: int = Field(foreign_key="resource.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    size: int
    stored_path: str = Field(max_length=300)  # relative to the file store root
    original_filename: str | None = Field(default=None, max_length=500)
    encoding: str | None = Field(default=None, max_length=40)
    dialect: dict[str, Any] | None = _json()
    table_schema: dict[str, Any] | None = _json()
    schema_ref: str | None = Field(default=None, max_length=300)  # published schema name, if referenced
    row_count: int | None = None
    validation_status: str = Field(default="not_tabular", max_length=20)  # valid|invalid|error|not_tabular
    validation_report: dict[str, Any] | None = _json()
    fingerprint: str = Field(max_length=64)  # sha256 + schema + dialect: same fingerprint = same version
    created: datetime = Field(default_factory=utcnow)
    # The typed Parquet copy of a table (catalog/parquet.py), in the file store; or why it could not be made.
    parquet_path: str | None = Field(default=None, max_length=300)
    parquet_error: str | None = Field(default=None, sa_column=Column(Text))


class DownloadCount(Release1Base, table=True):
    """Downloads and rows-API calls of a resource, added up in batches by catalog/download_stats.py."""

    resource_id: int = Field(primary_key=True)  # no FK: counts are advisory and never block a harvest
    dataset_id: int = Field(index=True)
    downloads: int = 0
    api_calls: int = 0


class HarvestJob(Release1Base, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="harvestsource.id", index=True)
    status: str = Field(default="running", max_length=20)  # running | finished | failed
    started: datetime = Field(default_factory=utcnow)
    finished: datetime | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failed: int = 0
    message: str | None = Field(default=None, sa_column=Column(Text))  # job-level failure
    errors: list[dict[str, Any]] | None = _json()  # [{"item": identifier, "message": ...}]
