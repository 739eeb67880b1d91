"""A data request's whole loop in a real browser (Playwright driving Debian's Chromium): a user logs in, asks for
data on /requests/new → the department's reviewer (交通委, made with the accounts helper) answers it on
/review/community as published (已开放) with a dataset → the requester sees the notification on /account,
follows it to the request, which shows the answer and links the dataset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from catalog import db
from catalog.datasets import stats as download_stats
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.portal.web.test_access_flow_browser import CHROMIUM, DESKTOP, browser, log_in, playwright_api
from tests.support.accounts import PASSWORD, account, cheap_hashing
from tests.support.catalog import copy_sample, fresh_settings, release
from tests.support.servers import portal_in_thread

DATASET, DEPARTMENT = "shanghai-public-parking-lots", "jtw"  # an open sample of 上海市交通委员会
TITLE = "公共停车场实时空余泊位"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: run `make browser-deps`")
expect = playwright_api.expect
__all__ = ["browser"]  # the module-scoped browser fixture, shared


@pytest.fixture(scope="module")
def server(tmp_path_factory, pg_database_url) -> Iterator[tuple[str, object]]:
    root = tmp_path_factory.mktemp("community-flow")
    with pytest.MonkeyPatch.context() as monkeypatch:
        cheap_hashing(monkeypatch)
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        monkeypatch.setattr(download_stats, "_start_flusher", lambda: None)  # no thread outliving the module
        (root / "packages").mkdir()
        copy_sample(f"{DEPARTMENT}/{DATASET}", root / "packages")
        assert run_harvest(DataPackageHarvester(root / "packages", settings), settings=settings).tally.failed == 0
        with Session(db.get_engine(settings)) as session:
            account(session, settings, "citizen@example.org")
            account(session, settings, "jtw-rev@example.org", Role.reviewer, (DEPARTMENT,))
            session.commit()
        try:
            with portal_in_thread() as base:
                yield base, settings
        finally:
            download_stats.discard_pending()
            release(settings, pg_database_url)


def log_out(page, base: str) -> None:
    page.goto(f"{base}/account")
    page.get_by_role("button", name="退出登录").click()


def test_request_answered_published_reaches_the_requester(server, browser):
    base, _ = server
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "citizen@example.org", PASSWORD, "/requests/new")
    page.get_by_label("需求标题").fill(TITLE)
    page.get_by_label("需求描述").fill("每5分钟更新的各停车场空余泊位数")
    page.get_by_label("领域").select_option("transport")
    page.get_by_label("建议提供部门").select_option(DEPARTMENT)
    page.get_by_role("button", name="提交需求").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#answer")).to_contain_text("部门尚未答复")
    log_out(page, base)

    log_in(page, base, "jtw-rev@example.org", PASSWORD, "/review/community")
    item = page.locator("article.review-item", has_text=TITLE)
    item.get_by_label("答复").select_option("published")
    item.get_by_label("说明").fill("已开放，见公共停车场数据集")
    item.get_by_label("数据集标识").fill(DATASET)
    item.get_by_role("button", name="答复").click()
    expect(page.get_by_role("status")).to_have_text("已答复。")
    expect(page.locator("article.review-item", has_text=TITLE)).to_have_count(0)
    log_out(page, base)

    log_in(page, base, "citizen@example.org", PASSWORD, "/account")
    notice = page.locator(".notifications li", has_text=TITLE)
    expect(notice).to_contain_text("已开放")
    expect(notice).to_contain_text("未读")
    notice.get_by_role("link").click()
    expect(page.locator("#answer")).to_contain_text("已开放，见公共停车场数据集")
    page.locator("#answer").get_by_role("link", name=DATASET).click()
    page.wait_for_url(f"{base}/dataset/{DATASET}")
    context.close()
