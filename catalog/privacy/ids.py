"""Unmasked Chinese resident ID numbers (公民身份号码, GB 11643-1999) and the 15-digit form before 1999.

18 digits: a real GB/T 2260 area code (areas.py), a birth date that exists and lies between 1900 and today, a
3-digit sequence, and the ISO 7064 MOD 11-2 check digit (0–9 or X). 15 digits: area code, yymmdd birth date
(19yy), sequence; no check digit. A masked number (310101********1234) has stars, so it never matches: it is
de-identified, not personal data.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from catalog.privacy.areas import is_area_code
from catalog.privacy.arrays import StringValues, as_strings, fold, validated
from catalog.privacy.findings import mask_middle

# ISO 7064 MOD 11-2: weight of position i (0-based, 17 digits) is 2^(17-i) mod 11; the remainder of the weighted
# sum picks the check character.
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARACTERS = "10X98765432"
EARLIEST_BIRTH_YEAR = 1900

PREFILTER = r"^(?:\d{17}[\dXx]|\d{15})$"


def check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def _birth_date(text: str, today: dt.date) -> dt.date | None:
    try:
        born = dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    return born if EARLIEST_BIRTH_YEAR <= born.year and born <= today else None


def is_resident_id(value: str, today: dt.date | None = None) -> bool:
    """True for an unmasked 18- or 15-digit resident ID number (whole value, already trimmed)."""
    today = today or dt.date.today()
    value = fold(value)
    if not value.isascii():
        return False
    if len(value) == 18:
        first17, last = value[:17], value[17].upper()
        if not first17.isdigit() or not (last.isdigit() or last == "X"):
            return False
        return (
            is_area_code(value[:6])
            and _birth_date(value[6:14], today) is not None
            and check_digit(first17) == last
        )
    if len(value) == 15 and value.isdigit():
        return is_area_code(value[:6]) and _birth_date("19" + value[6:12], today) is not None
    return False


def match(values: StringValues, today: dt.date | None = None) -> pa.ChunkedArray:
    """A boolean per cell of ``values`` (trimmed, full-width digits folded)."""
    today = today or dt.date.today()
    return validated(as_strings(values), PREFILTER, lambda text: is_resident_id(text, today))


def mask(value: str) -> str:
    return mask_middle(value, 3, 4)
