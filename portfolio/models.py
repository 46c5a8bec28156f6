"""The content index: typed SQLAlchemy 2.0 models built from the Markdown files.

The index is read-only for visitors and rebuilt from ``content/`` by ``flask content sync``;
nothing here is the source of truth.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from . import dates
from .extensions import db

FTS_TABLE = "briefing_fts"
FTS_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "title, subtitle, summary, concepts, tokenize = 'unicode61 remove_diacritics 2')"
)


class Meta(db.Model):
    """Key/value facts about the index: content version, site config, build time."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Page(db.Model):
    """A standalone Markdown page: the About page and the legal pages."""

    path: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text)
    updated: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(500))


class Project(db.Model):
    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(index=True)
    draft: Mapped[bool] = mapped_column(default=False, doc="only ever true in a development index")
    tags: Mapped[list[str]] = mapped_column(JSON)
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    html: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(500))


class ReadingPath(db.Model):
    """A route through the briefings the owner wrote (content/paths/)."""

    __tablename__ = "reading_path"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, doc="its introduction")
    draft: Mapped[bool] = mapped_column(default=False, doc="only ever true in a development index")
    source: Mapped[str] = mapped_column(String(500))


class PathStep(db.Model):
    """One briefing of a reading path, at its place, with why it comes next."""

    __tablename__ = "path_step"

    path_slug: Mapped[str] = mapped_column(ForeignKey("reading_path.slug"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    briefing_number: Mapped[int] = mapped_column(ForeignKey("briefing.number"), index=True)
    why: Mapped[str] = mapped_column(Text)


class ProjectTag(db.Model):
    project_slug: Mapped[str] = mapped_column(ForeignKey("project.slug"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


class Briefing(db.Model, dates.MonthDated):
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    subtitle: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(80))
    organizations: Mapped[list[str]] = mapped_column(JSON, doc="every organisation of the document, in order")
    year: Mapped[int]
    month: Mapped[int]
    day: Mapped[int | None]
    date_key: Mapped[int] = mapped_column(doc="YYYYMMDD, day 00 when unknown")
    key: Mapped[bool]
    draft: Mapped[bool] = mapped_column(default=False, doc="only ever true in a development index")
    tags: Mapped[list[str]] = mapped_column(JSON)
    authors: Mapped[list[str]] = mapped_column(JSON, doc="as printed; a final 'others' stands for et al.")
    url: Mapped[str | None] = mapped_column(String(500), doc="the document's canonical landing page")
    arxiv: Mapped[str | None] = mapped_column(String(40))
    doi: Mapped[str | None] = mapped_column(String(200))
    pdf: Mapped[str | None] = mapped_column(String(500))
    code: Mapped[str | None] = mapped_column(String(500))
    added: Mapped[str] = mapped_column(String(10), doc="ISO date the briefing first appeared on the site")
    updated: Mapped[str | None] = mapped_column(String(10), doc="ISO date the briefing was last revised")
    sources: Mapped[list[str]] = mapped_column(JSON, doc="where its facts were checked")
    reading_minutes: Mapped[int]
    superseded: Mapped[bool] = mapped_column(doc="another briefing supersedes it")
    source: Mapped[str] = mapped_column(String(500), doc="the file, relative to content/")
    # The rendered text has a table of its own, read by the briefing's page and the feed only: with
    # it here, every filter and count read a page of HTML per briefing (docs/performance.md).
    text: Mapped[BriefingText] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_briefing_facets", "category", "year", "key", "superseded", "date_key"),
        Index("ix_briefing_date", "date_key", "number"),
        Index("ix_briefing_added", "added", "number"),
    )


class BriefingText(db.Model):
    """A briefing's rendered Summary and Key Concepts."""

    __tablename__ = "briefing_text"

    number: Mapped[int] = mapped_column(ForeignKey("briefing.number"), primary_key=True, autoincrement=False)
    summary_html: Mapped[str] = mapped_column(Text)
    concepts: Mapped[list[dict[str, str]]] = mapped_column(JSON, doc="heading, anchor and html of each")


class BriefingOrganization(db.Model):
    """One organisation of a briefing's document (a joint document has several)."""

    __tablename__ = "briefing_organization"

    briefing_number: Mapped[int] = mapped_column(ForeignKey("briefing.number"), primary_key=True)
    organization: Mapped[str] = mapped_column(String(120), primary_key=True)

    __table_args__ = (Index("ix_briefing_organization", "organization", "briefing_number"),)


class BriefingTag(db.Model):
    briefing_number: Mapped[int] = mapped_column(ForeignKey("briefing.number"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)

    __table_args__ = (Index("ix_briefing_tag_tag", "tag", "briefing_number"),)


class Connection(db.Model):
    """One written connection: ``source`` <kind> ``target`` (e.g. 54 influenced_by 19)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[int] = mapped_column(ForeignKey("briefing.number"), index=True)
    target: Mapped[int] = mapped_column(ForeignKey("briefing.number"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, doc="why the connection matters, in one sentence")


class BriefingTerm(db.Model):
    """One of a briefing's strongest words and its weight in the briefing's TF-IDF vector
    (content.related): related briefings are those whose vectors have the largest dot product
    with its own (``queries.related``)."""

    __tablename__ = "briefing_term"

    term: Mapped[str] = mapped_column(String(80), primary_key=True)
    briefing_number: Mapped[int] = mapped_column(ForeignKey("briefing.number"), primary_key=True)
    weight: Mapped[int] = mapped_column(doc="millionths of a unit-length vector's component")

    __table_args__ = (Index("ix_briefing_term_number", "briefing_number", "term", "weight"),
                      {"sqlite_with_rowid": False})


class Media(db.Model):
    """An image placed in a text (content.media), or a narrower rendition of one, by the hash of its bytes."""

    digest: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), doc="the file name as written beside the text")
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


CONCEPT_FTS_TABLE = "concept_fts"
CONCEPT_FTS_DDL = (
    f"CREATE VIRTUAL TABLE {CONCEPT_FTS_TABLE} USING fts5("
    "heading, text, tokenize = 'unicode61 remove_diacritics 2')"
)


class Concept(db.Model):
    """One Key Concept heading of a briefing, for the index at /briefings/concepts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_number: Mapped[int] = mapped_column(ForeignKey("briefing.number"))
    heading: Mapped[str] = mapped_column(String(300))
    anchor: Mapped[str] = mapped_column(String(80))
    sort_key: Mapped[str] = mapped_column(String(300), doc="the index's order: content/collation.py")

    __table_args__ = (Index("ix_concept_sort", "sort_key", "briefing_number"),)


class CiteKey(db.Model):
    """Each briefing's BibTeX key (e.g. vaswani2017attention), unique across the set; see content.citekeys.

    Derived over the whole set on every sync, so an incremental sync never leaves a stale key.
    """

    __tablename__ = "cite_key"

    number: Mapped[int] = mapped_column(ForeignKey("briefing.number"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)


Briefing.cite_key = column_property(  # type: ignore[attr-defined]
    select(CiteKey.key).where(CiteKey.number == Briefing.number).correlate_except(CiteKey).scalar_subquery()
)
