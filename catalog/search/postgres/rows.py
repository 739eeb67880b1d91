"""A search document as a row of ``searchdocument``: its tokens as a ``tsvector`` literal, their frequencies per
field, the field lengths.

Tokens are jieba's, made in Python by the same tokenizer as the Whoosh index (:func:`~catalog.search.tokenizer
.segment`), and stored verbatim: the ``tsvector`` is written as a literal, never parsed by a PostgreSQL text
search configuration (``simple`` would split ``pm2.5`` and drop CJK runs' positions). Positions follow the
tokenizer's increments, each field starting two positions after the last one of the field before, so that
``a <-> b`` (a phrase) matches within one field only, as in Whoosh.

The ``tsvector`` also holds, without positions, one lexeme per labelled facet value of the row
(:func:`facet_lexeme`: ``domain`` and ``department``): a query word found in a domain's label then matches
``'信用' | '<domain lexeme>'``, one GIN condition, rather than a GIN condition OR a column comparison, which
PostgreSQL can only check row by row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from whoosh.util.numeric import byte_to_length, length_to_byte

from catalog.search.base import SearchDocument
from catalog.search.documents import flatten
from catalog.search.ranking import FIELD_BOOSTS, LABEL_BOOSTS, title_sort_key
from catalog.search.tokenizer import segment

FIELDS: tuple[str, ...] = tuple(FIELD_BOOSTS)
#: PostgreSQL keeps positions up to 16383 and at most 256 of one lexeme: later ones are dropped here, so a
#: phrase deep in a very long text is not found (matching single words is unaffected).
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
MAX_LEXEME_BYTES = 2046
FIELD_GAP = 2
#: What a row's ``tsvector`` holds; bump it when that changes (2: the facet values' lexemes). An index written
#: with another layout is refused until rebuilt (``odp reindex``).
LAYOUT = 2
#: starts a facet value's lexeme: the tokenizer drops control characters, so no word of a text is one of them
_FACET_MARK = "\x1f"

#: the columns a row fills, in COPY order
COLUMNS: tuple[str, ...] = (
    "name", "title", "description", "domain", "domain_label", "department", "department_label", "open_class",
    "update_frequency", "formats", "keywords", "modified", "downloads", "title_key", "lengths",
    *(f"len_{f}" for f in FIELDS), "terms", "tf",
)


def rounded_length(length: int) -> float:
    """A field length as Whoosh stores it (one byte, logarithmic): BM25 then weighs lengths alike in both."""
    return float(byte_to_length(length_to_byte(length)) or 0)


def facet_lexeme(facet: str, value: str) -> str:
    """The lexeme that a row's ``tsvector`` holds for its value of a labelled facet (``domain``, ``department``)."""
    return f"{_FACET_MARK}{facet}={value}"


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


@dataclass
class DocumentRow:
    values: tuple[Any, ...]  # in COLUMNS order
    tf: dict[str, list[int]]  # token -> count in each field
    lengths: list[int]  # exact token count of each field
    labels: tuple[tuple[str, str, str], ...]  # (facet, value, label)


def document_row(doc: SearchDocument) -> DocumentRow:
    flat = flatten(doc)
    positions: dict[str, list[int]] = {}
    tf: dict[str, list[int]] = {}
    lengths: list[int] = []
    last = 0  # the last position used (PostgreSQL positions start at 1)
    for i, field in enumerate(FIELDS):
        segs = segment(flat.texts[field])
        lengths.append(len(segs))
        if not segs:
            continue
        pos = last + FIELD_GAP - 1
        for term, _start, _end, inc in segs:
            pos += inc
            counts = tf.get(term)
            if counts is None:
                counts = tf[term] = [0] * len(FIELDS)
                positions[term] = []
            counts[i] += 1
            if pos <= MAX_POSITION and len(positions[term]) < MAX_POSITIONS_PER_LEXEME:
                positions[term].append(pos)
        last = pos
    vector = " ".join(
        _lexeme(term) + (":" + ",".join(map(str, found)) if found else "")
        for term, found in positions.items()
        if len(term.encode("utf-8")) <= MAX_LEXEME_BYTES
    )
    facet_values = {"domain": flat.domain, "department": flat.department}
    marks = [facet_lexeme(f, facet_values[f]) for f in LABEL_BOOSTS if facet_values[f]]
    vector = " ".join(
        [vector] * bool(vector) + [_lexeme(m) for m in marks if len(m.encode("utf-8")) <= MAX_LEXEME_BYTES]
    )
    values = (
        flat.name, flat.texts["title"], flat.texts["description"], flat.domain, flat.domain_label, flat.department,
        flat.department_label, flat.open_class, flat.update_frequency,
        json.dumps(flat.formats, ensure_ascii=False), json.dumps(flat.keywords, ensure_ascii=False),
        flat.modified_ms, flat.downloads, title_sort_key(flat.title), json.dumps(lengths),
        *(rounded_length(n) for n in lengths), vector, json.dumps(tf, ensure_ascii=False, separators=(",", ":")),
    )
    labels = (("domain", flat.domain, flat.domain_label), ("department", flat.department, flat.department_label))
    return DocumentRow(values, tf, lengths, tuple(lab for lab in labels if lab[1]))
