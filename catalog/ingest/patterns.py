"""``pattern`` constraints at Arrow's speed where that cannot change the answer.

frictionless checks a string against a pattern with Python's ``re``: ``re.compile(f"^{pattern}$").match(cell)``.
Arrow's ``match_substring_regex`` runs RE2, whose language is not Python's. :func:`re2_equivalent` parses the
same ``^{pattern}$`` with Python's own parser and rewrites it in RE2 syntax only when every construct in it
means the same in both engines: literals, ``.``, character sets made of literals and ranges (negated or not),
alternation, groups, greedy and lazy repeats (at most 1000, RE2's limit) and the anchors ``^``, ``$``, ``\\A``,
``\\Z``. Anything else — back-references, look-arounds, possessive repeats and atomic groups, ``\\b``, the
classes ``\\d``/``\\w``/``\\s`` (Unicode in Python, ASCII in RE2), inline flags — gives None and the caller keeps
Python's ``re``.

One difference survives in the constructs kept: Python's ``$`` also matches just before a final newline, RE2's
only at the very end. The rewrite uses RE2's end of text, and the caller checks the cells that end with a newline
with Python's ``re`` (:func:`python_only`).
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_RE2_MAX_REPEAT = 1000


class _Unsupported(Exception):
    pass


def _char(code: int) -> str:
    # every character as a code point escape: no RE2 metacharacter can slip through
    return f"\\x{{{code:x}}}"


def _set(items: list[tuple[Any, Any]]) -> str:
    out, negate = [], False
    for op, arg in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            out.append(_char(arg))
        elif op is C.RANGE:
            out.append(f"{_char(arg[0])}-{_char(arg[1])}")
        else:  # CATEGORY (\d, \w, \s …): Unicode classes in Python, ASCII in RE2
            raise _Unsupported(str(op))
    return "[" + ("^" if negate else "") + "".join(out) + "]"


def _emit(tree: Any) -> str:
    out = []
    for op, arg in tree:
        if op is C.LITERAL:
            out.append(_char(arg))
        elif op is C.NOT_LITERAL:
            out.append(f"[^{_char(arg)}]")
        elif op is C.ANY:  # neither engine's "." matches a newline (no DOTALL here: inline flags are refused)
            out.append(".")
        elif op is C.IN:
            out.append(_set(arg))
        elif op is C.BRANCH:
            out.append("(?:" + "|".join(_emit(alternative) for alternative in arg[1]) + ")")
        elif op is C.SUBPATTERN:
            _group, add_flags, del_flags, inner = arg
            if add_flags or del_flags:
                raise _Unsupported("inline flags")
            out.append("(?:" + _emit(inner) + ")")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, inner = arg
            if low > _RE2_MAX_REPEAT or (high is not C.MAXREPEAT and high > _RE2_MAX_REPEAT):
                raise _Unsupported("a repeat count RE2 refuses")
            bounds = f"{{{low},}}" if high is C.MAXREPEAT else f"{{{low},{high}}}"
            out.append("(?:" + _emit(inner) + ")" + bounds + ("?" if op is C.MIN_REPEAT else ""))
        elif op is C.AT and arg in (C.AT_BEGINNING, C.AT_BEGINNING_STRING):
            out.append("^")  # without MULTILINE both mean the start of the text in both engines
        elif op is C.AT and arg in (C.AT_END, C.AT_END_STRING):
            out.append("\\z")  # Python's "$" before a final newline too: those cells are left to re
        else:  # GROUPREF, ASSERT, ASSERT_NOT, ATOMIC_GROUP, POSSESSIVE_REPEAT, \b, CATEGORY, …
            raise _Unsupported(str(op))
    return "".join(out)


def re2_equivalent(pattern: str) -> str | None:
    """An RE2 regex matching (as a search) exactly the texts without a final newline that
    ``re.compile(f"^{pattern}$").match`` matches, or None when that cannot be guaranteed."""
    try:
        parsed = _parser.parse(f"^{pattern}$", 0)
        if parsed.state.flags & ~C.SRE_FLAG_UNICODE:  # (?i), (?s), (?m), (?x), (?a) …
            return None
        # Python's match() is anchored at the start, whatever the pattern says (e.g. "^a|b$")
        return "^(?:" + _emit(parsed) + ")"
    except (_Unsupported, re.error, RecursionError):
        return None


def python_only(text: str) -> bool:
    """The cells the RE2 rewrite cannot answer for (Python's ``$`` before a final newline)."""
    return text.endswith("\n")
