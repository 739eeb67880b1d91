"""JSON from untrusted callers (query parameters, request bodies, paging tokens), parsed with bounds.

Python's ``json`` recurses once per nesting level, so ``[[[…2,000 deep…]]]`` raises RecursionError — in the
parser or in whatever walks the value next — and a JSON string may hold a lone UTF-16 surrogate (``"\\ud800"``)
that is no character at all, or a NUL (``"\\u0000"``), which PostgreSQL text cannot hold: both fail deep
inside DuckDB or the database with their internal message. So the nesting depth is measured *before* parsing
(one pass over the brackets outside strings, no recursion) and every string in the result is checked; each
fails with a JSONInputError whose message says what was wrong. ``check_text`` serves values that came as
plain parameters too. Nothing here knows HTTP: callers turn the error into their API's answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32  # far above any real filter, body or token (they nest two or three levels)

_TOKEN_RE = re.compile(r'\\.|["\[\]{}]', re.DOTALL)  # what matters to nesting: escapes, quotes, brackets
_UNUSABLE_RE = re.compile("[\x00\ud800-\udfff]")


class JSONInputError(ValueError):
    """Text that is not acceptable JSON: unreadable, nested too deeply or holding a lone surrogate."""


def nesting_depth(text: str | bytes) -> int:
    """How deeply arrays and objects nest in ``text`` (brackets inside strings do not count)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    depth = deepest = 0
    in_string = False
    for token in _TOKEN_RE.findall(text):
        if token == '"':
            in_string = not in_string
        elif not in_string and token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif not in_string and token in "]}":
            depth -= 1
    return deepest


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` of untrusted text, refusing nesting beyond ``max_depth`` and lone surrogates."""
    if nesting_depth(text) > max_depth:
        raise JSONInputError(f"JSON nested deeper than {max_depth} levels")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise JSONInputError(f"not valid JSON ({exc})") from None
    check_text(value)
    return value


def check_text(value: Any) -> None:
    """Raise JSONInputError if any string in ``value`` (keys included) holds a NUL or a lone UTF-16 surrogate.

    Walks with an explicit stack, so a value of any depth is safe to check."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if (found := _UNUSABLE_RE.search(item)) is not None:
                if found.group() == "\x00":
                    raise JSONInputError("a string holds a NUL character (\\u0000 or %00), which no value may hold")
                code = f"\\u{ord(found.group()):04x}"
                raise JSONInputError(f"a string holds a lone UTF-16 surrogate ({code}), which is not a character")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
