"""Account security pages: the TOTP step of a login (/login/totp), /account/security (TOTP on and off, export,
delete), one-time password-reset links (/reset/{token}), the admins' /admin/users, and /account/export. The
rules live in catalog/accounts/ (totp.py, resets.py, export.py, erasure.py); every POST checks its CSRF token
first, and every guess of a secret (a TOTP code, the password re-entered to delete) counts in the login throttle.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from catalog.accounts import erasure, resets, totp, users
from catalog.accounts.export import account_export
from catalog.accounts.throttle import logins
from catalog.config import Settings
from catalog.models import Account
from catalog.vocabulary import Role

from .. import sessions
from ..deps import SessionDep, SettingsDep
from .accounts import _client_ip, _csrf_refused, _login_redirect, _redirect, _render, _safe_next
from .errors import error_page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

FormText = Annotated[str, Form()]
SECURITY = "account_security.html"
MESSAGES = {  # ?done=… on /account/security: fixed messages, never text from the URL
    "totp_on": "两步验证已开启。今后登录时，输入密码后还需输入验证器应用中的 6 位验证码。",
    "totp_off": "两步验证已关闭。",
}
BAD_LINK = "这个重设密码链接无效：它可能已经用过、已经过期，或者不完整。请向管理员索取新的链接。"


class RedactResetTokens(logging.Filter):
    """uvicorn's access log prints every request's path, and a reset link's token is a live secret until it is
    used: the path is logged as ``/reset/…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and args[2].startswith("/reset/"):
            record.args = (*args[:2], "/reset/…", *args[3:])
        return True


def hide_reset_tokens_from_access_log() -> None:
    """Install :class:`RedactResetTokens` on uvicorn's access logger (once per process)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactResetTokens) for existing in access.filters):
        access.addFilter(RedactResetTokens())


def _throttled(request: Request, settings: Settings, email: str) -> bool:
    return logins.blocked(email, _client_ip(request), settings)


def _too_many(settings: Settings) -> str:
    return f"尝试次数过多，请约 {max(settings.login_window_seconds // 60, 1)} 分钟后再试。"


# --- The second step of a login --------------------------------------------------------------------------


def _code_page(request: Request, settings: Settings, next: str, error: str | None = None,
               status: int = 200) -> Response:
    return _render(request, settings, "login_totp.html", {"next": _safe_next(next), "error": error}, status)


@router.get("/login/totp")
def login_code_form(request: Request, settings: SettingsDep, session: SessionDep, next: str = "/account") -> Response:
    if sessions.second_factor_account(request, settings, session) is None:
        return _redirect(request, settings, "/login?next=" + quote(_safe_next(next), safe="/"))
    return _code_page(request, settings, next)


@router.post("/login/totp")
def login_code(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
               code: FormText = "", next: FormText = "/account") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.second_factor_account(request, settings, session)
    if account is None:
        return _render(request, settings, "login.html", {"email": "", "next": _safe_next(next),
                                                         "error": "登录已超时，请重新输入邮箱和密码。"}, 401)
    ip = _client_ip(request)
    if logins.blocked(account.email, ip, settings):
        return _code_page(request, settings, next, _too_many(settings), 429)
    if not totp.check(session, account, code, settings):
        session.rollback()
        logins.failed(account.email, ip, settings)
        return _code_page(request, settings, next, "验证码不正确或已经用过，请输入验证器应用当前显示的 6 位数字。", 401)
    session.commit()
    logins.succeeded(account.email, settings)
    sessions.log_in(request, account, settings)
    return _redirect(request, settings, _safe_next(next))


# --- /account/security -----------------------------------------------------------------------------------


def _security_page(request: Request, settings: Settings, account: Account, *, setup: totp.Setup | None = None,
                   error: str | None = None, delete_error: str | None = None, status: int = 200) -> Response:
    if setup is None and not totp.enabled(account):
        setup = totp.begin_setup(account, settings)
    return _render(request, settings, SECURITY, {
        "totp_on": totp.enabled(account), "setup": setup, "error": error, "delete_error": delete_error,
        "required": totp.setup_required(account, settings),
        "done": MESSAGES.get(request.query_params.get("done", "")),
    }, status, account=account)


@router.get("/account/security")
def security(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    return _security_page(request, settings, account)


@router.post("/account/security/totp/enable")
def enable_totp(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
                setup: FormText = "", code: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    try:
        totp.enable(session, account, setup, code, settings)
    except totp.TotpError as exc:
        return _security_page(request, settings, account, setup=totp.resume_setup(account, setup, settings),
                              error=str(exc), status=422)
    session.commit()
    sessions.log_in(request, account, settings)  # other sessions ended; this browser stays in
    return _redirect(request, settings, "/account/security?done=totp_on")


@router.post("/account/security/totp/disable")
def disable_totp(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
                 code: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    if _throttled(request, settings, account.email):
        return _security_page(request, settings, account, error=_too_many(settings), status=429)
    try:
        totp.disable(session, account, code, settings)
    except totp.TotpError as exc:
        session.rollback()
        logins.failed(account.email, _client_ip(request), settings)
        return _security_page(request, settings, account, error=str(exc), status=422)
    session.commit()
    return _redirect(request, settings, "/account/security?done=totp_off")


# --- Export and delete ------------------------------------------------------------------------------------


@router.get("/account/export")
def export(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    body = json.dumps(account_export(session, account), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json", headers={
        "content-disposition": f'attachment; filename="account-{account.id}.json"', "cache-control": "no-store"})


@router.post("/account/delete")
def delete(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
           password: FormText = "", code: FormText = "", confirm: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    if confirm != "yes":
        return _security_page(request, settings, account, delete_error="请勾选确认框。", status=422)
    email = account.email
    if _throttled(request, settings, email):
        return _security_page(request, settings, account, delete_error=_too_many(settings), status=429)
    try:
        erasure.delete_account(session, account, settings, password=password, code=code)
    except erasure.ErasureRefused as exc:
        session.rollback()
        logins.failed(email, _client_ip(request), settings)
        return _security_page(request, settings, account, delete_error=str(exc), status=403)
    session.commit()
    sessions.log_out(request)
    return _render(request, settings, "account_notice.html", {
        "title": "账户已注销",
        "message": "您的账户已注销：密钥和数据授权已撤销，待审核的申请已撤回，邮箱、姓名和密码已清除。"
                   "审计日志和使用统计按隐私说明保留，但不再与您的邮箱关联。该邮箱可以重新注册。"})


# --- One-time password-reset links -----------------------------------------------------------------------


def _bad_link(request: Request) -> Response:
    return error_page(request, 404, title="链接无效", message=BAD_LINK)


@router.get("/reset/{token}")
def reset_form(token: str, request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    if resets.find(session, token, settings) is None:
        return _bad_link(request)
    return _render(request, settings, "reset.html", {"token": token, "error": None})


@router.post("/reset/{token}")
def reset(token: str, request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
          password: FormText = "", password_again: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    if resets.find(session, token, settings) is None:
        return _bad_link(request)
    if password != password_again:
        return _render(request, settings, "reset.html", {"token": token, "error": "两次输入的密码不一致。"}, 422)
    try:
        resets.redeem(session, token, password, settings, ip=_client_ip(request))
    except resets.ResetError:
        session.rollback()
        return _bad_link(request)
    except users.AccountError:
        session.rollback()
        return _render(request, settings, "reset.html", {
            "token": token, "error": f"密码至少需要 {users.MIN_PASSWORD} 个字符。"}, 422)
    session.commit()
    sessions.log_out(request)  # whoever was logged in in this browser: the new password is someone's
    return _render(request, settings, "account_notice.html", {
        "title": "密码已重设", "message": "新密码已生效，此账户原有的登录会话都已结束。请用新密码登录。",
        "login_link": True})


# --- /admin/users ---------------------------------------------------------------------------------------


def _admin(request: Request, settings: Settings, session: Session) -> Account | Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    if account.role != Role.admin:
        return error_page(request, 403, title="无权访问", message="用户管理页面仅对管理员开放。")
    if totp.setup_required(account, settings):  # ODP_REQUIRE_TOTP_FOR_REVIEWERS
        return _redirect(request, settings, "/account/security?required=1")
    return account


def _admin_page(request: Request, settings: Settings, session: Session, admin: Account,
                new_link: resets.NewReset | None = None, for_email: str | None = None,
                error: str | None = None, status: int = 200) -> Response:
    rows = [(a, users.department_slugs(session, a.id), totp.enabled(a))  # type: ignore[arg-type]
            for a in users.list_accounts(session)]
    return _render(request, settings, "admin_users.html", {
        "rows": rows, "new_link": new_link, "for_email": for_email, "error": error,
        "default_hours": resets.DEFAULT_HOURS, "max_hours": resets.MAX_HOURS}, status, account=admin)


@router.get("/admin/users")
def admin_users(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    admin = _admin(request, settings, session)
    if isinstance(admin, Response):
        return admin
    return _admin_page(request, settings, session, admin)


@router.post("/admin/users/{account_id}/reset-link")
def issue_reset_link(account_id: int, request: Request, settings: SettingsDep, session: SessionDep,
                     csrf_token: FormText = "", hours: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    admin = _admin(request, settings, session)
    if isinstance(admin, Response):
        return admin
    target = session.get(Account, account_id)
    if target is None:
        return error_page(request, 404, message="没有这个账户。")
    wanted = hours.strip() or str(resets.DEFAULT_HOURS)
    try:
        if not wanted.isdigit():
            raise users.AccountError(f"有效小时数须为 1–{resets.MAX_HOURS} 的整数。")
        made = resets.issue(session, target, settings, hours=int(wanted), issued_by=admin.id)
    except users.AccountError as exc:
        return _admin_page(request, settings, session, admin, error=str(exc), status=422)
    session.commit()
    return _admin_page(request, settings, session, admin, new_link=made, for_email=target.email, status=201)
