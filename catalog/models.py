"""Catalog tables (SQLModel): one schema for SQLite and PostgreSQL.

Times are timezone-aware UTC; ``utcnow()`` is the one clock. States and open classes are the ``StrEnum``s of
``catalog/vocabulary.py`` in VARCHAR(20) columns (never SQL ENUM types, so a new member needs no migration):
``_state`` writes only members' values (a typo fails at flush) and reads members back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Dialect, String, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from catalog.vocabulary import (
    ApplicationStatus,
    DatasetState,
    JobStatus,
    OpenClass,
    PiiStatus,
    ResourceState,
    Role,
    ValidationStatus,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class _StateString(TypeDecorator[str]):
    """VARCHAR(20) holding a ``StrEnum``'s values: the schema of a plain string column, the strictness of the enum."""

    impl = String(20)
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        try:
            return None if value is None else self.enum(value)
        except ValueError:  # a value written outside this code: shown as stored, never crashes a read
            return value


def _state(enum: type[StrEnum], default: StrEnum, *, index: bool = False) -> Any:
    return Field(default=default, sa_type=_StateString(enum), sa_column_kwargs={"nullable": False}, index=index)


def _json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


class Domain(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=40)  # 中文名
    name_en: str = Field(max_length=80)
    order: int


class Department(SQLModel, table=True):
    """A publisher (委办局)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=100)  # slug
    title: str = Field(max_length=200)  # 中文名
    title_en: str | None = Field(default=None, max_length=200)
    # The department's 数据利用协议 for its 有条件开放 data (None: the portal default). Set by an admin
    # (`odp departments agreement`), never by a harvest.
    agreement: str | None = Field(default=None, sa_column=Column(Text))


class HarvestSource(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)  # datapackage | ckan | dcat
    url: str = Field(unique=True, index=True, max_length=1000)  # folder path, zip path or remote URL
    title: str | None = Field(default=None, max_length=300)
    created: datetime = Field(default_factory=utcnow)
    last_job_id: int | None = None


class Dataset(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=200)
    title: str = Field(max_length=500)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    domain_code: str = Field(foreign_key="domain.code", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    keywords: list[str] | None = _json()
    update_frequency: str | None = Field(default=None, max_length=20)
    open_class: OpenClass = _state(OpenClass, OpenClass.open, index=True)
    license_id: str | None = Field(default=None, max_length=200)
    licenses: list[dict[str, Any]] | None = _json()
    version: str | None = Field(default=None, max_length=50)
    temporal_coverage: str | None = Field(default=None, max_length=200)
    spatial_coverage: str | None = Field(default=None, max_length=200)
    contact: dict[str, Any] | None = _json()
    extras: dict[str, Any] | None = _json()  # unknown descriptor keys, kept as given
    created: datetime | None = None  # as declared by the publisher
    first_published: datetime = Field(default_factory=utcnow)  # first harvested into this catalog
    modified: datetime = Field(default_factory=utcnow, index=True)  # last change of metadata or data here
    last_harvested: datetime = Field(default_factory=utcnow)
    state: DatasetState = _state(DatasetState, DatasetState.active, index=True)
    source_id: int | None = Field(default=None, foreign_key="harvestsource.id", index=True)
    source_identifier: str | None = Field(default=None, max_length=1000)
    metadata_hash: str | None = Field(default=None, max_length=64)  # to tell "unchanged" cheaply
    # From the personal-information scans of its current tables and ODP_PII_POLICY (catalog/privacy/policy.py).
    pii_status: PiiStatus = Field(
        default=PiiStatus.clean, sa_type=_StateString(PiiStatus),
        sa_column_kwargs={"nullable": False, "server_default": PiiStatus.clean.value}, index=True)


class Resource(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    name: str = Field(max_length=200)
    title: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, sa_column=Column(Text))
    format: str | None = Field(default=None, max_length=20)  # lower-case extension-like: csv, xlsx, json
    media_type: str | None = Field(default=None, max_length=100)
    position: int = 0
    state: ResourceState = _state(ResourceState, ResourceState.active)  # removed: gone from the package
    # No FK: resource <-> version would be a cycle; the service keeps it consistent.
    current_version_id: int | None = None


class ResourceVersion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    resource_id: int = Field(foreign_key="resource.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    size: int
    stored_path: str = Field(max_length=300)  # relative to the file store root
    original_filename: str | None = Field(default=None, max_length=500)
    encoding: str | None = Field(default=None, max_length=40)
    dialect: dict[str, Any] | None = _json()
    table_schema: dict[str, Any] | None = _json()
    schema_ref: str | None = Field(default=None, max_length=300)  # published schema name, if referenced
    row_count: int | None = None
    validation_status: ValidationStatus = _state(ValidationStatus, ValidationStatus.not_tabular)
    validation_report: dict[str, Any] | None = _json()
    fingerprint: str = Field(max_length=64)  # sha256 + schema + dialect: same fingerprint = same version
    created: datetime = Field(default_factory=utcnow)
    # The typed Parquet copy of a table (catalog/tables/parquet.py), in the file store; or why it could not be made.
    parquet_path: str | None = Field(default=None, max_length=300)
    parquet_error: str | None = Field(default=None, sa_column=Column(Text))
    # The personal-information scan (catalog/privacy/scan.py): per column the kind, counts and masked examples.
    pii_report: dict[str, Any] | None = _json()


class DownloadCount(SQLModel, table=True):
    """Downloads and rows-API calls of a resource, added up in batches by catalog/datasets/stats.py."""

    resource_id: int = Field(primary_key=True)  # no FK: counts are advisory and never block a harvest
    dataset_id: int = Field(index=True)
    downloads: int = 0
    api_calls: int = 0


class HarvestJob(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="harvestsource.id", index=True)
    status: JobStatus = _state(JobStatus, JobStatus.running)
    started: datetime = Field(default_factory=utcnow)
    finished: datetime | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failed: int = 0
    message: str | None = Field(default=None, sa_column=Column(Text))  # job-level failure
    errors: list[dict[str, Any]] | None = _json()  # [{"item": identifier, "message": ...}]
    warnings: list[dict[str, Any]] | None = _json()  # same shape: published, with something to fix at the source
    blocked: list[dict[str, Any]] | None = _json()  # same shape: not published by ODP_PII_POLICY (personal data)


class HarvestJobProcess(SQLModel, table=True):
    """Which process runs a harvest job, so a later run can tell a live concurrent harvest from a dead one
    (a job left ``running`` after SIGKILL is marked abandoned only when its process is gone)."""

    job_id: int = Field(primary_key=True, foreign_key="harvestjob.id")
    host: str = Field(max_length=255)
    pid: int
    process_started: str | None = Field(default=None, max_length=40)  # tells a reused pid apart


class HarvestSchedule(SQLModel, table=True):
    """When a registered source is harvested again (``odp sources add URL --schedule …``), and how.

    ``schedule`` is ``hourly``, ``daily`` or a five-field cron expression (UTC); ``next_run`` is the due time
    the scheduler moves forward with a compare-and-set, so that of several schedulers exactly one enqueues
    each run (catalog/schedules.py). ``options`` are the harvester's options (organization, default domain,
    domain map, full) as ``odp harvest`` takes them."""

    source_id: int = Field(primary_key=True, foreign_key="harvestsource.id")
    schedule: str = Field(max_length=100)
    options: dict[str, Any] | None = _json()
    paused: bool = False
    next_run: datetime = Field(index=True)
    last_enqueued: datetime | None = None


class QueuedHarvestJob(SQLModel, table=True):
    """The queue job (RQ job id) a harvest job ran for. A queued harvest retried after its worker died
    starts a new harvest job; the old one, still ``running``, is marked abandoned by the retry — the queue
    hands a job to one worker at a time, so the earlier holder is known to be gone, on whatever host."""

    job_id: int = Field(primary_key=True, foreign_key="harvestjob.id")
    queue_job_id: str = Field(index=True, max_length=100)


class IndexedDataset(SQLModel, table=True):
    """What the search index holds of a dataset: its ``modified`` when it was last indexed, into which index
    (``index_id`` names an index directory; a new or deleted index has another). A dataset whose marker is
    missing or differs is a gap that the end of every harvest fills (catalog/search/indexing.py)."""

    dataset_id: int = Field(primary_key=True)  # no FK: advisory, like DownloadCount
    modified: datetime
    index_id: str = Field(max_length=40)


class DatasetQuality(SQLModel, table=True):
    """What a harvest decides of a dataset's quality score (catalog/quality/): the points of every check but
    timeliness, and when its data last really changed. Timeliness depends on the clock, so it is computed when
    read, never stored: a stored score would go stale at midnight."""

    dataset_id: int = Field(primary_key=True, foreign_key="dataset.id")
    base_points: int
    last_change: datetime | None = None
    computed: datetime = Field(default_factory=utcnow)


# --- Accounts, API keys, applications and grants, audit (catalog/accounts/) ---------------------------------


class Account(SQLModel, table=True):
    """A registered person. ``email`` is stored lower-cased; ``password_hash`` is Argon2 (catalog/accounts/users.py)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=200)
    role: Role = _state(Role, Role.user)
    created: datetime = Field(default_factory=utcnow)
    # Part of the session cookie's fingerprint: logging out (or "log out everywhere") adds one, which ends
    # every session of the account, copied cookies included.
    session_epoch: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # TOTP two-factor login: the secret encrypted under the server secret (never stored in clear), and the last
    # accepted time step (a code is accepted once).
    totp_secret: str | None = Field(default=None, max_length=200)
    totp_last_step: int | None = None
    # Set when the account was deleted by its owner: personal fields are blanked, the row stays for the
    # foreign keys of applications, grants and the audit log.
    deleted: datetime | None = None


class AccountDepartment(SQLModel, table=True):
    """A reviewer's departments: the applications it sees and decides."""

    account_id: int = Field(primary_key=True, foreign_key="account.id")
    department_id: int = Field(primary_key=True, foreign_key="department.id")


class ApiKey(SQLModel, table=True):
    """An API key of an account: only its keyed hash (HMAC-SHA256) and a short visible prefix are stored."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=200)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(unique=True, index=True, max_length=64)
    created: datetime = Field(default_factory=utcnow)
    expires: datetime | None = None
    revoked: datetime | None = None
    last_used: datetime | None = None


class AccessApplication(SQLModel, table=True):
    """An application (申请) for one 有条件开放 dataset; a decision fills ``decided``/``decided_by``/``reason``."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    purpose: str = Field(sa_column=Column(Text, nullable=False))
    scenario: str = Field(sa_column=Column(Text, nullable=False))
    organization: str = Field(max_length=300)
    days: int
    status: ApplicationStatus = _state(ApplicationStatus, ApplicationStatus.pending, index=True)
    created: datetime = Field(default_factory=utcnow)
    decided: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="account.id")
    reason: str | None = Field(default=None, sa_column=Column(Text))
    # SHA-256 of the data-use agreement text the applicant accepted (catalog/accounts/agreements.py).
    agreement_sha256: str | None = Field(default=None, max_length=64)


class AccessGrant(SQLModel, table=True):
    """The right an approved application gives: its account reads the dataset's data until ``expires``."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="accessapplication.id", unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    starts: datetime = Field(default_factory=utcnow)
    expires: datetime
    revoked: datetime | None = None
    # When the "grant expired" audit event was written (once per grant; catalog/accounts/grants.py).
    expiry_logged: datetime | None = None


class PasswordReset(SQLModel, table=True):
    """A one-time password-reset link an admin issued: only the token's keyed hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    created: datetime = Field(default_factory=utcnow)
    expires: datetime
    used: datetime | None = None
    created_by: int | None = Field(default=None, foreign_key="account.id")


class UsageDay(SQLModel, table=True):
    """Requests and bytes of one account's key (``key_id`` 0: its browser session) on one dataset (0: none, e.g.
    search) on one UTC day. Added up in batches off the request path (catalog/accounts/usage.py)."""

    day: date = Field(primary_key=True)
    account_id: int = Field(primary_key=True)  # no FK: advisory counts, like DownloadCount
    key_id: int = Field(primary_key=True)
    dataset_id: int = Field(primary_key=True)
    requests: int = 0
    bytes: int = Field(default=0, sa_type=BigInteger)


class DatasetUsageDay(SQLModel, table=True):
    """Downloads, API calls and bytes of one dataset on one UTC day, by everyone (anonymous included)."""

    day: date = Field(primary_key=True)
    dataset_id: int = Field(primary_key=True)
    downloads: int = 0
    api_calls: int = 0
    bytes: int = Field(default=0, sa_type=BigInteger)


class AuditEvent(SQLModel, table=True):
    """One line of the append-only audit log (catalog/accounts/audit.py only inserts)."""

    id: int | None = Field(default=None, primary_key=True)
    time: datetime = Field(default_factory=utcnow, index=True)
    event: str = Field(max_length=40)
    account_id: int | None = Field(default=None, index=True)  # no FK: the log outlives a deleted account
    key_prefix: str | None = Field(default=None, max_length=16)
    dataset_id: int | None = Field(default=None, index=True)
    route: str | None = Field(default=None, max_length=300)
    bytes: int | None = None
    ip: str | None = Field(default=None, max_length=64)
    detail: str | None = Field(default=None, sa_column=Column(Text))


# --- Data contests: packages pinned to versions, teams, downloads, works (catalog/contests/) -----------------


class Contest(SQLModel, table=True):
    """A data contest (e.g. SODA): its texts, its two windows and team sizes. ``published`` empty: a draft only
    its organizer (and admins) see. Windows are UTC instants; the states are read from them (contests.py)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=100)
    title: str = Field(max_length=300)
    theme: str = Field(default="", max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    rules: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    agreement: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    organizer_id: int = Field(foreign_key="account.id", index=True)
    registration_opens: datetime
    registration_closes: datetime
    data_opens: datetime
    data_closes: datetime
    team_min: int = 1
    team_max: int = 5
    created: datetime = Field(default_factory=utcnow)
    published: datetime | None = None


class ContestEntry(SQLModel, table=True):
    """One resource in a contest's package, pinned to one version: later harvests never move it, only an
    explicit re-pin does (recorded in ``ContestRepin``). ``sample_seed`` empty: the first ``sample_rows`` rows;
    else that many rows drawn at random with this seed (the same rows every time)."""

    __table_args__ = (UniqueConstraint("contest_id", "resource_id"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    resource_id: int = Field(foreign_key="resource.id")
    version_id: int = Field(foreign_key="resourceversion.id")
    sample_rows: int = 1000
    sample_seed: int | None = None
    full: bool = True
    position: int = 0
    pinned: datetime = Field(default_factory=utcnow)


class ContestRepin(SQLModel, table=True):
    """An organizer moved an entry to a newer version: who, when, from which version to which."""

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contestentry.id", index=True)
    from_version_id: int = Field(foreign_key="resourceversion.id")
    to_version_id: int = Field(foreign_key="resourceversion.id")
    account_id: int | None = Field(default=None, foreign_key="account.id")
    time: datetime = Field(default_factory=utcnow)


class ContestConsent(SQLModel, table=True):
    """The providing department's consent to hand a 有条件开放 dataset to a contest's teams: the sibling of
    ``AccessApplication`` (same statuses, decided by the department's reviewers on /review)."""

    __table_args__ = (UniqueConstraint("contest_id", "dataset_id"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    requested_by: int | None = Field(default=None, foreign_key="account.id")
    status: ApplicationStatus = _state(ApplicationStatus, ApplicationStatus.pending, index=True)
    created: datetime = Field(default_factory=utcnow)
    decided: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="account.id")
    reason: str | None = Field(default=None, sa_column=Column(Text))


class ContestTeam(SQLModel, table=True):
    """A team of a contest; others join it with ``join_code``."""

    __table_args__ = (UniqueConstraint("contest_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    name: str = Field(max_length=100)
    join_code: str = Field(unique=True, index=True, max_length=20)
    created_by: int = Field(foreign_key="account.id")
    created: datetime = Field(default_factory=utcnow)


class ContestMember(SQLModel, table=True):
    """An account in a team. The key (contest, account) is why a user is in at most one team per contest."""

    contest_id: int = Field(primary_key=True, foreign_key="contest.id")
    account_id: int = Field(primary_key=True, foreign_key="account.id")
    team_id: int = Field(foreign_key="contestteam.id", index=True)
    joined: datetime = Field(default_factory=utcnow)
    agreement_accepted: datetime | None = None


class ContestDownload(SQLModel, table=True):
    """One full-data download by a team member: an entry on its own, or as part of the package zip."""

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    team_id: int = Field(foreign_key="contestteam.id")
    account_id: int = Field(foreign_key="account.id")
    entry_id: int = Field(foreign_key="contestentry.id")
    via: str = Field(max_length=20)  # entry | bundle
    bytes: int = Field(default=0, sa_type=BigInteger)
    time: datetime = Field(default_factory=utcnow)


class ContestWork(SQLModel, table=True):
    """A team's work (成果): a reuse of the contest's data. ``accepted`` is the organizer's approval for the
    public showcase; ``award`` the prize it won, if any. The screenshot is a file in the data dir."""

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    team_id: int = Field(foreign_key="contestteam.id", index=True)
    submitted_by: int = Field(foreign_key="account.id")
    title: str = Field(max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    url: str = Field(max_length=1000)
    screenshot: str | None = Field(default=None, max_length=200)  # file name under <data dir>/contest-works/
    created: datetime = Field(default_factory=utcnow)
    accepted: datetime | None = None
    award: str | None = Field(default=None, max_length=100)


class ContestWorkDataset(SQLModel, table=True):
    """A dataset a work used: what "used in N contest works" on the dataset page counts."""

    work_id: int = Field(primary_key=True, foreign_key="contestwork.id")
    dataset_id: int = Field(primary_key=True, foreign_key="dataset.id", index=True)


# --- Community: ratings, comments, data requests, error reports, notifications (catalog/community/) ----------


class DatasetRating(SQLModel, table=True):
    """One account's 1–5 stars for a dataset: the key is why there is one rating per user (posting again
    replaces it)."""

    dataset_id: int = Field(primary_key=True, foreign_key="dataset.id")
    account_id: int = Field(primary_key=True, foreign_key="account.id", index=True)
    stars: int
    updated: datetime = Field(default_factory=utcnow)


class DataRequest(SQLModel, table=True):
    """A request for data that is not open yet (数据需求): what is asked, of which domain and department, and the
    department's answer (status, message, the published dataset or the planned date)."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    domain_code: str = Field(foreign_key="domain.code", index=True)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    purpose: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="open", max_length=20, index=True)  # catalog/community/requests.py RequestStatus
    answer: str | None = Field(default=None, sa_column=Column(Text))
    answered: datetime | None = None
    answered_by: int | None = Field(default=None, foreign_key="account.id")
    dataset_id: int | None = Field(default=None, foreign_key="dataset.id")  # published: the dataset
    planned_date: date | None = None  # planned: when
    created: datetime = Field(default_factory=utcnow, index=True)
    hidden: datetime | None = None  # hidden by a moderator: kept with its reason, not shown
    hidden_by: int | None = Field(default=None, foreign_key="account.id")
    hidden_reason: str | None = Field(default=None, sa_column=Column(Text))


class DataRequestVote(SQLModel, table=True):
    """An upvote: the key is why there is one vote per user and request."""

    request_id: int = Field(primary_key=True, foreign_key="datarequest.id")
    account_id: int = Field(primary_key=True, foreign_key="account.id")
    created: datetime = Field(default_factory=utcnow)


class Comment(SQLModel, table=True):
    """A comment on a dataset or on a data request (exactly one of the two). ``reply_to`` makes a thread one
    level deep; ``official``: written by a reviewer of the department (or an admin). Hidden comments are kept
    with who hid them and why."""

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int | None = Field(default=None, foreign_key="dataset.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="datarequest.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    reply_to: int | None = Field(default=None, foreign_key="comment.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    official: bool = False
    created: datetime = Field(default_factory=utcnow)
    hidden: datetime | None = None
    hidden_by: int | None = Field(default=None, foreign_key="account.id")
    hidden_reason: str | None = Field(default=None, sa_column=Column(Text))


class ErrorReport(SQLModel, table=True):
    """An error report on a dataset (数据纠错): what kind, where (row, field), and the department's answer."""

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    kind: str = Field(max_length=20)  # catalog/community/issues.py IssueKind
    body: str = Field(sa_column=Column(Text, nullable=False))
    row: int | None = None
    field: str | None = Field(default=None, max_length=200)
    status: str = Field(default="open", max_length=20, index=True)  # IssueStatus
    answer: str | None = Field(default=None, sa_column=Column(Text))
    answered: datetime | None = None
    answered_by: int | None = Field(default=None, foreign_key="account.id")
    created: datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """Something an account should see on /account: its request or error report was answered."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    kind: str = Field(max_length=40)
    message: str = Field(sa_column=Column(Text, nullable=False))
    link: str = Field(default="", max_length=500)
    created: datetime = Field(default_factory=utcnow)
    read: datetime | None = None


# --- Community: reuses (应用/成果) and follows (catalog/community/reuses.py, follows.py) -------------------------


class Reuse(SQLModel, table=True):
    """Something built with the data — an app, an article, a visualization — submitted by a registered user.
    ``approved`` is an admin's approval: only approved reuses are shown. The image (optional) is a re-encoded
    file under ``<data dir>/reuse-images/``. Contest works are not copied here: they are reuses derived from
    ``contestwork`` (catalog/community/reuses.py)."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    kind: str = Field(default="app", max_length=20)  # catalog/community/reuses.py ReuseKind
    title: str = Field(max_length=200)
    url: str = Field(max_length=1000)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    image: str | None = Field(default=None, max_length=100)  # file name under <data dir>/reuse-images/
    created: datetime = Field(default_factory=utcnow, index=True)
    approved: datetime | None = Field(default=None, index=True)
    approved_by: int | None = Field(default=None, foreign_key="account.id")


class ReuseDataset(SQLModel, table=True):
    """A dataset a reuse used."""

    reuse_id: int = Field(primary_key=True, foreign_key="reuse.id")
    dataset_id: int = Field(primary_key=True, foreign_key="dataset.id", index=True)


class DatasetFollow(SQLModel, table=True):
    """An account follows a dataset: its changes since ``created`` show on /account. The key is why one follow
    per account and dataset."""

    dataset_id: int = Field(primary_key=True, foreign_key="dataset.id", index=True)
    account_id: int = Field(primary_key=True, foreign_key="account.id", index=True)
    created: datetime = Field(default_factory=utcnow)
