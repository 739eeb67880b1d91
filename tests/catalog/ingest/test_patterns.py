"""The RE2 rewrite of pattern constraints answers exactly as Python's ``re`` (frictionless's engine), or is refused."""

from __future__ import annotations

import random
import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from catalog.ingest.patterns import re2_equivalent

KEPT = [
    "[A-Z]{2}[0-9]{4}", "a|b", "^a|b$", "ab*?c", "(ab)+", "[^a]", "a.c", "", "x?", "[a-c\\-]+",
    "[\u4e00-\u9fff]+", "黄浦区|徐汇区", "a{2,}", "(?:a|)b", "\\$[0-9]+\\.[0-9]{2}", "a$", "a\\Z", "\\Aa",
    "[.]", "\\.", "a\\nb", "[^\\n]*", "(a|ab)(c|bcd)", "[0-9]{1,3}(,[0-9]{3})*",
]
REFUSED = [
    "(a)\\1", "a(?=b)", "a(?!b)", "(?<=a)b", "(?i)abc", "\\d+", "\\w+", "\\s", "\\bx", "[\\d]", "(?s)a.b",
    "a{1001}", "(?>a)", "a++", "(?P<x>a)(?P=x)", "(?(1)a|b)", "(?m)^a$",
]
TEXTS = ["", "a", "b", "ab", "abc", "AB1234", "ab1234", "AB12345", "a\n", "\n", "x\nb", "aab", "abbbc", "ac",
         "a.c", "a\nc", "黄浦区", "徐汇区\n", "$12.50", "1,234,567", "1,23", "abcd", "abcbcd", "-", "a-b", "aa",
         "Ab", "١٢٣", "１２３", "b\n", "ba", "xb"]


def matches_like_python(pattern: str, texts: list[str]) -> None:
    rewritten = re2_equivalent(pattern)
    assert rewritten is not None, pattern
    compiled = re.compile(f"^{pattern}$")
    found = pc.match_substring_regex(pa.array(texts, pa.string()), rewritten).to_pylist()
    for text, got in zip(texts, found, strict=True):
        if text.endswith("\n"):
            continue  # left to Python's re by the caller
        assert got == (compiled.match(text) is not None), (pattern, text)


@pytest.mark.parametrize("pattern", KEPT)
def test_kept_patterns_match_as_python_does(pattern: str) -> None:
    matches_like_python(pattern, TEXTS)


@pytest.mark.parametrize("pattern", REFUSED)
def test_constructs_that_can_differ_are_refused(pattern: str) -> None:
    assert re2_equivalent(pattern) is None


def test_random_patterns_and_texts_agree() -> None:
    r = random.Random(7)
    atoms = ["a", "b", ".", "[ab]", "[^a]", "(a|b)", "(ab)", "[a-c]", "黄", "\\.", "-"]
    repeats = ["", "", "*", "+", "?", "{2}", "{1,3}", "*?", "+?"]
    alphabet = ["a", "b", "c", ".", "黄", "\n", "-"]
    texts = ["".join(r.choice(alphabet) for _ in range(r.randint(0, 6))) for _ in range(300)]
    for _ in range(300):
        pattern = "".join(r.choice(atoms) + r.choice(repeats) for _ in range(r.randint(1, 4)))
        if r.random() < 0.2:
            pattern += "|" + r.choice(atoms)
        matches_like_python(pattern, texts)
