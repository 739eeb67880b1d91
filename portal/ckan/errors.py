"""CKAN's envelope and errors: ``{"help", "success": false, "error": {"__type", "message"}}`` with CKAN's
HTTP codes (Not Found 404, Validation 409, Authorization 403, Search Query 400), for the Action API only.

Errors raised inside an action are turned into responses by the router; ``install_ckan_error_handlers``
covers what never reaches an action (an unknown path under /api/3, a wrong method), leaving every other
path to the handlers installed before it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog.config import get_settings

CKAN_PREFIXES = ("/api/3", "/api/action")


class CkanError(Exception):
    status = 500
    type = "Internal Server Error"
    prefix = ""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def error(self) -> dict[str, Any]:
        text = f"{self.prefix}: {self.message}" if self.prefix and self.message else self.prefix or self.message
        return {"__type": self.type, "message": text}


class NotFoundError(CkanError):
    status, type, prefix = 404, "Not Found Error", "Not found"


class AuthorizationError(CkanError):
    status, type, prefix = 403, "Authorization Error", "Access denied"


class InvalidApiKey(CkanError):
    """A presented API key that is unknown, revoked or expired: 401, never served as anonymous."""

    status, type, prefix = 401, "Authorization Error", "Access denied"


class SearchQueryError(CkanError):
    status, type, prefix = 400, "Search Query Error", "Search Query is invalid"


class ValidationError(CkanError):
    """Field errors, shaped like CKAN's: ``{"__type": "Validation Error", "rows": ["Invalid integer"]}``."""

    status, type = 409, "Validation Error"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors

    def error(self) -> dict[str, Any]:
        return {"__type": self.type, **self.errors}


class BadRequest(Exception):
    """What CKAN answers with a bare JSON string and 400: unknown actions, unreadable request bodies."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, default=str), status_code=status,
                    media_type="application/json;charset=utf-8")


def error_response(help_url: str, exc: CkanError) -> Response:
    return json_response({"help": help_url, "success": False, "error": exc.error()}, exc.status)


def bad_request(message: str) -> Response:
    return json_response(f"Bad request - {message}", 400)


def is_ckan_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in CKAN_PREFIXES)


def install_ckan_error_handlers(app: FastAPI) -> None:
    """Wrap the app's HTTP error handler so CKAN paths answer in CKAN's envelope. Call it last."""
    previous = app.exception_handlers.get(StarletteHTTPException)

    async def handler(request: Request, exc: Exception) -> Response:
        if is_ckan_path(request.url.path) and isinstance(exc, StarletteHTTPException):
            error: CkanError = NotFoundError("no such action") if exc.status_code == 404 else CkanError(
                str(exc.detail))
            if exc.status_code != 404:
                error.status, error.type = exc.status_code, "Bad Request"
            help_url = get_settings().public_base_url + "/api/3/action/help_show"
            return error_response(help_url, error)
        if previous is None:
            raise exc
        result = previous(request, exc)
        return await result if hasattr(result, "__await__") else result

    app.add_exception_handler(StarletteHTTPException, handler)
