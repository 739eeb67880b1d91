"""The contest routes' request and response shapes (portal/api/routes/contests.py), beside the API's other models
(portal/api/models.py) and in the same style: timestamps as ISO 8601 strings, one error shape."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .models import Text, Timestamp, _Public


class ContestPublic(_Public):
    """A contest: the contest JSON (the keys ``odp contests create --from-json`` takes) and what the portal adds."""

    slug: str
    title: str
    theme: str
    description: str
    rules: str
    agreement: str = Field(description="The data agreement (数据利用协议), with its deletion pledge (数据销毁承诺)")
    registration_opens: Timestamp
    registration_closes: Timestamp
    data_opens: Timestamp
    data_closes: Timestamp
    team_min: int
    team_max: int
    state: str = Field(description="draft | upcoming | open | running | finished")
    state_label: str
    published: Timestamp | None
    organizer: str = Field(description="The organizer's display name")
    teams: int = Field(description="Number of teams")
    url: str = Field(description="The contest's page")


class EntryPublic(_Public):
    """One entry of a contest's package, pinned to one version of one resource."""

    id: int
    dataset: str
    resource: str
    version: int = Field(description="The pinned version's id")
    sample_rows: int = Field(description="Rows of the public sample the organizer chose (0: none)")
    full: bool = Field(description="Teams get the full data")
    status: str = Field(description="ready | pending (待部门审核) | rejected | unavailable")
    status_label: str
    sample_seed: int | None = Field(description="null: the first rows; else a random sample drawn with this seed")
    dataset_title: str
    resource_title: str | None
    format: str | None
    bytes: int = Field(description="Size of the pinned original file")
    sha256: str
    pinned: Timestamp


class MembershipPublic(_Public):
    """The caller's team in a contest."""

    team_id: int
    team: str
    join_code: str
    members: int
    agreement_accepted: Timestamp | None


class ContestDetail(ContestPublic):
    """A contest with its package, and the caller's team (null when not in one)."""

    entries: list[EntryPublic]
    membership: MembershipPublic | None = None
    notice: str | None = Field(default=None, description="For members once the data window has closed: the "
                                                         "reminder of the deletion pledge")


class ContestRequest(BaseModel):
    """The contest JSON; omitted windows mean "open from now, closing in 30 days"."""

    model_config = ConfigDict(extra="forbid")
    slug: Text = Field(min_length=2, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]{1,99}$")
    title: Text = Field(min_length=1, max_length=300)
    theme: Text = Field(default="", max_length=200)
    description: Text = Field(default="", max_length=20_000)
    rules: Text = Field(default="", max_length=20_000)
    agreement: Text = Field(default="", max_length=20_000, description="Empty: the portal's agreement text")
    registration_opens: Text | None = Field(default=None, description="ISO 8601")
    registration_closes: Text | None = None
    data_opens: Text | None = None
    data_closes: Text | None = None
    team_min: int = Field(default=1, ge=1, le=50)
    team_max: int = Field(default=5, ge=1, le=50)


class EntryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset: Text = Field(min_length=1, max_length=200)
    resource: Text | None = Field(default=None, max_length=200, description="One resource (default: every one)")
    sample_rows: int = Field(default=1000, ge=0, le=10_000)
    sample_seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    full: bool = True


class TeamRequest(BaseModel):
    name: Text = Field(min_length=1, max_length=100)


class JoinRequest(BaseModel):
    join_code: Text = Field(min_length=1, max_length=20)


class TeamCreated(_Public):
    id: int
    name: str
    join_code: str = Field(description="What the other members join with")


class DownloadLinePublic(_Public):
    """Downloads of one entry by one member of one team."""

    team: str
    member: str = Field(description="The member's email")
    entry: int
    dataset: str
    resource: str
    downloads: int
    bytes: int
    first: Timestamp
    last: Timestamp


class WorkRequest(BaseModel):
    title: Text = Field(min_length=1, max_length=300)
    summary: Text = Field(default="", max_length=5000)
    url: Text = Field(min_length=1, max_length=1000, description="The app or its repository (http or https)")
    datasets: list[Text] = Field(default_factory=list, max_length=100, description="Names of package datasets used")
    screenshot: Text | None = Field(default=None, max_length=3_000_000,
                                   description="Optional: a PNG, JPEG or WebP image (≤ 2 MiB) in base64")


class WorkPublic(_Public):
    """A team's work (成果)."""

    id: int
    team: str
    title: str
    summary: str
    url: str
    datasets: list[str]
    screenshot: bool = Field(description="Whether it has a screenshot")
    accepted: bool = Field(description="Accepted by the organizer for the showcase")
    award: str | None
    created: Timestamp


class AcceptRequest(BaseModel):
    award: Text | None = Field(default=None, max_length=100, description="e.g. 一等奖; \"\" clears it")
