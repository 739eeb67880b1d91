"""A data contest in a real browser (Playwright driving Debian's Chromium), one server, one browser: the organizer
creates a contest on /contests/new → adds three transport datasets on its manage page → publishes → a user finds
it on /contests → creates a team (the join code is shown) → accepts the data agreement → downloads the package
zip (its datapackage.json lists the full entries) → submits a work with a screenshot → the organizer accepts it
with an award, and sees the download in the log → the showcase shows the work, and the dataset page counts it.
The finished example contest of sample_data/contests/ is loaded first, as ``make run`` does.

On the way it takes the screenshots of docs/contests.md (contest-*.png); they are kept in ``ODP_SCREENSHOTS``
when set (``make screenshots`` → docs/screenshots/), else in a temp dir and only checked.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import Session
from typer.testing import CliRunner

from catalog import db
from catalog.datasets import stats as download_stats
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from portal.cli import app as odp
from tests.support.accounts import PASSWORD, account, cheap_hashing
from tests.support.catalog import ROOT, SAMPLE_DATA, copy_sample, fresh_settings, release

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
SLUG = "traffic-2026"
TITLE = "2026 智慧交通开放数据创新应用大赛"
ORGANIZER, TEAM_LEAD = "org@example.org", "lead@example.org"
PARKING, BUSES, BERTHS = "shanghai-public-parking-lots", "shanghai-bus-routes", "shanghai-on-street-parking-berths"
CHARGING = "shanghai-ev-charging-stations"  # in the finished example contest of sample_data/contests/

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason="no /usr/bin/chromium: run `make browser-deps`")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory, pg_database_url) -> Iterator[tuple[str, object]]:
    """The portal over three transport samples, in a thread of this process; an organizer and a user."""
    root = tmp_path_factory.mktemp("contest-flow")
    with pytest.MonkeyPatch.context() as monkeypatch:
        cheap_hashing(monkeypatch)
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        monkeypatch.setattr(download_stats, "_start_flusher", lambda: None)  # no thread outliving the module
        (root / "packages").mkdir()
        for name in (PARKING, BUSES, BERTHS, CHARGING):
            copy_sample(name, root / "packages")
        result = run_harvest(DataPackageHarvester(root / "packages", settings), settings=settings)
        assert result.tally.failed == 0, result.tally.errors
        seeded = CliRunner().invoke(odp, ["contests", "create", "soda-2015", "--organizer",  # as `make run` does
                                          "soda-organizer@example.org", "--from-json",
                                          str(SAMPLE_DATA / "contests" / "soda-2015.json"), "--exists-ok"])
        assert seeded.exit_code == 0, seeded.output
        with Session(db.get_engine(settings)) as session:
            organizer = account(session, settings, ORGANIZER, Role.organizer)
            organizer.name = "大赛组委会"
            lead = account(session, settings, TEAM_LEAD)
            lead.name = "王晓明"
            session.commit()
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
            yield f"http://127.0.0.1:{sock.getsockname()[1]}", settings
        finally:
            web.should_exit = True
            thread.join(timeout=10)
            sock.close()
            download_stats.discard_pending()
            release(settings, pg_database_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def logged_in(browser, base: str, email: str, target: str):
    """A page in a browser context of its own, logged in as ``email`` and at ``target``."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/login?next={target}")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}{target}*")
    return page


def dataset_title(name: str) -> str:
    return json.loads((SAMPLE_DATA / "jtw" / name / "datapackage.json").read_text(encoding="utf-8"))["title"]


def shoot(page, out: Path, name: str, height: int = 1600) -> None:
    height = min(page.evaluate("document.documentElement.scrollHeight"), height)
    page.screenshot(path=str(out / f"contest-{name}.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": DESKTOP["width"], "height": height})


def test_the_contest_journey_with_screenshots(server, browser, tmp_path):
    base, _settings = server
    out = Path(os.environ.get("ODP_SCREENSHOTS") or tmp_path)
    out = out if out.is_absolute() else ROOT / out
    out.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []

    # the organizer creates the contest (windows left to the defaults: open from now for 30 days)
    org = logged_in(browser, base, ORGANIZER, "/contests/new")
    org.on("pageerror", lambda e: errors.append(str(e)))
    org.get_by_label("网址名").fill(SLUG)
    org.get_by_label("大赛名称").fill(TITLE)
    org.get_by_label("主题").fill("智慧交通")
    org.get_by_label("大赛介绍").fill("围绕停车、公交和路内泊位数据，开发方便市民出行的应用。")
    org.get_by_label("参赛规则").fill("团队 1–5 人；作品须使用数据包中的至少一个数据集。")
    org.get_by_role("button", name="创建草稿").click()
    org.wait_for_url(f"{base}/contest/{SLUG}/manage?done=created")

    # … curates the package and publishes
    for dataset, resource, rows, full in ((PARKING, "parking-lots", "200", True), (BUSES, "", "100", True),
                                          (BERTHS, "", "50", False)):
        org.get_by_label("数据集（网址名").fill(dataset)
        org.get_by_label("资源（可不填").fill(resource)
        org.get_by_label("公开样例行数").fill(rows)
        org.get_by_label("向参赛队伍提供完整数据").set_checked(full)
        org.get_by_role("button", name="加入数据包").click()
        org.wait_for_url(f"{base}/contest/{SLUG}/manage?done=added")
    expect(org.locator("table.entries-table tbody tr")).to_have_count(3)
    org.get_by_role("button", name="发布大赛").click()
    org.wait_for_url(f"{base}/contest/{SLUG}/manage?done=published")

    # a user finds it, creates a team and accepts the agreement
    lead = logged_in(browser, base, TEAM_LEAD, "/contests")
    lead.on("pageerror", lambda e: errors.append(str(e)))
    expect(lead.locator("#contests-open")).to_contain_text(TITLE)
    expect(lead.locator("#contests-finished")).to_contain_text("2015 上海开放数据创新应用大赛")
    shoot(lead, out, "list", 900)
    lead.get_by_role("link", name=TITLE).click()
    lead.get_by_label("队伍名称").fill("畅行者")
    lead.get_by_role("button", name="创建队伍").click()
    lead.wait_for_url(f"{base}/contest/{SLUG}?done=team_created*")
    expect(lead.locator("code.join-code")).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
    lead.get_by_label("我已阅读并同意《数据利用协议》").check()
    lead.get_by_role("button", name="同意协议").click()
    lead.wait_for_url(f"{base}/contest/{SLUG}?done=accepted*")
    expect(lead.locator("#package")).to_contain_text("仅公开样例")
    shoot(lead, out, "page")

    # the whole package: a zip whose datapackage.json lists the two full entries
    with lead.expect_download() as caught:
        lead.get_by_role("link", name="下载整个数据包（ZIP）").click()
    with zipfile.ZipFile(caught.value.path()) as package:
        descriptor = json.loads(package.read("datapackage.json"))
        assert sorted(r["path"] for r in descriptor["resources"]) == [
            f"data/{BUSES}--bus-routes.csv", f"data/{PARKING}--parking-lots.csv"]
        assert all(name in package.namelist() for name in (r["path"] for r in descriptor["resources"]))
    assert descriptor["name"] == SLUG

    # the team submits its work, with a screenshot of its "app"
    image = lead.screenshot(type="png", clip={"x": 0, "y": 0, "width": 640, "height": 400})
    lead.get_by_role("link", name="提交作品（成果提交）").click()
    lead.get_by_label("作品名称").fill("停车与公交换乘助手")
    lead.get_by_label("作品简介").fill("根据公共停车场和公交线路，为驾车进城的市民推荐停车换乘方案。")
    lead.get_by_label("作品地址").fill("https://example.org/park-and-ride")
    lead.get_by_label("截图").set_input_files({"name": "app.png", "mimeType": "image/png", "buffer": image})
    lead.get_by_label(dataset_title(PARKING)).check()
    shoot(lead, out, "submit", 1100)
    lead.get_by_role("button", name="提交作品").click()
    lead.wait_for_url(f"{base}/contest/{SLUG}/submit?done=submitted")
    expect(lead.locator("ul.own-works")).to_contain_text("待组织者审核")

    # the organizer sees the download, accepts the work with an award
    org.goto(f"{base}/contest/{SLUG}/manage")
    expect(org.locator("table.downloads-table")).to_contain_text(TEAM_LEAD)
    work = org.locator("article.manage-work")
    expect(work).to_contain_text("停车与公交换乘助手")
    work.get_by_label("奖项").fill("一等奖")
    work.get_by_role("button", name="通过并展示").click()
    org.wait_for_url(f"{base}/contest/{SLUG}/manage?done=work_accepted")
    shoot(org, out, "manage")

    # the showcase, for anyone
    visitor = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    visitor.goto(f"{base}/contest/{SLUG}/showcase")
    shown = visitor.locator("article.contest-work")
    expect(shown).to_have_count(1)
    expect(shown).to_contain_text("一等奖")
    expect(shown).to_contain_text("畅行者")
    assert visitor.locator("img.work-screenshot").evaluate("img => img.naturalWidth") == 640
    shoot(visitor, out, "showcase", 1100)
    # the finished example contest: its showcase holds its two awarded works
    visitor.goto(f"{base}/contest/soda-2015/showcase")
    expect(visitor.locator("article.contest-work .badge")).to_have_count(2)
    # the dataset page counts the works that used it: the two of 2015 and this one
    visitor.goto(f"{base}/dataset/{PARKING}")
    expect(visitor.locator("#contest-works li")).to_have_count(3)
    expect(visitor.locator("#contest-works")).to_contain_text("停车与公交换乘助手")
    assert errors == []
    for page in (org, lead, visitor):
        page.context.close()
    assert sorted(p.name for p in out.glob("contest-*.png")) == [
        "contest-list.png", "contest-manage.png", "contest-page.png", "contest-showcase.png", "contest-submit.png"]
