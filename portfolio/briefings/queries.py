"""Explorer queries: filters, facet counts and full-text search, as plain data.

Designed for tens of thousands of briefings: every filter is an indexed column or an
``IN (subquery)`` on an index, search is one FTS5 MATCH, and a page costs a fixed number of
queries whatever its size (no per-row queries: tags are stored on the row as JSON).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, and_, func, literal_column, select, text
from sqlalchemy.orm import load_only
from sqlalchemy.sql import Subquery

from ..extensions import db
from ..models import FTS_TABLE, Briefing, BriefingTag
from .facets import Facet, active_filters, build_facets
from .filters import ExplorerQuery
from .linked import in_neighbourhood, is_current

WORD = re.compile(r"\w+", re.UNICODE)
MAX_SEARCH_WORDS = 12
HIT_START, HIT_END = "\x02", "\x03"


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


@dataclass
class SearchMatches:
    """One FTS5 query, used three ways: which briefings match, their rank, and snippets.

    Membership (for counts and filters) selects rowids alone; ranking only happens for a
    relevance sort; snippets, which read and re-tokenise each document, are made for the
    page's rows only. At 10,000 briefings a common word matches thousands of them.
    """

    expression: str

    def match(self) -> ColumnElement[bool]:
        return literal_column(FTS_TABLE).op("MATCH")(self.expression)

    def numbers(self) -> Select[Any]:
        return select(literal_column("rowid")).select_from(text(FTS_TABLE)).where(self.match())

    def ranked(self) -> Subquery:
        rank = func.bm25(literal_column(FTS_TABLE), 10.0, 4.0, 2.0, 1.0)
        query = select(literal_column("rowid").label("number"), rank.label("rank"))
        return query.select_from(text(FTS_TABLE)).where(self.match()).subquery("ranked")

    def snippets(self, numbers: list[int]) -> dict[int, str]:
        if not numbers:
            return {}
        snippet = func.snippet(literal_column(FTS_TABLE), -1, HIT_START, HIT_END, "…", 16)
        query = (
            select(literal_column("rowid"), snippet)
            .select_from(text(FTS_TABLE))
            .where(self.match(), literal_column("rowid").in_(numbers))
        )
        return {number: found_text for number, found_text in db.session.execute(query).all()}


def conditions(state: ExplorerQuery, matches: SearchMatches | None) -> dict[str, ColumnElement[bool]]:
    """One SQL condition per active filter, keyed by facet name."""
    found: dict[str, ColumnElement[bool]] = {}
    if state.category:
        found["category"] = Briefing.category.in_(state.category)
    if state.organization:
        found["organization"] = Briefing.organization.in_(state.organization)
    if state.year:
        found["year"] = Briefing.year.in_(state.year)
    if state.tag:
        tagged = select(BriefingTag.briefing_number).where(BriefingTag.tag.in_(state.tag))
        found["tag"] = Briefing.number.in_(tagged)
    if state.key:
        found["key"] = Briefing.key.is_(True)
    if state.current:
        found["current"] = is_current()
    if state.around:
        found["around"] = in_neighbourhood(state.around)
    if matches is not None:
        found["q"] = Briefing.number.in_(matches.numbers())
    return found


def where_all_but(found: dict[str, ColumnElement[bool]], facet: str | None = None) -> ColumnElement[bool]:
    """All active conditions except the facet's own, so its counts show what toggling does."""
    chosen = [condition for name, condition in found.items() if name != facet]
    return and_(True, *chosen)


def facet_counts(found: dict[str, ColumnElement[bool]]) -> dict[str, dict[Any, int]]:
    """Counts for every facet value, each facet ignoring its own filter (as Datasette does)."""
    counts: dict[str, dict[Any, int]] = {}
    for name, column in (("category", Briefing.category), ("organization", Briefing.organization),
                         ("year", Briefing.year)):
        rows = db.session.execute(
            select(column, func.count()).where(where_all_but(found, name)).group_by(column)
        ).all()
        counts[name] = dict(rows)
    # Tags are counted from their own small table; other filters narrow it by number
    # (an IN over the narrow indexes, not a join that reads briefing rows).
    tag_query = select(BriefingTag.tag, func.count()).group_by(BriefingTag.tag)
    if any(name != "tag" for name in found):
        narrowed = select(Briefing.number).where(where_all_but(found, "tag"))
        tag_query = tag_query.where(BriefingTag.briefing_number.in_(narrowed))
    counts["tag"] = dict(db.session.execute(tag_query).all())
    key_total = db.session.scalar(
        select(func.count()).select_from(Briefing).where(where_all_but(found, "key"), Briefing.key.is_(True))
    )
    counts["key"] = {True: key_total or 0}
    current_total = db.session.scalar(
        select(func.count()).select_from(Briefing).where(where_all_but(found, "current"), is_current())
    )
    counts["current"] = {True: current_total or 0}
    return counts


def order_by(query: Select[Any], sort: str, ranked: Subquery | None) -> Select[Any]:
    if sort == "relevance" and ranked is not None:
        return query.order_by(ranked.c.rank, Briefing.number.desc())
    if sort == "oldest":
        return query.order_by(Briefing.date_key, Briefing.number)
    if sort == "number":
        return query.order_by(Briefing.number)
    return query.order_by(Briefing.date_key.desc(), Briefing.number.desc())


def page_numbers(
    state: ExplorerQuery, found: dict[str, ColumnElement[bool]], matches: SearchMatches | None,
    page: int, page_size: int,
) -> list[int]:
    """The numbers on one page, chosen from the narrow facet index before any wide row is read."""
    query = select(Briefing.number)
    ranked = None
    if matches is not None and state.effective_sort == "relevance":
        ranked = matches.ranked()
        query = query.join(ranked, ranked.c.number == Briefing.number).where(where_all_but(found, "q"))
    else:
        query = query.where(where_all_but(found))
    query = order_by(query, state.effective_sort, ranked)
    return list(db.session.scalars(query.limit(page_size).offset((page - 1) * page_size)))


def newest_numbers(state: ExplorerQuery, limit: int) -> list[int]:
    """The newest briefings of a view (the feed's entries), whatever the view's sort."""
    expression = fts_expression(state.q) if state.q else ""
    matches = SearchMatches(expression) if expression else None
    found = conditions(state, matches)
    if state.q and not expression:
        return []
    query = order_by(select(Briefing.number).where(where_all_but(found)), "newest", None)
    return list(db.session.scalars(query.limit(limit)))


# What a briefing's name, date and link need: the map and lists load these columns only.
NARROW_COLUMNS = (Briefing.slug, Briefing.title, Briefing.category, Briefing.organization,
                  Briefing.year, Briefing.month, Briefing.day, Briefing.key)


def narrow_briefing() -> Any:
    """Load a briefing's name, date and link columns only (not its HTML)."""
    return load_only(*NARROW_COLUMNS, raiseload=True)


def briefings_by_number(numbers: list[int], narrow: bool = False) -> list[Briefing]:
    query = select(Briefing).where(Briefing.number.in_(numbers))
    if narrow:
        query = query.options(narrow_briefing())
    rows = {b.number: b for b in db.session.scalars(query)}
    return [rows[number] for number in numbers if number in rows]


def highlighted(snippet: str | None) -> Markup | None:
    """Escape the snippet, then turn FTS's hit markers into <mark>."""
    if not snippet:
        return None
    safe = str(escape(snippet)).replace(HIT_START, "<mark>").replace(HIT_END, "</mark>")
    return Markup(safe)


@dataclass
class ExplorerResults:
    total: int
    page: int
    pages: int
    items: list[tuple[Briefing, Markup | None]]
    facets: list[Facet]
    key_count: int
    current_count: int
    search_words: bool
    active: list[dict[str, str]]


def run(state: ExplorerQuery, page_size: int, url_for_state: Any) -> ExplorerResults:
    """Results, count and facets for one explorer state: a fixed handful of queries.

    A ``page_size`` of 0 lists no briefings (``items`` is empty): the count, facets and chips
    alone, for the views that draw or list something else (the map, the concept index).
    """
    expression = fts_expression(state.q) if state.q else ""
    matches = SearchMatches(expression) if expression else None
    found = conditions(state, matches)
    if state.q and not expression:
        found["q"] = and_(False)
    total = db.session.scalar(select(func.count()).select_from(Briefing).where(where_all_but(found))) or 0
    pages = max(1, -(-total // page_size)) if page_size else 1
    page = min(state.page, pages)
    numbers = page_numbers(state, found, matches, page, page_size) if total and page_size else []
    snippets = matches.snippets(numbers) if matches is not None else {}
    items = [(briefing, highlighted(snippets.get(briefing.number))) for briefing in briefings_by_number(numbers)]
    counts = facet_counts(found)
    return ExplorerResults(
        total=total,
        page=page,
        pages=pages,
        items=items,
        facets=build_facets(state, counts, url_for_state),
        key_count=counts["key"][True],
        current_count=counts["current"][True],
        search_words=bool(expression) or not state.q,
        active=active_filters(state, url_for_state),
    )


# What a citation reads: enough for every export format, without a row's rendered HTML.
CITATION_COLUMNS = (
    Briefing.number, Briefing.slug, Briefing.title, Briefing.subtitle, Briefing.organization, Briefing.year,
    Briefing.month, Briefing.day, Briefing.tags, Briefing.authors, Briefing.url, Briefing.arxiv, Briefing.doi,
    Briefing.pdf, Briefing.code, Briefing.cite_key,
)


def all_matching(state: ExplorerQuery) -> list[Briefing]:
    """Every briefing the explorer lists for ``state``, over all its pages and in its order."""
    expression = fts_expression(state.q) if state.q else ""
    if state.q and not expression:
        return []
    matches = SearchMatches(expression) if expression else None
    numbers = page_numbers(state, conditions(state, matches), matches, 1, -1)
    rows = db.session.scalars(
        select(Briefing).options(load_only(*CITATION_COLUMNS)).where(Briefing.number.in_(numbers))
    )
    by_number = {row.number: row for row in rows}
    return [by_number[number] for number in numbers if number in by_number]
