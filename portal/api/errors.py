"""The JSON API's one error shape: ``{"error": {"code", "message"}}`` with the right status, never a 500
for bad input."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog.queries import DatasetNotFound, DatasetWithdrawn
from catalog.schemas import SchemaNotFound

_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 410: "gone", 416: "range_not_satisfiable",
          422: "invalid_parameter"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_parameter", _describe(exc))

    for exc_class, status, code in _CATALOG_ERRORS:
        app.add_exception_handler(exc_class, _catalog_error_handler(status, code))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.url.path}"
        return error_response(exc.status_code, _CODES.get(exc.status_code, "error"), message)
