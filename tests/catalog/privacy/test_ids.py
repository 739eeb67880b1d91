import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from catalog.privacy import areas, ids
from tests.catalog.privacy.synthetic import resident_id, wrong_check

TODAY = dt.date(2026, 6, 1)
SHANGHAI_HUANGPU = "310101"
BEIJING_CHAOYANG = "110105"


@pytest.mark.parametrize("area", [SHANGHAI_HUANGPU, BEIJING_CHAOYANG, "440305", "650102", "310230", "110228"])
@pytest.mark.parametrize("born", [dt.date(1900, 1, 1), dt.date(1984, 2, 29), dt.date(2026, 6, 1)])
def test_valid_numbers_match(area, born):
    for sequence in (1, 37, 999):
        number = resident_id(area, born, sequence)
        assert ids.is_resident_id(number, TODAY), number
        assert ids.check_digit(number[:17]) == number[17]


def test_x_check_digit_in_either_case():
    numbers = [resident_id(SHANGHAI_HUANGPU, dt.date(1990, 5, 17), s) for s in range(1000)]
    with_x = [n for n in numbers if n.endswith("X")]
    assert with_x  # about one in eleven
    assert all(ids.is_resident_id(n, TODAY) and ids.is_resident_id(n.lower(), TODAY) for n in with_x)


def test_every_wrong_check_digit_is_rejected():
    number = resident_id(SHANGHAI_HUANGPU, dt.date(1975, 10, 3), 412)
    assert all(not ids.is_resident_id(bad, TODAY) for bad in wrong_check(number))


@pytest.mark.parametrize(
    "born",
    ["18991231", "20260602", "19900230", "19901301", "19900001", "20230229"],
    ids=["before-1900", "future", "feb-30", "month-13", "month-0", "not-leap"],
)
def test_impossible_birth_dates_are_rejected(born):
    first17 = f"{SHANGHAI_HUANGPU}{born}123"
    assert not ids.is_resident_id(first17 + ids.check_digit(first17), TODAY)


@pytest.mark.parametrize("area", ["990101", "000000", "310100", "719999", "319901", "123456"])
def test_unknown_area_codes_are_rejected(area):
    first17 = f"{area}19900517123"
    assert not ids.is_resident_id(first17 + ids.check_digit(first17), TODAY)


def test_area_codes():
    assert areas.is_area_code("310101")
    assert areas.is_area_code("810000")  # 港澳居民居住证
    assert not areas.is_area_code("310100")  # a prefecture, not a county
    assert not areas.is_area_code("710101")  # Taiwan: no mainland ID numbers
    assert {"11", "31", "44", "65"} <= areas.province_codes()
    assert "72" not in areas.province_codes()


def test_fifteen_digit_old_form():
    assert ids.is_resident_id(f"{SHANGHAI_HUANGPU}751003412", TODAY)
    assert not ids.is_resident_id(f"{SHANGHAI_HUANGPU}750230412", TODAY)  # 30 February
    assert not ids.is_resident_id("990101751003412", TODAY)


@pytest.mark.parametrize(
    "masked",
    [
        "310101********1234",
        "3101011990****1234",
        "310***********1234",
        "310101199005171***",
        "******************",
    ],
)
def test_masked_forms_do_not_match(masked):
    assert not ids.is_resident_id(masked, TODAY)


def test_array_counts_exactly():
    valid = [resident_id(SHANGHAI_HUANGPU, dt.date(1960 + i, 1 + i % 12, 1 + i % 28), i) for i in range(30)]
    full_width = valid[0].translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    inside_longer = "9" + valid[1]
    corpus = (
        valid
        + [f"  {valid[2]} "]  # padding is trimmed: still an ID
        + [full_width]  # full-width digits are folded
        + wrong_check(valid[3])[:5]
        + ["310101********1234", "3101011990****1234", inside_longer, valid[4] + "0", None, "", "没有"]
    )
    flags = ids.match(pa.array(corpus), TODAY)
    assert pc.sum(flags).as_py() == 32
    assert flags.to_pylist()[:32] == [True] * 32
    chunked = pa.chunked_array([corpus[:10], corpus[10:]])
    assert pc.sum(ids.match(chunked, TODAY)).as_py() == 32


def test_mask_hides_the_middle():
    number = resident_id(SHANGHAI_HUANGPU, dt.date(1990, 5, 17), 1)
    assert ids.mask(number) == "310" + "*" * 11 + number[-4:]
