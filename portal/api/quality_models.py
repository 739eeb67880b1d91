"""Typed answers of the quality API: a dataset's score with its checks (in ``/datasets/{name}``), the portal's
statistics (``/stats``) and a department's scorecard (``/departments/{name}/scorecard``). Built by
catalog/quality/ as plain dicts; these models give them their OpenAPI schema."""

from __future__ import annotations

from pydantic import Field

from .models import DatasetDetail, Timestamp, _Public


class QualityCheckPublic(_Public):
    id: str = Field(description="e.g. findability.description (docs/quality.md lists them all)")
    dimension: str = Field(description="findability | accessibility | interoperability | reusability | validity"
                                       " | timeliness")
    passed: bool
    points: int = Field(description="Points earned: max when passed, else 0")
    max: int
    detail: str = Field(description="What was found, in Chinese (e.g. 描述 83 字)")


class DimensionPublic(_Public):
    label: str
    points: int
    max: int


class TimelinessPublic(_Public):
    status: str = Field(description="on_time | late | no_frequency (none declared, or 不定期) | no_data")
    label: str = Field(description="e.g. 按时更新, 滞后 12 天")
    frequency: str | None
    last_change: Timestamp | None = Field(description="The last real data change (a version with new bytes)")
    due: Timestamp | None = Field(description="When the next update was expected")
    deadline: Timestamp | None = Field(description="due plus the grace: on time until then")
    late_days: int = Field(description="Days since `due` when late, else 0")


class QualityPublic(_Public):
    """A dataset's quality score now (0–100), its grade and every check (docs/quality.md)."""

    score: int = Field(ge=0, le=100)
    grade: str = Field(description="优 (≥ 85) | 良 (≥ 70) | 中 (≥ 60) | 差")
    checks: list[QualityCheckPublic]
    dimensions: dict[str, DimensionPublic]
    timeliness: TimelinessPublic


class DatasetWithQuality(DatasetDetail):
    """All metadata of a dataset, with its resources, versions, validation and quality score."""

    quality: QualityPublic


class DomainCount(_Public):
    code: str
    name: str
    count: int


class OpenClassCount(_Public):
    code: str
    label: str
    count: int


class ValidationFigures(_Public):
    tables: int
    valid_tables: int
    datasets_with_tables: int
    datasets_passing: int = Field(description="Datasets whose tables all pass validation")
    pass_rate: float | None = Field(description="datasets_passing / datasets_with_tables; null without tables")


class GradeCount(_Public):
    grade: str
    count: int


class QualityFigures(_Public):
    average: float | None
    grades: list[GradeCount]


class LateDataset(_Public):
    name: str
    title: str
    late_days: int
    frequency: str | None


class TimelinessFigures(_Public):
    """及时更新率: on time / assessed (datasets with a regular update frequency and a data file)."""

    on_time: int
    late: int
    assessed: int
    on_time_rate: float | None = Field(description="on_time / assessed, 0–1; null when nothing is assessed")
    late_datasets: list[LateDataset]


class MonthCount(_Public):
    month: str = Field(description="YYYY-MM (UTC)")
    downloads: int
    api_calls: int


class HarvestFailure(_Public):
    source: str
    item: str | None
    message: str | None
    job: int
    time: Timestamp


class HarvestFigures(_Public):
    sources: int
    failed_items: int = Field(description="Failed items of each source's latest harvest job")
    failures: list[HarvestFailure] | None = Field(
        default=None, description="The items and messages: for the department's reviewers and admins only")


class RankedDepartment(_Public):
    rank: int
    department: str
    title: str
    datasets: int
    average_score: float
    on_time_rate: float | None


class _Figures(_Public):
    """The figures /stats and a scorecard share, over listed datasets only (withdrawn, closed and PII-blocked
    ones count nowhere)."""

    datasets: int
    by_domain: list[DomainCount]
    by_open_class: list[OpenClassCount]
    validation: ValidationFigures
    quality: QualityFigures
    timeliness: TimelinessFigures
    pii_blocks: int = Field(description="Datasets the personal-information policy keeps unpublished (a count)")
    downloads_by_month: list[MonthCount]
    harvest: HarvestFigures


class StatsPublic(_Figures):
    """The portal's figures and the ranking of its departments."""

    ranking: list[RankedDepartment] = Field(description="Departments by average score, then 及时更新率")


class DepartmentName(_Public):
    name: str
    title: str


class ScoredDataset(_Public):
    name: str
    title: str
    score: int
    grade: str
    timeliness: TimelinessPublic


class RequestFigures(_Public):
    count: int = Field(description="Data requests (数据需求) addressed to the department")
    answered: int
    mean_days: float | None = Field(description="Mean days from asking to answer")


class BlockedDataset(_Public):
    name: str
    title: str


class ScorecardPublic(_Figures):
    """A department's scorecard: the figures of /stats over its datasets, each dataset's score and timeliness."""

    department: DepartmentName
    blocked_datasets: list[BlockedDataset] | None = Field(
        default=None, description="Which ones: for the department's reviewers and admins only (else absent)")
    requests: RequestFigures
    datasets_detail: list[ScoredDataset]
