"""The whole 有条件开放 flow in a real browser (Playwright driving Debian's Chromium), one server, one browser:
the department's agreement set with ``odp departments agreement`` → register → log in → open a conditional
dataset → apply, accepting that agreement (its hash lands in the audit log) → log out → a reviewer made with
``odp users create … --role reviewer --department SLUG`` logs in → approves on /review → the applicant logs in →
the download works (the bytes are the stored file's) → the reviewer revokes → the download answers 403
``access_requires_grant``.

On the way it takes the apply, review and account screenshots of docs/access.md; they are kept in
``ODP_SCREENSHOTS`` when set (``make screenshots`` → docs/screenshots/), else in a temp dir and only checked.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog import db
from catalog.accounts import agreements
from catalog.datasets import stats as download_stats
from catalog.models import AuditEvent, Dataset, Resource, ResourceVersion
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from portal.cli import app as odp
from tests.support.accounts import cheap_hashing
from tests.support.catalog import ROOT, copy_sample, fresh_settings, release

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
DATASET, DEPARTMENT = "key-pollutant-discharge-units", "sthjj"  # a 有条件开放 sample of 上海市生态环境局
APPLICANT = ("dev@example.org", "数据开发者", "applicant password 1")
REVIEWER = ("rev@example.org", "生态环境局审核员", "reviewer password 1")
AGREEMENT = """上海市生态环境局公共数据利用协议
一、数据仅用于申请中写明的环境研究用途，不得向第三方提供原始数据。
二、成果发布前应隐去单位名称以外的联系人信息，并注明数据来源为上海市生态环境局。
三、授权到期或被撤销后，应删除所获数据。
"""

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason="no /usr/bin/chromium: run `make browser-deps`")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory, pg_database_url) -> Iterator[tuple[str, object]]:
    """The portal over the one conditional sample dataset, in a thread of this process."""
    root = tmp_path_factory.mktemp("access-flow")
    with pytest.MonkeyPatch.context() as monkeypatch:
        cheap_hashing(monkeypatch)
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        monkeypatch.setattr(download_stats, "_start_flusher", lambda: None)  # no thread outliving the module
        (root / "packages").mkdir()
        copy_sample(DATASET, root / "packages")
        result = run_harvest(DataPackageHarvester(root / "packages", settings), settings=settings)
        assert result.tally.failed == 0, result.tally.errors
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


def stored_file(settings) -> bytes:
    """The bytes the catalog keeps for the dataset's (only) resource: what a download must send."""
    with Session(db.get_engine(settings)) as session:
        version = session.exec(
            select(ResourceVersion).join(Resource, Resource.current_version_id == ResourceVersion.id)
            .join(Dataset, Dataset.id == Resource.dataset_id).where(Dataset.name == DATASET)).one()
        return (settings.files_dir / version.stored_path).read_bytes()


def created_detail(settings) -> str:
    with Session(db.get_engine(settings)) as session:
        return session.exec(select(AuditEvent.detail).where(AuditEvent.event == "application_created")).one()


def log_in(page, base: str, email: str, password: str, target: str) -> None:
    page.goto(f"{base}/login?next={target}")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}{target}*")


def log_out(page, base: str) -> None:
    page.goto(f"{base}/account")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{base}/login*")


def shoot(page, out: Path, name: str) -> None:
    height = min(page.evaluate("document.documentElement.scrollHeight"), 1600)
    page.screenshot(path=str(out / f"access-{name}.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": DESKTOP["width"], "height": height})


def test_the_whole_access_flow_with_screenshots(server, browser, tmp_path):
    base, settings = server
    out = Path(os.environ.get("ODP_SCREENSHOTS") or tmp_path)
    out = out if out.is_absolute() else ROOT / out
    out.mkdir(parents=True, exist_ok=True)
    made = CliRunner().invoke(odp, ["users", "create", REVIEWER[0], "--name", REVIEWER[1], "--password-stdin",
                                    "--role", "reviewer", "--department", DEPARTMENT], input=REVIEWER[2] + "\n")
    assert made.exit_code == 0, made.output
    terms = tmp_path / "sthjj-agreement.txt"
    terms.write_text(AGREEMENT, encoding="utf-8")
    set_terms = CliRunner().invoke(odp, ["departments", "agreement", DEPARTMENT, "--file", str(terms)])
    assert set_terms.exit_code == 0, set_terms.output
    stored = stored_file(settings)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # register, log in, find the dataset: no download yet, an apply link instead
    page.goto(f"{base}/register")
    page.get_by_label("邮箱").fill(APPLICANT[0])
    page.get_by_label("姓名").fill(APPLICANT[1])
    page.get_by_label("密码").fill(APPLICANT[2])
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(f"{base}/login*")
    log_in(page, base, APPLICANT[0], APPLICANT[2], "/account")
    page.goto(f"{base}/dataset/{DATASET}")
    expect(page.locator("ul.downloads")).to_have_count(0)
    page.get_by_role("link", name="申请使用").click()
    page.wait_for_url(f"{base}/dataset/{DATASET}/apply")

    # apply, accepting the agreement
    expect(page.locator("section.agreement")).to_contain_text("由提供部门（上海市生态环境局）制定")
    expect(page.locator("section.agreement")).to_contain_text(AGREEMENT.splitlines()[1])
    page.get_by_label("用途").fill("研究重点排污单位的空间分布，用于环境治理评估")
    page.get_by_label("应用场景").fill("高校科研项目：污染源与居民区距离分析")
    page.get_by_label("单位或组织").fill("某大学环境学院")
    page.get_by_label("申请使用期限").fill("90")
    page.get_by_label("我已阅读并同意《数据利用协议》").check()
    shoot(page, out, "apply")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(f"{base}/account?done=applied")
    expect(page.locator("body")).to_contain_text("待审核")
    assert created_detail(settings).endswith(f"agreement sha256 {agreements.digest(AGREEMENT.strip())}")
    log_out(page, base)

    # the reviewer of 生态环境局 approves
    log_in(page, base, REVIEWER[0], REVIEWER[2], "/review")
    pending = page.locator("article.review-item")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(APPLICANT[0])
    shoot(page, out, "review")
    pending.get_by_role("button", name="批准").click()
    page.wait_for_url(f"{base}/review?done=approved")
    expect(page.locator("article.review-item")).to_have_count(0)
    log_out(page, base)

    # the applicant holds a grant: the account page shows it, the download is the stored file
    log_in(page, base, APPLICANT[0], APPLICANT[2], "/account")
    expect(page.locator("table.grants-table")).to_contain_text("有效")
    shoot(page, out, "account")
    page.goto(f"{base}/dataset/{DATASET}")
    with page.expect_download() as caught:
        page.locator("ul.downloads a.button-secondary").first.click()  # 原始文件: the stored original
    assert Path(caught.value.path()).read_bytes() == stored
    url = page.locator("ul.downloads a.button-secondary").first.get_attribute("href")

    # the reviewer revokes (in a context of its own); the applicant's next download is refused
    reviewer = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(reviewer, base, REVIEWER[0], REVIEWER[2], "/review")
    reviewer.get_by_placeholder("撤销理由").fill("项目已结束")
    reviewer.get_by_role("button", name="撤销授权").click()
    reviewer.wait_for_url(f"{base}/review?done=revoked")
    refused = context.request.get(base + url)  # the applicant's cookies, as the browser would send them
    assert refused.status == 403 and refused.json()["error"]["code"] == "access_requires_grant"
    assert stored[:200] not in refused.body()
    page.goto(f"{base}/dataset/{DATASET}")
    expect(page.locator("ul.downloads")).to_have_count(0)
    assert errors == []
    reviewer.context.close()
    context.close()
    # named access-*.png, apart from test_browser.py's *-desktop.png / *-phone.png which it counts
    assert sorted(p.name for p in out.glob("access-*.png")) == ["access-account.png", "access-apply.png",
                                                               "access-review.png"]
