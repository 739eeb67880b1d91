"""Account pages: register, log in and out, /account (keys, applications, grants), the apply form of a
有条件开放 dataset, the reviewers' /review, and /privacy. The rules live in catalog/accounts/; the session cookie
and CSRF tokens in portal/sessions.py. Every POST checks the form's CSRF token first (403 without it).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from catalog.accounts import agreements, applications, grants, keys, overview, totp, users
from catalog.accounts.throttle import logins
from catalog.config import Settings
from catalog.contests import consents
from catalog.models import Account
from catalog.privacy import policy as privacy_policy
from catalog.vocabulary import ApplicationStatus, Role

from .. import sessions
from ..deps import SessionDep, SettingsDep
from .errors import error_page
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

FormText = Annotated[str, Form()]
STATUS_LABELS = {ApplicationStatus.pending: "待审核", ApplicationStatus.approved: "已批准",
                 ApplicationStatus.rejected: "未通过", ApplicationStatus.revoked: "已撤销"}
DONE = {  # ?done=… after a redirect: fixed messages, never text from the URL
    "registered": "注册请求已受理。如该邮箱此前未注册，账户已经建好，请登录。",
    "applied": "申请已提交，请等待提供部门审核。审核结果会显示在下方“我的申请”中。",
    "revoked_key": "密钥已撤销，使用它的请求将被拒绝。",
    "logged_out": "您已退出登录。退出登录会结束此账号的所有会话（包括其他浏览器和设备上的）。",
    "approved": "已批准，申请者现在可以访问数据。",
    "rejected": "已驳回申请。",
    "revoked": "授权已撤销，立即生效。",
}
DECIDED = {"approve": "approved", "reject": "rejected", "revoke": "revoked"}
ROLE_LABELS = {Role.user: "普通用户", Role.reviewer: "审核人员", Role.organizer: "竞赛组织者", Role.admin: "管理员"}


def _render(request: Request, settings: Settings, name: str, context: dict[str, Any], status: int = 200,
            account: Account | None = None) -> Response:
    web = sessions.read(request, settings)
    response = templates.TemplateResponse(request, name, {
        "csrf_token": web.csrf, "current_account": account, "status_labels": STATUS_LABELS,
        "role_labels": ROLE_LABELS, "Role": Role, "ApplicationStatus": ApplicationStatus, "done": DONE.get(request.query_params.get("done", "")),
    } | context, status_code=status)
    response.headers["cache-control"] = "no-store"  # pages with keys, tokens and personal data
    return sessions.save(request, response, settings)


def _redirect(request: Request, settings: Settings, target: str) -> Response:
    return sessions.save(request, RedirectResponse(target, status_code=303), settings)


def _login_redirect(request: Request, settings: Settings) -> Response:
    return _redirect(request, settings, "/login?next=" + quote(request.url.path, safe="/"))


def _safe_next(target: str) -> str:
    """Only a path of this site (no scheme, no //host, no backslash): never an open redirect."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and len(target) < 500:
        return target
    return "/account"


def _csrf_refused(request: Request) -> Response:
    return error_page(request, 403, title="请求已失效",
                      message="表单校验码缺失或已过期（CSRF 防护）。请返回上一页刷新后重新提交。")


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _log_expired_grants(session: Session) -> None:
    """The pages that list grants first write the "grant expired" audit events the sweeper has not yet."""
    if grants.log_expired_grants(session):
        session.commit()


# --- Register, log in, log out ---------------------------------------------------------------------------


@router.get("/register")
def register_form(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    return _render(request, settings, "register.html", {"email": "", "name": "", "error": None},
                   account=sessions.account_of(request, settings, session))


@router.post("/register")
def register(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
             email: FormText = "", name: FormText = "", password: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    try:
        users.register(session, email, name, password, settings)
    except users.AccountError as exc:
        return _render(request, settings, "register.html", {"email": email, "name": name, "error": str(exc)}, 422)
    session.commit()
    return _redirect(request, settings, "/login?done=registered")  # the same answer for a taken email


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, session: SessionDep, next: str = "/account") -> Response:
    return _render(request, settings, "login.html", {"email": "", "next": _safe_next(next), "error": None},
                   account=sessions.account_of(request, settings, session))


@router.post("/login")
def login(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
          email: FormText = "", password: FormText = "", next: FormText = "/account") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    ip = _client_ip(request)
    context = {"email": email, "next": _safe_next(next)}
    if logins.blocked(email, ip, settings):
        minutes = max(settings.login_window_seconds // 60, 1)
        return _render(request, settings, "login.html", context | {
            "error": f"登录失败次数过多，请约 {minutes} 分钟后再试。"}, 429)
    account = users.authenticate(session, email, password, settings)
    if account is None:
        logins.failed(email, ip, settings)
        return _render(request, settings, "login.html", context | {"error": "邮箱或密码不正确。"}, 401)
    if totp.enabled(account):  # the password was right: the code next (account_security.py), no access yet
        sessions.await_second_factor(request, account, settings)
        return _redirect(request, settings, "/login/totp?next=" + quote(_safe_next(next), safe="/"))
    logins.succeeded(email, settings)
    sessions.log_in(request, account, settings)
    return _redirect(request, settings, _safe_next(next))


@router.post("/logout")
def logout(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is not None:  # every session of the account ends, copied cookies included
        users.end_sessions(session, account)
        session.commit()
    sessions.log_out(request)
    return _redirect(request, settings, "/login?done=logged_out")


# --- /account: keys, applications, grants ----------------------------------------------------------------


def _account_page(request: Request, settings: Settings, session: Session, account: Account,
                  new_key: keys.NewKey | None = None, error: str | None = None, status: int = 200) -> Response:
    return _render(request, settings, "account.html", {
        "overview": overview.account_overview(session, account, settings), "new_key": new_key,
        "key_error": error, "warning_days": settings.grant_expiry_warning_days,
        "notifications": getattr(request.state, "notifications", None),  # GET /account only
        "follows": getattr(request.state, "follows", None),
    }, status, account=account)


@router.get("/account")
def account_page(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    _log_expired_grants(session)
    from .community import (  # (portal/web/community.py imports this module)
        account_follows,
        account_notifications,
    )
    from .usage import account_usage_view  # (portal/web/usage.py imports this module)

    request.state.key_usage = account_usage_view(session, account, settings)  # the keys' charts: this page only
    request.state.notifications = account_notifications(session, account)  # answers to requests and 纠错
    request.state.follows = account_follows(session, account)  # followed datasets' changes
    return _account_page(request, settings, session, account)


@router.post("/account/keys")
def create_key(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
               name: FormText = "", days: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    if days.strip() and not days.strip().isdigit():
        return _account_page(request, settings, session, account, error="有效天数须为 1–3650 的整数。", status=422)
    try:
        made = keys.create_key(session, account, name, settings, days=int(days) if days.strip() else None)
    except ValueError as exc:
        return _account_page(request, settings, session, account, error=str(exc), status=422)
    session.commit()
    return _account_page(request, settings, session, account, new_key=made, status=201)


@router.post("/account/keys/{key_id}/revoke")
def revoke_key(key_id: int, request: Request, settings: SettingsDep, session: SessionDep,
               csrf_token: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    if keys.revoke_key(session, account.id, key_id) is None:  # type: ignore[arg-type]
        return error_page(request, 404, message="没有这个密钥。")
    session.commit()
    return _redirect(request, settings, "/account?done=revoked_key")


# --- Applying for a 有条件开放 dataset -----------------------------------------------------------------------


def _apply_page(request: Request, settings: Settings, session: Session, account: Account, dataset,
                values: dict[str, Any], error: str | None = None, status: int = 200) -> Response:
    return _render(request, settings, "apply.html", {
        "ds": dataset, "values": values, "error": error, "max_days": settings.application_max_days,
        "agreement": agreements.shown_for(session, dataset, settings),  # the department's text, else the portal's
    }, status, account=account)


def _dataset(session: Session, name: str):
    try:
        return applications.find_dataset(session, name)  # closed, withdrawn or unknown: not found
    except applications.NotFound:
        return None


@router.get("/dataset/{name}/apply")
def apply_form(name: str, request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    dataset = _dataset(session, name)
    if dataset is None:
        return error_page(request, 404, message="没有这个数据集，或它已不再公开。")
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    return _apply_page(request, settings, session, account, dataset,
                       {"days": min(365, settings.application_max_days)})


@router.post("/dataset/{name}/apply")
def apply(name: str, request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
          purpose: FormText = "", scenario: FormText = "", organization: FormText = "", days: FormText = "",
          accept_agreement: FormText = "", agreement_sha256: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    dataset = _dataset(session, name)
    if dataset is None:
        return error_page(request, 404, message="没有这个数据集，或它已不再公开。")
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    values = {"purpose": purpose, "scenario": scenario, "organization": organization, "days": days}
    try:
        applications.apply(session, account, name, settings, purpose=purpose, scenario=scenario,
                           organization=organization, days=int(days) if days.strip().isdigit() else 0,
                           accept_agreement=accept_agreement == "yes",
                           agreement_sha256=agreement_sha256 or None)  # the text the form showed
    except applications.ApplicationError as exc:
        if isinstance(exc, applications.AgreementChanged):
            exc.message = "提供部门已更新《数据利用协议》，请阅读下方的新协议后重新确认。"
        return _apply_page(request, settings, session, account, dataset, values, exc.message, exc.status)
    session.commit()
    return _redirect(request, settings, "/account?done=applied")


# --- /review: reviewers decide their departments' applications ---------------------------------------------


def _reviewer(request: Request, settings: Settings, session: Session) -> Account | Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    if account.role not in (Role.reviewer, Role.admin):
        return error_page(request, 403, title="无权访问", message="审核页面仅对提供部门的审核人员和管理员开放。")
    if totp.setup_required(account, settings):  # ODP_REQUIRE_TOTP_FOR_REVIEWERS
        return _redirect(request, settings, "/account/security?required=1")
    return account


@router.get("/review")
def review(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    actor = _reviewer(request, settings, session)
    if isinstance(actor, Response):
        return actor
    _log_expired_grants(session)
    from .community import review_counts  # (portal/web/community.py imports this module)

    return _render(request, settings, "review.html", {
        "queue": overview.review_queue(session, actor, settings),
        "decided": overview.decided_by_reviewer(session, actor),
        "pending_consents": sum(1 for c in consents.visible(session, actor, ApplicationStatus.pending)
                                if consents.may_review(session, actor, c)),  # decided on /review/contests
        "departments": users.department_titles(session, actor.id),  # type: ignore[arg-type]
        "target_days": settings.review_working_days, "error": None,
        "personal_data": privacy_policy.for_review(  # blocked and flagged datasets: names for reviewers only
            session, None if actor.role == Role.admin else users.department_ids(session, actor.id)),  # type: ignore[arg-type]
        "community": review_counts(session, actor),  # open data requests and 纠错: /review/community
    }, account=actor)


@router.post("/review/{application_id}/{decision}")
def decide(application_id: int, decision: str, request: Request, settings: SettingsDep, session: SessionDep,
           csrf_token: FormText = "", days: FormText = "", reason: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    actor = _reviewer(request, settings, session)
    if isinstance(actor, Response):
        return actor
    try:
        if decision == "approve":
            shorter = int(days) if days.strip().isdigit() else None
            if days.strip() and shorter is None:
                raise applications.ApplicationError("授权天数须为正整数")
            applications.approve(session, actor, application_id, shorter)
        elif decision == "reject":
            applications.reject(session, actor, application_id, reason)
        elif decision == "revoke":  # an approved application: its grant stops at once
            applications.revoke(session, actor, application_id, reason)
        else:
            return error_page(request, 404)
    except applications.ApplicationError as exc:
        return error_page(request, exc.status, title="未能处理", message=exc.message)
    session.commit()
    return _redirect(request, settings, "/review?done=" + DECIDED[decision])


# --- /privacy -------------------------------------------------------------------------------------------


@router.get("/privacy")
def privacy(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    return _render(request, settings, "privacy.html", {"settings": settings},
                   account=sessions.account_of(request, settings, session))
