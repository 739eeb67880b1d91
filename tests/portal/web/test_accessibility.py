"""Accessibility of the main pages (GB/T 37668, 适老化) in a real browser, and the small layout defects found on
phones: Playwright drives Debian's Chromium against the portal served by uvicorn over a copy of the sample
catalog.

- axe-core (the npm package in tests/browser/, installed by ``make browser-deps``) runs on the home, search,
  zero-hit search, dataset, domain, department, about, login and account pages: no serious or critical
  violation;
- every link, button and field shows a visible focus indicator when reached with the keyboard;
- text zoomed to 200 % (CSS ``zoom`` on the root at a 1280 px viewport, as the browser's zoom does) leaves the
  main content without horizontal scrolling and the navigation reachable;
- at a 375 px phone viewport the download chart and /about's code examples fit (nothing clipped, no page-wide
  horizontal scroll);
- a search without hits shows no empty 筛选 (facets) heading (TestClient, no browser).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from catalog import db
from tests.support.accounts import PASSWORD, account, cheap_hashing
from tests.support.catalog import ROOT, SampleCatalog, copy_catalog, release
from tests.support.servers import env_for, portal_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
EMAIL = "reader@example.org"
PAGES = {
    "home": "/",
    "search": "/search?q=停车",
    "zero-hit search": "/search?q=没有这样的数据集xyz",
    "dataset": "/dataset/shanghai-public-parking-lots",
    "domain": "/domain/transport",
    "department": "/department/jtw",
    "about": "/about",
    "login": "/login",
    "account": "/account",
    "requests": "/requests",
    "new request": "/requests/new",
    "reuses": "/reuses",
    "new reuse": "/reuses/new",
}
BLOCKING = ("serious", "critical")

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(sample_catalog: SampleCatalog, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("accessibility")
    with pytest.MonkeyPatch.context() as mp, copy_catalog(sample_catalog, root / "var") as settings:
        cheap_hashing(mp)
        settings = settings.model_copy(update={"password_time_cost": 1, "password_memory_kib": 64})
        with Session(db.get_engine(settings)) as session:
            account(session, settings, EMAIL)
            session.commit()
        env = env_for(settings.data_dir, settings.database_url) | {
            "ODP_PASSWORD_TIME_COST": "1", "ODP_PASSWORD_MEMORY_KIB": "64"}
        with portal_server(env) as url:
            yield url
        release(settings, settings.database_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    # A developer machine without Chromium or axe-core skips; CI (make test runs browser-deps first) must not.
    if (not CHROMIUM.exists() or not AXE.exists()) and not os.environ.get("CI"):
        pytest.skip("no /usr/bin/chromium or axe-core: run `make browser-deps`")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def logged_in(browser, base_url) -> Iterator[object]:
    """A browser context with the reader logged in (axe's script is injected past the pages' CSP)."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base_url}/login?next=/account")
    page.get_by_label("邮箱").fill(EMAIL)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/account*")
    page.close()
    yield context
    context.close()


@pytest.fixture
def page(logged_in) -> Iterator[object]:
    page = logged_in.new_page()
    yield page
    page.close()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return result


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_no_serious_axe_violations(page, base_url, path):
    assert page.goto(base_url + path).status == 200
    if path == "/login":
        assert "/login" in page.url  # logged in, /login still shows its form (or says who is logged in)
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert blocking == [], blocking


def test_axe_finds_what_it_should(page, base_url):
    """The check can fail: an image without text and a low-contrast line are reported."""
    page.goto(base_url + "/about")
    page.evaluate("""() => {
        const main = document.querySelector('main');
        const img = document.createElement('img'); img.src = '/static/favicon.svg'; main.append(img);
        const p = document.createElement('p'); p.textContent = '看不清的字';
        p.style.color = '#ddd'; p.style.background = '#fff'; main.append(p);
    }""")
    found = {v["id"] for v in axe_violations(page) if v["impact"] in BLOCKING}
    assert {"image-alt", "color-contrast"} <= found


FOCUS_STYLE = """(el) => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    const ring = s.boxShadow && s.boxShadow !== 'none';
    return outline || ring;
}"""


@pytest.mark.parametrize("path", ["/", "/search?q=停车", "/dataset/shanghai-public-parking-lots", "/account"])
def test_keyboard_focus_is_visible(page, base_url, path):
    page.goto(base_url + path)
    seen = 0
    for _ in range(25):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        tag = page.evaluate("(el) => el.tagName", focused)
        if tag in ("BODY", "HTML"):
            continue
        seen += 1
        assert page.evaluate(FOCUS_STYLE, focused), page.evaluate("(el) => el.outerHTML.slice(0, 200)", focused)
    assert seen >= 10


def test_the_focus_check_can_fail(page, base_url):
    page.goto(base_url + "/")
    page.add_style_tag(content="*:focus, *:focus-visible { outline: none !important; box-shadow: none !important; }")
    page.keyboard.press("Tab")
    assert not page.evaluate(FOCUS_STYLE, page.evaluate_handle("document.activeElement"))


def horizontal_overflow(page, selector: str) -> int:
    """How many CSS pixels ``selector``'s content (or the page) is wider than what it shows."""
    return page.evaluate("""(selector) => {
        const el = selector ? document.querySelector(selector) : document.scrollingElement;
        return el.scrollWidth - el.clientWidth;
    }""", selector)


@pytest.mark.parametrize("path", ["/", "/search?q=停车", "/dataset/shanghai-public-parking-lots",
                                  "/domain/transport", "/account"])
def test_text_zoomed_to_200_percent_keeps_pages_usable(page, base_url, path):
    page.goto(base_url + path)
    page.evaluate("document.documentElement.style.zoom = '2'")
    assert horizontal_overflow(page, "") <= 1, "the page scrolls sideways at 200 %"
    # the first heading and the navigation are still on screen and reachable
    main_box = page.locator("main").bounding_box()
    assert main_box is not None and main_box["width"] <= DESKTOP["width"] + 1
    assert page.locator("header a").first.is_visible()


def test_the_zoom_check_can_fail(page, base_url):
    """A fixed-width block that fits at 100 % scrolls sideways at 200 %, and the check sees it."""
    page.goto(base_url + "/")
    page.add_style_tag(content="main { min-width: 1000px; }")
    assert horizontal_overflow(page, "") <= 1
    page.evaluate("document.documentElement.style.zoom = '2'")
    assert horizontal_overflow(page, "") > 1


@pytest.fixture
def phone(browser) -> Iterator[object]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN", is_mobile=True,
                                  has_touch=True, bypass_csp=True)  # the can-fail checks add a style
    page = context.new_page()
    yield page
    context.close()


def clipped(page, selector: str) -> list[str]:
    """The elements under ``selector`` whose box leaves the viewport or their overflow-hidden ancestor."""
    return page.evaluate("""(selector) => {
        const out = [];
        const width = document.documentElement.clientWidth;
        for (const el of document.querySelectorAll(selector)) {
            const box = el.getBoundingClientRect();
            if (box.width === 0) continue;
            if (box.right > width + 0.5 || box.left < -0.5) { out.push(el.outerHTML.slice(0, 120)); continue; }
            for (let up = el.parentElement; up; up = up.parentElement) {
                const s = getComputedStyle(up);
                if (s.overflowX === 'visible') continue;
                const frame = up.getBoundingClientRect();
                if (s.overflowX !== 'auto' && s.overflowX !== 'scroll' && box.right > frame.right + 0.5)
                    out.push(el.outerHTML.slice(0, 120));
                break;
            }
        }
        return out;
    }""", selector)


def test_the_download_chart_fits_a_phone(phone, base_url):
    phone.goto(base_url + "/dataset/shanghai-public-parking-lots")
    assert phone.locator(".chart").count() >= 1
    assert horizontal_overflow(phone, "") <= 1
    assert clipped(phone, ".chart, .chart *") == []


def test_about_code_fits_a_phone(phone, base_url):
    phone.goto(base_url + "/about")
    assert phone.locator("pre").count() >= 1
    assert horizontal_overflow(phone, "") <= 1
    # a long curl line scrolls inside its own box (or wraps): none of it is cut off unreachable
    assert phone.evaluate("""() => [...document.querySelectorAll('pre')].every(pre => {
        const s = getComputedStyle(pre);
        return pre.scrollWidth <= pre.clientWidth + 1 || s.overflowX === 'auto' || s.overflowX === 'scroll';
    })""")
    assert clipped(phone, "main pre, main code") == []


def test_the_clipping_check_can_fail(phone, base_url):
    """The chart as it was (a 34rem minimum width in a scroll box) and an unwrapped curl line are caught."""
    phone.goto(base_url + "/dataset/shanghai-public-parking-lots")
    phone.add_style_tag(content=".bar-chart { min-width: 34rem; }")
    assert clipped(phone, ".chart, .chart *") != []
    phone.goto(base_url + "/about")
    phone.add_style_tag(content="pre { white-space: pre; overflow: hidden; }")
    assert clipped(phone, "main pre, main code") != []


def test_a_search_without_hits_has_no_empty_filter_heading(sample_client):
    empty = sample_client.get("/search", params={"q": "没有这样的数据集xyz"})
    assert empty.status_code == 200 and "共找到 <strong>0</strong> 个数据集" in empty.text
    assert 'id="facets-title"' not in empty.text and "筛选</h2>" not in empty.text
    found = sample_client.get("/search", params={"q": "停车"})  # with hits the facets are there
    assert 'id="facets-title"' in found.text and 'class="facet-link' in found.text
