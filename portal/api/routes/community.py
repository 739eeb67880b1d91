"""The community API (issue 14): ratings and comments on datasets, data requests (``/requests``), error reports
(数据纠错), notifications. Reading is public for listed datasets (closed: 404, withdrawn: 410, through
catalog/community/datasets.py and catalog/access.py); posting needs an account (401 ``login_required``; a browser
session also its X-CSRF-Token). The rules live in ``catalog/community/``; this module maps them to HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Path, Query
from sqlmodel import Session

from catalog.community import comments, follows, issues, notifications, ratings, requests
from catalog.community.datasets import shown
from catalog.community.errors import CommunityError

from ...deps import PrincipalDep, SessionDep, SettingsDep
from ..community_models import (
    CommentPublic,
    CommentRequest,
    CommentThread,
    DataRequestDetail,
    DataRequestPage,
    DataRequestRequest,
    DatasetChangePublic,
    FollowPublic,
    HiddenPublic,
    HideRequest,
    IssueAnswer,
    IssuePublic,
    IssueRequest,
    NotificationPublic,
    RatingPublic,
    RatingRequest,
    RequestAnswer,
    VotePublic,
    post_responses,
)
from ..errors import ApiError
from ..models import error_responses
from .keys import current_account

router = APIRouter(tags=["community 互动"])
T = TypeVar("T")
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The data request's id")]
CommentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The comment's id")]
IssueId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The error report's id")]


def _run(session: Session, work: Callable[[], T], *, commit: bool = False) -> T:
    """Call the catalog; its refusals become API errors, and a change is committed."""
    try:
        result = work()
    except CommunityError as exc:
        session.rollback()
        raise ApiError(exc.status, exc.code, exc.message, headers=exc.headers) from exc
    if commit:
        session.commit()
    return result


# --- Ratings ----------------------------------------------------------------------------------------------


@router.get("/datasets/{name}/ratings", response_model=RatingPublic, responses=error_responses(400, 401, 404, 410, 422),
            summary="A dataset's star rating: average and count (and the caller's own stars)")
def get_ratings(name: str, session: SessionDep, principal: PrincipalDep) -> dict:
    found = ratings.summary(session, name)
    return found.as_json() | {"mine": ratings.mine(session, principal.id, name) if principal else None}


@router.post("/datasets/{name}/ratings", response_model=RatingPublic,
             responses=error_responses(400, 401, 403, 404, 410, 422),
             summary="Rate a dataset 1–5 stars (one rating per account: posting again replaces it)")
def rate(name: str, body: RatingRequest, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    found = _run(session, lambda: ratings.rate(session, account, name, body.stars), commit=True)
    return found.as_json() | {"mine": body.stars}


# --- Comments ---------------------------------------------------------------------------------------------


@router.get("/datasets/{name}/comments", response_model=list[CommentThread],
            responses=error_responses(400, 401, 404, 410, 422), summary="A dataset's comments, in threads")
def dataset_comments(name: str, session: SessionDep) -> list[dict]:
    return comments.thread(session, dataset_id=shown(session, name).id)


@router.post("/datasets/{name}/comments", status_code=201, response_model=CommentPublic,
             responses=post_responses(400, 401, 403, 404, 410, 422),
             summary="Comment on a dataset, or reply (reply_to); a reply of the department is marked official")
def comment_dataset(name: str, body: CommentRequest, session: SessionDep, settings: SettingsDep,
                    principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    made = _run(session, lambda: comments.on_dataset(session, settings, account, name, body.body, body.reply_to),
                commit=True)
    return comments.as_json(made, account)


@router.post("/comments/{comment_id}/hide", response_model=HiddenPublic,
             responses=error_responses(400, 401, 403, 404, 410, 422),
             summary="Hide a comment (the department's reviewers, admins); kept with the reason")
def hide_comment(comment_id: CommentId, body: HideRequest, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    _run(session, lambda: comments.hide(session, account, comment_id, body.reason), commit=True)
    return {"id": comment_id, "hidden": True}


# --- Data requests ----------------------------------------------------------------------------------------


@router.post("/requests", status_code=201, response_model=DataRequestDetail,
             responses=post_responses(400, 401, 403, 422), summary="Ask for data that is not open yet (数据需求)")
def create_request(body: DataRequestRequest, session: SessionDep, settings: SettingsDep,
                   principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    row = _run(session, lambda: requests.create(session, account, title=body.title, description=body.description,
                                                domain=body.domain, department=body.department,
                                                purpose=body.purpose, settings=settings), commit=True)
    return requests.as_json(session, row, with_comments=True)


@router.get("/requests", response_model=DataRequestPage, responses=error_responses(400, 422),
            summary="Data requests: filter by domain, department, status; sort by votes or newest first")
def list_requests(
    session: SessionDep,
    domain: Annotated[str | None, Query(max_length=40, description="Domain code")] = None,
    department: Annotated[str | None, Query(max_length=100, description="Department slug")] = None,
    status: Annotated[requests.RequestStatus | None, Query()] = None,
    sort: Annotated[Literal["votes", "new"], Query()] = "new",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict:
    found = requests.listing(session, domain=domain, department=department, status=status, sort=sort, page=page,
                             size=size)
    return {"count": found.count, "page": page, "size": size,
            "results": [requests.as_json(session, r, found.votes.get(r.id, 0)) for r in found.rows]}  # type: ignore[arg-type]


@router.get("/requests/{request_id}", response_model=DataRequestDetail, responses=error_responses(400, 404, 422),
            summary="A data request with its answer and comments")
def get_request(request_id: RequestId, session: SessionDep) -> dict:
    return requests.as_json(session, _run(session, lambda: requests.find(session, request_id)), with_comments=True)


@router.post("/requests/{request_id}/votes", response_model=VotePublic,
             responses=error_responses(400, 401, 403, 404, 422),
             summary="Upvote a data request (once per account: repeating it changes nothing)")
def vote(request_id: RequestId, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    count = _run(session, lambda: requests.vote(session, account, request_id), commit=True)
    return {"id": request_id, "votes": count}


@router.post("/requests/{request_id}/comments", status_code=201, response_model=CommentPublic,
             responses=post_responses(400, 401, 403, 404, 422), summary="Comment on a data request")
def comment_request(request_id: RequestId, body: CommentRequest, session: SessionDep, settings: SettingsDep,
                    principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    made = _run(session, lambda: requests.comment(session, settings, account, request_id, body.body, body.reply_to),
                commit=True)
    return comments.as_json(made, account)


@router.post("/requests/{request_id}/answer", response_model=DataRequestDetail,
             responses=error_responses(400, 401, 403, 404, 422),
             summary="Answer a data request (the department's reviewers, admins); the requester is notified")
def answer_request(request_id: RequestId, body: RequestAnswer, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    row = _run(session, lambda: requests.answer(session, account, request_id, status=body.status,
                                                message=body.message, dataset=body.dataset,
                                                planned_date=body.planned_date), commit=True)
    return requests.as_json(session, row, with_comments=True)


@router.post("/requests/{request_id}/hide", response_model=HiddenPublic,
             responses=error_responses(400, 401, 403, 404, 422),
             summary="Hide a data request (the department's reviewers, admins); kept with the reason")
def hide_request(request_id: RequestId, body: HideRequest, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    _run(session, lambda: requests.hide(session, account, request_id, body.reason), commit=True)
    return {"id": request_id, "hidden": True}


# --- Error reports (数据纠错) -------------------------------------------------------------------------------


@router.post("/datasets/{name}/issues", status_code=201, response_model=IssuePublic,
             responses=post_responses(400, 401, 403, 404, 410, 422),
             summary="Report an error in a dataset (数据纠错), optionally at a row and field")
def report_issue(name: str, body: IssueRequest, session: SessionDep, settings: SettingsDep,
                 principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    made = _run(session, lambda: issues.report(session, settings, account, name, kind=body.kind, body=body.body,
                                               row=body.row, field=body.field), commit=True)
    return issues.as_json(session, made)


@router.get("/datasets/{name}/issues", response_model=list[IssuePublic],
            responses=error_responses(400, 401, 404, 410, 422),
            summary="A dataset's error reports: all for the department's reviewers and admins, else the caller's own")
def dataset_issues(name: str, session: SessionDep, principal: PrincipalDep) -> list[dict]:
    shown(session, name)  # closed: 404, withdrawn: 410, before asking who calls
    account = current_account(principal, session)
    return [issues.as_json(session, i) for i in issues.listing(session, account, name)]


@router.post("/issues/{issue_id}/answer", response_model=IssuePublic,
             responses=error_responses(400, 401, 403, 404, 410, 422),
             summary="Answer an error report (the department's reviewers, admins); the reporter is notified")
def answer_issue(issue_id: IssueId, body: IssueAnswer, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    row = _run(session, lambda: issues.answer(session, account, issue_id, status=body.status, message=body.message),
               commit=True)
    return issues.as_json(session, row)


# --- Notifications ----------------------------------------------------------------------------------------


@router.get("/notifications", response_model=list[NotificationPublic], responses=error_responses(400, 401, 422),
            summary="The caller's notifications, newest first (answers to its requests and error reports)")
def list_notifications(
    session: SessionDep, principal: PrincipalDep,
    unread: Annotated[bool, Query(description="Only the unread ones")] = False,
) -> list[dict]:
    account = current_account(principal, session)
    return [notifications.as_json(n) for n in notifications.recent(session, account.id, unread_only=unread)]  # type: ignore[arg-type]


@router.post("/notifications/read", response_model=list[NotificationPublic], responses=error_responses(400, 401, 403),
             summary="Mark the caller's notifications read")
def read_notifications(session: SessionDep, principal: PrincipalDep) -> list[dict]:
    account = current_account(principal, session)
    notifications.mark_read(session, account.id)  # type: ignore[arg-type]
    session.commit()
    return [notifications.as_json(n) for n in notifications.recent(session, account.id)]  # type: ignore[arg-type]


# --- Follows ----------------------------------------------------------------------------------------------


@router.post("/datasets/{name}/follow", response_model=FollowPublic,
             responses=error_responses(400, 401, 403, 404, 410, 422),
             summary="Follow a dataset: its changes show on /account and GET /follows (again: nothing changes)")
def follow(name: str, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    _run(session, lambda: follows.follow(session, account, name), commit=True)
    return {"dataset": name, "following": True}


@router.delete("/datasets/{name}/follow", response_model=FollowPublic,
               responses=error_responses(400, 401, 403, 404, 410, 422), summary="Stop following a dataset")
def unfollow(name: str, session: SessionDep, principal: PrincipalDep) -> dict:
    account = current_account(principal, session)
    _run(session, lambda: follows.unfollow(session, account, name), commit=True)
    return {"dataset": name, "following": False}


@router.get("/follows", response_model=list[DatasetChangePublic], responses=error_responses(400, 401, 422),
            summary="Changes of the caller's followed datasets since it followed them, newest first")
def followed_changes(session: SessionDep, principal: PrincipalDep) -> list[dict]:
    account = current_account(principal, session)
    return [c.as_json() for c in follows.updates(session, account.id)]  # type: ignore[arg-type]
