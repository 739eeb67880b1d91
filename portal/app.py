"""The FastAPI application: JSON APIs under /api/v1 (pages and the CKAN API join later)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from catalog.accounts import sweeper as grant_sweeper
from catalog.config import check_scaled_mode, get_settings
from catalog.db import init_db

from .api.docs import install_api_docs
from .api.errors import install_error_handlers
from .api.routes import account as account_routes
from .api.routes import applications as application_routes
from .api.routes import catalog, downloads, exports, rows, schemas, search
from .api.routes import community as community_routes
from .api.routes import contests as contest_routes
from .api.routes import keys as key_routes
from .api.routes import quality as quality_routes
from .api.routes import reuses as reuse_routes
from .api.routes import usage as usage_routes
from .ckan import install_ckan_error_handlers
from .ckan import router as ckan_router
from .health import router as health_router
from .http_headers import install_http_headers
from .ratelimit import install_rate_limits
from .web import install_pages
from .web.exports import router as exports_router

API_PREFIX = "/api/v1"


def create_app() -> FastAPI:
    settings = get_settings()
    check_scaled_mode(settings)  # a node of a shared catalog refuses to start without ODP_SECRET_KEY
    init_db(settings)
    grant_sweeper.start(settings)  # "grant expired" audit events, every ODP_GRANT_SWEEP_SECONDS
    app = FastAPI(
        title="开放数据门户 API",
        description="Directory, search and metadata of Shanghai-style open government data. See docs/api.md.",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # portal/api/docs.py: Swagger UI from the package, not a CDN
        redoc_url=None,
    )
    counted = install_rate_limits(app, settings)  # ODP_RATE_LIMITS and usage counts: the APIs only, never the pages
    api = APIRouter(prefix=API_PREFIX, dependencies=counted.api)
    for module in (catalog, search, schemas, downloads, rows, exports, key_routes, application_routes,
                   account_routes, usage_routes, contest_routes, community_routes, reuse_routes,
                   quality_routes):
        api.include_router(module.router)
    app.include_router(api)
    install_api_docs(app)  # /api/docs
    app.include_router(health_router)  # /healthz, /readyz: probes, neither counted nor rate-limited
    app.include_router(ckan_router, dependencies=counted.ckan)  # CKAN's Action API: /api/3/action/…, /api/action/…
    app.include_router(exports_router)  # DCAT, data.json, sitemap, feeds: before the pages' /dataset/{name}
    install_error_handlers(app)
    install_pages(app)  # after the API's handlers: pages get HTML errors, /api keeps its JSON
    install_ckan_error_handlers(app)  # last: the CKAN API's paths answer in CKAN's envelope
    install_http_headers(app, settings)  # HEAD, Allow, CORS, compression, ETags (portal/http_headers.py)
    if settings.trusted_proxies.strip():
        # Outermost: behind these proxies only, the client IP (rate limits, login throttles, audit) is the one
        # X-Forwarded-For names — its rightmost address that is not itself a trusted proxy. Elsewhere the peer.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
