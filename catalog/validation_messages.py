"""Validation errors in Chinese: what each frictionless error type means, said to a citizen.

frictionless writes its messages in English and quotes the offending cell in them, so a Chinese page cannot show
them as they are, and a dataset whose data is not public may not show them at all. Here every error type gets a
short Chinese name (类型错误, 必填项缺失, …) and a sentence built only from what the stored error holds apart from
the cell: its type, row, field, and — for type and constraint errors, the row of a repeat — the part of the English
note that comes from the schema (the expected type, the constraint's name and bound). So the explanation is
safe to show to anyone; the original message stays for callers who may read the data, which
``catalog.access.public_validation_report`` decides (it replaces the message for the others before this runs).
"""

from __future__ import annotations

import re
from typing import Any

#: frictionless error type -> (short Chinese name, what it means). Every type frictionless 5 defines is here
#: (tests/catalog/test_validation_messages.py checks), so no English name reaches a page.
ERROR_TYPES: dict[str, tuple[str, str]] = {
    "type-error": ("类型错误", "单元格的值不是该字段要求的数据类型"),
    "constraint-error": ("不满足约束", "单元格的值不满足数据标准对该字段的约束"),
    "missing-cell": ("缺少单元格", "这一行的列数比表头少，该字段没有值"),
    "extra-cell": ("列数不符", "这一行的列数比表头多，多出了一个值"),
    "blank-row": ("空行", "这一行所有单元格都是空的"),
    "primary-key": ("主键重复", "这一行的主键与前面某一行相同"),
    "unique-error": ("重复值", "该字段要求取值唯一，这个值在前面已经出现过"),
    "foreign-key": ("外键不匹配", "这一行引用的值在被引用的表中找不到"),
    "duplicate-row": ("重复行", "这一行与前面某一行完全相同"),
    "row-constraint": ("不满足行约束", "这一行不满足对整行的约束"),
    "required-value": ("必填项缺失", "要求出现的值没有出现"),
    "ascii-value": ("含非半角字符", "该字段只允许半角英文字母、数字和符号（ASCII）"),
    "forbidden-value": ("禁用值", "单元格的值是不允许出现的值"),
    "sequential-value": ("序号不连续", "该字段应为连续序号"),
    "truncated-value": ("疑似被截断", "单元格的值可能被截断"),
    "deviated-value": ("疑似异常值", "单元格的值明显偏离其他值"),
    "deviated-cell": ("疑似异常单元格", "单元格的内容明显偏离其他单元格"),
    "cell-error": ("单元格错误", "单元格有误"),
    "row-error": ("行错误", "这一行有误"),
    "blank-label": ("表头错误", "表头中有空白的列名"),
    "duplicate-label": ("表头错误", "表头中有重复的列名"),
    "incorrect-label": ("表头错误", "表头的列名与数据标准中的字段名不一致"),
    "missing-label": ("表头错误", "表头缺少数据标准中的一个字段"),
    "extra-label": ("表头错误", "表头多出一个数据标准中没有的列"),
    "blank-header": ("表头错误", "表头完全是空的"),
    "unmatched-header": ("表头错误", "表头中没有任何一个数据标准里的字段"),
    "label-error": ("表头错误", "表头的列名有误"),
    "header-error": ("表头错误", "表头有误"),
    "encoding-error": ("编码错误", "文件不能按所声明的字符编码读取"),
    "format-error": ("格式不符", "文件内容与所声明的文件格式不符，无法解析"),
    "source-error": ("无法读取", "文件内容不受支持或前后不一致"),
    "scheme-error": ("无法读取", "文件无法打开"),
    "compression-error": ("无法解压", "压缩文件无法解压"),
    "file-error": ("无法读取", "文件有误"),
    "resource-error": ("无法读取", "数据资源有误，无法校验"),
    "table-error": ("表格错误", "表格有误"),
    "table-dimensions": ("行列数不符", "表格的行数或列数不符合要求"),
    "row-count": ("行数不符", "表格的行数与声明的不一致"),
    "field-count": ("列数不符", "表格的列数与声明的不一致"),
    "byte-count": ("大小不符", "文件大小与声明的不一致"),
    "hash-count": ("校验值不符", "文件的哈希值与声明的不一致"),
    "schema-error": ("数据标准有误", "表格的数据标准（Table Schema）本身不正确"),
    "field-error": ("数据标准有误", "数据标准中某个字段的定义不正确"),
    "dialect-error": ("格式说明有误", "表格的格式说明（dialect）不正确"),
    "control-error": ("读取设置有误", "读取设置不正确"),
    "detector-error": ("读取设置有误", "类型推断设置不正确"),
    "metadata-error": ("元数据有误", "元数据不正确"),
    "package-error": ("数据包有误", "数据包有误"),
    "catalog-error": ("目录有误", "数据目录有误"),
    "dataset-error": ("数据集有误", "数据集有误"),
    "data-error": ("数据有误", "数据有误"),
    "stats-error": ("统计信息有误", "统计信息有误"),
    "check-error": ("校验设置有误", "校验规则不正确"),
    "checklist-error": ("校验设置有误", "校验清单不正确"),
    "inquiry-error": ("校验设置有误", "校验请求不正确"),
    "inquiry-task-error": ("校验设置有误", "校验任务不正确"),
    "pipeline-error": ("处理设置有误", "处理流程不正确"),
    "step-error": ("处理设置有误", "处理步骤不正确"),
    "report-error": ("校验报告有误", "校验报告不正确"),
    "report-task-error": ("校验报告有误", "校验报告中的任务不正确"),
    "error": ("其他问题", "校验发现问题"),
}
UNKNOWN = ("其他问题", "校验发现问题")

TYPE_NAMES = {
    "integer": "整数", "number": "数值", "string": "文本", "boolean": "布尔值（是/否）", "date": "日期",
    "datetime": "日期时间", "time": "时间", "year": "年份", "yearmonth": "年月", "duration": "时长",
    "geopoint": "经纬度坐标", "geojson": "GeoJSON 地理数据", "object": "JSON 对象", "array": "JSON 数组",
    "list": "列表", "any": "任意值",
}

# A constraint's name -> (short name, what the value must do; {bound} is the schema's value).
CONSTRAINTS = {
    "required": ("必填项缺失", "该字段为必填项，不能为空"),
    "minimum": ("超出取值范围", "不能小于 {bound}"),
    "maximum": ("超出取值范围", "不能大于 {bound}"),
    "exclusiveMinimum": ("超出取值范围", "必须大于 {bound}"),
    "exclusiveMaximum": ("超出取值范围", "必须小于 {bound}"),
    "minLength": ("长度不符", "长度不能少于 {bound}"),
    "maxLength": ("长度不符", "长度不能超过 {bound}"),
    "pattern": ("格式不符", "必须符合格式 {bound}"),
    "enum": ("不在可选值中", "只能取 {bound} 之一"),
    "unique": ("重复值", "取值必须唯一"),
    "jsonSchema": ("格式不符", "必须符合其 JSON Schema"),
}

# The schema-made part of frictionless's notes; nothing else of a message is read (it may quote the cell).
_TYPE_NOTE = re.compile(r': type is "([a-z]+)/([^"]*)"$')
_CONSTRAINT_NOTE = re.compile(r'^: constraint "([A-Za-z]+)" is "(.*)"$', re.DOTALL)  # matched on the last ": constraint"
_REPEAT_NOTE = re.compile(r'the same as in the row at position "?(\d+)"?')
_BOUND_CHARS = 80  # an enum or pattern longer than this is shortened


def error_name(error: dict[str, Any]) -> str:
    """The short Chinese name of one stored error: 类型错误, 必填项缺失, 超出取值范围, …"""
    if error.get("type") == "primary-key" and 'are all "None"' in str(error.get("message") or ""):
        return "主键缺失"
    constraint = _constraint(error)
    if constraint and constraint[0] in CONSTRAINTS:
        return CONSTRAINTS[constraint[0]][0]
    return type_name(str(error.get("type") or ""))


def type_name(error_type: str) -> str:
    """The Chinese name of an error type (for counts by type, where there is no single error to look at)."""
    return ERROR_TYPES.get(error_type, UNKNOWN)[0]


def explain(error: dict[str, Any], titles: dict[str, str] | None = None) -> str:
    """One stored error as a Chinese sentence: where (row, field) and what is wrong; never the cell."""
    name, meaning = ERROR_TYPES.get(str(error.get("type") or ""), UNKNOWN)
    detail = meaning
    typed = _TYPE_NOTE.search(str(error.get("message") or "")) if error.get("type") == "type-error" else None
    if typed:
        expected = TYPE_NAMES.get(typed.group(1), typed.group(1))
        fmt = typed.group(2)
        detail = f"应为{expected}" + (f"（格式 {fmt}）" if fmt and fmt not in ("default", "any") else "")
    constraint = _constraint(error)
    if constraint and constraint[0] in CONSTRAINTS:
        name, rule = CONSTRAINTS[constraint[0]]
        detail = rule.format(bound=_short(constraint[1]))
    if error.get("type") == "primary-key" and 'are all "None"' in str(error.get("message") or ""):
        name, detail = "主键缺失", "组成主键的单元格都是空的"
    repeat = (_REPEAT_NOTE.search(str(error.get("message") or ""))
              if error.get("type") in ("primary-key", "unique-error", "duplicate-row") else None)
    if repeat:
        detail += f"（与第 {repeat.group(1)} 行相同）"
    return f"{_where(error, titles or {})}{name}：{detail}。"


def explain_report(report: dict[str, Any] | None, titles: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The report (as the caller may see it) with ``name_zh`` and ``explanation`` on every error and the Chinese
    names of ``errors_by_type`` as ``errors_by_type_zh``; the English message is left as it was given."""
    if report is None:
        return None
    errors = [
        {**e, "name_zh": error_name(e), "explanation": explain(e, titles)}
        for e in report.get("errors") or [] if isinstance(e, dict)
    ]
    by_type = {type_name(t): 0 for t in report.get("errors_by_type") or {}}
    for error_type, count in (report.get("errors_by_type") or {}).items():
        by_type[type_name(error_type)] += count
    return {**report, "errors": errors, "errors_by_type_zh": by_type}


def field_titles(schema: dict[str, Any] | None) -> dict[str, str]:
    """field name -> 中文 title, from a Table Schema (for "字段“泊位数”" rather than "total_spaces")."""
    fields = (schema or {}).get("fields") or []
    return {f["name"]: f["title"] for f in fields
            if isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("title"), str)}


def _constraint(error: dict[str, Any]) -> tuple[str, str] | None:
    if error.get("type") != "constraint-error":
        return None
    message = str(error.get("message") or "")
    found = _CONSTRAINT_NOTE.match(message[message.rfind(': constraint "'):])  # after the cell, never in it
    return (found.group(1), found.group(2)) if found else None


def _where(error: dict[str, Any], titles: dict[str, str]) -> str:
    parts = []
    if error.get("row") is not None:
        parts.append(f"第 {error['row']} 行")
    field = error.get("field")
    if field:
        title = titles.get(field)
        parts.append(f"字段“{title}”（{field}）" if title and title != field else f"字段“{field}”")
    return "，".join(parts) + "，" if parts else ""


def _short(text: str) -> str:
    return text if len(text) <= _BOUND_CHARS else text[:_BOUND_CHARS] + "…"
