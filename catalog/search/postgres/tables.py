"""The tables of the PostgreSQL search backend, in the catalog database (revision 0010).

They are declared on every database so that a catalog's schema is one thing whatever it runs on, but only the
PostgreSQL backend fills them: on SQLite they stay empty (their PostgreSQL types fall back to plain text/JSON).

* ``searchdocument``: one row per searchable dataset: the facet values, the sort keys, the stored title and
  description (for highlighting), every token of the five text fields as a ``tsvector`` (GIN-indexed; positions
  of consecutive fields two apart, so a phrase never spans two fields) and, for BM25, each token's frequency in
  each field (``tf``) and the field lengths (``len_*``, rounded as the Whoosh index rounds them).
* ``searchterm``: the document frequency of each token in each field (BM25's idf, and the term dictionary that
  pinyin lookups and typo corrections search).
* ``searchlabel``: the searchable labels of the domain and department values (道路交通 transport, …).
* ``searchstate``: one row: the index's id, a generation bumped by every commit (readers drop their caches when
  it moves), the document count, the total length of each field and the rows' layout (revision 0012).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, Index, Integer, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlmodel import Field, SQLModel

#: JSON on every database, jsonb (with its operators and GIN indexes) on PostgreSQL
JSON_B = JSON().with_variant(JSONB(), "postgresql")
TS_VECTOR = Text().with_variant(TSVECTOR(), "postgresql")
#: names and titles compare by code point (as Python's sort does), whatever the database's locale
CODE_POINT_TEXT = Text().with_variant(Text(collation="C"), "postgresql")


def _text(sortable: bool = False) -> Column:
    return Column(CODE_POINT_TEXT if sortable else Text, nullable=False, server_default="")


class SearchDocumentRow(SQLModel, table=True):
    __tablename__ = "searchdocument"
    __table_args__ = (
        Index("ix_searchdocument_terms", "terms", postgresql_using="gin"),
        Index("ix_searchdocument_formats", "formats", postgresql_using="gin"),
        Index("ix_searchdocument_keywords", "keywords", postgresql_using="gin"),
        Index("ix_searchdocument_domain", "domain"),
        Index("ix_searchdocument_department", "department"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(CODE_POINT_TEXT, nullable=False, unique=True))
    title: str = Field(sa_column=_text(sortable=True))
    description: str = Field(sa_column=_text())
    domain: str = Field(sa_column=_text())
    domain_label: str = Field(sa_column=_text())
    department: str = Field(sa_column=_text())
    department_label: str = Field(sa_column=_text())
    open_class: str = Field(sa_column=_text())
    update_frequency: str = Field(sa_column=_text())
    formats: list = Field(sa_column=Column(JSON_B, nullable=False))
    keywords: list = Field(sa_column=Column(JSON_B, nullable=False))
    modified: int = Field(sa_column=Column(BigInteger, nullable=False))  # ms since the epoch
    downloads: int = Field(sa_column=Column(BigInteger, nullable=False))
    title_key: str = Field(sa_column=_text(sortable=True))  # the pinyin sort key of the title
    lengths: list = Field(sa_column=Column(JSON_B, nullable=False))  # exact token count of each text field
    len_title: float = Field(sa_column=Column(Float, nullable=False))
    len_keywords: float = Field(sa_column=Column(Float, nullable=False))
    len_description: float = Field(sa_column=Column(Float, nullable=False))
    len_resources: float = Field(sa_column=Column(Float, nullable=False))
    len_fields: float = Field(sa_column=Column(Float, nullable=False))
    terms: str = Field(sa_column=Column(TS_VECTOR, nullable=False))
    tf: dict = Field(sa_column=Column(JSON_B, nullable=False))  # token -> its count in each text field


# the listing's order (newest first, then by name): its first page without sorting every row
_documents = SearchDocumentRow.__table__  # type: ignore[attr-defined]
Index("ix_searchdocument_modified", _documents.c.modified.desc(), _documents.c.name)


class SearchTermRow(SQLModel, table=True):
    __tablename__ = "searchterm"

    term: str = Field(sa_column=Column(Text, primary_key=True))
    field: int = Field(sa_column=Column(SmallInteger, primary_key=True, autoincrement=False))
    df: int = Field(sa_column=Column(Integer, nullable=False))


class SearchLabelRow(SQLModel, table=True):
    __tablename__ = "searchlabel"

    facet: str = Field(sa_column=Column(String(20), primary_key=True))
    value: str = Field(sa_column=Column(Text, primary_key=True))
    label: str = Field(sa_column=_text())


class SearchStateRow(SQLModel, table=True):
    __tablename__ = "searchstate"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    index_id: str = Field(sa_column=Column(String(32), nullable=False))
    generation: int = Field(sa_column=Column(BigInteger, nullable=False))
    doc_count: int = Field(sa_column=Column(BigInteger, nullable=False))
    field_lengths: list = Field(sa_column=Column(JSON_B, nullable=False))  # total token count of each text field
    #: what the rows' tsvectors hold (rows.LAYOUT); an index of another layout is refused until rebuilt
    layout: int = Field(sa_column=Column(Integer, nullable=False, server_default="1"))
