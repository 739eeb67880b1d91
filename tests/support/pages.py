"""Reading the portal's HTML pages in tests without a browser: the tags, attributes and text of a page, and the
checks every page must pass (one h1, no skipped heading level, no inline script or style)."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from sqlmodel import select

from catalog.db import session_scope
from catalog.models import Dataset, Department
from catalog.schemas import list_schemas


class Page(HTMLParser):
    """The tags, attributes and text of a page, enough to check structure without a browser."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))
        else:
            self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def links(self, css_class: str | None = None) -> list[str]:
        return [a["href"] or "" for a in self.all("a") if css_class is None or css_class in (a.get("class") or "")]

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


def get_page(client: TestClient, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in response.headers
    assert response.text.startswith("<!doctype html>\n<html lang=\"zh-CN\">")
    return Page(response.text)


def assert_well_formed(page: Page) -> None:
    """One h1, headings never skip a level, no inline handlers, the only scripts are JSON-LD data."""
    headings = [int(t[1]) for t, _ in page.tags if re.fullmatch(r"h[1-6]", t)]
    assert headings.count(1) == 1, headings
    for before, after in itertools.pairwise(headings):
        assert after <= before + 1, headings
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
    assert all(attrs.get("type") == "application/ld+json" for attrs, _ in page.scripts)
    for attrs in page.all("input"):
        if attrs.get("type") not in ("hidden", "submit"):
            assert attrs.get("id") and page.all("label", **{"for": attrs["id"]}), attrs


def assert_every_page_renders(settings, client: TestClient, min_datasets: int) -> None:
    with session_scope(settings) as session:
        datasets = session.exec(
            select(Dataset.name).where(Dataset.state == "active", Dataset.open_class != "closed",
                                       Dataset.pii_status != "blocked")  # published: the others answer 404
        ).all()
        departments = session.exec(select(Department.name)).all()
    urls = ["/", "/search", "/search?q=停车", "/departments", "/schemas", "/about"]
    urls += [f"/dataset/{name}" for name in datasets]
    urls += [f"/department/{name}" for name in departments]
    urls += [f"/domain/{code}" for code in ("economy", "transport", "credit", "health")]
    urls += [f"/schemas/{s.name}" for s in list_schemas()]
    assert len(datasets) >= min_datasets
    for url in urls:
        assert_well_formed(get_page(client, url))
