"""Explorer queries: filters, facet counts, order and full-text search, as SQL returning plain data.

Every view of the briefings (the explorer, the map, the concept index, the feeds and the exports)
filters through ``conditions``: one SQL condition per active filter, built from the one parser
(``filters.ExplorerQuery``). A facet's counts are a ``GROUP BY`` over the same conditions without
the facet's own, as Datasette computes them, so each count says what ticking the value would give.
To add a facet: read it in ``filters``, give it a line in ``FACET_COLUMNS`` (a column of
``briefing``) or ``VALUE_TABLES`` (a list of values in a table of its own), and list it in
``facets.FACETS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, and_, false, func, literal, literal_column, or_, select, text, true, union_all
from sqlalchemy.orm import aliased, joinedload, load_only

from ..extensions import db
from ..models import FTS_TABLE, Briefing, BriefingOrganization, BriefingTag, BriefingTerm, Connection
from .facets import Facet, active_filters, build_facets
from .filters import ExplorerQuery

WORD = re.compile(r"\w+", re.UNICODE)
MAX_SEARCH_WORDS = 12
HIT_START, HIT_END = "\x02", "\x03"
TOP_RELATED = 5
RANK = f"bm25({FTS_TABLE}, 10.0, 4.0, 2.0, 1.0)"  # column weights: title, subtitle, summary, concepts
FACET_COLUMNS = {"category": Briefing.category, "year": Briefing.year}
# Facets whose values are a list, one row per value in a table of their own: (value, briefing number).
VALUE_TABLES = {
    "organization": (BriefingOrganization.organization, BriefingOrganization.briefing_number),
    "tag": (BriefingTag.tag, BriefingTag.briefing_number),
}
SORTS = {
    "newest": (Briefing.date_key.desc(), Briefing.number.desc()),
    "oldest": (Briefing.date_key, Briefing.number),
    "added": (Briefing.added.desc(), Briefing.number.desc()),
    "number": (Briefing.number,),
}
# What a briefing's name, date and link need: the map and lists load these columns only.
NARROW_COLUMNS = (Briefing.slug, Briefing.title, Briefing.category, Briefing.organizations,
                  Briefing.year, Briefing.month, Briefing.day, Briefing.key)
CARD_COLUMNS = (*NARROW_COLUMNS, Briefing.subtitle, Briefing.date_key, Briefing.draft, Briefing.tags, Briefing.added)
# What a citation reads: enough for every export format, without a row's rendered HTML.
CITATION_COLUMNS = (*NARROW_COLUMNS, Briefing.subtitle, Briefing.tags, Briefing.authors, Briefing.url,
                    Briefing.arxiv, Briefing.doi, Briefing.pdf, Briefing.code, Briefing.cite_key)


def fts_expression(text_query: str) -> str:
    """User text as an FTS5 query of plain words, so no input can be FTS syntax.

    Each word is quoted (``"word"``), words are ANDed, and the last word also matches as a
    prefix so results follow the visitor's typing.
    """
    words = WORD.findall(text_query)[:MAX_SEARCH_WORDS]
    if not words:
        return ""
    quoted = ['"' + word.replace('"', '""') + '"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def fts_match(expression: str) -> ColumnElement[bool]:
    return literal_column(FTS_TABLE).op("MATCH")(expression)


def conditions(state: ExplorerQuery) -> dict[str, ColumnElement[bool]]:
    """One SQL condition per active filter, keyed by facet name. A search with no word in it
    (only punctuation) matches nothing."""
    found: dict[str, ColumnElement[bool]] = {}
    for name, column in FACET_COLUMNS.items():
        if getattr(state, name):
            found[name] = column.in_(getattr(state, name))
    for name, (value, number) in VALUE_TABLES.items():
        if getattr(state, name):
            found[name] = Briefing.number.in_(select(number).where(value.in_(getattr(state, name))))
    if state.key:
        found["key"] = Briefing.key.is_(True)
    if state.current:
        found["current"] = Briefing.superseded.is_(False)
    if state.around:
        found["around"] = or_(
            Briefing.number == state.around,
            Briefing.number.in_(select(Connection.target).where(Connection.source == state.around)),
            Briefing.number.in_(select(Connection.source).where(Connection.target == state.around)),
        )
    if state.q:
        expression = fts_expression(state.q)
        matches = select(literal_column("rowid").label("number")).select_from(text(FTS_TABLE)).where(fts_match(expression))
        found["q"] = Briefing.number.in_(select(matches.cte("matches").c.number)) if expression else false()
    return found


def where(found: dict[str, ColumnElement[bool]], leave_out: str | None = None) -> ColumnElement[bool]:
    """Every active condition but the facet ``leave_out``'s own."""
    return and_(true(), *(condition for name, condition in found.items() if name != leave_out))


def listing(state: ExplorerQuery, found: dict[str, ColumnElement[bool]], columns: tuple[Any, ...]) -> Select[Any]:
    """The view's briefings in its order: by relevance (bm25, then the higher number) for a search
    sorted so, else newest, oldest or by number."""
    query = select(Briefing).options(load_only(*columns))
    expression = fts_expression(state.q) if state.q else ""
    if state.effective_sort == "relevance" and expression:
        ranked = (select(literal_column("rowid").label("number"), literal_column(RANK).label("rank"))
                  .select_from(text(FTS_TABLE)).where(fts_match(expression)).subquery())
        return (query.join(ranked, ranked.c.number == Briefing.number).where(where(found, "q"))
                .order_by(ranked.c.rank, Briefing.number.desc()))
    return query.where(where(found)).order_by(*SORTS[state.effective_sort if state.effective_sort in SORTS else "newest"])


def facet_counts(found: dict[str, ColumnElement[bool]]) -> dict[str, dict[Any, int]]:
    """How many briefings the view holds ("total"), and how many have each value of each facet,
    each facet ignoring its own filter: one statement, so a search is run once (its matches are
    a common table expression that SQLite materialises for every branch)."""
    branches = [
        select(literal(name).label("facet"), column.label("value"), func.count()).where(where(found, name))
        .group_by(column)
        for name, column in FACET_COLUMNS.items()
    ]
    branches += [
        select(literal(name), value, func.count()).join(Briefing, Briefing.number == number)
        .where(where(found, name)).group_by(value)
        for name, (value, number) in VALUE_TABLES.items()
    ]
    branches += [
        select(literal("key"), literal(True), func.count()).where(where(found, "key"), Briefing.key.is_(True)),
        select(literal("current"), literal(True), func.count())
        .where(where(found, "current"), Briefing.superseded.is_(False)),
        select(literal("total"), literal(True), func.count()).select_from(Briefing).where(where(found)),
    ]
    counts: dict[str, dict[Any, int]] = {name: {} for name in (*FACET_COLUMNS, *VALUE_TABLES, "key", "current", "total")}
    for facet, value, number in db.session.execute(union_all(*branches)):
        if number:
            counts[facet][bool(value) if facet in ("key", "current", "total") else value] = number
    return counts


def snippets(state: ExplorerQuery, numbers: list[int]) -> dict[int, Markup]:
    """The best passage of each of these briefings for the view's search, its hits in ``<mark>``."""
    expression = fts_expression(state.q) if state.q else ""
    if not expression or not numbers:
        return {}
    rows = db.session.execute(
        select(literal_column("rowid"), func.snippet(literal_column(FTS_TABLE), -1, HIT_START, HIT_END, "…", 16))
        .select_from(text(FTS_TABLE)).where(fts_match(expression), literal_column("rowid").in_(numbers))
    )
    return {number: highlighted(snippet) for number, snippet in rows if snippet}


def highlighted(snippet: str) -> Markup:
    """Escape the snippet, then turn FTS's hit markers into <mark>."""
    return Markup(str(escape(snippet)).replace(HIT_START, "<mark>").replace(HIT_END, "</mark>"))


@dataclass
class ExplorerResults:
    total: int
    page: int
    pages: int
    shown: int  # briefings listed up to this page
    first_new: int  # the index in ``items`` of this page's first briefing
    items: list[tuple[Briefing, Markup | None]]
    facets: list[Facet]
    key_count: int
    current_count: int
    search_words: bool
    active: list[dict[str, str]]


def run(state: ExplorerQuery, page_size: int, url_for_state: Any, from_first: bool = False) -> ExplorerResults:
    """Results, count and facets for one explorer state: the briefings of its page, or with
    ``from_first`` those of every page up to it (a whole page after "More briefings").

    A ``page_size`` of 0 lists no briefings (``items`` is empty): the count, facets and chips
    alone, for the views that draw or list something else (the map, the concept index).
    """
    found = conditions(state)
    counts = facet_counts(found)
    total = counts["total"].get(True, 0)
    pages = max(1, -(-total // page_size)) if page_size else 1
    page = min(state.page, pages)
    first = 1 if from_first else page
    briefings = []
    if total and page_size:
        query = listing(state, found, CARD_COLUMNS).offset((first - 1) * page_size).limit((page - first + 1) * page_size)
        briefings = list(db.session.scalars(query))
    found_snippets = snippets(state, [briefing.number for briefing in briefings])
    return ExplorerResults(
        total=total,
        page=page,
        pages=pages,
        shown=min(total, page * page_size),
        first_new=(page - first) * page_size,
        items=[(briefing, found_snippets.get(briefing.number)) for briefing in briefings],
        facets=build_facets(state, counts, url_for_state),
        key_count=counts["key"].get(True, 0),
        current_count=counts["current"].get(True, 0),
        search_words=not state.q or bool(fts_expression(state.q)),
        active=active_filters(state, url_for_state),
    )


def all_matching(state: ExplorerQuery, limit: int) -> list[Briefing]:
    """The first ``limit`` briefings the explorer lists for ``state``, over all its pages and in its order."""
    return list(db.session.scalars(listing(state, conditions(state), CITATION_COLUMNS).limit(limit)))


def recently_added(state: ExplorerQuery, limit: int, with_text: bool = True) -> list[Briefing]:
    """The briefings of a view most recently added to the site (with their text: a feed's entries)."""
    query = select(Briefing).where(where(conditions(state))).order_by(*SORTS["added"]).limit(limit)
    if with_text:
        query = query.options(joinedload(Briefing.text))
    return list(db.session.scalars(query))


def narrow_briefing() -> Any:
    """Load a briefing's name, date and link columns only (not its HTML)."""
    return load_only(*NARROW_COLUMNS, raiseload=True)


def related(number: int, limit: int = TOP_RELATED) -> list[Briefing]:
    """The briefings whose word vectors are nearest this one's (the highest dot products, then the
    lower number), leaving out those it is connected with either way; see content.related."""
    mine, theirs = aliased(BriefingTerm), aliased(BriefingTerm)
    connected = select(Connection.target).where(Connection.source == number).union(
        select(Connection.source).where(Connection.target == number))
    score = func.sum(mine.weight * theirs.weight)
    nearest = (
        select(theirs.briefing_number.label("number"), score.label("score"))
        .join(theirs, theirs.term == mine.term)
        .where(mine.briefing_number == number, theirs.briefing_number != number,
               theirs.briefing_number.not_in(connected))
        .group_by(theirs.briefing_number).order_by(score.desc(), theirs.briefing_number).limit(limit).subquery()
    )
    return list(db.session.scalars(
        select(Briefing).join(nearest, nearest.c.number == Briefing.number)
        .order_by(nearest.c.score.desc(), Briefing.number).options(narrow_briefing())
    ))


def written_connections(numbers: list[int]) -> list[tuple[int, str, int, str, str]]:
    """(source, kind, target, target's title, note) of every connection these briefings write."""
    rows = db.session.execute(
        select(Connection.source, Connection.kind, Connection.target, Briefing.title, Connection.note)
        .join(Briefing, Briefing.number == Connection.target).where(Connection.source.in_(numbers))
        .order_by(Connection.source, Connection.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]
