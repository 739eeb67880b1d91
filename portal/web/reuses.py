"""Reuse pages (应用/成果, issue 14): ``/reuses`` (approved reuses and accepted contest works, by dataset and
kind), the submit form ``/reuses/new`` (with an optional image), a reuse's image, and the admins' approval
(their queue is on ``/review/community``). The rules are catalog/community/reuses.py's; links to the reuses
themselves carry ``rel="nofollow ugc"`` in the templates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, select

from catalog import access
from catalog.community import images, reuses
from catalog.community.errors import CommunityError
from catalog.config import Settings
from catalog.models import Account, Dataset

from .. import sessions
from ..api.routes.downloads import stored_file
from ..deps import SessionDep, SettingsDep
from .accounts import FormText, _csrf_refused, _login_redirect, _redirect, _render
from .community import RowId, posted
from .errors import error_page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
DONE = {"submitted": "已提交，管理员审核通过后将在此展示。", "approved": "已批准，该应用成果现已公开展示。"}


@router.get("/reuses")
def reuse_list(request: Request, settings: SettingsDep, session: SessionDep, dataset: str = "",
               kind: str = "") -> Response:
    account = sessions.account_of(request, settings, session)
    kinds = reuses.kind_choices()
    kind = kind if kind in kinds else ""
    dataset = dataset.strip()[:200]
    shown = session.exec(select(Dataset).where(Dataset.name == dataset)).first() if dataset else None
    if shown is not None and not access.listed(shown, account):
        shown = None
    return _render(request, settings, "reuses.html", {
        "rows": reuses.listing(session, account, dataset=dataset or None, kind=kind or None),
        "kinds": kinds, "filters": {"dataset": dataset, "kind": kind}, "dataset": shown,
        "done": DONE.get(request.query_params.get("done", "")),
        "mine": reuses.submitted(session, account, approved=False, account_id=account.id) if account else [],
    }, account=account)


def _form(request: Request, settings: Settings, session: Session, account: Account, values: dict,
          error: str | None = None, status: int = 200) -> Response:
    return _render(request, settings, "reuses_new.html", {
        "values": values, "error": error, "kinds": {k.value: v for k, v in reuses.KIND_LABELS.items()},
        "max_mib": images.MAX_BYTES // (1024 * 1024),
    }, status, account=account)


@router.get("/reuses/new")
def new_reuse_form(request: Request, settings: SettingsDep, session: SessionDep, dataset: str = "") -> Response:
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    return _form(request, settings, session, account, {"datasets": dataset[:200]})


@router.post("/reuses/new")
async def submit_reuse(request: Request, settings: SettingsDep, session: SessionDep, csrf_token: FormText = "",
                       title: FormText = "", url: FormText = "", description: FormText = "", kind: FormText = "",
                       datasets: FormText = "",
                       image: Annotated[UploadFile | None, File()] = None) -> Response:
    if not sessions.csrf_ok(request, settings, csrf_token):
        return _csrf_refused(request)
    account = sessions.account_of(request, settings, session)
    if account is None:
        return _login_redirect(request, settings)
    data = await image.read(images.MAX_BYTES + 1) if image is not None else b""
    values = {"title": title, "url": url, "description": description, "kind": kind, "datasets": datasets}
    names = [n for n in datasets.replace("，", ",").replace("\n", ",").split(",") if n.strip()]
    try:
        reuses.submit(session, settings, account, title=title, url=url, description=description, kind=kind or None,
                      datasets=names, image=data or None)
    except CommunityError as exc:
        session.rollback()
        return _form(request, settings, session, account, values, exc.message, exc.status)
    session.commit()
    return _redirect(request, settings, "/reuses?done=submitted")


@router.get("/reuses/{reuse_id}/image")
def reuse_image(reuse_id: RowId, request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    viewer = sessions.account_of(request, settings, session)
    try:
        store, relpath, media_type = reuses.image_of(session, settings, reuse_id, viewer)
    except CommunityError:
        return error_page(request, 404, message="没有这张图片。")
    return stored_file(store, relpath, media_type=media_type, settings=settings,
                       headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"})


@router.post("/reuses/{reuse_id}/approve")
def approve_reuse(reuse_id: RowId, request: Request, settings: SettingsDep, session: SessionDep,
                  csrf_token: FormText = "") -> Response:
    return posted(request, settings, session, csrf_token, lambda account: reuses.approve(session, account, reuse_id),
                  "/review/community?done=approved#reuses")
