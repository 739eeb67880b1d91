"""CKAN's (Solr's) query syntax for ``q`` and ``fq``, parsed into a small tree.

Only what CKAN clients and harvesters really send is understood: ``field:value``, ``field:"quoted value"``,
``field:(a OR b)``, ranges ``field:[X TO Y]`` / ``{X TO Y}`` with ``*`` for open ends, wildcards ``*`` and
``?`` in values, ``AND`` / ``OR`` / ``NOT`` / ``&&`` / ``||`` / ``!``, ``+`` and ``-`` prefixes, parentheses
and ``*:*``. Adjacent clauses are ANDed (CKAN's Solr schema sets the default operator to AND); ``AND`` binds
tighter than ``OR``. Bare words and quoted phrases are free text.

Nothing here touches the database: ``catalog.ckan.search`` turns the tree into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 20


class QuerySyntaxError(ValueError):
    """The query cannot be parsed (CKAN answers with a "Search Query Error")."""


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Text:
    """Free text: a word, or a phrase when ``quoted``."""

    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Term:
    field: str
    value: str
    quoted: bool = False

    @property
    def has_wildcard(self) -> bool:
        return not self.quoted and ("*" in self.value or "?" in self.value)


@dataclass(frozen=True)
class Range:
    field: str
    low: str | None  # None: open (``*``)
    high: str | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = MatchAll | Text | Term | Range | Not | And | Or

# A token is (kind, text): kinds are ( ) [ { ] } AND OR NOT + - FIELD WORD PHRASE
_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<phrase>"(?:[^"\\]|\\.)*")
  | (?P<op>&&|\|\||[()\[\]{}!])
  | (?P<word>(?:[^\s"()\[\]{}\\:]|\\.)+:?|:)
    """,
    re.VERBOSE,
)
_FIELD_RE = re.compile(r"^(?:\*|[A-Za-z_][A-Za-z0-9_.\-]*):$")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            if text[pos] == '"':
                raise QuerySyntaxError("a quoted phrase is not closed")
            raise QuerySyntaxError(f"cannot parse the query near {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup == "space":
            continue
        raw = m.group()
        if m.lastgroup == "phrase":
            tokens.append(("PHRASE", _unescape(raw[1:-1])))
        elif m.lastgroup == "op":
            tokens.append(({"&&": "AND", "||": "OR", "!": "NOT"}.get(raw, raw), raw))
        elif raw in ("AND", "OR", "NOT"):
            tokens.append((raw, raw))
        elif _FIELD_RE.match(raw):
            tokens.append(("FIELD", raw[:-1]))
        elif raw[0] in "+-" and len(raw) > 1:
            tokens.append((raw[0], raw[0]))
            rest = raw[1:]
            tokens.append(("FIELD", rest[:-1]) if _FIELD_RE.match(rest) else ("WORD", rest))
        elif raw in "+-":
            tokens.append((raw, raw))
        else:
            tokens.append(("WORD", raw))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (kind is not None and token[0] != kind):
            expected = f"'{kind}'" if kind else "more"
            raise QuerySyntaxError(f"expected {expected} at the end of the query" if token is None
                                   else f"expected {expected} before {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            return MatchAll()
        node = self.or_expr(None)
        if self.peek() is not None:
            raise QuerySyntaxError(f"unexpected {self.peek()[1]!r}")
        return node

    def or_expr(self, field: str | None) -> Node:
        nodes = [self.and_expr(field)]
        while self.peek() and self.peek()[0] == "OR":
            self.take()
            nodes.append(self.and_expr(field))
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expr(self, field: str | None) -> Node:
        nodes = [self.unary(field)]
        while (token := self.peek()) is not None and token[0] not in ("OR", ")"):
            if token[0] == "AND":
                self.take()
            nodes.append(self.unary(field))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self, field: str | None) -> Node:
        # A loop, not recursion: ``!!!!…x`` (thousands of NOTs) must not exhaust the stack, and an even
        # number of negations is no negation at all.
        negated = False
        while (token := self.peek()) is not None and token[0] in ("NOT", "-", "+"):
            self.take()
            negated ^= token[0] != "+"
        if token is None:
            raise QuerySyntaxError("the query ends where a term was expected")
        node = self.primary(field)
        return Not(node) if negated else node

    def primary(self, field: str | None) -> Node:
        kind, text = self.take()
        if kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError("the query nests too deeply")
            node = self.or_expr(field)
            self.take(")")
            self.depth -= 1
            return node
        if kind == "FIELD":
            if field is not None:
                raise QuerySyntaxError(f"a field ({text}:) cannot appear inside another field's value")
            return self.field_value(text)
        if kind in ("[", "{"):
            if field is None:
                raise QuerySyntaxError("a range needs a field, e.g. metadata_modified:[2024-01-01T00:00:00Z TO *]")
            return self.range(field, include_low=kind == "[")
        if kind == "PHRASE":
            return Term(field, text, quoted=True) if field else Text(text, quoted=True)
        if kind == "WORD":
            value = _unescape(text)
            if field is None:
                return MatchAll() if value == "*" else Text(value)
            return Term(field, value)
        raise QuerySyntaxError(f"unexpected {text!r}")

    def field_value(self, field: str) -> Node:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError(f"{field}: has no value")
        if token[0] == "(":
            return self.primary(field)
        if token[0] in ("[", "{"):
            self.take()
            return self.range(field, include_low=token[0] == "[")
        if token[0] in ("PHRASE", "WORD"):
            node = self.primary(field)
            if field == "*" and isinstance(node, Term) and node.value == "*":
                return MatchAll()
            return node
        raise QuerySyntaxError(f"{field}: has no value")

    def range(self, field: str, include_low: bool) -> Range:
        low = self._bound()
        to = self.take()
        if to != ("WORD", "TO"):
            raise QuerySyntaxError(f"a range on {field} needs 'TO' between its ends")
        high = self._bound()
        closing = self.take()
        if closing[0] not in ("]", "}"):
            raise QuerySyntaxError(f"a range on {field} must end with ] or }}")
        return Range(field, low, high, include_low, closing[0] == "]")

    def _bound(self) -> str | None:
        kind, text = self.take()
        if kind == "PHRASE":
            return text
        if kind not in ("WORD", "FIELD"):
            raise QuerySyntaxError(f"unexpected {text!r} in a range")
        # Dates in ranges are usually written with unescaped colons (2024-01-01T00:00:00Z), which the
        # tokenizer splits after each colon: glue the pieces back together.
        piece = text + ":" if kind == "FIELD" else text
        parts = [piece]
        while piece.endswith(":") and (nxt := self.peek()) is not None and nxt[0] in ("FIELD", "WORD"):
            kind, text = self.take()
            piece = text + ":" if kind == "FIELD" else text
            parts.append(piece)
        value = _unescape("".join(parts))
        return None if value == "*" else value


def parse(text: str | None) -> Node:
    """Parse a ``q`` or ``fq`` string; raises QuerySyntaxError for what cannot be parsed."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    return _Parser(text).parse()


def conjuncts(node: Node) -> list[Node]:
    """The top-level AND parts of a query."""
    return list(node.nodes) if isinstance(node, And) else [node]
