"""The catalog's vocabularies: the 12 priority domains (数据领域) every dataset belongs to, the open classes, and
the states of datasets, resources, validations and harvest jobs.

States are ``StrEnum``s, not string literals: a member *is* its ``str`` value, so the database columns stay
VARCHAR, stored values and JSON output are unchanged, and ``DatasetState.withdrawm`` is an AttributeError where
``"withdrawm"`` would have been a comparison that is silently never true. Who may see a dataset of which class
and state is decided in one place only, ``catalog/access.py``; code elsewhere names members, never literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OpenClass(StrEnum):
    """开放属性: open (无条件开放) data needs no account; conditional (有条件开放) needs a grant; closed (非开放)
    datasets are published nowhere."""

    open = "open"
    conditional = "conditional"
    closed = "closed"


class DatasetState(StrEnum):
    active = "active"
    withdrawn = "withdrawn"  # gone from its source: hidden from lists, kept in the DB, answers "withdrawn"


class PiiStatus(StrEnum):
    """A dataset's personal-information state (catalog/privacy/policy.py), set by each harvest and ``odp pii-scan``:
    ``clean`` (no column of its current tables is personal data), ``flagged`` (published, with the flagged columns
    named: an open dataset under ``ODP_PII_POLICY=flag``, or a 有条件开放 one, whose public sample masks them),
    ``blocked`` (an open dataset with unmasked personal data under ``ODP_PII_POLICY=block``: published nowhere)."""

    clean = "clean"
    flagged = "flagged"
    blocked = "blocked"


class ResourceState(StrEnum):
    active = "active"
    removed = "removed"  # gone from its package; its versions stay in the DB


class ValidationStatus(StrEnum):
    """A resource version's validation outcome, from best to worst: not_tabular < valid < invalid < error."""

    valid = "valid"
    invalid = "invalid"
    error = "error"  # the file could not be read as a table at all
    not_tabular = "not_tabular"

    @property
    def rank(self) -> int:
        """Severity, for "the worst status of a dataset's tables": error 3 > invalid 2 > valid 1 > not_tabular 0."""
        return _VALIDATION_RANK[self]


_VALIDATION_RANK = {ValidationStatus.not_tabular: 0, ValidationStatus.valid: 1, ValidationStatus.invalid: 2,
                    ValidationStatus.error: 3}


class JobStatus(StrEnum):
    running = "running"
    finished = "finished"
    failed = "failed"


class Role(StrEnum):
    """An account's role: ``user`` registers itself; a ``reviewer`` decides applications of its departments;
    ``organizer`` runs contests; ``admin`` does everything. None of them reads conditional data without a grant."""

    user = "user"
    reviewer = "reviewer"
    organizer = "organizer"
    admin = "admin"


class ApplicationStatus(StrEnum):
    """An application for 有条件开放 data: pending → approved (a grant exists) | rejected; approved → revoked."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    revoked = "revoked"


@dataclass(frozen=True)
class DomainInfo:
    code: str
    name: str  # 中文名
    name_en: str
    order: int


DOMAINS: tuple[DomainInfo, ...] = (
    DomainInfo("economy", "经济建设", "Economic Development", 1),
    DomainInfo("environment", "资源环境", "Resources and Environment", 2),
    DomainInfo("education-technology", "教育科技", "Education, Science and Technology", 3),
    DomainInfo("transport", "道路交通", "Roads and Transport", 4),
    DomainInfo("social-development", "社会发展", "Social Development", 5),
    DomainInfo("public-safety", "公共安全", "Public Safety", 6),
    DomainInfo("culture-leisure", "文化休闲", "Culture and Leisure", 7),
    DomainInfo("health", "卫生健康", "Health", 8),
    DomainInfo("livelihood", "民生服务", "Livelihood Services", 9),
    DomainInfo("institutions", "机构团体", "Institutions and Organizations", 10),
    DomainInfo("urban-construction", "城市建设", "Urban Construction", 11),
    DomainInfo("credit", "信用服务", "Credit Services", 12),
)

_BY_KEY = {d.code: d for d in DOMAINS} | {d.name: d for d in DOMAINS}


def resolve_domain(value: str) -> DomainInfo | None:
    """A domain from its code (``transport``) or its 中文名 (``道路交通``); None if unknown."""
    return _BY_KEY.get(value.strip()) or _BY_KEY.get(value.strip().lower())


OPEN_CLASSES = {OpenClass.open: "无条件开放", OpenClass.conditional: "有条件开放", OpenClass.closed: "非开放"}

UPDATE_FREQUENCIES = ("实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期")

#: EU frequency authority codes (…/authority/frequency/CODE), English words and ISO 8601 durations, each to one
#: of UPDATE_FREQUENCIES. Matching ignores case, spaces, hyphens and underscores.
_FREQUENCY_WORDS: dict[str, str] = {
    **{f: f for f in UPDATE_FREQUENCIES},
    "实时更新": "实时", "每天": "每日", "日更新": "每日", "每星期": "每周", "周更新": "每周", "月更新": "每月",
    "每个月": "每月", "季度": "每季度", "每季": "每季度", "半年": "每半年", "每年度": "每年", "年度": "每年",
    "不定时": "不定期", "不规则": "不定期",
    "continuous": "实时", "updatecont": "实时", "realtime": "实时", "cont": "实时",
    "daily": "每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度", "semiannual": "每半年",
    "biannual": "每半年", "annual2": "每半年", "annual": "每年", "yearly": "每年", "irregular": "不定期",
    "irreg": "不定期", "asneeded": "不定期", "other": "不定期",
    "pt1s": "实时", "p1d": "每日", "p1w": "每周", "p7d": "每周", "p1m": "每月", "p3m": "每季度", "p6m": "每半年",
    "p1y": "每年", "p12m": "每年",
}


def normalise_update_frequency(value: str | None) -> tuple[str | None, str | None]:
    """One of ``UPDATE_FREQUENCIES`` for a harvested frequency (中文 label, English word, ISO 8601 duration such
    as ``P1M`` or ``R/P1M``, EU frequency URI): ``(label, None)``; an unknown value gives ``("不定期", warning)``;
    no value stays None."""
    if value is None or not value.strip():
        return None, None
    text = value.strip().rsplit("/", 1)[-1] if "://" in value else value.strip()
    key = text.lower().removeprefix("r/")
    for noise in (" ", "-", "_"):
        key = key.replace(noise, "")
    found = _FREQUENCY_WORDS.get(text) or _FREQUENCY_WORDS.get(key)
    if found:
        return found, None
    return "不定期", f"unknown update frequency '{value.strip()[:60]}' recorded as 不定期"
