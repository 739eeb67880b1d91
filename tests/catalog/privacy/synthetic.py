"""Synthetic personal data for the tests, computed here with the published algorithms (never real people's
numbers): the checks are written independently of catalog/privacy so a wrong implementation cannot agree."""

from __future__ import annotations

import datetime as dt


def id_check_character(first17: str) -> str:
    # ISO 7064 MOD 11-2 in its textbook form: weights 2^(n-1) mod 11 from the right, check = (12 - S mod 11) mod 11.
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def resident_id(area: str, born: dt.date, sequence: int) -> str:
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def wrong_check(number: str) -> list[str]:
    """The same number with each of the ten other check characters."""
    return [number[:17] + c for c in "0123456789X" if c != number[17]]


def luhn_complete(prefix_and_body: str) -> str:
    """Appends the Luhn check digit."""
    digits = [int(c) for c in prefix_and_body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return prefix_and_body + str((10 - total % 10) % 10)


def card(prefix: str, length: int) -> str:
    body = (prefix + "1234567890123456789")[: length - 1]
    return luhn_complete(body)
