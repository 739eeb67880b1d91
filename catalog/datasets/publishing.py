"""The service that changes datasets: publish one dataset from a harvester (one transaction), withdraw
the ones a source no longer has.

Idempotent by design: a resource version is identified by a fingerprint of its bytes (sha256) and of how
they are read (schema, dialect, encoding, format); metadata by a hash of its normalized values. Publishing
the same input twice changes nothing and reports ``unchanged``.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalog.config import Settings, get_settings
from catalog.datasets.inputs import DatasetInput, ResourceInput, input_type_problems
from catalog.db import write_lock
from catalog.encoding import detect_encoding
from catalog.ingest.fastpath import try_fast_path
from catalog.models import (
    Dataset,
    DatasetQuality,
    Department,
    HarvestSource,
    Resource,
    ResourceVersion,
    utcnow,
)
from catalog.privacy.policy import apply_policy
from catalog.privacy.rescan import scan_version
from catalog.quality import scores as quality_scores
from catalog.schemas import table_schema_problem
from catalog.storage import FileStore, FileTooLarge, open_store, sha256_of
from catalog.tables.parquet import build_parquet
from catalog.validation import is_tabular, validate_table
from catalog.vocabulary import (
    DOMAINS,
    OPEN_CLASSES,
    DatasetState,
    OpenClass,
    ResourceState,
    ValidationStatus,
    normalise_update_frequency,
    resolve_domain,
)
from catalog.workers import ItemTimeout, TaskGroup, run_with_budget

Change = Literal["added", "updated", "unchanged"]

BEIJING = ZoneInfo("Asia/Shanghai")
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{1,99}")
# The Data Package rule, lower case: a resource name is a URL path segment and part of file names.
RESOURCE_NAME_PATTERN = re.compile(r"[a-z0-9._-]{1,100}")


class CatalogError(Exception):
    """A dataset could not be published; the message says why, for the harvest report."""


class InvalidMetadata(CatalogError):
    pass


class NameConflict(CatalogError):
    pass


class RejectedInvalid(CatalogError):
    pass


class ItemOverBudget(CatalogError):
    """Storing, validating and converting one dataset's files took longer than ``ODP_ITEM_TIMEOUT``."""


def check_metadata(data: DatasetInput, settings: Settings | None = None) -> None:
    """Refuse metadata the catalog cannot hold, with a message a publisher can act on."""
    problems = input_type_problems(data)
    if problems:  # the checks below rely on the declared types
        raise InvalidMetadata("; ".join(problems))
    if not NAME_PATTERN.fullmatch(data.name or ""):
        problems.append(f"name '{_shown(data.name)}' must be 2-100 characters of a-z, 0-9, '-' or '_'")
    if not (data.title or "").strip():
        problems.append("title is required")
    if not resolve_domain(data.domain or ""):
        codes = ", ".join(f"{d.code}/{d.name}" for d in DOMAINS)
        problems.append(f"domain '{_shown(data.domain)}' is not one of the 12 domains ({codes})")
    if not NAME_PATTERN.fullmatch(data.publisher.name or "") or not (data.publisher.title or "").strip():
        problems.append("publisher needs a slug 'name' and a 'title' (the department's 中文名)")
    if data.open_class not in OPEN_CLASSES:
        problems.append(f"open_class '{_shown(data.open_class)}' must be one of {', '.join(OPEN_CLASSES)}")
    problems += _resource_problems(data, settings or get_settings())
    problems += _length_problems(data)
    if data.created:
        try:
            parse_datetime(data.created)
        except ValueError as exc:
            problems.append(f"created '{_shown(data.created)}' is not a usable ISO 8601 date or date-time ({exc})")
    if problems:
        raise InvalidMetadata("; ".join(problems))


def _resource_problems(data: DatasetInput, settings: Settings) -> list[str]:
    """Resources: how many, their names (URL path segments), and the shape of their Table Schemas, which
    the index and the Parquet builder read after the dataset is committed."""
    limit = settings.max_resources_per_package
    if len(data.resources) > limit:
        return [f"the package has {len(data.resources):,} resources, above the limit of {limit:,} per dataset"]
    problems = []
    for number, res in enumerate(data.resources, start=1):
        if not RESOURCE_NAME_PATTERN.fullmatch(res.name) or res.name in (".", ".."):
            problems.append(
                f"resource #{number} name '{_shown(res.name)}' must be 1-100 characters of a-z, 0-9, "
                "'.', '-' or '_' (and not '.' or '..')"
            )
        elif res.schema is not None and (problem := table_schema_problem(res.schema)):
            problems.append(f"resource '{res.name}' schema: {problem}")
    names = [r.name for r in data.resources]
    if len(names) != len(set(names)):
        problems.append("resource names must be unique within a dataset")
    return problems[:5] + ([f"… and {len(problems) - 5} more problems"] if len(problems) > 5 else [])


def _length_problems(data: DatasetInput) -> list[str]:
    """Text longer than its catalog column: PostgreSQL would refuse the row with a database error (SQLite
    would silently keep it), so say which value is too long instead. Limits come from the tables."""
    first_license = data.licenses[0] if data.licenses else {}
    checks = [
        ("title", data.title, Dataset.__table__.c.title),
        ("version", data.version, Dataset.__table__.c.version),
        ("update_frequency", data.update_frequency, Dataset.__table__.c.update_frequency),
        ("temporal_coverage", data.temporal_coverage, Dataset.__table__.c.temporal_coverage),
        ("spatial_coverage", data.spatial_coverage, Dataset.__table__.c.spatial_coverage),
        ("licenses[0] name", first_license.get("name") or first_license.get("path"), Dataset.__table__.c.license_id),
        ("publisher title", data.publisher.title, Department.__table__.c.title),
        ("publisher title_en", data.publisher.title_en, Department.__table__.c.title_en),
    ]
    for res in data.resources:
        checks += [
            (f"resource '{res.name}' title", res.title, Resource.__table__.c.title),
            (f"resource '{res.name}' format", res.format, Resource.__table__.c.format),
            (f"resource '{res.name}' mediatype", res.media_type, Resource.__table__.c.media_type),
            (f"resource '{res.name}' encoding", res.encoding, ResourceVersion.__table__.c.encoding),
            (f"resource '{res.name}' file name", res.original_filename, ResourceVersion.__table__.c.original_filename),
        ]
    return [
        f"{label} is {len(str(value)):,} characters, above the limit of {column.type.length:,}"
        for label, value, column in checks
        if value is not None and len(str(value)) > column.type.length
    ][:5]


def _shown(value: str, limit: int = 80) -> str:
    """A value quoted back to the publisher, cut short: sources can send megabytes in one field."""
    return value if len(value) <= limit else value[:limit] + "…"


def parse_datetime(value: str | datetime | date) -> datetime:
    """ISO 8601 date or date-time to aware UTC; a time without zone is Beijing time (our publishers')."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        parsed = datetime.fromisoformat(str(value).strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BEIJING)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        raise ValueError(f"{value} falls outside years 1-9999 in UTC") from None


def _digest(value: Any) -> str:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


_HASHED_RESOURCE_KEYS = ("name", "title", "description", "media_type")


def metadata_hash(data: DatasetInput) -> str:
    # The same JSON as ``asdict(data)`` with the resources cut to their metadata, without asdict's deep copy
    # of every resource's schema (a harvest hashes every dataset it sees).
    meta = {f.name: getattr(data, f.name) for f in fields(data)}
    meta["publisher"] = asdict(data.publisher)
    meta["resources"] = [{k: getattr(r, k) for k in _HASHED_RESOURCE_KEYS} for r in data.resources]
    return _digest(meta)


def _resource_format(res: ResourceInput) -> str | None:
    fmt = (res.format or "").strip().lower().lstrip(".")
    if not fmt and res.original_filename and "." in res.original_filename:
        fmt = res.original_filename.rsplit(".", 1)[1].lower()
    return fmt or None


class _PreparedResource:
    """A resource of the input with its fingerprint computed (hashing only, nothing stored yet)."""

    def __init__(self, res: ResourceInput, settings: Settings):
        self.input = res
        self.format = _resource_format(res)
        self.sha256, self.size = sha256_of(res.path)
        if self.size > settings.max_file_bytes:
            raise FileTooLarge(
                f"resource '{res.name}' is {self.size:,} bytes, above the limit of {settings.max_file_bytes:,}"
            )
        self.version: ResourceVersion | None = None  # built before the write transaction, if needed
        self.fingerprint = _digest(
            [self.sha256, res.schema, res.dialect, (res.encoding or "").lower(), self.format]
        )


def publish_dataset(
    session: Session,
    data: DatasetInput,
    *,
    source: HarvestSource | None = None,
    identifier: str | None = None,
    store: FileStore | None = None,
    settings: Settings | None = None,
) -> Change:
    """Add or update one dataset and its resource versions in one transaction; say what happened.

    The slow part (storing and validating new files) runs before the write transaction, so a big table
    never holds the catalog's write lock while frictionless reads it; it runs in a killable worker process
    (catalog/workers.py) within the item's budget of ``settings.item_timeout`` seconds. The three steps —
    :func:`read_current`, :func:`prepare_versions`, :func:`commit_dataset` — are also called apart, by the
    parallel harvest loop (``odp harvest --workers N``).
    """
    settings = settings or get_settings()
    store = store or open_store(settings)
    pending = read_current(session, data, settings)
    prepared = prepare_versions(pending, store, settings)
    return commit_dataset(session, prepared, source=source, identifier=identifier, store=store, settings=settings)


@dataclass
class PendingDataset:
    """A dataset whose metadata passed the checks, with what the catalog holds of it now."""

    data: DatasetInput
    current: dict[str, str]  # resource name -> fingerprint of its current version


@dataclass
class PreparedDataset:
    """A dataset with its new versions built (files stored, validated, converted): ready to commit."""

    data: DatasetInput
    resources: list[_PreparedResource]
    deadline: float  # the item's time budget, for a version the commit step must still build
    tasks: TaskGroup | None = None


def read_current(session: Session, data: DatasetInput, settings: Settings) -> PendingDataset:
    """Step 1 (the session's thread): check the metadata, read the current versions' fingerprints, and end
    the read transaction before the slow work."""
    check_metadata(data, settings)
    current = _current_fingerprints(session, data.name)
    session.rollback()
    return PendingDataset(data=data, current=current)


def prepare_versions(
    pending: PendingDataset, store: FileStore, settings: Settings, tasks: TaskGroup | None = None
) -> PreparedDataset:
    """Step 2 (any thread, no session): hash every file and build a new version of each resource whose
    fingerprint differs from the current one, in a worker process (``tasks``' pool, or the shared pool of
    one), within ``settings.item_timeout`` seconds counted from here. Returns plain data."""
    deadline = time.monotonic() + settings.item_timeout
    prepared = [_PreparedResource(r, settings) for r in pending.data.resources]
    for prep in prepared:
        if pending.current.get(prep.input.name) != prep.fingerprint:
            prep.version = _version_in_worker(prep, store, settings, pending.data.name, deadline, tasks)
    return PreparedDataset(data=pending.data, resources=prepared, deadline=deadline, tasks=tasks)


def commit_dataset(
    session: Session,
    prepared: PreparedDataset,
    *,
    source: HarvestSource | None = None,
    identifier: str | None = None,
    store: FileStore,
    settings: Settings,
) -> Change:
    """Step 3 (the session's thread): the dataset's one write transaction, retried once if another harvest
    created the same department meanwhile. A resource whose current version changed since step 1 (another
    harvest, or an earlier item of this one with the same name) gets its version built here."""
    with write_lock(settings):
        for attempt in (1, 2):
            try:
                [change] = _write(session, [(prepared, identifier)], source, store, settings)
                session.commit()
                return change
            except IntegrityError:
                # Another harvest created the same department a moment ago: once more, now it exists.
                session.rollback()
                if attempt == 2:
                    raise
            except BaseException:
                session.rollback()
                raise
    raise AssertionError("unreachable")


def commit_datasets(
    session: Session,
    batch: Sequence[tuple[PreparedDataset, str | None]],
    *,
    source: HarvestSource | None = None,
    store: FileStore,
    settings: Settings,
) -> list[Change | Exception]:
    """Step 3 for many prepared datasets (with their source identifiers) at once: one write transaction for
    all of them — one commit, one look-up of what the catalog holds of them, their quality rows in one
    set-based pass — instead of one each. Each dataset is still all or nothing: if any of them fails, the
    shared transaction is rolled back and each is committed alone (:func:`commit_dataset`), so a failure
    costs its own dataset only. Returns, in order, each dataset's change or the exception that failed it."""
    if len(batch) > 1:
        with write_lock(settings):
            try:
                changes: list[Change | Exception] = list(_write(session, batch, source, store, settings))
                session.commit()
                return changes
            except Exception:  # noqa: BLE001 - replayed one by one below, where the failure is attributed
                session.rollback()
    results: list[Change | Exception] = []
    for prepared, identifier in batch:
        try:
            results.append(commit_dataset(session, prepared, source=source, identifier=identifier, store=store,
                                          settings=settings))
        except Exception as exc:  # noqa: BLE001 - reported for its own dataset
            results.append(exc)
    return results


def _write(
    session: Session,
    batch: Sequence[tuple[PreparedDataset, str | None]],
    source: HarvestSource | None,
    store: FileStore,
    settings: Settings,
) -> list[Change]:
    """The writes of one transaction (the caller commits or rolls back)."""
    known = _Known(session, [prepared.data for prepared, _ in batch])
    changes, scored = [], []
    for prepared, identifier in batch:
        change, dataset, rescore = _publish(
            session, prepared.data, prepared.resources, source, identifier, store, settings,
            prepared.deadline, prepared.tasks, known,
        )
        changes.append(change)
        if rescore:
            scored.append(dataset)
    if scored:
        quality_scores.refresh(session, scored)  # in this transaction: a score never lags its data
    return changes


class _Known:
    """What the catalog holds of one transaction's datasets, read up front in a few set-based queries (the
    datasets, their resources, current versions and quality rows, their publishers' departments), so that
    publishing N datasets costs a handful of queries rather than several per dataset. The versions and
    quality rows land in the session's identity map, where ``session.get`` finds them without a query. A
    name published twice in one transaction is looked up afresh the second time."""

    def __init__(self, session: Session, inputs: Sequence[DatasetInput]):
        self.session = session
        names = [data.name for data in inputs]
        self.datasets = {d.name: d for d in session.exec(select(Dataset).where(col(Dataset.name).in_(names)))}
        ids = [d.id for d in self.datasets.values()]
        self.resources: dict[int, list[Resource]] = defaultdict(list)
        if ids:
            for resource in session.exec(select(Resource).where(col(Resource.dataset_id).in_(ids))):
                self.resources[resource.dataset_id].append(resource)
            current = [r.current_version_id for rs in self.resources.values() for r in rs if r.current_version_id]
            if current:
                session.exec(select(ResourceVersion).where(col(ResourceVersion.id).in_(current))).all()
            session.exec(select(DatasetQuality).where(col(DatasetQuality.dataset_id).in_(ids))).all()
        publishers = {data.publisher.name for data in inputs}
        self.departments = {
            d.name: d for d in session.exec(select(Department).where(col(Department.name).in_(publishers)))
        }
        self.published: set[str] = set()

    def dataset(self, name: str) -> Dataset | None:
        if name in self.published:
            return self.session.exec(select(Dataset).where(Dataset.name == name)).first()
        return self.datasets.get(name)

    def resources_of(self, dataset: Dataset) -> list[Resource]:
        if dataset.name in self.published:
            return list(self.session.exec(select(Resource).where(Resource.dataset_id == dataset.id)))
        return self.resources.get(dataset.id, [])  # type: ignore[arg-type] # a new dataset has none


def _current_fingerprints(session: Session, name: str) -> dict[str, str]:
    """resource name -> fingerprint of its current version, for the dataset called ``name``."""
    rows = session.exec(
        select(Resource.name, ResourceVersion.fingerprint)
        .join(Dataset, Resource.dataset_id == Dataset.id)
        .join(ResourceVersion, Resource.current_version_id == ResourceVersion.id)
        .where(Dataset.name == name)
    ).all()
    return dict(rows)


def _publish(
    session: Session,
    data: DatasetInput,
    prepared: list[_PreparedResource],
    source: HarvestSource | None,
    identifier: str | None,
    store: FileStore,
    settings: Settings,
    deadline: float,
    tasks: TaskGroup | None,
    known: _Known,
) -> tuple[Change, Dataset, bool]:
    """One dataset's writes: (what changed, the dataset, whether its quality row must be stored again)."""
    domain = resolve_domain(data.domain)
    assert domain is not None  # checked by check_metadata

    dataset = known.dataset(data.name)
    if dataset and source and dataset.source_id not in (None, source.id):
        owner = session.get(HarvestSource, dataset.source_id)
        raise NameConflict(
            f"dataset name '{data.name}' already belongs to another harvest source ({owner.url if owner else '?'})"
        )
    is_new = dataset is None
    department = _upsert_department(session, data, known.departments)

    meta_hash = metadata_hash(data)
    changed = is_new or dataset.metadata_hash != meta_hash or dataset.state != DatasetState.active
    now = utcnow()
    if is_new:
        dataset = Dataset(
            name=data.name,
            title=data.title,
            domain_code=domain.code,
            department_id=department.id,
            first_published=now,
        )
    if changed:
        _apply_metadata(dataset, data, domain.code, department.id, meta_hash)
    if source is not None:
        dataset.source_id = source.id
        dataset.source_identifier = identifier
    dataset.last_harvested = now
    session.add(dataset)
    session.flush()  # dataset.id for new resources

    data_changed, scans = _sync_resources(session, dataset, known.resources_of(dataset), prepared, store, settings,
                                          deadline, tasks)
    known.published.add(dataset.name)
    pii_before = dataset.pii_status
    # Blocked or published (access.py reads the status); a change of it alone (ODP_PII_POLICY changed, or the
    # open class) is an update, so the harvest re-indexes the dataset.
    policy_changed = apply_policy(session, dataset, settings, scans) != pii_before and not is_new
    if changed or data_changed:
        dataset.modified = now
        session.add(dataset)
    rescore = changed or data_changed or quality_scores.needs_refresh(session, dataset)
    if is_new:
        return "added", dataset, rescore
    return ("updated" if (changed or data_changed or policy_changed) else "unchanged"), dataset, rescore


def metadata_warnings(data: DatasetInput) -> list[str]:
    """What a published dataset's metadata lost on the way in and its publisher should fix at the source: these
    go into the harvest job's report (``warnings``), the dataset is published all the same."""
    _, unknown_frequency = normalise_update_frequency(data.update_frequency)
    return [unknown_frequency] if unknown_frequency else []


def _upsert_department(session: Session, data: DatasetInput, known: dict[str, Department]) -> Department:
    """The publisher's department, created or its titles updated. ``known``: the transaction's departments by
    name — every one its datasets name that existed when it began (:class:`_Known`), and those it created. One
    another harvest creates meanwhile makes the insert fail; :func:`commit_dataset` then tries once more."""
    pub = data.publisher
    department = known.get(pub.name)
    if department is None:
        department = Department(name=pub.name, title=pub.title.strip(), title_en=pub.title_en)
    else:
        department.title = pub.title.strip()
        department.title_en = pub.title_en or department.title_en
    session.add(department)
    if department.id is None:
        session.flush()  # its id, for the dataset
    known[pub.name] = department
    return department


def _apply_metadata(
    dataset: Dataset, data: DatasetInput, domain_code: str, department_id: int, meta_hash: str
) -> None:
    dataset.title = data.title.strip()
    dataset.description = data.description or ""
    dataset.domain_code = domain_code
    dataset.department_id = department_id
    dataset.keywords = [k.strip() for k in data.keywords if k and k.strip()]
    dataset.update_frequency, _ = normalise_update_frequency(data.update_frequency)  # one vocabulary
    dataset.open_class = OpenClass(data.open_class)
    dataset.licenses = data.licenses or None
    first = data.licenses[0] if data.licenses else {}
    dataset.license_id = first.get("name") or first.get("path") or None
    dataset.version = data.version
    dataset.temporal_coverage = data.temporal_coverage
    dataset.spatial_coverage = data.spatial_coverage
    dataset.contact = data.contact
    dataset.extras = data.extras or None
    dataset.created = parse_datetime(data.created) if data.created else None
    dataset.state = DatasetState.active
    dataset.metadata_hash = meta_hash


def _sync_resources(
    session: Session,
    dataset: Dataset,
    resources: list[Resource],
    prepared: list[_PreparedResource],
    store: FileStore,
    settings: Settings,
    deadline: float,
    tasks: TaskGroup | None = None,
) -> tuple[bool, list[tuple[str, dict[str, Any] | None]]]:
    """Bring the dataset's resources in line with the input: whether any data or the resource list changed,
    and the personal-information scans of its current tables, in order (for the PII policy)."""
    existing = {r.name: r for r in resources}
    changed = False
    scans: list[tuple[str, dict[str, Any] | None]] = []
    for position, prep in enumerate(prepared):
        res_in = prep.input
        resource = existing.pop(res_in.name, None)
        if resource is None:
            resource = Resource(dataset_id=dataset.id, name=res_in.name)
            changed = True
        elif resource.state != ResourceState.active:
            changed = True
        resource.title = res_in.title
        resource.description = res_in.description
        resource.format = prep.format
        resource.media_type = res_in.media_type
        resource.position = position
        resource.state = ResourceState.active
        session.add(resource)
        if resource.id is None:
            session.flush()  # its id, for the version
        current = (
            session.get(ResourceVersion, resource.current_version_id) if resource.current_version_id else None
        )
        if current is not None and current.fingerprint == prep.fingerprint:
            scans.append((resource.name, current.pii_report))
            continue
        # Prepared before the transaction; made here only if the current version changed in between.
        version = prep.version or _version_in_worker(prep, store, settings, dataset.name, deadline, tasks)
        version.id = None  # a retried transaction inserts it afresh
        version.resource_id = resource.id
        session.add(version)
        session.flush()
        resource.current_version_id = version.id
        session.add(resource)
        scans.append((resource.name, version.pii_report))
        changed = True
    for gone in existing.values():  # no longer in the package: hidden, versions kept
        if gone.state != ResourceState.removed:
            gone.state = ResourceState.removed
            session.add(gone)
            changed = True
    return changed, scans


def _version_in_worker(
    prep: _PreparedResource, store: FileStore, settings: Settings, dataset_name: str, deadline: float,
    tasks: TaskGroup | None = None,
) -> ResourceVersion:
    """``_new_version`` in a worker process, killed if the item's time budget runs out."""
    run = tasks.run if tasks is not None else run_with_budget
    try:
        fields = run(
            _new_version_task, deadline - time.monotonic(),
            prep.input, prep.format, prep.fingerprint, store, settings.model_dump(), dataset_name,
        )
    except ItemTimeout:
        raise ItemOverBudget(
            f"dataset '{dataset_name}' resource '{prep.input.name}': storing, validating and converting "
            f"took longer than ODP_ITEM_TIMEOUT={settings.item_timeout:g}s"
        ) from None
    return ResourceVersion(**fields)


def _new_version_task(
    res_in: ResourceInput, fmt: str | None, fingerprint: str, store: FileStore, settings: dict[str, Any],
    dataset_name: str,
) -> dict[str, Any]:
    """The worker's side: plain data in, the new version's fields out."""
    prep = _PreparedResource.__new__(_PreparedResource)
    prep.input, prep.format, prep.fingerprint, prep.version = res_in, fmt, fingerprint, None
    version = _new_version(prep, store, _worker_settings(settings), dataset_name)
    return version.model_dump()


@lru_cache(maxsize=4)
def _settings_from(frozen: str) -> Settings:
    # Validating the parent's values reads no environment; Settings(**…) would read it and the .env file again
    # for every resource (≈50 ms each).
    return Settings.model_validate_json(frozen)


def _worker_settings(values: dict[str, Any]) -> Settings:
    """The parent's settings in a worker, built once per worker for the same values."""
    return _settings_from(json.dumps(values, default=str, sort_keys=True))


def _new_version(
    prep: _PreparedResource, store: FileStore, settings: Settings, dataset_name: str
) -> ResourceVersion:
    """Store the file and validate it: a version not yet attached to its resource."""
    res_in = prep.input
    stored = store.put(res_in.path, max_bytes=settings.max_file_bytes)
    version = ResourceVersion(
        sha256=stored.sha256,
        size=stored.size,
        stored_path=stored.relpath,
        original_filename=res_in.original_filename or res_in.path.name,
        dialect=res_in.dialect,
        table_schema=res_in.schema,
        schema_ref=res_in.schema_ref,
        fingerprint=prep.fingerprint,
    )
    if is_tabular(prep.format):
        binary = prep.format in ("xlsx", "xls")
        # the stored bytes, read from a local copy: the store's file, or the harvested one for a remote store
        local = stored.local or res_in.path
        version.encoding = None if binary else detect_encoding(local, res_in.encoding)
        fast = try_fast_path(local, fmt=prep.format, encoding=version.encoding,
                             schema=res_in.schema, dialect=res_in.dialect, store=store, settings=settings)
        # the fast path: frictionless's report and the Parquet in one read (ODP_VALIDATOR=fast), else frictionless
        outcome = fast.outcome if fast is not None else validate_table(
            local,
            fmt=prep.format or "csv",
            encoding=version.encoding,
            schema=res_in.schema,
            dialect=res_in.dialect,
            settings=settings,
        )
        version.validation_status = outcome.status
        version.validation_report = outcome.report
        version.row_count = outcome.row_count
        version.table_schema = outcome.schema
        if settings.reject_invalid and outcome.status in (ValidationStatus.invalid, ValidationStatus.error):
            counts = ", ".join(f"{k} ×{v}" for k, v in outcome.errors_by_type.items())
            raise RejectedInvalid(
                f"dataset '{dataset_name}' resource '{res_in.name}' failed validation ({counts}) "
                "and ODP_REJECT_INVALID is set"
            )
        if fast is not None:
            version.parquet_path = fast.parquet_path
            version.pii_report = fast.pii_report
        else:
            build_parquet(version, prep.format, store, local)  # records its own failure; never fails the harvest
            version.pii_report = scan_version(version, store)  # the Parquet the version ends with
    return version


def withdraw_missing(
    session: Session, source: HarvestSource, seen: dict[str, str | None], settings: Settings | None = None
) -> list[str]:
    """Withdraw (never delete) the active datasets of ``source`` that it no longer lists.

    ``seen`` maps each identifier the source listed in this run to the dataset name published under it, or
    to None when that item failed (its dataset is then kept as it was: a broken file is not a deletion).
    """
    with write_lock(settings or get_settings()):
        return _withdraw(session, source, seen)


def _withdraw(session: Session, source: HarvestSource, seen: dict[str, str | None]) -> list[str]:
    active = session.exec(
        select(Dataset).where(Dataset.source_id == source.id, Dataset.state == DatasetState.active)
    ).all()
    withdrawn = []
    for dataset in active:
        ident = dataset.source_identifier
        if ident in seen and seen[ident] in (None, dataset.name):
            continue
        dataset.state = DatasetState.withdrawn
        dataset.modified = utcnow()
        session.add(dataset)
        withdrawn.append(dataset.name)
    session.commit()
    return withdrawn
