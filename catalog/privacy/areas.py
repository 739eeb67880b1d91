"""GB/T 2260 area codes: is the 6-digit prefix of a resident ID number a real place?

The shipped list (prefectures.txt, its source stated in its header) holds 4-digit prefecture codes, not 6-digit
county codes: counties are merged and renamed every year while an ID number keeps the code of the year it was
issued, so a current county list would miss real, older numbers. The last two digits must only be a county
number (01–99).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PREFECTURES_FILE = Path(__file__).with_name("prefectures.txt")

# Residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证, since 2018) carry these area codes.
RESIDENCE_PERMIT_AREAS = frozenset({"810000", "820000", "830000"})


@cache
def prefecture_codes() -> frozenset[str]:
    lines = PREFECTURES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@cache
def province_codes() -> frozenset[str]:
    return frozenset(code[:2] for code in prefecture_codes())


def is_area_code(code: str) -> bool:
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    if code in RESIDENCE_PERMIT_AREAS:
        return True
    return code[:4] in prefecture_codes() and code[4:] != "00"
