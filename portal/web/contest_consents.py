"""/review/contests: the providing departments' reviewers (and admins) decide the contests' requests to hand a
有条件开放 dataset to their teams — approve, reject with a reason, or revoke an approval — as they decide
individual applications on /review (the same people, the same audit log; catalog/contests/consents.py). Until a
request is approved its entries are 待部门审核 and no team downloads them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from catalog.contests import consents, pages
from catalog.contests.errors import ContestError

from .. import sessions
from ..deps import SessionDep, SettingsDep
from .accounts import _csrf_refused, _redirect, _render, _reviewer
from .errors import error_page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

FormText = Annotated[str, Form()]
ConsentId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # 32-bit ids: a larger one never reaches the database
DONE = {"approved": "已同意，参赛队伍现在可以下载该数据。", "rejected": "已拒绝该请求。",
        "revoked": "已撤回同意，参赛队伍的下载立即停止。"}


@router.get("/review/contests")
def consent_queue(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    actor = _reviewer(request, settings, session)
    if isinstance(actor, Response):
        return actor
    return _render(request, settings, "contest_consents.html", {
        "lines": pages.consent_queue(session, actor),
        "decided_message": DONE.get(request.query_params.get("decided", "")),
    }, account=actor)


@router.post("/review/contests/{consent_id}/{decision}")
def decide(consent_id: ConsentId, decision: str, request: Request, settings: SettingsDep, session: SessionDep,
           csrf_token: FormText = "", reason: FormText = "") -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    actor = _reviewer(request, settings, session)
    if isinstance(actor, Response):
        return actor
    try:
        if decision == "approve":
            consents.approve(session, actor, consent_id)
            done = "approved"
        elif decision == "reject":
            consents.reject(session, actor, consent_id, reason)
            done = "rejected"
        elif decision == "revoke":
            consents.revoke(session, actor, consent_id, reason)
            done = "revoked"
        else:
            return error_page(request, 404)
    except ContestError as exc:
        session.rollback()
        return error_page(request, exc.status, title="未能处理", message=exc.message)
    session.commit()
    return _redirect(request, settings, f"/review/contests?decided={done}")
