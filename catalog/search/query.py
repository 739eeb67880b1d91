"""Turn the user's ``q`` text into required clauses and scoring terms.

There is deliberately no query language: the text can never inject field names, boolean operators,
wildcards or ranges, and no input makes the parser raise. The only syntax is

* whitespace separates words; every word must match (in any field) — AND;
* text in double quotes ("…", “…”, 「…」) must match as a phrase (its finest tokens consecutive in one
  field).

Each word is tokenized with the index's own tokenizer. Its *finest* tokens are required (so 停车场 requires
停车 and 车场, and matches 公共停车场); tokens that contain finer ones (停车场, 公共停车场) only add to the
score. Exceptions: a Latin/digit compound such as ``pm2.5`` is required as a whole (its parts only score),
and a run of adjacent single Chinese characters (unknown words) must appear as a phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog.search.base import MAX_QUERY_CHARS
from catalog.search.tokenizer import Seg, segment

MAX_CLAUSES = 32

_QUOTE_RE = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』')
_STRAY_QUOTES_RE = re.compile(r'["“”「」『』]')
_LATIN_COMPOUND_RE = re.compile(r"^[0-9a-z]+(?:[._+/\-][0-9a-z]+)+$")


@dataclass(frozen=True)
class Clause:
    """A requirement: the term (one token) or the phrase (tokens in order) occurs in some field."""

    terms: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.terms) > 1


@dataclass
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    #: every token of the query, each scored once (BM25 over the text fields)
    scoring_terms: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def highlight_terms(self) -> set[str]:
        return set(self.scoring_terms)


def _is_cjk_char(text: str) -> bool:
    return len(text) == 1 and "\u3400" <= text <= "\u9fff"


def _word_clauses(segs: list[Seg]) -> list[Clause]:
    """Clauses for one unquoted word (see the module docstring)."""
    optional: set[int] = set()
    required: list[int] = []
    for i, (text, s, e, inc) in enumerate(segs):
        if inc == 0:
            if _LATIN_COMPOUND_RE.match(text):
                required.append(i)
                optional.update(j for j, o in enumerate(segs) if o[3] and s <= o[1] and o[2] <= e)
        else:
            required.append(i)
    required = sorted(i for i in required if i not in optional)
    clauses: list[Clause] = []
    run: list[Seg] = []

    def flush() -> None:
        if len(run) > 1:
            clauses.append(Clause(tuple(t[0] for t in run)))
        elif run:
            clauses.append(Clause((run[0][0],)))
        run.clear()

    for i in required:
        seg = segs[i]
        if seg[3] and _is_cjk_char(seg[0]) and (not run or run[-1][2] == seg[1]):
            run.append(seg)
            continue
        flush()
        if seg[3] and _is_cjk_char(seg[0]):
            run.append(seg)
        else:
            clauses.append(Clause((seg[0],)))
    flush()
    return clauses


def _phrase_clauses(segs: list[Seg]) -> list[Clause]:
    """A quoted phrase: its finest tokens, consecutive. (Its compound tokens only score: 空气质量 is not a
    token of 空气质量指数, yet "空气质量" must find it.)"""
    finest = tuple(t[0] for t in segs if t[3])
    return [Clause(finest)] if finest else []


def parse_query(q: str | None) -> ParsedQuery:
    """Parse user text. Never raises; text without searchable tokens gives an empty query."""
    if not q or not isinstance(q, str):
        return ParsedQuery()
    text = q[:MAX_QUERY_CHARS]
    clauses: list[Clause] = []
    scoring: list[str] = []

    def add_scoring(segs: list[Seg]) -> None:
        for t in segs:
            if t[0] not in scoring:
                scoring.append(t[0])

    phrases: list[str] = []

    def take_phrase(m: re.Match[str]) -> str:
        phrases.append(next(g for g in m.groups() if g is not None))
        return " "

    rest = _STRAY_QUOTES_RE.sub(" ", _QUOTE_RE.sub(take_phrase, text))
    for phrase in phrases:
        segs = segment(phrase)
        clauses.extend(_phrase_clauses(segs))
        add_scoring(segs)
    for word in rest.split():
        segs = segment(word)
        clauses.extend(_word_clauses(segs))
        add_scoring(segs)
    unique: list[Clause] = []
    for c in clauses:
        if c not in unique:
            unique.append(c)
    return ParsedQuery(clauses=unique[:MAX_CLAUSES], scoring_terms=scoring[: MAX_CLAUSES * 2])
