"""CKAN's ``package_search`` evaluated over the catalog: ``q`` / ``fq`` trees become SQL, free text goes to
the search backend (jieba-segmented Chinese), sorting and facets are done by the database.

Only published datasets are ever considered (active and not closed); there are no private or draft ones
to include. Fields understood in ``q`` and ``fq`` are listed in ``FIELDS`` (docs/ckan.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    true,
)
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from catalog import access
from catalog.ckan import query as cq
from catalog.ckan.ids import organization_name_for_id, package_name_for_id
from catalog.models import Dataset, Department, Domain, Resource
from catalog.search.base import MAX_PAGE_SIZE, SearchBackend, SearchQuery
from catalog.vocabulary import DatasetState, ResourceState, resolve_domain

ROWS_MAX = 1000
DEFAULT_ROWS = 10
DEFAULT_SORT = "score desc, metadata_modified desc"
DEFAULT_FACET_LIMIT = 50


class SearchQueryError(ValueError):
    """A ``q``, ``fq``, ``sort`` or facet the catalog cannot evaluate (CKAN's "Search Query Error")."""


@dataclass
class PackageQuery:
    q: str = ""
    fq: list[str] = field(default_factory=list)  # ``fq`` and every ``fq_list`` entry, ANDed
    sort: str | None = None
    rows: int = DEFAULT_ROWS
    start: int = 0
    facet: bool = True
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = DEFAULT_FACET_LIMIT  # negative: unlimited
    facet_mincount: int = 1


@dataclass
class FacetItem:
    name: str
    display_name: str
    count: int


@dataclass
class PackageSearchResult:
    count: int
    dataset_ids: list[int]  # the page, in order
    facets: dict[str, list[FacetItem]]
    sort: str


def published() -> ColumnElement[bool]:
    """What CKAN's lists and searches may return: the access policy's listing clause, anonymous."""
    return access.listed_clause()


# --- values ---------------------------------------------------------------------------------------------

_DATE_MATH_RE = re.compile(r"([+-])(\d+)(YEARS?|MONTHS?|DAYS?|HOURS?|MINUTES?|SECONDS?)|/(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)")


def solr_date(value: str) -> datetime:
    """A Solr date (``2024-01-01T00:00:00Z``, ``NOW-1DAY``, ``NOW/DAY``) as an aware UTC datetime.

    Date math or an offset that leaves years 1–9999 (``NOW-99999999999DAYS``) is a SearchQueryError, as
    Solr's own out-of-range dates are for CKAN."""
    try:
        return _solr_date(value)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, SearchQueryError):
            raise
        raise SearchQueryError(f"{value!r} is out of range: a date must fall within years 1 to 9999 (UTC)") from None


def _solr_date(value: str) -> datetime:
    text = value.strip()
    if text.upper().startswith("NOW"):
        moment = datetime.now(UTC)
        rest = text[3:].upper()
        pos = 0
        while pos < len(rest):
            m = _DATE_MATH_RE.match(rest, pos)
            if m is None:
                raise SearchQueryError(f"cannot read the date math in {value!r}")
            pos = m.end()
            if m.group(4):
                moment = _round_down(moment, m.group(4))
                continue
            amount = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
            unit = m.group(3).rstrip("S")
            if unit in ("YEAR", "MONTH"):
                months = moment.year * 12 + moment.month - 1 + amount * (12 if unit == "YEAR" else 1)
                moment = moment.replace(year=months // 12, month=months % 12 + 1, day=min(moment.day, 28))
            else:
                moment += timedelta(**{unit.lower() + "s": amount})
        return moment
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError as exc:
        raise SearchQueryError(f"{value!r} is not a date (use ISO 8601, e.g. 2024-01-01T00:00:00Z)") from exc
    # Solr dates are UTC; a date without zone is read the same way.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _round_down(moment: datetime, unit: str) -> datetime:
    parts = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")
    keep = parts.index(unit)
    fields: dict[str, Any] = {"microsecond": 0}
    for name, default in (("month", 1), ("day", 1), ("hour", 0), ("minute", 0), ("second", 0)):
        if parts.index(name.upper()) > keep:
            fields[name] = default
    return moment.replace(**fields)


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def _match(column: Any, term: cq.Term, *, fold_case: bool = False) -> ColumnElement[bool]:
    """``column`` equals the term's value, or matches its ``*`` / ``?`` wildcards."""
    value = term.value
    target = func.lower(column) if fold_case else column
    if fold_case:
        value = value.lower()
    if not term.has_wildcard:
        return target == value
    if value.strip("*") == "":
        return column.is_not(None)
    return target.like(_like(value), escape="\\")


def _compare(column: Any, rng: cq.Range, convert: Callable[[str], Any]) -> ColumnElement[bool]:
    parts = []
    if rng.low is not None:
        low = convert(rng.low)
        parts.append(column >= low if rng.include_low else column > low)
    if rng.high is not None:
        high = convert(rng.high)
        parts.append(column <= high if rng.include_high else column < high)
    return and_(true(), *parts) if parts else column.is_not(None)


# --- fields ---------------------------------------------------------------------------------------------


class _Compiler:
    """Turns a parsed query into a SQL condition on ``Dataset``."""

    def __init__(self, session: Session, backend: SearchBackend, *, lenient_fields: bool):
        self.session = session
        self.backend = backend
        self.lenient_fields = lenient_fields  # in ``q`` an unknown "field:" is just text
        self.dialect = session.get_bind().dialect.name

    def cond(self, node: cq.Node) -> ColumnElement[bool]:
        if isinstance(node, cq.MatchAll):
            return true()
        if isinstance(node, cq.And):
            return and_(*(self.cond(n) for n in node.nodes))
        if isinstance(node, cq.Or):
            return or_(*(self.cond(n) for n in node.nodes))
        if isinstance(node, cq.Not):
            return not_(self.cond(node.node))
        if isinstance(node, cq.Text):
            return self.text(_text_query([node]))
        name = FIELD_ALIASES.get(node.field, node.field)
        handler = FIELDS.get(name)
        if handler is None:
            if self.lenient_fields and isinstance(node, cq.Term):
                return self.text(f"{node.field}:{node.value}")
            raise SearchQueryError(f"unknown field '{node.field}' (supported: {', '.join(sorted(FIELDS))})")
        return handler(self, node)

    def text(self, text: str) -> ColumnElement[bool]:
        names = ranked_names(self.backend, text)
        return name_in(names)

    def tag(self, term: cq.Term) -> ColumnElement[bool]:
        value = keyword_values(self.dialect)
        if term.value.strip("*") == "" and not term.quoted:
            return exists(sa_select(1).select_from(value))
        return exists(sa_select(1).select_from(value).where(_match(value.c.value, term)))


def keyword_values(dialect: str) -> Any:
    """The elements of ``Dataset.keywords`` (a JSON list) as a table-valued function, correlated."""
    if dialect == "postgresql":
        # A JSON null (or anything but an array) would make json_array_elements_text raise.
        as_list = case(
            (func.json_typeof(Dataset.keywords) == "array", Dataset.keywords), else_=cast(literal("[]"), JSON)
        )
        return func.json_array_elements_text(as_list).table_valued("value")
    return func.json_each(Dataset.keywords).table_valued("value")


def _organization(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
    if isinstance(node, cq.Range):
        raise SearchQueryError("'organization' takes a value, not a range")
    return Dataset.department_id.in_(select(Department.id).where(_match(Department.name, node)))


def _owner_org(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
    if not isinstance(node, cq.Term):
        raise SearchQueryError("'owner_org' takes a value, not a range")
    name = organization_name_for_id(c.session, node.value) or node.value
    return Dataset.department_id.in_(select(Department.id).where(Department.name == name))


def _groups(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
    if not isinstance(node, cq.Term):
        raise SearchQueryError("'groups' takes a value, not a range")
    domain = None if node.has_wildcard else resolve_domain(node.value)
    if domain is not None:
        return Dataset.domain_code == domain.code
    return _match(Dataset.domain_code, node)


def _tags(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
    if not isinstance(node, cq.Term):
        raise SearchQueryError("'tags' takes a value, not a range")
    return c.tag(node)


def _res_format(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
    if not isinstance(node, cq.Term):
        raise SearchQueryError("'res_format' takes a value, not a range")
    res = aliased(Resource)  # the res_format facet query joins Resource itself
    return exists(
        sa_select(1)
        .where(res.dataset_id == Dataset.id, res.state == ResourceState.active, _match(res.format, node, fold_case=True))
        .correlate(Dataset)
    )


def _plain(column: Any, *, fold_case: bool = False) -> Callable[[_Compiler, cq.Node], ColumnElement[bool]]:
    def handler(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
        if isinstance(node, cq.Range):
            return _compare(column, node, str)
        return _match(column, node, fold_case=fold_case)

    return handler


def _contains(column: Any) -> Callable[[_Compiler, cq.Node], ColumnElement[bool]]:
    """Text-ish fields (title, notes): the value occurs in the column."""

    def handler(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
        if isinstance(node, cq.Range):
            return _compare(column, node, str)
        value = node.value.strip("*") if not node.quoted else node.value
        if not value:
            return column.is_not(None)
        return func.lower(column).like(f"%{_like(value.lower())}%", escape="\\")

    return handler


def _date(column: Any) -> Callable[[_Compiler, cq.Node], ColumnElement[bool]]:
    def handler(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
        if isinstance(node, cq.Range):
            return _compare(column, node, solr_date)
        if node.value == "*":
            return column.is_not(None)
        return column == solr_date(node.value)

    return handler


def _id(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
    if not isinstance(node, cq.Term):
        raise SearchQueryError("'id' takes a value, not a range")
    if node.value == "*":
        return true()
    name = package_name_for_id(c.session, node.value)
    return Dataset.name == name if name else false()


def _constant(accepted: set[str]) -> Callable[[_Compiler, cq.Node], ColumnElement[bool]]:
    """Fields with one value for everything we publish (state:active, capacity:public, type:dataset)."""

    def handler(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
        if isinstance(node, cq.Range):
            raise SearchQueryError("this field takes a value, not a range")
        return true() if node.value == "*" or node.value.lower() in accepted else false()

    return handler


def _text_field(c: _Compiler, node: cq.Node) -> ColumnElement[bool]:
    if isinstance(node, cq.Range):
        raise SearchQueryError("'text' takes words, not a range")
    return c.text(f'"{node.value}"' if node.quoted else node.value)


FIELDS: dict[str, Callable[[_Compiler, Any], ColumnElement[bool]]] = {
    "organization": _organization,
    "owner_org": _owner_org,
    "groups": _groups,
    "tags": _tags,
    "res_format": _res_format,
    "name": _plain(Dataset.name),
    "id": _id,
    "title": _contains(Dataset.title),
    "notes": _contains(Dataset.description),
    "license_id": _plain(Dataset.license_id),
    "metadata_modified": _date(Dataset.modified),
    "metadata_created": _date(Dataset.first_published),
    "open_class": _plain(Dataset.open_class),
    "update_frequency": _plain(Dataset.update_frequency),
    "state": _constant({DatasetState.active}),  # every listed package is active
    "capacity": _constant({"public"}),
    "private": _constant({"false"}),
    "dataset_type": _constant({"dataset"}),
    "type": _constant({"dataset"}),
    "entity_type": _constant({"package"}),
    "site_id": lambda c, node: true(),  # one site: the +site_id:… CKAN adds always matches
    "text": _text_field,
}
# Names CKAN sites also use for the same things (Solr copies, ckanext-scheming extras).
FIELD_ALIASES = {
    "title_string": "title",
    "name_string": "name",
    "domain": "groups",
    "extras_domain": "groups",
    "extras_open_class": "open_class",
    "extras_update_frequency": "update_frequency",
    "organization_name": "organization",
}


# --- free text ------------------------------------------------------------------------------------------


def _text_query(nodes: list[cq.Text]) -> str:
    return " ".join(f'"{n.text}"' if n.quoted else n.text for n in nodes)


def name_in(names: Iterable[str]) -> ColumnElement[bool]:
    """``Dataset.name IN (…)`` for the names the backend found. Rendered as literals (quoted by SQLAlchemy),
    so tens of thousands of names stay within PostgreSQL's limit on bound parameters."""
    values = list(names)
    if not values:
        return false()
    return Dataset.name.in_(bindparam(None, values, expanding=True, literal_execute=True))


def ranked_names(backend: SearchBackend, text: str) -> dict[str, int]:
    """Every dataset name the backend finds for ``text``, best first (name -> rank)."""
    names: dict[str, int] = {}
    page = 1
    while True:
        result = backend.search(
            SearchQuery(q=text, sort="relevance", page=page, size=MAX_PAGE_SIZE, facets=[], filters={})
        )
        for hit in result.hits:
            names.setdefault(hit.name, len(names))
        if len(result.hits) < MAX_PAGE_SIZE or page * MAX_PAGE_SIZE >= result.count:
            return names
        page += 1


# --- sorting --------------------------------------------------------------------------------------------

SORT_COLUMNS: dict[str, Any] = {
    "metadata_modified": Dataset.modified,
    "metadata_created": Dataset.first_published,
    "name": Dataset.name,
    "title_string": Dataset.title,
    "title": Dataset.title,
    "id": Dataset.id,  # a stable order of the catalog's own key: what harvesters page by
    "score": None,
}
IGNORED_SORTS = {"views_recent", "views_total"}  # CKAN's page-view tracking: not kept here


def parse_sort(sort: str | None) -> list[tuple[str, bool]]:
    """``"score desc, metadata_modified desc"`` -> [("score", True), ("metadata_modified", True)]."""
    spec = sort if sort and sort.strip() and sort.strip() != "rank" else DEFAULT_SORT
    keys = []
    for part in spec.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise SearchQueryError(f'Invalid "sort" parameter: {part.strip()!r}')
        name = words[0]
        if name in IGNORED_SORTS:
            continue
        if name not in SORT_COLUMNS:
            raise SearchQueryError(
                f'Invalid "sort" parameter: cannot sort on {name!r} (use {", ".join(SORT_COLUMNS)})'
            )
        keys.append((name, len(words) == 2 and words[1].lower() == "desc"))
    return keys


# --- the search -----------------------------------------------------------------------------------------


def _split_q(q: str) -> tuple[str, cq.Node]:
    """Free text for the backend, and the rest of ``q`` as a condition tree."""
    q = (q or "").strip()
    if not q or q == "*:*":
        return "", cq.MatchAll()
    if ":" not in q:  # like CKAN: a q without fields is plain text (dismax), quotes make phrases
        return q, cq.MatchAll()
    try:
        tree = cq.parse(q)
    except cq.QuerySyntaxError as exc:
        raise SearchQueryError(f"q: {exc}") from exc
    texts = [n for n in cq.conjuncts(tree) if isinstance(n, cq.Text)]
    rest = [n for n in cq.conjuncts(tree) if not isinstance(n, cq.Text)]
    return _text_query(texts), cq.And(tuple(rest)) if rest else cq.MatchAll()


def package_search(session: Session, backend: SearchBackend, query: PackageQuery) -> PackageSearchResult:
    keys = parse_sort(query.sort)
    text, q_tree = _split_q(query.q)
    cond = and_(published(), _Compiler(session, backend, lenient_fields=True).cond(q_tree))
    strict = _Compiler(session, backend, lenient_fields=False)
    for fq in query.fq:
        try:
            tree = cq.parse(fq)
        except cq.QuerySyntaxError as exc:
            raise SearchQueryError(f"fq: {exc}") from exc
        cond = and_(cond, strict.cond(tree))
    ranks: dict[str, int] | None = None
    if text:
        ranks = ranked_names(backend, text)
        cond = and_(cond, name_in(ranks))

    rows = max(0, min(query.rows, ROWS_MAX))
    count = session.exec(select(func.count()).select_from(Dataset).where(cond)).one()
    if rows == 0 or query.start >= count:
        ids: list[int] = []
    elif ranks is not None and any(name == "score" for name, _ in keys):
        ids = _sorted_in_python(session, cond, keys, ranks)[query.start:query.start + rows]
    else:
        order = [SORT_COLUMNS[n].desc() if desc else SORT_COLUMNS[n].asc() for n, desc in keys if n != "score"]
        ids = list(
            session.exec(
                select(Dataset.id).where(cond).order_by(*order, Dataset.id).offset(query.start).limit(rows)
            ).all()
        )
    facets = (
        {name: facet_counts(session, cond, name, query.facet_limit, query.facet_mincount)
         for name in dict.fromkeys(query.facet_fields)}
        if query.facet else {}
    )
    sort_text = ", ".join(f"{n} {'desc' if d else 'asc'}" for n, d in keys)
    return PackageSearchResult(count=count, dataset_ids=ids, facets=facets, sort=sort_text)


def _sorted_in_python(
    session: Session, cond: ColumnElement[bool], keys: list[tuple[str, bool]], ranks: dict[str, int]
) -> list[int]:
    columns = [SORT_COLUMNS[n] for n, _ in keys if n != "score"]
    rows = session.exec(select(Dataset.id, Dataset.name, *columns).where(cond)).all()
    rows = sorted(rows, key=lambda r: r[0])
    for position in range(len(keys) - 1, -1, -1):  # stable sorts, last key first
        name, desc = keys[position]
        if name == "score":
            rows.sort(key=lambda r: ranks.get(r[1], len(ranks)))  # rank 0 is the best score
        else:
            index = 2 + [n for n, _ in keys if n != "score"].index(name)
            rows.sort(key=lambda r, i=index: (r[i] is None, r[i]), reverse=desc)
    return [r[0] for r in rows]


# --- facets ---------------------------------------------------------------------------------------------

FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id", "open_class", "update_frequency")


def facet_counts(
    session: Session, cond: ColumnElement[bool], name: str, limit: int, mincount: int
) -> list[FacetItem]:
    """Counts of one facet over the datasets matching ``cond``: most first, then by name; at most
    ``limit`` (negative: all), each at least ``mincount``. Unknown facet fields give no items."""
    labels: dict[str, str] = {}
    if name == "organization":
        rows = session.exec(
            select(Department.name, func.count(Dataset.id))
            .join(Department, Dataset.department_id == Department.id)
            .where(cond)
            .group_by(Department.name)
        ).all()
        labels = _department_titles(session, [r[0] for r in rows])
    elif name == "groups":
        rows = session.exec(select(Dataset.domain_code, func.count(Dataset.id)).where(cond).group_by(Dataset.domain_code)).all()
        labels = dict(session.exec(select(Domain.code, Domain.name)).all())
    elif name == "tags":
        value = keyword_values(session.get_bind().dialect.name)
        rows = session.exec(
            select(value.c.value, func.count(Dataset.id)).select_from(Dataset).join(value, true())
            .where(cond).group_by(value.c.value)
        ).all()
    elif name == "res_format":
        label = func.upper(Resource.format)
        rows = session.exec(
            select(label, func.count(func.distinct(Dataset.id)))
            .join(Resource, Resource.dataset_id == Dataset.id)
            .where(cond, Resource.state == ResourceState.active, Resource.format.is_not(None))
            .group_by(label)
        ).all()
    elif name in ("license_id", "open_class", "update_frequency"):
        column = getattr(Dataset, name)
        rows = session.exec(select(column, func.count(Dataset.id)).where(cond, column.is_not(None)).group_by(column)).all()
    else:
        return []
    items = sorted(((str(v), int(n)) for v, n in rows if v not in (None, "") and n >= max(mincount, 1)),
                   key=lambda vn: (-vn[1], vn[0]))
    if limit >= 0:
        items = items[:limit]
    return [FacetItem(v, labels.get(v, v), n) for v, n in items]


def _department_titles(session: Session, names: list[str]) -> dict[str, str]:
    if not names:
        return {}
    return dict(session.exec(select(Department.name, Department.title).where(Department.name.in_(names))).all())
