import pyarrow as pa
import pyarrow.compute as pc
import pytest

from catalog.privacy import emails


@pytest.mark.parametrize(
    "address", ["zhang.san@example.cn", "a+b@mail.example.com.cn", "X_1@sub-d.example.org"]
)
def test_addresses_match(address):
    assert emails.is_email(address)


@pytest.mark.parametrize(
    "address",
    ["z***@example.cn", "zhangsan@", "@example.cn", "zhang san@example.cn", "a@b", "a@-b.cn", "联系我们"],
)
def test_non_addresses_do_not_match(address):
    assert not emails.is_email(address)


def test_counts_and_mask():
    corpus = ["li@example.cn", "l***@example.cn", None, "wang.wu@example.com", "  zhao@example.org "]
    assert pc.sum(emails.match(pa.array(corpus))).as_py() == 3
    assert emails.mask("wang.wu@example.com") == "w***@example.com"
