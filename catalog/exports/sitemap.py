"""``/sitemap.xml``: the home, directory and schema pages and one URL per listed dataset. Past
``SITEMAP_LIMIT`` URLs (the protocol's 50,000) it becomes a sitemap index of ``/sitemap.xml?page=N`` files."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from xml.sax.saxutils import escape

SITEMAP_LIMIT = 50_000
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urlset(urls: Iterable[tuple[str, datetime | None]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NS}">']
    for loc, lastmod in urls:
        mod = f"<lastmod>{lastmod.date().isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{mod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def index(base: str, pages: int) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{NS}">']
    lines += [f"<sitemap><loc>{escape(base)}/sitemap.xml?page={n}</loc></sitemap>" for n in range(1, pages + 1)]
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def robots(base: str) -> str:
    return f"User-agent: *\nDisallow: /api/\nAllow: /api/v1/datasets\nSitemap: {base}/sitemap.xml\n"
