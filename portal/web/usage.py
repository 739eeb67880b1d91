"""Usage pages: the per-key charts of ``/account`` (requests and bytes per day, last 30 days) and the reviewers'
``/review/usage`` — who uses their departments' data (an admin: every department's), which datasets, and the trend.

The numbers come from ``catalog/accounts/usage.py``; this module only shapes them and computes chart geometry.
``templates/_day_chart.html`` draws the SVG (like ``_chart.html``: no script, no inline style, every label
autoescaped), and a table under each chart gives the same numbers for screen readers and copying.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from catalog.accounts import keys, usage
from catalog.config import Settings
from catalog.models import Account, ApiKey

from ..deps import SessionDep, SettingsDep
from .accounts import _render, _reviewer
from .templating import filesize as human_bytes  # the pages' one way to show a size

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

WIDTH = 640
HEIGHT = 150
TOP = 22  # room for the "highest" note
BOTTOM = 20  # room for the first and last day
SIDE = 6


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str  # the day
    value_text: str


@dataclass(frozen=True)
class DayChart:
    title: str
    description: str
    columns: list[Column]
    width: int
    height: int
    baseline: int
    first_label: str
    last_label: str
    top_text: str


def day_chart(title: str, points: list[tuple[date, int]], bytes_: bool = False) -> DayChart:
    """A column per day (oldest first); the tallest column is the day with the most."""
    fmt = human_bytes if bytes_ else (lambda n: f"{n:,}")
    top = max((v for _, v in points), default=0)
    baseline = HEIGHT - BOTTOM
    plot = baseline - TOP
    slot = (WIDTH - 2 * SIDE) / max(len(points), 1)
    columns = []
    for i, (day, value) in enumerate(points):
        height = round(value / top * plot, 1) if top else 0.0
        height = max(height, 1.0) if value else 0.0
        columns.append(Column(round(SIDE + i * slot + slot * 0.15, 1), round(baseline - height, 1),
                              round(slot * 0.7, 1), height, day.isoformat(), fmt(value)))
    busiest = max(points, key=lambda p: p[1], default=None)
    total = sum(v for _, v in points)
    if busiest is None or not top:
        described = f"柱状图：{title}。这段时间没有使用。"
    else:
        described = (f"柱状图：{title}，共 {len(points)} 天，合计 {fmt(total)}，最高 {fmt(top)}"
                     f"（{busiest[0].isoformat()}）。每日数值见图下表格。")
    return DayChart(title, described, columns, WIDTH, HEIGHT, baseline,
                    points[0][0].isoformat() if points else "", points[-1][0].isoformat() if points else "",
                    f"最高 {fmt(top)}" if top else "无使用")


# --- /account: a chart per key ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyChart:
    key: ApiKey | None  # None: the browser session
    usage: usage.KeyUsage
    requests_chart: DayChart
    bytes_chart: DayChart

    @property
    def requests_text(self) -> str:
        return f"{self.usage.requests:,}"

    @property
    def bytes_text(self) -> str:
        return human_bytes(self.usage.bytes)


@dataclass(frozen=True)
class AccountUsageView:
    since: date
    until: date
    keys: list[KeyChart]


def account_usage_view(session: Session, account: Account, settings: Settings) -> AccountUsageView:
    """Each key's usage over the last 30 days (revoked keys only when they were used), and the browser
    session's when it was used."""
    usage.flush(settings)  # this process's counts so far
    since, until = usage.window()
    found = usage.account_usage(session, account.id, until=until)  # type: ignore[arg-type]
    charts = []
    rows: list[tuple[ApiKey | None, usage.KeyUsage]] = [
        (row, found[row.id]) for row in keys.list_keys(session, account.id)  # type: ignore[arg-type, index]
        if row.id in found and (keys.usable(row) or found[row.id].requests)]  # type: ignore[index]
    if found[usage.SESSION_KEY].requests:
        rows.append((None, found[usage.SESSION_KEY]))
    for row, used in rows:
        name = f"密钥“{row.name}”（{row.prefix}…）" if row is not None else "浏览器登录会话"
        charts.append(KeyChart(
            row, used,
            day_chart(f"{name}：近 30 天每日请求数", [(d.day, d.requests) for d in used.days]),
            day_chart(f"{name}：近 30 天每日流量", [(d.day, d.bytes) for d in used.days], bytes_=True)))
    return AccountUsageView(since, until, charts)


# --- /review/usage --------------------------------------------------------------------------------------------


@router.get("/review/usage")
def review_usage(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    actor = _reviewer(request, settings, session)  # reviewers and admins only (403, or the login page)
    if isinstance(actor, Response):
        return actor
    usage.flush(settings)
    found = usage.department_usage(session, actor)
    return _render(request, settings, "review_usage.html", {
        "usage": found, "human_bytes": human_bytes,
        "calls_chart": day_chart("近 30 天每日下载与接口调用次数（含匿名访问）",
                                 [(d.day, d.downloads + d.api_calls) for d in found.trend]),
        "bytes_chart": day_chart("近 30 天每日流量（含匿名访问）", [(d.day, d.bytes) for d in found.trend],
                                 bytes_=True),
    }, account=actor)
