"""The one Jinja2 environment of the pages: autoescaping on, and the filters the templates share."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.templating import Jinja2Templates
from jinja2 import ChainableUndefined, Environment, FileSystemLoader
from markupsafe import Markup, escape

from catalog.vocabulary import OPEN_CLASSES, OpenClass, PiiStatus, ValidationStatus

from .links import download_url, mailto_href, safe_href
from .search_state import page_window

PORTAL_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PORTAL_DIR / "templates"
STATIC_DIR = PORTAL_DIR / "static"
STYLESHEET = "portal.css"

SHANGHAI = timezone(timedelta(hours=8), "CST")  # China has one time zone and no daylight saving

VALIDATION_LABELS = {
    ValidationStatus.valid: "校验通过",
    ValidationStatus.invalid: "校验发现问题",
    ValidationStatus.error: "无法读取",
    ValidationStatus.not_tabular: "非表格文件",
}
FIELD_TYPES = {
    "string": "文本", "integer": "整数", "number": "数值", "boolean": "布尔", "date": "日期",
    "datetime": "日期时间", "time": "时间", "year": "年份", "yearmonth": "年月", "geopoint": "坐标",
    "geojson": "GeoJSON", "object": "对象", "array": "数组", "duration": "时长", "any": "任意",
}
ERROR_TYPES = {  # frictionless error types, as a citizen would say them
    "type-error": "类型不符", "constraint-error": "不满足约束", "extra-cell": "多余单元格",
    "missing-cell": "缺少单元格", "primary-key": "主键重复", "unique-error": "重复值", "blank-row": "空行",
    "foreign-key": "外键不匹配", "duplicate-label": "列名重复", "incorrect-label": "列名不符",
    "missing-label": "缺少列", "extra-label": "多余列", "blank-label": "空列名", "encoding-error": "编码错误",
    "source-error": "无法读取", "format-error": "格式错误", "resource-error": "无法读取",
}
_MARK = re.compile(r"(</?mark>)")


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI)


def date_filter(value: datetime | None) -> str:
    local = _local(value)
    return local.strftime("%Y-%m-%d") if local else "—"


def datetime_filter(value: datetime | None) -> str:
    local = _local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else "—"


def iso_filter(value: datetime | None) -> str:
    local = _local(value)
    return local.isoformat(timespec="seconds") if local else ""


def filesize(value: int | None) -> str:
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{value} B"


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:,}"


def highlight(value: str | None) -> Markup:
    """A search snippet: escaped text in which only ``<mark>`` / ``</mark>`` survive as markup.

    The search backend already escapes its snippets; unescaping and escaping each piece again means a
    backend mistake can never put other markup on the page.
    """
    parts = _MARK.split(value or "")
    return Markup("".join(p if p in ("<mark>", "</mark>") else str(escape(html.unescape(p))) for p in parts))


def path_segment(value: Any) -> str:
    return quote(str(value), safe="")


def _asset_version(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every harvested string is shown as text unless a filter says otherwise
        undefined=ChainableUndefined,  # harvested dicts (schemas, contacts) often lack optional keys
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # |tojson escapes < > & ' as \u003c …, so JSON-LD in a <script> block can never close the element.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    env.filters.update(
        date=date_filter, datetime=datetime_filter, iso=iso_filter, filesize=filesize, number=number,
        highlight=highlight, seg=path_segment,
        open_class=lambda v: OPEN_CLASSES.get(v, v),
        validation=lambda v: VALIDATION_LABELS.get(v, v),
        field_type=lambda v: FIELD_TYPES.get(v, v),
        error_type=lambda v: ERROR_TYPES.get(v, v),
        href=safe_href,  # harvested links: http(s)/mailto or None (then the template shows text)
        mailto=mailto_href,
    )
    env.globals.update(
        stylesheet=f"/static/{STYLESHEET}?v={_asset_version(STYLESHEET)}",
        site_name="开放数据门户",
        window_of=page_window,
        ValidationStatus=ValidationStatus,  # templates compare members, never literals
        PiiStatus=PiiStatus,
        OpenClass=OpenClass,
        version_url=lambda name, resource, version: download_url(name, resource, version=version),
    )
    return Jinja2Templates(env=env)


templates = make_templates()
