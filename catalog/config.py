"""Settings in one place: every knob is an ``ODP_`` environment variable (pydantic-settings)."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Validator(StrEnum):
    """Which validator a harvest uses for tables (``ODP_VALIDATOR``)."""

    fast = "fast"  # one read (catalog/ingest/fastpath.py); falls back to frictionless where it cannot decide
    frictionless = "frictionless"  # frictionless validation, then a second read for Parquet


class SearchBackendKind(StrEnum):
    """Where the search index lives (``ODP_SEARCH_BACKEND``)."""

    whoosh = "whoosh"  # a Whoosh index in <data dir>/index: the embedded default
    postgres = "postgres"  # tables in the catalog's PostgreSQL database, shared by every node (docs/search.md)


class PiiPolicy(StrEnum):
    """What a harvest does with an open dataset whose tables hold unmasked personal data (``ODP_PII_POLICY``)."""

    block = "block"  # not published: kept out of every listing and data route until a clean harvest
    flag = "flag"  # published with a visible warning on its page and in the API


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ODP_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("./var"), description="Where the SQLite catalog, files and index live."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the catalog DB; default: SQLite file in the data dir."
    )
    # The file store (catalog/storage.py, catalog/s3store.py): a local folder by default, or an S3 bucket.
    files_url: str | None = Field(
        default=None,
        pattern=r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?$",
        description="Where originals and Parquet files live: s3://bucket/prefix (an S3-compatible store: MinIO, Ceph"
                    " RGW, a cloud S3); unset: the files folder of the data dir.",
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="The S3 API's address (e.g. http://minio.internal:9000); unset: the cloud's own."
    )
    s3_access_key: SecretStr | None = Field(default=None, description="The S3 access key id (never shown or logged).")
    s3_secret_key: SecretStr | None = Field(default=None, description="The S3 secret key (never shown or logged).")
    s3_region: str | None = Field(default=None, description="The S3 region (e.g. us-east-1); unset: the client's default.")
    s3_presigned_downloads: bool = Field(
        default=False,
        description="Original files are downloaded by a redirect to a presigned URL of the S3 endpoint (which"
                    " clients must then reach) instead of being streamed through the portal.",
    )
    s3_presigned_seconds: int = Field(
        default=300, ge=10, le=7 * 24 * 3600, description="How long a presigned download URL stays valid."
    )
    reject_invalid: bool = Field(
        default=False, description="Refuse datasets whose tables fail validation instead of flagging them."
    )
    schemas_dir: Path = Field(default=PROJECT_ROOT / "schemas", description="Published Table Schemas.")
    source_root: Path = Field(
        default=PROJECT_ROOT,
        description="Folder and zip sources inside this folder are keyed by their path relative to it, so a moved"
                    " checkout keeps its sources; sources outside it by their absolute path.",
    )
    max_file_bytes: int = Field(
        default=512 * 1024 * 1024, description="Largest single resource file accepted."
    )
    max_archive_bytes: int = Field(
        default=2 * 1024 * 1024 * 1024, description="Largest total uncompressed size of a harvested zip."
    )
    max_archive_ratio: int = Field(
        default=100, description="Largest uncompressed/compressed ratio of a zip member (zip-bomb guard)."
    )
    max_archive_members: int = Field(default=10_000, description="Most members a harvested zip may hold.")
    report_error_limit: int = Field(default=100, description="Errors kept in a stored validation report.")
    validation_error_cap: int = Field(
        default=100_000, description="frictionless stops counting errors of one table after this many."
    )
    validator: Validator = Field(
        default=Validator.fast,
        description=(
            "fast: CSV, XLSX and JSON tables are validated (frictionless's report, valid or not) and converted"
            " to Parquet in one read, falling back to frictionless per table for what the fast path does not"
            " cover (docs/validation.md); frictionless: always frictionless."
        ),
    )

    pii_policy: PiiPolicy = Field(
        default=PiiPolicy.block,
        description=(
            "block: an open (无条件开放) dataset with unmasked personal data (resident IDs, mobiles, bank cards,"
            " e-mails, names next to them) is not published; flag: it is published with a warning. 有条件开放"
            " datasets are published either way, flagged for reviewers, their public sample masked (docs/quality.md)."
        ),
    )

    public_url: str | None = Field(
        default=None,
        description=(
            "Public base URL of the portal (e.g. https://data.example.gov.cn): every absolute link (CKAN dicts,"
            " JSON-LD, page examples) starts with it, never with the request's Host header. Default: the"
            " address `odp serve` binds, http://127.0.0.1:8000."
        ),
    )
    public_sample_rows: int = Field(
        default=20,
        ge=0,
        le=1000,
        description="Rows of a table that are public whatever its open class: the page preview and /sample.",
    )
    timeliness_grace_ratio: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description=(
            "Grace after a dataset's update is due, as a share of its declared period (at least one day): a"
            " 每月 dataset is on time until 31 + 8 days after its last data change (docs/quality.md)."
        ),
    )
    item_timeout: float = Field(
        default=300,
        gt=0,
        description=(
            "Seconds one harvested item may take to validate and convert before it is failed; also the age"
            " after which leftover temporary files of a killed harvest are removed."
        ),
    )
    max_resources_per_package: int = Field(
        default=500, ge=1, description="Most resources one dataset may have; a package with more fails alone."
    )
    search_backend: SearchBackendKind = Field(
        default=SearchBackendKind.whoosh,
        description="whoosh: a Whoosh index in <data dir>/index (one node); postgres: search tables in the catalog"
                    " database, so any number of API nodes share one index (needs ODP_DATABASE_URL to be PostgreSQL;"
                    " build it with `odp reindex`).",
    )
    index_field_chars: int = Field(
        default=10_000,
        ge=100,
        description="Characters of one text field (title, description, …) that go into the search index.",
    )
    index_commit_seconds: float = Field(
        default=5.0,
        gt=0,
        description="During a harvest the search index is committed at least this often, so search lags little.",
    )
    commit_batch_items: int = Field(
        default=100,
        ge=1,
        description="A harvest commits up to this many prepared datasets in one write transaction (1: one each).",
    )
    commit_batch_seconds: float = Field(
        default=1.0,
        gt=0,
        description="…or what it prepared within this many seconds of the first, so the catalog lags little.",
    )
    search_synonyms_file: Path | None = Field(
        default=None,
        description="An admin's synonym groups (one group a line), used with the shipped catalog/search/synonyms.txt; "
        "re-read when it changes, no reindex. Unset: <data dir>/search-synonyms.txt.",
    )
    suggest_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Search-as-you-type (/api/v1/suggest) rebuilds its table of titles, keywords and departments, in"
                    " the background, when the listing changed or the table is older than this (or than ten times"
                    " its build time).",
    )

    # The rows API and table downloads (catalog/tables/): limits of one query and of one export.
    rows_default_size: int = Field(
        default=100, ge=1, description="Rows in one page of /rows when the request gives no _size."
    )
    rows_max_size: int = Field(default=5_000, ge=1, description="Largest _size one /rows page may ask for.")
    rows_time_limit: float = Field(
        default=5.0,
        gt=0,
        description="Seconds one /rows page (or count) may run before it is interrupted and answered 503 timeout.",
    )
    export_time_limit: float = Field(
        default=600.0,
        gt=0,
        description="Seconds one whole export (rows.csv, a converted download) may run before it is interrupted.",
    )
    export_max_rows: int = Field(
        default=50_000_000,
        ge=1,
        description="Most rows one export writes: far above any file the harvester accepts, a cap all the same.",
    )
    rows_hot_min_rows: int = Field(
        default=100_000,
        ge=0,
        description=(
            "Tables of at least this many rows get an in-memory copy once queried (smaller ones answer from"
            " Parquet in a few milliseconds); with an S3 file store (ODP_FILES_URL) every queried table gets one."
        ),
    )
    rows_hot_bytes: int = Field(
        default=1 << 30,
        ge=0,
        description="Bytes of in-memory table copies one process keeps; the least recently used go beyond it.",
    )
    duckdb_memory_limit: str = Field(
        default="2GB",
        pattern=r"^\d+(\.\d+)?\s*([KMGT]i?B)$",
        description="DuckDB's memory limit per process (e.g. 2GB, 512MiB); beyond it queries spill to the data dir.",
    )

    # Accounts, API keys and applications (catalog/accounts/).
    secret_key: str | None = Field(
        default=None,
        description=(
            "Server secret keying the API-key hashes and signing session cookies; default: generated once into"
            " <data dir>/secret_key. Changing it invalidates every API key and session."
        ),
    )
    password_time_cost: int = Field(default=3, ge=1, description="Argon2 passes (time cost) of a password hash.")
    password_memory_kib: int = Field(
        default=65_536, ge=32, description="Argon2 memory cost of a password hash, in KiB (64 MiB by default)."
    )
    application_max_days: int = Field(
        default=365, ge=1, description="Longest access (days) an application for 有条件开放 data may ask or get."
    )
    review_working_days: int = Field(
        default=5, ge=1, description="Working days within which a pending application should be decided (overdue after)."
    )
    holidays: str = Field(
        default="",
        description="Public holidays (YYYY-MM-DD, comma-separated) that are not working days; Saturdays and Sundays never are.",
    )

    # Rate limits (catalog/accounts/limits.py, portal/ratelimit.py).
    rate_limits: str = Field(
        default="",
        description=(
            "API request limits and daily download-bytes quotas per principal, e.g. 'anonymous=60/minute;"
            "key=600/minute;anonymous-download-bytes=1GB/day;key-download-bytes=10GB/day' (anonymous: per client"
            " IP; key: per API key or login); empty: no limits."
        ),
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis holding the rate-limit counters, shared by every worker and node (e.g."
                    " redis://127.0.0.1:6379/0); unset: counters in each process.",
    )
    harvest_job_timeout: float = Field(
        default=6 * 3600, gt=0,
        description="Seconds one queued harvest may run on a worker before it is stopped and failed (or retried).",
    )
    harvest_retries: int = Field(
        default=3, ge=0,
        description="Times a queued harvest is run again after its worker died or it raised (not after a source"
                    " that could not be read: that job is failed and the next scheduled run tries again).",
    )
    worker_lease_seconds: int = Field(
        default=60, ge=2,
        description="A worker renews its hold on a running harvest every third of this; a worker killed"
                    " mid-harvest has its job handed to another worker about this many seconds later.",
    )
    scheduler_seconds: float = Field(
        default=30, gt=0, description="Seconds between two looks of a worker's scheduler for due harvest sources.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or CIDRs of the reverse proxies / load balancers in front of the"
                    " portal (e.g. '10.0.0.0/8,127.0.0.1'): only a request from one of them has its client IP taken"
                    " from X-Forwarded-For (for rate limits, login throttles, audit). Empty: the socket peer.",
    )
    redis_prefix: str = Field(
        default="odp", min_length=1, max_length=100, description="Prefix of this portal's keys in Redis."
    )
    auth_cache_seconds: float = Field(
        default=2.0, ge=0, le=5,
        description="Seconds an API key's principal (account, role, granted datasets) is reused by a process"
                    " before it is read again; a change made in the same process is seen at once, one made"
                    " elsewhere (another worker, the CLI) within this time. 0: read on every request.",
    )

    # Web sessions and login (portal/sessions.py, portal/web/accounts.py).
    session_hours: int = Field(
        default=12, ge=1, le=24 * 30, description="Hours a web login lasts (the signed session cookie's lifetime)."
    )
    login_max_failures_account: int = Field(
        default=5, ge=1, description="Failed logins to one account within ODP_LOGIN_WINDOW_SECONDS before it is throttled."
    )
    login_max_failures_ip: int = Field(
        default=20, ge=1, description="Failed logins from one IP within ODP_LOGIN_WINDOW_SECONDS before it is throttled."
    )
    login_window_seconds: int = Field(
        default=900, ge=1,
        description="Window (seconds) over which failed logins are counted: in the process, or in Redis when"
                    " ODP_REDIS_URL is set (shared by every worker).",
    )
    audit_retention_days: int | None = Field(
        default=None, ge=1,
        description="Days audit events (with client IPs) are kept: `odp audit prune` deletes older ones. Unset: kept"
                    " without limit.",
    )
    usage_retention_days: int | None = Field(
        default=None, ge=1,
        description="Days of per-key usage counts (requests and bytes per day) kept: `odp audit prune` deletes older"
                    " days. Unset: kept without limit.",
    )
    require_totp_for_reviewers: bool = Field(
        default=False,
        description="Reviewers and admins without TOTP two-factor login are sent to set it up before /review and"
                    " /admin/users work.",
    )
    grant_expiry_warning_days: int = Field(
        default=30, ge=0, description="/account highlights grants that expire within this many days (time to renew)."
    )
    agreement_file: Path | None = Field(
        default=None,
        description="A text file with the portal's data-use agreement (数据利用协议); default: the built-in text.",
    )
    grant_sweep_seconds: float = Field(
        default=60, ge=0,
        description="Seconds between two sweeps that write the 'grant expired' audit events (0: no background sweep).",
    )

    catalog_page_size: int = Field(
        default=100, ge=1, le=1000,
        description="Datasets on one page of the DCAT catalog (/catalog.ttl|.jsonld|.rdf, Hydra-paged).",
    )
    cors_origins: str = Field(
        default="*",
        description=(
            "Origins allowed to read the APIs and exports from a browser (CORS): '*' (any), a comma-separated"
            " list such as 'https://a.example.cn,https://b.example.cn', or empty (no CORS headers). Credentials"
            " are never allowed (portal/http_cors.py)."
        ),
    )
    # Community posting (catalog/community/moderation.py).
    post_limit: str = Field(
        default="20/hour",
        pattern=r"^\s*$|^\s*[1-9]\d*\s*/\s*(second|minute|hour|day)\s*$",
        description=("Comments, data requests and error reports one account may post per period, e.g. '20/hour'"
                     " (counted in process, or in Redis with ODP_REDIS_URL); empty: no limit."),
    )
    word_filter_file: Path | None = Field(
        default=None,
        description="A UTF-8 file of words, one a line ('#' lines ignored): a post containing one is refused (422).",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies_parse(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"ODP_TRUSTED_PROXIES: '{item}' is not an IP address or CIDR (e.g. 10.0.0.0/8)") from None
        return value

    @field_validator("rate_limits")
    @classmethod
    def _rate_limits_parse(cls, value: str) -> str:
        from catalog.accounts.limits import parse_rate_limits  # the one grammar of ODP_RATE_LIMITS

        parse_rate_limits(value)  # a LimitSyntaxError (a ValueError) says what is wrong
        return value

    @property
    def public_base_url(self) -> str:
        return (self.public_url or "http://127.0.0.1:8000").rstrip("/")

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def admin_synonyms_file(self) -> Path:
        """Where an admin's synonym groups live: ODP_SEARCH_SYNONYMS_FILE, else ``<data dir>/search-synonyms.txt``
        (created by the first group added on /admin/search-log or with ``odp synonyms add``)."""
        return self.search_synonyms_file or self.data_dir / "search-synonyms.txt"

    @property
    def scaled_mode(self) -> bool:
        """Scaled mode: the catalog is in a database other machines can share (anything but SQLite), so any
        number of ``odp serve`` and ``odp worker`` processes may run on any number of nodes. Then nothing a
        node needs may come from one node's data dir: ``ODP_SECRET_KEY`` is required (:func:`check_scaled_mode`).
        An SQLite catalog is one machine's, shared only by processes that share its data dir."""
        return make_url(self.effective_database_url).get_backend_name() != "sqlite"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'catalog.db').resolve()}"


class ConfigurationError(ValueError):
    """Settings a node must not start with (the message says which and why)."""


def check_scaled_mode(settings: Settings) -> None:
    """Refuse what would break a scaled deployment (see :attr:`Settings.scaled_mode`): a node without
    ``ODP_SECRET_KEY`` would generate its own into its data dir, and the API keys, sessions and TOTP secrets
    made on one node would not open on the others."""
    if settings.scaled_mode and not settings.secret_key:
        raise ConfigurationError(
            "ODP_SECRET_KEY must be set when the catalog is in a shared database (ODP_DATABASE_URL is not SQLite):"
            " every node and worker needs the same key, a key generated into one node's data dir would break API"
            " keys and logins on the others. Set it to the same long random string everywhere, e.g. the output of"
            " `python -c \"import secrets; print(secrets.token_urlsafe(48))\"`.")


@lru_cache
def get_settings() -> Settings:
    return Settings()
