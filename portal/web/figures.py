"""The charts of the quality pages — a dataset's score by dimension, and the figures of /stats and of a
department's scorecard — as ``charts.labelled_bars`` bar charts, drawn by ``templates/_chart.html`` like the
table previews' charts (server-rendered SVG, no script)."""

from __future__ import annotations

from typing import Any

from catalog.quality.rubric import Quality

from .charts import BarChart, labelled_bars


def dimension_chart(quality: Quality) -> BarChart:
    """One bar per dimension: the share of its points earned (bars of equal scale whatever the weights)."""
    dims = quality.dimension_points()
    return labelled_bars(
        f"质量评分 {quality.score} 分（{quality.grade}）：各维度得分",
        "条形图：" + "，".join(f"{label} {got}/{top}" for _, label, got, top in dims) + "。明细见下表。",
        [(label, got / top * 100, f"{got}/{top}") for _, label, got, top in dims],
        top=100,
    )


def count_chart(title: str, rows: list[tuple[str, int]], unit: str = "个") -> BarChart | None:
    """Counts by label (datasets by domain, by grade, …); None when all are zero."""
    if not any(n for _, n in rows):
        return None
    return labelled_bars(title, "条形图：" + "，".join(f"{label} {n} {unit}" for label, n in rows) + "。",
                         [(label, float(n), f"{n:,}") for label, n in rows])


def figure_charts(figures: dict[str, Any]) -> dict[str, BarChart | None]:
    """The charts of a /stats or scorecard document."""
    months = figures["downloads_by_month"]
    return {
        "domains": count_chart("按数据领域的数据集数", [(d["name"], d["count"]) for d in figures["by_domain"]]),
        "open_classes": count_chart("按开放属性的数据集数",
                                    [(c["label"], c["count"]) for c in figures["by_open_class"]]),
        "grades": count_chart("质量等级分布", [(g["grade"], g["count"]) for g in figures["quality"]["grades"]]),
        "downloads": count_chart("每月下载次数（含接口调用）",
                                 [(m["month"], m["downloads"] + m["api_calls"]) for m in months], unit="次"),
    }


def ranking_chart(ranking: list[dict[str, Any]]) -> BarChart | None:
    if not ranking:
        return None
    return labelled_bars(
        "各部门平均质量评分",
        "条形图：" + "，".join(f"{r['title']} {r['average_score']} 分" for r in ranking) + "。排名见下表。",
        [(r["title"], r["average_score"], f"{r['average_score']}") for r in ranking],
        top=100,
    )
