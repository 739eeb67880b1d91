"""Community pages (issue 14): the dataset page's stars, follow button, comments and error-report form (their POSTs
here), the data requests (/requests, /requests/new, /requests/{id}: votes, comments, the department's answer,
hiding), the reviewers' /review/community queue (and the admins' reuses to approve), and /account's
notifications and followed datasets. Every rule lives in catalog/community/; every POST goes through
:func:`posted`: its CSRF token first (403 without it), then the account, then the catalog, then a redirect."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from sqlmodel import Session, select

from catalog.access import DatasetNotFound, DatasetWithdrawn
from catalog.community import comments, follows, issues, moderation, notifications, ratings, requests, reuses
from catalog.community.errors import CommunityError
from catalog.config import Settings
from catalog.models import Account, Dataset, Department, ErrorReport
from catalog.vocabulary import DOMAINS, Role

from .. import sessions
from ..deps import SessionDep, SettingsDep
from .accounts import FormText, _csrf_refused, _login_redirect, _redirect, _render, _reviewer, _safe_next
from .errors import error_page
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # a row id: beyond int32 PostgreSQL would fail, not answer 404

ANSWER_LABELS = {s.value: requests.STATUS_LABELS[s] for s in requests.ANSWERS}


def _refused(request: Request, exc: CommunityError) -> Response:
    return error_page(request, exc.status, title="未能提交", message=exc.message)


def _dataset_refused(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DatasetWithdrawn):
        return error_page(request, 410, message="该数据集已撤下。")
    return error_page(request, 404, message="没有这个数据集，或它已不再公开。")


# --- The dataset page's part ---------------------------------------------------------------------------------


def dataset_panel(request: Request, settings: Settings, session: Session, dataset: Dataset) -> dict[str, Any]:
    """What the dataset page shows of the community: the rating, the comment threads, and for a logged-in
    visitor its own stars, its error reports and the forms (with its session's CSRF token; an anonymous visitor
    gets no session cookie from this page)."""
    account = sessions.account_of(request, settings, session)
    panel: dict[str, Any] = {
        "rating": ratings.summaries(session, [dataset.id]).get(dataset.id, ratings.NONE),  # type: ignore[list-item]
        "threads": comments.thread(session, dataset_id=dataset.id), "account": account,
        "kinds": issues.KIND_LABELS, "login": "/login?next=" + quote(f"/dataset/{dataset.name}", safe="/"),
    }
    if account is not None:
        panel |= {
            "csrf_token": sessions.read(request, settings).csrf,
            "mine": ratings.mine(session, account.id, dataset.name),  # type: ignore[arg-type]
            "moderator": moderation.may_moderate(session, account, dataset.department_id),
            "issues": [issues.as_json(session, i) for i in issues.listing(session, account, dataset.name)],
            "following": follows.following(session, account.id, dataset.name),  # type: ignore[arg-type]
        }
    return panel


def posted(request: Request, settings: Settings, session: Session, csrf_token: str, work: Callable[[Account], Any],
           done: str, *, login_next: str | None = None,
           refused: Callable[[CommunityError], Response] | None = None) -> Response:
    """A community form's POST: the CSRF token first (403), then the account (else the login page, coming back
    to ``login_next``), then the catalog's ``work``; a refusal is rolled back and shown (``refused``, or an error
    page with its status), a success committed and redirected to ``done``."""
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is None:
        if login_next is None:
            return _login_redirect(request, settings)
        return _redirect(request, settings, "/login?next=" + quote(login_next, safe="/"))
    try:
        work(account)
    except CommunityError as exc:
        session.rollback()
        return refused(exc) if refused else _refused(request, exc)
    except (DatasetNotFound, DatasetWithdrawn) as exc:
        session.rollback()
        return _dataset_refused(request, exc)
    session.commit()
    return _redirect(request, settings, done)


def _posted_on_dataset(request: Request, settings: Settings, session: Session, name: str, csrf_token: str,
                       work: Callable[[Account], Any], anchor: str) -> Response:
    return posted(request, settings, session, csrf_token, work, f"/dataset/{quote(name, safe='')}#{anchor}",
                  login_next=f"/dataset/{name}")


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 11 and int(text) < 2**31 else None


@router.post("/dataset/{name}/rating")
def rate(name: str, request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
         stars: FormText = "") -> Response:
    return _posted_on_dataset(request, settings, session, name, csrf_token,
                              lambda account: ratings.rate(session, account, name, _number(stars) or 0), "community")


@router.post("/dataset/{name}/follow")
def follow_dataset(name: str, request: Request, settings: SettingsDep, session: SessionDep,
                   csrf_token: FormText = "", action: FormText = "follow") -> Response:
    change = follows.unfollow if action == "unfollow" else follows.follow
    return _posted_on_dataset(request, settings, session, name, csrf_token,
                              lambda account: change(session, account, name), "community")


@router.post("/dataset/{name}/comments")
def comment_dataset(name: str, request: Request, settings: SettingsDep, session: SessionDep,
                    csrf_token: FormText = "", body: FormText = "", reply_to: FormText = "") -> Response:
    return _posted_on_dataset(request, settings, session, name, csrf_token, lambda account: comments.on_dataset(
        session, settings, account, name, body, _number(reply_to)), "comments")


@router.post("/dataset/{name}/issues")
def report_issue(name: str, request: Request, settings: SettingsDep, session: SessionDep,
                 csrf_token: FormText = "", kind: FormText = "", body: FormText = "", row: FormText = "",
                 field: FormText = "") -> Response:
    if row.strip() and _number(row) is None:
        return error_page(request, 422, title="未能提交", message="行号须为正整数。")
    return _posted_on_dataset(request, settings, session, name, csrf_token, lambda account: issues.report(
        session, settings, account, name, kind=kind, body=body, row=_number(row), field=field.strip() or None),
        "issues")


@router.post("/comments/{comment_id}/hide")
def hide_comment(comment_id: RowId, request: Request, settings: SettingsDep, session: SessionDep,
                 csrf_token: FormText = "", reason: FormText = "", back: FormText = "/") -> Response:
    return posted(request, settings, session, csrf_token,
                  lambda account: comments.hide(session, account, comment_id, reason), _safe_next(back))


# --- Data requests --------------------------------------------------------------------------------------------


def _departments(session: Session) -> list[Department]:
    return list(session.exec(select(Department).order_by(Department.name)))


@router.get("/requests")
def request_list(request: Request, settings: SettingsDep, session: SessionDep, domain: str = "",
                 department: str = "", status: str = "", sort: str = "new", page: int = 1) -> Response:
    chosen = next((s for s in requests.RequestStatus if s.value == status), None)
    sort = sort if sort in requests.SORTS else "new"
    page = min(max(page, 1), 10_000)
    found = requests.listing(session, domain=domain[:40] or None, department=department[:100] or None,
                             status=chosen, sort=sort, page=page, size=20)
    rows = [requests.as_json(session, r, found.votes.get(r.id, 0)) for r in found.rows]  # type: ignore[arg-type]
    filters = {"domain": domain, "department": department, "status": chosen.value if chosen else "", "sort": sort}
    more = "/requests?" + urlencode(filters | {"page": page + 1}) if page * 20 < found.count else None
    return _render(request, settings, "requests.html", {
        "rows": rows, "count": found.count, "filters": filters, "domains": DOMAINS, "next_page": more,
        "departments": _departments(session), "statuses": requests.STATUS_LABELS,
        "domain_names": {d.code: d.name for d in DOMAINS},
        "done": {"hidden": "该需求已隐藏。"}.get(request.query_params.get("done", "")),
    }, account=sessions.account_of(request, settings, session))


def _new_form(request: Request, settings: Settings, session: Session, account: Account, values: dict[str, str],
              error: str | None = None, status: int = 200) -> Response:
    return _render(request, settings, "requests_new.html", {
        "values": values, "error": error, "domains": DOMAINS, "departments": _departments(session),
    }, status, account=account)


@router.get("/requests/new")
def new_request_form(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    return _new_form(request, settings, session, account, {})


@router.post("/requests/new")
def create_request(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
                   title: FormText = "", description: FormText = "", domain: FormText = "",
                   department: FormText = "", purpose: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    values = {"title": title, "description": description, "domain": domain, "department": department,
              "purpose": purpose}
    try:
        row = requests.create(session, account, title=title, description=description, domain=domain,
                              department=department or None, purpose=purpose or None, settings=settings)
    except CommunityError as exc:
        session.rollback()
        return _new_form(request, settings, session, account, values, exc.message, exc.status)
    session.commit()
    return _redirect(request, settings, f"/requests/{row.id}")


def _request_page(request: Request, settings: Settings, session: Session, request_id: int,
                  error: str | None = None, status: int = 200) -> Response:
    try:
        row = requests.find(session, request_id)
    except CommunityError:
        return error_page(request, 404, message="没有这个数据需求，或它已被隐藏。")
    account = sessions.account_of(request, settings, session)
    department = session.get(Department, row.department_id) if row.department_id else None
    return _render(request, settings, "request.html", {
        "req": requests.as_json(session, row, with_comments=True), "department": department,
        "domain_name": next((d.name for d in DOMAINS if d.code == row.domain_code), row.domain_code),
        "moderator": moderation.may_moderate(session, account, row.department_id),
        "voted": account is not None and session.get(requests.DataRequestVote, (row.id, account.id)) is not None,
        "answers": ANSWER_LABELS, "error": error,
    }, status, account=account)


@router.get("/requests/{request_id}")
def request_page(request_id: RowId, request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    return _request_page(request, settings, session, request_id)


def _posted_on_request(request: Request, settings: Settings, session: Session, request_id: int, csrf_token: str,
                       work: Callable[[Account], Any], anchor: str = "") -> Response:
    def refused(exc: CommunityError) -> Response:  # the request's page again, with the message
        if exc.status == 404:
            return error_page(request, 404, message="没有这个数据需求，或它已被隐藏。")
        return _request_page(request, settings, session, request_id, exc.message, exc.status)

    return posted(request, settings, session, csrf_token, work, f"/requests/{request_id}{anchor}",
                  login_next=f"/requests/{request_id}", refused=refused)


@router.post("/requests/{request_id}/vote")
def vote(request_id: RowId, request: Request, settings: SettingsDep, session: SessionDep,
         csrf_token: FormText = "") -> Response:
    return _posted_on_request(request, settings, session, request_id, csrf_token,
                              lambda account: requests.vote(session, account, request_id))


@router.post("/requests/{request_id}/comments")
def comment_request(request_id: RowId, request: Request, settings: SettingsDep, session: SessionDep,
                    csrf_token: FormText = "", body: FormText = "", reply_to: FormText = "") -> Response:
    return _posted_on_request(request, settings, session, request_id, csrf_token, lambda account: requests.comment(
        session, settings, account, request_id, body, _number(reply_to)), "#comments")


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        raise CommunityError(422, "invalid_post", "计划日期须为 YYYY-MM-DD。") from None


@router.post("/requests/{request_id}/answer")
def answer_request(request_id: RowId, request: Request, settings: SettingsDep, session: SessionDep,
                   csrf_token: FormText = "", status: FormText = "", message: FormText = "",
                   dataset: FormText = "", planned_date: FormText = "", back: FormText = "") -> Response:
    response = _posted_on_request(request, settings, session, request_id, csrf_token, lambda account: requests.answer(
        session, account, request_id, status=status, message=message, dataset=dataset.strip() or None,
        planned_date=_date(planned_date)), "#answer")
    if back == "review" and response.status_code == 303 and "/login" not in response.headers["location"]:
        response.headers["location"] = "/review/community?done=answered"
    return response


@router.post("/requests/{request_id}/hide")
def hide_request(request_id: RowId, request: Request, settings: SettingsDep, session: SessionDep,
                 csrf_token: FormText = "", reason: FormText = "") -> Response:
    response = _posted_on_request(request, settings, session, request_id, csrf_token,
                                  lambda account: requests.hide(session, account, request_id, reason))
    if response.status_code == 303 and "/login" not in response.headers["location"]:
        response.headers["location"] = "/requests?done=hidden"
    return response


# --- The reviewers' queue -------------------------------------------------------------------------------------


def review_counts(session: Session, actor: Account) -> dict[str, int]:
    """For /review's notice: unanswered data requests and open error reports of the reviewer's departments."""
    return {"requests": len(requests.queue(session, actor)), "issues": len(issues.queue(session, actor))}


@router.get("/review/community")
def review_community(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    actor = _reviewer(request, settings, session)
    if isinstance(actor, Response):
        return actor
    return _render(request, settings, "community_review.html", {
        "requests": [requests.as_json(session, r) for r in requests.queue(session, actor)],
        "issues": [issues.as_json(session, i) for i in issues.queue(session, actor)],
        "answers": ANSWER_LABELS, "issue_statuses": issues.STATUS_LABELS,
        "community_done": {"answered": "已答复。", "approved": "已批准，该应用成果现已公开展示。"}.get(
            request.query_params.get("done", "")),
        # admins: the reuses waiting for approval
        "reuses": reuses.submitted(session, actor, approved=False) if actor.role == Role.admin else [],
    }, account=actor)


@router.post("/issues/{issue_id}/answer")
def answer_issue(issue_id: RowId, request: Request, settings: SettingsDep, session: SessionDep,
                 csrf_token: FormText = "", status: FormText = "", message: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    actor = _reviewer(request, settings, session)
    if isinstance(actor, Response):
        return actor
    if session.get(ErrorReport, issue_id) is None:
        return error_page(request, 404, message="没有这个纠错报告。")
    try:
        issues.answer(session, actor, issue_id, status=status, message=message)
    except CommunityError as exc:
        session.rollback()
        return _refused(request, exc)
    except (DatasetNotFound, DatasetWithdrawn) as exc:
        session.rollback()
        return _dataset_refused(request, exc)
    session.commit()
    return _redirect(request, settings, "/review/community?done=answered")


# --- /account's notifications ---------------------------------------------------------------------------------


def account_notifications(session: Session, account: Account) -> list[Any]:
    """The account's notifications, unread first (each part newest first)."""
    rows = notifications.recent(session, account.id)  # type: ignore[arg-type]
    return [n for n in rows if n.read is None] + [n for n in rows if n.read is not None]


def account_follows(session: Session, account: Account) -> dict[str, Any]:
    """/account's followed datasets and what changed in them since they were followed."""
    return {"datasets": follows.followed(session, account.id),  # type: ignore[arg-type]
            "updates": follows.updates(session, account.id)}  # type: ignore[arg-type]


@router.post("/account/notifications/read")
def read_notifications(request: Request, settings: SettingsDep, session: SessionDep,
                       csrf_token: FormText = "") -> Response:
    return posted(request, settings, session, csrf_token,
                  lambda account: notifications.mark_read(session, account.id), "/account#notifications")  # type: ignore[arg-type]


# --- Links in user text ---------------------------------------------------------------------------------------

_URL = re.compile(r"https?://(?:(?!&lt;|&gt;|&quot;|&#34;|&#39;)[^\s])+")


def ugc_text(value: str | None) -> Markup:
    """User text as HTML: escaped first, then its http(s) links made links with ``rel="nofollow ugc"`` (search
    engines give them no weight, and spam earns nothing)."""
    escaped = str(escape(value or ""))
    return Markup(_URL.sub(lambda m: f'<a href="{m.group(0)}" rel="nofollow ugc">{m.group(0)}</a>', escaped))


templates.env.filters["ugc"] = ugc_text
