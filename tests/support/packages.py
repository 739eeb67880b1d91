"""Builders of small data packages for tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PARKING_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "title": "编号"},
        {"name": "name", "type": "string", "title": "名称"},
        {"name": "district", "type": "string", "title": "所属区"},
        {"name": "total_spaces", "type": "integer", "title": "泊位数"},
    ],
    "primaryKey": ["id"],
}

ROWS = [
    (1, "陆家嘴中心停车场", "浦东新区", 620),
    (2, "人民广场地下停车库", "黄浦区", 450),
    (3, "徐家汇公共停车场", "徐汇区", 300),
]


def csv_text(rows: list[tuple[Any, ...]] = ROWS) -> str:
    lines = ["id,name,district,total_spaces"] + [",".join(str(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"


def write_package(
    folder: Path,
    name: str,
    *,
    csv: str | bytes | None = None,
    resource: dict[str, Any] | None = None,
    **metadata: Any,
) -> Path:
    """Write ``folder/name/datapackage.json`` with one CSV resource; keyword args override metadata."""
    pkg = folder / name
    (pkg / "data").mkdir(parents=True, exist_ok=True)
    content = csv_text() if csv is None else csv
    data_file = pkg / "data" / "table.csv"
    if isinstance(content, bytes):
        data_file.write_bytes(content)
    else:
        data_file.write_text(content, encoding="utf-8")
    descriptor: dict[str, Any] = {
        "name": name,
        "title": f"{name} 停车场信息",
        "description": "测试用停车场数据",
        "keywords": ["停车场", "交通"],
        "domain": "transport",
        "publisher": {"name": "jtw", "title": "上海市交通委员会"},
        "update_frequency": "每月",
        "open_class": "open",
        "resources": [
            {"name": "table", "path": "data/table.csv", "format": "csv", "schema": PARKING_SCHEMA}
            | (resource or {})
        ],
    }
    descriptor.update(metadata)
    (pkg / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return pkg
