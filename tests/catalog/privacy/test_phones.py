import pyarrow as pa
import pyarrow.compute as pc
import pytest

from catalog.privacy import phones


@pytest.mark.parametrize(
    "number",
    [
        "13812345678",
        "19912345678",
        "+8613812345678",
        "8613812345678",
        "008613812345678",
        "+86 138 1234 5678",
        "138-1234-5678",
        "138 1234 5678",
        "(+86)13812345678",
        "１３８１２３４５６７８",
        " 15012345678 ",
    ],
)
def test_mobile_numbers_match(number):
    assert phones.is_mobile(number)
    assert pc.sum(phones.match(pa.array([number]))).as_py() == 1


@pytest.mark.parametrize(
    "number",
    [
        "138****5678",
        "138 **** 5678",
        "12812345678",
        "10012345678",
        "1381234567",
        "138123456789",
        "021-63211234",
        "+85213812345678",
        "4008123123",
        "",
        "abc",
    ],
)
def test_others_do_not_match(number):
    assert not phones.is_mobile(number)
    assert pc.sum(phones.match(pa.array([number]))).as_py() == 0


def test_counts_over_an_array():
    corpus = ["13812345678"] * 7 + ["138****5678"] * 5 + [None, "021-63211234", "+86 177 0000 1111"]
    assert pc.sum(phones.match(pa.array(corpus))).as_py() == 8


def test_mask():
    assert phones.mask("+86 138-1234-5678") == "138****5678"
