"""Who may see what — the one access policy. Every route, query, export and CLI command asks this module; no
other module compares a dataset's open class or state to decide visibility.

For a dataset and a principal (``None`` is anonymous; else an account or API key, see :class:`Principal`) it answers four questions:

* **listed?** — may the dataset appear in search, the directory, counts, CKAN's lists (later feeds, exports);
* **metadata shown?** — may its page, its JSON, its CKAN ``package_show`` be served; if not, is it *hidden*
  (closed, 非开放: answer "not found", as if it never existed) or *withdrawn* (answer 410 Gone);
* **data readable?** — downloads in every format, rows, rows.csv, CKAN ``datastore_search``, previews beyond
  the public sample, validation errors with their cells;
* **how many sample rows are public?** — the page preview and ``/sample`` (``ODP_PUBLIC_SAMPLE_ROWS``), shown
  even when the data itself is not readable (有条件开放: the sample helps a reader decide to apply).

Each question has a Python form for one object (:func:`decide`, :func:`listed`, :func:`data_readable`, …) and
listings have one SQL form, :func:`listed_clause`, used in ``select(...).where(...)``. The two must agree;
``tests/catalog/test_access.py`` checks the clause against :func:`listed` over every class × state.

Why one module: access grants are coming (accounts, API keys, contest teams). A grant changes the answer for
one principal and one dataset; a route that compared ``open_class`` itself would not see it and would leak or
refuse. With every caller asking here, a grant is added in one place — :class:`Principal` is the type the
accounts issue will fill, and ``tests/portal/test_access_routes.py`` fails for a route that forgets to ask.

The second half keeps what of a dataset's stored facts may be shown to someone who may not read its data.
A stored validation report keeps, for each of its first errors, the offending ``cell`` and frictionless's
``message``, which quotes that cell ('Type error in the cell "…" in row "81" …') — cells of rows far past the
public sample. For a dataset whose data the caller may not read, every output (JSON API, pages, CKAN API,
``odp validate``) shows the report through :func:`public_validation_report`: each error keeps its type, title,
row and field, loses its cell, and gets a message rebuilt from those four facts. The message is rebuilt
rather than cleaned because frictionless's wording varies by error type (constraint notes, foreign-key
values, parser messages); a pattern that strips quoted text would miss the next one. The stored report is
never changed: a reader with a grant sees it whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ColumnElement

from catalog.config import PiiPolicy
from catalog.models import Dataset
from catalog.vocabulary import DatasetState, OpenClass, PiiStatus

if TYPE_CHECKING:
    from catalog.privacy.findings import PiiKind

#: The facts of an error that say where and what, never which value.
ERROR_FACTS = ("type", "title", "row", "field")


class Principal(Protocol):
    """Who asks: an account (via its session) or an API key (via its account); ``None`` is anonymous. It carries
    the ids of the datasets its account holds an unexpired, unrevoked grant on, read fresh for each request
    (catalog/accounts/principals.py), so a revoked or expired grant stops working with the next request. Roles
    give no data: reviewers and admins read 有条件开放 data only with a grant of their own."""

    @property
    def id(self) -> int: ...

    @property
    def granted(self) -> frozenset[int]: ...


class Governed(Protocol):
    """What the policy reads of a dataset: a ``Dataset`` row, a search document, a CKAN record's dataset."""

    open_class: str
    state: str
    pii_status: str  # PiiStatus: ``blocked`` is never published (catalog/privacy/policy.py)


class DatasetNotFound(LookupError):
    """No such dataset — or one the caller may not know of (closed, 非开放)."""


class DatasetWithdrawn(LookupError):
    """The dataset was withdrawn by its publisher: 410 Gone."""


class Visibility(StrEnum):
    """What a caller may know of a dataset's existence and metadata."""

    shown = "shown"
    withdrawn = "withdrawn"  # metadata withheld; the answer says it is gone (410)
    hidden = "hidden"  # the answer is "not found" (404), exactly as for a name that never existed


#: Open classes that are ever listed (the search facet offers no others).
LISTABLE_OPEN_CLASSES: tuple[OpenClass, ...] = (OpenClass.open, OpenClass.conditional)


def visibility(dataset: Governed, principal: Principal | None = None) -> Visibility:
    """Closed comes first: a withdrawn closed dataset is still "not found", never "withdrawn". A dataset the
    personal-information policy blocks (open, unmasked personal data, ``ODP_PII_POLICY=block``) is not published:
    "not found" too, like a closed one, until a harvest of clean data publishes it again."""
    if dataset.open_class == OpenClass.closed or pii_blocked(dataset):
        return Visibility.hidden
    if dataset.state != DatasetState.active:
        return Visibility.withdrawn
    return Visibility.shown


def pii_blocked(dataset: Governed) -> bool:
    return getattr(dataset, "pii_status", PiiStatus.clean) == PiiStatus.blocked


def blocked_by_pii_policy(dataset: Governed, has_personal_data: bool, policy: PiiPolicy) -> bool:
    """Whether ``ODP_PII_POLICY`` keeps a dataset whose tables hold unmasked personal data unpublished: open
    (无条件开放) data under ``block``. 有条件开放 data is published either way — its data is read only under a
    grant, and its public sample is masked (:func:`masked_sample_columns`). catalog/privacy/policy.py stores the
    answer as the dataset's ``pii_status``, which :func:`visibility` reads."""
    return has_personal_data and policy == PiiPolicy.block and dataset.open_class == OpenClass.open


def listed(dataset: Governed, principal: Principal | None = None) -> bool:
    """Whether the dataset appears in search, the directory, counts and CKAN's lists."""
    return visibility(dataset, principal) is Visibility.shown


def metadata_shown(dataset: Governed, principal: Principal | None = None) -> bool:
    """Whether its page, JSON and CKAN dicts may be served (today: exactly the listed ones)."""
    return visibility(dataset, principal) is Visibility.shown


def require_metadata(dataset: Governed, principal: Principal | None = None, *, name: str = "") -> None:
    """Raise :class:`DatasetNotFound` (hidden) or :class:`DatasetWithdrawn` unless its metadata may be shown."""
    seen = visibility(dataset, principal)
    if seen is Visibility.hidden:
        raise DatasetNotFound(f"no dataset named '{name}'")
    if seen is Visibility.withdrawn:
        raise DatasetWithdrawn(f"dataset '{name}' has been withdrawn by its publisher")


def data_readable(dataset: Governed, principal: Principal | None = None) -> bool:
    """Whether the caller may read the dataset's data (its rows, cells and files): open (无条件开放) datasets
    whose metadata is shown, and 有条件开放 ones the principal holds a live grant on."""
    if not metadata_shown(dataset, principal):
        return False
    return dataset.open_class == OpenClass.open or (
        dataset.open_class == OpenClass.conditional and principal is not None
        and getattr(dataset, "id", None) in principal.granted)


def needs_grant(dataset: Governed, principal: Principal | None = None) -> bool:
    """Shown but not readable: 有条件开放 data without a grant (the answer is 403 ``access_requires_grant``)."""
    return metadata_shown(dataset, principal) and not data_readable(dataset, principal)


def read_under_grant(dataset: Governed, principal: Principal | None = None) -> bool:
    """A read that the audit log records: 有条件开放 data, readable through a grant."""
    return dataset.open_class == OpenClass.conditional and data_readable(dataset, principal)


def public_sample_rows(dataset: Governed, sample_rows: int, principal: Principal | None = None) -> int:
    """How many leading rows anyone may see (the page preview, ``/sample``): ``ODP_PUBLIC_SAMPLE_ROWS`` for a
    shown dataset, open or conditional alike; none for a hidden or withdrawn one."""
    return max(sample_rows, 0) if metadata_shown(dataset, principal) else 0


def masked_sample_columns(dataset: Governed, pii_report: dict[str, Any] | None,
                          principal: Principal | None = None) -> dict[str, PiiKind]:
    """Columns of a table's public sample (page preview, ``/sample``) to show masked: those its personal-information
    scan flagged, for a caller who may not read the data (有条件开放 without a grant). A reader of the data gets
    them as published — the same cells a download gives."""
    from catalog.privacy.masking import columns_to_mask  # here: catalog.privacy's policy imports this module

    if data_readable(dataset, principal):
        return {}
    return columns_to_mask(pii_report)


@dataclass(frozen=True)
class Access:
    """The policy's answers for one dataset and one principal, for templates and serializers (which get
    booleans, never an open class to compare)."""

    visibility: Visibility
    listed: bool
    metadata: bool
    data_readable: bool
    sample_rows: int


def decide(dataset: Governed, principal: Principal | None = None, *, sample_rows: int = 0) -> Access:
    return Access(
        visibility=visibility(dataset, principal),
        listed=listed(dataset, principal),
        metadata=metadata_shown(dataset, principal),
        data_readable=data_readable(dataset, principal),
        sample_rows=public_sample_rows(dataset, sample_rows, principal),
    )


def listed_clause(principal: Principal | None = None) -> ColumnElement[bool]:
    """The SQL form of :func:`listed`, for ``select(...).where(listed_clause())`` over ``Dataset``."""
    return (
        (Dataset.state == DatasetState.active)
        & (Dataset.open_class != OpenClass.closed)
        & (Dataset.pii_status != PiiStatus.blocked)
    )


# --- Contest packages (catalog/contests/) -------------------------------------------------------------------
#
# A contest hands its package's full data to the members of its teams, during its data window, once each has
# accepted the data agreement — and, for a 有条件开放 dataset, once the providing department has consented. No
# grant is involved: the consent is the department's decision for the whole contest. The contest modules gather
# the facts (membership, window, consent); the decisions are made here, like every other data decision.


class ContestRefusal(StrEnum):
    """Why a contest's full data is refused; each value is the API's error code."""

    login_required = "login_required"
    not_member = "contest_not_member"
    data_closed = "contest_data_closed"
    agreement_required = "contest_agreement_required"
    team_too_small = "contest_team_too_small"
    not_full = "contest_full_not_offered"
    consent_pending = "contest_consent_pending"
    unavailable = "contest_entry_unavailable"


@dataclass(frozen=True)
class ContestSeat:
    """What the policy reads of a caller's place in a contest: its team's size and its own agreement."""

    team_id: int
    team_size: int
    agreement_accepted: bool


def contest_package_refusal(principal: Principal | None, seat: ContestSeat | None, *, data_open: bool,
                            team_min: int) -> ContestRefusal | None:
    """Whether the caller may take a contest's full data now (any entry, or the package zip); None: yes."""
    if principal is None:
        return ContestRefusal.login_required
    if seat is None:
        return ContestRefusal.not_member
    if not data_open:
        return ContestRefusal.data_closed
    if not seat.agreement_accepted:
        return ContestRefusal.agreement_required
    if seat.team_size < team_min:
        return ContestRefusal.team_too_small
    return None


def contest_needs_consent(dataset: Governed) -> bool:
    """有条件开放 data goes into a contest's full package only with its department's consent."""
    return dataset.open_class == OpenClass.conditional


def contest_entry_refusal(dataset: Governed, *, full: bool, consented: bool) -> ContestRefusal | None:
    """Whether one entry's full data may be handed to a seated member: offered in full, its dataset still
    shown (a dataset since closed or withdrawn is not handed out), and consented to when conditional."""
    if not metadata_shown(dataset):
        return ContestRefusal.unavailable
    if not full:
        return ContestRefusal.not_full
    if contest_needs_consent(dataset) and not consented:
        return ContestRefusal.consent_pending
    return None


def contest_sample_rows(dataset: Governed, entry_rows: int, public_cap: int) -> int:
    """Rows of an entry's public sample: as many as the organizer chose for open data; for 有条件开放 data no
    more than the portal's public sample (``ODP_PUBLIC_SAMPLE_ROWS``); none for a hidden or withdrawn dataset."""
    if not metadata_shown(dataset):
        return 0
    if dataset.open_class == OpenClass.open:
        return max(entry_rows, 0)
    return min(max(entry_rows, 0), public_sample_rows(dataset, public_cap))


# --- What may be shown of a dataset whose data is not readable -------------------------------------------


def public_validation_report(report: dict[str, Any] | None, *, data_readable: bool) -> dict[str, Any] | None:
    """The stored report as it may be shown: whole when the data is readable, else without cell values."""
    if report is None or data_readable:
        return report
    return {**report, "errors": [withheld_error(e) for e in report.get("errors") or [] if isinstance(e, dict)]}


def withheld_error(error: dict[str, Any]) -> dict[str, Any]:
    """One error without its cell: type, title, row and field, and a message made of them alone."""
    kept = {key: error.get(key) for key in ERROR_FACTS if key in error}
    kept["message"] = cell_free_message(kept)
    return kept


def cell_free_message(error: dict[str, Any]) -> str:
    """'Type Error in row 81, field "n" (cell value withheld: the data is not public)'."""
    what = error.get("title") or str(error.get("type") or "Error").replace("-", " ").capitalize()
    where = [f"row {error['row']}" if error.get("row") is not None else "",
             f'field "{error["field"]}"' if error.get("field") else ""]
    place = ", ".join(part for part in where if part)
    if not place:
        return f"{what} (details withheld: the data is not public)"
    return f"{what} in {place} (cell value withheld: the data is not public)"
