"""Synthetic personal identifiers for the packages that exercise the personal-information gate (数据脱敏检查):
resident ID numbers with a valid GB 11643 check digit, mobile numbers, and their masked forms. They are computed
from a seeded random stream — never copied from real people — and only the masked forms are ever meant to be
published; the unmasked package exists to be blocked by the harvest.
"""

from __future__ import annotations

import datetime as dt
import random

from .reference import DISTRICT_INFO

# GB 11643: weights of the first 17 digits, and the check character for each remainder mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MOBILE_PREFIXES = ("135", "138", "139", "150", "158", "177", "186", "189")


def resident_id(rng: random.Random, district: str) -> str:
    """An 18-digit number of a person registered in ``district``, born 1940–2005, with its check character."""
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
    first17 = f"{DISTRICT_INFO[district]['code']}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def masked_id(number: str) -> str:
    """``310***********1234``: the area's first three digits and the last four, as 公示 lists print them."""
    return number[:3] + "*" * 11 + number[-4:]


def masked_mobile(number: str) -> str:
    """``138****5678``."""
    return number[:3] + "****" + number[-4:]


def masked_name(name: str) -> str:
    """``张*`` / ``张**``: the surname kept."""
    return name[0] + "*" * (len(name) - 1)
