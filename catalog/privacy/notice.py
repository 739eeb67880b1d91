"""The warning a published dataset with personal data in its tables carries, on its page and in the API: which
columns, of what kind, and whether the caller's sample shows them masked (the access policy's answer)."""

from __future__ import annotations

from dataclasses import dataclass

from catalog import access
from catalog.access import Principal
from catalog.datasets.queries import DatasetView
from catalog.privacy.policy import FlaggedColumn, published_flags


@dataclass(frozen=True)
class PersonalDataNotice:
    status: str  # PiiStatus.flagged: published all the same (ODP_PII_POLICY=flag, or 有条件开放)
    sample_masked: bool  # the caller's public sample shows the columns masked
    columns: list[FlaggedColumn]


def personal_data_notice(view: DatasetView, principal: Principal | None = None) -> PersonalDataNotice | None:
    """None for a clean dataset (a blocked one is never shown at all)."""
    current = [(r.resource.name, r.current.pii_report) for r in view.resources if r.current]
    columns = published_flags(view.dataset, current)
    if not columns:
        return None
    masked = any(access.masked_sample_columns(view.dataset, report, principal) for _, report in current)
    return PersonalDataNotice(str(view.dataset.pii_status), masked, columns)
