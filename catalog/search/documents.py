"""A :class:`~catalog.search.base.SearchDocument` flattened into what every backend indexes: cleaned facet
values and the five text fields, each list field's items joined with the tokenizer's item separator (so a
phrase never spans two keywords).

Resource names usually repeat the dataset title: only what they add to it is indexed, so a dataset with ten
resources named after it does not outscore one that is about the word.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from catalog.search.base import SearchDocument
from catalog.search.ranking import NO_MODIFIED
from catalog.search.tokenizer import ITEM_SEPARATOR

#: characters no stored value may hold (the Whoosh backend's record and list separators, the item separator)
_RESERVED = ("\x1e", "\x1f", ITEM_SEPARATOR)


def clean(value: Any) -> str:
    text = "" if value is None else str(value)
    for reserved in _RESERVED:
        text = text.replace(reserved, " ")
    return text.strip()


def clean_list(values: Iterable[Any] | None) -> list[str]:
    return list(dict.fromkeys(c for c in (clean(v) for v in values or ()) if c))


def timestamp_ms(value: datetime | None) -> int:
    if value is None:
        return NO_MODIFIED
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


@dataclass
class FlatDocument:
    name: str
    title: str  # cleaned: the stored title for sorting (``texts["title"]`` is the raw one, for highlighting)
    domain: str
    domain_label: str  # 中文名 + code: searchable
    department: str
    department_label: str  # title + slug: searchable
    formats: list[str]  # upper-case
    open_class: str
    update_frequency: str
    keywords: list[str]
    modified_ms: int
    downloads: int
    texts: dict[str, str]  # the indexed text fields: title, keywords, description, resources, fields


def flatten(doc: SearchDocument) -> FlatDocument:
    title = clean(doc.title)
    formats = [f.upper() for f in clean_list(doc.formats)]
    keywords = clean_list(doc.keywords)
    resources: list[str] = []
    for rn in clean_list(doc.resource_names):
        rest = rn[len(title) :].strip() if title and rn.startswith(title) else rn
        if rest and rest not in resources:
            resources.append(rest)
    return FlatDocument(
        name=clean(doc.name),
        title=title,
        domain=clean(doc.domain_code),
        domain_label=" ".join(filter(None, [clean(doc.domain_name), clean(doc.domain_code)])),
        department=clean(doc.department_name),
        department_label=" ".join(filter(None, [clean(doc.department_title), clean(doc.department_name)])),
        formats=formats,
        open_class=clean(doc.open_class),
        update_frequency=clean(doc.update_frequency),
        keywords=keywords,
        modified_ms=timestamp_ms(doc.modified),
        downloads=int(doc.downloads or 0),
        texts={
            "title": doc.title or "",
            "keywords": ITEM_SEPARATOR.join(keywords),
            "description": doc.description or "",
            "resources": ITEM_SEPARATOR.join(resources + formats),
            "fields": ITEM_SEPARATOR.join(clean_list(doc.field_texts)),
        },
    )
