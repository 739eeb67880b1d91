"""A dataset's citation in the GB/T 7714-2015 style for electronic datasets ([DS/OL]):

    责任者. 题名[DS/OL]. 出版者, 版本. (引用日期)[YYYY-MM-DD]. 获取和访问路径.

The 责任者 is the department (数据提供方), the 出版者 the portal; the version is the dataset's ``version``, else
its last update date (YYYY-MM-DD, Beijing time); the 引用日期 is the day the citation is made (Beijing time).
Shown on the dataset page and given as ``citation`` in its schema.org JSON-LD (portal/web/jsonld.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")


def _clean(text: str | None) -> str:
    """One line, no trailing full stop (the citation adds its own punctuation)."""
    return " ".join(str(text or "").split()).rstrip(".。")


def gbt7714(*, department: str, title: str, portal: str, version: str | None, modified: datetime, url: str,
            accessed: date | None = None) -> str:
    accessed = accessed or datetime.now(BEIJING).date()
    stamp = modified if modified.tzinfo else modified.replace(tzinfo=UTC)
    edition = _clean(version) or stamp.astimezone(BEIJING).date().isoformat()
    return (f"{_clean(department)}. {_clean(title)}[DS/OL]. {_clean(portal)}, {edition}. "
            f"[{accessed.isoformat()}]. {url}.")
