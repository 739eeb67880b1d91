"""The 12 priority domains (数据领域) that every dataset belongs to."""

from __future__ import annotations

from dataclasses import dataclass


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


OPEN_CLASSES = {"open": "无条件开放", "conditional": "有条件开放", "closed": "非开放"}

UPDATE_FREQUENCIES = ("实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期")
