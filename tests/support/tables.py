"""Helpers for the tests of tables (Parquet, rows, downloads): harvest a folder, find a current version,
read the original file with frictionless as the reference, and a table with every Table Schema type."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from frictionless import Resource as FrictionlessResource
from sqlmodel import select

from catalog.db import session_scope
from catalog.models import Dataset, Resource, ResourceVersion
from catalog.storage import LocalFileStore
from catalog.tables.parquet import BEIJING, ROW_COLUMN
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester


def harvest(settings, folder: Path):
    result = run_harvest(DataPackageHarvester(folder, settings), settings=settings)
    assert result.tally.failed == 0, result.job.errors
    return result


def current_version(settings, dataset: str, resource: str) -> tuple[ResourceVersion, str | None]:
    with session_scope(settings) as session:
        row = session.exec(
            select(ResourceVersion, Resource.format)
            .join(Resource, Resource.current_version_id == ResourceVersion.id)
            .join(Dataset, Resource.dataset_id == Dataset.id)
            .where(Dataset.name == dataset, Resource.name == resource)
        ).one()
    return row


def normalize(value: Any, kind: str) -> Any:
    """A frictionless value as the Parquet/rows API stores it (float numbers, Beijing wall-clock time)."""
    if value is None:
        return None
    if kind in ("integer", "year") and not -(2**63) <= value < 2**63:
        return None  # Parquet's int64 cannot hold it
    if kind == "number":
        number = float(value)
        return number if math.isfinite(number) else None
    if kind == "datetime" and isinstance(value, datetime) and value.tzinfo:
        return value.astimezone(BEIJING).replace(tzinfo=None)
    if kind == "time":
        return value.replace(tzinfo=None)
    if kind == "yearmonth":
        return f"{value[0]:04d}-{value[1]:02d}"
    if kind in ("object", "array"):
        return json.dumps(value, ensure_ascii=False)
    return value


def reference_rows(settings, version: ResourceVersion, fmt: str | None) -> list[dict[str, Any]]:
    """The original file read by frictionless (as validation reads it), values normalized, with ``_row``."""
    path = LocalFileStore(settings.files_dir).path(version.stored_path)
    descriptor: dict[str, Any] = {"name": "t", "type": "table", "path": path.name, "format": fmt,
                                  "schema": version.table_schema}
    if version.encoding and fmt not in ("xlsx", "xls"):
        descriptor["encoding"] = version.encoding
    if version.dialect:
        descriptor["dialect"] = version.dialect
    types = {f["name"]: f.get("type", "string") for f in version.table_schema["fields"]}
    rows = []
    with FrictionlessResource.from_descriptor(descriptor, basepath=str(path.parent)) as resource:
        for row in resource.row_stream:
            typed = {name: normalize(row[name], kind) for name, kind in types.items()}
            for i, (name, kind) in enumerate(types.items()):
                if kind not in TYPED and typed[name] is not None:
                    typed[name] = row.cells[i]  # geopoint, duration, any …: kept as published
            rows.append(typed | {ROW_COLUMN: row.row_number})
    return rows


TYPED = {"integer", "number", "boolean", "date", "datetime", "time", "year", "yearmonth", "object", "array",
         "string"}



ALL_TYPES = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "amount", "type": "number"},
        {"name": "open", "type": "boolean"},
        {"name": "day", "type": "date"},
        {"name": "moment", "type": "datetime"},
        {"name": "clock", "type": "time"},
        {"name": "year", "type": "year"},
        {"name": "month", "type": "yearmonth"},
        {"name": "note", "type": "string"},
        {"name": "place", "type": "geopoint"},
    ],
    "missingValues": ["", "-"],
}
ALL_TYPES_CSV = (
    "id,amount,open,day,moment,clock,year,month,note,place\n"
    "１,１２.５,true,2024-05-01,2024-05-01T08:30:00,08:30:00,２０２４,2024-05,上海,\"121.4,31.2\"\n"
    "2,1e3,false,2024-02-30,2024-05-01T00:30:00Z,25:00:00,24,2024-13,-,bad\n"
    "3,nan,TRUE,,2024-05-01T08:30:00+08:00,23:59:59,1999,1999-12, 空格 ,\"121,31\"\n"
    "99999999999999999999,1_000.5,是,2024-01-01,2024-05-01,8:30,2024,2024-1,\"逗号,引号\"\"\",\n"
)
