"""The reuses API (应用/成果, issue 14): submit a reuse (an account; it waits for an admin), add its image, approve
it (admins), list the approved ones with the accepted contest works. The rules are catalog/community/reuses.py's;
this module maps them to HTTP."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile

from catalog.community import images, reuses
from catalog.models import Account

from ...deps import PrincipalDep, SessionDep, SettingsDep
from ..community_models import ReusePage, ReusePublic, ReuseRequest, post_responses
from ..models import error_responses
from .community import _run
from .keys import current_account

router = APIRouter(tags=["community 互动"])
ReuseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The reuse's id")]


@router.post("/reuses", status_code=201, response_model=ReusePublic,
             responses=post_responses(400, 401, 403, 422),
             summary="Submit a reuse (应用/成果) of datasets; shown once an admin approves it")
def submit(body: ReuseRequest, session: SessionDep, settings: SettingsDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    row = _run(session, lambda: reuses.submit(session, settings, account, title=body.title, url=body.url,
                                              description=body.description, datasets=body.datasets,
                                              kind=body.kind), commit=True)
    return reuses.find(session, row.id, account).as_json()  # type: ignore[arg-type]


@router.post("/reuses/{reuse_id}/image", response_model=ReusePublic,
             responses=error_responses(400, 401, 403, 404, 422),
             summary="Add or replace a reuse's image (its submitter or an admin): re-encoded, metadata removed")
async def upload_image(reuse_id: ReuseId, image: Annotated[UploadFile, File()], session: SessionDep,
                       settings: SettingsDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    data = await image.read(images.MAX_BYTES + 1)  # one byte more is enough to refuse an oversized file
    _run(session, lambda: reuses.set_image(session, settings, account, reuse_id, data), commit=True)
    return reuses.find(session, reuse_id, account).as_json()


@router.post("/reuses/{reuse_id}/approve", response_model=ReusePublic,
             responses=error_responses(400, 401, 403, 404, 422), summary="Approve a reuse (admins)")
def approve(reuse_id: ReuseId, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    _run(session, lambda: reuses.approve(session, account, reuse_id), commit=True)
    return reuses.find(session, reuse_id, account).as_json()


@router.get("/reuses", response_model=ReusePage, responses=error_responses(400, 422),
            summary="Approved reuses and accepted contest works, newest first; filter by dataset or kind")
def list_reuses(
    session: SessionDep, principal: PrincipalDep,
    dataset: Annotated[str | None, Query(max_length=200, description="A dataset's name")] = None,
    kind: Annotated[Literal["app", "article", "visualization", "other", "contest"] | None, Query()] = None,
) -> dict:
    found = reuses.listing(session, principal, dataset=dataset, kind=kind)
    return {"count": len(found), "results": [v.as_json() for v in found]}


@router.get("/reuses/{reuse_id}", response_model=ReusePublic, responses=error_responses(400, 404, 422),
            summary="One reuse (approved; a pending one for its submitter and admins)")
def get_reuse(reuse_id: ReuseId, session: SessionDep, principal: PrincipalDep) -> dict:
    viewer = session.get(Account, principal.id) if principal is not None else None
    return _run(session, lambda: reuses.find(session, reuse_id, viewer)).as_json()

