"""Typed bodies and answers of the community API (portal/api/routes/community.py): ratings, comments, data
requests, error reports, notifications. Every text field refuses NUL (``Text``); lengths are checked here for
the schema and again in catalog/community/moderation.py, which also applies the word filter and posting limit."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from .models import ErrorResponse, RatingSummary, Text, Timestamp, _Public, error_responses

BODY_MAX = 5000
Id = Field(ge=1, le=2**31 - 1)


def post_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers of a post: the usual ones and 429 ``rate_limited`` (ODP_POST_LIMIT)."""
    return error_responses(*statuses) | {429: {"model": ErrorResponse, "description": "rate_limited: the account"
                                                                                         " reached ODP_POST_LIMIT"}}


class RatingRequest(BaseModel):
    stars: int = Field(ge=1, le=5, description="1 to 5 stars; posting again replaces the caller's rating")


class RatingPublic(RatingSummary):
    mine: int | None = Field(default=None, description="The caller's own stars (null: none, or anonymous)")


class CommentRequest(BaseModel):
    body: Text = Field(min_length=1, max_length=BODY_MAX)
    reply_to: int | None = Field(default=None, ge=1, le=2**31 - 1, description="The comment this answers")


class CommentPublic(_Public):
    id: int
    body: str = Field(description="As written: escape it when showing it")
    author: str
    official: bool = Field(description="Written by a reviewer of the department or an admin")
    reply_to: int | None
    created: Timestamp


class CommentThread(CommentPublic):
    replies: list[CommentPublic]


class HideRequest(BaseModel):
    reason: Text = Field(min_length=1, max_length=1000)


class HiddenPublic(_Public):
    id: int
    hidden: bool


class DataRequestRequest(BaseModel):
    title: Text = Field(min_length=1, max_length=200)
    description: Text = Field(min_length=1, max_length=BODY_MAX)
    domain: Text = Field(min_length=1, max_length=40, description="A domain code, e.g. transport")
    department: Text | None = Field(default=None, max_length=100, description="Suggested department (slug)")
    purpose: Text | None = Field(default=None, max_length=BODY_MAX)


class AnswerPublic(_Public):
    message: str
    answered: Timestamp
    dataset: str | None = Field(description="published: the dataset that answers the request")
    planned_date: str | None = Field(description="planned: the date (YYYY-MM-DD)")


class DataRequestPublic(_Public):
    id: int
    title: str
    description: str
    domain: str
    department: str | None
    purpose: str
    status: Literal["open", "accepted", "planned", "published", "declined"]
    status_label: str
    votes: int
    answer: AnswerPublic | None
    author: str
    created: Timestamp
    url: str


class DataRequestDetail(DataRequestPublic):
    comments: list[CommentThread]


class DataRequestPage(_Public):
    count: int
    page: int
    size: int
    results: list[DataRequestPublic]


class VotePublic(_Public):
    id: int
    votes: int


class RequestAnswer(BaseModel):
    status: Literal["accepted", "planned", "published", "declined"]
    message: Text = Field(default="", max_length=BODY_MAX, description="Required for declined (the reason)")
    dataset: Text | None = Field(default=None, max_length=200, description="published: the dataset's name")
    planned_date: date | None = Field(default=None, description="planned: when (YYYY-MM-DD)")


class IssueRequest(BaseModel):
    kind: Literal["wrong_value", "outdated", "broken_file", "personal_data", "other"]
    body: Text = Field(min_length=1, max_length=BODY_MAX)
    row: int | None = Field(default=None, ge=1, le=2**31 - 1, description="The row number, 1 the first data row")
    field: Text | None = Field(default=None, max_length=200, description="The field (column) name")


class IssuePublic(_Public):
    id: int
    dataset: str | None
    kind: str
    kind_label: str
    body: str
    row: int | None
    field: str | None
    status: Literal["open", "confirmed", "fixed", "rejected"]
    status_label: str
    answer: str | None
    answered: Timestamp | None
    reporter: str
    created: Timestamp


class IssueAnswer(BaseModel):
    status: Literal["open", "confirmed", "fixed", "rejected"]
    message: Text = Field(default="", max_length=BODY_MAX)


class NotificationPublic(_Public):
    id: int
    kind: str
    message: str
    link: str
    created: Timestamp
    read: Timestamp | None


class ReuseRequest(BaseModel):
    title: Text = Field(min_length=1, max_length=200)
    url: Text = Field(min_length=1, max_length=1000, description="http(s) address of the app, article or chart")
    description: Text = Field(min_length=1, max_length=BODY_MAX)
    datasets: list[Text] = Field(min_length=1, max_length=20, description="Names of the datasets it used")
    kind: Literal["app", "article", "visualization", "other"] = "app"


class ReuseContest(_Public):
    slug: str
    title: str
    work: int
    award: str | None


class ReusePublic(_Public):
    id: int | None = Field(description="null for a contest work (see contest)")
    kind: str = Field(description="app, article, visualization, other; contest for a contest work")
    kind_label: str
    title: str = Field(description="As written: escape it when showing it")
    url: str
    description: str = Field(description="As written: escape it when showing it")
    author: str
    datasets: list[str] = Field(description="The datasets it used that the caller may see")
    approved: bool
    image: str | None = Field(description="Path of its re-encoded image, if any")
    created: Timestamp
    contest: ReuseContest | None = Field(description="A contest work: its contest (accepted by the organizer)")


class ReusePage(_Public):
    count: int
    results: list[ReusePublic]


class FollowPublic(_Public):
    dataset: str
    following: bool


class DatasetChangePublic(_Public):
    dataset: str
    dataset_title: str
    kind: str = Field(description="version, request_answered or issue_answered")
    title: str
    link: str
    time: Timestamp
