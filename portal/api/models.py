"""The JSON API's response shapes, as Pydantic models: what each ``/api/v1`` route declares (``response_model=``),
so the OpenAPI document at ``/api/v1/openapi.json`` says exactly what is sent (docs/api.md shows examples).

The serializers build these models directly from catalog objects; the routes return them. Two decisions a reader
would otherwise question:

- **Timestamps are strings**, typed as ``date-time`` in the schema: the API has always sent Python's
  ``isoformat()`` (``2026-11-23T13:01:02.123456+00:00``), and a ``datetime`` field would be re-rendered by
  Pydantic (``…Z``), changing what clients already parse.
- **What the publisher wrote stays open** (``dict[str, Any]``): a Table Schema, ``extras``, ``contact``,
  licences, the validation errors as frictionless reports them. The API passes them through unchanged, so the
  models type only the envelope the portal itself makes.

The one error shape (``ErrorResponse``) is declared for every status a route can answer with besides 2xx,
including 422: FastAPI's default ``HTTPValidationError`` is never sent here (portal/api/errors.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class _Public(BaseModel):
    # populate_by_name: serializers fill ``table_schema``, the JSON says ``schema`` (BaseModel has a .schema()).
    model_config = ConfigDict(populate_by_name=True)


# --- Errors ---------------------------------------------------------------------------------------------


class ErrorBody(_Public):
    code: str = Field(examples=["invalid_parameter"], description="A stable, machine-readable code")
    message: str = Field(description="What was wrong, for a person")
    apply_url: str | None = Field(
        default=None, description="403 access_requires_grant only: the page where the caller applies for a grant")


class ErrorResponse(_Public):
    """Every error of the JSON API: ``{"error": {"code": …, "message": …}}``."""

    error: ErrorBody


_ERROR_WHEN = {
    400: "A NUL character in the path or a parameter, or a malformed Range header",
    401: "invalid_api_key: the API key is unknown, revoked or expired (or the call needs a login)",
    403: "access_requires_grant: the dataset is 有条件开放 (conditional) and its data needs an access grant; or"
         " csrf_failed: a change made with the browser session without its X-CSRF-Token header",
    404: "No such dataset, resource, version or schema",
    409: "The resource is not a table, or its table could not be read (or, for applications: a conflict)",
    410: "The dataset was withdrawn by its publisher",
    416: "A Range that starts past the end of the file",
    422: "A parameter is out of range, not one of the allowed values, or not valid for the table",
    503: "The query ran past its time limit",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries of a route's error statuses, each the one error shape."""
    return {status: {"model": ErrorResponse, "description": _ERROR_WHEN[status]} for status in statuses}


_BYTES = {"type": "string", "format": "binary"}
# A JSON conversion, or an original file, which may itself be JSON (GeoJSON, …): any value. schemathesis found
# an original application/geo+json file "breaking" the bytes schema once it was declared for */*.
_ANY: dict[str, Any] = {}


def file_responses(media_types: dict[str, str], *, partial: bool = False) -> dict[int | str, dict[str, Any]]:
    """The 200 of a route that sends a file or a stream: its media types (→ what each holds), bytes of any
    content. ``partial``: also 206 (a ``Range``) and 304 (``If-None-Match`` matched the ``ETag``)."""
    content = {media: {"schema": _ANY if media == "*/*" or media.endswith("json") else _BYTES}
               for media in media_types}
    described = "; ".join(f"{media}: {what}" for media, what in media_types.items())
    responses: dict[int | str, dict[str, Any]] = {200: {"description": described, "content": content}}
    if partial:
        responses[206] = {"description": "The asked-for byte range (Range header)", "content": content}
        responses[304] = {"description": "Not modified: If-None-Match matched the ETag"}
    return responses


# --- Directory ------------------------------------------------------------------------------------------


class DomainRef(_Public):
    code: str
    name: str


class DomainNamed(DomainRef):
    name_en: str


class DomainPublic(DomainNamed):
    """One of the 12 domains (数据领域) with its number of published datasets."""

    dataset_count: int


class DepartmentRef(_Public):
    name: str = Field(description="The department's slug")
    title: str


class DepartmentNamed(DepartmentRef):
    title_en: str | None


class DepartmentPublic(DepartmentNamed):
    """A department (数据提供方) that publishes datasets."""

    dataset_count: int


class RatingSummary(_Public):
    """A dataset's star ratings (1–5): their mean (2 decimals; null without ratings) and how many."""

    average: float | None
    count: int


class DatasetSummary(_Public):
    """A dataset as the directory and search list it."""

    name: str
    title: str
    description: str
    domain: DomainRef
    department: DepartmentRef
    keywords: list[str]
    formats: list[str]
    open_class: str
    update_frequency: str | None
    modified: Timestamp | None
    first_published: Timestamp | None
    url: str


class DirectoryPage(_Public):
    """One page of the dataset directory, newest first."""

    count: int
    page: int
    size: int
    results: list[DatasetSummary]


# --- One dataset ----------------------------------------------------------------------------------------


class ValidationReportPublic(_Public):
    status: str
    error_count: int
    errors_by_type: dict[str, int]
    errors: list[dict[str, Any]] = Field(description="The first 10 errors (no cell values when data is not public)")


class VersionPublic(_Public):
    id: int
    sha256: str
    size: int
    row_count: int | None
    validation_status: str
    created: Timestamp | None


class ResourcePublic(_Public):
    name: str
    title: str | None
    description: str | None
    format: str | None
    media_type: str | None
    size: int | None
    row_count: int | None
    sha256: str | None
    encoding: str | None
    table_schema: dict[str, Any] | None = Field(alias="schema", description="The Table Schema of its table")
    schema_ref: str | None
    validation: ValidationReportPublic | None
    current_version: int | None
    versions: list[VersionPublic]
    downloads: int
    api_calls: int


class PiiColumnPublic(_Public):
    resource: str
    column: str
    kind: str = Field(description="resident_id | mobile | bank_card | email | person_name")
    label: str = Field(description="身份证号, 手机号, 银行卡号, 电子邮箱, 姓名")
    rows: int = Field(description="Rows holding it (estimated from a sample when ``estimated``)")
    estimated: bool
    examples: list[str] = Field(description="A few masked examples, never the raw values")
    message: str


class PiiPublic(_Public):
    """The personal-information warning of a published dataset whose tables hold personal data (docs/quality.md)."""

    status: str = Field(description="flagged")
    sample_masked: bool = Field(description="The public sample shows these columns masked (有条件开放 data)")
    columns: list[PiiColumnPublic]


class DatasetDetail(DatasetSummary):
    """All metadata of a dataset, with its resources, their versions and validation."""

    domain: DomainNamed
    department: DepartmentNamed
    open_class_label: str
    license_id: str | None
    licenses: list[dict[str, Any]]
    version: str | None
    temporal_coverage: str | None
    spatial_coverage: str | None
    contact: dict[str, Any] | None
    extras: dict[str, Any]
    created: Timestamp | None
    state: str
    validation_status: str
    row_count: int | None
    downloads: int
    api_calls: int
    resources: list[ResourcePublic]
    rating: RatingSummary = Field(default_factory=lambda: RatingSummary(average=None, count=0),
                                  description="Users' star ratings (catalog/community/ratings.py)")
    pii: PiiPublic | None = Field(default=None, description=(
        "Set when its tables hold personal data and it is published all the same: an open dataset under "
        "ODP_PII_POLICY=flag, or a 有条件开放 one (docs/quality.md)"))


# --- Search ---------------------------------------------------------------------------------------------


class SearchHitPublic(DatasetSummary):
    highlights: dict[str, str] = Field(description="title/description snippets, HTML-escaped, matches in <mark>")
    score: float
    rating: RatingSummary = Field(default_factory=lambda: RatingSummary(average=None, count=0),
                                  description="Users' star ratings, read from the database for this page of hits")


class FacetPublic(_Public):
    value: str
    label: str
    count: int


class SearchResponse(_Public):
    """One page of search hits, and facet counts over the whole result."""

    count: int
    page: int
    size: int
    results: list[SearchHitPublic]
    facets: dict[str, list[FacetPublic]]
    suggestion: str | None = Field(
        default=None, description="The corrected query (您是不是要找), applied or offered; null when none"
    )
    corrected: bool = Field(default=False, description="True when the results are those of `suggestion`")


class SuggestionPublic(_Public):
    """One search-as-you-type suggestion."""

    text: str = Field(description="What to show: the dataset title, the keyword or the department title")
    kind: Literal["dataset", "keyword", "department"]
    name: str = Field(description="The dataset name, the keyword, or the department slug")


class SuggestResponse(_Public):
    """Suggestions for a prefix typed in characters, pinyin or initials, best first."""

    suggestions: list[SuggestionPublic]


# --- Published schemas ----------------------------------------------------------------------------------


class SchemaSummary(_Public):
    name: str
    title: str
    description: str
    field_count: int
    url: str


class TableSchemaPublic(_Public):
    """A published Table Schema (数据标准) and its Frictionless descriptor."""

    name: str
    title: str
    description: str
    table_schema: dict[str, Any] = Field(alias="schema")


# --- Rows -----------------------------------------------------------------------------------------------


class FieldPublic(_Public):
    name: str
    type: str = Field(description="The Table Schema type")
    title: str | None


class RowsPage(_Public):
    """A page of a table's rows (the rows API), or its public sample."""

    fields: list[FieldPublic]
    rows: list[dict[str, Any]] = Field(description="Objects keyed by field name, values typed by the schema")
    next: str | None = Field(description="The token of the next page; null on the last one")
    next_url: str | None
    total: int | None = Field(default=None, description="All matching rows; sent only with _total=1")


# --- Exports (catalog/exports/) --------------------------------------------------------------------------


class DataPackageResource(_Public):
    """One resource of a dataset's Frictionless descriptor: the original's absolute download URL and its facts."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")
    name: str
    path: str
    format: str | None = None
    mediatype: str | None = None
    encoding: str | None = None
    bytes: int | None = None
    hash: str | None = Field(default=None, description='"sha256:<hex>" of the original file (streamed formats)',
                             pattern=r"^sha256:[0-9a-f]{64}$")
    checksum: str | None = Field(default=None, description='"sha256:<hex>" of a workbook (XLSX, XLS) original',
                                 pattern=r"^sha256:[0-9a-f]{64}$")
    table_schema: dict[str, Any] | None = Field(default=None, alias="schema")


class DataPackage(_Public):
    """A Frictionless Data Package descriptor of one open dataset (``frictionless validate <URL>`` reads it)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")
    name: str
    title: str
    homepage: str
    resources: list[DataPackageResource]


# --- Accounts: API keys and applications (portal/api/routes/keys.py, applications.py) ------------------------


class ApiKeyPublic(_Public):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart; never the key")
    created: Timestamp
    expires: Timestamp | None = None
    revoked: Timestamp | None = None
    last_used: Timestamp | None = None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself: shown in this answer only, never again")


def _no_nul(value: str) -> str:
    """PostgreSQL text cannot hold a NUL character: refused here (422), never a driver error."""
    if "\x00" in value:
        raise ValueError("holds a NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A text field of a request body: every such field refuses NUL (what the middleware does for paths and query
strings, portal/api/errors.py)."""


class ApiKeyRequest(BaseModel):
    name: Text = Field(min_length=1, max_length=200)
    days: int | None = Field(default=None, ge=1, le=3650, description="Expire after this many days (default never)")


class ApplicationPublic(_Public):
    id: int
    dataset: str
    status: str = Field(description="pending | approved | rejected | revoked")
    purpose: str
    scenario: str
    organization: str
    days: int
    created: Timestamp
    decided: Timestamp | None = None
    reason: str | None = None
    grant_expires: Timestamp | None = None
    agreement_sha256: str | None = Field(
        default=None, description="SHA-256 of the data-use agreement text accepted (null: applied before it was kept)")


class AgreementPublic(_Public):
    dataset: str
    department: str = Field(description="The providing department's slug")
    department_title: str
    own: bool = Field(description="true: the department's own text; false: the portal's default agreement")
    text: str = Field(description="The data-use agreement (数据利用协议) an application accepts")
    sha256: str = Field(description="SHA-256 of the text (UTF-8); send it as agreement_sha256 when applying")
    required: bool = Field(description="true: 有条件开放, the data needs an approved application that accepts this "
                                       "text; false: the data is open, no application is needed")


class ApplicationRequest(BaseModel):
    purpose: Text = Field(min_length=1, max_length=5000, description="用途")
    scenario: Text = Field(min_length=1, max_length=5000, description="应用场景")
    organization: Text = Field(default="", max_length=300)
    days: int = Field(ge=1, description="Requested duration, at most ODP_APPLICATION_MAX_DAYS (365)")
    accept_agreement: bool = Field(description="The dataset's data-use agreement (数据利用协议) is accepted")
    agreement_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$",
        description="The sha256 of GET …/agreement that was read: if the department has changed its text since, "
                    "the application is refused (409 agreement_changed) instead of accepting an unread text")


class ApproveRequest(BaseModel):
    days: int | None = Field(default=None, ge=1, description="Grant fewer days than asked (default: as asked)")


class ReasonRequest(BaseModel):
    reason: Text = Field(min_length=1, max_length=2000)


# --- Usage of the calling account's keys (portal/api/routes/usage.py; catalog/accounts/usage.py) ----------------

Day = Annotated[str, Field(json_schema_extra={"format": "date"}, examples=["2026-03-01"])]


class UsageDayPublic(_Public):
    day: Day = Field(description="A UTC day")
    requests: int
    bytes: int = Field(description="Body bytes sent in the answers")


class DatasetUsagePublic(_Public):
    dataset: str = Field(description="The dataset's name")
    title: str
    requests: int
    bytes: int


class UsageSeriesPublic(_Public):
    requests: int = Field(description="Requests over the window")
    bytes: int = Field(description="Body bytes sent over the window")
    days: list[UsageDayPublic] = Field(description="Every day of the window, oldest first, days without use as 0")
    datasets: list[DatasetUsagePublic] = Field(
        description="Totals per dataset, most requests first (requests about no one dataset — search, lists —"
                    " count in the days only)")


class KeyUsagePublic(_Public):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart; never the key")
    revoked: Timestamp | None = None
    requests: int = Field(description="Requests over the window")
    bytes: int = Field(description="Body bytes sent over the window")
    days: list[UsageDayPublic] = Field(description="Every day of the window, oldest first, days without use as 0")
    datasets: list[DatasetUsagePublic] = Field(description="Totals per dataset, most requests first")


class UsageResponse(_Public):
    """The calling account's API usage over the last 30 days (today included), per key and per dataset."""

    since: Day
    until: Day
    keys: list[KeyUsagePublic] = Field(description="Every key of the account, revoked ones too")
    session: UsageSeriesPublic = Field(description="Calls made with the browser session (logged in on the site)")


# --- Account export (portal/api/routes/account.py; catalog/accounts/export.py) ----------------------------


class ExportProfile(_Public):
    id: int
    email: str
    name: str
    role: str = Field(description="user | reviewer | organizer | admin")
    created: Timestamp
    departments: list[str] = Field(description="A reviewer's departments (slugs)")
    totp_enabled: bool
    deleted: Timestamp | None = None


class ExportKey(ApiKeyPublic):
    """A key as listed: name, visible prefix and times — never the key or its hash."""


class ExportApplication(_Public):
    id: int
    dataset: str | None
    purpose: str
    scenario: str
    organization: str
    days: int
    status: str
    created: Timestamp
    decided: Timestamp | None = None
    reason: str | None = None


class ExportGrant(_Public):
    id: int
    application_id: int
    dataset: str | None
    starts: Timestamp
    expires: Timestamp
    revoked: Timestamp | None = None


class ExportUsageDay(_Public):
    day: str = Field(json_schema_extra={"format": "date"})
    key_id: int | None = Field(description="The key; null: the browser session")
    dataset: str | None = Field(description="null: no dataset (search, listings)")
    requests: int
    bytes: int


class ExportPasswordReset(_Public):
    created: Timestamp
    expires: Timestamp
    used: Timestamp | None = None


class ExportAuditEvent(_Public):
    time: Timestamp
    event: str
    key_prefix: str | None = None
    dataset: str | None = None
    route: str | None = None
    bytes: int | None = None
    ip: str | None = None
    detail: str | None = None


class ExportRating(_Public):
    dataset: str | None
    stars: int
    updated: Timestamp


class ExportComment(_Public):
    id: int
    dataset: str | None = Field(description="The dataset commented on; null for a comment on a data request")
    request_id: int | None = None
    reply_to: int | None = None
    body: str
    official: bool
    created: Timestamp
    hidden: Timestamp | None = None
    hidden_reason: str | None = None


class ExportDataRequest(_Public):
    id: int
    title: str
    description: str
    purpose: str | None = None
    domain: str | None = None
    status: str
    answer: str | None = None
    created: Timestamp
    hidden: Timestamp | None = None


class ExportVote(_Public):
    request_id: int
    created: Timestamp


class ExportErrorReport(_Public):
    id: int
    dataset: str | None
    kind: str
    body: str
    row: int | None = None
    field: str | None = None
    status: str
    answer: str | None = None
    created: Timestamp


class ExportNotification(_Public):
    kind: str
    message: str
    link: str | None = None
    created: Timestamp


class ExportReuse(_Public):
    id: int
    kind: str
    title: str
    url: str
    description: str
    image: str | None = None
    created: Timestamp
    approved: Timestamp | None = None
    datasets: list[str | None]


class ExportFollow(_Public):
    dataset: str | None
    created: Timestamp


class AccountExport(_Public):
    """Everything the portal keeps about the calling account (个人信息保护法): what ``/account/export`` downloads."""

    exported: Timestamp
    profile: ExportProfile
    keys: list[ExportKey]
    applications: list[ExportApplication]
    grants: list[ExportGrant]
    usage: list[ExportUsageDay]
    password_resets: list[ExportPasswordReset]
    audit_events: list[ExportAuditEvent]
    ratings: list[ExportRating]
    comments: list[ExportComment]
    data_requests: list[ExportDataRequest]
    votes: list[ExportVote]
    error_reports: list[ExportErrorReport]
    reuses: list[ExportReuse]
    follows: list[ExportFollow]
    notifications: list[ExportNotification]
