"""Usage of the calling account's API keys: requests and bytes per day over the last 30 days, and per dataset
(``catalog/accounts/usage.py`` counts them). Only ever the caller's own keys and browser session; anonymous
callers get 401 ``login_required``."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.accounts import keys, usage

from ...deps import PrincipalDep, SessionDep, SettingsDep
from ..models import UsageResponse, error_responses
from ..serializers import iso
from .keys import current_account

router = APIRouter(tags=["accounts 账户"])


def _series(found: usage.KeyUsage) -> dict:
    return {"requests": found.requests, "bytes": found.bytes,
            "days": [{"day": d.day.isoformat(), "requests": d.requests, "bytes": d.bytes} for d in found.days],
            "datasets": [{"dataset": t.name, "title": t.title, "requests": t.requests, "bytes": t.bytes}
                         for t in found.datasets]}


@router.get("/usage", response_model=UsageResponse,
            summary="Your API keys' usage: requests and bytes per day (last 30 days) and per dataset",
            responses=error_responses(400, 401))
def my_usage(principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> dict:
    account = current_account(principal, session)
    usage.flush(settings)  # what this process counted so far, written before it is read
    since, until = usage.window()
    found = usage.account_usage(session, account.id, until=until)  # type: ignore[arg-type]
    return {
        "since": since.isoformat(), "until": until.isoformat(),
        "keys": [{"id": row.id, "name": row.name, "prefix": row.prefix, "revoked": iso(row.revoked)}
                 | _series(found[row.id]) for row in keys.list_keys(session, account.id)  # type: ignore[arg-type]
                 if row.id in found],
        "session": _series(found[usage.SESSION_KEY]),
    }
