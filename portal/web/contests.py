"""Contest pages (数据大赛): /contests, /contest/{slug} (theme, rules, windows, the package with fields and public
samples, the visitor's team, the agreement, download links), its showcase (成果展示), the team's work form
(成果提交) and the organizer's pages (a new contest, /contest/{slug}/manage).

The rules live in catalog/contests/ (``pages.py`` gathers what these pages show); every data link points at the
JSON API's contest routes, whose access policy decides (they accept the browser session). Every POST checks the
form's CSRF token first (403 without it); the catalog's refusals are shown as the page's error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from catalog.config import Settings
from catalog.contests import contests, downloads, entries, pages, teams, works
from catalog.contests.errors import ContestError
from catalog.models import Account, Contest

from .. import sessions
from ..api.routes.downloads import stored_file
from ..deps import SessionDep, SettingsDep
from .errors import error_page
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

FormText = Annotated[str, Form()]
# Ids are 32-bit in the catalog: a larger one is refused (400 page) before it reaches the database.
EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]
WorkId = Annotated[int, Path(ge=1, le=2**31 - 1)]
API = "/api/v1/contests"
DONE = {  # ?done=… after a redirect: fixed messages, never text from the URL
    "team_created": "队伍已创建。请把下方的邀请码告诉队友，他们登录后在本页输入即可加入。",
    "joined": "已加入队伍。",
    "accepted": "您已同意数据利用协议。",
    "submitted": "作品已提交，等待组织者审核；通过后将在成果展示中公开。",
    "created": "大赛已创建（草稿）。添加数据后发布，公众才能看到。",
    "added": "数据已加入数据包，并固定在当前版本。",
    "published": "大赛已发布。",
    "repinned": "已更新到数据的最新版本（已记录）。",
    "work_accepted": "作品已通过，将在成果展示中公开。",
}


# --- Shared helpers -------------------------------------------------------------------------------------------


def _render(request: Request, settings: Settings, name: str, context: dict[str, Any], status: int = 200,
            account: Account | None = None) -> Response:
    web = sessions.read(request, settings)
    response = templates.TemplateResponse(request, name, {
        "csrf_token": web.csrf, "current_account": account, "nav": "contests", "api": API,
        "done": DONE.get(request.query_params.get("done", "")),
    } | context, status_code=status)
    response.headers["cache-control"] = "no-store"  # join codes and personal data on some of them
    return sessions.save(request, response, settings)


def _redirect(request: Request, settings: Settings, target: str) -> Response:
    return sessions.save(request, RedirectResponse(target, status_code=303), settings)


def _login_redirect(request: Request, settings: Settings, target: str | None = None) -> Response:
    return _redirect(request, settings, "/login?next=" + quote(target or request.url.path, safe="/"))


def _csrf_refused(request: Request) -> Response:
    return error_page(request, 403, title="请求已失效",
                      message="表单校验码缺失或已过期（CSRF 防护）。请返回上一页刷新后重新提交。")


def _refused(request: Request, exc: ContestError) -> Response:
    return error_page(request, exc.status, title="未能完成", message=exc.message)


def _contest(request: Request, session: Session, slug: str, account: Account | None) -> Contest | Response:
    try:
        return contests.find(session, slug, account)  # a draft: its organizer only, 404 for everyone else
    except ContestError as exc:
        return error_page(request, exc.status, message="没有这个大赛，或它尚未发布。")


def _page_url(contest: Contest, tail: str = "") -> str:
    return f"/contest/{quote(contest.slug, safe='')}{tail}"


def _change(request: Request, settings: Settings, session: Session, slug: str, csrf_token: str,
            act: Callable[[Account, Contest], object], done_url: Callable[[Contest], str],
            on_refusal: Callable[[Account, Contest, ContestError], Response] | None = None) -> Response:
    """A POST of the contest pages: CSRF, login, the contest, the catalog's change, commit, redirect."""
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings, f"/contest/{quote(slug, safe='')}")
    contest = _contest(request, session, slug, account)
    if isinstance(contest, Response):
        return contest
    try:
        act(account, contest)
    except ContestError as exc:
        session.rollback()
        return on_refusal(account, contest, exc) if on_refusal else _refused(request, exc)
    session.commit()
    return _redirect(request, settings, done_url(contest))


# --- /contests and /contest/{slug} ----------------------------------------------------------------------------


@router.get("/contests")
def contest_board(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    account = sessions.account_of(request, settings, session)
    return _render(request, settings, "contests.html", {
        "groups": pages.board(session, account),
        "may_organize": account is not None and contests.is_organizer(account),
    }, account=account)


def _contest_page(request: Request, settings: Settings, session: Session, contest: Contest,
                  account: Account | None, error: str | None = None, status: int = 200) -> Response:
    seat = pages.seat(session, contest, account)
    state = contests.state(contest)
    return _render(request, settings, "contest.html", {
        "contest": contest, "state": state, "state_label": contests.STATE_LABELS[state],
        "package": pages.package(session, contest, settings, seat), "seat": seat,
        "team_count": contests.team_count(session, contest),
        "registration_open": contests.registration_open(contest), "data_open": contests.data_open(contest),
        "may_manage": contests.may_manage(account, contest),
        "showcase_count": len(works.listed(session, contest)), "error": error,
        "page_url": _page_url(contest),
    }, status, account=account)


@router.get("/contest/{slug}")
def contest_page(slug: str, request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    account = sessions.account_of(request, settings, session)
    contest = _contest(request, session, slug, account)
    if isinstance(contest, Response):
        return contest
    return _contest_page(request, settings, session, contest, account)


def _shown_again(request: Request, settings: Settings, session: Session) -> Callable[..., Response]:
    """A refused team or agreement form: the contest page again, with the reason."""
    def show(account: Account, contest: Contest, exc: ContestError) -> Response:
        return _contest_page(request, settings, session, contest, account, exc.message, exc.status)
    return show


@router.post("/contest/{slug}/teams")
def create_team(slug: str, request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
                name: FormText = "") -> Response:
    return _change(request, settings, session, slug, csrf_token,
                   lambda account, contest: teams.create(session, contest, account.id, name),  # type: ignore[arg-type]
                   lambda contest: _page_url(contest, "?done=team_created#team"),
                   _shown_again(request, settings, session))


@router.post("/contest/{slug}/join")
def join_team(slug: str, request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
              join_code: FormText = "") -> Response:
    return _change(request, settings, session, slug, csrf_token,
                   lambda account, contest: teams.join(session, contest, account.id, join_code),  # type: ignore[arg-type]
                   lambda contest: _page_url(contest, "?done=joined#team"),
                   _shown_again(request, settings, session))


@router.post("/contest/{slug}/agreement")
def accept_agreement(slug: str, request: Request, settings: SettingsDep, session: SessionDep,
                     csrf_token: FormText = "", accept: FormText = "") -> Response:
    def act(account: Account, contest: Contest) -> object:
        if accept != "yes":
            raise ContestError(422, "invalid_contest", "请勾选“我已阅读并同意数据利用协议”。")
        return teams.accept_agreement(session, contest, account.id)  # type: ignore[arg-type]

    return _change(request, settings, session, slug, csrf_token, act,
                   lambda contest: _page_url(contest, "?done=accepted#team"), _shown_again(request, settings, session))


# --- The showcase and the team's work ----------------------------------------------------------------------


@router.get("/contest/{slug}/showcase")
def showcase(slug: str, request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    account = sessions.account_of(request, settings, session)
    contest = _contest(request, session, slug, account)
    if isinstance(contest, Response):
        return contest
    return _render(request, settings, "contest_showcase.html", {
        "contest": contest, "works": works.listed(session, contest),  # accepted works only: the public showcase
        "page_url": _page_url(contest),
    }, account=account)


@router.get("/contest/{slug}/works/{work_id}/screenshot")
def work_screenshot(slug: str, work_id: WorkId, request: Request, settings: SettingsDep,
                    session: SessionDep) -> Response:
    """A work's screenshot, for whoever may see the work (the showcase: anyone; before acceptance: its team and
    the organizer)."""
    account = sessions.account_of(request, settings, session)
    contest = _contest(request, session, slug, account)
    if isinstance(contest, Response):
        return contest
    try:
        view = works.find(session, contest, work_id, account)
    except ContestError:
        return error_page(request, 404, message="没有这个作品截图。")
    found = works.screenshot_file(view.work, settings)
    if found is None:
        return error_page(request, 404, message="没有这个作品截图。")
    store, relpath, media_type = found
    # Before acceptance only the team and the organizer may see it: no shared cache may keep it for others.
    cache = "public, max-age=86400" if view.work.accepted else "private, no-store"
    return stored_file(store, relpath, media_type=media_type, settings=settings,
                       headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"})


def _member_only(request: Request, settings: Settings, session: Session, slug: str,
                 ) -> tuple[Account, Contest] | Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    contest = _contest(request, session, slug, account)
    if isinstance(contest, Response):
        return contest
    if teams.membership(session, contest, account.id) is None:  # type: ignore[arg-type]
        return error_page(request, 403, title="仅限参赛队伍",
                          message="作品由参赛队伍的成员提交：请先在大赛页面创建或加入队伍。")
    return account, contest


def _submit_page(request: Request, settings: Settings, session: Session, account: Account, contest: Contest,
                 values: dict[str, Any], error: str | None = None, status: int = 200) -> Response:
    package = pages.package(session, contest, settings, None, with_samples=False)
    datasets = {line.view.dataset.name: line.view.dataset.title for line in package}  # one line per dataset
    member = teams.membership(session, contest, account.id)  # type: ignore[arg-type]
    return _render(request, settings, "contest_submit.html", {
        "contest": contest, "datasets": list(datasets.items()), "values": values, "error": error,
        "max_mib": works.MAX_SCREENSHOT_BYTES // (1024 * 1024), "page_url": _page_url(contest),
        "own_works": [w for w in works.listed(session, contest, account)
                      if member is not None and w.work.team_id == member.team_id],
    }, status, account=account)


@router.get("/contest/{slug}/submit")
def submit_form(slug: str, request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    found = _member_only(request, settings, session, slug)
    if isinstance(found, Response):
        return found
    account, contest = found
    return _submit_page(request, settings, session, account, contest, {"datasets": []})


@router.post("/contest/{slug}/submit")
async def submit_work(slug: str, request: Request, settings: SettingsDep, session: SessionDep,
                      csrf_token: FormText = "", title: FormText = "", summary: FormText = "", url: FormText = "",
                      datasets: Annotated[list[str] | None, Form()] = None,
                      screenshot: Annotated[UploadFile | None, File()] = None) -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    found = _member_only(request, settings, session, slug)
    if isinstance(found, Response):
        return found
    account, contest = found
    # One byte more than allowed is enough for the catalog to refuse an oversized image.
    image = await screenshot.read(works.MAX_SCREENSHOT_BYTES + 1) if screenshot is not None else b""
    values = {"title": title, "summary": summary, "url": url, "datasets": datasets or []}
    try:
        works.submit(session, contest, account.id, settings, title=title, summary=summary, url=url,  # type: ignore[arg-type]
                     datasets=datasets or [], screenshot=image or None)
    except ContestError as exc:
        session.rollback()
        return _submit_page(request, settings, session, account, contest, values, exc.message, exc.status)
    session.commit()
    return _redirect(request, settings, _page_url(contest, "/submit?done=submitted"))


# --- The organizer's pages ----------------------------------------------------------------------------------


def _organizer(request: Request, settings: Settings, session: Session) -> Account | Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    if not contests.is_organizer(account):
        return error_page(request, 403, title="无权访问", message="创建大赛需要竞赛组织者（或管理员）账户。")
    return account


def _new_contest_page(request: Request, settings: Settings, account: Account, values: dict[str, str],
                      error: str | None = None, status: int = 200) -> Response:
    return _render(request, settings, "contest_new.html", {
        "values": values, "error": error, "default_agreement": contests.DEFAULT_AGREEMENT,
    }, status, account=account)


@router.get("/contests/new")
def new_contest_form(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    account = _organizer(request, settings, session)
    if isinstance(account, Response):
        return account
    return _new_contest_page(request, settings, account, {"team_min": "1", "team_max": "5"})


NEW_CONTEST_FIELDS = ("slug", "title", "theme", "description", "rules", "agreement", *contests.WINDOWS,
                      "team_min", "team_max")


@router.post("/contests/new")
async def create_contest(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    form = await request.form()
    if not sessions.csrf_ok(request, settings, str(form.get("csrf_token", ""))):
        return _csrf_refused(request)
    account = _organizer(request, settings, session)
    if isinstance(account, Response):
        return account
    values = {key: str(form.get(key, "")) for key in NEW_CONTEST_FIELDS}
    try:
        contest = contests.create(session, account, pages.spec_from_form(values))
    except ContestError as exc:
        session.rollback()
        return _new_contest_page(request, settings, account, values, exc.message, exc.status)
    session.commit()
    return _redirect(request, settings, _page_url(contest, "/manage?done=created"))


def _manage_page(request: Request, settings: Settings, session: Session, account: Account, contest: Contest,
                 error: str | None = None, status: int = 200) -> Response:
    state = contests.state(contest)
    return _render(request, settings, "contest_manage.html", {
        "contest": contest, "state": state, "state_label": contests.STATE_LABELS[state],
        "package": pages.package(session, contest, settings, None, with_samples=False),
        "repins": entries.repins(session, contest), "teams": teams.teams(session, contest),
        "report": downloads.report(session, contest), "works": works.listed(session, contest, account),
        "error": error, "page_url": _page_url(contest),
    }, status, account=account)


def _manager(request: Request, settings: Settings, session: Session, slug: str) -> tuple[Account, Contest] | Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    contest = _contest(request, session, slug, account)
    if isinstance(contest, Response):
        return contest
    if not contests.may_manage(account, contest):
        return error_page(request, 403, title="无权访问", message="只有本大赛的组织者（或管理员）可以管理大赛。")
    return account, contest


@router.get("/contest/{slug}/manage")
def manage(slug: str, request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    found = _manager(request, settings, session, slug)
    if isinstance(found, Response):
        return found
    return _manage_page(request, settings, session, *found)


def _manage_change(request: Request, settings: Settings, session: Session, slug: str, csrf_token: str,
                   act: Callable[[Account, Contest], object], done: str) -> Response:
    def shown_again(account: Account, contest: Contest, exc: ContestError) -> Response:
        return _manage_page(request, settings, session, account, contest, exc.message, exc.status)

    return _change(request, settings, session, slug, csrf_token, act,
                   lambda contest: _page_url(contest, f"/manage?done={done}"), shown_again)


def _sample_rows(value: str) -> int:
    value = value.strip()
    if not value:
        return entries.DEFAULT_SAMPLE_ROWS
    if not value.isdigit():
        raise ContestError(422, "invalid_contest", "样例行数须为 0–10000 的整数。")
    return int(value)


@router.post("/contest/{slug}/manage/entries")
def add_entry(slug: str, request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
              dataset: FormText = "", resource: FormText = "", sample_rows: FormText = "",
              full: FormText = "") -> Response:
    return _manage_change(request, settings, session, slug, csrf_token, lambda account, contest: entries.add(
        session, account, contest, dataset.strip(), resource.strip() or None, sample_rows=_sample_rows(sample_rows),
        full=full == "yes"), "added")


@router.post("/contest/{slug}/manage/publish")
def publish(slug: str, request: Request, settings: SettingsDep, session: SessionDep,
            csrf_token: FormText = "") -> Response:
    return _manage_change(request, settings, session, slug, csrf_token,
                          lambda account, contest: contests.publish(session, account, contest), "published")


@router.post("/contest/{slug}/manage/entries/{entry_id}/repin")
def repin(slug: str, entry_id: EntryId, request: Request, settings: SettingsDep, session: SessionDep,
          csrf_token: FormText = "") -> Response:
    return _manage_change(request, settings, session, slug, csrf_token,
                          lambda account, contest: entries.repin(session, account, contest, entry_id), "repinned")


@router.post("/contest/{slug}/manage/works/{work_id}/accept")
def accept_work(slug: str, work_id: WorkId, request: Request, settings: SettingsDep, session: SessionDep,
                csrf_token: FormText = "", award: FormText = "") -> Response:
    return _manage_change(request, settings, session, slug, csrf_token,
                          lambda account, contest: works.accept(session, account, contest, work_id, award),
                          "work_accepted")
