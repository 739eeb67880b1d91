"""The calling account's own data: ``GET /api/v1/account/export`` — everything the portal keeps about it (the same
JSON as the page ``/account/export``), for an API key or the browser session; anonymous callers get 401."""

from __future__ import annotations

from fastapi import APIRouter, Response

from catalog.accounts.export import account_export

from ...deps import PrincipalDep, SessionDep
from ..models import AccountExport, error_responses
from .keys import current_account

router = APIRouter(tags=["accounts 账户"])


@router.get("/account/export", response_model=AccountExport, summary="Everything kept about the calling account",
            responses=error_responses(400, 401))
def export(principal: PrincipalDep, session: SessionDep, response: Response) -> dict:
    response.headers["cache-control"] = "no-store"  # personal data: no shared cache keeps it
    return account_export(session, current_account(principal, session))
