"""API keys of the calling account: create (the key is in that answer only), list, revoke. The caller is
identified like every API caller (``PrincipalDep``); anonymous callers get 401 ``login_required``."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.accounts import keys
from catalog.models import Account, ApiKey

from ...deps import PrincipalDep, SessionDep, SettingsDep
from ..errors import ApiError
from ..models import ApiKeyCreated, ApiKeyPublic, ApiKeyRequest, error_responses
from ..serializers import iso

router = APIRouter(tags=["accounts 账户"])


def current_account(principal: PrincipalDep, session: SessionDep) -> Account:
    account = session.get(Account, principal.id) if principal is not None else None
    if account is None:
        raise ApiError(401, "login_required", "this call needs an account: log in, or send one of its API keys")
    return account


def key_public(row: ApiKey) -> dict:
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "created": iso(row.created),
            "expires": iso(row.expires), "revoked": iso(row.revoked), "last_used": iso(row.last_used)}


@router.post("/keys", status_code=201, response_model=ApiKeyCreated, summary="Create an API key (shown once)",
             responses=error_responses(400, 401, 403, 422))
def create_key(body: ApiKeyRequest, principal: PrincipalDep, session: SessionDep,
               settings: SettingsDep) -> dict:
    made = keys.create_key(session, current_account(principal, session), body.name, settings, days=body.days)
    session.commit()
    return key_public(made.row) | {"key": made.key}


@router.get("/keys", response_model=list[ApiKeyPublic], summary="The calling account's API keys",
            responses=error_responses(400, 401))
def list_keys(principal: PrincipalDep, session: SessionDep) -> list[dict]:
    return [key_public(row) for row in keys.list_keys(session, current_account(principal, session).id)]


@router.delete("/keys/{key_id}", response_model=ApiKeyPublic, summary="Revoke one of the calling account's keys",
               responses=error_responses(400, 401, 403, 404, 422))
def revoke_key(key_id: int, principal: PrincipalDep, session: SessionDep) -> dict:
    row = keys.revoke_key(session, current_account(principal, session).id, key_id)
    if row is None:
        raise ApiError(404, "not_found", f"you have no key {key_id}")
    session.commit()
    return key_public(row)
