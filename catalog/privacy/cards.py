"""Bank card numbers: 16–19 digits (spaces or hyphens allowed between groups), Luhn-valid, starting with a known
issuer prefix (ISSUER_PREFIXES, the one table of them). A Luhn check alone passes one random number in ten, so the
prefix and the column decision (columns.py) carry most of the weight."""

from __future__ import annotations

import re

import pyarrow as pa

from catalog.privacy.arrays import StringValues, as_strings, fold, strip_separators, validated
from catalog.privacy.findings import mask_middle

SEPARATORS = r"[\s\-]"
PREFILTER = r"^\d{16,19}$"

# Issuer identification number ranges (inclusive, compared on the same number of leading digits).
ISSUER_PREFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "UnionPay": (("62", "62"),),
    "Visa": (("4", "4"),),
    "Mastercard": (("51", "55"), ("2221", "2720")),
    "American Express": (("34", "34"), ("37", "37")),
    "JCB": (("3528", "3589"),),
    "Discover": (("6011", "6011"), ("644", "649"), ("65", "65")),
    "Diners Club": (("300", "305"), ("36", "36"), ("38", "39")),
}


def issuer(digits: str) -> str | None:
    for name, ranges in ISSUER_PREFIXES.items():
        for low, high in ranges:
            head = digits[: len(low)]
            if len(head) == len(low) and low <= head <= high:
                return name
    return None


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _is_card_digits(digits: str) -> bool:
    return luhn_valid(digits) and issuer(digits) is not None


def is_bank_card(value: str) -> bool:
    digits = re.sub(SEPARATORS, "", fold(value))
    return re.fullmatch(PREFILTER, digits, flags=re.ASCII) is not None and _is_card_digits(digits)


def match(values: StringValues) -> pa.ChunkedArray:
    return validated(strip_separators(as_strings(values), SEPARATORS), PREFILTER, _is_card_digits)


def mask(value: str) -> str:
    return mask_middle(re.sub(SEPARATORS, "", fold(value)), 4, 4)
