"""/admin/harvest: the operator's read-only view of harvesting (catalog/quality/operations.py) — sources and their
latest jobs, recent jobs, failed items with reasons, datasets blocked for personal information, validation
failures by department. Admins only (catalog/access.py ``operator_view_shown``); a visitor is sent to log in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from catalog import access
from catalog.quality import operations

from .. import sessions
from ..deps import SessionDep, SettingsDep
from .errors import error_page
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/admin/harvest")
def harvest_page(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return sessions.save(request, RedirectResponse("/login?next=/admin/harvest", status_code=303), settings)
    if not access.operator_view_shown(account.role):
        return error_page(request, 403, title="无权访问", message="采集情况仅对管理员开放。")
    response = templates.TemplateResponse(request, "admin_harvest.html", {
        "overview": operations.overview(session), "current_account": account,
    })
    response.headers["cache-control"] = "no-store"
    return sessions.save(request, response, settings)
