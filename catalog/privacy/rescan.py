"""Scanning stored versions: the tables frictionless validated (their Parquet file, the form the version ends
with), and ``odp pii-scan``, which rescans the current versions of every dataset (or one) and applies the policy
again — after a change of ``ODP_PII_POLICY`` or of the rules, or for a catalog harvested before the scan existed.

A rescan reads the Parquet file, never the original: it is the table every data route serves, and it is typed
already. A version without one (a table that could not be read) has nothing a data route serves, so it gets no
scan; its report says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from catalog.config import Settings, get_settings
from catalog.db import write_lock
from catalog.models import Dataset, Resource, ResourceVersion
from catalog.privacy.policy import apply_policy, flagged_in
from catalog.privacy.scan import scan_parquet
from catalog.storage import FileStore, open_store
from catalog.vocabulary import DatasetState, PiiStatus, ResourceState

log = logging.getLogger(__name__)


def scan_version(version: ResourceVersion, store: FileStore) -> dict[str, Any] | None:
    """The scan of a version's Parquet file; None for a version without one (not tabular, unreadable)."""
    if not version.parquet_path:
        return None
    try:
        with store.local_copy(version.parquet_path) as local:  # the file itself, or a download from S3
            return scan_parquet(local, version.table_schema)
    except Exception as exc:  # a damaged file fails its own scan, never the harvest
        log.warning("personal-information scan failed for %s", version.parquet_path, exc_info=True)
        return {"error": f"{type(exc).__name__}: {exc}"[:500], "columns": []}


@dataclass
class DatasetRescan:
    name: str
    before: PiiStatus
    after: PiiStatus
    tables: int
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "before": self.before.value, "after": self.after.value, "tables": self.tables,
                "messages": self.messages}


def datasets_to_scan(session: Session, name: str | None = None) -> list[Dataset]:
    """Every active dataset (or the one called ``name``; LookupError if there is none), by name."""
    query = select(Dataset).where(Dataset.state == DatasetState.active)
    if name is not None:
        query = query.where(Dataset.name == name)
    found = list(session.exec(query.order_by(Dataset.name)).all())
    if name is not None and not found:
        raise LookupError(f"no active dataset named '{name}'")
    return found


def rescan_dataset(session: Session, dataset: Dataset, store: FileStore, settings: Settings) -> DatasetRescan:
    """Scan the current version of each active resource, store the reports, apply the policy; commits."""
    assert dataset.id is not None
    before = PiiStatus(dataset.pii_status)
    versions = session.exec(
        select(ResourceVersion)
        .join(Resource, Resource.current_version_id == ResourceVersion.id)
        .where(Resource.dataset_id == dataset.id, Resource.state == ResourceState.active)
    ).all()
    reports = [scan_version(version, store) for version in versions]  # the slow part, before the write lock
    with write_lock(settings):
        for version, report in zip(versions, reports, strict=True):
            version.pii_report = report
            session.add(version)
        after = apply_policy(session, dataset, settings)
        messages = [column.message for column in flagged_in(session, dataset.id)]
        session.commit()
    return DatasetRescan(dataset.name, before, after, len(versions), messages)


def rescan(
    session: Session,
    name: str | None = None,
    *,
    settings: Settings | None = None,
    progress: Callable[[DatasetRescan], None] | None = None,
    found: Callable[[int], None] | None = None,
) -> list[DatasetRescan]:
    """``odp pii-scan [NAME]``: one transaction per dataset; ``found`` is told how many datasets will be scanned,
    ``progress`` each result; the datasets whose status changed are re-indexed at the end."""
    settings = settings or get_settings()
    store = open_store(settings)
    results = []
    datasets = datasets_to_scan(session, name)
    if found is not None:
        found(len(datasets))
    for dataset in datasets:
        result = rescan_dataset(session, dataset, store, settings)
        results.append(result)
        if progress is not None:
            progress(result)
    # Published or blocked now: the search index holds only listed datasets.
    # imported here: the harvest's worker processes import this module (scan_version) and need no search stack,
    # whose pinyin tables alone take half a second to load in every fresh worker
    from catalog.search.indexing import sync_index

    sync_index(session, [r.name for r in results if r.before != r.after], settings)
    return results
