"""The portal in a real browser: Playwright driving Debian's Chromium against a uvicorn server that this
module starts on a free loopback port, over its own copy of the sample catalog (harvested from sample_data/ once
per run).

``make browser-deps`` installs Chromium and the Noto CJK fonts. Set ``ODP_SCREENSHOTS=docs/screenshots`` to
keep the screenshots (``make screenshots``); otherwise they go to a temp dir and are only checked.
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn

from catalog.datasets import stats as download_stats
from portal.app import create_app
from tests.support.catalog import ROOT, SAMPLE_DATA, SampleCatalog, copy_catalog, use_catalog

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PARKING = "shanghai-public-parking-lots"
PARKING_CSV = SAMPLE_DATA / "jtw" / PARKING / "data" / "parking-lots.csv"

playwright_api = pytest.importorskip("playwright.sync_api")
# A developer machine without Chromium skips; CI (make test runs browser-deps first) must not.
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason="no /usr/bin/chromium: run `make browser-deps`")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_catalog: SampleCatalog) -> Iterator[tuple[str, object]]:
    """The whole portal on 127.0.0.1:<free port>, in a thread of this process, over a copy of the sample catalog
    (the tests download, which writes counts)."""
    data_dir = tmp_path_factory.mktemp("browser") / "var"
    with pytest.MonkeyPatch.context() as monkeypatch, copy_catalog(sample_catalog, data_dir) as copy, \
            use_catalog(copy) as settings:
        # Downloads here are counted but flushed only when a test says so: no background flusher thread is
        # left running whose timing later tests' download counts would depend on.
        monkeypatch.setattr(download_stats, "_start_flusher", lambda: None)
        assert sample_catalog.first.tally.failed == 0, sample_catalog.first.tally.errors
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # the OS picks a free port; uvicorn serves on this very socket
        port = sock.getsockname()[1]
        web = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))  # no signals off the main thread
        thread = threading.Thread(target=web.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not web.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the portal did not start"
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}", settings
        finally:
            web.should_exit = True
            thread.join(timeout=10)
            sock.close()
            download_stats.discard_pending()  # counts of this catalog must not reach the next one


@pytest.fixture(scope="module")
def base_url(server) -> str:
    return server[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def new_page(browser, viewport: dict[str, int], scale: float = 1):
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="zh-CN",
                                  accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors  # CSP violations and script errors show up here
    return page


@pytest.fixture
def desktop(browser):
    page = new_page(browser, DESKTOP)
    yield page
    assert page.console_errors == []
    page.context.close()


@pytest.fixture
def phone(browser):
    page = new_page(browser, PHONE, scale=2)
    yield page
    assert page.console_errors == []
    page.context.close()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def result_count(page) -> int:
    return int(page.locator("#results-title strong").inner_text().replace(",", ""))


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def fonts_of(page, selector: str) -> set[str]:
    """The platform fonts Chromium really drew an element's text with (a missing glyph shows up here)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"] for f in fonts}


# --- The citizen's journey ------------------------------------------------------------------------------


def test_home_search_facet_dataset_and_csv_download(base_url, desktop):
    page = desktop
    page.goto(base_url + "/")
    expect(page).to_have_title(re.compile("开放数据门户"))
    expect(page.locator("h1")).to_have_text("查找、预览和下载政府公开数据")
    expect(page.locator(".domain-tile")).to_have_count(12)
    assert fonts_of(page, "h1") <= {"Noto Sans CJK SC"}, "Chinese text must be drawn with the CJK font"

    page.get_by_label("搜索数据集").fill("停车")
    page.get_by_label("搜索数据集").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    assert query_of(page.url) == {"q": ["停车"]}
    expect(page.locator(".dataset-card mark").first).to_have_text("停车")
    before = result_count(page)

    facet = page.locator(".facet-domain .facet-link", has_text="道路交通")
    facet_count = int(facet.locator(".facet-count").inner_text().split("，")[-1].split()[0])
    facet.click()
    page.wait_for_url(re.compile("domain=transport"))
    assert query_of(page.url) == {"q": ["停车"], "domain": ["transport"]}
    assert result_count(page) == facet_count <= before
    expect(page.locator(".chip-remove")).to_have_text(re.compile("数据领域：道路交通"))
    expect(page.locator(".facet-domain .facet-link.is-active")).to_have_count(1)

    page.get_by_role("link", name="上海市公共停车场（库）信息").click()
    page.wait_for_url(re.compile(f"/dataset/{PARKING}$"))
    expect(page.locator("h1")).to_have_text("上海市公共停车场（库）信息")
    preview = page.locator("table:has(#preview-caption-1)")  # the first 20 rows (the quality checks are a table too)
    expect(preview.locator("tbody tr")).to_have_count(20)
    expect(page.locator('svg.bar-chart[aria-labelledby^="chart-1"]')).to_be_visible()  # the preview's chart
    expect(page.locator("#info")).to_contain_text("上海市交通委员会")

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^下载 CSV")).first.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    got = Path(download.path()).read_bytes()
    rows = list(csv.reader(io.StringIO(got.decode("utf-8"))))
    original = list(csv.reader(io.StringIO(PARKING_CSV.read_text(encoding="utf-8"))))
    assert rows[0] == original[0] == ["id", "name", "district", "address", "longitude", "latitude",
                                      "total_spaces", "hourly_fee"]
    assert len(rows) == len(original) == 821
    assert [r[:4] + r[6:7] for r in rows] == [r[:4] + r[6:7] for r in original]  # text and integers as published

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^下载 原始文件（CSV）")).click()
    assert Path(info.value.path()).read_bytes() == PARKING_CSV.read_bytes()


def test_facets_work_with_the_keyboard_alone(base_url, desktop):
    page = desktop
    page.goto(base_url + "/search?q=" + "停车")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    def tab_to(predicate: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(el => {predicate})(document.activeElement)"):
                return
        raise AssertionError(f"Tab never reached an element where {predicate}")

    tab_to("el.classList.contains('facet-link') && el.href.includes('domain=')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    width = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert outline != "none" and width >= 2, "keyboard focus must be visible"
    chosen = page.evaluate("new URL(document.activeElement.href).searchParams.get('domain')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("domain="))
    assert query_of(page.url)["domain"] == [chosen]

    # The selected facet is announced as such and unticks with Enter.
    tab_to("el.classList.contains('facet-link') && el.getAttribute('aria-current') === 'true'")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "domain=" not in url)
    assert query_of(page.url) == {"q": ["停车"]}

    # Facet values beyond the first few sit in a <details> that opens with the keyboard.
    page.goto(base_url + "/search")
    tab_to("el.tagName === 'SUMMARY'")
    page.keyboard.press("Enter")
    expect(page.locator(".facet-more").first).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('details') !== null")


def test_phone_viewport(base_url, phone):
    page = phone
    page.goto(base_url + "/")
    assert no_sideways_scroll(page)
    expect(page.locator(".site-nav")).to_be_visible()
    page.get_by_label("搜索数据集").fill("空气质量")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"/search\?q="))
    assert no_sideways_scroll(page)
    facets = page.locator(".facets")
    expect(facets).to_be_visible()
    assert facets.bounding_box()["width"] <= PHONE["width"]
    first = page.locator(".dataset-card").first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < 2 * PHONE["height"], "results must not sink far below the facets"
    first.locator("a").first.click()
    page.wait_for_url(re.compile("/dataset/"))
    assert no_sideways_scroll(page)
    table = page.locator(".table-scroll").first
    assert table.evaluate("el => el.scrollWidth > el.clientWidth"), "wide tables scroll inside their box"
    assert page.evaluate("document.querySelector('h1').getBoundingClientRect().width") <= PHONE["width"]


def test_no_inline_script_runs_and_hostile_text_stays_text(base_url, desktop):
    page = desktop
    page.goto(base_url + f"/dataset/{PARKING}")
    # The one executable script is the suggestions file from this origin; nothing inline.
    sources = page.evaluate(
        "[...document.querySelectorAll('script:not([type=\"application/ld+json\"])')].map(s => s.getAttribute('src'))")
    assert sources == ["/static/suggest.js"]
    response = page.request.get(base_url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    jsonld = page.locator('script[type="application/ld+json"]').text_content()
    assert '"@type": "Dataset"' in jsonld


def test_the_search_box_offers_suggestions_while_typing(base_url, desktop):
    page = desktop
    page.goto(base_url + "/")
    box = page.locator("input[type=search]:visible").first
    box.fill("停车")
    options = page.locator(f"#{box.get_attribute('list')} option")
    options.first.wait_for(state="attached")
    texts = options.evaluate_all("els => els.map(e => e.value)")
    assert any("停车" in text for text in texts), texts


# --- Screenshots ----------------------------------------------------------------------------------------

SHOTS = [("home", "/"), ("search", "/search?q=停车"), ("dataset", f"/dataset/{PARKING}")]


def test_screenshots(server, browser, tmp_path):
    """Home, search and dataset pages at desktop and phone widths, checked for sideways scrolling and
    missing glyphs. Kept in ODP_SCREENSHOTS when set (``make screenshots`` → docs/screenshots/)."""
    base, settings = server
    out = Path(os.environ.get("ODP_SCREENSHOTS") or tmp_path)
    if not out.is_absolute():
        out = ROOT / out
    out.mkdir(parents=True, exist_ok=True)
    # Real downloads through the API, so the home page's 下载最多 list has something to rank.
    with httpx.Client(base_url=base) as client:
        for name, resource, times in (("shanghai-air-quality-hourly", "air-quality-hourly", 3),
                                      (PARKING, "parking-lots", 2), ("urban-parks", "parks", 1)):
            for _ in range(times):
                assert client.get(f"/api/v1/datasets/{name}/resources/{resource}/download").status_code == 200
    download_stats.flush(settings)
    for label, viewport, scale in (("desktop", DESKTOP, 1), ("phone", PHONE, 2)):
        page = new_page(browser, viewport, scale)
        for name, path in SHOTS:
            page.goto(base + path)
            assert no_sideways_scroll(page), (label, path)
            assert fonts_of(page, "h1") <= {"Noto Sans CJK SC"}, (label, path)
            # Desktop: the whole page (the long dataset page to its first 2000 px); phone: two screens.
            height = 2000 if label == "desktop" and name == "dataset" else 2 * PHONE["height"] if label == "phone" \
                else page.evaluate("document.documentElement.scrollHeight")
            height = min(height, page.evaluate("document.documentElement.scrollHeight"))
            page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": viewport["width"], "height": height})
        assert page.console_errors == []
        page.context.close()
    assert len(list(out.glob("*-desktop.png"))) == 3 and len(list(out.glob("*-phone.png"))) == 3
