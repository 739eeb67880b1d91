"""The search backend contract: plain documents in, hits and facet counts out.

The catalog turns each dataset into a :class:`SearchDocument` and hands it to a backend; the portal turns
request parameters into a :class:`SearchQuery`. Nothing here knows about the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from catalog import access
from catalog.vocabulary import DatasetState, OpenClass, PiiStatus

#: Facet (and filter) names, in the order the portal shows them.
FACET_NAMES: tuple[str, ...] = (
    "domain",
    "department",
    "format",
    "open_class",
    "update_frequency",
    "keywords",
)

#: Facets whose documents carry a list of values (a dataset has several formats and keywords).
MULTI_VALUED_FACETS: frozenset[str] = frozenset({"format", "keywords"})

#: ``relevance`` (score desc, empty q: modified desc), ``modified`` (newest first), ``title`` (A→Z by code
#: point), ``downloads`` (most first).
SORT_MODES: tuple[str, ...] = ("relevance", "modified", "title", "downloads")

MAX_PAGE_SIZE = 1000
MAX_QUERY_CHARS = 256


class SearchError(Exception):
    """Base class of the errors a search backend raises."""


class IndexLockedError(SearchError, TimeoutError):
    """Another writer held the index write lock for longer than the lock timeout."""


@dataclass
class SearchDocument:
    """One dataset, flattened for the search index. ``name`` is the key."""

    name: str  # unique dataset slug
    title: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    domain_code: str = ""  # e.g. "transport"
    domain_name: str = ""  # e.g. "道路交通"
    department_name: str = ""  # slug, e.g. "jtw"
    department_title: str = ""  # e.g. "上海市交通委员会"
    formats: list[str] = field(default_factory=list)  # e.g. ["CSV", "XLSX"]
    open_class: str = OpenClass.open
    update_frequency: str = ""  # e.g. 每月
    resource_names: list[str] = field(default_factory=list)
    field_texts: list[str] = field(default_factory=list)  # schema field titles and descriptions
    state: str = DatasetState.active
    pii_status: str = PiiStatus.clean  # a blocked dataset is not searchable (catalog/privacy/policy.py)
    modified: datetime | None = None
    downloads: int = 0

    @property
    def searchable(self) -> bool:
        """Whether the access policy lists it (withdrawn and closed (非开放) datasets never are): the index holds
        only what anonymous search may return, and the service filters hits with the same policy's SQL form."""
        return access.listed(self)


def _all_facets() -> list[str]:
    return list(FACET_NAMES)


@dataclass
class SearchQuery:
    """What to search for.

    ``q`` is plain user text: whitespace-separated words must all match (in any field); text inside double
    quotes ("…" or “…”) must match as a phrase. Nothing else is syntax. An empty ``q`` lists everything.

    ``filters`` maps facet names to accepted values: OR within a key, AND across keys. Facet counts are
    computed over the result set, except that a facet with a filter is counted without its own filter
    (the query and the other filters applied): "disjunctive" counts, what choosing another value would add.
    """

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    facets: list[str] = field(default_factory=_all_facets)
    facet_limit: int = 50
    #: False skips loading and marking titles/descriptions (hits get empty ``highlights``): for callers
    #: that only need the ranked names, e.g. paging through every match.
    highlight: bool = True

    def validate(self) -> None:
        """Raise ``ValueError`` for a malformed query (the API turns it into a 400)."""
        if self.sort not in SORT_MODES:
            raise ValueError(f"unknown sort {self.sort!r}; expected one of {', '.join(SORT_MODES)}")
        for name in list(self.filters) + list(self.facets):
            if name not in FACET_NAMES:
                raise ValueError(f"unknown facet {name!r}; expected one of {', '.join(FACET_NAMES)}")
        if self.page < 1:
            raise ValueError("page must be >= 1")
        if not 0 <= self.size <= MAX_PAGE_SIZE:
            raise ValueError(f"size must be between 0 and {MAX_PAGE_SIZE}")
        if self.facet_limit < 0:
            raise ValueError("facet_limit must be >= 0")


@dataclass
class SearchHit:
    name: str
    score: float
    #: ``title`` and ``description`` snippets: HTML-escaped text with matches wrapped in <mark>…</mark>.
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass
class FacetValue:
    value: str
    count: int


@dataclass
class SearchResult:
    count: int
    hits: list[SearchHit]
    #: facet name -> values sorted by count desc, then value asc.
    facets: dict[str, list[FacetValue]]
    #: the corrected query text when a typo correction exists (applied or only offered), else None
    suggestion: str | None = None
    #: True when the hits are those of ``suggestion`` (the query as typed found nothing)
    corrected: bool = False


@runtime_checkable
class SearchBackend(Protocol):
    def index_documents(self, docs: Iterable[SearchDocument]) -> None:
        """Add or replace documents by name, in one commit. Unsearchable ones are removed."""

    def remove(self, names: Iterable[str]) -> None:
        """Remove documents by name (unknown names are ignored), in one commit."""

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query. Never raises for odd ``q`` text; raises ``ValueError`` for bad parameters."""

    def rebuild(self, docs: Iterable[SearchDocument]) -> None:
        """Replace the whole index with ``docs`` (``odp reindex``)."""

    def doc_count(self) -> int:
        """Number of searchable documents in the index."""
