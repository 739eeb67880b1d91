"""The fast path's validation report for a table with errors: frictionless's own errors, in frictionless's order.

The fast path finds *which* rows have something wrong (vectorized) and keeps their raw cells; this module turns
those rows into the report. Each such row is rebuilt as a frictionless ``Row`` with frictionless's cell handlers,
so the type, constraint, missing/extra-cell and blank-row errors, their notes, messages and cells are
frictionless's by construction. What frictionless computes across rows — ``unique`` and primary-key repeats — is
found by :mod:`catalog.ingest.keys`; it is replayed here in the order frictionless's row stream touches the row
(each unique field's cell is read, then the repeat is appended, then the primary-key cells), because reading a
cell adds its errors to the row right then. Header (label) errors come first, as frictionless yields them before
the rows; the error cap stops at the row where frictionless stops, and the report is summarized exactly as
:func:`catalog.validation.validate_table` stores it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from frictionless import errors as ferrors
from frictionless.table.row import Row

from catalog.validation import ValidationOutcome, _cell
from catalog.vocabulary import ValidationStatus

_REPEAT = "the same as in the row at position %s"
_PRIMARY_NONE = 'cells composing the primary keys are all "None"'


def row_errors(cells: list[Any], number: int, handlers: dict[str, Any], unique_names: list[str],
               key_names: list[str], unique_repeats: dict[str, dict[int, int]],
               key_repeats: dict[int, int]) -> list[Any]:
    """frictionless's errors for one row, given the repeats found over the whole table."""
    row = Row(list(cells), handlers=handlers, row_number=number)
    for name in unique_names:
        if row[name] is not None:
            match = unique_repeats.get(name, {}).get(number)
            if match:
                row.errors.append(ferrors.UniqueError.from_row(row, note=_REPEAT % match, field_name=name))
    if key_names:
        values = tuple(row[name] for name in key_names)
        if set(values) == {None}:
            row.errors.append(ferrors.PrimaryKeyError.from_row(row, note=_PRIMARY_NONE))
        else:
            match = key_repeats.get(number)
            if match:
                row.errors.append(ferrors.PrimaryKeyError.from_row(row, note=_REPEAT % match))
    return list(row.errors)


def collect(header_errors: list[Any], rows: Iterable[tuple[int, list[Any]]], cap: int,
            total_rows: int, ordinal: Callable[[int], int]) -> tuple[list[Any], int]:
    """Header errors, then each row's errors (rows in order, with ``(number, errors)``), stopped as
    frictionless stops: after the row that brings the count to ``cap``. Returns the errors and the row count
    frictionless reports (the data rows read; ``ordinal`` counts them up to a row number)."""
    errors = list(header_errors)
    for number, found in rows:
        errors.extend(found)
        if cap and len(errors) >= cap:
            return errors[:cap], ordinal(number)
    return errors, total_rows


def summarize(errors: list[Any], rows: int, schema: dict[str, Any], encoding: str | None, *,
              report_limit: int, cap: int) -> ValidationOutcome:
    """The stored report, field for field as catalog/validation.py summarizes frictionless's."""
    by_type = Counter(e.type for e in errors)
    kept = [
        {
            "type": e.type,
            "title": e.title,
            "row": getattr(e, "row_number", None),
            "field": getattr(e, "field_name", None),
            "cell": _cell(getattr(e, "cell", None)),
            "message": e.message,
        }
        for e in errors[:report_limit]
    ]
    valid = not errors
    report = {
        "valid": valid,
        "row_count": rows,
        "error_count": len(errors),
        "errors_by_type": dict(by_type),
        "errors": kept,
        "truncated": len(errors) >= cap,
        "encoding": encoding,
        "validator": "fast",
    }
    status = ValidationStatus.valid if valid else ValidationStatus.invalid
    return ValidationOutcome(status=status, row_count=rows, report=report, schema=schema,
                             errors_by_type=dict(by_type))
