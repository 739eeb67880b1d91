"""The column decision: is this column personal data?

A column is flagged for a kind when, over a bounded sample of its non-empty cells (arrays.MAX_SAMPLED_VALUES):

- at least HINTED_MATCH_SHARE of them match the kind's detector and its name, title or description hints at that
  kind (hints.py), or
- at least UNHINTED_MATCH_SHARE match without any hint, over at least MIN_VALUES_WITHOUT_HINT cells.

Check digits alone are not enough: one random 18-digit number in eleven passes the ID check digit and one in ten
passes Luhn, so a column of structured codes (施工许可证编号: area code + date + sequence) has hundreds of chance
matches; they stay a small share, far from either threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from catalog.privacy import cards, emails, ids, names, phones
from catalog.privacy.arrays import MAX_SAMPLED_VALUES, StringValues, matched_examples, sample
from catalog.privacy.findings import ColumnFinding, PiiKind
from catalog.privacy.hints import hinted_kinds

# "Most values": a column labelled 手机 where half the cells are real mobiles publishes half a phone book; the
# rest are typically blanks written as text, landlines or masked numbers.
HINTED_MATCH_SHARE = 0.5
# "Nearly all values" (the issue's ≥ 95 %): without a label, only a column that is almost entirely valid numbers
# is taken as personal data; chance matches of structured codes stay far below (about 9 % for IDs, 10 % Luhn).
UNHINTED_MATCH_SHARE = 0.95
# Below this many cells a share without a hint means little (a 3-row table could match by chance).
MIN_VALUES_WITHOUT_HINT = 20
EXAMPLES_PER_COLUMN = 3


@dataclass(frozen=True)
class Detector:
    kind: PiiKind
    match: Callable[[StringValues], pa.ChunkedArray]
    mask: Callable[[str], str]


# Person names are not here: they only count next to a flagged column (mark_name_columns).
DETECTORS = (
    Detector(PiiKind.resident_id, ids.match, ids.mask),
    Detector(PiiKind.mobile, phones.match, phones.mask),
    Detector(PiiKind.bank_card, cards.match, cards.mask),
    Detector(PiiKind.email, emails.match, emails.mask),
)
NAME_DETECTOR = Detector(PiiKind.person_name, names.match, names.mask)


@dataclass(frozen=True)
class ColumnMeta:
    """What the Table Schema says about a column."""

    name: str
    title: str | None = None
    description: str | None = None


def _count(flags: pa.ChunkedArray) -> int:
    return int(pc.sum(flags).as_py() or 0)


def _finding(
    meta: ColumnMeta,
    detector: Detector,
    values: pa.ChunkedArray,
    flags: pa.ChunkedArray,
    hinted: bool,
    flagged: bool,
    reason: str,
) -> ColumnFinding:
    examples = tuple(detector.mask(v) for v in matched_examples(values, flags, EXAMPLES_PER_COLUMN))
    return ColumnFinding(
        meta.name, detector.kind, flagged, len(values), _count(flags), hinted, reason, examples
    )


def scan_column(
    values: StringValues,
    name: str,
    title: str | None = None,
    description: str | None = None,
    *,
    limit: int = MAX_SAMPLED_VALUES,
) -> ColumnFinding:
    """The decision for one column of strings; reports the best-matching kind even when not flagged."""
    meta = ColumnMeta(name, title, description)
    cells = sample(values, limit)
    hints = hinted_kinds(name, title, description)
    if len(cells) == 0:
        return ColumnFinding(name, None, False, 0, 0, bool(hints), "no non-empty values")
    best: tuple[int, Detector, pa.ChunkedArray] | None = None
    for detector in DETECTORS:
        flags = detector.match(cells)
        count = _count(flags)
        hinted = detector.kind in hints
        share = count / len(cells)
        if hinted and count and share >= HINTED_MATCH_SHARE:
            return _finding(
                meta, detector, cells, flags, True, True, f"{share:.0%} match and the column is labelled"
            )
        if share >= UNHINTED_MATCH_SHARE and len(cells) >= MIN_VALUES_WITHOUT_HINT:
            return _finding(meta, detector, cells, flags, hinted, True, f"{share:.0%} match without a label")
        if best is None or count > best[0]:
            best = (count, detector, flags)
    assert best is not None
    count, detector, flags = best
    if count == 0:
        return ColumnFinding(name, None, False, len(cells), 0, bool(hints), "no value matches")
    share = count / len(cells)
    return _finding(
        meta,
        detector,
        cells,
        flags,
        detector.kind in hints,
        False,
        f"only {share:.0%} match: below the thresholds",
    )


def mark_name_columns(
    columns: Mapping[str, StringValues],
    metas: Iterable[ColumnMeta],
    flagged: Iterable[ColumnFinding],
    *,
    limit: int = MAX_SAMPLED_VALUES,
) -> list[ColumnFinding]:
    """Names next to personal data: once a column of the table is flagged, a column with a name hint (姓名, 联系人,
    name …) whose cells are mostly Chinese personal names is personal data too. Without a flagged neighbour
    nothing is marked: names of officials and contacts of organisations are published on purpose."""
    flagged_columns = {f.column for f in flagged if f.flagged}
    if not flagged_columns:
        return []
    findings = []
    for meta in metas:
        if meta.name in flagged_columns or meta.name not in columns:
            continue
        if PiiKind.person_name not in hinted_kinds(meta.name, meta.title, meta.description):
            continue
        cells = sample(columns[meta.name], limit)
        if len(cells) == 0:
            continue
        flags = NAME_DETECTOR.match(cells)
        share = _count(flags) / len(cells)
        if share >= HINTED_MATCH_SHARE:
            reason = f"{share:.0%} are personal names, next to {', '.join(sorted(flagged_columns))}"
            findings.append(_finding(meta, NAME_DETECTOR, cells, flags, True, True, reason))
    return findings


def scan_table(
    table: pa.Table, metas: Iterable[ColumnMeta] | None = None, *, limit: int = MAX_SAMPLED_VALUES
) -> list[ColumnFinding]:
    """Every string column of ``table``, then the names next to the flagged ones. ``metas`` gives titles and
    descriptions (from the Table Schema); columns without one are judged on their name alone."""
    by_name = {meta.name: meta for meta in (metas or ())}
    metas_in_order = [by_name.get(name, ColumnMeta(name)) for name in table.column_names]
    string_columns = {
        name: table.column(name)
        for name in table.column_names
        if pa.types.is_string(table.schema.field(name).type)
        or pa.types.is_large_string(table.schema.field(name).type)
    }
    findings = [
        scan_column(string_columns[meta.name], meta.name, meta.title, meta.description, limit=limit)
        for meta in metas_in_order
        if meta.name in string_columns
    ]
    named = {f.column: f for f in mark_name_columns(string_columns, metas_in_order, findings, limit=limit)}
    return [named.get(f.column, f) for f in findings]


def flagged(findings: Iterable[ColumnFinding]) -> list[ColumnFinding]:
    return [f for f in findings if f.flagged]
