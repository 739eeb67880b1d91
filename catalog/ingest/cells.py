"""XLSX and JSON tables on the fast path: the cells as frictionless reads them, in batches, with a text view the
vectorized checks can take.

The parse itself is frictionless's — openpyxl in read-only mode for XLSX (``data_only``, the dialect's sheet and
``headerRows``, so a title row above the header is skipped as frictionless skips it), ijson for JSON arrays of
objects or of arrays — through ``read_enumerated_content_stream``, the same call the frictionless-based Parquet
writer and frictionless's own validation make. So the rows, their numbers and their cells are the same by
construction; what the fast path saves is frictionless's per-cell validation and the second read for Parquet.

A cell's text view is a text that frictionless's reader turns into exactly the value the cell itself gives:
strings as they are; in integer, year and number fields, a Python ``int`` as ``str(int)`` (the reader reads both to
the same number); in number fields, a ``Decimal`` (ijson) or ``float`` (openpyxl) as ``str()`` (frictionless
reads a float as ``Decimal(str(float))``). Every other cell — booleans, datetimes from a workbook, numbers in a
string field, objects — has no text view: it is *opaque*, and its row goes through frictionless's own ``Row``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from catalog.validation import table_resource

BATCH_ROWS = 50_000
FORMATS = {"xlsx", "json"}


def text_view(cells: list[Any], kind: str) -> tuple[pa.Array, np.ndarray]:
    """One column's cells → their texts (null for a missing or opaque cell) and the opaque mask."""
    texts: list[str | None] = []
    opaque = np.zeros(len(cells), dtype=bool)
    numeric = (int, Decimal, float) if kind == "number" else (int,) if kind in ("integer", "year") else ()
    for i, cell in enumerate(cells):
        if cell is None or isinstance(cell, str):
            texts.append(cell)
        elif isinstance(cell, numeric) and not isinstance(cell, bool):
            texts.append(str(cell))
        else:
            texts.append(None)
            opaque[i] = True
    return pa.array(texts, pa.string()), opaque


def read_rows(path: Path, *, fmt: str, encoding: str | None, schema: dict[str, Any],
              dialect: dict[str, Any] | None, width: int,
              batch_rows: int = BATCH_ROWS) -> Iterator[tuple[np.ndarray, list[list[Any]], list[tuple[int, list]]]]:
    """Batches of (row numbers, cells column by column, rows of another width than ``width``)."""
    resource = table_resource(path, fmt=fmt, encoding=encoding, schema=schema, dialect=dialect)
    with resource:
        stream = resource.dialect.read_enumerated_content_stream(resource.cell_stream)
        numbers: list[int] = []
        rows: list[list[Any]] = []
        ragged: list[tuple[int, list[Any]]] = []
        for number, cells in stream:
            if len(cells) == width:
                numbers.append(number)
                rows.append(cells)
            else:
                ragged.append((number, list(cells)))
            if len(rows) >= batch_rows:
                yield _columns(numbers, rows, ragged, width)
                numbers, rows, ragged = [], [], []
        if rows or ragged:
            yield _columns(numbers, rows, ragged, width)


def _columns(numbers: list[int], rows: list[list[Any]], ragged: list[tuple[int, list[Any]]],
             width: int) -> tuple[np.ndarray, list[list[Any]], list[tuple[int, list[Any]]]]:
    columns = [[row[i] for row in rows] for i in range(width)]
    return np.array(numbers, dtype=np.int64), columns, ragged
