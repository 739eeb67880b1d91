"""``/api/docs``: Swagger UI served from the package itself, never from a CDN.

A government portal must not depend on a foreign CDN (without internet the page was blank). The Swagger UI files
come from the ``swagger-ui-bundle-v2`` package (Apache-2.0, its licence in the package's dist-info), read from the
installed package; the favicon is the portal's own. The page has no inline script (the initializer is
``/api/docs/init.js``), so it gets a Content-Security-Policy that allows only this origin (Swagger UI sets inline
styles and data: images, hence those two exceptions).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from .errors import ApiError

DOCS_PATH = "/api/docs"
# The files of the bundle the page uses; nothing else of the package's folder is served (its index.html would
# load the Petstore example from the internet).
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "strict-origin-when-cross-origin"}


def _page(title: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Swagger UI</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{DOCS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_PATH}/init.js"></script>
</body>
</html>
"""


def _initializer(openapi_url: str) -> str:
    return f"""window.ui = SwaggerUIBundle({{
  url: {openapi_url!r},
  dom_id: "#swagger-ui",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
  validatorUrl: null
}});
"""


def install_api_docs(app: FastAPI) -> None:
    """The docs page, its initializer and the bundle's two files (``FastAPI(docs_url=None)``: not FastAPI's own
    page, whose scripts come from a CDN)."""
    router = APIRouter(include_in_schema=False)
    page = _page(app.title)
    initializer = _initializer(app.openapi_url or "/openapi.json")

    @router.get(DOCS_PATH)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(page, headers=SECURITY_HEADERS)

    @router.get(DOCS_PATH + "/{asset}")
    def api_docs_asset(asset: str) -> Response:
        if asset == "init.js":
            return Response(initializer, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
        if asset not in ASSETS:
            raise ApiError(404, "not_found", f"no such file of the API docs: {asset[:100]!r}")
        return FileResponse(swagger_ui_path / asset, media_type=ASSETS[asset],
                            headers={"Cache-Control": "public, max-age=86400"})

    app.include_router(router)
