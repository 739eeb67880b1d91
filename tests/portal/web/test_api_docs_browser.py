"""``/api/docs`` offline: in Chromium with every request off the loopback refused, Swagger UI loads from the
portal itself and renders the API's operations (portal/api/docs.py)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import uvicorn

from tests.portal.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.support.catalog import use_catalog

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason="no /usr/bin/chromium: run `make browser-deps`")
expect = playwright_api.expect
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="module")
def base_url(sample_catalog) -> Iterator[str]:
    from portal.app import create_app

    with use_catalog(sample_catalog.settings):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        web = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
        thread = threading.Thread(target=web.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not web.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the portal did not start"
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            web.should_exit = True
            thread.join(timeout=10)
            sock.close()


def test_api_docs_render_with_no_internet(base_url):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
            refused: list[str] = []
            loaded: list[str] = []

            def only_loopback(route) -> None:
                url = route.request.url
                if urlsplit(url).hostname in LOOPBACK or url.startswith(("data:", "blob:")):
                    loaded.append(url)
                    route.continue_()
                else:
                    refused.append(url)
                    route.abort()

            context.route("**/*", only_loopback)
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base_url}/api/docs")
            operations = page.locator(".opblock-summary-path")
            expect(operations.first).to_be_visible(timeout=30_000)
            paths = {text.strip().replace("\u200b", "") for text in operations.all_inner_texts()}
            assert "/api/v1/datasets" in paths and "/api/v1/datasets/{name}" in paths
            assert len(paths) > 20
            expect(page.locator(".info .title")).to_contain_text("开放数据门户 API")
            # The operations really work from the page: expand one and see its parameters.
            page.locator(".opblock-summary-path", has_text="/api/v1/domains").first.click()
            expect(page.locator(".opblock.is-open")).to_be_visible()
            assert refused == [], f"the docs asked for something off this host: {refused}"
            assert any(url.endswith("/api/docs/swagger-ui-bundle.js") for url in loaded)
            assert any(url.endswith("/static/favicon.svg") for url in loaded) or "/static/favicon.svg" in (
                page.locator("link[rel=icon]").get_attribute("href") or "")
            assert errors == []
        finally:
            browser.close()
