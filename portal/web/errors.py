"""Error pages in Chinese for the web pages, while /api keeps its JSON error shape.

The JSON handlers installed by ``portal.api.errors`` stay as they are: each is wrapped so that a request
under /api still gets exactly its answer, and any other path gets an HTML page with the same status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import PlainTextResponse, Response

from catalog.datasets.queries import DatasetNotFound, DatasetWithdrawn
from catalog.schemas import SchemaNotFound

from .security import is_api_path
from .templating import templates

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]

MESSAGES: dict[int, tuple[str, str]] = {
    400: ("请求有误", "请求的参数无法识别，请检查链接是否完整。"),
    404: ("页面不存在", "您访问的页面不存在，可能链接有误，或数据集已不再公开。"),
    405: ("不支持的请求方式", "该页面不支持这种请求方式。"),
    410: ("数据集已撤回", "该数据集已被提供部门撤回，不再提供查询和下载。"),
    500: ("服务器出错了", "服务器处理请求时出现意外错误，请稍后再试。问题已记录，我们会尽快处理。"),
}


def _status(exc: Exception) -> int:
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    if isinstance(exc, (DatasetNotFound, SchemaNotFound)):
        return 404
    if isinstance(exc, DatasetWithdrawn):
        return 410
    if isinstance(exc, RequestValidationError):
        return 400
    return 500


def error_page(request: Request, status: int, *, title: str | None = None, message: str | None = None,
               extra: dict | None = None) -> Response:
    default_title, default_message = MESSAGES.get(status, ("请求未能完成", "请返回首页重试。"))
    context = {"status": status, "title": title or default_title, "message": message or default_message}
    return templates.TemplateResponse(request, "error.html", context | (extra or {}), status_code=status)


def _either(json_handler: Handler) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if is_api_path(request.url.path):
            response = json_handler(request, exc)
            return await response if isinstance(response, Awaitable) else response
        return error_page(request, _status(exc))

    return handler


async def _server_error(request: Request, exc: Exception) -> Response:
    if is_api_path(request.url.path):
        return PlainTextResponse("Internal Server Error", status_code=500)  # what Starlette answers anyway
    return error_page(request, 500)


def install_page_error_handlers(app: FastAPI) -> None:
    """Call after the API's handlers are installed: wraps each so pages get HTML."""
    for exc_class, handler in list(app.exception_handlers.items()):
        if exc_class is not Exception and not isinstance(exc_class, int):
            app.add_exception_handler(exc_class, _either(handler))
    app.add_exception_handler(Exception, _server_error)
