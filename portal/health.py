"""Health checks for load balancers and orchestrators.

* ``GET /healthz``: the process is up and answers (no dependency is touched: a liveness probe must not fail
  because the database is slow, or the orchestrator restarts a healthy process).
* ``GET /readyz``: the process can serve: the catalog database answers ``SELECT 1``, the search index (the Whoosh
  directory, or the PostgreSQL search tables with ``ODP_SEARCH_BACKEND=postgres``) opens and counts its documents,
  and the file store answers (``$ODP_DATA_DIR/files`` is a readable directory, or the S3 bucket of
  ``ODP_FILES_URL`` exists). 200 when all are, else 503 naming what failed. The failure text is the exception's
  class and first line, never a
  connection string (a database URL may hold a password) or a file path.

Neither needs a key; neither is rate-limited or counted (they are not under ``/api``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from catalog.config import SearchBackendKind, Settings, get_settings
from catalog.db import get_engine
from catalog.search.indexing import get_search_backend
from catalog.storage import open_store

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_PATH = re.compile(r"(?<![\w<])(/[^\s/'\"]+)+/?")  # the server's file paths are nobody's business


def _database(settings: Settings) -> None:
    with get_engine(settings).connect() as connection:
        connection.execute(text("SELECT 1"))


def _index(settings: Settings) -> None:
    if settings.search_backend == SearchBackendKind.postgres:  # the search tables in the catalog database
        get_search_backend(settings).doc_count()
        return
    if not settings.index_dir.is_dir():
        raise FileNotFoundError("no index directory (run `odp reindex`)")
    get_search_backend(settings).doc_count()


def _files(settings: Settings) -> None:
    open_store(settings).check()  # the folder is a readable directory, or the S3 bucket answers


CHECKS: dict[str, Callable[[Settings], None]] = {"database": _database, "index": _index, "files": _files}


def _failure(exc: Exception) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {_PATH.sub('<path>', _URL.sub('<url>', first))[:200]}".rstrip(": ")


@router.get("/healthz")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
def readyz() -> JSONResponse:
    settings = get_settings()
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check(settings)
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure of a dependency is "not ready", with its reason
            checks[name] = _failure(exc)
    failed = [name for name, result in checks.items() if result != "ok"]
    body = {"status": "unavailable" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return JSONResponse(body, status_code=503 if failed else 200, headers=NO_STORE)
