"""Dataset search: a backend contract (:mod:`.base`) and the embedded Whoosh + jieba backend.

Usage::

    from catalog.search import WhooshBackend, SearchDocument, SearchQuery

    backend = WhooshBackend(data_dir / "index")
    backend.index_documents([SearchDocument(name="parking", title="上海市公共停车场信息", ...)])
    result = backend.search(SearchQuery(q="停车场", filters={"domain": ["transport"]}))
"""

from catalog.search.base import (
    FACET_NAMES,
    MULTI_VALUED_FACETS,
    SORT_MODES,
    FacetValue,
    IndexLockedError,
    SearchBackend,
    SearchDocument,
    SearchError,
    SearchHit,
    SearchQuery,
    SearchResult,
)
from catalog.search.whoosh.backend import WhooshBackend

__all__ = [
    "FACET_NAMES",
    "MULTI_VALUED_FACETS",
    "SORT_MODES",
    "FacetValue",
    "IndexLockedError",
    "SearchBackend",
    "SearchDocument",
    "SearchError",
    "SearchHit",
    "SearchQuery",
    "SearchResult",
    "WhooshBackend",
]
