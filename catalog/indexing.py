"""Keeps the search index in step with the catalog: datasets → search documents → the backend."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlmodel import Session, select

from .config import Settings, get_settings
from .download_stats import dataset_downloads
from .models import Dataset
from .queries import DatasetView, get_dataset
from .search.base import SearchBackend, SearchDocument

_BACKENDS: dict[Path, SearchBackend] = {}


def get_search_backend(settings: Settings | None = None) -> SearchBackend:
    """The process's backend for the configured index (one per index dir, so readers are reused)."""
    from .search.whoosh_backend import WhooshBackend

    settings = settings or get_settings()
    key = settings.index_dir.resolve()
    if key not in _BACKENDS:
        _BACKENDS[key] = WhooshBackend(key)
    return _BACKENDS[key]


def search_document(view: DatasetView) -> SearchDocument:
    ds = view.dataset
    fields: list[str] = []
    formats: list[str] = []
    for res in view.resources:
        label = (res.resource.format or "other").upper()
        if label not in formats:
            formats.append(label)
        schema = res.current.table_schema if res.current else None
        for f in (schema or {}).get("fields", []):
            fields.extend(str(f[k]) for k in ("title", "description") if f.get(k))
    return SearchDocument(
        name=ds.name,
        title=ds.title,
        description=ds.description or "",
        keywords=list(ds.keywords or []),
        domain_code=view.domain.code,
        domain_name=view.domain.name,
        department_name=view.department.name,
        department_title=view.department.title,
        formats=formats,
        open_class=ds.open_class,
        update_frequency=ds.update_frequency or "",
        resource_names=[r.resource.title or r.resource.name for r in view.resources],
        field_texts=fields,
        state=ds.state,
        modified=ds.modified,
        downloads=dataset_downloads(ds),
    )


def _documents(session: Session, names: Iterable[str]) -> Iterator[SearchDocument]:
    for name in names:
        yield search_document(get_dataset(session, name))


def sync_index(session: Session, names: Iterable[str], settings: Settings | None = None) -> None:
    """Re-index these datasets (withdrawn and closed ones are removed by the backend) in one commit."""
    names = sorted(set(names))
    if names:
        get_search_backend(settings).index_documents(list(_documents(session, names)))


def reindex_all(session: Session, settings: Settings | None = None) -> int:
    """Rebuild the whole index from the catalog DB; returns the number of searchable datasets."""
    backend = get_search_backend(settings)
    names = session.exec(select(Dataset.name).order_by(Dataset.name)).all()
    backend.rebuild(_documents(session, names))
    return backend.doc_count()
