"""The search page's request state (query, filters, sort, page) and the links that change it.

Every facet, filter chip, sort option and page number is a plain link built here, so the page works with
the keyboard and without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from catalog import access
from catalog.quality.rubric import lowest_score
from catalog.search.base import MAX_QUERY_CHARS, SORT_MODES
from catalog.search.service import FacetCount

#: Facets shown on the search page, in order, with their Chinese headings.
FACETS: dict[str, str] = {
    "domain": "数据领域",
    "department": "提供部门",
    "format": "数据格式",
    "open_class": "开放属性",
    "update_frequency": "更新频度",
    "keywords": "关键字",
}
SORTS: dict[str, str] = {"relevance": "相关度", "modified": "最近更新", "title": "名称", "downloads": "下载量",
                         "quality": "质量评分"}
#: The quality filter's choices: a grade or better (catalog/quality/rubric.py GRADES; 差 is no filter at all).
GRADE_CHOICES: dict[str, str] = {"优": "优（85 分及以上）", "良": "良及以上（70 分及以上）", "中": "中及以上（60 分及以上）"}
PAGE_SIZE = 10
MAX_PAGE = 1000


@dataclass
class SearchState:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    grade: str = ""  # one of GRADE_CHOICES: only datasets of that grade or better

    @classmethod
    def from_params(cls, params: QueryParams) -> SearchState:
        """Lenient parsing: a page never fails on odd parameters, it ignores what it cannot use."""
        filters = {}
        for name in FACETS:
            values = [v.strip() for v in params.getlist(name) if v.strip()]
            if name == "format":
                values = [v.upper() for v in values]
            if name == "open_class":
                values = [v for v in values if v in access.LISTABLE_OPEN_CLASSES]
            if values:
                filters[name] = list(dict.fromkeys(values))[:20]
        sort = params.get("sort", "relevance")
        try:
            page = min(max(int(params.get("page", "1")), 1), MAX_PAGE)
        except ValueError:
            page = 1
        return cls(
            q=params.get("q", "").strip()[:MAX_QUERY_CHARS],
            filters=filters,
            sort=sort if sort in SORT_MODES else "relevance",
            page=page,
            grade=params.get("grade", "") if params.get("grade", "") in GRADE_CHOICES else "",
        )

    @property
    def filter_count(self) -> int:
        return sum(len(v) for v in self.filters.values()) + (1 if self.grade else 0)

    @property
    def min_score(self) -> int | None:
        return lowest_score(self.grade) if self.grade else None

    def url(self, *, filters: dict[str, list[str]] | None = None, sort: str | None = None,
            page: int | None = None, q: str | None = None, grade: str | None = None) -> str:
        """This search with some parts changed (any change of query or filters goes back to page 1)."""
        params: list[tuple[str, str]] = []
        text = self.q if q is None else q
        if text:
            params.append(("q", text))
        for name, values in (self.filters if filters is None else filters).items():
            params.extend((name, v) for v in values)
        grade = self.grade if grade is None else grade
        if grade:
            params.append(("grade", grade))
        sort = sort or self.sort
        if sort != "relevance":
            params.append(("sort", sort))
        if page and page > 1:
            params.append(("page", str(page)))
        return "/search" + ("?" + urlencode(params) if params else "")

    def page_url(self, page: int) -> str:
        return self.url(page=page)

    def is_active(self, name: str, value: str) -> bool:
        return value in self.filters.get(name, [])

    def toggle_url(self, name: str, value: str) -> str:
        current = self.filters.get(name, [])
        values = [v for v in current if v != value] if value in current else [*current, value]
        return self.url(filters={k: v for k, v in ({**self.filters, name: values}).items() if v})

    def grade_url(self, grade: str) -> str:
        """Choose the grade, or drop it when it is the one chosen."""
        return self.url(grade="" if grade == self.grade else grade)

    def without_filters_url(self) -> str:
        return self.url(filters={}, grade="")


@dataclass(frozen=True)
class FacetLink:
    value: str
    label: str
    count: int
    active: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    links: list[FacetLink]


def facet_groups(state: SearchState, facets: dict[str, list[FacetCount]],
                 labels: dict[str, dict[str, str]] | None = None) -> list[FacetGroup]:
    """Facet values as links; a selected value stays listed (with its count) so it can be unticked."""
    groups = []
    for name, title in FACETS.items():
        values = list(facets.get(name, []))
        seen = {v.value for v in values}
        for missing in state.filters.get(name, []):  # selected but matching nothing now
            if missing not in seen:
                label = (labels or {}).get(name, {}).get(missing, missing)
                values.append(FacetCount(missing, label, 0))
        links = [
            FacetLink(v.value, v.label, v.count, state.is_active(name, v.value), state.toggle_url(name, v.value))
            for v in values
        ]
        if links:
            groups.append(FacetGroup(name, title, links))
    return groups


def page_window(page: int, pages: int, width: int = 2) -> list[int | None]:
    """Page numbers to link, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
    wanted = {1, pages, *range(page - width, page + width + 1)}
    shown = sorted(p for p in wanted if 1 <= p <= pages)
    out: list[int | None] = []
    for p in shown:
        if out and p - (out[-1] or 0) > 1:
            out.append(None)
        out.append(p)
    return out
