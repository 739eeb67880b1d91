"""Highlight query terms in titles and descriptions: HTML-escaped text with ``<mark>…</mark>`` around
matches.

The terms are the query's tokens (as the index tokenizer produced them), so they are found in the text by
plain string search: Chinese terms anywhere, Latin/digit terms only as whole words (``pm2`` is not marked
inside ``pm25``). Touching or overlapping matches are merged (停车 + 车场 → one mark over 停车场).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from catalog.search.tokenizer import fold

ELLIPSIS = "…"
_LATIN_RE = re.compile(r"[0-9a-z]")


@lru_cache(maxsize=512)
def _pattern(terms: frozenset[str]) -> re.Pattern[str] | None:
    alternatives = []
    for term in sorted(terms, key=lambda t: (-len(t), t)):
        if not term:
            continue
        p = re.escape(term)
        if _LATIN_RE.match(term[0]):
            p = r"(?<![0-9a-z])" + p
        if _LATIN_RE.match(term[-1]):
            p += r"(?![0-9a-z])"
        alternatives.append(p)
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def _spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    pattern = _pattern(terms)
    if pattern is None:
        return []
    merged: list[tuple[int, int]] = []
    folded = fold(text)
    pos = 0
    while pos < len(folded):
        m = pattern.search(folded, pos)
        if m is None:
            break
        s, e = m.span()
        if e == s:
            pos = s + 1
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
        pos = s + 1  # overlapping matches too: 停车 then 车场
    return merged


def highlight(
    text: str, terms: set[str] | frozenset[str], max_chars: int | None = None, lead_chars: int = 24
) -> str:
    """Return ``text`` HTML-escaped with occurrences of ``terms`` marked.

    With ``max_chars``, return a snippet of about that many characters starting a little before the first
    match (or at the start), with "…" where text was cut.
    """
    text = text or ""
    spans = _spans(text, frozenset(terms)) if terms else []
    start, end = 0, len(text)
    if max_chars is not None and len(text) > max_chars:
        if spans and spans[0][0] > lead_chars:
            start = min(spans[0][0] - lead_chars, len(text) - max_chars)
        end = start + max_chars
    out: list[str] = [ELLIPSIS] if start > 0 else []
    pos = start
    for s, e in spans:
        if e <= start:
            continue
        if s >= end:
            break
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append("<mark>" + escape(text[s:e]) + "</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out)
