"""The Key Concepts index at /briefings/concepts: every concept heading, A to Z, linked to its anchor.

It reads the explorer's query string with the explorer's parser: the facets narrow the briefings
whose concepts are listed, and ``q`` searches the concepts themselves (their headings and text,
one FTS5 query over their own table).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import groupby
from operator import attrgetter
from typing import Any

from flask import Response, url_for
from sqlalchemy import and_, func, literal_column, select, text, true

from ..content.collation import initial
from ..extensions import db
from ..models import CONCEPT_FTS_TABLE, Briefing, Concept
from ..rendering import fragment_target, render_page
from . import queries
from .filters import ExplorerQuery
from .views import bp, briefing_url, explorer_state

PAGE_SIZE = 200


@dataclass(frozen=True)
class ConceptEntry:
    heading: str
    initial: str  # the letter it is listed under (its heading may start with an article)
    url: str
    number: int
    title: str
    month_label: str


@bp.app_template_global()
def concepts_url(state: ExplorerQuery) -> str:
    return state.url(url_for("briefings.concepts"))


def concept_condition(state: ExplorerQuery) -> Any:
    """The facets narrow the briefings; the search narrows the concepts.

    The facets become one set of briefing numbers (a subquery SQLite evaluates once).
    """
    where = []
    briefings = state.without_search()
    if briefings.is_filtered:
        chosen = select(Briefing.number).where(queries.where(queries.conditions(briefings)))
        where.append(Concept.briefing_number.in_(chosen))
    if state.q:
        expression = queries.fts_expression(state.q)
        if not expression:
            return and_(False)
        matches = (
            select(literal_column("rowid")).select_from(text(CONCEPT_FTS_TABLE))
            .where(literal_column(CONCEPT_FTS_TABLE).op("MATCH")(expression))
        )
        where.append(Concept.id.in_(matches))
    return and_(true(), *where)


def find(state: ExplorerQuery) -> tuple[int, list[ConceptEntry]]:
    where = concept_condition(state)
    total = db.session.scalar(select(func.count()).select_from(Concept).where(where)) or 0
    rows = db.session.execute(
        select(Concept.heading, Concept.sort_key, Concept.anchor, Briefing)
        .join(Briefing, Briefing.number == Concept.briefing_number)
        .where(where)
        .order_by(Concept.sort_key, Concept.briefing_number, Concept.id)
        .limit(PAGE_SIZE).offset((state.page - 1) * PAGE_SIZE)
        .options(queries.narrow_briefing())
    ).all()
    entries = [
        ConceptEntry(heading, initial(sort_key), f"{briefing_url(briefing)}#{anchor}", briefing.number,
                     briefing.title, briefing.month_label)
        for heading, sort_key, anchor, briefing in rows
    ]
    return total, entries


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def letter_pages(state: ExplorerQuery) -> dict[str, int]:
    """The page each initial's concepts start on, for the A-Z bar (one query of sort keys)."""
    keys = db.session.scalars(select(Concept.sort_key).where(concept_condition(state))
                              .order_by(Concept.sort_key, Concept.briefing_number, Concept.id))
    pages: dict[str, int] = {}
    for index, key in enumerate(keys):
        pages.setdefault(initial(key), index // PAGE_SIZE + 1)
    return pages


def alphabet(state: ExplorerQuery) -> list[tuple[str, str | None]]:
    """Each letter (and '#' for the rest) with the address of its heading, or None when no concept starts with it."""
    pages = letter_pages(state)
    letters = [letter for letter in pages if letter not in ALPHABET] + list(ALPHABET)
    return [(letter, (concepts_url(state.with_page(pages[letter])) if pages[letter] != state.page else "")
             + f"#letter-{letter_id(letter)}" if letter in pages else None) for letter in letters]


def letter_id(letter: str) -> str:
    return "other" if letter == "#" else letter.lower()


@bp.get("/concepts")
def concepts() -> Response:
    """Every Key Concept heading of the briefings of a view, alphabetically."""
    state = replace(explorer_state(), sort="")  # always A to Z
    facets = queries.run(state.without_search().with_page(1), 0, lambda other: concepts_url(
        other if not state.q else _with_q(other, state.q)))
    total, entries = find(state)
    pages = max(1, -(-total // PAGE_SIZE))
    return render_page(
        "briefings/concepts.html",
        blocks={"concepts-results": "results"},
        push_url=concepts_url(state) if fragment_target() == "concepts-results" else None,
        state=state,
        results=facets,
        total=total,
        groups=[(key, list(members)) for key, members in groupby(entries, key=attrgetter("initial"))],
        page=state.page,
        pages=pages,
        letters=alphabet(state) if total else [],
        letter_id=letter_id,
        concepts_url=concepts_url,
    )


def _with_q(state: ExplorerQuery, q: str) -> ExplorerQuery:
    """A facet link keeps the concept search the visitor typed."""
    return replace(state, q=q)
