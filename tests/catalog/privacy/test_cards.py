import pyarrow as pa
import pyarrow.compute as pc
import pytest

from catalog.privacy import cards
from tests.catalog.privacy.synthetic import card


@pytest.mark.parametrize(
    ("prefix", "length", "issuer"),
    [
        ("62", 16, "UnionPay"),
        ("62", 19, "UnionPay"),
        ("4", 16, "Visa"),
        ("51", 16, "Mastercard"),
        ("55", 16, "Mastercard"),
        ("2221", 16, "Mastercard"),
        ("2720", 16, "Mastercard"),
        ("3528", 16, "JCB"),
        ("3589", 19, "JCB"),
        ("6011", 16, "Discover"),
    ],
)
def test_luhn_valid_numbers_with_known_issuers_match(prefix, length, issuer):
    number = card(prefix, length)
    assert cards.luhn_valid(number)
    assert cards.issuer(number) == issuer
    assert cards.is_bank_card(number)
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    assert cards.is_bank_card(grouped)
    assert cards.is_bank_card(grouped.replace(" ", "-"))


def test_amex_prefixes_are_in_the_table():
    # Amex numbers have 15 digits, below the 16–19 digit rule; the prefix table still knows them.
    assert cards.issuer("341234") == cards.issuer("371234") == "American Express"


@pytest.mark.parametrize("prefix", ["2220", "2721", "56", "3527", "3590", "1", "9", "31"])
def test_unknown_prefixes_do_not_match(prefix):
    number = card(prefix, 16)
    assert cards.luhn_valid(number)
    assert not cards.is_bank_card(number)


def test_luhn_failures_and_lengths():
    number = card("62", 19)
    broken = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not cards.luhn_valid(broken) and not cards.is_bank_card(broken)
    assert not cards.is_bank_card(card("62", 15))
    assert not cards.is_bank_card(card("62", 20))
    assert not cards.is_bank_card("6222 **** **** 1234")


def test_luhn_known_textbook_example():
    assert cards.luhn_valid("79927398713")
    assert not cards.luhn_valid("79927398710")


def test_counts_over_an_array():
    valid = [card("62", 16 + i % 4) for i in range(9)]
    corpus = valid + [card("1", 16), "6222********1234", None, card("62", 16)[:-1] + "x"]
    flags = cards.match(pa.array(corpus))
    assert pc.sum(flags).as_py() == 9
    assert flags.to_pylist() == [True] * 9 + [False] * 4


def test_mask():
    number = card("62", 16)
    assert cards.mask(number) == number[:4] + "********" + number[-4:]
