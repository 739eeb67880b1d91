"""Email addresses: the whole cell is one address (local part of letters, digits and ._%+-, a dotted domain
ending in a 2+ letter top-level label). A masked address (z***@example.cn) has stars and never matches."""

from __future__ import annotations

import re

import pyarrow as pa

from catalog.privacy.arrays import StringValues, as_strings, fold, validated

PATTERN = r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$"


def is_email(value: str) -> bool:
    return re.fullmatch(PATTERN, fold(value)) is not None


def match(values: StringValues) -> pa.ChunkedArray:
    return validated(as_strings(values), PATTERN)


def mask(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"
