"""Downloads: a resource's original bytes (any version, Range-able), or its table converted to CSV, JSON,
XLSX or Parquet."""

from __future__ import annotations

import os
import re
import stat as statmode
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse
from sqlmodel import Session
from starlette.datastructures import Headers
from starlette.responses import MalformedRangeHeader, RangeNotSatisfiable
from starlette.types import Receive, Scope, Send

from catalog import access
from catalog.accounts import audit
from catalog.accounts.principals import AccountPrincipal
from catalog.config import Settings
from catalog.datasets import stats as download_stats
from catalog.datasets.queries import DatasetView, ResourceView, get_published_dataset
from catalog.models import ResourceVersion
from catalog.storage import FileStore, StoredFileMissing, open_store
from catalog.tables.engine import RowsTimeout
from catalog.tables.exports import (
    FORMATS,
    Header,
    csv_chunks,
    default_header,
    export_file,
    geo_columns,
    geojson_chunks,
    json_chunks,
    prefetch,
    workbook_notes,
)
from catalog.tables.query import RowsError, RowsQuery, Table, TableUnavailable

from ...deps import PrincipalDep, SessionDep, SettingsDep
from ...http_methods import is_head
from ..errors import ApiError, error_response
from ..models import error_responses, file_responses
from ..serializers import iso

router = APIRouter(tags=["downloads 下载"])

RESOURCE_PATH = "/datasets/{name}/resources/{resource}"


# --- Shared by the download and rows routes -------------------------------------------------------------


@dataclass
class PublishedResource:
    view: DatasetView
    resource: ResourceView
    version: ResourceVersion

    @property
    def dataset_id(self) -> int:
        return self.view.dataset.id  # type: ignore[return-value]

    @property
    def resource_id(self) -> int:
        return self.resource.resource.id  # type: ignore[return-value]


def published_resource(session: SessionDep, name: str, resource: str, version: int | None = None,
                       ) -> PublishedResource:
    """The dataset (404 closed, 410 withdrawn), its resource and the asked-for (default: current) version."""
    view = get_published_dataset(session, name)
    found = next((r for r in view.resources if r.resource.name == resource), None)
    if found is None:
        raise ApiError(404, "not_found", f"dataset '{name}' has no resource named '{resource}'")
    if version is None:
        chosen = found.current
    else:
        chosen = next((v for v in found.versions if v.id == version), None)
        if chosen is None:
            raise ApiError(404, "not_found", f"resource '{resource}' has no version {version}")
    if chosen is None:
        raise ApiError(404, "not_found", f"resource '{resource}' has no data yet")
    return PublishedResource(view, found, chosen)


def require_open(found: PublishedResource, principal: AccountPrincipal | None, request: Request,
                 session: Session, settings: Settings) -> None:
    """Data only where ``catalog.access`` says the caller may read it: 有条件开放 data needs a live grant of the
    caller's account (403 ``access_requires_grant`` with the page to apply on); a read under a grant is audited."""
    dataset = found.view.dataset
    if not access.data_readable(dataset, principal):
        raise ApiError(
            403, "access_requires_grant",
            f"dataset '{dataset.name}' is 有条件开放 (conditional): its data is available only with an approved "
            "access grant (send an API key of an account that holds one). Its metadata, schema and sample rows "
            "(…/sample) are public.",
            apply_url=f"{settings.public_base_url}/dataset/{dataset.name}/apply",
        )
    if principal is not None and access.read_under_grant(dataset, principal):
        audit.record(session, audit.Event.data_read, account_id=principal.id, key_prefix=principal.key_prefix,
                     dataset_id=dataset.id, route=request.url.path,
                     ip=request.client.host if request.client else None)
        session.commit()


def table_of(found: PublishedResource, settings: Settings) -> Table:
    try:
        return Table.for_version(found.version, settings)
    except TableUnavailable as exc:
        raise ApiError(409, "not_available", f"resource '{found.resource.resource.name}': {exc}") from exc


def rows_error(exc: RowsError | RowsTimeout) -> ApiError:
    if isinstance(exc, RowsTimeout):
        return ApiError(503, "timeout", str(exc))
    return ApiError(422, "invalid_parameter", str(exc))


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def content_disposition(found: PublishedResource, extension: str) -> str:
    """``attachment`` with an ASCII fallback name and the Chinese title as RFC 5987 ``filename*``."""
    res = found.resource.resource
    title = _UNSAFE.sub("_", (res.title or res.name).strip())[:120] or res.name
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", res.name) or "download"
    suffix = f".{extension}" if extension else ""
    return (f'attachment; filename="{ascii_name}{suffix}"; '
            f"filename*=UTF-8''{quote(title + suffix, safe='')}")


class _File(FileResponse):
    """Starlette's file response, but a Range it cannot serve is refused in the API's JSON error shape (its own
    answers are plain text): 400 for a malformed header, 416 with ``Content-Range: bytes */size`` past the end."""

    chunk_size = 1024 * 1024  # big reads: far fewer thread hops per megabyte than Starlette's 64 KiB

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_head(scope):  # a HEAD routed as GET: Starlette then sends the stat's headers, never reads the file
            scope = dict(scope, method="HEAD")
        refusal = self._range_refusal(Headers(scope=scope), scope.get("method", "GET"))
        if refusal is not None:
            return await refusal(scope, receive, send)
        await super().__call__(scope, receive, send)

    def _range_refusal(self, headers: Headers, method: str) -> Response | None:
        """The error answer for a Range header Starlette would refuse; None when it will serve (or ignore) it."""
        http_range, if_range = headers.get("range"), headers.get("if-range")
        if (http_range is None or self.status_code != 200 or method.upper() not in ("GET", "HEAD")
                or (if_range is not None and not self._should_use_range(if_range))):
            return None
        size = (self.stat_result or os.stat(self.path)).st_size
        try:
            self._parse_range_header(http_range, size)
        except MalformedRangeHeader as exc:
            detail = str(exc.content or "malformed").removeprefix("Range header: ").rstrip(".")
            return error_response(400, "bad_range", f"Range header {http_range[:100]!r} cannot be served: "
                                  f"{detail} (use e.g. 'bytes=0-1023')")
        except RangeNotSatisfiable:
            return error_response(416, "range_not_satisfiable",
                                  f"Range header: {http_range[:100]!r} starts past the end of the {size}-byte file",
                                  headers={"Content-Range": f"bytes */{size}"})
        return None


class _StoredObject(_File):
    """A file of a remote (S3) store, answered as :class:`_File` answers a local one — Range (one or several),
    If-Range, HEAD with Content-Length, ETag and Accept-Ranges — but read from the store: a HEAD reads nothing,
    a download or a range is one GET streamed as it arrives."""

    def __init__(self, store: FileStore, relpath: str, size: int, *, media_type: str, headers: dict[str, str],
                 modified: float):
        self.store, self.relpath = store, relpath
        stat = os.stat_result((statmode.S_IFREG | 0o444, 0, 0, 1, 0, 0, size, modified, modified, modified))
        super().__init__(relpath, media_type=media_type, headers=headers, stat_result=stat)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extensions = {k: v for k, v in scope.get("extensions", {}).items() if k != "http.response.pathsend"}
        await super().__call__(dict(scope, extensions=extensions), receive, send)  # there is no local path

    @asynccontextmanager
    async def _open_file(self) -> AsyncIterator[Any]:
        size = self.stat_result.st_size if self.stat_result else None
        raw = await anyio.to_thread.run_sync(lambda: self.store.open(self.relpath, size=size, streamed=True))
        try:
            yield anyio.wrap_file(raw)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(raw.close)


def stored_file(store: FileStore, relpath: str, *, media_type: str, headers: dict[str, str], settings: Settings,
                modified: float = 0.0) -> Response:
    """A stored file as the answer: from this machine's disk, or from an S3 store — streamed (ranges read from the
    bucket) or, with ``ODP_S3_PRESIGNED_DOWNLOADS``, a 307 redirect to a presigned URL of the bucket."""
    local = store.local_path(relpath)
    if local is not None:
        if not local.is_file():
            raise ApiError(404, "not_found", "the stored file of this version is missing")
        return _File(local, media_type=media_type, headers=headers)
    url = store.presigned_url(relpath, settings.s3_presigned_seconds, filename_header=headers.get(
        "Content-Disposition"), media_type=media_type) if settings.s3_presigned_downloads else None
    if url is not None:
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    try:
        size = store.size(relpath)
    except StoredFileMissing:
        raise ApiError(404, "not_found", "the stored file of this version is missing") from None
    return _StoredObject(store, relpath, size, media_type=media_type, headers=headers, modified=modified)


def _counts_as_download(request: Request) -> bool:
    # A resumed download (Range not from byte 0) is the same download, not a new one; a HEAD is none.
    if is_head(request):
        return False
    http_range = request.headers.get("range", "").replace(" ", "")
    return not http_range or http_range.startswith("bytes=0-")


# --- Routes ---------------------------------------------------------------------------------------------

Format = Literal["csv", "json", "jsonl", "xlsx", "parquet", "geojson"]
DOWNLOAD_TYPES = {  # media type (without charset) → what is sent with it, for the OpenAPI document
    "*/*": "no format: the original file, with its own media type",
    "text/csv": "format=csv",
    "application/x-ndjson": "format=json or jsonl: JSON Lines",
    "application/json": "format=json&array=1: one JSON array",
    FORMATS["xlsx"].media_type: "format=xlsx",
    FORMATS["parquet"].media_type: "format=parquet",
    FORMATS["geojson"].media_type: "format=geojson: a FeatureCollection (tables with latitude and longitude)",
}


@router.get(f"{RESOURCE_PATH}/download", summary="Download a resource: the original file or a conversion",
            response_class=Response, responses=file_responses(DOWNLOAD_TYPES, partial=True)
            | error_responses(400, 401, 403, 404, 409, 410, 416, 422, 503))
def download(
    name: str,
    resource: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    version: Annotated[int | None, Query(ge=1, description="A version id (default: the current one)")] = None,
    format: Annotated[Format | None, Query(
        description="Convert the table: csv, json (JSON Lines; add array=1 for one array), xlsx, parquet, "
                    "geojson (tables with latitude and longitude fields)")] = None,
    bom: Annotated[bool, Query(description="CSV only: start with a UTF-8 BOM (for Excel)")] = False,
    array: Annotated[bool, Query(description="JSON only: one JSON array instead of JSON Lines")] = False,
    header: Annotated[Header | None, Query(
        description="What heads the columns of a conversion: name (field names; the default of csv, json and "
                    "parquet) or title (the fields' Chinese titles; the default of xlsx)")] = None,
) -> Response:
    found = published_resource(session, name, resource, version)
    require_open(found, principal, request, session, settings)
    if format is None:
        return _original(found, request, settings)
    header = header or default_header(format)
    table = table_of(found, settings)
    if not is_head(request):
        download_stats.record(found.dataset_id, found.resource_id, "download", settings)
    query = RowsQuery()
    if format in ("csv", "json", "jsonl", "geojson") and is_head(request):
        return _streamed_head(found, table, format, array)
    if format == "csv":
        headers = {"Content-Disposition": content_disposition(found, "csv")}
        chunks = prefetch(csv_chunks(table, query, bom=bom, header=header))
        return StreamingResponse(chunks, media_type=FORMATS["csv"].media_type, headers=headers)
    if format in ("json", "jsonl"):
        kind = FORMATS["json" if array else "jsonl"]
        headers = {"Content-Disposition": content_disposition(found, kind.extension)}
        chunks = prefetch(json_chunks(table, query, array=array, header=header))
        return StreamingResponse(chunks, media_type=kind.media_type, headers=headers)
    if format == "geojson":
        if geo_columns(table) is None:
            raise rows_error(RowsError("the table has no numeric latitude and longitude fields, "
                                       "so it has no GeoJSON form"))
        headers = {"Content-Disposition": content_disposition(found, "geojson")}
        chunks = prefetch(geojson_chunks(table, query))
        return StreamingResponse(chunks, media_type=FORMATS["geojson"].media_type, headers=headers)
    try:
        res = found.resource.resource
        notes = workbook_notes(found.version, res.title or res.name) if format == "xlsx" else None
        path = export_file(table, query, format, settings.data_dir / "cache" / "exports", header=header, notes=notes)
    except (RowsError, RowsTimeout) as exc:
        raise rows_error(exc) from exc
    headers = {
        "Content-Disposition": content_disposition(found, format),
        "ETag": f'"{table.stem}-{format}-{header}"',  # one file per header choice
        "Last-Modified": _http_date(found.version),
        "Cache-Control": "public, max-age=3600",
    }
    return _File(path, media_type=FORMATS[format].media_type, headers=headers)


def _streamed_head(found: PublishedResource, table: Table, format: str, array: bool) -> Response:
    """A HEAD of a streamed conversion: its headers, without running the conversion (its length is unknown
    until streamed, as GET's is)."""
    if format == "geojson" and geo_columns(table) is None:
        raise rows_error(RowsError("the table has no numeric latitude and longitude fields, "
                                   "so it has no GeoJSON form"))
    kind = FORMATS["csv" if format == "csv" else "geojson" if format == "geojson" else "json" if array else "jsonl"]
    return StreamingResponse(iter(()), headers={"Content-Disposition": content_disposition(found, kind.extension)},
                             media_type=kind.media_type)


def _http_date(version: ResourceVersion) -> str:
    created = iso(version.created)  # aware UTC (SQLite hands back naive datetimes)
    return format_datetime(datetime.fromisoformat(created), usegmt=True) if created else ""


def _original(found: PublishedResource, request: Request, settings: Settings) -> Response:
    version = found.version
    etag = f'"{version.sha256}"'
    headers = {"ETag": etag, "Last-Modified": _http_date(version), "Cache-Control": "public, max-age=3600"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    extension = PurePosixPath(version.original_filename or "").suffix.lstrip(".").lower() or (
        found.resource.resource.format or "")
    headers["Content-Disposition"] = content_disposition(found, extension)
    media_type = found.resource.resource.media_type or "application/octet-stream"
    if media_type.startswith("text/") and version.encoding and "charset" not in media_type:
        charset = "utf-8" if version.encoding.startswith("utf-8") else version.encoding
        media_type = f"{media_type}; charset={charset}"
    created = datetime.fromisoformat(iso(version.created)).timestamp() if version.created else 0.0
    response = stored_file(open_store(settings), version.stored_path, media_type=media_type, headers=headers,
                           settings=settings, modified=created)
    if _counts_as_download(request):  # once the file is known to be there
        download_stats.record(found.dataset_id, found.resource_id, "download", settings)
    return response
