"""Validation of tabular resources with frictionless, and the compact report we store with each version.

The stored report keeps: valid, row count, error count by type, and the first N errors with row, field
and message — enough for the portal and ``odp validate`` without keeping frictionless's whole report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frictionless import Resource

from catalog.config import Settings, get_settings
from catalog.vocabulary import ValidationStatus

TABULAR_FORMATS = {"csv", "tsv", "xlsx", "xls", "json", "jsonl", "ndjson"}


@dataclass
class ValidationOutcome:
    status: ValidationStatus
    row_count: int | None = None
    report: dict[str, Any] | None = None
    schema: dict[str, Any] | None = None  # the schema used (the inferred one when none was published)
    errors_by_type: dict[str, int] = field(default_factory=dict)


def is_tabular(fmt: str | None) -> bool:
    return (fmt or "").lower() in TABULAR_FORMATS


def table_resource(
    path: Path,
    *,
    fmt: str,
    encoding: str | None,
    schema: dict[str, Any] | None,
    dialect: dict[str, Any] | None = None,
) -> Resource:
    """The frictionless Resource of one table file, as every reader here opens it: declared a table (so
    frictionless reads JSON arrays as rows too, not as an opaque file), with its encoding (not for
    workbooks), schema and dialect; the schema inferred when none was published."""
    descriptor: dict[str, Any] = {"name": "table", "type": "table", "path": path.name, "format": fmt}
    if encoding and fmt not in ("xlsx", "xls"):
        descriptor["encoding"] = encoding
    if schema:
        descriptor["schema"] = schema
    if dialect:
        descriptor["dialect"] = dialect
    resource = Resource.from_descriptor(descriptor, basepath=str(path.parent))
    if schema is None:
        resource.infer()
    return resource


def validate_table(
    path: Path,
    *,
    fmt: str,
    encoding: str | None,
    schema: dict[str, Any] | None,
    dialect: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> ValidationOutcome:
    """Validate one table file against its Table Schema (or an inferred one when it has none)."""
    settings = settings or get_settings()
    fmt = fmt.lower()
    try:
        resource = table_resource(path, fmt=fmt, encoding=encoding, schema=schema, dialect=dialect)
        used_schema = resource.schema.to_descriptor() if resource.schema else schema
        report = resource.validate(limit_errors=settings.validation_error_cap)
    except Exception as exc:  # noqa: BLE001 - frictionless raises FrictionlessException and sometimes others
        message = getattr(getattr(exc, "error", None), "message", None) or str(exc)
        return ValidationOutcome(
            status=ValidationStatus.error,
            report={
                "valid": False,
                "error_count": 1,
                "errors_by_type": {"resource-error": 1},
                "errors": [{"type": "resource-error", "message": message}],
                "truncated": False,
            },
            schema=schema,
        )
    return _summarize(report, used_schema, encoding, settings)


def _summarize(
    report: Any, schema: dict[str, Any] | None, encoding: str | None, settings: Settings
) -> ValidationOutcome:
    task = report.tasks[0] if report.tasks else None
    errors = list(task.errors) if task else list(report.errors)
    by_type = Counter(e.type for e in errors)
    rows = (task.stats.get("rows") if task else None) if task else None
    kept = [
        {
            "type": e.type,
            "title": e.title,
            "row": getattr(e, "row_number", None),
            "field": getattr(e, "field_name", None),
            "cell": _cell(getattr(e, "cell", None)),
            "message": e.message,
        }
        for e in errors[: settings.report_error_limit]
    ]
    # A structural failure (unreadable file, bad encoding) means no meaningful row count or data.
    fatal = any(
        e.type in ("source-error", "scheme-error", "format-error", "encoding-error", "resource-error")
        for e in errors
    )
    status = (ValidationStatus.valid if report.valid
              else ValidationStatus.error if fatal else ValidationStatus.invalid)
    summary = {
        "valid": bool(report.valid),
        "row_count": rows,
        "error_count": len(errors),
        "errors_by_type": dict(by_type),
        "errors": kept,
        "truncated": len(errors) >= settings.validation_error_cap,
        "encoding": encoding,
        "validator": "frictionless",
    }
    return ValidationOutcome(
        status=status, row_count=rows, report=summary, schema=schema, errors_by_type=dict(by_type)
    )


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, bool)):
        return value
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"
