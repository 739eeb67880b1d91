"""The Action API's routes: ``/api/3/action/{action}`` and ``/api/action/{action}``, GET or POST.

Parse the request, run the action in a worker thread (it talks to the database), wrap the result in
CKAN's envelope; every failure answers in CKAN's error shape with CKAN's status code.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from catalog.accounts import principals
from catalog.config import get_settings
from catalog.db import session_scope
from catalog.search.indexing import get_search_backend

from ..deps import presented_key
from .actions import ACTIONS, ActionContext, is_write_action
from .errors import (
    AuthorizationError,
    BadRequest,
    CkanError,
    InvalidApiKey,
    bad_request,
    error_response,
    json_response,
)
from .params import request_data

router = APIRouter(tags=["CKAN Action API"])
_log = logging.getLogger(__name__)


def _run(name: str, data: dict[str, Any], base_url: str, path: str, key: str | None = None) -> Any:
    settings = get_settings()
    with session_scope(settings) as session:
        principal = principals.for_key(session, key, settings) if key is not None else None
        if key is not None and principal is None:
            raise InvalidApiKey("invalid_api_key: the API key is unknown, revoked or expired")
        ctx = ActionContext(session, get_search_backend(settings), settings, base_url, path, principal)
        return ACTIONS[name](ctx, data)


@router.api_route("/api/3/action/{name}", methods=["GET", "POST"], include_in_schema=False)
@router.api_route("/api/action/{name}", methods=["GET", "POST"], include_in_schema=False)
async def action(name: str, request: Request) -> Response:
    base_url = get_settings().public_base_url  # ODP_PUBLIC_URL, never the request's Host header
    help_url = f"{base_url}/api/3/action/help_show?name={name}"
    if is_write_action(name):
        message = "this catalog is read-only over the CKAN API; datasets come from harvesting"
        return error_response(help_url, AuthorizationError(message))
    if name not in ACTIONS:
        return bad_request(f"Action name not known: {name}")
    try:
        data = await request_data(request)
        data.pop("callback", None)  # JSONP is not offered
        result = await run_in_threadpool(_run, name, data, base_url, request.url.path, presented_key(request))
    except BadRequest as exc:
        return bad_request(exc.message)
    except CkanError as exc:
        return error_response(help_url, exc)
    except Exception:  # noqa: BLE001 - CKAN answers any other failure with its 500 envelope
        _log.exception("CKAN action %s failed", name)
        return error_response(help_url, CkanError("Internal Server Error"))
    return json_response({"help": help_url, "success": True, "result": result})


@router.get("/api/3", include_in_schema=False)
def api_version() -> dict[str, int]:
    return {"version": 3}
