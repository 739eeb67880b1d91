"""Keeps the search index in step with the catalog: datasets → search documents → the backend.

The index is committed separately from the catalog DB, so a harvest killed between the two leaves datasets
the index does not know, and a re-run that finds them unchanged would never index them. So the DB keeps a
marker per dataset (``IndexedDataset``: the ``modified`` that was indexed, and into which index directory),
written only after the index commit. Any dataset whose marker is missing or differs is a *gap*;
``converge_index`` fills every gap, whoever left it, at the end of each harvest. The index directory carries
its own random id (``odp-index-id``; the PostgreSQL backend keeps it in ``searchstate``), so a deleted or replaced
index, or a switch of ``ODP_SEARCH_BACKEND``, is seen as empty.

Each text field of a document is capped at ``settings.index_field_chars`` characters: jieba's segmentation is
quadratic on long runs of one character, and a title of a million characters would stall indexing.
The catalog keeps the whole text.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_
from sqlmodel import Session, col, select

from catalog.config import SearchBackendKind, Settings, get_settings
from catalog.datasets.queries import DatasetView, get_datasets
from catalog.datasets.stats import dataset_downloads, datasets_downloads
from catalog.db import upsert_insert, write_lock
from catalog.models import Dataset, IndexedDataset
from catalog.search.base import SearchBackend, SearchDocument, SearchError

INDEX_ID_FILE = "odp-index-id"
CONVERGE_BATCH = 2000  # documents per index commit when filling gaps

_BACKENDS: dict[Path | str, SearchBackend] = {}


def check_search_backend(settings: Settings) -> None:
    """Refuse ``ODP_SEARCH_BACKEND=postgres`` over a catalog that is not in PostgreSQL, with what to do."""
    from catalog.search.postgres.backend import is_postgres_url

    if settings.search_backend == SearchBackendKind.postgres and not is_postgres_url(settings.effective_database_url):
        raise SearchError(
            "ODP_SEARCH_BACKEND=postgres keeps the search index in the catalog database, which must then be "
            "PostgreSQL: set ODP_DATABASE_URL=postgresql+psycopg://… or unset ODP_SEARCH_BACKEND (the embedded "
            "Whoosh index)"
        )


def get_search_backend(settings: Settings | None = None) -> SearchBackend:
    """The process's backend for the configured index (one per index dir or database, so caches are reused)."""
    settings = settings or get_settings()
    check_search_backend(settings)
    backend: SearchBackend
    if settings.search_backend == SearchBackendKind.postgres:
        from catalog.db import get_engine
        from catalog.search.postgres.backend import PostgresBackend

        key: Path | str = settings.effective_database_url
        if key not in _BACKENDS:
            _BACKENDS[key] = PostgresBackend(get_engine(settings))
    else:
        from catalog.search.whoosh.backend import WhooshBackend

        key = settings.index_dir.resolve()
        if key not in _BACKENDS:
            _BACKENDS[key] = WhooshBackend(key)
    backend = _BACKENDS[key]
    backend.synonyms_file = settings.admin_synonyms_file  # type: ignore[attr-defined]  # read at query time
    return backend


def index_location(settings: Settings) -> str:
    """Where the configured index lives, for messages (never a database URL: it may hold a password)."""
    if settings.search_backend == SearchBackendKind.postgres:
        return "the catalog database (PostgreSQL search tables)"
    return str(settings.index_dir.resolve())


#: What a document puts in the index. Bump it when that changes (v2: English slugs, resource and field names;
#: v3: traditional characters folded to simplified in documents, not only in queries):
#: every marker then differs from the index id, so `odp jobs` reports the whole catalog as gaps and the
#: next harvest (or `odp reindex`) indexes it again.
INDEX_LAYOUT = "v3"


def index_id(settings: Settings | None = None) -> str:
    """The random id of the index directory (or of the PostgreSQL search tables), created with it (a new index
    gets a new id), with the layout version."""
    settings = settings or get_settings()
    if settings.search_backend == SearchBackendKind.postgres:
        from catalog.search.postgres.backend import PostgresBackend

        backend = get_search_backend(settings)
        assert isinstance(backend, PostgresBackend)
        return f"{backend.index_id()}.{INDEX_LAYOUT}"
    path = settings.index_dir / INDEX_ID_FILE
    try:
        return f"{path.read_text().strip()}.{INDEX_LAYOUT}"
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:  # another process was quicker
        return f"{path.read_text().strip()}.{INDEX_LAYOUT}"
    with os.fdopen(fd, "w") as handle:
        handle.write(uuid.uuid4().hex)
    return f"{path.read_text().strip()}.{INDEX_LAYOUT}"


def _capped(text: str | None, limit: int) -> str:
    return (text or "")[:limit]


def _capped_list(values: Iterable[str], limit: int) -> list[str]:
    """As many of ``values`` as fit in ``limit`` characters in all (the last one cut to fit)."""
    kept: list[str] = []
    room = limit
    for value in values:
        if room <= 0:
            break
        kept.append(value[:room])
        room -= len(kept[-1])
    return kept


def search_document(view: DatasetView, settings: Settings | None = None, *, downloads: int | None = None
                    ) -> SearchDocument:
    """The index's document of a dataset; ``downloads`` when the caller counted them for a batch already."""
    cap = (settings or get_settings()).index_field_chars
    ds = view.dataset
    fields: list[str] = []
    formats: list[str] = []
    for res in view.resources:
        label = (res.resource.format or "other").upper()
        if label not in formats:
            formats.append(label)
        schema = res.current.table_schema if res.current else None
        for f in (schema or {}).get("fields", []):
            fields.extend(str(f[k]) for k in ("title", "description", "name") if f.get(k))
    # English the catalog holds (the name slug, resource names, department and domain English names), so
    # `parking` or `air quality` find datasets that have no English title.
    english = [ds.name, *(r.resource.name for r in view.resources),
               getattr(view.department, "title_en", None) or "", getattr(view.domain, "name_en", None) or ""]
    return SearchDocument(
        name=ds.name,
        title=_capped(ds.title, cap),
        description=_capped(ds.description, cap),
        keywords=_capped_list([str(k) for k in ds.keywords or []], cap),
        domain_code=view.domain.code,
        domain_name=view.domain.name,
        department_name=view.department.name,
        department_title=view.department.title,
        formats=formats,
        open_class=ds.open_class,
        update_frequency=ds.update_frequency or "",
        resource_names=_capped_list(
            [r.resource.title or r.resource.name for r in view.resources] + [e for e in english if e], cap
        ),
        field_texts=_capped_list(fields, cap),
        state=ds.state,
        pii_status=ds.pii_status,
        modified=ds.modified,
        downloads=dataset_downloads(ds) if downloads is None else downloads,
    )


DOCUMENT_BATCH = 200  # datasets read together: four queries per batch, not four per dataset


def _documents(session: Session, names: Iterable[str], settings: Settings | None) -> Iterator[SearchDocument]:
    names = list(names)
    for start in range(0, len(names), DOCUMENT_BATCH):
        views = get_datasets(session, names[start : start + DOCUMENT_BATCH])
        downloads = datasets_downloads(session, [view.dataset.id for view in views.values()])  # type: ignore[misc]
        for name in names[start : start + DOCUMENT_BATCH]:
            if name in views:  # a name the catalog does not hold has nothing to index
                yield search_document(views[name], settings, downloads=downloads[views[name].dataset.id])


def _modified_of(session: Session, names: list[str]) -> dict[int, datetime]:
    """dataset id -> ``modified`` as the DB holds it now (read before the documents are built, so a change
    made meanwhile leaves the marker behind and the dataset is indexed again)."""
    rows = session.exec(select(Dataset.id, Dataset.modified).where(col(Dataset.name).in_(names))).all()
    return {dataset_id: modified for dataset_id, modified in rows}


def _mark_indexed(session: Session, modified: dict[int, datetime], settings: Settings | None) -> None:
    ident = index_id(settings)
    if not modified:
        return
    # An upsert, not merge(): two harvests finishing together may mark the same dataset (PostgreSQL has no file
    # lock to serialize them, and merge's SELECT-then-INSERT races). One statement for the whole batch.
    stmt = upsert_insert(session.get_bind(), IndexedDataset)
    stmt = stmt.on_conflict_do_update(
        index_elements=["dataset_id"], set_={"modified": stmt.excluded.modified, "index_id": stmt.excluded.index_id}
    )
    with write_lock(settings):
        session.execute(stmt, [
            {"dataset_id": dataset_id, "modified": when, "index_id": ident} for dataset_id, when in modified.items()
        ])
        session.commit()


def sync_index(session: Session, names: Iterable[str], settings: Settings | None = None) -> None:
    """Re-index these datasets (withdrawn and closed ones are removed by the backend) in one commit, then
    mark them indexed in the catalog DB."""
    names = sorted(set(names))
    if not names:
        return
    modified = _modified_of(session, names)
    get_search_backend(settings).index_documents(list(_documents(session, names, settings)))
    _mark_indexed(session, modified, settings)


def _gap_query(settings: Settings | None):  # a select of dataset names
    return (
        select(Dataset.name)
        .outerjoin(IndexedDataset, col(IndexedDataset.dataset_id) == Dataset.id)
        .where(
            or_(
                col(IndexedDataset.dataset_id).is_(None),
                col(IndexedDataset.modified) != Dataset.modified,
                col(IndexedDataset.index_id) != index_id(settings),
            )
        )
    )


def index_gaps(session: Session, settings: Settings | None = None) -> list[str]:
    """Names of the datasets the search index is missing or holds an older version of."""
    return list(session.exec(_gap_query(settings).order_by(Dataset.name)).all())


def converge_index(session: Session, settings: Settings | None = None) -> int:
    """Index every gap (see the module docstring), in commits of ``CONVERGE_BATCH``; return how many."""
    gaps = index_gaps(session, settings)
    for start in range(0, len(gaps), CONVERGE_BATCH):
        sync_index(session, gaps[start : start + CONVERGE_BATCH], settings)
    return len(gaps)


def catalog_documents(session: Session, settings: Settings | None = None) -> Iterator[SearchDocument]:
    """The search document of every dataset in the catalog, by name (withdrawn and closed ones included: the
    backend leaves them out)."""
    names = list(session.exec(select(Dataset.name).order_by(Dataset.name)).all())
    return _documents(session, names, settings)


def reindex_all(session: Session, settings: Settings | None = None) -> int:
    """Rebuild the whole index from the catalog DB; returns the number of searchable datasets."""
    backend = get_search_backend(settings)
    modified = dict(session.exec(select(Dataset.id, Dataset.modified)).all())
    backend.rebuild(catalog_documents(session, settings))
    _mark_indexed(session, modified, settings)
    return backend.doc_count()
