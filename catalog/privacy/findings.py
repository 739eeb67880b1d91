"""What a scan reports: the kind of personal data, and per column the counts and a few masked examples."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PiiKind(StrEnum):
    resident_id = "resident_id"
    mobile = "mobile"
    bank_card = "bank_card"
    email = "email"
    person_name = "person_name"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


# The Chinese names used in messages such as "PII: 身份证号 in column id_number (60 rows)".
KIND_LABELS = {
    PiiKind.resident_id: "身份证号",
    PiiKind.mobile: "手机号",
    PiiKind.bank_card: "银行卡号",
    PiiKind.email: "电子邮箱",
    PiiKind.person_name: "姓名",
}


@dataclass(frozen=True)
class ColumnFinding:
    """The decision for one column. ``examined`` values were looked at (a bounded sample), ``matched`` of them
    were unmasked personal data of ``kind``; ``examples`` are masked, never raw values."""

    column: str
    kind: PiiKind | None
    flagged: bool
    examined: int
    matched: int
    hinted: bool
    reason: str
    examples: tuple[str, ...] = field(default_factory=tuple)

    @property
    def share(self) -> float:
        return self.matched / self.examined if self.examined else 0.0

    def message(self) -> str:
        kind = self.kind.label if self.kind else "?"
        return f"PII: {kind} in column {self.column} ({self.matched} rows)"


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """Keeps the first and last characters and stars the rest, so an example shows the shape, not the person."""
    hidden = len(value) - keep_start - keep_end
    if hidden <= 0:
        return "*" * len(value)
    return value[:keep_start] + "*" * hidden + (value[-keep_end:] if keep_end else "")
