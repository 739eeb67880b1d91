"""The citizen web portal: server-rendered Chinese pages (Jinja2) over the same catalog as the JSON API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install_pages(app: FastAPI) -> None:
    """Pages, their stylesheet, security headers and HTML error pages. Call after the API's error handlers
    are installed: those are wrapped, so /api keeps its JSON errors and every other path gets a page."""
    from .account_security import hide_reset_tokens_from_access_log
    from .account_security import router as account_security_router
    from .accounts import router as accounts_router
    from .admin_search import router as admin_search_router
    from .community import router as community_router
    from .contest_consents import router as contest_consents_router
    from .contests import router as contests_router
    from .errors import install_page_error_handlers
    from .reuses import router as reuses_router
    from .routes import router
    from .security import RefuseNulInPages, SecurityHeadersMiddleware
    from .templating import STATIC_DIR
    from .usage import router as usage_router

    app.include_router(router)
    app.include_router(accounts_router)  # /register, /login, /account, /dataset/{name}/apply, /review, /privacy
    app.include_router(community_router)  # issue 14: dataset stars/comments/纠错 posts, /requests, /review/community
    app.include_router(reuses_router)  # /reuses, /reuses/new, approval (issue 14)
    app.include_router(usage_router)  # /review/usage: who uses the reviewer's departments' data
    app.include_router(account_security_router)  # /login/totp, /account/security|export|delete, /reset, /admin/users
    hide_reset_tokens_from_access_log()  # a reset link's token must not reach the access log
    app.include_router(admin_search_router)  # /admin/search-log: zero-hit searches, synonym groups
    app.include_router(contests_router)  # /contests, /contest/{slug} (+ showcase, submit, manage)
    app.include_router(contest_consents_router)  # /review/contests: departments consent to contests' use
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(RefuseNulInPages)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: the 400 page gets the headers too
    install_page_error_handlers(app)
