"""The map's queries: which briefings of a view it draws, and the connections among them.

A view of thousands is capped: key papers first, then the newest, chosen from the narrow
facet indexes before any wide row is read; only the columns the map prints are loaded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import Briefing, Connection
from .filters import ExplorerQuery
from .queries import SearchMatches, conditions, fts_expression, where_all_but

MAX_NODES = 240


def view_condition(state: ExplorerQuery) -> Any:
    expression = fts_expression(state.q) if state.q else ""
    found = conditions(state, SearchMatches(expression) if expression else None)
    if state.q and not expression:
        found["q"] = and_(False)
    return where_all_but(found)


def chosen_numbers(state: ExplorerQuery, limit: int | None = None) -> tuple[int, list[int]]:
    """(how many briefings match, the numbers drawn): key papers first, then the newest."""
    limit = MAX_NODES if limit is None else limit
    where = view_condition(state)
    total = db.session.scalar(select(func.count()).select_from(Briefing).where(where)) or 0
    query = (
        select(Briefing.number).where(where)
        .order_by(Briefing.key.desc(), Briefing.date_key.desc(), Briefing.number.desc())
        .limit(limit)
    )
    return total, list(db.session.scalars(query))


def map_rows(numbers: list[int]) -> list[Any]:
    """The few columns a node needs (never the HTML of the briefing)."""
    if not numbers:
        return []
    return list(db.session.execute(
        select(Briefing.number, Briefing.slug, Briefing.title, Briefing.category, Briefing.organization,
               Briefing.year, Briefing.month, Briefing.key)
        .where(Briefing.number.in_(numbers))
        .order_by(Briefing.number)
    ).all())


def links_among(numbers: list[int]) -> list[tuple[int, int, str]]:
    """Every written connection whose two ends are both drawn."""
    if not numbers:
        return []
    rows = db.session.execute(
        select(Connection.source, Connection.target, Connection.kind)
        .where(Connection.source.in_(numbers), Connection.target.in_(numbers))
        .order_by(Connection.source, Connection.target, Connection.kind)
    ).all()
    return [(source, target, kind) for source, target, kind in rows]
