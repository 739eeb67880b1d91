"""Tables of synthetic personal data for the PII gate's tests: resident ID numbers with valid check digits
computed by tests/catalog/privacy/synthetic.py (never real people), next to names and districts."""

from __future__ import annotations

import datetime as dt

from tests.catalog.privacy.synthetic import resident_id

PII_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "title": "序号"},
        {"name": "name", "type": "string", "title": "姓名"},
        {"name": "id_number", "type": "string", "title": "身份证号"},
        {"name": "district", "type": "string", "title": "所属区"},
    ],
    "primaryKey": ["id"],
}
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "伟芳娜敏静丽强磊军洋"


def id_numbers(count: int) -> list[str]:
    return [resident_id("310115", dt.date(1950, 1, 1) + dt.timedelta(days=(97 * i) % 25_000), i % 1000) for i in range(count)]


def masked(number: str) -> str:
    return number[:3] + "*" * 11 + number[-4:]


def person_name(i: int) -> str:
    return SURNAMES[i % 10] + GIVEN[(i // 10) % 10] + GIVEN[(i * 7) % 10]


def pii_csv(count: int, *, masked_ids: bool = False) -> str:
    lines = ["id,name,id_number,district"]
    for i, number in enumerate(id_numbers(count), start=1):
        lines.append(f"{i},{person_name(i)},{masked(number) if masked_ids else number},浦东新区")
    return "\n".join(lines) + "\n"


def pii_resource() -> dict:
    return {"schema": PII_SCHEMA}
