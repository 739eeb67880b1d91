"""Mainland mobile numbers: 1[3-9] and 9 more digits, optionally after +86 / 86 / 0086, with the usual separators
(spaces, hyphens, dots, parentheses). Landlines are not personal by themselves and are not detected; a masked
number (138****5678) has stars and never matches."""

from __future__ import annotations

import re

import pyarrow as pa

from catalog.privacy.arrays import StringValues, as_strings, fold, strip_separators, validated
from catalog.privacy.findings import mask_middle

SEPARATORS = r"[\s\-.()（）]"
PATTERN = r"^(?:\+?86|0086)?1[3-9]\d{9}$"


def _compact(text: str) -> str:
    return re.sub(SEPARATORS, "", fold(text))


def is_mobile(value: str) -> bool:
    return re.fullmatch(PATTERN, _compact(value), flags=re.ASCII) is not None


def match(values: StringValues) -> pa.ChunkedArray:
    # The whole check is a regex, so it runs vectorized end to end.
    return validated(strip_separators(as_strings(values), SEPARATORS), PATTERN)


def mask(value: str) -> str:
    return mask_middle(_compact(value)[-11:], 3, 4)
