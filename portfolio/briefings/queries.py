"""Explorer queries: filters, facet counts and full-text search, as plain data.

Designed for tens of thousands of briefings: filters, counts and order come from the bits of
``bitsets`` (one int per facet value, per index version); SQL runs the search (one FTS5 MATCH,
ranked only for a relevance sort), the snippets of the page's rows and those rows alone, so a
page costs at most four queries whatever the size of the index. ``conditions`` says the same
filters in SQL for the map and the concept index (tests hold the two to the same answers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, and_, literal_column, select, text
from sqlalchemy.orm import load_only

from ..extensions import db
from ..models import FTS_TABLE, Briefing, BriefingTag
from .bitsets import FACET_NAMES, Bits, briefing_bits
from .cards import Card, cards
from .facets import Facet, active_filters, build_facets
from .filters import ExplorerQuery
from .linked import drawn_on, in_neighbourhood, influenced, is_current
from .rows import driver_rows

WORD = re.compile(r"\w+", re.UNICODE)
MAX_SEARCH_WORDS = 12
HIT_START, HIT_END = "\x02", "\x03"
RANK_WEIGHTS = "10.0, 4.0, 2.0, 1.0"  # bm25 weights of the columns: title, subtitle, summary, concepts


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
    """One FTS5 query, used three ways: which briefings match, in what relevance order, and snippets.

    Membership (for counts and filters) reads rowids alone; ranking only happens for a relevance
    sort; snippets, which re-tokenise each document, are made for the page's rows only. At 10,000
    briefings a common word matches thousands of them, so their numbers are read as plain rows.
    """

    expression: str

    def match(self) -> ColumnElement[bool]:
        return literal_column(FTS_TABLE).op("MATCH")(self.expression)

    def numbers(self) -> Select[Any]:
        return select(literal_column("rowid")).select_from(text(FTS_TABLE)).where(self.match())

    def members(self) -> list[int]:
        """Every matching number, in no order: one string from SQLite (thousands of rows cost more)."""
        found = driver_rows(*self.members_sql())[0][0]
        return [int(number) for number in found.split(",")] if found else []

    def members_sql(self) -> tuple[str, tuple[Any, ...]]:
        return f"SELECT group_concat(rowid) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", (self.expression,)

    def ranked(self, start: int = 0, count: int | None = None) -> list[int]:
        """``count`` matching numbers (all when None) from the ``start``-th, best first.

        By bm25, a tie putting the higher number first; a page alone lets SQLite keep only the
        best rows as it ranks instead of sorting every match.
        """
        return [row[0] for row in driver_rows(*self.ranked_sql(start, count))]

    def ranked_sql(self, start: int = 0, count: int | None = None) -> tuple[str, tuple[Any, ...]]:
        return (f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
                f" ORDER BY bm25({FTS_TABLE}, {RANK_WEIGHTS}), rowid DESC LIMIT ? OFFSET ?",
                (self.expression, -1 if count is None else count, start))

    def snippets(self, numbers: list[int]) -> dict[int, str]:
        """The best passage of each of these briefings, its hits between HIT_START and HIT_END.

        One pass over the matches between the lowest and highest number: a plain ``rowid IN``
        would let SQLite run the whole search once per number (measured: 4 to 8 times slower
        for a prefix word, whose terms FTS5 merges again on every run), so ``+rowid`` keeps the
        list a filter and the range bounds the pass.
        """
        if not numbers:
            return {}
        return dict(driver_rows(*self.snippets_sql(numbers)))

    def snippets_sql(self, numbers: list[int]) -> tuple[str, tuple[Any, ...]]:
        query = (f"SELECT rowid, snippet({FTS_TABLE}, -1, ?, ?, '…', 16) FROM {FTS_TABLE}"
                 f" WHERE {FTS_TABLE} MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN ({', '.join('?' * len(numbers))})")
        return query, (HIT_START, HIT_END, self.expression, min(numbers), max(numbers), *numbers)


def search_of(state: ExplorerQuery) -> tuple[SearchMatches | None, bool]:
    """The state's search, and whether it has words (a search of only punctuation matches nothing)."""
    expression = fts_expression(state.q) if state.q else ""
    return (SearchMatches(expression) if expression else None), bool(expression) or not state.q


def conditions(state: ExplorerQuery, matches: SearchMatches | None) -> dict[str, ColumnElement[bool]]:
    """One SQL condition per active filter, keyed by facet name (the map and concepts filter in SQL)."""
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


@dataclass
class View:
    """An explorer state as bits: one per active filter (keyed like ``conditions``), and its search.

    A search's matches become bits; when the view lists them by relevance and no other filter
    narrows it, SQLite ranks and pages them itself (``rank_in_sql``); with other filters every
    match is ranked (``ranked``) and the page is the first of them the filters let through.
    """

    bits: Bits
    chosen: dict[str, int]
    sort: str
    matches: SearchMatches | None
    has_words: bool
    ranked: list[int] | None  # a relevance sort's numbers, best first
    rank_in_sql: bool = False

    @classmethod
    def of(cls, state: ExplorerQuery, listing: bool = True) -> View:
        """The state's bits; a search is ranked only when the view lists briefings by relevance."""
        bits = briefing_bits()
        chosen = {name: bits.any_of(name, getattr(state, name)) for name in FACET_NAMES if getattr(state, name)}
        if state.key:
            chosen["key"] = bits.key
        if state.current:
            chosen["current"] = bits.current
        if state.around:
            neighbours = db.session.scalars(drawn_on(state.around).union_all(influenced(state.around)))
            chosen["around"] = bits.of([state.around, *neighbours])
        matches, has_words = search_of(state)
        sort = state.effective_sort
        by_relevance = listing and sort == "relevance" and matches is not None
        ranked = None
        if matches is not None:
            if by_relevance and chosen:
                ranked = matches.ranked()
                chosen["q"] = bits.of(ranked)
            else:
                chosen["q"] = bits.of(matches.members())
        elif not has_words:
            chosen["q"] = 0
        return cls(bits, chosen, sort, matches, has_words, ranked, rank_in_sql=by_relevance and ranked is None)

    def all_but(self, facet: str | None = None) -> int:
        """The briefings that every active filter but the facet's own lets through."""
        selected = self.bits.everything
        for name, bits in self.chosen.items():
            if name != facet:
                selected &= bits
        return selected

    def numbers(self, start: int = 0, count: int | None = None) -> list[int]:
        """``count`` numbers of the view (all when None) from the ``start``-th, in its order."""
        if self.rank_in_sql and self.matches is not None:
            return self.matches.ranked(start, count)
        return self.bits.ordered(self.all_but(), self.sort, start, count, self.ranked)

    def facet_counts(self) -> dict[str, dict[Any, int]]:
        """Counts for every facet value, each facet ignoring its own filter (as Datasette does)."""
        counts = {name: self.bits.counts(name, self.all_but(name)) for name in FACET_NAMES}
        counts["key"] = {True: (self.all_but("key") & self.bits.key).bit_count()}
        counts["current"] = {True: (self.all_but("current") & self.bits.current).bit_count()}
        return counts


def newest_numbers(state: ExplorerQuery, limit: int) -> list[int]:
    """The newest briefings of a view (the feed's entries), whatever the view's sort."""
    return View.of(replace(state, sort="newest")).numbers(0, limit)


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
    items: list[tuple[Card, Markup | None]]
    facets: list[Facet]
    key_count: int
    current_count: int
    search_words: bool
    active: list[dict[str, str]]


def run(state: ExplorerQuery, page_size: int, url_for_state: Any) -> ExplorerResults:
    """Results, count and facets for one explorer state: the search (if any) and the page's rows in SQL.

    A ``page_size`` of 0 lists no briefings (``items`` is empty): the count, facets and chips
    alone, for the views that draw or list something else (the map, the concept index).
    """
    view = View.of(state, listing=bool(page_size))
    total = view.all_but().bit_count()
    pages = max(1, -(-total // page_size)) if page_size else 1
    page = min(state.page, pages)
    numbers = view.numbers((page - 1) * page_size, page_size) if total and page_size else []
    snippets = view.matches.snippets(numbers) if view.matches is not None else {}
    items = [(card, highlighted(snippets.get(card.number))) for card in cards(numbers)]
    counts = view.facet_counts()
    return ExplorerResults(
        total=total,
        page=page,
        pages=pages,
        items=items,
        facets=build_facets(state, counts, url_for_state),
        key_count=counts["key"][True],
        current_count=counts["current"][True],
        search_words=view.has_words,
        active=active_filters(state, url_for_state),
    )


# What a citation reads: enough for every export format, without a row's rendered HTML.
CITATION_COLUMNS = (
    Briefing.number, Briefing.slug, Briefing.title, Briefing.subtitle, Briefing.organization, Briefing.year,
    Briefing.month, Briefing.day, Briefing.tags, Briefing.authors, Briefing.url, Briefing.arxiv, Briefing.doi,
    Briefing.pdf, Briefing.code, Briefing.cite_key,
)


def all_matching(state: ExplorerQuery, limit: int) -> list[Briefing]:
    """The first ``limit`` briefings the explorer lists for ``state``, over all its pages and in its order."""
    numbers = View.of(state).numbers()[:limit]
    if not numbers:
        return []
    rows = db.session.scalars(
        select(Briefing).options(load_only(*CITATION_COLUMNS)).where(Briefing.number.in_(numbers))
    )
    by_number = {row.number: row for row in rows}
    return [by_number[number] for number in numbers if number in by_number]
