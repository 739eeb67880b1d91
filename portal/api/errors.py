"""The JSON API's one error shape: ``{"error": {"code", "message"}}`` with the right status, never a 500
for bad input.

Bad input is refused where it is parsed, with a message that names it. Two guards sit at the edge because
no parser sees them first: a NUL character in the path or query string (PostgreSQL text cannot hold one, so
any lookup with it would fail inside the driver), and — a last resort behind the parsers' own depth bounds —
a RecursionError, answered as a 400 instead of a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from catalog.datasets.queries import DatasetNotFound, DatasetWithdrawn
from catalog.schemas import SchemaNotFound
from catalog.search.base import SearchError

_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 410: "gone", 416: "range_not_satisfiable",
          422: "invalid_parameter"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, apply_url: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.apply_url, self.headers = apply_url, headers


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None, *,
                   apply_url: str | None = None) -> JSONResponse:
    body: dict[str, str] = {"code": code, "message": message}
    if apply_url is not None:  # 403 access_requires_grant: where to apply for the grant
        body["apply_url"] = apply_url
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"


# Lookup errors the catalog raises, and what the API answers for them.
_CATALOG_ERRORS = (
    (DatasetNotFound, 404, "not_found"),
    (SchemaNotFound, 404, "not_found"),
    (DatasetWithdrawn, 410, "withdrawn"),
)


def _catalog_error_handler(status: int, code: str) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handler(_: Request, exc: Exception) -> JSONResponse:
        return error_response(status, code, str(exc))

    return handler


API_PATHS = "/api/v1"


def nul_parameter(scope: Scope) -> str | None:
    """Where a NUL character is in the request: 'the path', a parameter's name, or None."""
    if "\x00" in scope.get("path", ""):
        return "the path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" not in query and "\x00" not in query:
        return None
    for key, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            return f"parameter '{key.replace(chr(0), '%00')}'"
    return None


class RefuseNul:
    """ASGI middleware: a JSON API request with a NUL character in its path or query string is a 400."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PATHS):
            where = nul_parameter(scope)
            if where is not None:
                message = f"{where} holds a NUL character (%00), which no name or value may hold"
                return await error_response(400, "bad_request", message)(scope, receive, send)
        await self.app(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_middleware(RefuseNul)

    @app.exception_handler(RecursionError)
    async def _too_deep(request: Request, exc: RecursionError) -> JSONResponse:
        if not request.url.path.startswith(API_PATHS):
            raise exc
        return error_response(400, "bad_request", "the request nests too deeply to be read")

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers, apply_url=exc.apply_url)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_parameter", _describe(exc))

    for exc_class, status, code in _CATALOG_ERRORS:
        app.add_exception_handler(exc_class, _catalog_error_handler(status, code))

    @app.exception_handler(SearchError)
    async def _search_unavailable(_: Request, exc: SearchError) -> JSONResponse:
        # the index (a folder, or the PostgreSQL search tables) cannot answer: the client may retry; the cause
        # (a path, a database error) is the operator's business, and /readyz names it
        return error_response(503, "search_unavailable", "search is unavailable for the moment; try again later")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.url.path}"
        return error_response(exc.status_code, _CODES.get(exc.status_code, "error"), message)
