"""The SQL of a rows query: WHERE, ORDER BY and the whole-export SELECT, with every value a bound parameter.

Identifiers come only from the Table Schema (``catalog.tables.query`` refused any other name) and are quoted;
values never enter the text, only the parameter list — so a column named ``x"; DROP TABLE t; --`` is just a
column, and a value is just a value.

Keyset paging orders by the sort column and then by ``_row`` (frictionless's row number, unique), so pages
neither skip nor repeat rows when many rows share a sort value. Comparisons never match empty (null) cells —
``__isnull`` finds those — and nulls sort last in both directions, which is why the keyset condition has an
``OR … IS NULL`` arm and a separate form for a token taken inside the trailing nulls.
"""

from __future__ import annotations

from typing import Any

from catalog.tables.parquet import ROW_COLUMN
from catalog.tables.query import RowsQuery, Table

_COMPARE = {"exact": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def quote(name: str) -> str:
    """A quoted identifier; only ever called with names that come from the Table Schema."""
    return '"' + name.replace('"', '""') + '"'


def where(query: RowsQuery, *, keyset: bool) -> tuple[str, list[Any]]:
    """`` WHERE …`` (or nothing) and its parameters: the filters, and with ``keyset`` the rows after the token."""
    clauses: list[str] = []
    params: list[Any] = []
    for f in query.filters:
        col = quote(f.column.name)
        text_col = col if f.column.type == "string" else f"CAST({col} AS VARCHAR)"
        if f.op in _COMPARE:
            clauses.append(f"{col} {_COMPARE[f.op]} ?")
            params.append(f.value)
        elif f.op == "in":
            clauses.append(f"{col} IN ({', '.join('?' for _ in f.value)})")
            params.extend(f.value)
        elif f.op == "contains":
            clauses.append(f"contains({text_col}, ?)")
            params.append(f.value)
        elif f.op == "startswith":
            clauses.append(f"starts_with({text_col}, ?)")
            params.append(f.value)
        elif f.op == "isnull":
            clauses.append(f"{col} IS {'' if f.value else 'NOT '}NULL")
    if query.search is not None:  # any text column contains it, ignoring case (the needle is lower-cased)
        clauses.append("(" + " OR ".join(f"contains(lower({quote(c.name)}), ?)" for c in query.search_columns) + ")")
        params.extend(query.search for _ in query.search_columns)
    if keyset and query.after is not None:
        value, row = query.after
        if query.sort is None:
            clauses.append(f"{quote(ROW_COLUMN)} > ?")
            params.append(row)
        elif value is None:  # already in the trailing nulls
            clauses.append(f"({quote(query.sort.name)} IS NULL AND {quote(ROW_COLUMN)} > ?)")
            params.append(row)
        else:
            col, beyond = quote(query.sort.name), "<" if query.desc else ">"
            clauses.append(f"({col} {beyond} ? OR ({col} = ? AND {quote(ROW_COLUMN)} > ?) OR {col} IS NULL)")
            params.extend([value, value, row])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def order(query: RowsQuery) -> str:
    """`` ORDER BY …``: the sort column (nulls last), then the row number, so the order is total."""
    if query.sort is None:
        return f" ORDER BY {quote(ROW_COLUMN)}"
    direction = "DESC" if query.desc else "ASC"
    return f" ORDER BY {quote(query.sort.name)} {direction} NULLS LAST, {quote(ROW_COLUMN)}"


def export_select(table: Table, query: RowsQuery, expressions: list[str] | None, source: str,
                  max_rows: int) -> tuple[str, list[Any]]:
    """The SELECT of a whole export: the query's filters and order, no paging, at most ``max_rows`` rows."""
    columns = expressions or [quote(c.name) for c in (query.fields or table.columns)]
    clause, params = where(query, keyset=True)
    return f"SELECT {', '.join(columns)} FROM {source}{clause}{order(query)} LIMIT {max_rows}", params
