"""Atom feeds (RFC 4287): of new and updated listed datasets (the whole catalog, one domain, one department), and
— through the same writer, :func:`atom_feed` — of one dataset's changes and of new data requests
(catalog/community/follows.py builds their items)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from .records import Entry, Urls

FEED_SIZE = 50


@dataclass(frozen=True)
class FeedItem:
    """One ``<entry>``: ``id`` is a stable absolute URI; ``category`` is (term, label)."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str
    author: str | None = None
    author_uri: str | None = None
    category: tuple[str, str] | None = None


def atom_feed(items: list[FeedItem], *, feed_id: str, title: str, alternate: str) -> str:
    updated = max((i.updated for i in items), default=datetime(2000, 1, 1, tzinfo=UTC), key=_utc)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<id>{escape(feed_id)}</id>",
        f"<title>{escape(title)}</title>",
        f"<updated>{_time(updated)}</updated>",
        f"<link rel=\"self\" href={quoteattr(feed_id)}/>",
        f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(alternate)}/>",
    ]
    if not items or any(i.author is None for i in items):  # RFC 4287: every entry needs an author
        lines.append(f"<author><name>{escape(title)}</name></author>")
    for item in items:
        lines += [
            "<entry>",
            f"<id>{escape(item.id)}</id>",
            f"<title>{escape(item.title)}</title>",
            f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(item.link)}/>",
            f"<published>{_time(item.published)}</published>",
            f"<updated>{_time(item.updated)}</updated>",
        ]
        if item.author is not None:
            uri = f"<uri>{escape(item.author_uri)}</uri>" if item.author_uri else ""
            lines.append(f"<author><name>{escape(item.author)}</name>{uri}</author>")
        if item.category is not None:
            lines.append(f"<category term={quoteattr(item.category[0])} label={quoteattr(item.category[1])}/>")
        lines += [f"<summary>{escape(item.summary)}</summary>", "</entry>"]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def atom(entries: list[Entry], urls: Urls, *, feed_id: str, title: str, alternate: str) -> str:
    """The feed of new and updated datasets."""
    return atom_feed([_dataset_item(e, urls) for e in entries], feed_id=feed_id, title=title, alternate=alternate)


def _dataset_item(entry: Entry, urls: Urls) -> FeedItem:
    ds = entry.dataset
    page = urls.dataset(ds.name)
    return FeedItem(id=page, title=ds.title, link=page, published=ds.first_published, updated=ds.modified,
                    summary=ds.description or ds.title, author=entry.department.title,
                    author_uri=urls.department(entry.department.name),
                    category=(entry.domain.code, entry.domain.name))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite hands back naive UTC


def _time(value: datetime) -> str:
    return _utc(value).astimezone(UTC).isoformat().replace("+00:00", "Z")
