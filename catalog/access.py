"""What of a dataset's stored facts may be shown to someone who may not read its data.

A stored validation report keeps, for each of its first errors, the offending ``cell`` and frictionless's
``message``, which quotes that cell ('Type error in the cell "…" in row "81" …') — cells of rows far past the
public sample. For a dataset whose data the caller may not read, every output (JSON API, pages, CKAN API,
``odp validate``) shows the report through :func:`public_validation_report`: each error keeps its type, title,
row and field, loses its cell, and gets a message rebuilt from those four facts. The message is rebuilt
rather than cleaned because frictionless's wording varies by error type (constraint notes, foreign-key
values, parser messages); a pattern that strips quoted text would miss the next one. The stored report is
never changed: a reader with a grant sees it whole.

:func:`data_readable` is today's answer to "may this caller read the data?" — only open (无条件开放) data;
the access policy (grants for 有条件开放 data) will answer it per principal instead.
"""

from __future__ import annotations

from typing import Any, Protocol

#: The facts of an error that say where and what, never which value.
ERROR_FACTS = ("type", "title", "row", "field")


class _HasOpenClass(Protocol):
    open_class: str


def data_readable(dataset: _HasOpenClass) -> bool:
    """Whether anyone may read the dataset's data (its rows, cells and files): open datasets only."""
    return dataset.open_class == "open"


def public_validation_report(report: dict[str, Any] | None, *, data_readable: bool) -> dict[str, Any] | None:
    """The stored report as it may be shown: whole when the data is readable, else without cell values."""
    if report is None or data_readable:
        return report
    return {**report, "errors": [withheld_error(e) for e in report.get("errors") or [] if isinstance(e, dict)]}


def withheld_error(error: dict[str, Any]) -> dict[str, Any]:
    """One error without its cell: type, title, row and field, and a message made of them alone."""
    kept = {key: error.get(key) for key in ERROR_FACTS if key in error}
    kept["message"] = cell_free_message(kept)
    return kept


def cell_free_message(error: dict[str, Any]) -> str:
    """'Type Error in row 81, field "n" (cell value withheld: the data is not public)'."""
    what = error.get("title") or str(error.get("type") or "Error").replace("-", " ").capitalize()
    where = [f"row {error['row']}" if error.get("row") is not None else "",
             f'field "{error["field"]}"' if error.get("field") else ""]
    place = ", ".join(part for part in where if part)
    if not place:
        return f"{what} (details withheld: the data is not public)"
    return f"{what} in {place} (cell value withheld: the data is not public)"
