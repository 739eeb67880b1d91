"""Masking the public sample of a table with flagged columns: a 有条件开放 dataset is published (metadata, field
list and sample rows) even when its table holds personal data, because its data is read only under a grant; the
sample anyone may see shows the flagged columns masked the way their examples are (``310***********1234``,
``138****5678``, ``张*``).

Whether a caller gets the masked sample is the access policy's answer (``access.masked_sample_columns``); this
module only knows how to mask. Cells are masked after the query, never in the stored Parquet file: a reader with a
grant gets the table as published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from catalog.privacy.columns import DETECTORS, NAME_DETECTOR
from catalog.privacy.findings import PiiKind, mask_middle
from catalog.privacy.scan import flagged_columns

_MASKS = {detector.kind: detector.mask for detector in (*DETECTORS, NAME_DETECTOR)}


def columns_to_mask(pii_report: dict[str, Any] | None) -> dict[str, PiiKind]:
    """column → kind, for the flagged columns of a version's stored scan."""
    return {c["column"]: PiiKind(c["kind"]) for c in flagged_columns(pii_report)}


def mask_value(value: Any, kind: PiiKind) -> Any:
    """The masked text of a cell; empty cells stay empty. A cell the kind's mask cannot shape (not a match of
    the detector, e.g. a landline in a mobile column) is masked all the same: the column is personal data."""
    if value is None or value == "":
        return value
    text = str(value).strip()
    try:
        return _MASKS[kind](text)
    except (IndexError, ValueError):
        return mask_middle(text, 1, 1)


def mask_rows(rows: list[dict[str, Any]], columns: Mapping[str, PiiKind]) -> list[dict[str, Any]]:
    """Rows (as the rows API returns them) with the given columns masked; the input is not changed."""
    if not columns:
        return rows
    return [{k: mask_value(v, columns[k]) if k in columns else v for k, v in row.items()} for row in rows]


def mask_batch(batch: pa.RecordBatch, columns: Mapping[str, PiiKind]) -> pa.RecordBatch:
    """A batch of text cells (an export's) with the given columns, by the batch's column names, masked."""
    if not columns:
        return batch
    arrays = [
        pa.array([mask_value(v, columns[name]) for v in batch.column(i).to_pylist()], pa.string())
        if name in columns else batch.column(i)
        for i, name in enumerate(batch.schema.names)
    ]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)
