"""Atom feeds (RFC 4287) of new and updated listed datasets: the whole catalog, one domain, one department."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from .records import Entry, Urls

FEED_SIZE = 50


def atom(entries: list[Entry], urls: Urls, *, feed_id: str, title: str, alternate: str) -> str:
    updated = max((e.dataset.modified for e in entries), default=datetime(2000, 1, 1, tzinfo=UTC))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<id>{escape(feed_id)}</id>",
        f"<title>{escape(title)}</title>",
        f"<updated>{_time(updated)}</updated>",
        f"<link rel=\"self\" href={quoteattr(feed_id)}/>",
        f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(alternate)}/>",
    ]
    for entry in entries:
        ds = entry.dataset
        page = urls.dataset(ds.name)
        lines += [
            "<entry>",
            f"<id>{escape(page)}</id>",
            f"<title>{escape(ds.title)}</title>",
            f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(page)}/>",
            f"<published>{_time(ds.first_published)}</published>",
            f"<updated>{_time(ds.modified)}</updated>",
            (f"<author><name>{escape(entry.department.title)}</name>"
             f"<uri>{escape(urls.department(entry.department.name))}</uri></author>"),
            f"<category term={quoteattr(entry.domain.code)} label={quoteattr(entry.domain.name)}/>",
            f"<summary>{escape(ds.description or ds.title)}</summary>",
            "</entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _time(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
