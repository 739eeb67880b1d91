"""The quality score of a dataset (数据质量评分): 100 points in six dimensions, each check worth fixed points.

Pass/fail checks with fixed points, not proportional ones: a publisher reads exactly what to fix ("add a
description of at least 100 characters: +6"), and a hand-computed table in the tests can state every sample's
score. The weights and why each is what it is are in docs/quality.md; the facts checked are gathered from the
catalog by ``facts.py``, so this module is pure and runs on plain data.

| dimension | points | checks |
|---|---|---|
| findability 可发现性 | 20 | description ≥ 100 characters 6, keywords 4, domain 2, spatial coverage 4, temporal coverage 4 |
| accessibility 可获取性 | 20 | downloadable without an account 6, a machine-readable format 8, rows API available 6 |
| interoperability 互操作性 | 20 | published Table Schema referenced 8, Chinese field titles and descriptions 6, types and constraints 6 |
| reusability 可重用性 | 15 | licence 6, contact 5, update frequency declared 4 |
| validity 有效性 | 15 | every table valid 10, error rate under 0.1 % of rows 5 |
| timeliness 及时性 | 10 | updated within the declared period plus grace 10 |
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalog.quality.timeliness import Timeliness, TimelinessStatus
from catalog.vocabulary import OpenClass, ValidationStatus

DIMENSIONS = {"findability": "可发现性", "accessibility": "可获取性", "interoperability": "互操作性",
              "reusability": "可重用性", "validity": "有效性", "timeliness": "及时性"}

#: Grades 优/良/中/差 by the lowest score that earns them (a 中 is the Chinese pass mark of 60).
GRADES: tuple[tuple[str, int], ...] = (("优", 85), ("良", 70), ("中", 60), ("差", 0))

MIN_DESCRIPTION_CHARS = 100
MAX_ERROR_RATE = 0.001  # validation errors per row: under one bad cell in a thousand rows the data is usable

#: Open, machine-readable formats (a table, or structured data a program reads without a person).
MACHINE_READABLE = frozenset({"csv", "tsv", "json", "jsonl", "ndjson", "geojson", "xml", "xlsx", "xls", "ods",
                              "parquet", "rdf", "ttl", "jsonld", "kml", "gpx", "shp", "gpkg"})

_CJK = re.compile(r"[\u3400-\u9fff]")

#: (id, dimension, points, 中文 name) of every check, in the order shown.
CHECKS: tuple[tuple[str, str, int, str], ...] = (
    ("findability.description", "findability", 6, "描述不少于 100 字"),
    ("findability.keywords", "findability", 4, "有关键字"),
    ("findability.domain", "findability", 2, "归属数据领域"),
    ("findability.spatial", "findability", 4, "有空间范围"),
    ("findability.temporal", "findability", 4, "有时间范围"),
    ("accessibility.downloadable", "accessibility", 6, "无需申请即可下载"),
    ("accessibility.machine_readable", "accessibility", 8, "机器可读格式"),
    ("accessibility.api", "accessibility", 6, "提供数据接口"),
    ("interoperability.schema", "interoperability", 8, "引用已发布的数据标准"),
    ("interoperability.field_docs", "interoperability", 6, "字段有中文标题和说明"),
    ("interoperability.types", "interoperability", 6, "字段有类型和约束"),
    ("reusability.license", "reusability", 6, "有许可协议"),
    ("reusability.contact", "reusability", 5, "有联系方式"),
    ("reusability.frequency", "reusability", 4, "声明更新频率"),
    ("validity.status", "validity", 10, "全部表格通过校验"),
    ("validity.error_rate", "validity", 5, "错误率低于 0.1%"),
    ("timeliness.on_time", "timeliness", 10, "按声明频率及时更新"),
)
POINTS = {check_id: points for check_id, _, points, _ in CHECKS}
TIMELINESS_POINTS = POINTS["timeliness.on_time"]


@dataclass(frozen=True)
class TableFacts:
    """What the score reads of one current table version."""

    status: ValidationStatus
    rows: int
    errors: int
    schema_ref: str | None
    fields: list[dict[str, Any]]
    has_parquet: bool


@dataclass(frozen=True)
class DatasetFacts:
    """What the score reads of one dataset (``facts.py`` gathers it from the catalog)."""

    description: str
    keywords: list[str]
    domain_code: str | None
    spatial_coverage: str | None
    temporal_coverage: str | None
    open_class: OpenClass
    formats: list[str]  # of the active resources that have a file
    resources: int  # active resources
    stored: int  # active resources with a current version
    tables: list[TableFacts] = field(default_factory=list)
    license_id: str | None = None
    contact: dict[str, Any] | None = None
    update_frequency: str | None = None
    last_change: datetime | None = None


@dataclass(frozen=True)
class Check:
    id: str
    dimension: str
    passed: bool
    points: int  # earned
    max: int
    detail: str
    title: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "dimension": self.dimension, "passed": self.passed, "points": self.points,
                "max": self.max, "detail": self.detail}


@dataclass(frozen=True)
class Quality:
    score: int
    grade: str
    checks: list[Check]
    timeliness: Timeliness

    def dimension_points(self) -> list[tuple[str, str, int, int]]:
        """(dimension, 中文名, earned, max) per dimension, in the rubric's order."""
        out = []
        for dim, label in DIMENSIONS.items():
            mine = [c for c in self.checks if c.dimension == dim]
            out.append((dim, label, sum(c.points for c in mine), sum(c.max for c in mine)))
        return out

    def as_json(self) -> dict[str, Any]:
        return {"score": self.score, "grade": self.grade, "checks": [c.as_json() for c in self.checks],
                "dimensions": {dim: {"label": label, "points": got, "max": top}
                               for dim, label, got, top in self.dimension_points()},
                "timeliness": self.timeliness.as_json()}


def grade_of(score: int) -> str:
    return next(grade for grade, lowest in GRADES if score >= lowest)


def lowest_score(grade: str) -> int:
    """The lowest score of a grade (优 → 85); ValueError for another word."""
    for name, lowest in GRADES:
        if name == grade:
            return lowest
    raise ValueError(f"unknown grade {grade!r}; expected one of {', '.join(g for g, _ in GRADES)}")


def base_checks(facts: DatasetFacts) -> list[tuple[str, bool, str]]:
    """(check id, passed, detail) of every check but timeliness: what only a harvest can change."""
    tables = facts.tables
    chars = len(facts.description.strip())
    fields = [f for t in tables for f in t.fields]
    referenced = [t for t in tables if t.schema_ref]
    errors, rows = sum(t.errors for t in tables), sum(t.rows for t in tables)
    not_valid = [t for t in tables if t.status != ValidationStatus.valid]
    undocumented = [f for f in fields if not (_CJK.search(str(f.get("title") or "")) and f.get("description"))]
    untyped = [f for f in fields if f.get("type") in (None, "", "any")]
    readable = sorted({f for f in facts.formats if f in MACHINE_READABLE})
    contact = facts.contact or {}
    return [
        ("findability.description", chars >= MIN_DESCRIPTION_CHARS, f"描述 {chars} 字"),
        ("findability.keywords", bool(facts.keywords), f"{len(facts.keywords)} 个关键字"),
        ("findability.domain", bool(facts.domain_code), facts.domain_code or "未归属数据领域"),
        ("findability.spatial", bool(facts.spatial_coverage), facts.spatial_coverage or "未填写空间范围"),
        ("findability.temporal", bool(facts.temporal_coverage), facts.temporal_coverage or "未填写时间范围"),
        ("accessibility.downloadable",
         facts.open_class == OpenClass.open and facts.resources > 0 and facts.stored == facts.resources,
         "无条件开放，文件可直接下载" if facts.open_class == OpenClass.open else "需申请后下载"),
        ("accessibility.machine_readable", bool(readable),
         ("格式：" + "、".join(f.upper() for f in readable)) if readable else "没有机器可读格式的文件"),
        ("accessibility.api", any(t.has_parquet for t in tables),
         "可按行查询（rows API）" if any(t.has_parquet for t in tables) else "没有可查询的表格"),
        ("interoperability.schema", bool(tables) and len(referenced) == len(tables),
         f"{len(referenced)}/{len(tables)} 个表格引用已发布标准"),
        ("interoperability.field_docs", bool(fields) and not undocumented,
         f"{len(fields) - len(undocumented)}/{len(fields)} 个字段有中文标题和说明"),
        ("interoperability.types", bool(fields) and not untyped and _constrained(fields) > 0,
         f"{len(fields) - len(untyped)}/{len(fields)} 个字段有类型，{_constrained(fields)} 个有约束"),
        ("reusability.license", bool(facts.license_id), facts.license_id or "未声明许可"),
        ("reusability.contact", bool(contact.get("email") or contact.get("phone")),
         "有邮箱或电话" if contact.get("email") or contact.get("phone") else "未留联系方式"),
        ("reusability.frequency", bool(facts.update_frequency), facts.update_frequency or "未声明更新频率"),
        ("validity.status", bool(tables) and not not_valid,
         f"{len(tables) - len(not_valid)}/{len(tables)} 个表格通过校验" if tables else "没有可校验的表格"),
        ("validity.error_rate", bool(tables) and errors <= rows * MAX_ERROR_RATE,
         f"{errors} 处错误 / {rows} 行" if tables else "没有可校验的表格"),
    ]


def _constrained(fields: list[dict[str, Any]]) -> int:
    return sum(1 for f in fields if f.get("constraints"))


def base_points(facts: DatasetFacts) -> int:
    """Points of every check but timeliness."""
    return sum(POINTS[check_id] for check_id, passed, _ in base_checks(facts) if passed)


def score(facts: DatasetFacts, timeliness: Timeliness) -> Quality:
    """The dataset's score now: its base checks and the given timeliness."""
    titles = {check_id: title for check_id, _, _, title in CHECKS}
    results = base_checks(facts) + [
        ("timeliness.on_time", timeliness.status == TimelinessStatus.on_time, timeliness.label)]
    dimension = {check_id: dim for check_id, dim, _, _ in CHECKS}
    checks = [Check(check_id, dimension[check_id], passed, POINTS[check_id] if passed else 0, POINTS[check_id],
                    detail, titles[check_id]) for check_id, passed, detail in results]
    total = sum(c.points for c in checks)
    return Quality(total, grade_of(total), checks, timeliness)
