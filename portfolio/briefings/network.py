"""The map's queries: which briefings of a view it draws, and the connections among them.

A view of thousands is capped: key papers first, then the newest, chosen from the narrow
facet indexes before any wide row is read; only the columns the map prints are loaded.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, String, and_, bindparam, func, select

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


def chosen_numbers(state: ExplorerQuery, limit: int | None = None) -> list[int]:
    """The numbers drawn: key papers first, then the newest (the view's count is the explorer's)."""
    limit = MAX_NODES if limit is None else limit
    query = (
        select(Briefing.number).where(view_condition(state))
        .order_by(Briefing.key.desc(), Briefing.date_key.desc(), Briefing.number.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def among(column: Any) -> ColumnElement[bool]:
    """``column IN (the drawn numbers)``, the numbers sent as one JSON parameter, ``drawn``.

    A plain ``IN`` binds one parameter per number: for the map's 240 that binding alone cost
    about 1 ms in SQLite, twice per request, before SQLAlchemy's own work of expanding them.
    """
    drawn = func.json_each(bindparam("drawn", type_=String)).table_valued("value")
    condition: ColumnElement[bool] = column.in_(select(drawn.c.value))
    return condition


# Built once: the statements are the same on every request, only the numbers change.
MAP_ROWS = (
    select(Briefing.number, Briefing.slug, Briefing.title, Briefing.category, Briefing.organization,
           Briefing.year, Briefing.month, Briefing.key)
    .where(among(Briefing.number))
    .order_by(Briefing.number)
)
LINKS_AMONG = (
    select(Connection.source, Connection.target, Connection.kind)
    .where(among(Connection.source), among(Connection.target))
    .order_by(Connection.source, Connection.target, Connection.kind)
)


def map_rows(numbers: list[int]) -> list[tuple[int, str, str, str, str, int, int, bool]]:
    """The few columns a node needs (never the HTML of the briefing), in number order."""
    if not numbers:
        return []
    return [tuple(row) for row in db.session.execute(MAP_ROWS, {"drawn": json.dumps(numbers)})]  # type: ignore[misc]


def links_among(numbers: list[int]) -> list[tuple[int, int, str]]:
    """Every written connection whose two ends are both drawn."""
    if not numbers:
        return []
    rows = db.session.execute(LINKS_AMONG, {"drawn": json.dumps(numbers)})
    return [(source, target, kind) for source, target, kind in rows]
