"""/admin/search-log: what citizens searched for and did not find, for admins — each text searched again now
(did a synonym or a new dataset fix it?) with a form that adds a synonym group on the spot. The log is
``catalog/search/zero_hits.py``; groups go to ``catalog/search/synonym_additions.py``'s file, which the search
re-reads for the next query (no reindex)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from catalog.config import Settings
from catalog.models import Account
from catalog.search import synonym_additions, zero_hits
from catalog.vocabulary import Role

from .. import sessions
from ..deps import SearchDep, SessionDep, SettingsDep
from .errors import error_page
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

SHOWN = 100
MESSAGES = {"added": "已添加同义词组，下一次搜索即生效（无需重建索引）。"}


def _admin(request: Request, settings: Settings, session: Session) -> Account | Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return sessions.save(request, RedirectResponse("/login?next=/admin/search-log", status_code=303), settings)
    if account.role != Role.admin:
        return error_page(request, 403, title="无权访问", message="搜索日志仅对管理员开放。")
    return account


@router.get("/admin/search-log")
def search_log_page(request: Request, settings: SettingsDep, session: SessionDep, backend: SearchDep) -> Response:
    admin = _admin(request, settings, session)
    if isinstance(admin, Response):
        return admin
    return _page(request, settings, admin, backend)


def _page(request: Request, settings: Settings, admin: Account, backend, *, error: str | None = None,
          words: str = "", status: int = 200) -> Response:
    zero_hits.flush()  # this worker's own counts
    web = sessions.read(request, settings)
    response = templates.TemplateResponse(request, "admin_search_log.html", {
        "rows": zero_hits.review(backend, SHOWN, settings.data_dir),
        "groups": synonym_additions.admin_groups(settings),
        "synonyms_file": settings.admin_synonyms_file,
        "csrf_token": web.csrf, "current_account": admin, "error": error, "words": words,
        "done": MESSAGES.get(request.query_params.get("done", "")),
    }, status_code=status)
    response.headers["cache-control"] = "no-store"
    return sessions.save(request, response, settings)


@router.post("/admin/search-log/synonyms")
def add_synonyms(request: Request, settings: SettingsDep, session: SessionDep, backend: SearchDep,
                 csrf_token: Annotated[str, Form()] = "", words: Annotated[str, Form()] = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return error_page(request, 403, title="请求已失效", message="表单校验码缺失或已过期（CSRF 防护）。请刷新后重试。")
    admin = _admin(request, settings, session)
    if isinstance(admin, Response):
        return admin
    try:
        synonym_additions.add_group(settings, words)
    except synonym_additions.SynonymGroupError as exc:
        return _page(request, settings, admin, backend, error=str(exc), words=words, status=400)
    return sessions.save(request, RedirectResponse("/admin/search-log?done=added", status_code=303), settings)
