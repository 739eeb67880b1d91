"""Highlight query terms in titles and descriptions: HTML-escaped text with ``<mark>…</mark>`` around
matches. Uses the index tokenizer, so what is marked is exactly what matched."""

from __future__ import annotations

from html import escape

from .tokenizer import segment

ELLIPSIS = "…"


def _spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    spans = sorted((s, e) for t, s, e, _ in segment(text) if t in terms)
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, terms: set[str], max_chars: int | None = None, lead_chars: int = 24) -> str:
    """Return ``text`` HTML-escaped with matches of ``terms`` marked.

    With ``max_chars``, return a snippet of about that many characters starting a little before the first
    match (or at the start), with "…" where text was cut.
    """
    text = text or ""
    spans = _spans(text, terms) if terms else []
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
