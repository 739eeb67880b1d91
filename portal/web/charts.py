"""Simple server-rendered bar charts: of a table preview (one numeric column against a label column), and of any
labelled figures (quality dimensions, scorecards, /stats) through ``labelled_bars``.

This module only chooses the columns and computes geometry; ``templates/_chart.html`` draws the SVG, so
every label goes through the same autoescaping as the rest of the page. No script, no inline styles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from catalog.tables.preview import PreviewField, TablePreview, format_value

NUMERIC = {"integer", "number"}
# Numbers that are identifiers or positions, not quantities: a bar chart of them means nothing.
_NOT_A_QUANTITY = re.compile(r"(^|_)(id|code|no|lon|lng|lat|longitude|latitude|year|phone|zip|postcode)($|_)")
_NOT_A_QUANTITY_TITLE = re.compile(r"编号|编码|代码|经度|纬度|年份|电话|邮编|序号")
_LABEL_TITLE = re.compile(r"名称|名$|站点|区$|日期|时间|月份|指标")

# Each row is its label on a line of its own with the bar below it, so the chart is narrow enough to scale down
# to a phone (375 px) without cutting bars off or shrinking the text below legibility.
WIDTH = 360
LABEL_HEIGHT = 16
ROW_HEIGHT = 42
BAR_HEIGHT = 16
TOP = 4
VALUE_GAP = 6
VALUE_WIDTH = 70
LABEL_CHARACTERS = 24


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: float
    text_y: int  # baseline of the value, beside the bar
    label_y: int  # baseline of the label, above the bar


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    value_field: PreviewField | None  # None: not a table preview's chart
    label_field: PreviewField | None
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    axis_x: int


def _quantity(f: PreviewField) -> bool:
    return f.type in NUMERIC and not _NOT_A_QUANTITY.search(f.name.lower()) \
        and not _NOT_A_QUANTITY_TITLE.search(f.title)


def _label_field(preview: TablePreview) -> PreviewField | None:
    """The column that names each row: a 名称 column, else a time column, else another text column —
    the first whose values tell the preview rows apart (a time series of one station is labelled by time)."""
    fields = [f for f in preview.fields if f.type in ("string", "date", "datetime", "yearmonth", "year")]
    ranked = sorted(fields, key=lambda f: (
        0 if f.name.lower() in ("name", "title") or f.title.endswith("名称") else
        1 if f.type != "string" else
        2 if _LABEL_TITLE.search(f.title) else
        3 if not _NOT_A_QUANTITY.search(f.name.lower()) else 4
    ))
    for f in ranked:
        values = [format_value(v) for v in preview.column(f.name)]
        if all(values) and len(set(values)) == len(values):
            return f
    return ranked[0] if ranked else None


def _short(text: str, limit: int = LABEL_CHARACTERS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(preview: TablePreview | None) -> BarChart | None:
    """A bar per preview row for the first quantity column; None when there is nothing worth drawing."""
    if preview is None or preview.error or len(preview.rows) < 2:
        return None
    value_field = next((f for f in preview.fields if _quantity(f)), None)
    if value_field is None:
        return None
    label_field = _label_field(preview)
    values = preview.column(value_field.name)
    labels = preview.column(label_field.name) if label_field else [None] * len(values)
    points = [
        (format_value(label) or f"第 {i + 1} 行", float(v))
        for i, (label, v) in enumerate(zip(labels, values, strict=True))
        if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)
    ]
    if len(points) < 2 or any(v < 0 for _, v in points):
        return None
    top = max(v for _, v in points) or 1.0
    what = value_field.title
    by = f"（按{label_field.title}）" if label_field else ""
    return labelled_bars(
        f"前 {len(points)} 行的{what}{by}",
        f"条形图：{what}，最大值 {format_value(int(top) if top.is_integer() else top)}。数值见上方数据预览表。",
        [(label, v, _number(v)) for label, v in points],
        value_field=value_field, label_field=label_field,
    )


def labelled_bars(title: str, description: str, points: list[tuple[str, float, str]], *, top: float | None = None,
                  value_field: PreviewField | None = None, label_field: PreviewField | None = None) -> BarChart:
    """A bar per (label, value, value as shown), scaled to ``top`` (default: the largest value): the geometry of
    every bar chart of the portal — table previews, quality dimensions, scorecards and /stats."""
    top = top or max((v for _, v, _ in points), default=0.0) or 1.0
    span = WIDTH - 1 - VALUE_GAP - VALUE_WIDTH
    bars = [
        Bar(
            label=_short(label),
            value_text=text,
            y=TOP + i * ROW_HEIGHT + LABEL_HEIGHT + 4,
            width=round(max(v / top * span, 1.0 if v else 0.0), 1),
            text_y=TOP + i * ROW_HEIGHT + LABEL_HEIGHT + 4 + BAR_HEIGHT - 3,
            label_y=TOP + i * ROW_HEIGHT + LABEL_HEIGHT - 3,
        )
        for i, (label, v, text) in enumerate(points)
    ]
    return BarChart(
        title=title,
        description=description,
        value_field=value_field,
        label_field=label_field,
        bars=bars,
        width=WIDTH,
        height=TOP * 2 + len(bars) * ROW_HEIGHT,
        label_width=0,
        axis_x=1,  # the axis line's full stroke inside the view box
    )


def _number(v: float) -> str:
    return format_value(int(v) if v.is_integer() else round(v, 2))
