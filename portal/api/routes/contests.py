"""Data contests under ``/api/v1/contests``: the contest and its package, teams, the agreement, samples, full
downloads and the package zip, the organizer's download report, works. The rules live in ``catalog/contests/``
and every refusal of data comes from ``catalog/access.py`` (through ``catalog/contests/gate.py``); this module maps
them to HTTP. Drafts are known only to their organizer (404 for everyone else)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from catalog.accounts.principals import AccountPrincipal
from catalog.config import Settings
from catalog.contests import bundle, contests, downloads, entries, gate, samples, teams, works
from catalog.contests.errors import ContestError
from catalog.models import Account, Contest
from catalog.storage import open_store
from catalog.tables.engine import RowsTimeout
from catalog.tables.exports import FORMATS, csv_chunks, export_file, json_chunks, prefetch
from catalog.tables.query import RowsError, RowsQuery, Table, TableUnavailable

from ...deps import PrincipalDep, SessionDep, SettingsDep
from ..contest_models import (
    AcceptRequest,
    ContestDetail,
    ContestPublic,
    ContestRequest,
    DownloadLinePublic,
    EntryPublic,
    EntryRequest,
    JoinRequest,
    MembershipPublic,
    TeamCreated,
    TeamRequest,
    WorkPublic,
    WorkRequest,
)
from ..errors import ApiError
from ..models import error_responses, file_responses
from .downloads import _counts_as_download, _File, stored_file
from .keys import current_account

router = APIRouter(prefix="/contests", tags=["contests 数据大赛"])
CONTEST = "/{slug}"
T = TypeVar("T")
# Ids are 32-bit in the catalog: a larger one is a 422 here, never a database error.
EntryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The entry's id")]
WorkId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The work's id")]


def _refused(exc: ContestError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message)


def _run(session: Session, work: Callable[[], T], *, commit: bool = False) -> T:
    """Call the catalog; its refusals become API errors, and a change is committed."""
    try:
        result = work()
    except ContestError as exc:
        session.rollback()
        raise _refused(exc) from exc
    if commit:
        session.commit()
    return result


def _contest(session: Session, slug: str, principal: AccountPrincipal | None) -> Contest:
    return _run(session, lambda: contests.find(session, slug, principal))


def contest_public(session: Session, contest: Contest, settings: Settings) -> dict[str, Any]:
    organizer = session.get(Account, contest.organizer_id)
    state = contests.state(contest)
    return contests.as_json(contest) | {
        "state": state.value, "state_label": contests.STATE_LABELS[state],
        "published": contest.published and contests.aware(contest.published).isoformat(),
        "organizer": organizer.name if organizer else "", "teams": contests.team_count(session, contest),
        "url": f"{settings.public_base_url}/contest/{contest.slug}",
    }


def _membership(session: Session, contest: Contest, account_id: int) -> dict[str, Any] | None:
    member = teams.membership(session, contest, account_id)
    if member is None:
        return None
    team = next(t for t in teams.teams(session, contest) if t.team.id == member.team_id)
    return {"team_id": team.team.id, "team": team.team.name, "join_code": team.team.join_code,
            "members": len(team.members),
            "agreement_accepted": member.agreement_accepted and contests.aware(member.agreement_accepted).isoformat()}


def contest_detail(session: Session, contest: Contest, settings: Settings,
                   principal: AccountPrincipal | None) -> dict[str, Any]:
    membership = _membership(session, contest, principal.id) if principal is not None else None
    notice = gate.PLEDGE_REMINDER if membership and contests.data_closed_for_good(contest) else None
    views = entries.shown(entries.package(session, contest))
    return contest_public(session, contest, settings) | {
        "entries": [entries.as_json(v) for v in views], "membership": membership, "notice": notice}


# --- The contest and its package --------------------------------------------------------------------------


@router.get("", response_model=list[ContestPublic], responses=error_responses(400, 401),
            summary="Contests: published ones (open, running, finished), and the caller's own drafts")
def list_contests(session: SessionDep, settings: SettingsDep, principal: PrincipalDep) -> list[dict]:
    return [contest_public(session, c, settings) for c in contests.listed(session, principal)]


@router.post("", status_code=201, response_model=ContestDetail, summary="Create a contest (organizers, admins)",
             responses=error_responses(400, 401, 403, 409, 422))
def create_contest(body: ContestRequest, session: SessionDep, settings: SettingsDep,
                   principal: PrincipalDep) -> dict:
    account = current_account(principal, session)

    def create() -> Contest:
        return contests.create(session, account, contests.parse_spec(body.model_dump(exclude_none=True)))

    contest = _run(session, create, commit=True)
    return contest_detail(session, contest, settings, principal)


@router.get(CONTEST, response_model=ContestDetail, responses=error_responses(400, 401, 404, 422),
            summary="A contest: the contest JSON, its package (entries) and the caller's team")
def get_contest(slug: str, session: SessionDep, settings: SettingsDep, principal: PrincipalDep) -> dict:
    return contest_detail(session, _contest(session, slug, principal), settings, principal)


@router.post(f"{CONTEST}/entries", status_code=201, response_model=list[EntryPublic],
             summary="Add a dataset (one resource, or every one) to the package, pinned to its current version",
             responses=error_responses(400, 401, 403, 404, 409, 422))
def add_entries(slug: str, body: EntryRequest, session: SessionDep, principal: PrincipalDep) -> list[dict]:
    current_account(principal, session)
    contest = _contest(session, slug, principal)
    added = _run(session, lambda: entries.add(session, principal, contest, body.dataset, body.resource,  # type: ignore[arg-type]
                                              sample_rows=body.sample_rows, sample_seed=body.sample_seed,
                                              full=body.full), commit=True)
    ids = {e.id for e in added}
    return [entries.as_json(v) for v in entries.package(session, contest) if v.id in ids]


@router.post(f"{CONTEST}/entries/{{entry}}/repin", response_model=EntryPublic,
             summary="Re-pin an entry to its resource's current version (recorded)",
             responses=error_responses(400, 401, 403, 404, 409, 422))
def repin_entry(slug: str, entry: EntryId, session: SessionDep, principal: PrincipalDep) -> dict:
    current_account(principal, session)
    contest = _contest(session, slug, principal)
    _run(session, lambda: entries.repin(session, principal, contest, entry), commit=True)  # type: ignore[arg-type]
    return entries.as_json(_run(session, lambda: entries.find(session, contest, entry)))


@router.post(f"{CONTEST}/publish", response_model=ContestDetail, summary="Publish the contest (its organizer)",
             responses=error_responses(400, 401, 403, 404, 422))
def publish_contest(slug: str, session: SessionDep, settings: SettingsDep, principal: PrincipalDep) -> dict:
    current_account(principal, session)
    contest = _contest(session, slug, principal)
    _run(session, lambda: contests.publish(session, principal, contest), commit=True)  # type: ignore[arg-type]
    return contest_detail(session, contest, settings, principal)


# --- Teams and the agreement ------------------------------------------------------------------------------


@router.post(f"{CONTEST}/teams", status_code=201, response_model=TeamCreated,
             summary="Create a team during registration; its join code is in the answer",
             responses=error_responses(400, 401, 403, 404, 409, 422))
def create_team(slug: str, body: TeamRequest, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    contest = _contest(session, slug, principal)
    team = _run(session, lambda: teams.create(session, contest, account.id, body.name), commit=True)  # type: ignore[arg-type]
    return {"id": team.id, "name": team.name, "join_code": team.join_code}


@router.post(f"{CONTEST}/teams/join", response_model=TeamCreated, summary="Join a team with its join code",
             responses=error_responses(400, 401, 403, 404, 409, 422))
def join_team(slug: str, body: JoinRequest, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    contest = _contest(session, slug, principal)
    team = _run(session, lambda: teams.join(session, contest, account.id, body.join_code), commit=True)  # type: ignore[arg-type]
    return {"id": team.id, "name": team.name, "join_code": team.join_code}


@router.post(f"{CONTEST}/agreement", response_model=MembershipPublic,
             summary="Accept the contest's data agreement (each member for themself)",
             responses=error_responses(400, 401, 403, 404, 422))
def accept_agreement(slug: str, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    contest = _contest(session, slug, principal)
    _run(session, lambda: teams.accept_agreement(session, contest, account.id), commit=True)  # type: ignore[arg-type]
    return _membership(session, contest, account.id)  # type: ignore[arg-type,return-value]


# --- Data -------------------------------------------------------------------------------------------------


@router.get(f"{CONTEST}/entries/{{entry}}/sample", response_class=StreamingResponse,
            summary="An entry's public sample as CSV (first rows or a seeded random sample)",
            responses=file_responses({"text/csv": "The sample rows as UTF-8 CSV, a header row first"})
            | error_responses(400, 404, 409, 422))
def entry_sample(slug: str, entry: EntryId, session: SessionDep, settings: SettingsDep,
                 principal: PrincipalDep) -> StreamingResponse:
    contest = _contest(session, slug, principal)
    view = _run(session, lambda: entries.find(session, contest, entry))
    chunks = _run(session, lambda: samples.sample_csv(view, settings))
    name = f"{contest.slug}-{entry}-sample.csv"
    return StreamingResponse(prefetch(chunks), media_type=FORMATS["csv"].media_type,
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


DownloadFormat = Literal["csv", "json", "jsonl", "xlsx", "parquet"]
ENTRY_TYPES = {
    "*/*": "no format: the original file of the pinned version, with its own media type",
    "text/csv": "format=csv",
    "application/x-ndjson": "format=json or jsonl: JSON Lines",
    FORMATS["xlsx"].media_type: "format=xlsx",
    FORMATS["parquet"].media_type: "format=parquet",
}


@router.get(f"{CONTEST}/entries/{{entry}}/download", response_class=Response,
            summary="An entry's full data at its pinned version (team members, in the data window)",
            responses=file_responses(ENTRY_TYPES, partial=True) | error_responses(400, 401, 403, 404, 409, 410,
                                                                                   416, 422, 503))
def entry_download(
    slug: str, entry: EntryId, request: Request, session: SessionDep, settings: SettingsDep, principal: PrincipalDep,
    format: Annotated[DownloadFormat | None, Query(
        description="Convert the table: csv, json (JSON Lines), xlsx, parquet; none: the original file")] = None,
) -> Response:
    contest = _contest(session, slug, principal)
    seat = _run(session, lambda: gate.require_seat(session, contest, principal))
    view = _run(session, lambda: entries.find(session, contest, entry))
    _run(session, lambda: gate.require_entry(contest, view))
    assert principal is not None  # a seat needs an account
    name = f"{view.dataset.name}-{view.resource.name}"
    if format is None:
        extension = bundle.extension(view)
        media_type = view.resource.media_type or "application/octet-stream"
        response = stored_file(open_store(settings), view.version.stored_path, media_type=media_type, settings=settings,
                               headers={"ETag": f'"{view.version.sha256}"',
                                        "Content-Disposition": f'attachment; filename="{name}.{extension}"'})
        if _counts_as_download(request):
            downloads.record(session, contest, seat.team_id, principal.id, [view], downloads.VIA_ENTRY)
            session.commit()
        return response
    try:
        table = Table.for_version(view.version, settings)
    except TableUnavailable as exc:
        raise ApiError(409, "not_available", f"entry {entry}: {exc}") from exc
    kind = FORMATS[format]
    headers = {"Content-Disposition": f'attachment; filename="{name}.{kind.extension}"'}
    if format in ("xlsx", "parquet"):
        try:
            path = export_file(table, RowsQuery(), format, settings.data_dir / "cache" / "exports")
        except (RowsError, RowsTimeout) as exc:
            raise ApiError(503 if isinstance(exc, RowsTimeout) else 422,
                           "timeout" if isinstance(exc, RowsTimeout) else "invalid_parameter", str(exc)) from exc
        downloads.record(session, contest, seat.team_id, principal.id, [view], downloads.VIA_ENTRY,
                         path.stat().st_size)
        session.commit()
        return _File(path, media_type=kind.media_type, headers=headers)
    stream = csv_chunks(table, RowsQuery()) if format == "csv" else json_chunks(table, RowsQuery())
    logged = downloads.counted(prefetch(stream), contest, seat.team_id, principal.id, view, settings)
    return StreamingResponse(logged, media_type=kind.media_type, headers=headers)


@router.get(f"{CONTEST}/bundle.zip", response_class=Response,
            summary="The whole package as one Frictionless Data Package zip (team members, in the data window)",
            responses=file_responses({"application/zip": "datapackage.json and every downloadable entry's "
                                                         "pinned file"}, partial=True)
            | error_responses(400, 401, 403, 404, 409, 416, 422))
def package_zip(slug: str, request: Request, session: SessionDep, settings: SettingsDep,
                principal: PrincipalDep) -> Response:
    contest = _contest(session, slug, principal)
    seat = _run(session, lambda: gate.require_seat(session, contest, principal))
    assert principal is not None
    views = gate.downloadable(entries.package(session, contest))
    path = _run(session, lambda: bundle.bundle_path(session, contest, views, settings))
    if _counts_as_download(request):
        downloads.record(session, contest, seat.team_id, principal.id, views, downloads.VIA_BUNDLE)
        session.commit()
    return _File(path, media_type="application/zip", headers={
        "ETag": f'"{path.stem}"', "Content-Disposition": f'attachment; filename="{contest.slug}.zip"'})


# --- The organizer's report, works ------------------------------------------------------------------------


def _managed(session: Session, slug: str, principal: AccountPrincipal | None) -> Contest:
    current_account(principal, session)
    contest = _contest(session, slug, principal)
    _run(session, lambda: contests.require_manager(principal, contest))
    return contest


@router.get(f"{CONTEST}/downloads", response_model=list[DownloadLinePublic],
            summary="Who downloaded what: per team, member and entry (the organizer)",
            responses=error_responses(400, 401, 403, 404, 422))
def download_report(slug: str, session: SessionDep, principal: PrincipalDep) -> list[dict]:
    return [line.as_json() for line in downloads.report(session, _managed(session, slug, principal))]


@router.get(f"{CONTEST}/downloads.csv", response_class=Response, summary="The download report as CSV (the organizer)",
            responses=file_responses({"text/csv": "team, member, entry, dataset, resource, downloads, bytes, "
                                                  "first, last"}) | error_responses(400, 401, 403, 404, 422))
def download_report_csv(slug: str, session: SessionDep, principal: PrincipalDep) -> Response:
    contest = _managed(session, slug, principal)
    text = downloads.as_csv(downloads.report(session, contest))
    return Response(text, media_type=FORMATS["csv"].media_type,
                    headers={"Content-Disposition": f'attachment; filename="{contest.slug}-downloads.csv"'})


def _screenshot(encoded: str | None) -> bytes | None:
    if not encoded:
        return None
    try:
        return base64.b64decode(encoded.partition("base64,")[2] or encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(422, "invalid_contest", "screenshot must be base64 (optionally a data: URL)") from exc


@router.post(f"{CONTEST}/works", status_code=201, response_model=WorkPublic,
             summary="Submit the team's work (成果提交): title, summary, URL, datasets used, optional screenshot",
             responses=error_responses(400, 401, 403, 404, 422))
def submit_work(slug: str, body: WorkRequest, session: SessionDep, settings: SettingsDep,
                principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    contest = _contest(session, slug, principal)
    image = _screenshot(body.screenshot)
    work = _run(session, lambda: works.submit(session, contest, account.id, settings, title=body.title,  # type: ignore[arg-type]
                                              summary=body.summary, url=body.url, datasets=body.datasets,
                                              screenshot=image), commit=True)
    return works.find(session, contest, work.id, principal).as_json()  # type: ignore[arg-type]


@router.get(f"{CONTEST}/works", response_model=list[WorkPublic],
            summary="The showcase (成果展示): accepted works; the organizer sees all, a member also its team's",
            responses=error_responses(400, 401, 404, 422))
def list_works(slug: str, session: SessionDep, principal: PrincipalDep) -> list[dict]:
    contest = _contest(session, slug, principal)
    return [view.as_json() for view in works.listed(session, contest, principal)]


@router.post(f"{CONTEST}/works/{{work_id}}/accept", response_model=WorkPublic,
             summary="Accept a work for the showcase and mark its award (the organizer)",
             responses=error_responses(400, 401, 403, 404, 422))
def accept_work(slug: str, work_id: WorkId, session: SessionDep, principal: PrincipalDep,
                body: AcceptRequest | None = None) -> dict:
    contest = _managed(session, slug, principal)
    _run(session, lambda: works.accept(session, principal, contest, work_id, body.award if body else None),  # type: ignore[arg-type]
         commit=True)
    return works.find(session, contest, work_id, principal).as_json()
